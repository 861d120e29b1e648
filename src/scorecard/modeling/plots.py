"""Evaluation plots as matplotlib figures (Agg backend): ROC, KS, score distributions, WOE per feature, calibration."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import roc_auc_score, roc_curve

_GOOD, _BAD = "#2b8cbe", "#e34a33"


def roc_plot(curves: Mapping[str, tuple[Any, Any]], title: str = "ROC") -> Figure:
    """ROC curves, one per label; each value is (target, risk) with risk higher for riskier rows."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for label, (y, risk) in curves.items():
        fpr, tpr, _ = roc_curve(y, risk)
        ax.plot(fpr, tpr, label=f"{label} (AUC {roc_auc_score(y, risk):.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.set(
        xlabel="false positive rate (goods rejected)", ylabel="true positive rate (bads caught)", title=title
    )
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def ks_plot(y: Any, score: Any, title: str = "KS") -> Figure:
    """Cumulative share of bads and goods by score (riskiest first), with the KS gap marked."""
    target = np.asarray(y, dtype=float)
    values = np.asarray(score, dtype=float)
    grid = np.unique(values)
    cum_bad = np.searchsorted(np.sort(values[target == 1]), grid, side="right") / max((target == 1).sum(), 1)
    cum_good = np.searchsorted(np.sort(values[target == 0]), grid, side="right") / max((target == 0).sum(), 1)
    gap = cum_bad - cum_good
    at = int(np.argmax(gap))
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.step(grid, cum_bad, where="post", color=_BAD, label="bads")
    ax.step(grid, cum_good, where="post", color=_GOOD, label="goods")
    ax.vlines(grid[at], cum_good[at], cum_bad[at], color="black", linestyle="--", label=f"KS {gap[at]:.3f}")
    ax.set(xlabel="score", ylabel="cumulative share", title=title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def score_distribution_plot(y: Any, score: Any, title: str = "Score distribution") -> Figure:
    """Histograms of the score for goods and bads, each normalised to its own total."""
    target = np.asarray(y, dtype=float)
    values = np.asarray(score, dtype=float)
    edges = np.histogram_bin_edges(values[np.isfinite(values)], bins=30).tolist()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for label, mask, color in (("goods", target == 0, _GOOD), ("bads", target == 1, _BAD)):
        ax.hist(
            values[mask],
            bins=edges,
            density=True,
            alpha=0.5,
            color=color,
            label=f"{label} (n={mask.sum():,})",
        )
    ax.set(xlabel="score (higher = lower risk)", ylabel="density", title=title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def woe_plot(spec: Mapping[str, Any]) -> Figure:
    """WOE per bin of one feature from its bin spec (regular bins, then special and missing)."""
    labels = [str(b["label"]) for b in spec["bins"]]
    woe = [float(b["woe"]) for b in spec["bins"]]
    for extra in ("special", "missing", "unknown"):
        if spec.get(extra) is not None:
            labels.append(extra)
            woe.append(float(spec[extra]["woe"]))
    fig, ax = plt.subplots(figsize=(max(5.0, 0.6 * len(labels) + 2), 4))
    ax.bar(range(len(woe)), woe, color=[_GOOD if w >= 0 else _BAD for w in woe])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=7)
    ax.set(ylabel="WOE (positive = fewer bads)", title=f"WOE: {spec['name']}")
    fig.tight_layout()
    return fig


def calibration_plot(grades: pd.DataFrame, title: str = "Calibration by grade") -> Figure:
    """Observed bad rate against mean predicted PD per grade (log scale), from ``evaluation.grade_table``."""
    shown = grades[grades["count"] > 0]
    x = np.arange(len(shown))
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(x, shown["predicted_pd"], marker="o", color="black", label="predicted PD")
    ax.bar(x, shown["observed_bad_rate"].clip(lower=1e-4), alpha=0.6, color=_BAD, label="observed bad rate")
    ax.set_yscale("log")
    ax.set_xticks(x, shown["grade"].astype(str))
    ax.set(xlabel="grade", ylabel="bad rate", title=title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: Path) -> Path:
    """Write a figure as PNG and release its memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
