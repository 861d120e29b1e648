"""``scorecard init --from PATH``: scaffold a card config from a flat file (or a folder of tables), saying why."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from rich.markup import escape

from scorecard.cli.output import console, print_table
from scorecard.errors import ConfigError, ScorecardError


def init(
    source: Path = typer.Option(..., "--from", help="A flat table file, or a folder holding one."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Config file to write; default configs/<name>.yaml."
    ),
    target: str | None = typer.Option(None, "--target", help="The outcome column, when the guess is wrong."),
    name: str | None = typer.Option(None, "--name", help="Card name; default from the file name."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing config file."),
) -> None:
    """Profile the table, print each guess with its reason, and write a config that trains as is."""
    from scorecard.config import parse_config
    from scorecard.data.ingest import read_table
    from scorecard.data.profile import Profile, config_name, profile_table, scaffold, table_files

    profiles: list[Profile] = []
    refused: list[str] = []
    for path in table_files(source):
        try:
            profiles.append(profile_table(read_table(path), path, target))
        except ScorecardError as exc:
            refused.append(f"{path.name}: {exc}")
    if not profiles:
        raise ScorecardError(f"{source}: no table with a target column; " + "; ".join(refused))
    prof = profiles[0]
    card_name = name or config_name(prof.path)
    config_path = out or Path("configs") / f"{card_name}.yaml"
    if config_path.exists() and not force:
        raise ConfigError(f"{config_path}: exists already; pass --force to overwrite or --out another file")
    raw = scaffold(prof, config_path.parent, card_name)
    parse_config(raw, config_path, base=config_path.parent.resolve())  # what is written must load
    print_table(
        f"{prof.path.name}: {prof.rows:,} rows; what init guessed and why",
        ["guess", "value", "why"],
        [[g.what, str(g.value), g.why] for g in prof.guesses],
    )
    for line in refused[:10]:
        console.print(f"skipped {escape(line)}", highlight=False)
    if len(profiles) > 1:
        console.print(
            f"used {prof.path.name}; other tables with a target: {[p.path.name for p in profiles[1:]]}",
            highlight=False,
        )
    header = "".join(f"# {g.what}: {g.value!r} ({g.why})\n" for g in prof.guesses)
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(
        f"# Scaffolded by `scorecard init --from {source}`; every guess below says why. Review, then train:\n"
        f"#   scorecard train --config {config_path}\n{header}\n"
        + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    )
    console.print(
        f"wrote {escape(str(config_path))}: {len(prof.features)} features ({len(prof.categorical)} categorical), "
        f"target {prof.target!r} (bad = {prof.bad_value!r}); next: scorecard train --config {escape(str(config_path))}",
        highlight=False,
    )
