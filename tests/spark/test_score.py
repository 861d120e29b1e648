"""Batch scoring on Spark: the same rows and values as the local file scorer, errors kept per row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from scorecard.bundle.runtime import load_bundle
from scorecard.bundle.spark import score_spark
from scorecard.cli.app import run
from scorecard.errors import DataError
from tests.bundle.conftest import documents, write

N = 400


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """N records as Parquet (age as text, one unreadable), the order given by application_id."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "application_id": np.arange(N),
            "age": rng.choice(["20", "30", "45", None], N).astype(object),
            "inq_3m": rng.choice([0.0, 2.0, 4.0], N),
            "channel": rng.choice(["online", "branch", "kiosk"], N),
            "national_id_hash": "h",
            "region": rng.choice(["north", "south"], N),
            "is_emulator": rng.random(N) < 0.1,
        }
    )
    frame.loc[17, "age"] = "abc"
    path = tmp_path / "records.parquet"
    frame.to_parquet(path)
    return path


def test_cli_spark_scores_like_the_local_scorer(spark: Any, records: Path, tmp_path: Path) -> None:
    bundle = write(documents(), tmp_path / "bundle")
    base = ["score", "--bundle", str(bundle), "--input", str(records)]
    assert run([*base, "--output", str(tmp_path / "local.parquet")]) == 0
    assert run([*base, "--output", str(tmp_path / "spark.parquet"), "--engine", "spark"]) == 0
    local = pd.read_parquet(tmp_path / "local.parquet")
    on_spark = pd.read_parquet(tmp_path / "spark.parquet").sort_values("application_id", ignore_index=True)
    assert len(on_spark) == N
    assert on_spark.loc[17, "status"] == "error: age: 'abc' is not a number" and pd.isna(
        on_spark.loc[17, "score"]
    )
    assert (on_spark.drop(index=17)["status"] == "ok").all()
    pd.testing.assert_frame_equal(on_spark, local)


def test_score_spark_keeps_columns_and_names_missing_ones(spark: Any, records: Path, tmp_path: Path) -> None:
    bundle = load_bundle(write(documents(), tmp_path / "bundle"))
    df = spark.read.parquet(str(records)).repartition(3)
    scored = score_spark(df, bundle, keep=["application_id"]).toPandas().sort_values("application_id")
    assert list(scored.columns[:3]) == ["application_id", "score", "pd"] and len(scored) == N
    assert scored["status"].str.startswith("error").sum() == 1
    with pytest.raises(DataError, match=r"keep names columns the input does not have: \['nope'\]"):
        score_spark(df, bundle, keep=["nope"])
    with pytest.raises(DataError, match="input lacks required fields"):
        score_spark(df.drop("age"), bundle)
