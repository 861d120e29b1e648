"""Feature health: missing and special-code rates, unseen categories and out-of-range values against the reference.

Rates come from the card's bin slots (regular bins, then special, missing, unknown), so a value counts as
special, missing or unseen exactly when the serving runtime scores it so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

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


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else 0.0


def _out_of_range(
    feature: Mapping[str, Any], ref: pd.Series, cur: pd.Series, ref_codes: np.ndarray, cur_codes: np.ndarray
) -> float:
    """Share of current regular values outside the [min, max] of the reference's regular values."""
    n_bins = len(feature["bins"])
    ref_x = pd.to_numeric(ref, errors="coerce").to_numpy(dtype=float)[ref_codes < n_bins]
    cur_x = pd.to_numeric(cur, errors="coerce").to_numpy(dtype=float)
    if ref_x.size == 0:
        return _share(cur_codes < n_bins)
    outside = (cur_x < np.nanmin(ref_x)) | (cur_x > np.nanmax(ref_x))
    return _share((cur_codes < n_bins) & outside)


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
    rows = []
    for f in features:
        name, n_bins = f["name"], len(f["bins"])
        ref_codes, cur_codes = codes[name]
        row = {
            "feature": name,
            "kind": f["kind"],
            "missing_ref": _share(ref_codes == n_bins + 1),
            "missing_cur": _share(cur_codes == n_bins + 1),
            "special_ref": _share(ref_codes == n_bins),
            "special_cur": _share(cur_codes == n_bins),
            "unseen_cur": _share(cur_codes == n_bins + 2) if f["kind"] == "categorical" else float("nan"),
            "out_of_range_cur": float("nan")
            if f["kind"] == "categorical"
            else _out_of_range(f, reference[name], current[name], ref_codes, cur_codes),
        }
        rises = [
            row["missing_cur"] - row["missing_ref"],
            row["special_cur"] - row["special_ref"],
            np.nan_to_num(row["unseen_cur"]),
            np.nan_to_num(row["out_of_range_cur"]),
        ]
        rows.append({**row, "worst_increase": float(max(rises))})
    return pd.DataFrame(rows, columns=HEALTH_COLUMNS)
