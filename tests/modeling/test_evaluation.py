"""Evaluation metrics against hand-worked numbers and second libraries (scipy, sklearn)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import brier_score_loss

from scorecard.modeling.evaluation import (
    discrimination,
    evaluate,
    gains_table,
    grade_table,
    hosmer_lemeshow,
    ks_statistic,
    psi,
    psi_table,
    score_band_edges,
)


def test_auc_gini_ks_by_hand() -> None:
    # pairs (bad, good): (0.35, 0.1) ok, (0.35, 0.4) wrong, (0.8, 0.1) ok, (0.8, 0.4) ok -> AUC 3/4
    y, risk = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    got = discrimination(y, risk)
    assert got["auc"] == pytest.approx(0.75)
    assert got["gini"] == pytest.approx(0.5)
    # at threshold 0.35: half the bads caught, no good -> 0.5; at 0.8 one bad, 0 goods... max gap = 0.5
    assert got["ks"] == pytest.approx(0.5)


def test_ks_matches_scipy_two_sample_statistic() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    risk = rng.normal(loc=0.7 * y, size=2000)
    expected = stats.ks_2samp(risk[y == 1], risk[y == 0]).statistic
    assert ks_statistic(y, risk) == pytest.approx(expected, abs=1e-12)


def test_single_class_gives_nan_not_an_error() -> None:
    assert np.isnan(discrimination([0, 0, 0], [0.1, 0.2, 0.3])["auc"])


def test_gains_table_by_hand() -> None:
    score = np.array([500, 510, 520, 530, 540, 550, 560, 570, 580, 590])
    y = np.array([1, 1, 0, 1, 0, 0, 0, 1, 0, 0])
    table = gains_table(y, score, edges=np.array([540.0]))
    assert table["count"].tolist() == [4, 6]
    assert table["bads"].tolist() == [3, 1]
    assert table["bad_rate"].tolist() == pytest.approx([0.75, 1 / 6])
    assert table["capture"].tolist() == pytest.approx([0.75, 1.0])
    assert table["ks"].iloc[0] == pytest.approx(0.75 - 1 / 6)
    assert table["lift"].iloc[0] == pytest.approx(0.75 / 0.4)
    assert table["cum_lift"].iloc[-1] == pytest.approx(1.0)


def test_score_band_edges_make_equal_bands() -> None:
    edges = score_band_edges(np.arange(100), 4)
    assert np.bincount(np.searchsorted(edges, np.arange(100), side="right")).tolist() == [25, 25, 25, 25]


def test_grade_table_and_hosmer_lemeshow_by_hand() -> None:
    grades = ["A"] * 4 + ["B"] * 4 + ["C"] * 2
    y = [0, 0, 0, 1, 0, 1, 1, 0, 1, 1]
    pd_ = [0.1] * 4 + [0.5] * 4 + [0.8] * 2
    table = grade_table(y, pd_, grades, order=["A", "B", "C", "D"])
    assert table["count"].tolist() == [4, 4, 2, 0]
    assert table["bads"].tolist() == [1, 2, 2, 0]
    assert table["expected_bads"].tolist() == pytest.approx([0.4, 2.0, 1.6, 0.0])
    # (1-0.4)^2/(0.4*0.9) + 0 + (2-1.6)^2/(1.6*0.2) = 1.0 + 0.5
    stat, p, dof = hosmer_lemeshow(table["bads"], table["expected_bads"], table["count"], in_sample=False)
    assert stat == pytest.approx(1.5)
    assert dof == 3
    assert p == pytest.approx(stats.chi2.sf(1.5, 3))
    assert hosmer_lemeshow(table["bads"], table["expected_bads"], table["count"])[2] == 1


def test_psi_by_hand() -> None:
    expected = np.array([1, 1, 2, 2, 3, 3, 4, 4.0])
    actual = np.array([1, 2, 2, 2, 3, 3, 3, 4.0])
    edges = [1.5, 2.5, 3.5]
    shares_e = np.array([0.25, 0.25, 0.25, 0.25])
    shares_a = np.array([0.125, 0.375, 0.375, 0.125])
    by_hand = np.sum((shares_a - shares_e) * np.log(shares_a / shares_e))
    assert psi(expected, actual, edges) == pytest.approx(by_hand)
    assert psi(expected, expected, 4) == pytest.approx(0.0)


def test_psi_counts_missing_as_own_bin_and_floors_empty_bins() -> None:
    table = psi_table([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, np.nan, np.nan], [2.5])
    assert table["expected_share"].tolist() == [0.5, 0.5, 0.0]
    assert table["actual_share"].tolist() == [0.5, 0.0, 0.5]
    term = (0.5 - 1e-4) * np.log(0.5 / 1e-4)
    assert table["psi"].sum() == pytest.approx(2 * term)


def test_evaluate_reports_every_model_and_split() -> None:
    rng = np.random.default_rng(4)
    n = 3000
    y = rng.integers(0, 2, n).astype(float)
    score = np.round(600 - 40 * y + rng.normal(0, 40, n))
    frame = pd.DataFrame({"split": rng.choice(["train", "test", "oot"], n, p=[0.6, 0.2, 0.2]), "target": y})
    for model, noise in (("scorecard", 0), ("challenger", 5)):
        frame[f"{model}_score"] = score + rng.normal(0, noise, n) if noise else score
        frame[f"{model}_pd"] = 1 / (1 + np.exp((frame[f"{model}_score"] - 600) / 30))
        frame[f"{model}_grade"] = np.where(frame[f"{model}_pd"] < 0.5, "A", "B")
    metrics, tables = evaluate(frame, ["scorecard", "challenger"], ["A", "B"])
    test = frame[frame["split"] == "test"]
    sc = metrics["scorecard"]["test"]
    assert sc["auc"] == pytest.approx(discrimination(test["target"], -test["scorecard_score"])["auc"])
    assert sc["brier"] == pytest.approx(brier_score_loss(test["target"], test["scorecard_pd"]))
    assert metrics["scorecard"]["train"]["score_psi"] == pytest.approx(0.0)
    assert set(tables["gains"]["split"]) == {"train", "test", "oot"}
    side = tables["side_by_side"].set_index(["split", "metric"])
    assert side.loc[("test", "auc"), "difference"] == pytest.approx(
        metrics["challenger"]["test"]["auc"] - metrics["scorecard"]["test"]["auc"]
    )
