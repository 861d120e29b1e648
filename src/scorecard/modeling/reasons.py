"""Reason codes: the features that cost a record the most points, each with a code and a customer text.

Points lost by feature f = ``reference_points[f] - points[f]``; ``reference="max"`` takes the most points f
earned on the training rows, ``"mean"`` their average. Reasons are the ``top_k`` features with points lost
> 0, by points lost descending, ties broken by the feature order of the model; features listed in
``not_for_reasons`` (e.g. ones a lender may not cite) never appear.

Catalogue (YAML)::

    reasons:
      bureau_inq_3m: {code: "R07", text: "Number of recent credit inquiries"}

A feature missing from the catalogue gets the fallback code ``R_<FEATURE NAME IN CAPITALS>`` and the text
"<feature name with spaces> lowered the score", so no model feature can ever lack a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from scorecard.errors import ConfigError
from scorecard.modeling.inputs import InvalidInput, as_frame, read_yaml

if TYPE_CHECKING:
    from scorecard.config import ReasonsConfig


def fallback_reason(feature: str) -> dict[str, str]:
    """Code and text for a feature the catalogue does not list."""
    return {
        "code": f"R_{feature.upper()}",
        "text": f"{feature.replace('_', ' ').capitalize()} lowered the score",
    }


def load_catalogue(source: Path | str | Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """Read a reason catalogue (YAML path or mapping) into {feature: {"code", "text"}}."""
    if source is None:
        return {}
    where = "<catalogue>"
    raw: Any = source
    if isinstance(source, str | Path):
        where = str(source)
        raw = read_yaml(source, "reason catalogue") or {}
    if isinstance(raw, Mapping) and "reasons" in raw:
        raw = raw["reasons"]
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping 'reasons: {{feature: {{code, text}}}}'")
    out: dict[str, dict[str, str]] = {}
    for feature, entry in raw.items():
        if not isinstance(entry, Mapping) or not {"code", "text"} <= set(entry):
            raise ConfigError(f"{where}: reasons.{feature} needs 'code' and 'text'; got {entry!r}")
        out[str(feature)] = {"code": str(entry["code"]), "text": str(entry["text"])}
    codes = [e["code"] for e in out.values()]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise ConfigError(f"{where}: reason codes must be unique; repeated: {duplicated}")
    return out


class ReasonCoder(BaseEstimator):
    """Rank features by points lost against a reference and map them to catalogue codes."""

    def __init__(
        self,
        top_k: int = 4,
        reference: str = "max",
        catalogue: Path | str | Mapping[str, Any] | None = None,
        not_for_reasons: Sequence[str] = (),
    ) -> None:
        self.top_k = top_k
        self.reference = reference
        self.catalogue = catalogue
        self.not_for_reasons = not_for_reasons

    @classmethod
    def from_config(cls, reasons: ReasonsConfig) -> ReasonCoder:
        """A reason coder with the card config's ``reasons`` section (catalogue default: configs/reasons/)."""
        return cls(
            top_k=reasons.top_k,
            reference=reasons.reference,
            catalogue=reasons.catalogue,
            not_for_reasons=tuple(reasons.not_for_reasons),
        )

    def fit(self, points_frame: pd.DataFrame, y: Any = None) -> ReasonCoder:
        """Learn each feature's reference points from the training rows' points (``Scorecard.points``)."""
        if not isinstance(self.top_k, int | np.integer) or self.top_k < 1:
            raise ConfigError(f"reasons.top_k must be an integer >= 1; got {self.top_k!r}")
        if self.reference not in ("max", "mean"):
            raise ConfigError(f"reasons.reference must be 'max' or 'mean'; got {self.reference!r}")
        frame = self._check(points_frame, None)
        self.features_ = [str(c) for c in frame.columns]
        unknown = sorted(set(self.not_for_reasons) - set(self.features_))
        if unknown:
            raise ConfigError(f"reasons.not_for_reasons names features not in the model: {unknown}")
        values = frame.to_numpy(dtype=np.float64)
        ref = values.max(axis=0) if self.reference == "max" else values.mean(axis=0)
        self.reference_points_ = dict(zip(self.features_, ref.tolist(), strict=True))
        listed = load_catalogue(self.catalogue)
        self.catalogue_ = {f: listed.get(f, fallback_reason(f)) for f in self.features_}
        self.n_features_in_ = len(self.features_)
        return self

    def points_lost(self, points_frame: pd.DataFrame) -> np.ndarray:
        """Points lost per row and feature (reference minus points), in model feature order."""
        check_is_fitted(self, "reference_points_")
        frame = self._check(points_frame, self.features_)
        missing = [f for f in self.features_ if f not in frame.columns]
        if missing:
            raise InvalidInput(f"points frame lacks model features {missing}")
        ref = np.array([self.reference_points_[f] for f in self.features_])
        return ref - frame[self.features_].to_numpy(dtype=np.float64)

    def rank(self, points_frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Top-k feature indices per row (-1 where fewer reasons) and their points lost (NaN there)."""
        lost = self.points_lost(points_frame)
        eligible = (lost > 0) & ~np.isin(self.features_, list(self.not_for_reasons))[None, :]
        key = np.where(eligible, lost, -np.inf)
        order = np.argsort(-key, axis=1, kind="stable")[:, : self.top_k]
        top = np.take_along_axis(key, order, axis=1)
        valid = np.isfinite(top)
        return np.where(valid, order, -1), np.where(valid, top, np.nan)

    def codes(self, points_frame: pd.DataFrame) -> np.ndarray:
        """Reason codes, shape (rows, top_k), "" where a row has fewer reasons."""
        index, _ = self.rank(points_frame)
        table = np.array([*(self.catalogue_[f]["code"] for f in self.features_), ""], dtype=object)
        return table[index].astype(str)

    def explain(self, points_frame: pd.DataFrame) -> list[list[dict[str, Any]]]:
        """Reasons per row: [{"feature", "code", "text", "points_lost"}, ...] best first."""
        index, lost = self.rank(points_frame)
        return [
            [
                {
                    "feature": self.features_[i],
                    "code": self.catalogue_[self.features_[i]]["code"],
                    "text": self.catalogue_[self.features_[i]]["text"],
                    "points_lost": float(v),
                }
                for i, v in zip(row_i, row_v, strict=True)
                if i >= 0
            ]
            for row_i, row_v in zip(index.tolist(), lost.tolist(), strict=True)
        ]

    def to_spec(self) -> dict[str, Any]:
        """JSON-ready reason settings for the runtime."""
        check_is_fitted(self, "reference_points_")
        return {
            "top_k": int(self.top_k),
            "reference_points": dict(self.reference_points_),
            "catalogue": {f: dict(v) for f, v in self.catalogue_.items()},
            "not_for_reasons": list(self.not_for_reasons),
        }

    @staticmethod
    def _check(points_frame: Any, features: list[str] | None) -> pd.DataFrame:
        """Points per feature as a DataFrame (arrays get the fitted names, else x0..xn); finite numbers only."""
        if features is not None and not isinstance(points_frame, pd.DataFrame):
            n = np.shape(points_frame)[-1]
            if n != len(features):
                raise InvalidInput(
                    f"X has {n} features, but ReasonCoder is expecting {len(features)} features as input."
                )
        frame = as_frame(points_frame, features)
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
        try:
            values = frame.to_numpy(dtype=np.float64)
        except ValueError:
            raise InvalidInput("points frame must hold numbers (Scorecard.points(X))") from None
        if not np.isfinite(values).all():
            raise InvalidInput("Input points contain NaN or infinity")
        return frame
