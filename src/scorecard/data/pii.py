"""PII never travels past ingestion: each PII column is dropped, or replaced by its keyed HMAC-SHA256 hash.

The hash keeps a column joinable and countable (a blacklist of national ids, devices shared across customers)
without the value itself; the key lives in an environment variable, never in the repository.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

import numpy as np
import pandas as pd

from scorecard.config import PiiConfig
from scorecard.data.schema import TABLES, PiiAction, SourceTables
from scorecard.errors import ConfigError

_BLOCK = 64  # SHA-256 block size in bytes (RFC 2104)


def pii_actions(pii: PiiConfig, tables: Iterable[str]) -> dict[tuple[str, str], PiiAction]:
    """What happens to each PII column of ``tables``: the schema's action, or hash/drop per ``pii.hash``."""
    actions: dict[tuple[str, str], PiiAction] = {}
    for table in tables:
        for column in TABLES[table].columns:
            if column.pii is None:
                continue
            if pii.hash is None:
                actions[table, column.name] = column.pii
            else:
                actions[table, column.name] = "hash" if f"{table}.{column.name}" in pii.hash else "drop"
    return actions


def hmac_key(pii: PiiConfig) -> bytes:
    """The HMAC key from the environment variable ``pii.key_env``; a ConfigError when it is unset or empty."""
    key = os.environ.get(pii.key_env, "")
    if not key:
        raise ConfigError(
            f"data.pii.key_env: environment variable {pii.key_env} is not set, but PII columns are configured "
            "to be hashed; set it to a secret key kept outside the repository, or drop those columns "
            "(data.pii.hash: [])"
        )
    return key.encode()


def keyed_hash(values: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 (hex) of each value's text; nulls stay null. Each distinct value is hashed once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # RFC 2104 with the keyed pads hashed once and copied per value: ~2x faster than hmac.new per value
    inner_pad, outer_pad = _pads(key)
    inner, outer = hashlib.sha256(inner_pad), hashlib.sha256(outer_pad)

    def digest(value: object) -> str:
        h_inner, h_outer = inner.copy(), outer.copy()
        h_inner.update(str(value).encode())
        h_outer.update(h_inner.digest())
        return h_outer.hexdigest()

    hashed = np.array([digest(v) for v in uniques] + [None], dtype=object)  # code -1 (null) takes the None
    return pd.Series(hashed[codes], index=values.index, name=values.name, dtype=object)


def hmac_sql(expr: str, key: bytes) -> str:
    """DuckDB SQL for ``keyed_hash`` of the text ``expr``: the same hex digests, computed natively (vectorised,
    on every thread) from DuckDB's sha256 over the keyed pads (RFC 2104); nulls stay null."""
    inner_pad, outer_pad = _pads(key)
    inner = f"unhex(sha256(unhex('{inner_pad.hex()}') || encode({expr})))"
    return f"sha256(unhex('{outer_pad.hex()}') || {inner})"


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer keyed pads (a key longer than a block is hashed first)."""
    key = hashlib.sha256(key).digest() if len(key) > _BLOCK else key
    padded = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)


def apply_pii(tables: SourceTables, pii: PiiConfig) -> SourceTables:
    """New tables without PII: columns dropped or hashed as ``pii_actions`` says (apply once, at ingestion).

    The HMAC key is needed only when a column to hash is present.
    """
    actions = {(t, c): a for (t, c), a in pii_actions(pii, tables).items() if c in tables[t]}
    key = hmac_key(pii) if "hash" in actions.values() else b""
    out: SourceTables = {}
    for table, frame in tables.items():
        drop = [c for (t, c), a in actions.items() if t == table and a == "drop"]
        hashed = {c: keyed_hash(frame[c], key) for (t, c), a in actions.items() if t == table and a == "hash"}
        out[table] = frame.drop(columns=drop).assign(**hashed) if drop or hashed else frame
    return out
