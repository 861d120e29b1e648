"""One monitoring run: score both samples with the bundle, measure stability, drift, health and (once outcomes
have matured) performance, then turn the numbers into findings and an ok / warn / alert status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from scorecard.bundle import format as fmt
from scorecard.bundle.runtime import Bundle, load_bundle
from scorecard.config import CardConfig, MonitoringConfig
from scorecard.errors import DataError
from scorecard.modeling.evaluation import score_band_edges
from scorecard.monitoring import backtest, stability
from scorecard.monitoring.drift import DriftResult, data_drift
from scorecard.monitoring.health import feature_health

Status = Literal["ok", "warn", "alert"]
EXIT_CODES: dict[str, int] = {"ok": 0, "warn": 10, "alert": 20}
"""Process exit code per status; 1 is an error (bad input, missing file), 2 a command-line usage error."""
_RANK = {"ok": 0, "warn": 1, "alert": 2}


@dataclass(frozen=True)
class Finding:
    """One threshold crossed: which check, on what, the value measured and the limit it crossed."""

    level: Literal["warn", "alert"]
    check: str
    subject: str
    value: float
    limit: float
    message: str


@dataclass
class MonitoringResult:
    """Everything one monitoring run measured, its findings and status; ``paths`` holds the files written."""

    status: Status
    findings: list[Finding]
    context: dict[str, Any]
    score_stability: pd.DataFrame
    feature_stability: pd.DataFrame
    health: pd.DataFrame
    drift: DriftResult | None
    performance: pd.DataFrame | None = None
    calibration: pd.DataFrame | None = None
    relationships: pd.DataFrame | None = None
    relationship_bins: pd.DataFrame | None = None
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 ok, 10 warn, 20 alert."""
        return EXIT_CODES[self.status]


def _level(value: float, warn: float, alert: float) -> Literal["warn", "alert"] | None:
    if not np.isfinite(value) or value < warn:
        return None
    return "alert" if value >= alert else "warn"


def _threshold_findings(
    table: pd.DataFrame, check: str, column: str, warn: float, alert: float, describe: str
) -> list[Finding]:
    """Findings for every row of ``table`` (with a ``subject`` column) whose ``column`` crosses a threshold."""
    out = []
    for subject, value in zip(table["subject"], table[column], strict=True):
        level = _level(float(value), warn, alert)
        if level is not None:
            limit = alert if level == "alert" else warn
            out.append(
                Finding(level, check, subject, float(value), limit, f"{describe} {value:.3f} >= {limit:g}")
            )
    return out


def _stability_subjects(summary: pd.DataFrame, cfg: MonitoringConfig) -> pd.DataFrame:
    """Rows that may raise findings: the whole batch, and cohorts with at least ``min_cohort_rows`` rows."""
    keep = summary[(summary["cohort"] == stability.ALL) | (summary["n"] >= cfg.min_cohort_rows)].copy()
    keep["subject"] = np.where(
        keep["cohort"] == stability.ALL, keep["variable"], keep["variable"] + " @ " + keep["cohort"]
    )
    return keep


def assess(result: MonitoringResult, cfg: MonitoringConfig) -> list[Finding]:
    """Turn measured numbers into findings against the configured thresholds, worst first."""
    findings: list[Finding] = []
    score = _stability_subjects(stability.stability_summary(result.score_stability), cfg)
    findings += _threshold_findings(score, "score_psi", "psi", cfg.psi_warn, cfg.psi_alert, "score PSI")
    csi = _stability_subjects(stability.stability_summary(result.feature_stability), cfg)
    findings += _threshold_findings(csi, "csi", "psi", cfg.csi_warn, cfg.csi_alert, "CSI")
    errors = result.context.get("scoring_errors", 0)
    if errors:
        share = errors / result.context["current_rows"]
        findings.append(
            Finding(
                _level(share, 0.0, cfg.health_alert) or "warn",
                "scoring",
                "current batch",
                share,
                0.0,
                f"{errors:,} rows could not be scored (bad input values); see the bundle's status column",
            )
        )
    health = result.health.assign(subject=result.health["feature"])
    findings += _threshold_findings(
        health,
        "health",
        "worst_increase",
        cfg.health_warn,
        cfg.health_alert,
        "missing/special/unseen/range share up",
    )
    if result.drift is not None and len(result.drift.table):
        share = float(result.drift.table["drifted"].mean())
        if share >= cfg.drift_share_warn:
            findings.append(
                Finding(
                    "warn",
                    "data_drift",
                    "raw inputs",
                    share,
                    cfg.drift_share_warn,
                    f"Evidently flags {share:.0%} of raw inputs as drifted",
                )
            )
    if result.performance is not None:
        measured = result.performance
        perf = measured[
            ((measured["cohort"] == stability.ALL) | (measured["n"] >= cfg.min_cohort_rows))
            & (measured["bads"] >= cfg.min_cohort_bads)
            & (measured["p_drop"] < cfg.alpha)
        ]
        perf = perf.assign(subject="gini @ " + perf["cohort"].astype(str))
        findings += _threshold_findings(
            perf,
            "gini_drop",
            "gini_drop",
            cfg.gini_drop_warn,
            cfg.gini_drop_alert,
            "Gini drop vs development (significant)",
        )
    if result.relationships is not None:
        rel = result.relationships[result.relationships["p_value"] < cfg.alpha]
        findings += _threshold_findings(
            rel.assign(subject=rel["feature"], loss=1 - rel["strength"]),
            "relationship",
            "loss",
            cfg.strength_loss_warn,
            cfg.strength_loss_alert,
            "share of development strength lost (bad rate by bin against development WOE)",
        )
    if result.calibration is not None:
        cal = result.calibration[
            (result.calibration["count"] > 0) & (result.calibration["p_value"] < cfg.alpha)
        ]
        findings += [
            Finding(
                "warn",
                "calibration",
                f"grade {grade}",
                observed,
                predicted,
                f"observed bad rate {observed:.2%} vs predicted PD {predicted:.2%} (binomial p = {p:.1e})",
            )
            for grade, observed, predicted, p in zip(
                cal["grade"],
                cal["observed_bad_rate"].astype(float),
                cal["predicted_pd"].astype(float),
                cal["p_value"].astype(float),
                strict=True,
            )
        ]
    return sorted(findings, key=lambda f: -_RANK[f.level])


def _status(findings: list[Finding]) -> Status:
    return max((f.level for f in findings), key=_RANK.__getitem__, default="ok")


@dataclass(frozen=True)
class MonitoredCard:
    """What monitoring needs of a card: its bins (scorecard.json features), its grades, and how to score rows."""

    features: list[dict[str, Any]]
    grades: list[str]
    score: Callable[[pd.DataFrame], dict[str, np.ndarray]]
    model: str = ""
    version: str | None = None

    @property
    def names(self) -> list[str]:
        return [f["name"] for f in self.features]

    @classmethod
    def from_bundle(cls, bundle: Bundle | Path | str) -> MonitoredCard:
        """The card in a serving bundle (a loaded ``Bundle`` or its path): scored by the bundle's runtime."""
        loaded = bundle if isinstance(bundle, Bundle) else load_bundle(bundle)
        docs = loaded.documents
        manifest = loaded.manifest
        return cls(
            features=list(docs[fmt.SCORECARD]["features"]),
            grades=[b["grade"] for b in docs[fmt.CALIBRATION]["master_scale"]["bands"]],
            score=lambda frame: _score_with(loaded, frame),
            model=str(manifest.get("card", {}).get("name", "")),
            version=None if manifest.get("model_version") is None else str(manifest["model_version"]),
        )


def _score_with(bundle: Bundle, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Score with the bundle; fields only the policy reads may be absent (they never change the score)."""
    absent = np.full(len(frame), None, dtype=object)
    return bundle.score_batch(
        {name: frame[name].to_numpy() if name in frame else absent for name in bundle.fields}
    )


def _errors(scored: dict[str, np.ndarray]) -> int:
    """Rows the runtime could not score (a bad value in an input); they show as score 0."""
    status = scored.get("status")
    return 0 if status is None else int((np.asarray(status) != "ok").sum())


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what}: missing column(s) {missing}; expected the card's inputs and the date column"
        )


def _window(card: CardConfig) -> pd.DateOffset:
    """The performance window after which an outcome counts as matured."""
    if card.card == "collection":
        return pd.DateOffset(days=card.target.cure_days)
    return pd.DateOffset(months=card.target.performance_months)


def _stability(
    card: MonitoredCard,
    cfg: MonitoringConfig,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    ref_score: np.ndarray,
    cur_score: np.ndarray,
    cohorts: np.ndarray,
    cohort_names: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Score PSI and CSI per feature (per bin, whole batch and per cohort), and each feature's bin codes."""
    edges = score_band_edges(ref_score, cfg.n_score_bands)
    score_table = stability.stability_table(
        "score",
        stability.band_labels(edges),
        stability.band_codes(ref_score, edges),
        stability.band_codes(cur_score, edges),
        cohorts,
        cohort_names,
    )
    codes = {
        f["name"]: (
            stability.feature_bin_codes(f, reference[f["name"]]),
            stability.feature_bin_codes(f, current[f["name"]]),
        )
        for f in card.features
    }
    feature_table = pd.concat(
        [
            stability.stability_table(
                f["name"], stability.feature_bin_labels(f), *codes[f["name"]], cohorts, cohort_names
            )
            for f in card.features
        ],
        ignore_index=True,
    )
    return score_table, feature_table, codes


def monitor(
    card_config: CardConfig,
    current: pd.DataFrame,
    reference: pd.DataFrame,
    bundle: Any,
    out_dir: Path | str | None = None,
    as_of: Any = None,
    drift: bool = True,
) -> MonitoringResult:
    """Monitor a current batch against the reference (development) sample for the card in ``bundle``.

    ``bundle`` is a bundle path, a loaded ``Bundle`` or a ``MonitoredCard``. Outcomes count once the card's
    performance window has elapsed by ``as_of`` (default: every row with a target). With ``out_dir`` the
    HTML report, JSON summary and Evidently report are written there.
    """
    from scorecard.monitoring.report import write_outputs

    cfg = card_config.monitoring
    card = bundle if isinstance(bundle, MonitoredCard) else MonitoredCard.from_bundle(bundle)
    _require(current, [*card.names, cfg.date_column], "current batch")
    _require(reference, card.names, "reference sample")
    if current.empty or reference.empty:
        raise DataError(
            f"monitoring needs rows on both sides; got {len(current)} current, {len(reference)} reference"
        )
    ref_scored, cur_scored = card.score(reference), card.score(current)
    cohorts, cohort_names = stability.cohort_codes(current[cfg.date_column], cfg.cohort)
    score_table, feature_table, codes = _stability(
        card, cfg, reference, current, ref_scored["score"], cur_scored["score"], cohorts, cohort_names
    )
    categorical = [f["name"] for f in card.features if f["kind"] == "categorical"]
    numerical = [n for n in card.names if n not in categorical]
    result = MonitoringResult(
        status="ok",
        findings=[],
        context={
            "card": card_config.name,
            "card_type": card_config.card,
            "model": card.model,
            "version": card.version,
            "reference_rows": len(reference),
            "current_rows": len(current),
            "cohorts": cohort_names,
            "cohort": cfg.cohort,
            "as_of": None if as_of is None else str(pd.Timestamp(as_of).date()),
            "thresholds": cfg.model_dump(),
            "scoring_errors": _errors(cur_scored),
        },
        score_stability=score_table,
        feature_stability=feature_table,
        health=feature_health(card.features, codes, reference, current),
        drift=data_drift(reference, current, numerical, categorical, cfg.drift_sample_size)
        if drift
        else None,
    )
    if cfg.target_column in current.columns and cfg.target_column in reference.columns:
        _backtest(
            result,
            card,
            card_config,
            current,
            reference,
            ref_scored,
            cur_scored,
            cohorts,
            cohort_names,
            codes,
            as_of,
        )
    result.findings = assess(result, cfg)
    result.status = _status(result.findings)
    if out_dir is not None:
        result.paths = write_outputs(result, Path(out_dir))
    return result


def _backtest(
    result: MonitoringResult,
    card: MonitoredCard,
    card_config: CardConfig,
    current: pd.DataFrame,
    reference: pd.DataFrame,
    ref_scored: dict[str, np.ndarray],
    cur_scored: dict[str, np.ndarray],
    cohorts: np.ndarray,
    cohort_names: list[str],
    codes: dict[str, tuple[np.ndarray, np.ndarray]],
    as_of: Any,
) -> None:
    """Performance, calibration and relationship shift on the matured current rows, against development."""
    cfg = card_config.monitoring
    cur_ok = backtest.matured(
        current[cfg.date_column], current[cfg.target_column], as_of, _window(card_config)
    )
    ref_ok = backtest.matured(reference.get(cfg.date_column), reference[cfg.target_column])
    result.context["matured_rows"] = int(cur_ok.sum())
    if not cur_ok.any() or not ref_ok.any():
        return
    y_cur = current[cfg.target_column].to_numpy(dtype=float)[cur_ok]
    y_ref = reference[cfg.target_column].to_numpy(dtype=float)[ref_ok]
    dev_gini = backtest.ranking(y_ref, ref_scored["score"][ref_ok])["gini"]
    result.performance = backtest.ranking_by_cohort(
        y_cur, cur_scored["score"][cur_ok], cohorts[cur_ok], cohort_names, dev_gini
    )
    result.calibration = backtest.calibration_by_grade(
        np.asarray(cur_scored["grade"])[cur_ok],
        cur_scored["pd"][cur_ok],
        y_cur,
        card.grades,
        np.asarray(ref_scored["grade"])[ref_ok],
        y_ref,
    )
    shifts = [
        backtest.relationship_shift(
            f["name"],
            stability.feature_bin_labels(f),
            codes[f["name"]][0][ref_ok],
            y_ref,
            codes[f["name"]][1][cur_ok],
            y_cur,
        )
        for f in card.features
    ]
    result.relationships = pd.DataFrame([s for s, _ in shifts]).sort_values("p_value")
    result.relationship_bins = pd.concat([b for _, b in shifts], ignore_index=True)
