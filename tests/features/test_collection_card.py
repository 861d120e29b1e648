"""Collection card on the tiny portfolio: case features at entry and the cure target, worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from scorecard.features.build import ModelingTable, build_modeling_table
from tests.features.conftest import card_config
from tests.features.portfolio import tiny_portfolio

EXPECTED = {  # cases in key order K1, K2, K3, K4
    "coll_dpd_at_entry": [20, 25, 20, 50],
    "coll_balance": [8000, 2000, 2000, 8000],
    "coll_prior_episodes": [0, 0, 1, 1],  # K3 after K2 (C2), K4 after K1 (C1)
    "coll_prior_cures": [0, 0, 1, 0],  # K2 cured 2024-06-30 < K3's entry; K1 never cured
    "coll_contact_attempts": [3, 1, 2, 7],
    "coll_promise_to_pay": [1, 1, 0, 0],
    # last month with a payment that ended before entry: 2023-07-31, 2024-04-30, 2024-10-31, 2023-07-31
    "coll_days_since_last_payment": [20, 36, 40, 66],
}


@pytest.fixture(scope="module")
def table() -> ModelingTable:
    return build_modeling_table(
        tiny_portfolio(), card_config("collection", features={"families": ["collection"]})
    )


@pytest.mark.parametrize("feature", sorted(EXPECTED))
def test_features(table: ModelingTable, feature: str) -> None:
    assert list(table.frame["case_id"]) == ["K1", "K2", "K3", "K4"]
    assert table.frame[feature].to_numpy() == pytest.approx(EXPECTED[feature])


def test_cure_targets(table: ModelingTable) -> None:
    # K1 (08-20): Aug 15, Sep 45 DPD -> not cured; K2 (06-05): June 0 -> cured; K3 (12-10): decided by the
    # January 2025 report, not yet there; K4 (10-05): Oct 75, Nov 0 (report holding 11-04) -> cured.
    assert list(table.frame["target_status"]) == ["bad", "good", "immature", "good"]
    assert table.frame["target"].to_numpy() == pytest.approx([1, 0, float("nan"), 0], nan_ok=True)
    assert table.target_summary == {"goods": 2, "bads": 1, "indeterminates": 0, "immature": 1, "rejects": 0}


def test_cure_can_be_the_modelled_event_and_window_configurable(tiny: dict[str, pd.DataFrame]) -> None:
    cure_is_bad = card_config(
        "collection", features={"families": ["collection"]}, target={"bad_event": "cure"}
    )
    assert list(build_modeling_table(tiny, cure_is_bad).frame["target"][[0, 1, 3]]) == [0.0, 1.0, 1.0]
    # 10 days: K4 (10-05) is judged on the October report alone (75 DPD) -> not cured; K3 (12-10) on the
    # December report (0 DPD), already there -> cured.
    short = card_config("collection", features={"families": ["collection"]}, target={"cure_days": 10})
    assert list(build_modeling_table(tiny, short).frame["target_status"]) == ["bad", "good", "good", "bad"]
