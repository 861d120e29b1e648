"""A monitoring run on a hand-made two-feature card: findings, status, exit code and the files written."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scorecard.config import parse_config
from scorecard.monitoring.report import psi_trend_plot
from scorecard.monitoring.run import EXIT_CODES, MonitoredCard, monitor
from scorecard.monitoring.stability import feature_bin_codes

GRADES = [("A", 0.10), ("B", 0.20), ("C", 1.0)]


def _points(features: list[dict[str, Any]], frame: pd.DataFrame) -> np.ndarray:
    """500 + each feature's points by bin slot (regular bins, special, missing, unknown)."""
    total = np.full(len(frame), 500, dtype=np.int64)
    for f in features:
        slots = [
            *f["bins"],
            f["special"],
            f["missing"],
            *([f["unknown"]] if f["kind"] == "categorical" else []),
        ]
        total += np.asarray([p["points"] for p in slots])[feature_bin_codes(f, frame[f["name"]])]
    return total


def _card(features: list[dict[str, Any]], development: pd.DataFrame) -> MonitoredCard:
    """A card whose PD per score is development's bad rate at that score (so it is calibrated there)."""
    pd_by_score = development.groupby(_points(features, development))["target"].mean()
    limits = np.array([m for _, m in GRADES])
    names = np.array([g for g, _ in GRADES], dtype=object)

    def score(frame: pd.DataFrame) -> dict[str, np.ndarray]:
        s = _points(features, frame)
        pd_ = pd_by_score.reindex(s).fillna(development["target"].mean()).to_numpy()
        return {"score": s, "pd": pd_, "grade": names[np.searchsorted(limits, pd_)]}

    return MonitoredCard(features, [g for g, _ in GRADES], score, model="unit_card", version="7")


def _sample(
    n: int, months: list[str], seed: int, inq_mean: float = 1.5, inq_slope: float = 0.35
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    inq = rng.poisson(inq_mean, n).astype(float)
    channel = rng.choice(["online", "mobile_app", "branch"], n, p=[0.4, 0.3, 0.3]).astype(object)
    logit = -2.6 + inq_slope * np.minimum(inq, 8) + 0.4 * (channel == "online")
    target = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(float)
    inq[rng.uniform(size=n) < 0.05] = -1.0
    inq[rng.uniform(size=n) < 0.03] = np.nan
    dates = pd.to_datetime(rng.choice(months, n)) + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    return pd.DataFrame({"inq_3m": inq, "channel": channel, "snapshot_date": dates, "target": target})


@pytest.fixture
def config():
    return parse_config(
        {
            "card": "application",
            "name": "unit_card",
            "data": {"flat_table": {"path": "x.csv", "target": "bad"}},
        }
    )


def test_stable_batch_is_ok(config, numeric_spec, categorical_spec, tmp_path):
    reference = _sample(6000, ["2023-01", "2023-02", "2023-03"], seed=1)
    card = _card([numeric_spec, categorical_spec], reference)
    current = _sample(3000, ["2024-01", "2024-02", "2024-03"], seed=2)
    result = monitor(config, current, reference, card, tmp_path, drift=False)
    assert result.status == "ok", result.findings
    assert result.exit_code == 0
    assert result.context["cohorts"] == ["2024-01", "2024-02", "2024-03"]
    assert result.performance is not None and result.calibration is not None
    assert result.performance.set_index("cohort").loc["all", "gini_drop"] < config.monitoring.gini_drop_warn
    summary = json.loads((tmp_path / "monitoring_summary.json").read_text())
    assert summary["status"] == "ok" and summary["exit_code"] == 0
    assert set(summary["score_psi"]) == {"all", "2024-01", "2024-02", "2024-03"}
    assert summary["score_psi"]["all"] < 0.02
    (ax,) = psi_trend_plot(result).axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[0] == "score" and sorted(labels[1:3]) == [
        "channel",
        "inq_3m",
    ]  # score, then the card's features
    assert labels[3:] == [f"warn {config.monitoring.psi_warn:g}", f"alert {config.monitoring.psi_alert:g}"]
    assert [len(line.get_xdata()) for line in ax.get_lines()[:3]] == [3, 3, 3]  # one point per cohort


def test_shifted_month_alerts_and_names_the_changed_feature(config, numeric_spec, categorical_spec, tmp_path):
    reference = _sample(6000, ["2023-01", "2023-02", "2023-03"], seed=1)
    card = _card([numeric_spec, categorical_spec], reference)
    stable = _sample(2000, ["2024-01", "2024-02"], seed=3)
    # March: more inquiries, and inquiries no longer carry risk
    shifted = _sample(1500, ["2024-03"], seed=4, inq_mean=3.5, inq_slope=0.0)
    current = pd.concat([stable, shifted], ignore_index=True)
    result = monitor(config, current, reference, card, tmp_path)
    assert result.status == "alert" and result.exit_code == EXIT_CODES["alert"] == 20
    by_check = {(f.check, f.subject): f for f in result.findings}
    assert by_check[("csi", "inq_3m @ 2024-03")].level == "alert"
    assert ("csi", "inq_3m @ 2024-01") not in by_check
    assert by_check[("relationship", "inq_3m")].level in ("warn", "alert")
    assert ("relationship", "channel") not in by_check
    assert result.relationships is not None
    assert result.relationships.iloc[0]["feature"] == "inq_3m"  # most significant change first
    assert result.findings[0].level == "alert"  # worst first
    html = (tmp_path / "monitoring_report.html").read_text()
    assert html.count('<img alt="') == 5  # PSI trend, scores, Gini, grades, and the inq_3m bad rate by bin
    assert '<img alt="inq_3m"' in html
    for name in (
        "evidently_drift.html",
        "evidently_drift.json",
        "feature_stability.csv",
        "relationship_bins.csv",
    ):
        assert (tmp_path / name).is_file(), name
    bins = pd.read_csv(tmp_path / "feature_stability.csv")
    jan = bins[(bins["variable"] == "inq_3m") & (bins["cohort"] == "2024-03")]
    assert jan["contribution"].sum() == pytest.approx(by_check[("csi", "inq_3m @ 2024-03")].value)


def test_missing_input_column_is_a_clear_error(config, numeric_spec, categorical_spec):
    from scorecard.errors import DataError

    reference = _sample(100, ["2023-01"], seed=1)
    card = _card([numeric_spec, categorical_spec], reference)
    with pytest.raises(DataError, match=r"current batch: missing column\(s\) \['channel'\]"):
        monitor(config, reference.drop(columns="channel"), reference, card, drift=False)
