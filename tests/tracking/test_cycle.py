"""The whole life of a card in MLflow, on the embedded sqlite store and on a real ``mlflow server``:
train -> log -> register (challenger) -> promote through the gates -> load with plain MLflow -> refuse a weak
candidate -> force it with a reason -> roll back -> export the champion's bundle."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import mlflow
import mlflow.lightgbm
import numpy as np
import pytest
from mlflow.exceptions import MlflowException

from scorecard.bundle.runtime import load_bundle
from scorecard.cli.app import run as cli
from scorecard.cli.output import console
from scorecard.errors import ScorecardError
from scorecard.modeling.evaluation import discrimination
from scorecard.modeling.train import data_fingerprint
from scorecard.tracking import registry, runs
from scorecard.tracking.gates import GateReport, GateResult
from scorecard.tracking.store import connect
from tests.tracking.cards import FEATURES, card_config, modeling_table

PLAIN_MLFLOW = """
import importlib.util, json, sys
from pathlib import Path
sys.path = [p for p in sys.path if not (Path(p) / "scorecard" / "__init__.py").is_file()]
assert importlib.util.find_spec("scorecard") is None
import mlflow, pandas as pd
scored = mlflow.pyfunc.load_model("{uri}").predict(pd.read_parquet("{rows}"))
print(json.dumps(scored["score"].tolist()))
"""


def _gate(report: GateReport | None, name: str) -> GateResult:
    assert report is not None
    return next(r for r in report.results if r.gate == name)


def test_train_register_promote_load_rollback(
    store_uri: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"application_scorecard_{uuid.uuid4().hex[:8]}"
    cfg = card_config(name)
    client = connect(cfg)
    assert client.tracking_uri == store_uri

    # -- a run logs everything and registers a challenger
    first = runs.train_and_log(cfg, modeling_table(), bundle_dir=tmp_path / "v1")
    assert (first.registered_model, first.version) == (name, "1")
    run = client.get_run(first.run_id)
    assert run.info.status == "FINISHED"
    card = first.card
    assert run.data.params["binning.max_n_prebins"] == "20"
    assert run.data.params["data.fingerprint"] == card.data_fingerprint
    oot_rows = card.table.frame[card.table.frame["split"] == "oot"]
    assert run.data.params["data.fingerprint.oot"] == data_fingerprint(oot_rows)
    assert {i.dataset.name for i in run.inputs.dataset_inputs} == {
        f"retail_application_{s}" for s in ("train", "test", "oot")
    }
    assert run.data.tags[registry.CARD_TAG] == "application"
    assert run.data.tags["scorecard.seed"] == "42"
    assert run.data.tags["scorecard.code_version"]
    frame = card.table.frame
    assert run.data.metrics["rows_oot"] == (frame["split"] == "oot").sum()
    assert run.data.metrics["bads_train"] == frame.loc[frame["split"] == "train", "target"].sum()
    for model in ("scorecard", "challenger"):
        for metric in ("auc", "gini", "ks", "score_psi", "brier"):
            assert run.data.metrics[f"{model}_oot_{metric}"] == pytest.approx(
                card.metrics[model]["oot"][metric]
            )
    logged = {
        a.path
        for folder in ("card", "bundle", "evidence", "config")
        for a in client.list_artifacts(first.run_id, folder)
    }
    for path in (
        "card/binning_tables.csv", "card/selection_log.csv", "card/coefficients.csv", "card/points_table.csv",
        "card/plots", "card/evaluation", "bundle/manifest.json", "bundle/scorecard.json",
        "evidence/sample.parquet", "evidence/dev_scores.parquet", "config/resolved.yaml",
    ):  # fmt: skip
        assert path in logged, path
    assert client.get_model_version_by_alias(name, "challenger").version in (1, "1")
    assert first.challenger_uri is not None and card.challenger is not None
    booster = mlflow.lightgbm.load_model(first.challenger_uri)
    assert booster.model_to_string() == card.challenger.booster_.model_to_string()

    # -- the first promotion has no champion to beat; the gates measure what training measured
    done = registry.promote(name, 1, cfg.gates)
    assert (done.action, done.previous) == ("promoted", None)
    assert _gate(done.report, "min oot gini").value == pytest.approx(
        card.metrics["scorecard"]["oot"]["gini"], abs=1e-4
    )
    psi = _gate(done.report, "max score psi dev vs oot").value
    assert psi == pytest.approx(card.metrics["scorecard"]["oot"]["score_psi"], abs=1e-4)
    assert _gate(done.report, "bundle parity").value == 0
    tags = client.get_model_version(name, "1").tags
    assert tags["champion.by"] == (os.environ.get("USER") or getpass.getuser())
    assert tags["champion.previous"] == "" and tags["champion.action"] == "promoted"
    assert GateReport.from_json(tags["champion.gates"]).passed
    assert set(client.get_registered_model(name).aliases) == {"champion"}

    # -- plain MLflow loads the champion and returns the bundle runtime's answers
    oot = frame.loc[frame["split"] == "oot", FEATURES].reset_index(drop=True)
    served = mlflow.pyfunc.load_model(f"models:/{name}@champion").predict(oot)
    expected = load_bundle(first.bundle_dir).score_batch(oot)
    for column in ("score", "pd", "grade", "decision", "reasons"):
        np.testing.assert_array_equal(served[column].to_numpy(), expected[column], err_msg=column)
    np.testing.assert_array_equal(served["score"].to_numpy(), card.scorecard.predict_score(oot))
    oot.head(20).to_parquet(tmp_path / "oot.parquet")
    elsewhere = subprocess.run(  # a process where the scorecard package is not importable at all
        [sys.executable, "-c", PLAIN_MLFLOW.format(uri=f"models:/{name}@champion", rows=tmp_path / "oot.parquet")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "MLFLOW_TRACKING_URI": store_uri},
    )  # fmt: skip
    assert elsewhere.returncode == 0, elsewhere.stderr[-2000:]
    assert json.loads(elsewhere.stdout.splitlines()[-1]) == served["score"].head(20).tolist()

    # -- promoting the champion again changes nothing
    assert registry.promote(name, "1", cfg.gates, client=client).action == "unchanged"
    assert len(registry.history(name)) == 1

    # -- a weak candidate is refused: non-zero exit, gate table printed, registry untouched
    second = runs.train_and_log(cfg, modeling_table(seed=1, noise=0.8), bundle_dir=tmp_path / "v2")
    assert second.version == "2"
    capsys.readouterr()
    assert cli(["promote", "--card", name, "--version", "2"]) == 1
    out = capsys.readouterr()
    assert "FAIL" in out.out and "min oot gini" in out.out and "not promoted" in out.err
    assert "Swap set" in out.out  # candidate against champion, approve decisions on the same sample
    swap = {r["set"]: r for r in registry.promote(name, "2", cfg.gates, dry_run=True).report.swap_set}  # type: ignore[union-attr]
    parts = ("kept", "swap_in", "swap_out", "declined_by_both")
    assert sum(swap[p]["rows"] for p in parts) == (second.card.table.frame["split"] == "oot").sum()
    assert swap["approved_by_candidate"]["rows"] == swap["kept"]["rows"] + swap["swap_in"]["rows"]
    assert swap["approved_by_champion"]["rows"] == swap["kept"]["rows"] + swap["swap_out"]["rows"] > 0
    assert registry.champion_version(name) == "1"
    assert "champion.action" not in client.get_model_version(name, "2").tags
    assert cli(["promote", "--card", name, "--version", "2", "--dry-run"]) == 0
    assert "FAIL" in capsys.readouterr().out and registry.champion_version(name) == "1"

    # -- forcing needs a reason, and the override is recorded
    with pytest.raises(ScorecardError, match="--reason"):
        registry.promote(name, 2, cfg.gates, force=True, client=client)
    reason = "regulator-approved interim model"

    def connection_lost(*args: object) -> None:
        raise MlflowException("connection reset by peer")

    with monkeypatch.context() as broken:  # the alias move fails: the old champion stays, the list says so
        broken.setattr(client, "set_registered_model_alias", connection_lost)
        with pytest.raises(MlflowException, match="connection reset"):
            registry.promote(name, 2, cfg.gates, force=True, reason=reason, client=client)
    assert registry.champion_version(name) == "1"
    interrupted = {r.version: r.gates for r in registry.list_versions(name)}
    assert interrupted == {"1": "promoted", "2": "interrupted before the alias moved: run promote again"}
    forced = registry.promote(name, 2, cfg.gates, force=True, reason=reason, client=client)
    assert (forced.action, forced.previous, registry.champion_version(name)) == ("forced", "1", "2")
    tags = client.get_model_version(name, "2").tags
    assert tags["champion.reason"] == reason
    assert tags["champion.gates_passed"] == "false" and tags["champion.previous"] == "1"
    assert forced.report is not None and "min oot gini" in forced.report.failed
    assert set(forced.report.failed) <= {"min oot gini", "max gini drop vs champion"}
    # the weak candidate's out-of-time targets are 80% coin flips: the drop gate compares both bundles on those
    # same rows, and its verdict follows the measured drop (on so noisy a sample it can go either way)
    drop = _gate(forced.report, "max gini drop vs champion")
    assert drop.value is not None and drop.limit is not None
    assert drop.passed == (drop.value <= drop.limit + 1e-4)  # the value is rounded to 4 places
    sample = second.card.table.frame.query("split == 'oot'")

    def gini(bundle_dir: Path | None) -> float:
        scores = load_bundle(bundle_dir).score_batch(sample[FEATURES], explain=False)["score"]  # type: ignore[arg-type]
        return float(discrimination(sample["target"], -scores.astype(float))["gini"])

    assert drop.value == pytest.approx(gini(first.bundle_dir) - gini(second.bundle_dir), abs=1e-4)
    assert drop.detail == f"champion v1 gini {gini(first.bundle_dir):.4f} on the same sample"

    # -- rollback returns the previous champion, recorded the same way; there is nothing before v1
    assert cli(["promote", "--card", name, "--rollback", "--reason", "v2 misbehaves"]) == 0
    assert registry.champion_version(name) == "1"
    tags = client.get_model_version(name, "1").tags
    assert (tags["champion.action"], tags["champion.rolled_back_from"]) == ("rolled back", "2")
    assert [e["action"] for e in registry.history(name)] == ["promoted", "forced", "rolled back"]
    with pytest.raises(ScorecardError, match="first champion"):
        registry.rollback(name)

    # -- the champion's bundle comes back byte for byte; the listing shows both versions
    out_dir = registry.download_bundle(f"{name}@champion", tmp_path / "exported")
    assert first.bundle_dir is not None
    for path in first.bundle_dir.iterdir():
        assert (out_dir / path.name).read_bytes() == path.read_bytes(), path.name
    listed = {r.version: r for r in registry.list_versions(name)}
    assert listed["1"].aliases == ["champion"] and listed["2"].aliases == []
    assert listed["1"].gates == "restored from v2" and listed["2"].gates.startswith("forced")
    assert listed["1"].metrics["scorecard_oot_gini"] == pytest.approx(
        card.metrics["scorecard"]["oot"]["gini"]
    )
    evidence = json.loads(
        Path(client.download_artifacts(first.run_id, "evidence/evidence.json", str(tmp_path))).read_text()
    )
    assert evidence["sample"] == "oot" and evidence["parity_rows"] == len(oot)

    # -- the CLI lists and exports the same
    monkeypatch.setattr(console, "width", 250)
    capsys.readouterr()
    assert cli(["models", "list", "--card", name]) == 0
    listing = capsys.readouterr().out
    assert "champion" in listing and "restored from v2" in listing
    assert cli(["export", "--model", f"{name}/2", "--out", str(tmp_path / "v2_export")]) == 0
    assert second.bundle_dir is not None
    assert sorted(p.name for p in (tmp_path / "v2_export").iterdir()) == sorted(
        p.name for p in second.bundle_dir.iterdir()
    )
