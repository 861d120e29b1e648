"""Columns that cannot be modeled are set aside with a named reason and the fit carries on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecard.modeling.scorecard import Scorecard
from scorecard.modeling.screening import set_aside_reason
from scorecard.modeling.selection import FeatureSelector


def _applicants(n: int = 2000) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(3)
    util = rng.uniform(0, 1, n)
    months = rng.integers(1, 100, n).astype(float)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(-2 + 2.5 * util - 0.01 * months)))).astype(int)
    X = pd.DataFrame(
        {
            "application_ref": [f"APP{i:07d}" for i in rng.permutation(n)],
            "applied_on": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"))
            .strftime("%Y-%m-%d")
            .astype(object),
            "signed_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "product": "cash",
            "util": util,
            "months": months,
            "customer_number": rng.permutation(n).astype(float) + 10_000,
            "free_text": [f"note {i % 1500}" for i in range(n)],
        }
    )
    return X, y


def test_id_date_and_constant_columns_are_set_aside_and_the_card_fits() -> None:
    X, y = _applicants()
    card = Scorecard(selector=FeatureSelector(min_iv=0.0)).fit(X, y)
    assert set(card.features_) <= {"util", "months"} and "util" in card.features_
    log = card.selector_.log_.set_index("feature")
    expected = {
        "application_ref": ("id_like", "2000 distinct values in 2000 rows (every value unique)"),
        "applied_on": ("date", "text dates like '"),
        "signed_at": ("date", "dtype datetime64[ns]; derive an age or a duration from it instead"),
        "product": ("constant", "single value 'cash'"),
        "customer_number": ("id_like", "2000 distinct integers in 2000 rows (every value unique)"),
        "free_text": ("near_unique_text", "1500 distinct values in 2000 rows (75%)"),
    }
    for feature, (rule, detail) in expected.items():
        assert not log.loc[feature, "kept"]
        assert log.loc[feature, "rule"] == rule
        assert log.loc[feature, "detail"].startswith(detail)
    assert len(log) == X.shape[1]  # every candidate accounted for


def test_rare_only_categories_are_set_aside_not_an_optbinning_error() -> None:
    values = pd.Series([f"branch_{i % 300}" for i in range(2000)], dtype=object)
    reason = set_aside_reason(values, categorical=True, cat_cutoff=0.01)
    assert reason == (
        "all_categories_rare",
        "the most frequent of 300 categories holds 0.35% < cat_cutoff 1.00%",
    )
    assert str(reason).startswith("all_categories_rare (the most frequent")


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["online", "branch", "agent"] * 100, dtype=object),
        pd.Series(np.arange(300) % 50, dtype=float),
        pd.Series(np.linspace(0, 1, 300)),
    ],
)
def test_ordinary_columns_are_kept(values: pd.Series) -> None:
    assert set_aside_reason(values, categorical=values.dtype == object, cat_cutoff=0.01) is None
