"""Sources scanned by the DuckDB engine straight from their files (``build_card_table``) give the modeling table
that ingestion into pandas gives, with the same problems reported, and nothing but the result materialised."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from scorecard.config import CardConfig, load_config
from scorecard.data.ingest import register_sources, validate_sources
from scorecard.data.pii import keyed_hash
from scorecard.errors import DataError
from scorecard.features.build import (
    build_card_table,
    build_modeling_table,
    card_needs,
    columns_read,
    extra_columns,
    load_card_sources,
)

REPO = Path(__file__).resolve().parents[2]


def _config(
    card: str, folder: Path, tmp_path: Path, suffix: str = "parquet", **features: object
) -> CardConfig:
    """The repository's config of ``card`` with its sources pointed at ``folder``'s ``<table>.<suffix>``."""
    raw = yaml.safe_load((REPO / "configs" / f"{card}.yaml").read_text())
    for name, source in raw["data"]["sources"].items():
        source["path"] = str(folder / f"{name}.{suffix}")
    for rule in (raw.get("policy") or {}).get("knockouts", []):
        if "values_file" in rule:
            rule["values_file"] = str(REPO / "configs" / rule["values_file"])
    raw["features"] = {**raw.get("features", {}), **features}
    path = tmp_path / f"{card}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_config(path)


@pytest.mark.parametrize("card", ["application", "behaviour", "collection"])
def test_scanned_sources_give_the_table_pandas_ingestion_gives(
    card: str, small_portfolio_dir: Path, tmp_path: Path
) -> None:
    cfg = _config(card, small_portfolio_dir, tmp_path)
    scanned = build_card_table(cfg)
    loaded = build_modeling_table(load_card_sources(cfg), cfg)
    pd.testing.assert_frame_equal(scanned.frame, loaded.frame)
    assert scanned.target_summary == loaded.target_summary
    assert scanned.warnings == loaded.warnings


def test_a_database_file_with_a_memory_limit_gives_the_same_table(
    small_portfolio_dir: Path, tmp_path: Path
) -> None:
    in_memory = build_card_table(_config("application", small_portfolio_dir, tmp_path))
    spilled = build_card_table(
        _config(
            "application",
            small_portfolio_dir,
            tmp_path,
            database=str(tmp_path / "features.duckdb"),
            memory_limit="200MB",
            threads=1,
        )
    )
    pd.testing.assert_frame_equal(spilled.frame, in_memory.frame)
    with duckdb.connect(str(tmp_path / "features.duckdb")) as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE NOT temporary").fetchall() == [(0,)]


def test_csv_sources_are_read_once_into_the_engine(
    small_portfolio: dict, small_portfolio_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, frame in small_portfolio.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    from_csv = build_card_table(_config("application", folder, tmp_path, suffix="csv"))
    from_parquet = build_card_table(_config("application", small_portfolio_dir, tmp_path))
    pd.testing.assert_frame_equal(from_csv.frame, from_parquet.frame)


def test_parquet_stays_a_view_and_only_hashed_tables_are_stored(
    small_portfolio_dir: Path, tmp_path: Path
) -> None:
    cfg = _config("application", small_portfolio_dir, tmp_path)
    with duckdb.connect() as con:
        names = register_sources(con, tmp_path, cfg.data, card_needs(cfg), extra_columns(cfg))
        views = {
            v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        }
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        device = con.table(names["device_events"]).df()
    # the tables with hashed columns (customers.national_id for a policy rule, device_events.device_id and ip)
    # are hashed once, then stored; every other source stays a view over its Parquet file
    assert tables == {"canonical_customers", "canonical_device_events"}
    assert {"canonical_applications", "canonical_bureau_tradelines", "mapped_device_events"} <= views
    raw = pd.read_parquet(small_portfolio_dir / "device_events.parquet", columns=["event_id", "device_id"])
    assert device["device_id"].str.fullmatch("[0-9a-f]{64}").all()
    assert not set(device["device_id"]) & set(raw["device_id"])
    # each distinct device hashed once and looked up: the digests of hashing every row
    looked_up = device.set_index("event_id")["device_id"].sort_index()
    expected = keyed_hash(
        raw.set_index("event_id")["device_id"], os.environ["SCORECARD_PII_KEY"].encode()
    ).sort_index()
    pd.testing.assert_series_equal(looked_up, expected, check_names=False)


def test_problems_are_reported_as_pandas_ingestion_reports_them(
    small_portfolio: dict, tmp_path: Path
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, frame in small_portfolio.items():
        if name == "bureau_tradelines":
            frame = frame.drop(columns="worst_dpd")
        if name == "applications":
            frame = pd.concat([frame, frame.head(2)])
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    cfg = _config("application", folder, tmp_path)
    with pytest.raises(DataError) as scanned:
        build_card_table(cfg)
    with pytest.raises(DataError) as loaded:
        load_card_sources(cfg)
    assert str(scanned.value) == str(loaded.value)
    message = str(scanned.value)
    assert message.startswith("2 data problem(s) in the sources:")
    assert "key (application_id) is duplicated: 4 rows share 2 key values" in message
    assert "column 'worst_dpd' is missing; needed by bureau features" in message


THREE = ["bureau_inq_3m", "bureau_worst_dpd_12m", "device_devices_90d"]


def test_a_few_features_read_only_their_columns_and_equal_the_full_cards(
    small_portfolio_dir: Path, tmp_path: Path
) -> None:
    cfg = _config("application", small_portfolio_dir, tmp_path, include=THREE, families=[])
    reads = columns_read(cfg)
    assert reads["bureau_tradelines"] == [
        "tradeline_id", "customer_id", "report_date", "last_delinquency_date", "worst_dpd"
    ]  # fmt: skip
    assert reads["bureau_inquiries"] == ["customer_id", "inquiry_date"]
    # event_id: the repository's card has a policy rule on the anchor device (device_id_hash)
    assert set(reads["device_events"]) == {
        "event_id",
        "application_id",
        "customer_id",
        "event_time",
        "device_id",
    }
    few = build_card_table(cfg).frame
    full = build_card_table(_config("application", small_portfolio_dir, tmp_path)).frame
    assert list(few.columns[:5]) == ["application_id", "snapshot_date", *THREE]  # then attributes, target
    assert not set(few.columns) & {"bureau_inq_1m", "device_ip_changes_30d", "app_income"}
    pd.testing.assert_frame_equal(few, full[few.columns])


def test_a_build_checks_the_keys_and_the_columns_it_reads(small_portfolio: dict, tmp_path: Path) -> None:
    folder = tmp_path / "unread"
    folder.mkdir()
    for name, frame in small_portfolio.items():
        if name == "bureau_tradelines":
            frame = frame.assign(balance=-1.0)  # not read by the three features
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    cfg = _config("application", folder, tmp_path, include=THREE, families=[])
    assert len(build_card_table(cfg).frame) == len(small_portfolio["applications"])
    report = validate_sources(cfg.data, card_needs(cfg), extra_columns(cfg))  # validation checks every column
    assert [p.message.split(": ", 1)[1] for p in report.problems] == [
        f"column 'balance' has {len(small_portfolio['bureau_tradelines']):,} values out of range (e.g. '-1.0'); "
        "expected values in [0, inf]"
    ]
    events = small_portfolio["device_events"]
    pd.concat([events, events.head(3)]).to_parquet(folder / "device_events.parquet", index=False)
    with pytest.raises(DataError, match=r"key \(event_id\) is duplicated: 6 rows share 3 key values"):
        build_card_table(cfg)  # the key is checked although no chosen feature reads it
