"""Tracking URI resolution and the embedded store's layout."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest

from scorecard.config import TrackingConfig
from scorecard.errors import ConfigError
from scorecard.tracking import store


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (pyproject.toml) with the shell in a subfolder and no MLFLOW_TRACKING_URI."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'bank-cards'\n")
    (tmp_path / "configs").mkdir()
    monkeypatch.chdir(tmp_path / "configs")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return tmp_path


def test_env_beats_config_beats_default(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = TrackingConfig(tracking_uri="http://tracking.bank.internal:5000")
    assert store.tracking_uri(None) == f"sqlite:///{project}/mlruns/mlflow.db"
    assert store.tracking_uri(cfg) == "http://tracking.bank.internal:5000"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "postgresql://mlflow@db/mlflow")
    assert store.tracking_uri(cfg) == "postgresql://mlflow@db/mlflow"


def test_project_root_falls_back_to_the_folder_itself(tmp_path: Path) -> None:
    assert store.project_root(tmp_path / "nowhere") == (tmp_path / "nowhere").resolve()


def test_only_a_local_sqlite_store_gets_an_artifact_folder(tmp_path: Path) -> None:
    assert (
        store.artifact_location(f"sqlite:///{tmp_path}/m/mlflow.db")
        == (tmp_path / "m" / "artifacts").as_uri()
    )
    assert store.artifact_location("http://127.0.0.1:5000") is None
    assert store.artifact_location("postgresql://u@h/db") is None
    assert store.artifact_location("sqlite:///:memory:") is None


def test_embedded_store_is_created_on_first_use(project: Path) -> None:
    client = store.connect()
    experiment = store.experiment_id(client, "application_retail")
    assert store.experiment_id(client, "application_retail") == experiment
    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_text("hello", "notes/hello.txt")
    assert (project / "mlruns" / "mlflow.db").is_file()
    found = list((project / "mlruns" / "artifacts").rglob("hello.txt"))
    assert [p.read_text() for p in found] == ["hello"]
    assert run.info.run_id in str(found[0])
    assert not (project / "configs" / "mlruns").exists()


def test_a_deleted_experiment_is_a_clear_error(project: Path) -> None:
    client = store.connect()
    client.delete_experiment(store.experiment_id(client, "behaviour_card"))
    with pytest.raises(ConfigError, match="'behaviour_card' .* is deleted; restore it"):
        store.experiment_id(client, "behaviour_card")
