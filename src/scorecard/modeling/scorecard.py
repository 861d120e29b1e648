"""The WOE logistic scorecard: binning -> selection -> logistic regression -> integer points.

Higher score = lower risk. The logistic regression models P(bad) on WOE values; since optbinning's WOE is
``ln(goods share / bads share)`` (higher = safer), every coefficient is expected to be negative. A positive
coefficient contradicts the feature's own univariate evidence: ``sign_check="drop"`` removes the worst such
feature (largest z) and refits until none is left (forced features are only flagged); ``"flag"`` keeps them.
``C="cv"`` picks the L2 strength from ``C_grid`` by stratified k-fold AUC on the training rows (the sign check
runs in every fold; ``cv_repeats`` reshuffled repeats of the folds), then refits on all of them with the chosen
value (``C_``, mean scores in ``cv_auc_``, every fold's in ``cv_folds_auc_``). ``C_rule="best"`` takes the best
mean; ``"one_se"`` the strongest penalty whose mean is within one standard error of the best's, the error being
that of the fold-by-fold AUC differences to the best C (``cv_se_``): a small sample's fold noise then resolves
toward shrinkage, and a large sample, where the differences are precise, keeps the best.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted

from scorecard.errors import ConfigError, ModelError
from scorecard.modeling.binning import WoeBinner
from scorecard.modeling.inputs import as_frame, binary_target, check_lengths, fitted_frame
from scorecard.modeling.logit import LogitFit, fit_logit
from scorecard.modeling.points import Scaling
from scorecard.modeling.selection import FeatureSelector

if TYPE_CHECKING:
    from scorecard.config import CardConfig

log = logging.getLogger(__name__)

INTERCEPT = "(intercept)"
C_GRID = (1e6, 10.0, 1.0, 0.3, 0.1)


class Scorecard(ClassifierMixin, BaseEstimator):
    """Meta-estimator on raw features: ``binner`` (default ``WoeBinner()``), ``selector`` (default
    ``FeatureSelector()``), logistic regression with inverse L2 strength ``C`` (a number, or ``"cv"`` to pick
    it from ``C_grid`` by ``cv_repeats`` x ``cv_folds``-fold AUC with ``random_state`` under ``C_rule``), and
    points scaling by ``pdo`` / ``base_score`` / ``base_odds`` (good:bad odds)."""

    def __init__(
        self,
        binner: WoeBinner | None = None,
        selector: FeatureSelector | None = None,
        pdo: float = 20,
        base_score: float = 600,
        base_odds: float = 50,
        C: float | str = 1e6,
        sign_check: str = "drop",
        C_grid: Sequence[float] = C_GRID,
        cv_folds: int = 5,
        random_state: int = 0,
        cv_repeats: int = 1,
        C_rule: str = "best",
    ) -> None:
        self.binner = binner
        self.selector = selector
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds
        self.C = C
        self.sign_check = sign_check
        self.C_grid = C_grid
        self.cv_folds = cv_folds
        self.random_state = random_state
        self.cv_repeats = cv_repeats
        self.C_rule = C_rule

    @classmethod
    def from_config(cls, card: CardConfig, categorical_features: Sequence[str] | None = None) -> Scorecard:
        """An unfitted scorecard with the card config's binning, selection, scaling and model sections."""
        return cls(
            binner=WoeBinner.from_config(card.binning, categorical_features),
            selector=FeatureSelector.from_config(card.selection, random_state=card.split.seed),
            pdo=card.scaling.pdo,
            base_score=card.scaling.base_score,
            base_odds=card.scaling.base_odds,
            C=card.model.C,
            sign_check=card.model.sign_check,
            C_grid=tuple(card.model.C_grid),
            cv_folds=card.model.cv_folds,
            random_state=card.split.seed,
            cv_repeats=card.model.cv_repeats,
            C_rule=card.model.C_rule,
        )

    def fit(self, X: Any, y: Any) -> Scorecard:
        """Bin, select, fit the logistic regression, check signs and scale to integer points."""
        if self.sign_check not in ("flag", "drop"):
            raise ConfigError(f"Scorecard: sign_check must be 'flag' or 'drop'; got {self.sign_check!r}")
        self._check_C()
        self.scaling_ = Scaling(float(self.pdo), float(self.base_score), float(self.base_odds))
        frame = as_frame(X)
        target = binary_target(y)
        check_lengths(frame, target)
        started = time.perf_counter()
        self.binner_ = clone(self.binner) if self.binner is not None else WoeBinner()
        self.binner_.fit(X, target)
        self.fit_seconds_ = {"binning": time.perf_counter() - started}
        self.n_features_in_ = self.binner_.n_features_in_
        if hasattr(self.binner_, "feature_names_in_"):
            self.feature_names_in_ = self.binner_.feature_names_in_
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        woe = self.binner_.transform(X)
        self.selector_ = clone(self.selector) if self.selector is not None else FeatureSelector()
        self.selector_.fit(
            woe,
            target,
            iv=self.binner_.iv_,
            set_aside=self.binner_.dropped_,
            single_bin=self.binner_.single_bin_,
        )
        self.fit_seconds_["selection"] = time.perf_counter() - started - self.fit_seconds_["binning"]

        selected = list(self.selector_.selected_)
        self.cv_folds_auc_ = (
            self._cv_folds_auc(woe, target, selected) if self.C == "cv" else pd.DataFrame(dtype=float)
        )
        self.cv_auc_ = self.cv_folds_auc_.mean(skipna=False).rename("cv_auc").rename_axis("C")
        self.C_, self.cv_se_ = self._pick_C()
        features, fit, self.sign_dropped_ = self._signed_fit(woe, target, selected, self.C_)
        for worst, why in self.sign_dropped_.items():
            log.info("Scorecard drops %r: wrong sign, %s", worst, why)
        if not fit.converged:
            log.warning("Scorecard: logistic regression did not converge in %d iterations", fit.n_iter)
        self.logit_: LogitFit = fit
        self.features_ = features
        self.classes_ = np.array([0, 1])
        self.intercept_ = np.array([fit.intercept])
        self.coef_ = fit.coef.reshape(1, -1)
        self.coef_table_ = self._coef_table(fit, features)
        flagged = self.coef_table_.loc[~self.coef_table_["sign_ok"], "feature"].tolist()
        if flagged:
            log.warning("Scorecard keeps features with an unexpected positive coefficient: %s", flagged)
        self.base_points_ = self.scaling_.base_points(fit.intercept)
        self.feature_specs_ = [
            self._feature_spec(f, float(c)) for f, c in zip(features, fit.coef, strict=True)
        ]
        self.points_table_ = self._points_table()
        self.fit_seconds_["fit"] = time.perf_counter() - started - sum(self.fit_seconds_.values())
        return self

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # missing values get their own bin
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.classifier_tags.multi_class = False
        return tags

    def _check_C(self) -> None:
        if self.C == "cv":
            grid = list(self.C_grid)
            if not grid or not all(isinstance(c, float | int) and c > 0 for c in grid):
                raise ConfigError(f"Scorecard: C_grid must hold values > 0; got {self.C_grid!r}")
            if not isinstance(self.cv_folds, int) or self.cv_folds < 2:
                raise ConfigError(f"Scorecard: cv_folds must be an integer >= 2; got {self.cv_folds!r}")
            if not isinstance(self.cv_repeats, int) or self.cv_repeats < 1:
                raise ConfigError(f"Scorecard: cv_repeats must be an integer >= 1; got {self.cv_repeats!r}")
            if self.C_rule not in ("best", "one_se"):
                raise ConfigError(f"Scorecard: C_rule must be 'best' or 'one_se'; got {self.C_rule!r}")
        elif isinstance(self.C, str) or not self.C > 0:
            raise ConfigError(f"Scorecard: C must be > 0 or 'cv'; got {self.C!r}")

    def _fixed_C(self) -> float:
        """``C`` when given as a number; with ``"cv"`` and too few bads or goods to fold, the grid's largest."""
        return max(float(c) for c in self.C_grid) if self.C == "cv" else float(self.C)

    def _signed_fit(
        self, woe: pd.DataFrame, target: np.ndarray, features: list[str], C: float
    ) -> tuple[list[str], LogitFit, dict[str, str]]:
        """Fit, then (``sign_check="drop"``) drop the worst wrong-sign feature and refit until none is left."""
        forced = set(self.selector_.force_include)
        features = list(features)
        dropped: dict[str, str] = {}
        while True:
            fit = fit_logit(woe[features].to_numpy(), target, C=C)
            wrong = [(fit.z[i + 1], f) for i, f in enumerate(features) if fit.coef[i] > 0 and f not in forced]
            if self.sign_check == "flag" or not wrong:
                return features, fit, dropped
            z, worst = max(wrong)
            if len(features) == 1:
                raise ModelError(
                    f"Scorecard: the only remaining feature {worst!r} has a positive coefficient (z={z:.2f}), "
                    "against its WOE; no sound model is left (check the binning or set sign_check='flag')"
                )
            dropped[worst] = f"coefficient {fit.coef[features.index(worst)]:+.4f} (z={z:.2f}) > 0"
            features.remove(worst)

    def _cv_folds_auc(self, woe: pd.DataFrame, target: np.ndarray, features: list[str]) -> pd.DataFrame:
        """Validation AUC of each ``C_grid`` value (columns, weakest penalty first) on each stratified fold of
        each repeat (rows; NaN when a fold leaves no sound model); empty when a class is too small to fold."""
        folds = min(self.cv_folds, int(target.sum()), int(len(target) - target.sum()))
        grid = sorted({float(c) for c in self.C_grid}, reverse=True)  # ties go to the weaker penalty
        if folds < 2:
            return pd.DataFrame(dtype=float)
        splits = [
            split
            for repeat in range(self.cv_repeats)
            for split in StratifiedKFold(folds, shuffle=True, random_state=self.random_state + repeat).split(
                woe, target
            )
        ]
        scores: dict[float, list[float]] = {}
        for C in grid:
            scores[C] = []
            for fit_idx, val_idx in splits:
                try:
                    kept, fit, _ = self._signed_fit(woe.iloc[fit_idx], target[fit_idx], features, C)
                except ModelError:
                    scores[C].append(np.nan)
                    continue
                val = woe.iloc[val_idx][kept].to_numpy()
                scores[C].append(float(roc_auc_score(target[val_idx], fit.predict_proba(val))))
        return pd.DataFrame(scores, dtype=float).rename_axis(columns="C")

    def _pick_C(self) -> tuple[float, pd.Series]:
        """The chosen ``C`` under ``C_rule`` and, per grid value, the standard error of its fold-by-fold AUC
        difference to the best mean (0 for the best itself; empty without cross-validation)."""
        means = self.cv_auc_
        if not means.notna().any():
            return self._fixed_C(), pd.Series(dtype=float)
        best = float(means.idxmax())  # the first maximum: the weakest penalty among ties
        diffs = self.cv_folds_auc_.rsub(self.cv_folds_auc_[best], axis=0)
        se: pd.Series = (diffs.std(ddof=1) / np.sqrt(diffs.count())).fillna(0.0).rename("cv_se")
        if self.C_rule == "best":
            return best, se
        within = [float(C) for C in means.index if means[C] >= means[best] - se[C]]
        return min(within), se

    # ----------------------------------------------------------- prediction
    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of bad from the logistic regression."""
        check_is_fitted(self, "logit_")
        woe = self.binner_.woe(self._frame(X), self.features_).to_numpy()
        return self.logit_.intercept + woe @ self.logit_.coef

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns P(good), P(bad) from the logistic regression (unrounded; not the points)."""
        bad = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - bad, bad])

    def predict(self, X: Any) -> np.ndarray:
        """1 (bad) where P(bad) > 0.5; scorecards are used through scores and cut-offs instead."""
        return (self.decision_function(X) > 0).astype(np.int64)

    def points(self, X: Any) -> pd.DataFrame:
        """Integer points of each model feature for each row."""
        check_is_fitted(self, "logit_")
        frame = self._frame(X)
        woe = self.binner_.woe(frame, self.features_)
        cols = {
            f: self.scaling_.points(c, woe[f].to_numpy())
            for f, c in zip(self.features_, self.logit_.coef, strict=True)
        }
        return pd.DataFrame(cols, index=woe.index, columns=self.features_)

    def predict_score(self, X: Any) -> np.ndarray:
        """Integer score: base points plus the sum of the features' points (higher = lower risk)."""
        return (self.base_points_ + self.points(X).to_numpy().sum(axis=1)).astype(np.int64)

    # -------------------------------------------------------------- outputs
    def binning_table(self, feature: str | None = None) -> pd.DataFrame:
        """``WoeBinner.binning_table`` with each bin's integer ``points``; <NA> for a feature not on the card."""
        check_is_fitted(self, "logit_")
        table = self.binner_.binning_table(feature)
        names = table["feature"] if feature is None else pd.Series(feature, index=table.index)
        specs = {s["name"]: s for s in self.feature_specs_}
        points: list[Any] = []
        for name, rows in names.groupby(names, sort=False).size().items():
            spec = specs.get(str(name))
            if spec is None:
                points += [pd.NA] * rows
                continue
            bins = [
                *(b["points"] for b in spec["bins"]),
                spec["special"]["points"],
                spec["missing"]["points"],
            ]
            if len(bins) != rows:
                raise ModelError(
                    f"Scorecard: the {rows} bins of {name!r} do not match its {len(bins)} points"
                )
            points += bins
        return table.assign(points=pd.array(points, dtype="Int64"))

    def to_spec(self) -> dict[str, Any]:
        """JSON-ready scorecard spec that replays ``predict_score`` exactly (see CONTRACTS.md)."""
        check_is_fitted(self, "logit_")
        return {
            "scaling": self.scaling_.to_spec(),
            "base_points": int(self.base_points_),
            "features": copy.deepcopy(self.feature_specs_),
        }

    # -------------------------------------------------------------- private
    def _frame(self, X: Any) -> pd.DataFrame:
        return fitted_frame(self, X)

    @staticmethod
    def _coef_table(fit: LogitFit, features: list[str]) -> pd.DataFrame:
        table = pd.DataFrame(
            {
                "feature": [INTERCEPT, *features],
                "coef": fit.params,
                "std_err": fit.std_err,
                "z": fit.z,
                "p_value": fit.p_value,
                "expected_sign": ["", *["-"] * len(features)],
            }
        )
        table["sign_ok"] = (table["expected_sign"] == "") | (table["coef"] <= 0)
        return table

    def _feature_spec(self, feature: str, coef: float) -> dict[str, Any]:
        """The binner's spec for ``feature`` with integer points added to every bin."""
        spec = self.binner_.bin_spec(feature)
        for part in [
            *spec["bins"],
            spec["special"],
            spec["missing"],
            *([spec["unknown"]] if "unknown" in spec else []),
        ]:
            part["points"] = int(self.scaling_.points(coef, part["woe"]))
        return spec

    def _points_table(self) -> pd.DataFrame:
        rows = []
        for spec, coef in zip(self.feature_specs_, self.logit_.coef, strict=True):
            name = spec["name"]
            for i, b in enumerate(spec["bins"]):
                rows.append((name, str(i), b["label"], b["woe"], coef, b["points"]))
            if spec["special"]["codes"]:
                codes = ", ".join(f"{c:g}" for c in spec["special"]["codes"])
                rows.append(
                    (
                        name,
                        "special",
                        f"special ({codes})",
                        spec["special"]["woe"],
                        coef,
                        spec["special"]["points"],
                    )
                )
            rows.append((name, "missing", "missing", spec["missing"]["woe"], coef, spec["missing"]["points"]))
            if "unknown" in spec:
                u = spec["unknown"]
                rows.append((name, "unknown", f"unseen category ({u['rule']})", u["woe"], coef, u["points"]))
        table = pd.DataFrame(rows, columns=["feature", "bin", "label", "woe", "coef", "points"])
        table["points"] = table["points"].astype(np.int64)
        return table
