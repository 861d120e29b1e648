"""``scorecard export --run`` reads the run's JSON card spec and never unpickles what a user hands it."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from scorecard.bundle.runtime import load_bundle
from scorecard.cli.app import run
from scorecard.config import load_config
from tests.bundle.conftest import CALIBRATION, REASONS, SCORECARD

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "application.yaml"


class _Payload:
    """Unpickling this writes a marker file: proof that code in a run folder ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (self.marker, "pwned"))  # type: ignore[return-value]


def _crafted_run(folder: Path, marker: Path, with_spec: bool) -> Path:
    folder.mkdir()
    (folder / "trained_card.joblib").write_bytes(pickle.dumps(_Payload(marker)))
    if with_spec:
        spec = {
            "config": load_config(CONFIG).model_dump(mode="json", exclude_unset=True),
            "scorecard": SCORECARD, "calibration": CALIBRATION["calibration"],
            "master_scale": CALIBRATION["master_scale"], "reasons": REASONS,
            "data_fingerprint": "0" * 64, "trained_at": "2026-01-02T03:04:05+00:00", "challenger": None,
        }  # fmt: skip
        (folder / "card_spec.json").write_text(json.dumps(spec))
    return folder


def test_export_reads_the_json_spec_and_never_runs_the_pickle(tmp_path: Path) -> None:
    marker = tmp_path / "marker.txt"
    crafted = _crafted_run(tmp_path / "run", marker, with_spec=True)
    assert run(["export", "--run", str(crafted), "--out", str(tmp_path / "bundle")]) == 0
    assert not marker.exists()
    bundle = load_bundle(tmp_path / "bundle")
    assert bundle.manifest["created_at"] == "2026-01-02T03:04:05Z"
    assert bundle.score_one({"age": 30, "inq_3m": 0, "channel": "online"})["score"] == 530
    policy = bundle.documents["policy.json"]
    assert policy["incomplete"] == "refer" and policy["knockouts"][0]["if_missing"] == "refer"
    assert bundle.documents["scorecard.json"]["features"][0]["hard_limits"] == [0.0, 142.0]


def test_a_run_folder_without_a_spec_is_refused_without_unpickling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "marker.txt"
    crafted = _crafted_run(tmp_path / "run", marker, with_spec=False)
    assert run(["export", "--run", str(crafted), "--out", str(tmp_path / "bundle")]) == 1
    assert not marker.exists() and not (tmp_path / "bundle").exists()
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "card_spec.json: no card spec in this run folder (written by `scorecard train`); retrain to export it"
        )
    )
