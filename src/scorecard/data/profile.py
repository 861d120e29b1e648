"""Profile a lender's flat table and scaffold a card config from it (``scorecard init --from``).

Every guess comes with its reason, so a person can check it: the target (a two-valued column, preferring names
such as ``bad``, ``default``, ``target``), its bad value, an ID-like column, date columns, constant columns,
missing-value markers read as text (``NA``, ``?``), and likely special codes (negative sentinels -9/-8/-7,
9999x codes, 96/98-style codes far above a count's range).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scorecard.errors import DataError

TARGET_NAME = re.compile(r"bad|default|target|dlq|delinq|creditab|class|outcome|label|flag", re.I)
ID_NAME = re.compile(r"(^|_)(id|key|no|number)$|^column0+$|^unnamed", re.I)
NULL_MARKERS = ("NA", "N/A", "na", "n/a", "?", "NULL", "null", "None", "-", ".")
BAD_LABELS = ("bad", "1", "yes", "y", "true", "default", "defaulted")
NEGATIVE_SENTINELS = (-9.0, -8.0, -7.0, -99.0, -999.0, -9999.0)
HIGH_CODES = (96.0, 97.0, 98.0, 99.0, 996.0, 997.0, 998.0, 999.0, 9996.0, 9997.0, 9998.0, 9999.0, 99999.0)
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".json", ".jsonl", ".gz", ".zip")


@dataclass
class Guess:
    """What ``init`` decided about one aspect of the table, and why."""

    what: str
    value: Any
    why: str


@dataclass
class Profile:
    """The guesses for one flat table: the config keys they fill and the reasons."""

    path: Path
    rows: int
    target: str
    bad_value: Any
    target_candidates: list[str]
    id_column: str | None = None
    date_column: str | None = None
    features: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    null_markers: list[str] = field(default_factory=list)
    special_codes: list[float] = field(default_factory=list)
    guesses: list[Guess] = field(default_factory=list)


def table_files(path: Path) -> list[Path]:
    """The table files of a folder (or the file itself), in name order."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"{path}: no such file or folder")
    found = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(TABLE_SUFFIXES))
    if not found:
        raise DataError(f"{path}: no table files (expected one of {', '.join(TABLE_SUFFIXES)})")
    return found


def _numeric_text(values: pd.Series) -> tuple[bool, list[str]]:
    """Whether a text column is numbers apart from missing-value markers, and which markers occur."""
    text = values.dropna().astype(str).str.strip()
    if text.empty:
        return False, []
    markers = sorted(set(text[text.isin(NULL_MARKERS)]))
    rest = pd.to_numeric(text[~text.isin(NULL_MARKERS)], errors="coerce")
    return bool(markers) and bool(rest.notna().all()), markers


def _is_date(values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    if values.dtype != object:
        return False
    sample = values.dropna().astype(str).head(500)
    if sample.empty or not sample.str.contains(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}").mean() > 0.9:
        return False
    return bool(pd.to_datetime(sample, errors="coerce", format="mixed").notna().mean() > 0.9)


def _bad_value(values: pd.Series) -> tuple[Any, str]:
    labels = values.dropna().unique().tolist()
    for label in labels:
        if str(label).strip().lower() in BAD_LABELS:
            return label, f"{label!r} reads as bad"
    counts = values.value_counts()
    rare = counts.index[-1]
    return rare, f"{rare!r} is the rarer label ({counts.iloc[-1]:,} of {int(counts.sum()):,} rows)"


def _target(frame: pd.DataFrame, target: str | None) -> tuple[str, list[str], str]:
    binary = [c for c in frame.columns if frame[c].dropna().nunique() == 2]
    candidates = sorted(binary, key=lambda c: (not TARGET_NAME.search(str(c)), list(frame.columns).index(c)))
    if target is not None:
        if target not in frame.columns:
            raise DataError(f"--target {target!r} is not a column; the table has {list(frame.columns)}")
        return target, candidates, "given with --target"
    named = [c for c in candidates if TARGET_NAME.search(str(c))]
    if named:
        return named[0], candidates, "two values and a name that reads as an outcome"
    if candidates and candidates[-1] == frame.columns[-1]:
        return candidates[-1], candidates, "the last column, with two values"
    raise DataError(
        f"no target column found: no two-valued column is named like bad/default/target; two-valued columns: "
        f"{candidates or 'none'}; pass --target COLUMN"
    )


def _special_codes(values: pd.Series) -> list[float]:
    """Sentinel values of a numeric column: negative codes beside non-negative data, or codes far above it."""
    numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if numbers.size == 0 or not np.all(numbers == np.round(numbers)):
        return []
    present = set(np.unique(numbers).tolist())
    codes = [v for v in NEGATIVE_SENTINELS if v in present and numbers[numbers != v].min() >= 0]
    bulk = numbers[~np.isin(numbers, HIGH_CODES)]
    if bulk.size:
        ceiling = float(np.quantile(bulk, 0.99))
        codes += [v for v in HIGH_CODES if v in present and v > 3 * max(ceiling, 1.0)]
    return codes


def profile_table(frame: pd.DataFrame, path: Path, target: str | None = None) -> Profile:
    """Guess the target, keys, dates, dropped columns and special codes of a flat table."""
    if frame.empty:
        raise DataError(f"{path}: the table has no rows")
    target_column, candidates, why = _target(frame, target)
    bad_value, why_bad = _bad_value(frame[target_column])
    prof = Profile(path, len(frame), target_column, bad_value, candidates)
    prof.guesses.append(Guess("target", target_column, f"{why}; candidates: {candidates}"))
    prof.guesses.append(Guess("bad_value", bad_value, why_bad))
    for column in frame.columns:
        if column == target_column:
            continue
        values = frame[column]
        name = str(column)
        if values.nunique(dropna=True) <= 1:
            prof.guesses.append(Guess("dropped", name, "constant (one value or empty)"))
            continue
        integer_like = pd.api.types.is_integer_dtype(values) or values.dtype == object
        if prof.id_column is None and ID_NAME.search(name) and integer_like and values.is_unique:
            prof.id_column = name
            prof.guesses.append(Guess("id_column", name, "unique on every row and named like an id"))
            continue
        if _is_date(values):
            if prof.date_column is None:
                prof.date_column = name
                prof.guesses.append(
                    Guess("date_column", name, "parses as dates; cohorts and out-of-time use it")
                )
            else:
                prof.guesses.append(Guess("dropped", name, "a second date column (dates are not features)"))
            continue
        if values.dtype == object:
            numeric, markers = _numeric_text(values)
            if numeric:
                prof.null_markers += [m for m in markers if m not in prof.null_markers]
                prof.guesses.append(
                    Guess("missing marker", markers, f"{name} is numbers apart from {markers}")
                )
            elif values.nunique() > 0.5 * len(values) and values.nunique() > 50:
                prof.guesses.append(Guess("dropped", name, "ID-like text: a different value on most rows"))
                continue
            else:
                prof.categorical.append(name)
        codes = _special_codes(values)
        if codes:
            prof.special_codes += [c for c in codes if c not in prof.special_codes]
            prof.guesses.append(Guess("special codes", codes, f"{name}: sentinel values outside its range"))
        prof.features.append(name)
    if not prof.features:
        raise DataError(f"{path}: no feature column left after dropping keys, dates and constants")
    return prof


def config_name(path: Path) -> str:
    """A card name from a file name: lower case letters, digits and underscores, starting with a letter."""
    stem = path.name.split(".")[0]
    name = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")
    return name if re.match(r"^[a-z]", name) else f"card_{name}"


def scaffold(prof: Profile, config_dir: Path, name: str) -> dict[str, Any]:
    """A flat-table application card config for ``prof``, with paths relative to ``config_dir``."""
    try:
        path = str(prof.path.resolve().relative_to(config_dir.resolve()))
    except ValueError:
        path = str(prof.path.resolve())
    flat: dict[str, Any] = {"path": path, "target": prof.target, "bad_value": _plain(prof.bad_value)}
    if prof.id_column:
        flat["id_column"] = prof.id_column
    if prof.date_column:
        flat["date_column"] = prof.date_column
    flat["features"] = prof.features
    if prof.null_markers:
        flat["csv"] = {"null": prof.null_markers}
    config: dict[str, Any] = {
        "card": "application",
        "name": name,
        "description": f"Scaffolded by `scorecard init --from {prof.path.name}`; review every guess.",
        "data": {"flat_table": flat},
        "binning": {"special_codes": sorted({-1.0, *prof.special_codes})},
        "tracking": {"registered_model": f"{name}_scorecard"},
    }
    return config


def _plain(value: Any) -> Any:
    """numpy scalars as plain Python values (for YAML)."""
    return value.item() if isinstance(value, np.generic) else value
