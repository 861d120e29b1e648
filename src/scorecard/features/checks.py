"""Everything ``features build`` needs, checked before anything is built (``scorecard data validate``).

The card's sources with the tables and columns it reads, the PII key when a column is hashed, a flat table
shaped as the card says, the policy's value files, and a ready-made target holding its bad value: when these
pass, the build's inputs are sound.
"""

from __future__ import annotations

import ibis

from scorecard.config import CardConfig
from scorecard.data.ingest import load_sources, validate_sources
from scorecard.data.schema import CardNeeds
from scorecard.data.validation import Problem, TableSummary, ValidationReport
from scorecard.data.values import read_values_file
from scorecard.errors import ScorecardError
from scorecard.features.build import extra_columns
from scorecard.features.reads import card_needs
from scorecard.features.targets import ROW_TABLES, matches_any


def validate_card(cfg: CardConfig) -> ValidationReport:
    """Every problem that would stop the card's feature build (or its export's policy), found in one pass."""
    if cfg.data.flat_table is not None:
        report = _flat_table(cfg)
    else:
        report = validate_sources(cfg.data, required=card_needs(cfg), extra=extra_columns(cfg))
        if report.ok:
            report.problems += _ready_target(cfg)
    report.problems += _policy_files(cfg)
    return report


def _flat_table(cfg: CardConfig) -> ValidationReport:
    from scorecard.features.flat import load_flat_table

    flat = cfg.data.flat_table
    assert flat is not None
    report = ValidationReport()
    try:
        table = load_flat_table(cfg)
    except ScorecardError as exc:
        report.tables.append(TableSummary("flat_table", str(flat.path), None, 0, 0, 1))
        report.problems.append(Problem("flat_table", str(flat.path), "config", None, 0, None, str(exc)))
        return report
    frame = table.frame[table.features]
    report.tables.append(
        TableSummary(
            "flat_table", str(flat.path), len(frame), frame.shape[1], int(frame.isna().sum().sum()), 0
        )
    )
    return report


def _policy_files(cfg: CardConfig) -> list[Problem]:
    problems = []
    for rule in (*cfg.policy.knockouts, *cfg.policy.early_warnings):
        if rule.values_file is None:
            continue
        try:
            read_values_file(rule.values_file, f"policy rule {rule.name!r}")
        except ScorecardError as exc:
            problems.append(Problem("policy", str(rule.values_file), "config", None, 0, None, str(exc)))
    return problems


def _ready_target(cfg: CardConfig) -> list[Problem]:
    """A ready-made target column in which no row holds target.bad_value (the build would stop on it)."""
    column = cfg.target.column
    if column is None or cfg.card not in ROW_TABLES:
        return []
    table, key = ROW_TABLES[cfg.card]
    needs = CardNeeds({table: {key: ("target.column",), column: ("target.column",)}})
    extra = {table: {column: "target.column"}} if column in extra_columns(cfg).get(table, {}) else {}
    values = ibis.memtable(load_sources(cfg.data, required=needs, extra=extra)[table][[column]])[column]
    if int(matches_any(values, cfg.target.bad_values).sum().execute() or 0):
        return []
    held = sorted(values.name("v").as_table().distinct().limit(10).execute()["v"].tolist(), key=str)
    message = (
        f"{table}.{column} (target.column): no row matches target.bad_value {cfg.target.bad_value!r}; "
        f"the column holds {held}"
    )
    return [Problem(table, f"data.sources.{table}", "config", column, 0, None, message)]
