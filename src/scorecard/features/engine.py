"""The one place that hands out a backend for the feature definitions: DuckDB (in memory or a database file
that spills to disk) or a Spark session. Feature code receives Ibis tables and never asks which.

An ``Engine`` loads canonical tables (Arrow), stages intermediate steps inside the backend (DuckDB temporary
tables, which spill beyond ``memory_limit``; Spark temporary views, planned into one job by Spark) and
writes only the final result out, to a Parquet file read once the engine is closed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from scorecard.config import FeaturesConfig, SparkConfig
from scorecard.errors import ConfigError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ENGINE_ENV = "SCORECARD_FEATURES_ENGINE"
MASTER_ENV = "SCORECARD_SPARK_MASTER"
SPARK_DEFAULTS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
"""Settings every session gets unless the config names them: UTC clocks (dates never shift), Arrow transfer."""


class Engine:
    """A backend the feature expressions run on; subclasses say how tables get in and results get out."""

    name: str
    backend: BaseBackend

    def load(self, name: str, table: pa.Table) -> ir.Table:
        """Hand an Arrow table to the backend as ``name``."""
        raise NotImplementedError

    def stage(self, name: str, expr: ir.Table) -> ir.Table:
        """Name ``expr`` as a step inside the backend (never on the driver) and return it as a table."""
        raise NotImplementedError

    def collect(self, expr: ir.Table) -> pd.DataFrame:
        """The rows of ``expr`` as pandas (a small result: a summary, a few values)."""
        return self.backend.to_pyarrow(expr).to_pandas()

    def spool(self, expr: ir.Table, path: Path) -> None:
        """Write the rows of ``expr`` to the Parquet file ``path``: the modeling table, read once the engine
        has closed, so that the backend's memory is gone before the table is in pandas."""
        pq.write_table(self.backend.to_pyarrow(expr), path)

    def close(self) -> None:
        """Drop what the engine staged (the Spark session itself outlives it)."""


class DuckDBEngine(Engine):
    """DuckDB in memory (Arrow scanned in place) or in a database file (tables copied in, spilled to disk)."""

    name = "duckdb"

    def __init__(self, cfg: FeaturesConfig, temp_directory: Path) -> None:
        # no step's rows need their insertion order (the modeling table is sorted by its keys when written):
        # without it DuckDB streams scans, staging and COPY in less memory
        options: dict[str, Any] = {"temp_directory": str(temp_directory), "preserve_insertion_order": False}
        if cfg.threads is not None:
            options["threads"] = cfg.threads
        if cfg.memory_limit is not None:
            options["memory_limit"] = cfg.memory_limit
        self.in_memory = cfg.database is None
        self.backend = ibis.duckdb.connect(str(cfg.database) if cfg.database else ":memory:", **options)

    def load(self, name: str, table: pa.Table) -> ir.Table:
        if self.in_memory:
            return ibis.memtable(table)
        return self.backend.create_table(f"_src_{name}", table, temp=True, overwrite=True)

    def stage(self, name: str, expr: ir.Table) -> ir.Table:
        return self.backend.create_table(f"_{name}", expr, temp=True, overwrite=True)

    def spool(self, expr: ir.Table, path: Path) -> None:
        self.backend.to_parquet(expr, path)  # COPY: streamed to the file within memory_limit

    def close(self) -> None:
        self.backend.disconnect()


class SparkEngine(Engine):
    """A Spark session: tables become temporary views (one run's names never collide with another's)."""

    name = "spark"

    def __init__(self, session: SparkSession) -> None:
        self.session = session
        self.backend = ibis.pyspark.connect(session)
        self._prefix = f"_sc{uuid.uuid4().hex[:8]}_"
        self._views: list[str] = []

    def load(self, name: str, table: pa.Table) -> ir.Table:
        view = self._view(f"src_{name}")
        self.session.createDataFrame(table).createOrReplaceTempView(view)
        return self.backend.table(view)

    def stage(self, name: str, expr: ir.Table) -> ir.Table:
        return self.backend.create_view(self._view(name), expr, overwrite=True)

    def close(self) -> None:
        for view in reversed(self._views):  # dependants first: a view cannot be resolved without its sources
            self.session.catalog.dropTempView(view)
        self._views.clear()

    def _view(self, name: str) -> str:
        view = f"{self._prefix}{name}"
        self._views.append(view)
        return view


def engine_name(cfg: FeaturesConfig) -> str:
    """The configured engine, unless ``SCORECARD_FEATURES_ENGINE`` names another."""
    chosen = os.environ.get(ENGINE_ENV, "").strip().lower() or cfg.engine
    if chosen not in ("duckdb", "spark"):
        raise ConfigError(f"{ENGINE_ENV}: expected 'duckdb' or 'spark'; got {chosen!r}")
    return chosen


@contextmanager
def open_engine(cfg: FeaturesConfig) -> Iterator[Engine]:
    """The backend ``features.engine`` names, closed (and its staging dropped) on exit."""
    with ExitStack() as stack:
        engine: Engine
        if engine_name(cfg) == "spark":
            engine = SparkEngine(spark_session(cfg.spark))
        else:
            spill = cfg.temp_directory or (
                Path(f"{cfg.database}.tmp")
                if cfg.database
                else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scorecard-features-")))
            )
            engine = DuckDBEngine(cfg, spill)
        stack.callback(engine.close)
        yield engine


def spark_session(cfg: SparkConfig | None = None) -> SparkSession:
    """The active Spark session, or a new one with the config's master, name and settings.

    ``SCORECARD_SPARK_MASTER`` overrides ``master``; under spark-submit (or on a managed runtime) the
    running session is returned as it is.
    """
    cfg = cfg or SparkConfig()
    require_java()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            "features.engine: spark needs pyspark; install the 'spark' extra (pip install scorecard[spark])"
        ) from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(cfg.app_name)
    master = os.environ.get(MASTER_ENV, "").strip() or cfg.master
    if master:
        builder = builder.master(master)
    for key, value in {**SPARK_DEFAULTS, **cfg.config}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def java_missing() -> str | None:
    """Why Spark cannot start here (no Java), or None when a Java runtime is found."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return None
    if shutil.which("java"):
        return None
    return "Spark needs a Java runtime (17 or 21): set JAVA_HOME or put java on PATH"


def require_java() -> None:
    """Stop with one clear line when no Java runtime is found."""
    reason = java_missing()
    if reason is not None:
        raise ConfigError(f"features.engine: spark: {reason}")
