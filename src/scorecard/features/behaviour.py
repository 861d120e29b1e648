"""Behaviour features of a booked loan: months on book, worst DPD, missed payments, payment ratio, balance
trend, utilisation.

Point in time: a monthly report (month = its first day, state at month end) counts once its month has ended
before the snapshot (month + 1 month <= snapshot). An N-month window holds the N calendar months before the
snapshot's month.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from scorecard.features.periods import month_available, month_start, months_ago, whole_months_between
from scorecard.features.spine import Sources, Spine, require

DPD_WINDOWS = (3, 6, 12)
READS = {
    "loan_performance": ("loan_id", "month", "balance", "amount_due", "amount_paid", "dpd"),
    "applications": ("loan_id", "requested_amount"),
}
"""The canonical columns the family reads (the build loads only these)."""


def behaviour_features(spine: Spine, sources: Sources) -> ir.Table:
    """Keys + every behaviour feature, one row per spine row (the spine must carry loan_id)."""
    keys = list(spine.keys)
    perf = require(sources, "loan_performance", "behaviour features")
    perf = perf.select(
        "loan_id",
        "dpd",
        month=perf.month.cast("date"),
        balance=perf.balance.cast("float64"),
        amount_due=perf.amount_due.cast("float64"),
        amount_paid=perf.amount_paid.cast("float64"),
    )
    base = spine.project("loan_id", "snapshot_date")
    base = base.mutate(obs_month=month_start(base.snapshot_date))
    seen = base.inner_join(perf, "loan_id").filter(lambda t: month_available(t.month) <= t.snapshot_date)
    within = {n: seen.month >= months_ago(seen.obs_month, n) for n in DPD_WINDOWS}
    missed = within[6] & (seen.amount_due > 0) & (seen.amount_paid < seen.amount_due)
    summary = seen.group_by(keys).aggregate(
        first_month=seen.month.min(),
        obs_month=seen.obs_month.max(),
        missed_6m=seen.count(where=missed),
        paid_6m=seen.amount_paid.sum(where=within[6]),
        due_6m=seen.amount_due.sum(where=within[6]),
        latest_balance=seen.balance.argmax(seen.month),
        window_first_balance=seen.balance.argmin(seen.month, where=within[6]),
        **{f"worst_dpd_{n}m": seen.dpd.max(where=within[n]) for n in DPD_WINDOWS},
    )
    apps = require(sources, "applications", "beh_utilisation (the loan's original amount)")
    amounts = apps.filter(apps.loan_id.notnull()).select(
        "loan_id", original_amount=apps.requested_amount.cast("float64")
    )
    t = spine.project("loan_id").left_join(summary, keys).left_join(amounts, "loan_id")
    return t.select(
        *keys,
        beh_months_on_book=whole_months_between(t.obs_month, t.first_month).cast("float64"),
        **{f"beh_worst_dpd_{n}m": t[f"worst_dpd_{n}m"].cast("float64") for n in DPD_WINDOWS},
        beh_missed_payments_6m=t.missed_6m.cast("float64"),
        beh_paid_over_due_6m=ibis.ifelse(t.due_6m > 0, t.paid_6m / t.due_6m, ibis.null("float64")),
        beh_balance_trend_6m=ibis.ifelse(
            t.window_first_balance > 0, t.latest_balance / t.window_first_balance, ibis.null("float64")
        ),
        beh_utilisation=ibis.ifelse(
            t.original_amount > 0, t.latest_balance / t.original_amount, ibis.null("float64")
        ),
    )
