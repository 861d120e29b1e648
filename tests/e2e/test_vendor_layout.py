"""A vendor-layout dump onto the application card by config alone: validate, build, train and export.

The fixture (tests/e2e/vendor_layout.py) has day offsets, status codes, credits duplicated across exports
(deduplicated by QUALIFY in source queries), extra columns read by custom features, a zipped CSV, two device
sources unioned by a query, and a ready-made default flag. The config is tests/e2e/vendor/application.yaml.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from scorecard.cli.app import run
from tests.e2e.vendor_layout import CONFIG, write_vendor_dump

pytestmark = pytest.mark.slow


def test_vendor_dump_validates_builds_trains_and_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCORECARD_PII_KEY", "vendor-test-key")
    facts = write_vendor_dump(tmp_path)
    config = tmp_path / "application.yaml"
    shutil.copy(CONFIG, config)

    assert run(["data", "validate", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "All sources match their schema." in out
    assert f"{facts['credits']:,}" in out  # bureau_inquiries: each credit once, not once per export
    assert f"{facts['device_events']:,}" in out  # sign-ups and purchases unioned

    features = tmp_path / "features.parquet"
    assert run(["features", "build", "--config", str(config), "--out", str(features)]) == 0
    captured = capsys.readouterr()
    assert "feature 'device_gps_province_mismatch' is all missing on 3,000 rows" in captured.err
    frame = pd.read_parquet(features).set_index("application_id")
    assert len(frame) == facts["applications"]
    assert int(frame["target"].sum()) == facts["bads"]
    assert (frame["snapshot_date"] == pd.Timestamp("2020-01-01")).all()  # anchor date, offsets 0

    apps = pd.read_csv(tmp_path / "applications.csv", dtype={"SK_ID_CURR": str}).set_index("SK_ID_CURR")
    assert frame["ext_score"].to_dict() == apps["EXT_SCORE"].to_dict()
    assert frame["contract_type"].to_dict() == apps["CONTRACT"].to_dict()

    # worked in pandas: monthly reports of the latest export's active credits in the 12 months before
    bureau = (
        pd.read_csv(tmp_path / "bureau.csv")
        .sort_values("EXPORTED_AT")
        .drop_duplicates("SK_ID_BUREAU", keep="last")
    )
    history = pd.read_csv(tmp_path / "bureau_balance.csv.zip").merge(bureau, on="SK_ID_BUREAU")
    recent = history[history.CREDIT_ACTIVE.eq("Active") & history.MONTHS_BALANCE.between(-12, -1)]
    expected = recent.groupby(recent.SK_ID_CURR.astype(str)).size().reindex(frame.index, fill_value=0)
    assert frame["active_credit_months_12m"].astype(int).to_dict() == expected.to_dict()
    # the status codes through the code table, month 0 (the application month) not yet known
    dpd = history[history.MONTHS_BALANCE < 0].assign(
        dpd=lambda h: h.STATUS.map({"X": 0, "C": 0, "0": 0, "1": 30, "2": 60, "3": 90, "4": 120, "5": 150})
    )
    worst = dpd.groupby(dpd.SK_ID_CURR.astype(str)).dpd.max().reindex(frame.index)
    has_file = worst.notna()
    assert frame.loc[has_file, "bureau_worst_dpd_ever"].to_dict() == worst[has_file].astype(float).to_dict()

    run_dir = tmp_path / "run"
    assert run(["train", "--config", str(config), "--run-dir", str(run_dir), "--no-track"]) == 0
    capsys.readouterr()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["scorecard"]["test"]["gini"] > 0.3
    selected = pd.read_csv(run_dir / "coefficients.csv")
    assert "ext_score" in selected.iloc[:, 0].tolist()
    assert "data.sources.bureau_tradelines.query" in (run_dir / "sources.sql").read_text()

    bundle = tmp_path / "bundle"
    assert run(["export", "--run", str(run_dir), "--out", str(bundle)]) == 0
    fields = [f["name"] for f in json.loads((bundle / "schema.json").read_text())["fields"]]
    assert "ext_score" in fields


def test_vendor_dump_without_the_pii_key_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SCORECARD_PII_KEY", raising=False)
    write_vendor_dump(tmp_path, n=200)
    config = tmp_path / "application.yaml"
    shutil.copy(CONFIG, config)
    out = tmp_path / "features.parquet"
    assert run(["features", "build", "--config", str(config), "--out", str(out)]) == 1
    assert "data.pii.key_env: environment variable SCORECARD_PII_KEY is not set" in capsys.readouterr().err
    assert not out.exists()
