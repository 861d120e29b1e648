"""A modeling table stored by ``scorecard features build`` and read back by ``scorecard train --table``.

The Parquet file carries, in its schema metadata, the table's shape (keys, features, categorical columns, policy
attributes, target summary) and a fingerprint of the config sections that built it (data, features, target,
split). Reading it for a config whose fingerprint differs is refused, so a model is never trained on a table
built from other sources or another target definition.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scorecard.config import CardConfig
from scorecard.errors import DataError
from scorecard.features.build import ModelingTable

META_KEY = b"scorecard.modeling_table"
BUILD_SECTIONS = ("card", "data", "features", "target", "split")


def build_fingerprint(cfg: CardConfig) -> str:
    """sha256 of the config sections that decide the modeling table's rows and columns."""
    dumped = cfg.model_dump(mode="json", include=set(BUILD_SECTIONS))
    return hashlib.sha256(json.dumps(dumped, sort_keys=True, default=str).encode()).hexdigest()


def write_modeling_table(table: ModelingTable, cfg: CardConfig, path: Path | str) -> Path:
    """Write ``table`` as Parquet with its shape and the config's build fingerprint in the schema metadata."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrow = pa.Table.from_pandas(table.frame, preserve_index=False)
    meta = {
        "config": cfg.name,
        "fingerprint": build_fingerprint(cfg),
        "card": table.card,
        "keys": table.keys,
        "features": table.features,
        "categorical": table.categorical,
        "attributes": table.attributes,
        "target_summary": {k: int(v) for k, v in table.target_summary.items()},
    }
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), META_KEY: json.dumps(meta)})
    pq.write_table(arrow, path)
    return path


def read_modeling_table(path: Path | str, cfg: CardConfig) -> ModelingTable:
    """The modeling table stored at ``path``, checked to have been built from ``cfg``'s build sections."""
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"{path}: modeling table not found; write it with `scorecard features build --out {path}`"
        )
    try:
        arrow = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: not a Parquet modeling table ({exc})") from None
    raw = (arrow.schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise DataError(
            f"{path}: not written by `scorecard features build` (no scorecard metadata); train from the config instead"
        )
    meta = json.loads(raw)
    expected = build_fingerprint(cfg)
    if meta["fingerprint"] != expected:
        raise DataError(
            f"{path}: built by config {meta['config']!r} with build fingerprint {meta['fingerprint'][:12]}, but "
            f"{cfg.name!r} has {expected[:12]} (its card, data, features, target or split differ); rebuild it with "
            f"`scorecard features build`"
        )
    frame: pd.DataFrame = arrow.to_pandas()
    return ModelingTable(
        frame=frame,
        keys=list(meta["keys"]),
        features=list(meta["features"]),
        categorical=list(meta["categorical"]),
        target_summary=dict(meta["target_summary"]),
        card=meta["card"],
        attributes=list(meta.get("attributes", [])),
    )
