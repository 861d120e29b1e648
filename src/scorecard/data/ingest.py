"""Read source tables, map them onto the canonical schema, validate, strip PII.

A source is files (CSV, Parquet, JSON lines, a DuckDB table; plain, gzip or zip; a list or a glob, unioned) or
a DuckDB SQL query over the named ``data.raw`` files. Everything runs in an in-memory DuckDB: the source is
scanned once into a table of canonical columns built by one SELECT of the mapping (column renames, constants,
SQL expressions), checked there (one aggregate pass of counts, then a key check), and only then fetched as
pandas frames with the dtypes of CONTRACTS.md. Rows in == rows out: nothing is filtered after the source's own
query, and a problem anywhere stops the load with every problem listed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp

from scorecard.config import (
    DataConfig,
    FileFormat,
    FileOptions,
    MappedColumn,
    RawFileConfig,
    SourceConfig,
    file_list,
)
from scorecard.data.files import FileSet, NoFiles, open_files, scan, skipped_lines
from scorecard.data.pii import hmac_key, hmac_sql, pii_actions
from scorecard.data.schema import TABLES, CardNeeds, Column, PiiAction, SourceTables, TableSchema
from scorecard.data.validation import (
    DateFormats,
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

_COLUMNAR = ("parquet", "duckdb")
"""Formats scanned in place by the engine (cheap to read again); the others are read once into a table."""
_ROW_CHANGING = (exp.AggFunc, exp.Window, exp.Select, exp.Subquery, exp.Unnest, exp.Explode)
Reader = Callable[[Sequence[str], bool], duckdb.DuckDBPyRelation]
"""A source's rows as a lazy relation: (CSV columns read as text, sniff every row) -> relation."""


def read_table(
    path: Path | str,
    format: FileFormat | None = None,
    table: str | None = None,
    options: FileOptions | None = None,
) -> pd.DataFrame:
    """Read one table as it is (its own column names, types as DuckDB reads them); ``options`` as in a source."""
    path = Path(path)
    options = (options or FileOptions()).model_copy(
        update={k: v for k, v in (("format", format), ("table", table)) if v is not None}
    )
    with _session() as (con, workdir):
        try:
            return scan(con, open_files([path], options, workdir, str(path)), options).df()
        except NoFiles:
            raise
        except (duckdb.Error, DataError) as exc:
            if isinstance(exc, DataError) and str(exc).startswith(f"{path}: "):
                raise
            raise DataError(f"{path}: cannot read ({_first_line(exc)})") from None


def source_queries(data: DataConfig) -> str:
    """The SQL text of every source query, with the raw files it reads: recorded with each run."""
    lines = []
    for name, raw in data.raw.items():
        shown = ", ".join(str(p) for p in file_list(raw.path))
        options = raw.model_dump(mode="json", exclude={"path"}, exclude_defaults=True)
        lines.append(f"-- data.raw.{name}: {shown}" + (f" {options}" if options else ""))
    for table, source in data.sources.items():
        if source.query is not None:
            lines += ["", f"-- data.sources.{table}.query", source.query.strip().rstrip(";").rstrip() + ";"]
    return "\n".join(lines) + "\n" if any(s.query for s in data.sources.values()) else ""


Required = CardNeeds | Iterable[str] | None
"""What a caller needs: a card's needs (tables, required and optional columns); table names, every column
of each required; or None, every configured source with every column required."""


ExtraColumns = Mapping[str, Mapping[str, str]]
"""Per canonical table, source columns carried through ingestion beside the canonical ones -> who reads them."""


def validate_sources(
    data: DataConfig, required: Required = None, extra: ExtraColumns | None = None
) -> ValidationReport:
    """Read, map and check every source the card needs; return all problems found, raise none."""
    return _ingest(data, required, fetch=False, extra=extra or {})[0]


def load_sources(
    data: DataConfig, required: Required = None, extra: ExtraColumns | None = None
) -> SourceTables:
    """The canonical tables, typed and PII-free; one DataError lists every problem found.

    With a card's ``CardNeeds`` only the key and the columns the card reads are mandatory; an absent optional
    column is left out of its table. ``extra`` names source columns kept as they are read (e.g. read by custom
    features or a ready-made target).
    """
    report, frames = _ingest(data, required, fetch=True, extra=extra or {})
    report.raise_for_problems()
    return frames


def _tables_to_load(data: DataConfig, required: Required) -> list[str]:
    if not data.sources:
        raise ConfigError("data.sources: no canonical sources configured (this card reads data.flat_table)")
    if required is None:
        return [t for t in TABLES if t in data.sources]
    wanted = set(required.required if isinstance(required, CardNeeds) else required)
    unknown = sorted(wanted - set(TABLES))
    if unknown:
        raise ConfigError(
            f"required tables {unknown} are not canonical tables; expected some of {list(TABLES)}"
        )
    return [t for t in TABLES if t in wanted]


def register_sources(
    con: duckdb.DuckDBPyConnection,
    workdir: Path,
    data: DataConfig,
    required: Required = None,
    extra: ExtraColumns | None = None,
) -> dict[str, str]:
    """Scan, map, check and PII-strip the sources inside ``con`` (a feature engine's DuckDB); table -> the name
    of its canonical relation there. One DataError lists every problem, as ``load_sources`` does, in each
    table's key and the columns the card reads (a column the card does not read cannot change what it builds;
    ``validate_sources`` checks every column).

    Nothing goes through pandas: a Parquet or DuckDB-table source stays a view over its files; a CSV or JSON
    source, a source query, and a table with hashed PII columns (each distinct value hashed once) become
    temporary tables, which DuckDB spills to disk beyond its memory limit. With a card's ``CardNeeds`` each
    relation holds only the columns the card reads (a key it does not read is checked, not kept). ``workdir``
    holds unzipped members; the caller removes it.
    """
    extra = extra or {}
    report, present, tables = _check_sources(con, workdir, data, required, extra, lazy=True)
    report.raise_for_problems()
    actions, key = _present_pii(data, tables, present)
    names = {}
    for table in tables:
        name = f"canonical_{table}"
        unhashed = {k: a for k, a in actions.items() if a != "hash"}
        relation = _canonical(con, data, required, extra, table, present, unhashed, b"")
        if isinstance(required, CardNeeds):  # a key the card does not read was checked, and is not stored
            read = {*required.required.get(table, {}), *extra.get(table, {})}
            columns = [c for c in relation.columns if c in read]
            relation = relation.project(", ".join(quote(c) for c in columns)) if columns else relation
        hashed = [c for c in relation.columns if actions.get((table, c)) == "hash"]
        if hashed:
            _hashed_table(con, relation, name, hashed, key)
        elif _is_view(con, _mapped_name(table)):
            relation.create_view(name, replace=True)
        else:
            _temp_table(con, relation, name)
        names[table] = name
    return names


def _hashed_table(
    con: duckdb.DuckDBPyConnection, typed: duckdb.DuckDBPyRelation, name: str, hashed: list[str], key: bytes
) -> None:
    """``typed`` stored as the temporary table ``name`` with each ``hashed`` column replaced by its HMAC
    (``pii.hmac_sql``), looked up in a table of its distinct values hashed once each: a device or an IP
    recurs over many events. The lookups (raw values) are dropped once the table is built."""
    view = f"{name}__typed"
    typed.create_view(view, replace=True)
    joins, exprs, lookups = [], [], []
    for i, column in enumerate(typed.columns):
        if column not in hashed:
            exprs.append(f"t.{quote(column)}")
            continue
        lookups.append(f"{name}__hmac{i}")
        distinct = (
            f"SELECT DISTINCT {quote(column)} AS v FROM {quote(view)} WHERE {quote(column)} IS NOT NULL"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote(lookups[-1])} AS "
            f"SELECT v, {hmac_sql('v', key)} AS h FROM ({distinct})"
        )
        joins.append(f"LEFT JOIN {quote(lookups[-1])} AS d{i} ON t.{quote(column)} = d{i}.v")
        exprs.append(f"d{i}.h AS {quote(column)}")
    _temp_table(con, con.sql(f"SELECT {', '.join(exprs)} FROM {quote(view)} AS t {' '.join(joins)}"), name)
    for lookup in lookups:
        con.execute(f"DROP TABLE {quote(lookup)}")
    con.execute(f"DROP VIEW {quote(view)}")


def _ingest(
    data: DataConfig, required: Required, fetch: bool, extra: ExtraColumns
) -> tuple[ValidationReport, dict[str, pd.DataFrame]]:
    frames: dict[str, pd.DataFrame] = {}
    with _session() as (con, workdir):
        report, present, tables = _check_sources(con, workdir, data, required, extra, lazy=False)
        if not fetch and any(
            a == "hash" and c in present.get(t, ()) for (t, c), a in pii_actions(data.pii, tables).items()
        ):
            try:
                hmac_key(data.pii)
            except ConfigError as exc:
                report.problems.append(Problem("pii", "data.pii.key_env", "config", None, 0, None, str(exc)))
        if fetch and report.ok:
            actions, key = _present_pii(data, tables, present)
            frames = {
                table: _frame(
                    _canonical(con, data, required, extra, table, present, actions, key),
                    _kept_columns(required, table, present, actions),
                )
                for table in tables
            }
    return report, frames


def _check_sources(
    con: duckdb.DuckDBPyConnection,
    workdir: Path,
    data: DataConfig,
    required: Required,
    extra: ExtraColumns,
    lazy: bool,
) -> tuple[ValidationReport, dict[str, list[str]], list[str]]:
    """Map and check every source the card needs into ``mapped_<table>`` of ``con``: the report, the canonical
    columns each mapped table has, and the tables mapped. ``lazy`` (a build): columnar file sources stay views,
    and only each table's key and the columns the card reads are checked."""
    report = ValidationReport()
    tables = _tables_to_load(data, required)
    present: dict[str, list[str]] = {}
    raw = _RawTables(con, data.raw, workdir)
    if any(data.sources[t].query is not None for t in tables if t in data.sources):
        report.problems += raw.register(sample_all=False)
    for table in tables:
        source = data.sources.get(table)  # type: ignore[call-overload]
        if source is None:
            message = f"data.sources has no entry for table {table!r}, which this card needs"
            report.problems.append(Problem(table, "config", "missing_table", None, 0, None, message))
            continue
        contract = _contract(table, source, required, extra.get(table, {}), reads_only=lazy)
        if source.query is None:
            summary, problems = _map_and_check_files(con, contract, source, workdir, lazy)
        else:
            summary, problems = _map_and_check_query(con, contract, source, raw)
        report.tables.append(summary)
        report.problems += problems
        if summary.rows is not None:
            report.notes += _losses(con, contract)
            present[table] = con.table(_mapped_name(table)).columns
    report.notes += _skipped(con, data, raw, workdir)
    return report, present, [s.table for s in report.tables]


def _skipped(con: duckdb.DuckDBPyConnection, data: DataConfig, raw: _RawTables, workdir: Path) -> list[str]:
    """One note per source or raw file whose unparseable lines were skipped (csv.skip_bad_rows)."""
    filesets = {f"data.raw.{name}": fs for name, fs in raw.files.items() if data.raw[name].csv.skip_bad_rows}
    for table, source in data.sources.items():
        if source.query is None and source.csv.skip_bad_rows:
            try:
                filesets[f"data.sources.{table}"] = open_files(source.files, source, workdir / table, table)
            except DataError:
                continue
    notes = []
    for key, fileset in filesets.items():
        n, first = skipped_lines(con, fileset)
        if n:
            notes.append(
                f"{key}: {n:,} unparseable line(s) skipped (csv.skip_bad_rows), the first at line {first}"
            )
    return notes


def _present_pii(
    data: DataConfig, tables: list[str], present: Mapping[str, list[str]]
) -> tuple[dict[tuple[str, str], PiiAction], bytes]:
    """The PII action of each present PII column, and the HMAC key (empty when nothing is hashed)."""
    actions = {k: a for k, a in pii_actions(data.pii, tables).items() if k[1] in present[k[0]]}
    return actions, hmac_key(data.pii) if "hash" in actions.values() else b""


def _kept_columns(
    required: Required, table: str, present: Mapping[str, list[str]], actions: Mapping[tuple[str, str], str]
) -> list[Column]:
    """The canonical columns a table keeps: only those the card reads (every column without a card's needs),
    PII to drop left out."""
    schema = TABLES[table]
    wanted = None if not isinstance(required, CardNeeds) else {*schema.key, *required.required.get(table, {})}
    return [
        c
        for c in schema.columns
        if c.name in present[table]
        and actions.get((table, c.name)) != "drop"
        and (wanted is None or c.name in wanted)
    ]


def _frame(relation: duckdb.DuckDBPyRelation, columns: list[Column]) -> pd.DataFrame:
    """A canonical relation as pandas with the contract dtypes."""
    if relation.columns == ["__no_columns"]:
        return pd.DataFrame(index=range(len(relation)))
    return relation.df().astype({c.name: c.pandas_dtype for c in columns})


def _canonical(
    con: duckdb.DuckDBPyConnection,
    data: DataConfig,
    required: Required,
    extra: ExtraColumns,
    table: str,
    present: Mapping[str, list[str]],
    actions: Mapping[tuple[str, str], str],
    key: bytes,
) -> duckdb.DuckDBPyRelation:
    """A mapped table as the engine reads it: the kept canonical columns cast to their types, PII hashed inside
    DuckDB with ``key`` (``pii.hmac_sql``), then the extra source columns as they are."""
    schema = TABLES[table]
    columns = _kept_columns(required, table, present, actions)
    kept = [c for c in extra.get(table, {}) if c in present[table]]
    formats = _date_formats(data.sources.get(table))  # type: ignore[call-overload]
    typed = typed_select(con, _mapped_name(table), replace(schema, columns=tuple(columns)), kept, formats)
    exprs = [
        f"{hmac_sql(quote(c.name), key)} AS {quote(c.name)}"
        if actions.get((table, c.name)) == "hash"
        else quote(c.name)
        for c in columns
    ] + [quote(c) for c in kept]
    return typed.project(", ".join(exprs or ["NULL AS __no_columns"]))


@dataclass(frozen=True)
class _Contract:
    """One table's schema as a source must meet it: declared allowed values, and who reads which column."""

    schema: TableSchema
    needed: Mapping[str, tuple[str, ...]] | None
    """Columns that must be present (besides the key), with their readers; None = every column."""
    optional: Mapping[str, tuple[str, ...]]
    """Columns that may be absent, with what their absence disables."""
    extra: Mapping[str, str]
    """Source (non-canonical) columns carried beside the canonical ones -> who reads them."""
    reads_only: bool = False
    """Check only the key and the columns read (a build: an unread column cannot change its result)."""

    def required(self, column: str) -> bool:
        return self.needed is None or column in self.schema.key or column in self.needed

    @property
    def checked(self) -> TableSchema:
        """The columns checked: every canonical one, or with ``reads_only`` the key and the columns read."""
        if not self.reads_only:
            return self.schema
        return replace(self.schema, columns=tuple(c for c in self.schema.columns if self.required(c.name)))


def _contract(
    table: str, source: SourceConfig, required: Required, extra: Mapping[str, str], reads_only: bool
) -> _Contract:
    schema = TABLES[table]
    if source.allowed:
        columns = tuple(
            replace(c, allowed=tuple(source.allowed[c.name])) if c.name in source.allowed else c
            for c in schema.columns
        )
        schema = replace(schema, columns=columns)
    if isinstance(required, CardNeeds):
        needed = required.required.get(table, {})
        return _Contract(schema, needed, required.optional.get(table, {}), extra, reads_only)
    return _Contract(schema, None, {}, extra)


def _date_formats(source: SourceConfig | None) -> DateFormats:
    """The source's declared text date formats (a query source declares them under its own ``csv:``)."""
    csv = source.csv if source is not None else None
    return DateFormats(csv.date_format, csv.timestamp_format) if csv is not None else DateFormats()


def _losses(con: duckdb.DuckDBPyConnection, contract: _Contract) -> list[str]:
    """'<reader> disabled: <table> has no <columns>' for each reader of an absent optional column."""
    present = set(con.table(_mapped_name(contract.schema.name)).columns)
    lost: dict[str, list[str]] = {}
    for column, readers in contract.optional.items():
        if column not in present:
            for reader in readers:
                lost.setdefault(reader, []).append(column)
    return [
        f"{reader} disabled: {contract.schema.name} has no {', '.join(cols)}" for reader, cols in lost.items()
    ]


class _RawTables:
    """The ``data.raw`` files as views named by their keys, for source queries."""

    def __init__(self, con: duckdb.DuckDBPyConnection, raw: dict[str, RawFileConfig], workdir: Path) -> None:
        self.con, self.raw, self.workdir = con, raw, workdir
        self.files: dict[str, FileSet] = {}
        self.broken: set[str] = set()

    def register(self, sample_all: bool) -> list[Problem]:
        """(Re)create a view per raw file; one problem per file that cannot be read."""
        problems = []
        for name, raw in self.raw.items():
            if name in self.broken:
                continue
            label = f"data.raw.{name}"
            try:
                if name not in self.files:
                    self.files[name] = open_files(file_list(raw.path), raw, self.workdir / name, label)
                scan(self.con, self.files[name], raw, name, sample_all=sample_all).create_view(
                    name, replace=True
                )
            except (duckdb.Error, DataError) as exc:
                self.broken.add(name)
                kind: ProblemKind = "file_not_found" if isinstance(exc, NoFiles) else "unreadable"
                message = (
                    str(exc) if isinstance(exc, NoFiles) else f"{label}: cannot read ({_first_line(exc)})"
                )
                problems.append(Problem(label, label, kind, None, 0, None, message))
        return problems


def _map_and_check_files(
    con: duckdb.DuckDBPyConnection, contract: _Contract, source: SourceConfig, workdir: Path, lazy: bool
) -> tuple[TableSummary, list[Problem]]:
    schema = contract.schema
    label = _files_label(schema, source)
    try:
        fileset = open_files(source.files, source, workdir / schema.name, label)
    except NoFiles as exc:
        return _unreadable(schema, label, "file_not_found", str(exc))
    except DataError as exc:
        return _unreadable(schema, label, "unreadable", str(exc))
    if fileset.format == "csv" and all(f.is_file() and f.stat().st_size == 0 for f in fileset.files):
        return _unreadable(
            schema, label, "empty", f"{label}: empty file; expected a header and rows of {schema.name}"
        )

    def reader(varchar: Sequence[str], sample_all: bool) -> duckdb.DuckDBPyRelation:
        return scan(con, fileset, source, schema.name, varchar, sample_all)

    try:
        view = lazy and fileset.format in _COLUMNAR
        return _map_and_check(con, contract, source, label, reader, fileset.format == "csv", view)
    except (duckdb.Error, DataError) as exc:
        return _unreadable(schema, label, "unreadable", f"{label}: cannot read or map ({_first_line(exc)})")


def _map_and_check_query(
    con: duckdb.DuckDBPyConnection, contract: _Contract, source: SourceConfig, raw: _RawTables
) -> tuple[TableSummary, list[Problem]]:
    schema = contract.schema
    label = f"data.sources.{schema.name}.query"
    query = (source.query or "").strip().rstrip(";").rstrip()
    unreadable = sorted(raw.broken & _tables_named(query))
    if unreadable:
        names = ", ".join(f"data.raw.{n}" for n in unreadable)
        return _unreadable(
            schema, label, "query_error", f"{label}: not run; it reads {names}, which cannot be read"
        )

    def reader(varchar: Sequence[str], sample_all: bool) -> duckdb.DuckDBPyRelation:
        if sample_all:
            raw.register(sample_all=True)
        return con.sql(f"SELECT * FROM (\n{query}\n) AS {quote(schema.name)}")

    try:
        return _map_and_check(con, contract, source, label, reader, bool(raw.files))
    except (duckdb.Error, DataError) as exc:
        return _unreadable(schema, label, "query_error", f"{label}: {duckdb_message(exc)}")


def _map_and_check(
    con: duckdb.DuckDBPyConnection,
    contract: _Contract,
    source: SourceConfig,
    label: str,
    reader: Reader,
    sniffed: bool,
    view: bool = False,
) -> tuple[TableSummary, list[Problem]]:
    """Map the reader's rows into the canonical table ``mapped_<table>`` (a view over the files with ``view``),
    then check it.

    ``sniffed``: the rows come from CSV whose types DuckDB guessed from a sample; on a conversion error the
    reading is retried with every row sampled.
    """
    schema = contract.schema
    mapped = _mapped_name(schema.name)
    scan = reader([], False)
    varchar = _string_sources(schema, source, scan) if sniffed and source.query is None else []
    if varchar:
        scan = reader(varchar, False)
    projection, problems = _projection(contract, source, scan, label)
    try:
        _materialise(con, scan, projection, mapped, view)
    except duckdb.ConversionException:
        if not sniffed:
            raise
        scan = reader(varchar, True)
        projection, problems = _projection(contract, source, scan, label)
        _materialise(con, scan, projection, mapped, view)
    summary, checked = check_table(con, mapped, contract.checked, label, _date_formats(source))
    problems += checked
    return TableSummary(
        schema.name, label, summary.rows, summary.columns, summary.nulls, len(problems)
    ), problems


def _projection(
    contract: _Contract, source: SourceConfig, scan: duckdb.DuckDBPyRelation, label: str
) -> tuple[list[str], list[Problem]]:
    """The SELECT list that builds canonical columns from the source; columns that cannot be built are problems.

    A column neither mapped nor present is left out when it is optional.
    """
    schema = contract.schema
    by_lower = {c.lower(): c for c in scan.columns}
    exprs: list[str] = []
    problems: list[Problem] = []
    for column in schema.columns:
        entry = source.mapping.get(column.name, column.name)
        if isinstance(entry, str):
            if entry.lower() not in by_lower:
                if column.name not in source.mapping and not contract.required(column.name):
                    continue
                mapped = f" (mapped to {column.name!r})" if entry != column.name else ""
                shown = scan.columns if len(scan.columns) <= 30 else [*scan.columns[:30], "..."]
                has = "the query returns" if source.query is not None else "the source has"
                readers = (contract.needed or {}).get(column.name, ())
                needed_by = f"; needed by {', '.join(readers)}" if readers else ""
                message = f"{label}: column {entry!r}{mapped} is missing{needed_by}; {has} {shown}"
                problems.append(Problem(schema.name, label, "missing_column", column.name, 0, None, message))
                continue
            expr = quote(by_lower[entry.lower()])
        else:
            expr, error = _mapped_expression(entry, scan)
            if error is not None:
                message = f"{label}: mapping for {column.name!r} failed: {error}"
                problems.append(Problem(schema.name, label, "mapping_error", column.name, 0, None, message))
                continue
            if entry.codes is not None:
                problems += _unlisted_codes(schema, column.name, entry, scan, label)
        dtype = str(scan.project(expr).types[0])
        if dtype in ("DOUBLE", "FLOAT"):
            expr = f"CASE WHEN isnan({expr}) THEN NULL ELSE {expr} END"
        exprs.append(f"{expr} AS {quote(column.name)}")
    has = "the query returns" if source.query is not None else "the source has"
    for name, reader in contract.extra.items():
        if name.lower() not in by_lower:
            shown = scan.columns if len(scan.columns) <= 30 else [*scan.columns[:30], "..."]
            message = f"{label}: column {name!r} read by {reader} is missing; {has} {shown}"
            problems.append(Problem(schema.name, label, "missing_column", name, 0, None, message))
        else:
            exprs.append(f"{quote(by_lower[name.lower()])} AS {quote(name)}")
    return exprs, problems


def _mapped_expression(entry: MappedColumn, scan: duckdb.DuckDBPyRelation) -> tuple[str, str | None]:
    """A constant, a code table or a row-wise SQL expression; the error text when DuckDB cannot bind it."""
    if entry.codes is not None:
        by_lower = {c.lower(): c for c in scan.columns}
        if (entry.column or "").lower() not in by_lower:
            return "", f"code table column {entry.column!r} is missing; the source has {scan.columns}"
        source = f"CAST({quote(by_lower[(entry.column or '').lower()])} AS VARCHAR)"
        cases = " ".join(f"WHEN {literal(code)} THEN {literal(value)}" for code, value in entry.codes.items())
        return f"(CASE {source} {cases} END)", None
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


def _unlisted_codes(
    schema: TableSchema, name: str, entry: MappedColumn, scan: duckdb.DuckDBPyRelation, label: str
) -> list[Problem]:
    """A problem when the source column holds values the code table does not list (nothing is dropped)."""
    by_lower = {c.lower(): c for c in scan.columns}
    source = f"CAST({quote(by_lower[(entry.column or '').lower()])} AS VARCHAR)"
    listed = ", ".join(literal(code) for code in entry.codes or {})
    n, example = (
        scan.filter(f"{source} IS NOT NULL AND {source} NOT IN ({listed})")
        .aggregate(f"count(*), min({source})")
        .fetchall()[0]
    )
    if not n:
        return []
    message = (
        f"{label}: column {entry.column!r} has {n:,} value(s) not in the code table of {name!r} "
        f"(e.g. {example!r}); expected one of {list(entry.codes or {})}"
    )
    return [Problem(schema.name, label, "not_allowed", name, n, example, message)]


def _string_sources(schema: TableSchema, source: SourceConfig, scan: duckdb.DuckDBPyRelation) -> list[str]:
    """Source columns renamed onto canonical string columns: read as text so ids keep leading zeros and digits."""
    by_lower = {c.lower(): c for c in scan.columns}
    names = [source.mapping.get(c.name, c.name) for c in schema.columns if c.dtype == "string"]
    return [by_lower[n.lower()] for n in names if isinstance(n, str) and n.lower() in by_lower]


def _materialise(
    con: duckdb.DuckDBPyConnection,
    scan: duckdb.DuckDBPyRelation,
    projection: list[str],
    name: str,
    view: bool,
) -> None:
    mapped = scan.project(", ".join(projection or ["NULL AS __no_columns"]))
    if view:
        mapped.create_view(name, replace=True)
    else:
        _temp_table(con, mapped, name)


def _temp_table(con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, name: str) -> None:
    """``relation`` stored as the temporary table ``name`` (in the session's memory, spilled beyond its limit)."""
    relation.create_view(f"{name}__rows", replace=True)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {quote(name)} AS SELECT * FROM {quote(name + '__rows')}")
    con.execute(f"DROP VIEW {quote(name + '__rows')}")


def _is_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]).fetchall()[0][0]
    )


def _unreadable(
    schema: TableSchema, label: str, kind: ProblemKind, message: str
) -> tuple[TableSummary, list[Problem]]:
    problem = Problem(schema.name, label, kind, None, 0, None, message)
    return TableSummary(schema.name, label, None, 0, 0, 1), [problem]


def _files_label(schema: TableSchema, source: SourceConfig) -> str:
    """How problems name a file source: its path (and table), or its key when it has several paths."""
    paths = source.files
    if len(paths) > 1:
        return f"data.sources.{schema.name}.path ({len(paths)} paths)"
    if source.format == "duckdb" or paths[0].suffix.lower() in (".duckdb", ".ddb", ".db"):
        return f"{paths[0]}[{source.table or schema.name}]"
    return str(paths[0])


def _tables_named(query: str) -> set[str]:
    """Table names a query reads (empty when sqlglot cannot parse it; DuckDB then says what is wrong)."""
    try:
        return {
            t.name for tree in sqlglot.parse(query, read="duckdb") if tree for t in tree.find_all(exp.Table)
        }
    except sqlglot.errors.SqlglotError:
        return set()


@contextmanager
def _session() -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """An in-memory DuckDB and a private working folder (spills, unzipped members), removed afterwards.

    Raw data (PII included) is written only there.
    """
    with tempfile.TemporaryDirectory(prefix="scorecard-ingest-") as spill, duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"SET temp_directory = {literal(str(Path(spill) / 'spill'))}")
        yield con, Path(spill)


def _mapped_name(table: str) -> str:
    return f"mapped_{table}"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def duckdb_message(exc: Exception) -> str:
    """DuckDB's error on one line: the message, with its hint ('Did you mean ...', candidate columns)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    hints = [line for line in lines[1:] if line.startswith(("Did you mean", "Candidate"))]
    return " ".join([lines[0], *hints]) if lines else type(exc).__name__
