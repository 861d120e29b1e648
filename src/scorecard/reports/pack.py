"""The model documentation pack: one self-contained HTML document (optionally PDF) from a run's recorded outputs.

``build_pack(run_dir, registry)`` reads only what training wrote to the run folder (``run.json``,
``config.yaml``, the CSV tables, ``metrics.json`` and the PNG plots) and, for a registered version, what the
registry recorded (gate outcomes, swap set, champion history); it never recomputes a number. A table the run
does not hold is named as not recorded. ``SECTIONS`` are the headings, in order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from scorecard.errors import ScorecardError
from scorecard.reports.frame import image, items, page, paragraph, table

PACK_FILE = "model_documentation.html"
SECTIONS = (
    "Purpose and scope",
    "Data sources and exclusions",
    "Sample windows and target definition",
    "Reject inference",
    "Binning of every feature",
    "Feature selection",
    "Coefficients and points",
    "Performance by split",
    "Calibration and master scale",
    "Stability from development to out-of-time",
    "Challenger comparison",
    "Strategy tables",
    "Gate outcomes and registry history",
    "Limitations and monitoring plan",
    "Sign-off",
)
SIGNERS = ("Model developer", "Model owner", "Independent validator", "Model risk committee")
STRATEGY_TITLES = {
    "cutoffs": "Cut-off table (approve at or above the cut-off; evaluation sample)",
    "knockouts": "Knock-out rates by rule (the first rule that fires decides)",
    "treatments": "Population share and event rate by treatment",
    "limit_distribution": "Distribution of granted credit limits",
    "limit_by_grade": "Credit limits and expected loss by grade",
}
CSI_WATCH = 0.10


@dataclass
class RegistryRecord:
    """What the registry holds about the version the pack documents."""

    name: str
    version: str
    aliases: list[str] = field(default_factory=list)
    gates: list[dict[str, Any]] = field(default_factory=list)
    swap_set: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)


class RunRecord:
    """A run folder's recorded outputs, read on demand; ``None`` for a table the run does not hold."""

    def __init__(self, run_dir: Path | str) -> None:
        self.dir = Path(run_dir)
        if not (self.dir / "run.json").is_file():
            raise ScorecardError(f"{self.dir}: not a training run folder (run.json is missing)")
        self.run = json.loads((self.dir / "run.json").read_text())
        config = self.dir / "config.yaml"
        self.config: dict[str, Any] = yaml.safe_load(config.read_text()) if config.is_file() else {}
        self.metrics: dict[str, Any] = json.loads((self.dir / "metrics.json").read_text())

    def csv(self, name: str) -> pd.DataFrame | None:
        path = self.dir / f"{name}.csv"
        return pd.read_csv(path, keep_default_na=True) if path.is_file() else None

    def plot(self, name: str) -> Path | None:
        path = self.dir / "plots" / f"{name}.png"
        return path if path.is_file() else None


def _or_missing(frame: pd.DataFrame | None, what: str, digits: int = 4) -> str:
    return (
        table(frame, digits)
        if frame is not None
        else paragraph(f"Not recorded by this run: {what}.", note=True)
    )


def _pairs(rows: Sequence[tuple[str, Any]]) -> str:
    return table(pd.DataFrame([(k, "" if v is None else str(v)) for k, v in rows], columns=["item", "value"]))


def _purpose(r: RunRecord, reg: RegistryRecord | None) -> list[str]:
    cfg = r.config
    return [
        paragraph(
            f"This document describes the {r.run['card']} scorecard '{r.run['name']}'"
            + (f": {cfg['description']}" if cfg.get("description") else ".")
        ),
        _pairs(
            [
                ("card type", r.run["card"]),
                ("card name", r.run["name"]),
                (
                    "registered version",
                    f"{reg.name} v{reg.version}" if reg else "not registered (run folder)",
                ),
                ("aliases", ", ".join(reg.aliases) if reg and reg.aliases else "-"),
                ("features in the card", len(r.run["features"])),
                ("training data fingerprint (sha256)", r.run["data_fingerprint"]),
                ("run folder", r.dir.name),
            ]
        ),
        paragraph(
            "Scope: the score, its calibrated probability of default, grades, reason codes and the decision "
            "policy packed in the serving bundle. Every number below is read from the run's recorded outputs.",
            note=True,
        ),
    ]


def _data(r: RunRecord) -> list[str]:
    data = r.config.get("data", {})
    sources = data.get("sources") or {}
    rows = [(name, Path(str(src.get("path", ""))).name) for name, src in sources.items()]
    if data.get("flat_table"):
        rows.append(("flat_table", Path(str(data["flat_table"]["path"])).name))
    return [
        "<h3>Sources</h3>",
        table(pd.DataFrame(rows, columns=["table", "file"])) if rows else paragraph("No sources recorded."),
        "<h3>Exclusion waterfall</h3>",
        _or_missing(r.csv("sample/waterfall"), "the exclusion waterfall"),
    ]


def _windows(r: RunRecord) -> list[str]:
    target = r.config.get("target", {})
    split = r.config.get("split", {})
    summary = r.run.get("target_summary", {})
    definition = [
        ("bad", f"worst DPD >= {target.get('bad_dpd')} within {target.get('performance_months')} months"),
        ("indeterminate range (DPD)", target.get("indeterminate_dpd")),
        ("indeterminates are", target.get("indeterminate")),
        ("test share (random, stratified)", split.get("test_size")),
        ("out-of-time from", split.get("oot_start") or "no out-of-time sample"),
        *((f"{k} (rows)", v) for k, v in summary.items()),
    ]
    if r.run["card"] == "collection":
        definition.insert(0, ("event", f"{target.get('bad_event')} within {target.get('cure_days')} days"))
    return [
        "<h3>Target definition and counts</h3>",
        _pairs(definition),
        "<h3>Sample windows</h3>",
        _or_missing(r.csv("sample/windows"), "the sample windows"),
    ]


def _rejects(r: RunRecord) -> list[str]:
    recorded = r.run.get("reject_inference")
    settings = r.config.get("reject_inference", {})
    if recorded is None:
        return [
            paragraph(
                "Not applicable: the card has no rejects (behaviour and collection cards score booked loans)."
            )
        ]
    parts = [
        _pairs(
            [
                ("method", recorded["method"]),
                ("development-window rejects", recorded["rows"]),
                ("inferred bad rate", "-" if recorded["method"] == "none" else f"{recorded['bad_rate']:.4f}"),
                ("bad-rate uplift (fuzzy, parceling)", settings.get("bad_rate_uplift")),
            ]
        ),
        "<h3>Through-the-door comparison</h3>",
        _or_missing(r.csv("reject_inference"), "the through-the-door comparison"),
    ]
    if recorded["method"] == "none":
        parts.append(
            paragraph(
                "No outcome was inferred: the card is fitted on accepts only. The accepts-only model's mean PD on "
                "the rejects shows how much riskier they look to it; see docs/modeling.md for what each method did "
                "on the synthetic portfolio, where the rejects' true outcomes are known.",
                note=True,
            )
        )
    return parts


def _binning(r: RunRecord) -> list[str]:
    tables = r.csv("binning_tables")
    if tables is None:
        return [paragraph("Not recorded by this run: binning tables.", note=True)]
    overrides = r.csv("binning_overrides")
    reasons = (
        {}
        if overrides is None
        else dict(zip(overrides["feature"], overrides["reason"].fillna(""), strict=True))
    )
    final = set(r.run["features"])
    parts = [
        paragraph(
            f"{tables['feature'].nunique()} features were binned; the {len(final)} in the card are marked. Manual "
            "overrides and their reasons:"
        ),
        _or_missing(overrides, "the binning overrides"),
    ]
    for feature, block in tables.groupby("feature", sort=False):
        name = str(feature)
        plot = r.dir / "plots" / "woe" / f"{name}.png"
        heading = f"<h3>{name}{' (in the card)' if name in final else ''}</h3>"
        reason = [paragraph(f"Override: {reasons[name]}", note=True)] if reasons.get(name) else []
        parts += [
            heading,
            *reason,
            table(block.drop(columns="feature")),
            *([image(plot, name)] if plot.is_file() else []),
        ]
    return parts


def _points(r: RunRecord) -> list[str]:
    return [
        "<h3>Coefficients (logistic regression on WOE) with significance</h3>",
        _or_missing(r.csv("coefficients"), "coefficients"),
        "<h3>Points table</h3>",
        _or_missing(r.csv("points_table"), "the points table", 3),
        paragraph(_scaling(r), note=True),
    ]


def _scaling(r: RunRecord) -> str:
    s = r.config.get("scaling", {})
    return (
        f"Scaling: {s.get('base_score')} points at odds {s.get('base_odds')}:1 (good:bad); every {s.get('pdo')} "
        "points double the odds."
    )


def _performance(r: RunRecord) -> list[str]:
    rows = [
        {
            "model": model,
            "split": split,
            **{k: m.get(k) for k in ("n", "bads", "ks", "brier", "hosmer_lemeshow_pvalue")},
        }
        for model, by_split in r.metrics.items()
        for split, m in by_split.items()
        if m.get("n")
    ]
    plots = [p for p in (r.plot(f"{kind}_{s}") for kind in ("roc", "ks") for s in ("test", "oot")) if p]
    return [
        "<h3>Discrimination with 95% confidence intervals (Hanley-McNeil)</h3>",
        _or_missing(r.csv("evaluation/confidence_intervals"), "confidence intervals"),
        "<h3>KS, Brier and Hosmer-Lemeshow</h3>",
        table(pd.DataFrame(rows)),
        "<h3>Gains by score band</h3>",
        _or_missing(_first_model(r.csv("evaluation/gains"), "oot", "test"), "gains tables"),
        "<div class=plots>" + "".join(image(p, p.stem) for p in plots) + "</div>",
    ]


def _first_model(frame: pd.DataFrame | None, *splits: str) -> pd.DataFrame | None:
    if frame is None:
        return None
    for split in splits:
        part = frame[(frame["split"] == split) & (frame["model"] == "scorecard")]
        if len(part):
            return part
    return frame


def _calibration(r: RunRecord) -> list[str]:
    scale = r.config.get("calibration", {})
    bands = pd.DataFrame(scale.get("master_scale", []))
    plots = [p for p in (r.plot(f"calibration_{s}") for s in ("train", "test", "oot")) if p]
    return [
        paragraph(f"Score to PD: {scale.get('method')} calibration on the training rows."),
        "<h3>Master scale</h3>",
        table(bands) if len(bands) else paragraph("No master scale recorded."),
        "<h3>Observed against predicted by grade</h3>",
        _or_missing(r.csv("evaluation/grades"), "the grade calibration table"),
        "<div class=plots>" + "".join(image(p, p.stem) for p in plots) + "</div>",
    ]


def _stability(r: RunRecord) -> list[str]:
    return [
        "<h3>Score PSI against the training scores</h3>",
        _or_missing(r.csv("evaluation/psi"), "score PSI"),
        "<h3>CSI per feature, training rows against out-of-time rows</h3>",
        _or_missing(
            r.csv("evaluation/feature_stability"), "CSI per feature (the run has no out-of-time rows)"
        ),
    ]


def _challenger(r: RunRecord) -> list[str]:
    side = r.csv("evaluation/side_by_side")
    importance = r.csv("evaluation/challenger_importance")
    if side is None or "challenger" not in side.columns:
        return [paragraph("No challenger was trained with this card.")]
    return [
        "<h3>Scorecard against the LightGBM challenger</h3>",
        table(side),
        "<h3>SHAP summary of the challenger (mean |SHAP| in log-odds, evaluation rows)</h3>",
        _shap_bars(importance)
        if importance is not None
        else paragraph("No SHAP summary recorded.", note=True),
        _or_missing(importance, "challenger importance"),
    ]


def _shap_bars(importance: pd.DataFrame, top: int = 15) -> str:
    """Mean |SHAP| per feature as an inline SVG bar chart (drawn from the recorded table)."""
    rows = importance.nlargest(top, "mean_abs_shap")
    widest = float(rows["mean_abs_shap"].max()) or 1.0
    bars = "".join(
        f"<text x='0' y='{18 * i + 13}' font-size='12'>{str(f)[:40]}</text>"
        f"<rect x='300' y='{18 * i + 3}' height='12' width='{400 * v / widest:.1f}' fill='#0969da'/>"
        f"<text x='{305 + 400 * v / widest:.1f}' y='{18 * i + 13}' font-size='11'>{v:.3f}</text>"
        for i, (f, v) in enumerate(zip(rows["feature"], rows["mean_abs_shap"], strict=True))
    )
    return f"<svg role='img' aria-label='SHAP summary' width='760' height='{18 * len(rows) + 6}'>{bars}</svg>"


def _strategy(r: RunRecord, reg: RegistryRecord | None) -> list[str]:
    parts = []
    for name, title in STRATEGY_TITLES.items():
        frame = r.csv(f"strategy/{name}")
        if frame is not None:
            parts += [f"<h3>{title}</h3>", table(frame)]
    if not parts:
        parts.append(paragraph("Not recorded by this run: strategy tables.", note=True))
    parts.append("<h3>Swap set against the champion</h3>")
    if reg is not None and reg.swap_set:
        parts.append(table(pd.DataFrame(reg.swap_set)))
    else:
        parts.append(
            paragraph(
                "No swap set: measured when a version is promoted over an existing champion.", note=True
            )
        )
    return parts


def _gates(r: RunRecord, reg: RegistryRecord | None) -> list[str]:
    if reg is None:
        return [
            paragraph("Not registered: gates are evaluated when a registered version is promoted.", note=True)
        ]
    parts = [
        "<h3>Gate outcomes</h3>",
        table(pd.DataFrame(reg.gates))
        if reg.gates
        else paragraph("This version has not been through the gates yet."),
        _pairs(
            [(k, v) for k, v in sorted(reg.tags.items()) if k.startswith("champion.") and k not in _LONG_TAGS]
        ),
        "<h3>Champion history</h3>",
        table(pd.DataFrame(reg.history)) if reg.history else paragraph("No champion change recorded yet."),
    ]
    return parts


_LONG_TAGS = {"champion.gates", "champion.swap_set"}


def _limitations(r: RunRecord) -> list[str]:
    lines = []
    for model, by_split in r.metrics.items():
        for split, m in by_split.items():
            p = m.get("hosmer_lemeshow_pvalue")
            if model == "scorecard" and p is not None and p < 0.05:
                lines.append(f"Calibration on {split}: Hosmer-Lemeshow rejects the fit (p = {p:.3g}).")
    csi = r.csv("evaluation/feature_stability")
    if csi is not None:
        moved = csi[csi["csi"] >= CSI_WATCH]
        lines += [
            f"{f} moved from development to out-of-time (CSI {v:.3f})."
            for f, v in zip(moved["feature"], moved["csi"], strict=True)
        ]
    rejects = r.run.get("reject_inference")
    if rejects is not None and rejects["method"] == "none":
        lines.append("Fitted on accepts only: risk among applicants unlike past accepts is extrapolated.")
    bads = {s: m.get("bads") for s, m in r.metrics.get("scorecard", {}).items() if m.get("n")}
    lines += [
        f"Few bads on {s} ({int(b)}): metrics there are uncertain."
        for s, b in bads.items()
        if b is not None and b < 100
    ]
    lines += [d for d in r.run.get("decisions", []) if d.startswith("sign check")]
    mon = r.config.get("monitoring", {})
    plan = [
        ("score PSI (monthly cohorts)", f"warn {mon.get('psi_warn')}, alert {mon.get('psi_alert')}"),
        ("CSI per feature", f"warn {mon.get('csi_warn')}, alert {mon.get('csi_alert')}"),
        (
            "Gini drop on matured rows",
            f"warn {mon.get('gini_drop_warn')}, alert {mon.get('gini_drop_alert')}",
        ),
        (
            "feature strength lost",
            f"warn {mon.get('strength_loss_warn')}, alert {mon.get('strength_loss_alert')}",
        ),
        (
            "feature health (missing, special, unseen)",
            f"warn {mon.get('health_warn')}, alert {mon.get('health_alert')}",
        ),
        ("calibration by grade", f"binomial test, alpha {mon.get('alpha')}"),
    ]
    return [
        "<h3>Known limitations</h3>",
        items(lines or ["No limitation flagged by the recorded numbers."]),
        "<h3>Monitoring plan</h3>",
        paragraph(
            "`scorecard monitor` checks each batch against the development sample; exit 0 ok, 10 warn, 20 alert."
        ),
        table(pd.DataFrame(plan, columns=["check", "thresholds"])),
    ]


def _signoff() -> list[str]:
    rows = "".join(f"<tr><td>{who}</td><td></td><td></td><td></td><td></td></tr>" for who in SIGNERS)
    return [
        "<table class='t signoff'><tr><th>Role</th><th>Name</th><th>Decision</th><th>Date</th><th>Signature</th></tr>"
        f"{rows}</table>"
    ]


def build_pack(run_dir: Path | str, registry: RegistryRecord | None = None) -> str:
    """The documentation pack of the run in ``run_dir`` (and its registered version, when given) as HTML."""
    r = RunRecord(run_dir)
    builders: list[Callable[[], list[str]]] = [
        lambda: _purpose(r, registry),
        lambda: _data(r),
        lambda: _windows(r),
        lambda: _rejects(r),
        lambda: _binning(r),
        lambda: [_or_missing(r.csv("selection_log"), "the selection log")],
        lambda: _points(r),
        lambda: _performance(r),
        lambda: _calibration(r),
        lambda: _stability(r),
        lambda: _challenger(r),
        lambda: _strategy(r, registry),
        lambda: _gates(r, registry),
        lambda: _limitations(r),
        _signoff,
    ]
    title = f"Model documentation: {r.run['name']}" + (f" v{registry.version}" if registry else "")
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = [
        paragraph(
            f"{r.run['card']} scorecard; pack written {when} from the run's recorded outputs.", note=True
        )
    ]
    return page(title, header, list(zip(SECTIONS, (b() for b in builders), strict=True)))


def write_pack(document: str, out: Path | str, pdf: bool = False) -> list[Path]:
    """Write the HTML (and ``<out>.pdf`` through WeasyPrint when ``pdf``); returns the files written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document, encoding="utf-8")
    written = [out]
    if pdf:
        try:
            from weasyprint import HTML
        except (ImportError, OSError) as exc:
            raise ScorecardError(f"--pdf needs WeasyPrint and pango (`make system`): {exc}") from None
        target = out.with_suffix(".pdf")
        HTML(string=document).write_pdf(target)
        written.append(target)
    return written


def registered_pack(ref: str, client: Any = None) -> str:
    """The pack of a registered version (``application@champion``, ``application_scorecard/3``): its training
    run's recorded outputs, downloaded from MLflow, with the registry's gate outcomes and champion history."""
    import tempfile

    from scorecard.tracking import registry as reg
    from scorecard.tracking.gates import GateReport
    from scorecard.tracking.store import connect

    client = client or connect()
    name, which = reg.parse_model_ref(ref)
    version = reg.model_version(name, which, client)
    tags = dict(version.tags)
    aliases = [
        a for a, v in client.get_registered_model(name).aliases.items() if str(v) == str(version.version)
    ]
    record = RegistryRecord(
        name=name,
        version=str(version.version),
        aliases=sorted(aliases),
        gates=[r.__dict__ for r in GateReport.from_json(tags.get("champion.gates", "[]")).results],
        swap_set=json.loads(tags.get("champion.swap_set", "[]")),
        history=reg.history(name, client),
        tags=tags,
    )
    if not version.run_id:
        raise ScorecardError(f"{name} v{version.version} is not linked to a training run")
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = client.download_artifacts(version.run_id, "card", tmp)
        return build_pack(run_dir, record)
