"""Evidently data drift report over the card's raw inputs, run offline, with the stat test chosen per feature type.

Above ``LARGE_SAMPLE`` rows on both sides the tests are distances with an effect-size threshold (normed
Wasserstein for numbers, Jensen-Shannon for categories), since p-value tests flag trivial shifts at scale;
below it they are p-value tests (two-sample KS for numbers, chi-square for categories). Each side is
sampled down to ``sample_size`` rows (seeded) so the report stays quick on large batches; PSI and CSI in
``stability`` always use every row.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

LARGE_SAMPLE = 1000
DEFAULT_SAMPLE_SIZE = 20_000
# method -> (threshold, drift when the statistic is below the threshold (a p-value) rather than at/above it)
METHODS: dict[str, tuple[float, bool]] = {
    "wasserstein": (0.1, False),
    "jensenshannon": (0.1, False),
    "ks": (0.05, True),
    "chisquare": (0.05, True),
}
DRIFT_COLUMNS = ["feature", "kind", "method", "threshold", "statistic", "drifted"]


@dataclass
class DriftResult:
    """Evidently's snapshot, and one row per feature: the test used, its statistic and whether it drifted."""

    snapshot: Any
    table: pd.DataFrame
    reference_rows: int
    current_rows: int

    def save(self, out_dir: Path) -> dict[str, Path]:
        """Write Evidently's HTML and JSON reports into ``out_dir``."""
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = {"html": out_dir / "evidently_drift.html", "json": out_dir / "evidently_drift.json"}
        self.snapshot.save_html(str(paths["html"]))
        self.snapshot.save_json(str(paths["json"]))
        return paths


def choose_method(kind: str, reference_rows: int, current_rows: int) -> str:
    """The stat test for one feature type at the given sample sizes."""
    large = min(reference_rows, current_rows) > LARGE_SAMPLE
    if kind == "categorical":
        return "jensenshannon" if large else "chisquare"
    return "wasserstein" if large else "ks"


def _sample(frame: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    return frame.sample(n=size, random_state=seed) if len(frame) > size else frame


def data_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    numerical: Sequence[str],
    categorical: Sequence[str],
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    seed: int = 0,
) -> DriftResult:
    """Run Evidently's DataDriftPreset over the given raw columns of both frames (telemetry off)."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    columns = [*numerical, *categorical]
    as_text = dict.fromkeys(categorical, "object")
    ref = _sample(reference[columns], sample_size, seed).astype(as_text)
    cur = _sample(current[columns], sample_size, seed).astype(as_text)
    kinds = {**dict.fromkeys(numerical, "numerical"), **dict.fromkeys(categorical, "categorical")}
    methods = {c: choose_method(kinds[c], len(ref), len(cur)) for c in columns}
    definition = DataDefinition(numerical_columns=list(numerical), categorical_columns=list(categorical))
    report = Report(
        [
            DataDriftPreset(
                columns=columns,
                per_column_method=methods,
                per_column_threshold={c: METHODS[m][0] for c, m in methods.items()},
            )
        ]
    )
    snapshot = report.run(
        Dataset.from_pandas(cur, data_definition=definition),
        Dataset.from_pandas(ref, data_definition=definition),
    )
    values = {
        m["config"]["column"]: float(m["value"])
        for m in snapshot.dict()["metrics"]
        if m["config"].get("type", "").endswith("ValueDrift")
    }
    table = pd.DataFrame(
        {
            "feature": columns,
            "kind": [kinds[c] for c in columns],
            "method": [methods[c] for c in columns],
            "threshold": [METHODS[methods[c]][0] for c in columns],
            "statistic": [values[c] for c in columns],
        },
        columns=DRIFT_COLUMNS,
    )
    is_p_value = np.array([METHODS[methods[c]][1] for c in columns], dtype=bool)
    table["drifted"] = np.where(
        is_p_value, table["statistic"] < table["threshold"], table["statistic"] >= table["threshold"]
    )
    return DriftResult(snapshot, table, len(ref), len(cur))
