"""Small raw canonical tables built from the declared schema: valid by construction, easy to break on purpose.

Row ``i`` of every table holds values worked out from ``i`` alone, so a test knows each cell without reading it:
strings ``<column>_<i>`` (or the allowed values in turn), numbers from the column's minimum up, dates from
2024-01-01, and one null (row 1) in every nullable column. PII columns hold the ``secrets`` given, if any.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from scorecard.data.schema import TABLES, Column

N_ROWS = 6
START = pd.Timestamp("2024-01-01")


def raw_column(column: Column, n: int = N_ROWS) -> list[object]:
    """Valid raw values of one column for rows 0..n-1 (row 1 null when the column is nullable)."""
    i = np.arange(n)
    values: list[object]
    vocabulary = column.allowed or column.examples
    if vocabulary:
        values = [vocabulary[k % len(vocabulary)] for k in i]
    elif column.dtype == "string":
        values = [f"{column.name}_{k}" for k in i]
    elif column.dtype == "int":
        values = [int(column.min or 0) + int(k) for k in i]
    elif column.dtype == "float":
        values = [float(column.min or 0) + 1.5 * k for k in i]
    elif column.dtype == "bool":
        values = [bool(k % 2) for k in i]
    elif column.dtype == "date":
        values = [START + pd.Timedelta(days=int(k)) for k in i]
    else:
        values = [START + pd.Timedelta(hours=int(k), minutes=30) for k in i]
    if column.nullable and n > 1:
        values[1] = None
    return values


def raw_tables(n: int = N_ROWS, secrets: Mapping[str, list[str]] | None = None) -> dict[str, pd.DataFrame]:
    """Every canonical table, ``n`` valid rows each; ``secrets`` maps 'table.column' to that PII column's values."""
    secrets = secrets or {}
    tables = {}
    for name, schema in TABLES.items():
        frame = pd.DataFrame({c.name: raw_column(c, n) for c in schema.columns})
        for column in schema.columns:
            if f"{name}.{column.name}" in secrets:
                frame[column.name] = secrets[f"{name}.{column.name}"]
        tables[name] = frame
    return tables


def write_tables(tables: Mapping[str, pd.DataFrame], folder: Path, fmt: str = "parquet") -> dict[str, Path]:
    """Write each table as ``<folder>/<table>.<fmt>`` (csv or parquet) and return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in tables.items():
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        paths[name] = path
    return paths


def sources_config(paths: Mapping[str, Path], **extra: object) -> dict[str, object]:
    """A ``data`` config section reading ``paths``; ``extra`` adds keys such as ``pii``."""
    return {"sources": {name: {"path": str(path)} for name, path in paths.items()}, **extra}
