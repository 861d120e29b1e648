"""The ASGI app: ``POST /score`` (one record or a list), ``GET /health``, ``GET /ready``.

Every response names the bundle served (``X-Bundle`` header; ``bundle`` in JSON bodies). A request body
over ``max_body_bytes`` is 413, a body that is not JSON is 400, a record that does not match the bundle's
request schema (``request_schema``) is 422 naming the record and the field; a valid record always scores
(a bad value gives that record an error status, see ``scorecard.bundle.fields``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from collections.abc import AsyncIterator
from typing import Any

import jsonschema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scorecard.bundle.runtime import Bundle
from scorecard.serving.source import Served

MAX_BODY_BYTES = 1 << 20
MAX_RECORDS = 10_000
_JSON_TYPES = {
    "number": ["number", "string", "null"],
    "category": ["string", "number", "boolean", "null"],
    "string": ["string", "number", "boolean", "null"],
    "boolean": ["boolean", "number", "string", "null"],
}


def request_schema(bundle: Bundle) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one record: an object with every required field, of a JSON type the
    field's reader accepts; other keys pass (and are ignored)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": list(bundle.required),
        "properties": {name: {"type": _JSON_TYPES[kind]} for name, kind in bundle.fields.items()},
    }


_PYTHON_TYPES = {"number": (int, float), "string": (str,), "boolean": (bool,), "null": (type(None),)}


class RecordCheck:
    """The request schema of one bundle, checked fast: a record whose keys and value types plainly match is
    accepted in a few microseconds (exact Python types of parsed JSON, so ``True`` is not a number); any
    other record goes to the full JSON Schema validator, whose first error is the answer. So the verdicts and
    messages are jsonschema's own, without paying its ~0.3 ms per valid record."""

    def __init__(self, bundle: Bundle) -> None:
        schema = request_schema(bundle)
        self.bundle = bundle
        self._validator = jsonschema.Draft202012Validator(schema)
        self._required = tuple(schema["required"])
        self._types = {
            name: frozenset(t for json_type in spec["type"] for t in _PYTHON_TYPES[json_type])
            for name, spec in schema["properties"].items()
        }

    def problem(self, record: Any) -> str | None:
        """None when the record matches the schema, else ``<field path>: <jsonschema's message>``."""
        if type(record) is dict and self._plainly_valid(record):
            return None
        error = next(iter(self._validator.iter_errors(record)), None)
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path) or "<record>"
        return f"{where}: {error.message[:200]}"

    def _plainly_valid(self, record: dict[str, Any]) -> bool:
        types = self._types
        for name in self._required:
            if name not in record:
                return False
        for name, value in record.items():
            allowed = types.get(name)
            if allowed is not None and type(value) not in allowed:
                return False
        return True


def create_app(
    served: Served,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_records: int = MAX_RECORDS,
    poll_seconds: float = 0.0,
) -> Starlette:
    """The app serving ``served``; SIGHUP reloads, and ``poll_seconds`` > 0 reloads when the source changes."""
    check: RecordCheck | None = None

    def reply(body: dict[str, Any], status: int = 200) -> JSONResponse:
        return JSONResponse({**body, "bundle": served.label}, status, headers={"X-Bundle": served.label})

    async def score(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
            return reply({"error": f"request body over {max_body_bytes} bytes"}, 413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body_bytes:
                return reply({"error": f"request body over {max_body_bytes} bytes"}, 413)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return reply({"error": f"request body is not valid JSON ({str(exc)[:80]})"}, 400)
        bundle = served.bundle
        assert bundle is not None  # Served refuses to start without one
        records = payload if isinstance(payload, list) else [payload]
        if len(records) > max_records:
            return reply({"error": f"{len(records)} records in one request; at most {max_records}"}, 413)
        nonlocal check
        if check is None or check.bundle is not bundle:  # compiled once per bundle served
            check = RecordCheck(bundle)
        for i, record in enumerate(records):
            problem = check.problem(record)
            if problem is not None:
                at = f"record {i}: " if isinstance(payload, list) else ""
                return reply({"error": f"{at}{problem}"}, 422)
        results = [bundle.score_one(record) for record in records]
        return reply({"results": results} if isinstance(payload, list) else {"result": results[0]})

    async def health(request: Request) -> Response:
        return reply({"status": "ok", **served.status()})

    async def ready(request: Request) -> Response:
        ok = served.bundle is not None
        return reply({"ready": ok}, 200 if ok else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, served.reload))
        task = asyncio.create_task(_poll(served, poll_seconds)) if poll_seconds > 0 else None
        yield
        if task is not None:
            task.cancel()

    routes = [
        Route("/score", score, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _poll(served: Served, seconds: float) -> None:
    """Reload whenever the source offers another version (a registry alias moved, a bundle rewritten)."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(seconds)
        if await loop.run_in_executor(None, served.changed):
            await loop.run_in_executor(None, served.reload)
