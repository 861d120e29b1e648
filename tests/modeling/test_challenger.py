"""LightGBM challenger: monotone constraints, special codes, tree-size search, SHAP, determinism, bad input."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from sklearn.utils.estimator_checks import parametrize_with_checks

from scorecard.errors import DataError
from scorecard.modeling.challenger import Challenger, monotone_directions
from tests.modeling.sklearn_checks import CLASSIFIER_BINARY_ONLY


def _portfolio(n: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Risk rises with utilisation, falls with income; no bureau file (-1) is the riskiest group of all."""
    rng = np.random.default_rng(seed)
    utilisation = rng.uniform(0, 1, n)
    income = rng.lognormal(8, 0.5, n)
    no_file = rng.uniform(size=n) < 0.1
    utilisation[no_file] = -1.0
    channel = rng.choice(["branch", "online", "agent"], n)
    logit_bad = (
        -2.5 + 2.5 * np.where(no_file, 1.6, utilisation) - 0.8 * np.log(income / 3000) + (channel == "agent")
    )
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit_bad))).astype(int)
    return pd.DataFrame({"utilisation": utilisation, "income": income, "channel": channel}), y


@pytest.fixture(scope="module")
def fitted() -> tuple[Challenger, pd.DataFrame, np.ndarray]:
    X, y = _portfolio()
    trends = SimpleNamespace(
        trends_={"utilisation": "ascending", "income": "descending", "channel": "categorical"}
    )
    trends.special_codes = (-1,)
    model = Challenger(num_boost_round=300, early_stopping_rounds=30).fit(X, y, monotone_from=trends)
    return model, X, y


def test_directions_follow_binning_trends() -> None:
    binner = SimpleNamespace(trends_={"a": "ascending", "b": "descending", "c": "peak", "d": "flat"})
    assert monotone_directions(binner, ["a", "b", "c", "d", "dropped"]) == {
        "a": 1,
        "b": -1,
        "c": 0,
        "d": 0,
        "dropped": 0,
    }


def test_predictions_are_monotone_in_constrained_features(
    fitted: tuple[Challenger, pd.DataFrame, np.ndarray],
) -> None:
    model, _, _ = fitted
    assert model.monotone_constraints_ == {"utilisation": 1, "income": -1, "channel": 0}
    grid = np.linspace(0, 1, 101)
    rows = pd.DataFrame({"utilisation": grid, "income": 3000.0, "channel": "online"})
    pd_by_util = model.predict_proba(rows)[:, 1]
    assert np.all(np.diff(pd_by_util) >= -1e-12)
    assert pd_by_util[-1] > pd_by_util[0]
    rows = pd.DataFrame({"utilisation": 0.5, "income": np.linspace(500, 20000, 101), "channel": "online"})
    assert np.all(np.diff(model.predict_proba(rows)[:, 1]) <= 1e-12)


def test_special_code_escapes_the_monotone_constraint(
    fitted: tuple[Challenger, pd.DataFrame, np.ndarray],
) -> None:
    model, _, _ = fitted
    assert model.special_features_ == ["utilisation"]
    rows = pd.DataFrame({"utilisation": [-1.0, 0.0, 0.05], "income": 3000.0, "channel": "online"})
    pd_special, pd_low, _ = model.predict_proba(rows)[:, 1]
    # -1 is the smallest number, so an ascending constraint on the raw value would force it below utilisation 0.
    assert pd_special > pd_low


def test_shap_values_add_up_to_log_odds(fitted: tuple[Challenger, pd.DataFrame, np.ndarray]) -> None:
    model, X, _ = fitted
    sample = X.iloc[:200]
    shap = model.shap_values(sample)
    assert list(shap.columns) == ["utilisation", "income", "channel", "base_value"]
    np.testing.assert_allclose(shap.sum(axis=1), logit(model.predict_proba(sample)[:, 1]), atol=1e-9)


def test_model_text_reloads_to_same_predictions(fitted: tuple[Challenger, pd.DataFrame, np.ndarray]) -> None:
    model, X, _ = fitted
    reloaded = lgb.Booster(model_str=model.model_text())
    np.testing.assert_allclose(
        reloaded.predict(model._transform(X.iloc[:100])), model.predict_proba(X.iloc[:100])[:, 1]
    )


def test_early_stopping_picks_fewer_rounds_on_noise() -> None:
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"noise": rng.normal(size=1000)})
    y = rng.integers(0, 2, 1000)
    model = Challenger(num_boost_round=500, early_stopping_rounds=20).fit(X, y)
    assert model.best_iteration_ < 100
    assert model.booster_.num_trees() == model.best_iteration_


def test_same_data_and_seed_give_the_same_model() -> None:
    X, y = _portfolio(1500, seed=3)
    a = Challenger(num_boost_round=100).fit(X, y)
    b = Challenger(num_boost_round=100).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_unseen_category_scores_like_missing(fitted: tuple[Challenger, pd.DataFrame, np.ndarray]) -> None:
    model, _, _ = fitted
    rows = pd.DataFrame({"utilisation": [0.5, 0.5], "income": [3000.0, 3000.0], "channel": ["kiosk", None]})
    unseen, missing = model.predict_proba(rows)[:, 1]
    assert unseen == pytest.approx(missing)


def test_bad_inputs_are_clear_errors() -> None:
    X, y = _portfolio(400)
    with pytest.raises(DataError, match=r"(single|one) class"):
        Challenger().fit(X, np.zeros(len(X)))
    with pytest.raises(DataError, match="binary"):
        Challenger().fit(X, np.where(y == 1, 2, 0))
    with pytest.raises(DataError, match="infinite"):
        Challenger().fit(X.assign(income=X["income"].replace(X["income"].iloc[0], np.inf)), y)
    model = Challenger(num_boost_round=10).fit(X, y)
    with pytest.raises(DataError, match="'income' was numeric"):
        model.predict_proba(X.assign(income="n/a"))


def _blocks(n: int, seed: int, interaction: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """Risk additive in a and b, or carried by two three-way AND cells that only depth-3 trees isolate."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(0, 1, (n, 4)), columns=["a", "b", "c", "d"])
    hi = X > 0.5
    if interaction:
        logit_bad = -2.5 + 5.0 * (hi.a & hi.b & hi.c) + 5.0 * (~hi.a & ~hi.b & hi.d)
    else:
        logit_bad = -1.5 + 2.0 * X.a - 2.0 * X.b
    return X, (rng.uniform(size=n) < 1 / (1 + np.exp(-logit_bad))).astype(int)


def test_tree_size_follows_the_data_by_cross_validation() -> None:
    fast = {
        "learning_rate": 0.06
    }  # the search does not depend on the rate; a faster one keeps the test short
    X, y = _blocks(4000, seed=0, interaction=False)
    additive = Challenger(params=fast).fit(X, y)
    assert additive.rounds_by_ == "cv"
    # Additive risk: the smallest trees win and the search stops at the first larger size that does not help.
    assert additive.num_leaves_ == 4
    assert additive.search_["num_leaves"].tolist() == [4, 8]
    X, y = _blocks(4000, seed=0, interaction=True)
    interaction = Challenger(params=fast).fit(X, y)
    assert interaction.num_leaves_ >= 8
    search = interaction.search_
    assert interaction.num_leaves_ == search.loc[search["binary_logloss"].idxmin(), "num_leaves"]
    assert interaction.validation_score_["binary_logloss"] == search["binary_logloss"].min()
    leaves = [tree["num_leaves"] for tree in interaction.booster_.dump_model()["tree_info"]]
    assert max(leaves) <= interaction.num_leaves_ < 2 * max(leaves)
    assert interaction.booster_.num_trees() == interaction.best_iteration_


def test_user_params_fix_size_and_rate_and_large_samples_use_a_validation_split() -> None:
    X, y = _portfolio(1500, seed=2)
    model = Challenger(params={"max_leaves": 3}, cv_max_rows=1000, refit=False).fit(X, y)
    assert model.rounds_by_ == "validation"
    assert model.num_leaves_ == 3
    assert len(model.search_) == 1
    # LightGBM resolves a clash of alias and main name in favour of num_leaves: the user's alias must replace it.
    assert max(tree["num_leaves"] for tree in model.booster_.dump_model()["tree_info"]) <= 3
    # Without refit the booster is the one early stopping trained on 80% of the rows, trimmed to its best round.
    assert model.booster_.num_trees() == model.best_iteration_
    assert model.booster_.params["learning_rate"] == 0.015  # fewer than 10,000 rows: halved rate
    fixed = Challenger(params={"eta": 0.2}, num_boost_round=37, early_stopping_rounds=0).fit(X, y)
    assert (fixed.rounds_by_, fixed.booster_.num_trees()) == ("fixed", 37)
    assert "learning_rate" not in fixed.booster_.params and fixed.booster_.params["eta"] == 0.2


@parametrize_with_checks(
    [Challenger(num_boost_round=20, early_stopping_rounds=5)],
    expected_failed_checks=lambda _: CLASSIFIER_BINARY_ONLY,
)
def test_sklearn_compatible(estimator: Challenger, check: Any) -> None:
    check(estimator)
