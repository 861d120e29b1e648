"""Generation speed of the synthetic portfolio, against a naive row-by-row Python generator.

Target (issue 2): 1,000,000 applications with every table generated in under 3 minutes on 2 cores.
Each size runs in a fresh child process so its peak RSS is its own. "generate" is ``synthesize`` (all seven
tables in memory), "write" is ``write_portfolio`` (zstd Parquet). The peer is the obvious way to write such a
generator: a Python loop that draws one application row at a time with the ``random`` module (the
applications table only); it runs on ``--peer-sample`` rows and is extrapolated linearly to each size, and
the table says so. The ratio compares like with like: the peer's seconds for the applications table against
ours for the customers (with PII) and applications tables, measured up to that step of ``synthesize``.

Usage: python benchmarks/bench_synth.py [--sizes 100000 1000000] [--seed 0] [--peer-sample 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time

import pandas as pd
from rich.console import Console
from rich.table import Table

TARGET_ROWS, TARGET_SECONDS = 1_000_000, 180.0
PRODUCTS = ("cash_loan", "credit_card", "pos_loan")
CHANNELS = ("branch", "online", "mobile_app", "agent")


def naive_applications(n: int, seed: int = 0) -> pd.DataFrame:
    """The peer: one application per loop iteration, drawn with the ``random`` module."""
    rnd = random.Random(seed)
    start = dt.date(2022, 1, 1)
    rows = []
    for i in range(n):
        income = rnd.lognormvariate(7.6, 0.5)
        product = rnd.choices(PRODUCTS, weights=(0.5, 0.25, 0.25))[0]
        amount = round(rnd.lognormvariate(8.0, 0.6) * (income / 2000) ** 0.5 / 50) * 50
        approved = rnd.random() < 0.74
        rows.append(
            {
                "application_id": f"A{i:08d}",
                "customer_id": f"C{rnd.randrange(n):08d}",
                "application_date": start + dt.timedelta(days=rnd.randrange(1096)),
                "product": product,
                "channel": rnd.choices(CHANNELS, weights=(0.35, 0.3, 0.2, 0.15))[0],
                "requested_amount": float(max(amount, 100)),
                "requested_term": rnd.choice((12, 18, 24, 36, 48)),
                "declared_province": rnd.choice(("north", "south", "east", "west", "central")),
                "decision": "approved" if approved else "declined",
                "loan_id": f"L{i:08d}" if approved and rnd.random() < 0.88 else None,
            }
        )
    frame = pd.DataFrame(rows)
    frame["application_date"] = pd.to_datetime(frame["application_date"])
    return frame.sort_values("application_date", kind="stable").reset_index(drop=True)


def _one(n: int, seed: int) -> dict:
    """Generate and write one portfolio (runs in a child process); report seconds, rows and peak RSS."""
    from scorecard.data.synth import synthesize, write_portfolio

    steps: dict[str, float] = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    tables = synthesize(
        n, seed=seed, on_step=lambda step: steps.setdefault(step, time.perf_counter() - start)
    )
    generated, cpu_generated = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as out:
        write_portfolio(tables, out)
    written = time.perf_counter()
    return {
        "cpu": time.process_time() - cpu_start,
        "cpu_generate": cpu_generated - cpu_start,
        "generate": generated - start,
        "applications": steps["applications"],
        "write": written - generated,
        "rows": {name: len(frame) for name, frame in tables.items()},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run_child(n: int, seed: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(n), "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, TARGET_ROWS])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--peer-sample", type=int, default=10_000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.child, args.seed)))
        return 0

    console = Console()
    start = time.perf_counter()
    naive_applications(args.peer_sample, seed=args.seed)
    peer_per_row = (time.perf_counter() - start) / args.peer_sample

    results = {n: _run_child(n, args.seed) for n in args.sizes}
    rows = Table(title="Rows per table", title_justify="left")
    rows.add_column("table")
    for n in args.sizes:
        rows.add_column(f"{n:,} apps", justify="right")
    for name in results[args.sizes[0]]["rows"]:
        rows.add_row(name, *(f"{results[n]['rows'][name]:,}" for n in args.sizes))
    console.print(rows)

    timing = Table(
        title="Wall seconds (all 7 tables unless stated); CPU s = this process only", title_justify="left"
    )
    for col in (
        "apps",
        "generate",
        "write",
        "total",
        "CPU (gen)",
        "peak RSS MB",
        "ours: cust+apps",
        "peer: apps*",
        "peer/ours",
    ):
        timing.add_column(col, justify="right")
    ok = True
    for n in args.sizes:
        r = results[n]
        total = r["generate"] + r["write"]
        peer = peer_per_row * n
        timing.add_row(
            f"{n:,}",
            f"{r['generate']:.1f}",
            f"{r['write']:.1f}",
            f"{total:.1f}",
            f"{r['cpu']:.1f} ({r['cpu_generate']:.1f})",
            f"{r['peak_rss_mb']:,.0f}",
            f"{r['applications']:.2f}",
            f"{peer:.1f}",
            f"{peer / r['applications']:.0f}x",
        )
        if n >= TARGET_ROWS and total > TARGET_SECONDS:
            ok = False
    console.print(timing)
    for n in args.sizes:
        ours_rate = sum(results[n]["rows"].values()) / results[n]["generate"]
        console.print(
            f"{n:,} apps: ours generates {ours_rate:,.0f} rows/s over all tables, the peer {1 / peer_per_row:,.0f}"
            f" rows/s of applications ({ours_rate * peer_per_row:.1f}x per row)"
        )
    console.print(
        f"* peer = naive row-by-row generator, applications table only, extrapolated from {args.peer_sample:,} rows"
    )
    verdict = "[green]meets[/]" if ok else "[red]misses[/]"
    console.print(
        f"Target: {TARGET_ROWS:,} applications generated and written in under {TARGET_SECONDS:.0f} s: {verdict}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
