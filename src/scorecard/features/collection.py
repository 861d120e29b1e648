"""Collection features of a case at entry: DPD, balance, earlier episodes and cures, contacts, promise to pay,
days since the last payment; and each case's cure date (shared with the collection target).

Point in time: the case as recorded at entry; earlier cases with entry_date < entry; a cure counts for an
earlier case only when its month end falls before this entry; payments from months ended before entry.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from scorecard.features.periods import month_available, month_start
from scorecard.features.spine import Sources, Spine, require

READS = {
    "collection_cases": (
        "case_id",
        "loan_id",
        "entry_date",
        "dpd_at_entry",
        "balance",
        "contact_attempts",
        "promise_to_pay",
    ),
    "loan_performance": ("loan_id", "month", "dpd", "amount_paid"),
    "applications": ("loan_id", "customer_id"),
}
"""The canonical columns the family reads (the build loads only these)."""


def month_end(month: ir.DateValue) -> ir.DateValue:
    """Last day of a monthly report's month (when its DPD was measured)."""
    return month_available(month) - ibis.interval(days=1)


def cure_dates(cases: ir.Table, performance: ir.Table, cure_days: int) -> ir.Table:
    """case_id + cure_date: the first month end after entry showing DPD 0, up to the monthly report that
    covers entry + ``cure_days`` (month-end data cannot place a payment more precisely)."""
    perf = performance.select("loan_id", "dpd", month=performance.month.cast("date"))
    entries = cases.select("case_id", "loan_id", entry_date=cases.entry_date.cast("date"))
    t = entries.inner_join(perf, "loan_id").filter(
        lambda t: (
            (month_end(t.month) > t.entry_date)
            & (t.month <= cure_report_month(t.entry_date, cure_days))
            & (t.dpd == 0)
        )
    )
    return t.group_by("case_id").aggregate(cure_date=month_end(t.month).min())


def cure_report_month(entry_date: ir.DateValue, cure_days: int) -> ir.DateValue:
    """The month whose report decides a case's cure: the one holding entry + ``cure_days``."""
    return month_start(entry_date + ibis.interval(days=cure_days))


def collection_features(spine: Spine, sources: Sources, cure_days: int) -> ir.Table:
    """Keys + every collection feature, one row per case (the spine must carry case_id and loan_id)."""
    keys = list(spine.keys)
    cases = require(sources, "collection_cases", "collection features")
    perf = require(sources, "loan_performance", "collection features (cures, payments)")
    apps = require(sources, "applications", "collection features (loan -> customer)")
    base = spine.project("case_id", "loan_id", "customer_id", "snapshot_date")
    recorded = cases.select(
        "case_id", "dpd_at_entry", "contact_attempts", "promise_to_pay", case_balance=cases.balance
    )
    t = (
        base.left_join(recorded, "case_id")
        .left_join(_earlier_episodes(base, cases, perf, apps, keys, cure_days), keys)
        .left_join(_last_payment(base, perf, keys), keys)
    )
    return t.select(
        *keys,
        coll_dpd_at_entry=t.dpd_at_entry.cast("float64"),
        coll_balance=t.case_balance.cast("float64"),
        coll_prior_episodes=t.prior_episodes.fill_null(0).cast("float64"),
        coll_prior_cures=t.prior_cures.fill_null(0).cast("float64"),
        coll_contact_attempts=t.contact_attempts.cast("float64"),
        coll_promise_to_pay=t.promise_to_pay.cast("float64"),
        coll_days_since_last_payment=t.snapshot_date.delta(t.last_payment, unit="day").cast("float64"),
    )


def _earlier_episodes(
    base: ir.Table, cases: ir.Table, perf: ir.Table, apps: ir.Table, keys: list[str], cure_days: int
) -> ir.Table:
    """Per case: the customer's earlier cases and those seen cured before this entry."""
    loans = apps.filter(apps.loan_id.notnull()).select("loan_id", "customer_id")
    earlier = (
        cases.inner_join(loans, "loan_id")
        .left_join(cure_dates(cases, perf, cure_days), "case_id")
        .select(
            "customer_id",
            "cure_date",
            earlier_case=cases.case_id,
            earlier_entry=cases.entry_date.cast("date"),
        )
    )
    t = base.inner_join(earlier, "customer_id").filter(lambda t: t.earlier_entry < t.snapshot_date)
    return t.group_by(keys).aggregate(
        prior_episodes=t.earlier_case.nunique(),
        prior_cures=t.earlier_case.nunique(where=t.cure_date < t.snapshot_date),
    )


def _last_payment(base: ir.Table, perf: ir.Table, keys: list[str]) -> ir.Table:
    """Per case: the month end of the loan's last month with a payment, ended before entry."""
    paid = perf.filter(perf.amount_paid > 0).select("loan_id", month=perf.month.cast("date"))
    t = base.inner_join(paid, "loan_id").filter(lambda t: month_available(t.month) <= t.snapshot_date)
    return t.group_by(keys).aggregate(last_payment=month_end(t.month).max())
