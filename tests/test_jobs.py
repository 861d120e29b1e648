"""Scheduled jobs never overlap per card and re-running a finished period does nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from filelock import FileLock

from scorecard.errors import ScorecardError
from scorecard.jobs import EXIT_ALERT, EXIT_FAILED, EXIT_OK, JobLocked, run_job


def test_second_run_for_same_period_is_reused(tmp_path: Path) -> None:
    calls: list[int] = []

    def work() -> tuple[str, int, dict[str, int]]:
        calls.append(1)
        return "alert", EXIT_ALERT, {"psi": 3}

    first = run_job("monitor", "application", "2024-06", tmp_path, work)
    second = run_job("monitor", "application", "2024-06", tmp_path, work)
    assert calls == [1]
    assert (first.exit_code, first.reused) == (EXIT_ALERT, False)
    assert (second.exit_code, second.reused, second.details) == (EXIT_ALERT, True, {"psi": 3})
    forced = run_job("monitor", "application", "2024-06", tmp_path, work, force=True)
    assert calls == [1, 1] and not forced.reused
    log = (tmp_path / "monitor" / "application" / "runs.jsonl").read_text().splitlines()
    assert [json.loads(x)["reused"] for x in log] == [False, True, False]


def test_locked_card_refuses_a_second_run(tmp_path: Path) -> None:
    folder = tmp_path / "retrain" / "application"
    folder.mkdir(parents=True)
    with FileLock(str(folder / ".lock")), pytest.raises(JobLocked, match="already running"):
        run_job("retrain", "application", "2024-06", tmp_path, lambda: ("ok", EXIT_OK, {}))
    other = run_job("retrain", "behaviour", "2024-06", tmp_path, lambda: ("ok", EXIT_OK, {}))
    assert other.exit_code == EXIT_OK


def test_failed_run_is_retried_next_time(tmp_path: Path) -> None:
    def boom() -> tuple[str, int, dict[str, int]]:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run_job("retrain", "application", "2024-06", tmp_path, boom)
    assert not (tmp_path / "retrain" / "application" / "2024-06.json").exists()
    log = [
        json.loads(x) for x in (tmp_path / "retrain" / "application" / "runs.jsonl").read_text().splitlines()
    ]
    assert log[0]["exit_code"] == EXIT_FAILED and log[0]["details"] == {"error": "disk full"}
    again = run_job("retrain", "application", "2024-06", tmp_path, lambda: ("ok", EXIT_OK, {}))
    assert again.exit_code == EXIT_OK and not again.reused


def test_period_must_be_a_month(tmp_path: Path) -> None:
    with pytest.raises(ScorecardError, match=r"--period must be a month as YYYY-MM, got '2024-13'"):
        run_job("retrain", "application", "2024-13", tmp_path, lambda: ("ok", EXIT_OK, {}))


def test_run_scheduled_turns_outcomes_into_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scorecard.jobs import EXIT_LOCKED, run_scheduled

    def boom() -> tuple[str, int, dict[str, int]]:
        raise RuntimeError("tracking server unreachable")

    assert run_scheduled("retrain", "application", "2024-06", tmp_path, boom) == EXIT_FAILED
    assert "retrain application 2024-06: failed: tracking server unreachable" in capsys.readouterr().err
    folder = tmp_path / "retrain" / "application"
    with FileLock(str(folder / ".lock")):
        assert run_scheduled("retrain", "application", "2024-06", tmp_path, boom) == EXIT_LOCKED
    assert (
        run_scheduled("retrain", "application", "2024-06", tmp_path, lambda: ("ok", EXIT_OK, {"v": 2})) == 0
    )
    assert capsys.readouterr().out.strip().endswith('ok; details: {"v": 2}')
