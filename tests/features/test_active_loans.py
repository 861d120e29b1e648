"""What counts as an active loan on the behaviour card is configurable, and an empty spine says how it decided."""

from __future__ import annotations

import pandas as pd
import pytest

from scorecard.errors import DataError
from scorecard.features.build import build_modeling_table, columns_read
from tests.features.conftest import BEHAVIOUR_OBSERVATION, card_config

FEATURES = {"families": ["behaviour"], "observation": BEHAVIOUR_OBSERVATION}


def test_histories_without_balances_need_active_reported(tiny: dict[str, pd.DataFrame]) -> None:
    tables = {**tiny, "loan_performance": tiny["loan_performance"].assign(balance=0.0)}
    cfg = card_config("behaviour", features=dict(FEATURES))
    with pytest.raises(DataError) as err:
        build_modeling_table(tables, cfg)
    assert str(err.value) == (
        "tiny_behaviour: the behaviour card has no modeling rows: no loan was active at any observation month "
        "(active = reported in the month before with a balance above 0 and DPD below target.bad_dpd (60); "
        "features.observation.active: positive_balance); check data.sources.loan_performance and "
        "features.observation"
    )
    reported = card_config(
        "behaviour", features={**FEATURES, "observation": {**BEHAVIOUR_OBSERVATION, "active": "reported"}}
    )
    by_balance = build_modeling_table(tiny, cfg).frame
    by_report = build_modeling_table(tables, reported).frame
    assert by_report[["loan_id", "snapshot_date"]].equals(by_balance[["loan_id", "snapshot_date"]])
    assert "balance" in columns_read(cfg)["loan_performance"]
