"""``scorecard promote``: move a card's champion alias through the promotion gates, or roll it back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scorecard.cli.output import console, print_table
from scorecard.errors import ScorecardError

if TYPE_CHECKING:
    from scorecard.tracking.gates import GateReport


def promote(
    card: str | None = typer.Option(
        None, "--card", help="Card type or registered model (application, application_scorecard)."
    ),
    version: int | None = typer.Option(None, "--version", "-v", help="Registered version to promote."),
    rollback: bool = typer.Option(False, "--rollback", help="Return champion to the version it replaced."),
    force: bool = typer.Option(False, "--force", help="Promote even if a gate fails (needs --reason)."),
    reason: str | None = typer.Option(
        None, "--reason", help="Why; recorded on the version (required with --force)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Evaluate and print the gates; change nothing."),
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        help="Card config whose gates/tracking apply; default: the candidate run's config.",
    ),
) -> None:
    """Evaluate the gates for VERSION and make it champion if they pass; or --rollback."""
    from scorecard.config import load_config
    from scorecard.tracking import registry
    from scorecard.tracking.store import connect

    cfg = load_config(config) if config else None
    card_type = card or (cfg.card if cfg else None)
    if card_type is None:
        raise ScorecardError("give --card (e.g. --card application) or --config")
    name = registry.model_name(card_type, cfg.tracking if cfg else None)
    client = connect(cfg)
    if rollback:
        if version is not None or force:
            raise ScorecardError("--rollback takes no --version or --force")
        done = registry.rollback(name, reason, client=client)
        console.print(
            f"{name}: champion rolled back from v{done.previous} to v{done.version}", highlight=False
        )
        return
    if version is None:
        raise ScorecardError("give --version N to promote (or --rollback)")
    gates = cfg.gates if cfg else registry.logged_gates(name, version, client=client)
    try:
        done = registry.promote(
            name, version, gates, force=force, reason=reason, dry_run=dry_run, client=client
        )
    except registry.PromotionRefused as refused:
        _print_gates(name, str(version), refused.report)
        raise
    if done.report is not None:
        _print_gates(name, done.version, done.report)
    messages = {
        "unchanged": f"{name} v{done.version} is already champion; nothing changed",
        "completed": f"{name}: champion v{done.version} (was {_was(done.previous)}): the interrupted change is now "
        "recorded in the history",
        "checked": f"{name} v{done.version}: dry run, nothing changed",
        "promoted": f"{name}: champion is now v{done.version} (was {_was(done.previous)})",
        "forced": f"{name}: champion is now v{done.version} (was {_was(done.previous)}), FORCED past failed gates",
    }
    console.print(messages[done.action], highlight=False)


def _was(previous: str | None) -> str:
    return f"v{previous}" if previous else "none"


def _print_gates(name: str, version: str, report: GateReport) -> None:
    print_table(
        f"Promotion gates: {name} v{version}",
        ["gate", "value", "limit", "result", "detail"],
        [r.row() for r in report.results],
    )
    if report.swap_set:
        print_table(
            f"Swap set: {name} v{version} against the champion (approve decisions on the same sample)",
            ["set", "rows", "share", "bads", "bad rate"],
            [(r["set"], r["rows"], r["share"], r["bads"], r["bad_rate"]) for r in report.swap_set],
        )
