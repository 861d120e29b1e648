"""``scorecard config``: show a resolved card config, print the generated reference."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from scorecard.cli.output import console
from scorecard.config import load_config
from scorecard.config_reference import config_reference

app = typer.Typer(no_args_is_help=True)


@app.command("show")
def show(config: Path = typer.Option(..., "--config", "-c", help="Card config YAML.")) -> None:
    """Print the config with every default filled in, after validation."""
    cfg = load_config(config)
    text = yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    console.print(f"# {cfg.source_path}", highlight=False)
    console.print(text, highlight=False, markup=False)


@app.command("reference")
def reference() -> None:
    """Print the Markdown config reference generated from the config model."""
    console.print(config_reference(), highlight=False, markup=False, soft_wrap=True, end="")
