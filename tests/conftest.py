"""Shared fixtures: real-data location, offline settings for MLflow and Evidently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("SCORECARD_PII_KEY", "test-only-pii-key")
# one setting for the public datasets, so configs that read ${SCORECARD_REALDATA} (the Berka example) find them too
os.environ.setdefault("SCORECARD_REALDATA", str(REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def realdata_dir() -> Path:
    """The public credit datasets (SCORECARD_REALDATA, default ../shared/data); skip when absent."""
    path = Path(os.environ["SCORECARD_REALDATA"])
    if not path.is_dir():
        pytest.skip(f"real datasets not found at {path} (set SCORECARD_REALDATA)")
    return path


@pytest.fixture(autouse=True)
def _isolated_mlflow(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's MLflow traffic in a temporary sqlite store, never the project's mlruns/."""
    if "MLFLOW_TRACKING_URI" not in os.environ:
        store = tmp_path_factory.mktemp("mlruns")
        monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store}/mlflow.db")


@pytest.fixture(scope="session")
def small_portfolio() -> dict:
    """The synthetic portfolio (raw tables with PII): 3,000 applications, seed 7. Do not mutate; copy first."""
    from scorecard.data.synth import synthesize

    return synthesize(3_000, seed=7)


@pytest.fixture(scope="session")
def small_portfolio_dir(small_portfolio: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``small_portfolio`` written as ``<table>.parquet`` files in a session temp folder."""
    from scorecard.data.synth import write_portfolio

    out = tmp_path_factory.mktemp("small_portfolio")
    write_portfolio(small_portfolio, out)
    return out
