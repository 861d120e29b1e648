"""``scorecard models``: the registered cards, their versions, aliases, key metrics and gate outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from scorecard.cli.output import console, print_table

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

app = typer.Typer(no_args_is_help=True)

KEY_METRICS = {
    "scorecard_oot_gini": "OOT gini",
    "challenger_oot_gini": "challenger",
    "scorecard_oot_score_psi": "PSI",
}


@app.command("list")
def list_models(
    card: str | None = typer.Option(None, "--card", help="Only this card type or registered model."),
    details: bool = typer.Option(
        False, "--details", help="Also each version's binning overrides, with every reason."
    ),
) -> None:
    """Every registered version, newest first: aliases, run status, key metrics and gate outcome."""
    from scorecard.tracking import registry
    from scorecard.tracking.store import connect

    client = connect()
    rows = registry.list_versions(card, client=client)
    if not rows:
        console.print("no registered models yet; train a card with `scorecard train`", highlight=False)
        return
    print_table(
        f"Registered models ({client.tracking_uri})",
        ["model", "version", "aliases", "created (UTC)", "run", *KEY_METRICS.values(), "promotion"],
        [
            [
                r.name,
                int(r.version),
                ", ".join(r.aliases),
                r.created,
                r.run_status,
                *(r.metrics.get(k, "") for k in KEY_METRICS),
                r.gates,
            ]
            for r in rows
        ],
    )
    if details:
        for r in rows:
            _print_overrides(f"{r.name} v{r.version}", r.run_id, client)


def _print_overrides(label: str, run_id: str, client: MlflowClient) -> None:
    """The binning overrides a version's run was trained with, as logged with the run."""
    from scorecard.modeling.overrides import describe
    from scorecard.tracking import review

    logged = review.run_overrides(run_id, label, client) if run_id else None
    if logged is None:
        console.print(f"{label}: no binning overrides", highlight=False)
        return
    overrides, note = logged
    console.print(f"{label}: {note}", highlight=False, soft_wrap=True)
    print_table(
        f"{label} binning overrides",
        ["feature", "override", "reason"],
        [(feature, describe(o), o.reason) for feature, o in overrides.items()],
    )
