"""Bureau features: inquiries, tradeline counts, limits, utilisation, delinquency, file age.

Point in time: the latest report per tradeline with report_date < snapshot; inquiries with inquiry_date <
snapshot. A row with neither has no bureau file: every feature takes ``no_bureau_code``. Only the features
asked for are computed, from only the columns they read (``reads``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial

import ibis
import ibis.expr.types as ir

from scorecard.features.catalogue import family_features
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
"""The canonical columns the family reads (the build loads only those its chosen features read)."""

_FILE_READS = {"bureau_tradelines": ("tradeline_id", "customer_id", "report_date"), "bureau_inquiries": ()}
"""What every bureau feature reads: whether the row has a bureau file at all (any report or inquiry)."""
_SUMMARIES: dict[str, tuple[str, ...]] = {
    "bureau_lenders_inq_3m": ("lenders_3m",),
    "bureau_open_tradelines": ("open_tradelines",),
    "bureau_total_limit": ("open_limit",),
    "bureau_utilisation": ("open_limit", "open_balance"),
    "bureau_worst_dpd_ever": ("worst_dpd_ever",),
    "bureau_worst_dpd_12m": ("worst_dpd_12m",),
    "bureau_months_since_delinquency": ("last_delinquency",),
    "bureau_months_since_oldest_tradeline": ("oldest_open",),
} | {f"bureau_inq_{m}m": (f"inq_{m}m",) for m in INQUIRY_WINDOWS}
"""Feature -> the per-row summaries (tradeline or inquiry aggregates) it is computed from."""
_TRADELINE_READS = {
    "open_tradelines": ("closed_date",),
    "open_limit": ("closed_date", "credit_limit"),
    "open_balance": ("closed_date", "balance"),
    "worst_dpd_ever": ("worst_dpd",),
    "worst_dpd_12m": ("last_delinquency_date", "worst_dpd"),
    "last_delinquency": ("last_delinquency_date",),
    "oldest_open": ("open_date",),
}
"""Tradeline summary -> the tradeline columns it reads (besides the file's)."""
_TYPES = {
    "report_date": "date",
    "open_date": "date",
    "closed_date": "date",
    "last_delinquency_date": "date",
    "credit_limit": "float64",
    "balance": "float64",
}


def reads(names: Collection[str] | None = None) -> dict[str, tuple[str, ...]]:
    """The columns the named bureau features read (every feature of the family without names)."""
    summaries = _summaries(names)
    used = {c for s in summaries for c in _TRADELINE_READS.get(s, ())} | {*_FILE_READS["bureau_tradelines"]}
    used |= {"customer_id", "inquiry_date"} | ({"lender"} if "lenders_3m" in summaries else set())
    return {table: tuple(c for c in columns if c in used) for table, columns in READS.items()}


def bureau_features(
    spine: Spine, sources: Sources, no_bureau_code: int, names: Collection[str] | None = None
) -> ir.Table:
    """Keys + the named bureau features (every one without names), one row per spine row."""
    keys = list(spine.keys)
    wanted = [n for n in family_features("bureau") if names is None or n in names]
    summaries = _summaries(wanted)
    base = spine.project("customer_id", "snapshot_date")
    tradelines = require(sources, "bureau_tradelines", "bureau features")
    lines = _tradeline_summary(base, tradelines, keys, [s for s in summaries if s in _TRADELINE_READS])
    inquiries = _inquiry_summary(
        base, require(sources, "bureau_inquiries", "bureau features"), keys, summaries
    )
    t = base.left_join(lines, keys).left_join(inquiries, keys)
    has_file = t.n_tradelines.notnull() | t.n_inquiries.notnull()
    snap = t.snapshot_date
    formulas: dict[str, Callable[[], ir.Value]] = {
        **{f"bureau_inq_{m}m": partial(_count, t, f"inq_{m}m") for m in INQUIRY_WINDOWS},
        "bureau_lenders_inq_3m": lambda: t.lenders_3m.fill_null(0),
        "bureau_open_tradelines": lambda: t.open_tradelines.fill_null(0),
        "bureau_total_limit": lambda: t.open_limit.fill_null(0),
        "bureau_utilisation": lambda: ibis.ifelse(
            t.open_limit > 0, t.open_balance / t.open_limit, ibis.null()
        ),
        "bureau_worst_dpd_ever": lambda: t.worst_dpd_ever,
        "bureau_worst_dpd_12m": lambda: t.worst_dpd_12m,
        "bureau_months_since_delinquency": lambda: whole_months_between(snap, t.last_delinquency),
        "bureau_months_since_oldest_tradeline": lambda: whole_months_between(snap, t.oldest_open),
    }
    return t.select(
        *keys,
        **{
            name: ibis.ifelse(has_file, formulas[name]().cast("float64"), ibis.literal(float(no_bureau_code)))
            for name in wanted
        },
    )


def _count(t: ir.Table, column: str) -> ir.Value:
    return t[column].fill_null(0)


def _summaries(names: Collection[str] | None) -> list[str]:
    """The per-row summaries the named features need, in a stable order."""
    chosen = family_features("bureau") if names is None else names
    return list(dict.fromkeys(s for n in chosen for s in _SUMMARIES.get(n, ())))


def _tradeline_summary(
    base: ir.Table, tradelines: ir.Table, keys: list[str], summaries: list[str]
) -> ir.Table:
    """Per spine row: the latest state of each tradeline reported before the snapshot, summarised (only
    whether there is any report when no tradeline summary is asked for)."""
    used = {*_FILE_READS["bureau_tradelines"], *(c for s in summaries for c in _TRADELINE_READS[s])}
    tl = tradelines.select(
        *(
            tradelines[c].cast(_TYPES[c]).name(c) if c in _TYPES else tradelines[c]
            for c in READS["bureau_tradelines"]
            if c in used
        )
    )
    seen = base.inner_join(tl, "customer_id").filter(lambda t: t.report_date < t.snapshot_date)
    if not summaries:
        return seen.group_by(keys).aggregate(n_tradelines=seen.count())
    # the latest report as an aggregate (an ordered first on DuckDB, max_by on Spark; a null value is kept):
    # half the CPU of a row_number window over the same rows; (tradeline_id, report_date) is the table's key
    state = [c for c in tl.columns if c not in _FILE_READS["bureau_tradelines"]]
    latest = seen.group_by(list(dict.fromkeys([*keys, "snapshot_date", "tradeline_id"]))).aggregate(
        **{c: seen[c].argmax(seen.report_date) for c in state}
    )

    def is_open() -> ir.BooleanValue:
        return latest.closed_date.isnull() | (latest.closed_date >= latest.snapshot_date)

    def recent() -> ir.BooleanValue:
        return latest.last_delinquency_date >= months_ago(latest.snapshot_date, 12)

    aggregates: dict[str, Callable[[], ir.Value]] = {
        "open_tradelines": lambda: is_open().sum(),
        "open_limit": lambda: latest.credit_limit.sum(where=is_open()),
        "open_balance": lambda: latest.balance.sum(where=is_open()),
        "worst_dpd_ever": lambda: latest.worst_dpd.max(),
        "worst_dpd_12m": lambda: ibis.ifelse(recent(), latest.worst_dpd, 0).max(),
        "last_delinquency": lambda: latest.last_delinquency_date.max(),
        "oldest_open": lambda: latest.open_date.min(),
    }
    return latest.group_by(keys).aggregate(
        n_tradelines=latest.count(), **{s: aggregates[s]() for s in summaries}
    )


def _inquiry_summary(base: ir.Table, inquiries: ir.Table, keys: list[str], summaries: list[str]) -> ir.Table:
    """Per spine row: inquiry counts in the windows asked for and distinct lenders in 3 months."""
    columns = {"inquiry_date": inquiries.inquiry_date.cast("date")}
    if "lenders_3m" in summaries:
        columns["lender"] = inquiries.lender
    inq = inquiries.select("customer_id", **columns)
    seen = base.inner_join(inq, "customer_id").filter(lambda t: t.inquiry_date < t.snapshot_date)
    within = {m: seen.inquiry_date >= months_ago(seen.snapshot_date, m) for m in INQUIRY_WINDOWS}
    counts: dict[str, ir.Value] = {
        f"inq_{m}m": seen.count(where=c) for m, c in within.items() if f"inq_{m}m" in summaries
    }
    if "lenders_3m" in summaries:
        counts["lenders_3m"] = seen.lender.nunique(where=within[3])
    return seen.group_by(keys).aggregate(n_inquiries=seen.count(), **counts)
