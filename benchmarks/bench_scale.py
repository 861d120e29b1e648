"""Scale: the application card's features on DuckDB (a database file with a memory limit) at growing sizes,
DuckDB's three features against pandas', and local Spark against DuckDB.

Targets (issue 15): 10M applications (all tables) in under 15 minutes with peak RSS under 8 GB on 2 cores;
DuckDB's three-feature time at least 5x pandas' on 2M applications in the same run. Local Spark against
DuckDB at 1M (feature build and batch scoring) is reported as a ratio, not a target.

Each measurement runs in a fresh child process (its peak RSS is its own) that reads the cached Parquet
portfolio (``bench_features.portfolio``) and times the build only:
- duckdb: ``build_modeling_table`` with ``features.database`` in a temporary folder, ``memory_limit`` and
  ``threads``, every application-card feature, the target and the splits;
- duckdb3 / pandas3: bureau_inq_3m, bureau_worst_dpd_12m, device_devices_90d (``bench_features.peer``);
- spark: the same full card with ``features.engine: spark`` on a local[threads] session;
- score-local / score-spark: the modeling table's rows scored with ``--bundle`` by the file scorer and by
  ``score_spark`` (only with ``--bundle``; the bundle's fields must be application-card features).

Usage: python benchmarks/bench_scale.py [--sizes 1000000 2000000 10000000] [--memory-limit 5GB] [--threads 2]
       [--peer-size 2000000] [--spark-size 1000000] [--bundle PATH] [--data-dir PATH] [--quick]
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

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_features import PEER_FEATURES, TABLES, peer, portfolio, read_tables

TARGET_APPLICATIONS, TARGET_SECONDS, TARGET_RSS_MB, TARGET_PEER_RATIO = 10_000_000, 900.0, 8192.0, 5.0
QUICK_SIZES = [20_000, 40_000]


def _config(kind: str, threads: int, memory_limit: str, workdir: Path) -> object:
    from scorecard.config import parse_config

    features: dict[str, object] = (
        {"include": PEER_FEATURES} if kind == "duckdb3" else {"families": ["application", "bureau", "device"]}
    )
    if kind == "spark":
        features["engine"] = "spark"
        features["spark"] = {
            "master": f"local[{threads}]",
            "config": {
                "spark.sql.shuffle.partitions": str(4 * threads),
                "spark.ui.enabled": "false",
                "spark.driver.memory": "6g",
            },
        }
    else:
        features |= {
            "database": str(workdir / "features.duckdb"),
            "memory_limit": memory_limit,
            "threads": threads,
        }
    return parse_config(
        {
            "card": "application",
            "name": "bench_scale",
            "data": {"sources": {name: {"path": f"{name}.parquet"} for name in TABLES}},
            "features": features,
            "split": {"oot_start": "2024-07-01"},
        }
    )


def _child(kind: str, folder: Path, threads: int, memory_limit: str, bundle: Path | None) -> dict:
    """One measurement in this (fresh) process."""
    from scorecard.features.build import build_modeling_table

    tables = read_tables(folder)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as work:
        if kind.startswith("score"):
            frame = build_modeling_table(tables, _config("duckdb", threads, memory_limit, Path(work))).frame
            records = Path(work) / "records.parquet"
            frame.drop(columns=["snapshot_date", "split"]).to_parquet(records)
            del tables, frame
            start = time.perf_counter()
            rows = _score(kind, bundle, records, Path(work) / "scored.parquet", threads)
        else:
            start = time.perf_counter()
            if kind == "pandas3":
                rows = len(peer(tables))
            else:
                rows = len(
                    build_modeling_table(tables, _config(kind, threads, memory_limit, Path(work))).frame
                )
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows": rows,
    }


def _score(kind: str, bundle: Path | None, records: Path, out: Path, threads: int) -> int:
    from scorecard.bundle.runtime import load_bundle

    loaded = load_bundle(bundle or "")
    if kind == "score-local":
        from scorecard.bundle.stream import score_file

        return score_file(loaded, records, out).rows
    from scorecard.bundle.spark import score_to_path
    from scorecard.config import SparkConfig
    from scorecard.features.engine import spark_session

    session = spark_session(SparkConfig(master=f"local[{threads}]", config={"spark.ui.enabled": "false"}))
    return score_to_path(session, loaded, str(records), out).rows_out


def _run(kind: str, folder: Path, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--folder", str(folder), "--threads", str(args.threads)]
    cmd += ["--memory-limit", args.memory_limit] + (["--bundle", str(args.bundle)] if args.bundle else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    if proc.returncode:
        return {
            "error": proc.stderr.strip().splitlines()[-1]
            if proc.stderr.strip()
            else f"exit {proc.returncode}"
        }
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 2_000_000, TARGET_APPLICATIONS])
    parser.add_argument("--peer-size", type=int, default=2_000_000)
    parser.add_argument("--spark-size", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="5GB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bundle", type=Path, help="bundle for the scoring comparison (skipped without)")
    parser.add_argument(
        "--quick", action="store_true", help=f"sizes {QUICK_SIZES}, peer and Spark at the smaller"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "scorecard-bench-features"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.folder, args.threads, args.memory_limit, args.bundle)))
        return 0
    if args.quick:
        args.sizes, args.peer_size, args.spark_size = QUICK_SIZES, QUICK_SIZES[0], QUICK_SIZES[0]

    console = Console()
    runs: list[tuple[int, str, dict]] = []
    plan = [(n, "duckdb") for n in args.sizes]
    plan += [(args.peer_size, "duckdb3"), (args.peer_size, "pandas3"), (args.spark_size, "spark")]
    if args.bundle:
        plan += [(args.spark_size, "score-local"), (args.spark_size, "score-spark")]
    for n, kind in plan:
        folder = portfolio(args.data_dir, n, args.seed)
        runs.append((n, kind, _run(kind, folder, args)))
        console.print(f"{kind} at {n:,}: {runs[-1][2]}", highlight=False)

    table = Table(title=f"Application card, {args.threads} threads, DuckDB memory_limit {args.memory_limit}")
    for col in ("applications", "run", "rows out", "seconds", "peak RSS MB"):
        table.add_column(col, justify="left" if col == "run" else "right")
    for n, kind, r in runs:
        if "error" in r:
            table.add_row(f"{n:,}", kind, "failed", r["error"][:60], "")
        else:
            table.add_row(f"{n:,}", kind, f"{r['rows']:,}", f"{r['seconds']:.1f}", f"{r['peak_rss_mb']:,.0f}")
    console.print(table)
    got = {(n, kind): r for n, kind, r in runs if "error" not in r}
    ok = True
    pair = got.get((args.peer_size, "duckdb3")), got.get((args.peer_size, "pandas3"))
    if pair[0] and pair[1]:
        ratio = pair[1]["seconds"] / pair[0]["seconds"]
        ok &= ratio >= TARGET_PEER_RATIO
        console.print(
            f"pandas / DuckDB, 3 features at {args.peer_size:,}: {ratio:.2f}x (target >= {TARGET_PEER_RATIO:g}x)"
        )
    for a, b, what in (("spark", "duckdb", "feature build"), ("score-spark", "score-local", "batch scoring")):
        left, right = got.get((args.spark_size, a)), got.get((args.spark_size, b))
        if left and right:
            console.print(
                f"local Spark / DuckDB-or-local, {what} at {args.spark_size:,}: {left['seconds'] / right['seconds']:.2f}x time"
            )
    big = got.get((TARGET_APPLICATIONS, "duckdb"))
    if big is None:
        console.print(f"Target {TARGET_APPLICATIONS:,}: not measured in this run")
        ok = False
    else:
        met = big["seconds"] <= TARGET_SECONDS and big["peak_rss_mb"] <= TARGET_RSS_MB
        ok &= met
        console.print(
            f"Target {TARGET_APPLICATIONS:,} in {TARGET_SECONDS:.0f} s under {TARGET_RSS_MB:.0f} MB: {'meets' if met else 'misses'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
