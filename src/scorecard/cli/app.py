"""The ``scorecard`` command: one typer app, one small module per command group."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import typer

from scorecard import __version__
from scorecard.cli import commands
from scorecard.cli.output import console, error_line
from scorecard.errors import ScorecardError

app = typer.Typer(
    name="scorecard",
    help="Build, ship and watch credit-risk scorecards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        console.print(f"scorecard {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Build, ship and watch credit-risk scorecards."""
    _state["debug"] = debug


commands.register(app)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; a user's mistake is one clear line, not a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    _state["debug"] = "--debug" in args
    try:
        result = app(args=args, prog_name="scorecard", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        error_line("aborted")
        return 1
    except typer.TyperException as exc:  # usage errors: typer's own click exceptions, which can show()
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            error_line(exc.format_message())
        return exc.exit_code
    except (ScorecardError, OSError) as exc:
        if _state["debug"]:
            raise
        error_line(str(exc))
        return 1
    return result if isinstance(result, int) else 0


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("DO_NOT_TRACK", "1")  # Evidently telemetry off
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    sys.exit(run())
