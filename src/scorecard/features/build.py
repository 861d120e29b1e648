"""Build a card's modeling table: spine -> feature families -> target -> splits, on an Ibis backend.

The feature definitions (family modules) are backend-neutral Ibis expressions; this module is the edge that
picks the engine (DuckDB, in memory or in a database file), loads the canonical tables into it, materialises
each step and brings the result back as pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from scorecard.config import CardConfig, FeaturesConfig
from scorecard.data.schema import TABLES, DType, SourceTables
from scorecard.errors import DataError
from scorecard.features.application import application_features
from scorecard.features.attributes import attribute_table, policy_attributes
from scorecard.features.behaviour import behaviour_features
from scorecard.features.bureau import bureau_features
from scorecard.features.catalogue import Family, FeatureDef, select_features
from scorecard.features.collection import collection_features
from scorecard.features.device import device_features
from scorecard.features.reads import card_needs, columns_read
from scorecard.features.spine import (
    Sources,
    Spine,
    application_spine,
    behaviour_spine,
    collection_spine,
    observation_months,
    require,
)
from scorecard.features.splits import assign_splits
from scorecard.features.targets import (
    application_target,
    behaviour_target,
    collection_target,
    target_summary,
)

OnStep = Callable[[str], None]

_ARROW_TYPES: dict[DType, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}

_FAMILIES: dict[Family, Callable[[Spine, Sources, CardConfig], ir.Table]] = {
    "bureau": lambda s, src, cfg: bureau_features(s, src, cfg.features.no_bureau_code),
    "device": lambda s, src, cfg: device_features(s, src),
    "application": lambda s, src, cfg: application_features(s, src),
    "behaviour": lambda s, src, cfg: behaviour_features(s, src),
    "collection": lambda s, src, cfg: collection_features(s, src, cfg.target.cure_days),
}

_TARGETS = {"application": application_target, "behaviour": behaviour_target, "collection": collection_target}


@dataclass
class ModelingTable:
    """One card's modeling rows: keys, snapshot_date, features, target, target_status, split."""

    frame: pd.DataFrame
    keys: list[str]
    features: list[str]
    categorical: list[str]
    target_summary: dict[str, int]
    card: str
    attributes: list[str] = field(default_factory=list)
    """Policy attributes carried beside the features, never modeled (see features.attributes)."""


def card_sources(cfg: CardConfig) -> SourceTables:
    """Read, map, validate and strip PII from the card's sources: only the columns the card reads are mandatory."""
    from scorecard.data.ingest import load_sources

    return load_sources(cfg.data, required=card_needs(cfg))


def required_tables(cfg: CardConfig) -> list[str]:
    """The canonical tables a card's build reads (for ``load_sources(required=...)``)."""
    return list(columns_read(cfg))


def planned_steps(cfg: CardConfig) -> list[str]:
    """The steps ``build_modeling_table`` reports, in order (for progress displays)."""
    families = _families(_selected(cfg))
    return ["load sources", "spine", *(f"{f} features" for f in families), "target", "collect", "splits"]


def build_modeling_table(
    tables: SourceTables, cfg: CardConfig, on_step: OnStep | None = None
) -> ModelingTable:
    """Point-in-time features, target and split for every row of the card's spine."""
    step = on_step or (lambda _: None)
    defs = _selected(cfg)
    con = connect(cfg.features)
    try:
        step("load sources")
        sources = load_into(con, tables, columns_read(cfg), copy=cfg.features.database is not None)
        step("spine")
        spine = _spine(con, cfg, sources)
        spine = Spine(con.create_table("_spine", spine.table, temp=True), spine.keys, spine.at_application)
        keys = list(spine.keys)
        parts = []
        for family in _families(defs):
            step(f"{family} features")
            parts.append(con.create_table(f"_{family}", _FAMILIES[family](spine, sources, cfg), temp=True))
        attributes = policy_attributes(cfg)
        if attributes:
            parts.append(
                con.create_table("_attributes", attribute_table(spine, sources, attributes), temp=True)
            )
        step("target")
        as_of = _reported_months(con, require(sources, "loan_performance", "targets"))[1]
        target = _TARGETS[cfg.card](spine, sources, cfg.target, as_of)
        step("collect")
        joined = spine.project("snapshot_date")
        for part in [*parts, target]:
            joined = joined.left_join(part, keys)
        names = [d.name for d in defs]
        frame = con.to_pandas(
            joined.select(
                *dict.fromkeys([*keys, "snapshot_date"]), *names, *attributes, "target", "target_status"
            )
        )
    finally:
        con.disconnect()
    step("splits")
    if frame.empty:
        raise DataError(
            f"{cfg.name}: the {cfg.card} card has no modeling rows; check data.sources and features.observation"
        )
    frame = _typed(frame.sort_values(keys, kind="stable").reset_index(drop=True), defs)
    for name in attributes:
        frame[name] = none_for_missing(frame[name].astype(object))
    frame["split"] = assign_splits(frame["target"], frame["snapshot_date"], cfg.split)
    return ModelingTable(
        frame=frame,
        keys=keys,
        features=names,
        categorical=[d.name for d in defs if d.kind == "categorical"],
        target_summary=target_summary(frame["target_status"]),
        card=cfg.card,
        attributes=attributes,
    )


def connect(cfg: FeaturesConfig) -> BaseBackend:
    """The DuckDB backend the features run on: in memory, or in ``features.database``."""
    options = {
        k: v for k, v in (("threads", cfg.threads), ("memory_limit", cfg.memory_limit)) if v is not None
    }
    return ibis.duckdb.connect(str(cfg.database) if cfg.database else ":memory:", **options)


def load_into(
    con: BaseBackend, tables: Mapping[str, pd.DataFrame], columns: Mapping[str, list[str]], copy: bool = False
) -> dict[str, ir.Table]:
    """Hand the ``columns`` of the canonical pandas tables to the backend, typed by the canonical schema.

    Without ``copy`` the backend scans the Arrow data in place (in-memory default); with it the data is
    copied into the backend's database (a DuckDB file that can spill to disk).
    """
    loaded = {}
    for name, wanted in columns.items():
        if name not in tables:
            raise DataError(
                f"data.sources: table '{name}' is required by this card; add it to the card's config"
            )
        df = tables[name]
        missing = [c for c in wanted if c not in df.columns]
        if missing:
            raise DataError(
                f"{name}: missing canonical column(s) {missing}; map them in data.sources.{name}.mapping"
            )
        schema = pa.schema([(c, _ARROW_TYPES[TABLES[name].column(c).dtype]) for c in wanted])
        try:
            arrow = pa.Table.from_pandas(df[wanted], preserve_index=False).cast(schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise DataError(f"{name}: columns do not match the canonical types ({exc})") from None
        loaded[name] = (
            con.create_table(f"_src_{name}", arrow, temp=True, overwrite=True)
            if copy
            else ibis.memtable(arrow)
        )
    return loaded


def _selected(cfg: CardConfig) -> list[FeatureDef]:
    f = cfg.features
    return select_features(cfg.card, f.families, f.include, f.exclude)


def _families(defs: list[FeatureDef]) -> list[Family]:
    return list(dict.fromkeys(d.family for d in defs))


def _spine(con: BaseBackend, cfg: CardConfig, sources: Sources) -> Spine:
    if cfg.card == "application":
        return application_spine(sources)
    if cfg.card == "collection":
        return collection_spine(sources)
    first, last = _reported_months(con, require(sources, "loan_performance", "the behaviour card"))
    return behaviour_spine(sources, cfg, observation_months(cfg.features.observation, first, last))


def _reported_months(con: BaseBackend, perf: ir.Table) -> tuple[dt.date, dt.date]:
    """The first and the latest reported month (the latest is the portfolio's as-of month)."""
    span = con.to_pandas(perf.aggregate(first=perf.month.min(), last=perf.month.max()))
    first, last = span.loc[0, "first"], span.loc[0, "last"]
    if pd.isna(first):
        raise DataError("loan_performance: the table is empty; targets need at least one reported month")
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()


def _typed(frame: pd.DataFrame, defs: list[FeatureDef]) -> pd.DataFrame:
    """Contract dtypes: float64 numeric features and target, object categoricals, datetime64[ns] dates."""
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).astype("datetime64[ns]")
    for d in defs:
        if d.kind == "numerical":
            frame[d.name] = frame[d.name].astype("float64")
        else:
            frame[d.name] = none_for_missing(frame[d.name].astype(object))
    frame["target"] = frame["target"].astype("float64")
    frame["target_status"] = frame["target_status"].astype(object)
    return frame


def none_for_missing(values: pd.Series) -> pd.Series:
    """Object values with None (never NaN) for a missing category."""
    values = values.copy()
    values[values.isna()] = None
    return values
