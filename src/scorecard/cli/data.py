"""``scorecard data``: synthesise, read and validate source tables."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from scorecard.cli.output import console, error_line, print_table

app = typer.Typer(no_args_is_help=True)


@app.command("validate")
def validate(
    config: Path = typer.Option(..., "--config", "-c", help="Card config whose data.sources are checked."),
) -> None:
    """Read, map and check every source table; list all problems; exit 1 when there is any."""
    from scorecard.config import load_config
    from scorecard.data.ingest import validate_sources

    report = validate_sources(load_config(config).data)
    print_table(
        "Sources",
        ["table", "source", "rows", "columns", "nulls", "problems"],
        [
            [t.table, Path(t.source).name, "-" if t.rows is None else t.rows, t.columns, t.nulls, t.problems]
            for t in report.tables
        ],
    )
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


@app.command("synth")
def synth(
    rows: int = typer.Option(20_000, "--rows", "-n", help="Number of applications to generate."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed writes the same bytes."),
    drift: bool = typer.Option(
        False, "--drift", help="Shift the last 6 months (population and one relationship)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for <table>.parquet files."),
) -> None:
    """Generate the synthetic lending portfolio (raw tables, with PII) as one Parquet file per table."""
    from scorecard.cli.output import progress
    from scorecard.data.synth import DRIFT_START, DRIFTED_RELATIONSHIP, STEPS, synthesize, write_portfolio

    with progress() as bar:
        task = bar.add_task(f"synthesising {rows:,} applications", total=len(STEPS))
        tables = synthesize(rows, seed=seed, drift=drift, on_step=lambda step: bar.advance(task))
        files = bar.add_task(f"writing {len(tables)} files to {out}", total=len(tables))
        paths = write_portfolio(tables, out, on_write=lambda path: bar.advance(files))
    print_table(
        f"Synthetic portfolio (seed {seed}{', drift' if drift else ''})",
        ["table", "rows", "columns", "MB"],
        [
            [name, len(frame), frame.shape[1], paths[name].stat().st_size / 1e6]
            for name, frame in tables.items()
        ],
    )
    console.print(f"Wrote {len(paths)} Parquet files to {escape(str(out))}", highlight=False)
    if drift:
        console.print(f"Drift from {DRIFT_START}: {escape(DRIFTED_RELATIONSHIP)}", highlight=False)
