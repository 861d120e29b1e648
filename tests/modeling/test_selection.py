"""FeatureSelector: each rule with its numbers, worked out independently (numpy, statsmodels, optbinning)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import variance_inflation_factor

from scorecard.errors import ConfigError, ModelError
from scorecard.modeling.binning import WoeBinner
from scorecard.modeling.selection import LOG_COLUMNS, FeatureSelector, information_value, variance_inflation
from tests.modeling.woe_data import credit_sample


@pytest.fixture(scope="module")
def woe_sample() -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """WOE frame with a strong, a medium, a weak feature, a near-copy of the strong one, and a VIF trap."""
    rng = np.random.default_rng(5)
    n = 5000
    s1, s2, s3 = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    logit = -1.2 + 1.2 * s1 + 0.6 * s2 + 0.3 * s3
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    raw = pd.DataFrame(
        {
            "strong": s1,
            "copy": s1 + 0.2 * rng.normal(size=n),
            "medium": s2,
            "weak": s3,
            "noise": rng.normal(size=n),
            "combo": 0.6 * s2 + 0.6 * s3 + 0.35 * rng.normal(size=n),
        }
    )
    binner = WoeBinner().fit(raw, y)
    return binner.transform(raw), y, binner.iv_


def test_information_value_equals_optbinning_iv() -> None:
    X, y = credit_sample()
    binner = WoeBinner(categorical_features=["channel"]).fit(X, y)
    np.testing.assert_allclose(information_value(binner.transform(X), y), binner.iv_, rtol=1e-9)


def test_variance_inflation_equals_statsmodels(woe_sample) -> None:
    woe, _, _ = woe_sample
    frame = woe[["medium", "weak", "combo"]]
    design = sm.add_constant(frame).to_numpy()
    expected = [variance_inflation_factor(design, i) for i in range(1, 4)]
    np.testing.assert_allclose(variance_inflation(frame), expected, rtol=1e-6)


def test_rules_in_order_with_numbers(woe_sample) -> None:
    woe, y, iv = woe_sample
    selector = FeatureSelector(min_iv=0.02, max_correlation=0.7, max_vif=1.5, stepwise=None).fit(
        woe, y, iv=iv
    )
    log = selector.log_.set_index("feature")
    assert list(selector.log_.columns) == LOG_COLUMNS
    assert sorted(selector.log_["feature"]) == sorted(woe.columns)  # every candidate exactly once
    # min_iv: noise has (almost) no information
    assert log.loc["noise", "rule"] == "min_iv" and log.loc["noise", "value"] == pytest.approx(iv["noise"])
    assert log.loc["noise", "limit"] == 0.02
    # correlation: copy and strong are ~0.98 correlated; the lower-IV one leaves
    loser = "copy" if iv["copy"] < iv["strong"] else "strong"
    winner = "strong" if loser == "copy" else "copy"
    assert log.loc[loser, "rule"] == "max_correlation"
    assert log.loc[loser, "value"] == pytest.approx(abs(np.corrcoef(woe[loser], woe[winner])[0, 1]))
    assert repr(winner) in log.loc[loser, "detail"]
    # VIF: combo ~ medium + weak; the highest VIF above 1.5 leaves first
    kept_before_vif = [c for c in woe.columns if c not in ("noise", loser)]
    first_vif = variance_inflation(woe[kept_before_vif]).drop(labels=[winner], errors="ignore")
    vif_dropped = log.index[log["rule"] == "max_vif"].tolist()
    assert vif_dropped and first_vif.idxmax() in vif_dropped
    assert (log.loc[vif_dropped, "value"] > 1.5).all()
    assert set(selector.selected_) == set(log.index[log["kept"]])
    assert list(selector.transform(woe).columns) == selector.selected_


def test_forward_stepwise_bic_picks_best_feature_first(woe_sample) -> None:
    woe, y, iv = woe_sample
    selector = FeatureSelector(
        min_iv=0.0, max_correlation=0.9, max_vif=None, stepwise="forward", criterion="bic", max_features=1
    ).fit(woe, y, iv=iv)
    candidates = [
        c for c in woe.columns if selector.log_.set_index("feature").loc[c, "rule"] != "max_correlation"
    ]
    bics = {c: sm.Logit(y, sm.add_constant(woe[[c]])).fit(disp=0).bic for c in candidates}
    assert selector.selected_ == [min(bics, key=bics.get)]
    rules = selector.log_.set_index("feature")["rule"]
    assert (rules.drop(index=selector.selected_) != "selected").all()


def test_forward_stepwise_stops_when_bic_stops_falling(woe_sample) -> None:
    woe, y, iv = woe_sample
    cols = ["strong", "medium", "weak", "noise"]
    selector = FeatureSelector(
        min_iv=0.0, max_vif=None, stepwise="forward", criterion="bic", max_features=None
    )
    selector.fit(woe[cols], y, iv=iv[cols])
    assert "noise" not in selector.selected_
    row = selector.log_.set_index("feature").loc["noise"]
    assert row["rule"] == "stepwise" and row["value"] >= 0  # adding noise would raise BIC
    chosen = selector.selected_
    with_noise = sm.Logit(y, sm.add_constant(woe[[*chosen, "noise"]])).fit(disp=0).bic
    without = sm.Logit(y, sm.add_constant(woe[chosen])).fit(disp=0).bic
    assert row["value"] == pytest.approx(with_noise - without, rel=1e-6)


def test_backward_stepwise_and_auc_criterion(woe_sample) -> None:
    woe, y, iv = woe_sample
    cols = ["strong", "medium", "weak", "noise"]
    backward = FeatureSelector(
        min_iv=0.0, max_vif=None, stepwise="backward", criterion="aic", max_features=None
    )
    backward.fit(woe[cols], y, iv=iv[cols])
    assert {"strong", "medium", "weak"} <= set(backward.selected_)
    by_auc = FeatureSelector(min_iv=0.0, max_vif=None, stepwise="forward", criterion="auc", max_features=None)
    by_auc.fit(woe[cols], y, iv=iv[cols])
    assert "strong" in by_auc.selected_
    again = FeatureSelector(min_iv=0.0, max_vif=None, stepwise="forward", criterion="auc", max_features=None)
    assert again.fit(woe[cols], y, iv=iv[cols]).selected_ == by_auc.selected_


def test_force_include_and_exclude(woe_sample) -> None:
    woe, y, iv = woe_sample
    selector = FeatureSelector(
        min_iv=0.02, force_include=("noise",), force_exclude=("strong",), stepwise=None
    )
    selector.fit(woe, y, iv=iv)
    log = selector.log_.set_index("feature")
    assert "noise" in selector.selected_ and log.loc["noise", "rule"] == "force_include"
    assert "strong" not in selector.selected_ and log.loc["strong", "rule"] == "force_exclude"
    with pytest.raises(
        ConfigError, match="force_include names features not among the candidates: \\['typo'\\]"
    ):
        FeatureSelector(force_include=("typo",)).fit(woe, y, iv=iv)


def test_max_features_drops_lowest_iv(woe_sample) -> None:
    woe, y, iv = woe_sample
    selector = FeatureSelector(min_iv=0.0, max_correlation=1.0, max_vif=None, stepwise=None, max_features=2)
    selector.fit(woe, y, iv=iv)
    assert set(selector.selected_) == set(iv.sort_values(ascending=False).index[:2])
    assert (selector.log_["rule"] == "max_features").sum() == len(woe.columns) - 2


def test_iv_computed_when_not_given(woe_sample) -> None:
    woe, y, iv = woe_sample
    selector = FeatureSelector(stepwise=None).fit(woe, y)
    np.testing.assert_allclose(selector.iv_, iv.reindex(woe.columns), rtol=1e-9)


def test_nothing_left_is_a_model_error(woe_sample) -> None:
    woe, y, iv = woe_sample
    with pytest.raises(ModelError, match="kept no feature out of 6 \\(min_iv=5.0\\)"):
        FeatureSelector(min_iv=5.0).fit(woe, y, iv=iv)
