"""A modeling table built elsewhere (CSV / Parquet with a target column) in the same ``ModelingTable`` shape.

target = 1.0 where the target column equals ``bad_value``, 0.0 for the other label, NaN where it is empty
(target_status "indeterminate": no known outcome). Numeric and boolean columns become float64 features; text
columns, and those listed in ``categorical``, categorical ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorecard.config import CardConfig, FlatTableConfig
from scorecard.errors import ConfigError, DataError
from scorecard.features.build import ModelingTable, none_for_missing
from scorecard.features.splits import assign_splits
from scorecard.features.targets import target_summary

RESERVED = ("snapshot_date", "target", "target_status", "split")
ROW_KEY = "row_id"


def load_flat_table(cfg: CardConfig) -> ModelingTable:
    """Read ``data.flat_table`` and shape it as a modeling table with targets and splits."""
    flat = cfg.data.flat_table
    if flat is None:
        raise ConfigError("data.flat_table: not set (this card reads canonical data.sources)")
    from scorecard.data.ingest import read_table

    return flat_modeling_table(read_table(flat.path, options=flat), flat, cfg)


def flat_modeling_table(raw: pd.DataFrame, flat: FlatTableConfig, cfg: CardConfig) -> ModelingTable:
    """Shape an in-memory flat table (pure core of ``load_flat_table``)."""
    frame, features, categorical = _shape(raw, flat, require_target=True)
    frame["target_status"] = np.select(
        [frame["target"] == 1.0, frame["target"] == 0.0], ["bad", "good"], "indeterminate"
    ).astype(object)
    if cfg.split.oot_start is not None and flat.date_column is None:
        raise ConfigError("split.oot_start needs data.flat_table.date_column to tell rows' dates")
    frame["split"] = assign_splits(frame["target"], frame["snapshot_date"], cfg.split)
    return ModelingTable(
        frame=frame,
        keys=[flat.id_column or ROW_KEY],
        features=features,
        categorical=categorical,
        target_summary=target_summary(frame["target_status"]),
        card=cfg.card,
    )


def flat_batch(raw: pd.DataFrame, flat: FlatTableConfig) -> pd.DataFrame:
    """A later batch in the flat table's layout (e.g. to monitor), shaped like the development table.

    The target column may be absent or empty (outcomes not known yet); undated tables get no snapshot dates.
    """
    return _shape(raw, flat, require_target=False)[0]


def _shape(
    raw: pd.DataFrame, flat: FlatTableConfig, require_target: bool
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Key, snapshot_date, typed features and target (1.0 bad, 0.0 good, NaN unknown) of a flat-layout file."""
    where = str(flat.path)
    _check_columns(raw, flat, where, require_target)
    features = flat.features or [
        c for c in raw.columns if c not in (flat.target, flat.id_column, flat.date_column)
    ]
    clash = [c for c in features if c in RESERVED or c == ROW_KEY]
    if clash:
        raise DataError(
            f"{where}: feature column(s) {clash} clash with the modeling table's own columns {RESERVED}"
        )
    categorical = [
        c
        for c in features
        if c in flat.categorical or not (is_numeric(raw[c]) or pd.api.types.is_bool_dtype(raw[c]))
    ]
    key = flat.id_column or ROW_KEY
    frame = pd.DataFrame(
        {key: raw[flat.id_column] if flat.id_column else np.arange(len(raw), dtype=np.int64)}
    )
    if flat.id_column and frame[key].duplicated().any():
        dup = frame[key][frame[key].duplicated()].iloc[0]
        raise DataError(f"{where}: id column '{flat.id_column}' is not unique (first repeat: {dup!r})")
    frame["snapshot_date"] = _dates(raw, flat, where)
    for c in features:
        frame[c] = _categorical(raw[c]) if c in categorical else raw[c].astype("float64")
    label = f"{where}: target column '{flat.target}'"
    if flat.target in raw.columns:
        frame["target"] = _target(raw[flat.target], flat.bad_value, label, require_both=require_target)
    else:
        frame["target"] = np.nan
    return frame, list(features), categorical


def is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _check_columns(raw: pd.DataFrame, flat: FlatTableConfig, where: str, require_target: bool) -> None:
    named = {"id_column": flat.id_column, "date_column": flat.date_column}
    if require_target:
        named = {"target": flat.target, **named}
    missing = [f"{k}={v!r}" for k, v in named.items() if v is not None and v not in raw.columns]
    missing += [f"features: {c!r}" for c in (flat.features or []) if c not in raw.columns]
    missing += [f"categorical: {c!r}" for c in flat.categorical if c not in raw.columns]
    if missing:
        raise DataError(
            f"{where}: column(s) not found: {', '.join(missing)}; the file has {list(raw.columns)}"
        )


def _dates(raw: pd.DataFrame, flat: FlatTableConfig, where: str) -> pd.Series:
    if flat.date_column is None:
        return pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    values = raw[flat.date_column]
    parsed = pd.to_datetime(values, errors="coerce")
    bad = parsed.isna() & values.notna()
    if bad.any():
        raise DataError(
            f"{where}: date column '{flat.date_column}' has {int(bad.sum())} unparseable value(s) "
            f"(first: {values[bad].iloc[0]!r}); expected dates such as 2024-01-31"
        )
    return parsed.astype("datetime64[ns]")


def _categorical(values: pd.Series) -> pd.Series:
    text = values.astype(object).map(str, na_action="ignore")
    return none_for_missing(text)


def _target(
    values: pd.Series, bad_value: str | int | float | bool, where: str, require_both: bool = True
) -> pd.Series:
    """1.0 bad, 0.0 the other label, NaN empty; two labels, one of them the bad value (a later batch may hold
    fewer: none yet, or only one of them)."""
    known = values.notna()
    if is_numeric(values) and not isinstance(bad_value, str):
        is_bad = values == bad_value
    else:
        is_bad = values.astype(object).map(str, na_action="ignore") == str(bad_value)
    labels = sorted(map(str, values[known].unique()))
    complete = is_bad.any() and len(labels) == 2
    partial = len(labels) < 2 or (len(labels) == 2 and is_bad.any())
    if not (complete if require_both else partial):
        expected = "two labels" if require_both else "at most two labels"
        raise DataError(
            f"{where} must hold {expected}, one of them the bad value {bad_value!r}; found {labels[:10]}"
        )
    return pd.Series(np.where(known, is_bad.astype("float64"), np.nan), index=values.index, name="target")
