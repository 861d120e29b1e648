"""Application features: age, income, debt-to-income, requested amount and term, channel, product.

Point in time: the application's own declared values and the customer's static attributes.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from scorecard.features.periods import whole_months_between
from scorecard.features.spine import Sources, Spine, require

READS = {
    "applications": ("application_id", "requested_amount", "requested_term", "channel", "product"),
    "customers": ("customer_id", "birth_date", "income"),
}
"""The canonical columns the family reads (the build loads only these)."""


def application_features(spine: Spine, sources: Sources) -> ir.Table:
    """Keys + every application feature, one row per application."""
    apps = require(sources, "applications", "application features")
    customers = require(sources, "customers", "application features (birth date, income)")
    declared = apps.select("application_id", "requested_amount", "requested_term", "channel", "product")
    people = customers.select(
        "customer_id", birth_date=customers.birth_date.cast("date"), income=customers.income
    )
    t = (
        spine.table.select("application_id", "customer_id", "snapshot_date")
        .left_join(declared, "application_id")
        .left_join(people, "customer_id")
    )
    income = t.income.cast("float64")
    instalment = t.requested_amount.cast("float64") / t.requested_term.cast("float64")
    return t.select(
        "application_id",
        app_age_years=(whole_months_between(t.snapshot_date, t.birth_date) // 12).cast("float64"),
        app_income=income,
        app_debt_to_income=ibis.ifelse(income > 0, instalment / income, ibis.null("float64")),
        app_requested_amount=t.requested_amount.cast("float64"),
        app_requested_term=t.requested_term.cast("float64"),
        app_channel=t.channel.cast("string"),
        app_product=t.product.cast("string"),
    )
