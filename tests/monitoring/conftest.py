"""Hand-made scorecard spec features shared by the monitoring tests."""

from __future__ import annotations

from typing import Any

import pytest

NUMERIC: dict[str, Any] = {
    "name": "inq_3m",
    "kind": "numerical",
    "splits": [1.0, 3.0],
    "bins": [
        {"label": "(-inf, 1)", "woe": 0.4, "points": 30},
        {"label": "[1, 3)", "woe": 0.0, "points": 20},
        {"label": "[3, inf)", "woe": -0.6, "points": 5},
    ],
    "special": {"codes": [-1], "woe": -0.2, "points": 15},
    "missing": {"woe": 0.0, "points": 20},
    "valid_range": [0.0, 12.0],
}
CATEGORICAL: dict[str, Any] = {
    "name": "channel",
    "kind": "categorical",
    "bins": [
        {"label": "web", "categories": ["online", "mobile_app"], "woe": -0.1, "points": 10},
        {"label": "branch", "categories": ["branch"], "woe": 0.3, "points": 25},
    ],
    "special": {"codes": [], "woe": 0.0, "points": 15},
    "missing": {"woe": 0.0, "points": 15},
    "unknown": {"rule": "scored as missing", "woe": 0.0, "points": 15},
}


@pytest.fixture
def numeric_spec() -> dict[str, Any]:
    """inq_3m: splits 1 and 3, special code -1."""
    return NUMERIC


@pytest.fixture
def categorical_spec() -> dict[str, Any]:
    """channel: online + mobile_app vs branch, no special codes."""
    return CATEGORICAL
