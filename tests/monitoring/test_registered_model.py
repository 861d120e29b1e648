"""``scorecard monitor --model NAME@champion``: bundle and development sample from the registry, run linked back."""

from __future__ import annotations

import mlflow
import pandas as pd
import pytest
import yaml
from tests.tracking.cards import card_config, modeling_table

from scorecard.cli.app import run
from scorecard.monitoring.job import DEV_SAMPLE_ARTIFACT
from scorecard.tracking import registry
from scorecard.tracking.runs import train_and_log
from scorecard.tracking.store import connect

pytestmark = pytest.mark.slow  # trains, logs and registers a card

NAME = "monitored_scorecard"


def test_monitor_the_champion_from_the_registry(tmp_path, capsys):
    config = card_config(NAME)
    config.challenger.enabled = False
    table = modeling_table(3000)
    tracked = train_and_log(config, table)
    client = connect(config)
    registry.promote(NAME, tracked.version, config.gates, force=True, reason="monitoring test", client=client)
    frame = table.frame
    frame[frame["split"] == "oot"].to_parquet(tmp_path / "current.parquet")
    path = tmp_path / "card.yaml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    args = ["monitor", "--card", "application", "--config", str(path), "--current", str(tmp_path / "current.parquet"),
            "--model", f"{NAME}@champion", "--out", str(tmp_path / "report")]  # fmt: skip

    logged = client.download_artifacts(tracked.run_id, DEV_SAMPLE_ARTIFACT, str(tmp_path))
    dev = pd.read_parquet(logged)  # the training run logged its development sample: monitoring's reference
    assert len(dev) == int((frame["split"] == "train").sum())
    assert {"snapshot_date", "target", *table.features} <= set(dev.columns)
    assert run(args) in (0, 10, 20)
    monitoring = mlflow.search_runs(experiment_names=["retail_application_monitoring"])
    assert len(monitoring) == 1
    assert monitoring.loc[0, "tags.scorecard.model_name"] == NAME
    assert monitoring.loc[0, "tags.scorecard.model_version"] == tracked.version
    version = client.get_model_version(NAME, tracked.version)
    assert version.tags["monitoring.last_run_id"] == monitoring.loc[0, "run_id"]
    assert version.tags["monitoring.last_status"] == monitoring.loc[0, "tags.monitoring.status"]
