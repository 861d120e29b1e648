"""Reading CSV / Parquet / DuckDB sources and mapping another vendor's columns onto the canonical schema."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from tests.raw_tables import N_ROWS, raw_tables, sources_config, write_tables

from scorecard.config import DataConfig, parse_config
from scorecard.data.ingest import load_sources, read_table, validate_sources
from scorecard.data.schema import TABLES
from scorecard.errors import ConfigError, DataError

REPO = Path(__file__).resolve().parents[2]
PANDAS_DTYPES = {
    "string": object,
    "float": "float64",
    "bool": bool,
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns]",
}


def _expected(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical frame worked out in pandas alone (PII columns left out)."""
    schema = TABLES[table]
    out = {}
    for c in schema.columns:
        if c.pii is None:
            dtype = ("Int64" if c.nullable else "int64") if c.dtype == "int" else PANDAS_DTYPES[c.dtype]
            out[c.name] = frame[c.name].astype(dtype)
    return pd.DataFrame(out)


def _write_duckdb(path: Path, tables: dict[str, pd.DataFrame], schema: str = "main") -> None:
    con = duckdb.connect(str(path))
    if schema != "main":
        con.execute(f"CREATE SCHEMA {schema}")
    for name, frame in tables.items():
        con.register("frame", frame)
        con.execute(f"CREATE TABLE {schema}.{name} AS SELECT * FROM frame")
        con.unregister("frame")
    con.close()


def test_read_table_reads_csv_parquet_and_a_duckdb_table(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["007", "010"], "amount": [1.5, 2.0], "n": [1, 2]})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    _write_duckdb(tmp_path / "w.duckdb", {"t": frame, "other": frame})
    (tmp_path / "t.data").write_text("id,amount,n\n007,1.5,1\n010,2.0,2\n")
    for got in (
        read_table(tmp_path / "t.csv"),
        read_table(tmp_path / "t.parquet"),
        read_table(tmp_path / "w.duckdb", table="t"),
        read_table(tmp_path / "t.data", format="csv"),
    ):
        assert got["id"].tolist() == ["007", "010"]
        assert got["amount"].tolist() == [1.5, 2.0] and got["n"].tolist() == [1, 2]


def test_read_table_errors_name_the_file(tmp_path: Path) -> None:
    _write_duckdb(tmp_path / "w.duckdb", {"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"x": [1]})})
    db = tmp_path / "w.duckdb"
    cases = {
        db: "cannot read (the database has several tables; set table: to one of ['main.a', 'main.b'])",
        tmp_path
        / "t.xlsx": "cannot tell the format from the suffix '.xlsx'; set format: csv|parquet|json|duckdb",
        tmp_path / "nope.csv": "file not found",
    }
    (tmp_path / "t.xlsx").write_text("x")
    for path, message in cases.items():
        with pytest.raises(DataError) as err:
            read_table(path)
        assert str(err.value) == f"{path}: {message}"
    with pytest.raises(DataError, match=r"w\.duckdb: cannot read \(the database has no table 'c'; it has"):
        read_table(db, table="c")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_loaded_tables_have_contract_dtypes_and_every_row_in_order(tmp_path: Path, fmt: str) -> None:
    tables = raw_tables()
    loaded = load_sources(DataConfig.model_validate(sources_config(write_tables(tables, tmp_path, fmt))))
    assert list(loaded) == list(TABLES)
    for name, frame in loaded.items():
        pd.testing.assert_frame_equal(
            frame.drop(columns=[c for c in frame if TABLES[name].column(c).pii]),
            _expected(name, tables[name]),
        )
    assert loaded["device_events"]["installed_app_count"].dtype == "Int64"
    assert loaded["applications"]["loan_id"].tolist()[:2] == ["loan_id_0", None]


def test_mapping_rename_const_sql_vendor_codes_and_days_before_application(tmp_path: Path) -> None:
    vendor = pd.DataFrame(
        {
            "APP_NO": ["X1", "X2", "X3"],
            "CUST": ["C1", "C2", "C3"],
            "days_before_application": [0, 31, 366],
            "PRODUCT_CODE": ["CL", "CC", "POS"],
            "AMOUNT_CENTS": [150000, 99, 0],
            "TERM": [12, 24, 36],
            "REGION": ["NORTH", "South", "east"],
            "STATUS": ["A", "D", "A"],
            "CONTRACT": ["L1", None, "L3"],
        }
    )
    vendor.to_csv(tmp_path / "vendor.csv", index=False)
    mapping = {
        "application_id": "APP_NO",
        "customer_id": "cust",  # names match case-insensitively, like SQL
        "application_date": {"sql": "date '2024-01-01' - days_before_application"},
        "product": {
            "sql": "CASE PRODUCT_CODE WHEN 'CL' THEN 'cash_loan' WHEN 'CC' THEN 'credit_card' WHEN 'POS' THEN 'pos_loan' END"
        },
        "channel": {"const": "agent"},
        "requested_amount": {"sql": "AMOUNT_CENTS / 100"},
        "requested_term": "TERM",
        "declared_province": {"sql": "lower(REGION)"},
        "decision": {"sql": "CASE STATUS WHEN 'A' THEN 'approved' ELSE 'declined' END"},
        "loan_id": "CONTRACT",
    }
    data = DataConfig.model_validate(
        {"sources": {"applications": {"path": str(tmp_path / "vendor.csv"), "mapping": mapping}}}
    )
    apps = load_sources(data)["applications"]
    assert apps["application_id"].tolist() == ["X1", "X2", "X3"]
    assert apps["customer_id"].tolist() == ["C1", "C2", "C3"]
    assert apps["application_date"].tolist() == [
        pd.Timestamp(d) for d in ("2024-01-01", "2023-12-01", "2022-12-31")
    ]
    assert apps["product"].tolist() == ["cash_loan", "credit_card", "pos_loan"]
    assert apps["channel"].tolist() == ["agent"] * 3
    assert apps["requested_amount"].tolist() == [1500.0, 0.99, 0.0]
    assert apps["declared_province"].tolist() == ["north", "south", "east"]
    assert apps["decision"].tolist() == ["approved", "declined", "approved"]
    assert apps["loan_id"].tolist() == ["L1", None, "L3"]


def test_untranslated_vendor_code_is_reported_not_dropped(tmp_path: Path) -> None:
    frame = raw_tables()["bureau_inquiries"].rename(columns={"purpose": "reason"})
    frame["reason"] = ["NC", "NC", "LI", "AR", "??", "CO"]
    frame.to_csv(tmp_path / "inq.csv", index=False)
    case = "CASE reason WHEN 'NC' THEN 'new_credit' WHEN 'LI' THEN 'limit_increase' WHEN 'AR' THEN 'account_review' WHEN 'CO' THEN 'collection' END"
    data = DataConfig.model_validate(
        {
            "sources": {
                "bureau_inquiries": {"path": str(tmp_path / "inq.csv"), "mapping": {"purpose": {"sql": case}}}
            }
        }
    )
    (problem,) = validate_sources(data).problems
    assert (problem.kind, problem.column, problem.rows) == ("null", "purpose", 1)
    assert problem.example == "row inquiry_id='inquiry_id_4'"


def _acme_files(tables: dict[str, pd.DataFrame], folder: Path) -> dict[str, Path]:
    """The canonical bureau tables written the way Acme Credit Bureau ships them (worked out by hand)."""
    codes = {
        "credit_card": "CC",
        "personal_loan": "PL",
        "mortgage": "MG",
        "auto_loan": "AL",
        "pos_loan": "PS",
        "microloan": "MF",
    }
    t = tables["bureau_tradelines"]
    ddmmyyyy = "%d/%m/%Y"
    tradelines = pd.DataFrame(
        {
            "ACCT_REF": t["tradeline_id"],
            "CUST_NO": t["customer_id"],
            "EXTRACT_DT": t["report_date"].dt.strftime("%Y%m%d").astype(int),
            "MEMBER_CODE": t["lender"],
            "ACCT_TYPE": t["product_type"].map(codes),
            "OPEN_DT": t["open_date"].dt.strftime(ddmmyyyy),
            "CREDIT_LIMIT_CENTS": (t["credit_limit"] * 100).round().astype(int),
            "CURRENT_BAL_CENTS": (t["balance"] * 100).round().astype(int),
            "WORST_DELQ_DAYS": t["worst_dpd"],
            "LAST_DELQ_DT": pd.to_datetime(t["last_delinquency_date"]).dt.strftime(ddmmyyyy),
            "CLOSE_DT": pd.to_datetime(t["closed_date"]).dt.strftime(ddmmyyyy),
        }
    )
    i = tables["bureau_inquiries"]
    application_date = pd.Timestamp("2024-06-30")
    enquiries = pd.DataFrame(
        {
            "ENQ_ID": i["inquiry_id"],
            "CUST_NO": i["customer_id"],
            "APPLICATION_DT": application_date.strftime("%Y-%m-%d"),
            "DAYS_BEFORE_APPLICATION": (application_date - i["inquiry_date"]).dt.days,
            "MEMBER_CODE": i["lender"],
            "ENQ_REASON": i["purpose"].map(
                {"new_credit": 1, "limit_increase": 2, "account_review": 3, "collection": 4}
            ),
        }
    )
    folder.mkdir()
    tradelines.to_csv(folder / "tradelines.csv", index=False)
    enquiries.to_csv(folder / "enquiries.csv", index=False)
    return {"bureau_tradelines": folder / "tradelines.csv", "bureau_inquiries": folder / "enquiries.csv"}


def _example_config(name: str, paths: dict[str, Path]) -> DataConfig:
    """An example from configs/sources/, embedded in a card config, with its paths pointed at ``paths``."""
    data = yaml.safe_load((REPO / "configs" / "sources" / name).read_text())
    for table, path in paths.items():
        data["sources"][table]["path"] = str(path)
    return parse_config({"card": "application", "name": "example", "data": data}).data


def test_acme_bureau_example_maps_back_to_the_canonical_tables(tmp_path: Path) -> None:
    tables = raw_tables()
    loaded = load_sources(_example_config("acme_bureau.yaml", _acme_files(tables, tmp_path / "acme")))
    for name in ("bureau_tradelines", "bureau_inquiries"):
        pd.testing.assert_frame_equal(loaded[name], _expected(name, tables[name]))


def test_core_banking_example_reads_tables_of_a_duckdb_warehouse(tmp_path: Path) -> None:
    tables = raw_tables()
    a, p, c = tables["applications"], tables["loan_performance"], tables["collection_cases"]
    a = a.assign(channel="online")
    warehouse = {
        "online_applications": pd.DataFrame(
            {
                "app_no": a["application_id"],
                "client_no": a["customer_id"],
                "created_at": a["application_date"] + pd.Timedelta(hours=13),
                "product_code": a["product"].str.upper(),
                "amount_requested": a["requested_amount"],
                "term_months": a["requested_term"].astype("int32"),
                "region": a["declared_province"].str.title(),
                "status": np.where(a["decision"] == "approved", "A", "D"),
                "contract_no": a["loan_id"],
            }
        ),
        "loan_month_end": pd.DataFrame(
            {
                "contract_no": p["loan_id"],
                "month_end": p["month"] + pd.offsets.MonthEnd(0),
                "outstanding": p["balance"],
                "instalment_due": p["amount_due"],
                "paid": p["amount_paid"],
                "days_past_due": p["dpd"],
            }
        ),
        "collection_queue": pd.DataFrame(
            {
                "queue_id": c["case_id"],
                "contract_no": c["loan_id"],
                "entered_at": c["entry_date"],
                "dpd": c["dpd_at_entry"],
                "outstanding": c["balance"],
                "calls": c["contact_attempts"],
                "sms": 0,
                "ptp_flag": np.where(c["promise_to_pay"], "Y", "N"),
            }
        ),
    }
    db = tmp_path / "core_banking.duckdb"
    _write_duckdb(db, warehouse, schema="dwh")
    loaded = load_sources(
        _example_config(
            "core_banking.yaml", dict.fromkeys(("applications", "loan_performance", "collection_cases"), db)
        )
    )
    pd.testing.assert_frame_equal(loaded["applications"], _expected("applications", a))
    # raw_tables' months are consecutive days of January: month = first day of the month of month_end
    month_start = p["month"].dt.to_period("M").dt.to_timestamp()
    pd.testing.assert_frame_equal(
        loaded["loan_performance"], _expected("loan_performance", p.assign(month=month_start))
    )
    pd.testing.assert_frame_equal(loaded["collection_cases"], _expected("collection_cases", c))


def test_a_table_the_card_does_not_need_may_be_left_out(tmp_path: Path) -> None:
    paths = write_tables(
        {k: v for k, v in raw_tables().items() if k in ("customers", "applications")}, tmp_path
    )
    data = DataConfig.model_validate(sources_config(paths))
    assert list(load_sources(data, required=["applications"])) == ["applications"]
    report = validate_sources(data, required=["applications", "bureau_inquiries"])
    (problem,) = report.problems
    assert (problem.kind, problem.table) == ("missing_table", "bureau_inquiries")
    assert problem.message == "data.sources has no entry for table 'bureau_inquiries', which this card needs"
    with pytest.raises(ConfigError, match=r"required tables \['bureaux'\] are not canonical tables"):
        load_sources(data, required=["bureaux"])


def test_mapping_problems_name_the_column_and_the_cause(tmp_path: Path) -> None:
    frame = raw_tables()["bureau_inquiries"].rename(columns={"lender": "member"})
    frame.to_csv(tmp_path / "inq.csv", index=False)
    mapping = {
        "lender": "MEMBER_NAME",
        "inquiry_date": {"sql": "date '2024-01-01' - days_before"},
        "purpose": {"sql": "max(purpose)"},
    }
    data = DataConfig.model_validate(
        {"sources": {"bureau_inquiries": {"path": str(tmp_path / "inq.csv"), "mapping": mapping}}}
    )
    date, lender, purpose = sorted(validate_sources(data).problems, key=lambda p: p.column or "")
    path = tmp_path / "inq.csv"
    assert (lender.kind, lender.message) == (
        "missing_column",
        f"{path}: column 'MEMBER_NAME' (mapped to 'lender') is missing; the source has "
        "['inquiry_id', 'customer_id', 'inquiry_date', 'member', 'purpose']",
    )
    assert date.kind == "mapping_error"
    assert date.message.startswith(
        f"{path}: mapping for 'inquiry_date' failed: \"date '2024-01-01' - days_before\": Binder Error"
    )
    assert (
        purpose.message
        == f"{path}: mapping for 'purpose' failed: 'max(purpose)' must be a row-wise expression; 'MAX(purpose)' is not"
    )


def test_mapping_config_is_checked_when_the_config_loads() -> None:
    card = {"card": "application", "name": "x"}
    with pytest.raises(
        ConfigError, match=r"sources\.applications\.mapping maps unknown canonical columns \['app_date'\]"
    ):
        parse_config(
            {**card, "data": {"sources": {"applications": {"path": "a.csv", "mapping": {"app_date": "d"}}}}}
        )
    with pytest.raises(ConfigError, match="a mapping entry needs exactly one of 'const', 'sql' or 'codes'"):
        parse_config(
            {
                **card,
                "data": {
                    "sources": {
                        "applications": {"path": "a.csv", "mapping": {"channel": {"const": "x", "sql": "y"}}}
                    }
                },
            }
        )


def test_const_null_fills_a_nullable_column_the_source_lacks(tmp_path: Path) -> None:
    frame = raw_tables()["device_events"].drop(columns=["installed_app_count"])
    paths = write_tables({"device_events": frame}, tmp_path)
    data = DataConfig.model_validate(
        {
            "sources": {
                "device_events": {
                    "path": str(paths["device_events"]),
                    "mapping": {"installed_app_count": {"const": None}},
                }
            }
        }
    )
    counts = load_sources(data)["device_events"]["installed_app_count"]
    assert counts.dtype == "Int64" and counts.isna().all() and len(counts) == N_ROWS


def test_text_in_a_numeric_column_beyond_the_csv_type_sample_is_counted(tmp_path: Path) -> None:
    n = 25_000
    frame = pd.DataFrame(
        {
            "loan_id": [f"L{k}" for k in range(n)],
            "month": "2024-01-01",
            "balance": 1.0,
            "amount_due": 1.0,
            "amount_paid": 1.0,
            "dpd": ["0"] * (n - 2) + ["x", "7"],
        }
    )
    (path,) = write_tables({"loan_performance": frame}, tmp_path, "csv").values()
    (problem,) = validate_sources(
        DataConfig.model_validate(sources_config({"loan_performance": path}))
    ).problems
    assert (problem.kind, problem.column, problem.rows, problem.example) == ("wrong_type", "dpd", 1, "x")


def test_ids_keep_leading_zeros_and_all_their_digits(tmp_path: Path) -> None:
    frame = raw_tables()["applications"]
    frame["application_id"] = [f"{k:03d}" for k in range(N_ROWS)]
    frame["customer_id"] = [str(12345678901234567890 + k) for k in range(N_ROWS)]
    paths = write_tables({"applications": frame}, tmp_path, "csv")
    apps = load_sources(DataConfig.model_validate(sources_config(paths)))["applications"]
    assert apps["application_id"].tolist() == ["000", "001", "002", "003", "004", "005"]
    assert apps["customer_id"].tolist() == frame["customer_id"].tolist()


def test_flat_table_config_has_no_sources_to_load() -> None:
    data = DataConfig.model_validate({"flat_table": {"path": "t.csv", "target": "bad"}})
    with pytest.raises(ConfigError, match="data.sources: no canonical sources configured"):
        validate_sources(data)


def test_source_columns_read_beyond_the_schema_are_carried_or_named(tmp_path: Path) -> None:
    tables = raw_tables()
    tables["applications"] = tables["applications"].assign(EXT_SOURCE_2=[0.5, None, 0.1, 0.2, 0.3, 0.4])
    paths = write_tables({"applications": tables["applications"]}, tmp_path, fmt="csv")
    data = DataConfig.model_validate(sources_config(paths))
    extra = {"applications": {"EXT_SOURCE_2": "features.custom[ext2].column"}}
    frame = load_sources(data, required=["applications"], extra=extra)["applications"]
    assert list(frame.columns) == [*TABLES["applications"].column_names, "EXT_SOURCE_2"]
    assert frame["EXT_SOURCE_2"].tolist()[2:] == [0.1, 0.2, 0.3, 0.4]
    missing = {"applications": {"EXT_SOURCE_3": "features.custom[ext3].column"}}
    (problem,) = validate_sources(data, required=["applications"], extra=missing).problems
    assert problem.kind == "missing_column"
    assert problem.message.startswith(
        f"{paths['applications']}: column 'EXT_SOURCE_3' read by features.custom[ext3].column is missing; "
        "the source has ['application_id'"
    )


def test_status_codes_map_to_dpd_through_a_declared_code_table(tmp_path: Path) -> None:
    perf = raw_tables()["loan_performance"].drop(columns="dpd")
    perf["STATUS"] = ["C", "X", "0", "1", "5", "C"]
    codes = {"X": 0, "C": 0, "0": 0, "1": 30, "2": 60, "3": 90, "4": 120, "5": 150}
    paths = write_tables({"loan_performance": perf}, tmp_path, fmt="csv")
    config = sources_config(paths)
    config["sources"]["loan_performance"]["mapping"] = {"dpd": {"column": "STATUS", "codes": codes}}
    data = DataConfig.model_validate(config)
    frame = load_sources(data, required=["loan_performance"])["loan_performance"]
    assert frame["dpd"].tolist() == [0, 0, 0, 30, 150, 0]
    perf["STATUS"] = ["C", "X", "0", "7", "7", "Z"]
    perf.to_csv(paths["loan_performance"], index=False)
    problems = [p for p in validate_sources(data).problems if p.kind == "not_allowed"]
    assert [p.message for p in problems] == [
        f"{paths['loan_performance']}: column 'STATUS' has 3 value(s) not in the code table of 'dpd' (e.g. '7'); "
        f"expected one of {list(codes)}"
    ]
    bad = {"sources": {"loan_performance": {"path": "x.csv", "mapping": {"dpd": {"codes": codes}}}}}
    with pytest.raises(ConfigError, match="a code table needs both 'codes' .* and 'column'"):
        parse_config({"card": "behaviour", "name": "b", "data": bad})
