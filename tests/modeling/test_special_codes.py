"""Special-code detection: sentinels off the feature's scale, never ordinary values or ordinal codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorecard.modeling.binning import WoeBinner
from scorecard.modeling.special_codes import detect_special_codes


def test_negative_sentinels_are_codes_only_on_a_non_negative_feature() -> None:
    months = pd.Series([*range(0, 60), *[-9] * 20, *[-8] * 10, *[-7] * 6, np.nan])
    assert detect_special_codes(months) == [-9.0, -8.0, -7.0]
    # a negative value that is not a code (rarer than 5 rows, or not whole) means negatives are on the scale
    assert detect_special_codes(pd.Series([*months, *[-5] * 4])) == []
    assert detect_special_codes(pd.Series([*months, -3.5])) == []
    balance = pd.Series([-500.0, -120.0, -9.0, -9.0, -9.0, -9.0, -9.0, 0.0, 10.0, 200.0])
    assert detect_special_codes(balance) == []  # negative amounts are on the scale
    repayment = pd.Series([-2, -1, 0, 1, 2, 3] * 20)
    assert detect_special_codes(repayment) == []  # -2 / -1 next to 0 are ordinal, not sentinels


def test_nines_codes_need_a_gap_above_the_regular_values() -> None:
    past_due = pd.Series([*[0] * 50, *[1] * 20, *[2] * 10, 3, 5, 13, *[96] * 5, *[98] * 9])
    assert detect_special_codes(past_due) == [96.0, 98.0]
    age = pd.Series([*range(21, 106), *[99] * 10])
    assert detect_special_codes(age) == []  # ages go up to 105: 99 is an age
    income = pd.Series([1500.5, 2200.0, 3100.0, *[99999] * 6, np.nan])
    assert detect_special_codes(income) == [99999.0]


def test_binner_bins_detected_codes_apart_and_an_override_replaces_them() -> None:
    rng = np.random.default_rng(1)
    n = 3000
    months = rng.integers(0, 80, n).astype(float)
    y = (rng.uniform(size=n) < 0.1 + 0.3 * (months < 12)).astype(int)
    no_file = rng.uniform(size=n) < 0.06
    months[no_file] = -9
    y[no_file] = (rng.uniform(size=no_file.sum()) < 0.45).astype(int)
    X = pd.DataFrame({"months": months, "other": rng.normal(size=n)})
    fitted = WoeBinner().fit(X, y)
    spec = fitted.bin_spec("months")
    assert spec["special"]["codes"] == [-9.0, -1.0]
    assert min(spec["splits"]) >= 0  # -9 never shapes the regular bins
    table = fitted.binning_table("months")
    assert table["count"].iloc[-2] == no_file.sum()
    assert fitted.special_codes_["months"] == [-9.0, -1.0]
    plain = WoeBinner(detect_special_codes=False).fit(X, y)
    assert plain.bin_spec("months")["special"]["codes"] == [-1.0]
    override = WoeBinner(overrides={"months": {"special_codes": [-9], "min_bin_size": 0.1}}).fit(X, y)
    assert override.bin_spec("months")["special"]["codes"] == [-9.0]
    regular = override.binning_table("months").iloc[:-2]
    assert (regular["count_share"] >= 0.1).all()
    assert override.overrides_applied_["months"]["min_bin_size"] == 0.1
