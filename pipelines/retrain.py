"""Monthly retraining of one card: features, train, evaluate, register as challenger, promote only through the
gates, export the champion bundle. Safe to schedule: one run per card at a time, a finished period is not redone.

    python pipelines/retrain.py --card application --period 2025-06

Exit codes: 0 done (or already done), 1 failed, 30 gates failed (challenger registered, champion kept),
75 another run for this card holds the lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from scorecard.jobs import EXIT_GATES_FAILED, EXIT_OK, run_scheduled

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def _retrain(config_path: Path, bundles: Path, runs: Path, period: str) -> tuple[str, int, dict[str, Any]]:
    from scorecard.config import load_config
    from scorecard.errors import GateFailed
    from scorecard.modeling.train import load_table
    from scorecard.tracking import registry
    from scorecard.tracking.runs import train_and_log

    cfg = load_config(config_path)
    tracked = train_and_log(cfg, load_table(cfg), run_dir=runs / cfg.card / period)
    details: dict[str, Any] = {
        "run_id": tracked.run_id,
        "version": tracked.version,
        "model": tracked.registered_model,
    }
    details["metrics"] = tracked.card.metrics["scorecard"]
    try:
        promotion = registry.promote(tracked.registered_model, str(tracked.version), cfg.gates)
        status, code = promotion.action, EXIT_OK
    except GateFailed as exc:
        status, code = "gates failed", EXIT_GATES_FAILED
        details["gates"] = str(exc)
    champion = registry.champion_version(tracked.registered_model)
    details["champion"] = champion
    if champion is not None:
        details["bundle"] = str(registry.export_champion(tracked.registered_model, bundles / cfg.card))
    return status, code, details


@app.command()
def main(
    card: str = typer.Option(..., "--card", help="application, behaviour or collection."),
    period: str = typer.Option(..., "--period", help="The month this run is for, YYYY-MM."),
    config: Path | None = typer.Option(None, "--config", help="Card config; default configs/<card>.yaml."),
    state_dir: Path = typer.Option(Path("data/pipeline_state"), "--state-dir", help="Locks and run ledger."),
    bundles: Path = typer.Option(Path("bundles"), "--bundles", help="Where the champion bundle is exported."),
    runs: Path = typer.Option(Path("runs"), "--runs", help="Where each run's readable outputs are kept."),
    force: bool = typer.Option(False, "--force", help="Redo a period that already finished."),
) -> None:
    """Retrain one card for one period."""
    config_path = config or Path("configs") / f"{card}.yaml"
    raise typer.Exit(
        run_scheduled(
            "retrain", card, period, state_dir, lambda: _retrain(config_path, bundles, runs, period), force
        )
    )


if __name__ == "__main__":
    app()
