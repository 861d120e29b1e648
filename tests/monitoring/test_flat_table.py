"""Monitoring a flat-table card: the current batch and the reference come in the lender's own layout (its target
labels, date and id columns), dated or not, and `scorecard monitor` runs on them as on a canonical card."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from tests.tracking.cards import modeling_table

from scorecard.bundle.export import export_bundle
from scorecard.cli.app import run
from scorecard.config import load_config
from scorecard.errors import DataError
from scorecard.features.flat import load_flat_table
from scorecard.modeling.train import train_card
from scorecard.monitoring.job import run_job

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("flat_monitor"),
]  # two small cards trained: about 20 s


def _lender_layout(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """The test cards' applications renamed as a lender keeps them: Y/N flag, its own id and date columns."""
    frame = modeling_table(n=n, seed=seed).frame
    frame["utilisation"] = (frame["utilisation"] + shift).clip(upper=1.0)
    return pd.DataFrame(
        {
            "loan_ref": frame["application_id"].map(lambda i: f"L{seed}-{i:05d}"),
            "opened": frame["snapshot_date"].dt.strftime("%Y-%m-%d"),
            "util": frame["utilisation"],
            "inq6": frame["inquiries_6m"],
            "age": frame["age"],
            "channel": frame["channel"],
            "defaulted": np.where(frame["target"] == 1, "Y", "N"),
        }
    )


def _card(folder: Path, dated: bool) -> tuple[Path, Path]:
    """Train and export a flat card on the lender-layout file; return its config and bundle."""
    _lender_layout(3000, seed=0).to_csv(folder / "development.csv", index=False)
    flat = {"path": "development.csv", "target": "defaulted", "bad_value": "Y", "id_column": "loan_ref"}
    if dated:
        flat["date_column"] = "opened"
    config = folder / "card.yaml"
    raw = {"card": "application", "name": "flat_watch", "data": {"flat_table": flat}}
    raw["challenger"] = {"enabled": False}
    config.write_text(yaml.safe_dump(raw, sort_keys=False))
    cfg = load_config(config)
    card = train_card(cfg, load_flat_table(cfg))
    return config, export_bundle(card, folder / "bundle", created_at="2025-01-01T00:00:00Z")


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("flat_dated")
    return (folder, *_card(folder, dated=True))


def test_a_shifted_batch_in_the_lenders_layout_alerts_on_the_changed_input(dated, tmp_path):
    folder, config, bundle = dated
    current = _lender_layout(2000, seed=5, shift=0.35)
    current.loc[current.index[:500], "defaulted"] = None  # outcomes not known yet
    current.to_csv(tmp_path / "current.csv", index=False)
    args = ["monitor", "--card", "flat_watch", "--config", str(config), "--current", str(tmp_path / "current.csv"),
            "--reference", str(folder / "development.csv"), "--bundle", str(bundle),
            "--out", str(tmp_path / "report"), "--no-mlflow"]  # fmt: skip
    assert run(args) == 20
    summary = json.loads((tmp_path / "report" / "monitoring_summary.json").read_text())
    assert summary["status"] == "alert"
    assert summary["context"]["matured_rows"] == 1500  # the 500 empty flags are unknown outcomes, not goods
    assert summary["context"]["cohorts"][0] == "2023-01"  # cohorts from the lender's own date column
    alerted = {f["subject"] for f in summary["findings"] if f["check"] == "csi" and f["level"] == "alert"}
    assert "util" in alerted and "age" not in alerted


def test_the_same_population_does_not_alert(dated, tmp_path):
    folder, config, bundle = dated
    _lender_layout(2000, seed=6).to_csv(tmp_path / "current.csv", index=False)
    cfg = load_config(config)
    result = run_job(
        cfg, tmp_path / "current.csv", tmp_path / "out", folder / "development.csv", bundle, log=False
    )
    assert result.status != "alert", [f.message for f in result.findings]
    assert result.context["matured_rows"] == 2000


def test_an_undated_flat_card_is_monitored_as_one_cohort(tmp_path):
    config, bundle = _card(tmp_path, dated=False)
    current = _lender_layout(1500, seed=7).drop(columns=["opened", "defaulted"])  # no dates, no outcomes yet
    current.to_csv(tmp_path / "current.csv", index=False)
    cfg = load_config(config)
    result = run_job(
        cfg, tmp_path / "current.csv", tmp_path / "out", tmp_path / "development.csv", bundle, log=False
    )
    assert result.context["cohorts"] == ["undated"]
    assert result.context["matured_rows"] == 0
    assert result.performance is None


def test_a_batch_with_a_third_label_names_the_column(dated, tmp_path):
    folder, config, bundle = dated
    current = _lender_layout(600, seed=8)
    current.loc[current.index[:3], "defaulted"] = "written_off"
    current.to_csv(tmp_path / "current.csv", index=False)
    with pytest.raises(DataError, match=r"current.csv: target column 'defaulted' must hold at most two labels, "
                       r"one of them the bad value 'Y'; found \['N', 'Y', 'written_off'\]"):  # fmt: skip
        run_job(load_config(config), tmp_path / "current.csv", tmp_path / "out", folder / "development.csv",
                bundle, log=False)  # fmt: skip
