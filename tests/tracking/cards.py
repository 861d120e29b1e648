"""A small synthetic application card for the tracking tests: known risk drivers, an out-of-time window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorecard.config import CardConfig, parse_config
from scorecard.features.build import ModelingTable

FEATURES = ["utilisation", "inquiries_6m", "age", "income", "channel"]


def modeling_table(n: int = 3000, seed: int = 0, noise: float = 0.0) -> ModelingTable:
    """Applications with a known logistic risk; ``noise`` is the share of targets replaced by coin flips."""
    rng = np.random.default_rng(seed)
    util = rng.uniform(0, 1, n)
    inquiries = rng.poisson(1.5, n).astype(float)
    age = rng.uniform(20, 70, n)
    channel = rng.choice(["online", "branch", "agent"], n, p=[0.5, 0.3, 0.2])
    logit = -3 + 2.5 * util + 0.4 * inquiries - 0.03 * (age - 40) + np.where(channel == "agent", 0.6, 0.0)
    target = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(float)
    flip = rng.uniform(size=n) < noise
    target[flip] = (rng.uniform(size=flip.sum()) < target.mean()).astype(float)
    inquiries[rng.uniform(size=n) < 0.05] = -1.0  # no bureau file
    util[rng.uniform(size=n) < 0.03] = np.nan
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 540, n), unit="D")
    split = np.where(
        dates >= pd.Timestamp("2024-04-01"), "oot", np.where(rng.uniform(size=n) < 0.3, "test", "train")
    )
    frame = pd.DataFrame(
        {
            "application_id": np.arange(n),
            "snapshot_date": dates,
            "utilisation": util,
            "inquiries_6m": inquiries,
            "age": age,
            "income": rng.lognormal(10, 0.5, n),
            "channel": channel,
            "target": target,
            "target_status": np.where(target == 1, "bad", "good"),
            "split": split,
        }
    )
    summary = {
        "goods": int((target == 0).sum()),
        "bads": int(target.sum()),
        "indeterminates": 0,
        "immature": 0,
    }
    return ModelingTable(
        frame, ["application_id"], FEATURES, ["channel"], {**summary, "rejects": 0}, "application"
    )


def card_config(registered_model: str) -> CardConfig:
    return parse_config(
        {
            "card": "application",
            "name": "retail_application",
            "data": {"flat_table": {"path": "applications.csv", "target": "bad"}},
            "selection": {"stepwise": None},
            "challenger": {"num_boost_round": 30, "early_stopping_rounds": 10},
            "gates": {"min_oot_gini": 0.35, "max_gini_drop": 0.03, "max_score_psi": 0.25},
            "policy": {"cutoffs": {"approve": 560, "decline": 540}},
            "tracking": {"registered_model": registered_model},
        }
    )
