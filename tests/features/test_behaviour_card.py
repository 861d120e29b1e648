"""Behaviour card on the tiny portfolio: spine, features and 60+ DPD in 6 months target, worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from scorecard.features.build import ModelingTable, build_modeling_table
from tests.features.conftest import card_config
from tests.features.portfolio import tiny_portfolio

KEYS = [
    ("L1", "2023-10-01"),
    ("L2", "2023-10-01"),
    ("L2", "2024-10-01"),
    ("L3", "2024-10-01"),
    ("L4", "2023-10-01"),
]

# At 2023-10-01 the reports of Mar-Sep 2023 (L1), Apr-Sep (L2), Feb-Sep (L4) are known.
EXPECTED_2023_10 = {
    "beh_months_on_book": {"L1": 7, "L2": 6, "L4": 8},
    "beh_worst_dpd_3m": {"L1": 45, "L2": 0, "L4": 0},  # Jul-Sep
    "beh_worst_dpd_6m": {"L1": 45, "L2": 0, "L4": 15},  # Apr-Sep
    "beh_worst_dpd_12m": {"L1": 45, "L2": 0, "L4": 15},
    "beh_missed_payments_6m": {"L1": 2, "L2": 0, "L4": 1},  # L1 Aug, Sep; L4 May
    "beh_paid_over_due_6m": {"L1": 4000 / 6000, "L2": 1.0, "L4": 600 / 600},
    "beh_balance_trend_6m": {"L1": 8000 / 11000, "L2": 1.0, "L4": 1.0},  # Sep balance / Apr balance
    "beh_utilisation": {"L1": 8000 / 12000, "L2": 2000 / 5000, "L4": 1000 / 3000},
}


@pytest.fixture(scope="module")
def table() -> ModelingTable:
    return build_modeling_table(
        tiny_portfolio(), card_config("behaviour", features={"families": ["behaviour"]})
    )


def test_one_row_per_active_loan_per_observation_month(table: ModelingTable) -> None:
    assert table.keys == ["loan_id", "snapshot_date"]
    got = list(zip(table.frame["loan_id"], table.frame["snapshot_date"].dt.strftime("%Y-%m-%d"), strict=True))
    assert got == KEYS  # L1 paid off in 2024-03 and L4 ended in 2024-01: not active in 2024-10


@pytest.mark.parametrize("feature", sorted(EXPECTED_2023_10))
def test_features_at_2023_10(table: ModelingTable, feature: str) -> None:
    rows = table.frame[table.frame["snapshot_date"] == pd.Timestamp("2023-10-01")].set_index("loan_id")
    assert rows[feature].to_dict() == pytest.approx(EXPECTED_2023_10[feature])


def test_targets(table: ModelingTable) -> None:
    # L1 reaches 75 DPD in Oct 2023 (bad); L2 and L4 stay below 30 (good); 2024-10 windows end after 2024-12.
    assert list(table.frame["target_status"]) == ["bad", "good", "immature", "immature", "good"]
    assert table.target_summary == {"goods": 2, "bads": 1, "indeterminates": 0, "immature": 2, "rejects": 0}


def test_already_bad_loans_are_not_observed(tiny: dict[str, pd.DataFrame]) -> None:
    # At 2023-11 L1's October report shows 75 DPD (>= 60): it is not an active performing loan then.
    cfg = card_config(
        "behaviour",
        features={"families": ["behaviour"], "observation": {"start": "2023-11-01", "end": "2023-11-01"}},
    )
    assert list(build_modeling_table(tiny, cfg).frame["loan_id"]) == ["L2", "L4"]
