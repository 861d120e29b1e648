"""Safe scheduling for the recurring jobs: one run per card at a time, idempotent per period.

A job run takes a non-blocking lock per (job, card); a second run while the first holds it exits
with ``EXIT_LOCKED``. A period that already succeeded is not redone (its recorded outcome is returned)
unless ``force`` is given. Every run appends to a JSON-lines log under the state folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from scorecard.errors import ScorecardError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_WARN = 10
EXIT_ALERT = 20
EXIT_GATES_FAILED = 30
EXIT_LOCKED = 75

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class JobLocked(ScorecardError):
    """Another run of the same job for the same card holds the lock."""


@dataclass
class JobOutcome:
    """What a job run did: its status, exit code and the facts it wants logged."""

    job: str
    card: str
    period: str
    status: str
    exit_code: int
    details: dict[str, Any] = field(default_factory=dict)
    started: str = ""
    finished: str = ""
    reused: bool = False


def check_period(period: str) -> str:
    """A period is a calendar month, YYYY-MM."""
    if not _PERIOD.match(period):
        raise ScorecardError(f"--period must be a month as YYYY-MM, got {period!r}")
    return period


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def run_job(
    job: str,
    card: str,
    period: str,
    state_dir: Path,
    work: Callable[[], tuple[str, int, dict[str, Any]]],
    force: bool = False,
) -> JobOutcome:
    """Run ``work`` once for (job, card, period) under a lock; ``work`` returns (status, exit code, details)."""
    check_period(period)
    folder = state_dir / job / card
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / f"{period}.json"
    lock = FileLock(str(folder / ".lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise JobLocked(f"{job} for card {card!r} is already running (lock {folder / '.lock'})") from None
    try:
        if record.exists() and not force:
            done = JobOutcome(**json.loads(record.read_text()))
            if done.exit_code in (EXIT_OK, EXIT_WARN, EXIT_ALERT, EXIT_GATES_FAILED):
                done.reused = True
                _log(folder, done)
                return done
        started = _now()
        try:
            status, code, details = work()
        except Exception as exc:
            outcome = JobOutcome(
                job, card, period, "failed", EXIT_FAILED, {"error": str(exc)}, started, _now()
            )
            _log(folder, outcome)
            raise
        outcome = JobOutcome(job, card, period, status, code, details, started, _now())
        tmp = record.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(outcome), indent=2, sort_keys=True, default=str))
        os.replace(tmp, record)
        _log(folder, outcome)
        return outcome
    finally:
        lock.release()


def run_scheduled(
    job: str,
    card: str,
    period: str,
    state_dir: Path,
    work: Callable[[], tuple[str, int, dict[str, Any]]],
    force: bool = False,
) -> int:
    """``run_job`` for a scheduler: one summary line on stdout (errors on stderr) and the exit code to return."""
    try:
        outcome = run_job(job, card, period, state_dir, work, force)
    except JobLocked as exc:
        print(f"{job}: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except Exception as exc:
        print(f"{job} {card} {period}: failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    again = " (already done; --force to redo)" if outcome.reused else ""
    print(
        f"{job} {card} {period}: {outcome.status}{again}; details: {json.dumps(outcome.details, default=str)}"
    )
    return outcome.exit_code


def _log(folder: Path, outcome: JobOutcome) -> None:
    line = {**asdict(outcome), "host": socket.gethostname(), "logged": _now()}
    with (folder / "runs.jsonl").open("a") as fh:
        fh.write(json.dumps(line, sort_keys=True, default=str) + "\n")
