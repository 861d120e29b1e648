"""Score a CSV or Parquet file with a bundle in chunks, with constant memory (pyarrow at this edge only).

Rows come out in the order they went in, one output row per input row, with the kept input columns followed
by score, pd, grade, decision, knockout, flags, reasons, warnings and status. Rows whose status is an
error have empty score, pd and grade. CSV cells are read as text (so one bad cell never stops the file) and
number fields are converted per chunk by Arrow when every value parses, else by the runtime row by row.

The output is written to a hidden temporary file beside the target and renamed over it only when every row
is scored, so a run that stops (a malformed CSV row, a truncated Parquet file, a full disk) leaves nothing
behind and says why in one line. An output path that is the input is refused. CSV output quotes a value
only when it must (a comma, quote or line break in it), so copied input columns read back as numbers.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    if _format(path) != "parquet":
        return None
    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: {_unreadable(path, exc)}") from None


def _unreadable(path: Path, exc: BaseException) -> str:
    """One line saying why a file cannot be read."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"cannot be read as {_format(path).upper()} ({first})"


class _BadRows:
    """Arrow's invalid-row handler: remembers the first malformed CSV row and stops the read."""

    def __init__(self) -> None:
        self.first: str | None = None

    def __call__(self, row: Any) -> str:
        if self.first is None:
            where = f"line {row.number}" if row.number is not None else "a row"
            self.first = f"{where}: expected {row.expected_columns} columns, got {row.actual_columns}"
        return "error"


def _chunks(path: Path, chunk_rows: int, bad_rows: _BadRows) -> Iterator[pa.RecordBatch]:
    if _format(path) == "parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=chunk_rows)
        return
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not header:
        raise DataError(f"{path}: empty CSV file (no header line)")
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 22, use_threads=False),  # rows know their line
        parse_options=pacsv.ParseOptions(invalid_row_handler=bad_rows),
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


def _csv_cells(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A column as CSV text: numbers and plain text as they are, quoted only when they must be."""
    text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.fill_null(pc.if_else(pc.match_substring_regex(text, '[",\r\n]'), quoted, text), "")


def _csv_bytes(table: pa.Table, header: bool) -> bytes:
    """``table`` as CSV lines (RFC 4180, minimal quoting), after a header line when ``header``."""
    lines = pc.binary_join_element_wise(*(_csv_cells(c) for c in table.columns), ",").to_pylist()
    if header:
        lines.insert(0, ",".join(_csv_cells(pa.array(table.column_names)).to_pylist()))
    return ("\n".join(lines) + "\n").encode("utf-8")


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
    """Score ``source`` into ``target`` chunk by chunk; ``keep`` input columns (None: all) lead each row.

    DataError (one line, nothing written) for a path clash, an unreadable or malformed file, or missing
    required columns; the target appears, whole, only when every row is scored.
    """
    out_format = _format(target)
    _format(source)
    if target.resolve() == source.resolve() or (target.exists() and os.path.samefile(target, source)):
        raise DataError(f"{target}: is the input file; write the scores to another path")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    bad_rows = _BadRows()
    try:
        with partial.open("wb") as sink:
            summary = _score_chunks(bundle, source, sink, out_format, keep, chunk_rows, on_chunk, bad_rows)
        os.replace(partial, target)
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        reason = bad_rows.first or _unreadable(source, exc)
        raise DataError(f"{source}: {reason}; nothing was written") from None
    finally:
        partial.unlink(missing_ok=True)
    return summary


def _score_chunks(
    bundle: Bundle,
    source: Path,
    sink: Any,
    out_format: str,
    keep: Sequence[str] | None,
    chunk_rows: int,
    on_chunk: Callable[[int], None] | None,
    bad_rows: _BadRows,
) -> ScoreSummary:
    summary = ScoreSummary()
    writer: pq.ParquetWriter | None = None
    started = False
    try:
        for batch in _chunks(source, chunk_rows, bad_rows):
            names = batch.schema.names
            kept = list(names) if keep is None else list(keep)
            if not started:
                _check_columns(source, batch.schema, kept, bundle, out_format)
            table, scored = score_arrow(bundle, batch, kept)
            if out_format == "parquet":
                writer = writer or pq.ParquetWriter(sink, table.schema)
                writer.write_table(table)
            else:
                sink.write(_csv_bytes(table, header=not started))
            started = True
            summary.rows += batch.num_rows
            summary.errors += int((scored["status"] != "ok").sum())
            summary.warnings += int((scored["warnings"] != "").sum())
            names_, counts = np.unique(
                scored["decision"][scored["status"] == "ok"].astype(str), return_counts=True
            )
            for name, count in zip(names_.tolist(), counts.tolist(), strict=True):
                summary.decisions[name] = summary.decisions.get(name, 0) + count
            if on_chunk is not None:
                on_chunk(batch.num_rows)
    finally:
        if writer is not None:
            writer.close()
    if not started:
        raise DataError(f"{source}: no rows to score")
    return summary


def _check_columns(source: Path, schema: pa.Schema, kept: list[str], bundle: Bundle, out_format: str) -> None:
    """--keep names real columns, the bundle's required fields are there, CSV output can hold what is kept."""
    names = schema.names
    absent = [c for c in kept if c not in names]
    if absent:
        raise DataError(f"{source}: --keep names columns not in the file: {absent}")
    lacking = [name for name in bundle.required if name not in names]
    if lacking:
        raise DataError(f"{source}: lacks required columns {lacking}; bundle {bundle.name!r} needs them")
    if out_format == "csv":
        nested = [c for c in kept if pa.types.is_nested(schema.field(c).type)]
        if nested:
            raise DataError(
                f"{source}: columns {nested} hold lists or structs, which CSV cannot hold; leave them out with "
                "--keep or write .parquet"
            )
