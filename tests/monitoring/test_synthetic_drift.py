"""The synthetic portfolio with drift, through the real pipeline (features, training, bundle): the shifted
half-year alerts and names the feature whose relationship changed; the half-year before it does not alert."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pandas as pd
import pytest
import yaml

from scorecard.bundle.export import export_bundle
from scorecard.cli.app import run
from scorecard.config import PiiConfig, parse_config
from scorecard.data.pii import apply_pii
from scorecard.data.synth import synthesize
from scorecard.data.synth_model import DRIFT_MONTHS, DRIFT_START
from scorecard.features.build import build_modeling_table
from scorecard.modeling.train import train_card
from scorecard.monitoring.run import monitor

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("drift"),
]  # one synthetic portfolio, features and a trained card: about 30 s

N_APPLICATIONS = 40_000
CHANGED = "bureau_inq_3m"  # synth_model.DRIFTED_RELATIONSHIP: inquiries in the 3 months before application
INQUIRY_COUNTS = ("bureau_inq_6m", "bureau_lenders_inq_3m")  # counted from the same inquiry events
RAW = {
    "card": "application",
    "name": "drift_card",
    "data": {"sources": {"applications": {"path": "unused.parquet"}}},
    "features": {"families": ["application", "bureau", "device"]},
    "split": {"oot_start": str(DRIFT_START)},
    "challenger": {"enabled": False},
}


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Train on the months before the drift; keep the bundle, the development sample and both half-years."""
    folder = tmp_path_factory.mktemp("drift")
    config = parse_config(RAW)
    tables = apply_pii(synthesize(N_APPLICATIONS, seed=7, drift=True), PiiConfig(key_env="SCORECARD_PII_KEY"))
    table = build_modeling_table(tables, config)
    card = train_card(config, table)
    bundle = export_bundle(card, folder / "bundle", created_at="2025-01-01T00:00:00Z")
    frame = table.frame
    start = pd.Timestamp(DRIFT_START)
    drifted = frame[(frame["snapshot_date"] >= start)]
    before = frame[(frame["snapshot_date"] >= start - pd.DateOffset(months=DRIFT_MONTHS))
                   & (frame["snapshot_date"] < start)]  # fmt: skip
    assert drifted["snapshot_date"].max() < start + pd.DateOffset(months=DRIFT_MONTHS)
    return {
        "config": config,
        "bundle": bundle,
        "features": card.scorecard.features_,
        "reference": frame[frame["split"] == "train"],
        "drifted": drifted,
        "before": before,
        "folder": folder,
    }


def test_the_card_uses_the_feature_whose_relationship_changes(portfolio):
    assert CHANGED in portfolio["features"]


def test_drifted_half_year_alerts_and_flags_the_changed_relationship(portfolio):
    result = monitor(
        portfolio["config"], portfolio["drifted"], portfolio["reference"], portfolio["bundle"], drift=False
    )
    assert result.status == "alert", [f.message for f in result.findings]
    flagged = [f.subject for f in result.findings if f.check == "relationship"]
    # the changed relationship first (findings are worst first); the card also keeps the other inquiry counts
    # built from the same events (6-month window, distinct lenders), whose relationship changed with it
    assert flagged[0] == CHANGED
    assert set(flagged) <= {CHANGED, *INQUIRY_COUNTS}, flagged
    rel = result.relationships.set_index("feature")
    assert rel.loc[CHANGED, "strength"] < 0.7 and rel.loc[CHANGED, "p_value"] < 0.01
    assert rel.loc[CHANGED, "iv_cur"] < 0.75 * rel.loc[CHANGED, "iv_dev"]
    # the population moved too: younger applicants (app_age_years) on the card's own bins
    csi = {f.subject for f in result.findings if f.check == "csi"}
    assert "app_age_years" in csi


def test_half_year_before_the_drift_does_not_alert(portfolio):
    result = monitor(
        portfolio["config"], portfolio["before"], portfolio["reference"], portfolio["bundle"], drift=False
    )
    assert result.status != "alert", [f.message for f in result.findings]
    assert not [f for f in result.findings if f.check in ("relationship", "score_psi", "gini_drop")]


def test_cli_exit_code_files_and_mlflow_run(portfolio, tmp_path, capsys):
    current = tmp_path / "current.parquet"
    reference = tmp_path / "reference.parquet"
    portfolio["drifted"].to_parquet(current)
    portfolio["reference"].to_parquet(reference)
    config = tmp_path / "drift_card.yaml"
    config.write_text(yaml.safe_dump({**RAW, "split": {"oot_start": str(DRIFT_START)}}))
    out = tmp_path / "report"
    args = ["monitor", "--card", "application", "--config", str(config), "--current", str(current),
            "--reference", str(reference), "--bundle", str(portfolio["bundle"]), "--out", str(out)]  # fmt: skip
    assert run(args) == 20
    assert "status: alert" in capsys.readouterr().out
    summary = json.loads((out / "monitoring_summary.json").read_text())
    assert summary["status"] == "alert" and summary["exit_code"] == 20
    assert {Path(p).suffix for p in summary["files"].values()} >= {".html", ".json", ".csv"}
    assert (out / "evidently_drift.html").stat().st_size > 10_000
    runs = mlflow.search_runs(experiment_names=["drift_card_monitoring"])
    assert len(runs) == 1
    assert runs.loc[0, "tags.monitoring.status"] == "alert"
    assert runs.loc[0, "metrics.exit_code"] == 20
    assert runs.loc[0, "metrics.score_psi"] == pytest.approx(summary["score_psi"]["all"])


def test_cli_reports_a_missing_reference_as_an_error(portfolio, tmp_path):
    config = tmp_path / "drift_card.yaml"
    config.write_text(yaml.safe_dump(RAW))
    current = tmp_path / "current.parquet"
    portfolio["before"].head(50).to_parquet(current)
    args = ["monitor", "--card", "application", "--config", str(config), "--current", str(current),
            "--bundle", str(portfolio["bundle"]), "--out", str(tmp_path / "out"), "--no-mlflow"]  # fmt: skip
    assert run(args) == 1
