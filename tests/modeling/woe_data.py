"""A small synthetic credit sample for the estimator tests: specials, missings, rare categories, a known signal."""

from __future__ import annotations

import numpy as np
import pandas as pd

CHANNELS = ["online", "branch", "agent", "phone", "fax", "telex"]
CHANNEL_SHARE = [0.40, 0.30, 0.20, 0.09, 0.005, 0.005]
CHANNEL_RISK = {"online": 0.6, "branch": -0.4, "agent": 0.0, "phone": 0.3, "fax": 0.5, "telex": 0.5}


def credit_sample(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Features util (risk up, special -1, missing), months (risk down), channel (categorical), noise; y 1 = bad."""
    rng = np.random.default_rng(seed)
    util = rng.uniform(0, 1.2, n)
    months = rng.gamma(3.0, 20.0, n).round()
    channel = rng.choice(CHANNELS, n, p=CHANNEL_SHARE).astype(object)
    noise = rng.normal(size=n)
    logit = -1.6 + 2.0 * (util - 0.6) - 0.02 * (months - 60) + np.vectorize(CHANNEL_RISK.get)(channel)
    special = rng.random(n) < 0.05
    missing = ~special & (rng.random(n) < 0.05)
    logit = np.where(special, logit + 0.8, logit)
    logit = np.where(missing, logit - 0.5, logit)
    util[special] = -1.0
    util[missing] = np.nan
    channel[rng.random(n) < 0.01] = None
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    X = pd.DataFrame({"util": util, "months": months, "channel": channel, "noise": noise})
    return X, y
