"""One local Spark session for every Spark test (startup is slow): local[2], few shuffle partitions, no UI.

Spark tests share the xdist group ``spark`` so that one worker runs them all on this session, and skip with
the reason when no Java runtime is found.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scorecard.features.engine import java_missing

SPARK_TEST_CONFIG = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "1g",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = java_missing()
    for item in items:
        if "tests/spark/" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("spark"))
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The local[2] session (also the one ``features.engine: spark`` picks up through getOrCreate)."""
    from scorecard.config import SparkConfig
    from scorecard.features.engine import spark_session

    session = spark_session(
        SparkConfig(master="local[2]", app_name="scorecard-tests", config=SPARK_TEST_CONFIG)
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
