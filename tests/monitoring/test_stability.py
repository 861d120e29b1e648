"""PSI / CSI arithmetic against numbers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scorecard.errors import DataError
from scorecard.modeling.evaluation import score_band_edges
from scorecard.monitoring import stability


def test_psi_of_a_quarter_moved_between_two_halves():
    # (0.25 - 0.5) ln(0.25/0.5) + (0.75 - 0.5) ln(0.75/0.5)
    expected = 0.25 * math.log(2) + 0.25 * math.log(1.5)
    assert stability.psi([50, 50], [25, 75]) == pytest.approx(expected)
    assert stability.psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.274653, abs=1e-6)
    assert stability.psi([25, 75], [50, 50]) == pytest.approx(expected)  # symmetric
    assert stability.psi([3, 7], [30, 70]) == 0.0


def test_psi_floors_an_empty_bin_share():
    # e = [1, 1e-4 floor], a = [0.5, 0.5]
    expected = (0.5 - 1) * math.log(0.5 / 1) + (0.5 - 1e-4) * math.log(0.5 / 1e-4)
    assert stability.psi([100, 0], [50, 50]) == pytest.approx(expected)
    assert math.isfinite(stability.psi([100, 0], [0, 10]))


def test_psi_rejects_mismatched_or_empty_bins():
    with pytest.raises(DataError, match="2 bins but actual has 3"):
        stability.psi([1, 2], [1, 2, 3])
    with pytest.raises(DataError, match="empty"):
        stability.psi([0, 0], [1, 2])


def test_numerical_bins_follow_bisect_right_with_special_and_missing_slots(numeric_spec):
    values = [0.0, 1.0, 2.5, 3.0, 10.0, -1.0, np.nan]
    codes = stability.feature_bin_codes(numeric_spec, values)
    assert codes.tolist() == [0, 1, 1, 2, 2, 3, 4]
    assert stability.feature_bin_labels(numeric_spec) == [
        "(-inf, 1)",
        "[1, 3)",
        "[3, inf)",
        "special",
        "missing",
    ]


def test_categorical_bins_map_categories_and_send_new_ones_to_unknown(categorical_spec):
    codes = stability.feature_bin_codes(categorical_spec, ["online", "branch", "agent", None, "mobile_app"])
    assert codes.tolist() == [0, 1, 4, 3, 0]
    assert stability.feature_bin_labels(categorical_spec)[2:] == ["special", "missing", "unknown"]


def test_stability_table_per_cohort_and_whole_batch():
    ref = np.array([0, 0, 1, 1])
    cur = np.array([0, 1, 1, 1, 0, 0, 0, 1])
    cohorts = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    table = stability.stability_table("x", ["lo", "hi"], ref, cur, cohorts, ["2024-01", "2024-02"])
    summary = stability.stability_summary(table).set_index("cohort")
    quarter_moved = 0.25 * math.log(2) + 0.25 * math.log(1.5)
    assert summary.loc["all", "psi"] == pytest.approx(0.0)  # 4 and 4 over both months
    assert summary.loc["2024-01", "psi"] == pytest.approx(quarter_moved)
    assert summary.loc["2024-02", "psi"] == pytest.approx(quarter_moved)
    assert summary["n"].tolist() == [8, 4, 4]
    jan = table[table["cohort"] == "2024-01"].set_index("bin")
    assert jan.loc["hi", "actual_n"] == 3
    assert jan.loc["hi", "contribution"] == pytest.approx(0.25 * math.log(1.5))
    assert jan.loc["lo", "expected_pct"] == 0.5


def test_cohorts_by_month_and_quarter_are_sorted():
    dates = pd.to_datetime(["2024-03-05", "2024-01-31", "2024-03-01", "2024-04-02"])
    codes, names = stability.cohort_codes(dates, "month")
    assert names == ["2024-01", "2024-03", "2024-04"]
    assert codes.tolist() == [1, 0, 1, 2]
    codes, names = stability.cohort_codes(dates, "quarter")
    assert names == ["2024Q1", "2024Q2"]
    assert codes.tolist() == [0, 0, 0, 1]
    with pytest.raises(DataError, match="1 rows have no parseable date"):
        stability.cohort_codes(["2024-01-01", "not a date"])


def test_score_bands_are_reference_quartiles():
    scores = np.arange(1, 101)
    edges = score_band_edges(scores, 4)
    assert edges.tolist() == pytest.approx([25.75, 50.5, 75.25])
    assert stability.band_codes([1, 25.75, 50, 100], edges).tolist() == [0, 1, 1, 3]
    assert stability.band_labels(edges)[0] == "[-inf, 25.75)"
    assert np.bincount(stability.band_codes(scores, edges)).tolist() == [25, 25, 25, 25]
