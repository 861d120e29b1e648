"""The spine of each card: one row per modeling unit, its keys, its customer and its snapshot date.

- application: one row per application, snapshot = application date (or the ready-made target's date).
- behaviour: one row per active booked loan per observation month, snapshot = the observation month's first
  day; active = reported in the month before below ``target.bad_dpd`` (and, by default, with a positive
  balance: ``features.observation.active``).
- collection: one row per collection case, snapshot = entry date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from scorecard.config import CardConfig, ObservationConfig, TargetConfig
from scorecard.errors import DataError
from scorecard.features.periods import month_available

Sources = Mapping[str, ir.Table]

READS: dict[str, dict[str, tuple[str, ...]]] = {
    "application": {
        "applications": (
            "application_id",
            "customer_id",
            "application_date",
            "loan_id",
            "decision",
            "declared_province",
        ),
    },
    "behaviour": {
        "loan_performance": ("loan_id", "month", "balance", "dpd"),
        "applications": ("loan_id", "customer_id"),
    },
    "collection": {
        "collection_cases": ("case_id", "loan_id", "entry_date"),
        "applications": ("loan_id", "customer_id"),
    },
}
"""Per card, the canonical columns its spine reads."""


@dataclass(frozen=True)
class Spine:
    """Modeling rows as an Ibis table: ``keys`` + customer_id + snapshot_date (+ card-specific columns)."""

    table: ir.Table
    keys: tuple[str, ...]
    at_application: bool = False
    """True for the application card: the application's own device session counts as point-in-time."""

    def project(self, *columns: str) -> ir.Table:
        """The keys plus ``columns`` (each once, even when a key is named again)."""
        return self.table.select(*dict.fromkeys([*self.keys, *columns]))


def require(sources: Sources, name: str, needed_for: str) -> ir.Table:
    """A source table, or a DataError naming what needs it."""
    if name not in sources:
        raise DataError(
            f"data.sources: table '{name}' is required for {needed_for}; add it to the card's config"
        )
    return sources[name]


def observation_date(rows: ir.Table, canonical: str, target: TargetConfig) -> ir.DateValue:
    """A row's snapshot: ``target.date_column``, or ``anchor_date`` + ``day_offset_column`` days, or the
    canonical date column."""
    if target.date_column is not None:
        return rows[target.date_column].cast("date")
    if target.anchor_date is not None:
        anchor = ibis.literal(target.anchor_date, type="date")
        if target.day_offset_column is None:
            return anchor
        return anchor + rows[target.day_offset_column].cast("int64").as_interval("D")
    return rows[canonical].cast("date")


def spine_reads(cfg: CardConfig) -> dict[str, tuple[str, ...]]:
    """The columns the card's spine reads: ``READS`` without the canonical date when the target names the
    observation date, without the booking (loan_id, decision) beside a ready-made target unless rejects are
    inferred, and without the balance when any reported loan is active."""
    unread = set()
    if cfg.target.date_column is not None or cfg.target.anchor_date is not None:
        unread |= {"application_date", "entry_date"}
    if cfg.card == "application" and cfg.target.column is not None and cfg.reject_inference.method == "none":
        unread |= {"loan_id", "decision"}  # rows without an outcome are then immature, never rejects
    if cfg.features.observation.active == "reported":
        unread.add("balance")
    return {table: tuple(c for c in cols if c not in unread) for table, cols in READS[cfg.card].items()}


def application_spine(sources: Sources, target: TargetConfig) -> Spine:
    """One row per application, at the application date (or the target's observation date)."""
    apps = require(sources, "applications", "the application card")
    carried = [c for c in ("loan_id", "decision", "declared_province") if c in apps.columns]  # those read
    table = apps.select(
        "application_id",
        "customer_id",
        *carried,
        snapshot_date=observation_date(apps, "application_date", target),
    )
    return Spine(table, ("application_id",), at_application=True)


def observation_months(cfg: ObservationConfig, first_month: dt.date, last_month: dt.date) -> list[dt.date]:
    """Observation dates (first of month) every ``cadence_months`` from start to end, both inclusive.

    Defaults: start = the month after the first reported month; end = the month after the last one.
    """
    start = _first_of_month(cfg.start) if cfg.start else _add_months(first_month, 1)
    end = _first_of_month(cfg.end) if cfg.end else _add_months(last_month, 1)
    n = (end.year - start.year) * 12 + end.month - start.month
    return [_add_months(start, k) for k in range(0, n + 1, cfg.cadence_months)]


def _first_of_month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, m + 1, 1)


def active_rule(cfg: CardConfig) -> str:
    """How the behaviour card decides that a loan is active at an observation month, in words."""
    balance = " with a balance above 0" if cfg.features.observation.active == "positive_balance" else ""
    return (
        f"reported in the month before{balance} and DPD below target.bad_dpd ({cfg.target.bad_dpd}); "
        f"features.observation.active: {cfg.features.observation.active}"
    )


def behaviour_spine(sources: Sources, cfg: CardConfig, months: list[dt.date]) -> Spine:
    """Active booked loans at each observation month (see ``active_rule``)."""
    perf = require(sources, "loan_performance", "the behaviour card")
    apps = require(sources, "applications", "the behaviour card (loan -> customer)")
    obs = ibis.memtable({"snapshot_date": months}, schema={"snapshot_date": "date"})
    active = perf.filter(perf.dpd < cfg.target.bad_dpd)
    if cfg.features.observation.active == "positive_balance":
        active = active.filter(active.balance > 0)
    active = active.select("loan_id", snapshot_date=month_available(perf.month.cast("date")))
    active = active.inner_join(obs, "snapshot_date")
    loans = apps.filter(apps.loan_id.notnull()).select("loan_id", "customer_id")
    table = active.inner_join(loans, "loan_id").select("loan_id", "snapshot_date", "customer_id")
    return Spine(table, ("loan_id", "snapshot_date"))


def collection_spine(sources: Sources, target: TargetConfig) -> Spine:
    """One row per collection case, at its entry date (or the target's observation date)."""
    cases = require(sources, "collection_cases", "the collection card")
    apps = require(sources, "applications", "the collection card (loan -> customer)")
    loans = apps.filter(apps.loan_id.notnull()).select("loan_id", "customer_id")
    table = cases.left_join(loans, "loan_id").select(
        "case_id",
        cases.loan_id,
        "customer_id",
        snapshot_date=observation_date(cases, "entry_date", target),
    )
    return Spine(table, ("case_id",))
