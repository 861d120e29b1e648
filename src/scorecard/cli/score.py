"""``scorecard score``: score a CSV or Parquet file with a bundle, in chunks, rows out = rows in."""

from __future__ import annotations

from pathlib import Path

import typer

from scorecard.cli.output import console, print_table, progress


def score(
    bundle: Path = typer.Option(..., "--bundle", help="Bundle folder or .zip."),
    input: Path = typer.Option(..., "--input", help="CSV or Parquet file of records."),
    output: Path = typer.Option(..., "--output", help="CSV or Parquet file to write."),
    keep: list[str] | None = typer.Option(
        None, "--keep", help="Input column to copy to the output (repeatable); default: all input columns."
    ),
    chunk_rows: int = typer.Option(65_536, "--chunk-rows", min=1, help="Rows per chunk (bounds memory)."),
) -> None:
    """Score every record; each output row carries score, pd, grade, decision, reasons and status."""
    from scorecard.bundle.runtime import load_bundle
    from scorecard.bundle.stream import count_rows, score_file

    loaded = load_bundle(bundle)
    with progress() as bar:
        task = bar.add_task(f"scoring {input.name}", total=count_rows(input))
        summary = score_file(
            loaded,
            input,
            output,
            keep=keep or None,
            chunk_rows=chunk_rows,
            on_chunk=lambda n: bar.advance(task, n),
        )
    print_table(
        f"{summary.rows:,} rows scored with {loaded.name} {loaded.manifest['model_version']}",
        ["decision", "rows"],
        sorted(summary.decisions.items()),
    )
    console.print(
        f"errors: {summary.errors:,}  warnings: {summary.warnings:,}  output: {output}", highlight=False
    )
