"""A vendor's tables with their own column names and formats map onto ours by config alone: the application
card built from them equals the one built from the canonical tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from scorecard.config import load_config
from scorecard.data.ingest import load_sources
from scorecard.features.build import build_modeling_table, required_tables
from tests.features.conftest import card_config
from tests.features.portfolio import tiny_portfolio

# canonical column -> vendor column, per table (the vendor file holds the vendor names)
RENAMES = {
    "customers": {"customer_id": "CLIENT_NO", "birth_date": "DOB", "income": "MONTHLY_INCOME"},
    "applications": {"application_id": "APP_NO", "customer_id": "CLIENT_NO", "requested_amount": "AMT"},
    "bureau_tradelines": {"tradeline_id": "ACCT_REF", "customer_id": "CUST", "worst_dpd": "WORST_DELQ_DAYS"},
    "bureau_inquiries": {"inquiry_id": "ENQ_ID", "customer_id": "CUST", "lender": "MEMBER_CODE"},
    "device_events": {"event_id": "EVT", "customer_id": "CLIENT_NO", "event_time": "TS"},
    "loan_performance": {"loan_id": "ACCOUNT", "dpd": "DAYS_PAST_DUE"},
}
PII_CONSTANTS = {"full_name": "n/a", "national_id": "n/a", "mobile_phone": "n/a", "bank_card_number": "n/a"}


def _write_vendor_files(folder: Path) -> dict[str, dict]:
    """Vendor Parquet files (renamed columns; application dates as YYYYMMDD text) and their config sources."""
    tables = tiny_portfolio()
    sources: dict[str, dict] = {}
    for name, renames in RENAMES.items():
        frame = tables[name].rename(columns=renames)
        mapping: dict[str, object] = {canonical: vendor for canonical, vendor in renames.items()}
        if name == "applications":
            frame["application_date"] = frame["application_date"].dt.strftime("%Y%m%d")
            frame = frame.rename(columns={"application_date": "APP_DT"})
            mapping["application_date"] = {"sql": "strptime(APP_DT, '%Y%m%d')::DATE"}
        if name == "customers":
            mapping |= {column: {"const": value} for column, value in PII_CONSTANTS.items()}
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        sources[name] = {"path": f"{name}.parquet", "mapping": mapping}
    return sources


def test_application_card_from_renamed_vendor_columns(tmp_path: Path) -> None:
    sources = _write_vendor_files(tmp_path)
    raw = {"card": "application", "name": "vendor_a", "data": {"sources": sources}}
    (tmp_path / "application.yaml").write_text(yaml.safe_dump(raw))
    cfg = load_config(tmp_path / "application.yaml")
    mapped = build_modeling_table(load_sources(cfg.data, required=required_tables(cfg)), cfg)
    direct = build_modeling_table(tiny_portfolio(), card_config("application"))
    pd.testing.assert_frame_equal(mapped.frame, direct.frame)
    assert mapped.target_summary == direct.target_summary
