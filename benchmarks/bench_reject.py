"""Reject inference against the truth: what each method does to the through-the-door population.

The synthetic portfolio knows the outcome every unbooked applicant would have had (``synthesize(truth=True)``
writes it apart; modeling never reads it). The application card is trained with each ``reject_inference``
method (challenger off) and judged on the out-of-time window's through-the-door population: its booked
applications (observed outcome) plus its rejects (true outcome). Printed per method: through-the-door AUC,
accepts-only AUC, the rejects' true bad rate against the card's mean PD on them, and the through-the-door
bad-rate error (mean PD minus true bad rate). ``none`` (accepts only) is the peer every method is compared to.

Usage: python benchmarks/bench_reject.py [--rows N] [--seed S] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from scorecard.config import load_config
from scorecard.data.pii import apply_pii
from scorecard.data.synth import synthesize
from scorecard.features.build import build_modeling_table
from scorecard.modeling.evaluation import discrimination
from scorecard.modeling.train import train_card

REPO = Path(__file__).resolve().parents[1]
METHODS = (
    ("none", 1.0),
    ("hard_cutoff", 1.0),
    ("fuzzy", 1.0),
    ("fuzzy", 1.5),
    ("parceling", 1.0),
    ("parceling", 1.5),
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="20,000 applications")
    args = parser.parse_args(argv)
    rows = 20_000 if args.quick else args.rows
    os.environ.setdefault("SCORECARD_PII_KEY", "bench-only-key")
    console = Console(width=180)
    started = time.perf_counter()
    tables = synthesize(rows, seed=args.seed, truth=True)
    truth = tables.pop("reject_outcomes").set_index("application_id")["bad"]
    config = load_config(REPO / "configs" / "application.yaml")
    config = config.model_copy(update={"challenger": config.challenger.model_copy(update={"enabled": False})})
    table = build_modeling_table(apply_pii(tables, config.data.pii), config)
    frame = table.frame
    oot_start = pd.Timestamp(config.split.oot_start)
    window = frame[frame["snapshot_date"] >= oot_start]
    accepts = window[window["split"] == "oot"]
    rejects = window[window["target_status"] == "reject"]
    y_rejects = truth.reindex(rejects["application_id"]).to_numpy(dtype=float)
    if np.isnan(y_rejects).any():
        raise SystemExit("truth table misses some rejects of the modeling table")
    y_ttd = np.concatenate([accepts["target"].to_numpy(dtype=float), y_rejects])
    console.print(
        f"{rows:,} applications (seed {args.seed}); out-of-time window from {oot_start.date()}: "
        f"{len(accepts):,} accepts (bad rate {accepts['target'].mean():.4f}), {len(rejects):,} rejects "
        f"(true bad rate {y_rejects.mean():.4f}); built in {time.perf_counter() - started:.0f} s"
    )
    out = Table(title="Reject inference on the out-of-time through-the-door population (truth known)")
    for column in ("method", "uplift", "rejects used", "inferred bad rate", "TTD AUC", "vs none", "accepts AUC",
                   "rejects: true", "rejects: mean PD", "TTD bad-rate error", "s"):  # fmt: skip
        out.add_column(column, justify="left" if column == "method" else "right")
    peer = None
    for method, uplift in METHODS:
        tic = time.perf_counter()
        settings = config.reject_inference.model_copy(update={"method": method, "bad_rate_uplift": uplift})
        card = train_card(config.model_copy(update={"reject_inference": settings}), table)
        scored_accepts = card.score_frame(accepts[card.features])
        scored_rejects = card.score_frame(rejects[card.features])
        score = np.concatenate([scored_accepts["score"], scored_rejects["score"]]).astype(float)
        pd_ttd = np.concatenate([scored_accepts["pd"], scored_rejects["pd"]])
        auc = discrimination(y_ttd, -score)["auc"]
        peer = auc if peer is None else peer
        inferred = card.rejects
        out.add_row(
            method,
            f"{uplift:g}" if method in ("fuzzy", "parceling") else "-",
            f"{inferred.rows:,}" if inferred else "-",
            "-" if inferred is None or method == "none" else f"{inferred.bad_rate:.4f}",
            f"{auc:.4f}",
            f"{auc - peer:+.4f}",
            f"{discrimination(accepts['target'].to_numpy(), -scored_accepts['score'].to_numpy(float))['auc']:.4f}",
            f"{y_rejects.mean():.4f}",
            f"{scored_rejects['pd'].mean():.4f}",
            f"{pd_ttd.mean() - y_ttd.mean():+.4f}",
            f"{time.perf_counter() - tic:.0f}",
        )
    console.print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
