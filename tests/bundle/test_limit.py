"""Credit limits: the matrix, the caps and the rounding worked by hand; one record and batch agree."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scorecard.bundle.limit import Limits
from scorecard.config import LimitPolicy

SPEC = {
    "income_field": "income",
    "dti_field": "dti",
    "score_bands": [600, 650],
    "affordability": [
        {"name": "strong", "min_income": 3000, "max_dti": 0.3},
        {"name": "thin", "min_income": 0, "max_dti": 0.5},
    ],
    "amounts": [[5000, 9000], [1000, 2500]],
    "income_multiple": 2,
    "product_max": 8000,
    "round_to": 250,
}

CASES = [  # decision, score, income, dti -> limit
    ("approve", 660, 6000.0, 0.2, 8000.0),  # strong x 650+: 9000, capped by product_max 8000
    ("approve", 660, 3500.0, 0.2, 7000.0),  # strong x 650+: 9000, capped by 2 x 3500
    ("approve", 620, 3500.0, 0.2, 5000.0),  # strong x 600-649: 5000
    ("approve", 620, 3500.0, 0.4, 1000.0),  # dti 0.4 is not strong: thin x 600-649
    ("approve", 700, 1100.0, 0.4, 2000.0),  # thin x 650+: 2500, capped by 2200, rounded down to 2000
    ("approve", 599, 6000.0, 0.2, 0.0),  # below the first score band
    ("approve", 700, 6000.0, 0.6, 0.0),  # no affordability band fits
    ("approve", 700, math.nan, 0.2, 0.0),  # income missing
    ("refer", 700, 6000.0, 0.2, 0.0),  # not approved
    ("decline", 700, 6000.0, 0.2, 0.0),
]


@pytest.mark.parametrize(("decision", "score", "income", "dti", "expected"), CASES)
def test_limit_by_hand(decision: str, score: int, income: float, dti: float, expected: float) -> None:
    assert Limits(SPEC).one(decision, score, income, dti) == expected


def test_batch_equals_one_record() -> None:
    limits = Limits(SPEC)
    rng = np.random.default_rng(0)
    n = 5000
    decision = rng.choice(["approve", "refer", "decline"], n, p=[0.8, 0.1, 0.1])
    score = rng.integers(550, 720, n)
    income = np.where(rng.random(n) < 0.05, np.nan, rng.uniform(0, 8000, n))
    dti = np.where(rng.random(n) < 0.05, np.nan, rng.uniform(0, 0.7, n))
    batch = limits.batch(decision, score.astype(float), income, dti)
    one = [limits.one(d, s, i, t) for d, s, i, t in zip(decision, score, income, dti, strict=True)]
    np.testing.assert_array_equal(batch, np.asarray(one))
    cases = np.asarray([c[:4] for c in CASES], dtype=object)
    np.testing.assert_array_equal(
        limits.batch(
            cases[:, 0].astype(str), cases[:, 1].astype(float), *(cases[:, k].astype(float) for k in (2, 3))
        ),
        [c[4] for c in CASES],
    )


def test_config_refuses_a_matrix_of_the_wrong_shape() -> None:
    spec = {**SPEC, "amounts": [[5000, 9000], [1000]]}
    with pytest.raises(
        ValueError, match=r"one row per affordability band \(2\) and one column per score band \(2\)"
    ):
        LimitPolicy.model_validate(spec)
    with pytest.raises(ValueError, match="score_bands must strictly ascend"):
        LimitPolicy.model_validate({**SPEC, "score_bands": [650, 600]})
