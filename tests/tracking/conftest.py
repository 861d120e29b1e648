"""Tracking fixtures: a real ``mlflow server`` on 127.0.0.1 and a store parameter (embedded sqlite | server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest

from tests.processes import stop_group

SERVER_START_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real tracking server with its own sqlite backend and proxied artifact root; stopped afterwards."""
    root = tmp_path_factory.mktemp("mlflow_server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("w")
    command = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{root / 'backend.db'}",
        "--serve-artifacts", "--artifacts-destination", str(root / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    env.pop("MLFLOW_TRACKING_URI", None)
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (root / "server.log").read_text()[-2000:]
                pytest.fail(f"mlflow server did not come up on {url} (exit code {server.poll()}):\n{tail}")
            time.sleep(0.5)
        yield url
    finally:
        stop_group(server, grace=10)  # the server and the uvicorn worker it spawned
        log.close()


@pytest.fixture(autouse=True)
def _forget_tracking_uri() -> Iterator[None]:
    """``store.connect`` sets MLflow's process-wide tracking URI; later tests must resolve theirs afresh."""
    yield
    mlflow.set_tracking_uri(None)


@pytest.fixture(params=["sqlite", pytest.param("server", marks=[pytest.mark.server, pytest.mark.slow])])
def store_uri(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """MLFLOW_TRACKING_URI pointed at a fresh embedded sqlite store, or at the real server."""
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    else:
        uri = request.getfixturevalue("mlflow_server")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri
