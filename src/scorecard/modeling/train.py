"""Training a card in one call: binning -> selection -> scorecard -> calibration -> reasons -> challenger -> evaluation.

``train_card(config)`` returns a ``TrainedCard`` a notebook can explore and ``save`` writes to a run folder:
``trained_card.joblib`` plus readable CSV / JSON / PNG outputs (see ``TrainedCard.save``). Modeling never reads
files itself except through the data and features layers when no table is given, and never talks to MLflow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import pandas as pd
import yaml

from scorecard.config import CardConfig
from scorecard.errors import ConfigError, DataError, ModelError, ScorecardError
from scorecard.jsonable import write_json
from scorecard.modeling import plots
from scorecard.modeling.calibration import Calibrator, MasterScale
from scorecard.modeling.challenger import Challenger
from scorecard.modeling.evaluation import evaluate
from scorecard.modeling.inputs import binary_target
from scorecard.modeling.overrides import check_overrides, check_reviewed, dump_overrides, resolve_overrides
from scorecard.modeling.reasons import ReasonCoder
from scorecard.modeling.reject import InferredRejects, development_rejects, infer, through_the_door
from scorecard.modeling.sample import exclusion_waterfall, sample_windows
from scorecard.modeling.scorecard import Scorecard
from scorecard.modeling.stability import confidence_table, feature_stability
from scorecard.modeling.strategy import cutoff_table
from scorecard.progress import Report, StepDone, Steps

if TYPE_CHECKING:
    from scorecard.features.build import ModelingTable

log = logging.getLogger(__name__)

CARD_FILE = "trained_card.joblib"
CARD_SPEC = "card_spec.json"
"""Everything a bundle is exported from, as JSON: export reads it and never unpickles the run folder."""
OVERRIDES_FILE = "overrides.yaml"
FROZEN_BINS_FILE = "frozen_bins.yaml"
MODEL_SPLITS = ("train", "test", "oot")
SHAP_ROWS = 5_000


@dataclass
class TrainedCard:
    """Everything one training run produced; ``save``/``load`` round-trip it through a run folder."""

    config: CardConfig
    table: ModelingTable
    scorecard: Scorecard
    calibrator: Calibrator
    master_scale: MasterScale
    reasons: ReasonCoder
    challenger: Challenger | None
    metrics: dict[str, dict[str, dict[str, float]]]
    """``metrics[model][split]`` for split train / test / oot; a split without rows holds only ``n = bads = 0``."""
    evaluation: dict[str, pd.DataFrame]
    scored: pd.DataFrame
    data_fingerprint: str
    run_dir: Path | None = None
    decisions: list[str] = field(default_factory=list)
    strategy: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Strategy tables: ``cutoffs`` from training; knock-outs, treatments, limits added from the bundle."""
    rejects: InferredRejects | None = None

    @property
    def features(self) -> list[str]:
        """The scorecard's final features."""
        return list(self.scorecard.features_)

    @property
    def binner(self) -> Any:
        """The fitted WoeBinner inside the scorecard."""
        return self.scorecard.binner_

    def binning_tables(self) -> pd.DataFrame:
        """Binning tables of every binned feature, one block per feature, with points for the card's features."""
        return self.scorecard.binning_table()

    def split_assignment(self) -> pd.DataFrame:
        """Each modeling-table row's keys, snapshot date, target and split (train / test / oot / excluded)."""
        frame = self.table.frame
        columns = [*self.table.keys, "snapshot_date", "target", "split"]
        return frame[[c for c in dict.fromkeys(columns) if c in frame.columns]].reset_index(drop=True)

    def score_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Score raw feature rows: integer score, calibrated pd, grade and reason_1..k codes ("" when none)."""
        score = self.scorecard.predict_score(frame)
        pd_ = self.calibrator.predict_pd(score)
        out = pd.DataFrame(
            {"score": score, "pd": pd_, "grade": self.master_scale.grade(pd_)}, index=frame.index
        )
        codes = self.reasons.codes(self.scorecard.points(frame))
        for k in range(self.reasons.top_k):
            out[f"reason_{k + 1}"] = codes[:, k] if k < codes.shape[1] else ""
        return out

    def metrics_rows(self) -> list[tuple[str, str, int, float, float, float]]:
        """(model, split, n, AUC, Gini, KS) per model and split, for printing."""
        return [
            (model, split, int(m["n"]), m["auc"], m["gini"], m["ks"])
            for model, by_split in self.metrics.items()
            for split, m in by_split.items()
            if m["n"]
        ]

    def save(self, run_dir: Path | str) -> Path:
        """Write the run folder: the joblib card, tables as CSV (splits.csv: every row's split), metrics/spec as
        JSON, plots as PNG, source queries."""
        out = Path(run_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.run_dir = out.resolve()
        tables = {
            "binning_tables": self.binning_tables(),
            "selection_log": self.scorecard.selector_.log_,
            "coefficients": self.scorecard.coef_table_,
            "points_table": self.scorecard.points_table_,
            "sample/waterfall": exclusion_waterfall(self.table.frame),
            "sample/windows": sample_windows(self.table.frame),
            "binning_overrides": self.override_log(),
            "evaluation/confidence_intervals": confidence_table(self.metrics),
            **({"evaluation/feature_stability": self.feature_stability()} if self._has("oot") else {}),
            **{f"evaluation/{name}": table for name, table in self.evaluation.items()},
            "splits": self.split_assignment(),
            **({"reject_inference": self.rejects.summary} if self.rejects is not None else {}),
        }
        for name, table in tables.items():
            path = out / f"{name}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            table.to_csv(path, index=False)
        self.write_strategy()
        write_json(out / "metrics.json", self.metrics)
        write_json(out / "scorecard.json", self.scorecard.to_spec())
        (out / "config.yaml").write_text(
            yaml.safe_dump(self.config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
        )
        write_json(
            out / "run.json",
            {
                "card": self.config.card,
                "name": self.config.name,
                "data_fingerprint": self.data_fingerprint,
                "target_summary": dict(self.table.target_summary),
                "features": self.features,
                "decisions": self.decisions,
                "reject_inference": None
                if self.rejects is None
                else {
                    "method": self.rejects.method,
                    "rows": self.rejects.rows,
                    "bad_rate": self.rejects.bad_rate,
                },
            },
        )
        self._save_overrides(out)
        from scorecard.data.ingest import source_queries

        queries = source_queries(self.config.data)
        if queries:
            (out / "sources.sql").write_text(queries)
        if self.challenger is not None:
            (out / "challenger_model.txt").write_text(self.challenger.model_text())
        self._save_plots(out / "plots")
        joblib.dump(self, out / CARD_FILE, compress=3)
        write_json(out / CARD_SPEC, self.spec(trained_at=dt.datetime.now(dt.UTC).replace(microsecond=0)))
        return out

    def spec(self, trained_at: dt.datetime) -> dict[str, Any]:
        """``card_spec.json``: the config, scorecard, calibration, reasons and challenger as JSON."""
        return {
            "config": self.config.model_dump(mode="json", exclude_unset=True),
            "scorecard": self.scorecard.to_spec(),
            "calibration": self.calibrator.to_spec(),
            "master_scale": self.master_scale.to_spec(),
            "reasons": self.reasons.to_spec(),
            "data_fingerprint": self.data_fingerprint,
            "trained_at": trained_at.isoformat(),
            "challenger": None
            if self.challenger is None
            else {"design": self.challenger.design(), "model": self.challenger.model_text()},
        }

    def _has(self, split: str) -> bool:
        return bool((self.table.frame["split"] == split).any())

    def feature_stability(self) -> pd.DataFrame:
        """CSI and points shift of every card feature, training rows against out-of-time rows."""
        frame = self.table.frame
        rows = {s: frame.loc[frame["split"] == s, self.features] for s in ("train", "oot")}
        return feature_stability(self.scorecard.points(rows["train"]), self.scorecard.points(rows["oot"]))

    def override_log(self) -> pd.DataFrame:
        """Every manual binning override applied: feature, what it set, its reason and source file."""
        applied = getattr(self.binner, "overrides_applied_", {})
        return pd.DataFrame(
            [
                {
                    "feature": feature,
                    "override": "; ".join(
                        f"{k}={v}" for k, v in entry.items() if k not in ("reason", "source")
                    ),
                    "reason": entry.get("reason") or "",
                    "source": entry.get("source") or "",
                }
                for feature, entry in applied.items()
            ],
            columns=["feature", "override", "reason", "source"],
        )

    def write_strategy(self) -> None:
        """Write the strategy tables to ``<run_dir>/strategy/<name>.csv`` (run folder cards only)."""
        if self.run_dir is None:
            return
        folder = Path(self.run_dir) / "strategy"
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in self.strategy.items():
            table.to_csv(folder / f"{name}.csv", index=False)

    @classmethod
    def load(cls, run_dir: Path | str) -> TrainedCard:
        """Read a card written by ``save``."""
        path = Path(run_dir) / CARD_FILE
        if not path.is_file():
            raise ScorecardError(f"{path}: no trained card here; run `scorecard train` with --run-dir first")
        card = joblib.load(path)
        if not isinstance(card, cls):
            raise ScorecardError(f"{path}: holds a {type(card).__name__}, not a TrainedCard")
        card.run_dir = Path(run_dir).resolve()
        return card

    def _save_overrides(self, out: Path) -> None:
        """``overrides.yaml``: the overrides the binning used, every reason with them; ``frozen_bins.yaml``:
        every binned feature's bins as fixed overrides (``scorecard bins freeze`` copies from it)."""
        binner = self.binner
        if binner.overrides_:
            applied = ", ".join(binner.overrides_applied_) or "none"
            header = (
                f"Binning overrides card {self.config.name!r} was trained with, from "
                f"{binner.overrides_source_}.\nApplied to: {applied}."
            )
            (out / OVERRIDES_FILE).write_text(dump_overrides(binner.overrides_, header))
        header = (
            f"The bins of card {self.config.name!r} as fixed overrides; `scorecard bins freeze` writes them out.\n"
            f"On the card: {', '.join(self.features)}."
        )
        (out / FROZEN_BINS_FILE).write_text(dump_overrides(binner.frozen_overrides(), header))

    def _save_plots(self, out: Path) -> None:
        models = [m for m in ("scorecard", "challenger") if f"{m}_score" in self.scored]
        for split, part in self.scored.groupby("split", sort=False):
            y = part["target"].to_numpy()
            if np.unique(y).size < 2:
                continue
            curves = {m: (y, -part[f"{m}_score"].to_numpy()) for m in models}
            score = part["scorecard_score"].to_numpy()
            plots.save_figure(plots.roc_plot(curves, f"ROC ({split})"), out / f"roc_{split}.png")
            plots.save_figure(plots.ks_plot(y, score, f"KS, scorecard ({split})"), out / f"ks_{split}.png")
            plots.save_figure(
                plots.score_distribution_plot(y, score, f"Scores of goods and bads ({split})"),
                out / f"score_distribution_{split}.png",
            )
            grades = self.evaluation["grades"]
            grades = grades[(grades["model"] == "scorecard") & (grades["split"] == split)]
            plots.save_figure(
                plots.calibration_plot(grades, f"Calibration by grade ({split})"),
                out / f"calibration_{split}.png",
            )
        for feature in self.features:
            table = self.scorecard.binning_table(feature)
            title = f"{feature}: rows, event rate and points by bin"
            plots.save_figure(plots.binning_plot(table, title), out / "woe" / f"{feature}.png")


def train_card(
    config: CardConfig,
    table: ModelingTable | None = None,
    run_dir: Path | str | None = None,
    progress: Report | None = None,
) -> TrainedCard:
    """Train the scorecard, its calibration, reason codes and challenger on ``table`` (loaded when None).

    ``progress`` receives each step as it ends: features, binning, selection, fit, calibration, challenger,
    evaluation (and save when ``run_dir`` is given), with its duration. Binning overrides whose reason is still a
    placeholder are refused before any data is read.
    """
    check_reviewed(*resolve_overrides(config.binning.overrides))
    check_overrides(config)
    steps = Steps(progress)
    with steps.step("features") as step:
        given = table is not None
        if table is None:
            table = load_table(config)
        frame, features = _modeling_rows(table)
        train = frame[frame["split"] == "train"]
        X, y = train[features], binary_target(train["target"], name="target (train rows)")
        step.detail = f"{'given table: ' if given else ''}{len(frame):,} modeling rows ({len(X):,} train), {len(features)} candidate features"
    decisions: list[str] = []

    card_model = Scorecard.from_config(config, categorical_features=table.categorical).fit(X, y)
    rejects = None
    if config.card == "application" and (table.frame["target_status"] == "reject").any():
        card_model, rejects = _with_rejects(config, table, features, card_model, X, y)
        if rejects.method != "none":
            decisions.append(
                f"reject inference ({rejects.method}): {rejects.rows} development-window rejects added to "
                f"training, inferred bad rate {rejects.bad_rate:.4f} (accepts {float(y.mean()):.4f})"
            )
            X = pd.concat([X, table.frame.loc[rejects.index, features]])
            y = np.concatenate([y, rejects.target])
    kept = len(card_model.binner_.features_)
    fit_details = {
        "binning": f"{kept} features binned, {len(card_model.binner_.dropped_)} dropped",
        "selection": f"{len(card_model.selector_.selected_)} of {kept} selected",
        "fit": f"{len(card_model.features_)} features in the card, {len(card_model.sign_dropped_)} wrong-sign drops, "
        f"C={card_model.C_:g}",
    }
    for name, seconds in card_model.fit_seconds_.items():
        steps.add(StepDone(name, seconds, fit_details[name]))
    selection = card_model.selector_.log_
    dropped = selection[~selection["kept"].astype(bool)]
    decisions += [
        f"selection dropped {feature}: {rule} ({detail})"
        for feature, rule, detail in zip(dropped["feature"], dropped["rule"], dropped["detail"], strict=True)
    ]
    shapes = {**card_model.binner_.shapes_, **card_model.binner_.shapes_rejected_}
    decisions += [f"binning {feature}: {why}" for feature, why in shapes.items()]
    decisions += [f"sign check dropped {feature}: {why}" for feature, why in card_model.sign_dropped_.items()]
    if len(card_model.cv_auc_):
        decisions.append(_C_decision(card_model))
    if not card_model.features_:
        raise ModelError(
            f"{config.name}: no feature survived selection; see the selection log ({len(selection)} candidates)"
        )

    with steps.step("calibration") as step:
        train_score = card_model.predict_score(X)
        calibrator = Calibrator.from_config(config.calibration).fit(train_score, y)
        train_pd = calibrator.predict_pd(train_score)
        master_scale = MasterScale.for_card(config.calibration, train_pd, y)
        decisions += _grade_concentration(config, master_scale, train_pd)
        reasons = _reason_coder(config, features, card_model.features_).fit(card_model.points(X))
        step.detail = f"{config.calibration.method} score-to-PD, {len(master_scale.grades)} grades"

    challenger = None
    if config.challenger.enabled:
        with steps.step("challenger") as step:
            challenger = Challenger.from_config(config.challenger, seed=config.split.seed)
            challenger.fit(X, y, monotone_from=card_model.binner_)
            step.detail = f"LightGBM, {challenger.best_iteration_} rounds"

    with steps.step("evaluation") as step:
        scored = _score_splits(frame, features, card_model, calibrator, master_scale, challenger)
        grades = master_scale.grades
        models = ["scorecard"] + (["challenger"] if challenger is not None else [])
        metrics, tables = evaluate(scored, models, grades)
        for split in MODEL_SPLITS:  # every split is a key; one without rows (no dates: no oot) has n = 0
            if split not in metrics["scorecard"]:
                decisions.append(
                    f"no {split} sample: {_why_empty(config, split)}; its metrics hold n = 0 only"
                )
                for by_split in metrics.values():
                    by_split[split] = {"n": 0, "bads": 0}
        if challenger is not None:
            tables["challenger_importance"] = _challenger_importance(challenger, frame, features)
        step.detail = ", ".join(
            f"{split} Gini {metrics['scorecard'][split]['gini']:.3f}"
            for split in MODEL_SPLITS
            if "gini" in metrics["scorecard"].get(split, {})
        )
    sample = scored[scored["split"] == ("oot" if (scored["split"] == "oot").any() else "test")]
    cutoffs = config.policy.cutoffs
    strategy = {
        "cutoffs": cutoff_table(
            sample["scorecard_score"].to_numpy(),
            sample["target"].to_numpy(),
            sample["scorecard_pd"].to_numpy(),
            policy=None if cutoffs is None else cutoffs.model_dump(),
        )
    }
    for decision in decisions:
        log.info("%s: %s", config.name, decision)
    card = TrainedCard(
        config=config,
        table=table,
        scorecard=card_model,
        calibrator=calibrator,
        master_scale=master_scale,
        reasons=reasons,
        challenger=challenger,
        metrics=metrics,
        evaluation=tables,
        scored=scored,
        data_fingerprint=data_fingerprint(table.frame),
        decisions=decisions,
        strategy=strategy,
        rejects=rejects,
    )
    if run_dir is not None:
        with steps.step("save") as step:
            card.save(run_dir)
            step.detail = str(card.run_dir)
    return card


def _C_decision(card_model: Scorecard) -> str:
    """How the card's C was picked: the rule, the folds, every grid value's mean AUC (and its standard error
    against the best under the one-standard-error rule)."""
    folds = card_model.cv_folds_auc_
    rule = card_model.C_rule
    se = card_model.cv_se_.to_dict()
    scores = ", ".join(
        f"{c:g}: {auc:.4f}" + (f" (se {se[c]:.4f})" if rule == "one_se" else "")
        for c, auc in card_model.cv_auc_.items()
    )
    how = (
        "the strongest penalty within one standard error of the best mean"
        if rule == "one_se"
        else "the best mean"
    )
    return (
        f"model C={card_model.C_:g} chosen by cross-validated AUC, {how} "
        f"({card_model.cv_repeats} x {len(folds) // card_model.cv_repeats} folds; {scores})"
    )


def _grade_concentration(config: CardConfig, master_scale: MasterScale, train_pd: np.ndarray) -> list[str]:
    """A warning for each grade holding more than ``calibration.max_grade_share`` of the development rows."""
    limit = config.calibration.max_grade_share
    why = (
        "the configured calibration.master_scale does not fit this portfolio; set it to null to fit grades"
        if config.calibration.master_scale is not None
        else "many rows share one score; more features or bins would separate them"
    )
    warnings = [
        f"warning: grade {grade} holds {share:.1%} of development rows (over {limit:.0%}); {why}"
        for grade, share in master_scale.shares(train_pd).items()
        if share > limit
    ]
    for warning in warnings:
        log.warning(warning)
    return warnings


def _why_empty(config: CardConfig, split: str) -> str:
    """Why a modeling split has no rows, in the config's words."""
    if split == "oot" and config.split.oot_start is None:
        dated = config.data.flat_table is None or config.data.flat_table.date_column is not None
        return "split.oot_start is not set" + ("" if dated else " (and data.flat_table has no date_column)")
    return f"no modeling row fell in it (split.oot_start {config.split.oot_start}, test_size {config.split.test_size})"


def _with_rejects(
    config: CardConfig,
    table: ModelingTable,
    features: list[str],
    accepts_model: Scorecard,
    X: pd.DataFrame,
    y: np.ndarray,
) -> tuple[Scorecard, InferredRejects]:
    """The card refitted on accepts + inferred development-window rejects (the accepts-only card for
    ``none``), and what the inference did."""
    settings = config.reject_inference
    index = development_rejects(table.frame)
    rejects_X = table.frame.loc[index, features]
    accepts_score = accepts_model.predict_score(X)
    calibrator = Calibrator.from_config(config.calibration).fit(accepts_score, y)
    rejects_score = accepts_model.predict_score(rejects_X)
    rejects_pd = calibrator.predict_pd(rejects_score)
    accepts_pd = calibrator.predict_pd(accepts_score)
    if settings.method == "none":
        summary = through_the_door(y, rejects_pd, (accepts_pd, accepts_pd), (rejects_pd, rejects_pd))
        summary.loc[summary["population"] != "accepts", "bad_rate"] = np.nan  # nothing inferred
        return accepts_model, InferredRejects("none", index, np.zeros(0), summary)
    decline = config.policy.cutoffs.decline if config.policy.cutoffs is not None else None
    inferred = infer(settings, accepts_score, y, rejects_score, rejects_pd, config.split.seed, decline)
    X_all, y_all = pd.concat([X, rejects_X]), np.concatenate([y, inferred])
    final = Scorecard.from_config(config, categorical_features=table.categorical).fit(X_all, y_all)
    final_calibrator = Calibrator.from_config(config.calibration).fit(final.predict_score(X_all), y_all)
    summary = through_the_door(
        y,
        inferred,
        (accepts_pd, final_calibrator.predict_pd(final.predict_score(X))),
        (rejects_pd, final_calibrator.predict_pd(final.predict_score(rejects_X))),
    )
    return final, InferredRejects(settings.method, index, inferred, summary)


def load_table(config: CardConfig) -> ModelingTable:
    """The card's modeling table from its flat table or its canonical sources."""
    if config.data.flat_table is not None:
        from scorecard.features.flat import load_flat_table

        return load_flat_table(config)
    from scorecard.features.build import build_card_table

    return build_card_table(config)


def data_fingerprint(frame: pd.DataFrame) -> str:
    """sha256 over the frame's column names, dtypes and row hashes: same data, same fingerprint."""
    digest = hashlib.sha256()
    digest.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _reason_coder(config: CardConfig, candidates: list[str], final: list[str]) -> ReasonCoder:
    """The configured reason coder; ``not_for_reasons`` may name candidates that selection dropped, not typos."""
    unknown = sorted(set(config.reasons.not_for_reasons) - set(candidates))
    if unknown:
        raise ConfigError(f"{config.name}: reasons.not_for_reasons names features the table lacks: {unknown}")
    return ReasonCoder(
        top_k=config.reasons.top_k,
        reference=config.reasons.reference,
        catalogue=config.reasons.catalogue,
        not_for_reasons=tuple(f for f in config.reasons.not_for_reasons if f in final),
    )


def _modeling_rows(table: ModelingTable) -> tuple[pd.DataFrame, list[str]]:
    """Rows with split train/test/oot, checked: features present, a binary target, training rows there."""
    frame = table.frame
    missing = [c for c in [*table.features, "target", "split"] if c not in frame.columns]
    if missing:
        raise DataError(f"modeling table ({table.card}): columns {missing} are missing")
    if not table.features:
        raise DataError(f"modeling table ({table.card}): no feature columns")
    rows = frame[frame["split"].isin(MODEL_SPLITS)]
    counts = rows["split"].value_counts()
    if counts.get("train", 0) == 0:
        raise DataError(
            f"modeling table ({table.card}): no rows with split 'train' (found {counts.to_dict()})"
        )
    binary_target(rows["target"], name=f"modeling table ({table.card}) column 'target'")
    return rows, list(table.features)


def _score_splits(
    frame: pd.DataFrame,
    features: list[str],
    card_model: Scorecard,
    calibrator: Calibrator,
    master_scale: MasterScale,
    challenger: Challenger | None,
) -> pd.DataFrame:
    """Per row of every modeling split: target and each model's score (higher = safer), pd and grade.

    The challenger's PD is put on the card's points scale (offset + factor * ln odds good:bad) for gains tables.
    """
    X = frame[features]
    score = card_model.predict_score(X)
    pd_card = calibrator.predict_pd(score)
    scored = pd.DataFrame(
        {
            "split": frame["split"].to_numpy(),
            "target": frame["target"].to_numpy(dtype=float),
            "scorecard_score": score,
            "scorecard_pd": pd_card,
            "scorecard_grade": master_scale.grade(pd_card),
        },
        index=frame.index,
    )
    if challenger is not None:
        pd_challenger = challenger.predict_proba(X)[:, 1]
        odds = (1 - pd_challenger) / pd_challenger
        scaling = card_model.scaling_
        scored["challenger_score"] = scaling.offset + scaling.factor * np.log(np.clip(odds, 1e-12, 1e12))
        scored["challenger_pd"] = pd_challenger
        scored["challenger_grade"] = master_scale.grade(pd_challenger)
    return scored


def _challenger_importance(challenger: Challenger, frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Per feature: total split gain and mean |SHAP| (log-odds) over up to 5,000 evaluation rows (test, else oot)."""
    rows = frame[frame["split"] == "test"]
    rows = rows if len(rows) else frame[frame["split"] == "oot"]
    rows = rows if len(rows) else frame
    shap = challenger.shap_values(rows[features].iloc[:SHAP_ROWS]).drop(columns="base_value")
    table = pd.DataFrame({"gain": challenger.feature_importance(), "mean_abs_shap": shap.abs().mean()})
    return (
        table.rename_axis("feature")
        .reset_index()
        .sort_values("mean_abs_shap", ascending=False, kind="stable")
    )
