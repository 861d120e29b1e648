"""``scorecard data``: synthesise, read and validate source tables."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer
from rich.markup import escape

from scorecard.cli.output import console, error_line, print_table

if TYPE_CHECKING:
    from scorecard.features.catalogue import Card

app = typer.Typer(no_args_is_help=True)


@app.command("validate")
def validate(
    config: Path = typer.Option(..., "--config", "-c", help="Card config whose data are checked."),
) -> None:
    """Check everything `features build` needs: the card's tables and columns, PII key, flat table, policy files.

    Lists every problem and what absent optional columns disable; exits 1 when there is any problem.
    """
    from scorecard.config import load_config
    from scorecard.features.checks import validate_card

    report = validate_card(load_config(config))
    print_table(
        "Sources",
        ["table", "source", "rows", "columns", "nulls", "problems"],
        [
            [
                t.table,
                Path(t.source).name if t.source.startswith("/") else t.source,
                "-" if t.rows is None else t.rows,
                t.columns,
                t.nulls,
                t.problems,
            ]
            for t in report.tables
        ],
    )
    for note in report.notes:
        console.print(f"  [yellow]note[/] {escape(note)}", highlight=False, soft_wrap=True)
    if report.ok:
        console.print("[green]All sources match their schema.[/]")
        return
    console.print("[bold]Problems[/]")
    for problem in report.problems:
        console.print(f"  [red]{problem.kind}[/] {escape(problem.message)}", highlight=False, soft_wrap=True)
    error_line(
        f"{len(report.problems)} data problem(s) in {len({p.table for p in report.problems})} table(s)"
    )
    raise typer.Exit(code=1)


@app.command("schema")
def schema(
    card: str | None = typer.Option(
        None, "--card", help="Only what this card reads: application|behaviour|collection."
    ),
    config: Path | None = typer.Option(
        None, "--config", "-c", help="A card config: its card, with the columns its features and policy read."
    ),
    format: str = typer.Option("md", "--format", help="md (docs/data_contract.md) or json."),
) -> None:
    """Print the data contract: every canonical table's columns, who reads them, the tables each card needs."""
    import json

    from scorecard.config import load_config
    from scorecard.errors import ConfigError
    from scorecard.features.contract import CARDS, contract_markdown, data_contract
    from scorecard.features.reads import card_needs

    if card is not None and card not in CARDS:
        raise ConfigError(f"--card must be one of {', '.join(CARDS)}; got {card!r}")
    if format not in ("md", "json"):
        raise ConfigError(f"--format must be md or json; got {format!r}")
    needs = None
    if config is not None:
        cfg = load_config(config)
        if card is not None and card != cfg.card:
            raise ConfigError(f"{config}: is a {cfg.card} card, not {card!r}")
        card, needs = cfg.card, card_needs(cfg)
    chosen = cast("Card | None", card)
    if format == "json":
        typer.echo(json.dumps(data_contract(chosen, needs), indent=2))
    else:
        typer.echo(contract_markdown(chosen, needs), nl=False)


@app.command("synth")
def synth(
    rows: int = typer.Option(20_000, "--rows", "-n", help="Number of applications to generate."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed writes the same bytes."),
    drift: bool = typer.Option(
        False, "--drift", help="Shift the last 6 months (population and one relationship)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for <table>.parquet files."),
    truth: bool = typer.Option(
        False,
        "--truth",
        help="Also write truth/reject_outcomes.parquet: what unbooked applicants would have done.",
    ),
) -> None:
    """Generate the synthetic lending portfolio (raw tables, with PII) as one Parquet file per table."""
    import pyarrow.parquet as pq

    from scorecard.cli.output import progress
    from scorecard.data.synth import CHUNK_APPLICATIONS, DRIFT_START, DRIFTED_RELATIONSHIP, write_synthetic

    chunks = max(1, -(-rows // CHUNK_APPLICATIONS))
    with progress() as bar:
        task = bar.add_task(
            f"synthesising {rows:,} applications in {chunks:,} chunk(s) to {out}", total=max(rows, 1)
        )
        paths = write_synthetic(
            rows, out, seed=seed, drift=drift, truth=truth, on_chunk=lambda n: bar.update(task, completed=n)
        )
    print_table(
        f"Synthetic portfolio (seed {seed}{', drift' if drift else ''})",
        ["table", "rows", "columns", "MB"],
        [
            [name, n, len(pq.read_schema(path).names), path.stat().st_size / 1e6]
            for name, (path, n) in paths.items()
        ],
    )
    console.print(f"Wrote {len(paths)} Parquet files to {escape(str(out))}", highlight=False)
    if drift:
        console.print(f"Drift from {DRIFT_START}: {escape(DRIFTED_RELATIONSHIP)}", highlight=False)
