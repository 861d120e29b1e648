"""Overrides travel with the model: the file and every reason are logged with the run, listed by
``scorecard models list --details``, and a registered version's bins can be shown and frozen from MLflow."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from scorecard.cli.app import run as cli
from scorecard.cli.output import console
from scorecard.config import parse_config
from scorecard.modeling.overrides import load_overrides
from scorecard.tracking import runs
from scorecard.tracking.store import connect
from tests.tracking.cards import modeling_table

OVERRIDES = """\
# reviewed by the credit risk committee
features:
  utilisation:
    splits: [0.25, 0.5, 0.75]
    reason: "policy utilisation bands, agreed 2026-10"
  inquiries_6m:
    trend: ascending
    reason: "more inquiries must never earn more points"
"""


def test_overrides_and_reasons_are_logged_listed_and_reviewable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "application_overrides.yaml"
    path.write_text(OVERRIDES)
    name = f"review_{uuid.uuid4().hex[:8]}"
    cfg = parse_config(
        {
            "card": "application",
            "name": "reviewed_card",
            "data": {"flat_table": {"path": "unused.csv", "target": "bad"}},
            "binning": {"overrides": str(path)},
            "selection": {"stepwise": None},
            "challenger": {"enabled": False},
            "tracking": {"registered_model": name},
        }
    )
    tracked = runs.train_and_log(cfg, modeling_table(), run_dir=tmp_path / "run")
    card = tracked.card
    assert card.binner.bin_spec("utilisation")["splits"] == [0.25, 0.5, 0.75]

    # the run folder and the MLflow run both hold the overrides with their reasons
    in_folder = load_overrides(tmp_path / "run" / "overrides.yaml")
    assert in_folder == load_overrides(path)
    client = connect(cfg)
    logged = {
        a.path
        for folder in ("card", "config/overrides")
        for a in client.list_artifacts(tracked.run_id, folder)
    }
    assert {
        "card/overrides.yaml",
        "card/frozen_bins.yaml",
        "config/overrides/application_overrides.yaml",
    } <= logged
    original = Path(
        client.download_artifacts(
            tracked.run_id, "config/overrides/application_overrides.yaml", str(tmp_path)
        )
    )
    assert original.read_text() == OVERRIDES

    # models list --details shows every reason
    monkeypatch.setattr(console, "width", 250)
    capsys.readouterr()
    assert cli(["models", "list", "--card", name, "--details"]) == 0
    listing = capsys.readouterr().out
    assert f"{name} v1 binning overrides" in listing
    assert "policy utilisation bands, agreed 2026-10" in listing
    assert "more inquiries must never earn more points" in listing
    assert "splits [0.25, 0.5, 0.75]" in listing and "trend ascending" in listing
    assert str(path) in listing  # the source file
    assert cli(["models", "list", "--card", name]) == 0
    assert "policy utilisation bands" not in capsys.readouterr().out

    # a registered version's bins, read from MLflow
    assert cli(["bins", "show", "--model", f"{name}@challenger", "utilisation"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("utilisation (on the card; IV")
    assert "[0.25, 0.5)" in shown and "[0.5, 0.75)" in shown
    out = tmp_path / "frozen.yaml"
    assert cli(["bins", "freeze", "--model", f"{name}/1", "--out", str(out)]) == 0
    frozen = load_overrides(out)
    assert frozen["utilisation"].splits == [0.25, 0.5, 0.75]
    assert frozen["utilisation"].reason == "policy utilisation bands, agreed 2026-10"
    assert f"# Bins of {name} v1, frozen by" in out.read_text()
