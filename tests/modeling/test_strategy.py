"""Strategy tables worked by hand on small samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecard.modeling.strategy import cutoff_table, knockout_rates, limit_tables, swap_sets, treatment_table

SCORE = np.array([500, 520, 540, 560, 580, 600, 620, 640])
TARGET = np.array([1, 1, 0, 1, 0, 0, 0, 0])
PD = np.array([0.4, 0.3, 0.3, 0.2, 0.1, 0.1, 0.05, 0.05])


def test_cutoff_table_by_hand() -> None:
    table = cutoff_table(SCORE, TARGET, PD, cutoffs=[540, 600], policy={"approve": 600, "decline": 520})
    assert table["cutoff"].tolist() == [520, 540, 600]
    assert table["policy"].tolist() == ["decline", "", "approve"]
    at_540 = table.iloc[1]
    assert at_540["approved"] == 6 and at_540["approval_rate"] == pytest.approx(6 / 8)
    assert at_540["observed_bad_rate"] == pytest.approx(1 / 6)  # one bad (560) among 540..640
    assert at_540["expected_bad_rate"] == pytest.approx((0.3 + 0.2 + 0.1 + 0.1 + 0.05 + 0.05) / 6)
    assert at_540["bads_avoided"] == 2 and at_540["bads_avoided_share"] == pytest.approx(2 / 3)
    assert at_540["goods_declined"] == 0
    at_600 = table.iloc[2]
    assert (at_600["bads_avoided"], at_600["goods_declined"], at_600["observed_bad_rate"]) == (3, 2, 0.0)


def test_default_cutoffs_are_score_quantiles_plus_the_policy() -> None:
    score = np.arange(100.0)
    table = cutoff_table(score, score % 2, np.full(100, 0.5), policy={"approve": 33.3})
    assert 33.3 in table["cutoff"].tolist() and {5.0, 50.0, 94.0} <= set(table["cutoff"])
    assert table["approval_rate"].is_monotonic_decreasing


def test_swap_sets_by_hand() -> None:
    candidate = np.array([1, 1, 1, 0, 0, 1, 0, 1], bool)
    champion = np.array([1, 0, 1, 1, 0, 1, 1, 1], bool)
    table = swap_sets(TARGET, candidate, champion).set_index("set")
    assert table.loc["swap_in", "rows"] == 1 and table.loc["swap_in", "bad_rate"] == 1.0  # row 1, bad
    assert table.loc["swap_out", "rows"] == 2 and table.loc["swap_out", "bad_rate"] == 0.5  # rows 3 (bad), 6
    assert table.loc["kept", "rows"] == 4 and table.loc["kept", "bads"] == 1
    assert table.loc["declined_by_both", "rows"] == 1
    assert table.loc["approved_by_candidate", "bad_rate"] == pytest.approx(2 / 5)
    assert table.loc["approved_by_champion", "bad_rate"] == pytest.approx(2 / 6)


def test_knockout_rates_count_the_deciding_rule() -> None:
    knockout = np.array(["underage", "", "", "blacklist", "underage", "", "", ""])
    table = knockout_rates(knockout, ["blacklist", "underage", "never_fires"], TARGET)
    assert table["rule"].tolist() == ["blacklist", "underage", "never_fires", "(none)"]
    assert table["rows"].tolist() == [1, 2, 0, 5]
    assert table["share"].tolist() == pytest.approx([1 / 8, 2 / 8, 0, 5 / 8])
    assert table.loc[1, "bad_rate"] == pytest.approx(0.5) and np.isnan(table.loc[2, "bad_rate"])


def test_treatment_table_names_the_event() -> None:
    decision = np.array(["call", "call", "letter", "letter", "call", "letter", "field", "field"])
    table = treatment_table(decision, TARGET, event="non_cure").set_index("treatment")
    assert table.loc["call", "rows"] == 3 and table.loc["call", "non_cure_rate"] == pytest.approx(2 / 3)
    assert table.loc["letter", "non_cure_rate"] == pytest.approx(1 / 3)
    assert table.loc["field", "share"] == pytest.approx(0.25) and table.loc["field", "non_cure_rate"] == 0


def test_limit_tables_expected_loss_by_grade() -> None:
    limit = np.array([0, 500, 2000, 2000, 12000, 0, 800, 0.0])
    grade = np.array(["C", "C", "B", "B", "A", "A", "B", "C"])
    tables = limit_tables(limit, PD, grade, TARGET, lgd=0.5)
    dist = tables["limit_distribution"].set_index("amount_band")
    assert dist.loc["0-1,000", "rows"] == 2 and dist.loc["1,000-2,500", "total"] == 4000
    assert dist.loc["10,000-20,000", "share"] == pytest.approx(1 / 5)
    by = tables["limit_by_grade"].set_index("grade")
    assert by.loc["B", "grants"] == 3 and by.loc["B", "total_granted"] == 4800
    assert by.loc["B", "expected_loss"] == pytest.approx(0.5 * (0.3 * 2000 + 0.2 * 2000 + 0.05 * 800))
    assert by.loc["B", "observed_loss"] == pytest.approx(0.5 * 2000)  # the bad at 560 had 2000
    assert by.loc["A", "mean_limit"] == 12000 and by.loc["C", "mean_limit"] == 500


def test_feature_stability_by_hand() -> None:
    from scorecard.modeling.stability import feature_stability

    reference = pd.DataFrame({"f": [10] * 50 + [20] * 50})
    current = pd.DataFrame({"f": [10] * 25 + [20] * 75})
    table = feature_stability(reference, current)
    expected = (0.25 - 0.5) * np.log(0.25 / 0.5) + (0.75 - 0.5) * np.log(0.75 / 0.5)
    assert table.loc[0, "csi"] == pytest.approx(expected)
    assert table.loc[0, "points_shift"] == pytest.approx((0.25 - 0.5) * 10 + (0.75 - 0.5) * 20)


def test_auc_confidence_matches_hanley_mcneil() -> None:
    from scorecard.modeling.stability import auc_confidence

    se, lo, hi = auc_confidence(0.8, 50, 450)  # Hanley & McNeil: Q1 = 0.8/1.2, Q2 = 1.28/1.8
    q1, q2 = 0.8 / 1.2, 1.28 / 1.8
    assert se == pytest.approx(np.sqrt((0.16 + 49 * (q1 - 0.64) + 449 * (q2 - 0.64)) / (50 * 450)))
    assert (lo, hi) == pytest.approx((0.8 - 1.959964 * se, 0.8 + 1.959964 * se))
