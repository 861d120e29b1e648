"""Calendar arithmetic in Ibis agrees with dateutil on thousands of date pairs, month ends included."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from scorecard.features.periods import months_ago, whole_months_between


def test_whole_months_between_matches_relativedelta() -> None:
    rng = np.random.default_rng(0)
    base = pd.Timestamp("2019-01-01")
    days = rng.integers(0, 2000, size=(3000, 2))
    later = base + pd.to_timedelta(days.max(axis=1), unit="D")
    earlier = base + pd.to_timedelta(days.min(axis=1), unit="D")
    extra = pd.to_datetime(["2024-02-29", "2023-03-31", "2023-01-31", "2024-03-31"])
    later = later.append(extra[[1, 2, 3, 0]])
    earlier = earlier.append(extra[[2, 2, 0, 2]])
    t = ibis.memtable(
        {"later": later.date, "earlier": earlier.date}, schema={"later": "date", "earlier": "date"}
    )
    got = t.select(m=whole_months_between(t.later, t.earlier)).to_pandas()["m"].to_numpy()
    expected = [
        relativedelta(a, b).years * 12 + relativedelta(a, b).months
        for a, b in zip(later, earlier, strict=True)
    ]
    np.testing.assert_array_equal(got, expected)


def test_months_ago_clamps_to_month_end() -> None:
    t = ibis.memtable({"d": pd.to_datetime(["2024-03-31", "2024-05-31"]).date}, schema={"d": "date"})
    got = t.select(m=months_ago(t.d, 1)).to_pandas()["m"]
    assert list(pd.to_datetime(got).dt.strftime("%Y-%m-%d")) == ["2024-02-29", "2024-04-30"]


def test_month_end_cases_by_hand() -> None:
    pairs = [
        ("2023-02-28", "2023-01-31", 1),
        ("2023-02-27", "2023-01-31", 0),
        ("2023-03-14", "2023-01-15", 1),
    ]
    t = ibis.memtable(
        {
            "later": pd.to_datetime([p[0] for p in pairs]).date,
            "earlier": pd.to_datetime([p[1] for p in pairs]).date,
        },
        schema={"later": "date", "earlier": "date"},
    )
    got = t.select(m=whole_months_between(t.later, t.earlier)).to_pandas()["m"]
    assert list(got) == [p[2] for p in pairs]
