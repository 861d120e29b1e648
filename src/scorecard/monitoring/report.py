"""The outputs of a monitoring run: an HTML report a risk committee reads (plots embedded as PNG), a JSON
summary a scheduler reads, per-bin CSV tables, and Evidently's own drift report. The page frame (style,
tables, embedded images) is the documentation pack's (``scorecard.reports.frame``)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scorecard.jsonable import jsonable
from scorecard.modeling.plot_style import styled
from scorecard.modeling.plots import log_floor, mark_no_bads
from scorecard.monitoring.stability import ALL, stability_summary
from scorecard.reports.frame import CSS
from scorecard.reports.frame import image as _img
from scorecard.reports.frame import table as _table

if TYPE_CHECKING:
    from scorecard.monitoring.run import MonitoringResult

HTML_FILE = "monitoring_report.html"
JSON_FILE = "monitoring_summary.json"
COLOURS = {"ok": "#1a7f37", "warn": "#b35900", "alert": "#c62828"}
TOP_FEATURES = 6


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN -> None, numpy scalars -> Python)."""
    if frame is None:
        return []
    rows = frame.to_dict(orient="records")
    return [{str(k): jsonable(v) for k, v in r.items()} for r in rows]


def _psi_by_cohort(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    summary = stability_summary(table)
    return {
        str(v): dict(zip(g["cohort"], g["psi"].astype(float), strict=True))
        for v, g in summary.groupby("variable", sort=False)
    }


def summary_json(result: MonitoringResult) -> dict[str, Any]:
    """The machine-readable summary: status, exit code, findings and every headline number."""
    drift = result.drift
    return jsonable(
        {
            "status": result.status,
            "exit_code": result.exit_code,
            "context": result.context,
            "findings": [f.__dict__ for f in result.findings],
            "score_psi": _psi_by_cohort(result.score_stability)["score"],
            "csi": _psi_by_cohort(result.feature_stability),
            "performance": _records(result.performance),
            "calibration": _records(result.calibration),
            "relationships": _records(result.relationships),
            "health": _records(result.health),
            "data_drift": None
            if drift is None
            else {
                "drifted_share": float(drift.table["drifted"].mean()) if len(drift.table) else 0.0,
                "reference_rows_sampled": drift.reference_rows,
                "current_rows_sampled": drift.current_rows,
                "features": _records(drift.table),
            },
            "files": {k: p.name for k, p in result.paths.items()},
        }
    )


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _thresholds(ax: Any, warn: float, alert: float) -> None:
    ax.axhline(warn, color=COLOURS["warn"], linestyle="--", linewidth=1, label=f"warn {warn:g}")
    ax.axhline(alert, color=COLOURS["alert"], linestyle="--", linewidth=1, label=f"alert {alert:g}")


@styled
def psi_trend_plot(result: MonitoringResult) -> Figure:
    """Score PSI and the largest features' CSI by cohort, against the thresholds."""
    cfg = result.context["thresholds"]
    score = stability_summary(result.score_stability)
    csi = stability_summary(result.feature_stability)
    cohorts = score.loc[score["cohort"] != ALL, "cohort"].tolist()
    top = csi[csi["cohort"] == ALL].nlargest(TOP_FEATURES, "psi")["variable"].tolist()
    fig = Figure(figsize=(9, 4), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(cohorts))
    ax.plot(
        x,
        score.set_index("cohort").loc[cohorts, "psi"],
        marker="o",
        linewidth=2.5,
        color="black",
        label="score",
    )
    for name in top:
        values = (
            csi[(csi["variable"] == name) & (csi["cohort"] != ALL)]
            .set_index("cohort")
            .reindex(cohorts)["psi"]
        )
        ax.plot(x, values, marker=".", linewidth=1, label=name)
    _thresholds(ax, cfg["psi_warn"], cfg["psi_alert"])
    ax.set_xticks(x, cohorts, rotation=45, ha="right")
    ax.set_ylabel("PSI vs reference")
    ax.set_title("Score PSI and largest feature CSI by cohort")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


@styled
def _score_distribution_plot(result: MonitoringResult) -> Figure:
    """Share of reference and current rows per reference score band."""
    t = result.score_stability[result.score_stability["cohort"] == ALL]
    x = np.arange(len(t))
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax = fig.subplots()
    ax.bar(x - 0.2, t["expected_pct"], width=0.4, label="reference", color="#7a8fa6")
    ax.bar(x + 0.2, t["actual_pct"], width=0.4, label="current", color="#2b6cb0")
    ax.set_xticks(x, t["bin"], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("share of rows")
    ax.set_title("Score distribution by reference score band")
    ax.legend()
    return fig


@styled
def _grade_plot(calibration: pd.DataFrame) -> Figure:
    """Observed bad rate per grade (current and development) against the predicted PD."""
    x = np.arange(len(calibration))
    observed = calibration["observed_bad_rate"].to_numpy(dtype=float)
    dev = calibration.get("dev_bad_rate")
    floor = log_floor(
        observed, calibration["predicted_pd"].to_numpy(), *([] if dev is None else [dev.to_numpy()])
    )
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax = fig.subplots()
    some = observed > 0
    ax.bar(x[some], observed[some], width=0.5, color="#2b6cb0", label="current observed")
    ax.plot(x, calibration["predicted_pd"], "D", color="black", label="predicted PD")
    if dev is not None:
        ax.plot(x, dev, "o", color="#b35900", label="development observed")
    mark_no_bads(ax, x, calibration["count"].to_numpy(), observed, floor)
    ax.set_xticks(x, calibration["grade"])
    ax.set_ylabel("bad rate")
    ax.set_title("Bad rate by grade: current vs predicted PD vs development")
    ax.legend(fontsize=8)
    return fig


@styled
def _gini_plot(performance: pd.DataFrame, cfg: dict[str, Any]) -> Figure:
    """Gini per cohort against the development Gini and the drop limits."""
    t = performance[performance["cohort"] != ALL]
    dev = float(performance["gini_dev"].iloc[0])
    x = np.arange(len(t))
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax = fig.subplots()
    ax.plot(x, t["gini"], marker="o", color="#2b6cb0", label="current cohort")
    ax.axhline(dev, color="black", linewidth=1, label=f"development {dev:.3f}")
    ax.axhline(dev - cfg["gini_drop_warn"], color=COLOURS["warn"], linestyle="--", linewidth=1, label="warn")
    ax.axhline(
        dev - cfg["gini_drop_alert"], color=COLOURS["alert"], linestyle="--", linewidth=1, label="alert"
    )
    ax.set_xticks(x, t["cohort"], rotation=45, ha="right")
    ax.set_ylabel("Gini")
    ax.set_title("Gini by cohort (matured outcomes)")
    ax.legend(fontsize=8)
    return fig


@styled
def _relationship_plot(bins: pd.DataFrame, feature: str) -> Figure:
    """One feature's bad rate per bin, development against current."""
    t = bins[(bins["feature"] == feature) & (bins["cur_n"] > 0)]
    x = np.arange(len(t))
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.plot(x, t["dev_bad_rate"], marker="o", color="#b35900", label="development")
    ax.plot(x, t["cur_bad_rate"], marker="o", color="#2b6cb0", label="current observed")
    ax.plot(x, t["expected_bad_rate"], linestyle=":", color="black", label="current if relationship held")
    ax.set_xticks(x, t["bin"], rotation=30, ha="right", fontsize=7)
    ax.set_ylabel("bad rate")
    ax.set_title(f"{feature}: bad rate by bin")
    ax.legend(fontsize=8)
    return fig


def _headlines(result: MonitoringResult) -> str:
    """The few numbers a committee member reads first, as a list."""
    score = stability_summary(result.score_stability)
    csi = stability_summary(result.feature_stability)
    csi = csi[csi["cohort"] == ALL].sort_values("psi", ascending=False)
    levels = [f.level for f in result.findings]
    cfg = result.context["thresholds"]
    lines = [
        f"{levels.count('alert')} alert(s) and {levels.count('warn')} warning(s).",
        f"Score PSI over the whole batch {score.loc[score['cohort'] == ALL, 'psi'].iloc[0]:.3f}; "
        f"worst cohort {score['psi'].max():.3f}.",
        f"Least stable feature: {csi['variable'].iloc[0]} (CSI {csi['psi'].iloc[0]:.3f})."
        if len(csi)
        else "",
    ]
    if result.performance is not None:
        overall = result.performance[result.performance["cohort"] == ALL].iloc[0]
        lines.append(
            f"Gini on {int(overall['n']):,} matured rows {overall['gini']:.3f} against {overall['gini_dev']:.3f} "
            f"in development (drop {overall['gini_drop']:+.3f}, standard error {overall['gini_se']:.3f})."
        )
    if result.relationships is not None:
        flagged = [f for f in result.findings if f.check == "relationship"]
        rel = result.relationships.set_index("feature")
        lines += [
            f"Relationship changed: {f.subject} separates risk at {rel.loc[f.subject, 'strength']:.0%} of its "
            f"development strength (p = {rel.loc[f.subject, 'p_value']:.1e})."
            for f in flagged
        ] or [f"No feature lost a significant share of its development strength (p < {cfg['alpha']})."]
    return "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines if line) + "</ul>"


def render_html(result: MonitoringResult) -> str:
    """The report a model owner forwards to the risk committee."""
    ctx = result.context
    cfg = ctx["thresholds"]
    colour = COLOURS[result.status]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Monitoring {html.escape(str(ctx['card']))}</title><style>{CSS}</style></head><body>",
        f"<h1>Monitoring report: {html.escape(str(ctx['card']))}</h1>",
        f"<p><span class='badge' style='background:{colour}'>{result.status}</span> "
        f"&nbsp;exit code {result.exit_code}</p>",
    ]
    facts = pd.DataFrame(
        [
            ("card type", ctx["card_type"]),
            ("model", f"{ctx.get('model') or '-'} version {ctx.get('version') or '-'}"),
            ("reference rows", f"{ctx['reference_rows']:,}"),
            ("current rows", f"{ctx['current_rows']:,}"),
            (
                "cohorts",
                f"{ctx['cohorts'][0]} to {ctx['cohorts'][-1]} ({len(ctx['cohorts'])}, by {ctx['cohort']})",
            ),
            ("matured rows (outcomes known)", f"{ctx.get('matured_rows', 0):,}"),
            ("as of", ctx.get("as_of") or "every row with a target"),
        ],
        columns=["", "value"],
    )
    parts += ["<h2>Summary</h2>", _headlines(result), "<h2>Run</h2>", _table(facts)]
    parts.append("<h2>Findings</h2>")
    if result.findings:
        findings = pd.DataFrame([f.__dict__ for f in result.findings])
        parts.append(_table(findings[["level", "check", "subject", "value", "limit", "message"]], 3))
    else:
        parts.append("<p>No threshold crossed.</p>")
    parts.append(
        f"<p class='note'>Thresholds: PSI warn {cfg['psi_warn']} / alert {cfg['psi_alert']}; CSI {cfg['csi_warn']} / "
        f"{cfg['csi_alert']}; Gini drop {cfg['gini_drop_warn']} / {cfg['gini_drop_alert']}; strength lost "
        f"{cfg['strength_loss_warn']} / {cfg['strength_loss_alert']} (p &lt; {cfg['alpha']}); feature health "
        f"{cfg['health_warn']} / {cfg['health_alert']}. Cohorts under {cfg['min_cohort_rows']} rows are shown, "
        "never alert.</p>"
    )
    score = stability_summary(result.score_stability)
    parts += [
        "<h2>Population stability</h2>",
        _img(_png(psi_trend_plot(result)), "PSI over time"),
        _img(_png(_score_distribution_plot(result)), "score distribution"),
        "<h3>Score PSI by cohort</h3>",
        _table(score[["cohort", "n", "psi"]]),
    ]
    csi = stability_summary(result.feature_stability)
    wide = csi.pivot(index="variable", columns="cohort", values="psi")
    wide = wide[[ALL, *[c for c in wide.columns if c != ALL]]].sort_values(ALL, ascending=False)
    parts += [
        "<h3>CSI per feature (card bins), whole batch and by cohort</h3>",
        _table(wide.reset_index(), 3),
    ]
    top = wide.index[: min(3, len(wide))]
    bins = result.feature_stability[
        (result.feature_stability["cohort"] == ALL) & result.feature_stability["variable"].isin(top)
    ]
    parts += ["<h3>Bin contributions of the least stable features</h3>", _table(bins.drop(columns="cohort"))]
    if result.performance is not None:
        parts += [
            "<h2>Backtest (matured outcomes)</h2>",
            _img(_png(_gini_plot(result.performance, cfg)), "Gini over cohorts"),
            _table(result.performance),
        ]
    if result.calibration is not None:
        parts += [
            "<h3>Calibration by grade (two-sided binomial test of observed bads against predicted PD)</h3>",
            _img(_png(_grade_plot(result.calibration)), "bad rate by grade"),
            _table(result.calibration),
        ]
    if result.relationships is not None and result.relationship_bins is not None:
        parts += [
            "<h3>Relationship shift per feature (bad rate by bin against development, level-adjusted)</h3>",
            _table(result.relationships),
        ]
        flagged = [f.subject for f in result.findings if f.check == "relationship"][:3]
        parts += [_img(_png(_relationship_plot(result.relationship_bins, name)), name) for name in flagged]
    parts += ["<h2>Feature health</h2>", _table(result.health)]
    if result.drift is not None:
        parts += [
            "<h2>Data drift (Evidently)</h2>",
            f"<p class='note'>Samples of {result.drift.reference_rows:,} reference and "
            f"{result.drift.current_rows:,} current rows; full report in evidently_drift.html.</p>",
            _table(result.drift.table),
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_outputs(result: MonitoringResult, out_dir: Path) -> dict[str, Path]:
    """Write the HTML report, the JSON summary, CSV tables and Evidently's report; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    tables = {
        "score_stability": result.score_stability,
        "feature_stability": result.feature_stability,
        "health": result.health,
        "performance": result.performance,
        "calibration": result.calibration,
        "relationships": result.relationships,
        "relationship_bins": result.relationship_bins,
    }
    for name, frame in tables.items():
        if frame is not None:
            paths[name] = out_dir / f"{name}.csv"
            frame.to_csv(paths[name], index=False)
    if result.drift is not None:
        paths.update({f"evidently_{k}": p for k, p in result.drift.save(out_dir).items()})
    paths["html"] = out_dir / HTML_FILE
    paths["json"] = out_dir / JSON_FILE
    result.paths = paths
    paths["html"].write_text(render_html(result), encoding="utf-8")
    paths["json"].write_text(json.dumps(summary_json(result), indent=2) + "\n", encoding="utf-8")
    return paths
