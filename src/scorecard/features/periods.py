"""Calendar arithmetic as portable Ibis expressions (no backend-specific date functions)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def months_ago(date: ir.DateValue, n: int) -> ir.DateValue:
    """The date ``n`` calendar months before ``date`` (end-of-month clamped, as every SQL engine does)."""
    return date - ibis.interval(months=n)


def months_ahead(date: ir.DateValue, n: int) -> ir.DateValue:
    """The date ``n`` calendar months after ``date``."""
    return date + ibis.interval(months=n)


def month_start(date: ir.DateValue) -> ir.DateValue:
    """First day of the date's month."""
    return date.truncate("M")


def whole_months_between(later: ir.DateValue, earlier: ir.DateValue) -> ir.IntegerValue:
    """The largest n with ``earlier + n months <= later``, month-end clamped like ``months_ago``.

    Jan 15 -> Mar 14 is 1; Jan 31 -> Feb 28 is 1 (Jan 31 + 1 month is Feb 28); Jan 31 -> Feb 27 is 0.
    """
    months = (later.year() - earlier.year()) * 12 + (later.month() - earlier.month())
    last_day = (months_ahead(month_start(later), 1) - ibis.interval(days=1)).day()
    short = later.day() < ibis.least(earlier.day(), last_day)
    return months - short.cast("int64")


def month_available(month: ir.DateValue) -> ir.DateValue:
    """When a monthly report (month = its first day, state at month end) becomes known: the next month's first day."""
    return months_ahead(month, 1)


def as_timestamp(date: ir.DateValue) -> ir.TimestampValue:
    """Midnight at the start of ``date``."""
    return date.cast("timestamp")
