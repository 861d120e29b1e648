"""Every validation problem names the file, the column, how many rows and an example; all are reported at once."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from tests.raw_tables import N_ROWS, raw_tables, sources_config, write_tables

from scorecard.cli.app import run
from scorecard.config import DataConfig
from scorecard.data import validation
from scorecard.data.ingest import load_sources, validate_sources
from scorecard.data.schema import CHANNELS, PRODUCTS, TABLES, Column, TableSchema
from scorecard.data.validation import REDACTED, Problem, check_table
from scorecard.errors import DataError


def _validate(
    tmp_path: Path,
    table: str,
    frame: pd.DataFrame,
    fmt: str = "csv",
    allowed: dict[str, list[str]] | None = None,
) -> tuple[Path, list[Problem]]:
    paths = write_tables({table: frame}, tmp_path, fmt)
    data = sources_config(paths)
    data["sources"][table]["allowed"] = allowed or {}  # type: ignore[index]
    report = validate_sources(DataConfig.model_validate(data))
    return paths[table], report.problems


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.message for p in problems]
    return problems[0]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_valid_tables_pass_with_a_summary_per_table(tmp_path: Path, fmt: str) -> None:
    tables = raw_tables()
    report = validate_sources(DataConfig.model_validate(sources_config(write_tables(tables, tmp_path, fmt))))
    assert report.ok, report.format()
    by_table = {t.table: t for t in report.tables}
    assert list(by_table) == list(tables)
    # raw_tables puts exactly one null (row 1) in every nullable column
    assert (by_table["customers"].rows, by_table["customers"].columns, by_table["customers"].nulls) == (
        N_ROWS,
        13,
        2,
    )
    assert (by_table["device_events"].columns, by_table["device_events"].nulls) == (11, 3)
    assert by_table["bureau_inquiries"].nulls == 0


def test_missing_column(tmp_path: Path) -> None:
    frame = raw_tables()["applications"].drop(columns=["channel"])
    path, problems = _validate(tmp_path, "applications", frame)
    p = _only(problems)
    assert (p.kind, p.column, p.table) == ("missing_column", "channel", "applications")
    assert p.message.startswith(f"{path}: column 'channel' is missing; the source has ['application_id',")


CELL_PROBLEMS = {  # case: (kind, column, {row: bad raw value}, rows, example, message after "<file>: column '<col>' ")
    "text in a float column": (
        "wrong_type", "requested_amount", {2: "abc", 4: "n/a"}, 2, "abc",
        "has 2 values of the wrong type (e.g. 'abc'); expected float values",
    ),
    "fraction in an int column": (
        "wrong_type", "requested_term", {3: 2.5}, 1, "2.5",
        "has 1 value of the wrong type (e.g. '2.5'); expected int values",
    ),
    "unparseable dates": (
        "unparseable_date", "application_date", {1: "2024-02-30", 2: "31/01/2024"}, 2, "2024-02-30",
        "has 2 unparseable dates (e.g. '2024-02-30'); expected YYYY-MM-DD",
    ),
    "out of range on both sides": (
        "out_of_range", "requested_term", {0: 0, 1: 121, 2: 360}, 3, "0",
        "has 3 values out of range (e.g. '0'); expected values in [1, 120]",
    ),
    "not in the allowed set": (
        "not_allowed", "product", {0: "mortgage", 3: "Cash_Loan"}, 2, "Cash_Loan",
        "has 2 values not in the allowed set (e.g. 'Cash_Loan'); expected one of ['cash_loan', 'credit_card', 'pos_loan']",
    ),
    "null in a non-nullable column, shown by its row key": (
        "null", "decision", {0: None, 5: None}, 2, "row application_id='application_id_0'",
        "has 2 null values (e.g. row application_id='application_id_0'); expected no nulls",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CELL_PROBLEMS)
def test_each_bad_cell_problem_names_file_column_count_and_example(tmp_path: Path, case: str) -> None:
    kind, column, cells, rows, example, tail = CELL_PROBLEMS[case]
    frame = raw_tables()["applications"].astype({column: object})
    frame.loc[list(cells), column] = list(cells.values())
    frame.loc[1, "loan_id"] = None  # nullable: never a problem
    path, problems = _validate(tmp_path, "applications", frame, allowed={"product": list(PRODUCTS)})
    p = _only(problems)
    assert (p.kind, p.column, p.rows, p.example) == (kind, column, rows, example)
    assert p.message == f"{path}: column {column!r} {tail}"


def test_row_groups_that_can_fail_are_read(tmp_path: Path) -> None:
    """Parquet in row groups of 2 rows, scanned as a build does: the statistics skip the clean row groups,
    and every failing value and null is still counted, with the same example as a full read."""
    frame = raw_tables(12)["loan_performance"]
    frame.loc[[9, 10], "dpd"] = [-3, -1]
    frame.loc[7, "loan_id"] = None
    frame.loc[[4, 5], "balance"] = [float("nan"), None]
    path = tmp_path / "loan_performance.parquet"
    frame.to_parquet(path, index=False, row_group_size=2)
    con = duckdb.connect()
    con.execute(
        f"CREATE VIEW mapped AS SELECT * REPLACE (CASE WHEN isnan(balance) THEN NULL ELSE balance END "
        f"AS balance) FROM read_parquet('{path}')"
    )
    summary, problems = check_table(con, "mapped", TABLES["loan_performance"], str(path))
    assert [(p.kind, p.column, p.rows, p.example) for p in problems] == [
        ("null", "loan_id", 1, None),
        ("null", "balance", 2, "row loan_id='loan_id_4'"),
        ("out_of_range", "dpd", 2, "-1"),
    ]
    assert problems[2].message == (
        f"{path}: column 'dpd' has 2 values out of range (e.g. '-1'); expected values in [0, inf]"
    )
    assert (summary.rows, summary.nulls) == (12, int(frame.isna().sum().sum()))


def test_nan_in_a_float_column_is_a_null(tmp_path: Path) -> None:
    frame = raw_tables()["applications"]
    frame.loc[4, "requested_amount"] = float("nan")
    _, problems = _validate(tmp_path, "applications", frame, fmt="parquet")
    assert (_only(problems).kind, _only(problems).rows) == ("null", 1)


def test_duplicate_composite_key(tmp_path: Path) -> None:
    frame = raw_tables()["loan_performance"]
    frame.loc[[3, 4, 5], "loan_id"] = "L9"
    frame.loc[[3, 4, 5], "month"] = pd.Timestamp("2024-05-01")
    frame.loc[2, "loan_id"] = "L9"  # same loan, another month: fine
    path, problems = _validate(tmp_path, "loan_performance", frame)
    p = _only(problems)
    assert (p.kind, p.column, p.rows) == ("duplicate_key", "loan_id, month", 3)
    assert p.message == (
        f"{path}: key (loan_id, month) is duplicated: 3 rows share 1 key value "
        "(e.g. loan_id='L9', month='2024-05-01'); expected one row per key"
    )


def test_equal_key_hashes_of_distinct_keys_are_no_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two keys whose 64-bit hashes collide: the exact pass finds no duplicate key, so no problem."""
    monkeypatch.setattr(validation, "_repeats", lambda hashes: True)
    assert _validate(tmp_path, "loan_performance", raw_tables()["loan_performance"])[1] == []


def test_repeated_hashes() -> None:
    assert validation._repeats(np.array([9, 3, 7, 3], dtype=np.uint64))
    assert not validation._repeats(np.array([9, 3, 7, 2**64 - 1], dtype=np.uint64))
    assert not validation._repeats(np.array([], dtype=np.uint64))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_file_with_a_header_and_no_rows_is_empty(tmp_path: Path, fmt: str) -> None:
    path, problems = _validate(tmp_path, "bureau_inquiries", raw_tables()["bureau_inquiries"].iloc[:0], fmt)
    p = _only(problems)
    assert (p.kind, p.column, p.rows, p.message) == (
        "empty",
        None,
        0,
        f"{path}: no rows; expected rows of bureau_inquiries",
    )


def test_zero_byte_file_is_empty(tmp_path: Path) -> None:
    (tmp_path / "bureau_inquiries.csv").write_bytes(b"")
    report = validate_sources(
        DataConfig.model_validate(sources_config({"bureau_inquiries": tmp_path / "bureau_inquiries.csv"}))
    )
    assert _only(report.problems).kind == "empty"
    assert report.tables[0].rows is None


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "customers.parquet").write_bytes(b"not a parquet file")
    paths = {"customers": tmp_path / "customers.parquet", "applications": tmp_path / "nowhere.csv"}
    report = validate_sources(DataConfig.model_validate(sources_config(paths)))
    unreadable, missing = report.problems
    assert unreadable.kind == "unreadable" and unreadable.message.startswith(
        f"{paths['customers']}: cannot read"
    )
    assert (missing.kind, missing.message) == ("file_not_found", f"{paths['applications']}: file not found")


def test_every_problem_of_every_table_is_reported_at_once(tmp_path: Path) -> None:
    tables = raw_tables()
    tables["applications"].loc[0, "channel"] = "fax"
    tables["applications"].loc[1, "decision"] = None
    tables["bureau_tradelines"].loc[2, "worst_dpd"] = -3
    tables["customers"] = tables["customers"].drop(columns=["housing"])
    data = sources_config(write_tables(tables, tmp_path, "parquet"))
    data["sources"]["applications"]["allowed"] = {"channel": list(CHANNELS)}  # type: ignore[index]
    config = DataConfig.model_validate(data)
    report = validate_sources(config)
    assert [(p.table, p.kind, p.column) for p in report.problems] == [
        ("customers", "missing_column", "housing"),
        ("applications", "not_allowed", "channel"),
        ("applications", "null", "decision"),
        ("bureau_tradelines", "out_of_range", "worst_dpd"),
    ]
    assert [t.problems for t in report.tables] == [1, 2, 1, 0, 0, 0, 0]
    with pytest.raises(DataError) as err:
        load_sources(config)
    lines = str(err.value).splitlines()
    assert lines[0] == "4 data problem(s) in the sources:"
    assert lines[1:] == [f"  - {p.message}" for p in report.problems]


def test_examples_from_pii_columns_are_redacted() -> None:
    schema = TableSchema(
        "people", ("person_id",), (Column("person_id", "string"), Column("pin", "int", pii="hash"))
    )
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE people AS SELECT * FROM (VALUES ('p1', '12345'), ('p2', 'SECRET-PIN')) t(person_id, pin)"
    )
    _, problems = check_table(con, "people", schema, "people.csv")
    p = _only(problems)
    assert (p.kind, p.example) == ("wrong_type", REDACTED)
    assert "SECRET-PIN" not in p.message


def _card(tmp_path: Path, paths: dict[str, Path]) -> Path:
    data = sources_config(paths)
    data["sources"]["applications"]["allowed"] = {"product": list(PRODUCTS)}  # type: ignore[index]
    config = tmp_path / "card.yaml"
    config.write_text(yaml.safe_dump({"card": "application", "name": "check", "data": data}))
    return config


def test_cli_validate_prints_summary_and_exits_zero_when_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_tables(raw_tables(), tmp_path)
    assert run(["data", "validate", "--config", str(_card(tmp_path, paths))]) == 0
    out = capsys.readouterr().out
    assert "applications" in out and "All sources match their schema." in out


def test_cli_validate_lists_problems_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = raw_tables()
    tables["applications"].loc[2, "product"] = "mortgage"
    paths = write_tables(tables, tmp_path)
    assert run(["data", "validate", "--config", str(_card(tmp_path, paths))]) == 1
    captured = capsys.readouterr()
    assert "not_allowed" in captured.out and "'mortgage'" in captured.out
    assert "1 data problem(s) in 1 table(s)" in captured.err
