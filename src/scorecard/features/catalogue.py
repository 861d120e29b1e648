"""The feature catalogue: every feature's stable name, one-line definition, window and kind.

Names are the contract with binning, reason codes and the serving bundle: never rename one, add a new one.
The Ibis expressions live in the family modules (bureau, device, application, behaviour, collection);
a test checks that each family computes exactly the names listed here. Import-light (no ibis, no pandas).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scorecard.errors import ConfigError

Family = Literal["bureau", "device", "application", "behaviour", "collection", "custom"]
Kind = Literal["numerical", "categorical"]
Card = Literal["application", "behaviour", "collection"]

FAMILIES: tuple[Family, ...] = ("bureau", "device", "application", "behaviour", "collection")
"""The built-in families; ``custom`` features are declared per card config (scorecard.features.custom)."""

FAMILY_CARDS: dict[Family, tuple[Card, ...]] = {
    "bureau": ("application", "behaviour", "collection"),
    "device": ("application", "behaviour", "collection"),
    "application": ("application",),
    "behaviour": ("behaviour", "collection"),
    "collection": ("collection",),
    "custom": ("application", "behaviour", "collection"),
}
"""Cards whose modeling rows a family can be computed for (application data exists only at application)."""

DEFAULT_FAMILIES: dict[Card, tuple[Family, ...]] = {
    "application": ("application", "bureau", "device"),
    "behaviour": ("behaviour", "bureau", "device"),
    "collection": ("collection", "behaviour", "bureau"),
}
"""Families a card uses when its config names neither families nor single features."""

FAMILY_RULES: dict[Family, str] = {
    "bureau": "latest report per tradeline with report_date < snapshot; inquiries with inquiry_date < snapshot. "
    "Without any tradeline report or inquiry before the snapshot every bureau feature takes the "
    "'no bureau file' code (features.no_bureau_code, default -1), distinct from a missing value.",
    "device": "the customer's events with event_time < snapshot; at application also the events of the "
    "application's own device session (same application_id, on the application day), nothing later. "
    "The anchor event is the latest counted event (at application: the session itself).",
    "application": "as declared on the application; customer attributes from the customers table.",
    "behaviour": "monthly loan_performance rows whose month has ended before the snapshot "
    "(month + 1 month <= snapshot); an N-month window holds the N calendar months before the snapshot's month.",
    "collection": "the case as recorded at entry; earlier episodes, cures and payments strictly before entry.",
    "custom": "declared in the card's config (features.custom): a pass-through column of the row's "
    "application, case or customer, or an aggregation (count, sum, min, max, mean, last, months_since) over "
    "a child table's rows of the customer dated strictly before the snapshot (a monthly report once its "
    "month has ended), optionally filtered (a SQL predicate) and windowed (window_months / window_days); "
    "with no such row count and sum are 0, the others missing. Child tables: bureau_tradelines, "
    "bureau_inquiries, device_events, applications, loan_performance and collection_cases (the last two "
    "through applications.loan_id).",
}


@dataclass(frozen=True)
class FeatureDef:
    """One feature: stable name, family, one-line definition, look-back window and kind."""

    name: str
    family: Family
    definition: str
    window: str
    kind: Kind = "numerical"

    @property
    def cards(self) -> tuple[Card, ...]:
        return FAMILY_CARDS[self.family]


def _defs(family: Family, rows: list[tuple[str, str, str] | tuple[str, str, str, Kind]]) -> list[FeatureDef]:
    return [FeatureDef(r[0], family, r[1], r[2], *r[3:]) for r in rows]


CATALOGUE: tuple[FeatureDef, ...] = tuple(
    _defs(
        "bureau",
        [
            ("bureau_inq_1m", "Bureau inquiries by any lender", "1 month"),
            ("bureau_inq_3m", "Bureau inquiries by any lender", "3 months"),
            ("bureau_inq_6m", "Bureau inquiries by any lender", "6 months"),
            ("bureau_inq_12m", "Bureau inquiries by any lender", "12 months"),
            ("bureau_lenders_inq_3m", "Distinct lenders with an inquiry (multi-lending)", "3 months"),
            (
                "bureau_open_tradelines",
                "Tradelines open at the snapshot (not closed before it)",
                "latest report",
            ),
            ("bureau_total_limit", "Sum of credit limits of open tradelines", "latest report"),
            (
                "bureau_utilisation",
                "Balance over credit limit summed across open tradelines (missing when the limit is 0)",
                "latest report",
            ),
            ("bureau_worst_dpd_ever", "Worst days past due ever reported on any tradeline", "ever"),
            (
                "bureau_worst_dpd_12m",
                "Worst DPD of tradelines whose last delinquency falls in the window (0 when none)",
                "12 months",
            ),
            (
                "bureau_months_since_delinquency",
                "Whole months since the latest delinquency on any tradeline (missing when never delinquent)",
                "ever",
            ),
            (
                "bureau_months_since_oldest_tradeline",
                "Whole months since the oldest tradeline was opened",
                "ever",
            ),
        ],
    )
    + _defs(
        "device",
        [
            (
                "device_emulator_or_rooted",
                "1 when the anchor event's device is an emulator or rooted, else 0",
                "anchor event",
            ),
            ("device_customers_30d", "Distinct customers seen on the anchor device", "30 days"),
            ("device_customers_90d", "Distinct customers seen on the anchor device", "90 days"),
            ("device_devices_90d", "Distinct devices the customer used", "90 days"),
            ("device_ip_changes_30d", "Times the IP differs from the customer's previous event", "30 days"),
            (
                "device_gps_province_mismatch",
                "1 when the anchor event's GPS province differs from the declared province, 0 when equal",
                "anchor event",
            ),
        ],
    )
    + _defs(
        "application",
        [
            ("app_age_years", "Age in whole years at the application date", "at application"),
            ("app_income", "Declared monthly income", "at application"),
            (
                "app_debt_to_income",
                "Requested monthly instalment (amount / term, interest ignored) over declared monthly income",
                "at application",
            ),
            ("app_requested_amount", "Requested amount", "at application"),
            ("app_requested_term", "Requested term in months", "at application"),
            ("app_channel", "Channel of the application", "at application", "categorical"),
            ("app_product", "Product applied for", "at application", "categorical"),
        ],
    )
    + _defs(
        "behaviour",
        [
            (
                "beh_months_on_book",
                "Whole months from the loan's first reported month to the snapshot's month",
                "ever",
            ),
            ("beh_worst_dpd_3m", "Worst month-end days past due", "3 months"),
            ("beh_worst_dpd_6m", "Worst month-end days past due", "6 months"),
            ("beh_worst_dpd_12m", "Worst month-end days past due", "12 months"),
            ("beh_missed_payments_6m", "Months with an amount due and less than it paid", "6 months"),
            (
                "beh_paid_over_due_6m",
                "Amount paid over amount due (missing when nothing was due)",
                "6 months",
            ),
            (
                "beh_balance_trend_6m",
                "Latest balance over the balance of the window's first reported month",
                "6 months",
            ),
            (
                "beh_utilisation",
                "Latest balance over the loan's original amount (limit for cards)",
                "latest month",
            ),
        ],
    )
    + _defs(
        "collection",
        [
            ("coll_dpd_at_entry", "Days past due when the case entered collection", "at entry"),
            ("coll_balance", "Outstanding balance at entry", "at entry"),
            ("coll_prior_episodes", "Earlier collection cases of the customer", "ever"),
            (
                "coll_prior_cures",
                "Earlier cases of the customer seen cured (back to 0 DPD) before entry",
                "ever",
            ),
            ("coll_contact_attempts", "Contact attempts recorded on the case", "at entry"),
            ("coll_promise_to_pay", "1 when the case holds a promise to pay, else 0", "at entry"),
            (
                "coll_days_since_last_payment",
                "Days from the end of the last month with a payment to entry (missing when none)",
                "ever",
            ),
        ],
    )
)

BY_NAME: dict[str, FeatureDef] = {f.name: f for f in CATALOGUE}


def family_features(family: Family) -> list[str]:
    """Names of one family's features, in catalogue order."""
    return [f.name for f in CATALOGUE if f.family == family]


def for_card(card: Card) -> list[FeatureDef]:
    """Every feature a card can use."""
    return [f for f in CATALOGUE if card in f.cards]


def select_features(
    card: Card, families: Sequence[Family], include: Sequence[str], exclude: Sequence[str]
) -> list[FeatureDef]:
    """The card's features: the named families (or the card's defaults) plus ``include`` minus ``exclude``."""
    for fam in families:
        if card not in FAMILY_CARDS[fam]:
            raise ConfigError(
                f"features.families: family {fam!r} cannot be computed for the {card} card; "
                f"it serves {', '.join(FAMILY_CARDS[fam])}"
            )
    for key, names in (("include", include), ("exclude", exclude)):
        unknown = [n for n in names if n not in BY_NAME]
        if unknown:
            raise ConfigError(
                f"features.{key}: unknown feature(s) {unknown}; see `scorecard features list --card {card}`"
            )
        wrong = [n for n in names if card not in BY_NAME[n].cards]
        if wrong:
            raise ConfigError(f"features.{key}: {wrong} cannot be computed for the {card} card")
    chosen = set(families or (DEFAULT_FAMILIES[card] if not include else ()))
    wanted = {f.name for f in CATALOGUE if f.family in chosen} | set(include)
    return [f for f in CATALOGUE if f.name in wanted and f.name not in exclude]


def catalogue_markdown(card: Card | None = None, custom: Sequence[FeatureDef] = ()) -> str:
    """The catalogue as Markdown: one table per family with its point-in-time rule, then custom features."""
    lines = [
        "# Feature catalogue",
        "",
        "Generated by `scorecard features list --markdown`; do not edit by hand.",
        "Only events strictly before each row's snapshot count (see each family's rule).",
        "",
    ]
    for fam in FAMILIES:
        defs = [f for f in CATALOGUE if f.family == fam and (card is None or card in f.cards)]
        if not defs:
            continue
        lines += [
            f"## {fam}",
            "",
            f"Cards: {', '.join(FAMILY_CARDS[fam])}. Point in time: {FAMILY_RULES[fam]}",
            "",
            "| name | definition | window | kind |",
            "|---|---|---|---|",
        ]
        lines += [f"| `{f.name}` | {f.definition} | {f.window} | {f.kind} |" for f in defs]
        lines.append("")
    lines += [
        "## custom",
        "",
        f"Cards: {', '.join(FAMILY_CARDS['custom'])}. Point in time: {FAMILY_RULES['custom']}",
        "",
    ]
    if custom:
        lines += ["| name | definition | window | kind |", "|---|---|---|---|"]
        lines += [f"| `{f.name}` | {f.definition} | {f.window} | {f.kind} |" for f in custom]
        lines.append("")
    return "\n".join(lines)
