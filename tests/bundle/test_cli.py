"""CLI: export a trained run (twice: same bytes), inspect it, score CSV and Parquet files in chunks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorecard.bundle.runtime import load_bundle
from scorecard.cli.app import run
from scorecard.modeling.train import TrainedCard
from tests.bundle.conftest import documents, write

pytestmark = pytest.mark.slow


def test_export_twice_is_byte_identical_and_carries_the_card(application_run: Path, tmp_path: Path) -> None:
    assert run(["export", "--run", str(application_run), "--out", str(tmp_path / "a"), "--zip"]) == 0
    assert run(["export", "--run", str(application_run), "--out", str(tmp_path / "b"), "--zip"]) == 0
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert "challenger.txt" in names
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    card = TrainedCard.load(application_run)
    assert manifest["training_data_fingerprint"] == card.data_fingerprint
    assert manifest["card"]["type"] == "application" and manifest["features"] == card.features
    assert load_bundle(tmp_path / "a.zip").manifest == manifest


def test_inspect_verifies_and_refuses_a_tampered_bundle(
    app_bundle_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["bundle", "inspect", str(app_bundle_dir)]) == 0
    out = capsys.readouterr().out
    assert "hand_card" in out and "verified" in out
    (app_bundle_dir / "reasons.json").write_text("{}")
    assert run(["bundle", "inspect", str(app_bundle_dir)]) == 1
    captured = capsys.readouterr()
    assert "reasons.json: changed" in captured.err


@pytest.mark.parametrize(("src", "dst"), [("csv", "parquet"), ("parquet", "csv")])
def test_score_file_in_chunks_keeps_rows_and_order(tmp_path: Path, src: str, dst: str) -> None:
    bundle_dir = write(documents(), tmp_path / "bundle")
    n = 1000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "application_id": np.arange(n),
            "age": rng.choice([20.0, 30.0, 45.0, np.nan], n).astype(object),
            "inq_3m": rng.choice([0.0, 2.0, 4.0], n),
            "channel": rng.choice(["online", "branch", "kiosk"], n),
            "national_id_hash": "h",
            "region": "north",
            "is_emulator": False,
        }
    )
    frame.loc[17, "age"] = "abc"  # one bad record
    source = tmp_path / f"in.{src}"
    if src == "csv":
        frame.to_csv(source, index=False)
    else:
        frame.assign(age=frame["age"].astype(str).replace("nan", None)).to_parquet(source)
    target = tmp_path / f"out.{dst}"
    args = ["score", "--bundle", str(bundle_dir), "--input", str(source), "--output", str(target)]
    assert run([*args, "--chunk-rows", "128", "--keep", "application_id"]) == 0
    out = pd.read_csv(target) if dst == "csv" else pd.read_parquet(target)
    assert len(out) == n and out["application_id"].astype(int).tolist() == list(range(n))  # CSV cells: text
    assert list(out.columns) == ["application_id", "score", "pd", "grade", "decision", "limit", "knockout",
                                 "flags", "reasons", "warnings", "status"]  # fmt: skip
    assert out.loc[17, "status"] == "error: age: 'abc' is not a number" and pd.isna(out.loc[17, "score"])
    good = out.drop(index=17)
    assert (good["status"] == "ok").all()
    records = frame.drop(index=17).drop(columns="application_id").to_dict("records")
    bundle = load_bundle(bundle_dir)
    expected = [
        bundle.score_one({k: (float(v) if k == "age" else v) for k, v in r.items()})["score"] for r in records
    ]
    assert good["score"].astype(int).tolist() == expected


def test_shadow_score_replays_the_challenger(application_run: Path, tmp_path: Path) -> None:
    assert run(["export", "--run", str(application_run), "--out", str(tmp_path / "b")]) == 0
    bundle = load_bundle(tmp_path / "b")
    card = TrainedCard.load(application_run)
    rows = card.table.frame[card.table.frame["split"].isin(["train", "test", "oot"])]
    X = rows[list(card.challenger.feature_names_in_)]  # type: ignore[union-attr]
    expected = card.challenger.predict_proba(X)[:, 1]  # type: ignore[union-attr]
    np.testing.assert_allclose(bundle.shadow_score(X), expected, rtol=0, atol=1e-12)
    challenger_only = [f for f in bundle.documents["schema.json"]["fields"] if f["used_by"] == ["challenger"]]
    assert challenger_only and all(not f["required"] for f in challenger_only)
    assert not {f["name"] for f in challenger_only} & set(bundle.required)
