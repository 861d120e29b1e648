"""Calibrator and MasterScale: fits against statsmodels / sklearn, the long-run anchor, spec replay, grades."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.special import expit, logit
from sklearn.isotonic import IsotonicRegression

from scorecard.config import CalibrationConfig
from scorecard.errors import ConfigError, DataError
from scorecard.modeling.calibration import Calibrator, MasterScale


@pytest.fixture(scope="module")
def scores() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    score = rng.integers(450, 750, 6000)
    pd_true = expit(-(score - 560) / 28.85)  # higher score, lower PD
    return score, (rng.random(6000) < pd_true).astype(int)


def test_logistic_matches_statsmodels_and_spec_replays(scores) -> None:
    score, y = scores
    cal = Calibrator().fit(score, y)
    reference = sm.Logit(y, sm.add_constant(score.astype(float))).fit(disp=0)
    assert cal.intercept_ == pytest.approx(reference.params[0], rel=1e-6)
    assert cal.slope_ == pytest.approx(reference.params[1], rel=1e-6)
    assert cal.slope_ < 0
    spec = cal.to_spec()
    assert spec == {"method": "logistic", "intercept": cal.intercept_, "slope": cal.slope_}
    replay = 1 / (1 + np.exp(-(spec["intercept"] + spec["slope"] * score)))
    np.testing.assert_allclose(cal.predict_pd(score), replay, rtol=1e-12)
    # a logistic fit reproduces the sample bad rate on average
    assert cal.predict_pd(score).mean() == pytest.approx(y.mean(), rel=1e-6)


def test_long_run_anchor_shifts_intercept_only(scores) -> None:
    score, y = scores
    plain = Calibrator().fit(score, y)
    anchored = Calibrator(long_run_pd=0.02).fit(score, y)
    shift = logit(0.02) - logit(y.mean())
    assert anchored.shift_ == pytest.approx(shift)
    assert anchored.intercept_ == pytest.approx(plain.intercept_ + shift)
    assert anchored.slope_ == pytest.approx(plain.slope_)
    np.testing.assert_allclose(logit(anchored.predict_pd(score)) - logit(plain.predict_pd(score)), shift)


def test_isotonic_matches_sklearn_and_replays_with_interp(scores) -> None:
    score, y = scores
    cal = Calibrator(method="isotonic").fit(score, y)
    reference = IsotonicRegression(increasing=False, out_of_bounds="clip").fit(score, y)
    floor = 0.5 / len(y)
    grid = np.arange(400, 801)
    np.testing.assert_allclose(cal.predict_pd(grid), np.clip(reference.predict(grid), floor, 1 - floor))
    assert np.all(np.diff(cal.predict_pd(grid)) <= 0)
    spec = cal.to_spec()
    assert spec["method"] == "isotonic"
    np.testing.assert_allclose(np.interp(grid, spec["x"], spec["y"]), cal.predict_pd(grid), rtol=0, atol=0)
    anchored = Calibrator(method="isotonic", long_run_pd=0.05).fit(score, y)
    np.testing.assert_allclose(
        logit(anchored.to_spec()["y"]), logit(np.asarray(spec["y"])) + logit(0.05) - logit(y.mean())
    )


def test_calibrator_input_errors(scores) -> None:
    score, y = scores
    with pytest.raises(ConfigError, match="calibration.method must be 'logistic' or 'isotonic'; got 'platt'"):
        Calibrator(method="platt").fit(score, y)
    with pytest.raises(ConfigError, match="long_run_pd must be in \\(0, 1\\); got 1.5"):
        Calibrator(long_run_pd=1.5).fit(score, y)
    with pytest.raises(DataError, match="NaN or infinity"):
        Calibrator().fit(np.r_[np.nan, score[1:]], y)
    with pytest.raises(DataError, match="one class only"):
        Calibrator().fit(score, np.zeros_like(y))


def test_master_scale_grades_on_band_edges() -> None:
    scale = MasterScale.from_config(
        [{"grade": "A", "max_pd": 0.01}, {"grade": "B", "max_pd": 0.05}, {"grade": "C", "max_pd": 1.0}]
    )
    pds = [0.0, 0.005, 0.01, 0.010001, 0.05, 0.2, 1.0]
    assert scale.grade(pds).tolist() == ["A", "A", "A", "B", "B", "C", "C"]
    assert scale.to_spec() == {
        "bands": [
            {"grade": "A", "max_pd": 0.01},
            {"grade": "B", "max_pd": 0.05},
            {"grade": "C", "max_pd": 1.0},
        ]
    }


def test_master_scale_from_card_config_and_errors() -> None:
    bands = [{"grade": g, "max_pd": p} for g, p in zip("ABC", (0.01, 0.3, 1.0), strict=True)]
    config = CalibrationConfig(master_scale=bands)
    scale = MasterScale.for_card(config, [0.5], [1])
    assert scale.grades == ["A", "B", "C"]
    assert scale.grade([0.004, 0.3, 0.99]).tolist() == ["A", "B", "C"]
    with pytest.raises(ConfigError, match="strictly ascending and end at 1.0"):
        MasterScale(["A", "B"], [0.1, 0.5])
    with pytest.raises(DataError, match="PD values must lie in \\[0, 1\\]"):
        scale.grade([1.2])


def test_fitted_master_scale_has_equal_frequency_grades_with_rising_bad_rates() -> None:
    rng = np.random.default_rng(0)
    pds = rng.beta(1, 20, 8000)
    y = (rng.uniform(size=8000) < pds).astype(int)
    scale = MasterScale.fit(pds, y, n_grades=4)
    assert scale.grades == ["A", "B", "C", "D"]
    quartiles = np.quantile(pds, [0.25, 0.5, 0.75], method="inverted_cdf")
    # each edge lies midway between the quartile PD and the next PD that occurs
    nexts = [np.sort(pds)[np.searchsorted(np.sort(pds), q, side="right")] for q in quartiles]
    np.testing.assert_allclose(scale.max_pds[:3], (quartiles + nexts) / 2)
    assert scale.max_pds[3] == 1.0
    assert list(scale.shares(pds).values()) == pytest.approx([0.25, 0.25, 0.25, 0.25])
    grades = scale.grade(pds)
    rates = [y[grades == g].mean() for g in scale.grades]
    assert rates == sorted(rates) and len(set(rates)) == 4


def test_fitted_master_scale_merges_grades_whose_bad_rates_do_not_rise() -> None:
    # four PD levels of 100 rows; the second level defaults less often than the first
    pds = np.repeat([0.01, 0.02, 0.05, 0.2], 100)
    y = np.zeros(400, dtype=int)
    y[:10] = 1  # level 0.01: 10% bad
    y[100:105] = 1  # level 0.02: 5% bad -> merged with the first
    y[200:220] = 1  # level 0.05: 20% bad
    y[300:340] = 1  # level 0.2: 40% bad
    scale = MasterScale.fit(pds, y, n_grades=4)
    assert scale.grades == ["A", "B", "C"]
    assert scale.max_pds == pytest.approx([0.035, 0.125, 1.0])
    assert scale.grade([0.01, 0.02, 0.05, 0.2]).tolist() == ["A", "A", "B", "C"]
    with pytest.raises(ConfigError, match="n_grades must be between 2 and 26; got 1"):
        MasterScale.fit(pds, y, n_grades=1)
