"""Registers every command group on the root app; each group lives in its own module."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the command groups and single commands to ``app``."""
    from scorecard.cli import config, data

    app.add_typer(data.app, name="data", help="Synthesise, ingest and validate source tables.")
    app.add_typer(config.app, name="config", help="Show a resolved card config and the config reference.")
