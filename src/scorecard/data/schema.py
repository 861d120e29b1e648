"""Declared schema of the canonical tables: the contract every source is mapped onto."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:
    import pandas as pd

DType = Literal["string", "int", "float", "bool", "date", "timestamp"]
PiiAction = Literal["drop", "hash"]
SourceTables: TypeAlias = "dict[str, pd.DataFrame]"
"""Canonical tables in memory, keyed by table name (dtypes per CONTRACTS.md, PII already removed)."""


@dataclass(frozen=True)
class Column:
    """One canonical column. ``pii`` columns never travel past ingestion: dropped or keyed-hashed."""

    name: str
    dtype: DType
    nullable: bool = False
    pii: PiiAction | None = None
    allowed: tuple[str, ...] | None = None
    """A fixed vocabulary the toolkit's code reads (e.g. decision); other text columns are open."""
    examples: tuple[str, ...] | None = None
    """An open vocabulary's values in the synthetic portfolio (documentation; any text is accepted)."""
    min: float | None = None
    max: float | None = None
    description: str = ""

    @property
    def pandas_dtype(self) -> str:
        """The column's dtype in memory (CONTRACTS.md): nullable int / bool use pandas' masked dtypes."""
        if self.nullable and self.dtype in _NULLABLE_PANDAS_DTYPES:
            return _NULLABLE_PANDAS_DTYPES[self.dtype]
        return _PANDAS_DTYPES[self.dtype]


_PANDAS_DTYPES = {
    "string": "object",
    "int": "int64",
    "float": "float64",
    "bool": "bool",
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns]",
}
_NULLABLE_PANDAS_DTYPES = {"int": "Int64", "bool": "boolean"}


@dataclass(frozen=True)
class TableSchema:
    """A canonical table: its columns and its key (unique together, never null)."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""
    date_column: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        """Every column, in schema order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")


PROVINCES = (
    "north",
    "south",
    "east",
    "west",
    "central",
    "coast",
    "highlands",
    "lakes",
    "plains",
    "islands",
)
PRODUCTS = ("cash_loan", "credit_card", "pos_loan")
CHANNELS = ("branch", "online", "mobile_app", "agent")
EMPLOYMENT_TYPES = ("salaried", "self_employed", "civil_servant", "student", "unemployed", "retired")
EDUCATION = ("primary", "secondary", "bachelor", "master", "doctorate")
HOUSING = ("own", "mortgage", "rent", "family")
DECISIONS = ("approved", "declined")
TRADELINE_PRODUCTS = ("credit_card", "personal_loan", "mortgage", "auto_loan", "pos_loan", "microloan")
INQUIRY_PURPOSES = ("new_credit", "limit_increase", "account_review", "collection")
OS_NAMES = ("android", "ios", "other")

CUSTOMERS = TableSchema(
    name="customers",
    key=("customer_id",),
    description="One row per customer, with identity (PII) and static attributes.",
    columns=(
        Column("customer_id", "string", description="Stable customer key."),
        Column("full_name", "string", pii="drop", description="Customer's full name."),
        Column("national_id", "string", pii="hash", description="National id number; hashed for blacklists."),
        Column("mobile_phone", "string", pii="hash", description="Mobile phone number."),
        Column("bank_card_number", "string", pii="drop", description="Bank card (PAN) number."),
        Column("birth_date", "date", description="Date of birth."),
        Column("province", "string", examples=PROVINCES, description="Province of residence."),
        Column("city", "string", description="City of residence."),
        Column(
            "income",
            "float",
            nullable=True,
            min=0,
            description="Declared monthly income; missing when not declared.",
        ),
        Column("employment_type", "string", examples=EMPLOYMENT_TYPES),
        Column(
            "employment_years",
            "float",
            nullable=True,
            min=0,
            max=60,
            description="Years with current employer.",
        ),
        Column("education", "string", examples=EDUCATION),
        Column("housing", "string", examples=HOUSING),
    ),
)

APPLICATIONS = TableSchema(
    name="applications",
    key=("application_id",),
    date_column="application_date",
    description="One row per credit application, with the legacy policy's decision and the booked loan.",
    columns=(
        Column("application_id", "string"),
        Column("customer_id", "string"),
        Column("application_date", "date"),
        Column("product", "string", examples=PRODUCTS),
        Column("channel", "string", examples=CHANNELS),
        Column("requested_amount", "float", min=0),
        Column("requested_term", "int", min=1, max=120, description="Requested term in months."),
        Column("declared_province", "string", examples=PROVINCES),
        Column("decision", "string", allowed=DECISIONS, description="Decision of the legacy policy."),
        Column(
            "loan_id", "string", nullable=True, description="Booked loan; null when declined or not taken up."
        ),
    ),
)

BUREAU_TRADELINES = TableSchema(
    name="bureau_tradelines",
    key=("tradeline_id", "report_date"),
    date_column="report_date",
    description="Credit-bureau tradeline states: one row per tradeline per bureau report date.",
    columns=(
        Column("tradeline_id", "string"),
        Column("customer_id", "string"),
        Column("report_date", "date", description="Date the bureau reported this state."),
        Column("lender", "string"),
        Column("product_type", "string", examples=TRADELINE_PRODUCTS),
        Column("open_date", "date"),
        Column("credit_limit", "float", min=0),
        Column("balance", "float", min=0),
        Column("worst_dpd", "int", min=0, description="Worst days past due up to report_date."),
        Column("last_delinquency_date", "date", nullable=True),
        Column("closed_date", "date", nullable=True),
    ),
)

BUREAU_INQUIRIES = TableSchema(
    name="bureau_inquiries",
    key=("inquiry_id",),
    date_column="inquiry_date",
    description="Credit-bureau inquiries (hard pulls) by any lender.",
    columns=(
        Column("inquiry_id", "string"),
        Column("customer_id", "string"),
        Column("inquiry_date", "date"),
        Column("lender", "string"),
        Column("purpose", "string", examples=INQUIRY_PURPOSES),
    ),
)

DEVICE_EVENTS = TableSchema(
    name="device_events",
    key=("event_id",),
    date_column="event_time",
    description="Device and network fingerprints seen during applications and app sessions.",
    columns=(
        Column("event_id", "string"),
        Column("application_id", "string", nullable=True),
        Column("customer_id", "string"),
        Column("event_time", "timestamp"),
        Column("device_id", "string", pii="hash", description="Device identifier; hashed, still joinable."),
        Column("ip", "string", pii="hash", description="IP address; hashed, still countable."),
        Column("os", "string", examples=OS_NAMES),
        Column("is_emulator", "bool"),
        Column("is_rooted", "bool"),
        Column("installed_app_count", "int", nullable=True, min=0),
        Column("gps_province", "string", nullable=True, examples=PROVINCES),
    ),
)

LOAN_PERFORMANCE = TableSchema(
    name="loan_performance",
    key=("loan_id", "month"),
    date_column="month",
    description="Monthly snapshot of each booked loan (month = first day of the month reported).",
    columns=(
        Column("loan_id", "string"),
        Column("month", "date"),
        Column("balance", "float", min=0),
        Column("amount_due", "float", min=0),
        Column("amount_paid", "float", min=0),
        Column("dpd", "int", min=0, description="Days past due at month end."),
    ),
)

COLLECTION_CASES = TableSchema(
    name="collection_cases",
    key=("case_id",),
    date_column="entry_date",
    description="Delinquency episodes entering collection; the outcome is read from loan_performance.",
    columns=(
        Column("case_id", "string"),
        Column("loan_id", "string"),
        Column("entry_date", "date"),
        Column("dpd_at_entry", "int", min=1),
        Column("balance", "float", min=0),
        Column("contact_attempts", "int", min=0),
        Column("promise_to_pay", "bool"),
    ),
)

ColumnReaders: TypeAlias = "dict[str, dict[str, tuple[str, ...]]]"
"""Per canonical table, per column, who reads it (e.g. 'device features', 'policy rule ko_blacklist')."""


@dataclass(frozen=True)
class CardNeeds:
    """What one card reads from the canonical tables, for ingestion and validation.

    ``required``: the columns its spine, target, configured features and policy rules read (besides each
    table's key, always required). ``optional``: columns that other features or rules would read, so that an
    absent one is reported with what it disables.
    """

    required: ColumnReaders
    optional: ColumnReaders = field(default_factory=dict)

    def tables(self) -> list[str]:
        """The canonical tables the card needs, in schema order."""
        return [t for t in TABLES if t in self.required]


TABLES: dict[str, TableSchema] = {
    t.name: t
    for t in (
        CUSTOMERS,
        APPLICATIONS,
        BUREAU_TRADELINES,
        BUREAU_INQUIRIES,
        DEVICE_EVENTS,
        LOAN_PERFORMANCE,
        COLLECTION_CASES,
    )
}
