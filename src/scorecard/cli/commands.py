"""Registers every command group on the root app; each group lives in its own module."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the command groups and single commands to ``app``."""
    from scorecard.cli import (
        bins,
        bundle,
        config,
        data,
        demo,
        export,
        features,
        init,
        models,
        promote,
        report,
        score,
        serve,
        train,
    )
    from scorecard.cli import monitor as monitor_cmd

    app.add_typer(data.app, name="data", help="Synthesise, ingest and validate source tables.")
    app.add_typer(config.app, name="config", help="Show a resolved card config and the config reference.")
    app.add_typer(
        features.app, name="features", help="Build point-in-time modeling tables; list the features."
    )
    app.command("init", help="Scaffold a card config from a flat file, printing what it guessed and why.")(
        init.init
    )
    app.command("train", help="Train a card from its config and print its metrics.")(train.train)
    app.add_typer(
        bins.app, name="bins", help="Review a run's bins and freeze them as reviewed binning overrides."
    )
    app.command("promote", help="Promote a registered card version through the gates, or roll back.")(
        promote.promote
    )
    app.add_typer(models.app, name="models", help="List registered cards: versions, aliases, metrics, gates.")
    app.command(
        "monitor", help="Monitor a batch: PSI/CSI, drift, health, backtest; exit 0 ok / 10 warn / 20 alert."
    )(monitor_cmd.monitor)
    app.command("export", help="Export a trained run as a serving bundle (folder, optional zip).")(
        export.export
    )
    app.command(
        "report", help="Write the model documentation pack (HTML, optional PDF) of a run or version."
    )(report.report)
    app.command("score", help="Score a CSV or Parquet file with a bundle, in chunks.")(score.score)
    app.add_typer(bundle.app, name="bundle", help="Inspect and verify serving bundles.")
    app.command("serve", help="Serve a bundle over HTTP: POST /score, GET /health, GET /ready.")(serve.serve)
    app.command("demo", help="Run the whole main job on a synthetic portfolio and print a summary.")(
        demo.demo
    )
