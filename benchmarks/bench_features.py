"""Application-card feature build (Ibis on DuckDB) against a plain pandas groupby implementation.

Target (issue 3): the application card's features for 1,000,000 applications (about 10M bureau rows and
20M monthly performance rows) in under 2 minutes on 2 cores; peak memory reported.
The synthetic portfolio is generated once and cached as Parquet in ``--data-dir``. Each measurement runs in a
fresh child process that reads the Parquet files and then times the build only, so peak RSS is its own:
- ours (full card): ``build_modeling_table`` with every application-card feature, the target and the splits;
- ours (3 features): the same call restricted to bureau_inq_3m, bureau_worst_dpd_12m, device_devices_90d;
- peer: those three features written the obvious way with pandas merges and groupbys (same point-in-time
  rules), checked value for value against ours.

Usage: python benchmarks/bench_features.py [--applications 1000000] [--threads 2] [--data-dir PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

TARGET_APPLICATIONS, TARGET_SECONDS = 1_000_000, 120.0
QUICK_APPLICATIONS = 100_000
PEER_FEATURES = ["bureau_inq_3m", "bureau_worst_dpd_12m", "device_devices_90d"]
TABLES = [
    "customers",
    "applications",
    "bureau_tradelines",
    "bureau_inquiries",
    "device_events",
    "loan_performance",
]
RAW_PII = ["full_name", "national_id", "mobile_phone", "bank_card_number"]
NO_FILE = -1.0


def portfolio(data_dir: Path, n: int, seed: int) -> Path:
    """The cached synthetic portfolio of ``n`` applications (generated on first use, in chunks)."""
    folder = data_dir / f"portfolio_{n}_{seed}"
    if not (folder / "applications.parquet").exists():
        from scorecard.data.synth import write_synthetic

        partial = folder.with_name(folder.name + ".partial")  # renamed when complete: no half-written cache
        write_synthetic(n, partial, seed=seed)
        partial.rename(folder)
    return folder


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Canonical tables from the cached Parquet; raw PII dropped, device and IP ids kept as they are."""
    return {
        name: pd.read_parquet(folder / f"{name}.parquet").drop(columns=RAW_PII, errors="ignore")
        for name in TABLES
    }


def ours(tables: dict[str, pd.DataFrame], threads: int, include: list[str] | None) -> pd.DataFrame:
    from scorecard.config import parse_config
    from scorecard.features.build import build_modeling_table

    features = {"include": include} if include else {"families": ["application", "bureau", "device"]}
    cfg = parse_config(
        {
            "card": "application",
            "name": "bench",
            "data": {"sources": {name: {"path": f"{name}.parquet"} for name in tables}},
            "features": {**features, "threads": threads},
            "split": {"oot_start": "2024-07-01"},
        }
    )
    return build_modeling_table(tables, cfg).frame


def peer(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """bureau_inq_3m, bureau_worst_dpd_12m and device_devices_90d with pandas merges and groupbys."""
    apps = tables["applications"][["application_id", "customer_id", "application_date"]]
    snap_of = apps.set_index("application_id")["application_date"]

    inq = apps.merge(tables["bureau_inquiries"][["customer_id", "inquiry_date"]], on="customer_id")
    inq = inq[inq["inquiry_date"] < inq["application_date"]]
    in_3m = inq["inquiry_date"] >= inq["application_date"] - pd.DateOffset(months=3)
    inq_3m = inq[in_3m].groupby("application_id").size()

    tl = tables["bureau_tradelines"][
        ["tradeline_id", "customer_id", "report_date", "worst_dpd", "last_delinquency_date"]
    ]
    lines = apps.merge(tl, on="customer_id")
    lines = lines[lines["report_date"] < lines["application_date"]]
    latest = lines.sort_values("report_date").drop_duplicates(["application_id", "tradeline_id"], keep="last")
    recent = latest["last_delinquency_date"] >= latest["application_date"] - pd.DateOffset(months=12)
    worst_12m = latest.assign(w=np.where(recent, latest["worst_dpd"], 0)).groupby("application_id")["w"].max()

    events = tables["device_events"][["application_id", "customer_id", "event_time", "device_id"]]
    own = apps.merge(
        events.loc[events["application_id"].notna(), ["application_id", "event_time"]], on="application_id"
    )
    own = own[own["event_time"] < own["application_date"] + pd.Timedelta(days=1)]
    session_end = own.groupby("application_id")["event_time"].max()
    seen = apps.assign(session_end=apps["application_id"].map(session_end)).merge(
        events.drop(columns="application_id"), on="customer_id"
    )
    counted = (seen["event_time"] < seen["application_date"]) | (seen["event_time"] <= seen["session_end"])
    in_90d = seen["event_time"] >= seen["application_date"] - pd.Timedelta(days=90)
    devices = seen[counted & in_90d].groupby("application_id")["device_id"].nunique()

    has_file = snap_of.index.isin(inq["application_id"]) | snap_of.index.isin(lines["application_id"])
    ids = snap_of.index
    out = pd.DataFrame(
        {
            "bureau_inq_3m": inq_3m.reindex(ids).fillna(0).to_numpy(dtype=float),
            "bureau_worst_dpd_12m": worst_12m.reindex(ids).to_numpy(dtype=float),
            "device_devices_90d": devices.reindex(ids).fillna(0).to_numpy(dtype=float),
        },
        index=ids,
    )
    out.loc[~has_file, ["bureau_inq_3m", "bureau_worst_dpd_12m"]] = NO_FILE
    return out.sort_index().reset_index()


def _child(kind: str, folder: Path, threads: int, check: Path) -> dict:
    """One measurement in this (fresh) process; the three peer features are saved for the value check."""
    if kind == "peer":
        os.environ["OMP_NUM_THREADS"] = "1"
    tables = read_tables(folder)
    rows = {name: len(frame) for name, frame in tables.items()}
    start = time.perf_counter()
    if kind == "peer":
        frame = peer(tables)
    else:
        frame = ours(tables, threads, PEER_FEATURES if kind == "ours3" else None)
    seconds = time.perf_counter() - start
    frame[["application_id", *PEER_FEATURES]].sort_values("application_id").to_parquet(check, index=False)
    return {
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows": rows,
        "columns": frame.shape[1],
    }


def _run_child(kind: str, folder: Path, threads: int, check: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--folder", str(folder), "--threads", str(threads)]
    proc = subprocess.run([*cmd, "--check", str(check)], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=TARGET_APPLICATIONS)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_APPLICATIONS:,} applications")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "scorecard-bench-features"
    )
    parser.add_argument("--child", choices=["ours", "ours3", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--check", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.folder, args.threads, args.check)))
        return 0

    n = QUICK_APPLICATIONS if args.quick else args.applications
    console = Console()
    start = time.perf_counter()
    folder = portfolio(args.data_dir, n, args.seed)
    console.print(f"portfolio of {n:,} applications ready in {time.perf_counter() - start:.0f} s: {folder}")
    checks = {kind: args.data_dir / f"check_{kind}_{n}.parquet" for kind in ("ours", "ours3", "peer")}
    results = {kind: _run_child(kind, folder, args.threads, path) for kind, path in checks.items()}

    sizes = Table(title="Input rows", title_justify="left")
    sizes.add_column("table")
    sizes.add_column("rows", justify="right")
    for name, count in results["ours"]["rows"].items():
        sizes.add_row(name, f"{count:,}")
    console.print(sizes)

    same = _same_values(pd.read_parquet(checks["ours3"]), pd.read_parquet(checks["peer"]))
    same &= _same_values(pd.read_parquet(checks["ours"]), pd.read_parquet(checks["peer"]))
    timing = Table(
        title=f"Application card, {n:,} applications, {args.threads} DuckDB threads", title_justify="left"
    )
    for col in ("build", "features", "seconds", "peak RSS MB", "peer s / ours s"):
        timing.add_column(col, justify="right" if col != "build" else "left")
    peer_s = results["peer"]["seconds"]
    labels = {
        "ours": "ours: Ibis/DuckDB, full card",
        "ours3": "ours: Ibis/DuckDB, 3 features",
        "peer": "peer: pandas groupby, 3 features",
    }
    for kind, r in results.items():
        n_features = r["columns"] - 5 if kind == "ours" else 3
        ratio = f"{peer_s / r['seconds']:.2f}x" if kind != "peer" else "1.00x"
        timing.add_row(
            labels[kind], str(n_features), f"{r['seconds']:.1f}", f"{r['peak_rss_mb']:,.0f}", ratio
        )
    console.print(timing)
    console.print(
        f"The three features agree value for value between ours and the peer: {'yes' if same else '[red]NO[/]'}"
    )
    full = results["ours"]["seconds"]
    ok = same and (n < TARGET_APPLICATIONS or full <= TARGET_SECONDS)
    scaled = (
        ""
        if n >= TARGET_APPLICATIONS
        else f" (measured at {n:,}; linear extrapolation {full * TARGET_APPLICATIONS / n:.0f} s)"
    )
    verdict = "[green]meets[/]" if full * TARGET_APPLICATIONS / n <= TARGET_SECONDS else "[red]misses[/]"
    console.print(
        f"Target: {TARGET_APPLICATIONS:,} applications in under {TARGET_SECONDS:.0f} s: {verdict}{scaled}"
    )
    return 0 if ok else 1


def _same_values(ours_frame: pd.DataFrame, peer_frame: pd.DataFrame) -> bool:
    a = ours_frame.sort_values("application_id").reset_index(drop=True)
    b = peer_frame.sort_values("application_id").reset_index(drop=True)
    if not a["application_id"].equals(b["application_id"]):
        return False
    return all(np.allclose(a[f], b[f], equal_nan=True) for f in PEER_FEATURES)


if __name__ == "__main__":
    sys.exit(main())
