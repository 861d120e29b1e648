"""One validated config model per card: sources, features, target, modeling, policy, gates, monitoring.

``load_config(path)`` reads a card's YAML and returns a ``CardConfig``; every problem is reported as
``ConfigError("<file>: <key.path>: <what is wrong>; got <value>")``. Unknown keys are errors.
Relative paths in a config are resolved against the config file's folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from scorecard.errors import ConfigError

CardType = Literal["application", "behaviour", "collection"]
TableName = Literal[
    "customers",
    "applications",
    "bureau_tradelines",
    "bureau_inquiries",
    "device_events",
    "loan_performance",
    "collection_cases",
]


class Strict(BaseModel):
    """Base of every config section: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class MappedColumn(Strict):
    """A canonical column computed from a source: a constant or a SQL expression over source columns."""

    const: str | int | float | bool | None = None
    sql: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> MappedColumn:
        if (self.const is None) == (self.sql is None):
            raise ValueError("a mapping entry needs exactly one of 'const' or 'sql'")
        return self


class SourceConfig(Strict):
    """Where one canonical table comes from and how its columns map onto ours.

    ``mapping`` maps a canonical column to a source column name (a string), or to ``{const: ...}``
    or ``{sql: ...}``; canonical columns not mapped are taken by their own name.
    """

    path: Path
    format: Literal["csv", "parquet", "duckdb"] | None = None
    table: str | None = Field(default=None, description="Table name inside a DuckDB database file.")
    mapping: dict[str, str | MappedColumn] = Field(default_factory=dict)


class PiiConfig(Strict):
    """How PII columns leave ingestion: dropped, or replaced by a keyed HMAC-SHA256 hash."""

    key_env: str = Field(
        default="SCORECARD_PII_KEY", description="Environment variable holding the HMAC key."
    )
    hash: list[str] | None = Field(
        default=None,
        description="Columns to hash ('table.column'); None keeps each column's declared default action.",
    )


class FlatTableConfig(Strict):
    """A modeling table built elsewhere: features plus a target column."""

    path: Path
    target: str
    bad_value: str | int | float | bool = 1
    id_column: str | None = None
    date_column: str | None = None
    features: list[str] | None = Field(
        default=None, description="Feature columns; None takes every other column."
    )
    categorical: list[str] = Field(default_factory=list)


class DataConfig(Strict):
    """The card's inputs: canonical sources, or one flat modeling table."""

    sources: dict[TableName, SourceConfig] = Field(default_factory=dict)
    flat_table: FlatTableConfig | None = None
    pii: PiiConfig = Field(default_factory=PiiConfig)

    @model_validator(mode="after")
    def _one_input(self) -> DataConfig:
        if not self.sources and self.flat_table is None:
            raise ValueError("give either 'sources' (canonical tables) or 'flat_table'")
        if self.sources and self.flat_table is not None:
            raise ValueError("give 'sources' or 'flat_table', not both")
        return self


class ObservationConfig(Strict):
    """Behaviour-card observation points: every ``cadence_months`` between ``start`` and ``end``."""

    cadence_months: int = Field(default=1, ge=1, le=12)
    start: dt.date | None = None
    end: dt.date | None = None


class FeaturesConfig(Strict):
    """Which features a card uses: whole families and/or single names, minus exclusions."""

    families: list[Literal["bureau", "device", "application", "behaviour", "collection"]] = Field(
        default_factory=list
    )
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    no_bureau_code: int = Field(default=-1, description="Special code for 'no bureau file'.")
    observation: ObservationConfig = Field(default_factory=ObservationConfig)


class TargetConfig(Strict):
    """Target definition. Application: bad_dpd within performance_months; behaviour: the same ahead of
    the observation month; collection: cure within cure_days, with non-cure modelled as bad."""

    bad_dpd: int = Field(default=30, ge=1)
    performance_months: int = Field(default=12, ge=1, le=60)
    indeterminate_dpd: tuple[int, int] | None = Field(
        default=(1, 29), description="Inclusive worst-DPD range treated as indeterminate; null for none."
    )
    indeterminate: Literal["exclude", "good"] = "exclude"
    cure_days: int = Field(default=30, ge=1)
    bad_event: Literal["non_cure", "cure"] = Field(default="non_cure", description="Collection card only.")


class SplitConfig(Strict):
    """Train/test by stratified random split; out-of-time from ``oot_start`` on."""

    test_size: float = Field(default=0.3, gt=0, lt=1)
    seed: int = 42
    oot_start: dt.date | None = None


class BinningConfig(Strict):
    """WOE binning settings (optbinning BinningProcess)."""

    max_n_prebins: int = Field(default=20, ge=2)
    max_n_bins: int | None = Field(default=None, ge=2)
    min_bin_size: float = Field(default=0.05, gt=0, lt=0.5)
    monotonic_trend: (
        Literal[
            "auto",
            "auto_heuristic",
            "auto_asc_desc",
            "ascending",
            "descending",
            "peak",
            "valley",
            "convex",
            "concave",
            "peak_heuristic",
            "valley_heuristic",
        ]
        | None
    ) = "auto_asc_desc"
    trends: dict[str, str] = Field(default_factory=dict, description="Per-feature monotonic trend.")
    special_codes: list[float] = Field(default_factory=lambda: [-1.0])
    cat_cutoff: float | None = Field(
        default=0.01, gt=0, lt=1, description="Rare categories grouped below this share."
    )
    overrides: Path | None = Field(default=None, description="YAML file of manual binning overrides.")
    n_jobs: int | None = 1


class SelectionConfig(Strict):
    """Feature selection rules, applied in order: exclude, IV, correlation, VIF, stepwise."""

    min_iv: float = Field(default=0.02, ge=0)
    max_correlation: float = Field(default=0.7, gt=0, le=1)
    max_vif: float | None = Field(default=5.0, gt=1)
    stepwise: Literal["forward", "backward"] | None = "forward"
    criterion: Literal["aic", "bic", "auc"] = "bic"
    max_features: int | None = Field(default=20, ge=1)
    force_include: list[str] = Field(default_factory=list)
    force_exclude: list[str] = Field(default_factory=list)


class ScalingConfig(Strict):
    """Points scaling: ``base_score`` points at odds good:bad ``base_odds``; every ``pdo`` points doubles the odds."""

    pdo: float = Field(default=20, gt=0)
    base_score: float = 600
    base_odds: float = Field(default=50, gt=0)


class ModelConfig(Strict):
    """Logistic regression on WOE values."""

    C: float = Field(default=1e6, gt=0, description="Inverse regularisation strength; large = plain MLE.")
    sign_check: Literal["flag", "drop"] = "drop"


class GradeBand(Strict):
    grade: str
    max_pd: float = Field(gt=0, le=1)


def _default_master_scale() -> list[GradeBand]:
    bands = [
        ("A", 0.005),
        ("B", 0.01),
        ("C", 0.02),
        ("D", 0.04),
        ("E", 0.08),
        ("F", 0.16),
        ("G", 0.32),
        ("H", 1.0),
    ]
    return [GradeBand(grade=g, max_pd=p) for g, p in bands]


class CalibrationConfig(Strict):
    """Score to PD, and the master scale of grades (bands of PD, ascending, the last at 1.0)."""

    method: Literal["logistic", "isotonic"] = "logistic"
    long_run_pd: float | None = Field(default=None, gt=0, lt=1)
    master_scale: list[GradeBand] = Field(default_factory=_default_master_scale)

    @model_validator(mode="after")
    def _ascending(self) -> CalibrationConfig:
        pds = [b.max_pd for b in self.master_scale]
        if not pds or pds != sorted(pds) or len(set(pds)) != len(pds) or pds[-1] != 1.0:
            raise ValueError("master_scale max_pd values must be strictly ascending and end at 1.0")
        return self


class ReasonsConfig(Strict):
    """Reason codes: top_k features by points lost against the reference."""

    top_k: int = Field(default=4, ge=1, le=10)
    reference: Literal["max", "mean"] = "max"
    catalogue: Path | None = None
    not_for_reasons: list[str] = Field(default_factory=list)


class ChallengerConfig(Strict):
    """LightGBM challenger trained beside the scorecard."""

    enabled: bool = True
    params: dict[str, Any] = Field(default_factory=dict)
    num_boost_round: int = Field(default=1000, ge=1)
    early_stopping_rounds: int = Field(default=50, ge=1)
    validation_size: float = Field(default=0.2, gt=0, lt=1)
    monotone: bool = True


class KnockoutRule(Strict):
    """A rule evaluated before the score; the first that fires decides."""

    name: str
    field: str
    op: Literal["in", "not_in", "lt", "le", "gt", "ge", "eq", "ne", "is_true"]
    value: Any = None
    decision: Literal["decline", "refer"] = "decline"


class Cutoffs(Strict):
    """Score cut-offs: approve at or above ``approve``, decline below ``decline``, refer between."""

    approve: float
    decline: float

    @model_validator(mode="after")
    def _order(self) -> Cutoffs:
        if self.decline > self.approve:
            raise ValueError("cutoffs.decline must not exceed cutoffs.approve")
        return self


class Treatment(Strict):
    """Collection treatment: DPD bucket x score band -> action."""

    max_dpd: int
    min_score: float | None = None
    action: str


class EarlyWarning(Strict):
    """Behaviour-card early-warning flag, e.g. a jump in recent inquiries across lenders."""

    name: str
    field: str
    op: Literal["lt", "le", "gt", "ge", "eq", "ne", "is_true"]
    value: Any = None


class PolicyConfig(Strict):
    """Decision policy packed in the bundle."""

    knockouts: list[KnockoutRule] = Field(default_factory=list)
    cutoffs: Cutoffs | None = None
    treatments: list[Treatment] = Field(default_factory=list)
    early_warnings: list[EarlyWarning] = Field(default_factory=list)


class GatesConfig(Strict):
    """Promotion gates a candidate must pass to become champion."""

    min_oot_gini: float = Field(default=0.35, ge=-1, le=1)
    max_gini_drop: float = Field(default=0.03, ge=0)
    max_score_psi: float = Field(default=0.25, ge=0)
    require_signs: bool = True
    require_parity: bool = True


class TrackingConfig(Strict):
    """MLflow tracking; ``MLFLOW_TRACKING_URI`` overrides ``tracking_uri``."""

    tracking_uri: str | None = None
    experiment: str | None = None
    registered_model: str | None = None


class MonitoringConfig(Strict):
    """Thresholds that turn a monitoring run into ok / warn / alert."""

    psi_warn: float = Field(default=0.10, ge=0)
    psi_alert: float = Field(default=0.25, ge=0)
    csi_warn: float = Field(default=0.10, ge=0)
    csi_alert: float = Field(default=0.25, ge=0)
    gini_drop_warn: float = Field(default=0.05, ge=0)
    gini_drop_alert: float = Field(default=0.10, ge=0)
    cohort: Literal["month", "quarter"] = "month"


class CardConfig(Strict):
    """Everything one card needs, from sources to monitoring thresholds."""

    card: CardType
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    data: DataConfig
    features: FeaturesConfig = Field(default_factory=FeaturesConfig)
    target: TargetConfig = Field(default_factory=TargetConfig)
    split: SplitConfig = Field(default_factory=SplitConfig)
    binning: BinningConfig = Field(default_factory=BinningConfig)
    selection: SelectionConfig = Field(default_factory=SelectionConfig)
    scaling: ScalingConfig = Field(default_factory=ScalingConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    calibration: CalibrationConfig = Field(default_factory=CalibrationConfig)
    reasons: ReasonsConfig = Field(default_factory=ReasonsConfig)
    challenger: ChallengerConfig = Field(default_factory=ChallengerConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    gates: GatesConfig = Field(default_factory=GatesConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig)
    source_path: Annotated[Path | None, Field(exclude=True)] = None


def _format_error(path: Path | str, err: ErrorDetails) -> str:
    key = ".".join(str(p) for p in err["loc"]) or "<top level>"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"{path}: {key}: unknown key (check its spelling)"
    if err["type"] == "missing":
        return f"{path}: {key}: required key is missing"
    return f"{path}: {key}: {msg}; got {err.get('input')!r}"


def _resolve_paths(node: Any, base: Path) -> None:
    """Resolve relative Path fields against the config file's folder, in place."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if isinstance(value, Path) and not value.is_absolute() and name != "source_path":
                object.__setattr__(node, name, (base / value).resolve())
            else:
                _resolve_paths(value, base)
    elif isinstance(node, dict):
        for v in node.values():
            _resolve_paths(v, base)
    elif isinstance(node, list):
        for v in node:
            _resolve_paths(v, base)


def parse_config(raw: dict[str, Any], path: Path | str = "<config>", base: Path | None = None) -> CardConfig:
    """Validate a config dict; every problem is listed in one ConfigError."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level, got {type(raw).__name__}")
    try:
        cfg = CardConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("\n".join(_format_error(path, e) for e in exc.errors())) from None
    if base is not None:
        _resolve_paths(cfg, base)
    return cfg


def load_config(path: Path | str) -> CardConfig:
    """Read and validate a card config file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    cfg = parse_config(raw, path, base=path.parent.resolve())
    object.__setattr__(cfg, "source_path", path.resolve())
    return cfg
