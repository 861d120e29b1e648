"""PSI/CSI and feature health on Spark: the counts are aggregated where the data is; the tables are built from them.

Each executor scores its Arrow batches with the bundle runtime and bins every feature by the runtime's own rule
(as ``stability`` does), then emits partial counts per (variable, cohort, slot). Spark sums them; only those
few rows reach the driver, which builds the same tables as ``monitoring.run`` does from pandas frames.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from scorecard.bundle.runtime import Bundle
from scorecard.config import MonitoringConfig
from scorecard.modeling.evaluation import score_band_edges
from scorecard.monitoring import stability
from scorecard.monitoring.health import SlotCounts, health_table, outside_count
from scorecard.monitoring.run import MonitoredCard

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

SCORE = "score"
_PARTIALS = pa.schema(
    [("variable", pa.string()), ("cohort", pa.string()), ("slot", pa.int64()), ("n", pa.int64()),
     ("lo", pa.float64()), ("hi", pa.float64())]
)  # fmt: skip
_RANGE, _OUTSIDE = -1, -2  # slots of the rows carrying a feature's regular range and its out-of-range count


@dataclass
class SparkStability:
    """Score PSI and feature CSI tables (as ``stability.counts_table``) and the health table."""

    score_stability: pd.DataFrame
    feature_stability: pd.DataFrame
    health: pd.DataFrame


def spark_stability(
    bundle: Bundle, reference: DataFrame, current: DataFrame, cfg: MonitoringConfig
) -> SparkStability:
    """Score PSI, CSI per feature and health of ``current`` against ``reference``, aggregated on Spark."""
    card = MonitoredCard.from_bundle(bundle)
    ref = _aggregate(reference, card, None, None, {})
    ranges = ref[(ref.slot == _RANGE) & ref.lo.notna()]
    bounds = {
        str(name): (float(lo), float(hi))
        for name, lo, hi in zip(ranges.variable, ranges.lo, ranges.hi, strict=True)
    }
    cur = _aggregate(current, card, cfg.date_column, cfg.cohort, bounds)
    cohort_names = sorted(c for c in cur.cohort.unique() if c != stability.ALL)
    ref_scores = ref[ref.variable == SCORE]
    edges = score_band_edges(
        np.repeat(ref_scores.slot.to_numpy(float), ref_scores.n.to_numpy()), cfg.n_score_bands
    )
    score_table = _table(
        SCORE, stability.band_labels(edges), ref, cur, cohort_names, lambda s: stability.band_codes(s, edges)
    )
    feature_tables, counts = [], {}
    for f in card.features:
        labels = stability.feature_bin_labels(f)
        feature_tables.append(_table(f["name"], labels, ref, cur, cohort_names, lambda s: s))
        outside = cur[(cur.variable == f["name"]) & (cur.slot == _OUTSIDE)].n.sum()
        counts[f["name"]] = SlotCounts(
            _slots(ref, f["name"], stability.ALL, len(labels), lambda s: s),
            _slots(cur, f["name"], stability.ALL, len(labels), lambda s: s),
            int(outside),
        )
    return SparkStability(
        score_table, pd.concat(feature_tables, ignore_index=True), health_table(card.features, counts)
    )


def _table(
    variable: str, labels: list[str], ref: pd.DataFrame, cur: pd.DataFrame, cohorts: list[str], to_slot: Any
) -> pd.DataFrame:
    k = len(labels)
    by_cohort = np.array([_slots(cur, variable, c, k, to_slot) for c in cohorts], dtype=np.int64).reshape(
        -1, k
    )
    return stability.counts_table(
        variable,
        labels,
        _slots(ref, variable, stability.ALL, k, to_slot),
        _slots(cur, variable, stability.ALL, k, to_slot),
        by_cohort,
        cohorts,
    )


def _slots(counts: pd.DataFrame, variable: str, cohort: str, k: int, to_slot: Any) -> np.ndarray:
    """Counts per slot 0..k-1 of one variable and cohort (raw scores mapped to bands by ``to_slot``)."""
    rows = counts[(counts.variable == variable) & (counts.cohort == cohort) & (counts.slot >= 0)]
    slot = np.asarray(to_slot(rows.slot.to_numpy()), dtype=np.int64)
    return np.bincount(slot, weights=rows.n.to_numpy(), minlength=k)[:k].astype(np.int64)


def _aggregate(
    df: DataFrame,
    card: MonitoredCard,
    date_column: str | None,
    frequency: str | None,
    bounds: Mapping[str, tuple[float, float]],
) -> pd.DataFrame:
    """Per (variable, cohort, slot) row counts of ``df``, summed over the executors' partial counts."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    features = card.features
    score = card.score

    def partials(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            frame = batch.to_pandas()
            cohorts = None
            if date_column is not None and frequency is not None:
                codes, names = stability.cohort_codes(frame[date_column], frequency)
                cohorts = np.asarray(names, dtype=object)[codes]
            rows = _count(SCORE, np.asarray(score(frame)["score"], dtype=np.int64), cohorts)
            for f in features:
                name, n_bins = f["name"], len(f["bins"])
                slots = stability.feature_bin_codes(f, frame[name])
                rows += _count(name, slots, cohorts)
                if f["kind"] == "categorical":
                    continue
                if date_column is None:
                    x = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)[slots < n_bins]
                    if x.size:
                        rows.append(
                            (name, stability.ALL, _RANGE, 0, float(np.nanmin(x)), float(np.nanmax(x)))
                        )
                else:
                    outside = outside_count(frame[name], slots, n_bins, bounds.get(name))
                    rows.append((name, stability.ALL, _OUTSIDE, outside, None, None))
            yield pa.RecordBatch.from_pylist(
                [dict(zip(_PARTIALS.names, r, strict=True)) for r in rows], schema=_PARTIALS
            )

    summed = (
        df.mapInArrow(partials, from_arrow_schema(_PARTIALS))
        .groupBy("variable", "cohort", "slot")
        .agg(F.sum("n").alias("n"), F.min("lo").alias("lo"), F.max("hi").alias("hi"))
    )
    return summed.toPandas()


def _count(variable: str, slots: np.ndarray, cohorts: np.ndarray | None) -> list[tuple[Any, ...]]:
    """Partial counts of one variable: whole batch (cohort ``all``) and per cohort."""
    values, n = np.unique(slots, return_counts=True)
    rows: list[tuple[Any, ...]] = [
        (variable, stability.ALL, int(v), int(c), None, None) for v, c in zip(values, n, strict=True)
    ]
    if cohorts is not None:
        keyed = pd.DataFrame({"cohort": cohorts, "slot": slots}).value_counts().reset_index()
        rows += [
            (variable, str(c), int(s), int(k), None, None)
            for c, s, k in zip(keyed["cohort"], keyed["slot"], keyed["count"], strict=True)
        ]
    return rows
