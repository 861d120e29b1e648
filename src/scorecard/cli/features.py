"""``scorecard features``: build a card's modeling table; list the feature catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import typer
from rich.markup import escape

from scorecard.cli.output import console, print_table, progress, warning_line
from scorecard.errors import DataError

app = typer.Typer(no_args_is_help=True)


@app.command("build")
def build(
    config: Path = typer.Option(
        ..., "--config", "-c", help="Card config (sources, features, target, split)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Parquet file for the modeling table."),
) -> None:
    """Build the point-in-time modeling table; print row counts, the target summary and split sizes."""
    from scorecard.config import load_config
    from scorecard.features.build import build_card_table, planned_steps, untrainable
    from scorecard.features.flat import load_flat_table
    from scorecard.features.splits import split_sizes
    from scorecard.features.stored import write_modeling_table

    cfg = load_config(config)
    with progress() as bar:
        if cfg.data.flat_table is not None:
            total = 1
            task = bar.add_task(f"reading {cfg.data.flat_table.path.name}", total=total)
            table = load_flat_table(cfg)
        else:
            total = len(planned_steps(cfg)) + 1
            task = bar.add_task("reading sources", total=total)
            table = build_card_table(cfg, on_step=lambda step: bar.update(task, advance=1, description=step))
        bar.update(task, completed=total, description="done")
    for line in table.warnings:
        warning_line(line)
    problem = untrainable(table, cfg)
    if problem is not None:
        raise DataError(f"{problem}; nothing written to {out}")
    write_modeling_table(table, cfg, out)
    frame = table.frame
    print_table(
        f"{cfg.card} card: {cfg.name}",
        ["rows", "features", "categorical", "first snapshot", "last snapshot"],
        [
            [
                len(frame),
                len(table.features),
                len(table.categorical),
                str(frame["snapshot_date"].min())[:10],
                str(frame["snapshot_date"].max())[:10],
            ]
        ],
    )
    print_table("Target", list(table.target_summary), [list(table.target_summary.values())])
    sizes = split_sizes(frame["split"])
    bads = frame.groupby("split")["target"].mean()
    print_table(
        "Splits",
        ["split", "rows", "bad rate"],
        [[s, n, "-" if s == "excluded" else float(bads.get(s, 0.0))] for s, n in sizes.items() if n],
    )
    console.print(
        f"Wrote {len(frame):,} rows to {escape(str(out))} (train on it: scorecard train --table)",
        highlight=False,
    )


@app.command("list")
def list_features(
    card: str | None = typer.Option(
        None, "--card", help="Only features of this card: application|behaviour|collection."
    ),
    markdown: bool = typer.Option(
        False, "--markdown", help="Print the catalogue as Markdown (docs/features.md)."
    ),
    config: Path | None = typer.Option(
        None, "--config", "-c", help="Also list this card config's custom features (features.custom)."
    ),
) -> None:
    """List every feature: stable name, family, definition, window and kind."""
    from scorecard.errors import ConfigError
    from scorecard.features.catalogue import CATALOGUE, Card, catalogue_markdown

    cards = ("application", "behaviour", "collection")
    if card is not None and card not in cards:
        raise ConfigError(f"--card must be one of {', '.join(cards)}; got {card!r}")
    custom = []
    if config is not None:
        from scorecard.config import load_config
        from scorecard.features.custom import custom_defs

        cfg = load_config(config)
        card = card or cfg.card
        custom = custom_defs(cfg)
    if markdown:
        typer.echo(catalogue_markdown(cast("Card | None", card), custom))
        return
    rows = [
        [f.name, f.family, f.definition, f.window, f.kind]
        for f in [*CATALOGUE, *custom]
        if card is None or card in f.cards
    ]
    print_table(
        f"Features{f' of the {card} card' if card else ''}",
        ["name", "family", "definition", "window", "kind"],
        rows,
    )
