"""LightGBM challenger on the raw features, monotone where the WOE binning found a monotone risk trend.

The challenger answers one question for the model committee: how much discrimination does the scorecard leave
on the table? It sees the same raw features as the scorecard. Numeric features whose binning is monotone get a
LightGBM monotone constraint on P(bad) (+1 where the bad rate rises with the value, -1 where it falls; peaks,
valleys and non-monotone features stay free). Special codes (e.g. -1 "no bureau file") are not ordinal values, so
they are moved out of the constrained column into an unconstrained companion column ``<feature>__special``.
Defaults adapt to the sample. The number of boosting rounds and the tree size (``num_leaves_grid``, searched from
small to large until a larger tree stops lowering the held-out log-loss) are chosen by early stopping: on
stratified k-fold CV over all training rows when there are at most ``cv_max_rows`` of them (small samples, where
a single validation split is too noisy), else on one stratified validation split. The final model is then
trained on all training rows with the chosen size and rounds (``refit``). A few hundred bads favour shallow,
nearly additive trees; large portfolios earn deeper interactions. Below ``SMALL_SAMPLE_ROWS`` training rows the
learning rate is halved: rounds are cheap there and more shrinkage lowers the variance of the fit. Only the
training rows are ever used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted

from scorecard.config import ChallengerConfig
from scorecard.errors import DataError, ModelError
from scorecard.modeling.inputs import InvalidInput, as_frame, binary_target, check_lengths, fitted_frame

SPECIAL_SUFFIX = "__special"

SMALL_SAMPLE_ROWS = 10_000
# Below SMALL_SAMPLE_ROWS training rows boosting rounds are cheap: more shrinkage buys a lower-variance fit.
SMALL_SAMPLE_PARAMS: dict[str, Any] = {"learning_rate": 0.015}
DEFAULT_PARAMS: dict[str, Any] = {  # early stopping watches the first metric: log-loss is steadier than AUC
    "objective": "binary",
    "metric": ["binary_logloss", "auc"],
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_child_samples": 20,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "cat_smooth": 10.0,
    "min_data_per_group": 20,
    "max_cat_to_onehot": 4,
    "monotone_constraints_method": "intermediate",
    "verbosity": -1,
    "deterministic": True,
    "force_col_wise": True,
    "num_threads": 1,
}

_FIXED_SIZE = {"num_leaves", "num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes"}
_ALIASES = {"num_leaves": _FIXED_SIZE, "learning_rate": {"learning_rate", "shrinkage_rate", "eta"}}
_HIGHER_BETTER = ("auc", "average_precision", "map", "ndcg")
_DIRECTION = {"ascending": 1, "descending": -1}


def monotone_directions(binner: Any, features: Iterable[str]) -> dict[str, int]:
    """Monotone constraint on P(bad) per feature from a fitted WoeBinner's event-rate trends (``trends_``).

    ascending -> +1, descending -> -1; peak, valley, flat, categorical and features the binner dropped -> 0.
    """
    trends = getattr(binner, "trends_", {})
    return {feature: _DIRECTION.get(trends.get(feature, ""), 0) for feature in features}


class Challenger(ClassifierMixin, BaseEstimator):
    """LightGBM classifier of P(bad) on raw features with binning-derived monotone constraints.

    ``params`` are merged over ``DEFAULT_PARAMS``; a ``num_leaves`` there switches the tree-size search off.
    ``special_codes=None`` takes the binner's special codes when ``fit(..., monotone_from=binner)`` is given.
    Fitted: ``booster_``, ``rounds_by_`` (cv | validation | fixed), ``num_leaves_``, ``best_iteration_``,
    ``validation_score_`` (held-out metrics of the chosen model), ``search_`` (one row per tree size tried).
    """

    def __init__(
        self,
        params: Mapping[str, Any] | None = None,
        num_boost_round: int = 2000,
        early_stopping_rounds: int = 50,
        validation_size: float = 0.2,
        cv_folds: int = 5,
        cv_max_rows: int = 50_000,
        num_leaves_grid: Sequence[int] | None = (4, 8, 16, 32),
        monotone: bool = True,
        refit: bool = True,
        special_codes: Sequence[float] | None = None,
        seed: int = 42,
    ) -> None:
        self.params = params
        self.num_boost_round = num_boost_round
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_size = validation_size
        self.cv_folds = cv_folds
        self.cv_max_rows = cv_max_rows
        self.num_leaves_grid = num_leaves_grid
        self.monotone = monotone
        self.refit = refit
        self.special_codes = special_codes
        self.seed = seed

    @classmethod
    def from_config(cls, challenger: ChallengerConfig, seed: int = 42) -> Challenger:
        """A challenger with the card config's ``challenger`` section."""
        return cls(
            params=dict(challenger.params),
            num_boost_round=challenger.num_boost_round,
            early_stopping_rounds=challenger.early_stopping_rounds,
            validation_size=challenger.validation_size,
            cv_folds=challenger.cv_folds,
            cv_max_rows=challenger.cv_max_rows,
            num_leaves_grid=tuple(challenger.num_leaves_grid),
            monotone=challenger.monotone,
            refit=challenger.refit,
            seed=seed,
        )

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN is a missing value LightGBM routes on its own
        return tags

    def fit(self, X: pd.DataFrame, y: Any, monotone_from: Any = None) -> Challenger:
        """Choose tree size and rounds on held-out training rows (k-fold CV or a validation split), then fit."""
        self._check_params()
        named = isinstance(X, pd.DataFrame)
        X = as_frame(X)
        target = binary_target(y)
        check_lengths(X, target)
        X = X.set_axis([str(c) for c in X.columns], axis=1)
        self.columns_ = list(X.columns)
        if named:
            self.feature_names_in_ = np.asarray(self.columns_, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.categorical_ = [c for c in X.columns if not _is_numeric(X[c])]
        numeric = [c for c in X.columns if c not in self.categorical_]
        _check_numeric(X, numeric)
        codes = self.special_codes
        if codes is None and monotone_from is not None:
            codes = getattr(monotone_from, "special_codes", None)
        self.special_codes_ = tuple(float(c) for c in (codes or ()))
        self.special_features_ = [c for c in numeric if X[c].isin(self.special_codes_).any()]
        self.categories_ = {c: sorted(X[c].dropna().astype(str).unique().tolist()) for c in self.categorical_}
        directions = (
            monotone_directions(monotone_from, numeric) if self.monotone and monotone_from is not None else {}
        )
        self.monotone_constraints_ = {c: directions.get(c, 0) for c in X.columns}

        design = self._design(X)
        base = self._lgb_params(design.columns, len(target))
        minority = int(np.bincount(target).min())
        if not self.early_stopping_rounds or minority < 2:
            self.rounds_by_ = "fixed"
            trials = [_Trial(base, self.num_boost_round, {}, None)]
        else:
            self.rounds_by_ = (
                "cv" if len(target) <= self.cv_max_rows and minority >= self.cv_folds else "validation"
            )
            data = self._dataset(design, target)
            trials = []
            for params in self._candidates(base):  # growing trees; stop at the first size that does not help
                trials.append(self._trial(params, design, target, data))
                if len(trials) > 1 and _trial_loss(trials[-1]) >= _trial_loss(trials[-2]):
                    break
        best = min(trials, key=_trial_loss)
        self.search_ = pd.DataFrame(
            [{"num_leaves": _num_leaves(t.params), "rounds": t.rounds, **t.scores} for t in trials]
        )
        self.num_leaves_ = _num_leaves(best.params)
        self.best_iteration_ = best.rounds
        self.validation_score_ = best.scores
        booster = best.booster
        if booster is None or self.refit:
            booster = lgb.train(best.params, self._dataset(design, target), num_boost_round=best.rounds)
        self.booster_ = booster
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Columns P(good), P(bad)."""
        design = self._transform(X)
        bad = np.asarray(self.booster_.predict(design), dtype=float)
        return np.column_stack([1.0 - bad, bad])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """1 (bad) where P(bad) >= 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)

    def shap_values(self, X: pd.DataFrame) -> pd.DataFrame:
        """TreeSHAP contributions on the log-odds scale, one column per input feature plus ``base_value``.

        A row's contributions plus its base value sum to the model's log-odds of bad; a special-code companion
        column's contribution is added to its feature's.
        """
        design = self._transform(X)
        contrib = np.asarray(self.booster_.predict(design, pred_contrib=True))
        frame = pd.DataFrame(contrib[:, :-1], columns=design.columns, index=X.index)
        for feature in self.special_features_:
            frame[feature] += frame.pop(feature + SPECIAL_SUFFIX)
        frame = frame[self.columns_]
        frame["base_value"] = contrib[:, -1]
        return frame

    def feature_importance(self) -> pd.Series:
        """Total split gain per input feature, descending."""
        check_is_fitted(self, "booster_")
        gain = pd.Series(
            self.booster_.feature_importance("gain"), index=self.booster_.feature_name(), dtype=float
        )
        gain.index = [name.removesuffix(SPECIAL_SUFFIX) for name in gain.index]
        return gain.groupby(level=0).sum().reindex(self.columns_).sort_values(ascending=False)

    def design(self) -> dict[str, Any]:
        """How raw fields become the booster's input columns (the bundle's ``challenger.json``)."""
        check_is_fitted(self, "booster_")
        return {
            "features": [str(f) for f in self.feature_names_in_],
            "categorical": {f: list(levels) for f, levels in self.categories_.items()},
            "special_codes": list(self.special_codes_),
            "special_features": list(self.special_features_),
            "special_suffix": SPECIAL_SUFFIX,
            "columns": list(self.booster_.feature_name()),
        }

    def model_text(self) -> str:
        """The booster in LightGBM's text format (readable, and loadable by ``lgb.Booster(model_str=...)``)."""
        check_is_fitted(self, "booster_")
        return str(self.booster_.model_to_string())

    def _check_params(self) -> None:
        if not isinstance(self.num_boost_round, int | np.integer) or self.num_boost_round < 1:
            raise ModelError(
                f"challenger.num_boost_round must be a positive integer; got {self.num_boost_round!r}"
            )
        if not 0 < self.validation_size < 1:
            raise ModelError(f"challenger.validation_size must be in (0, 1); got {self.validation_size!r}")
        if not isinstance(self.cv_folds, int | np.integer) or self.cv_folds < 2:
            raise ModelError(f"challenger.cv_folds must be an integer >= 2; got {self.cv_folds!r}")
        if self.cv_max_rows < 0:
            raise ModelError(f"challenger.cv_max_rows must be >= 0; got {self.cv_max_rows!r}")
        if any(int(n) < 2 for n in self.num_leaves_grid or ()):
            raise ModelError(
                f"challenger.num_leaves_grid needs sizes >= 2; got {list(self.num_leaves_grid or ())}"
            )
        if self.early_stopping_rounds is not None and self.early_stopping_rounds < 0:
            raise ModelError(
                f"challenger.early_stopping_rounds must be >= 0; got {self.early_stopping_rounds!r}"
            )

    def _candidates(self, base: dict[str, Any]) -> list[dict[str, Any]]:
        """One parameter set per tree size of ``num_leaves_grid``; just ``base`` when the user fixed the size."""
        if _FIXED_SIZE & set(self.params or {}) or not self.num_leaves_grid:
            return [base]
        return [{**base, "num_leaves": int(n)} for n in sorted(self.num_leaves_grid)]

    def _trial(
        self, params: dict[str, Any], design: pd.DataFrame, target: np.ndarray, data: lgb.Dataset
    ) -> _Trial:
        """Early-stopped rounds and held-out scores of ``params``, by k-fold CV or on a validation split."""
        stop = lgb.early_stopping(self.early_stopping_rounds, first_metric_only=True, verbose=False)
        if self.rounds_by_ == "cv":
            history = lgb.cv(
                params,
                data,
                num_boost_round=self.num_boost_round,
                nfold=self.cv_folds,
                stratified=True,
                seed=self.seed,
                callbacks=[stop],
            )
            means: dict[str, list[float]] = {
                k.removeprefix("valid ").removesuffix("-mean"): v  # type: ignore[misc]  # lists, not a CVBooster
                for k, v in history.items()
                if k.endswith("-mean")
            }
            rounds = len(next(iter(means.values())))  # lgb.cv cuts the history at the best round
            return _Trial(params, rounds, {k: float(v[-1]) for k, v in means.items()}, None)
        idx_fit, idx_val = train_test_split(
            np.arange(len(target)), test_size=self.validation_size, stratify=target, random_state=self.seed
        )
        fit_set = self._dataset(design.iloc[idx_fit], target[idx_fit])
        val_set = lgb.Dataset(design.iloc[idx_val], target[idx_val], reference=fit_set)
        booster = lgb.train(
            params,
            fit_set,
            num_boost_round=self.num_boost_round,
            valid_sets=[val_set],
            valid_names=["validation"],
            callbacks=[stop],
        )
        rounds = max(int(booster.best_iteration or self.num_boost_round), 1)
        scores = {k: float(v) for k, v in booster.best_score["validation"].items()}
        return _Trial(params, rounds, scores, _trim(booster, rounds))

    def _lgb_params(self, columns: pd.Index, n_rows: int) -> dict[str, Any]:
        """The user's params over the (sample-size) defaults; a user alias replaces the default's main name."""
        user = dict(self.params or {})
        defaults = {**DEFAULT_PARAMS, **(SMALL_SAMPLE_PARAMS if n_rows < SMALL_SAMPLE_ROWS else {})}
        defaults = {k: v for k, v in defaults.items() if not _ALIASES.get(k, set()) & set(user)}
        params = {**defaults, **user, "seed": self.seed}
        if self.monotone:
            params["monotone_constraints"] = [self.monotone_constraints_.get(c, 0) for c in columns]
        return params

    def _dataset(self, design: pd.DataFrame, target: np.ndarray) -> lgb.Dataset:
        return lgb.Dataset(
            design, target, categorical_feature=self.categorical_ or "auto", free_raw_data=False
        )

    def _transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "booster_")
        X = fitted_frame(self, X)
        missing = [c for c in self.columns_ if c not in X.columns]
        if missing:
            raise DataError(f"challenger: input lacks the features {missing} it was fitted on")
        _check_numeric(X, [c for c in self.columns_ if c not in self.categorical_])
        return self._design(X)

    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        """The LightGBM input: numeric as float64 with special codes split off, categoricals with fixed levels."""
        columns: dict[str, Any] = {}
        for feature in self.columns_:
            values = X[feature]
            if feature in self.categories_:
                text = values.where(values.isna(), values.astype(str))
                columns[feature] = pd.Categorical(text, categories=self.categories_[feature])
                continue
            numbers = values.astype(float).to_numpy()
            if feature in self.special_features_:
                special = np.isin(numbers, self.special_codes_)
                columns[feature + SPECIAL_SUFFIX] = np.where(special, numbers, np.nan)
                numbers = np.where(special, np.nan, numbers)
            columns[feature] = numbers
        return pd.DataFrame(columns, index=X.index)


class _Trial(NamedTuple):
    """One candidate parameter set: its early-stopped rounds, held-out scores and (validation mode) booster."""

    params: dict[str, Any]
    rounds: int
    scores: dict[str, float]
    booster: lgb.Booster | None


def _trial_loss(trial: _Trial) -> float:
    """The early-stopping metric as a loss (sign flipped where higher is better); 0 when nothing was held out."""
    if not trial.scores:
        return 0.0
    name, value = next(iter(trial.scores.items()))
    return -value if name.startswith(_HIGHER_BETTER) else value


def _num_leaves(params: Mapping[str, Any]) -> int | None:
    return next((int(params[k]) for k in _FIXED_SIZE if k in params), None)


def _trim(booster: lgb.Booster, rounds: int) -> lgb.Booster:
    """A booster holding only its first ``rounds`` trees."""
    return lgb.Booster(model_str=booster.model_to_string(num_iteration=rounds))


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _check_numeric(X: pd.DataFrame, numeric: Sequence[str]) -> None:
    """Infinite values in a numeric feature are an error: they are never a valid measurement."""
    for feature in numeric:
        if not _is_numeric(X[feature]):
            example = X[feature].dropna().iloc[0] if X[feature].notna().any() else None
            raise InvalidInput(
                f"column {feature!r} was numeric at fit but now holds {X[feature].dtype} (e.g. {example!r})"
            )
        n_inf = int(np.isinf(X[feature].to_numpy(dtype=float)).sum())
        if n_inf:
            raise InvalidInput(
                f"column {feature!r} has {n_inf} infinite values; replace them by NaN or a special code"
            )
