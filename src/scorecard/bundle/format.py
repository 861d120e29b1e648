"""The bundle's on-disk format: version, file names and canonical JSON (stdlib only).

Canonical JSON makes exports byte-identical: UTF-8, keys sorted, two-space indent, a final newline,
floats written by Python's shortest round-trip ``repr`` (so a split point reads back bit for bit),
no NaN or infinity (they are not JSON; missing numbers are written as ``null``).
"""

from __future__ import annotations

import hashlib
import json
import math
from importlib import resources
from typing import Any

from scorecard.errors import BundleError

FORMAT_VERSION = "2.0"
"""``major.minor``: a runtime reads bundles of its own major version and a minor version up to its own.

2.0 (hard limits, the ``incomplete`` rule, knock-outs' ``if_missing``, credit limits, signing): a 1.x runtime
would ignore rules that keep incomplete or impossible records from being approved, so it must refuse these
bundles, and a 1.x bundle lacks them, so this runtime refuses it (re-export it from its run)."""

MANIFEST = "manifest.json"
SCHEMA = "schema.json"
SCORECARD = "scorecard.json"
CALIBRATION = "calibration.json"
REASONS = "reasons.json"
POLICY = "policy.json"
CHALLENGER = "challenger.txt"
CHALLENGER_DESIGN = "challenger.json"
SIGNATURE = "manifest.sig"
"""HMAC-SHA256 of ``manifest.json`` under the exporter's key (see ``signing``); not listed in the manifest."""

JSON_FILES = (SCHEMA, SCORECARD, CALIBRATION, REASONS, POLICY)
"""Files every bundle holds besides the manifest; ``challenger.txt`` + ``challenger.json`` are optional."""

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
"""Fixed modification time of every zip entry (the earliest a zip can store), for byte-identical archives."""


def parse_version(text: str) -> tuple[int, int]:
    """``"1.0"`` -> ``(1, 0)``; BundleError on anything else."""
    major, sep, minor = str(text).partition(".")
    if not (sep and major.isdigit() and minor.isdigit()):
        raise BundleError(f"format_version must look like 'MAJOR.MINOR'; got {text!r}")
    return int(major), int(minor)


def unreadable(version: str) -> str | None:
    """Why this runtime cannot read a bundle written in ``version`` (None when it can)."""
    major, minor = parse_version(version)
    own_major, own_minor = parse_version(FORMAT_VERSION)
    if major < own_major:
        return (
            f"bundle format {version} is older than this runtime reads ({own_major}.x); re-export it from its "
            "run: scorecard export --run RUN_DIR"
        )
    if major > own_major or minor > own_minor:
        return (
            f"bundle format {version} cannot be read by this runtime (reads {FORMAT_VERSION} and older minor "
            "versions); upgrade scorecard"
        )
    return None


def _plain(value: Any, where: str) -> Any:
    """Turn numpy scalars, tuples and Paths into plain JSON values; refuse NaN and infinity."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BundleError(
                f"{where}: {value!r} cannot be written to JSON; write null for a missing number"
            )
        return float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    item = getattr(value, "item", None)  # numpy scalar
    if callable(item):
        return _plain(item(), where)
    raise BundleError(f"{where}: cannot write a {type(value).__name__} to JSON")


def canonical_json(obj: Any, where: str = "$") -> bytes:
    """Serialise ``obj`` to canonical JSON bytes (see module docstring)."""
    text = json.dumps(_plain(obj, where), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def json_schema(file_name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) shipped for one bundle file, e.g. ``json_schema("scorecard.json")``."""
    stem = file_name.removesuffix(".json")
    path = resources.files("scorecard.bundle") / "schemas" / f"{stem}.schema.json"
    if not path.is_file():
        raise BundleError(f"no JSON Schema for bundle file {file_name!r}")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema
