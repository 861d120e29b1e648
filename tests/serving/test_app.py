"""HTTP serving: scores equal the runtime's, bad bodies get 400 / 413 / 422, reloads never serve a bad bundle."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from scorecard.bundle.export import write_bundle
from scorecard.bundle.runtime import load_bundle
from scorecard.serving.app import RecordCheck, create_app, request_schema
from scorecard.serving.source import PathSource, Served
from tests.bundle.conftest import documents

GOOD = {"age": 50, "inq_3m": 0, "channel": "online", "national_id_hash": "h", "region": "north",
        "is_emulator": False}  # fmt: skip


def _bundle(folder: Path, approve: float = 540.0, version: str = "v1") -> Path:
    docs = documents()
    cutoffs = docs["policy.json"]["cutoffs"]
    cutoffs["approve"], cutoffs["decline"] = approve, min(cutoffs["decline"], approve)
    return write_bundle(
        docs, folder, card={"name": "hand_card", "type": "application", "description": "test"},
        model_version=version, created_at="2026-01-02T03:04:05Z", data_fingerprint="0" * 64,
    )  # fmt: skip


@pytest.fixture
def served(tmp_path: Path) -> Served:
    return Served(PathSource(_bundle(tmp_path / "bundle")))


@pytest.fixture
def client(served: Served) -> TestClient:
    return TestClient(create_app(served, max_body_bytes=2_000, max_records=5))


def test_one_record_scores_as_the_runtime_does(client: TestClient, served: Served) -> None:
    response = client.post("/score", json=GOOD)
    assert response.status_code == 200 and response.headers["x-bundle"] == "hand_card v1"
    body = response.json()
    assert body["bundle"] == "hand_card v1"
    assert body["result"] == json.loads(json.dumps(load_bundle(served.source.path).score_one(GOOD)))  # type: ignore[attr-defined]
    assert (body["result"]["score"], body["result"]["decision"]) == (545, "approve")


def test_a_batch_scores_every_record_in_order(client: TestClient) -> None:
    records = [GOOD, {**GOOD, "age": 30}, {**GOOD, "inq_3m": "abc"}]
    body = client.post("/score", json=records).json()
    assert [r["decision"] for r in body["results"]] == ["approve", "refer", None]
    assert body["results"][2]["status"] == "error: inq_3m: 'abc' is not a number"


def test_bad_json_is_400_and_names_the_bundle(client: TestClient) -> None:
    response = client.post("/score", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.headers["x-bundle"] == "hand_card v1"
    assert response.json()["error"].startswith("request body is not valid JSON")


def test_oversized_bodies_and_batches_are_413(client: TestClient) -> None:
    response = client.post("/score", content=b"[" + b"1," * 2000 + b"1]")
    assert response.status_code == 413 and response.json()["error"] == "request body over 2000 bytes"
    response = client.post("/score", json=[GOOD] * 6)
    assert response.status_code == 413 and response.json()["error"] == "6 records in one request; at most 5"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({k: v for k, v in GOOD.items() if k != "age"}, "<record>: 'age' is a required property"),
        ({**GOOD, "age": [30]}, "age: [30] is not of type 'number', 'string', 'null'"),
        ([GOOD, 7], "record 1: <record>: 7 is not of type 'object'"),
    ],
)
def test_records_that_do_not_match_the_request_schema_are_422(
    client: TestClient, body: Any, error: str
) -> None:
    response = client.post("/score", json=body)
    assert response.status_code == 422 and response.json()["error"] == error


def test_health_and_ready_name_the_bundle(client: TestClient) -> None:
    assert client.get("/health").json() == {
        "status": "ok", "bundle": "hand_card v1", "version": client.get("/health").json()["version"],
        "last_reload_error": None,
    }  # fmt: skip
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json() == {"ready": True, "bundle": "hand_card v1"}


def test_a_reload_keeps_the_old_bundle_when_the_new_one_fails_verification(
    served: Served, client: TestClient, tmp_path: Path
) -> None:
    folder = tmp_path / "bundle"
    (folder / "policy.json").write_text((folder / "policy.json").read_text().replace("540.0", "0.0"))
    assert served.reload() is False
    assert (
        client.post("/score", json={**GOOD, "age": 30}).json()["result"]["decision"] == "refer"
    )  # 530 < 540
    health = client.get("/health").json()
    assert health["bundle"] == "hand_card v1"
    assert "reload failed, still serving hand_card v1" in health["last_reload_error"]
    assert "policy.json: changed" in health["last_reload_error"]
    (folder / "policy.json").unlink()
    _bundle(folder, approve=500.0, version="v2")
    assert served.changed() and served.reload() is True
    response = client.post("/score", json={**GOOD, "age": 30})
    assert (
        response.headers["x-bundle"] == "hand_card v2" and response.json()["result"]["decision"] == "approve"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, until: Any, seconds: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = httpx.get(url, timeout=2.0)
            if until(response):
                return response
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: not as expected within {seconds} s")
        time.sleep(0.2)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="SIGHUP is POSIX")
def test_the_cli_server_reloads_on_sighup(tmp_path: Path) -> None:
    folder = _bundle(tmp_path / "bundle")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "scorecard.cli", "serve", "--bundle", str(folder), "--port", str(port),
         "--poll-seconds", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/ready", lambda r: r.status_code == 200)
        for name in list(folder.iterdir()):
            name.unlink()
        _bundle(folder, version="v2")
        server.send_signal(signal.SIGHUP)
        health = _wait(f"{base}/health", lambda r: r.json()["bundle"] == "hand_card v2")
        assert health.headers["x-bundle"] == "hand_card v2"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> tuple[RecordCheck, Any]:
    """The fast check and the plain jsonschema validator of the same bundle."""
    bundle = load_bundle(_bundle(tmp_path_factory.mktemp("check") / "bundle"))
    return RecordCheck(bundle), jsonschema.Draft202012Validator(request_schema(bundle))


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None)
@given(
    record=st.one_of(
        st.fixed_dictionaries({}, optional={k: _JSON_VALUES for k in [*GOOD, "extra"]}),
        st.fixed_dictionaries({**{k: st.just(v) for k, v in GOOD.items()}, "age": _JSON_VALUES}),
        _JSON_VALUES,
    )
)
def test_the_fast_record_check_gives_jsonschemas_verdict_and_message(
    checks: tuple[Any, Any], record: Any
) -> None:
    fast, reference = checks
    error = next(iter(reference.iter_errors(record)), None)
    expected = None
    if error is not None:
        expected = f"{'/'.join(str(p) for p in error.absolute_path) or '<record>'}: {error.message[:200]}"
    assert fast.problem(record) == expected
