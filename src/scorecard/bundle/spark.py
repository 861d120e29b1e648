"""Batch scoring on Spark: Arrow batches go through the bundle runtime on the executors (``mapInArrow``).

The runtime ships as it is (numpy only); each batch is scored by the same ``score_arrow`` as a local file, so
the output columns are the file scorer's: the kept input columns, then score, pd, grade, decision, knockout,
flags, reasons, warnings and status. One output row per input row; a row that cannot be scored carries its
error in ``status`` and never stops the job.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from scorecard.bundle.runtime import Bundle, load_bundle
from scorecard.bundle.stream import output_schema, score_arrow
from scorecard.errors import DataError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@dataclass
class SparkScoreSummary:
    """What a Spark scoring run wrote: rows in and out, errors, warnings, decisions of the scored rows."""

    rows_in: int = 0
    rows_out: int = 0
    errors: int = 0
    warnings: int = 0
    decisions: dict[str, int] = field(default_factory=dict)


def score_spark(df: DataFrame, bundle: Bundle | Path | str, keep: Sequence[str] | None = None) -> DataFrame:
    """``df`` scored lazily on the executors; ``keep`` input columns (None: all) lead each output row."""
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    loaded = bundle if isinstance(bundle, Bundle) else load_bundle(bundle)
    kept = list(df.columns) if keep is None else list(keep)
    absent = [c for c in kept if c not in df.columns]
    if absent:
        raise DataError(f"keep names columns the input does not have: {absent}; it has {df.columns}")
    lacking = [name for name in loaded.required if name not in df.columns]  # as the file scorer refuses
    if lacking:
        raise DataError(f"input lacks required fields {lacking}; bundle {loaded.name!r} needs them")
    arrow_in = to_arrow_schema(df.schema)
    arrow_out = output_schema(loaded, arrow_in, kept)

    def score_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            table = score_arrow(loaded, batch, kept)[0].cast(arrow_out)
            if table.num_rows != batch.num_rows:
                raise DataError(
                    f"scoring returned {table.num_rows} rows for {batch.num_rows}; rows must match"
                )
            yield from table.to_batches()

    return df.mapInArrow(score_batches, from_arrow_schema(arrow_out))


def read_input(spark: SparkSession, source: str) -> DataFrame:
    """A table name in the session's catalog, or a Parquet file or folder, or a CSV file (cells as text)."""
    path = Path(source)
    if path.exists():
        if path.is_dir() or path.suffix.lower() in (".parquet", ".pq"):
            return spark.read.parquet(str(path))
        if path.suffix.lower() == ".csv":
            return spark.read.option("header", True).option("inferSchema", False).csv(str(path))
        raise DataError(
            f"{source}: unsupported input {path.suffix!r}; expected a Parquet file or folder, or .csv"
        )
    if spark.catalog.tableExists(source):
        return spark.table(source)
    raise DataError(f"{source}: neither a file nor a table in the Spark catalog")


def score_to_path(
    spark: SparkSession, bundle: Bundle, source: str, target: Path, keep: Sequence[str] | None = None
) -> SparkScoreSummary:
    """Score a table or file into ``target`` (Parquet folder, or CSV folder for a ``.csv`` name), then check
    rows out == rows in from what was written."""
    from pyspark.sql import functions as F

    frame = read_input(spark, source)
    scored = score_spark(frame, bundle, keep)
    writer = scored.write.mode("overwrite")
    if target.suffix.lower() == ".csv":
        writer.option("header", True).csv(str(target))
        written = spark.read.option("header", True).csv(str(target))
    else:
        writer.parquet(str(target))
        written = spark.read.parquet(str(target))
    ok = F.col("status") == "ok"
    counts = written.groupBy(ok.alias("ok"), "decision").agg(
        F.count("*").alias("n"), F.sum((F.col("warnings") != "").cast("long")).alias("warned")
    )
    summary = SparkScoreSummary(rows_in=frame.count())
    for row in counts.collect():
        summary.rows_out += row["n"]
        summary.warnings += row["warned"] or 0
        if row["ok"]:
            summary.decisions[row["decision"]] = row["n"]
        else:
            summary.errors += row["n"]
    if summary.rows_out != summary.rows_in:
        raise DataError(f"{target}: wrote {summary.rows_out:,} rows for {summary.rows_in:,} input rows")
    return summary
