"""``scorecard report``: write the model documentation pack of a run folder or a registered version."""

from __future__ import annotations

from pathlib import Path

import typer

from scorecard.cli.output import console
from scorecard.errors import ScorecardError


def report(
    run: Path | None = typer.Option(None, "--run", help="A training run folder (scorecard train --run-dir)."),
    model: str | None = typer.Option(
        None, "--model", help="A registered version: CARD@ALIAS or NAME/VERSION, e.g. application@champion."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="The HTML file to write."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write <out>.pdf through WeasyPrint."),
) -> None:
    """Write one self-contained HTML document (optionally PDF) from a run's recorded outputs."""
    from scorecard.reports.pack import build_pack, registered_pack, write_pack

    if (run is None) == (model is None):
        raise ScorecardError("scorecard report: give exactly one of --run DIR or --model CARD@ALIAS")
    document = build_pack(run) if run is not None else registered_pack(str(model))
    for path in write_pack(document, out, pdf=pdf):
        console.print(f"wrote {path}", highlight=False)
