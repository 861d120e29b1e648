"""Reject inference: each method's inferred outcomes worked by hand, and the development window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecard.config import RejectInferenceConfig
from scorecard.errors import ConfigError
from scorecard.modeling.reject import band_bad_rates, development_rejects, infer, through_the_door


def test_hard_cutoff_marks_rejects_below_the_cutoff_bad() -> None:
    cfg = RejectInferenceConfig(method="hard_cutoff")
    out = infer(
        cfg, np.zeros(3), np.zeros(3), np.array([540.0, 560, 580]), np.zeros(3), 0, default_cutoff=560
    )
    assert out.tolist() == [1.0, 0.0, 0.0]
    with pytest.raises(ConfigError, match="hard_cutoff needs a cut-off"):
        infer(cfg, np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3), 0)


def test_fuzzy_draws_each_reject_at_its_pd_times_the_uplift() -> None:
    cfg = RejectInferenceConfig(method="fuzzy", bad_rate_uplift=2.0)
    pd_ = np.full(200_000, 0.1)
    out = infer(cfg, np.zeros(1), np.zeros(1), np.zeros(len(pd_)), pd_, seed=3)
    assert out.mean() == pytest.approx(0.2, abs=0.005)
    again = infer(cfg, np.zeros(1), np.zeros(1), np.zeros(len(pd_)), pd_, seed=3)
    np.testing.assert_array_equal(out, again)


def test_parceling_uses_the_accepts_bad_rate_of_the_score_band() -> None:
    accepts = np.array([500.0, 510, 520, 530, 600, 610, 620, 630])
    target = np.array([1.0, 1, 0, 0, 0, 0, 0, 1])
    rates = band_bad_rates(accepts, target, np.array([400.0, 525, 615, 700]), n_bands=2)
    assert rates.tolist() == [0.5, 0.5, 0.25, 0.25]  # median 565 splits: low band 2/4 bad, high band 1/4
    cfg = RejectInferenceConfig(method="parceling", n_bands=2, bad_rate_uplift=1.5)
    out = infer(cfg, accepts, target, np.full(100_000, 515.0), np.zeros(100_000), seed=1)
    assert out.mean() == pytest.approx(0.75, abs=0.01)


def test_development_rejects_are_inside_the_training_dates() -> None:
    frame = pd.DataFrame(
        {
            "snapshot_date": pd.to_datetime(
                ["2023-01-01", "2023-06-01", "2022-12-01", "2023-03-01", "2024-01-01"]
            ),
            "split": ["train", "train", "excluded", "excluded", "excluded"],
            "target_status": ["good", "bad", "reject", "reject", "reject"],
        }
    )
    assert development_rejects(frame).tolist() == [3]


def test_through_the_door_combines_accepts_and_inferred_rejects() -> None:
    table = through_the_door(
        np.array([0.0, 0, 0, 1]),
        np.array([1.0, 0]),
        (np.full(4, 0.2), np.full(4, 0.25)),
        (np.full(2, 0.3), np.full(2, 0.4)),
    ).set_index("population")
    assert table.loc["through_the_door", "rows"] == 6
    assert table.loc["through_the_door", "bad_rate"] == pytest.approx(2 / 6)
    assert table.loc["through_the_door", "final_model_pd"] == pytest.approx((4 * 0.25 + 2 * 0.4) / 6)
    assert table.loc["rejects", "accepts_model_pd"] == pytest.approx(0.3)
