"""Monitoring aggregates on Spark equal the pandas path: score PSI, CSI per feature and cohort, health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scorecard.bundle.runtime import load_bundle
from scorecard.config import MonitoringConfig
from scorecard.monitoring.health import feature_health
from scorecard.monitoring.run import MonitoredCard, _stability
from scorecard.monitoring.spark import spark_stability
from scorecard.monitoring.stability import cohort_codes
from tests.bundle.conftest import documents, write


def _batch(rng: np.random.Generator, n: int, shifted: bool) -> pd.DataFrame:
    ages = [20.0, 30.0, 45.0, 70.0, np.nan] if shifted else [20.0, 30.0, 45.0, np.nan]
    return pd.DataFrame(
        {
            "age": rng.choice(ages, n),
            "inq_3m": rng.choice([0.0, 2.0, 4.0, 9.0] if shifted else [0.0, 2.0, 4.0], n),
            "channel": rng.choice(
                ["online", "branch", "kiosk", "new"] if shifted else ["online", "branch"], n
            ),
            "national_id_hash": "h",
            "region": "north",
            "is_emulator": rng.random(n) < 0.1,
            "snapshot_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
        }
    )


def test_spark_aggregates_equal_the_pandas_path(spark: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    reference, current = _batch(rng, 600, shifted=False), _batch(rng, 500, shifted=True)
    bundle = load_bundle(write(documents(), tmp_path / "bundle"))
    cfg = MonitoringConfig()
    card = MonitoredCard.from_bundle(bundle)
    cohorts, names = cohort_codes(current[cfg.date_column], cfg.cohort)
    ref_score, cur_score = card.score(reference)["score"], card.score(current)["score"]
    score_table, feature_table, codes = _stability(
        card, cfg, reference, current, ref_score, cur_score, cohorts, names
    )
    health = feature_health(card.features, codes, reference, current)

    got = spark_stability(
        bundle,
        spark.createDataFrame(reference).repartition(3),
        spark.createDataFrame(current).repartition(2),
        cfg,
    )
    assert len(names) == 3 and (feature_table.contribution > 0.01).any()
    pd.testing.assert_frame_equal(got.score_stability, score_table)
    pd.testing.assert_frame_equal(got.feature_stability, feature_table)
    pd.testing.assert_frame_equal(got.health, health)
