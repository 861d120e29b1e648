"""Monitoring runs by CLI on the behaviour and collection cards too, with their shipped configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scorecard.bundle.export import export_bundle
from scorecard.cli.app import run
from scorecard.config import PiiConfig, load_config
from scorecard.data.pii import apply_pii
from scorecard.data.synth import synthesize
from scorecard.features.build import build_modeling_table
from scorecard.modeling.train import train_card
from scorecard.monitoring.run import EXIT_CODES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("monitor_cards"),
]  # features and a trained card per card type

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


@pytest.fixture(scope="module")
def tables():
    return apply_pii(synthesize(12_000, seed=3), PiiConfig(key_env="SCORECARD_PII_KEY"))


@pytest.mark.parametrize("card", ["behaviour", "collection"])
def test_cli_monitors_the_card(card, tables, tmp_path, capsys):
    path = CONFIGS / f"{card}.yaml"
    config = load_config(path)
    config.challenger.enabled = False
    config.features.observation.cadence_months = 3  # fewer behaviour snapshots: a quicker test
    table = build_modeling_table(tables, config)
    trained = train_card(config, table)
    bundle = export_bundle(trained, tmp_path / "bundle", created_at="2025-01-01T00:00:00Z")
    frame = table.frame
    frame[frame["split"] == "train"].to_parquet(tmp_path / "reference.parquet")
    frame[frame["split"] == "oot"].to_parquet(tmp_path / "current.parquet")
    out = tmp_path / "report"
    code = run(
        ["monitor", "--card", card, "--config", str(path), "--current", str(tmp_path / "current.parquet"),
         "--reference", str(tmp_path / "reference.parquet"), "--bundle", str(bundle), "--out", str(out),
         "--no-mlflow"]
    )  # fmt: skip
    summary = json.loads((out / "monitoring_summary.json").read_text())
    assert code == EXIT_CODES[summary["status"]], capsys.readouterr().err
    assert summary["context"]["card_type"] == card
    assert set(summary["csi"]) == set(trained.scorecard.features_)
    assert summary["performance"][0]["cohort"] == "all" and summary["performance"][0]["n"] > 0
    assert (out / "monitoring_report.html").stat().st_size > 50_000  # plots embedded
