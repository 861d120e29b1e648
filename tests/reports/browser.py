"""A real browser for the HTML documents: headless Chromium driven over the DevTools protocol (stdlib only).

``render(path, screenshot)`` opens a local HTML file in a fresh profile, records every request the page makes,
waits for the load event and returns what the page shows: its h2 headings, each image's load state and the
requested URLs; it saves a screenshot of the first screen. The websocket client is the few lines the protocol
needs (text frames, client masking, server frames of any length).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1200,1600",
)
PAGE_STATE = """JSON.stringify({
  headings: Array.from(document.querySelectorAll('h2')).map(h => h.textContent),
  images: Array.from(document.images).map(i => ({alt: i.alt, loaded: i.complete && i.naturalWidth > 0,
                                                 scheme: i.currentSrc.split(':')[0]})),
  scripts: document.scripts.length
})"""


def chromium() -> str | None:
    """The Chromium executable, or None where it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Rendered:
    headings: list[str]
    images: list[dict[str, Any]]
    requests: list[str]
    scripts: int


class _Socket:
    """A websocket client for one DevTools target."""

    def __init__(self, url: str) -> None:
        parts = urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=120)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        self.buffer = bytearray()
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, rest = bytes(self.buffer).partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError(f"DevTools refused the websocket: {head[:200]!r}")
        self.buffer = bytearray(rest)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("DevTools closed the connection")
        self.buffer += chunk

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._fill()
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        n = len(data)
        header = bytes([0x81]) + (
            bytes([0x80 | n])
            if n < 126
            else bytes([0x80 | 126]) + struct.pack(">H", n)
            if n < 1 << 16
            else bytes([0x80 | 127]) + struct.pack(">Q", n)
        )
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def receive(self) -> dict[str, Any]:
        parts = []
        while True:
            first, second = self._take(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._take(8))[0]
            payload = self._take(n)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the websocket")
            if opcode in (0x0, 0x1, 0x2):
                parts.append(payload)
                if first & 0x80:
                    return json.loads(b"".join(parts))

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} within {timeout} s")
            self.events.append(self.receive())


def _debugger_url(profile: Path, process: subprocess.Popen[bytes]) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while not port_file.is_file() or not port_file.read_text().strip():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Chromium did not start (exit code {process.poll()})")
        time.sleep(0.1)
    port = port_file.read_text().split()[0]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while True:
        targets = json.loads(opener.open(f"http://127.0.0.1:{port}/json/list", timeout=30).read())
        pages = [t for t in targets if t.get("type") == "page"]
        if pages:
            return str(pages[0]["webSocketDebuggerUrl"])
        time.sleep(0.1)


def render(path: Path, screenshot: Path) -> Rendered:
    """Open ``path`` in headless Chromium; return what it shows and save a first-screen screenshot."""
    executable = chromium()
    if executable is None:
        raise RuntimeError("chromium is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp)
        process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            page = _Socket(_debugger_url(profile, process))
            page.call("Network.enable")
            page.call("Page.enable")
            page.call("Page.navigate", url=path.resolve().as_uri())
            page.wait_for("Page.loadEventFired")
            state = json.loads(
                page.call("Runtime.evaluate", expression=PAGE_STATE, returnByValue=True)["result"]["value"]
            )
            shot = page.call("Page.captureScreenshot", format="png")
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            requests = [
                e["params"]["request"]["url"]
                for e in page.events
                if e.get("method") == "Network.requestWillBeSent"
            ]
        finally:
            process.terminate()
            process.wait(timeout=30)
    return Rendered(state["headings"], state["images"], requests, state["scripts"])


MONITORING_HEADINGS = ["Summary", "Run", "Findings", "Population stability", "Feature health"]


def assert_shown_whole(path: Path, screenshot: Path, headings: list[str]) -> None:
    """Every image loaded from the page itself, no request left it, no script ran, the headings appear in order
    and the screenshot is a real picture."""
    shown = render(path, screenshot)
    assert shown.images and all(i["loaded"] for i in shown.images), [
        i["alt"] for i in shown.images if not i["loaded"]
    ]
    assert {i["scheme"] for i in shown.images} == {"data"}
    left = [u for u in shown.requests if not (u.startswith("data:") or u == path.resolve().as_uri())]
    assert left == [], f"requests left the page: {left[:5]}"
    assert shown.scripts == 0
    assert [h for h in shown.headings if h in headings] == headings
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000
