"""An interrupted training run does not stay RUNNING: a signal ends it as KILLED, and a run whose process died
without a word is ended as FAILED by the next run's sweep (issue 13, item 6)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import pytest
from mlflow.entities import Run
from mlflow.tracking import MlflowClient

from scorecard.tracking import interrupts
from scorecard.tracking.interrupts import ENDED_BY_TAG, OWNER_TAG, owner, owner_gone, tracked_run
from scorecard.tracking.store import experiment_id

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = "retail_application"  # card_config's experiment
TRAIN = """
from scorecard.tracking.runs import train_and_log
from tests.tracking.cards import card_config, modeling_table
train_and_log(card_config("application_scorecard"), modeling_table(n=3000))
print("finished")
"""
WAIT_SECONDS = 300


def _training(uri: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", TRAIN], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _training_run(client: MlflowClient, process: subprocess.Popen[str]) -> Run:
    """The subprocess's run once it is training (its config logged, so the signal handler is in place)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1][-2000:]
        experiment = client.get_experiment_by_name(EXPERIMENT)
        found = client.search_runs([experiment.experiment_id]) if experiment else []
        if found and found[0].data.params:
            return found[0]
        time.sleep(0.2)
    process.kill()
    pytest.fail("the training subprocess did not start a run in time")


def test_a_terminated_training_ends_its_run_as_killed(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    process = _training(uri)
    run = _training_run(client, process)
    assert run.info.status == "RUNNING"
    assert run.data.tags[OWNER_TAG].split("|")[2] == str(process.pid)
    process.terminate()
    stdout, stderr = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == 128 + signal.SIGTERM, stderr[-2000:]
    assert "finished" not in stdout
    assert client.get_run(run.info.run_id).info.status == "KILLED"
    assert client.search_registered_models() == []  # killed before the last step: nothing registered


def test_a_run_whose_process_was_killed_outright_is_failed_by_the_next_start(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    process = _training(uri)
    run = _training_run(client, process)
    process.kill()  # SIGKILL: no handler runs, the run stays RUNNING
    process.communicate(timeout=WAIT_SECONDS)
    assert client.get_run(run.info.run_id).info.status == "RUNNING"
    mlflow.set_tracking_uri(uri)
    foreign = client.create_run(run.info.experiment_id, tags={"mlflow.runName": "another tool's run"})
    with tracked_run(client, run.info.experiment_id, run_name="next") as following:
        assert client.get_run(following.info.run_id).info.status == "RUNNING"
    swept = client.get_run(run.info.run_id)
    assert swept.info.status == "FAILED" and swept.info.end_time is not None
    assert swept.data.tags[ENDED_BY_TAG].endswith(
        f"by process {os.getpid()}: process {process.pid} on {socket.gethostname()} is gone"
    )
    assert client.get_run(following.info.run_id).info.status == "FINISHED"
    assert client.get_run(foreign.info.run_id).info.status == "RUNNING"  # no owner tag: not ours to judge


def test_the_owner_of_a_live_run_is_never_judged_gone() -> None:
    assert owner_gone(owner()) is None


def test_a_reused_pid_a_restart_another_host_and_foreign_tags(monkeypatch: pytest.MonkeyPatch) -> None:
    host, boot, pid, started = owner().split("|")
    reused = f"{host}|{boot}|{pid}|{int(started) + 1 if started else 1}"
    if started:  # on a system with /proc the start time tells a reused pid
        assert (
            owner_gone(reused) == f"process {pid} on {host} is gone (the pid now belongs to a newer process)"
        )
    monkeypatch.setattr(interrupts, "_boot_id", lambda: "another-boot")
    if boot:
        assert owner_gone(f"{host}|{boot}|{pid}|{started}") == (
            f"process {pid} on {host} is gone (the machine restarted since)"
        )
    assert owner_gone(f"elsewhere.example|{boot}|999999999|1") is None  # another host: cannot tell
    assert owner_gone("") is None and owner_gone("a|b|c") is None and owner_gone("h|b|x|1") is None


@pytest.mark.parametrize(
    ("signum", "stop"), [(signal.SIGTERM, SystemExit), (signal.SIGINT, KeyboardInterrupt)]
)
def test_a_signal_inside_a_tracked_run_ends_it_killed(
    signum: int, stop: type[BaseException], tmp_path: Path
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    experiment = experiment_id(client, "signals")
    before = signal.getsignal(signum)
    with pytest.raises(stop) as stopped, tracked_run(client, experiment) as run:
        os.kill(os.getpid(), signum)
        time.sleep(5)  # the handler interrupts this
    if stop is SystemExit:
        assert stopped.value.code == 128 + signal.SIGTERM  # type: ignore[attr-defined]
    assert client.get_run(run.info.run_id).info.status == "KILLED"
    assert signal.getsignal(signum) is before  # the previous handler is back
