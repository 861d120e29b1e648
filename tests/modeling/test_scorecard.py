"""Scorecard: scaling arithmetic by hand, coefficients against statsmodels, sign check, spec replay, quality."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from scorecard.errors import ConfigError
from scorecard.modeling.binning import WoeBinner
from scorecard.modeling.logit import fit_logit
from scorecard.modeling.points import Scaling
from scorecard.modeling.scorecard import INTERCEPT, Scorecard
from scorecard.modeling.selection import FeatureSelector
from tests.modeling.woe_data import credit_sample


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, np.ndarray]:
    return credit_sample()


@pytest.fixture(scope="module")
def card(sample) -> Scorecard:
    X, y = sample
    return Scorecard(binner=WoeBinner(categorical_features=["channel"])).fit(X, y)


# ---------------------------------------------------------------- scaling by hand
def test_scaling_constants_pdo20_base600_odds50() -> None:
    scaling = Scaling(pdo=20, base_score=600, base_odds=50)
    assert scaling.factor == pytest.approx(28.8539, abs=1e-4)
    assert scaling.offset == pytest.approx(487.123, abs=1e-3)
    assert scaling.score_at_odds(50) == pytest.approx(600)
    assert scaling.score_at_odds(100) - scaling.score_at_odds(50) == pytest.approx(20)
    assert scaling.odds_at_score(640) == pytest.approx(200)


def test_two_feature_points_worked_by_hand() -> None:
    # intercept -1.2; feature a: coef -0.8, WOE 0.6 / -0.3; feature b: coef -0.5, WOE 0.4 / -0.9.
    # base = 487.1229 + 28.8539 * 1.2 = 521.75 -> 522; a: 13.85 -> 14, -6.92 -> -7; b: 5.77 -> 6, -12.98 -> -13.
    scaling = Scaling(pdo=20, base_score=600, base_odds=50)
    assert scaling.base_points(-1.2) == 522
    assert scaling.points(-0.8, np.array([0.6, -0.3])).tolist() == [14, -7]
    assert scaling.points(-0.5, np.array([0.4, -0.9])).tolist() == [6, -13]
    # best applicant: 522 + 14 + 6 = 542 points; worst: 522 - 7 - 13 = 502
    assert scaling.base_points(-1.2) + 14 + 6 == 542


def test_invalid_scaling_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="scaling.pdo must be > 0; got -20"):
        Scaling(pdo=-20)


# ---------------------------------------------------------------- fitted model
def test_score_is_base_plus_points_and_matches_points_table(card: Scorecard, sample) -> None:
    X, _ = sample
    points = card.points(X)
    assert list(points.columns) == card.features_
    assert points.dtypes.eq(np.int64).all()
    score = card.predict_score(X)
    assert score.dtype == np.int64
    np.testing.assert_array_equal(score, card.base_points_ + points.sum(axis=1).to_numpy())
    table = card.points_table_
    assert list(table.columns) == ["feature", "bin", "label", "woe", "coef", "points"]
    for feature, coef in zip(card.features_, card.logit_.coef, strict=True):
        rows = table[table["feature"] == feature]
        expected = np.rint(-card.scaling_.factor * coef * rows["woe"].to_numpy())
        np.testing.assert_array_equal(rows["points"].to_numpy(), expected)
        assert set(points[feature]) <= set(rows["points"])
    # the integer score tracks the unrounded log-odds score within the rounding of each term
    exact = card.scaling_.offset - card.scaling_.factor * card.decision_function(X)
    assert np.max(np.abs(score - exact)) <= 0.5 * (len(card.features_) + 1)


def test_higher_score_means_lower_risk(card: Scorecard, sample) -> None:
    X, y = sample
    score = card.predict_score(X)
    assert roc_auc_score(y, -score) > 0.7
    assert roc_auc_score(y, card.predict_proba(X)[:, 1]) > 0.7
    assert score[y == 0].mean() > score[y == 1].mean()


def test_coefficients_match_statsmodels(card: Scorecard, sample) -> None:
    X, y = sample
    woe = card.binner_.transform(X)[card.features_]
    reference = sm.Logit(y, sm.add_constant(woe)).fit(disp=0)
    table = card.coef_table_
    assert table["feature"].tolist() == [INTERCEPT, *card.features_]
    np.testing.assert_allclose(table["coef"], reference.params, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(table["std_err"], reference.bse, rtol=1e-4)
    np.testing.assert_allclose(table["z"], reference.tvalues, rtol=1e-4)
    np.testing.assert_allclose(table["p_value"], reference.pvalues, rtol=1e-3, atol=1e-300)
    assert table["sign_ok"].all() and (table["expected_sign"].iloc[1:] == "-").all()


def _confounded(n: int = 6000, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """b is riskier alone (its WOE says so) but, given a, its effect reverses: a wrong-sign coefficient."""
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    a, b = z1, z1 + 0.5 * z2
    logit = -1.0 + 2.0 * a - 0.8 * b
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"a": a, "b": b}), y


@pytest.mark.parametrize("mode", ["flag", "drop"])
def test_sign_check_flags_or_drops_wrong_sign(mode: str) -> None:
    X, y = _confounded()
    selector = FeatureSelector(max_correlation=1.0, max_vif=None)
    card = Scorecard(selector=selector, sign_check=mode).fit(X, y)
    if mode == "flag":
        assert card.features_ == ["a", "b"]
        row = card.coef_table_.set_index("feature").loc["b"]
        assert row["coef"] > 0 and not row["sign_ok"]
        assert card.sign_dropped_ == {}
    else:
        assert card.features_ == ["a"]
        assert list(card.sign_dropped_) == ["b"]
        assert card.coef_table_["sign_ok"].all()
        # refitted without b: the coefficient equals a one-feature fit
        woe = card.binner_.transform(X)[["a"]]
        reference = sm.Logit(y, sm.add_constant(woe)).fit(disp=0)
        np.testing.assert_allclose(card.coef_table_["coef"], reference.params, rtol=1e-4)


def test_forced_feature_is_flagged_not_dropped() -> None:
    X, y = _confounded()
    selector = FeatureSelector(max_correlation=1.0, max_vif=None, force_include=("b",))
    card = Scorecard(selector=selector, sign_check="drop").fit(X, y)
    assert "b" in card.features_
    assert not card.coef_table_.set_index("feature").loc["b", "sign_ok"]


# ---------------------------------------------------------------- spec replay
def score_from_spec(spec: dict[str, Any], frame: pd.DataFrame) -> np.ndarray:
    """Plain-numpy scoring from the JSON spec, written independently of the estimator's code path."""
    total = np.full(len(frame), spec["base_points"], dtype=np.int64)
    for feature in spec["features"]:
        raw = frame[feature["name"]].to_numpy(dtype=object)
        missing = np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in raw])
        special_points = feature["special"]["points"]
        if feature["kind"] == "numerical":
            x = np.array([np.nan if m else float(v) for v, m in zip(raw, missing, strict=True)])
            index = np.digitize(np.where(missing, 0.0, x), feature["splits"], right=False)
            points = np.array([b["points"] for b in feature["bins"]])[index]
            points = np.where(np.isin(x, feature["special"]["codes"]), special_points, points)
        else:
            lookup = {c: b["points"] for b in feature["bins"] for c in b["categories"]}
            unknown = feature["unknown"]["points"]
            points = np.array([lookup.get(str(v), unknown) for v in raw])
        total += np.where(missing, feature["missing"]["points"], points)
    return total


def test_spec_replays_predict_score_exactly(card: Scorecard, sample) -> None:
    X, _ = sample
    assert {"util", "channel"} <= set(card.features_)  # specials, missing, rare and unseen categories
    spec = json.loads(json.dumps(card.to_spec()))  # what the bundle stores
    assert spec["scaling"] == pytest.approx(
        {"pdo": 20.0, "base_score": 600.0, "base_odds": 50.0, "factor": 28.8539, "offset": 487.123}, abs=1e-3
    )
    util = next(f for f in spec["features"] if f["name"] == "util")
    edge = X.head(len(util["splits"]) * 2).copy()
    edge["util"] = np.r_[util["splits"], np.nextafter(util["splits"], -np.inf)]  # both sides of every split
    odd = X.sample(400, random_state=3).copy()
    odd.iloc[:50, odd.columns.get_loc("channel")] = "never-seen"
    odd.iloc[50:100, odd.columns.get_loc("util")] = -1.0
    odd.iloc[100:150, odd.columns.get_loc("util")] = np.nan
    odd.iloc[150:160, odd.columns.get_loc("util")] = 99.0  # beyond the training range
    odd.iloc[160:170, odd.columns.get_loc("channel")] = None
    frame = pd.concat([X, edge, odd], ignore_index=True)
    np.testing.assert_array_equal(score_from_spec(spec, frame), card.predict_score(frame))
    assert util["valid_range"][0] >= 0 and util["valid_range"][1] <= 1.2


def test_to_spec_is_a_copy(card: Scorecard) -> None:
    spec = card.to_spec()
    spec["features"][0]["bins"][0]["points"] = 10_000
    assert card.to_spec()["features"][0]["bins"][0]["points"] != 10_000


def test_same_data_and_seed_give_identical_points_and_scores(sample) -> None:
    X, y = sample
    make = lambda: Scorecard(  # noqa: E731
        binner=WoeBinner(categorical_features=["channel"]),
        selector=FeatureSelector(stepwise="forward", criterion="auc", random_state=7),
    )
    first, second = make().fit(X, y), make().fit(X, y)
    pd.testing.assert_frame_equal(first.points_table_, second.points_table_)
    np.testing.assert_array_equal(first.predict_score(X), second.predict_score(X))
    assert first.to_spec() == second.to_spec()


def test_scorecard_scores_only_needs_its_features(card: Scorecard, sample) -> None:
    X, _ = sample
    subset = X[card.features_]
    np.testing.assert_array_equal(card.predict_score(subset), card.predict_score(X))


def test_invalid_sign_check_is_a_config_error(sample) -> None:
    X, y = sample
    with pytest.raises(ConfigError, match="sign_check must be 'flag' or 'drop'; got 'warn'"):
        Scorecard(sign_check="warn").fit(X, y)


# ---------------------------------------------------------------- C by cross-validation
def _noisy(n: int = 300, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """One weak signal among ten noise columns: a small sample where shrinkage can pay."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 11)), columns=[f"x{i}" for i in range(11)])
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1.0 + 0.6 * X["x0"])))).astype(int).to_numpy()
    return X, y


def test_cv_picks_the_grid_value_with_the_best_fold_auc_and_refits_with_it() -> None:
    X, y = _noisy()
    selector = FeatureSelector(min_iv=0.0, max_correlation=0.95, max_vif=None, max_features=None)
    card = Scorecard(selector=selector, C="cv", C_grid=(1.0, 1e6, 0.1), sign_check="flag", random_state=5)
    card.fit(X, y)
    assert list(card.cv_auc_.index) == [1e6, 1.0, 0.1]  # strongest penalty last
    assert card.cv_auc_.idxmax() == card.C_
    # each score is the mean validation AUC of a fit on the other folds, on the binner's WOE
    woe = card.binner_.transform(X)[list(card.selector_.selected_)].to_numpy()
    for C in (1e6, 0.1):
        aucs = [
            roc_auc_score(y[val], fit_logit(woe[fit], y[fit], C=C).predict_proba(woe[val]))
            for fit, val in StratifiedKFold(5, shuffle=True, random_state=5).split(woe, y)
        ]
        assert card.cv_auc_[C] == pytest.approx(np.mean(aucs))
    # the card is then fitted on every row with the chosen C, as a fixed-C card is
    fixed = Scorecard(selector=selector, C=card.C_, sign_check="flag").fit(X, y)
    np.testing.assert_allclose(card.logit_.params, fixed.logit_.params)
    assert fixed.C_ == card.C_ and fixed.cv_auc_.empty
    # a stronger penalty shrinks the coefficients
    shrunk = Scorecard(selector=selector, C=0.1, sign_check="flag").fit(X, y)
    assert (
        np.abs(shrunk.logit_.coef).sum()
        < np.abs(Scorecard(selector=selector, sign_check="flag").fit(X, y).logit_.coef).sum()
    )


def test_cv_ties_go_to_the_weakest_penalty() -> None:
    X, y = _noisy()
    card = Scorecard(C="cv", C_grid=(1e6, 1e7), random_state=0).fit(X, y)
    # both values are plain maximum likelihood to many digits: the fold AUCs tie and the larger C wins
    assert card.cv_auc_[1e7] == pytest.approx(card.cv_auc_[1e6])
    assert card.C_ == 1e7


def test_one_se_rule_takes_the_strongest_penalty_within_one_standard_error_of_the_best() -> None:
    X, y = _noisy()
    selector = FeatureSelector(min_iv=0.0, max_correlation=0.95, max_vif=None, max_features=None)
    grid = (1e6, 1.0, 0.3, 0.1, 0.01)
    card = Scorecard(
        selector=selector,
        C="cv",
        C_grid=grid,
        sign_check="flag",
        random_state=5,
        cv_repeats=3,
        C_rule="one_se",
    ).fit(X, y)
    # 3 repeats x 5 folds; repeat r reshuffles with random_state + r
    woe = card.binner_.transform(X)[list(card.selector_.selected_)].to_numpy()
    by_hand = pd.DataFrame(
        {
            C: [
                roc_auc_score(y[val], fit_logit(woe[fit], y[fit], C=C).predict_proba(woe[val]))
                for repeat in range(3)
                for fit, val in StratifiedKFold(5, shuffle=True, random_state=5 + repeat).split(woe, y)
            ]
            for C in grid
        }
    )
    np.testing.assert_allclose(card.cv_folds_auc_.to_numpy(), by_hand.to_numpy())
    best = by_hand.mean().idxmax()
    assert best == 1.0  # the best mean ...
    diff = by_hand[best].to_numpy()[:, None] - by_hand.to_numpy()
    se = diff.std(axis=0, ddof=1) / math.sqrt(15)
    np.testing.assert_allclose(card.cv_se_.to_numpy(), se)
    assert card.cv_se_[best] == 0.0
    within = [
        C for C, mean, e in zip(grid, by_hand.mean(), se, strict=True) if mean >= by_hand[best].mean() - e
    ]
    assert within == [1.0, 0.3]  # 1e6 and the two strongest penalties fall more than one error below it
    assert card.C_ == 0.3
    # the card is the fixed C=0.3 card; the 'best' rule on the same folds keeps C=1
    fixed = Scorecard(selector=selector, C=0.3, sign_check="flag").fit(X, y)
    np.testing.assert_allclose(card.logit_.params, fixed.logit_.params)
    assert card.set_params(C_rule="best").fit(X, y).C_ == 1.0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"C": 0}, "C must be > 0 or 'cv'; got 0"),
        ({"C": "auto"}, "C must be > 0 or 'cv'; got 'auto'"),
        ({"C": "cv", "C_grid": ()}, "C_grid must hold values > 0; got ()"),
        ({"C": "cv", "C_grid": (1.0, -1.0)}, "C_grid must hold values > 0; got (1.0, -1.0)"),
        ({"C": "cv", "cv_folds": 1}, "cv_folds must be an integer >= 2; got 1"),
        ({"C": "cv", "cv_repeats": 0}, "cv_repeats must be an integer >= 1; got 0"),
        ({"C": "cv", "C_rule": "min"}, "C_rule must be 'best' or 'one_se'; got 'min'"),
    ],
)
def test_invalid_C_settings_are_config_errors(sample, params: dict[str, Any], message: str) -> None:
    X, y = sample
    with pytest.raises(ConfigError, match=re.escape(message)):
        Scorecard(**params).fit(X, y)


# ---------------------------------------------------------------- real data sanity
def _german(realdata_dir: Path) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(realdata_dir / "german_credit" / "german_credit_decoded.csv")
    y = (frame.pop("creditability") == "bad").astype(int).to_numpy()
    return frame, y


def _hmeq(realdata_dir: Path) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(realdata_dir / "hmeq" / "hmeq.csv")
    return frame, frame.pop("BAD").to_numpy()


@pytest.mark.realdata
@pytest.mark.parametrize("load", [_german, _hmeq], ids=["german_credit", "hmeq"])
def test_test_auc_close_to_optbinning_scorecard(realdata_dir: Path, load) -> None:
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptbinningScorecard
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    X, y = load(realdata_dir)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=42)
    categorical = [c for c in X.columns if X[c].dtype == object]
    peer = OptbinningScorecard(
        binning_process=BinningProcess(list(X.columns), categorical_variables=categorical),
        estimator=LogisticRegression(),
    ).fit(X_train, y_train)
    ours = Scorecard().fit(X_train, y_train)
    auc_peer = roc_auc_score(y_test, peer.predict_proba(X_test)[:, 1])
    auc_ours = roc_auc_score(y_test, ours.predict_proba(X_test)[:, 1])
    assert auc_ours >= auc_peer - 0.005, (auc_ours, auc_peer)
    assert roc_auc_score(y_test, -ours.predict_score(X_test)) >= auc_peer - 0.006
