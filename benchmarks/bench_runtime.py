"""Serving speed of the bundle runtime against optbinning's ``Scorecard.score`` and toad's ``ScoreCard.predict``.

An optbinning ``Scorecard`` (BinningProcess + LogisticRegression, pdo/odds scaling, rounded points) is fitted
on a synthetic 30-feature portfolio (27 numerical with missing values and a -1 special code, 3 categorical),
then translated bin by bin into a bundle (scores checked equal on every row before timing). The bundle also
carries an application policy (3 knock-outs + cut-offs) and top-4 reason codes. A toad ``ScoreCard``
(quantile ``Combiner``, ``WOETransformer``, same scaling) is fitted on the same rows and scores the same rows.

Targets (issue 13): batch throughput with reasons >= 20x optbinning's and >= 6x toad's on 1,000,000 rows x 30
features; ``score_one`` with reasons and policy p99 <= 50 us. With ``--rows`` below 1M the peers are timed on
the same rows.

Batch times are the best of ``--rounds`` interleaved rounds for each side (the machine may be shared).
``score_one`` is timed over ``--single`` back-to-back calls in this process, after the batch work, as a served
process calls it; the run reports the context switches, garbage collections and page faults during those calls,
and how often the CPU was taken away in the 0.5 s before them (``interruptions``).
Every kernel interrupt or preemption that lands inside a call adds its length (15-40 us on a 2-vCPU VM) to that
call, so p99 is a clean call only while fewer than 1% of the calls are hit (docs/serving.md, "In-process speed").

Usage: python benchmarks/bench_runtime.py [--rows 1000000] [--features 30] [--single 20000] [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from optbinning import BinningProcess
from optbinning import Scorecard as OptbScorecard
from rich.console import Console
from rich.table import Table
from sklearn.linear_model import LogisticRegression

from scorecard.bundle.export import write_bundle
from scorecard.bundle.runtime import Bundle, load_bundle

TARGET_RATIO, TARGET_TOAD_RATIO, TARGET_P99_US = 20.0, 6.0, 50.0
CATEGORIES = np.array(["branch", "online", "mobile_app", "agent", "partner"], dtype=object)
POLICY_FIELDS = {"national_id_hash": "string", "device_emulator": "boolean"}


def portfolio(n_rows: int, n_features: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Numerical features x0.. (missing 3 %, special -1 in 2 %) and three categorical c0..c2."""
    rng = np.random.default_rng(seed)
    n_cat = 3
    n_num = n_features - n_cat
    X = rng.standard_normal((n_rows, n_num))
    logit = -2.2 + X[:, : n_num // 2] @ (0.8 / (1 + np.arange(n_num // 2)))
    cats = {f"c{j}": rng.choice(CATEGORIES, n_rows, p=[0.35, 0.3, 0.2, 0.1, 0.05]) for j in range(n_cat)}
    for j, values in enumerate(cats.values()):
        logit += 0.4 * (values == CATEGORIES[j + 2])
    y = (rng.uniform(size=n_rows) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    X[rng.uniform(size=X.shape) < 0.03] = np.nan
    X[rng.uniform(size=X.shape) < 0.02] = -1.0
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(n_num)])
    for name, values in cats.items():
        frame[name] = values
    return frame, y


def fit_peer(X: pd.DataFrame, y: np.ndarray) -> OptbScorecard:
    categorical = [c for c in X.columns if c.startswith("c")]
    process = BinningProcess(
        list(X.columns), categorical_variables=categorical, special_codes=[-1.0], min_prebin_size=0.02
    )
    card = OptbScorecard(
        binning_process=process,
        estimator=LogisticRegression(max_iter=1000),
        scaling_method="pdo_odds",
        scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600},
        intercept_based=True,
        rounding=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return card.fit(X, y)


def fit_toad(X: pd.DataFrame, y: np.ndarray) -> Any:
    """toad's scorecard on the same features: quantile bins (missing apart), WOE, logistic regression."""
    import toad

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        combiner = toad.transform.Combiner()
        combiner.fit(X, y, method="quantile", n_bins=6, empty_separate=True)
        woe = toad.transform.WOETransformer()
        X_woe = woe.fit_transform(combiner.transform(X), y)
        card = toad.ScoreCard(combiner=combiner, transer=woe, pdo=20, rate=2, base_odds=50, base_score=600)
        return card.fit(X_woe, y)


def bundle_documents(peer: OptbScorecard, X: pd.DataFrame) -> dict[str, Any]:
    """The peer's scorecard as bundle documents: same bins, same rounded points, intercept as base points."""
    table = peer._df_scorecard
    features, fields = [], []
    for name in peer.binning_process_.get_support(names=True):
        optb = peer.binning_process_.get_binned_variable(name)
        points = [round(p) for p in table[table.Variable == name].Points.to_numpy()]
        n = len(points) - 2
        bins: list[dict[str, Any]] = [{"label": str(i), "woe": 0.0, "points": points[i]} for i in range(n)]
        spec: dict[str, Any] = {
            "name": name,
            "bins": bins,
            "special": {"codes": [], "woe": 0.0, "points": points[n]},
            "missing": {"woe": 0.0, "points": points[n + 1]},
        }
        if optb.dtype == "categorical":
            for b, group in zip(bins, optb.splits, strict=True):
                b["categories"] = [str(c) for c in group]
            # optbinning's "indices" transform sends an unseen category to the last bin: Missing
            spec |= {
                "kind": "categorical",
                "unknown": {"rule": "missing", "woe": 0.0, "points": points[n + 1]},
            }
            fields.append({"name": name, "type": "category", "required": True, "used_by": ["scorecard"],
                           "on_missing": "missing_bin", "on_absent": "missing_bin_with_warning"})  # fmt: skip
        else:
            clean = X[name][X[name] != -1.0]
            spec |= {
                "kind": "numerical",
                "splits": [float(s) for s in optb.splits],
                "valid_range": [float(clean.min()), float(clean.max())],
            }
            spec["special"]["codes"] = [-1.0]
            fields.append({"name": name, "type": "number", "required": True, "used_by": ["scorecard"],
                           "on_missing": "missing_bin", "on_absent": "missing_bin_with_warning"})  # fmt: skip
        features.append(spec)
    for name, kind in POLICY_FIELDS.items():
        fields.append({"name": name, "type": kind, "required": True, "used_by": ["policy"],
                       "on_missing": "rule_if_missing", "on_absent": "treated_as_missing_with_warning"})  # fmt: skip
    return {
        "schema.json": {"card": "bench_card", "fields": fields},
        "scorecard.json": {
            "scaling": {
                "pdo": 20.0,
                "base_score": 600.0,
                "base_odds": 50.0,
                "factor": 28.85,
                "offset": 487.1,
            },
            "base_points": round(peer.intercept_),
            "features": features,
        },
        "calibration.json": {
            "calibration": {"method": "logistic", "intercept": 12.0, "slope": -0.025},
            "master_scale": {
                "bands": [
                    {"grade": g, "max_pd": p}
                    for g, p in [("A", 0.01), ("B", 0.03), ("C", 0.08), ("D", 0.2), ("E", 1.0)]
                ]
            },
        },
        "reasons.json": {
            "top_k": 4,
            "reference_points": {f["name"]: float(max(b["points"] for b in f["bins"])) for f in features},
            "catalogue": {
                f["name"]: {"code": f"R{i:02d}", "text": f"{f['name']} lowered the score"}
                for i, f in enumerate(features)
            },
            "not_for_reasons": [],
        },
        "policy.json": {
            "knockouts": [
                {
                    "name": "blacklist",
                    "field": "national_id_hash",
                    "op": "in",
                    "value": ["h1", "h2", "h3"],
                    "if_missing": "pass",
                    "decision": "decline",
                },
                {
                    "name": "low_x0",
                    "field": "x0",
                    "op": "lt",
                    "value": -3.5,
                    "if_missing": "pass",
                    "decision": "decline",
                },
                {
                    "name": "emulator",
                    "field": "device_emulator",
                    "op": "is_true",
                    "value": None,
                    "if_missing": "pass",
                    "decision": "refer",
                },
            ],
            "cutoffs": {"approve": 560.0, "decline": 520.0},
            "dpd_field": "days_past_due",
            "treatments": [],
            "early_warnings": [],
        },
    }


def interruptions(seconds: float) -> np.ndarray:
    """Gaps over 5 us (microseconds) in a tight clock loop of ``seconds``: times the CPU was taken away (an
    interrupt, another task, the hypervisor), which land inside timed calls alike."""
    clock, gaps = time.perf_counter_ns, []
    previous = clock()
    end = previous + int(seconds * 1e9)
    while previous < end:
        now = clock()
        if now - previous > 5_000:
            gaps.append(now - previous)
        previous = now
    return np.asarray(gaps, dtype=np.float64) / 1000.0


def _best_of(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=30)
    parser.add_argument("--single", type=int, default=20_000, help="score_one calls timed")
    parser.add_argument("--peer-single", type=int, default=200, help="optbinning single-row calls timed")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds (best of each side)")
    parser.add_argument("--quick", action="store_true", help="200k rows, 5k single calls")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.single, args.peer_single = 200_000, 5_000, 50
    console = Console()
    load_before = os.getloadavg()

    X, y = portfolio(args.rows, args.features)
    fit_rows = min(len(X), 100_000)
    peer = fit_peer(X.iloc[:fit_rows], y[:fit_rows])
    toad_card = fit_toad(X.iloc[:fit_rows], y[:fit_rows])
    with tempfile.TemporaryDirectory() as tmp:
        path = write_bundle(
            bundle_documents(peer, X.iloc[:fit_rows]),
            Path(tmp) / "bundle",
            card={"name": "bench_card", "type": "application"},
            model_version="bench",
            created_at="2026-01-01T00:00:00Z",
            data_fingerprint="0" * 64,
        )
        bundle: Bundle = load_bundle(path)
    rng = np.random.default_rng(1)
    batch = X.assign(
        national_id_hash=rng.choice(np.array(["h0", "h1", "h9"], dtype=object), len(X)),
        device_emulator=rng.uniform(size=len(X)) < 0.01,
    )

    ours = bundle.score_batch(batch)
    theirs = peer.score(X)
    if not np.array_equal(
        ours["score"] - bundle.base_points, np.rint(theirs - peer.intercept_).astype(np.int64)
    ):
        console.print("[red]scores differ from optbinning's; timing would compare different models[/]")
        return 1
    # interleaved rounds, best of each: on a shared machine a load spike must not decide the ratio
    t_ours, t_bare, t_peer, t_toad = np.inf, np.inf, np.inf, np.inf
    for _ in range(args.rounds):
        t_ours = min(t_ours, _best_of(lambda: bundle.score_batch(batch), 2))
        t_bare = min(t_bare, _best_of(lambda: bundle.score_batch(batch, explain=False), 2))
        t_peer = min(t_peer, _best_of(lambda: peer.score(X), 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_toad = min(t_toad, _best_of(lambda: toad_card.predict(X), 1))

    records = batch.iloc[: args.single].to_dict("records")
    for record in records[:1000]:
        bundle.score_one(record)
    gaps = interruptions(0.5)
    latencies = np.empty(len(records))
    clock = time.perf_counter_ns
    collections = [0]
    gc.callbacks.append(lambda phase, _: collections.__setitem__(0, collections[0] + (phase == "start")))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    for i, record in enumerate(records):
        start = clock()
        bundle.score_one(record)
        latencies[i] = clock() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    gc.callbacks.pop()
    latencies /= 1000.0
    switches = after.ru_nivcsw - usage.ru_nivcsw + after.ru_nvcsw - usage.ru_nvcsw
    hit = len(gaps) / 0.5 * latencies.sum() / 1e6  # calls an interruption is expected to land in
    peer_lat = np.empty(args.peer_single)
    for i in range(args.peer_single):
        row = X.iloc[[i]]
        start = clock()
        peer.score(row)
        peer_lat[i] = clock() - start
    peer_lat /= 1000.0
    mismatch = sum(
        bundle.score_one(r)["score"] != s
        for r, s in zip(records[:2000], ours["score"][:2000].tolist(), strict=True)
    )

    p50, p99 = np.percentile(latencies, [50, 99])
    q50, q99 = np.percentile(peer_lat, [50, 99])
    ratio, toad_ratio = t_peer / t_ours, t_toad / t_ours
    table = Table(
        title=f"bundle runtime vs optbinning Scorecard.score and toad ScoreCard.predict ({len(X):,} rows x "
        f"{args.features} features)"
    )
    for column in ("measure", "ours", "peer", "ratio", "target", "met"):
        table.add_column(column, justify="left" if column in ("measure", "target") else "right")
    table.add_row("batch rows/s", f"{len(X) / t_ours:,.0f}", f"{len(X) / t_peer:,.0f}", f"{ratio:.1f}x",
                  f">= {TARGET_RATIO:.0f}x", "yes" if ratio >= TARGET_RATIO else "NO")  # fmt: skip
    table.add_row("batch rows/s vs toad", f"{len(X) / t_ours:,.0f}", f"{len(X) / t_toad:,.0f}",
                  f"{toad_ratio:.1f}x", f">= {TARGET_TOAD_RATIO:.0f}x", "yes" if toad_ratio >= TARGET_TOAD_RATIO else "NO")  # fmt: skip
    table.add_row("batch seconds (optbinning)", f"{t_ours:.2f}", f"{t_peer:.2f}", "", "", "")
    table.add_row("batch rows/s, explain=False", f"{len(X) / t_bare:,.0f}", f"{len(X) / t_peer:,.0f}",
                  f"{t_peer / t_bare:.1f}x", "(no reasons, no warnings)", "")  # fmt: skip
    table.add_row("one record p50 (us)", f"{p50:.1f}", f"{q50:,.0f}", f"{q50 / p50:,.0f}x", "", "")
    table.add_row("one record p99 (us)", f"{p99:.1f}", f"{q99:,.0f}", f"{q99 / p99:,.0f}x",
                  f"<= {TARGET_P99_US:.0f} us", "yes" if p99 <= TARGET_P99_US else "NO")  # fmt: skip
    console.print(table)
    console.print(
        f"scores equal to optbinning's on all {len(X):,} rows; score_one == score_batch on 2,000 rows: "
        f"{'yes' if mismatch == 0 else f'NO ({mismatch} differ)'}; "
        f"score_one includes {bundle.top_k} reason codes, 3 knock-outs and cut-offs; during its {len(records):,} "
        f"timed calls: {switches} context switches, {collections[0]} garbage collections, "
        f"{after.ru_minflt - usage.ru_minflt} minor page faults; just before them the CPU was taken away "
        f"{len(gaps) / 0.5:.0f} times/s for a median {np.median(gaps) if len(gaps) else 0:.0f} us, so about "
        f"{hit:.0f} calls ({100 * hit / len(records):.1f}%) were expected to include an interruption; load average (1/5/15 min) "
        f"{'/'.join(f'{x:.1f}' for x in load_before)} before, {'/'.join(f'{x:.1f}' for x in os.getloadavg())} after "
        f"on {os.cpu_count()} cores"
    )
    ok = ratio >= TARGET_RATIO and toad_ratio >= TARGET_TOAD_RATIO and p99 <= TARGET_P99_US and mismatch == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
