"""``scorecard train``: train a card from its config and print its metrics per model and split."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scorecard.cli.output import console, print_table
from scorecard.config import load_config

if TYPE_CHECKING:
    from scorecard.modeling.train import TrainedCard


def train(
    config: Path = typer.Option(..., "--config", "-c", help="Card config YAML."),
    run_dir: Path | None = typer.Option(
        None, "--run-dir", help="Folder for the run's outputs; default runs/<card name>/<UTC timestamp>."
    ),
    no_track: bool = typer.Option(
        False, "--no-track", help="Skip MLflow: no run logged, no version registered."
    ),
) -> None:
    """Train the scorecard, calibration, reason codes and challenger; write the run folder."""
    from scorecard.modeling.train import train_card

    cfg = load_config(config)
    out = run_dir or Path("runs") / cfg.name / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    with console.status(f"training {cfg.name}"):
        if no_track:
            card, tracked = train_card(cfg, run_dir=out), None
            _record_policy_strategy(card)
        else:
            from scorecard.tracking.runs import train_and_log

            tracked = train_and_log(cfg, run_dir=out)
            card = tracked.card
    print_table(
        f"{cfg.name}: {len(card.features)} features, fingerprint {card.data_fingerprint[:12]}",
        ["model", "split", "rows", "AUC", "Gini", "KS"],
        card.metrics_rows(),
    )
    for decision in card.decisions:
        console.print(f"[dim]{decision}[/]", highlight=False)
    console.print(f"run folder: {card.run_dir}", highlight=False)
    if tracked is not None:
        console.print(
            f"MLflow run {tracked.run_id}; registered {tracked.registered_model} v{tracked.version} as challenger",
            highlight=False,
        )


def _record_policy_strategy(card: TrainedCard) -> None:
    """Without tracking, score the evaluation sample with a throw-away bundle for the policy strategy tables."""
    import tempfile

    from scorecard.bundle.export import export_bundle
    from scorecard.bundle.runtime import load_bundle
    from scorecard.modeling.strategy import policy_tables

    frame = card.table.frame
    sample = frame[frame["split"] == ("oot" if (frame["split"] == "oot").any() else "test")]
    with tempfile.TemporaryDirectory() as tmp:
        bundle = load_bundle(export_bundle(card, Path(tmp) / "bundle", challenger=False))
        scored = bundle.score_batch(sample.reindex(columns=list(bundle.fields)), explain=False)
    card.strategy.update(policy_tables(scored, sample["target"].to_numpy(), card.config))
    card.write_strategy()
