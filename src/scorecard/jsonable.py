"""Strict JSON for the files the toolkit writes: numpy scalars as numbers, NaN / inf as null, paths as text."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """``value`` with every nested numpy scalar, non-finite float and path made plain JSON."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as indented strict JSON (no NaN)."""
    path.write_text(json.dumps(jsonable(payload), indent=2, allow_nan=False) + "\n")
