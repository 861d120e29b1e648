"""Feature health rates against counts made by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecard.monitoring.health import feature_health
from scorecard.monitoring.stability import feature_bin_codes


def test_rates_unseen_categories_and_out_of_range_shares(numeric_spec, categorical_spec):
    reference = pd.DataFrame(
        {"inq_3m": [0.0, 2.0, 5.0, -1.0, np.nan, 1.0, 3.0, 4.0], "channel": ["online", "branch"] * 4}
    )
    current = pd.DataFrame(
        {
            "inq_3m": [0.0, 7.0, -1.0, -1.0, np.nan, np.nan, np.nan, -3.0, 1.0, 2.0],
            "channel": [
                "online",
                "agent",
                "agent",
                None,
                "branch",
                "branch",
                "online",
                "online",
                "x",
                "online",
            ],
        }
    )
    specs = [numeric_spec, categorical_spec]
    codes = {
        f["name"]: (feature_bin_codes(f, reference[f["name"]]), feature_bin_codes(f, current[f["name"]]))
        for f in specs
    }
    table = feature_health(specs, codes, reference, current).set_index("feature")
    num = table.loc["inq_3m"]
    assert (num["missing_ref"], num["missing_cur"]) == (1 / 8, 3 / 10)
    assert (num["special_ref"], num["special_cur"]) == (1 / 8, 2 / 10)
    # regular reference values span [0, 5]: 7.0 and -3.0 fall outside
    assert num["out_of_range_cur"] == pytest.approx(2 / 10)
    assert num["worst_increase"] == pytest.approx(2 / 10)  # out of range beats missing (+0.175)
    cat = table.loc["channel"]
    assert cat["unseen_cur"] == pytest.approx(3 / 10)  # agent, agent, x (None is missing, not unseen)
    assert cat["missing_cur"] == pytest.approx(1 / 10)
    assert np.isnan(cat["out_of_range_cur"])
    assert cat["worst_increase"] == pytest.approx(3 / 10)
