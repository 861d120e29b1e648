"""Build a card's modeling table: spine -> feature families -> target -> splits, on an Ibis backend.

The feature definitions (family modules) are backend-neutral Ibis expressions; this module hands the canonical
tables to the engine ``features.engine`` names (DuckDB or Spark, see features.engine), stages each step inside
it and brings only the final modeling table back as pandas.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from scorecard.config import CardConfig
from scorecard.data.schema import TABLES, DType, SourceTables
from scorecard.errors import DataError
from scorecard.features import custom
from scorecard.features.application import application_features
from scorecard.features.attributes import attribute_table, policy_attributes
from scorecard.features.behaviour import behaviour_features
from scorecard.features.bureau import bureau_features
from scorecard.features.catalogue import Family, FeatureDef, select_features
from scorecard.features.collection import collection_features
from scorecard.features.custom import custom_defs, custom_features
from scorecard.features.device import Stage, device_features
from scorecard.features.engine import DuckDBEngine, Engine, open_engine
from scorecard.features.reads import card_needs, columns_read
from scorecard.features.spine import (
    Sources,
    Spine,
    active_rule,
    application_spine,
    behaviour_spine,
    collection_spine,
    observation_months,
    require,
)
from scorecard.features.splits import assign_splits
from scorecard.features.targets import (
    ROW_TABLES,
    application_target,
    behaviour_target,
    collection_target,
    ready_made_target,
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

_FAMILIES: dict[Family, Callable[[Spine, Sources, CardConfig, list[str], Stage], ir.Table]] = {
    "bureau": lambda s, src, cfg, names, stage: bureau_features(s, src, cfg.features.no_bureau_code, names),
    "device": lambda s, src, cfg, names, stage: device_features(s, src, names, stage),
    "application": lambda s, src, cfg, names, stage: application_features(s, src),
    "behaviour": lambda s, src, cfg, names, stage: behaviour_features(s, src),
    "collection": lambda s, src, cfg, names, stage: collection_features(s, src, cfg.target.cure_days),
    "custom": lambda s, src, cfg, names, stage: custom_features(s, src, cfg),
}
"""Family -> its table of features (keys + features); bureau and device compute only the names asked for,
device staging its intermediate steps (``Engine.stage``)."""

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
    warnings: list[str] = field(default_factory=list)
    """Features that came out constant or all missing, one line each with the reason."""


def extra_columns(cfg: CardConfig) -> dict[str, dict[str, str]]:
    """Per table, the source (non-canonical) columns the build reads -> the config key that reads them."""
    extra = custom.readers(cfg)
    if cfg.target.column is not None:
        table = ROW_TABLES[cfg.card][0]
        for key in ("column", "date_column", "day_offset_column"):
            name = getattr(cfg.target, key)
            if name is not None and name not in TABLES[table].column_names:
                extra.setdefault(table, {}).setdefault(name, f"target.{key}")
    return extra


def load_card_sources(cfg: CardConfig) -> SourceTables:
    """The canonical tables (plus the source columns custom features and the target read) a card's build needs:
    read, mapped, validated and PII-free, with only the columns the card reads (``features.reads``)."""
    from scorecard.data.ingest import load_sources

    return load_sources(cfg.data, required=card_needs(cfg), extra=extra_columns(cfg))


def required_tables(cfg: CardConfig) -> list[str]:
    """The canonical tables a card's build reads (for ``load_sources(required=...)``)."""
    return list(columns_read(cfg))


def planned_steps(cfg: CardConfig) -> list[str]:
    """The steps ``build_modeling_table`` reports, in order (for progress displays)."""
    families = _families(_selected(cfg))
    return ["load sources", "spine", *(f"{f} features" for f in families), "target", "collect", "splits"]


def build_card_table(cfg: CardConfig, on_step: OnStep | None = None) -> ModelingTable:
    """The card's modeling table from its configured sources (``data.sources``).

    On DuckDB the sources are scanned from their files inside the engine (mapped, validated and PII-hashed
    there; see ``data.ingest.register_sources``), so only the modeling table is brought into memory. On Spark
    they are read by ingestion and handed over as Arrow.
    """

    def sources(engine: Engine, workdir: Path) -> dict[str, ir.Table]:
        if isinstance(engine, DuckDBEngine):
            return _registered(engine, cfg, workdir)
        tables = load_card_sources(cfg)
        _check_extra_columns(tables, cfg)
        return load_into(engine, tables, columns_read(cfg))

    return _build(cfg, sources, on_step or (lambda _: None))


def build_modeling_table(
    tables: SourceTables, cfg: CardConfig, on_step: OnStep | None = None
) -> ModelingTable:
    """Point-in-time features, target and split for every row of the card's spine, from canonical pandas tables."""

    def sources(engine: Engine, workdir: Path) -> dict[str, ir.Table]:
        _check_extra_columns(tables, cfg)
        return load_into(engine, tables, columns_read(cfg))

    return _build(cfg, sources, on_step or (lambda _: None))


def _registered(engine: DuckDBEngine, cfg: CardConfig, workdir: Path) -> dict[str, ir.Table]:
    """The card's canonical tables scanned, checked and PII-stripped inside the engine's DuckDB, as Ibis tables."""
    from scorecard.data.ingest import register_sources

    names = register_sources(engine.backend.con, workdir, cfg.data, card_needs(cfg), extra_columns(cfg))
    loaded = {}
    for table, wanted in columns_read(cfg).items():
        if table not in names:
            raise DataError(
                f"data.sources: table '{table}' is required by this card; add it to the card's config"
            )
        loaded[table] = engine.backend.table(names[table]).select(*wanted)
    return loaded


def _build(
    cfg: CardConfig, sources: Callable[[Engine, Path], dict[str, ir.Table]], step: OnStep
) -> ModelingTable:
    """Spine, families and target staged in the engine, the modeling table written to a Parquet file and the
    engine closed (its memory released) before the table is read into pandas for the splits and dtypes."""
    with tempfile.TemporaryDirectory(prefix="scorecard-build-") as workdir:
        rows = Path(workdir) / "modeling.parquet"
        with open_engine(cfg.features) as engine:
            step("load sources")
            keys, attributes = _spool(engine, sources(engine, Path(workdir)), cfg, step, rows)
        frame = read_rows(rows)
    return _finish(frame, keys, attributes, cfg, step)


def read_rows(path: Path) -> pd.DataFrame:
    """A Parquet file as pandas read one column at a time, Arrow's memory released after each: the peak is
    the frame and one column, not the frame and the whole Arrow table (about twice the frame at 10M rows)."""
    file = pq.ParquetFile(path)
    pool = pa.default_memory_pool()
    columns = {}
    for name in file.schema_arrow.names:
        columns[name] = file.read(columns=[name]).column(name).to_pandas()
        pool.release_unused()
    return pd.DataFrame(columns, copy=False)  # one block per column, none copied


def _spool(
    engine: Engine, sources: dict[str, ir.Table], cfg: CardConfig, step: OnStep, rows: Path
) -> tuple[list[str], list[str]]:
    """Spine, families, target and their join, sorted by the keys, written to ``rows``; the keys and the
    policy attributes."""
    defs = _selected(cfg)
    step("spine")
    spine = _spine(engine, cfg, sources)
    spine = Spine(engine.stage("spine", spine.table), spine.keys, spine.at_application)
    keys = list(spine.keys)
    parts = []
    for family in _families(defs):
        step(f"{family} features")
        chosen = [d.name for d in defs if d.family == family]
        parts.append(engine.stage(family, _FAMILIES[family](spine, sources, cfg, chosen, engine.stage)))
    attributes = policy_attributes(cfg)
    if attributes:
        parts.append(engine.stage("attributes", attribute_table(spine, sources, attributes)))
    step("target")
    target = engine.stage("target", _target(engine, spine, sources, cfg))
    step("collect")
    # one join per query, then the sort and the write: a query holding several joins' hash tables at once
    # (each part is a row per spine row) ran out of DuckDB memory at 10M rows; one at a time each spills
    joined = spine.project("snapshot_date")
    for k, part in enumerate([*parts, target]):
        added = [c for c in part.columns if c not in joined.columns]
        joined = engine.stage(f"modeling_{k}", joined.left_join(part, keys).select(*joined.columns, *added))
    names = [d.name for d in defs]
    columns = [*dict.fromkeys([*keys, "snapshot_date"]), *names, *attributes, "target", "target_status"]
    engine.spool(joined.select(*columns).order_by(keys), rows)
    if cfg.target.column is not None:
        status = pq.read_table(rows, columns=["target_status"]).column("target_status")
        if not pc.any(pc.equal(status, "bad")).as_py():
            raise DataError(_no_bads(engine, sources, cfg))
    return keys, attributes


def _finish(
    frame: pd.DataFrame, keys: list[str], attributes: list[str], cfg: CardConfig, step: OnStep
) -> ModelingTable:
    """The collected rows checked, typed by the contract and split."""
    defs = _selected(cfg)
    step("splits")
    if frame.empty:
        raise DataError(_no_rows(cfg))
    _check_snapshots(frame, cfg)
    frame = _typed(frame, defs)
    for name in attributes:
        frame[name] = none_for_missing(frame[name].astype(object))
    frame["split"] = assign_splits(frame["target"], frame["snapshot_date"], cfg.split)
    warnings = degenerate_features(frame, defs)
    frame.attrs["build_warnings"] = warnings
    return ModelingTable(
        frame=frame,
        keys=keys,
        features=[d.name for d in defs],
        categorical=[d.name for d in defs if d.kind == "categorical"],
        target_summary=target_summary(frame["target_status"]),
        card=cfg.card,
        attributes=attributes,
        warnings=warnings,
    )


def degenerate_features(frame: pd.DataFrame, defs: list[FeatureDef]) -> list[str]:
    """One line per feature that came out all missing or constant over the modeling rows, with the reason."""
    lines = []
    for d in defs:
        values = frame[d.name]
        known = values.dropna()
        source = f"the {d.family} family ({FAMILY_SOURCES.get(d.family, 'its tables')})"
        if d.family == "custom":
            source = f"features.custom[{d.name}] ({d.definition})"
        if known.empty:
            lines.append(
                f"feature {d.name!r} is all missing on {len(frame):,} rows: no value of {source} "
                "falls before any snapshot; check the mapping of its columns"
            )
        elif known.nunique() == 1 and len(known) == len(values):
            lines.append(
                f"feature {d.name!r} is constant ({known.iloc[0]} on all {len(frame):,} rows): "
                f"{source} never varies, so it cannot separate goods from bads"
            )
    return lines


FAMILY_SOURCES = {
    "bureau": "bureau_tradelines, bureau_inquiries",
    "device": "device_events",
    "application": "applications, customers",
    "behaviour": "loan_performance",
    "collection": "collection_cases, loan_performance",
}
"""The tables each built-in family reads, for warnings."""


def _check_extra_columns(tables: Mapping[str, pd.DataFrame], cfg: CardConfig) -> None:
    """Every source column a custom feature or the target reads is there; else one line naming the key."""
    for table, readers in extra_columns(cfg).items():
        if table not in tables:
            continue
        for column, reader in readers.items():
            if column not in tables[table].columns:
                raise DataError(
                    f"{table}: column {column!r} read by {reader} is missing; the table has "
                    f"{list(tables[table].columns)}"
                )


def _target(engine: Engine, spine: Spine, sources: Sources, cfg: CardConfig) -> ir.Table:
    """The card's target: ready-made from the row table, or from loan_performance as of its latest month."""
    if cfg.target.column is not None:
        return ready_made_target(spine, sources, cfg.target, cfg.card)
    as_of = _reported_months(engine, require(sources, "loan_performance", "targets"))[1]
    return _TARGETS[cfg.card](spine, sources, cfg.target, as_of)


def untrainable(table: ModelingTable, cfg: CardConfig) -> str | None:
    """One line when no card can be trained on ``table`` (no bad or no good row), saying where the target came
    from; None when it holds both."""
    summary = table.target_summary
    if summary.get("bads", 0) and summary.get("goods", 0):
        return None
    t = cfg.target
    if cfg.data.flat_table is not None:
        source = f"data.flat_table.target {cfg.data.flat_table.target!r}"
    elif t.column is not None:
        source = f"{ROW_TABLES[cfg.card][0]}.{t.column} (target.column)"
    else:
        source = (
            f"loan_performance: {t.bad_dpd}+ DPD (target.bad_dpd) within target.performance_months "
            f"{t.performance_months} of each row's date; a row is immature until that window has been reported"
        )
    counts = ", ".join(f"{k} {v:,}" for k, v in summary.items())
    missing = "bad" if not summary.get("bads", 0) else "good"
    return f"{cfg.name}: no {missing} row to train on ({counts}); the target comes from {source}"


def _no_bads(engine: Engine, sources: Sources, cfg: CardConfig) -> str:
    """The error when no row of a ready-made target is bad: the values the column does hold."""
    table = ROW_TABLES[cfg.card][0]
    column = sources[table][cfg.target.column or ""]
    found = engine.collect(column.name("v").as_table().distinct().limit(10))["v"].tolist()
    return (
        f"{table}.{cfg.target.column} (target.column): no row matches target.bad_value {cfg.target.bad_value!r}; "
        f"the column holds {found}"
    )


def _no_rows(cfg: CardConfig) -> str:
    """The error when the spine is empty, saying how its rows were decided."""
    if cfg.card == "behaviour":
        return (
            f"{cfg.name}: the behaviour card has no modeling rows: no loan was active at any observation "
            f"month (active = {active_rule(cfg)}); check data.sources.loan_performance and features.observation"
        )
    table = ROW_TABLES[cfg.card][0]
    return f"{cfg.name}: the {cfg.card} card has no modeling rows; data.sources.{table} has no rows"


def _check_snapshots(frame: pd.DataFrame, cfg: CardConfig) -> None:
    """Every row needs a snapshot date; say which config key or column gave none."""
    missing = frame["snapshot_date"].isna()
    if not missing.any():
        return
    t = cfg.target
    table = ROW_TABLES.get(cfg.card, ("loan_performance", ""))[0]
    source = (
        f"target.date_column {t.date_column!r}"
        if t.date_column
        else f"target.day_offset_column {t.day_offset_column!r}"
        if t.day_offset_column
        else "its canonical date"
    )
    raise DataError(
        f"{table}: {int(missing.sum()):,} row(s) have no observation date (from {source}); expected a date on every row"
    )


def load_into(
    engine: Engine, tables: Mapping[str, pd.DataFrame], columns: Mapping[str, list[str]]
) -> dict[str, ir.Table]:
    """Hand the ``columns`` of the canonical pandas tables to the engine, typed by the canonical schema."""
    loaded = {}
    for name, wanted in columns.items():
        if name not in tables:
            raise DataError(
                f"data.sources: table '{name}' is required by this card; add it to the card's config"
            )
        df = tables[name]
        canonical = TABLES[name].column_names
        missing = [c for c in wanted if c not in df.columns]
        if any(c in canonical for c in missing):
            raise DataError(
                f"{name}: missing canonical column(s) {[c for c in missing if c in canonical]}; "
                f"map them in data.sources.{name}.mapping"
            )
        if missing:
            raise DataError(
                f"{name}: missing source column(s) {missing}; load the sources with the card's extra columns"
            )
        try:
            arrow = pa.Table.from_pandas(df[wanted], preserve_index=False)
            schema = pa.schema(
                [
                    (
                        c,
                        _ARROW_TYPES[TABLES[name].column(c).dtype]
                        if c in canonical
                        else arrow.schema.field(c).type,
                    )
                    for c in wanted
                ]
            )
            arrow = arrow.cast(schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise DataError(f"{name}: columns do not match the canonical types ({exc})") from None
        loaded[name] = engine.load(name, arrow)
    return loaded


def _selected(cfg: CardConfig) -> list[FeatureDef]:
    f = cfg.features
    if f.custom and not f.families and not f.include:  # custom features named: no default families
        return custom_defs(cfg)
    return [*select_features(cfg.card, f.families, f.include, f.exclude), *custom_defs(cfg)]


def _families(defs: list[FeatureDef]) -> list[Family]:
    return list(dict.fromkeys(d.family for d in defs))


def _spine(engine: Engine, cfg: CardConfig, sources: Sources) -> Spine:
    if cfg.card == "application":
        return application_spine(sources, cfg.target)
    if cfg.card == "collection":
        return collection_spine(sources, cfg.target)
    first, last = _reported_months(engine, require(sources, "loan_performance", "the behaviour card"))
    return behaviour_spine(sources, cfg, observation_months(cfg.features.observation, first, last))


def _reported_months(engine: Engine, perf: ir.Table) -> tuple[dt.date, dt.date]:
    """The first and the latest reported month (the latest is the portfolio's as-of month)."""
    span = engine.collect(perf.aggregate(first=perf.month.min(), last=perf.month.max()))
    row = span.iloc[0].to_dict()
    first, last = row["first"], row["last"]
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
