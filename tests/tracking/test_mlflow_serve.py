"""``mlflow models serve --env-manager local`` serves the champion: the same answers as the bundle runtime, a bad
cell as that row's status, and an error without input values (issue 13, "check also ... and document both")."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from scorecard.bundle.runtime import load_bundle
from scorecard.tracking import registry
from scorecard.tracking.pyfunc import OUTPUT_TYPES, log_bundle_model
from scorecard.tracking.store import quiet_mlflow
from tests.bundle.conftest import documents, write
from tests.processes import stop_group

NAME = "hand_card"
START_SECONDS = 300  # MLflow's server starts in ~20 s on an idle machine, a minute on a loaded one
HASHED_ID = "9f86d081884c7d659a2feaa0c55ad015"
GOOD = {"age": 30.0, "inq_3m": 0.0, "channel": "online", "national_id_hash": HASHED_ID, "region": "north",
        "is_emulator": False}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_mlflow_models_serve_answers_for_the_champion(tmp_path: Path) -> None:
    quiet_mlflow()
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    bundle_dir = write(documents(), tmp_path / "bundle")
    with mlflow.start_run() as run:
        info = log_bundle_model(bundle_dir, pd.DataFrame([GOOD]))
    client = MlflowClient(uri)
    version = registry.register(info.model_uri, NAME, run.info.run_id, "application", client=client)
    client.set_registered_model_alias(NAME, registry.CHAMPION, version.version)

    port = _free_port()
    env = {  # MLflow starts ``uvicorn`` from PATH: the project environment's bin folder must be on it
        **os.environ, "MLFLOW_TRACKING_URI": uri,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }  # fmt: skip
    log = (tmp_path / "serve.log").open("w")
    command = [sys.executable, "-m", "mlflow", "models", "serve", "-m", f"models:/{NAME}@champion",
               "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    f"mlflow models serve did not start:\n{(tmp_path / 'serve.log').read_text()[-2000:]}"
                )
            time.sleep(0.5)

        records = [GOOD, {**GOOD, "age": 45}, {**GOOD, "age": "abc"}]
        answer = httpx.post(f"{url}/invocations", json={"dataframe_records": records}, timeout=60)
        assert answer.status_code == 200, answer.text
        served = json.loads(answer.text.replace("NaN", "null"))["predictions"]  # MLflow writes NaN for NaN
        expected = load_bundle(bundle_dir).score_one(GOOD)
        assert [list(p) for p in served] == [list(OUTPUT_TYPES)] * 3
        first = served[0]
        assert (first["score"], first["grade"], first["decision"], first["status"]) == (
            expected["score"], expected["grade"], expected["decision"], "ok",
        )  # fmt: skip
        assert first["pd"] == pytest.approx(expected["pd"])
        assert first["reasons"] == "|".join(r["code"] for r in expected["reasons"])
        assert served[1]["score"] == load_bundle(bundle_dir).score_one({**GOOD, "age": 45.0})["score"]
        assert served[2]["status"] == "error: age: 'abc' is not a number" and served[2]["decision"] == ""

        refused = httpx.post(f"{url}/invocations", json={"instances": [[1, 2]]}, timeout=60)
        assert refused.status_code == 400
        assert "scorecard model input has none of the bundle's fields" in refused.json()["stack_trace"]
        unnamed = httpx.post(f"{url}/invocations", json={"instances": [list(GOOD.values())]}, timeout=60)
        assert unnamed.status_code == 400 and HASHED_ID not in unnamed.text  # no input value echoed
    finally:
        stop_group(server, grace=30)  # MLflow's CLI and the uvicorn it started
        log.close()
        mlflow.set_tracking_uri(None)
