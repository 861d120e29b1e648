"""A ready-made target on the spine table (target.column) in multi-table mode, without loan_performance."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from scorecard.errors import ConfigError, DataError
from scorecard.features.build import build_modeling_table, extra_columns, required_tables
from scorecard.features.reads import columns_read
from tests.features.conftest import card_config

FAMILIES = {"families": ["application", "bureau"]}


def _tables(tiny: dict[str, pd.DataFrame], **columns: list[Any]) -> dict[str, pd.DataFrame]:
    tables = {k: v for k, v in tiny.items() if k != "loan_performance"}
    tables["applications"] = tiny["applications"].assign(**columns)
    return tables


def test_ready_made_target_labels_rows_without_loan_performance(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config(
        "application",
        features=FAMILIES,
        target={"column": "FLAG", "bad_value": ["Y", "D"], "indeterminate_values": ["X"]},
        reject_inference={
            "method": "fuzzy"
        },  # rejects are told apart: the booking (decision, loan_id) is read
    )
    assert "loan_performance" not in required_tables(cfg)
    assert extra_columns(cfg) == {"applications": {"FLAG": "target.column"}}
    tables = _tables(tiny, FLAG=["Y", "N", None, "D", None, "X"])
    table = build_modeling_table(tables, cfg)
    frame = table.frame.set_index("application_id")
    assert frame["target_status"].to_dict() == {
        "A1": "bad",
        "A2": "good",
        "A3": "reject",  # declined, no outcome
        "A4": "bad",
        "A5": "reject",  # approved but never booked
        "A6": "indeterminate",
    }
    assert frame["target"].tolist()[:2] == [1.0, 0.0]
    assert table.target_summary == {"goods": 1, "bads": 2, "indeterminates": 1, "immature": 0, "rejects": 2}
    # the snapshot is still the canonical application date
    assert frame.loc["A2", "snapshot_date"] == pd.Timestamp("2023-04-20")


def test_without_reject_inference_a_ready_target_needs_no_booking(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config("application", features=FAMILIES, target={"column": "FLAG", "bad_value": "Y"})
    assert {"decision", "loan_id", "declared_province"}.isdisjoint(columns_read(cfg)["applications"])
    tables = _tables(tiny, FLAG=["Y", "N", None, "Y", None, "N"])
    tables["applications"] = tables["applications"].drop(columns=["decision", "loan_id", "declared_province"])
    table = build_modeling_table(tables, cfg)
    assert table.frame.set_index("application_id")["target_status"].to_dict() == {
        "A1": "bad",
        "A2": "good",
        "A3": "immature",  # no outcome and no booking to call it a reject
        "A4": "bad",
        "A5": "immature",
        "A6": "good",
    }
    assert table.target_summary["rejects"] == 0


def test_numeric_target_and_indeterminate_kept_as_good(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config(
        "application",
        features=FAMILIES,
        target={"column": "TARGET", "bad_value": 1, "indeterminate_values": [2], "indeterminate": "good"},
    )
    frame = build_modeling_table(_tables(tiny, TARGET=[1, 0, 0, 2, 0, 0]), cfg).frame.set_index(
        "application_id"
    )
    assert frame["target"].to_dict() == {"A1": 1.0, "A2": 0.0, "A3": 0.0, "A4": 0.0, "A5": 0.0, "A6": 0.0}
    assert frame.loc["A4", "target_status"] == "indeterminate"


def test_anchor_date_plus_day_offsets_sets_the_snapshot(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config(
        "application",
        features=FAMILIES,
        target={"column": "TARGET", "anchor_date": "2023-03-01", "day_offset_column": "DAYS_DECISION"},
    )
    tables = _tables(tiny, TARGET=[1, 0, 0, 0, 0, 0], DAYS_DECISION=[0, 9, -1, 400, 10, 12])
    tables["applications"] = tables["applications"].drop(columns="application_date")
    frame = build_modeling_table(tables, cfg).frame.set_index("application_id")
    assert frame.loc["A1", "snapshot_date"] == pd.Timestamp("2023-03-01")
    assert frame.loc["A2", "snapshot_date"] == pd.Timestamp("2023-03-10")
    assert frame.loc["A3", "snapshot_date"] == pd.Timestamp("2023-02-28")
    # bureau features follow the new snapshot: C1's inquiries strictly before 2023-03-01 within 1 month: Q3
    assert frame.loc["A1", "bureau_inq_1m"] == 1.0


def test_date_column_and_missing_dates(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config("application", features=FAMILIES, target={"column": "TARGET", "date_column": "OBS"})
    dates = pd.to_datetime(["2023-01-01", "2023-02-01", None, "2023-04-01", "2023-05-01", "2023-06-01"])
    tables = _tables(tiny, TARGET=[1, 0, 0, 0, 0, 0], OBS=dates)
    with pytest.raises(
        DataError,
        match=r"^applications: 1 row\(s\) have no observation date \(from target.date_column 'OBS'\)",
    ):
        build_modeling_table(tables, cfg)


def test_no_bad_value_found_names_the_column_and_its_values(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config("application", features=FAMILIES, target={"column": "TARGET", "bad_value": "1"})
    tables = _tables(tiny, TARGET=["yes", "no", "no", "no", "no", "no"])
    with pytest.raises(
        DataError,
        match=r"applications.TARGET \(target.column\): no row matches target.bad_value '1'; the column holds \['(yes|no)', '(yes|no)'\]",
    ):
        build_modeling_table(tables, cfg)


def test_missing_target_column_is_named(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config("application", features=FAMILIES, target={"column": "TARGET"})
    with pytest.raises(DataError, match=r"^applications: column 'TARGET' read by target.column is missing"):
        build_modeling_table(_tables(tiny), cfg)


@pytest.mark.parametrize(
    ("card", "target", "message"),
    [
        ("application", {"bad_value": "B"}, r"target: bad_value need target.column"),
        (
            "behaviour",
            {"column": "TARGET"},
            r"target.column \(a ready-made target\) is for the application and collection",
        ),
        (
            "application",
            {"column": "T", "anchor_date": "2020-01-01", "date_column": "D"},
            r"give target.date_column or target.anchor_date, not both",
        ),
        (
            "application",
            {"column": "T", "day_offset_column": "D"},
            r"day_offset_column needs target.anchor_date",
        ),
        (
            "application",
            {"column": "T", "bad_value": [1, 2], "indeterminate_values": [2]},
            r"values \['2'\] are both",
        ),
    ],
)
def test_bad_target_configs_are_one_line(card: str, target: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        card_config(card, target=target)


def test_collection_card_ready_made_target(tiny: dict[str, pd.DataFrame]) -> None:
    cfg = card_config(
        "collection", features={"families": ["collection"]}, target={"column": "CURED", "bad_value": False}
    )
    tables = dict(tiny)
    tables["collection_cases"] = tiny["collection_cases"].assign(CURED=[False, False, True, None])
    frame = build_modeling_table(tables, cfg).frame.set_index("case_id")
    assert frame["target_status"].to_dict() == {"K1": "bad", "K2": "good", "K3": "immature", "K4": "bad"}
