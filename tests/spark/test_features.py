"""The feature catalogue on Spark: the same modeling tables as DuckDB, value for value, and no leakage."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from scorecard.config import load_config
from scorecard.data.pii import apply_pii
from scorecard.features.build import build_modeling_table
from tests.conftest import REPO_ROOT
from tests.features.test_point_in_time import assert_no_leakage


@pytest.fixture(scope="module")
def portfolio() -> dict[str, pd.DataFrame]:
    """A small synthetic portfolio (400 applications), PII already hashed."""
    from scorecard.data.synth import synthesize

    cfg = load_config(REPO_ROOT / "configs" / "application.yaml")
    return apply_pii(synthesize(400, seed=11), cfg.data.pii)


@pytest.mark.parametrize("card", ["application", "behaviour", "collection"])
def test_spark_modeling_table_equals_duckdb(
    spark: Any, portfolio: dict[str, pd.DataFrame], card: str
) -> None:
    cfg = load_config(REPO_ROOT / "configs" / f"{card}.yaml")
    duckdb = build_modeling_table(portfolio, cfg)
    on_spark = build_modeling_table(
        portfolio, cfg.model_copy(update={"features": cfg.features.model_copy(update={"engine": "spark"})})
    )
    assert len(duckdb.frame) >= 50
    assert duckdb.target_summary == on_spark.target_summary
    assert (duckdb.features, duckdb.attributes) == (on_spark.features, on_spark.attributes)
    pd.testing.assert_frame_equal(on_spark.frame, duckdb.frame, check_exact=False, rtol=1e-12)


def test_spark_builds_no_feature_from_the_future(spark: Any) -> None:
    assert_no_leakage("application", engine="spark")
