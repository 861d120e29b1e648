"""What a person sees: `scorecard train | cat` prints a timestamped line per step with its duration, and neither
train nor the demo lets MLflow's own INFO / WARNING lines (or anything else not ours) reach the terminal."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.tracking.cards import modeling_table

REPO = Path(__file__).resolve().parents[2]
SCORECARD = str(Path(sys.executable).with_name("scorecard"))
STAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
SUMMARY = (
    "scorecard demo:",
    "application:",
    "behaviour:",
    "collection:",
    "scored batch:",
    "monitoring report:",
)
pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"sqlite:///{cwd}/mlruns/mlflow.db",
        "SCORECARD_PII_KEY": "test-only-pii-key",
        "COLUMNS": "160",
    }
    env.pop("MLFLOW_LOGGING_LEVEL", None)
    # stdout and stderr are pipes, as under cron or `| cat`
    return subprocess.run(
        [SCORECARD, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=1800, check=False
    )


def _foreign(lines: list[str]) -> list[str]:
    """Lines that look like someone else's logging: MLflow, Python warnings, matplotlib."""
    pattern = re.compile(
        r"\b(INFO|WARNING|DEBUG)\b|Warning:|\bmlflow(\.\w+)+:|findfont|Registered model|Created version"
    )
    return [line for line in lines if pattern.search(line)]


def _flat_card(folder: Path) -> Path:
    frame = modeling_table(n=2000).frame
    columns = ["application_id", "snapshot_date", "utilisation", "inquiries_6m", "age", "income", "channel"]
    frame[[*columns, "target"]].to_csv(folder / "applications.csv", index=False)
    config = {
        "card": "application",
        "name": "flat_card",
        "data": {
            "flat_table": {
                "path": "applications.csv",
                "target": "target",
                "id_column": "application_id",
                "date_column": "snapshot_date",
            }
        },
        "split": {"oot_start": "2024-04-01"},
        "challenger": {"num_boost_round": 50, "cv_folds": 2, "num_leaves_grid": [4]},
        "tracking": {"registered_model": "flat_card_scorecard"},
    }
    path = folder / "card.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_train_piped_prints_one_timestamped_line_per_step_and_nothing_foreign(tmp_path: Path) -> None:
    config = _flat_card(tmp_path)
    done = _run(["train", "--config", str(config), "--run-dir", str(tmp_path / "run")], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # a brand-new store: no 'Registered model ... already exists'
    lines = done.stdout.splitlines()
    assert _foreign(lines) == []
    timed = {
        m.group(1): float(m.group(2))
        for m in (re.match(rf"^{STAMP} (\w+) (\d+\.\d) s\b", line) for line in lines)
        if m
    }
    steps = ["features", "binning", "selection", "fit", "calibration", "challenger", "evaluation"]
    assert list(timed)[: len(steps)] == steps
    assert list(timed)[len(steps) :] == ["save", "export", "logging"]
    assert all(seconds >= 0 for seconds in timed.values())
    logging_line = next(line for line in lines if re.match(rf"^{STAMP} logging ", line))
    assert re.search(r"run flat_card-\d{8}T\d{6}Z, registered flat_card_scorecard v1$", logging_line)
    first = lines[0]
    assert re.match(rf"^{STAMP} training flat_card \(application card\), logging to MLflow$", first)


def test_demo_output_is_only_our_own_lines(tmp_path: Path) -> None:
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    for card in (
        "application",
        "behaviour",
        "collection",
    ):  # a tiny portfolio: gate logic is tested elsewhere
        path = tmp_path / "configs" / f"{card}.yaml"
        raw = yaml.safe_load(path.read_text())
        raw["gates"].update(min_oot_gini=-1.0, max_score_psi=10.0)
        path.write_text(yaml.safe_dump(raw, sort_keys=False))
    (tmp_path / "mlruns").mkdir()
    done = _run(["demo", "--rows", "1000", "--workdir", str(tmp_path)], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == "", done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert _foreign(lines) == []
    ours = [line for line in lines if re.match(rf"^{STAMP} ", line)]
    for card in ("application", "behaviour", "collection"):
        assert any(re.match(rf"^{STAMP} {card}: logging \d+\.\d s  run ", line) for line in ours)
    rest = [line for line in lines if line not in ours]
    strangers = [
        line for line in rest if not (line[0] in "┏┃┡│└" or line.startswith((*SUMMARY, "see the runs:")))
    ]
    assert strangers == []
