"""Evidently drift wrapper: the test per feature type, the verdicts and the files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from scorecard.monitoring.drift import choose_method, data_drift


def _frames(n: int, shift: float, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame(
        {
            "income": rng.normal(0, 1, n),
            "stable": rng.normal(0, 1, n),
            "channel": rng.choice(["online", "branch"], n, p=[0.5, 0.5]),
        }
    )
    cur = pd.DataFrame(
        {
            "income": rng.normal(shift, 1, n),
            "stable": rng.normal(0, 1, n),
            "channel": rng.choice(["online", "branch"], n, p=[0.9, 0.1]),
        }
    )
    return ref, cur


def test_method_follows_feature_type_and_sample_size():
    assert choose_method("numerical", 500, 50_000) == "ks"
    assert choose_method("categorical", 500, 50_000) == "chisquare"
    assert choose_method("numerical", 5_000, 2_000) == "wasserstein"
    assert choose_method("categorical", 5_000, 2_000) == "jensenshannon"


def test_small_samples_use_p_value_tests(tmp_path):
    ref, cur = _frames(400, shift=1.0)
    result = data_drift(ref, cur, ["income", "stable"], ["channel"])
    table = result.table.set_index("feature")
    assert table["method"].tolist() == ["ks", "ks", "chisquare"]
    assert table.loc["income", "drifted"] and table.loc["channel", "drifted"]
    assert not table.loc["stable", "drifted"]
    assert table.loc["income", "statistic"] < 1e-10  # a p-value
    paths = result.save(tmp_path)
    assert "<html" in paths["html"].read_text()[:2000].lower()
    assert json.loads(paths["json"].read_text())["metrics"]


def test_large_samples_are_sampled_and_use_distances():
    ref, cur = _frames(3_000, shift=0.5)
    result = data_drift(ref, cur, ["income", "stable"], ["channel"], sample_size=2_000)
    assert (result.reference_rows, result.current_rows) == (2_000, 2_000)
    table = result.table.set_index("feature")
    assert table["method"].tolist() == ["wasserstein", "wasserstein", "jensenshannon"]
    # normed Wasserstein of a 0.5 sd shift is about 0.5; of no shift, near 0
    assert 0.4 < table.loc["income", "statistic"] < 0.6 and table.loc["income", "drifted"]
    assert table.loc["stable", "statistic"] < 0.1 and not table.loc["stable", "drifted"]
    assert table.loc["channel", "drifted"]
