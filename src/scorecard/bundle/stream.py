"""Score a CSV or Parquet file with a bundle in chunks, with constant memory (pyarrow at this edge only).

Rows come out in the order they went in, one output row per input row, with the kept input columns followed
by score, pd, grade, decision, knockout, flags, reasons, warnings and status. Rows whose status is an
error have empty score, pd and grade. CSV cells are read as text (so one bad cell never stops the file) and
number fields are converted per chunk by Arrow when every value parses, else by the runtime row by row.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from scorecard.bundle.runtime import Bundle
from scorecard.errors import DataError

CHUNK_ROWS = 65_536
OUTPUTS = ("score", "pd", "grade", "decision", "limit", "knockout", "flags", "reasons", "warnings", "status")


@dataclass
class ScoreSummary:
    """What a file scoring run did."""

    rows: int = 0
    errors: int = 0
    warnings: int = 0
    decisions: dict[str, int] = field(default_factory=dict)


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet"):
        return suffix[1:]
    raise DataError(f"{path}: unsupported file type {suffix!r}; expected .csv or .parquet")


def count_rows(path: Path) -> int | None:
    """Row count known without reading the data (Parquet metadata), else None."""
    return pq.ParquetFile(path).metadata.num_rows if _format(path) == "parquet" else None


def _chunks(path: Path, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    if _format(path) == "parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=chunk_rows)
        return
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise DataError(f"{path}: empty CSV file (no header line)")
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 22),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=True
        ),
    )
    batch_rows: list[pa.RecordBatch] = []
    pending = 0
    for batch in reader:
        batch_rows.append(batch)
        pending += batch.num_rows
        if pending >= chunk_rows:
            yield from pa.Table.from_batches(batch_rows).to_batches(max_chunksize=chunk_rows)
            batch_rows, pending = [], 0
    if batch_rows:
        yield from pa.Table.from_batches(batch_rows).to_batches(max_chunksize=chunk_rows)


def _typed(batch: pa.RecordBatch, bundle: Bundle) -> pa.Table:
    """Number fields held as text become float64 when every value parses (the runtime handles the rest)."""
    table = pa.Table.from_batches([batch])
    for name, field_type in bundle.fields.items():
        if (
            field_type == "number"
            and name in table.column_names
            and pa.types.is_string(table.schema.field(name).type)
        ):
            try:
                converted = pc.cast(table.column(name), pa.float64())
            except pa.ArrowInvalid:
                continue
            table = table.set_column(table.schema.get_field_index(name), name, converted)
    return table


def _output(batch: pa.RecordBatch, keep: Sequence[str], scored: dict[str, np.ndarray]) -> pa.Table:
    failed = scored["status"] != "ok"
    columns = {name: batch.column(name) for name in keep}
    for name in OUTPUTS:
        values = scored[name]
        if name in ("score", "pd", "limit"):
            columns[name] = pa.array(values, mask=failed)
        elif name == "grade":
            columns[name] = pa.array(values.astype(str), mask=failed)
        else:
            columns[name] = pa.array(values.astype(str))
    return pa.table(columns)


def score_arrow(
    bundle: Bundle, batch: pa.RecordBatch, keep: Sequence[str]
) -> tuple[pa.Table, dict[str, np.ndarray]]:
    """One Arrow batch scored: the ``keep`` input columns then the outputs (one row per input row), and the
    runtime's arrays."""
    scored = bundle.score_batch(_typed(batch, bundle))
    return _output(batch, keep, scored), scored


def output_schema(bundle: Bundle, schema: pa.Schema, keep: Sequence[str]) -> pa.Schema:
    """The Arrow schema ``score_arrow`` gives batches of ``schema``: found by scoring no rows, so it follows the
    runtime's outputs as they are."""
    return score_arrow(bundle, pa.RecordBatch.from_pylist([], schema=schema), keep)[0].schema


def score_file(
    bundle: Bundle,
    source: Path,
    target: Path,
    keep: Sequence[str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_chunk: Callable[[int], None] | None = None,
) -> ScoreSummary:
    """Score ``source`` into ``target`` chunk by chunk; ``keep`` input columns (None: all) lead each row."""
    out_format = _format(target)
    summary = ScoreSummary()
    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        for batch in _chunks(source, chunk_rows):
            kept = list(batch.schema.names) if keep is None else list(keep)
            absent = [c for c in kept if c not in batch.schema.names]
            if absent:
                raise DataError(f"{source}: --keep names columns not in the file: {absent}")
            table, scored = score_arrow(bundle, batch, kept)
            if writer is None:
                writer = (
                    pq.ParquetWriter(target, table.schema)
                    if out_format == "parquet"
                    else pacsv.CSVWriter(target, table.schema)
                )
            writer.write_table(table)
            summary.rows += batch.num_rows
            summary.errors += int((scored["status"] != "ok").sum())
            summary.warnings += int((scored["warnings"] != "").sum())
            names, counts = np.unique(
                scored["decision"][scored["status"] == "ok"].astype(str), return_counts=True
            )
            for name, count in zip(names.tolist(), counts.tolist(), strict=True):
                summary.decisions[name] = summary.decisions.get(name, 0) + count
            if on_chunk is not None:
                on_chunk(batch.num_rows)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        raise DataError(f"{source}: no rows to score")
    return summary
