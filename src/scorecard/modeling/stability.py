"""Characteristic stability from development to out-of-time: CSI per feature on the card's attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorecard.modeling.evaluation import psi_table


def feature_stability(reference: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Per feature (columns of points per row): CSI = PSI of the shares of its attributes (bins, told apart
    by their points; bins with equal points pooled) and the points shift = sum of (current - reference share)
    x points, the score change the feature's population move alone causes."""
    rows = []
    for feature in reference.columns:
        ref = reference[feature].to_numpy(dtype=np.float64)
        cur = current[feature].to_numpy(dtype=np.float64)
        levels = np.unique(np.concatenate([ref, cur]))
        table = psi_table(ref, cur, (levels[:-1] + levels[1:]) / 2)
        shares = table.iloc[: len(levels)]
        shift = float(((shares["actual_share"] - shares["expected_share"]) * levels).sum())
        rows.append({"feature": feature, "csi": float(table["psi"].sum()), "points_shift": shift})
    return pd.DataFrame(rows).sort_values("csi", ascending=False, kind="stable").reset_index(drop=True)


def auc_confidence(auc: float, bads: int, goods: int, z: float = 1.959964) -> tuple[float, float, float]:
    """(standard error, lower, upper) of an AUC by Hanley and McNeil (1982); Gini bounds are 2 x bound - 1."""
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (bads - 1) * (q1 - auc**2) + (goods - 1) * (q2 - auc**2)) / (bads * goods)
    se = float(np.sqrt(max(variance, 0.0)))
    return se, max(auc - z * se, 0.0), min(auc + z * se, 1.0)


def confidence_table(metrics: dict[str, dict[str, dict[str, float]]]) -> pd.DataFrame:
    """Per model and split: n, bads, AUC and Gini with their 95% confidence intervals."""
    rows = []
    for model, by_split in metrics.items():
        for split, m in by_split.items():
            bads, n = int(m["bads"]), int(m["n"])
            if not 0 < bads < n:
                continue
            se, lo, hi = auc_confidence(float(m["auc"]), bads, n - bads)
            rows.append(
                {
                    "model": model,
                    "split": split,
                    "n": n,
                    "bads": bads,
                    "auc": m["auc"],
                    "auc_se": se,
                    "auc_low": lo,
                    "auc_high": hi,
                    "gini": m["gini"],
                    "gini_low": 2 * lo - 1,
                    "gini_high": 2 * hi - 1,
                    "ks": m["ks"],
                }
            )
    return pd.DataFrame(rows)
