"""Split labels: out-of-time from ``split.oot_start`` on; before it a stratified random train/test split.

Rows without a usable target (target NaN) are "excluded". Stratified: within each class exactly
floor(n_class * test_size + 0.5) rows go to test, drawn with ``numpy.random.default_rng(seed)``; the frame's row
order (sorted by keys) makes the draw reproducible.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from scorecard.config import SplitConfig

SPLITS = ("train", "test", "oot", "excluded")


def assign_splits(target: pd.Series, snapshot_date: pd.Series, cfg: SplitConfig) -> pd.Series:
    """One of train / test / oot / excluded per row, aligned with ``target``."""
    usable = target.notna().to_numpy()
    oot = usable & _on_or_after(snapshot_date, cfg.oot_start)
    development = usable & ~oot
    labels = np.full(len(target), "excluded", dtype=object)
    labels[oot] = "oot"
    labels[development] = "train"
    rng = np.random.default_rng(cfg.seed)
    values = target.to_numpy()
    for cls in (0.0, 1.0):
        members = np.flatnonzero(development & (values == cls))
        n_test = int(np.floor(len(members) * cfg.test_size + 0.5))
        labels[rng.choice(members, size=n_test, replace=False)] = "test"
    return pd.Series(labels, index=target.index, name="split", dtype=object)


def _on_or_after(dates: pd.Series, start: dt.date | None) -> np.ndarray:
    if start is None:
        return np.zeros(len(dates), dtype=bool)
    return (pd.to_datetime(dates) >= pd.Timestamp(start)).to_numpy()


def split_sizes(split: pd.Series) -> dict[str, int]:
    """Rows per split label, every label present."""
    counts = split.value_counts()
    return {s: int(counts.get(s, 0)) for s in SPLITS}
