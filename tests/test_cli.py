"""The CLI shell: help, version, one-line user errors, tracebacks only with --debug."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scorecard import __version__
from scorecard.cli.app import run

GROUPS = ("data", "features", "train", "promote", "export", "score", "monitor", "models", "demo", "config")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"scorecard {__version__}"


def test_help_lists_every_command_group(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    missing = [g for g in GROUPS if f" {g} " not in out]
    assert not missing, f"commands missing from --help: {missing}"


def test_user_error_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["config", "show", "--config", str(tmp_path / "missing.yaml")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().startswith("error:") and "missing.yaml: config file not found" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_debug_shows_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scorecard.cli",
            "--debug",
            "config",
            "show",
            "--config",
            str(tmp_path / "x.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "ConfigError" in proc.stderr


def test_usage_error_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["config", "show"]) == 2
    assert "Missing option '--config'" in capsys.readouterr().err
