"""``score_batch``'s tabulated cells, packed points/warnings and ranking keys agree with ``score_one``.

A generated wide card (70 features: more than one 15-feature packing group, special codes on splits,
values on every edge, beyond the hard limits, unknown and non-text categories) is scored both ways row by row, for
each way reasons are ranked (int16 keys, int32 keys, fractional references) and joined (equal-width codes,
codes of different lengths).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scorecard.bundle.runtime import load_bundle
from tests.bundle.conftest import _field, write

N_NUM, N_CAT = 60, 10
LEVELS = ["a", "b", "c", "d", "e"]


def wide_documents(rng: np.random.Generator, scale: int, codes: str, fractional: bool) -> dict[str, Any]:
    """Bundle documents of a random 70-feature card; ``scale`` bounds the points."""
    features, fields = [], []
    for j in range(N_NUM):
        splits = sorted(set(np.round(rng.normal(size=int(rng.integers(1, 9))), 2).tolist()))
        special = [splits[0]] if j % 7 == 0 else [-1.0]  # a special code may sit on a split
        points = rng.integers(-scale, scale, len(splits) + 3).tolist()
        features.append({
            "name": f"x{j}", "kind": "numerical", "splits": splits,
            "bins": [{"label": str(i), "woe": 0.0, "points": p} for i, p in enumerate(points[:-2])],
            "special": {"codes": special, "woe": 0.0, "points": points[-2]},
            "missing": {"woe": 0.0, "points": points[-1]},
            "valid_range": [-2.5, 2.5],
            **({"hard_limits": [-4.0, 4.0]} if j % 2 else {}),
        })  # fmt: skip
        fields.append(_field(f"x{j}", "number", ["scorecard"]))
    for j in range(N_CAT):
        points = rng.integers(-scale, scale, 6).tolist()
        features.append({
            "name": f"c{j}", "kind": "categorical",
            "bins": [{"label": "ab", "categories": ["a", "b"], "woe": 0.0, "points": points[0]},
                     {"label": "c", "categories": ["c"], "woe": 0.0, "points": points[1]},
                     {"label": "d", "categories": ["d", "7"], "woe": 0.0, "points": points[2]}],
            "special": {"codes": [], "woe": 0.0, "points": points[3]},
            "missing": {"woe": 0.0, "points": points[4]},
            "unknown": {"rule": "lowest", "woe": 0.0, "points": points[5]},
        })  # fmt: skip
        fields.append(_field(f"c{j}", "category", ["scorecard"]))
    names = [f["name"] for f in features]
    reference = {
        f["name"]: max(b["points"] for b in f["bins"]) + (0.5 if fractional else 0.0) for f in features
    }
    code = {"equal": lambda j: f"R{j:03d}", "varied": lambda j: "X" * (1 + j % 4) + str(j)}[codes]
    return {
        "schema.json": {"card": "wide", "fields": fields},
        "scorecard.json": {
            "scaling": {"pdo": 20.0, "base_score": 600.0, "base_odds": 50.0, "factor": 28.85, "offset": 487.1},
            "base_points": 500,
            "features": features,
        },
        "calibration.json": {
            "calibration": {"method": "logistic", "intercept": 1.0, "slope": -0.002},
            "master_scale": {"bands": [{"grade": "A", "max_pd": 0.2}, {"grade": "B", "max_pd": 1.0}]},
        },
        "reasons.json": {
            "top_k": 5,
            "reference_points": reference,
            "catalogue": {n: {"code": code(j), "text": n} for j, n in enumerate(names)},
            "not_for_reasons": ["x3", "c1"],
        },
        "policy.json": {"knockouts": [], "cutoffs": {"approve": 500.0, "decline": 400.0},
                        "dpd_field": "days_past_due", "treatments": [], "early_warnings": []},
    }  # fmt: skip


def wide_columns(rng: np.random.Generator, docs: dict[str, Any], n: int) -> dict[str, np.ndarray]:
    """Random values, a third of them taken from every edge a bin lookup can get wrong."""
    out: dict[str, np.ndarray] = {}
    for f in docs["scorecard.json"]["features"]:
        if f["kind"] == "numerical":
            edges = [*f["splits"], *f["special"]["codes"], -2.5, 2.5, -4.0, 4.0]
            tricky = [*edges, *(math.nextafter(e, -math.inf) for e in edges),
                      *(math.nextafter(e, math.inf) for e in edges), 1e300, -1e300, math.nan]  # fmt: skip
            x = rng.normal(scale=1.5, size=n)
            pick = rng.random(n) < 0.35
            x[pick] = rng.choice(np.asarray(tricky), int(pick.sum()))
            out[f["name"]] = x
        else:
            pool = np.asarray([*LEVELS, "zz", None, 7, math.nan, "c"], dtype=object)
            out[f["name"]] = rng.choice(pool, n)
    return out


@pytest.mark.parametrize(
    ("scale", "codes", "fractional", "key_type"),
    [
        (40, "equal", False, np.int16),
        (3000, "varied", False, np.int32),
        (40, "equal", True, None),  # fractional references: ranked on floats
    ],
)
def test_wide_card_batch_equals_one_by_one(
    tmp_path: Path, scale: int, codes: str, fractional: bool, key_type: Any
) -> None:
    rng = np.random.default_rng(scale + fractional)
    docs = wide_documents(rng, scale, codes, fractional)
    bundle = load_bundle(write(docs, tmp_path / "wide"))
    assert (bundle._key_type if bundle._key_tables else None) is key_type
    columns = wide_columns(rng, docs, 1500)
    batch = bundle.score_batch(columns)
    warned = 0
    for i in range(1500):
        one = bundle.score_one({name: values[i] for name, values in columns.items()})
        codes_one = [r["code"] for r in one["reasons"]]
        assert one["status"] == batch["status"][i] == "ok"
        assert (batch["score"][i], batch["pd"][i], batch["grade"][i]) == (
            one["score"],
            one["pd"],
            one["grade"],
        )
        assert batch["reasons"][i] == "|".join(codes_one), i
        assert [batch[f"reason_{k + 1}"][i] for k in range(5)] == [*codes_one, *[""] * (5 - len(codes_one))]
        assert batch["warnings"][i] == "; ".join(one["warnings"]), i
        warned += bool(one["warnings"])
    assert warned > 1000  # most rows carry several warnings, from features in both packing groups
    excluded = {docs["reasons.json"]["catalogue"][name]["code"] for name in ("x3", "c1")}
    assert not excluded & {batch[f"reason_{k + 1}"][i] for k in range(5) for i in range(1500)}
