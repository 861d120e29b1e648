"""Fit speed of binning + selection + scorecard on a large synthetic portfolio, against optbinning's Scorecard.

Target (issue 4): 1,000,000 rows x 100 features in under 15 minutes on 2 cores, peak memory reported.
Speed options used for both: ``monotonic_trend="auto_heuristic"`` (heuristic trend search instead of trying
every trend with the MIP solver), ``max_n_prebins=20``, ``n_jobs=2`` (features binned in parallel).
Ours also runs IV / correlation / VIF / forward-BIC selection and the Newton-Raphson logit; optbinning's peer
is ``Scorecard(BinningProcess(...), LogisticRegression())``. With ``--rows``/``--features`` below the target the
time is extrapolated linearly in rows x features (binning is O(n log n) per feature), and the table says so.

Usage: python benchmarks/bench_modeling.py [--rows 1000000] [--features 100] [--quick] [--no-peer]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd
from optbinning import BinningProcess
from optbinning import Scorecard as OptbScorecard
from rich.console import Console
from rich.table import Table
from sklearn.linear_model import LogisticRegression

from scorecard.modeling.binning import WoeBinner
from scorecard.modeling.evaluation import discrimination
from scorecard.modeling.scorecard import Scorecard
from scorecard.modeling.selection import FeatureSelector

TARGET_ROWS, TARGET_FEATURES, TARGET_SECONDS = 1_000_000, 100, 15 * 60
SPEED_OPTIONS = {"monotonic_trend": "auto_heuristic", "max_n_prebins": 20, "n_jobs": 2}


def portfolio(n_rows: int, n_features: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Numeric features, a third carrying signal (monotone, U-shaped, thresholded), with missing and -1 codes."""
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(n_rows).astype(np.float32)
    X = rng.standard_normal((n_rows, n_features), dtype=np.float32)
    X[:, : n_features // 2] += 0.5 * common[:, None]
    logit = np.full(n_rows, -2.5, dtype=np.float32)
    for j in range(n_features // 3):
        shape = j % 3
        effect = X[:, j] if shape == 0 else (X[:, j] ** 2 - 1) / 2 if shape == 1 else (X[:, j] > 0.8)
        logit += (0.6 / (1 + j / 10)) * effect
    y = (rng.uniform(size=n_rows) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    X[rng.uniform(size=(n_rows, n_features)) < 0.03] = np.nan
    X[:, ::7][rng.uniform(size=(n_rows, len(range(0, n_features, 7)))) < 0.02] = -1.0
    return pd.DataFrame(X, columns=[f"x{j:03d}" for j in range(n_features)]), y


def peak_memory_mb() -> float:
    """Peak resident memory of this process and its (joblib) children, in MB (Linux reports KB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--features", type=int, default=TARGET_FEATURES)
    parser.add_argument("--quick", action="store_true", help="200,000 rows x 50 features, extrapolated.")
    parser.add_argument("--no-peer", action="store_true", help="Skip optbinning's Scorecard.")
    args = parser.parse_args(argv)
    rows, features = (200_000, 50) if args.quick else (args.rows, args.features)
    console = Console()
    X, y = portfolio(rows, features)
    console.print(f"synthetic portfolio: {rows:,} rows x {features} features, bad rate {y.mean():.3f}")
    base_memory = peak_memory_mb()

    started = time.perf_counter()
    binner = WoeBinner(**SPEED_OPTIONS, special_codes=(-1,))
    ours = Scorecard(binner=binner, selector=FeatureSelector()).fit(X, y)
    ours_seconds = time.perf_counter() - started
    ours_memory = peak_memory_mb()
    ours_auc = discrimination(y, -ours.predict_score(X))["auc"]

    peer_seconds = peer_auc = float("nan")
    if not args.no_peer:
        started = time.perf_counter()
        process = BinningProcess(
            variable_names=list(X.columns),
            special_codes=[-1],
            max_n_prebins=SPEED_OPTIONS["max_n_prebins"],
            binning_fit_params={c: {"monotonic_trend": SPEED_OPTIONS["monotonic_trend"]} for c in X.columns},
            n_jobs=SPEED_OPTIONS["n_jobs"],
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            peer = OptbScorecard(binning_process=process, estimator=LogisticRegression()).fit(X, y)
        peer_seconds = time.perf_counter() - started
        peer_auc = discrimination(y, peer.predict_proba(X)[:, 1])["auc"]

    scale = (TARGET_ROWS * TARGET_FEATURES) / (rows * features)
    table = Table(
        title=f"Fit binning + selection + scorecard ({rows:,} x {features}; options {SPEED_OPTIONS})"
    )
    for col in (
        "model",
        "features kept",
        "train AUC",
        "seconds",
        "ratio vs peer",
        "extrapolated to 1M x 100 (s)",
    ):
        table.add_column(col, justify="left" if col == "model" else "right")
    table.add_row(
        "scorecard (ours)",
        str(len(ours.features_)),
        f"{ours_auc:.4f}",
        f"{ours_seconds:.1f}",
        f"{ours_seconds / peer_seconds:.2f}",
        f"{ours_seconds * scale:.0f}",
    )
    table.add_row(
        "optbinning Scorecard",
        str(features),
        f"{peer_auc:.4f}",
        f"{peer_seconds:.1f}",
        "1.00",
        f"{peer_seconds * scale:.0f}",
    )
    console.print(table)
    console.print(
        f"peak memory: {ours_memory:,.0f} MB during our fit (data alone {base_memory:,.0f} MB); "
        f"children included. {'measured at target size' if scale == 1 else f'extrapolated x{scale:.1f}'}"
    )
    ok = ours_seconds * scale < TARGET_SECONDS
    console.print(f"target < {TARGET_SECONDS} s on 2 cores: {'[green]PASS[/]' if ok else '[red]FAIL[/]'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
