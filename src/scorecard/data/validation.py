"""Checks a mapped source table against its declared schema (in DuckDB), and the report of every problem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import duckdb
import numpy as np

from scorecard.data.schema import Column, TableSchema
from scorecard.errors import DataError

ProblemKind = Literal[
    "missing_table",
    "file_not_found",
    "unreadable",
    "empty",
    "missing_column",
    "mapping_error",
    "wrong_type",
    "unparseable_date",
    "null",
    "duplicate_key",
    "out_of_range",
    "not_allowed",
    "query_error",
    "config",
]
REDACTED = "<pii redacted>"

_SQL_TYPES = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
_INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "DECIMAL")


@dataclass(frozen=True)
class Problem:
    """One problem in one source: where (file, column), what, how many rows, and an example."""

    table: str
    source: str
    kind: ProblemKind
    column: str | None
    rows: int
    example: str | None
    message: str


@dataclass(frozen=True)
class TableSummary:
    """What a source holds once mapped: rows, canonical columns present, null cells, problems found."""

    table: str
    source: str
    rows: int | None
    columns: int
    nulls: int
    problems: int


@dataclass
class ValidationReport:
    """Every problem of every source, found in one pass, with a summary per table."""

    tables: list[TableSummary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the card loses with the data as it is, e.g. 'device features disabled: device_events has no ip'."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def format(self) -> str:
        """The problems as lines, one per problem, under a count."""
        lines = [f"{len(self.problems)} data problem(s) in the sources:"]
        lines += [f"  - {p.message}" for p in self.problems]
        return "\n".join(lines)

    def raise_for_problems(self) -> None:
        """Raise one DataError listing every problem, if there is any."""
        if self.problems:
            raise DataError(self.format())


def quote(name: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    """A SQL literal for a constant from a config."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class DateFormats:
    """The strptime formats declared for a source's text dates and timestamps (``csv.date_format`` and
    ``csv.timestamp_format``); either one serves both kinds when only one is declared."""

    date: str | None = None
    timestamp: str | None = None

    def of(self, dtype: str) -> str | None:
        """The format that reads a column of canonical type ``dtype`` (date or timestamp), if declared."""
        return self.timestamp or self.date if dtype == "timestamp" else self.date or self.timestamp

    def expected(self, dtype: str) -> str:
        """What a parseable value looks like, for a problem's message."""
        iso = "YYYY-MM-DD" if dtype == "date" else "YYYY-MM-DD HH:MM:SS"
        fmt = self.of(dtype)
        return (
            f"expected dates as {fmt!r} (csv.{'timestamp' if fmt == self.timestamp else 'date'}_format) or {iso}"
            if fmt
            else f"expected {iso}"
        )


def cast_expression(column: Column, expr: str, source_type: str, formats: DateFormats = DateFormats()) -> str:
    """SQL turning ``expr`` (of DuckDB type ``source_type``) into the column's canonical type; NULL if it cannot.

    Text or integer dates are read with the declared format first (integers padded back to the format's width,
    so yymmdd 050101 read as 50101 still parses), then as ISO.
    """
    base = source_type.split("(")[0]
    if column.dtype == "int" and base not in _INTEGER_TYPES:
        as_double = f"TRY_CAST({expr} AS DOUBLE)"
        return f"CASE WHEN {as_double} = trunc({as_double}) THEN TRY_CAST({as_double} AS BIGINT) END"
    if column.dtype == "bool" and (base in _INTEGER_TYPES or base in _FLOAT_TYPES):
        return f"CASE WHEN {expr} IN (0, 1) THEN {expr} = 1 END"
    fmt = formats.of(column.dtype) if column.dtype in ("date", "timestamp") else None
    if fmt and (base == "VARCHAR" or base in _INTEGER_TYPES):
        text = f"CAST({expr} AS VARCHAR)"
        width = date(2001, 2, 3).strftime(fmt)
        if base in _INTEGER_TYPES and width.isdigit():
            text = f"lpad({text}, {len(width)}, '0')"
        parsed = f"CAST(try_strptime({text}, {literal(fmt)}) AS {_SQL_TYPES[column.dtype]})"
        return (
            parsed
            if base in _INTEGER_TYPES
            else f"coalesce({parsed}, TRY_CAST({expr} AS {_SQL_TYPES[column.dtype]}))"
        )
    if (
        column.dtype in ("date", "timestamp")
        and base not in ("VARCHAR", "DATE")
        and not base.startswith("TIMESTAMP")
    ):
        return f"CAST(NULL AS {_SQL_TYPES[column.dtype]})"
    return f"TRY_CAST({expr} AS {_SQL_TYPES[column.dtype]})"


def typed_select(
    con: duckdb.DuckDBPyConnection,
    name: str,
    schema: TableSchema,
    extra: Sequence[str] = (),
    formats: DateFormats = DateFormats(),
) -> duckdb.DuckDBPyRelation:
    """The mapped table ``name`` with each canonical column it has cast to its declared type, in schema order,
    then the ``extra`` (non-canonical) columns as they are."""
    types = _column_types(con, name)
    present = [c for c in schema.columns if c.name in types]
    exprs = [
        f"{cast_expression(c, quote(c.name), types[c.name], formats)} AS {quote(c.name)}" for c in present
    ]
    exprs += [quote(c) for c in extra]
    return con.table(name).project(", ".join(exprs))


def check_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    schema: TableSchema,
    source: str,
    formats: DateFormats = DateFormats(),
) -> tuple[TableSummary, list[Problem]]:
    """Check the mapped table ``name`` (canonical column names) against ``schema``; columns absent are skipped."""
    types = _column_types(con, name)
    present = [c for c in schema.columns if c.name in types]
    key = next((c.name for c in schema.columns if c.name in types and c.name in schema.key), None)
    selected = {
        c.name: (
            f"{quote(c.name)} AS r{i}",
            f"{cast_expression(c, quote(c.name), types[c.name], formats)} AS t{i}",
        )
        for i, c in enumerate(present)
    }
    every = [f"{quote(key)} AS k" if key else "NULL AS k", *(e for pair in selected.values() for e in pair)]
    rows = f"(SELECT {', '.join(every)} FROM {quote(name)})"

    checks: list[tuple[ProblemKind, Column, str, str]] = []
    null_counts: list[int] = []
    failed: list[int] = []
    for i, c in enumerate(present):
        r, t = f"r{i}", f"t{i}"
        column: list[tuple[ProblemKind, Column, str, str]] = []
        kind: ProblemKind = "unparseable_date" if c.dtype in ("date", "timestamp") else "wrong_type"
        column.append((kind, c, f"{r} IS NOT NULL AND {t} IS NULL", f"CAST({r} AS VARCHAR)"))
        if not c.nullable:
            column.append(("null", c, f"{r} IS NULL", "CAST(k AS VARCHAR)"))
        bounds = [f"{t} < {c.min!r}"] if c.min is not None else []
        bounds += [f"{t} > {c.max!r}"] if c.max is not None else []
        if bounds:
            column.append(("out_of_range", c, " OR ".join(bounds), f"CAST({t} AS VARCHAR)"))
        if c.allowed:
            allowed = ", ".join(literal(v) for v in c.allowed)
            column.append(("not_allowed", c, f"{t} NOT IN ({allowed})", f"CAST({t} AS VARCHAR)"))
        # one query per column that reads only its rows failing a check (or null): DuckDB pushes that filter
        # into the scan, where a Parquet file's statistics (null count, min and max per row group) skip each
        # row group that cannot fail, so a clean typed column is not read at all. A cast to the column's own
        # type cannot fail: it stays out of the filter (its count is 0 all the same)
        cast_can_fail = types[c.name] != _SQL_TYPES[c.dtype]
        found = [f"{r} IS NULL", *(cond for n, (_, _, cond, _) in enumerate(column) if n or cast_can_fail)]
        counts = [
            f"count(*) FILTER (WHERE {r} IS NULL)",
            *(f"count(*) FILTER (WHERE {x[2]})" for x in column),
        ]
        row = con.execute(
            f"SELECT {', '.join(counts)} FROM (SELECT {', '.join(selected[c.name])} FROM {quote(name)}) "
            f"WHERE {' OR '.join(f'({cond})' for cond in found)}"
        ).fetchall()[0]
        null_counts.append(row[0])
        failed += row[1:]
        checks += column
    (n_rows,) = con.execute(f"SELECT count(*) FROM {quote(name)}").fetchall()[0]

    problems: list[Problem] = []
    if n_rows == 0:
        message = f"{source}: no rows; expected rows of {schema.name}"
        problems.append(Problem(schema.name, source, "empty", None, 0, None, message))
    for (kind, c, cond, example), count in zip(checks, failed, strict=True):
        if count:
            # examples only for failed checks: a cast to text on every row would cost more than all the counts
            (shown,) = con.execute(f"SELECT min({example}) FROM {rows} WHERE {cond}").fetchall()[0]
            problems.append(_problem(schema, source, kind, c, count, shown, key, formats))
    if key is not None and all(k in types for k in schema.key):
        problems += _duplicate_keys(con, name, schema, source, types, formats)
    summary = TableSummary(schema.name, source, n_rows, len(present), sum(null_counts), len(problems))
    return summary, problems


def _problem(
    schema: TableSchema,
    source: str,
    kind: ProblemKind,
    c: Column,
    count: int,
    example: str | None,
    key: str | None,
    formats: DateFormats,
) -> Problem:
    if kind == "null":
        shown = f"row {key}={example!r}" if example is not None else None
        what = f"{_count(count, 'null value')} (e.g. {shown})" if shown else _count(count, "null value")
        message = f"{source}: column {c.name!r} has {what}; expected no nulls"
        return Problem(schema.name, source, kind, c.name, count, shown, message)
    shown = REDACTED if c.pii and example is not None else example
    expected = {
        "wrong_type": f"expected {c.dtype} values",
        "unparseable_date": formats.expected(c.dtype),
        "out_of_range": f"expected values in [{_bound(c.min, '-inf')}, {_bound(c.max, 'inf')}]",
        "not_allowed": f"expected one of {list(c.allowed or ())}",
    }[kind]
    noun, after = {
        "wrong_type": ("value", " of the wrong type"),
        "unparseable_date": ("unparseable date", ""),
        "out_of_range": ("value", " out of range"),
        "not_allowed": ("value", " not in the allowed set"),
    }[kind]
    message = f"{source}: column {c.name!r} has {_count(count, noun)}{after} (e.g. {shown!r}); {expected}"
    return Problem(schema.name, source, kind, c.name, count, shown, message)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _bound(value: float | None, unbounded: str) -> str:
    return unbounded if value is None else f"{value:g}"


def _duplicate_keys(
    con: duckdb.DuckDBPyConnection,
    name: str,
    schema: TableSchema,
    source: str,
    types: dict[str, str],
    formats: DateFormats,
) -> list[Problem]:
    keys = [c for c in schema.columns if c.name in schema.key]
    typed = ", ".join(
        f"{cast_expression(c, quote(c.name), types[c.name], formats)} AS {quote(c.name)}" for c in keys
    )
    cols = ", ".join(quote(c.name) for c in keys)
    not_null = " AND ".join(f"{quote(c.name)} IS NOT NULL" for c in keys)
    as_text = ", ".join(f"CAST({quote(c.name)} AS VARCHAR)" for c in keys)
    # first a cheap pass: a 64-bit hash of each key; only when two hashes are equal, the exact GROUP BY below
    # tells a duplicate key from a collision and names it
    hashes = f"SELECT hash({cols}) AS h FROM (SELECT {typed} FROM {quote(name)}) WHERE {not_null}"
    if not _repeats(con.sql(hashes).fetchnumpy()["h"]):
        return []
    sql = (
        f"WITH d AS (SELECT {cols}, count(*) AS n FROM (SELECT {typed} FROM {quote(name)}) "
        f"WHERE {not_null} GROUP BY ALL HAVING count(*) > 1) "
        f"SELECT count(*), sum(n), min([{as_text}]) FROM d"
    )
    n_keys, n_rows, values = con.execute(sql).fetchall()[0]
    if not n_keys:
        return []
    example = ", ".join(f"{c.name}={v!r}" for c, v in zip(keys, values, strict=True))
    message = (
        f"{source}: key ({', '.join(schema.key)}) is duplicated: {int(n_rows):,} rows share "
        f"{_count(n_keys, 'key value')} (e.g. {example}); expected one row per key"
    )
    return [
        Problem(schema.name, source, "duplicate_key", ", ".join(schema.key), int(n_rows), example, message)
    ]


def _repeats(hashes: np.ndarray) -> bool:
    """Whether a value occurs twice: sorted in place and each compared with the next (numpy's vectorised sort
    of fixed-width integers takes half the CPU of DuckDB's sort and window over the same hashes)."""
    hashes.sort()
    return bool(np.any(hashes[1:] == hashes[:-1]))


def _column_types(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, str]:
    rel = con.table(name)
    return {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}
