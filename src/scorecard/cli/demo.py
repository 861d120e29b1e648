"""``scorecard demo``: the whole main job on a synthetic portfolio, ending in one summary table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scorecard.cli.output import print_step, print_table, result_line, say

if TYPE_CHECKING:
    from scorecard.demo import CardOutcome


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
        say("SCORECARD_PII_KEY not set: hashing PII with a demo-only key")
    summary = run_demo(workdir, rows=rows, seed=seed, step=say, progress=print_step)

    def gini(model: str, card: CardOutcome, split: str) -> str:
        value = card.metrics.get(model, {}).get(split, {}).get("gini")
        return "-" if value is None else f"{value:.3f}"

    print_table(
        "scorecard demo: per card (Gini on test and out-of-time; challenger = LightGBM)",
        [
            "card",
            "rows",
            "bad rate",
            "Gini test",
            "Gini OOT",
            "KS test",
            "LGBM test",
            "LGBM OOT",
            "champion",
            "monitor",
        ],
        [
            (
                c.card,
                c.rows,
                f"{c.bad_rate:.1%}",
                gini("scorecard", c, "test"),
                gini("scorecard", c, "oot"),
                f"{c.metrics['scorecard']['test']['ks']:.3f}",
                gini("challenger", c, "test"),
                gini("challenger", c, "oot"),
                "-" if c.champion == "-" else f"v{c.champion}",
                c.monitoring,
            )
            for c in summary.cards
        ],
    )
    for c in summary.cards:
        result_line(f"{c.card}: promotion {c.promotion}; bundle {c.bundle}; pack {c.pack}")
    result_line(f"scored batch: {summary.scored}")
    result_line(f"monitoring report: {summary.report}")
    result_line(f"see the runs: mlflow ui --backend-store-uri {summary.tracking_uri}")
