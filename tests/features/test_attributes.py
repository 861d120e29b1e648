"""Policy attributes ride beside the features (never modeled) so knock-outs run on development data."""

from __future__ import annotations

import pandas as pd
import pytest

from scorecard.errors import DataError
from scorecard.features.build import build_modeling_table
from tests.features.conftest import card_config
from tests.features.portfolio import tiny_portfolio

POLICY = {
    "knockouts": [
        {"name": "blacklisted_id", "field": "national_id_hash", "op": "in", "value": ["x"]},
        {"name": "blacklisted_device", "field": "device_id_hash", "op": "in", "value": ["x"]},
        {"name": "excluded_region", "field": "declared_province", "op": "in", "value": ["islands"]},
    ]
}


def _with_ids() -> dict[str, pd.DataFrame]:
    tables = tiny_portfolio()
    customers = tables["customers"].copy()
    customers["national_id"] = "hash-" + customers["customer_id"]
    tables["customers"] = customers
    return tables


def test_attributes_named_by_the_policy_are_carried_not_modeled() -> None:
    table = build_modeling_table(_with_ids(), card_config("application", policy=POLICY))
    frame = table.frame.set_index("application_id")
    assert table.attributes == ["national_id_hash", "device_id_hash", "declared_province"]
    assert not set(table.attributes) & set(table.features)
    assert frame["national_id_hash"].to_dict() == {
        "A1": "hash-C1",
        "A2": "hash-C2",
        "A3": "hash-C3",
        "A4": "hash-C1",
        "A5": "hash-C4",
        "A6": "hash-C4",
    }
    # anchor = latest counted event: A1's own session (E9), A4 takes E8 (after A1's session, before A4);
    # A6 (2023-02-01) has no device event before it
    assert frame["device_id_hash"].tolist() == ["D1", "D1", "D1", "D1", "D1", None]
    assert frame["declared_province"].tolist() == ["north", "south", "east", "north", "west", "west"]


def test_no_policy_no_attributes() -> None:
    table = build_modeling_table(tiny_portfolio(), card_config("application"))
    assert table.attributes == []
    assert "national_id_hash" not in table.frame.columns


def test_attribute_needing_a_dropped_pii_column_is_a_clear_error() -> None:
    with pytest.raises(DataError, match=r"customers: missing canonical column\(s\) \['national_id'\]"):
        build_modeling_table(tiny_portfolio(), card_config("application", policy=POLICY))
