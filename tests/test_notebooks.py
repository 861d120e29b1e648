"""The example notebooks: py:percent scripts paired with .ipynb files stored without outputs, and each one runs end
to end on a small portfolio in a temporary folder, leaving sane numbers behind."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
ROWS = 3_000
PROBE_MARK = "NOTEBOOK_PROBE="

# Per notebook (named by its py:percent script): an expression evaluated in its namespace after the last cell; its JSON value is checked below.
PROBES = {
    "01_application_scorecard.py": """{
        "override": binner.overrides_applied_["bureau_utilisation"]["splits"],
        "labels": binner.binning_table("bureau_utilisation")["bin"].astype(str).tolist(),
        "selected": list(selector.selected_),
        "by_hand": list(scorecard.features_),
        "by_hand_oot_gini": metrics["oot"]["gini"],
        "card_features": card.features,
        "card_gini": {s: card.metrics["scorecard"][s]["gini"] for s in ("test", "oot")},
        "base_points": scorecard.base_points_,
        "points_sum": int(scorecard.points(applicant).to_numpy().sum()),
        "score": int(scorecard.predict_score(applicant)[0]),
        "reasons": [r["code"] for r in reasons.explain(scorecard.points(applicant))[0]],
        "card_reasons": card.score_frame(applicant).filter(like="reason_").iloc[0].tolist(),
        "plots": sorted(p.name for p in (WORK / "01_application").glob("*.png")),
        "review": {
            "feature": feature,
            "plots": sorted(p.name for p in REVIEW.glob("*.png")),
            "edited": edited_feature,
            "bins": [len(c.binner.bin_spec(edited_feature)["bins"]) for c in (card, edited, retrained)],
            "refused": refused,
            "same_bins": same_bins,
            "frozen_reasons": sorted({o.reason for o in load_overrides(frozen_path).values()}),
        },
    }""",
    "02_behaviour_and_collection_cards.py": """{
        name: {
            "card": c.config.card,
            "rows": int(c.table.frame["split"].isin(["train", "test", "oot"]).sum()),
            "gini_test": c.metrics["scorecard"]["test"]["gini"],
            "features": c.features,
            "points_features": sorted(set(c.scorecard.points_table_["feature"])),
            "actions": actions[name][actions[name] > 0].to_dict(),
            "test_rows": int((c.table.frame["split"] == "test").sum()),
        }
        for name, c in cards.items()
    }""",
    "03_challenger_and_shap.py": """{
        "gini": {m: card.metrics[m]["test"]["gini"] for m in ("scorecard", "challenger")},
        "shap_error": shap_error,
        "agreement": agreement,
        "explained": len(rows),
        "difference": float(side[(side["split"] == "test") & (side["metric"] == "gini")]["difference"].iloc[0]),
        "plots": sorted(p.name for p in (WORK / "03_challenger").glob("*.png")),
        "shap_rows": [len(c.get_offsets()) for c in figures["shap_summary.png"].axes[0].collections],
        "test_rows": len(X_test),
    }""",
    "04_monitoring.py": """{
        "status": result.status,
        "exit_code": result.exit_code,
        "parity": parity,
        "current": len(current),
        "paths": {k: str(v) for k, v in result.paths.items()},
        "score_psi": float(score_psi.loc[score_psi["cohort"] == ALL, "psi"].iloc[0]),
        "drifted_columns": sorted(result.drift.table.columns.astype(str)),
        "psi_plot": (WORK / "04_monitoring" / "psi_over_time.png").is_file(),
    }""",
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the notebooks a test process runs, so each synthetic portfolio is generated once there."""
    return tmp_path_factory.mktemp("notebooks")


def execute(name: str, workdir: Path) -> dict[str, Any]:
    """Run the notebook with the venv's python3 kernel in ``workdir``; return the probe's value."""
    nb = jupytext.read(NOTEBOOK_DIR / name)
    probe = f"import json as _json\nprint({PROBE_MARK!r} + _json.dumps({PROBES[name]}, default=str))"
    nb.cells.append(nbformat.v4.new_code_cell(probe, id="probe"))
    env = {
        **os.environ,
        "SCORECARD_NOTEBOOK_ROWS": str(ROWS),
        "SCORECARD_CONFIGS": str(REPO / "configs"),
        "SCORECARD_PII_KEY": "test-only-pii-key",
        "DO_NOT_TRACK": "1",
        "MLFLOW_TRACKING_URI": f"sqlite:///{workdir}/mlflow.db",
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0",
    }
    client = NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(workdir)}}
    )
    client.execute(env=env, cwd=str(workdir))
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    line = next(x for x in printed.splitlines() if x.startswith(PROBE_MARK))
    print(line)  # shown when an assertion fails
    return json.loads(line.removeprefix(PROBE_MARK))


def test_the_kernel_runs_this_interpreter(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys\nprint(sys.executable)")])
    NotebookClient(nb, kernel_name="python3", timeout=120).execute(cwd=str(tmp_path))
    assert nb.cells[0].outputs[0]["text"].strip() == sys.executable


@pytest.mark.parametrize("name", sorted(PROBES))
def test_the_stored_ipynb_is_its_script_without_outputs(name: str) -> None:
    script = jupytext.read(NOTEBOOK_DIR / name)
    stored = nbformat.read(NOTEBOOK_DIR / name.replace(".py", ".ipynb"), as_version=4)
    nbformat.validate(stored)
    assert [(c.cell_type, c.source) for c in stored.cells] == [
        (c.cell_type, c.source) for c in script.cells
    ], f"notebooks/{name} changed: run `jupytext --sync notebooks/*.py`"
    code = [c for c in stored.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert stored.metadata.kernelspec.name == script.metadata.kernelspec.name == "python3"
    assert stored.metadata.jupytext.formats == "ipynb,py:percent"


def test_every_notebook_is_a_script() -> None:
    assert sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(Path(n).stem for n in PROBES)
    assert sorted(p.name for p in NOTEBOOK_DIR.glob("*.py")) == sorted(PROBES)


def test_readme_lists_every_notebook() -> None:
    readme = (NOTEBOOK_DIR / "README.md").read_text()
    assert all(name in readme for name in PROBES)


@pytest.mark.slow
def test_application_scorecard(workdir: Path) -> None:
    got = execute("01_application_scorecard.py", workdir)
    assert got["override"] == [0.3, 0.5, 0.7]
    assert got["labels"][:4] == ["(-inf, 0.3)", "[0.3, 0.5)", "[0.5, 0.7)", "[0.7, inf)"]
    assert got["by_hand"] == got["card_features"] and set(got["by_hand"]) <= set(got["selected"])
    assert 0.3 < got["card_gini"]["test"] < 0.9 and 0.2 < got["card_gini"]["oot"] < 0.9
    assert got["by_hand_oot_gini"] == pytest.approx(got["card_gini"]["oot"])
    assert got["score"] == got["base_points"] + got["points_sum"]
    assert got["reasons"] and got["card_reasons"][: len(got["reasons"])] == got["reasons"]
    assert got["plots"] == ["ks_oot.png", "roc_oot.png", "score_by_split.png"]
    review = got["review"]
    assert review["plots"] == [f"{review['feature']}.png"]
    before, after, retrained = review["bins"]
    assert after == before - 1 and retrained == after  # the merge removed one bin; the freeze kept it so
    assert "still carry a placeholder reason ('TODO: reason')" in review["refused"]
    assert review["edited"] not in review["refused"]  # it kept the reason of its edit
    assert review["same_bins"] and all(review["same_bins"].values())
    assert "reviewed in notebook 01: bins accepted" in review["frozen_reasons"]
    assert "the two lowest bins differ by less than the review tolerance" in review["frozen_reasons"]


@pytest.mark.slow
def test_behaviour_and_collection_cards(workdir: Path) -> None:
    got = execute("02_behaviour_and_collection_cards.py", workdir)
    assert {k: v["card"] for k, v in got.items()} == {"behaviour": "behaviour", "collection": "collection"}
    assert got["behaviour"]["rows"] > got["collection"]["rows"] > 100
    assert 0.3 < got["behaviour"]["gini_test"] < 0.9
    assert 0.0 < got["collection"]["gini_test"] < 0.95  # a few hundred cases: a noisy but positive Gini
    for card in got.values():
        assert card["points_features"] == sorted(card["features"])
    assert any(f.startswith("beh_") for f in got["behaviour"]["features"])
    assert any(f.startswith("coll_") for f in got["collection"]["features"])
    assert set(got["behaviour"]["actions"]) <= {"no_action", "review", "freeze_limit"}
    assert set(got["collection"]["actions"]) <= {"sms_reminder", "voice_robot", "human_call"}
    for card in got.values():
        assert sum(card["actions"].values()) == card["test_rows"]


@pytest.mark.slow
def test_challenger_and_shap(workdir: Path) -> None:
    got = execute("03_challenger_and_shap.py", workdir)
    assert 0.3 < got["gini"]["scorecard"] < 0.9 and 0.3 < got["gini"]["challenger"] < 0.95
    assert got["difference"] == pytest.approx(got["gini"]["challenger"] - got["gini"]["scorecard"])
    assert got["shap_error"] < 1e-6
    assert 0.0 < got["agreement"] <= 1.0 and got["explained"] == 3
    assert got["plots"] == ["roc.png", "shap_dependence.png", "shap_summary.png"]
    assert sum(got["shap_rows"]) == 10 * got["test_rows"]  # every test row once per top-10 feature


@pytest.mark.slow
def test_monitoring(workdir: Path) -> None:
    got = execute("04_monitoring.py", workdir)
    assert got["parity"] is True and got["current"] > 100
    assert (got["status"], got["exit_code"]) in {("ok", 0), ("warn", 10), ("alert", 20)}
    assert got["score_psi"] >= 0 and got["psi_plot"] is True
    for key in ("html", "json", "evidently_html"):
        assert Path(got["paths"][key]).is_file()
