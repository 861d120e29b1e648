"""The runtime on the hand-written card: scores, PDs, grades, reasons and warnings worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from scorecard.bundle.runtime import Bundle, load_bundle
from tests.bundle.conftest import documents

CLEAN = {"national_id_hash": "h-ok", "region": "north", "is_emulator": False}


def _pd(score: int) -> float:
    return 1.0 / (1.0 + math.exp(-(9.0 - 0.02 * score)))


@pytest.fixture
def bundle(app_bundle_dir: Path) -> Bundle:
    return load_bundle(app_bundle_dir)


def test_worked_example_middle_applicant(bundle: Bundle) -> None:
    # age 30 -> [25, 40) +5; inq 0 -> (-inf, 1) +15; online +10: 500 + 30 = 530; refer (510 <= 530 < 540)
    out = bundle.score_one({"age": 30, "inq_3m": 0, "channel": "online", **CLEAN})
    assert out["score"] == 530
    assert out["pd"] == pytest.approx(1 / (1 + math.exp(1.6)), abs=1e-15)
    assert out["grade"] == "C"  # 0.168 in (0.15, 0.30]
    assert out["decision"] == "refer" and out["knockout"] is None
    assert out["reasons"] == [
        {"code": "R01", "text": "Age of applicant", "feature": "age", "points_lost": 15.0}
    ]
    assert out["warnings"] == [] and out["status"] == "ok"


def test_worked_example_unknown_category_and_decline(bundle: Bundle) -> None:
    # age 45 +20; inq 5 -20; "kiosk" unknown -5: 495 < 510 -> decline; lost: inq 35, channel 15, age 0
    out = bundle.score_one({"age": 45, "inq_3m": 5, "channel": "kiosk", **CLEAN})
    assert out["score"] == 495
    assert out["pd"] == pytest.approx(_pd(495), abs=1e-15)
    assert out["decision"] == "decline"
    assert [r["code"] for r in out["reasons"]] == ["R02", "R03"]
    assert [r["points_lost"] for r in out["reasons"]] == [35.0, 15.0]
    assert out["warnings"] == ["channel: unknown category, scored as others_bin_else_lowest_woe"]


def test_special_missing_and_absent_fields(bundle: Bundle) -> None:
    # age -1 special -5; inq None missing -8; channel absent -> missing -3: 484, grade D (pd 0.336)
    out = bundle.score_one({"age": -1.0, "inq_3m": None, **CLEAN})
    assert out["score"] == 484 and out["grade"] == "D"
    assert out["warnings"] == ["channel: field absent, scored as missing"]
    assert [r["code"] for r in out["reasons"]] == ["R01", "R02"]  # lost 25, 23 (channel 13 is third)


def test_split_points_fall_in_the_upper_bin(bundle: Bundle) -> None:
    # x equal to a split belongs to the bin that starts there ([25, 40)), as np.digitize(right=False)
    assert (
        bundle.score_one({"age": 25, "inq_3m": 3, "channel": "branch", **CLEAN})["score"] == 500 + 5 - 20 - 5
    )
    assert bundle.score_one({"age": 24.999, "inq_3m": 2.999, "channel": "branch", **CLEAN})["score"] == 485


def test_out_of_range_scores_in_the_edge_bin_with_a_warning(bundle: Bundle) -> None:
    out = bundle.score_one({"age": 95, "inq_3m": 0, "channel": "online", **CLEAN})
    assert out["score"] == 545 and out["decision"] == "approve"
    assert out["warnings"] == ["age: out of the training range [18, 80], scored in the edge bin"]


def test_reason_ties_follow_model_feature_order(tmp_path: Path) -> None:
    docs = documents()
    docs["reasons.json"]["reference_points"] = {"age": 20.0, "inq_3m": 15.0, "channel": 10.0}
    from tests.bundle.conftest import write

    b = load_bundle(write(docs, tmp_path / "b"))
    # age 30 +5 (lost 15), inq 0 +15 (0), channel missing -3 (lost 13); and age 30, inq 2 (lost 15): tie
    out = b.score_one({"age": 30, "inq_3m": 2, "channel": "online", **CLEAN})
    assert [r["code"] for r in out["reasons"]] == ["R01", "R02"]
    docs["reasons.json"]["not_for_reasons"] = ["age"]
    b = load_bundle(write(docs, tmp_path / "c"))
    out = b.score_one({"age": 30, "inq_3m": 2, "channel": "branch", **CLEAN})
    assert [r["code"] for r in out["reasons"]] == ["R02", "R03"]


def test_bad_value_is_an_error_status_naming_the_field(bundle: Bundle) -> None:
    out = bundle.score_one({"age": "abc", "inq_3m": 0, "channel": "online", **CLEAN})
    assert out["status"] == "error: age: 'abc' is not a number"
    assert out["score"] is None and out["decision"] is None
    out = bundle.score_one({"age": 30, "inq_3m": 0, "channel": "online", **CLEAN, "is_emulator": "maybe"})
    assert out["status"].startswith("error: is_emulator: 'maybe' is not a boolean")


def test_numeric_text_and_numpy_scalars_are_read_as_numbers(bundle: Bundle) -> None:
    a = bundle.score_one({"age": "30", "inq_3m": np.int64(0), "channel": np.str_("online"), **CLEAN})
    assert a["score"] == 530 and a["warnings"] == []


RECORDS: list[dict[str, Any]] = [
    {"age": 30, "inq_3m": 0, "channel": "online", **CLEAN},
    {"age": 45, "inq_3m": 5, "channel": "kiosk", **CLEAN},
    {"age": -1.0, "inq_3m": None, "channel": None, **CLEAN},
    {"age": 16, "inq_3m": 2, "channel": "branch", **CLEAN},
    {"age": 50, "inq_3m": 0, "channel": "online", **CLEAN, "national_id_hash": "bad2"},
    {"age": 50, "inq_3m": 0, "channel": "online", **CLEAN, "region": "islands"},
    {"age": 50, "inq_3m": 0, "channel": "online", **CLEAN, "is_emulator": None},
    {"age": "abc", "inq_3m": 0, "channel": "online", **CLEAN},
    {"age": 95, "inq_3m": 25, "channel": "mobile_app", **CLEAN, "is_emulator": True},
    {"age": 39.5, "inq_3m": float("nan"), "channel": 7, **CLEAN},
]


def _columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {k: [r[k] for r in records] for k in records[0]}


def _one_as_batch_row(out: dict[str, Any], top_k: int) -> dict[str, Any]:
    codes = [r["code"] for r in out["reasons"]]
    return {
        "score": out["score"] if out["status"] == "ok" else 0,
        "grade": out["grade"] or "",
        "decision": out["decision"] or "",
        "knockout": out["knockout"] or "",
        "flags": "|".join(out["flags"]),
        "reasons": "|".join(codes),
        **{f"reason_{k + 1}": codes[k] if k < len(codes) else "" for k in range(top_k)},
        "warnings": "; ".join(out["warnings"]),
        "status": out["status"],
    }


@pytest.mark.parametrize("kind", ["dict", "pandas", "arrow"])
def test_batch_equals_one_by_one(bundle: Bundle, kind: str) -> None:
    cols = _columns(RECORDS)
    data: Any = cols
    if kind == "pandas":
        data = pd.DataFrame(cols)
    elif kind == "arrow":
        data = pa.table({k: pa.array([None if v is None else str(v) for v in vals]) if k == "age" else vals
                         for k, vals in cols.items() if k != "channel"} | {"channel": pa.array(
                             ["online", "kiosk", None, "branch", "online", "online", "online", "online",
                              "mobile_app", "7"]).dictionary_encode()})  # fmt: skip
    batch = bundle.score_batch(data)
    for i, record in enumerate(RECORDS):
        one = bundle.score_one(record)
        expected = _one_as_batch_row(one, bundle.top_k)
        got = {k: batch[k][i] for k in expected}
        assert got == expected, (i, record)
        if one["status"] == "ok":
            assert batch["pd"][i] == one["pd"]
        else:
            assert np.isnan(batch["pd"][i])
    assert batch["score"].dtype == np.int64
    assert list(batch["knockout"][3:7]) == ["underage", "blacklist", "excluded_region", "emulator"]
    assert batch["status"][7] == "error: age: 'abc' is not a number"
    assert batch["status"][[0, 1, 2, 3, 8, 9]].tolist() == ["ok"] * 6


def test_batch_lacking_required_columns_scores_them_as_absent_and_never_approves(bundle: Bundle) -> None:
    records = [*RECORDS, {"age": 50, "inq_3m": 0, "channel": "online", **CLEAN}]  # 545: approve when complete
    cols = _columns(records)
    del cols["inq_3m"], cols["region"]
    batch = bundle.score_batch(cols)
    for i, record in enumerate(records):
        absent = {k: v for k, v in record.items() if k not in ("inq_3m", "region")}
        assert {k: batch[k][i] for k in ("score", "decision", "flags", "warnings", "status")} == {
            k: v for k, v in _one_as_batch_row(bundle.score_one(absent), 2).items()
            if k in ("score", "decision", "flags", "warnings", "status")
        }, i  # fmt: skip
    assert bundle.score_one(records[-1])["decision"] == "approve"
    assert (batch["score"][-1], batch["decision"][-1], batch["flags"][-1]) == (522, "refer", "")
    assert batch["warnings"][-1] == (
        "inq_3m: field absent, scored as missing; region: field absent, treated as missing"
    )
    # only region absent: 545 would approve; incomplete evidence refers it
    batch = bundle.score_batch({k: v for k, v in _columns(records).items() if k != "region"})
    assert (batch["score"][-1], batch["decision"][-1], batch["flags"][-1]) == (545, "refer", "incomplete")


def test_batch_of_many_rows_crosses_blocks(bundle: Bundle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scorecard.bundle.runtime.BLOCK_ROWS", 3)
    records = RECORDS * 2
    batch = bundle.score_batch(_columns(records))
    assert batch["score"].tolist() == [
        _one_as_batch_row(bundle.score_one(r), bundle.top_k)["score"] for r in records
    ]
    assert len(bundle.score_batch({k: [] for k in RECORDS[0]})["score"]) == 0


def test_random_records_batch_equals_one(bundle: Bundle) -> None:
    rng = np.random.default_rng(3)
    n = 2000
    age = rng.choice([np.nan, -1.0, 10.0, 18.0, 24.5, 25.0, 39.9, 40.0, 70.0, 99.0], n)
    inq = rng.choice([np.nan, 0.0, 0.5, 1.0, 2.0, 3.0, 30.0], n)
    channel = rng.choice(np.array(["online", "mobile_app", "branch", "kiosk", None], dtype=object), n)
    cols = {"age": age, "inq_3m": inq, "channel": channel, "national_id_hash": np.full(n, "x", dtype=object),
            "region": rng.choice(np.array(["north", "islands"], dtype=object), n), "is_emulator": rng.random(n) < 0.1}  # fmt: skip
    batch = bundle.score_batch(cols)
    records = [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]
    for i, record in enumerate(records):
        assert {k: batch[k][i] for k in ("score", "decision", "knockout", "reasons", "warnings")} == {
            k: v for k, v in _one_as_batch_row(bundle.score_one(record), 2).items()
            if k in ("score", "decision", "knockout", "reasons", "warnings")
        }  # fmt: skip
        assert batch["pd"][i] == bundle.score_one(record)["pd"]


@pytest.mark.parametrize("references", [(20.0, 15.0, 10.0), (19.5, 14.25, 9.75)])
def test_batch_reasons_equal_one_for_whole_and_fractional_references(
    tmp_path: Path, references: tuple[float, float, float]
) -> None:
    docs = documents()
    docs["reasons.json"]["top_k"] = 5  # more than the three features
    docs["reasons.json"]["reference_points"] = dict(
        zip(["age", "inq_3m", "channel"], references, strict=True)
    )
    from tests.bundle.conftest import write

    bundle = load_bundle(write(docs, tmp_path / "b"))
    batch = bundle.score_batch(_columns(RECORDS))
    for i, record in enumerate(RECORDS):
        assert batch["reasons"][i] == _one_as_batch_row(bundle.score_one(record), 5)["reasons"]
    assert batch["reasons"][2] == "R01|R02|R03"


def test_batch_without_explanations_scores_the_same(bundle: Bundle) -> None:
    full = bundle.score_batch(_columns(RECORDS))
    bare = bundle.score_batch(_columns(RECORDS), explain=False)
    assert set(full) - set(bare) == {"reasons", "reason_1", "reason_2", "warnings"}
    for key in bare:
        np.testing.assert_array_equal(bare[key], full[key])
