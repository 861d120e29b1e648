"""Targets of the three cards, from loan_performance as of its latest reported month.

- application: a booked loan is bad when its worst month-end DPD over the ``performance_months`` monthly
  reports after the application month (first statement on) reaches ``bad_dpd``; a worst DPD inside
  ``indeterminate_dpd`` is indeterminate (excluded, or kept as good); a window not fully reported by the
  as-of month is immature (even when already bad, so every cohort is judged on the same window); declined
  or unbooked applications are rejects.
- behaviour: the same over the ``performance_months`` monthly reports from the observation month on (the
  first report not yet known at the observation date).
- collection: cured when a month end after entry shows DPD 0, up to the report of the month holding
  entry + ``cure_days``; ``bad_event`` says whether non-cure (default) or cure is the modelled event;
  immature when that month has not been reported yet.
A booked loan or observed loan with no performance row in its matured window is indeterminate (no evidence).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import ibis
import ibis.expr.types as ir
import pandas as pd

from scorecard.config import Scalar, TargetConfig
from scorecard.features.collection import cure_dates, cure_report_month
from scorecard.features.periods import month_start, months_ahead
from scorecard.features.spine import Sources, Spine, require

READS: dict[str, dict[str, tuple[str, ...]]] = {
    "application": {"loan_performance": ("loan_id", "month", "dpd")},
    "behaviour": {"loan_performance": ("loan_id", "month", "dpd")},
    "collection": {
        "collection_cases": ("case_id", "loan_id", "entry_date"),
        "loan_performance": ("loan_id", "month", "dpd"),
    },
}
"""Per card, the canonical columns its target reads."""

SUMMARY_KEYS: Final = {
    "good": "goods",
    "bad": "bads",
    "indeterminate": "indeterminates",
    "immature": "immature",
    "reject": "rejects",
}
"""target_status value -> its key in ``ModelingTable.target_summary``."""


def application_target(spine: Spine, sources: Sources, cfg: TargetConfig, as_of: dt.date) -> ir.Table:
    """Keys + target + target_status of each application."""
    base = spine.project("loan_id", "decision", "snapshot_date").mutate(
        start=lambda t: months_ahead(month_start(t.snapshot_date), 1)
    )
    t = _worst_in_window(base, sources, list(spine.keys), cfg.performance_months)
    booked = (t.decision == "approved") & t.loan_id.notnull()
    matured = months_ahead(t.start, cfg.performance_months - 1) <= ibis.date(as_of)
    status = ibis.cases((~booked, "reject"), (~matured, "immature"), else_=_outcome(t.worst_dpd, cfg))
    return _with_target(t.select(*spine.keys, "worst_dpd", target_status=status), cfg)


def behaviour_target(spine: Spine, sources: Sources, cfg: TargetConfig, as_of: dt.date) -> ir.Table:
    """Keys + target + target_status of each loan at each observation month."""
    base = spine.project("snapshot_date").mutate(start=lambda t: t.snapshot_date)
    t = _worst_in_window(base, sources, list(spine.keys), cfg.performance_months)
    matured = months_ahead(t.start, cfg.performance_months - 1) <= ibis.date(as_of)
    status = ibis.ifelse(matured, _outcome(t.worst_dpd, cfg), "immature")
    return _with_target(t.select(*spine.keys, "worst_dpd", target_status=status), cfg)


def collection_target(spine: Spine, sources: Sources, cfg: TargetConfig, as_of: dt.date) -> ir.Table:
    """Keys + target + target_status of each collection case (bad = non-cure by default)."""
    cases = require(sources, "collection_cases", "the collection target")
    perf = require(sources, "loan_performance", "the collection target")
    cures = cure_dates(cases, perf, cfg.cure_days)
    t = spine.project("case_id", "snapshot_date").left_join(cures, "case_id")
    matured = cure_report_month(t.snapshot_date, cfg.cure_days) <= ibis.date(as_of)
    cured = t.cure_date.notnull()
    bad = ~cured if cfg.bad_event == "non_cure" else cured
    status = ibis.cases((~matured, "immature"), (bad, "bad"), else_="good")
    target = ibis.cases((status == "bad", 1.0), (status == "good", 0.0), else_=ibis.null("float64"))
    return t.select(*spine.keys, target=target, target_status=status)


ROW_TABLES: dict[str, tuple[str, str]] = {
    "application": ("applications", "application_id"),
    "collection": ("collection_cases", "case_id"),
}
"""Per card with a ready-made target (target.column): the row table and its key."""


def ready_made_reads(card: str, cfg: TargetConfig) -> dict[str, tuple[str, ...]]:
    """The columns a ready-made target reads (its row table's key, outcome and observation date columns)."""
    table, key = ROW_TABLES[card]
    named = (cfg.column, cfg.date_column, cfg.day_offset_column)
    return {table: (key, *(c for c in named if c is not None))}


def ready_made_target(spine: Spine, sources: Sources, cfg: TargetConfig, card: str) -> ir.Table:
    """Keys + target + target_status from the row table's own outcome column.

    bad: a ``bad_value``; indeterminate: an ``indeterminate_values`` value; good: any other known value;
    no value: a reject when the application was not booked (application card, when its decision and loan_id
    are mapped), else immature.
    """
    table, key = ROW_TABLES[card]
    rows = require(sources, table, "target.column")
    outcome = rows.select(key, _outcome=rows[cfg.column or ""])
    booking = ("decision", "loan_id")
    booked = card == "application" and set(booking) <= set(spine.table.columns)
    t = spine.project(*(booking if booked else ())).left_join(outcome, key)
    bad = matches_any(t._outcome, cfg.bad_values)
    indeterminate = matches_any(t._outcome, cfg.indeterminate_values)
    unknown = (
        ibis.ifelse((t.decision == "approved") & t.loan_id.notnull(), "immature", "reject")
        if booked
        else ibis.literal("immature")
    )
    status = ibis.cases(
        (t._outcome.isnull(), unknown), (bad, "bad"), (indeterminate, "indeterminate"), else_="good"
    )
    good = (status == "good") | ((status == "indeterminate") & (cfg.indeterminate == "good"))
    target = ibis.cases((status == "bad", 1.0), (good, 0.0), else_=ibis.null("float64"))
    return t.select(*spine.keys, target=target, target_status=status)


def matches_any(value: ir.Value, wanted: list[Scalar]) -> ir.BooleanValue:
    """Whether ``value`` is one of ``wanted``, compared as numbers, booleans or text after the column's type."""
    dtype = value.type()
    if dtype.is_boolean():
        flags = [_as_bool(v) for v in wanted]
        return value.isin([f for f in flags if f is not None]) if any(f is not None for f in flags) else _no()
    if dtype.is_numeric():
        numbers = [n for n in (_as_number(v) for v in wanted) if n is not None]
        return value.cast("float64").isin(numbers) if numbers else _no()
    return value.cast("string").isin([str(v) for v in wanted]) if wanted else _no()


def _no() -> ir.BooleanValue:
    return ibis.literal(False)


def _as_number(v: Scalar) -> float | None:
    try:
        return float(v)
    except ValueError:
        return None


def _as_bool(v: Scalar) -> bool | None:
    if isinstance(v, bool):
        return v
    return {"1": True, "0": False, "true": True, "false": False}.get(str(v).strip().lower())


def _worst_in_window(base: ir.Table, sources: Sources, keys: list[str], months: int) -> ir.Table:
    """``base`` (with loan_id and window ``start``) + worst_dpd over the months [start, start + months)."""
    perf = require(sources, "loan_performance", "targets")
    perf = perf.select("loan_id", "dpd", month=perf.month.cast("date"))
    windows = base.select(*dict.fromkeys([*keys, "loan_id", "start"]))
    windows = windows.mutate(end=months_ahead(windows.start, months))  # once per row, not per monthly report
    seen = windows.inner_join(perf, "loan_id")
    seen = seen.filter(seen.month >= seen.start, seen.month < seen.end)
    worst = seen.group_by(keys).aggregate(worst_dpd=seen.dpd.max())
    return base.left_join(worst, keys)


def _outcome(worst_dpd: ir.IntegerValue, cfg: TargetConfig) -> ir.StringValue:
    """good / bad / indeterminate from the worst DPD of a matured window."""
    cases: list[tuple[ir.BooleanValue, str]] = [
        (worst_dpd.isnull(), "indeterminate"),
        (worst_dpd >= cfg.bad_dpd, "bad"),
    ]
    if cfg.indeterminate_dpd is not None:
        lo, hi = cfg.indeterminate_dpd
        cases.append((worst_dpd.between(lo, hi), "indeterminate"))
    return ibis.cases(*cases, else_="good")


def _with_target(t: ir.Table, cfg: TargetConfig) -> ir.Table:
    """Adds target: 1 bad, 0 good (and indeterminate kept as good when configured), else null."""
    good = t.target_status == "good"
    if cfg.indeterminate == "good":
        good |= (t.target_status == "indeterminate") & t.worst_dpd.notnull()
    target = ibis.cases((t.target_status == "bad", 1.0), (good, 0.0), else_=ibis.null("float64"))
    return t.mutate(target=target).drop("worst_dpd")


def target_summary(status: pd.Series) -> dict[str, int]:
    """Counts of goods, bads, indeterminates, immature rows and rejects from a target_status column."""
    counts = status.value_counts()
    return {label: int(counts.get(s, 0)) for s, label in SUMMARY_KEYS.items()}
