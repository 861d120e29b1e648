"""A scheduled monitoring job: read the batch, find the model and its reference, monitor, write, log to MLflow.

The I/O edge around ``monitor``: files in, reports out, and one MLflow run tagged with the registered model
name and version it watched (the version also gets ``monitoring.last_*`` tags pointing back at the run).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from scorecard.config import CardConfig
from scorecard.errors import ScorecardError
from scorecard.monitoring.run import MonitoringResult, monitor
from scorecard.tracking.registry import DEV_SAMPLE_FILE, EVIDENCE_PATH

DEV_SAMPLE_ARTIFACT = f"{EVIDENCE_PATH}/{DEV_SAMPLE_FILE}"
"""Where a training run keeps its development sample (the card's inputs, date column and target)."""
RUN_TYPE_TAG = "scorecard.run_type"
MODEL_TAG = "scorecard.model_name"
VERSION_TAG = "scorecard.model_version"


@dataclass(frozen=True)
class WatchedModel:
    """The registered model version being monitored, and its training run."""

    name: str
    version: str
    run_id: str


def _read(path: Path, config: CardConfig) -> pd.DataFrame:
    """A batch file. A flat-table card's batch may come in the flat table's own layout, which is shaped like the
    development table, or already in that shape (a modeling table or development sample: ``snapshot_date`` and a
    0/1 ``target`` instead of the flat table's own date and target columns)."""
    from scorecard.data.ingest import read_table

    flat = config.data.flat_table
    if flat is None:
        return read_table(path)
    from scorecard.features.flat import flat_batch

    raw = read_table(path, options=flat)
    columns = set(raw.columns)
    developed = "snapshot_date" in columns and (
        flat.date_column != "snapshot_date" or (flat.target not in columns and "target" in columns)
    )
    return raw if developed else flat_batch(raw, flat.model_copy(update={"path": path}))


def _with_dates(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Parse the cohort date column when a CSV brought it in as text."""
    if column in frame.columns and not pd.api.types.is_datetime64_any_dtype(frame[column]):
        frame = frame.assign(**{column: pd.to_datetime(frame[column], errors="coerce")})
    return frame


def _resolve_model(config: CardConfig, model_ref: str, work: Path) -> tuple[Path, WatchedModel]:
    """Download the bundle of ``model_ref`` (e.g. ``application@champion``) and identify its version."""
    from scorecard.tracking import registry
    from scorecard.tracking.store import connect

    client = connect(config)
    name, which = registry.parse_model_ref(model_ref)
    version = registry.model_version(name, which, client)
    bundle = registry.download_bundle(model_ref, work / "bundle", client)
    return bundle, WatchedModel(name, str(version.version), str(version.run_id))


def _development_sample(config: CardConfig, model: WatchedModel, work: Path) -> pd.DataFrame:
    """The champion's development sample, from its training run's artifacts."""
    from scorecard.tracking.store import connect

    client = connect(config)
    try:
        local = client.download_artifacts(model.run_id, DEV_SAMPLE_ARTIFACT, str(work))
    except Exception:
        raise ScorecardError(
            f"{model.name} v{model.version}: training run {model.run_id} holds no {DEV_SAMPLE_ARTIFACT}; "
            "pass --reference FILE (the development sample: the card's inputs, date column and target)"
        ) from None
    return pd.read_parquet(local)


def run_job(
    config: CardConfig,
    current: Path,
    out_dir: Path,
    reference: Path | None = None,
    bundle: Path | None = None,
    model_ref: str | None = None,
    as_of: Any = None,
    log: bool = True,
) -> MonitoringResult:
    """Monitor the batch in ``current`` with the bundle (or registered model) and write to ``out_dir``.

    Without ``bundle`` the model is ``model_ref`` (default: the card's registered model ``@champion``);
    without ``reference`` the reference is that model's development sample.
    """
    if bundle is None and model_ref is None:
        from scorecard.tracking import registry

        model_ref = f"{registry.model_name(config.card, config.tracking)}@{registry.CHAMPION}"
    date_column = config.monitoring.date_column
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        watched = None
        if bundle is None:
            assert model_ref is not None
            bundle, watched = _resolve_model(config, model_ref, work)
        if reference is not None:
            ref = _read(reference, config)
        elif watched is not None:
            ref = _development_sample(config, watched, work)
        else:
            raise ScorecardError("give --reference FILE (the development sample) when monitoring a --bundle")
        result = monitor(
            config,
            _with_dates(_read(current, config), date_column),
            _with_dates(ref, date_column),
            bundle,
            out_dir,
            as_of,
        )
    if watched is not None:
        result.context.update(model=watched.name, version=watched.version, model_run_id=watched.run_id)
    if log:
        result.context["mlflow_run_id"] = log_monitoring_run(config, result, watched)
    return result


def log_monitoring_run(config: CardConfig, result: MonitoringResult, watched: WatchedModel | None) -> str:
    """Log one monitoring run: headline metrics, score PSI by cohort (as steps), the reports; returns its id."""
    import mlflow

    from scorecard.monitoring.stability import ALL, stability_summary
    from scorecard.tracking.interrupts import tracked_run
    from scorecard.tracking.store import connect, experiment_id

    client = connect(config)
    name = watched.name if watched else str(result.context.get("model") or "")
    version = watched.version if watched else str(result.context.get("version") or "")
    tags = {
        RUN_TYPE_TAG: "monitoring",
        "scorecard.card_type": config.card,
        "monitoring.status": result.status,
    }
    if name:
        tags |= {MODEL_TAG: name, VERSION_TAG: version}
    score = stability_summary(result.score_stability)
    csi = stability_summary(result.feature_stability)
    metrics = {
        "exit_code": float(result.exit_code),
        "findings": float(len(result.findings)),
        "score_psi": float(score.loc[score["cohort"] == ALL, "psi"].iloc[0]),
        **{
            f"csi_{v}": float(p)
            for v, p in csi.loc[csi["cohort"] == ALL, ["variable", "psi"]].itertuples(False)
        },
    }
    if result.performance is not None:
        overall = result.performance[result.performance["cohort"] == ALL].iloc[0]
        metrics |= {"gini": float(overall["gini"]), "gini_drop": float(overall["gini_drop"])}
    if result.drift is not None and len(result.drift.table):
        metrics["drifted_share"] = float(result.drift.table["drifted"].mean())
    experiment = f"{config.tracking.experiment or config.name}_monitoring"
    with tracked_run(client, experiment_id(client, experiment), tags=tags) as run:
        mlflow.log_metrics({k: v for k, v in metrics.items() if pd.notna(v)})
        cohorts = score[score["cohort"] != ALL]
        for step, value in enumerate(cohorts["psi"]):
            mlflow.log_metric("score_psi_by_cohort", float(value), step=step)
        mlflow.log_dict({"cohorts": cohorts["cohort"].tolist()}, "cohorts.json")
        for path in result.paths.values():
            mlflow.log_artifact(str(path), "monitoring")
    if watched is not None:
        client.set_model_version_tag(watched.name, watched.version, "monitoring.last_status", result.status)
        client.set_model_version_tag(watched.name, watched.version, "monitoring.last_run_id", run.info.run_id)
    return str(run.info.run_id)
