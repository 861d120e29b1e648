"""Sources as files of every kind (gzip, zip, JSON lines, globs, CSV dialects) and as SQL queries over raw files."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from tests.raw_tables import raw_tables

from scorecard.config import DataConfig, parse_config
from scorecard.data.ingest import load_sources, read_table, source_queries, validate_sources
from scorecard.errors import ConfigError, DataError


def _inquiries() -> pd.DataFrame:
    return raw_tables()["bureau_inquiries"]


def _load(table: str, source: dict[str, object], raw: dict[str, object] | None = None) -> pd.DataFrame:
    data = DataConfig.model_validate({"raw": raw or {}, "sources": {table: source}})
    return load_sources(data)[table]


def _assert_inquiries(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = got.sort_values("inquiry_id").reset_index(drop=True)
    assert got["inquiry_id"].tolist() == expected["inquiry_id"].tolist()
    assert got["purpose"].tolist() == expected["purpose"].tolist()
    assert got["inquiry_date"].tolist() == expected["inquiry_date"].tolist()


def test_gzip_csv_and_json_lines_plain_and_gzipped(tmp_path: Path) -> None:
    frame = _inquiries()
    frame.to_csv(tmp_path / "inq.csv.gz", index=False, compression="gzip")
    records = frame.assign(inquiry_date=frame["inquiry_date"].dt.strftime("%Y-%m-%d")).to_dict("records")
    lines = "\n".join(json.dumps(r) for r in records) + "\n"
    (tmp_path / "inq.jsonl").write_text(lines)
    frame.to_json(
        tmp_path / "inq.ndjson.gz", orient="records", lines=True, date_format="iso", compression="gzip"
    )
    for name in ("inq.csv.gz", "inq.jsonl", "inq.ndjson.gz"):
        _assert_inquiries(_load("bureau_inquiries", {"path": str(tmp_path / name)}), frame)


def test_zipped_csv_is_extracted_and_read_and_the_member_can_be_chosen(tmp_path: Path) -> None:
    frame = _inquiries()
    with zipfile.ZipFile(tmp_path / "one.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export/inquiries.csv", frame.to_csv(index=False))
    _assert_inquiries(_load("bureau_inquiries", {"path": str(tmp_path / "one.zip")}), frame)

    with zipfile.ZipFile(tmp_path / "two.zip", "w") as zf:
        zf.writestr("README.txt", "not data")
        zf.writestr("inquiries.csv", frame.to_csv(index=False))
    two = {"path": str(tmp_path / "two.zip")}
    _assert_inquiries(_load("bureau_inquiries", {**two, "member": "*.csv"}), frame)
    (problem,) = validate_sources(DataConfig.model_validate({"sources": {"bureau_inquiries": two}})).problems
    assert problem.message == (
        f"{tmp_path / 'two.zip'}: the zip archive has several files; set member: to one of "
        "['README.txt', 'inquiries.csv']"
    )


def test_a_glob_and_a_list_of_files_are_unioned_by_column_name(tmp_path: Path) -> None:
    frame = _inquiries()
    frame.iloc[:4].to_csv(tmp_path / "inq_2023.csv", index=False)
    frame.iloc[4:][list(reversed(frame.columns))].to_csv(tmp_path / "inq_2024.csv", index=False)
    _assert_inquiries(_load("bureau_inquiries", {"path": str(tmp_path / "inq_*.csv")}), frame)
    both = [str(tmp_path / "inq_2023.csv"), str(tmp_path / "inq_2024.csv")]
    _assert_inquiries(_load("bureau_inquiries", {"path": both}), frame)

    missing = {"path": str(tmp_path / "inq_19*.csv")}
    (problem,) = validate_sources(
        DataConfig.model_validate({"sources": {"bureau_inquiries": missing}})
    ).problems
    assert (problem.kind, problem.message) == (
        "file_not_found",
        f"{tmp_path / 'inq_19*.csv'}: no file matches {str(tmp_path / 'inq_19*.csv')!r}",
    )


def test_csv_dialect_delimiter_null_marker_and_yymmdd_dates(tmp_path: Path) -> None:
    (tmp_path / "inq.asc").write_text(
        '"inquiry_id";"customer_id";"inquiry_date";"lender";"purpose"\n'
        '"007";"c1";930705;"?";"new_credit"\n'
        '"010";"c2";931231;"bank";"collection"\n'
    )
    source = {
        "path": str(tmp_path / "inq.asc"),
        "csv": {"delimiter": ";", "null": ["?"], "date_format": "%y%m%d"},
    }
    data = DataConfig.model_validate({"sources": {"bureau_inquiries": source}})
    (problem,) = validate_sources(data).problems  # lender is not nullable: '?' was read as missing
    assert (
        problem.message
        == f"{tmp_path / 'inq.asc'}: column 'lender' has 1 null value (e.g. row inquiry_id='007'); expected no nulls"
    )
    got = read_table(tmp_path / "inq.asc", options=data.sources["bureau_inquiries"])
    assert got["inquiry_id"].tolist() == ["007", "010"]
    assert got["lender"].tolist() == [None, "bank"]
    assert got["inquiry_date"].tolist() == [pd.Timestamp("1993-07-05"), pd.Timestamp("1993-12-31")]


def _loans_and_accounts(tmp_path: Path) -> dict[str, object]:
    """A vendor dump: loans with a duplicated key (a corrected row), accounts joined for the customer."""
    (tmp_path / "loans.csv").write_text(
        "loan_no;acct;applied;amount;months;state;updated\n"
        "L1;A1;240105;1000;12;B;240201\n"
        "L1;A1;240105;1200;12;A;240301\n"  # the later correction wins
        "L2;A2;240210;500;6;D;240210\n"
        "L3;A9;240315;700;24;A;240315\n"
    )
    (tmp_path / "accounts.csv").write_text("acct,owner\nA1,C1\nA2,C2\nA9,C9\n")
    return {
        "loans": {"path": str(tmp_path / "loans.csv"), "csv": {"delimiter": ";", "date_format": "%y%m%d"}},
        "accounts": {"path": str(tmp_path / "accounts.csv")},
    }


QUERY = """
SELECT l.loan_no, a.owner, l.applied, l.amount, l.months, l.state
FROM loans AS l JOIN accounts AS a USING (acct)
QUALIFY row_number() OVER (PARTITION BY l.loan_no ORDER BY l.updated DESC) = 1
"""

MAPPING = {
    "application_id": "loan_no",
    "customer_id": "owner",
    "application_date": "applied",
    "product": {"const": "cash_loan"},
    "channel": {"const": "branch"},
    "requested_amount": "amount",
    "requested_term": "months",
    "declared_province": {"const": "north"},
    "decision": {"const": "approved"},
    "loan_id": "loan_no",
}


def test_a_query_deduplicates_with_qualify_and_joins_then_the_mapping_applies(tmp_path: Path) -> None:
    raw = _loans_and_accounts(tmp_path)
    apps = _load("applications", {"query": QUERY, "mapping": MAPPING}, raw)
    apps = apps.sort_values("application_id").reset_index(drop=True)
    assert apps["application_id"].tolist() == ["L1", "L2", "L3"]
    assert apps["customer_id"].tolist() == ["C1", "C2", "C9"]
    assert apps["requested_amount"].tolist() == [1200.0, 500.0, 700.0]
    assert apps["application_date"].tolist() == [
        pd.Timestamp(d) for d in ("2024-01-05", "2024-02-10", "2024-03-15")
    ]


def test_a_query_can_union_and_filter_raw_files(tmp_path: Path) -> None:
    frame = _inquiries()
    frame.iloc[:3].to_csv(tmp_path / "a.csv", index=False)
    frame.iloc[3:].to_parquet(tmp_path / "b.parquet", index=False)
    raw = {"a": {"path": str(tmp_path / "a.csv")}, "b": {"path": str(tmp_path / "b.parquet")}}
    query = "SELECT * FROM a UNION ALL BY NAME SELECT * FROM b WHERE purpose <> 'collection'"
    got = _load("bureau_inquiries", {"query": query}, raw)
    _assert_inquiries(got, frame[frame["purpose"] != "collection"].reset_index(drop=True))


def test_a_bad_query_is_one_line_naming_the_source_key_and_duckdbs_message(tmp_path: Path) -> None:
    raw = _loans_and_accounts(tmp_path)
    cases = {
        "SELECT * FROM loanz": 'Catalog Error: Table with name loanz does not exist! Did you mean "loans"?',
        "SELECT * FORM loans": 'Parser Error: syntax error at or near "loans"',
        "SELECT nope FROM loans": 'Binder Error: Referenced column "nope" not found in FROM clause!',
    }
    for query, message in cases.items():
        data = DataConfig.model_validate({"raw": raw, "sources": {"applications": {"query": query}}})
        (problem,) = validate_sources(data).problems
        assert problem.kind == "query_error"
        assert problem.message.startswith(f"data.sources.applications.query: {message}")
        assert "\n" not in problem.message
        with pytest.raises(DataError, match="data.sources.applications.query: "):
            load_sources(data)


def test_a_query_cannot_run_a_statement_other_than_a_select(tmp_path: Path) -> None:
    raw = _loans_and_accounts(tmp_path)
    data = DataConfig.model_validate({"raw": raw, "sources": {"applications": {"query": "DROP TABLE loans"}}})
    (problem,) = validate_sources(data).problems
    assert problem.message.startswith("data.sources.applications.query: Parser Error")


def test_missing_query_columns_and_unreadable_raw_files_are_named(tmp_path: Path) -> None:
    raw = _loans_and_accounts(tmp_path)
    data = DataConfig.model_validate(
        {"raw": raw, "sources": {"applications": {"query": "SELECT loan_no FROM loans"}}}
    )
    problems = validate_sources(data).problems
    assert problems[0].message.startswith(
        "data.sources.applications.query: column 'application_id' is missing; the query returns ['loan_no']"
    )
    raw["loans"] = {"path": str(tmp_path / "nowhere_*.csv")}
    data = DataConfig.model_validate({"raw": raw, "sources": {"applications": {"query": QUERY}}})
    assert [p.message for p in validate_sources(data).problems] == [
        f"data.raw.loans: no file matches {str(tmp_path / 'nowhere_*.csv')!r}",
        "data.sources.applications.query: not run; it reads data.raw.loans, which cannot be read",
    ]


def test_query_text_is_recorded_with_the_raw_files_it_reads(tmp_path: Path) -> None:
    raw = _loans_and_accounts(tmp_path)
    data = DataConfig.model_validate({"raw": raw, "sources": {"applications": {"query": QUERY + ";"}}})
    assert source_queries(data) == (
        f"-- data.raw.loans: {tmp_path / 'loans.csv'} {{'csv': {{'delimiter': ';', 'date_format': '%y%m%d'}}}}\n"
        f"-- data.raw.accounts: {tmp_path / 'accounts.csv'}\n"
        "\n-- data.sources.applications.query\n" + QUERY.strip() + ";\n"
    )
    plain = DataConfig.model_validate({"sources": {"applications": {"path": str(tmp_path / "loans.csv")}}})
    assert source_queries(plain) == ""


def test_source_config_errors_name_the_key(tmp_path: Path) -> None:
    base = {"card": "application", "name": "c"}
    cases = [
        ({"sources": {"applications": {"path": "a.csv", "query": "SELECT 1"}}}, "exactly one of 'path'"),
        ({"sources": {"applications": {}}}, "exactly one of 'path'"),
        (
            {
                "raw": {"a": {"path": "a.csv"}},
                "sources": {"applications": {"query": "SELECT 1", "format": "csv"}},
            },
            "file options ['format'] do not apply to a query source",
        ),
        ({"sources": {"applications": {"query": "SELECT 1"}}}, "'raw' declares no files"),
        (
            {"raw": {"my-file": {"path": "a.csv"}}, "sources": {"applications": {"path": "a.csv"}}},
            "must be SQL names",
        ),
    ]
    for data, message in cases:
        with pytest.raises(ConfigError, match=re.escape(message)):
            parse_config({**base, "data": data})


def test_relative_paths_and_globs_resolve_against_the_config_folder(tmp_path: Path) -> None:
    raw = {"a": {"path": ["x/a.csv", "x/b_*.csv"]}}
    cfg = parse_config(
        {
            "card": "application",
            "name": "c",
            "data": {"raw": raw, "sources": {"applications": {"query": "FROM a"}}},
        },
        base=tmp_path,
    )
    assert cfg.data.raw["a"].path == [tmp_path / "x" / "a.csv", tmp_path / "x" / "b_*.csv"]


def test_unparseable_lines_fail_unless_skipped_knowingly_and_then_they_are_counted(tmp_path: Path) -> None:
    frame = _inquiries()
    (tmp_path / "inq.csv").write_text(frame.to_csv(index=False) + 'inquiry_id_9,customer_id_9,"2024-0\n')
    source = {"path": str(tmp_path / "inq.csv"), "csv": {"delimiter": ","}}
    (problem,) = validate_sources(
        DataConfig.model_validate({"sources": {"bureau_inquiries": source}})
    ).problems
    assert problem.kind == "unreadable" and problem.message.startswith(f"{tmp_path / 'inq.csv'}: cannot read")
    skipping = {**source, "csv": {"delimiter": ",", "skip_bad_rows": True}}
    data = DataConfig.model_validate({"sources": {"bureau_inquiries": skipping}})
    report = validate_sources(data)
    assert report.ok and report.notes == [
        "data.sources.bureau_inquiries: 1 unparseable line(s) skipped (csv.skip_bad_rows), the first at line 8"
    ]
    _assert_inquiries(load_sources(data)["bureau_inquiries"], frame)
    raw = {"inq": skipping}
    queried = DataConfig.model_validate({"raw": raw, "sources": {"bureau_inquiries": {"query": "FROM inq"}}})
    assert validate_sources(queried).notes == [
        "data.raw.inq: 1 unparseable line(s) skipped (csv.skip_bad_rows), the first at line 8"
    ]


def test_a_declared_date_format_reads_text_and_integer_dates_and_names_itself_in_the_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "inq.asc").write_text(
        "inquiry_id;customer_id;inquiry_date;lender;purpose\n"
        "7;c1;930705;b;new_credit\n10;c2;931331;b;collection\n11;c2;050101;b;collection\n"
    )
    (tmp_path / "inq.csv").write_text(
        "inquiry_id,customer_id,inquiry_date,lender,purpose\n7,c1,05/07/1993,b,new_credit\n10,c2,1993-12-01,b,collection\n"
    )
    declared = {
        "inq.asc": {"delimiter": ";", "date_format": "%y%m%d"},
        "inq.csv": {"delimiter": ",", "date_format": "%d/%m/%Y"},
    }
    data = {
        name: DataConfig.model_validate(
            {"sources": {"bureau_inquiries": {"path": str(tmp_path / name), "csv": csv}}}
        )
        for name, csv in declared.items()
    }
    (problem,) = validate_sources(data["inq.asc"]).problems  # one bad date, not the whole column
    assert problem.message == (
        f"{tmp_path / 'inq.asc'}: column 'inquiry_date' has 1 unparseable date (e.g. '931331'); "
        "expected dates as '%y%m%d' (csv.date_format) or YYYY-MM-DD"
    )
    assert validate_sources(data["inq.csv"]).ok
    got = load_sources(data["inq.csv"])["bureau_inquiries"]
    assert got["inquiry_date"].tolist() == [pd.Timestamp("1993-07-05"), pd.Timestamp("1993-12-01")]  # ISO too
    fixed = tmp_path / "inq.asc"
    fixed.write_text(fixed.read_text().replace("931331", "931231"))
    got = load_sources(data["inq.asc"])["bureau_inquiries"].set_index("inquiry_id")["inquiry_date"]
    assert got.to_dict() == {
        "7": pd.Timestamp("1993-07-05"),
        "10": pd.Timestamp("1993-12-31"),
        "11": pd.Timestamp("2005-01-01"),  # 050101, sniffed as the integer 50101, padded back
    }
