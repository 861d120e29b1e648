"""Bureau features: inquiries, tradeline counts, limits, utilisation, delinquency, file age.

Point in time: the latest report per tradeline with report_date < snapshot; inquiries with inquiry_date <
snapshot. A row with neither has no bureau file: every feature takes ``no_bureau_code``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from scorecard.features.periods import months_ago, whole_months_between
from scorecard.features.spine import Sources, Spine, require

INQUIRY_WINDOWS = (1, 3, 6, 12)
READS = {
    "bureau_tradelines": (
        "tradeline_id",
        "customer_id",
        "report_date",
        "open_date",
        "closed_date",
        "last_delinquency_date",
        "credit_limit",
        "balance",
        "worst_dpd",
    ),
    "bureau_inquiries": ("customer_id", "lender", "inquiry_date"),
}
"""The canonical columns the family reads (the build loads only these)."""


def bureau_features(spine: Spine, sources: Sources, no_bureau_code: int) -> ir.Table:
    """Keys + every bureau feature, one row per spine row."""
    keys = list(spine.keys)
    base = spine.project("customer_id", "snapshot_date")
    lines = _tradeline_summary(base, require(sources, "bureau_tradelines", "bureau features"), keys)
    inquiries = _inquiry_summary(base, require(sources, "bureau_inquiries", "bureau features"), keys)
    t = base.left_join(lines, keys).left_join(inquiries, keys)
    has_file = t.n_tradelines.notnull() | t.n_inquiries.notnull()
    snap = t.snapshot_date
    values: dict[str, ir.Value] = {f"bureau_inq_{m}m": t[f"inq_{m}m"].fill_null(0) for m in INQUIRY_WINDOWS}
    values |= {
        "bureau_lenders_inq_3m": t.lenders_3m.fill_null(0),
        "bureau_open_tradelines": t.open_tradelines.fill_null(0),
        "bureau_total_limit": t.open_limit.fill_null(0),
        "bureau_utilisation": ibis.ifelse(t.open_limit > 0, t.open_balance / t.open_limit, ibis.null()),
        "bureau_worst_dpd_ever": t.worst_dpd_ever,
        "bureau_worst_dpd_12m": t.worst_dpd_12m,
        "bureau_months_since_delinquency": whole_months_between(snap, t.last_delinquency),
        "bureau_months_since_oldest_tradeline": whole_months_between(snap, t.oldest_open),
    }
    return t.select(
        *keys,
        **{
            name: ibis.ifelse(has_file, value.cast("float64"), ibis.literal(float(no_bureau_code)))
            for name, value in values.items()
        },
    )


def _tradeline_summary(base: ir.Table, tradelines: ir.Table, keys: list[str]) -> ir.Table:
    """Per spine row: the latest state of each tradeline reported before the snapshot, summarised."""
    tl = tradelines.select(
        "tradeline_id",
        "customer_id",
        report_date=tradelines.report_date.cast("date"),
        open_date=tradelines.open_date.cast("date"),
        closed_date=tradelines.closed_date.cast("date"),
        last_delinquency_date=tradelines.last_delinquency_date.cast("date"),
        credit_limit=tradelines.credit_limit.cast("float64"),
        balance=tradelines.balance.cast("float64"),
        worst_dpd=tradelines.worst_dpd,
    )
    seen = base.inner_join(tl, "customer_id").filter(lambda t: t.report_date < t.snapshot_date)
    newest_first = ibis.row_number().over(group_by=[*keys, "tradeline_id"], order_by=ibis.desc("report_date"))
    latest = seen.mutate(recency=newest_first).filter(lambda t: t.recency == 0)
    is_open = latest.closed_date.isnull() | (latest.closed_date >= latest.snapshot_date)
    recent = latest.last_delinquency_date >= months_ago(latest.snapshot_date, 12)
    return latest.group_by(keys).aggregate(
        n_tradelines=latest.count(),
        open_tradelines=is_open.sum(),
        open_limit=latest.credit_limit.sum(where=is_open),
        open_balance=latest.balance.sum(where=is_open),
        worst_dpd_ever=latest.worst_dpd.max(),
        worst_dpd_12m=ibis.ifelse(recent, latest.worst_dpd, 0).max(),
        last_delinquency=latest.last_delinquency_date.max(),
        oldest_open=latest.open_date.min(),
    )


def _inquiry_summary(base: ir.Table, inquiries: ir.Table, keys: list[str]) -> ir.Table:
    """Per spine row: inquiry counts in each window and distinct lenders in 3 months."""
    inq = inquiries.select("customer_id", "lender", inquiry_date=inquiries.inquiry_date.cast("date"))
    seen = base.inner_join(inq, "customer_id").filter(lambda t: t.inquiry_date < t.snapshot_date)
    within = {m: seen.inquiry_date >= months_ago(seen.snapshot_date, m) for m in INQUIRY_WINDOWS}
    return seen.group_by(keys).aggregate(
        n_inquiries=seen.count(),
        lenders_3m=seen.lender.nunique(where=within[3]),
        **{f"inq_{m}m": seen.count(where=cond) for m, cond in within.items()},
    )
