"""Registers every command group on the root app; each group lives in its own module."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the command groups and single commands to ``app``."""
    from scorecard.cli import data

    app.add_typer(data.app, name="data", help="Synthesise, ingest and validate source tables.")
