"""A monitoring run over a large current batch, and scorecard-native PSI/CSI against Evidently's PSI.

A 30-feature application card (27 numerical with missing values and a -1 special code, 3 categorical) is
trained with ``train_card`` on a development sample and exported as a bundle; the current batch drifts
mildly over 12 monthly cohorts and half of it has matured outcomes. Measured in one process:
- ours, full run: ``monitor`` end to end (re-scoring with the bundle, score PSI and CSI per bin and cohort on
  every row, health, backtest, Evidently on a 20,000-row sample, HTML/JSON/CSV outputs); peak RSS reported;
- ours, stability only: bin assignment + PSI/CSI per cohort on ``--peer-rows`` rows;
- peer: Evidently ``DataDriftPreset(method="psi")`` on the same ``--peer-rows`` rows (PSI per column).

Target (issue 7): 1,000,000 current rows x 30 features in under 60 s on 2 cores.

Usage: python benchmarks/bench_monitoring.py [--rows 1000000] [--features 30] [--peer-rows 200000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DO_NOT_TRACK", "1")

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

TARGET_SECONDS = 60.0
CATEGORIES = np.array(["branch", "online", "mobile_app", "agent", "partner"], dtype=object)


def portfolio(n_rows: int, n_features: int, shift: float, seed: int) -> pd.DataFrame:
    """Features x0.. and c0..c2, snapshot_date over 12 months (drifting by ``shift`` sd at the end), target."""
    rng = np.random.default_rng(seed)
    n_num = n_features - 3
    month = rng.integers(0, 12, n_rows)
    X = rng.standard_normal((n_rows, n_num)) + shift * (month / 11.0)[:, None] * (np.arange(n_num) % 3 == 0)
    logit = -2.2 + X[:, : n_num // 2] @ (0.8 / (1 + np.arange(n_num // 2)))
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(n_num)])
    for j in range(3):
        values = rng.choice(CATEGORIES, n_rows, p=[0.35, 0.3, 0.2, 0.1, 0.05])
        logit += 0.4 * (values == CATEGORIES[j + 2])
        frame[f"c{j}"] = values
    target = (rng.uniform(size=n_rows) < 1 / (1 + np.exp(-logit))).astype(float)
    numeric = frame.columns[:n_num]
    values = frame[numeric].to_numpy()
    values[rng.uniform(size=values.shape) < 0.03] = np.nan
    values[rng.uniform(size=values.shape) < 0.02] = -1.0
    frame[numeric] = values
    frame["snapshot_date"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(month * 30 + 1, unit="D")
    frame["target"] = target
    return frame


def train_bundle(development: pd.DataFrame, folder: Path) -> tuple[Path, object]:
    """Train a card on every feature (selection relaxed so all 30 stay) and export its bundle."""
    from scorecard.bundle.export import export_bundle
    from scorecard.config import parse_config
    from scorecard.features.build import ModelingTable
    from scorecard.modeling.train import train_card

    features = [c for c in development.columns if c[0] in "xc"]
    config = parse_config(
        {
            "card": "application",
            "name": "bench_card",
            "data": {"flat_table": {"path": "unused.parquet", "target": "target"}},
            "selection": {"min_iv": 0.0, "max_correlation": 1.0, "max_vif": None, "stepwise": None,
                          "max_features": len(features)},
            "model": {"sign_check": "flag"},
            "challenger": {"enabled": False},
        }
    )  # fmt: skip
    frame = development.assign(
        application_id=np.arange(len(development)),
        target_status=np.where(development["target"] == 1, "bad", "good"),
        split=np.where(np.arange(len(development)) % 10 < 7, "train", "test"),
    )
    table = ModelingTable(frame, ["application_id"], features, ["c0", "c1", "c2"], {}, "application")
    card = train_card(config, table)
    return export_bundle(card, folder / "bundle", created_at="2026-01-01T00:00:00Z"), config


def stability_only(bundle_path: Path, reference: pd.DataFrame, current: pd.DataFrame) -> float:
    """Seconds for bin assignment + per-bin, per-cohort PSI of every feature (ours, no scoring)."""
    from scorecard.bundle.runtime import load_bundle
    from scorecard.monitoring.stability import (
        cohort_codes,
        feature_bin_codes,
        feature_bin_labels,
        stability_table,
    )

    features = load_bundle(bundle_path).documents["scorecard.json"]["features"]
    start = time.perf_counter()
    cohorts, names = cohort_codes(current["snapshot_date"])
    for f in features:
        stability_table(
            f["name"], feature_bin_labels(f), feature_bin_codes(f, reference[f["name"]]),
            feature_bin_codes(f, current[f["name"]]), cohorts, names,
        )  # fmt: skip
    return time.perf_counter() - start


def evidently_psi(reference: pd.DataFrame, current: pd.DataFrame, columns: list[str]) -> float:
    """Seconds for Evidently's DataDriftPreset with PSI on every column (the peer)."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    categorical = [c for c in columns if c.startswith("c")]
    definition = DataDefinition(
        numerical_columns=[c for c in columns if c not in categorical], categorical_columns=categorical
    )
    start = time.perf_counter()
    Report([DataDriftPreset(columns=columns, method="psi")]).run(
        Dataset.from_pandas(current[columns], data_definition=definition),
        Dataset.from_pandas(reference[columns], data_definition=definition),
    )
    return time.perf_counter() - start


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=30)
    parser.add_argument("--peer-rows", type=int, default=200_000)
    parser.add_argument("--development-rows", type=int, default=40_000)
    parser.add_argument("--quick", action="store_true", help="200k rows, 50k peer rows")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.peer_rows = 200_000, 50_000
    console = Console()
    from scorecard.monitoring.run import monitor

    development = portfolio(args.development_rows, args.features, shift=0.0, seed=0)
    current = portfolio(args.rows, args.features, shift=0.3, seed=1)
    current.loc[current["snapshot_date"] >= pd.Timestamp("2025-07-01"), "target"] = np.nan  # immature half
    with tempfile.TemporaryDirectory() as tmp:
        bundle, config = train_bundle(development, Path(tmp))
        rss_before = _peak_mb()
        start = time.perf_counter()
        result = monitor(config, current, development, bundle, Path(tmp) / "report")  # type: ignore[arg-type]
        full = time.perf_counter() - start
        rss_after = _peak_mb()
        n_peer = min(args.peer_rows, len(current))
        ours = stability_only(bundle, development, current.iloc[:n_peer])
        features = list(result.health["feature"])
        peer = evidently_psi(development, current.iloc[:n_peer], features)

    table = Table(
        title=f"monitoring: {len(current):,} current rows x {len(features)} features (status {result.status})"
    )
    for name in ("measure", "rows", "seconds", "ratio"):
        table.add_column(name, justify="left" if name == "measure" else "right")
    table.add_row("ours: full monitoring run (score, PSI/CSI, health, backtest, Evidently sample, reports)",
                  f"{len(current):,}", f"{full:.1f}", f"target 60 s: {'met' if full < TARGET_SECONDS else 'MISSED'}")  # fmt: skip
    table.add_row("ours: PSI/CSI per bin and cohort, every feature", f"{n_peer:,}", f"{ours:.2f}",
                  f"{peer / ours:.1f}x faster")  # fmt: skip
    table.add_row("peer: Evidently DataDriftPreset(method='psi')", f"{n_peer:,}", f"{peer:.2f}", "1.0x")
    console.print(table)
    console.print(
        f"peak RSS {rss_after:,.0f} MB (before the run {rss_before:,.0f} MB; current batch "
        f"{current.memory_usage(deep=True).sum() / 2**20:,.0f} MB in memory); cores available {os.cpu_count()}"
    )
    return 0 if full < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
