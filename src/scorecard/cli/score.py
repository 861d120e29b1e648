"""``scorecard score``: score a CSV or Parquet file with a bundle in chunks, or a table or files on Spark;
rows out = rows in."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scorecard.cli.output import console, print_table, progress

if TYPE_CHECKING:
    from scorecard.bundle.runtime import Bundle


class ScoreEngine(StrEnum):
    """Where the records are scored."""

    local = "local"
    spark = "spark"


def score(
    bundle: Path = typer.Option(..., "--bundle", help="Bundle folder or .zip."),
    input: str = typer.Option(
        ..., "--input", help="CSV or Parquet file of records; with --engine spark also a Spark table name."
    ),
    output: Path = typer.Option(..., "--output", help="CSV or Parquet file (a folder on Spark) to write."),
    keep: list[str] | None = typer.Option(
        None, "--keep", help="Input column to copy to the output (repeatable); default: all input columns."
    ),
    chunk_rows: int = typer.Option(65_536, "--chunk-rows", min=1, help="Rows per chunk (bounds memory)."),
    engine: ScoreEngine = typer.Option(
        ScoreEngine.local,
        "--engine",
        help="local: chunks on this machine; spark: Arrow batches on the executors (master from "
        "SCORECARD_SPARK_MASTER or spark-submit).",
    ),
) -> None:
    """Score every record; each output row carries score, pd, grade, decision, reasons and status."""
    from scorecard.bundle.runtime import load_bundle

    loaded = load_bundle(bundle)
    if engine is ScoreEngine.spark:
        _score_on_spark(loaded, input, output, keep)
        return
    from scorecard.bundle.stream import count_rows, score_file

    source = Path(input)
    with progress() as bar:
        task = bar.add_task(f"scoring {source.name}", total=count_rows(source))
        summary = score_file(
            loaded,
            source,
            output,
            keep=keep or None,
            chunk_rows=chunk_rows,
            on_chunk=lambda n: bar.advance(task, n),
        )
    _print_summary(loaded, summary.rows, summary.decisions, summary.errors, summary.warnings, output)


def _score_on_spark(loaded: Bundle, source: str, output: Path, keep: list[str] | None) -> None:
    from scorecard.bundle.spark import score_to_path
    from scorecard.features.engine import spark_session

    summary = score_to_path(spark_session(), loaded, source, output, keep or None)
    _print_summary(loaded, summary.rows_out, summary.decisions, summary.errors, summary.warnings, output)


def _print_summary(
    loaded: Bundle, rows: int, decisions: dict[str, int], errors: int, warnings: int, output: Path
) -> None:
    print_table(
        f"{rows:,} rows scored with {loaded.name} {loaded.manifest['model_version']}",
        ["decision", "rows"],
        sorted(decisions.items()),
    )
    console.print(f"errors: {errors:,}  warnings: {warnings:,}  output: {output}", highlight=False)
