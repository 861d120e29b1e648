"""Model quality on the public credit datasets: our scorecard and challenger against optbinning's Scorecard.

Each dataset is split 70/30, stratified, seed 42. Every model runs with default settings: ours through
``train_card`` with a default ``CardConfig`` (the table's split labels carry the split), optbinning's as
``Scorecard(BinningProcess(all features), LogisticRegression())``. Checks per dataset:
  scorecard test AUC >= optbinning test AUC - 0.005, and challenger test AUC >= scorecard test AUC.
Our scorecard is measured on its integer score (what the bundle ships), optbinning on its probabilities.
Exit code 1 when a check fails. Data: SCORECARD_REALDATA or ../shared/data.

Usage: python benchmarks/bench_quality.py [--datasets german taiwan ...] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from optbinning import BinningProcess
from optbinning import Scorecard as OptbScorecard
from rich.console import Console
from rich.table import Table
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from scorecard.config import parse_config
from scorecard.modeling.evaluation import discrimination

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SCORECARD_REALDATA", REPO.parent / "shared" / "data"))
TOLERANCE = 0.005


def _german() -> tuple[pd.DataFrame, pd.Series, Path]:
    path = DATA / "german_credit" / "german_credit_decoded.csv"
    frame = pd.read_csv(path)
    return frame.drop(columns="creditability"), (frame["creditability"] == "bad").astype(int), path


def _taiwan() -> tuple[pd.DataFrame, pd.Series, Path]:
    path = DATA / "taiwan_default" / "default_of_credit_card_clients.csv"
    frame = pd.read_csv(path).drop(columns="ID")
    target = "default.payment.next.month"
    return frame.drop(columns=target), frame[target].astype(int), path


def _give_me_some_credit() -> tuple[pd.DataFrame, pd.Series, Path]:
    path = DATA / "give_me_some_credit" / "cs-training.csv.zip"
    frame = pd.read_csv(path, index_col=0)
    return frame.drop(columns="SeriousDlqin2yrs"), frame["SeriousDlqin2yrs"].astype(int), path


def _hmeq() -> tuple[pd.DataFrame, pd.Series, Path]:
    path = DATA / "hmeq" / "hmeq.csv"
    frame = pd.read_csv(path)
    return frame.drop(columns="BAD"), frame["BAD"].astype(int), path


DATASETS: dict[str, Callable[[], tuple[pd.DataFrame, pd.Series, Path]]] = {
    "german": _german,
    "taiwan": _taiwan,
    "give_me_some_credit": _give_me_some_credit,
    "hmeq": _hmeq,
}


def _table(X: pd.DataFrame, y: pd.Series, split: np.ndarray, categorical: list[str]) -> Any:
    """A ModelingTable with the benchmark's own split labels."""
    from scorecard.features.build import ModelingTable

    frame = X.copy()
    for col in X.columns:
        if col not in categorical:
            frame[col] = frame[col].astype(float)
    frame.insert(0, "row_id", np.arange(len(X)))
    frame["target"] = y.to_numpy(dtype=float)
    frame["target_status"] = np.where(y == 1, "bad", "good")
    frame["split"] = split
    bads = int(y.sum())
    return ModelingTable(
        frame=frame,
        keys=["row_id"],
        features=list(X.columns),
        categorical=categorical,
        target_summary={
            "goods": len(y) - bads,
            "bads": bads,
            "indeterminates": 0,
            "immature": 0,
            "rejects": 0,
        },
        card="application",
    )


def run_dataset(name: str, quick: bool) -> dict[str, dict[str, Any]]:
    """Test-split discrimination of optbinning's scorecard, our scorecard and our challenger."""
    X, y, path = DATASETS[name]()
    if quick and len(X) > 20_000:
        X, _, y, _ = train_test_split(X, y, train_size=20_000, stratify=y, random_state=0)
        X, y = X.reset_index(drop=True), y.reset_index(drop=True)
    categorical = [c for c in X.columns if X[c].dtype == object]
    idx_train, idx_test = train_test_split(np.arange(len(X)), test_size=0.3, stratify=y, random_state=42)
    split = np.full(len(X), "train", dtype=object)
    split[idx_test] = "test"

    started = time.perf_counter()
    process = BinningProcess(variable_names=list(X.columns), categorical_variables=categorical or None)
    optb = OptbScorecard(binning_process=process, estimator=LogisticRegression())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optb.fit(X.iloc[idx_train], y.iloc[idx_train])
    optb_pd = optb.predict_proba(X.iloc[idx_test])[:, 1]
    results = {
        "optbinning": {**discrimination(y.iloc[idx_test], optb_pd), "seconds": time.perf_counter() - started}
    }

    config = parse_config(
        {
            "card": "application",
            "name": f"bench_{name}",
            "data": {"flat_table": {"path": str(path), "target": str(y.name)}},
        }
    )
    from scorecard.modeling.train import train_card

    started = time.perf_counter()
    card = train_card(config, table=_table(X, y, split, categorical))
    elapsed = time.perf_counter() - started
    for model in ("scorecard", "challenger"):
        test = card.metrics[model]["test"]
        results[model] = {k: test[k] for k in ("auc", "gini", "ks")} | {"seconds": elapsed}
    results["scorecard"]["detail"] = f"{len(card.features)} features"
    challenger = card.challenger
    results["challenger"]["detail"] = (
        f"{challenger.rounds_by_}: {challenger.num_leaves_} leaves x {challenger.best_iteration_} rounds"
    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--quick", action="store_true", help="Subsample datasets above 20,000 rows.")
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 110))  # the table stays unwrapped when piped
    if not DATA.is_dir():
        console.print(f"real datasets not found at {DATA} (set SCORECARD_REALDATA); nothing to measure")
        return 0
    metrics = Table(title="Test-split discrimination (70/30 stratified, seed 42, default settings)")
    for col in ("dataset", "model", "AUC", "Gini", "KS", "detail", "seconds"):
        metrics.add_column(col, justify="left" if col in ("dataset", "model", "detail") else "right")
    checks = Table(title=f"Quality bar (tolerance {TOLERANCE})")
    for col in ("dataset", "check", "ours", "bar", "ratio", "result"):
        checks.add_column(col, justify="left" if col in ("dataset", "check", "result") else "right")
    failed = 0
    for name in args.datasets:
        res = run_dataset(name, args.quick)
        for model in ("optbinning", "scorecard", "challenger"):
            r = res[model]
            metrics.add_row(
                name,
                model,
                f"{r['auc']:.4f}",
                f"{r['gini']:.4f}",
                f"{r['ks']:.4f}",
                r.get("detail", ""),
                f"{r['seconds']:.1f}",
            )
        for check, ours, bar in (
            ("scorecard >= optbinning - tol", res["scorecard"]["auc"], res["optbinning"]["auc"] - TOLERANCE),
            ("challenger >= scorecard", res["challenger"]["auc"], res["scorecard"]["auc"]),
        ):
            ok = ours >= bar
            failed += not ok
            result = "[green]PASS[/]" if ok else "[red]FAIL[/]"
            checks.add_row(name, check, f"{ours:.4f}", f"{bar:.4f}", f"{ours / bar:.4f}", result)
    console.print(metrics)
    console.print(checks)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
