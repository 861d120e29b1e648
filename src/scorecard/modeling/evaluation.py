"""Model evaluation on train, test and out-of-time rows: discrimination, gains, grades, calibration, stability.

Conventions: a *score* is higher for lower risk (scorecard points); a *risk* is higher for higher risk (PD).
Discrimination is computed from the risk ordering; AUC and the ROC curve come from scikit-learn, so KS is the
maximum vertical gap between the cumulative bad and good distributions (max TPR - FPR on the ROC curve).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

from scorecard.errors import DataError

PSI_FLOOR = 1e-4
"""Share used in place of an empty bin's share so that PSI stays finite."""


def _arrays(y: Any, risk: Any) -> tuple[np.ndarray, np.ndarray]:
    target = np.asarray(y, dtype=float).ravel()
    values = np.asarray(risk, dtype=float).ravel()
    if target.shape != values.shape:
        raise DataError(f"target has {target.size} rows but the scores have {values.size}")
    return target, values


def ks_statistic(y: Any, risk: Any) -> float:
    """Kolmogorov-Smirnov distance between the risk distributions of bads and goods (max TPR - FPR)."""
    target, values = _arrays(y, risk)
    fpr, tpr, _ = roc_curve(target, values)
    return float(np.max(tpr - fpr))


def discrimination(y: Any, risk: Any) -> dict[str, float]:
    """AUC, Gini (= 2 AUC - 1) and KS of a risk ordering; NaN when the rows hold a single class."""
    target, values = _arrays(y, risk)
    if np.unique(target).size < 2:
        return {"auc": float("nan"), "gini": float("nan"), "ks": float("nan")}
    auc = float(roc_auc_score(target, values))
    return {"auc": auc, "gini": 2 * auc - 1, "ks": ks_statistic(target, values)}


def score_band_edges(score: Any, n_bands: int = 10) -> np.ndarray:
    """Inner edges of ``n_bands`` equal-count score bands (ties merged); band = ``searchsorted(edges, x, "right")``."""
    values = np.asarray(score, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise DataError("score bands: the reference has no finite scores")
    return np.unique(np.quantile(values, np.linspace(0, 1, n_bands + 1)[1:-1]))


def gains_table(y: Any, score: Any, edges: np.ndarray) -> pd.DataFrame:
    """Gains and lift by score band, riskiest band (lowest scores) first.

    A score falls in band ``searchsorted(edges, score, "right")``, so pass edges fitted on train to compare splits
    band for band. ``capture`` is the cumulative share of all bads in this band and riskier ones; ``lift`` is the
    band's bad rate over the overall bad rate.
    """
    target, values = _arrays(y, score)
    band = np.searchsorted(edges, values, side="right")
    frame = pd.DataFrame({"band": band + 1, "score": values, "bad": target})
    table = (
        frame.groupby("band")
        .agg(
            min_score=("score", "min"), max_score=("score", "max"), count=("bad", "size"), bads=("bad", "sum")
        )
        .reindex(np.arange(1, len(edges) + 2), fill_value=0)
        .rename_axis("band")
        .reset_index()
    )
    table["bads"] = table["bads"].astype(np.int64)
    table["goods"] = table["count"] - table["bads"]
    total_bads, total_goods = table["bads"].sum(), table["goods"].sum()
    overall = total_bads / max(table["count"].sum(), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["bad_rate"] = table["bads"] / table["count"]
        table["capture"] = table["bads"].cumsum() / total_bads
        table["cum_good_share"] = table["goods"].cumsum() / total_goods
        table["ks"] = table["capture"] - table["cum_good_share"]
        table["lift"] = table["bad_rate"] / overall
        table["cum_lift"] = (table["bads"].cumsum() / table["count"].cumsum()) / overall
    return table


def grade_table(y: Any, pd_: Any, grades: Any, order: Sequence[str]) -> pd.DataFrame:
    """Observed against predicted bad rate per grade of the master scale (grades in ``order``, empty ones kept)."""
    target, probability = _arrays(y, pd_)
    frame = pd.DataFrame({"grade": np.asarray(grades, dtype=object), "bad": target, "pd": probability})
    table = (
        frame.groupby("grade")
        .agg(count=("bad", "size"), bads=("bad", "sum"), expected_bads=("pd", "sum"))
        .reindex(list(order), fill_value=0)
        .rename_axis("grade")
        .reset_index()
    )
    table["bads"] = table["bads"].astype(np.int64)
    table["share"] = table["count"] / max(table["count"].sum(), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["observed_bad_rate"] = table["bads"] / table["count"]
        table["predicted_pd"] = table["expected_bads"] / table["count"]
    return table[["grade", "count", "share", "bads", "observed_bad_rate", "predicted_pd", "expected_bads"]]


def hosmer_lemeshow(
    observed: Any, expected: Any, counts: Any, in_sample: bool = True
) -> tuple[float, float, int]:
    """Hosmer-Lemeshow chi-square over groups: sum (O - E)^2 / (E (1 - E/n)); returns (statistic, p-value, dof).

    Degrees of freedom are groups - 2 on the sample the model was fitted on and groups out of sample;
    groups with no rows or a predicted bad count of 0 or n carry no information and are skipped.
    """
    o, e, n = (np.asarray(a, dtype=float) for a in (observed, expected, counts))
    keep = (n > 0) & (e > 0) & (e < n)
    o, e, n = o[keep], e[keep], n[keep]
    statistic = float(np.sum((o - e) ** 2 / (e * (1 - e / n))))
    dof = int(keep.sum()) - (2 if in_sample else 0)
    if dof < 1:
        return statistic, float("nan"), dof
    return statistic, float(stats.chi2.sf(statistic, dof)), dof


def psi_table(expected: Any, actual: Any, bins: int | Sequence[float] | np.ndarray = 10) -> pd.DataFrame:
    """Population stability per bin: shares of ``expected`` and ``actual`` values and each bin's PSI term.

    ``bins`` is a number of equal-count bands cut on ``expected`` or a sequence of inner edges (a value falls in
    band ``searchsorted(edges, x, "right")``); missing values form their own bin when present. Shares are floored
    at ``PSI_FLOOR``; term = (a - e) ln(a / e).
    """
    ref = np.asarray(expected, dtype=float).ravel()
    cur = np.asarray(actual, dtype=float).ravel()
    if ref.size == 0 or cur.size == 0:
        raise DataError(f"PSI needs rows on both sides; got {ref.size} expected and {cur.size} actual")
    edges = (
        score_band_edges(ref, bins) if isinstance(bins, int | np.integer) else np.asarray(bins, dtype=float)
    )
    n_bins = len(edges) + 1

    def shares(values: np.ndarray) -> np.ndarray:
        index = np.where(np.isnan(values), n_bins, np.searchsorted(edges, values, side="right"))
        return np.bincount(index, minlength=n_bins + 1) / values.size

    table = pd.DataFrame(
        {
            "lower": np.concatenate([[-np.inf], edges, [np.nan]]),
            "upper": np.concatenate([edges, [np.inf], [np.nan]]),
            "expected_share": shares(ref),
            "actual_share": shares(cur),
        }
    )
    if table["expected_share"].iloc[-1] == 0 and table["actual_share"].iloc[-1] == 0:
        table = table.iloc[:-1]
    e = np.maximum(table["expected_share"].to_numpy(), PSI_FLOOR)
    a = np.maximum(table["actual_share"].to_numpy(), PSI_FLOOR)
    return table.assign(psi=(a - e) * np.log(a / e)).reset_index(drop=True)


def psi(expected: Any, actual: Any, bins: int | Sequence[float] | np.ndarray = 10) -> float:
    """Population stability index of ``actual`` values against ``expected`` values (see ``psi_table``)."""
    return float(psi_table(expected, actual, bins)["psi"].sum())


def evaluate(
    scored: pd.DataFrame,
    models: Sequence[str],
    grades: Sequence[str],
    n_bands: int = 10,
    reference_split: str = "train",
) -> tuple[dict[str, dict[str, dict[str, float]]], dict[str, pd.DataFrame]]:
    """Metrics and tables for each model on each split.

    ``scored`` has columns ``split``, ``target`` and per model ``<model>_score`` (higher = safer),
    ``<model>_pd`` and ``<model>_grade``. Score bands and the PSI reference come from ``reference_split``.
    Returns ``metrics[model][split]`` and the tables ``gains``, ``grades``, ``psi`` and ``side_by_side``.
    """
    splits = [s for s in ("train", "test", "oot") if s in set(scored["split"])]
    splits += sorted(set(scored["split"]) - set(splits))
    metrics: dict[str, dict[str, dict[str, float]]] = {}
    gains, grade_rows, psi_rows = [], [], []
    for model in models:
        ref = scored.loc[scored["split"] == reference_split, f"{model}_score"].to_numpy(dtype=float)
        edges = score_band_edges(ref, n_bands)
        metrics[model] = {}
        for split in splits:
            part = scored[scored["split"] == split]
            y = part["target"].to_numpy(dtype=float)
            score = part[f"{model}_score"].to_numpy(dtype=float)
            probability = part[f"{model}_pd"].to_numpy(dtype=float)
            grade = grade_table(y, probability, part[f"{model}_grade"], grades)
            hl, hl_p, hl_dof = hosmer_lemeshow(
                grade["bads"], grade["expected_bads"], grade["count"], in_sample=split == reference_split
            )
            score_psi = psi(ref, score, edges)
            metrics[model][split] = {
                "n": len(part),
                "bads": int(y.sum()),
                "bad_rate": float(y.mean()) if len(y) else float("nan"),
                **discrimination(y, -score),
                "brier": float(brier_score_loss(y, probability)) if len(y) else float("nan"),
                "mean_pd": float(probability.mean()) if len(y) else float("nan"),
                "hosmer_lemeshow": hl,
                "hosmer_lemeshow_pvalue": hl_p,
                "hosmer_lemeshow_dof": hl_dof,
                "score_psi": score_psi,
            }
            gains.append(gains_table(y, score, edges).assign(model=model, split=split))
            grade_rows.append(grade.assign(model=model, split=split))
            psi_rows.append({"model": model, "split": split, "reference": reference_split, "psi": score_psi})
    tables = {
        "gains": _front(pd.concat(gains, ignore_index=True), ["model", "split"]),
        "grades": _front(pd.concat(grade_rows, ignore_index=True), ["model", "split"]),
        "psi": pd.DataFrame(psi_rows),
        "side_by_side": side_by_side(metrics),
    }
    return metrics, tables


def side_by_side(metrics: dict[str, dict[str, dict[str, float]]]) -> pd.DataFrame:
    """One row per split and metric, one column per model (plus challenger - scorecard when both are there)."""
    rows = [
        {"model": model, "split": split, "metric": name, "value": value}
        for model, by_split in metrics.items()
        for split, values in by_split.items()
        for name, value in values.items()
        if name in ("auc", "gini", "ks", "brier", "score_psi")
    ]
    wide = pd.DataFrame(rows).pivot_table(
        index=["split", "metric"], columns="model", values="value", sort=False
    )
    wide.columns.name = None
    if {"scorecard", "challenger"} <= set(wide.columns):
        wide["difference"] = wide["challenger"] - wide["scorecard"]
    return wide.reset_index()


def _front(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    return frame[first + [c for c in frame.columns if c not in first]]
