"""Stopping a server a test started in its own process group (the CLI and whatever it spawned, nothing else)."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_group(process: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the process group, and SIGKILL it if it has not ended within ``grace`` seconds."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
