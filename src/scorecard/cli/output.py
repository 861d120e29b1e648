"""Rich output shared by the commands: one console, tables from rows, progress bars, step lines.

On a terminal lines are styled by rich; in logs and pipes (cron, CI) each progress line is plain text that starts
with a UTC timestamp.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scorecard.progress import StepDone

_WIDTH = None if sys.stdout.isatty() else 160  # logs and pipes: wide enough for summary tables
console = Console(width=_WIDTH)
err_console = Console(stderr=True, width=_WIDTH)


def error_line(message: str) -> None:
    """Print a user's error as red text on stderr (multi-line messages keep their lines)."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def warning_line(message: str) -> None:
    """Print a warning as yellow text on stderr, one line."""
    err_console.print(f"[bold yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


def result_line(text: str) -> None:
    """Print a line naming results (paths, URIs) unwrapped, so it can be copied whole from any terminal or log."""
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a summary table; numbers right-aligned and formatted."""
    table = Table(title=title, title_justify="left", header_style="bold")
    rows = [list(r) for r in rows]
    for i, name in enumerate(columns):
        numeric = bool(rows) and all(
            isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in rows
        )
        table.add_column(name, justify="right" if numeric else "left")
    for r in rows:
        table.add_row(*(_cell(v) for v in r))
    console.print(table)


def progress() -> Progress:
    """A progress bar for long steps (use as a context manager)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def say(text: str) -> None:
    """A progress line: ``> text`` on a terminal, ``<UTC timestamp> text`` elsewhere."""
    if console.is_terminal:
        console.print(f"[bold]>[/] {escape(text)}", highlight=False)
    else:
        console.print(f"{_stamp()} {text}", highlight=False, markup=False, soft_wrap=True)


def print_step(done: StepDone, prefix: str = "") -> None:
    """One line per finished step with its duration, e.g. ``binning 12.3 s  38 features binned``."""
    if console.is_terminal:
        console.print(
            f"[green]✓[/] {escape(prefix)}[bold]{done.name:<11}[/] [dim]{done.seconds:7.1f} s[/]  {escape(done.detail)}",
            highlight=False,
        )
    else:
        line = f"{_stamp()} {prefix}{done.name} {done.seconds:.1f} s  {done.detail}"
        console.print(line.rstrip(), highlight=False, markup=False, soft_wrap=True)
