"""Log a trained card to MLflow so a validator can review and reproduce it months later.

One run holds: the whole config (flattened params and the YAML file), data fingerprints, row and target counts
per split, metrics per model and split, the readable training outputs (binning tables, selection log,
coefficients, points table, plots, evaluation report), the serving bundle, the evidence the promotion gates
need, the scorecard as a pyfunc model, the LightGBM challenger and the documentation pack (``report/``). ``train_and_log`` trains, exports, logs and
registers in one run; if any step fails the run is marked FAILED and nothing is registered; SIGTERM or SIGINT
ends it as KILLED, and a run whose process died without a word is ended as FAILED by the next run's sweep
(``tracking.interrupts``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mlflow
import numpy as np
import pandas as pd
import yaml
from mlflow.data.pandas_dataset import from_pandas

from scorecard import __version__
from scorecard.config import CardConfig
from scorecard.progress import Report, Steps
from scorecard.tracking import registry
from scorecard.tracking.interrupts import tracked_run
from scorecard.tracking.pyfunc import conda_env, log_bundle_model
from scorecard.tracking.store import connect, experiment_id

if TYPE_CHECKING:
    from scorecard.features.build import ModelingTable
    from scorecard.modeling.train import TrainedCard

SPLITS = ("train", "test", "oot")
PARAM_CHARS = 6000
REGISTRATION_FILE = "registration.json"  # in the run folder: the registered model version the run became


@dataclass(frozen=True)
class LoggedCard:
    """Where a trained card landed in MLflow."""

    run_id: str
    model_uri: str
    challenger_uri: str | None


@dataclass(frozen=True)
class TrackedRun:
    """A training run that was logged (and registered, unless asked not to)."""

    run_id: str
    model_uri: str
    challenger_uri: str | None
    registered_model: str
    version: str | None
    card: TrainedCard
    bundle_dir: Path | None


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested config -> {"binning.max_n_bins": "8", ...}; lists and empty dicts as JSON text."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            flat[name] = text[:PARAM_CHARS]
    return flat


def git_commit() -> str | None:
    """The checkout's full commit hash, or None outside a git checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit or None


def code_version() -> str:
    """The package version, plus the git commit when running from a checkout."""
    commit = git_commit()
    return f"{__version__}+g{commit[:7]}" if commit else __version__


def config_hash(config: CardConfig) -> str:
    """sha256 of the resolved config: the same settings, the same hash."""
    text = json.dumps(config.model_dump(mode="json"), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run_name(config: CardConfig, now: dt.datetime | None = None) -> str:
    """``<card name>-<UTC timestamp>``, e.g. ``application_card-20250131T120000Z``."""
    return f"{config.name}-{(now or dt.datetime.now(dt.UTC)).strftime('%Y%m%dT%H%M%SZ')}"


def run_tags(config: CardConfig) -> dict[str, str]:
    """Tags every training run carries: card type and name, config hash, code version and commit, seed."""
    return {
        registry.CARD_TAG: config.card,
        "scorecard.card_name": config.name,
        "scorecard.config_hash": config_hash(config),
        "scorecard.code_version": code_version(),
        "scorecard.git_commit": git_commit() or "unknown",
        "scorecard.seed": str(config.split.seed),
    }


def log_config(config: CardConfig) -> None:
    """Log the config as params (flattened) and as files: the YAML as written and as resolved, and the binning
    overrides file as written (the run folder's ``overrides.yaml``, logged with the card, is what binning used)."""
    mlflow.log_params(flatten(config.model_dump(mode="json")))
    resolved = yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    mlflow.log_text(resolved, "config/resolved.yaml")
    if config.source_path is not None and config.source_path.is_file():
        mlflow.log_artifact(str(config.source_path), "config")
    overrides = config.binning.overrides
    if overrides is not None and Path(overrides).is_file():  # as written, comments and reasons included
        mlflow.log_artifact(str(overrides), "config/overrides")


def split_counts(frame: pd.DataFrame) -> dict[str, float]:
    """Rows, bads and bad rate per modeling split."""
    counts: dict[str, float] = {}
    for split in SPLITS:
        target = frame.loc[frame["split"] == split, "target"]
        counts[f"rows_{split}"] = float(len(target))
        counts[f"bads_{split}"] = float((target == 1).sum())
        if len(target):
            counts[f"bad_rate_{split}"] = float((target == 1).mean())
    return counts


def metric_items(metrics: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, float]]:
    """Nested {model: {split: {metric: value}}} -> ("scorecard_oot_gini", 0.52), finite numbers only."""
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from metric_items(value, f"{name}_")
        elif (
            isinstance(value, int | float | np.number) and not isinstance(value, bool) and np.isfinite(value)
        ):
            yield name, float(value)


def parity_mismatches(
    expected: pd.DataFrame, scored: Mapping[str, Any], pd_tolerance: float = 1e-9
) -> np.ndarray:
    """Rows where the bundle's score, grade or reason codes differ from the trained model's, or pd by > tolerance."""
    reason_columns = sorted(
        (c for c in expected.columns if c.startswith("reason_")), key=lambda c: int(c[7:])
    )
    codes = pd.Series("", index=expected.index)
    for column in reason_columns:  # k columns, each vectorised over rows; filled left to right
        code = expected[column].astype(str)
        codes = codes.where(code == "", codes.str.cat(code, sep="|").str.lstrip("|"))
    return (
        (np.asarray(scored["score"]) != expected["score"].to_numpy())
        | (
            np.abs(np.asarray(scored["pd"], dtype=float) - expected["pd"].to_numpy(dtype=float))
            > pd_tolerance
        )
        | (np.asarray(scored["grade"]).astype(str) != expected["grade"].to_numpy().astype(str))
        | (np.asarray(scored["reasons"]).astype(str) != codes.to_numpy().astype(str))
    )


def log_evidence(card: TrainedCard, bundle_dir: Path) -> pd.DataFrame:
    """Log what the promotion gates measure; returns the sample (out-of-time rows, else test rows)."""
    from scorecard.bundle.runtime import load_bundle
    from scorecard.modeling.strategy import policy_tables

    frame = card.table.frame
    bundle = load_bundle(bundle_dir)
    columns = [c for c in dict.fromkeys([*bundle.fields, *card.table.features]) if c in frame.columns]
    sample_split = "oot" if (frame["split"] == "oot").any() else "test"
    sample = frame.loc[frame["split"] == sample_split, [*columns, "target"]].reset_index(drop=True)
    scored = bundle.score_batch(sample)
    mismatch = parity_mismatches(card.score_frame(sample), scored)
    card.strategy.update(policy_tables(scored, sample["target"].to_numpy(), card.config))
    card.write_strategy()
    dev = frame.loc[frame["split"] == "train", [*columns, "snapshot_date", "target"]].reset_index(drop=True)
    dev_scores = bundle.score_batch(dev[columns])["score"]
    coefs = card.scorecard.coef_table_
    violations = coefs.loc[~coefs["sign_ok"].astype(bool), "feature"].astype(str).tolist()
    facts = {
        "sample": sample_split,
        "sign_violations": violations,
        "parity_mismatches": int(mismatch.sum()),
        "parity_rows": len(sample),
        "strategy": {name: table.to_dict("records") for name, table in card.strategy.items()},
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sample.to_parquet(folder / registry.SAMPLE_FILE, index=False)
        dev.to_parquet(folder / registry.DEV_SAMPLE_FILE, index=False)  # monitoring's reference
        pd.DataFrame({"score": np.asarray(dev_scores)}).to_parquet(
            folder / registry.DEV_SCORES_FILE, index=False
        )
        (folder / registry.EVIDENCE_FILE).write_text(json.dumps(facts, indent=2, default=_plain))
        mlflow.log_artifacts(str(folder), registry.EVIDENCE_PATH)
    mlflow.log_metrics({"parity_mismatches": int(mismatch.sum()), "sign_violations": len(violations)})
    return sample


def _plain(value: Any) -> Any:
    """JSON for numpy scalars and NaN-free floats in evidence tables."""
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def log_data(card: TrainedCard) -> None:
    """Fingerprints of the whole modeling frame and of each split (params), and each split as an MLflow dataset."""
    from scorecard.modeling.train import data_fingerprint

    frame = card.table.frame
    fingerprints = {"data.fingerprint": card.data_fingerprint}
    for split in SPLITS:
        part = frame[frame["split"] == split].reset_index(drop=True)
        if len(part):
            fingerprints[f"data.fingerprint.{split}"] = data_fingerprint(part)
            columns = [*card.table.keys, *card.table.features, "target"]
            with warnings.catch_warnings():  # integer keys: MLflow's hint about missing values does not apply
                warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer")
                dataset = from_pandas(
                    part[[c for c in columns if c in part]],
                    name=f"{card.config.name}_{split}",
                    targets="target",
                )
                mlflow.log_input(dataset, context=split)
    mlflow.log_params(fingerprints)


def log_card(card: TrainedCard, bundle_dir: Path) -> LoggedCard:
    """Log ``card`` and its bundle into the active run; says where its models landed."""
    run_id = mlflow.active_run().info.run_id  # type: ignore[union-attr]
    config = card.config
    log_config(config)
    mlflow.set_tags({**run_tags(config), "scorecard.data_fingerprint": card.data_fingerprint})
    log_data(card)
    mlflow.log_metrics(
        {
            **split_counts(card.table.frame),
            **{f"target_{k}": float(v) for k, v in card.table.target_summary.items()},
        }
    )
    mlflow.log_metrics(dict(metric_items(card.metrics)))
    mlflow.log_artifacts(str(bundle_dir), registry.BUNDLE_PATH)
    sample = log_evidence(card, bundle_dir)
    _log_card_outputs(card)
    model = log_bundle_model(bundle_dir, sample)
    challenger_uri = None
    if card.challenger is not None:
        import lightgbm
        from mlflow import lightgbm as mlflow_lightgbm

        challenger_uri = mlflow_lightgbm.log_model(
            card.challenger.booster_,
            name="challenger",
            conda_env=conda_env([f"lightgbm=={lightgbm.__version__}"]),
        ).model_uri
    return LoggedCard(run_id, model.model_uri, challenger_uri)


def _log_card_outputs(card: TrainedCard) -> None:
    """The readable training outputs: from the card's run folder, or written afresh when it has none."""
    if card.run_dir is not None and Path(card.run_dir).is_dir() and any(Path(card.run_dir).iterdir()):
        mlflow.log_artifacts(str(card.run_dir), "card")
        return
    with tempfile.TemporaryDirectory() as tmp:
        card.save(Path(tmp))
        mlflow.log_artifacts(tmp, "card")


def log_pack(card: TrainedCard) -> Path:
    """Write the documentation pack into the card's run folder and log it as the run's ``report`` artifact."""
    from scorecard.reports.pack import PACK_FILE, build_pack, write_pack

    if card.run_dir is None:
        raise ValueError("log_pack needs a card saved to a run folder")
    path = write_pack(build_pack(card.run_dir), Path(card.run_dir) / PACK_FILE)[0]
    mlflow.log_artifact(str(path), "report")
    return path


def experiment_name(config: CardConfig) -> str:
    """``tracking.experiment``, else the card's name."""
    return config.tracking.experiment or config.name


def train_and_log(
    config: CardConfig,
    table: ModelingTable | None = None,
    run_dir: Path | None = None,
    bundle_dir: Path | None = None,
    register: bool = True,
    progress: Report | None = None,
) -> TrackedRun:
    """Train, export the bundle, log everything and register a ``challenger`` version, in one MLflow run.

    ``run_dir`` and ``bundle_dir`` keep the card's outputs and the bundle locally; where not given they are
    written to a temporary folder and only MLflow keeps them (``TrackedRun.bundle_dir`` is then None).
    ``progress`` receives each step as it ends (the training steps, then export and logging).
    """
    from scorecard.bundle.export import export_bundle
    from scorecard.modeling.train import train_card

    client = connect(config)
    name = registry.model_name(config.card, config.tracking)
    experiment = experiment_id(client, experiment_name(config))
    steps = Steps(progress)
    with (
        tempfile.TemporaryDirectory() as tmp,
        tracked_run(client, experiment, run_name=run_name(config), tags=run_tags(config)) as run,
    ):
        log_config(config)
        card = train_card(config, table, run_dir=run_dir or Path(tmp) / "card", progress=progress)
        with steps.step("export") as step:
            bundle = export_bundle(
                card, bundle_dir or Path(tmp) / "bundle", model_version=f"{name}/run-{run.info.run_id}"
            )
            step.detail = str(bundle_dir) if bundle_dir else "bundle logged with the run"
        with steps.step("logging") as step:
            logged = log_card(card, bundle)
            log_pack(card)
            version = None
            if register:  # the run's last step: a failure anywhere before it registers nothing
                registered = registry.register(
                    logged.model_uri, name, run.info.run_id, config.card, client=client
                )
                version = str(registered.version)
                if run_dir is not None:
                    record = {"registered_model": name, "version": version, "run_id": run.info.run_id}
                    (Path(run_dir) / REGISTRATION_FILE).write_text(json.dumps(record, indent=2) + "\n")
            step.detail = f"run {run.info.run_name}" + (f", registered {name} v{version}" if version else "")
    return TrackedRun(
        run.info.run_id, logged.model_uri, logged.challenger_uri, name, version, card, bundle_dir
    )


def registered_version(run_dir: Path | str) -> str | None:
    """``<registered model>/<version>`` that the run in ``run_dir`` was registered as, or None."""
    path = Path(run_dir) / REGISTRATION_FILE
    if not path.is_file():
        return None
    record = json.loads(path.read_text())
    return f"{record['registered_model']}/{record['version']}"
