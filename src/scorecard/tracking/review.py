"""A run's recorded bins, for review: its binning tables and its bins as overrides, read from the files
training wrote (a run folder, or a registered version's run in MLflow), never from the pickled card."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml
from mlflow.tracking import MlflowClient

from scorecard.errors import ScorecardError
from scorecard.modeling.overrides import BinningOverride, parse_overrides
from scorecard.modeling.train import FROZEN_BINS_FILE, OVERRIDES_FILE
from scorecard.tracking import registry

TABLES_FILE = "binning_tables.csv"
RUN_FILE = "run.json"
CARD_PATH = "card"  # where runs.py logs the run folder


def run_outputs(
    run: Path | None, model: str | None, scratch: Path, client: MlflowClient | None = None
) -> tuple[Path, str]:
    """The folder holding the run's outputs (``model``'s are downloaded into ``scratch``) and a name for it."""
    if (run is None) == (model is None):
        raise ScorecardError("give either --run DIR or --model NAME@ALIAS (e.g. application@champion)")
    if run is not None:
        if not (run / RUN_FILE).is_file():
            raise ScorecardError(
                f"{run}: not a run folder (no {RUN_FILE}); give the --run-dir of `scorecard train`"
            )
        return run, str(run)
    name, which = registry.parse_model_ref(str(model))
    version = registry.model_version(name, which, client)
    for file in (RUN_FILE, TABLES_FILE, FROZEN_BINS_FILE, OVERRIDES_FILE):
        text = registry.run_text(str(version.run_id), f"{CARD_PATH}/{file}", client)
        if text is not None:
            (scratch / file).write_text(text)
    return scratch, f"{name} v{version.version}"


def card_features(folder: Path) -> list[str]:
    """The features on the card, from ``run.json``."""
    return [str(f) for f in json.loads((folder / RUN_FILE).read_text())["features"]]


def binning_tables(folder: Path, label: str) -> pd.DataFrame:
    """Every binned feature's binning table (``binning_tables.csv``), bins in their recorded order."""
    path = folder / TABLES_FILE
    if not path.is_file():
        raise ScorecardError(f"{label}: no {TABLES_FILE} recorded; retrain the card with this version")
    blank_is_missing = {c: [""] for c in ("event_rate", "woe", "points")}
    table = pd.read_csv(
        path, dtype={"feature": str, "bin": str}, keep_default_na=False, na_values=blank_is_missing
    )
    if "points" in table:
        table["points"] = table["points"].astype("Int64")
    return table


def logged_overrides(folder: Path, label: str) -> dict[str, BinningOverride]:
    """The overrides the run was trained with (``overrides.yaml``), or {} when it had none."""
    path = folder / OVERRIDES_FILE
    if not path.is_file():
        return {}
    return parse_overrides(yaml.safe_load(path.read_text()), f"{label}: {OVERRIDES_FILE}")


def frozen_bins(folder: Path, label: str, every_feature: bool = False) -> dict[str, BinningOverride]:
    """The bins of the card's features and of every feature the run had an override for (of every binned
    feature with ``every_feature``) as fixed overrides.

    A feature the run already had an override for keeps that override's reason, even when selection left it
    off the card (so a reviewed decision is never lost); the others carry the placeholder reason that
    ``train_card`` refuses until a reviewer replaces it.
    """
    path = folder / FROZEN_BINS_FILE
    if not path.is_file():
        raise ScorecardError(f"{label}: no {FROZEN_BINS_FILE} recorded; retrain the card with this version")
    frozen = parse_overrides(yaml.safe_load(path.read_text()), f"{label}: {FROZEN_BINS_FILE}")
    reviewed = logged_overrides(folder, label)
    if not every_feature:
        keep = set(card_features(folder)) | set(reviewed)
        frozen = {f: o for f, o in frozen.items() if f in keep}
    reasons = {f: o.reason for f, o in reviewed.items() if o.reason.strip()}
    return {f: o.model_copy(update={"reason": reasons[f]}) if f in reasons else o for f, o in frozen.items()}


def run_overrides(
    run_id: str, label: str, client: MlflowClient | None = None
) -> tuple[dict[str, BinningOverride], str] | None:
    """The overrides a logged run was trained with and the file's comment lines, or None when it had none."""
    text = registry.run_text(run_id, f"{CARD_PATH}/{OVERRIDES_FILE}", client)
    if text is None:
        return None
    note = " ".join(line.removeprefix("#").strip() for line in text.splitlines() if line.startswith("#"))
    return parse_overrides(yaml.safe_load(text), f"{label}: {OVERRIDES_FILE}"), note
