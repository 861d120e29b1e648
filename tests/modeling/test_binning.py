"""WoeBinner: bins, WOE orientation, specials / missing / rare and unseen categories, overrides, bad input."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from optbinning import OptimalBinning
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

from scorecard.errors import ConfigError, DataError, ModelError
from scorecard.modeling.binning import SHAPE_FOLDS, UNKNOWN_RULE, WoeBinner, _bic, _counts
from scorecard.modeling.overrides import load_overrides
from tests.modeling.woe_data import credit_sample

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, np.ndarray]:
    return credit_sample()


@pytest.fixture(scope="module")
def binner(sample: tuple[pd.DataFrame, np.ndarray]) -> WoeBinner:
    X, y = sample
    return WoeBinner(categorical_features=["channel"]).fit(X, y)


def _hand_woe(table: pd.DataFrame) -> np.ndarray:
    """ln(goods share / bads share) per bin, 0 where a bin lacks goods or bads."""
    goods, bads = table["goods"].to_numpy(float), table["bads"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        woe = np.log((goods / goods.sum()) / (bads / bads.sum()))
    return np.where((goods > 0) & (bads > 0), woe, 0.0)


def test_binning_table_counts_woe_and_iv_match_hand_computation(binner: WoeBinner, sample) -> None:
    X, y = sample
    table = binner.binning_table("util")
    assert list(table.columns) == ["bin", "count", "count_share", "goods", "bads", "event_rate", "woe", "iv"]
    assert table["count"].sum() == len(X)
    assert table["bads"].sum() == y.sum()
    assert table["bin"].tolist()[-2:] == ["Special", "Missing"]
    np.testing.assert_allclose(table["woe"], _hand_woe(table), atol=1e-9)
    goods_share = table["goods"] / table["goods"].sum()
    bads_share = table["bads"] / table["bads"].sum()
    np.testing.assert_allclose(table["iv"], (goods_share - bads_share) * table["woe"], atol=1e-9)
    assert binner.iv_["util"] == pytest.approx(table["iv"].sum())
    # special bin holds exactly the -1 rows, missing bin the NaN rows
    assert table["count"].iloc[-2] == int((X["util"] == -1).sum())
    assert table["count"].iloc[-1] == int(X["util"].isna().sum())


def test_woe_orientation_higher_is_safer_and_trend_detected(binner: WoeBinner) -> None:
    util = binner.binning_table("util").iloc[:-2]  # risk rises with utilisation
    months = binner.binning_table("months").iloc[:-2]  # risk falls with months on file
    assert np.all(np.diff(util["event_rate"]) >= 0) and np.all(np.diff(util["woe"]) <= 0)
    assert np.all(np.diff(months["event_rate"]) <= 0)
    assert binner.trends_["util"] == "ascending"
    assert binner.trends_["months"] == "descending"
    assert binner.trends_["channel"] == "categorical"


def test_transform_gives_each_row_its_bin_woe(binner: WoeBinner, sample) -> None:
    X, _ = sample
    woe = binner.transform(X)
    assert list(woe.columns) == binner.features_ == list(binner.get_feature_names_out())
    spec = binner.bin_spec("util")
    table = binner.binning_table("util")
    np.testing.assert_allclose(woe.loc[X["util"] == -1, "util"], table["woe"].iloc[-2])
    np.testing.assert_allclose(woe.loc[X["util"].isna(), "util"], table["woe"].iloc[-1])
    clean = X["util"].notna() & (X["util"] != -1)
    index = np.digitize(X.loc[clean, "util"], spec["splits"], right=False)
    np.testing.assert_allclose(woe.loc[clean, "util"], table["woe"].to_numpy()[index])


def test_min_bin_size_and_max_n_bins_are_respected(sample) -> None:
    X, y = sample
    fitted = WoeBinner(min_bin_size=0.1, max_n_bins=3, categorical_features=["channel"]).fit(X, y)
    for feature in ("util", "months"):
        regular = fitted.binning_table(feature).iloc[:-2]
        assert len(regular) <= 3
        assert (regular["count"] >= np.ceil(0.1 * len(X))).all()


@pytest.mark.parametrize("trend", ["ascending", "descending", "peak", "valley"])
def test_per_feature_trend_is_enforced(sample, trend: str) -> None:
    X, y = sample
    fitted = WoeBinner(trends={"noise": trend}, categorical_features=["channel"]).fit(X, y)
    rate = fitted.binning_table("noise")["event_rate"].to_numpy()[:-2]
    diff = np.diff(rate)
    if trend == "ascending":
        assert np.all(diff >= 0)
    elif trend == "descending":
        assert np.all(diff <= 0)
    else:  # one change of direction at most
        signs = np.sign(diff[diff != 0])
        assert np.count_nonzero(np.diff(signs)) <= 1


def test_rare_categories_grouped_and_unseen_category_takes_others_bin(binner: WoeBinner, sample) -> None:
    X, _ = sample
    spec = binner.bin_spec("channel")
    others = [b for b in spec["bins"] if b["label"] == "others (rare)"]
    assert len(others) == 1 and sorted(others[0]["categories"]) == ["fax", "telex"]
    assert spec["unknown"]["rule"] == UNKNOWN_RULE
    assert spec["unknown"]["woe"] == others[0]["woe"]
    new = X.head(3).copy()
    new["channel"] = ["teleport", "fax", None]
    woe = binner.transform(new)["channel"].to_numpy()
    assert woe[0] == others[0]["woe"] == woe[1]
    assert woe[2] == spec["missing"]["woe"]


def test_unseen_category_without_rare_group_takes_riskiest_bin(sample) -> None:
    X, y = sample
    fitted = WoeBinner(cat_cutoff=None, categorical_features=["channel"]).fit(X, y)
    spec = fitted.bin_spec("channel")
    assert all(b["label"] != "others (rare)" for b in spec["bins"])
    lowest = min(b["woe"] for b in spec["bins"])
    assert spec["unknown"]["woe"] == lowest
    new = X.head(1).assign(channel="teleport")
    assert fitted.transform(new)["channel"].iloc[0] == lowest


def test_all_missing_and_constant_features_dropped_with_reason(sample, caplog) -> None:
    X, y = sample
    X = X.assign(empty=np.nan, flat=7.0)
    with caplog.at_level(logging.INFO, logger="scorecard.modeling.binning"):
        fitted = WoeBinner(categorical_features=["channel"]).fit(X, y)
    assert fitted.dropped_ == {
        "empty": ("all_missing", "every value is missing"),
        "flat": ("constant", "single value 7.0"),
    }
    assert "empty" not in fitted.features_ and "flat" not in fitted.features_
    assert "sets feature 'flat' aside: constant (single value 7.0)" in caplog.text
    with pytest.raises(KeyError, match=r"dropped: all_missing \(every value is missing\)"):
        fitted.binning_table("empty")


def test_overrides_from_yaml_are_applied_and_recorded(sample, tmp_path: Path) -> None:
    X, y = sample
    auto = WoeBinner(categorical_features=["channel"]).fit(X, y)
    auto_months = auto.bin_spec("months")["splits"]
    path = tmp_path / "overrides.yaml"
    path.write_text(
        "features:\n"
        "  util: {splits: [0.25, 0.5, 0.75], reason: policy bands}\n"
        "  noise: {trend: descending}\n"
        "  months: {merge: [[0, 1]]}\n"
        "  channel: {groups: [[online, phone], [branch, agent, fax, telex]]}\n"
    )
    fitted = WoeBinner(categorical_features=["channel"], overrides=path).fit(X, y)
    assert fitted.bin_spec("util")["splits"] == [0.25, 0.5, 0.75]
    assert np.all(np.diff(fitted.binning_table("noise")["event_rate"].to_numpy()[:-2]) <= 0)
    assert fitted.bin_spec("months")["splits"] == auto_months[1:]  # boundary between bins 0 and 1 removed
    groups = sorted(sorted(b["categories"]) for b in fitted.bin_spec("channel")["bins"])
    assert groups == [["agent", "branch", "fax", "telex"], ["online", "phone"]]
    applied = fitted.overrides_applied_
    assert set(applied) == {"util", "noise", "months", "channel"}
    assert applied["util"] == {"splits": [0.25, 0.5, 0.75], "reason": "policy bands", "source": str(path)}
    assert applied["months"]["merge"] == [[0, 1]]


def test_override_file_errors_name_the_problem(sample, tmp_path: Path) -> None:
    X, y = sample
    with pytest.raises(ConfigError, match="not in the data: \\['typo'\\]"):
        WoeBinner(overrides={"typo": {"trend": "ascending"}}).fit(X, y)
    with pytest.raises(ConfigError, match="strictly ascending"):
        WoeBinner(overrides={"util": {"splits": [0.5, 0.2]}}).fit(X, y)
    with pytest.raises(ConfigError, match="use 'groups', not 'splits'"):
        WoeBinner(categorical_features=["channel"], overrides={"channel": {"splits": [1.0]}}).fit(X, y)
    bad = tmp_path / "bad.yaml"
    bad.write_text("features:\n  util: {trend: sideways}\n")
    with pytest.raises(ConfigError, match=f"{bad}: features.util.trend"):
        load_overrides(bad)


def test_example_override_file_is_valid() -> None:
    overrides = load_overrides(REPO / "configs" / "overrides" / "application.yaml")
    assert overrides["bureau_utilisation"].splits == [0.3, 0.5, 0.7]
    assert all(o.reason for o in overrides.values())


def test_categorical_inferred_from_dtype_and_numpy_input_works(sample) -> None:
    X, y = sample
    inferred = WoeBinner().fit(X, y)
    assert inferred.categorical_ == ["channel"]
    numeric = X[["util", "months"]].to_numpy()
    fitted = WoeBinner().fit(numeric, y)
    assert fitted.features_ == ["x0", "x1"]
    np.testing.assert_array_equal(
        fitted.transform(numeric).to_numpy(), inferred.woe(X, ["util", "months"]).to_numpy()
    )


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        (np.zeros(4000), DataError, "one class only"),
        (np.arange(4000) % 3, DataError, "non-binary values \\[0, 1, 2\\]"),
        (np.where(np.arange(4000) % 2, "bad", "good"), DataError, "non-numeric labels"),
        (np.r_[np.nan, np.ones(1999), np.zeros(2000)], DataError, "contains NaN"),
    ],
)
def test_bad_targets_raise_clear_errors(sample, target, error, message) -> None:
    X, _ = sample
    with pytest.raises(error, match=message):
        WoeBinner().fit(X, target)


def test_bad_features_raise_clear_errors(sample) -> None:
    X, y = sample
    text = X.assign(months=X["months"].astype(object))
    text.loc[5, "months"] = "twelve"
    with pytest.raises(
        DataError, match="column 'months' is numerical but has 1 text values \\(first: 'twelve'\\)"
    ):
        WoeBinner(categorical_features=["channel"]).fit(text, y)
    inf = X.assign(util=X["util"].replace(-1.0, np.inf))
    with pytest.raises(DataError, match="column 'util' has \\d+ infinite values"):
        WoeBinner().fit(inf, y)
    with pytest.raises(DataError, match="30 rows are fewer than binning needs: 40 rows"):
        WoeBinner().fit(X.head(30), np.r_[np.zeros(15), np.ones(15)])
    with pytest.raises(ModelError, match="no feature left to bin"):
        WoeBinner().fit(pd.DataFrame({"a": np.ones(100)}), np.r_[np.zeros(50), np.ones(50)])
    with pytest.raises(ConfigError, match="max_n_bins must be None or an integer >= 2; got 1"):
        WoeBinner(max_n_bins=1).fit(X, y)


def test_clone_pipeline_and_determinism(sample) -> None:
    X, y = sample
    pipe = make_pipeline(WoeBinner(categorical_features=["channel"]), LogisticRegression())
    pipe.fit(X, y)
    assert pipe.predict_proba(X).shape == (len(X), 2)
    first = WoeBinner(categorical_features=["channel"])
    second = clone(first)
    assert first.get_params() == second.get_params()
    a, b = first.fit(X, y), second.fit(X, y)
    for feature in a.features_:
        pd.testing.assert_frame_equal(a.binning_table(feature), b.binning_table(feature))
    pd.testing.assert_frame_equal(a.transform(X), b.transform(X))


def test_categorical_merge_keeps_rare_group_and_infeasible_override_is_an_error(sample) -> None:
    X, y = sample
    auto = WoeBinner(categorical_features=["channel"]).fit(X, y)
    bins = [b["categories"] for b in auto.bin_spec("channel")["bins"]]
    merged = WoeBinner(categorical_features=["channel"], overrides={"channel": {"merge": [[0, 1]]}}).fit(X, y)
    groups = sorted(sorted(b["categories"]) for b in merged.bin_spec("channel")["bins"])
    assert groups == sorted([sorted(bins[0] + bins[1]), *(sorted(b) for b in bins[2:])])
    assert merged.bin_spec("channel")["unknown"]["woe"] == merged.bin_spec("channel")["bins"][-1]["woe"]
    with pytest.raises(ConfigError, match="override for 'util' is infeasible: size: bins \\[0\\] hold"):
        WoeBinner(overrides={"util": {"splits": [0.01, 0.5]}}).fit(X, y)
    with pytest.raises(ConfigError, match="merge for 'months' leaves a single bin"):
        n = len(auto.bin_spec("months")["bins"])
        WoeBinner(overrides={"months": {"merge": [list(range(n))]}}).fit(X, y)


def test_quantile_prebinning_is_a_speed_knob_with_similar_iv(sample, binner: WoeBinner) -> None:
    X, y = sample
    fast = WoeBinner(categorical_features=["channel"], prebinning_method="quantile").fit(X, y)
    informative = ["util", "months", "channel"]
    np.testing.assert_allclose(fast.iv_[informative], binner.iv_[informative], rtol=0.1)
    assert fast.bin_spec("util")["splits"] != binner.bin_spec("util")["splits"]
    with pytest.raises(ConfigError, match="prebinning_method must be one of"):
        WoeBinner(prebinning_method="kmeans").fit(X, y)


# ---------------------------------------------------------------- peak / valley by BIC
def _u_shaped(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """``u``: bad rate 5% in the middle, 45% at both ends; ``m``: bad rate rising with the value."""
    rng = np.random.default_rng(seed)
    u, m = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    rate = 0.05 + 1.6 * (u - 0.5) ** 2 + 0.1 * m
    return pd.DataFrame({"u": u, "m": m}), (rng.random(n) < rate).astype(int)


def test_peak_valley_kept_only_where_bic_prefers_it() -> None:
    X, y = _u_shaped(5_000)
    monotone = WoeBinner(min_bin_size=0.02).fit(X, y)
    shaped = WoeBinner(min_bin_size=0.02, peak_valley="bic").fit(X, y)
    assert monotone.shapes_ == {} and monotone.trends_["u"] in ("ascending", "descending")
    assert shaped.trends_["u"] == "valley" and shaped.trends_["m"] == "ascending"
    assert list(shaped.shapes_) == ["u"]  # the monotone feature keeps its bins
    assert shaped.shapes_["u"].startswith(
        f"peak/valley bins ({len(shaped.binning_table('u')) - 2}) kept: BIC "
    )
    assert shaped.shapes_["u"].endswith(f"of the monotone bins ({len(monotone.binning_table('u')) - 2})")
    assert shaped.iv_["u"] > 2 * monotone.iv_["u"]
    pd.testing.assert_frame_equal(shaped.binning_table("m"), monotone.binning_table("m"))


def test_peak_valley_leaves_features_with_a_trends_entry_alone() -> None:
    X, y = _u_shaped(5_000)
    binner = WoeBinner(min_bin_size=0.02, peak_valley="bic", trends={"u": "auto_asc_desc"}).fit(X, y)
    assert binner.shapes_ == {} and binner.trends_["u"] in ("ascending", "descending")
    with pytest.raises(ConfigError, match="WoeBinner: peak_valley must be None, 'bic' or 'cv'; got 'aic'"):
        WoeBinner(peak_valley="aic").fit(X, y)


def test_bic_counts_each_bin_rate_and_each_cut_point() -> None:
    X, y = _u_shaped(2_000)
    optb = WoeBinner(min_bin_size=0.02).fit(X, y).binning_process_.get_binned_variable("u")
    table = optb.binning_table.build(add_totals=False)
    bads, rows = table["Event"].to_numpy(float), table["Count"].to_numpy(float)
    used = rows > 0
    rate = bads[used] / rows[used]
    loglik = (bads[used] * np.log(rate) + (rows[used] - bads[used]) * np.log(1 - rate)).sum()
    parameters = used.sum() + len(optb.splits)  # every rate, and the location of every cut
    assert _bic(optb) == pytest.approx(-2 * loglik + parameters * np.log(2_000))


def test_bin_counts_line_up_with_the_bin_indices_of_special_and_missing_rows() -> None:
    """The held-out rates index the table's counts by optbinning's bin indices: regular bins, special, missing."""
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, 3_000)
    x[:150], x[150:300] = -1.0, np.nan
    y = (rng.random(3_000) < np.where(np.isnan(x), 0.5, np.where(x < 0, 0.05, 0.1 + 0.3 * x))).astype(int)
    optb = OptimalBinning(min_bin_size=0.02, monotonic_trend="ascending", special_codes=[-1.0]).fit(x, y)
    index = np.asarray(
        optb.transform(x, metric="indices", metric_special="empirical", metric_missing="empirical"), dtype=int
    )
    bads, goods = _counts(optb)
    assert len(bads) == len(optb.splits) + 3  # regular bins, special, missing
    np.testing.assert_array_equal(bads, np.bincount(index, weights=y, minlength=len(bads)))
    np.testing.assert_array_equal(goods, np.bincount(index, weights=1 - y, minlength=len(bads)))
    assert (bads[-2], bads[-1]) == (y[:150].sum(), y[150:300].sum())


def _heldout_by_hand(x: np.ndarray, y: np.ndarray, trend: str) -> float:
    total = 0.0
    for fit, held in StratifiedKFold(SHAPE_FOLDS, shuffle=True, random_state=0).split(x, y):
        optb = OptimalBinning(
            min_prebin_size=0.02, min_bin_size=0.02, monotonic_trend=trend, special_codes=[-1.0]
        ).fit(x[fit], y[fit])
        rate = (optb._n_event + 0.5) / (optb._n_event + optb._n_nonevent + 1)
        p = rate[np.asarray(optb.transform(x[held], metric="indices"), dtype=int)]
        total += np.where(y[held] == 1, np.log(p), np.log(1 - p)).sum()
    return float(total)


def test_peak_valley_cv_keeps_a_real_u_shape_on_held_out_evidence() -> None:
    X, y = _u_shaped(5_000)
    bic = WoeBinner(min_bin_size=0.02, peak_valley="bic").fit(X, y)
    cv = WoeBinner(min_bin_size=0.02, peak_valley="cv").fit(X, y)
    assert list(cv.shapes_) == ["u"] and cv.trends_["u"] == "valley"
    assert cv.shapes_rejected_ == {}
    pd.testing.assert_frame_equal(cv.binning_table("u"), bic.binning_table("u"))
    shaped = _heldout_by_hand(X["u"].to_numpy(), y, "auto")
    monotone = _heldout_by_hand(X["u"].to_numpy(), y, "auto_asc_desc")
    assert shaped > monotone + 100
    assert cv.shapes_["u"] == (
        f"{bic.shapes_['u']}, and held-out log-likelihood {shaped:.1f} > {monotone:.1f} "
        "(5-fold, bins refitted in each fold)"
    )


def test_peak_valley_cv_rejects_a_noise_shape_that_bic_keeps() -> None:
    """600 rows whose bad rate rises from 20% to 30%: BIC takes a 5-bin peak / valley, held-out rows do not."""
    rng = np.random.default_rng(12)
    u = rng.uniform(0, 1, 600)
    X, y = pd.DataFrame({"u": u}), (rng.random(600) < 0.2 + 0.1 * u).astype(int)
    bic = WoeBinner(min_bin_size=0.02, peak_valley="bic").fit(X, y)
    cv = WoeBinner(min_bin_size=0.02, peak_valley="cv").fit(X, y)
    monotone = WoeBinner(min_bin_size=0.02).fit(X, y)
    assert bic.shapes_["u"].startswith("peak/valley bins (5) kept: BIC ")
    assert _heldout_by_hand(u, y, "auto") < _heldout_by_hand(u, y, "auto_asc_desc")
    assert cv.shapes_ == {}
    pd.testing.assert_frame_equal(cv.binning_table("u"), monotone.binning_table("u"))
    bic_text = bic.shapes_["u"].removeprefix("peak/valley bins (5) kept: ")
    shaped, flat = _heldout_by_hand(u, y, "auto"), _heldout_by_hand(u, y, "auto_asc_desc")
    assert cv.shapes_rejected_ == {
        "u": f"peak/valley bins (5) rejected: {bic_text}, but held-out log-likelihood {shaped:.1f} <= "
        f"{flat:.1f} (5-fold, bins refitted in each fold)"
    }
    assert bic.shapes_rejected_ == {}  # 'bic' holds nothing out


def test_peak_valley_cv_rejects_a_shape_when_too_few_bads_to_hold_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = _u_shaped(5_000)
    bic = WoeBinner(min_bin_size=0.02, peak_valley="bic").fit(X, y)
    monkeypatch.setattr("scorecard.modeling.binning.SHAPE_FOLDS", 10_000)  # more folds than bads
    cv = WoeBinner(min_bin_size=0.02, peak_valley="cv").fit(X, y)
    assert cv.shapes_ == {} and cv.trends_["u"] in ("ascending", "descending")
    rejected = bic.shapes_["u"].replace(" kept: ", " rejected: ")
    assert cv.shapes_rejected_ == {"u": f"{rejected}, but fewer than 10000 bads or goods to hold out"}
