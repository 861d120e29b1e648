"""Scale: the application card's features on DuckDB (a database file with a memory limit) at growing sizes,
DuckDB's three features against pandas', and local Spark against DuckDB.

Targets (issue 15): 10M applications (all tables) in under 15 minutes with peak RSS under 8 GB on 2 cores;
DuckDB's three-feature time at least 5x pandas' on 2M applications in the same run. Local Spark against
DuckDB at 1M (feature build and batch scoring) is reported as a ratio, not a target.

Each measurement runs in a fresh child process (its peak RSS is its own) and is timed from the cached Parquet
portfolio (``bench_features.portfolio``, generated in chunks) to its result; the machine's load average at the
start and the end of each is printed beside it, and the process's CPU time (user + system, all threads,
start-up included), which a shared machine's load does not inflate the way it inflates wall time. Imports
(pandas', DuckDB's Ibis backend) happen before the clock starts, on both sides:
- duckdb: ``build_card_table`` with ``features.database`` in a temporary folder, ``memory_limit`` and
  ``threads``: the sources scanned, mapped, validated and PII-hashed inside DuckDB, every application-card
  feature, the target and the splits; CPU and wall seconds per build step;
- duckdb3 / pandas3: bureau_inq_3m, bureau_worst_dpd_12m, device_devices_90d; DuckDB builds the card with
  only them (the sources and columns they, the target and the splits read, checked and hashed); pandas reads
  the files (time shown apart) and computes them with merges and groupbys (``bench_features.peer``), without
  validating or hashing anything. The pair runs ``--repeat`` times (default 3), alternating, and the ratio
  (the target) is of each side's median run: a run right after another that used most of the memory (pandas
  peaks near 16 GB) was measured up to 4 s slower than the next, so a single pair depends on what ran before
  it. Both the end-to-end ratio and the feature steps' alone are printed;
- spark: the same full card with ``features.engine: spark`` on a local[threads] session (its sources are read
  by ingestion and handed over as Arrow);
- score-local / score-spark: the modeling table's rows scored with ``--bundle`` by the file scorer and by
  ``score_spark`` (only with ``--bundle``; the bundle's fields must be application-card features: no policy
  rule may read a policy attribute such as national_id_hash, which this card's build does not carry).

Usage: python benchmarks/bench_scale.py [--sizes 1000000 2000000 10000000] [--memory-limit 3GB] [--threads 2]
       [--peer-size 2000000] [--spark-size 1000000] [--bundle PATH] [--data-dir PATH] [--quick]
       [--runs duckdb duckdb3 pandas3 spark score] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b.*?:")
"""A traceback's exception line: ``duckdb.OutOfMemoryException: ...``, ``MemoryError: ...``."""
RUNS = ("duckdb", "duckdb3", "pandas3", "spark", "score")


def tiled(data_dir: Path, n: int, base: int, seed: int) -> Path:
    """A portfolio of ``n`` applications made of ``n / base`` copies of the generated ``base`` portfolio: every
    sequential key shifted per copy as the chunked generator shifts them, device ids and IPs made distinct per
    copy. For sizes the generator cannot reach in the time at hand; the rows per application are the base's."""
    import duckdb

    from scorecard.data.synth import SEQUENTIAL_KEYS

    copies, rest = divmod(n, base)
    if rest:
        raise SystemExit(f"--tile-from {base:,} must divide the size {n:,}")
    folder = data_dir / f"tiled_{n}_from_{base}_{seed}"
    if (folder / "applications.parquet").exists():
        return folder
    source = portfolio(data_dir, base, seed)
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(config={"memory_limit": "2GB", "preserve_insertion_order": False}) as con:
        con.execute("SET enable_progress_bar = false")  # rows streamed to the file: bounded memory
        span = {}
        for prefix, (_, columns) in SEQUENTIAL_KEYS.items():
            found = [
                con.execute(
                    f"SELECT max(CAST(substr({c}, {len(prefix) + 1}) AS BIGINT)) FROM '{source / t}.parquet'"
                ).fetchall()[0][0]
                for t, c in columns
                if (source / f"{t}.parquet").exists()
            ]
            span[prefix] = max(v for v in found if v is not None) + 1
        for table in TABLES:
            shifted = {
                c: (prefix, width)
                for prefix, (width, cols) in SEQUENTIAL_KEYS.items()
                for t, c in cols
                if t == table
            }
            names = con.sql(f"SELECT * FROM '{source / table}.parquet'").columns
            parts = []
            for k in range(copies):
                exprs = []
                for c in names:
                    if c in shifted:
                        prefix, width = shifted[c]
                        number = f"CAST(substr({c}, {len(prefix) + 1}) AS BIGINT) + {k * span[prefix]}"
                        exprs.append(f"'{prefix}' || lpad(CAST({number} AS VARCHAR), {width}, '0') AS {c}")
                    elif c in ("device_id", "ip") and k:
                        exprs.append(f"'{k}.' || {c} AS {c}")
                    else:
                        exprs.append(c)
                parts.append(f"SELECT {', '.join(exprs)} FROM '{source / table}.parquet'")
            target = partial / f"{table}.parquet"
            con.execute(
                f"COPY ({' UNION ALL '.join(parts)}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
            )
    partial.rename(folder)
    return folder


def _config(kind: str, folder: Path, threads: int, memory_limit: str, workdir: Path) -> object:
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
            "data": {"sources": {name: {"path": str(folder / f"{name}.parquet")} for name in TABLES}},
            "features": features,
            "split": {"oot_start": "2024-07-01"},
        }
    )


def _child(kind: str, folder: Path, threads: int, memory_limit: str, bundle: Path | None) -> dict:
    """One measurement in this (fresh) process, from the Parquet files to the result."""
    import ibis

    from scorecard.features.build import build_card_table

    ibis.duckdb  # noqa: B018  # the backend's start-up (imports) stays outside the timing, like pandas'
    os.environ.setdefault("SCORECARD_PII_KEY", "bench-only-pii-key")  # device_id and ip are hashed
    extra: dict[str, float] = {"load_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as work:
        if kind.startswith("score"):
            frame = build_card_table(_config("duckdb", folder, threads, memory_limit, Path(work))).frame
            records = Path(work) / "records.parquet"
            frame.drop(columns=["snapshot_date", "split"]).to_parquet(records)
            del frame
            start = time.perf_counter()
            rows = _score(kind, bundle, records, Path(work) / "scored.parquet", threads)
        elif kind == "pandas3":
            start = time.perf_counter()
            tables = read_tables(folder)
            extra["read_seconds"] = time.perf_counter() - start
            rows = len(peer(tables))
        else:
            start = time.perf_counter()
            steps: dict[str, tuple[float, float]] = {}
            cfg = _config(kind, folder, threads, memory_limit, Path(work))

            def on_step(step: str) -> None:
                steps.setdefault(step, (_cpu(), time.perf_counter()))
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(
                    f"step {step}: CPU {_cpu():.0f} s, peak RSS so far {rss:,.0f} MB",
                    file=sys.stderr,
                    flush=True,
                )

            rows = len(build_card_table(cfg, on_step=on_step).frame)
            marks = [*steps.values(), (_cpu(), time.perf_counter())]  # each step, up to the next one
            for step, a, b in zip(steps, marks, marks[1:], strict=False):
                extra |= {f"cpu {step}": b[0] - a[0], f"wall {step}": b[1] - a[1]}
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows": rows,
        "load_end": os.getloadavg()[0],
        **extra,
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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
        return {"error": failure(proc.stderr, proc.returncode)}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _median(runs: list[tuple[int, str, dict]], n: int, kind: str) -> dict | None:
    """The median-time run of ``kind`` at ``n`` among those that succeeded (the lower middle of an even count)."""
    done = sorted(
        (r for m, k, r in runs if m == n and k == kind and "error" not in r), key=lambda r: r["seconds"]
    )
    return done[(len(done) - 1) // 2] if done else None


def failure(stderr: str, returncode: int) -> str:
    """A failed child's reason: the step it was in and its exception line (the traceback's last ``Name: message``
    line, not the hints an error may print after it), else its last stderr line, else its exit code."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    step = next((line.split(":")[0] for line in reversed(lines) if line.startswith("step ")), None)
    raised = [line for line in lines if EXCEPTION_LINE.match(line)]
    reason = raised[-1] if raised else lines[-1] if lines else f"exit {returncode}"
    return f"{step}: {reason}" if step else reason


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 2_000_000, TARGET_APPLICATIONS])
    parser.add_argument("--peer-size", type=int, default=2_000_000)
    parser.add_argument("--spark-size", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bundle", type=Path, help="bundle for the scoring comparison (skipped without)")
    parser.add_argument(
        "--quick", action="store_true", help=f"sizes {QUICK_SIZES}, peer and Spark at the smaller"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "scorecard-bench-features"
    )
    parser.add_argument(
        "--runs", nargs="+", choices=RUNS, default=list(RUNS), help="which measurements (default: all)"
    )
    parser.add_argument(
        "--tile-from",
        type=int,
        help="build sizes above this one by tiling its generated portfolio (keys shifted per copy)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="times the three-feature pair runs, alternating; the ratio is of each side's median run",
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
    plan += [(args.peer_size, kind) for _ in range(args.repeat) for kind in ("duckdb3", "pandas3")]
    plan += [(args.spark_size, "spark")]
    if args.bundle:
        plan += [(args.spark_size, "score-local"), (args.spark_size, "score-spark")]
    plan = [(n, kind) for n, kind in plan if kind.split("-")[0] in args.runs]
    for n, kind in plan:
        tile = args.tile_from is not None and n > args.tile_from
        folder = (
            tiled(args.data_dir, n, args.tile_from, args.seed)
            if tile
            else portfolio(args.data_dir, n, args.seed)
        )
        runs.append((n, kind, _run(kind, folder, args)))
        console.print(f"{kind} at {n:,}: {runs[-1][2]}", highlight=False)

    table = Table(title=f"Application card, {args.threads} threads, DuckDB memory_limit {args.memory_limit}")
    for col in ("applications", "run", "rows out", "seconds", "CPU s", "peak RSS MB", "load start/end"):
        table.add_column(col, justify="left" if col == "run" else "right")
    for n, kind, r in runs:
        if "error" in r:
            table.add_row(f"{n:,}", kind, "failed", r["error"][:100], "", "", "")
        else:
            seconds = f"{r['seconds']:.1f}" + (
                f" (read {r['read_seconds']:.1f})" if "read_seconds" in r else ""
            )
            load = f"{r['load_start']:.1f}/{r['load_end']:.1f}"
            cpu = f"{r['cpu_seconds']:.0f}"
            table.add_row(f"{n:,}", kind, f"{r['rows']:,}", seconds, cpu, f"{r['peak_rss_mb']:,.0f}", load)
    console.print(table)
    got = {(n, kind): r for n, kind, r in runs if "error" not in r}
    ok = True
    pair = _median(runs, args.peer_size, "duckdb3"), _median(runs, args.peer_size, "pandas3")
    if pair[0] and pair[1]:
        ratio = pair[1]["seconds"] / pair[0]["seconds"]
        ok &= ratio >= TARGET_PEER_RATIO
        console.print(
            f"pandas / DuckDB, 3 features at {args.peer_size:,}, median runs ({pair[1]['seconds']:.1f} s / "
            f"{pair[0]['seconds']:.1f} s): {ratio:.2f}x (target >= {TARGET_PEER_RATIO:g}x)"
        )
        families = sum(v for k, v in pair[0].items() if k.startswith("wall ") and k.endswith(" features"))
        compute = pair[1]["seconds"] - pair[1]["read_seconds"]
        console.print(
            f"  feature steps only: pandas' merges and groupbys {compute:.1f} s / DuckDB's feature families "
            f"{families:.1f} s = {compute / families:.2f}x"
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
