"""Where MLflow runs and models live: ``MLFLOW_TRACKING_URI``, else the config, else a sqlite store in ``mlruns/``.

The embedded default keeps a sqlite database at ``<project>/mlruns/mlflow.db`` and artifacts beside it in
``<project>/mlruns/artifacts`` (created on first use). Any other URI (a tracking server, a database) is passed to
MLflow untouched; only a local sqlite store gets its artifact folder chosen here, because MLflow would otherwise
put artifacts in ``./mlruns`` of whatever folder the command runs from.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlparse

from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from scorecard.config import CardConfig, TrackingConfig
from scorecard.errors import ConfigError

ENV_VAR = "MLFLOW_TRACKING_URI"
STORE_DIR = "mlruns"


def project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) holding pyproject.toml or .git; else ``start``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() or (folder / ".git").exists():
            return folder
    return here


def default_tracking_uri(root: Path | None = None) -> str:
    """The embedded store: ``sqlite:///<project>/mlruns/mlflow.db``."""
    return f"sqlite:///{(root or project_root()) / STORE_DIR / 'mlflow.db'}"


def tracking_uri(cfg: CardConfig | TrackingConfig | None = None) -> str:
    """The tracking URI in force: MLFLOW_TRACKING_URI, else ``tracking.tracking_uri``, else the embedded store."""
    tracking = cfg.tracking if isinstance(cfg, CardConfig) else cfg
    return os.environ.get(ENV_VAR) or (tracking.tracking_uri if tracking else None) or default_tracking_uri()


def sqlite_path(uri: str) -> Path | None:
    """The database file of a local ``sqlite:///`` URI, or None for any other store."""
    parsed = urlparse(uri)
    if parsed.scheme != "sqlite" or parsed.path in ("", "/:memory:"):
        return None
    return Path(parsed.path)


def artifact_location(uri: str) -> str | None:
    """Artifact root for new experiments: ``<db folder>/artifacts`` for a local sqlite store, else the store's own."""
    db = sqlite_path(uri)
    return (db.parent / "artifacts").resolve().as_uri() if db is not None else None


def quiet_mlflow() -> None:
    """MLflow's own log lines at WARNING and above (unless ``MLFLOW_LOGGING_LEVEL`` asks otherwise), and no
    copy of the working folder's uv project in logged models: each model pins its own requirements."""
    os.environ.setdefault("MLFLOW_LOG_UV_FILES", "false")
    os.environ.setdefault("MLFLOW_UV_AUTO_DETECT", "false")
    if not os.environ.get("MLFLOW_LOGGING_LEVEL"):
        logging.getLogger("mlflow").setLevel(logging.WARNING)


def connect(cfg: CardConfig | TrackingConfig | None = None) -> MlflowClient:
    """Point MLflow's fluent API at the store in force and return a client for it.

    The registry follows the tracking store unless ``MLFLOW_REGISTRY_URI`` says otherwise (MLflow's own rule).
    """
    import mlflow

    quiet_mlflow()
    uri = tracking_uri(cfg)
    db = sqlite_path(uri)
    if db is not None:
        (db.parent / "artifacts").mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    return MlflowClient(tracking_uri=uri)


def experiment_id(client: MlflowClient, name: str) -> str:
    """Id of experiment ``name``, created with the store's artifact location when it does not exist yet."""
    found = client.get_experiment_by_name(name)
    if found is None:
        try:
            return str(
                client.create_experiment(name, artifact_location=artifact_location(client.tracking_uri))
            )
        except MlflowException as exc:  # created meanwhile by a parallel run
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
            found = client.get_experiment_by_name(name)
    if found is None or found.lifecycle_stage == "deleted":
        raise ConfigError(
            f"MLflow experiment {name!r} at {client.tracking_uri} is deleted; restore it "
            f"(mlflow experiments restore) or choose another name in tracking.experiment"
        )
    return str(found.experiment_id)
