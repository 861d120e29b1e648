"""Read source tables (CSV, Parquet, a DuckDB database), map them onto the canonical schema, validate, strip PII.

Everything runs in an in-memory DuckDB: the source is scanned once into a table of canonical columns built by
one SELECT of the mapping (column renames, constants, SQL expressions), checked there (one aggregate pass of
counts, then a key check), and only then fetched as pandas frames with the dtypes of CONTRACTS.md. Rows in == rows out: nothing is
filtered, and a problem anywhere stops the load with every problem listed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp

from scorecard.config import DataConfig, MappedColumn, SourceConfig
from scorecard.data.pii import apply_pii, hmac_key, pii_actions
from scorecard.data.schema import TABLES, SourceTables, TableSchema
from scorecard.data.validation import (
    Problem,
    ProblemKind,
    TableSummary,
    ValidationReport,
    check_table,
    literal,
    quote,
    typed_select,
)
from scorecard.errors import ConfigError, DataError

_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".duckdb": "duckdb",
    ".ddb": "duckdb",
    ".db": "duckdb",
}
_CSV_TYPES = ["BOOLEAN", "INTEGER", "BIGINT", "DOUBLE", "VARCHAR"]  # INTEGER first: date - integer works
_ROW_CHANGING = (exp.AggFunc, exp.Window, exp.Select, exp.Subquery, exp.Unnest, exp.Explode)


def infer_format(path: Path) -> str:
    """The reader for a file, from its suffix (``.csv``, ``.csv.gz``, ``.parquet``, ``.duckdb``) or a folder of Parquet."""
    if path.is_dir():
        return "parquet"
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; set format: csv|parquet|duckdb"
        )
    return fmt


def read_table(path: Path | str, format: str | None = None, table: str | None = None) -> pd.DataFrame:
    """Read one source table as it is (its own column names, types as DuckDB reads them)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    fmt = format or infer_format(path)
    with _session() as con:
        try:
            return _scan(con, path, fmt, table).df()
        except (duckdb.Error, DataError) as exc:
            raise DataError(f"{path}: cannot read ({_first_line(exc)})") from None


ExtraColumns = Mapping[str, Mapping[str, str]]
"""Per canonical table, source columns carried through ingestion beside the canonical ones -> who reads them."""


def validate_sources(
    data: DataConfig, required: Iterable[str] | None = None, extra: ExtraColumns | None = None
) -> ValidationReport:
    """Read, map and check every source the card needs; return all problems found, raise none."""
    return _ingest(data, required, fetch=False, extra=extra or {})[0]


def load_sources(
    data: DataConfig, required: Iterable[str] | None = None, extra: ExtraColumns | None = None
) -> SourceTables:
    """The canonical tables, typed and PII-free; one DataError lists every problem found.

    ``required`` names the tables the card needs (a source may lack the others); None loads every source.
    ``extra`` names source columns kept as they are read (e.g. read by custom features or a ready-made target).
    """
    tables = _tables_to_load(data, required)
    if any(action == "hash" for action in pii_actions(data.pii, tables).values()):
        hmac_key(data.pii)
    report, frames = _ingest(data, required, fetch=True, extra=extra or {})
    report.raise_for_problems()
    return apply_pii(frames, data.pii)


def _tables_to_load(data: DataConfig, required: Iterable[str] | None) -> list[str]:
    if not data.sources:
        raise ConfigError("data.sources: no canonical sources configured (this card reads data.flat_table)")
    if required is None:
        return [t for t in TABLES if t in data.sources]
    wanted = set(required)
    unknown = sorted(wanted - set(TABLES))
    if unknown:
        raise ConfigError(
            f"required tables {unknown} are not canonical tables; expected some of {list(TABLES)}"
        )
    return [t for t in TABLES if t in wanted]


def _ingest(
    data: DataConfig, required: Iterable[str] | None, fetch: bool, extra: ExtraColumns
) -> tuple[ValidationReport, dict[str, pd.DataFrame]]:
    report = ValidationReport()
    frames: dict[str, pd.DataFrame] = {}
    with _session() as con:
        for table in _tables_to_load(data, required):
            source = data.sources.get(table)  # type: ignore[call-overload]
            if source is None:
                message = f"data.sources has no entry for table {table!r}, which this card needs"
                report.problems.append(Problem(table, "config", "missing_table", None, 0, None, message))
                continue
            summary, problems = _map_and_check(con, TABLES[table], source, extra.get(table, {}))
            report.tables.append(summary)
            report.problems += problems
        if fetch and report.ok:
            for summary in report.tables:
                schema = TABLES[summary.table]
                kept = list(extra.get(schema.name, {}))
                frames[schema.name] = _to_contract_dtypes(
                    typed_select(con, _mapped_name(schema.name), schema, kept).df(), schema
                )
    return report, frames


def _map_and_check(
    con: duckdb.DuckDBPyConnection, schema: TableSchema, source: SourceConfig, extra: Mapping[str, str]
) -> tuple[TableSummary, list[Problem]]:
    try:
        fmt = source.format or infer_format(source.path)
    except DataError as exc:
        return _unreadable(schema, str(source.path), "unreadable", str(exc))
    label = f"{source.path}[{source.table or schema.name}]" if fmt == "duckdb" else str(source.path)
    if not source.path.exists():
        return _unreadable(schema, label, "file_not_found", f"{label}: file not found")
    if fmt == "csv" and source.path.stat().st_size == 0:
        return _unreadable(
            schema, label, "empty", f"{label}: empty file; expected a header and rows of {schema.name}"
        )
    mapped = _mapped_name(schema.name)
    try:
        scan = _scan(con, source.path, fmt, source.table or schema.name)
        if fmt == "csv":
            scan = _scan(con, source.path, fmt, None, varchar=_string_sources(schema, source, scan))
        projection, problems = _projection(schema, source, scan, label, extra)
        try:
            _materialise(scan, projection, mapped)
        except duckdb.ConversionException:
            if fmt != "csv":
                raise
            scan = _scan(con, source.path, fmt, None, _string_sources(schema, source, scan), sample_all=True)
            projection, problems = _projection(schema, source, scan, label, extra)
            _materialise(scan, projection, mapped)
    except (duckdb.Error, DataError) as exc:
        return _unreadable(schema, label, "unreadable", f"{label}: cannot read or map ({_first_line(exc)})")
    summary, checked = check_table(con, mapped, schema, label)
    problems += checked
    return TableSummary(
        schema.name, label, summary.rows, summary.columns, summary.nulls, len(problems)
    ), problems


def _projection(
    schema: TableSchema,
    source: SourceConfig,
    scan: duckdb.DuckDBPyRelation,
    label: str,
    extra: Mapping[str, str],
) -> tuple[list[str], list[Problem]]:
    """The SELECT list that builds canonical columns from the source; columns that cannot be built are problems."""
    by_lower = {c.lower(): c for c in scan.columns}
    exprs: list[str] = []
    problems: list[Problem] = []
    for column in schema.columns:
        entry = source.mapping.get(column.name, column.name)
        if isinstance(entry, str):
            if entry.lower() not in by_lower:
                mapped = f" (mapped to {column.name!r})" if entry != column.name else ""
                shown = scan.columns if len(scan.columns) <= 30 else [*scan.columns[:30], "..."]
                message = f"{label}: column {entry!r}{mapped} is missing; the source has {shown}"
                problems.append(Problem(schema.name, label, "missing_column", column.name, 0, None, message))
                continue
            expr = quote(by_lower[entry.lower()])
        else:
            expr, error = _mapped_expression(entry, scan)
            if error is not None:
                message = f"{label}: mapping for {column.name!r} failed: {error}"
                problems.append(Problem(schema.name, label, "mapping_error", column.name, 0, None, message))
                continue
        dtype = str(scan.project(expr).types[0])
        if dtype in ("DOUBLE", "FLOAT"):
            expr = f"CASE WHEN isnan({expr}) THEN NULL ELSE {expr} END"
        exprs.append(f"{expr} AS {quote(column.name)}")
    for name, reader in extra.items():
        if name.lower() not in by_lower:
            shown = scan.columns if len(scan.columns) <= 30 else [*scan.columns[:30], "..."]
            message = f"{label}: column {name!r} read by {reader} is missing; the source has {shown}"
            problems.append(Problem(schema.name, label, "missing_column", name, 0, None, message))
        else:
            exprs.append(f"{quote(by_lower[name.lower()])} AS {quote(name)}")
    return exprs, problems


def _mapped_expression(entry: MappedColumn, scan: duckdb.DuckDBPyRelation) -> tuple[str, str | None]:
    """A constant or a row-wise SQL expression; the error text when DuckDB cannot bind it."""
    if entry.sql is None:
        return literal(entry.const), None
    try:
        tree = sqlglot.parse_one(entry.sql, read="duckdb")
    except sqlglot.errors.ParseError:
        tree = None
    row_changing = tree.find(*_ROW_CHANGING) if tree is not None else None
    if row_changing is not None:
        return "", f"{entry.sql!r} must be a row-wise expression; {row_changing.sql('duckdb')!r} is not"
    expr = f"({entry.sql})"
    try:
        scan.project(expr)
    except duckdb.Error as exc:
        return "", f"{entry.sql!r}: {_first_line(exc)}"
    return expr, None


def _string_sources(schema: TableSchema, source: SourceConfig, scan: duckdb.DuckDBPyRelation) -> list[str]:
    """Source columns renamed onto canonical string columns: read as text so ids keep leading zeros and digits."""
    by_lower = {c.lower(): c for c in scan.columns}
    names = [source.mapping.get(c.name, c.name) for c in schema.columns if c.dtype == "string"]
    return [by_lower[n.lower()] for n in names if isinstance(n, str) and n.lower() in by_lower]


def _scan(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    table: str | None,
    varchar: list[str] | None = None,
    sample_all: bool = False,
) -> duckdb.DuckDBPyRelation:
    """A lazy relation over the source file."""
    if fmt == "csv":
        return con.read_csv(
            str(path),
            auto_type_candidates=_CSV_TYPES,
            dtype=dict.fromkeys(varchar or [], "VARCHAR"),
            sample_size=-1 if sample_all else 20_480,
        )
    if fmt == "parquet":
        return con.read_parquet(str(path / "**" / "*.parquet") if path.is_dir() else str(path))
    if fmt == "duckdb":
        attached = dict(con.execute("SELECT path, database_name FROM duckdb_databases()").fetchall())
        alias = attached.get(str(path.resolve()), f"source_{len(attached)}")
        if alias not in attached.values():
            con.execute(f"ATTACH {literal(str(path.resolve()))} AS {quote(alias)} (READ_ONLY)")
        return con.table(f"{quote(alias)}.{_qualified(con, alias, table)}")
    raise DataError(f"unknown format {fmt!r}; expected csv, parquet or duckdb")


def _qualified(con: duckdb.DuckDBPyConnection, alias: str, table: str | None) -> str:
    """The quoted schema.table of ``table`` in an attached database; the only table when none is named."""
    rows = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? "
        "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ?",
        [alias, alias],
    ).fetchall()
    names = {f"{s}.{t}": (s, t) for s, t in rows}
    if table is None and len(rows) == 1:
        schema, name = rows[0]
    elif table is not None and (table in names or f"main.{table}" in names):
        schema, name = names.get(table) or names[f"main.{table}"]
    else:
        wanted = "several tables; set table: to one of" if table is None else f"no table {table!r}; it has"
        raise DataError(f"the database has {wanted} {sorted(names)}")
    return f"{quote(schema)}.{quote(name)}"


def _materialise(scan: duckdb.DuckDBPyRelation, projection: list[str], name: str) -> None:
    if not projection:
        projection = ["NULL AS __no_columns"]
    scan.project(", ".join(projection)).create(name)


def _to_contract_dtypes(frame: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """Dtypes per CONTRACTS.md: datetime64[ns], int64 (Int64 when nullable), float64, bool, object strings."""
    return frame.astype({c.name: c.pandas_dtype for c in schema.columns})


def _unreadable(
    schema: TableSchema, label: str, kind: ProblemKind, message: str
) -> tuple[TableSummary, list[Problem]]:
    problem = Problem(schema.name, label, kind, None, 0, None, message)
    return TableSummary(schema.name, label, None, 0, 0, 1), [problem]


@contextmanager
def _session() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB that spills raw data (PII included) only to a private temporary folder, then removes it."""
    with tempfile.TemporaryDirectory(prefix="scorecard-ingest-") as spill, duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"SET temp_directory = {literal(spill)}")
        yield con


def _mapped_name(table: str) -> str:
    return f"mapped_{table}"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
