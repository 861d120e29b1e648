"""Population stability: score PSI on reference score bands and CSI per feature on the card's own bins.

PSI = sum over bins of (a - e) * ln(a / e), with e and a the reference and current shares of each bin.
Shares are floored at ``PSI_FLOOR`` so that an empty bin contributes a large but finite amount.
Every table keeps each bin's contribution, for the whole batch (cohort ``"all"``) and for each cohort.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from scorecard.bundle.runtime import Feature
from scorecard.errors import DataError

PSI_FLOOR = 1e-4
"""Share used in place of an empty bin's share so that PSI stays finite."""
ALL = "all"
STABILITY_COLUMNS = [
    "variable",
    "cohort",
    "bin",
    "expected_n",
    "actual_n",
    "expected_pct",
    "actual_pct",
    "contribution",
]


def psi_contributions(expected: Any, actual: Any, floor: float = PSI_FLOOR) -> np.ndarray:
    """Each bin's PSI term from two count (or share) vectors over the same bins; rows of a 2-D ``actual``."""
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if e.shape[-1] != a.shape[-1]:
        raise DataError(f"psi: expected has {e.shape[-1]} bins but actual has {a.shape[-1]}; they must match")
    if (e < 0).any() or (a < 0).any():
        raise DataError("psi: bin counts must be non-negative")
    e_tot = e.sum(axis=-1, keepdims=True)
    a_tot = a.sum(axis=-1, keepdims=True)
    if (e_tot == 0).any():
        raise DataError("psi: the expected (reference) distribution is empty")
    e_pct = np.maximum(e / e_tot, floor)
    a_pct = np.maximum(np.divide(a, a_tot, out=np.zeros_like(a), where=a_tot > 0), floor)
    return (a_pct - e_pct) * np.log(a_pct / e_pct)


def psi(expected: Any, actual: Any, floor: float = PSI_FLOOR) -> float:
    """Population stability index between two count (or share) vectors over the same bins."""
    return float(psi_contributions(expected, actual, floor).sum())


def band_codes(scores: Any, edges: np.ndarray) -> np.ndarray:
    """Band index of each score: band k holds edges[k-1] <= score < edges[k]."""
    return np.searchsorted(edges, np.asarray(scores, dtype=float), side="right")


def band_labels(edges: np.ndarray) -> list[str]:
    """Readable labels of the score bands, ``[lo, hi)``."""
    bounds = ["-inf", *(f"{e:g}" for e in edges), "inf"]
    return [f"[{lo}, {hi})" for lo, hi in pairwise(bounds)]


def feature_bin_labels(feature: Mapping[str, Any]) -> list[str]:
    """Labels of a spec feature's slots: its regular bins, then special, missing, and unknown (categorical)."""
    labels = [str(b["label"]) for b in feature["bins"]] + ["special", "missing"]
    return [*labels, "unknown"] if feature["kind"] == "categorical" else labels


def feature_bin_codes(feature: Mapping[str, Any], values: Any) -> np.ndarray:
    """Slot index of each raw value under a spec feature's bins, by the serving runtime's own rule."""
    series = pd.Series(values, copy=False)
    if feature["kind"] == "numerical":
        array = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        array = series.to_numpy(dtype=object, copy=True)
        array[series.isna().to_numpy()] = None
    return Feature(dict(feature)).locate_column(array)[0].astype(np.int64, copy=False)


UNDATED = "undated"
"""The one cohort of a batch without dates."""


def cohort_codes(dates: Any, frequency: str = "month") -> tuple[np.ndarray, list[str]]:
    """Cohort index per row and the sorted cohort names (``2024-03`` by month, ``2024Q1`` by quarter).

    A batch with no dates at all (an undated flat table) is one cohort, ``undated``.
    """
    parsed = pd.to_datetime(pd.Series(dates, copy=False), errors="coerce")
    if len(parsed) and parsed.isna().all():
        return np.zeros(len(parsed), dtype=np.int64), [UNDATED]
    if parsed.isna().any():
        raise DataError(
            f"cohorts: {int(parsed.isna().sum())} rows have no parseable date; expected a date per row"
        )
    periods = parsed.dt.to_period("M" if frequency == "month" else "Q")
    codes, uniques = pd.factorize(periods, sort=True)
    return codes.astype(np.int64), [str(p) for p in uniques]


def stability_table(
    variable: str,
    labels: Sequence[str],
    reference_codes: np.ndarray,
    current_codes: np.ndarray,
    cohorts: np.ndarray | None = None,
    cohort_names: Sequence[str] = (),
) -> pd.DataFrame:
    """Per-bin stability of one variable: the whole batch (cohort ``all``) and each cohort against the reference."""
    k = len(labels)
    expected = np.bincount(reference_codes, minlength=k)[:k]
    m = len(cohort_names) if cohorts is not None else 0
    by_cohort = (
        np.bincount(cohorts * k + current_codes, minlength=m * k).reshape(m, k)
        if cohorts is not None and m
        else np.zeros((0, k), dtype=np.int64)
    )
    return counts_table(
        variable, labels, expected, np.bincount(current_codes, minlength=k)[:k], by_cohort, cohort_names
    )


def counts_table(
    variable: str,
    labels: Sequence[str],
    expected: np.ndarray,
    actual: np.ndarray,
    by_cohort: np.ndarray,
    cohort_names: Sequence[str] = (),
) -> pd.DataFrame:
    """Per-bin stability from bin counts: reference, whole batch, and one row of ``by_cohort`` per cohort.

    The counts may come from anywhere (numpy here, a Spark aggregation in ``monitoring.spark``).
    """
    k = len(labels)
    names = [ALL, *cohort_names] if len(by_cohort) else [ALL]
    actual_m = np.vstack([actual, *by_cohort]) if len(by_cohort) else np.asarray(actual)[None, :]
    contrib = psi_contributions(expected, actual_m)
    totals = actual_m.sum(axis=1, keepdims=True)
    return pd.DataFrame(
        {
            "variable": variable,
            "cohort": np.repeat(names, k),
            "bin": np.tile(list(labels), len(names)),
            "expected_n": np.tile(expected, len(names)),
            "actual_n": actual_m.ravel(),
            "expected_pct": np.tile(expected / expected.sum(), len(names)),
            "actual_pct": np.divide(actual_m, totals, out=np.zeros(actual_m.shape), where=totals > 0).ravel(),
            "contribution": contrib.ravel(),
        },
        columns=STABILITY_COLUMNS,
    )


def stability_summary(table: pd.DataFrame) -> pd.DataFrame:
    """PSI per variable and cohort from a per-bin table: variable, cohort, n, psi (cohort order kept)."""
    grouped = table.groupby(["variable", "cohort"], sort=False)
    return grouped.agg(n=("actual_n", "sum"), psi=("contribution", "sum")).reset_index()
