"""Fixtures of the features tests: the hand-made tiny portfolio and card configs over it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from scorecard.config import CardConfig, parse_config
from tests.features.portfolio import tiny_portfolio

BEHAVIOUR_TARGET = {"bad_dpd": 60, "performance_months": 6, "indeterminate_dpd": [30, 59]}
# Two observation months: 2023-10 (matured) and 2024-10 (immature at the 2024-12 as-of month).
BEHAVIOUR_OBSERVATION = {"start": "2023-10-01", "end": "2024-10-01", "cadence_months": 12}


def card_config(card: str, **sections: Any) -> CardConfig:
    """A card config over the tiny portfolio's tables (paths are never read: tables are passed in memory)."""
    sources = {name: {"path": f"{name}.parquet"} for name in tiny_portfolio()}
    if card == "behaviour":
        sections.setdefault("target", BEHAVIOUR_TARGET)
        features = sections.setdefault("features", {})
        features.setdefault("observation", BEHAVIOUR_OBSERVATION)
    return parse_config({"card": card, "name": f"tiny_{card}", "data": {"sources": sources}, **sections})


@pytest.fixture
def tiny() -> dict[str, pd.DataFrame]:
    return tiny_portfolio()
