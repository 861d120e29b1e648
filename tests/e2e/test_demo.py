"""The whole main job end to end on a small synthetic portfolio: the demo, the scheduled pipelines run twice,
and the proof that no PII from the raw sources reaches any file written downstream (MLflow store included)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from scorecard.demo import DemoSummary, run_demo
from scorecard.reports.pack import SECTIONS
from tests.pii_guard import assert_no_pii
from tests.reports.browser import MONITORING_HEADINGS, assert_shown_whole, chromium

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="session")
def demo_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """The demo, run once per session (its tests share one xdist worker through their group)."""
    workdir = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "configs", workdir / "configs")
    for card in ("application", "behaviour", "collection"):  # 3,000 applications: gates for a small sample
        path = workdir / "configs" / f"{card}.yaml"
        raw = yaml.safe_load(path.read_text())
        raw["gates"].update(min_oot_gini=-1.0, max_score_psi=10.0)  # gate logic: tests/tracking
        path.write_text(yaml.safe_dump(raw, sort_keys=False))
    (workdir / "mlruns").mkdir()
    with pytest.MonkeyPatch.context() as patch:  # the demo's own store, only while it runs
        patch.setenv("MLFLOW_TRACKING_URI", _store(workdir))
        return workdir, run_demo(workdir, rows=3_000, seed=3)


@pytest.fixture
def demo_run(
    demo_once: tuple[Path, DemoSummary], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, DemoSummary]:
    """The session's demo, with its MLflow store as this test's tracking URI (restored after the test)."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", _store(demo_once[0]))
    return demo_once


def _store(workdir: Path) -> str:
    return f"sqlite:///{workdir}/mlruns/mlflow.db"


def test_demo_trains_promotes_exports_scores_and_monitors(demo_run: tuple[Path, DemoSummary]) -> None:
    workdir, summary = demo_run
    assert [c.card for c in summary.cards] == ["application", "behaviour", "collection"]
    for card in summary.cards:
        assert card.rows > 200 and 0.02 < card.bad_rate < 0.9
        assert card.champion != "-", f"{card.card}: no champion ({card.promotion})"
        assert (card.bundle / "manifest.json").is_file()
        assert card.metrics["scorecard"]["test"]["gini"] > 0.1
    scored = pd.read_parquet(summary.scored)
    latest = pd.read_parquet(workdir / "data" / "application_latest.parquet")
    assert len(scored) == len(latest) and (scored["status"] == "ok").mean() > 0.99
    assert summary.cards[0].monitoring in ("warn", "alert")
    assert summary.report is not None and summary.report.is_file()


def test_demo_names_each_champions_documentation_pack(demo_run: tuple[Path, DemoSummary]) -> None:
    from scorecard.cli.app import run as cli

    workdir, summary = demo_run
    for card in summary.cards:
        assert card.pack == workdir / "reports" / card.card / "model_documentation.html"
        html = card.pack.read_text()
        assert (
            f"v{card.champion}</h1>" in html and "promoted" in html
        )  # the registry's gate outcome and history
    out = workdir / "reports" / "champion.html"
    assert cli(["report", "--model", "application@champion", "--out", str(out)]) == 0
    assert "13. Gate outcomes and registry history" in out.read_text()


@pytest.mark.skipif(
    chromium() is None, reason="Chromium is not installed (run `make system` as root with apt-get)"
)
def test_the_champions_pack_and_the_monitoring_report_show_whole_in_a_browser(
    demo_run: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    from scorecard.cli.app import run as cli

    _, summary = demo_run
    pack = tmp_path / "champion.html"
    assert cli(["report", "--model", "application@champion", "--out", str(pack)]) == 0
    assert_shown_whole(pack, tmp_path / "pack.png", [f"{i}. {s}" for i, s in enumerate(SECTIONS, 1)])
    assert_shown_whole(summary.report, tmp_path / "monitoring.png", MONITORING_HEADINGS)


def test_no_raw_pii_reaches_any_downstream_file(demo_run: tuple[Path, DemoSummary]) -> None:
    workdir, _ = demo_run
    raw = workdir / "data" / "synthetic"
    customers = pd.read_parquet(raw / "customers.parquet").head(300)
    devices = pd.read_parquet(raw / "device_events.parquet").head(300)
    secrets = {
        str(v)
        for column in ("full_name", "national_id", "mobile_phone", "bank_card_number")
        for v in customers[column]
    } | {str(v) for column in ("device_id", "ip") for v in devices[column]}
    downstream = [
        p for p in workdir.rglob("*") if p.is_file() and raw not in p.parents and p.name != "configs"
    ]
    assert any(p.name == "mlflow.db" for p in downstream)
    assert_no_pii(downstream, {s for s in secrets if len(s) >= 8})


def _pipeline(workdir: Path, job: str, card: str, period: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLFLOW_TRACKING_URI": _store(workdir)}
    return subprocess.run(
        [
            sys.executable,
            str(REPO / "pipelines" / f"{job}.py"),
            "--card",
            card,
            "--period",
            period,
            "--config",
            str(workdir / "run_configs" / f"{card}.yaml"),
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def test_pipelines_run_twice_safely(demo_run: tuple[Path, DemoSummary]) -> None:
    workdir, _ = demo_run
    configs = workdir / "run_configs"
    configs.mkdir()
    text = (workdir / "configs" / "application.yaml").read_text()
    (configs / "application.yaml").write_text(
        text.replace("../data/synthetic", str(workdir / "data" / "synthetic"))
    )
    for name in ("policy", "reasons", "overrides"):
        (configs / name).symlink_to(workdir / "configs" / name)
    first = _pipeline(workdir, "retrain", "application", "2025-12")
    assert first.returncode in (0, 30), first.stderr
    second = _pipeline(workdir, "retrain", "application", "2025-12")
    assert second.returncode == first.returncode and "already done" in second.stdout
    ledger = workdir / "data" / "pipeline_state" / "retrain" / "application"
    runs = [json.loads(x) for x in (ledger / "runs.jsonl").read_text().splitlines()]
    assert [r["reused"] for r in runs] == [False, True]
    watch = _pipeline(workdir, "monitor", "application", "2024-09")
    assert watch.returncode in (0, 10, 20), watch.stderr
    again = _pipeline(workdir, "monitor", "application", "2024-09")
    assert again.returncode == watch.returncode and "already done" in again.stdout
