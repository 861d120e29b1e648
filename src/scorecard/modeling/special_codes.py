"""Detect special codes: sentinel values a bureau or a form writes instead of a number.

Two shapes are recognised on numerical features, each only where it sits off the feature's own scale:

- negative sentinels (``-9``, ``-8``, ``-7`` ...): negative integers between ``-99`` and ``-3`` on a feature
  whose other values are all >= 0 (``-1`` and ``-2`` next to 0 are often ordinal, like "paid duly");
- nines codes (``96``, ``98``, ``999``, ``99998`` ...): integers >= 90 whose digits are all 9 but the last,
  at least twice the largest other value (so an age of 99 among ages up to 105 is not a code).

A candidate needs at least ``min_count`` rows. Detected codes get their own bin, like declared ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_COUNT = 5


def _nines(value: float) -> bool:
    """True for 90-99, 990-999, 9990-9999, ...: all digits 9 except possibly the last."""
    if value < 90 or value != int(value):
        return False
    return set(str(int(value))[:-1]) == {"9"}


def detect_special_codes(values: pd.Series, min_count: int = MIN_COUNT) -> list[float]:
    """Sentinel codes found in one numerical column (ascending); [] when none."""
    counts = values.dropna().value_counts()
    if len(counts) < 3:
        return []
    distinct = counts.index.to_numpy(dtype=np.float64)
    frequent = counts.to_numpy() >= min_count
    integer = distinct == np.round(distinct)
    negative = integer & frequent & (distinct <= -3) & (distinct >= -99)
    nines = frequent & np.array([_nines(v) for v in distinct])
    found: list[float] = []
    regular = distinct[~negative & ~nines]
    if negative.any() and len(regular) >= 2 and regular.min() >= 0:
        found += distinct[negative].tolist()
    if nines.any():
        rest = distinct[~nines & ~negative]
        if len(rest) >= 2:
            found += [v for v in distinct[nines].tolist() if v >= 2 * max(rest.max(), 1)]
    return sorted(float(v) for v in found)
