"""Manual binning overrides kept under version control: user splits, merged bins, forced trends.

File format (YAML)::

    features:
      bureau_utilisation:            # numerical: fixed user splits (bins are [s_i, s_i+1))
        splits: [0.3, 0.6, 0.9]
        reason: "policy cut points agreed with credit risk committee"
      months_since_last_delinquency:
        trend: descending           # force the event-rate trend (ascending, descending, peak, valley, ...)
      age_of_file_months:
        merge: [[0, 1]]             # merge adjacent regular bins of the optimal solution (0-based indices)
      channel:                      # categorical: fixed groups of categories
        groups: [["online", "app"], ["branch", "agent"]]
      months_since_last_30dpd:
        special_codes: [-9, -8, -7]  # this feature's sentinels, binned apart (replaces the detected ones)
        min_bin_size: 0.02          # this feature's smallest bin as a share of rows

``scorecard bins freeze`` writes a run's bins in this format with the reason ``REASON_PLACEHOLDER``
("TODO: reason"): ``train_card`` refuses to train while any reason still starts with "TODO", and the
binner warns about overrides without a reason, so that every reviewed bin says why before it ships.

``splits`` / ``groups`` fix the bins as given (no monotonic constraint unless ``trend`` is also given);
``merge`` refits with the optimal splits minus the boundaries inside each merged run; ``trend`` replaces the
feature's monotonic trend; ``special_codes`` and ``min_bin_size`` replace the card-wide settings for that
feature. Every applied override is recorded in ``WoeBinner.overrides_applied_``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scorecard.config import MonotonicTrend
from scorecard.errors import ConfigError
from scorecard.modeling.inputs import read_yaml

if TYPE_CHECKING:
    from scorecard.config import CardConfig

REASON_PLACEHOLDER = "TODO: reason"


class BinningOverride(BaseModel):
    """One feature's manual binning decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    splits: list[float] | None = Field(default=None, description="Numerical user splits, fixed.")
    groups: list[list[str]] | None = Field(
        default=None, description="Categorical groups of categories, fixed."
    )
    merge: list[list[int]] | None = Field(default=None, description="Runs of adjacent regular bins to merge.")
    trend: MonotonicTrend | None = None
    special_codes: list[float] | None = Field(
        default=None, description="Numerical codes binned apart for this feature (replaces the card's)."
    )
    min_bin_size: float | None = Field(
        default=None, gt=0, lt=0.5, description="Smallest bin of this feature as a share of rows."
    )
    reason: str = ""

    @field_validator("splits")
    @classmethod
    def _ascending(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and (not v or any(b <= a for a, b in itertools.pairwise(v))):
            raise ValueError("splits must be a non-empty, strictly ascending list of numbers")
        return v

    @field_validator("merge")
    @classmethod
    def _adjacent(cls, v: list[list[int]] | None) -> list[list[int]] | None:
        for run in v or []:
            if len(run) < 2 or run != list(range(run[0], run[0] + len(run))) or run[0] < 0:
                raise ValueError(
                    f"each merge entry must list >= 2 adjacent bin indices like [1, 2]; got {run}"
                )
        return v

    @model_validator(mode="after")
    def _one_binning(self) -> BinningOverride:
        if sum(x is not None for x in (self.splits, self.groups, self.merge)) > 1:
            raise ValueError("give at most one of 'splits', 'groups' or 'merge' per feature")
        if all(
            getattr(self, key) is None
            for key in ("splits", "groups", "merge", "trend", "special_codes", "min_bin_size")
        ):
            raise ValueError(
                "an override needs at least one of 'splits', 'groups', 'merge', 'trend', "
                "'special_codes' or 'min_bin_size'"
            )
        return self


class OverrideFile(BaseModel):
    """Top level of an overrides YAML file."""

    model_config = ConfigDict(extra="forbid")

    features: dict[str, BinningOverride] = Field(default_factory=dict)


def parse_overrides(raw: Any, source: str = "<overrides>") -> dict[str, BinningOverride]:
    """Validate an overrides mapping ({'features': {...}} or {feature: {...}})."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: expected a mapping with a 'features' key, got {type(raw).__name__}")
    if "features" not in raw:
        raw = {"features": raw}
    try:
        return dict(OverrideFile.model_validate(raw).features)
    except ValidationError as exc:
        problems = [
            f"{source}: {'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise ConfigError("\n".join(problems)) from None


def load_overrides(path: Path | str) -> dict[str, BinningOverride]:
    """Read and validate an overrides YAML file."""
    return parse_overrides(read_yaml(path, "binning overrides file"), str(path))


def resolve_overrides(overrides: Any) -> tuple[dict[str, BinningOverride], str]:
    """Accept None, a path, or a mapping; return the overrides and where they came from."""
    if overrides is None:
        return {}, ""
    if isinstance(overrides, str | Path):
        return load_overrides(overrides), str(overrides)
    if isinstance(overrides, Mapping) and all(isinstance(v, BinningOverride) for v in overrides.values()):
        return dict(overrides), "<dict>"
    return parse_overrides(overrides, "<dict>"), "<dict>"


def unreviewed(overrides: Mapping[str, BinningOverride]) -> list[str]:
    """Features whose reason still starts with "TODO" (the placeholder ``bins freeze`` writes)."""
    return [f for f, o in overrides.items() if o.reason.strip().upper().startswith("TODO")]


def check_reviewed(overrides: Mapping[str, BinningOverride], source: str) -> None:
    """Refuse overrides whose reason is still a placeholder: a card ships only reviewed bins."""
    pending = unreviewed(overrides)
    if pending:
        raise ConfigError(
            f"{source}: overrides for {pending} still carry a placeholder reason ({REASON_PLACEHOLDER!r}); "
            "write why each reviewed binning is right before training the card"
        )


def describe(override: BinningOverride) -> str:
    """What an override fixes, in one line (its reason aside), e.g. ``splits [0.3, 0.5]; trend ascending``."""
    fields = override.model_dump(exclude_none=True, exclude={"reason"}, mode="json")
    return "; ".join(f"{key} {value}" for key, value in fields.items())


def dump_overrides(overrides: Mapping[str, BinningOverride], header: str = "") -> str:
    """Overrides as an overrides YAML file that ``load_overrides`` reads back equal; ``header`` becomes comments."""
    body = {"features": {f: o.model_dump(exclude_none=True, mode="json") for f, o in overrides.items()}}
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
    comments = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comments + text


def check_overrides(config: CardConfig) -> dict[str, BinningOverride]:
    """Validate the card's overrides file against its config before any feature is built.

    The file must parse; every overridden feature must be one the config yields (the catalogue's features for
    canonical sources, ``flat_table.features`` when listed), and ``splits`` / ``groups`` must fit its kind.
    """
    path = config.binning.overrides
    if path is None:
        return {}
    overrides = load_overrides(path)
    kinds = _feature_kinds(config)
    if kinds is None:
        return overrides
    unknown = sorted(set(overrides) - set(kinds))
    if unknown:
        raise ConfigError(
            f"{path}: overrides name features the {config.name} config does not produce: {unknown}; "
            f"expected some of {sorted(kinds)}"
        )
    for feature, override in overrides.items():
        if override.splits is not None and kinds[feature] == "categorical":
            raise ConfigError(f"{path}: {feature}: feature is categorical; use 'groups', not 'splits'")
        if override.groups is not None and kinds[feature] == "numerical":
            raise ConfigError(f"{path}: {feature}: feature is numerical; use 'splits', not 'groups'")
        if override.special_codes is not None and kinds[feature] == "categorical":
            raise ConfigError(f"{path}: {feature}: special_codes apply to numerical features only")
    return overrides


def _feature_kinds(config: CardConfig) -> dict[str, str] | None:
    """Feature name -> 'numerical' / 'categorical' as the config declares them; None when only data can tell."""
    flat = config.data.flat_table
    if flat is not None:
        if flat.features is None:
            return None
        return {f: "categorical" if f in flat.categorical else "numerical" for f in flat.features}
    from scorecard.features.catalogue import select_features

    f = config.features
    return {d.name: d.kind for d in select_features(config.card, f.families, f.include, f.exclude)}
