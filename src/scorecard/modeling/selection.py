"""Feature selection on WOE columns: exclusions, IV, correlation, VIF, stepwise, with a log of every decision.

Rules run in this order; a feature leaves at the first rule it fails and the log says which rule, with the
number it had and the limit it broke: ``force_exclude`` -> ``constant_woe`` -> ``min_iv`` ->
``max_correlation`` (the higher-IV feature of a pair stays) -> ``max_vif`` (the highest VIF leaves first) ->
``stepwise`` (forward or backward by AIC, BIC or validation AUC) -> ``max_features`` (lowest IV leaves).
Features in ``force_include`` skip every rule. Columns the binner set aside (ID-like, dates, constants...) are
logged too, with the binner's rule, so the log accounts for every candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted

from scorecard.errors import ConfigError, ModelError
from scorecard.modeling.inputs import InvalidInput, as_frame, binary_target, check_lengths, fitted_frame
from scorecard.modeling.logit import fit_logit

if TYPE_CHECKING:
    from scorecard.config import SelectionConfig

LOG_COLUMNS = ["feature", "kept", "rule", "value", "limit", "detail", "iv"]


def information_value(woe: pd.DataFrame, y: np.ndarray) -> pd.Series:
    """IV of each column, each distinct value a bin: sum((goods% - bads%) * ln(goods% / bads%)).

    Bins without goods or without bads add 0, as in optbinning (their WOE is 0), so on WoeBinner output
    this equals the binner's IV.
    """
    bad = np.asarray(y) == 1
    out = {}
    for col in woe.columns:
        frame = pd.DataFrame({"value": woe[col].to_numpy(), "bad": bad})
        counts = frame.groupby("value")["bad"].agg(["sum", "count"])
        bads = (counts["sum"] / max(bad.sum(), 1)).to_numpy()
        goods = ((counts["count"] - counts["sum"]) / max((~bad).sum(), 1)).to_numpy()
        both = (goods > 0) & (bads > 0)
        out[col] = float(((goods[both] - bads[both]) * np.log(goods[both] / bads[both])).sum())
    return pd.Series(out, name="iv", dtype=float)


def variance_inflation(frame: pd.DataFrame) -> pd.Series:
    """VIF of each column: the diagonal of the inverse correlation matrix."""
    if frame.shape[1] < 2:
        return pd.Series(1.0, index=frame.columns)
    corr = np.corrcoef(frame.to_numpy(dtype=np.float64), rowvar=False)
    return pd.Series(np.diag(np.linalg.pinv(corr)), index=frame.columns)


class FeatureSelector(TransformerMixin, BaseEstimator):
    """Select WOE features by IV, correlation, VIF and stepwise logistic regression.

    ``criterion`` is ``"aic"`` / ``"bic"`` (in-sample) or ``"auc"`` (on a stratified hold-out of
    ``validation_size`` drawn with ``random_state``); ``stepwise=None`` skips the stepwise step;
    ``max_features`` caps the final count.
    """

    def __init__(
        self,
        min_iv: float = 0.02,
        max_correlation: float = 0.7,
        max_vif: float | None = 5.0,
        stepwise: str | None = None,
        criterion: str = "aic",
        max_features: int | None = 20,
        force_include: Sequence[str] = (),
        force_exclude: Sequence[str] = (),
        validation_size: float = 0.3,
        random_state: int = 42,
    ) -> None:
        self.min_iv = min_iv
        self.max_correlation = max_correlation
        self.max_vif = max_vif
        self.stepwise = stepwise
        self.criterion = criterion
        self.max_features = max_features
        self.force_include = force_include
        self.force_exclude = force_exclude
        self.validation_size = validation_size
        self.random_state = random_state

    @classmethod
    def from_config(cls, selection: SelectionConfig, random_state: int = 42) -> FeatureSelector:
        """A selector with the card config's ``selection`` section."""
        return cls(
            min_iv=selection.min_iv,
            max_correlation=selection.max_correlation,
            max_vif=selection.max_vif,
            stepwise=selection.stepwise,
            criterion=selection.criterion,
            max_features=selection.max_features,
            force_include=tuple(selection.force_include),
            force_exclude=tuple(selection.force_exclude),
            validation_size=selection.validation_size,
            random_state=random_state,
        )

    def fit(
        self,
        X: Any,
        y: Any,
        iv: pd.Series | dict[str, float] | None = None,
        set_aside: Mapping[str, tuple[str, str]] | None = None,
        single_bin: Mapping[str, str] | None = None,
    ) -> FeatureSelector:
        """Run the rules on the WOE frame ``X``; ``iv`` per feature (default: computed from ``X`` and ``y``).

        ``set_aside`` maps columns not binned to (rule, detail) for the log; ``single_bin`` explains, per
        feature, why its binning has one bin (the detail of its ``constant_woe`` entry).
        """
        self._check_params()
        frame = as_frame(X)
        self.n_features_in_ = frame.shape[1]
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1).astype(np.float64)
        if not np.isfinite(frame.to_numpy()).all():
            raise InvalidInput(
                "FeatureSelector: WOE input has missing or infinite values; pass WoeBinner output"
            )
        target = binary_target(y)
        check_lengths(frame, target)
        ivs = information_value(frame, target) if iv is None else pd.Series(iv, dtype=float)
        missing_iv = [c for c in frame.columns if c not in ivs.index]
        if missing_iv:
            raise InvalidInput(f"FeatureSelector: iv has no value for features {missing_iv}")
        ivs = ivs.reindex(frame.columns)
        for key in ("force_include", "force_exclude"):
            unknown = sorted(set(getattr(self, key)) - set(frame.columns))
            if unknown:
                raise ConfigError(f"selection.{key} names features not among the candidates: {unknown}")

        forced = [c for c in frame.columns if c in set(self.force_include)]
        # Candidates in descending IV, ties by column order, so every rule is deterministic.
        order = sorted(frame.columns, key=lambda c: (-ivs[c], list(frame.columns).index(c)))
        log: dict[str, dict[str, Any]] = {}

        def drop(feature: str, rule: str, value: float, limit: float, detail: str) -> None:
            log[feature] = {"kept": False, "rule": rule, "value": value, "limit": limit, "detail": detail}

        alive = []
        std = frame.std(ddof=0)
        for col in order:
            if col in self.force_exclude:
                drop(col, "force_exclude", np.nan, np.nan, "excluded by configuration")
            elif col in forced:
                alive.append(col)
            elif std[col] == 0:
                why = (single_bin or {}).get(col, "a single bin")
                drop(col, "constant_woe", 0.0, 0.0, f"one WOE value on every row; {why}")
            elif ivs[col] < self.min_iv:
                drop(col, "min_iv", ivs[col], self.min_iv, f"IV {ivs[col]:.4f} < {self.min_iv}")
            else:
                alive.append(col)

        kept: list[str] = [c for c in alive if c in forced]
        corr = frame[alive].corr().abs() if alive else pd.DataFrame()
        for col in alive:
            if col in forced:
                continue
            if kept:
                row = corr[col][kept].fillna(0.0)  # NaN: a near-constant column, no measurable link
                partner = str(row.idxmax())
                value = float(row[partner])
                if value > self.max_correlation:
                    drop(
                        col,
                        "max_correlation",
                        value,
                        self.max_correlation,
                        f"|corr| with {partner!r} (IV {ivs[partner]:.4f}) is {value:.3f}",
                    )
                    continue
            kept.append(col)

        if self.max_vif is not None:
            while len(kept) > 1:
                vif = variance_inflation(frame[kept])
                free = vif.drop(labels=[c for c in kept if c in forced])
                if free.empty or free.max() <= self.max_vif:
                    break
                worst = str(free.idxmax())
                drop(
                    worst,
                    "max_vif",
                    float(free[worst]),
                    self.max_vif,
                    f"VIF {free[worst]:.2f} among {len(kept)}",
                )
                kept.remove(worst)

        if self.stepwise is not None and kept:
            kept = self._stepwise(frame, target, kept, forced, drop)

        if self.max_features is not None and len(kept) > self.max_features:
            excess = [c for c in sorted(kept, key=lambda c: ivs[c]) if c not in forced]
            cut = set(excess[: len(kept) - self.max_features])
            for col in cut:
                drop(
                    col,
                    "max_features",
                    float(len(kept)),
                    float(self.max_features),
                    f"lowest IV ({ivs[col]:.4f})",
                )
            kept = [c for c in kept if c not in cut]

        if not kept:
            raise ModelError(
                f"FeatureSelector kept no feature out of {frame.shape[1]} (min_iv={self.min_iv}); "
                "see the selection log or relax the rules"
            )
        for col in kept:
            log[col] = {
                "kept": True,
                "rule": "force_include" if col in forced else "selected",
                "value": ivs[col],
                "limit": self.min_iv,
                "detail": "forced by configuration" if col in forced else "passed every rule",
            }
        self.selected_ = [c for c in frame.columns if c in set(kept)]
        self.iv_ = ivs
        aside = [
            {"feature": c, "kept": False, "rule": rule, "value": np.nan, "limit": np.nan, "detail": detail}
            for c, (rule, detail) in (set_aside or {}).items()
        ]
        self.log_ = pd.DataFrame(
            [*({"feature": c, **log[c], "iv": ivs[c]} for c in order), *aside], columns=LOG_COLUMNS
        ).reset_index(drop=True)
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        """The selected WOE columns."""
        check_is_fitted(self, "selected_")
        frame = fitted_frame(self, X)[self.selected_]
        if not np.isfinite(frame.to_numpy(dtype=np.float64)).all():
            raise InvalidInput("FeatureSelector: WOE input contains NaN or infinity; pass WoeBinner output")
        return frame

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The selected feature names."""
        check_is_fitted(self, "selected_")
        return np.asarray(self.selected_, dtype=object)

    # -------------------------------------------------------------- private
    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.transformer_tags.preserves_dtype = []  # selected columns are returned as float64
        return tags

    def _check_params(self) -> None:
        name = type(self).__name__
        if self.min_iv < 0:
            raise ConfigError(f"{name}: min_iv must be >= 0; got {self.min_iv!r}")
        if not 0 < self.max_correlation <= 1:
            raise ConfigError(f"{name}: max_correlation must be in (0, 1]; got {self.max_correlation!r}")
        if self.max_vif is not None and self.max_vif <= 1:
            raise ConfigError(f"{name}: max_vif must be None or > 1; got {self.max_vif!r}")
        if self.stepwise not in (None, "forward", "backward"):
            raise ConfigError(
                f"{name}: stepwise must be None, 'forward' or 'backward'; got {self.stepwise!r}"
            )
        if self.criterion not in ("aic", "bic", "auc"):
            raise ConfigError(f"{name}: criterion must be 'aic', 'bic' or 'auc'; got {self.criterion!r}")
        if self.max_features is not None and self.max_features < 1:
            raise ConfigError(f"{name}: max_features must be None or >= 1; got {self.max_features!r}")
        if not 0 < self.validation_size < 1:
            raise ConfigError(f"{name}: validation_size must be in (0, 1); got {self.validation_size!r}")

    def _stepwise(
        self, frame: pd.DataFrame, y: np.ndarray, kept: list[str], forced: list[str], drop: Any
    ) -> list[str]:
        """Forward or backward search; ``score`` is lower-is-better (AIC, BIC, or minus validation AUC)."""
        if self.criterion == "auc":
            idx = np.arange(len(y))
            fit_idx, val_idx = train_test_split(
                idx, test_size=self.validation_size, stratify=y, random_state=self.random_state
            )
        X = frame.to_numpy(dtype=np.float64)
        pos = {c: i for i, c in enumerate(frame.columns)}

        def score(cols: list[str]) -> float:
            cols_idx = [pos[c] for c in cols]
            if self.criterion == "auc":
                if not cols:
                    return -0.5
                fit = fit_logit(X[np.ix_(fit_idx, cols_idx)], y[fit_idx])
                return -float(roc_auc_score(y[val_idx], fit.predict_proba(X[np.ix_(val_idx, cols_idx)])))
            fit = fit_logit(X[:, cols_idx], y)
            return fit.aic if self.criterion == "aic" else fit.bic

        limit = self.max_features or len(kept)
        if self.stepwise == "forward":
            chosen = [c for c in kept if c in forced]
            best = score(chosen)
            pool = [c for c in kept if c not in chosen]
            while pool and len(chosen) < limit:
                trials = [(score([*chosen, c]), i, c) for i, c in enumerate(pool)]
                value, _, col = min(trials)
                if value >= best:
                    break
                chosen.append(col)
                pool.remove(col)
                best = value
            for col in pool:
                if len(chosen) >= limit:
                    drop(
                        col,
                        "max_features",
                        float(len(chosen) + 1),
                        float(limit),
                        "forward: max_features reached",
                    )
                else:
                    gain = score([*chosen, col]) - best
                    drop(
                        col,
                        "stepwise",
                        gain,
                        0.0,
                        f"forward: adding it changes {self.criterion.upper()} by {gain:+.4f}",
                    )
            return [c for c in kept if c in chosen]
        chosen = list(kept)
        best = score(chosen)
        while len(chosen) > 1:
            trials = [
                (score([c for c in chosen if c != col]), i, col)
                for i, col in enumerate(chosen)
                if col not in forced
            ]
            if not trials:
                break
            value, _, col = min(trials)
            if value >= best:
                break
            drop(
                col,
                "stepwise",
                value - best,
                0.0,
                f"backward: removing it lowers {self.criterion.upper()} by {best - value:.4f}",
            )
            chosen.remove(col)
            best = value
        return chosen
