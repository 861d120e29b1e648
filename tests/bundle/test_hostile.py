"""Hostile input on the real-time path: nothing raises, batch equals one, incomplete evidence never approves.

Property tests (hypothesis) feed any JSON value, numpy scalars and arrays, Decimals (sNaN too), bytes, bools,
huge ints and dates into every field of the hand-written card; regression tests pin each crash of issue 13.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard.bundle.fields import SHOWN_CHARS
from scorecard.bundle.runtime import Bundle, load_bundle
from tests.bundle.conftest import documents, write

FIELDS = ("age", "inq_3m", "channel", "national_id_hash", "region", "is_emulator")
CLEAN = {"national_id_hash": "h-ok", "region": "north", "is_emulator": False}
GOOD = {"age": 50, "inq_3m": 0, "channel": "online", **CLEAN}  # 545: approve


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    docs = documents()
    for feature in docs["scorecard.json"]["features"]:
        if feature["kind"] == "numerical":  # hard limits: valid range widened by its width, never below 0
            lo, hi = feature["valid_range"]
            feature["hard_limits"] = [max(lo - (hi - lo), 0.0), hi + (hi - lo)]
    return load_bundle(write(docs, tmp_path_factory.mktemp("hostile") / "b"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
odd_values = st.sampled_from([
    np.int64(3), np.float64("inf"), np.float32(2.5), np.bool_(True), np.float64("nan"), np.array([1.0, 2.0]),
    np.array([]), np.array(30.0), decimal.Decimal("sNaN"), decimal.Decimal("NaN"), decimal.Decimal("1e400"),
    decimal.Decimal("30.5"), b"30", b"\xff", 10**400, -(10**400), "1e308", "-inf", "inf", "nan", "x" * 100_000,
    dt.datetime(2024, 1, 1), dt.date(2024, 1, 1), np.datetime64("2024-01-01"), np.timedelta64(3, "D"),
    (1, 2), {"a": 1}, [None], "online", "branch", True, 18, 80, 81, 145.0, 142.0, -1, -0.0, 1e-320,
])  # fmt: skip
values = json_values | odd_values
records = st.dictionaries(st.sampled_from(FIELDS), values, min_size=1, max_size=len(FIELDS))


def _batch_row(batch: dict[str, np.ndarray], i: int) -> dict[str, Any]:
    return {
        k: batch[k][i]
        for k in ("score", "grade", "decision", "knockout", "flags", "reasons", "warnings", "status")
    }


def _as_row(one: dict[str, Any]) -> dict[str, Any]:
    ok = one["status"] == "ok"
    return {
        "score": one["score"] if ok else 0,
        "grade": one["grade"] or "",
        "decision": one["decision"] or "",
        "knockout": one["knockout"] or "",
        "flags": "|".join(one["flags"]),
        "reasons": "|".join(r["code"] for r in one["reasons"]),
        "warnings": "; ".join(one["warnings"]),
        "status": one["status"],
    }


def _never_approved_without_evidence(record: dict[str, Any], out: dict[str, Any]) -> None:
    incomplete = set(FIELDS) - set(record)
    non_finite = []
    for name in ("age", "inq_3m"):
        try:
            x = float(record[name]) if name in record and not isinstance(record[name], str | bool) else None
        except Exception:
            x = None
        if x is not None and math.isinf(x):
            non_finite.append(name)
    if incomplete or non_finite:
        assert out["decision"] != "approve", (record, out)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_any_record_scores_the_same_one_and_batch_never_raising(
    bundle: Bundle, record: dict[str, Any]
) -> None:
    one = bundle.score_one(record)
    batch = bundle.score_batch({k: [v] for k, v in record.items()})
    assert _batch_row(batch, 0) == _as_row(one), record
    assert len(one["status"]) < 200
    _never_approved_without_evidence(record, one)


@settings(max_examples=150, deadline=None)
@given(st.lists(records.map(lambda r: {**GOOD, **r}), min_size=1, max_size=8))
def test_any_batch_of_complete_records_equals_one_by_one(bundle: Bundle, rows: list[dict[str, Any]]) -> None:
    columns = {name: [r[name] for r in rows] for name in FIELDS}
    batch = bundle.score_batch(columns)
    for i, record in enumerate(rows):
        one = bundle.score_one(record)
        assert _batch_row(batch, i) == _as_row(one), record
        _never_approved_without_evidence(record, one)


# ------------------------------------------------------------------------------ issue 13 regressions
GARBAGE = {"age": "-inf", "inq_3m": "inf", "channel": "online"}


def test_infinite_values_are_errors_not_edge_bins(bundle: Bundle) -> None:
    out = bundle.score_one({**GOOD, "inq_3m": "-inf"})
    assert out["decision"] is None and out["status"] == "error: inq_3m: '-inf' is not a finite number"
    batch = bundle.score_batch({k: [v] for k, v in {**GOOD, "inq_3m": float("inf")}.items()})
    assert batch["status"][0] == "error: inq_3m: inf is not a finite number" and batch["decision"][0] == ""


def test_the_issue_garbage_record_is_not_approved(bundle: Bundle) -> None:
    out = bundle.score_one(GARBAGE)
    assert out["decision"] != "approve" and out["status"].startswith("error: age: '-inf' is not a finite")


def test_a_value_beyond_the_hard_limits_is_missing_and_the_record_referred(bundle: Bundle) -> None:
    out = bundle.score_one({**GOOD, "age": "1e308"})  # age hard limits [0, 142]: scored as missing (0 points)
    assert out["score"] == 525 and out["decision"] == "refer" and out["flags"] == []
    assert out["warnings"] == ["age: beyond the hard limits [0, 142], treated as missing"]
    out = bundle.score_one({**GOOD, "inq_3m": 0, "age": 100})  # in the hard limits: edge bin, warned
    assert out["score"] == 545 and out["decision"] == "approve"
    out = bundle.score_one({**GOOD, "inq_3m": -0.5})  # a negative count: below the hard limit 0, missing -8
    assert out["score"] == 522 and out["decision"] == "refer"
    assert out["warnings"] == ["inq_3m: beyond the hard limits [0, 40], treated as missing"]


def test_an_absent_required_field_refers_what_would_be_approved(bundle: Bundle) -> None:
    record = {k: v for k, v in GOOD.items() if k != "national_id_hash"}
    out = bundle.score_one(record)
    assert out["score"] == 545 and out["decision"] == "refer" and out["flags"] == ["incomplete"]
    assert out["warnings"] == ["national_id_hash: field absent, treated as missing"]


def test_incomplete_error_rule_makes_the_record_an_error(tmp_path: Path) -> None:
    docs = documents()
    docs["policy.json"]["incomplete"] = "error"
    bundle = load_bundle(write(docs, tmp_path / "b"))
    record = {k: v for k, v in GOOD.items() if k != "region"}
    out = bundle.score_one(record)
    assert out["decision"] is None and out["status"] == (
        "error: incomplete evidence: a required field is absent or a value is beyond its hard limits"
    )
    assert bundle.score_batch({k: [v] for k, v in record.items()})["status"][0] == out["status"]


def test_a_knockout_on_a_missing_field_refers_by_default(tmp_path: Path) -> None:
    docs = documents()
    del docs["policy.json"]["knockouts"][1]["if_missing"]  # underage: age < 18
    docs["policy.json"]["knockouts"][1]["if_missing"] = "refer"
    bundle = load_bundle(write(docs, tmp_path / "b"))
    out = bundle.score_one({**GOOD, "age": None})
    assert (out["decision"], out["knockout"]) == ("refer", "underage")
    batch = bundle.score_batch({k: [v] for k, v in {**GOOD, "age": None}.items()})
    assert (batch["decision"][0], batch["knockout"][0]) == ("refer", "underage")


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (10**400, "error: age: 1000000000000000000000000000000000000... is not a finite number"),
        (np.array([30.0, 40.0]), "error: age: array([30., 40.]) is not a number"),
        (decimal.Decimal("sNaN"), "error: age: Decimal('sNaN') is not a number"),
        ([30], "error: age: [30] is not a number"),
        (dt.datetime(2024, 1, 1), "error: age: datetime.datetime(2024, 1, 1, 0, 0) is not a number"),
    ],
)
def test_values_that_crashed_score_one_are_record_errors(bundle: Bundle, value: Any, status: str) -> None:
    out = bundle.score_one({**GOOD, "age": value})
    assert out["status"] == status and out["decision"] is None
    assert bundle.score_batch({k: [v] for k, v in {**GOOD, "age": value}.items()})["status"][0] == status


@pytest.mark.parametrize("value", [["online"], {"a": 1}, np.array(["online"]), b"online"])
def test_unhashable_categories_are_record_errors_in_batch_too(bundle: Bundle, value: Any) -> None:
    batch = bundle.score_batch({k: [v, v] for k, v in {**GOOD, "channel": value}.items()})
    assert batch["status"][0].startswith("error: channel: ") and "is not a category" in batch["status"][0]
    assert batch["status"][0] == bundle.score_one({**GOOD, "channel": value})["status"]


def test_a_timestamp_column_in_a_number_field_is_refused_per_row_in_batch() -> None:
    pd = pytest.importorskip("pandas")
    docs = documents()
    bundle = Bundle({"card": {"name": "t"}}, docs)
    frame = pd.DataFrame([GOOD, GOOD])
    frame["age"] = pd.to_datetime(["2024-01-01", "2024-02-01"])
    batch = bundle.score_batch(frame)
    assert all(s.startswith("error: age: ") and s.endswith("is not a number") for s in batch["status"])
    assert bundle.score_one(frame.iloc[0].to_dict())["status"] == batch["status"][0]


def test_a_huge_bad_value_gives_a_short_status(bundle: Bundle) -> None:
    out = bundle.score_one({**GOOD, "age": "x" * 10_000_000})
    assert len(out["status"]) < 30 + SHOWN_CHARS and out["status"].startswith("error: age: 'xxxx")


def test_a_record_that_is_not_an_object_is_an_error(bundle: Bundle) -> None:
    assert bundle.score_one([1, 2])["status"] == "error: a record must be a JSON object (a dict); got list"  # type: ignore[arg-type]
