"""Split labels: out-of-time by date, stratified train/test before it, excluded without a target."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from scorecard.config import SplitConfig
from scorecard.features.splits import assign_splits, split_sizes


def _frame() -> tuple[pd.Series, pd.Series]:
    # 2023: 20 goods, 7 bads, 3 unknown; 2024: 6 goods, 4 bads
    target = pd.Series([0.0] * 20 + [1.0] * 7 + [np.nan] * 3 + [0.0] * 6 + [1.0] * 4)
    dates = pd.Series(pd.to_datetime(["2023-06-01"] * 30 + ["2024-03-01"] * 10))
    return target, dates


def test_oot_excluded_and_stratified_counts() -> None:
    target, dates = _frame()
    split = assign_splits(target, dates, SplitConfig(test_size=0.3, seed=1, oot_start=dt.date(2024, 1, 1)))
    assert split_sizes(split) == {"train": 19, "test": 8, "oot": 10, "excluded": 3}
    # floor(20 * 0.3 + 0.5) = 6 goods and floor(7 * 0.3 + 0.5) = 2 bads in test
    assert target[split == "test"].value_counts().to_dict() == {0.0: 6, 1.0: 2}
    assert (split[target.isna()] == "excluded").all()
    assert (split[dates >= "2024-01-01"] == "oot").all()


def test_same_seed_same_split_and_another_seed_differs() -> None:
    target, dates = _frame()
    first = assign_splits(target, dates, SplitConfig(seed=3))
    assert first.equals(assign_splits(target, dates, SplitConfig(seed=3)))
    assert not first.equals(assign_splits(target, dates, SplitConfig(seed=4)))
    assert split_sizes(first)["oot"] == 0  # no oot_start: everything dated is development
