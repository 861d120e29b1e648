"""Ingestion: canonical sources (Parquet files) against the same tables read through source queries.

Target (issue 11): the source-query path costs at most 1.2x the canonical path on 1,000,000 applications; peak
memory reported. Both paths read, map, validate and PII-hash the application card's tables with
``load_card_sources`` (only the columns the card reads are fetched). In the query path every table is a
``data.sources.<table>.query`` over a ``data.raw`` file (the applications deduplicated with QUALIFY, as a
vendor dump needs). Each measurement runs in a fresh child process, so peak RSS is its own.

Usage: python benchmarks/bench_ingest.py [--applications 1000000] [--data-dir PATH] [--quick]
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

TARGET_APPLICATIONS, TARGET_RATIO = 1_000_000, 1.2
QUICK_APPLICATIONS = 50_000
TABLES = [
    "customers",
    "applications",
    "bureau_tradelines",
    "bureau_inquiries",
    "device_events",
    "loan_performance",
]
KEYS = {"applications": "application_id"}


def portfolio(data_dir: Path, n: int, seed: int = 0) -> Path:
    """The cached synthetic portfolio of ``n`` applications (generated on first use)."""
    folder = data_dir / f"portfolio_{n}_{seed}"
    if not (folder / "applications.parquet").exists():
        from scorecard.data.synth import synthesize, write_portfolio

        write_portfolio(synthesize(n, seed=seed), folder)
    return folder


def config(folder: Path, mode: str) -> dict[str, object]:
    """The application card reading ``folder`` as canonical files or through source queries."""
    if mode == "canonical":
        data: dict[str, object] = {"sources": {t: {"path": str(folder / f"{t}.parquet")} for t in TABLES}}
    else:
        queries = {t: {"query": f"SELECT * FROM raw_{t}"} for t in TABLES}
        queries["applications"] = {
            "query": "SELECT * FROM raw_applications "
            "QUALIFY row_number() OVER (PARTITION BY application_id ORDER BY application_date DESC) = 1"
        }
        data = {
            "raw": {f"raw_{t}": {"path": str(folder / f"{t}.parquet")} for t in TABLES},
            "sources": queries,
        }
    return {"card": "application", "name": "bench", "data": data}


def child(mode: str, folder: Path) -> None:
    """Load the card's sources once and print seconds, rows and peak RSS as JSON."""
    from scorecard.config import parse_config
    from scorecard.features.build import load_card_sources

    cfg = parse_config(config(folder, mode))
    started = time.perf_counter()
    tables = load_card_sources(cfg)
    seconds = time.perf_counter() - started
    rows = sum(len(f) for f in tables.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_gb": peak}))


def measure(mode: str, folder: Path) -> dict[str, float]:
    env = {**os.environ, "SCORECARD_PII_KEY": os.environ.get("SCORECARD_PII_KEY", "bench-key")}
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _loads(loads: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.1f}" for x in loads)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=TARGET_APPLICATIONS)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "scorecard-bench")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_APPLICATIONS:,} applications")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    n = QUICK_APPLICATIONS if args.quick else args.applications
    folder = portfolio(args.data_dir, n)
    load_before = os.getloadavg()
    canonical, query = measure("canonical", folder), measure("query", folder)
    load_after = os.getloadavg()
    if canonical["rows"] != query["rows"]:
        raise SystemExit(f"row counts differ: canonical {canonical['rows']:,}, query {query['rows']:,}")
    ratio = query["seconds"] / canonical["seconds"]
    table = Table(title=f"Ingestion of the application card's sources, {n:,} applications")
    for column in ("path", "seconds", "rows fetched", "peak RSS (GB)"):
        table.add_column(column, justify="left" if column == "path" else "right")
    for name, m in (("canonical files", canonical), ("source queries", query)):
        table.add_row(name, f"{m['seconds']:.1f}", f"{m['rows']:,}", f"{m['peak_gb']:.2f}")
    Console().print(table)
    print(
        f"load average (1, 5, 15 min) on {os.cpu_count()} cores: before {_loads(load_before)}, "
        f"after {_loads(load_after)}; a loaded machine stretches both paths alike"
    )
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(f"source queries / canonical time: {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
