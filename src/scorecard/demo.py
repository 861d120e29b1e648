"""The whole main job on a synthetic portfolio, end to end, with the embedded defaults.

Synthesise a drifted portfolio, build the three cards' modeling tables, train and log each card with its
challenger, promote it through its gates, export the champion bundles, score the latest applications with the
application bundle and monitor that drifted period. Every step calls the library; nothing here models.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from scorecard.config import CardConfig, load_config
from scorecard.errors import ScorecardError
from scorecard.progress import StepDone

CARDS = ("application", "behaviour", "collection")
Step = Callable[[str], None]


@dataclass
class CardOutcome:
    """One card's line in the demo summary."""

    card: str
    rows: int
    bad_rate: float
    metrics: dict[str, dict[str, dict[str, float]]]
    champion: str
    promotion: str
    bundle: Path | None
    pack: Path | None = None
    monitoring: str = "-"


@dataclass
class DemoSummary:
    """What the demo produced and where to look next."""

    cards: list[CardOutcome] = field(default_factory=list)
    scored: Path | None = None
    report: Path | None = None
    tracking_uri: str = ""
    monitoring_exit: int = 0


def _card_step(progress: Callable[[StepDone, str], None], prefix: str, done: StepDone) -> None:
    progress(done, prefix)


class NotebookSetup(NamedTuple):
    """What every notebook starts from."""

    rows: int
    """Applications in the synthetic portfolio (``SCORECARD_NOTEBOOK_ROWS``, default 20,000)."""
    configs: Path
    """The card configs (``SCORECARD_CONFIGS``, default ``../configs``)."""
    work: Path
    """Where the notebook writes everything (``work/`` next to it)."""


def notebook_setup() -> NotebookSetup:
    """Environment defaults for a notebook on synthetic data (no Evidently telemetry; a demo PII key unless one
    is set: use your secret store on real data), wide pandas display, and the rows, configs and work folder."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("SCORECARD_PII_KEY", "notebook-demo-key")
    for option, value in (("display.max_columns", 30), ("display.max_rows", 120), ("display.width", 160)):
        pd.set_option(option, value)
    return NotebookSetup(
        rows=int(os.environ.get("SCORECARD_NOTEBOOK_ROWS", "20000")),
        configs=Path(os.environ.get("SCORECARD_CONFIGS", "../configs")).resolve(),
        work=Path("work").resolve(),
    )


def card_config(config_dir: Path, card: str, data_dir: Path) -> CardConfig:
    """``config_dir/<card>.yaml`` with every source read from ``data_dir/<table>.parquet`` (a synthetic portfolio)."""
    cfg = load_config(config_dir / f"{card}.yaml")
    for name, source in cfg.data.sources.items():
        source.path = data_dir / f"{name}.parquet"
    return cfg


def synthetic_portfolio(work: Path, rows: int, seed: int = 7, drift: bool = False) -> Path:
    """The synthetic portfolio's Parquet files in ``work/portfolio_<rows>[_drift]``, generated on first use."""
    from scorecard.data.synth import synthesize, write_portfolio

    folder = work / f"portfolio_{rows}{'_drift' if drift else ''}"
    if not (folder / "collection_cases.parquet").exists():  # the last table written
        write_portfolio(synthesize(rows, seed=seed, drift=drift), folder)
    return folder


def run_demo(
    workdir: Path,
    rows: int = 20_000,
    seed: int = 0,
    config_dir: Path | None = None,
    step: Step | None = None,
    progress: Callable[[StepDone, str], None] | None = None,
) -> DemoSummary:
    """Run every stage on ``rows`` synthetic applications under ``workdir`` (data/, runs/, bundles/, reports/).

    ``step`` receives a line as each stage starts, ``progress`` each training step as it ends (with the card).
    """
    from scorecard.bundle.runtime import load_bundle
    from scorecard.bundle.stream import score_file
    from scorecard.data.synth import DRIFT_START, synthesize, write_portfolio
    from scorecard.features.build import build_card_table
    from scorecard.features.stored import write_modeling_table
    from scorecard.monitoring.run import monitor
    from scorecard.reports.pack import PACK_FILE, registered_pack, write_pack
    from scorecard.tracking import registry
    from scorecard.tracking.runs import train_and_log
    from scorecard.tracking.store import connect, tracking_uri

    say = step or (lambda _: None)
    workdir = workdir.resolve()
    config_dir = (config_dir or workdir / "configs").resolve()
    data_dir = workdir / "data" / "synthetic"
    say(f"synthesising {rows:,} applications (seed {seed}, drift from {DRIFT_START})")
    write_portfolio(synthesize(rows, seed=seed, drift=True), data_dir)
    configs = {card: card_config(config_dir, card, data_dir) for card in CARDS}
    summary = DemoSummary(tracking_uri=tracking_uri(configs["application"]))
    client = connect(configs["application"])
    tables: dict[str, Any] = {}
    for card, cfg in configs.items():
        say(f"{card}: building point-in-time features")
        table = build_card_table(cfg)
        tables[card] = table
        write_modeling_table(table, cfg, workdir / "data" / f"{card}_features.parquet")
        say(f"{card}: training scorecard and challenger, logging to MLflow")
        run_dir = workdir / "runs" / card / dt.date.today().strftime("%Y-%m-%d")
        tracked = train_and_log(
            cfg,
            table,
            run_dir=run_dir,
            progress=None if progress is None else partial(_card_step, progress, f"{card}: "),
        )
        say(f"{card}: promoting version {tracked.version} through the gates")
        try:
            promotion = registry.promote(
                tracked.registered_model, str(tracked.version), cfg.gates, client=client
            )
            outcome = promotion.action
        except ScorecardError as exc:
            outcome = f"refused ({exc})"
        champion = registry.champion_version(tracked.registered_model, client) or "-"
        bundle_dir = (
            None
            if champion == "-"
            else registry.export_champion(tracked.registered_model, workdir / "bundles" / card, client)
        )
        pack = workdir / "reports" / card / PACK_FILE
        if champion == "-":  # the candidate's own pack, as training wrote it
            write_pack((run_dir / PACK_FILE).read_text(encoding="utf-8"), pack)
        else:  # the champion's, with its gate outcomes and history
            write_pack(registered_pack(f"{tracked.registered_model}@champion", client), pack)
        modeled = table.frame[table.frame["split"] != "excluded"]
        summary.cards.append(
            CardOutcome(
                card=card,
                rows=len(modeled),
                bad_rate=float(modeled["target"].mean()),
                metrics=tracked.card.metrics,
                champion=champion,
                promotion=outcome,
                bundle=bundle_dir,
                pack=pack,
            )
        )

    app_cfg, app_table = configs["application"], tables["application"]
    app_bundle = summary.cards[0].bundle
    if app_bundle is None:
        raise ScorecardError(f"application card has no champion to score with: {summary.cards[0].promotion}")
    frame = app_table.frame
    latest = frame[frame["snapshot_date"] >= pd.Timestamp(DRIFT_START)]
    reference = frame[frame["split"] == "train"]
    batch = workdir / "data" / "application_latest.parquet"
    latest.to_parquet(batch, index=False)
    summary.scored = workdir / "data" / "application_latest_scored.parquet"
    say(f"application: scoring the {len(latest):,} latest applications with the bundle")
    score_file(load_bundle(app_bundle), batch, summary.scored)
    say("application: monitoring the drifted period against the development sample")
    out_dir = workdir / "reports" / "application" / dt.date.today().strftime("%Y-%m")
    result = monitor(app_cfg, latest, reference, app_bundle, out_dir=out_dir)
    summary.report = result.paths["html"]
    summary.cards[0].monitoring = result.status
    summary.monitoring_exit = result.exit_code
    return summary
