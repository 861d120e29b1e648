"""Model quality on the public credit datasets: our scorecard and challenger against optbinning's Scorecard.

Each dataset is split 70/30, stratified, with seeds 0-4. Every model runs with default settings on the same
rows in the same run: ours through ``train_card`` with a default ``CardConfig`` (the table's split labels carry
the split), optbinning's as ``Scorecard(BinningProcess(all features), LogisticRegression())``. Test AUC, KS and
Brier score are reported for optbinning, our scorecard (its integer score for AUC / KS, its calibrated PD for
Brier) and our LightGBM challenger. The quality bar (issue 12), on test AUC:
  - per dataset, our mean over the seeds >= optbinning's mean;
  - averaged over the datasets, our mean gap >= +0.003;
  - per seed, ours >= optbinning's - 0.003.
Exit code 1 when a check fails. Data: SCORECARD_REALDATA or ../shared/data.

Usage: python benchmarks/bench_quality.py [--datasets german taiwan ...] [--seeds 0 1 2 3 4] [--quick]
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
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import train_test_split

from scorecard.config import parse_config
from scorecard.modeling.evaluation import discrimination

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SCORECARD_REALDATA", REPO.parent / "shared" / "data"))
SEEDS = (0, 1, 2, 3, 4)
MIN_MEAN_GAP = 0.0  # per dataset: mean over seeds
MIN_AVERAGE_GAP = 0.003  # over the datasets
MIN_SEED_GAP = -0.003  # every seed
MODELS = ("optbinning", "scorecard", "challenger")


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


def run_split(X: pd.DataFrame, y: pd.Series, path: Path, name: str, seed: int) -> dict[str, dict[str, Any]]:
    """Test AUC, KS and Brier of optbinning's scorecard, our scorecard and our challenger on one split."""
    categorical = [c for c in X.columns if X[c].dtype == object]
    idx_train, idx_test = train_test_split(np.arange(len(X)), test_size=0.3, stratify=y, random_state=seed)
    split = np.full(len(X), "train", dtype=object)
    split[idx_test] = "test"
    y_test = y.iloc[idx_test].to_numpy()

    started = time.perf_counter()
    process = BinningProcess(variable_names=list(X.columns), categorical_variables=categorical or None)
    optb = OptbScorecard(binning_process=process, estimator=LogisticRegression())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optb.fit(X.iloc[idx_train], y.iloc[idx_train])
    optb_pd = optb.predict_proba(X.iloc[idx_test])[:, 1]
    results = {
        "optbinning": {
            **discrimination(y_test, optb_pd),
            "brier": brier_score_loss(y_test, optb_pd),
            "seconds": time.perf_counter() - started,
            "detail": f"{len(optb.table()['Variable'].unique())} features",
        }
    }

    config = parse_config(
        {
            "card": "application",
            "name": f"bench_{name}",
            "data": {"flat_table": {"path": str(path), "target": str(y.name)}},
            "split": {"seed": seed},
        }
    )
    from scorecard.modeling.train import train_card

    started = time.perf_counter()
    card = train_card(config, table=_table(X, y, split, categorical))
    elapsed = time.perf_counter() - started
    test = card.scored[card.scored["split"] == "test"]
    for model in ("scorecard", "challenger"):
        metrics = card.metrics[model]["test"]
        results[model] = {k: metrics[k] for k in ("auc", "gini", "ks")} | {
            "brier": brier_score_loss(test["target"], test[f"{model}_pd"]),
            "seconds": elapsed,
        }
    results["scorecard"]["detail"] = f"{len(card.features)} features"
    challenger = card.challenger
    results["challenger"]["detail"] = f"{challenger.num_leaves_} leaves x {challenger.best_iteration_} rounds"
    return results


def load(name: str, quick: bool) -> tuple[pd.DataFrame, pd.Series, Path]:
    """A dataset; with ``quick`` those above 20,000 rows are subsampled (both sides get the same rows)."""
    X, y, path = DATASETS[name]()
    if quick and len(X) > 20_000:
        X, _, y, _ = train_test_split(X, y, train_size=20_000, stratify=y, random_state=0)
        X, y = X.reset_index(drop=True), y.reset_index(drop=True)
    return X, y, path


def checks(
    results: dict[str, dict[int, dict[str, dict[str, Any]]]],
) -> list[tuple[str, str, float, float, bool]]:
    """(scope, check, ours, bar, passed) for every rule of the quality bar."""
    rows = []
    gaps = {}
    for name, by_seed in results.items():
        ours = np.mean([r["scorecard"]["auc"] for r in by_seed.values()])
        peer = np.mean([r["optbinning"]["auc"] for r in by_seed.values()])
        gaps[name] = ours - peer
        rows.append(
            (name, "mean AUC >= optbinning mean", ours, peer + MIN_MEAN_GAP, ours >= peer + MIN_MEAN_GAP)
        )
        for seed, r in by_seed.items():
            ours_seed, bar = r["scorecard"]["auc"], r["optbinning"]["auc"] + MIN_SEED_GAP
            rows.append(
                (
                    f"{name} seed {seed}",
                    f"AUC >= optbinning {MIN_SEED_GAP:+.3f}",
                    ours_seed,
                    bar,
                    ours_seed >= bar,
                )
            )
    if len(gaps) > 1:
        average = float(np.mean(list(gaps.values())))
        rows.append(
            (
                "all datasets",
                f"mean AUC gap >= {MIN_AVERAGE_GAP:+.3f}",
                average,
                MIN_AVERAGE_GAP,
                average >= MIN_AVERAGE_GAP,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--seeds", nargs="*", type=int, default=list(SEEDS))
    parser.add_argument("--quick", action="store_true", help="Subsample datasets above 20,000 rows.")
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 120))  # the table stays unwrapped when piped
    if not DATA.is_dir():
        console.print(f"real datasets not found at {DATA} (set SCORECARD_REALDATA); nothing to measure")
        return 0
    results: dict[str, dict[int, dict[str, dict[str, Any]]]] = {}
    for name in args.datasets:
        X, y, path = load(name, args.quick)
        results[name] = {seed: run_split(X, y, path, name, seed) for seed in args.seeds}
    seeds = ", ".join(str(s) for s in args.seeds)
    metrics = Table(title=f"Test split, mean over seeds {seeds} (70/30 stratified, default settings)")
    for col in (
        "dataset",
        "model",
        "AUC",
        "AUC min..max",
        "gap",
        "KS",
        "Brier",
        "detail (last seed)",
        "seconds",
    ):
        metrics.add_column(
            col, justify="left" if col in ("dataset", "model", "detail (last seed)") else "right"
        )
    for name, by_seed in results.items():
        peer = np.mean([r["optbinning"]["auc"] for r in by_seed.values()])
        for model in MODELS:
            runs = [r[model] for r in by_seed.values()]
            auc = [r["auc"] for r in runs]
            metrics.add_row(
                name,
                model,
                f"{np.mean(auc):.4f}",
                f"{min(auc):.4f}..{max(auc):.4f}",
                "" if model == "optbinning" else f"{np.mean(auc) - peer:+.4f}",
                f"{np.mean([r['ks'] for r in runs]):.4f}",
                f"{np.mean([r['brier'] for r in runs]):.4f}",
                runs[-1].get("detail", ""),
                f"{np.mean([r['seconds'] for r in runs]):.1f}",
            )
    console.print(metrics)
    table = Table(title="Quality bar (issue 12): scorecard test AUC against optbinning's, same rows")
    for col in ("scope", "check", "ours", "bar", "result"):
        table.add_column(col, justify="left" if col in ("scope", "check", "result") else "right")
    rows = checks(results)
    for scope, check, ours, bar, ok in rows:
        table.add_row(scope, check, f"{ours:.4f}", f"{bar:.4f}", "[green]PASS[/]" if ok else "[red]FAIL[/]")
    console.print(table)
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
