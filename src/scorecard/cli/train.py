"""``scorecard train``: train a card from its config and print its metrics per model and split."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from scorecard.cli.output import console, print_step, print_table, result_line, say
from scorecard.config import load_config


def train(
    config: Path = typer.Option(..., "--config", "-c", help="Card config YAML."),
    run_dir: Path | None = typer.Option(
        None, "--run-dir", help="Folder for the run's outputs; default runs/<card name>/<UTC timestamp>."
    ),
    table: Path | None = typer.Option(
        None,
        "--table",
        help="Modeling table written by `scorecard features build --out` for this config, instead of building it.",
    ),
    no_track: bool = typer.Option(
        False, "--no-track", help="Skip MLflow: no run logged, no version registered."
    ),
) -> None:
    """Train the scorecard, calibration, reason codes and challenger; write the run folder."""
    from scorecard.modeling.train import train_card

    cfg = load_config(config)
    modeling = None
    if table is not None:
        from scorecard.features.stored import read_modeling_table

        modeling = read_modeling_table(table, cfg)
    out = run_dir or Path("runs") / cfg.name / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    say(f"training {cfg.name} ({cfg.card} card){'' if no_track else ', logging to MLflow'}")
    with console.status(f"training {cfg.name}"):
        if no_track:
            card, tracked = train_card(cfg, modeling, run_dir=out, progress=print_step), None
            from scorecard.bundle.export import record_policy_strategy

            record_policy_strategy(card)
            from scorecard.reports.pack import PACK_FILE, build_pack, write_pack

            write_pack(build_pack(out), out / PACK_FILE)
        else:
            from scorecard.tracking.runs import train_and_log

            tracked = train_and_log(cfg, modeling, run_dir=out, progress=print_step)
            card = tracked.card
    print_table(
        f"{cfg.name}: {len(card.features)} features, fingerprint {card.data_fingerprint[:12]}",
        ["model", "split", "rows", "AUC", "Gini", "KS"],
        card.metrics_rows(),
    )
    for decision in card.decisions:
        console.print(f"[dim]{decision}[/]", highlight=False)
    result_line(f"run folder: {card.run_dir}")
    result_line(f"documentation pack: {Path(str(card.run_dir)) / 'model_documentation.html'}")
    if tracked is not None:
        console.print(
            f"MLflow run {tracked.run_id}; registered {tracked.registered_model} v{tracked.version} as challenger",
            highlight=False,
        )
