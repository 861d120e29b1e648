"""HTTP serving under load on loopback: ``scorecard serve`` against in-process ``score_one``.

The bench card of ``bench_runtime`` (30 features, 3 knock-outs, top-4 reasons) is served by ``scorecard serve``
in its own process; the load generator runs in another process (plain asyncio sockets, HTTP/1.1 keep-alive,
one record per request), so neither steals the other's interpreter.

- Open loop: requests are sent at a fixed offered rate (100, 500, 1000 /s) whatever the answers; latency is
  measured from each request's scheduled send time (no coordinated omission): p50, p99 and errors.
  Target: p99 < 5 ms at 500 /s with 0 errors.
- Closed loop: 1, 16 and 64 clients each send the next request when the answer arrives: throughput, beside
  in-process ``score_one`` calls per second, so the HTTP overhead is visible.

Each phase is bounded by ``--seconds`` and by ``--max-requests``. The machine may be shared: read ratios.

Usage: python benchmarks/bench_serve.py [--seconds 5] [--max-requests 20000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
TARGET_P99_MS, TARGET_RATE = 5.0, 500


# ----------------------------------------------------------------------------------- load generator
async def _connection(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


def _request(body: bytes) -> bytes:
    head = f"POST /score HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request, read one response; its HTTP status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    await reader.readexactly(length)
    return status


async def open_loop(
    port: int, bodies: list[bytes], rate: float, seconds: float, limit: int
) -> dict[str, Any]:
    """Offered load at ``rate`` /s; latency from the scheduled send time."""
    n = min(int(rate * seconds), limit)
    queue: asyncio.Queue[int] = asyncio.Queue()
    latencies = np.full(n, np.nan)
    errors = 0
    start = time.perf_counter() + 0.05

    async def worker() -> None:
        nonlocal errors
        reader, writer = await _connection(port)
        while True:
            i = await queue.get()
            try:
                status = await _exchange(reader, writer, bodies[i % len(bodies)])
                errors += status != 200
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                reader, writer = await _connection(port)
            latencies[i] = time.perf_counter() - (start + i / rate)
            queue.task_done()

    workers = [asyncio.create_task(worker()) for _ in range(64)]
    for i in range(n):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait(i)
    await queue.join()
    for w in workers:
        w.cancel()
    ms = latencies * 1000
    return {"rate": rate, "n": n, "p50": float(np.nanpercentile(ms, 50)), "p99": float(np.nanpercentile(ms, 99)),
            "errors": errors}  # fmt: skip


async def closed_loop(
    port: int, bodies: list[bytes], clients: int, seconds: float, limit: int
) -> dict[str, Any]:
    """``clients`` connections, each sending the next request when its answer arrives."""
    done = errors = 0
    deadline = time.perf_counter() + seconds

    async def client(k: int) -> None:
        nonlocal done, errors
        reader, writer = await _connection(port)
        i = k
        while time.perf_counter() < deadline and done < limit:
            status = await _exchange(reader, writer, bodies[i % len(bodies)])
            done += 1
            errors += status != 200
            i += clients

    started = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    elapsed = time.perf_counter() - started
    return {"clients": clients, "n": done, "rps": done / elapsed, "errors": errors}


def generate(args: argparse.Namespace) -> None:
    """The load generator process: prints one JSON line of results."""
    bodies = [_request(line.encode()) for line in Path(args.records).read_text().splitlines()]

    async def run() -> dict[str, Any]:
        # warm-up: every connection path, the server's first-request costs
        await closed_loop(args.port, bodies, 4, 1.0, 500)
        opened = [
            await open_loop(args.port, bodies, r, args.seconds, args.max_requests) for r in (100, 500, 1000)
        ]
        closed = [
            await closed_loop(args.port, bodies, c, args.seconds, args.max_requests) for c in (1, 16, 64)
        ]
        return {"open": opened, "closed": closed}

    print(json.dumps(asyncio.run(run())))


# --------------------------------------------------------------------------------------------- main
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bench_bundle(folder: Path, rows: int) -> tuple[Path, list[dict[str, Any]]]:
    sys.path.insert(0, str(HERE))
    from bench_runtime import bundle_documents, fit_peer, portfolio

    from scorecard.bundle.export import write_bundle

    X, y = portfolio(rows, 30)
    peer = fit_peer(X, y)
    path = write_bundle(
        bundle_documents(peer, X), folder, card={"name": "bench_card", "type": "application"},
        model_version="bench", created_at="2026-01-01T00:00:00Z", data_fingerprint="0" * 64,
    )  # fmt: skip
    rng = np.random.default_rng(2)
    frame = X.assign(national_id_hash=rng.choice(["h0", "h9"], len(X)), device_emulator=False)
    records = json.loads(frame.iloc[:2000].to_json(orient="records"))
    return path, records


def _load(average: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.1f}" for x in average)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--max-requests", type=int, default=20_000, help="cap on requests per phase")
    parser.add_argument("--quick", action="store_true", help="2 s phases")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--records", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        generate(args)
        return 0
    if args.quick:
        args.seconds = 2.0
    from rich.console import Console
    from rich.table import Table

    from scorecard.bundle.runtime import load_bundle

    console = Console()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        bundle_dir, records = _bench_bundle(Path(tmp) / "bundle", 20_000)
        records_file = Path(tmp) / "records.jsonl"
        records_file.write_text("\n".join(json.dumps(r) for r in records))
        bundle = load_bundle(bundle_dir)
        for r in records:
            bundle.score_one(r)
        started = time.perf_counter()
        for r in records * 5:
            bundle.score_one(r)
        in_process = 5 * len(records) / (time.perf_counter() - started)

        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "scorecard.cli", "serve", "--bundle", str(bundle_dir), "--port", str(port),
             "--poll-seconds", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        console.print("[red]server did not start[/]")
                        return 1
                    time.sleep(0.2)
            out = subprocess.run(
                [sys.executable, __file__, "--generate", "--port", str(port), "--records", str(records_file),
                 "--seconds", str(args.seconds), "--max-requests", str(args.max_requests)],
                capture_output=True, text=True, check=True, timeout=120 + 10 * args.seconds,
            )  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)
    result = json.loads(out.stdout)
    table = Table(title="scorecard serve on loopback, open loop (one record per request)")
    for column in ("offered /s", "requests", "p50 ms", "p99 ms", "errors", "target", "met"):
        table.add_column(column, justify="right")
    ok = True
    for r in result["open"]:
        target = r["rate"] == TARGET_RATE
        met = r["p99"] < TARGET_P99_MS and r["errors"] == 0
        ok = ok and (met or not target)
        table.add_row(f"{r['rate']:.0f}", f"{r['n']:,}", f"{r['p50']:.2f}", f"{r['p99']:.2f}", str(r["errors"]),
                      f"p99 < {TARGET_P99_MS:.0f} ms, 0 errors" if target else "",
                      ("yes" if met else "NO") if target else "")  # fmt: skip
    console.print(table)
    table = Table(title="closed loop: maximum throughput beside in-process score_one")
    for column in ("clients", "requests", "requests/s", "in-process score_one /s", "HTTP cost per request"):
        table.add_column(column, justify="right")
    for r in result["closed"]:
        overhead_us = 1e6 / r["rps"] - 1e6 / in_process
        table.add_row(str(r["clients"]), f"{r['n']:,}", f"{r['rps']:,.0f}", f"{in_process:,.0f}",
                      f"{overhead_us:,.0f} us")  # fmt: skip
        ok = ok and r["errors"] == 0
    console.print(table)
    console.print(
        f"cores: {os.cpu_count()}; the generator and the server run as separate processes; load average "
        f"(1/5/15 min) {_load(load_before)} before, {_load(os.getloadavg())} after"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
