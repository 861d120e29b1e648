"""``scorecard demo``: the whole main job on a synthetic portfolio, ending in one summary table."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from scorecard.cli.output import console, print_table


def demo(
    rows: int = typer.Option(20_000, "--rows", min=1_000, help="Synthetic applications to generate."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the synthetic portfolio."),
    workdir: Path = typer.Option(
        Path("."), "--workdir", help="Project folder: configs/ read, data/ runs/ bundles/ reports/ written."
    ),
) -> None:
    """Synthesise, build features, train, log, promote, export, score and monitor all three cards."""
    from scorecard.demo import run_demo

    if not os.environ.get("SCORECARD_PII_KEY"):
        os.environ["SCORECARD_PII_KEY"] = "demo-only-key-not-for-production"
        console.print("[yellow]SCORECARD_PII_KEY not set: hashing PII with a demo-only key[/]")
    summary = run_demo(workdir, rows=rows, seed=seed, step=lambda text: console.print(f"[bold]>[/] {text}"))
    rows_out = []
    for c in summary.cards:
        sc, ch = c.metrics["scorecard"], c.metrics.get("challenger", {})
        rows_out.append(
            (
                c.card,
                c.rows,
                f"{c.bad_rate:.1%}",
                sc["test"]["gini"],
                sc.get("oot", {}).get("gini", float("nan")),
                sc["test"]["ks"],
                ch.get("test", {}).get("gini", float("nan")),
                f"v{c.champion} ({c.promotion})",
                str(c.bundle.relative_to(workdir.resolve())),
                c.monitoring,
            )
        )
    print_table(
        "scorecard demo",
        [
            "card",
            "rows",
            "bad rate",
            "test Gini",
            "OOT Gini",
            "test KS",
            "challenger test Gini",
            "champion",
            "bundle",
            "monitoring",
        ],
        rows_out,
    )
    console.print(f"MLflow: mlflow ui --backend-store-uri {summary.tracking_uri}", highlight=False)
    console.print(f"scored batch: {summary.scored}", highlight=False)
    console.print(f"monitoring report: {summary.report}/report.html", highlight=False)
