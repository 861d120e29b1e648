"""File scoring that garbage and faults cannot fool: issue 13's file cases, each one line and nothing left."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from scorecard.bundle.runtime import Bundle, load_bundle
from scorecard.bundle.stream import score_file
from scorecard.cli.app import run
from scorecard.errors import DataError
from tests.bundle.conftest import documents, write

ROW = {"application_id": 1, "age": 30, "inq_3m": 0, "channel": "online", "national_id_hash": "h",
       "region": "north", "is_emulator": False}  # fmt: skip


@pytest.fixture
def bundle(tmp_path: Path) -> Bundle:
    return load_bundle(write(documents(), tmp_path / "bundle"))


def _frame(n: int) -> pd.DataFrame:
    frame = pd.DataFrame([ROW] * n)
    frame["application_id"] = np.arange(n)
    return frame


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.startswith("out"))


def test_output_equal_to_input_is_refused_and_the_input_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle_dir = write(documents(), tmp_path / "bundle")
    source = tmp_path / "in.csv"
    _frame(5).to_csv(source, index=False)
    before = source.read_bytes()
    code = run(["score", "--bundle", str(bundle_dir), "--input", str(source), "--output",
                str(tmp_path / "." / "in.csv"), "--keep", "application_id"])  # fmt: skip
    assert code == 1 and source.read_bytes() == before
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("in.csv: is the input file; write the scores to another path")
    )


def test_a_short_row_stops_the_run_with_one_line_and_leaves_nothing(bundle: Bundle, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _frame(3000).to_csv(source, index=False)
    lines = source.read_text().splitlines()
    lines[2001] = "1,2,3,4"  # line 2002 of the file: four cells instead of seven
    source.write_text("\n".join(lines) + "\n")
    target = tmp_path / "out.csv"
    with pytest.raises(
        DataError, match=r"in.csv: line 2002: expected 7 columns, got 4; nothing was written$"
    ):
        score_file(bundle, source, target, chunk_rows=256)
    assert _left(tmp_path) == []


def test_a_failed_run_keeps_the_previous_output(bundle: Bundle, tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    target.write_bytes(b"yesterday's scores")
    source = tmp_path / "in.csv"
    source.write_text("application_id,age\n1,2,3\n")
    with pytest.raises(DataError, match="line 2: expected 2 columns, got 3"):
        score_file(bundle, source, target)
    assert target.read_bytes() == b"yesterday's scores" and _left(tmp_path) == ["out.parquet"]


def test_a_truncated_csv_is_one_line(bundle: Bundle, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _frame(50).to_csv(source, index=False)
    data = source.read_bytes()
    source.write_bytes(data[: len(data) - 9])  # cut inside the last row
    with pytest.raises(DataError, match=r"in.csv: line 51: expected 7 columns, got \d; nothing was written"):
        score_file(bundle, source, tmp_path / "out.csv")
    assert _left(tmp_path) == []


@pytest.mark.parametrize("cut", [0, 100, -30])
def test_an_empty_or_truncated_parquet_file_is_one_line(bundle: Bundle, tmp_path: Path, cut: int) -> None:
    whole = tmp_path / "whole.parquet"
    _frame(2000).to_parquet(whole)
    source = tmp_path / "in.parquet"
    data = whole.read_bytes()
    source.write_bytes(data[:cut])
    with pytest.raises(DataError, match=r"in.parquet: cannot be read as PARQUET \(.+\)"):
        score_file(bundle, source, tmp_path / "out.csv")
    assert _left(tmp_path) == []
    assert run(["score", "--bundle", str(tmp_path / "bundle"), "--input", str(source), "--output",
                str(tmp_path / "out.csv")]) == 1  # fmt: skip


def test_a_list_column_in_parquet_scores_as_row_errors(bundle: Bundle, tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    table = pa.Table.from_pandas(_frame(4)).set_column(
        3, "channel", pa.array([["online"], ["a", "b"], [], None])
    )
    pq.write_table(table, source)
    out = score_file(bundle, source, tmp_path / "out.parquet", keep=["application_id", "channel"])
    scored = pd.read_parquet(tmp_path / "out.parquet")
    assert out.rows == 4 and out.errors == 3
    assert [
        s.removesuffix(" is not a category (expected text, a number or a bool)") for s in scored["status"][:3]
    ] == [
        "error: channel: array(['online'], dtype=object)",
        "error: channel: array(['a', 'b'], dtype=object)",
        "error: channel: array([], dtype=object)",
    ]
    assert scored["status"][3] == "ok"  # a null list is a missing value
    with pytest.raises(
        DataError, match=r"columns \['channel'\] hold lists or structs, which CSV cannot hold"
    ):
        score_file(bundle, source, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_scored_csv_keeps_copied_columns_unquoted_and_typed(bundle: Bundle, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    frame = _frame(3).assign(note=["plain", 'says "hi", twice', "line\nbreak"])
    frame.to_csv(source, index=False)
    score_file(bundle, source, tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text()
    assert text.splitlines()[1].startswith("0,30,0,online,h,north,False,plain,530,")
    back = pacsv.read_csv(tmp_path / "out.csv")
    assert (
        back.schema.field("application_id").type == pa.int64() and back.schema.field("age").type == pa.int64()
    )
    assert back.column("note").to_pylist() == ["plain", 'says "hi", twice', "line\nbreak"]
    assert back.column("score").to_pylist() == [530, 530, 530]


def test_a_file_lacking_a_required_column_is_refused(bundle: Bundle, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _frame(3).drop(columns=["region"]).to_csv(source, index=False)
    with pytest.raises(
        DataError, match=r"in.csv: lacks required columns \['region'\]; bundle 'hand_card' needs"
    ):
        score_file(bundle, source, tmp_path / "out.csv")
    assert _left(tmp_path) == []


def test_a_timestamp_column_in_a_number_field_is_refused_per_row(bundle: Bundle, tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    frame = _frame(3)
    frame["age"] = pd.to_datetime(["2024-01-01", "2024-02-01", None])
    frame.to_parquet(source)
    score_file(bundle, source, tmp_path / "out.parquet")
    status = pd.read_parquet(tmp_path / "out.parquet")["status"].tolist()
    assert status[0].startswith("error: age: ") and status[0].endswith("is not a number")
    assert status[2] == "ok"  # NaT is a missing age
