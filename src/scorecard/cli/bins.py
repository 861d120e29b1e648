"""``scorecard bins``: review a run's bins (``show``) and write them back as reviewed overrides (``freeze``)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from scorecard.cli.output import console
from scorecard.errors import ScorecardError

app = typer.Typer(no_args_is_help=True)

RUN = typer.Option(None, "--run", help="Run folder written by `scorecard train --run-dir`.")
MODEL = typer.Option(None, "--model", help="Registered model instead of --run, e.g. application@champion.")
COLUMNS = ("bin", "count", "share", "goods", "bads", "event rate", "WOE", "IV", "points")


@app.command("show")
def show(
    feature: str | None = typer.Argument(None, help="Only this feature; default every binned feature."),
    run: Path | None = RUN,
    model: str | None = MODEL,
) -> None:
    """Print the binning table of each feature: counts, share, goods, bads, event rate, WOE, IV, points."""
    from scorecard.tracking import review

    with tempfile.TemporaryDirectory() as tmp:
        folder, label = review.run_outputs(run, model, Path(tmp))
        tables = review.binning_tables(folder, label)
        on_card = set(review.card_features(folder))
    binned = list(dict.fromkeys(tables["feature"]))
    if feature is not None and feature not in binned:
        raise ScorecardError(
            f"{label}: no bins for feature {feature!r}; binned features: {', '.join(binned)}"
        )
    for name in [feature] if feature is not None else binned:
        table = tables[tables["feature"] == name]
        where = "on the card" if name in on_card else "not on the card"
        _print(f"{name} ({where}; IV {table['iv'].sum():.4f}, {int(table['count'].sum()):,} rows)", table)


@app.command("freeze")
def freeze(
    out: Path = typer.Option(
        ..., "--out", help="Overrides YAML to write, e.g. configs/overrides/reviewed.yaml."
    ),
    run: Path | None = RUN,
    model: str | None = MODEL,
    every_feature: bool = typer.Option(
        False, "--all", help="Freeze every binned feature, not only the card's and the overridden ones."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
) -> None:
    """Write the run's bins as fixed overrides: point binning.overrides at the file to retrain to the same bins."""
    from scorecard.modeling.overrides import REASON_PLACEHOLDER, describe, dump_overrides
    from scorecard.tracking import review

    if out.exists() and not force:
        raise ScorecardError(f"{out}: already exists; choose a new file or pass --force to overwrite it")
    with tempfile.TemporaryDirectory() as tmp:
        folder, label = review.run_outputs(run, model, Path(tmp))
        frozen = review.frozen_bins(folder, label, every_feature)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    header = (
        f"Bins of {label}, frozen by `scorecard bins freeze` on {today}.\n"
        f"Replace every {REASON_PLACEHOLDER!r} with why those bins are right: training refuses placeholder reasons.\n"
        "Set binning.overrides to this file to retrain to the same bins. Format: scorecard.modeling.overrides."
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump_overrides(frozen, header))
    rows = [(f, describe(o), o.reason) for f, o in frozen.items()]
    _print(
        f"{len(frozen)} features frozen from {label}",
        pd.DataFrame(rows, columns=["feature", "bins", "reason"]),
    )
    console.print(f"overrides: {out}", highlight=False)


def _print(title: str, table: pd.DataFrame) -> None:
    """A rich table on a terminal; aligned plain text otherwise (logs, pipes, files)."""
    header, rows, numeric = _cells(table)
    if console.is_terminal:
        rich = Table(title=title, title_justify="left", header_style="bold")
        for name, right in zip(header, numeric, strict=True):
            rich.add_column(name, justify="right" if right else "left")
        for row in rows:
            rich.add_row(*row)
        console.print(rich)
        return
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(header)]
    lines = [title, _line(header, widths, numeric), *(_line(r, widths, numeric) for r in rows), ""]
    console.out("\n".join(lines), highlight=False)


def _line(cells: Sequence[str], widths: list[int], numeric: list[bool]) -> str:
    return "  ".join(
        c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, numeric, strict=True)
    ).rstrip()


def _cells(table: pd.DataFrame) -> tuple[list[str], list[list[str]], list[bool]]:
    """Header, formatted rows and right-alignment of a binning table (or of any plain table)."""
    if "count_share" not in table:
        return (
            list(table.columns),
            [[str(v) for v in row] for row in table.itertuples(index=False)],
            [False] * len(table.columns),
        )
    rows = [
        [
            str(r["bin"]),
            f"{int(r['count']):,}",
            f"{r['count_share']:.1%}",
            f"{int(r['goods']):,}",
            f"{int(r['bads']):,}",
            "" if pd.isna(r["event_rate"]) else f"{r['event_rate']:.2%}",
            f"{r['woe']:+.4f}",
            f"{r['iv']:.4f}",
            "" if pd.isna(r.get("points", pd.NA)) else str(int(r["points"])),
        ]
        for r in table.to_dict(orient="records")
    ]
    return list(COLUMNS), rows, [False, *[True] * (len(COLUMNS) - 1)]
