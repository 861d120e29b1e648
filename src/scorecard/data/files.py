"""Raw files as lazy DuckDB relations: CSV, Parquet, JSON lines or a DuckDB table; plain, gzip or zip; one file,
a list or a glob (several files are unioned by column name).

DuckDB reads gzip itself. It cannot read zip, so the wanted members are streamed (bounded memory) into the
session's private working folder, which the caller removes with the session.
"""

from __future__ import annotations

import fnmatch
import glob
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from scorecard.config import CsvOptions, FileOptions
from scorecard.data.validation import literal, quote
from scorecard.errors import DataError

_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".asc": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".duckdb": "duckdb",
    ".ddb": "duckdb",
    ".db": "duckdb",
}
_COMPRESSIONS = {".gz": "gzip", ".gzip": "gzip", ".zip": "zip"}
_CSV_TYPES = ["BOOLEAN", "INTEGER", "BIGINT", "DOUBLE", "VARCHAR"]  # INTEGER first: date - integer works
_GLOB_CHARS = ("*", "?", "[")


class NoFiles(DataError):
    """A configured file or glob that matches nothing."""


@dataclass(frozen=True)
class FileSet:
    """Files ready for DuckDB: globs expanded, zip members extracted, one format."""

    files: list[Path]
    format: str
    gzip: bool


def open_files(paths: Sequence[Path], options: FileOptions, workdir: Path, label: str) -> FileSet:
    """Expand globs, extract zip members into ``workdir`` and tell the format; errors name ``label``."""
    files = expand(paths, label)
    if compression_of(files[0], options) == "zip":
        files = [m for f in files for m in _unzip(f, options.member, workdir)]
        return FileSet(files, format_of(files[0], options), gzip=False)
    gzip = any(compression_of(f, options) == "gzip" for f in files)
    return FileSet(files, format_of(files[0], options), gzip)


def expand(paths: Sequence[Path], label: str) -> list[Path]:
    """The files behind ``paths`` (globs expanded, sorted); NoFiles when one matches nothing."""
    files: list[Path] = []
    for path in paths:
        if any(ch in str(path) for ch in _GLOB_CHARS):
            matched = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
            if not matched:
                raise NoFiles(f"{label}: no file matches {str(path)!r}")
            files += matched
        elif not path.exists():
            raise NoFiles(f"{path}: file not found")
        else:
            files.append(path)
    return files


def compression_of(path: Path, options: FileOptions) -> str:
    """none | gzip | zip: the declared compression, else the file suffix's."""
    return options.compression or _COMPRESSIONS.get(path.suffix.lower(), "none")


def format_of(path: Path, options: FileOptions) -> str:
    """The declared format, else the one of the suffix (a compression suffix stripped first)."""
    if options.format is not None:
        return options.format
    if path.is_dir():
        return "parquet"
    name = Path(path.stem) if path.suffix.lower() in _COMPRESSIONS else path
    fmt = _FORMATS.get(name.suffix.lower())
    if fmt is None and name is not path and not name.suffix:
        return "csv"  # a bare .gz is a compressed CSV
    if fmt is None:
        raise DataError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; set format: csv|parquet|json|duckdb"
        )
    return fmt


def scan(
    con: duckdb.DuckDBPyConnection,
    fileset: FileSet,
    options: FileOptions,
    default_table: str | None = None,
    varchar: Sequence[str] = (),
    sample_all: bool = False,
) -> duckdb.DuckDBPyRelation:
    """A lazy relation over the files, read as ``options`` say; several files are unioned by column name.

    ``varchar`` names CSV columns read as text (ids keep their leading zeros); ``sample_all`` makes the CSV
    sniffer read every row (slower; for a file whose types change after the first rows).
    """
    files, several = fileset.files, len(fileset.files) > 1
    names = [str(f / "**" / "*.parquet") if f.is_dir() else str(f) for f in files]
    source: str | list[str] = names if several else names[0]
    if fileset.format == "csv":
        return con.read_csv(source, **_csv_arguments(options.csv, varchar, sample_all, fileset.gzip, several))
    if fileset.format == "parquet":
        return con.read_parquet(source, union_by_name=several)
    if fileset.format == "json":
        extra: dict[str, Any] = {"compression": "gzip"} if fileset.gzip else {}
        if options.csv.date_format:
            extra["date_format"] = options.csv.date_format
        if options.csv.timestamp_format:
            extra["timestamp_format"] = options.csv.timestamp_format
        return con.read_json(source, format="auto", union_by_name=several, **extra)
    if fileset.format == "duckdb":
        if several:
            raise DataError("a DuckDB database is read one file at a time; give one path")
        return _database_table(con, files[0], options.table or default_table)
    raise DataError(f"unknown format {fileset.format!r}; expected csv, parquet, json or duckdb")


def _csv_arguments(
    csv: CsvOptions, varchar: Sequence[str], sample_all: bool, gzip: bool, several: bool
) -> dict[str, Any]:
    candidates = list(_CSV_TYPES)
    if csv.date_format:
        candidates.insert(-1, "DATE")
    if csv.timestamp_format:
        candidates.insert(-1, "TIMESTAMP")
    arguments: dict[str, Any] = {
        "auto_type_candidates": candidates,
        "dtype": {**csv.types, **dict.fromkeys(varchar, "VARCHAR")},
        "sample_size": -1 if sample_all else 20_480,
        "union_by_name": several,
    }
    for key, value in (
        ("sep", csv.delimiter),
        ("quotechar", csv.quote),
        ("escapechar", csv.escape),
        ("header", csv.header),
        ("date_format", csv.date_format),
        ("timestamp_format", csv.timestamp_format),
    ):
        if value is not None:
            arguments[key] = value
    if csv.null:
        arguments["na_values"] = ["", *csv.null]
    if csv.skip_rows:
        arguments["skiprows"] = csv.skip_rows
    if csv.skip_bad_rows:
        arguments.update(ignore_errors=True, store_rejects=True)
    if gzip:
        arguments["compression"] = "gzip"
    return arguments


def _unzip(archive: Path, member: str | None, workdir: Path) -> list[Path]:
    """Stream the wanted members of ``archive`` into ``workdir``; their paths there."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [
                i.filename for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")
            ]
            if member is not None:
                wanted = [
                    n for n in names if fnmatch.fnmatch(n, member) or fnmatch.fnmatch(Path(n).name, member)
                ]
            else:
                wanted = names if len(names) == 1 else []
            if not wanted:
                expected = f"no member matches {member!r}" if member else "several files; set member: to one"
                raise DataError(f"{archive}: the zip archive has {expected} of {names}")
            target = Path(workdir) / f"unzipped-{len(list(Path(workdir).glob('unzipped-*')))}"
            target.mkdir(parents=True)
            out = []
            for i, name in enumerate(wanted):
                path = target / f"{i}-{Path(name).name}"
                with zf.open(name) as src, path.open("wb") as dst:
                    shutil.copyfileobj(src, dst, length=1 << 20)
                out.append(path)
            return out
    except zipfile.BadZipFile as exc:
        raise DataError(f"{archive}: not a readable zip archive ({exc})") from None


def _database_table(con: duckdb.DuckDBPyConnection, path: Path, table: str | None) -> duckdb.DuckDBPyRelation:
    attached = dict(con.execute("SELECT path, database_name FROM duckdb_databases()").fetchall())
    alias = attached.get(str(path.resolve()), f"source_{len(attached)}")
    if alias not in attached.values():
        con.execute(f"ATTACH {literal(str(path.resolve()))} AS {quote(alias)} (READ_ONLY)")
    return con.table(f"{quote(alias)}.{_qualified(con, alias, table)}")


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


def skipped_lines(con: duckdb.DuckDBPyConnection, fileset: FileSet) -> tuple[int, int | None]:
    """Lines of the files that DuckDB skipped as unparseable (``csv.skip_bad_rows``): how many, and the first."""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reject_errors'").fetchall()[
        0
    ][0]:
        return 0, None
    names = [str(f) for f in fileset.files]
    n, first = con.execute(
        "SELECT count(DISTINCT (s.file_path, e.line)), min(e.line) FROM reject_errors AS e "
        "JOIN reject_scans AS s USING (scan_id) WHERE s.file_path IN (SELECT unnest(?))",
        [names],
    ).fetchall()[0]
    return int(n), None if first is None else int(first)
