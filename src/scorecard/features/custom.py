"""Custom features declared in a card's config (``features.custom``), compiled to Ibis like the built-in families.

- Pass-through (no ``agg``): a column of a row table, as it is on the row: ``applications`` (by application_id
  on the application card, by the row's loan on the others), ``collection_cases`` (collection card) or
  ``customers`` (the row's customer).
- Aggregation: count, sum, min, max, mean, last (value of the latest dated row) or months_since (whole months
  since the latest dated row) over a child table's rows of the row's customer, optionally kept by a SQL
  ``filter`` and limited to a window before the snapshot.

Point in time: a child row counts only when dated strictly before the snapshot (a monthly report once its
month has ended: month + 1 month <= snapshot). No matching row: count and sum are 0, the others missing.
Columns may be canonical or any column of the table's source (carried through ingestion by name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import sqlglot
from sqlglot import exp

from scorecard.config import CardConfig, CustomFeatureConfig
from scorecard.data.schema import TABLES
from scorecard.errors import ConfigError, DataError
from scorecard.features.catalogue import BY_NAME, FeatureDef
from scorecard.features.periods import (
    as_timestamp,
    month_available,
    month_start,
    months_ago,
    whole_months_between,
)
from scorecard.features.spine import Sources, Spine, require


@dataclass(frozen=True)
class ChildTable:
    """How a child table's rows reach a spine row: its date column and whether it links through loans."""

    date: str
    via_loan: bool = False
    monthly: bool = False


CHILD_TABLES: dict[str, ChildTable] = {
    "bureau_tradelines": ChildTable("report_date"),
    "bureau_inquiries": ChildTable("inquiry_date"),
    "device_events": ChildTable("event_time"),
    "applications": ChildTable("application_date"),
    "loan_performance": ChildTable("month", via_loan=True, monthly=True),
    "collection_cases": ChildTable("entry_date", via_loan=True),
}
"""Tables a custom aggregation can read; rows link to the customer (through applications.loan_id when
``via_loan``)."""

ROW_TABLES: dict[str, tuple[str, ...]] = {
    "application": ("applications", "customers"),
    "behaviour": ("applications", "customers"),
    "collection": ("collection_cases", "applications", "customers"),
}
"""Per card, the tables a pass-through feature can read (one row per spine row)."""

_BINARY: dict[type[exp.Expression], Callable[[ir.Value, ir.Value], ir.Value]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
    exp.And: lambda a, b: a & b,
    exp.Or: lambda a, b: a | b,
    exp.Add: lambda a, b: a + b,
    exp.Sub: lambda a, b: a - b,
    exp.Mul: lambda a, b: a * b,
    exp.Div: lambda a, b: a / b,
}


def custom_defs(cfg: CardConfig) -> list[FeatureDef]:
    """The card's custom features as catalogue entries (checked against the card: one line per problem)."""
    return [_definition(f, cfg.card) for f in cfg.features.custom]


def custom_reads(cfg: CardConfig) -> dict[str, tuple[str, ...]]:
    """Per table, every column the card's custom features read: keys, dates, values and filter columns."""
    reads: dict[str, list[str]] = {}
    for f in cfg.features.custom:
        _definition(f, cfg.card)
        columns = [c for c in (f.column, *filter_columns(f)) if c is not None]
        if f.agg is None:
            columns = [*_row_key(f.table, cfg.card), *columns]
        else:
            child = CHILD_TABLES[f.table]
            columns = ["loan_id" if child.via_loan else "customer_id", child.date, *columns]
            if child.via_loan:
                reads.setdefault("applications", []).extend(["loan_id", "customer_id"])
        reads.setdefault(f.table, []).extend(columns)
    return {t: tuple(dict.fromkeys(cols)) for t, cols in reads.items()}


def readers(cfg: CardConfig) -> dict[str, dict[str, str]]:
    """Per table, the non-canonical source columns custom features read -> 'features.custom[name].key'."""
    out: dict[str, dict[str, str]] = {}
    for f in cfg.features.custom:
        named = [("column", f.column), *(("filter", c) for c in filter_columns(f))]
        for key, column in named:
            if column is not None and column not in TABLES[f.table].column_names:
                out.setdefault(f.table, {}).setdefault(column, f"features.custom[{f.name}].{key}")
    return out


def filter_columns(f: CustomFeatureConfig) -> list[str]:
    """The column names a feature's filter reads."""
    if f.filter is None:
        return []
    tree = _parse(f)
    return list(dict.fromkeys(c.name for c in tree.find_all(exp.Column)))


def custom_features(spine: Spine, sources: Sources, cfg: CardConfig) -> ir.Table:
    """Keys + every custom feature, one row per spine row."""
    keys = list(spine.keys)
    t = spine.project("customer_id", *(["loan_id"] if "loan_id" in spine.table.columns else []))
    by_table: dict[str, list[CustomFeatureConfig]] = {}
    for f in cfg.features.custom:
        by_table.setdefault(f.table, []).append(f)
    values: dict[str, ir.Value] = {}
    for table, features in by_table.items():
        source = require(sources, table, f"features.custom[{features[0].name}]")
        passed = [f for f in features if f.agg is None]
        aggregated = [f for f in features if f.agg is not None]
        if passed:
            on = _row_key(table, cfg.card)[0]
            row = source.filter(source[on].notnull()).select(
                on, **{f"_{f.name}": _value(source, f) for f in passed}
            )
            t = t.left_join(row, on)
        if aggregated:
            t = t.left_join(_aggregate(spine, sources, source, table, aggregated), keys)
    for f in cfg.features.custom:
        value = t[f"_{f.name}"]
        if f.agg in ("count", "sum"):
            value = value.fill_null(0)
        values[f.name] = value.cast("string") if f.kind == "categorical" else value.cast("float64")
    return t.select(*keys, **values)


def _aggregate(
    spine: Spine, sources: Sources, source: ir.Table, table: str, features: list[CustomFeatureConfig]
) -> ir.Table:
    """Per spine row, the aggregations over the child table's rows of the row's customer before the snapshot."""
    keys = list(spine.keys)
    child = CHILD_TABLES[table]
    rows = source
    if child.via_loan:
        apps = require(sources, "applications", f"features.custom[{features[0].name}] (loan -> customer)")
        loans = apps.filter(apps.loan_id.notnull()).select(_loan="loan_id", _customer="customer_id")
        rows = rows.inner_join(loans, rows.loan_id == loans._loan)
    dated = rows[child.date].cast("timestamp" if table == "device_events" else "date")
    projected = rows.select(
        customer_id=rows["_customer" if child.via_loan else "customer_id"],
        _date=dated,
        **{f"_v_{f.name}": _value(rows, f) for f in features if f.column is not None},
        **{f"_k_{f.name}": _keep(rows, f) for f in features},
    )
    base = spine.project("customer_id", "snapshot_date")
    seen = base.inner_join(projected, "customer_id")
    snap = seen.snapshot_date
    if child.monthly:
        seen = seen.filter(month_available(seen._date) <= snap)
    elif table == "device_events":
        seen = seen.filter(seen._date < as_timestamp(snap))
    else:
        seen = seen.filter(seen._date < snap)
    return seen.group_by(keys).aggregate(**{f"_{f.name}": _reduce(seen, f, child) for f in features})


def _reduce(seen: ir.Table, f: CustomFeatureConfig, child: ChildTable) -> ir.Value:
    """One aggregation over the rows kept by the feature's filter and window."""
    where = seen[f"_k_{f.name}"] & _window(seen, f, child)
    if f.agg == "count":
        return seen.count(where=where) if f.column is None else seen[f"_v_{f.name}"].count(where=where)
    if f.agg == "months_since":
        latest = (seen[f"_v_{f.name}"] if f.column else seen._date).max(where=where)
        return whole_months_between(seen.snapshot_date.max(), latest.cast("date"))
    value = seen[f"_v_{f.name}"]
    if f.agg == "last":
        return value.argmax(seen._date, where=where)
    return {"sum": value.sum, "min": value.min, "max": value.max, "mean": value.mean}[f.agg or ""](
        where=where
    )


def _window(seen: ir.Table, f: CustomFeatureConfig, child: ChildTable) -> ir.BooleanValue:
    snap = seen.snapshot_date
    if f.window_months:
        start = months_ago(month_start(snap) if child.monthly else snap, f.window_months)
        return seen._date >= (as_timestamp(start) if child.date == "event_time" else start)
    if f.window_days:
        start = snap - ibis.interval(days=f.window_days)
        return seen._date >= (as_timestamp(start) if child.date == "event_time" else start)
    return ibis.literal(True)


def _value(table: ir.Table, f: CustomFeatureConfig) -> ir.Value:
    """The column a feature reads, typed: float for numerical reads, text for categorical ones, dates as dates."""
    column = table[_column_name(table, f, f.column or "")]
    where = f"{f.table}.{f.column}"
    if f.agg == "months_since":
        if not (column.type().is_temporal() or column.type().is_string()):
            raise DataError(f"{where} (features.custom[{f.name}].column) is {column.type()}; expected dates")
        return column.cast("date")
    if f.kind == "categorical":
        return column.cast("string")
    if f.agg == "count":
        return column
    if not (column.type().is_numeric() or column.type().is_boolean()):
        raise DataError(
            f"{where} (features.custom[{f.name}].column) holds {column.type()} values; expected numbers "
            "(or set kind: categorical)"
        )
    return column.cast("float64")


def _keep(table: ir.Table, f: CustomFeatureConfig) -> ir.BooleanValue:
    """The feature's filter as an Ibis predicate (true when none); nulls count as false."""
    if f.filter is None:
        return ibis.literal(True)
    try:
        predicate = _compile(_parse(f), table, f)
        return predicate.fill_null(False)
    except (AttributeError, TypeError, ValueError, ibis.common.exceptions.IbisError) as exc:
        raise ConfigError(
            f"features.custom[{f.name}].filter: cannot compile {f.filter!r} over {f.table} ({exc})"
        ) from None


def _parse(f: CustomFeatureConfig) -> exp.Expression:
    try:
        tree = sqlglot.parse_one(f.filter or "", read="duckdb")
    except sqlglot.errors.ParseError as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError(f"features.custom[{f.name}].filter: not a SQL predicate ({first})") from None
    return tree


def _compile(node: exp.Expression, table: ir.Table, f: CustomFeatureConfig) -> ir.Value:
    """A SQL predicate's tree as an Ibis expression over ``table`` (comparisons, logic, IN, BETWEEN, LIKE, IS NULL)."""

    def go(n: exp.Expression) -> ir.Value:
        return _compile(n, table, f)

    if isinstance(node, exp.Paren):
        return go(node.this)
    if isinstance(node, exp.Column):
        return table[_column_name(table, f, node.name)]
    if isinstance(node, exp.Literal):
        text = str(node.this)
        if node.is_string:
            return ibis.literal(text)
        return ibis.literal(float(text) if any(c in text for c in ".eE") else int(text))
    if isinstance(node, exp.Boolean):
        return ibis.literal(bool(node.this))
    if isinstance(node, exp.Null):
        return ibis.null()
    if isinstance(node, exp.Not):
        if isinstance(node.this, exp.Is):
            return go(node.this.this).notnull()
        return ~go(node.this)
    if isinstance(node, exp.Neg):
        return -go(node.this)
    if isinstance(node, exp.Is):
        return go(node.this).isnull()
    if isinstance(node, exp.In):
        return go(node.this).isin([go(e) for e in node.expressions])
    if isinstance(node, exp.Between):
        return go(node.this).between(go(node.args["low"]), go(node.args["high"]))
    if isinstance(node, exp.Like | exp.ILike):
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise ConfigError(f"features.custom[{f.name}].filter: LIKE needs a quoted pattern")
        column = go(node.this)
        return column.ilike(pattern.this) if isinstance(node, exp.ILike) else column.like(pattern.this)
    combine = _BINARY.get(type(node))
    if combine is not None:
        return combine(go(node.this), go(node.expression))
    raise ConfigError(
        f"features.custom[{f.name}].filter: {node.sql('duckdb')!r} is not supported; use columns, literals, "
        "comparisons, AND/OR/NOT, + - * /, IN (...), BETWEEN, LIKE, IS [NOT] NULL"
    )


def _column_name(table: ir.Table, f: CustomFeatureConfig, name: str) -> str:
    """The table's column of that name (case-insensitive), or a one-line error naming the feature."""
    by_lower = {c.lower(): c for c in table.columns}
    if name.lower() not in by_lower:
        raise DataError(
            f"features.custom[{f.name}]: {f.table} has no column {name!r}; it has {sorted(table.columns)}"
        )
    return by_lower[name.lower()]


def _row_key(table: str, card: str) -> tuple[str, ...]:
    """The key a pass-through table joins the spine on."""
    if table == "applications":
        return ("application_id",) if card == "application" else ("loan_id",)
    return {"collection_cases": ("case_id",), "customers": ("customer_id",)}[table]


def _definition(f: CustomFeatureConfig, card: str) -> FeatureDef:
    """The feature's catalogue entry; a ConfigError (one line, naming the feature and key) when it cannot apply."""
    where = f"features.custom[{f.name}]"
    if f.name in BY_NAME:
        raise ConfigError(f"{where}.name: {f.name!r} is a built-in feature; choose another name")
    if f.agg is None and f.table not in ROW_TABLES[card]:
        raise ConfigError(
            f"{where}.table: a pass-through reads one row per {card} row: one of {list(ROW_TABLES[card])}; "
            f"got {f.table!r} (aggregate it with agg)"
        )
    if f.agg is not None and f.table not in CHILD_TABLES:
        raise ConfigError(
            f"{where}.table: aggregations read a child table, one of {list(CHILD_TABLES)}; got {f.table!r}"
        )
    if f.filter is not None:
        _parse(f)
    column = f.column or "rows"
    what = f"{f.table}.{column}" if f.agg is None else f"{f.agg} of {f.table}.{column}"
    if f.filter:
        what += f" where {f.filter}"
    window = (
        f"{f.window_months} months"
        if f.window_months
        else f"{f.window_days} days"
        if f.window_days
        else ("at the row" if f.agg is None else "ever")
    )
    return FeatureDef(f.name, "custom", f.definition or what, window, f.kind)
