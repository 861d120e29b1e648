"""Application card on the tiny portfolio: every feature and target worked out by hand (see portfolio.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from scorecard.features.build import ModelingTable, build_modeling_table
from tests.features.conftest import card_config
from tests.features.portfolio import tiny_portfolio

NAN = math.nan
NO_FILE = -1.0

# Worked by hand from tests/features/portfolio.py; comments give the reasoning for A1 (2023-03-10).
EXPECTED = {
    # inquiries Q2 (03-01) in 1m; + Q3 (02-01), Q4 (12-15) in 3m; + Q5 in 6m; + Q6 in 12m; Q1 same day: out
    "bureau_inq_1m": [1, 1, NO_FILE, 0, NO_FILE, NO_FILE],
    "bureau_inq_3m": [3, 1, NO_FILE, 0, NO_FILE, NO_FILE],
    "bureau_inq_6m": [4, 1, NO_FILE, 0, NO_FILE, NO_FILE],
    "bureau_inq_12m": [5, 1, NO_FILE, 0, NO_FILE, NO_FILE],
    "bureau_lenders_inq_3m": [2, 1, NO_FILE, 0, NO_FILE, NO_FILE],  # BankX twice + BankY
    # latest states before 03-10: T1@02-28, T2@2022-12-31 (its 03-10 report is not before), T3 closed 2020
    "bureau_open_tradelines": [2, 0, NO_FILE, 2, NO_FILE, NO_FILE],
    "bureau_total_limit": [15000, 0, NO_FILE, 15000, NO_FILE, NO_FILE],
    "bureau_utilisation": [11500 / 15000, NAN, NO_FILE, 12000 / 15000, NO_FILE, NO_FILE],
    "bureau_worst_dpd_ever": [35, NAN, NO_FILE, 60, NO_FILE, NO_FILE],
    "bureau_worst_dpd_12m": [
        35,
        NAN,
        NO_FILE,
        0,
        NO_FILE,
        NO_FILE,
    ],  # A4: last delinquency 2023-03-20 < 2023-06-01
    "bureau_months_since_delinquency": [3, NAN, NO_FILE, 14, NO_FILE, NO_FILE],  # 2022-11-30 -> 2023-03-10
    "bureau_months_since_oldest_tradeline": [93, NAN, NO_FILE, 108, NO_FILE, NO_FILE],  # 2015-05-20 -> ...
    # A1 anchor = own session E9 (rooted, GPS south vs declared north); E7/E8 after the session: out
    "device_emulator_or_rooted": [1, 0, 1, 0, 0, NAN],
    "device_customers_30d": [2, 0, 0, 0, 0, NAN],  # D1 since 02-08: C1, C2 (E5)
    "device_customers_90d": [3, 3, 3, 0, 0, NAN],  # + C3 (E6, 01-15)
    "device_devices_90d": [2, 1, 0, 0, 0, 0],  # D1, D2 (E4's D3 is 99 days old)
    "device_ip_changes_30d": [1, 0, 0, 0, 0, 0],  # IP2, IP2, IP1, IP1
    "device_gps_province_mismatch": [1, NAN, 0, 0, NAN, NAN],
    "app_age_years": [32, 38, 23, 33, 53, 52],
    "app_income": [3000, NAN, 0, 3000, 2500, 2500],
    "app_debt_to_income": [1000 / 3000, NAN, NAN, 250 / 3000, (2000 / 12) / 2500, 300 / 2500],
    "app_requested_amount": [12000, 5000, 1000, 3000, 2000, 3000],
    "app_requested_term": [12, 24, 6, 12, 12, 10],
}


@pytest.fixture(scope="module")
def table() -> ModelingTable:
    return build_modeling_table(tiny_portfolio(), card_config("application"))


def test_rows_keys_and_columns_follow_the_contract(table: ModelingTable) -> None:
    frame = table.frame
    assert table.keys == ["application_id"]
    assert list(frame["application_id"]) == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert list(frame.columns) == [
        "application_id",
        "snapshot_date",
        *table.features,
        "target",
        "target_status",
        "split",
    ]
    assert frame["snapshot_date"].dtype == "datetime64[ns]"
    assert frame["snapshot_date"].iloc[0] == pd.Timestamp("2023-03-10")
    assert table.categorical == ["app_channel", "app_product"]
    numeric = [f for f in table.features if f not in table.categorical]
    assert (frame[numeric].dtypes == "float64").all()
    assert frame["target"].dtype == "float64"


@pytest.mark.parametrize("feature", sorted(EXPECTED))
def test_feature_values_match_hand_computation(table: ModelingTable, feature: str) -> None:
    got = table.frame[feature].to_numpy()
    assert got == pytest.approx(EXPECTED[feature], nan_ok=True)


def test_categoricals_are_strings(table: ModelingTable) -> None:
    assert list(table.frame["app_channel"]) == ["online", "branch", "mobile_app", "agent", "branch", "agent"]
    assert list(table.frame["app_product"]) == [
        "cash_loan",
        "credit_card",
        "pos_loan",
        "cash_loan",
        "cash_loan",
        "pos_loan",
    ]


def test_no_bureau_file_code_is_configurable_and_distinct_from_missing(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config("application", features={"families": ["bureau"], "no_bureau_code": -9})
    frame = build_modeling_table(tiny, cfg).frame.set_index("application_id")
    assert (
        (
            frame.loc[["A3", "A5", "A6"]].drop(columns=["snapshot_date", "target", "target_status", "split"])
            == -9
        )
        .all()
        .all()
    )
    assert math.isnan(frame.loc["A2", "bureau_worst_dpd_ever"])  # a file without tradelines: missing, not -9


def test_targets_and_summary(table: ModelingTable) -> None:
    frame = table.frame
    assert list(frame["target_status"]) == ["bad", "good", "reject", "immature", "reject", "indeterminate"]
    assert frame["target"].to_numpy() == pytest.approx([1, 0, NAN, NAN, NAN, NAN], nan_ok=True)
    assert table.target_summary == {"goods": 1, "bads": 1, "indeterminates": 1, "immature": 1, "rejects": 2}
    assert list(frame["split"] == "excluded") == [False, False, True, True, True, True]


def test_indeterminates_kept_as_good_when_configured(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config("application", features={"families": ["application"]}, target={"indeterminate": "good"})
    table = build_modeling_table(tiny, cfg)
    a6 = table.frame.set_index("application_id").loc["A6"]
    assert (a6["target_status"], a6["target"]) == ("indeterminate", 0.0)
    assert a6["split"] != "excluded"
    assert table.target_summary["indeterminates"] == 1


def test_bad_threshold_and_window_come_from_config(tiny: dict[str, pd.DataFrame]) -> None:
    # L1's reports after March 2023: 0 0 0 0 (Apr-Jul), 15 (Aug), 45 (Sep), 75 (Oct).
    def a1_status(**target: object) -> str:
        cfg = card_config("application", features={"families": ["application"]}, target=target)
        return str(build_modeling_table(tiny, cfg).frame["target_status"].iloc[0])

    assert a1_status(performance_months=4) == "good"
    assert a1_status(performance_months=5) == "indeterminate"
    assert a1_status(performance_months=6) == "bad"
    assert a1_status(bad_dpd=90, indeterminate_dpd=[30, 89]) == "indeterminate"
    assert a1_status(bad_dpd=90, indeterminate_dpd=None) == "good"


def test_database_file_engine_gives_the_same_table(tmp_path: Path, table: ModelingTable) -> None:
    cfg = card_config("application", features={"database": str(tmp_path / "features.duckdb"), "threads": 1})
    on_disk = build_modeling_table(tiny_portfolio(), cfg)
    pd.testing.assert_frame_equal(on_disk.frame, table.frame)
    assert (tmp_path / "features.duckdb").exists()
