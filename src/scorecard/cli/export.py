"""``scorecard export``: write a trained run as a serving bundle (folder, and a zip with --zip)."""

from __future__ import annotations

from pathlib import Path

import typer

from scorecard.cli.output import console, print_table
from scorecard.errors import ScorecardError


def export(
    run: Path | None = typer.Option(None, "--run", help="Run folder written by `scorecard train`."),
    model: str | None = typer.Option(
        None, "--model", help="Registered model instead of --run, e.g. application@champion or application/3."
    ),
    out: Path = typer.Option(..., "--out", help="Bundle folder to write, e.g. bundles/application."),
    zip: bool = typer.Option(False, "--zip", help="Also write <out>.zip (deterministic archive)."),
    model_version: str | None = typer.Option(
        None,
        "--model-version",
        help="Version recorded in the manifest; default: the registered version the run became, if any.",
    ),
    created_at: str | None = typer.Option(
        None, "--created-at", help="ISO 8601 creation time; default: the run's training time."
    ),
    challenger: bool = typer.Option(
        True, "--challenger/--no-challenger", help="Pack the LightGBM shadow model."
    ),
) -> None:
    """Export a trained card as a verified, byte-reproducible serving bundle."""
    from scorecard.bundle.export import export_run

    if (run is None) == (model is None):
        raise ScorecardError("give either --run DIR or --model NAME@ALIAS (e.g. application@champion)")
    if run is None:
        if zip or model_version or created_at or not challenger:
            raise ScorecardError("--model downloads the registered bundle as it is; drop the other options")
        from scorecard.tracking.registry import download_bundle

        path = download_bundle(str(model), out)
    else:
        from scorecard.tracking.runs import registered_version

        path = export_run(
            run,
            out,
            zip=zip,
            model_version=model_version or registered_version(run),
            created_at=created_at,
            challenger=challenger,
        )
    from scorecard.bundle.runtime import load_bundle

    manifest = load_bundle(path).manifest
    print_table(
        f"{manifest['card']['name']} {manifest['model_version']} ({manifest['created_at']})",
        ["file", "bytes", "sha256"],
        [(name, e["bytes"], e["sha256"][:16]) for name, e in manifest["files"].items()],
    )
    console.print(f"bundle: {path}", highlight=False)
