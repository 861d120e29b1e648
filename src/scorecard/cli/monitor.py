"""``scorecard monitor``: stability, drift, health and backtest of a current batch; the exit code is the status.

Exit codes: 0 ok, 10 warn, 20 alert, 1 error (bad input, missing file or model), 2 command-line usage error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from scorecard.cli.output import console, print_table
from scorecard.errors import ConfigError

CARDS = ("application", "behaviour", "collection")


def _config_path(card: str, config: Path | None) -> Path:
    """``--config`` as given, else ``configs/<card>.yaml`` under the working folder."""
    if config is not None:
        return config
    path = Path("configs") / f"{card}.yaml"
    if not path.is_file():
        raise ConfigError(f"{path}: no config for card {card!r}; pass --config PATH")
    return path


def monitor(
    card: str = typer.Option(..., "--card", help=f"Card to monitor: {', '.join(CARDS)} (or a config name)."),
    current: Path = typer.Option(
        ...,
        "--current",
        help="Current batch (CSV/Parquet): the card's inputs, the date column, the target if known "
        "(for a flat-table card: the flat table's own layout).",
    ),
    out: Path = typer.Option(
        ..., "--out", help="Folder for the HTML report, JSON summary and Evidently report."
    ),
    reference: Path | None = typer.Option(
        None,
        "--reference",
        help="Reference sample; default: the model's development sample from its MLflow run.",
    ),
    bundle: Path | None = typer.Option(None, "--bundle", help="Serving bundle (folder or zip) to monitor."),
    model: str | None = typer.Option(
        None,
        "--model",
        help="Registered model to monitor, e.g. application@champion (default without --bundle).",
    ),
    config: Path | None = typer.Option(
        None, "--config", "-c", help="Card config; default configs/<card>.yaml."
    ),
    as_of: dt.datetime | None = typer.Option(
        None,
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Outcomes count once the performance window ended by this date.",
    ),
    no_mlflow: bool = typer.Option(False, "--no-mlflow", help="Do not log the monitoring run to MLflow."),
) -> int:
    """Monitor a batch against the reference: exit 0 ok, 10 warn, 20 alert (1 on error)."""
    from scorecard.config import load_config
    from scorecard.monitoring.job import run_job

    if bundle is not None and model is not None:
        raise ConfigError("give --bundle or --model, not both")
    cfg = load_config(_config_path(card, config))
    if card not in (cfg.card, cfg.name):
        raise ConfigError(f"{cfg.source_path}: is the {cfg.card} card {cfg.name!r}, not {card!r}")
    with console.status(f"monitoring {cfg.name}"):
        result = run_job(cfg, current, out, reference, bundle, model, as_of, log=not no_mlflow)
    rows = [(f.level, f.check, f.subject, f.value, f.limit) for f in result.findings]
    print_table(
        f"{cfg.name}: {len(result.findings)} findings", ["level", "check", "subject", "value", "limit"], rows
    )
    colour = {"ok": "green", "warn": "yellow", "alert": "red"}[result.status]
    console.print(f"status: [bold {colour}]{result.status}[/] (exit {result.exit_code})", highlight=False)
    console.print(f"report: {result.paths['html']}", highlight=False)
    return result.exit_code
