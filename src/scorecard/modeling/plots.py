"""Evaluation plots as matplotlib figures: ROC, KS, score distributions, bins of a feature, calibration, SHAP.

Figures are built without pyplot (no global state; they show in notebooks and save anywhere) and drawn in the
house style of ``plot_style``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from sklearn.metrics import roc_auc_score, roc_curve

from scorecard.modeling.plot_style import BAD, COUNT, GOOD, INK, MUTED, PALETTE, styled

SPECIAL_BINS = ("Special", "Missing")
LABEL_CHARS = 28


@styled
def roc_plot(curves: Mapping[str, tuple[Any, Any]], title: str = "ROC") -> Figure:
    """ROC curves, one per label; each value is (target, risk) with risk higher for riskier rows."""
    fig = Figure(figsize=(5.5, 5), layout="constrained")
    ax = fig.subplots()
    for label, (y, risk) in curves.items():
        fpr, tpr, _ = roc_curve(y, risk)
        ax.plot(fpr, tpr, label=f"{label} (AUC {roc_auc_score(y, risk):.3f})")
    ax.plot([0, 1], [0, 1], color=MUTED, linestyle=":", linewidth=1)
    ax.set(
        xlabel="false positive rate (goods rejected)", ylabel="true positive rate (bads caught)", title=title
    )
    ax.legend(loc="lower right")
    return fig


@styled
def ks_plot(y: Any, score: Any, title: str = "KS") -> Figure:
    """Cumulative share of bads and goods by score (riskiest first), with the KS gap marked."""
    target = np.asarray(y, dtype=float)
    values = np.asarray(score, dtype=float)
    grid = np.unique(values)
    cum_bad = np.searchsorted(np.sort(values[target == 1]), grid, side="right") / max((target == 1).sum(), 1)
    cum_good = np.searchsorted(np.sort(values[target == 0]), grid, side="right") / max((target == 0).sum(), 1)
    gap = cum_bad - cum_good
    at = int(np.argmax(gap))
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.step(grid, cum_bad, where="post", color=BAD, label="bads")
    ax.step(grid, cum_good, where="post", color=GOOD, label="goods")
    ax.vlines(grid[at], cum_good[at], cum_bad[at], color=INK, linestyle="--", label=f"KS {gap[at]:.3f}")
    ax.set(xlabel="score", ylabel="cumulative share", title=title)
    ax.legend(loc="lower right")
    return fig


@styled
def score_distribution_plot(y: Any, score: Any, title: str = "Score distribution") -> Figure:
    """Histograms of the score for goods and bads, each normalised to its own total."""
    target = np.asarray(y, dtype=float)
    values = np.asarray(score, dtype=float)
    groups = {"goods": values[target == 0], "bads": values[target == 1]}
    return _score_histograms(groups, (GOOD, BAD), title, alpha=0.5)


@styled
def split_score_plot(scores: Mapping[str, Any], title: str = "Score distribution by split") -> Figure:
    """One histogram outline per split (e.g. train, test, oot), each normalised to its own rows, on shared bins."""
    groups = {label: np.asarray(values, dtype=float) for label, values in scores.items()}
    return _score_histograms(groups, PALETTE, title, histtype="step", linewidth=1.8)


def _score_histograms(
    groups: Mapping[str, np.ndarray], colors: Sequence[str], title: str, **style: Any
) -> Figure:
    """One density histogram per group of scores, on 30 bins shared by all; empty groups are left out."""
    finite = {label: values[np.isfinite(values)] for label, values in groups.items()}
    pooled = np.concatenate([values for values in finite.values() if len(values)] or [np.zeros(1)])
    edges = np.histogram_bin_edges(pooled, bins=30).tolist()
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    for (label, values), color in zip(finite.items(), colors, strict=False):
        if len(values):
            ax.hist(
                values, bins=edges, density=True, color=color, label=f"{label} (n={len(values):,})", **style
            )
    ax.set(xlabel="score (higher = lower risk)", ylabel="density", title=title)
    ax.legend()
    return fig


@styled
def shap_summary_plot(contributions: pd.DataFrame, X: pd.DataFrame, top: int = 10) -> Figure:
    """Each row's SHAP value per feature (largest mean |SHAP| on top), coloured by the feature's value rank.

    ``contributions`` holds one column per feature (no ``base_value``); missing or non-numeric values are grey.
    """
    order = contributions.abs().mean().nlargest(top).index.tolist()
    rng = np.random.default_rng(0)
    fig = Figure(figsize=(7, 0.45 * len(order) + 1.5), layout="constrained")
    ax = fig.subplots()
    mappable = None
    for position, feature in enumerate(reversed(order)):
        shap = contributions[feature].to_numpy(dtype=float)
        value = pd.to_numeric(X[feature], errors="coerce").rank(pct=True).to_numpy(dtype=float)
        y = position + rng.uniform(-0.3, 0.3, len(shap))
        known = np.isfinite(value)
        ax.scatter(shap[~known], y[~known], s=4, color=MUTED, alpha=0.6)
        mappable = ax.scatter(shap[known], y[known], s=4, c=value[known], cmap="coolwarm", vmin=0, vmax=1)
    ax.axvline(0, color=INK, linewidth=0.8)
    ax.set_yticks(range(len(order)), [_short(f) for f in reversed(order)])
    ax.set(xlabel="SHAP value (log-odds of bad; > 0 towards bad)", title="Challenger SHAP summary")
    if mappable is not None:
        fig.colorbar(mappable, ax=ax, label="feature value (rank; grey: missing or category)", ticks=[0, 1])
    return fig


@styled
def shap_dependence_plot(contributions: pd.DataFrame, X: pd.DataFrame, feature: str) -> Figure:
    """A feature's SHAP value against its value: numeric values on their axis, categories (and missing) as positions."""
    shap = contributions[feature].to_numpy(dtype=float)
    numeric = pd.to_numeric(X[feature], errors="coerce")
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    if numeric.notna().sum() >= X[feature].notna().sum() and numeric.notna().any():
        known = numeric.notna().to_numpy()
        ax.scatter(numeric.to_numpy(dtype=float)[known], shap[known], s=5, color=BAD, alpha=0.5)
        ax.set_xlabel(f"{feature} ({(~known).sum():,} missing rows not drawn)")
    else:
        labels = X[feature].astype("string").fillna("Missing")
        categories = sorted(labels.unique())
        positions = labels.map({c: i for i, c in enumerate(categories)}).to_numpy(dtype=float)
        jitter = np.random.default_rng(0).uniform(-0.2, 0.2, len(positions))
        ax.scatter(positions + jitter, shap, s=5, color=BAD, alpha=0.5)
        ax.set_xticks(range(len(categories)), [_short(c) for c in categories], rotation=45, ha="right")
        ax.set_xlabel(feature)
    ax.axhline(0, color=INK, linewidth=0.8)
    ax.set(ylabel="SHAP value (log-odds of bad)", title=f"SHAP dependence: {feature}")
    return fig


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


@styled
def binning_plot(table: pd.DataFrame, title: str) -> Figure:
    """Bars of each bin's row count and a line of its event rate (right axis), from a binning table.

    ``table`` is ``WoeBinner.binning_table(feature)`` (with ``points`` when the feature is on the card): regular
    bins, then the special and missing bins, which are drawn apart (hatched, no line) and left out when empty.
    Each bar is labelled with its share of rows and its WOE (and points).
    """
    tail = 0
    while tail < len(table) and str(table["bin"].iloc[len(table) - 1 - tail]).startswith(SPECIAL_BINS):
        tail += 1
    n_regular = len(table) - tail
    extra = table.iloc[n_regular:]
    shown = pd.concat([table.iloc[:n_regular], extra[extra["count"] > 0]])
    x = np.arange(len(shown))
    regular = x < n_regular
    count = shown["count"].to_numpy(dtype=float)
    share = count / max(table["count"].sum(), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(count > 0, shown["bads"].to_numpy(dtype=float) / count, np.nan)
    fig = Figure(figsize=(max(6.0, 0.75 * len(shown) + 2.5), 4.5), layout="constrained")
    ax = fig.subplots()
    bars = ax.bar(x, count, color=[COUNT if r else MUTED for r in regular], edgecolor="white")
    for bar, is_regular in zip(bars, regular, strict=True):
        if not is_regular:
            bar.set_hatch("//")
    woe = shown["woe"].to_numpy(dtype=float)
    points = shown["points"] if "points" in shown else pd.Series(pd.NA, index=shown.index)
    for i, pts in enumerate(points):
        text = f"{share[i]:.1%}\nWOE {woe[i]:+.2f}" + ("" if pd.isna(pts) else f"\n{int(pts)} pts")
        ax.annotate(text, (x[i], count[i]), xytext=(0, 2), textcoords="offset points", ha="center",
                    va="bottom", fontsize=7, color=INK)  # fmt: skip
    ax.set_ylim(0, max(count.max(), 1) * 1.3)
    ax.set_ylabel("rows")
    labels = [_short(str(b)) for b in shown["bin"]]
    ax.set_xticks(x, labels, rotation=30, ha="right")
    ax.grid(axis="x", visible=False)

    right = ax.twinx()
    right.grid(False)
    right.spines["right"].set_visible(True)
    right.plot(x[regular], rate[regular], color=BAD, marker="o", label="event rate")
    right.plot(
        x[~regular],
        rate[~regular],
        color=BAD,
        marker="D",
        linestyle="none",
        label="event rate (special, missing)",
    )
    overall = float(table["bads"].sum()) / max(float(table["count"].sum()), 1.0)
    right.axhline(overall, color=BAD, linestyle=":", linewidth=1, label=f"overall {overall:.1%}")
    right.set_ylim(0, max(np.nanmax(rate, initial=0.0), overall) * 1.25 or 1.0)
    right.set_ylabel("event rate (bads / rows)", color=BAD)
    right.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    handles = [Patch(color=COUNT, label="rows"), *right.get_legend_handles_labels()[0]]
    ax.legend(handles=handles, loc="upper left", ncols=2)
    ax.set_title(title)
    return fig


@styled
def calibration_plot(grades: pd.DataFrame, title: str = "Calibration by grade") -> Figure:
    """Observed bad rate against mean predicted PD per grade (log scale), from ``evaluation.grade_table``.

    A grade with rows but no observed bad has no bar (a zero rate has no place on a log axis): it is marked by
    ``mark_no_bads``.
    """
    shown = grades[grades["count"] > 0].reset_index(drop=True)
    x = np.arange(len(shown))
    observed = shown["observed_bad_rate"].to_numpy(dtype=float)
    predicted = shown["predicted_pd"].to_numpy(dtype=float)
    floor = log_floor(observed, predicted)
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    some = observed > 0
    ax.bar(x[some], observed[some], alpha=0.7, color=BAD, label="observed bad rate")
    ax.plot(x, predicted, marker="o", color=INK, label="predicted PD")
    mark_no_bads(ax, x, shown["count"].to_numpy(), observed, floor)
    ax.set_xticks(x, shown["grade"].astype(str))
    ax.set(xlabel="grade", ylabel="bad rate", title=title)
    ax.legend()
    return fig


def log_floor(*rates: Any) -> float:
    """A floor for a log-scaled rate axis: a third of the smallest positive rate (1e-3 when there is none)."""
    positive = np.concatenate([np.asarray(r, dtype=float) for r in rates])
    positive = positive[positive > 0]
    return float(positive.min()) / 3 if len(positive) else 1e-3


def mark_no_bads(ax: Any, x: np.ndarray, counts: np.ndarray, observed: np.ndarray, floor: float) -> None:
    """Log-scale ``ax`` from ``floor`` and mark each group with rows but a zero observed rate by an open
    triangle on the floor, labelled "0 of N", instead of a bar that would look observed."""
    none = (np.asarray(counts) > 0) & (np.nan_to_num(np.asarray(observed, dtype=float)) == 0)
    if none.any():
        ax.scatter(x[none], np.full(none.sum(), floor), marker="v", s=60, facecolors="none", edgecolors=BAD,
                   linewidths=1.5, zorder=3, label="no observed bads")  # fmt: skip
        for i in np.flatnonzero(none):
            ax.annotate(f"0 of {int(counts[i]):,}", (x[i], floor), xytext=(0, 7), textcoords="offset points",
                        ha="center", fontsize=7, color=BAD)  # fmt: skip
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor / 1.6)


def save_figure(fig: Figure, path: Path) -> Path:
    """Write a figure as PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path
