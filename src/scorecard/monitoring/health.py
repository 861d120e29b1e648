"""Feature health: missing and special-code rates, unseen categories and out-of-range values against the reference.

Rates come from the card's bin slots (regular bins, then special, missing, unknown), so a value counts as
special, missing or unseen exactly when the serving runtime scores it so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scorecard.monitoring.stability import feature_bin_labels

HEALTH_COLUMNS = [
    "feature",
    "kind",
    "missing_ref",
    "missing_cur",
    "special_ref",
    "special_cur",
    "unseen_cur",
    "out_of_range_cur",
    "worst_increase",
]


@dataclass(frozen=True)
class SlotCounts:
    """One feature's rows per bin slot in the reference and the current batch, and the current regular values
    outside the reference's regular range (or every current regular value when the reference has none)."""

    reference: np.ndarray
    current: np.ndarray
    out_of_range: int


def _share(count: float, total: float) -> float:
    return float(count / total) if total else 0.0


def _range(values: pd.Series, codes: np.ndarray, n_bins: int) -> tuple[float, float] | None:
    """The [min, max] of a feature's regular values (in a regular bin), None when there are none."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)[codes < n_bins]
    return (float(np.nanmin(x)), float(np.nanmax(x))) if x.size else None


def outside_count(values: Any, codes: np.ndarray, n_bins: int, bounds: tuple[float, float] | None) -> int:
    """Regular values (in a regular bin) outside ``bounds``; all of them when there are no bounds."""
    regular = codes < n_bins
    if bounds is None:
        return int(regular.sum())
    x = pd.to_numeric(pd.Series(values, copy=False), errors="coerce").to_numpy(dtype=float)
    return int((regular & ((x < bounds[0]) | (x > bounds[1]))).sum())


def feature_health(
    features: Sequence[Mapping[str, Any]],
    codes: Mapping[str, tuple[np.ndarray, np.ndarray]],
    reference: pd.DataFrame,
    current: pd.DataFrame,
) -> pd.DataFrame:
    """One row per spec feature: rates in reference and current, and the largest rise among them.

    ``codes`` maps each feature to its (reference, current) bin slots. Unseen categories are current values
    in the ``unknown`` slot; out-of-range values are current regular numbers outside the reference's range.
    """
    counts = {}
    for f in features:
        name, n_bins = f["name"], len(f["bins"])
        ref_codes, cur_codes = codes[name]
        k = len(feature_bin_labels(f))
        outside = 0
        if f["kind"] != "categorical":
            outside = outside_count(
                current[name], cur_codes, n_bins, _range(reference[name], ref_codes, n_bins)
            )
        counts[name] = SlotCounts(
            np.bincount(ref_codes, minlength=k)[:k], np.bincount(cur_codes, minlength=k)[:k], outside
        )
    return health_table(features, counts)


def health_table(features: Sequence[Mapping[str, Any]], counts: Mapping[str, SlotCounts]) -> pd.DataFrame:
    """The health rows from per-slot counts (numpy here, a Spark aggregation in ``monitoring.spark``)."""
    rows = []
    for f in features:
        name, n_bins = f["name"], len(f["bins"])
        c = counts[name]
        n_ref, n_cur = int(c.reference.sum()), int(c.current.sum())
        row = {
            "feature": name,
            "kind": f["kind"],
            "missing_ref": _share(c.reference[n_bins + 1], n_ref),
            "missing_cur": _share(c.current[n_bins + 1], n_cur),
            "special_ref": _share(c.reference[n_bins], n_ref),
            "special_cur": _share(c.current[n_bins], n_cur),
            "unseen_cur": _share(c.current[n_bins + 2], n_cur)
            if f["kind"] == "categorical"
            else float("nan"),
            "out_of_range_cur": float("nan") if f["kind"] == "categorical" else _share(c.out_of_range, n_cur),
        }
        rises = [
            row["missing_cur"] - row["missing_ref"],
            row["special_cur"] - row["special_ref"],
            np.nan_to_num(row["unseen_cur"]),
            np.nan_to_num(row["out_of_range_cur"]),
        ]
        rows.append({**row, "worst_increase": float(max(rises))})
    return pd.DataFrame(rows, columns=HEALTH_COLUMNS)
