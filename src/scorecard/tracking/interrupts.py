"""Runs that end however their process ends: KILLED on SIGTERM or SIGINT, FAILED when found orphaned later.

``tracked_run`` starts an MLflow run tagged with the process that owns it (host, boot id, pid, start time).
While it is open, SIGTERM and SIGINT end the run as KILLED before the process exits (exit code 128 + signal,
or KeyboardInterrupt for SIGINT). A process that dies without running any handler (SIGKILL, power loss, OOM
killer) leaves its run RUNNING; the next ``tracked_run`` in the same experiment sweeps it: a RUNNING run whose
owner tag names this host and a process that no longer exists there is ended as FAILED, and the
``scorecard.ended_by`` tag says why. "No longer exists" means: the machine rebooted since (another boot id), no
such pid, or the pid now belongs to a process that started at another time (a reused pid). Runs owned by another
host, and runs without the owner tag (other tools, or runs from before the tag existed), are left alone: from
here there is no way to tell whether their process still works.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import mlflow
from mlflow.entities import Run
from mlflow.tracking import MlflowClient

OWNER_TAG = "scorecard.process"
ENDED_BY_TAG = "scorecard.ended_by"
SIGNALS = (signal.SIGTERM, signal.SIGINT)
_PROC = Path("/proc")


class RunSignalled(BaseException):
    """A signal arrived while a tracked run was open (a BaseException, so no ``except Exception`` swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _boot_id() -> str:
    path = _PROC / "sys" / "kernel" / "random" / "boot_id"
    return path.read_text().strip() if path.is_file() else ""


def _start_ticks(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot, /proc/<pid>/stat field 22); "" without /proc; None if gone."""
    if not (_PROC / "self" / "stat").is_file():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:  # exists, owned by someone else
            pass
        return ""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # fields after "(comm)" start at field 3


def owner() -> str:
    """This process as the owner tag records it: ``host|boot id|pid|start ticks``."""
    return "|".join((socket.gethostname(), _boot_id(), str(os.getpid()), _start_ticks(os.getpid()) or ""))


def owner_gone(tag: str) -> str | None:
    """Why the process named by an owner tag no longer exists on this host; None when it may still run (or
    runs elsewhere, or the tag is not one of ours)."""
    parts = tag.split("|")
    if len(parts) != 4 or not parts[2].isdigit():
        return None
    host, boot, pid, started = parts
    if host != socket.gethostname():
        return None
    if boot and _boot_id() and boot != _boot_id():
        return f"process {pid} on {host} is gone (the machine restarted since)"
    now = _start_ticks(int(pid))
    if now is None:
        return f"process {pid} on {host} is gone"
    if started and now and now != started:
        return f"process {pid} on {host} is gone (the pid now belongs to a newer process)"
    return None


def sweep_stale_runs(client: MlflowClient, experiment_id: str) -> list[str]:
    """End as FAILED every RUNNING run of the experiment whose owning process is gone; returns their ids."""
    swept = []
    runs: list[Run] = client.search_runs([experiment_id], "attributes.status = 'RUNNING'", max_results=1000)
    for run in runs:
        why = owner_gone(run.data.tags.get(OWNER_TAG, ""))
        if why is None:
            continue
        seen = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        client.set_tag(run.info.run_id, ENDED_BY_TAG, f"sweep at {seen} by process {os.getpid()}: {why}")
        client.set_terminated(run.info.run_id, "FAILED")
        swept.append(run.info.run_id)
    return swept


@contextmanager
def tracked_run(client: MlflowClient, experiment_id: str, **start: Any) -> Iterator[mlflow.ActiveRun]:
    """``mlflow.start_run(experiment_id=..., **start)`` after sweeping the experiment's orphaned runs; the run
    is tagged with its owner and ends as KILLED on SIGTERM or SIGINT (FINISHED or FAILED otherwise, as usual)."""
    sweep_stale_runs(client, experiment_id)
    tags = {**start.pop("tags", {}), OWNER_TAG: owner()}
    with mlflow.start_run(experiment_id=experiment_id, tags=tags, **start) as run, _killed_on_signal():
        yield run


@contextmanager
def _killed_on_signal() -> Iterator[None]:
    """Turn SIGTERM/SIGINT into ``RunSignalled`` while the block runs; the active run then ends as KILLED."""
    if threading.current_thread() is not threading.main_thread():  # handlers can only be set there
        yield
        return
    fired: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if not fired:  # a second signal while the run is being ended does not interrupt that
            fired.append(signum)
            raise RunSignalled(signum)

    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield
    except RunSignalled as exc:
        mlflow.end_run("KILLED")
        if exc.signum == signal.SIGINT:
            raise KeyboardInterrupt from None
        raise SystemExit(128 + exc.signum) from None
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
