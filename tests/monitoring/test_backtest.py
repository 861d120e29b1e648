"""Backtest metrics against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scorecard.monitoring import backtest


def test_ranking_of_four_rows():
    # bads at scores 650 and 550, goods at 700 and 600: 3 of 4 bad-good pairs ordered -> AUC 0.75;
    # ascending scores 550 b, 600 g, 650 b, 700 g: cumulative bad - good peaks at 0.5.
    out = backtest.ranking(np.array([0.0, 0.0, 1.0, 1.0]), np.array([700, 600, 650, 550]))
    assert out["auc"] == pytest.approx(0.75)
    assert out["gini"] == pytest.approx(0.5)
    assert out["ks"] == pytest.approx(0.5)
    assert (out["n"], out["bads"], out["bad_rate"]) == (4, 2, 0.5)
    # Hanley-McNeil: Q1 = A/(2-A) = 0.6, Q2 = 2A^2/(1+A) = 9/14; var(AUC) = (A(1-A) + (Q1-A^2) + (Q2-A^2)) / 4
    var_auc = (0.75 * 0.25 + (0.6 - 0.5625) + (9 / 14 - 0.5625)) / 4
    assert out["gini_se"] == pytest.approx(2 * math.sqrt(var_auc))


def test_ranking_by_cohort_reports_the_gini_drop():
    y = np.array([0, 1, 0, 1, 0, 0, 1, 1], dtype=float)
    score = np.array([700, 500, 650, 550, 600, 640, 620, 700])
    cohorts = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    table = backtest.ranking_by_cohort(y, score, cohorts, ["m1", "m2"], development_gini=0.8).set_index(
        "cohort"
    )
    assert table.loc["m1", "gini"] == pytest.approx(1.0)
    # m2: bads 620, 700; goods 600, 640: ordered pairs (620<640) only -> AUC 1/4, Gini -0.5
    assert table.loc["m2", "gini"] == pytest.approx(-0.5)
    assert table.loc["m2", "gini_drop"] == pytest.approx(1.3)
    # one-sided p of the drop: normal tail at drop / se
    assert table.loc["m2", "p_drop"] == pytest.approx(
        0.5 * math.erfc(1.3 / table.loc["m2", "gini_se"] / math.sqrt(2))
    )


def _binomial_two_sided(k: int, n: int, p: float) -> float:
    pmf = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    return min(1.0, sum(q for q in pmf if q <= pmf[k] * (1 + 1e-7)))


def test_calibration_by_grade_with_exact_binomial_test():
    grade = np.array(["A"] * 100 + ["B"] * 50)
    pd_hat = np.r_[np.full(100, 0.02), np.full(50, 0.1)]
    target = np.r_[np.ones(8), np.zeros(92), np.ones(5), np.zeros(45)]
    dev_grade = np.array(["A", "A", "B", "B"])
    dev_target = np.array([0.0, 0.0, 1.0, 0.0])
    table = backtest.calibration_by_grade(grade, pd_hat, target, ["A", "B", "C"], dev_grade, dev_target)
    table = table.set_index("grade")
    assert table.loc["A", "observed_bad_rate"] == pytest.approx(0.08)
    assert table.loc["A", "predicted_pd"] == pytest.approx(0.02)
    assert table.loc["A", "p_value"] == pytest.approx(_binomial_two_sided(8, 100, 0.02), rel=1e-6)
    assert table.loc["A", "p_value"] < 0.01
    assert table.loc["B", "p_value"] == pytest.approx(_binomial_two_sided(5, 50, 0.1), rel=1e-6)
    assert table.loc["B", "dev_bad_rate"] == 0.5
    assert table.loc["C", "count"] == 0 and np.isnan(table.loc["C", "p_value"])


def _bins(n: list[int], bads: list[int]) -> tuple[np.ndarray, np.ndarray]:
    codes = np.repeat(np.arange(len(n)), n)
    target = np.concatenate([np.r_[np.ones(b), np.zeros(m - b)] for m, b in zip(n, bads, strict=True)])
    return codes, target


def test_relationship_shift_measures_a_reversed_relationship():
    # two bins fit exactly: slope = logit-rate difference / WOE difference, so swapping the bad rates
    # between the bins reverses the slope: strength -1
    ref = _bins([1000, 1000], [100, 300])
    cur = _bins([1000, 1000], [300, 100])
    summary, bins = backtest.relationship_shift("x", ["lo", "hi"], *ref, *cur)
    assert summary["strength"] == pytest.approx(-1.0, abs=1e-6)
    assert summary["p_value"] < 1e-12
    assert bins["cur_bad_rate"].tolist() == [0.3, 0.1]
    assert bins["dev_bad_rate"].tolist() == [0.1, 0.3]
    woe_lo = math.log((900.5 / 1600.5) / (100.5 / 400.5))  # ln(%good / %bad), 0.5 added per cell
    assert bins["woe_dev"].iloc[0] == pytest.approx(woe_lo)
    assert summary["iv_dev"] == pytest.approx(summary["iv_cur"])  # same shares, bins swapped


def test_relationship_shift_ignores_a_change_of_level_only():
    # bad odds doubled in both bins: 1/9 -> 2/9 (200 of 1100), 3/7 -> 6/7 (600 of 1300)
    ref = _bins([1000, 1000], [100, 300])
    cur = _bins([1100, 1300], [200, 600])
    summary, bins = backtest.relationship_shift("x", ["lo", "hi"], *ref, *cur)
    assert summary["strength"] == pytest.approx(1.0, abs=1e-6)
    assert summary["p_value"] == pytest.approx(1.0, abs=1e-6)
    assert bins["expected_bad_rate"].tolist() == pytest.approx([200 / 1100, 600 / 1300], abs=0.01)


def test_relationship_shift_of_a_weakened_feature():
    # three bins; development bad rates 5% / 10% / 20%, current flat at 10%: strength 0
    ref = _bins([2000, 2000, 2000], [100, 200, 400])
    cur = _bins([2000, 2000, 2000], [200, 200, 200])
    summary, _ = backtest.relationship_shift("x", ["a", "b", "c"], *ref, *cur)
    assert summary["strength"] == pytest.approx(0.0, abs=1e-6)  # equal rates: the MLE slope is 0
    assert summary["p_value"] < 1e-12
    assert summary["iv_cur"] == pytest.approx(0.0, abs=1e-5)  # 0 but for the 0.5 smoothing


def test_matured_rows_need_a_target_and_an_elapsed_window():
    dates = pd.to_datetime(["2024-01-15", "2024-06-01", "2024-01-01", "2023-12-01"])
    target = [1.0, 0.0, np.nan, 0.0]
    assert backtest.matured(dates, target).tolist() == [True, True, False, True]
    mask = backtest.matured(dates, target, as_of="2025-01-15", window=pd.DateOffset(months=12))
    assert mask.tolist() == [True, False, False, True]
