"""Open vocabularies, declared allowed values and optional columns: what a lender's own tables must hold."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.raw_tables import raw_tables, sources_config, write_tables

from scorecard.config import DataConfig, parse_config
from scorecard.data.ingest import load_sources, validate_sources
from scorecard.data.schema import CardNeeds
from scorecard.errors import ConfigError
from scorecard.modeling.binning import WoeBinner

LENDER_PRODUCTS = [
    "Cash loans",
    "Revolving loans",
    "Cash loans",
    "Consumer loans",
    "Cash loans",
    "Revolving loans",
]


def _data(tmp_path: Path, tables: dict[str, pd.DataFrame], **sources: dict[str, object]) -> DataConfig:
    data = sources_config(write_tables(tables, tmp_path))
    for table, extra in sources.items():
        data["sources"][table].update(extra)  # type: ignore[index]
    return DataConfig.model_validate(data)


def test_open_vocabularies_take_a_lenders_own_categories(tmp_path: Path) -> None:
    apps = raw_tables()["applications"].assign(
        product=LENDER_PRODUCTS, channel="Web", declared_province="Praha"
    )
    loaded = load_sources(_data(tmp_path, {"applications": apps}))["applications"]
    assert loaded["product"].tolist() == LENDER_PRODUCTS
    assert set(loaded["channel"]) == {"Web"} and set(loaded["declared_province"]) == {"Praha"}


def test_declared_allowed_values_are_checked(tmp_path: Path) -> None:
    apps = raw_tables()["applications"].assign(product=LENDER_PRODUCTS)
    data = _data(
        tmp_path,
        {"applications": apps},
        applications={"allowed": {"product": ["Cash loans", "Revolving loans"]}},
    )
    (problem,) = validate_sources(data).problems
    assert (problem.kind, problem.column, problem.rows) == ("not_allowed", "product", 1)
    assert problem.message == (
        f"{tmp_path / 'applications.parquet'}: column 'product' has 1 value not in the allowed set "
        "(e.g. 'Consumer loans'); expected one of ['Cash loans', 'Revolving loans']"
    )


def test_the_decision_vocabulary_is_fixed_and_cannot_be_redeclared(tmp_path: Path) -> None:
    apps = raw_tables()["applications"]
    apps.loc[0, "decision"] = "A"
    (problem,) = validate_sources(_data(tmp_path, {"applications": apps})).problems
    assert problem.message.endswith("expected one of ['approved', 'declined']")
    data = {"sources": {"applications": {"path": "a.csv", "allowed": {"decision": ["A", "D"]}}}}
    with pytest.raises(
        ConfigError, match=re.escape("sources.applications.allowed lists ['decision'], which are not open")
    ):
        parse_config({"card": "application", "name": "c", "data": data})


def test_a_value_unseen_in_development_scores_in_the_unknown_bin(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 2_000
    products = rng.choice(["Cash loans", "Revolving loans"], size=n)
    y = (rng.random(n) < np.where(products == "Cash loans", 0.05, 0.2)).astype(int)
    binner = WoeBinner(categorical_features=["product"], cat_cutoff=None).fit(
        pd.DataFrame({"product": products}), y
    )
    spec = binner.bin_spec("product")
    apps = raw_tables()["applications"].assign(product=LENDER_PRODUCTS)
    scoring = load_sources(_data(tmp_path, {"applications": apps}))["applications"][["product"]]
    woe = binner.transform(scoring)["product"].to_numpy()
    assert woe[3] == spec["unknown"]["woe"] == min(b["woe"] for b in spec["bins"])  # "Consumer loans": unseen
    assert woe[0] != woe[3]


NEEDS = CardNeeds(
    required={
        "customers": {"customer_id": ("application features",), "birth_date": ("application features",)},
        "device_events": {"ip": ("device features",), "device_id": ("device features",)},
    },
    optional={
        "customers": {"province": ("device features", "policy attribute declared_province")},
        "device_events": {"gps_province": ("device features",)},
    },
)


def test_absent_optional_columns_are_left_out_and_what_they_disable_is_said(tmp_path: Path) -> None:
    tables = raw_tables()
    pii = ["full_name", "national_id", "mobile_phone", "bank_card_number"]
    customers = tables["customers"].drop(columns=[*pii, "province", "income", "housing"])
    data = _data(tmp_path, {"customers": customers, "device_events": tables["device_events"]})
    report = validate_sources(data, required=NEEDS)
    assert report.ok, report.format()
    assert report.notes == [
        "device features disabled: customers has no province",
        "policy attribute declared_province disabled: customers has no province",
    ]
    loaded = load_sources(data, required=NEEDS)  # only the columns the card reads are fetched
    assert list(loaded["customers"].columns) == ["customer_id", "birth_date"]
    assert loaded["customers"]["birth_date"].dtype == "datetime64[ns]"


def test_an_absent_column_a_configured_reader_needs_is_an_error_naming_the_reader(tmp_path: Path) -> None:
    tables = raw_tables()
    events = tables["device_events"].drop(columns=["ip"])
    data = _data(tmp_path, {"customers": tables["customers"], "device_events": events})
    (problem,) = validate_sources(data, required=NEEDS).problems
    assert problem.kind == "missing_column"
    assert problem.message.startswith(
        f"{tmp_path / 'device_events.parquet'}: column 'ip' is missing; needed by device features; the source has"
    )


def test_key_columns_and_mapped_columns_are_always_required(tmp_path: Path) -> None:
    tables = raw_tables()
    customers = tables["customers"].drop(columns=["customer_id"])
    data = _data(tmp_path, {"customers": customers, "device_events": tables["device_events"]})
    assert [p.column for p in validate_sources(data, required=NEEDS).problems] == ["customer_id"]
    data = _data(
        tmp_path, {"customers": tables["customers"], "device_events": tables["device_events"]},
        customers={"mapping": {"housing": "HOME"}},
    )  # fmt: skip
    assert [p.column for p in validate_sources(data, required=NEEDS).problems] == ["housing"]
