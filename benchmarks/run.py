"""Run every benchmark script (``make bench``); each prints its own table of ratios against its peer.

Usage: ``python benchmarks/run.py [NAME ...]`` where NAME filters scripts (e.g. ``runtime quality``).
Extra arguments after ``--`` are passed to every script (e.g. ``-- --quick``).

Each script runs in its own process group and is stopped, with everything it started (a server, a load
generator), after ``BENCH_TIMEOUT_SECONDS`` (default 3600) or the limit in ``TIMEOUTS``; a script stopped
that way counts as failed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_SECONDS = float(os.environ.get("BENCH_TIMEOUT_SECONDS", 3600))
TIMEOUTS = {
    "bench_runtime": 1200.0,
    "bench_serve": 600.0,
}  # seconds; each script's own phases are bounded too


def run_bounded(command: list[str], seconds: float) -> int | None:
    """Run ``command``; its exit code, or None when it was stopped after ``seconds`` (with its children)."""
    process = subprocess.Popen(command, start_new_session=True)
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        return None
    except KeyboardInterrupt:
        os.killpg(process.pid, signal.SIGTERM)
        raise


def main(argv: list[str]) -> int:
    names, _, extra = (
        (argv[: argv.index("--")], None, argv[argv.index("--") + 1 :]) if "--" in argv else (argv, None, [])
    )
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        started = time.perf_counter()
        limit = min(TIMEOUTS.get(script.stem, TIMEOUT_SECONDS), TIMEOUT_SECONDS)
        code = run_bounded([sys.executable, str(script), *extra], limit)
        took = f"{time.perf_counter() - started:.0f} s"
        print(f"--- {script.stem}: {f'exit {code}' if code is not None else 'STOPPED at its time limit'}, "
              f"{took}, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)  # fmt: skip
        if code != 0:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed or below target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
