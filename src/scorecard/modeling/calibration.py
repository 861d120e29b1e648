"""Score to probability of default, and the master scale of rating grades.

``Calibrator`` fits PD on the integer score: ``"logistic"`` (``pd = 1 / (1 + exp(-(a + b * score)))``) or
``"isotonic"`` (non-increasing step function, replayed with ``np.interp``). ``long_run_pd`` anchors the PDs
to the population's long-run default rate by shifting the log-odds by
``logit(long_run_pd) - logit(sample bad rate)`` (the slope and the ranking are unchanged).

``MasterScale.fit`` draws the grades from the development PDs: ``n_grades`` equal-frequency bands of PD,
then adjacent grades merged while a grade's bad rate is not above the previous grade's, so bad rates rise
grade by grade; each band edge lies midway between the last PD of one grade and the first of the next.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit, logit
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted

from scorecard.errors import ConfigError
from scorecard.modeling.inputs import InvalidInput, binary_target, check_lengths
from scorecard.modeling.logit import fit_logit

if TYPE_CHECKING:
    from scorecard.config import CalibrationConfig


def _scores(scores: Any) -> np.ndarray:
    if hasattr(scores, "toarray"):
        raise TypeError("sparse input is not supported; pass a dense array of scores")
    if np.iscomplexobj(scores):
        raise InvalidInput("Complex data not supported")
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"expected one column of scores; got an array of shape {arr.shape}")
    if arr.size == 0:
        raise InvalidInput(
            f"Found array with 0 sample(s) (shape={arr.shape}) while a minimum of 1 is required."
        )
    if not np.isfinite(arr).all():
        raise InvalidInput(f"Input scores contain NaN or infinity ({int((~np.isfinite(arr)).sum())} values)")
    return arr


class Calibrator(BaseEstimator):
    """Map scores to PD by a logistic or isotonic fit, optionally anchored to a long-run PD."""

    def __init__(self, method: str = "logistic", long_run_pd: float | None = None) -> None:
        self.method = method
        self.long_run_pd = long_run_pd

    @classmethod
    def from_config(cls, calibration: CalibrationConfig) -> Calibrator:
        """A calibrator with the card config's ``calibration`` section."""
        return cls(method=calibration.method, long_run_pd=calibration.long_run_pd)

    def fit(self, scores: Any, y: Any) -> Calibrator:
        """Fit PD as a function of ``scores`` on the binary target ``y`` (1 = bad)."""
        if self.method not in ("logistic", "isotonic"):
            raise ConfigError(f"calibration.method must be 'logistic' or 'isotonic'; got {self.method!r}")
        if self.long_run_pd is not None and not 0 < self.long_run_pd < 1:
            raise ConfigError(f"calibration.long_run_pd must be in (0, 1); got {self.long_run_pd!r}")
        x = _scores(scores)
        target = binary_target(y)
        check_lengths(x, target)
        self.n_features_in_ = 1
        self.classes_ = np.array([0, 1])
        self.sample_bad_rate_ = float(target.mean())
        self.shift_ = (
            0.0 if self.long_run_pd is None else float(logit(self.long_run_pd) - logit(self.sample_bad_rate_))
        )
        if self.method == "logistic":
            centre, spread = float(x.mean()), float(x.std()) or 1.0
            fit = fit_logit(((x - centre) / spread)[:, None], target)
            self.slope_ = float(fit.coef[0] / spread)
            self.intercept_ = float(fit.intercept - fit.coef[0] * centre / spread) + self.shift_
        else:
            iso = IsotonicRegression(increasing=False, out_of_bounds="clip").fit(x, target)
            floor = 0.5 / len(target)
            pd_values = np.clip(iso.y_thresholds_, floor, 1 - floor)
            self.x_ = np.asarray(iso.X_thresholds_, dtype=np.float64)
            self.y_ = expit(logit(pd_values) + self.shift_)
        return self

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags

    def predict_pd(self, scores: Any) -> np.ndarray:
        """PD for each score."""
        check_is_fitted(self, "shift_")
        x = _scores(scores)
        if self.method == "logistic":
            return expit(self.intercept_ + self.slope_ * x)
        return np.interp(x, self.x_, self.y_)

    def predict_proba(self, scores: Any) -> np.ndarray:
        """Columns P(good), P(bad)."""
        bad = self.predict_pd(scores)
        return np.column_stack([1 - bad, bad])

    def to_spec(self) -> dict[str, Any]:
        """JSON-ready calibration the numpy runtime replays."""
        check_is_fitted(self, "shift_")
        if self.method == "logistic":
            return {"method": "logistic", "intercept": self.intercept_, "slope": self.slope_}
        return {"method": "isotonic", "x": self.x_.tolist(), "y": self.y_.tolist()}


class MasterScale:
    """Rating grades from PD bands: a PD gets the first grade whose ``max_pd`` is >= it."""

    def __init__(self, grades: list[str], max_pds: list[float]) -> None:
        if not grades or len(grades) != len(max_pds):
            raise ConfigError("master_scale needs one max_pd per grade and at least one grade")
        if any(b <= a for a, b in itertools.pairwise(max_pds)) or max_pds[-1] != 1.0:
            raise ConfigError(
                f"master_scale max_pd values must be strictly ascending and end at 1.0; got {max_pds}"
            )
        if len(set(grades)) != len(grades):
            raise ConfigError(f"master_scale grades must be unique; got {grades}")
        self.grades = list(grades)
        self.max_pds = [float(p) for p in max_pds]

    @classmethod
    def from_config(cls, bands: Iterable[Any]) -> MasterScale:
        """Build from config bands (``GradeBand`` objects or mappings with ``grade`` and ``max_pd``)."""
        items = [b if isinstance(b, Mapping) else {"grade": b.grade, "max_pd": b.max_pd} for b in bands]
        return cls([str(b["grade"]) for b in items], [float(b["max_pd"]) for b in items])

    @classmethod
    def fit(cls, pd: Any, y: Any, n_grades: int = 8) -> MasterScale:
        """Grades from development PDs ``pd`` and outcomes ``y`` (1 = bad): equal-frequency, monotone bad rates."""
        if not 2 <= n_grades <= len(string.ascii_uppercase):
            raise ConfigError(f"master scale n_grades must be between 2 and 26; got {n_grades!r}")
        values = np.asarray(pd, dtype=np.float64)
        target = binary_target(y)
        check_lengths(values, target)
        if np.isnan(values).any() or (values < 0).any() or (values > 1).any():
            raise InvalidInput("PD values must lie in [0, 1]")
        distinct = np.unique(values)
        # Upper PD of each equal-frequency band, snapped to PDs that occur, so ties stay in one grade.
        cuts = np.unique(np.quantile(values, np.arange(1, n_grades) / n_grades, method="inverted_cdf"))
        tops = [*cuts[cuts < distinct[-1]].tolist(), float(distinct[-1])]
        while len(tops) > 1:
            index = np.searchsorted(np.asarray(tops), values, side="left")
            bads = np.bincount(index, weights=target, minlength=len(tops))
            rates = bads / np.bincount(index, minlength=len(tops))
            flat = np.flatnonzero(np.diff(rates) <= 0)
            if not len(flat):
                break
            del tops[int(flat[0])]  # merge the first grade whose successor is not riskier
        nexts = [float(distinct[np.searchsorted(distinct, t, side="right")]) for t in tops[:-1]]
        edges = [(t + n) / 2 for t, n in zip(tops[:-1], nexts, strict=True)]
        return cls(list(string.ascii_uppercase[: len(tops)]), [*edges, 1.0])

    @classmethod
    def for_card(cls, calibration: CalibrationConfig, pd: Any, y: Any) -> MasterScale:
        """The card's scale: its configured bands, or grades fitted to the development ``pd`` and ``y``."""
        if calibration.master_scale is not None:
            return cls.from_config(calibration.master_scale)
        return cls.fit(pd, y, calibration.n_grades)

    def shares(self, pd: Any) -> dict[str, float]:
        """Share of rows in each grade (every grade listed, 0 when empty)."""
        grades = self.grade(pd)
        return {g: float(np.mean(grades == g)) if len(grades) else 0.0 for g in self.grades}

    def grade(self, pd: Any) -> np.ndarray:
        """Grade of each PD (array of str)."""
        values = np.asarray(pd, dtype=np.float64)
        if np.isnan(values).any() or (values < 0).any() or (values > 1).any():
            raise InvalidInput("PD values must lie in [0, 1]")
        index = np.searchsorted(np.asarray(self.max_pds), values, side="left")
        return np.asarray(self.grades, dtype=object)[index].astype(str)

    def to_spec(self) -> dict[str, Any]:
        return {"bands": [{"grade": g, "max_pd": p} for g, p in zip(self.grades, self.max_pds, strict=True)]}

    def __repr__(self) -> str:
        return f"MasterScale({dict(zip(self.grades, self.max_pds, strict=True))})"
