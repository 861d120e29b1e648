"""Custom features from the config: values worked by hand on the tiny portfolio, and one-line errors."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from scorecard.errors import ConfigError, DataError
from scorecard.features.build import build_modeling_table, columns_read, extra_columns
from scorecard.features.custom import custom_defs
from tests.features.conftest import card_config

CUSTOM: list[dict[str, Any]] = [
    {"name": "x_requested", "table": "applications", "column": "requested_amount"},
    {"name": "x_channel", "table": "applications", "column": "channel", "kind": "categorical"},
    {"name": "x_education", "table": "customers", "column": "education", "kind": "categorical"},
    {
        "name": "x_new_credit_inq_6m",
        "table": "bureau_inquiries",
        "agg": "count",
        "filter": "purpose = 'new_credit'",
        "window_months": 6,
    },
    {
        "name": "x_card_balance_sum",
        "table": "bureau_tradelines",
        "agg": "sum",
        "column": "balance",
        "filter": "product_type IN ('credit_card') AND NOT balance IS NULL",
    },
    {"name": "x_last_worst_dpd", "table": "bureau_tradelines", "agg": "last", "column": "worst_dpd"},
    {"name": "x_months_since_inquiry", "table": "bureau_inquiries", "agg": "months_since"},
    {
        "name": "x_emulator_events_120d",
        "table": "device_events",
        "agg": "count",
        "filter": "is_emulator = true",
        "window_days": 120,
    },
    {
        "name": "x_loan_worst_dpd_12m",
        "table": "loan_performance",
        "agg": "max",
        "column": "dpd",
        "window_months": 12,
    },
    {"name": "x_prior_app_amount", "table": "applications", "agg": "mean", "column": "requested_amount"},
]


def _build(tiny: dict[str, pd.DataFrame], custom: list[dict[str, Any]]) -> pd.DataFrame:
    cfg = card_config("application", features={"families": ["application"], "custom": custom})
    return build_modeling_table(tiny, cfg).frame.set_index("application_id")


def test_custom_features_worked_by_hand(tiny: dict[str, pd.DataFrame]) -> None:
    frame = _build(tiny, CUSTOM)
    assert frame.loc["A1", "x_requested"] == 12000.0
    assert frame.loc["A2", "x_channel"] == "branch"
    assert frame.loc["A4", "x_education"] == "bachelor"
    # C1 at 2023-03-10: new_credit inquiries before it, from 2022-09-10: Q2, Q3, Q5 (Q1 same day, Q4 a limit increase)
    assert frame.loc["A1", "x_new_credit_inq_6m"] == 3
    assert frame.loc["A4", "x_new_credit_inq_6m"] == 0  # nothing in 2023-12 .. 2024-05
    assert frame.loc["A2", "x_new_credit_inq_6m"] == 1  # Q9
    # card reports of T1 before 2023-03-10: 1,000 + 2,500; at 2024-06-01 also the 4,000 of 2023-03-31
    assert frame.loc["A1", "x_card_balance_sum"] == 3500.0
    assert frame.loc["A4", "x_card_balance_sum"] == 7500.0
    assert frame.loc["A2", "x_card_balance_sum"] == 0.0  # no tradeline: sum of nothing
    assert frame.loc["A1", "x_last_worst_dpd"] == 35.0  # T1's 2023-02-28 report is the latest before
    assert frame.loc["A4", "x_last_worst_dpd"] == 60.0
    assert pd.isna(frame.loc["A2", "x_last_worst_dpd"])
    assert frame.loc["A1", "x_months_since_inquiry"] == 0.0  # 2023-03-01
    assert frame.loc["A4", "x_months_since_inquiry"] == 13.0  # Q8 2023-05-01 -> 2024-06-01
    assert pd.isna(frame.loc["A6", "x_months_since_inquiry"])
    assert frame.loc["A3", "x_emulator_events_120d"] == 1  # E6 2023-01-15 is 110 days before 2023-05-05
    # C1 at 2024-06-01: L1's reports 2023-06 .. 2024-03 (worst 75 in 2023-10); L3's June report not known yet
    assert frame.loc["A4", "x_loan_worst_dpd_12m"] == 75.0
    assert pd.isna(frame.loc["A1", "x_loan_worst_dpd_12m"])  # L1's first month has not ended at 2023-03-10
    assert frame.loc["A4", "x_prior_app_amount"] == 12000.0  # A1 is C1's only earlier application
    assert frame.loc["A5", "x_prior_app_amount"] == 3000.0  # A6 of 2023-02-01
    assert pd.isna(frame.loc["A1", "x_prior_app_amount"])


def test_custom_features_are_listed_typed_and_read_their_columns() -> None:
    cfg = card_config("application", features={"families": ["application"], "custom": CUSTOM})
    defs = {d.name: d for d in custom_defs(cfg)}
    assert defs["x_channel"].kind == "categorical" and defs["x_channel"].family == "custom"
    assert (
        defs["x_new_credit_inq_6m"].definition
        == "count of bureau_inquiries.rows where purpose = 'new_credit'"
    )
    assert defs["x_new_credit_inq_6m"].window == "6 months"
    assert defs["x_emulator_events_120d"].window == "120 days"
    reads = columns_read(cfg)
    assert {"purpose", "inquiry_date", "customer_id"} <= set(reads["bureau_inquiries"])
    assert {"loan_id", "month", "dpd"} <= set(reads["loan_performance"])
    assert extra_columns(cfg) == {}


def test_source_columns_are_carried_and_named_when_missing(tiny: dict[str, pd.DataFrame]) -> None:
    custom = [
        {"name": "ext_score", "table": "applications", "column": "EXT_SOURCE_2"},
        {"name": "big_lines", "table": "bureau_tradelines", "agg": "count", "filter": "AMT_SPECIAL > 10"},
    ]
    cfg = card_config("application", features={"families": ["application"], "custom": custom})
    assert extra_columns(cfg) == {
        "applications": {"EXT_SOURCE_2": "features.custom[ext_score].column"},
        "bureau_tradelines": {"AMT_SPECIAL": "features.custom[big_lines].filter"},
    }
    with pytest.raises(
        DataError, match=r"^applications: column 'EXT_SOURCE_2' read by features.custom\[ext_score\]"
    ):
        build_modeling_table(tiny, cfg)
    tables = dict(tiny)
    tables["applications"] = tiny["applications"].assign(EXT_SOURCE_2=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    tables["bureau_tradelines"] = tiny["bureau_tradelines"].assign(AMT_SPECIAL=[5, 20, 30, 40, 50, 60])
    frame = build_modeling_table(tables, cfg).frame.set_index("application_id")
    assert frame.loc["A6", "ext_score"] == 0.6
    # before 2023-03-10 and above 10: T1 2023-02-28 (20), T2 2022-12-31 (40), T3 2020-01-31 (60); not T1 01-31 (5)
    assert frame.loc["A1", "big_lines"] == 3


@pytest.mark.parametrize(
    ("feature", "message"),
    [
        (
            {"name": "x", "table": "bureau_tradelines", "column": "balance"},
            r"features.custom\[x\].table: a pass-through reads one row per application row",
        ),
        (
            {"name": "app_income", "table": "customers", "column": "income"},
            r"features.custom\[app_income\].name: 'app_income' is a built-in feature",
        ),
        (
            {"name": "x", "table": "customers", "agg": "count"},
            r"features.custom\[x\].table: aggregations read a child table",
        ),
        (
            {"name": "x", "table": "bureau_inquiries", "agg": "count", "filter": "upper(purpose) = 'A'"},
            r"features.custom\[x\].filter: 'UPPER\(purpose\) = 'A'' is not supported|"
            r"features.custom\[x\].filter: .* is not supported",
        ),
    ],
)
def test_bad_custom_features_are_one_line(
    tiny: dict[str, pd.DataFrame], feature: dict[str, Any], message: str
) -> None:
    cfg = card_config("application", features={"families": ["application"], "custom": [feature]})
    with pytest.raises(ConfigError, match=message) as err:
        build_modeling_table(tiny, cfg)
    assert "\n" not in str(err.value)


def test_config_rejects_inconsistent_custom_features() -> None:
    with pytest.raises(ConfigError, match=r"features.custom\[x\]: agg 'sum' needs a column"):
        card_config(
            "application", features={"custom": [{"name": "x", "table": "bureau_tradelines", "agg": "sum"}]}
        )
    with pytest.raises(ConfigError, match=r"filter and window_\* apply to aggregations"):
        card_config(
            "application",
            features={"custom": [{"name": "x", "table": "customers", "column": "income", "window_days": 3}]},
        )


def test_text_column_read_as_a_number_is_named(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config(
        "application",
        features={
            "families": ["application"],
            "custom": [{"name": "x", "table": "customers", "column": "city"}],
        },
    )
    with pytest.raises(
        DataError, match=r"customers.city \(features.custom\[x\].column\) holds string values"
    ):
        build_modeling_table(tiny, cfg)


def test_constant_and_empty_features_are_reported(tiny: dict[str, pd.DataFrame]) -> None:
    custom = [
        {"name": "x_const", "table": "applications", "column": "requested_term"},
        {"name": "x_none", "table": "bureau_inquiries", "agg": "max", "column": "lender_rank"},
    ]
    tables = dict(tiny)
    tables["applications"] = tiny["applications"].assign(requested_term=12)
    tables["bureau_inquiries"] = tiny["bureau_inquiries"].assign(lender_rank=float("nan"))
    cfg = card_config("application", features={"families": ["application"], "custom": custom})
    table = build_modeling_table(tables, cfg)
    warnings = {w.split("'")[1]: w for w in table.warnings}
    assert warnings["x_const"].startswith(
        "feature 'x_const' is constant (12.0 on all 6 rows): features.custom"
    )
    assert warnings["app_requested_term"].startswith("feature 'app_requested_term' is constant")
    assert warnings["x_none"].startswith("feature 'x_none' is all missing on 6 rows")
    assert table.frame.attrs["build_warnings"] == table.warnings
