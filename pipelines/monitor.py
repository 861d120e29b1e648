"""Monthly monitoring of one card's champion: build the month's scoring rows, score them with the champion
bundle, compare with the development sample (stability, drift, health, backtest) and exit with the status.

    python pipelines/monitor.py --card application --period 2025-06

Exit codes: 0 ok, 10 warn, 20 alert (retraining worth triggering), 1 failed, 75 another run holds the lock.
A period that already finished is not redone (its recorded status is returned) unless --force.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from scorecard.jobs import run_scheduled

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def _monitor(config_path: Path, period: str, data: Path, reports: Path) -> tuple[str, int, dict[str, Any]]:
    import pandas as pd

    from scorecard.config import load_config
    from scorecard.errors import DataError
    from scorecard.modeling.train import load_table
    from scorecard.monitoring.job import run_job as monitor_batch

    cfg = load_config(config_path)
    frame = load_table(cfg).frame
    month = frame["snapshot_date"].dt.strftime("%Y-%m") == period
    if not month.any():
        raise DataError(f"{cfg.name}: no {cfg.card} rows dated {period} in the configured sources")
    batch = data / "monitoring" / cfg.card / f"{period}.parquet"
    batch.parent.mkdir(parents=True, exist_ok=True)
    frame[month].to_parquet(batch, index=False)
    result = monitor_batch(cfg, batch, reports / cfg.card / period, as_of=pd.Timestamp.today())
    details = {
        "rows": int(month.sum()),
        "findings": [f"{f.level}: {f.check} {f.subject} {f.value:.3f}" for f in result.findings[:20]],
        "report": str(result.paths.get("html", "")),
        "model": result.context.get("model"),
        "version": result.context.get("version"),
    }
    return result.status, result.exit_code, details


@app.command()
def main(
    card: str = typer.Option(..., "--card", help="application, behaviour or collection."),
    period: str = typer.Option(..., "--period", help="The month to monitor, YYYY-MM."),
    config: Path | None = typer.Option(None, "--config", help="Card config; default configs/<card>.yaml."),
    state_dir: Path = typer.Option(Path("data/pipeline_state"), "--state-dir", help="Locks and run ledger."),
    data: Path = typer.Option(Path("data"), "--data", help="Where the month's batch is written."),
    reports: Path = typer.Option(Path("reports"), "--reports", help="Where reports are written."),
    force: bool = typer.Option(False, "--force", help="Redo a period that already finished."),
) -> None:
    """Monitor one card's champion on one month."""
    config_path = config or Path("configs") / f"{card}.yaml"
    raise typer.Exit(
        run_scheduled(
            "monitor", card, period, state_dir, lambda: _monitor(config_path, period, data, reports), force
        )
    )


if __name__ == "__main__":
    app()
