"""One validated config model per card: sources, features, target, modeling, policy, gates, monitoring.

``load_config(path)`` reads a card's YAML and returns a ``CardConfig``; every problem is reported as
``ConfigError("<file>: <key.path>: <what is wrong>; got <value>")``. Unknown keys are errors.
Relative paths in a config are resolved against the config file's folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from scorecard.data.schema import TABLES
from scorecard.errors import ConfigError

CardType = Literal["application", "behaviour", "collection"]
TableName = Literal[
    "customers",
    "applications",
    "bureau_tradelines",
    "bureau_inquiries",
    "device_events",
    "loan_performance",
    "collection_cases",
]


class Strict(BaseModel):
    """Base of every config section: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class MappedColumn(Strict):
    """A canonical column computed from a source: a constant, a DuckDB SQL expression over source columns,
    or a code table applied to one source column (e.g. monthly status codes to days past due).

    ``{const: null}`` is allowed: a nullable column the source does not have.
    """

    const: str | int | float | bool | None = Field(
        default=None, description="A constant value for every row (null: a nullable column the source lacks)."
    )
    sql: str | None = Field(
        default=None, description='A DuckDB SQL expression over the source\'s columns, e.g. "amount * 100".'
    )
    codes: dict[str, str | int | float | bool | None] | None = Field(
        default=None,
        description="Code table: each value of 'column' (compared as text) -> the canonical value; a value "
        "missing from the table is a data problem, e.g. {C: 0, '1': 30, '2': 60}.",
    )
    column: str | None = Field(default=None, description="Source column the code table reads.")

    @model_validator(mode="after")
    def _one_of(self) -> MappedColumn:
        given = [k for k in ("const", "sql", "codes") if k in self.model_fields_set]
        if len(given) != 1:
            raise ValueError("a mapping entry needs exactly one of 'const', 'sql' or 'codes'")
        if "sql" in self.model_fields_set and not (self.sql or "").strip():
            raise ValueError("a mapping entry's 'sql' must be a non-empty SQL expression")
        if (self.codes is not None) != (self.column is not None):
            raise ValueError("a code table needs both 'codes' (a non-empty mapping) and 'column'")
        if self.codes is not None and not self.codes:
            raise ValueError("a code table's 'codes' must list at least one code")
        return self


FileFormat = Literal["csv", "parquet", "json", "duckdb"]
Compression = Literal["none", "gzip", "zip"]
_SQL_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class CsvOptions(Strict):
    """How a CSV file is written; every option left unset is detected by DuckDB's sniffer."""

    delimiter: str | None = Field(default=None, description="Field separator, e.g. ';' or '\\t'.")
    quote: str | None = Field(default=None, description="Quote character, e.g. '\"'.")
    escape: str | None = Field(default=None, description="Escape character inside quoted fields.")
    header: bool | None = Field(default=None, description="Whether the first line holds column names.")
    null: list[str] = Field(
        default_factory=list,
        description="Markers read as missing, e.g. ['?', 'NA']; an empty field is always missing.",
    )
    date_format: str | None = Field(
        default=None, description="strptime format of date fields, e.g. '%y%m%d' for yymmdd."
    )
    timestamp_format: str | None = Field(
        default=None, description="strptime format of timestamp fields, e.g. '%y%m%d %H:%M:%S'."
    )
    skip_rows: int = Field(default=0, ge=0, description="Lines skipped before the header.")
    types: dict[str, str] = Field(
        default_factory=dict,
        description="DuckDB type per column, overriding detection, e.g. {account_id: VARCHAR}.",
    )
    skip_bad_rows: bool = Field(
        default=False,
        description="Skip lines DuckDB cannot parse (e.g. a truncated last line) instead of failing; "
        "data validate says how many. The only way rows are dropped: declare it knowingly.",
    )


class FileOptions(Strict):
    """How files are read: format, compression, zip member, DuckDB table, CSV dialect."""

    format: FileFormat | None = Field(
        default=None,
        description="csv | parquet | json (JSON lines or an array) | duckdb; None = from the file suffix "
        "(.csv .tsv .txt .asc .parquet .pq .json .jsonl .ndjson .duckdb .ddb .db; .gz and .zip stripped first).",
    )
    compression: Compression | None = Field(
        default=None, description="none | gzip | zip; None = from the suffix (.gz, .zip)."
    )
    member: str | None = Field(
        default=None,
        description="Files to read inside a zip archive (a name or a glob, e.g. '*.csv'); "
        "None = the archive's only file.",
    )
    table: str | None = Field(default=None, description="Table name inside a DuckDB database file.")
    csv: CsvOptions = Field(default_factory=CsvOptions, description="CSV dialect (CSV files only).")


class RawFileConfig(FileOptions):
    """A raw file (or several, unioned by column name) that source queries read as a table of its own name."""

    path: Path | list[Path] = Field(
        description="A file, a folder of Parquet, a glob ('bureau_*.csv') or a list of these; "
        "several files are unioned by column name."
    )


class SourceConfig(FileOptions):
    """Where one canonical table comes from and how its columns map onto ours.

    The rows come from files (``path``) or from a DuckDB SQL ``query`` over the named ``data.raw`` files.
    ``mapping`` then maps a canonical column to a column name of the rows (a string), or to
    ``{const: ...}`` or ``{sql: ...}``; canonical columns not mapped are taken by their own name.
    """

    path: Path | list[Path] | None = Field(
        default=None,
        description="A file, a folder of Parquet, a glob or a list of these (unioned by column name); "
        "give path or query.",
    )
    query: str | None = Field(
        default=None,
        description="DuckDB SQL over the data.raw tables (by their names) returning this table's rows: "
        "joins, filters, deduplication (QUALIFY), unions, unpivots; give path or query.",
    )
    mapping: dict[str, str | MappedColumn] = Field(
        default_factory=dict,
        description="Canonical column -> source column name, {const: value} or {sql: row-wise expression}.",
    )
    allowed: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Allowed values per canonical text column, checked by validation; "
        "a column not listed is open (any text; values unseen in development score in the unknown bin).",
    )

    @model_validator(mode="after")
    def _path_or_query(self) -> SourceConfig:
        if (self.path is None) == (self.query is None):
            raise ValueError("a source needs exactly one of 'path' (files) or 'query' (SQL over data.raw)")
        if self.query is not None:
            if not self.query.strip():
                raise ValueError("'query' must be a non-empty SQL query")
            set_options = sorted(set(FileOptions.model_fields) & self.model_fields_set)
            if set_options:
                raise ValueError(
                    f"file options {set_options} do not apply to a query source; set them on its data.raw files"
                )
        return self

    @property
    def files(self) -> list[Path]:
        """The configured paths (globs unexpanded); empty for a query source."""
        return file_list(self.path)


def file_list(path: Path | list[Path] | None) -> list[Path]:
    """A path, a list of paths or none, as a list."""
    if path is None:
        return []
    return list(path) if isinstance(path, list) else [path]


class PiiConfig(Strict):
    """How PII columns leave ingestion: dropped, or replaced by a keyed HMAC-SHA256 hash."""

    key_env: str = Field(
        default="SCORECARD_PII_KEY", description="Environment variable holding the HMAC key."
    )
    hash: list[str] | None = Field(
        default=None,
        description="PII columns to hash ('table.column'), the other PII columns are dropped; "
        "None keeps each column's declared action.",
    )

    @model_validator(mode="after")
    def _pii_columns(self) -> PiiConfig:
        for entry in self.hash or []:
            table, _, column = entry.partition(".")
            schema = TABLES.get(table)
            if schema is None or column not in schema.column_names:
                raise ValueError(f"pii.hash entry {entry!r} is not a canonical 'table.column'")
            if schema.column(column).pii is None:
                raise ValueError(f"pii.hash entry {entry!r} is not a PII column; only PII columns are hashed")
        return self


class FlatTableConfig(FileOptions):
    """A modeling table built elsewhere: features plus a target column (read with the same file options)."""

    path: Path = Field(description="The modeling table's file: one row per case, features plus the target.")
    target: str = Field(description="Column holding the outcome.")
    bad_value: str | int | float | bool = Field(
        default=1,
        description="Target value meaning bad; the column holds exactly two labels, the other one good, empty = unknown.",
    )
    id_column: str | None = Field(
        default=None, description="Unique row key kept through scoring; None = the row number."
    )
    date_column: str | None = Field(
        default=None,
        description="Observation date of each row; needed for split.oot_start and for monitoring cohorts.",
    )
    features: list[str] | None = Field(
        default=None, description="Feature columns; None takes every other column."
    )
    categorical: list[str] = Field(
        default_factory=list,
        description="Numeric feature columns to bin as categories; text and other non-numeric columns always are.",
    )


class DataConfig(Strict):
    """The card's inputs: canonical sources (files or queries over raw files), or one flat modeling table."""

    raw: dict[str, RawFileConfig] = Field(
        default_factory=dict,
        description="Raw files by name; a source's query reads each as a table of that name.",
    )
    sources: dict[TableName, SourceConfig] = Field(
        default_factory=dict, description="Canonical table -> where its rows come from and their mapping."
    )
    flat_table: FlatTableConfig | None = Field(
        default=None, description="A ready modeling table instead of canonical sources."
    )
    pii: PiiConfig = Field(
        default_factory=PiiConfig, description="How PII columns are hashed or dropped at ingestion."
    )

    @model_validator(mode="after")
    def _one_input(self) -> DataConfig:
        if not self.sources and self.flat_table is None:
            raise ValueError("give either 'sources' (canonical tables) or 'flat_table'")
        if self.sources and self.flat_table is not None:
            raise ValueError("give 'sources' or 'flat_table', not both")
        bad_names = sorted(n for n in self.raw if not re.match(_SQL_NAME, n))
        if bad_names:
            raise ValueError(f"raw file names {bad_names} must be SQL names (letters, digits, _)")
        queried = [t for t, s in self.sources.items() if s.query is not None]
        if queried and not self.raw:
            raise ValueError(f"sources {queried} are queries, but 'raw' declares no files for them to read")
        for table, source in self.sources.items():
            unknown = sorted(set(source.mapping) - set(TABLES[table].column_names))
            if unknown:
                raise ValueError(
                    f"sources.{table}.mapping maps unknown canonical columns {unknown}; "
                    f"expected some of {TABLES[table].column_names}"
                )
            text = [c.name for c in TABLES[table].columns if c.dtype == "string" and c.allowed is None]
            wrong = sorted(set(source.allowed) - set(text))
            if wrong:
                raise ValueError(
                    f"sources.{table}.allowed lists {wrong}, which are not open text columns; "
                    f"expected some of {text}"
                )
        return self


class ObservationConfig(Strict):
    """Behaviour-card observation points: every ``cadence_months`` between ``start`` and ``end``."""

    cadence_months: int = Field(
        default=1, ge=1, le=12, description="Months between two observation points of a behaviour card."
    )
    active: Literal["positive_balance", "reported"] = Field(
        default="positive_balance",
        description="Which loans are observed: reported in the month before with DPD below target.bad_dpd "
        "and a balance above 0 ('positive_balance'), or with any balance ('reported', for histories "
        "without balances).",
    )
    start: dt.date | None = Field(
        default=None, description="First observation month; None = data's second month."
    )
    end: dt.date | None = Field(
        default=None, description="Last observation month; None = after the last report."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ObservationConfig:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("observation.start must not be after observation.end")
        return self


class SparkConfig(Strict):
    """The Spark session a Spark engine runs on (features, batch scoring, monitoring aggregates)."""

    master: str | None = Field(
        default=None,
        description="Spark master URL, e.g. 'local[2]' or 'spark://host:7077'; the environment variable "
        "SCORECARD_SPARK_MASTER overrides it; None = the session's own (spark-submit's, else local[*]).",
    )
    app_name: str = Field(default="scorecard", description="Spark application name.")
    config: dict[str, str] = Field(
        default_factory=dict,
        description="Spark settings for the session, e.g. {'spark.sql.shuffle.partitions': '64'}.",
    )


Aggregation = Literal["count", "sum", "min", "max", "mean", "last", "months_since"]


class CustomFeatureConfig(Strict):
    """A feature declared in the config: a pass-through column of a row table, or an aggregation over a
    child table's rows dated before the snapshot (see ``scorecard.features.custom``)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable feature name (lower snake case).")
    table: TableName = Field(description="Canonical table read (its source's own columns are usable too).")
    column: str | None = Field(
        default=None,
        description="Column read: canonical or a source column carried through ingestion; "
        "optional for count and months_since.",
    )
    agg: Aggregation | None = Field(
        default=None,
        description="Aggregation over the table's rows before the snapshot; null = pass-through.",
    )
    filter: str | None = Field(
        default=None,
        description="SQL predicate over the table's columns keeping the rows aggregated, e.g. \"status = 'Active'\".",
    )
    window_months: int | None = Field(
        default=None, ge=1, description="Only rows in the N calendar months before the snapshot."
    )
    window_days: int | None = Field(
        default=None, ge=1, description="Only rows in the N days before the snapshot."
    )
    kind: Literal["numerical", "categorical"] = Field(
        default="numerical", description="categorical only for a pass-through or 'last'."
    )
    definition: str = Field(default="", description="One line for the catalogue; generated when empty.")

    @model_validator(mode="after")
    def _consistent(self) -> CustomFeatureConfig:
        where = f"features.custom[{self.name}]"
        if self.agg is None:
            if self.column is None:
                raise ValueError(f"{where}: a pass-through feature (no agg) needs a column")
            if self.filter or self.window_months or self.window_days:
                raise ValueError(f"{where}: filter and window_* apply to aggregations (set agg)")
        elif self.column is None and self.agg not in ("count", "months_since"):
            raise ValueError(f"{where}: agg {self.agg!r} needs a column")
        if self.window_months and self.window_days:
            raise ValueError(f"{where}: give window_months or window_days, not both")
        if self.kind == "categorical" and self.agg not in (None, "last"):
            raise ValueError(
                f"{where}: kind 'categorical' is for a pass-through or agg 'last', not {self.agg!r}"
            )
        return self


class FeaturesConfig(Strict):
    """Which features a card uses: whole families and/or single names, minus exclusions; and the engine."""

    families: list[Literal["bureau", "device", "application", "behaviour", "collection"]] = Field(
        default_factory=list,
        description="Whole feature families to compute (`scorecard features list` shows each family's features).",
    )
    include: list[str] = Field(
        default_factory=list, description="Single features added by name, on top of the families."
    )
    exclude: list[str] = Field(
        default_factory=list, description="Features removed by name from the families and includes."
    )
    custom: list[CustomFeatureConfig] = Field(
        default_factory=list, description="Features declared here (pass-through columns, aggregations)."
    )
    no_bureau_code: int = Field(default=-1, description="Special code for 'no bureau file'.")
    observation: ObservationConfig = Field(
        default_factory=ObservationConfig, description="Behaviour-card observation points."
    )
    database: Path | None = Field(
        default=None, description="DuckDB database file to work in (spills to disk); None = in memory."
    )
    threads: int | None = Field(default=None, ge=1, description="DuckDB threads; None = all cores.")
    memory_limit: str | None = Field(default=None, description="DuckDB memory limit, e.g. '4GB'.")
    temp_directory: Path | None = Field(
        default=None,
        description="Folder DuckDB spills to beyond memory_limit; None = '<database>.tmp' beside a database "
        "file, or a private temporary folder in memory.",
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="Where features are computed: DuckDB on this machine, or a Spark session "
        "(environment SCORECARD_FEATURES_ENGINE overrides).",
    )
    spark: SparkConfig = Field(default_factory=SparkConfig, description="The Spark session (engine: spark).")

    @model_validator(mode="after")
    def _no_bureau_code_is_not_a_count(self) -> FeaturesConfig:
        if self.no_bureau_code >= 0:
            raise ValueError("no_bureau_code must be negative so it never collides with a count or amount")
        names = [f.name for f in self.custom]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"custom feature names must be unique; repeated: {repeated}")
        return self


Scalar = str | int | float | bool


class TargetConfig(Strict):
    """Target definition. Application: bad_dpd within performance_months; behaviour: the same ahead of
    the observation month; collection: cure within cure_days, with non-cure modelled as bad.

    A ready-made target (``column``) is read from the card's row table instead (applications for the
    application card, collection_cases for the collection card); loan_performance is then not needed.
    """

    bad_dpd: int = Field(default=30, ge=1, description="Days past due from which a case is bad.")
    performance_months: int = Field(
        default=12,
        ge=1,
        le=60,
        description="Months after the observation date over which the worst DPD is taken.",
    )
    indeterminate_dpd: tuple[int, int] | None = Field(
        default=(1, 29), description="Inclusive worst-DPD range treated as indeterminate; null for none."
    )
    indeterminate: Literal["exclude", "good"] = Field(
        default="exclude",
        description="What indeterminate cases become: excluded from modeling, or counted as good.",
    )
    cure_days: int = Field(
        default=30, ge=1, description="Collection card: days after entry within which a case must cure."
    )
    bad_event: Literal["non_cure", "cure"] = Field(default="non_cure", description="Collection card only.")
    column: str | None = Field(
        default=None,
        description="Ready-made outcome: a source column of the card's row table (applications; "
        "collection_cases for the collection card), carried through ingestion; null = derive the target "
        "from loan_performance.",
    )
    bad_value: Scalar | list[Scalar] = Field(
        default=1, description="Value(s) of target.column that mean bad; every other known value is good."
    )
    indeterminate_values: list[Scalar] = Field(
        default_factory=list,
        description="Values of target.column that are indeterminate (excluded, or good per 'indeterminate').",
    )
    date_column: str | None = Field(
        default=None,
        description="Source column of the row table holding each row's observation date (its snapshot); "
        "null = the canonical date (application_date, entry_date).",
    )
    anchor_date: dt.date | None = Field(
        default=None,
        description="Observation date for layouts that only give day offsets: anchor_date plus "
        "day_offset_column days (or the anchor itself when no offset column is given).",
    )
    day_offset_column: str | None = Field(
        default=None, description="Source column of day offsets from anchor_date (negative = before)."
    )

    @model_validator(mode="after")
    def _ready_made(self) -> TargetConfig:
        given = [k for k in ("date_column", "anchor_date", "indeterminate_values") if getattr(self, k)]
        if self.bad_value != type(self).model_fields["bad_value"].default:  # a dumped default round-trips
            given.append("bad_value")
        if self.column is None and given:
            keys = given
            raise ValueError(f"{', '.join(keys)} need target.column (a ready-made target)")
        if self.date_column is not None and self.anchor_date is not None:
            raise ValueError("give target.date_column or target.anchor_date, not both")
        if self.day_offset_column is not None and self.anchor_date is None:
            raise ValueError(
                "target.day_offset_column needs target.anchor_date (the date offsets count from)"
            )
        both = sorted(
            {str(v) for v in self.bad_values} & {str(v) for v in self.indeterminate_values}, key=str
        )
        if both:
            raise ValueError(f"values {both} are both bad_value and indeterminate_values")
        return self

    @property
    def bad_values(self) -> list[Scalar]:
        """``bad_value`` as a list."""
        return list(self.bad_value) if isinstance(self.bad_value, list) else [self.bad_value]

    @model_validator(mode="after")
    def _indeterminate_below_bad(self) -> TargetConfig:
        if self.indeterminate_dpd is not None:
            lo, hi = self.indeterminate_dpd
            if not 0 <= lo <= hi < self.bad_dpd:
                raise ValueError(
                    f"indeterminate_dpd must be [lo, hi] with 0 <= lo <= hi < bad_dpd ({self.bad_dpd})"
                )
        return self


class SplitConfig(Strict):
    """Train/test by stratified random split; out-of-time from ``oot_start`` on."""

    test_size: float = Field(
        default=0.3,
        gt=0,
        lt=1,
        description="Share of the pre-out-of-time rows held out as the test sample (stratified on the target).",
    )
    seed: int = Field(
        default=42, description="Random seed of the train/test split (and of the estimators that take one)."
    )
    oot_start: dt.date | None = Field(
        default=None, description="First date of the out-of-time sample; None = no out-of-time sample."
    )


MonotonicTrend = Literal[
    "auto",
    "auto_heuristic",
    "auto_asc_desc",
    "ascending",
    "descending",
    "peak",
    "valley",
    "convex",
    "concave",
    "peak_heuristic",
    "valley_heuristic",
]

PrebinningMethod = Literal["cart", "quantile", "uniform", "mdlp"]


class BinningConfig(Strict):
    """WOE binning settings (optbinning BinningProcess; see scorecard.modeling.binning).

    Event-rate trends: "ascending" / "descending" fix the direction, "auto_asc_desc" picks the better of
    the two, "auto" also allows peak / valley, "*_heuristic" finds the change point fast. For large data
    (1M rows x 100 features) use ``n_jobs: -1``, ``monotonic_trend: auto_heuristic`` and
    ``prebinning_method: quantile``; prebinning time grows with ``max_n_prebins``.
    """

    max_n_prebins: int = Field(
        default=20, ge=2, description="Pre-bins per numerical feature before the optimal merge."
    )
    max_n_bins: int | None = Field(
        default=None,
        ge=2,
        description="Most bins per feature (special and missing bins not counted); None = no cap.",
    )
    min_bin_size: float = Field(
        default=0.02,
        gt=0,
        lt=0.5,
        description="Smallest bin as a share of rows (0.02 won on held-out datasets; see docs/modeling.md).",
    )
    monotonic_trend: MonotonicTrend | None = Field(
        default="auto_asc_desc",
        description="Event-rate trend of every feature's bins: ascending / descending fix it, auto_asc_desc picks the "
        "better of the two, auto also allows peak / valley, *_heuristic finds the change point fast; None = free.",
    )
    trends: dict[str, MonotonicTrend | None] = Field(
        default_factory=dict, description="Per-feature trend, overriding monotonic_trend."
    )
    special_codes: list[float] = Field(
        default_factory=lambda: [-1.0], description="Numerical codes binned apart (e.g. -1 'no bureau file')."
    )
    detect_special_codes: bool = Field(
        default=True,
        description="Also bin apart the sentinels found per numerical feature (-9/-8/-7, 96/98, 9999x).",
    )
    max_pvalue: float | None = Field(
        default=None, gt=0, lt=1, description="Adjacent bins must differ in event rate at this p-value."
    )
    peak_valley: Literal["bic", "cv"] | None = Field(
        default="cv",
        description="With monotonic_trend auto_asc_desc, each numerical feature (no trends entry, no override) is "
        "also binned with a peak / valley allowed; 'bic' keeps those bins when their BIC on the training rows is "
        "lower (each bin's rate and each cut point counted as a parameter), 'cv' only when, besides, their "
        "log-likelihood on held-out rows is higher (5 stratified folds, bins refitted in each): a U-shape must "
        "earn its extra bins at the sample's own size (see docs/modeling.md); null = monotone only.",
    )
    cat_cutoff: float | None = Field(
        default=0.01, gt=0, lt=1, description="Rare categories grouped below this share."
    )
    overrides: Path | None = Field(default=None, description="YAML file of manual binning overrides.")
    n_jobs: int | None = Field(default=1, description="Threads for binning; -1 uses every core.")
    prebinning_method: PrebinningMethod = Field(
        default="cart", description="Pre-binning of numerical features; 'quantile' is ~7x faster on 1M rows."
    )


class SelectionConfig(Strict):
    """Feature selection rules, applied in order: exclude, IV, correlation, VIF, stepwise, max_features.

    The defaults keep every feature that carries signal and is not a near-copy of a stronger one: on held-out
    datasets the stricter cut-offs (IV 0.02, |corr| 0.7, VIF 5, 20 features) cost test AUC (docs/modeling.md).
    Stepwise is off by default: on the public benchmark datasets it never raised test AUC and BIC
    cost up to 0.03 on small samples; turn it on for shorter cards.
    """

    min_iv: float = Field(
        default=0.0, ge=0, description="Features with a lower information value are dropped."
    )
    max_correlation: float = Field(
        default=0.95,
        gt=0,
        le=1,
        description="Of two features whose WOE values correlate above this (absolute Pearson), the lower-IV one is dropped.",
    )
    max_vif: float | None = Field(
        default=None,
        gt=1,
        description="Features are dropped, highest VIF first, until every variance inflation factor is at most this; None = no VIF check.",
    )
    stepwise: Literal["forward", "backward"] | None = Field(
        default=None, description="Stepwise selection after the filters; None = off."
    )
    criterion: Literal["aic", "bic", "auc"] = Field(
        default="aic", description="Stepwise criterion: AIC / BIC in-sample, or AUC on a stratified hold-out."
    )
    validation_size: float = Field(default=0.3, gt=0, lt=1, description="Hold-out share for criterion 'auc'.")
    max_features: int | None = Field(
        default=None, ge=1, description="Cap; the lowest-IV features leave first; None = no cap."
    )
    force_include: list[str] = Field(
        default_factory=list, description="Features kept whatever the rules say."
    )
    force_exclude: list[str] = Field(default_factory=list, description="Features never used.")


class ScalingConfig(Strict):
    """Points scaling: ``base_score`` points at odds good:bad ``base_odds``; every ``pdo`` points doubles the odds."""

    pdo: float = Field(default=20, gt=0, description="Points that double the good:bad odds.")
    base_score: float = Field(default=600, description="Score at the base odds.")
    base_odds: float = Field(default=50, gt=0, description="Good:bad odds that score base_score points.")


class ModelConfig(Strict):
    """Logistic regression on WOE values, L2-penalised with ``C`` (as sklearn's: larger = weaker penalty)."""

    C: float | Literal["cv"] = Field(
        default="cv",
        description="Inverse L2 strength; 'cv' picks it from C_grid by cross-validated AUC on the training rows "
        "(see docs/modeling.md); a number fixes it (1e6 = plain maximum likelihood).",
    )
    C_grid: list[float] = Field(
        default_factory=lambda: [1e6, 10.0, 1.0, 0.3, 0.1],
        min_length=1,
        description="Values of C tried when C is 'cv'; ties go to the largest.",
    )
    cv_folds: int = Field(
        default=5, ge=2, description="Stratified folds of the training rows that score each C_grid value."
    )
    cv_repeats: int = Field(
        default=1,
        ge=1,
        description="Repeats of the cv_folds-fold split, each reshuffled (seed split.seed + repeat), that score "
        "each C_grid value.",
    )
    C_rule: Literal["best", "one_se"] = Field(
        default="best",
        description="How C is picked from the cross-validated AUCs: 'best' takes the best mean (ties to the "
        "larger C); 'one_se' the smallest C (strongest penalty) within one standard error of the best, the error "
        "being that of the fold-by-fold AUC differences (measured, not the default: see docs/modeling.md).",
    )

    @model_validator(mode="after")
    def _positive_C(self) -> ModelConfig:
        if self.C != "cv" and not self.C > 0:
            raise ValueError(f"C must be > 0 or 'cv'; got {self.C}")
        bad = [c for c in self.C_grid if not c > 0]
        if bad:
            raise ValueError(f"C_grid values must be > 0; got {bad}")
        return self

    sign_check: Literal["flag", "drop"] = Field(
        default="drop",
        description="A coefficient whose sign contradicts its WOE: 'drop' refits without the feature, 'flag' keeps it and records it.",
    )


class GradeBand(Strict):
    """One grade of the master scale: PDs up to ``max_pd`` (above the previous grade's)."""

    grade: str = Field(description="Grade label, e.g. 'A'.")
    max_pd: float = Field(
        gt=0, le=1, description="Highest PD of the grade (inclusive); the last grade's is 1.0."
    )


class CalibrationConfig(Strict):
    """Score to PD, and the master scale of grades (bands of PD, ascending, the last at 1.0).

    Without ``master_scale`` the grades are fitted to the development PDs: ``n_grades`` equal-frequency
    bands, adjacent bands merged until the bad rates rise grade by grade.
    """

    method: Literal["logistic", "isotonic"] = Field(
        default="logistic",
        description="Score-to-PD mapping: logistic on the score, or isotonic (a non-increasing step function).",
    )
    long_run_pd: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="Long-run average PD the calibrated PDs are shifted to (central tendency); None = the sample's bad rate.",
    )
    master_scale: list[GradeBand] | None = Field(
        default=None,
        description="Fixed grade bands (e.g. a bank-wide scale); null fits the grades to the development PDs.",
    )
    n_grades: int = Field(
        default=8, ge=2, le=26, description="Grades of a fitted master scale (fewer when bad rates tie)."
    )
    max_grade_share: float = Field(
        default=0.4,
        gt=0,
        le=1,
        description="Warn (in the run's decisions) when one grade holds more than this share of development rows.",
    )

    @model_validator(mode="after")
    def _ascending(self) -> CalibrationConfig:
        if self.master_scale is None:
            return self
        pds = [b.max_pd for b in self.master_scale]
        if not pds or pds != sorted(pds) or len(set(pds)) != len(pds) or pds[-1] != 1.0:
            raise ValueError("master_scale max_pd values must be strictly ascending and end at 1.0")
        return self


class ReasonsConfig(Strict):
    """Reason codes: top_k features by points lost against the reference."""

    top_k: int = Field(default=4, ge=1, le=10, description="Reasons returned per scored record.")
    reference: Literal["max", "mean"] = Field(
        default="max",
        description="Points lost are measured against each feature's best bin ('max') or its average points in training ('mean').",
    )
    catalogue: Path | None = Field(
        default=None, description="YAML file mapping feature -> reason code and customer-facing text."
    )
    not_for_reasons: list[str] = Field(
        default_factory=list, description="Features never given as a reason (e.g. age, by law)."
    )


class ChallengerConfig(Strict):
    """LightGBM challenger trained beside the scorecard, on the same raw features and training rows."""

    enabled: bool = Field(default=True, description="Train the LightGBM challenger beside the scorecard.")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="LightGBM parameters over the defaults in scorecard.modeling.challenger.",
    )
    num_boost_round: int = Field(default=2000, ge=1, description="Upper bound on boosting rounds.")
    early_stopping_rounds: int = Field(
        default=50, ge=1, description="Rounds without held-out improvement that stop boosting."
    )
    validation_size: float = Field(
        default=0.2,
        gt=0,
        lt=1,
        description="Share of training rows held out (stratified) for early stopping on large samples.",
    )
    cv_folds: int = Field(
        default=5, ge=2, description="Stratified folds choosing rounds and tree size on small samples."
    )
    cv_max_rows: int = Field(
        default=50_000,
        ge=0,
        description="Training rows up to which rounds and tree size are chosen by k-fold CV "
        "(one validation split above; 0 = always the split).",
    )
    num_leaves_grid: list[int] = Field(
        default_factory=lambda: [4, 8, 16, 32],
        description="Tree sizes tried from small to large until held-out log-loss stops improving; "
        "empty or params.num_leaves = no search.",
    )
    monotone: bool = Field(
        default=True, description="Monotone constraints from the binning's bad-rate trends."
    )
    refit: bool = Field(
        default=True,
        description="Retrain on all training rows with the chosen rounds (always so after k-fold CV).",
    )

    @model_validator(mode="after")
    def _tree_sizes(self) -> ChallengerConfig:
        small = [n for n in self.num_leaves_grid if n < 2]
        if small:
            raise ValueError(f"num_leaves_grid: tree sizes must be >= 2 leaves; got {small}")
        return self


PolicyOp = Literal["in", "not_in", "lt", "le", "gt", "ge", "eq", "ne", "is_true"]


class PolicyRule(Strict):
    """A test ``field op value`` on one input field of the record being scored.

    ``in`` / ``not_in`` take a list in ``value`` or a ``values_file`` (one value per line, e.g. hashed
    national ids); ``lt`` .. ``ge`` a number; ``eq`` / ``ne`` one value; ``is_true`` none. A record whose
    field is missing fires the rule only when ``if_missing`` is ``fire`` (or, for knock-outs, ``refer``).
    """

    name: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Rule name, reported when it fires (letters, digits, '_', '.', '-').",
    )
    field: str = Field(description="Input field of the scored record the rule tests.")
    op: PolicyOp = Field(description="Comparison: in, not_in, lt, le, gt, ge, eq, ne, is_true.")
    value: Any = Field(
        default=None,
        description="What the field is compared with: a list (in / not_in), a number (lt .. ge), one value (eq / ne), none (is_true).",
    )
    values_file: Path | None = Field(
        default=None,
        description="For in / not_in: a file of values, one per line (e.g. hashed national ids).",
    )
    if_missing: Literal["pass", "fire", "refer"] = Field(
        default="pass",
        description="A record without the field: 'pass' (the rule does not fire), 'fire' (its outcome) or, "
        "for knock-outs only, 'refer' (it fires with the decision refer).",
    )

    @model_validator(mode="after")
    def _value_fits_op(self) -> PolicyRule:
        listed = self.op in ("in", "not_in")
        if self.values_file is not None and not listed:
            raise ValueError(
                f"rule {self.name!r}: values_file is only for op 'in' / 'not_in', not {self.op!r}"
            )
        if listed:
            if (self.value is None) == (self.values_file is None):
                raise ValueError(
                    f"rule {self.name!r}: op {self.op!r} needs a list 'value' or a 'values_file'"
                )
            if self.value is not None and not isinstance(self.value, list):
                raise ValueError(f"rule {self.name!r}: op {self.op!r} needs a list value")
        elif self.op in ("lt", "le", "gt", "ge"):
            if isinstance(self.value, bool) or not isinstance(self.value, int | float):
                raise ValueError(f"rule {self.name!r}: op {self.op!r} needs a number value")
        elif self.op in ("eq", "ne"):
            if self.value is None or isinstance(self.value, list | dict):
                raise ValueError(f"rule {self.name!r}: op {self.op!r} needs one value")
        elif self.value is not None:
            raise ValueError(f"rule {self.name!r}: op 'is_true' takes no value")
        return self


class KnockoutRule(PolicyRule):
    """A rule evaluated before the score; the first that fires decides (and is reported)."""

    decision: Literal["decline", "refer"] = Field(
        default="decline", description="Decision when the rule fires."
    )
    if_missing: Literal["pass", "fire", "refer"] = Field(
        default="refer",
        description="A record whose field is missing: refer (the default: the rule fires with the decision "
        "refer), fire (its decision) or pass (the rule does not fire).",
    )


class Cutoffs(Strict):
    """Score cut-offs: approve at or above ``approve``, decline below ``decline``, refer between."""

    approve: float = Field(description="Scores at or above this are approved.")
    decline: float = Field(description="Scores below this are declined; between the two, referred.")

    @model_validator(mode="after")
    def _order(self) -> Cutoffs:
        if self.decline > self.approve:
            raise ValueError("cutoffs.decline must not exceed cutoffs.approve")
        return self


class Treatment(Strict):
    """One row of the collection treatment table: a DPD bucket and a score band -> an action."""

    max_dpd: int | None = Field(default=None, ge=0, description="Highest DPD of the bucket; null: none.")
    min_score: float | None = Field(default=None, description="Band's lowest score (inclusive); null: any.")
    action: str = Field(description="Collection action for the bucket and band, e.g. 'sms_reminder'.")


class EarlyWarning(PolicyRule):
    """Behaviour-card early-warning flag, e.g. a jump in recent inquiries across lenders."""

    action: str = Field(default="review", description="Action when the warning fires.")

    @model_validator(mode="after")
    def _no_refer_on_missing(self) -> EarlyWarning:
        if self.if_missing == "refer":
            raise ValueError(f"rule {self.name!r}: if_missing 'refer' is for knock-outs; use pass or fire")
        return self


class AffordabilityBand(Strict):
    """One affordability band of the limit matrix: income at or above ``min_income`` and debt-to-income at
    or below ``max_dti``."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Band name shown in the strategy tables.")
    min_income: float = Field(default=0, ge=0, description="Lowest monthly income of the band (inclusive).")
    max_dti: float = Field(gt=0, description="Highest debt-to-income of the band (inclusive).")


class LimitPolicy(Strict):
    """Credit limit of an approved applicant: a matrix of affordability band x score band, capped by a
    multiple of income and the product maximum, rounded down; zero whenever the decision is not approve.

    limit = floor(min(amounts[band][score band], income_multiple * income, product_max) / round_to) * round_to.
    Affordability bands are read top-down, the first the applicant meets is used; an applicant meeting none,
    scoring below the first score band, or with income or debt-to-income missing gets limit 0 (and a warning).
    """

    income_field: str = Field(default="app_income", description="Input field holding monthly income.")
    dti_field: str = Field(default="app_debt_to_income", description="Input field holding debt-to-income.")
    score_bands: list[float] = Field(
        min_length=1, description="Lowest score of each score band, strictly ascending (matrix columns)."
    )
    affordability: list[AffordabilityBand] = Field(
        min_length=1, description="Affordability bands, best first (matrix rows); first match wins."
    )
    amounts: list[list[float]] = Field(
        description="Limit per affordability band (rows) and score band (columns), in currency units."
    )
    income_multiple: float | None = Field(
        default=None, gt=0, description="Cap: this many months of income; null for no income cap."
    )
    product_max: float = Field(gt=0, description="Cap: the product's largest amount.")
    round_to: float = Field(default=100, gt=0, description="Limits are rounded down to a multiple of this.")
    lgd: float = Field(
        default=0.45, gt=0, le=1, description="Loss given default for the expected-loss strategy table only."
    )

    @model_validator(mode="after")
    def _matrix(self) -> LimitPolicy:
        bands = self.score_bands
        if bands != sorted(set(bands)):
            raise ValueError(f"limit.score_bands must strictly ascend; got {bands}")
        shape = [len(row) for row in self.amounts]
        if len(shape) != len(self.affordability) or set(shape) != {len(bands)}:
            raise ValueError(
                f"limit.amounts must have one row per affordability band ({len(self.affordability)}) and one "
                f"column per score band ({len(bands)}); got rows of lengths {shape}"
            )
        if any(a < 0 for row in self.amounts for a in row):
            raise ValueError("limit.amounts must not be negative")
        return self


class PolicyConfig(Strict):
    """Decision policy packed in the bundle and applied by the runtime after scoring.

    decision = the first knock-out that fires, else the treatment-table action (collection), else the action
    of the first early warning that fires (behaviour), else the cut-off band (approve / refer / decline),
    else ``no_action``. Treatment rows are read top-down, first match wins: DPD buckets ascend, the last
    has no ``max_dpd``; within a bucket ``min_score`` descends and the last row has none, so every record
    gets an action.
    """

    knockouts: list[KnockoutRule] = Field(
        default_factory=list,
        description="Rules evaluated before the score, in order; the first that fires decides.",
    )
    cutoffs: Cutoffs | None = Field(
        default=None, description="Score cut-offs for approve / refer / decline; None = no cut-off decision."
    )
    dpd_field: str = Field(default="days_past_due", description="Input field holding days past due.")
    treatments: list[Treatment] = Field(
        default_factory=list,
        description="Collection treatment table (DPD bucket x score band -> action), read top-down, first match "
        "wins: max_dpd ascends and the last bucket has none; in a bucket min_score descends, the last row has none.",
    )
    early_warnings: list[EarlyWarning] = Field(
        default_factory=list, description="Behaviour-card early-warning rules, in order."
    )
    incomplete: Literal["refer", "error"] = Field(
        default="refer",
        description="A record with a required field absent or a number beyond its hard limits is never "
        "approved: refer (its approve becomes refer, flag 'incomplete') or error (the record is an error).",
    )
    range_margin: float = Field(
        default=1.0,
        ge=0,
        description="Hard limits of a number = its development range widened by range_margin times the "
        "range's width on each side (never below 0 for a field whose range starts at or above 0); beyond "
        "them a value is treated as missing and the record's evidence is incomplete.",
    )
    limit: LimitPolicy | None = Field(
        default=None, description="Credit limit of approved applicants (application cards); null for none."
    )

    @model_validator(mode="after")
    def _rules(self) -> PolicyConfig:
        names = [r.name for r in [*self.knockouts, *self.early_warnings]]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"rule names must be unique; repeated: {repeated}")
        if self.treatments:
            _check_treatment_table(self.treatments)
        return self


def _check_treatment_table(rows: list[Treatment]) -> None:
    """Buckets ascend and end unbounded; inside a bucket scores descend and end with a catch-all row."""
    buckets: list[list[Treatment]] = []
    for row in rows:
        if buckets and buckets[-1][0].max_dpd == row.max_dpd:
            buckets[-1].append(row)
        else:
            buckets.append([row])
    limits = [b[0].max_dpd for b in buckets]
    bounded = [m for m in limits if m is not None]
    if limits[-1] is not None or len(bounded) != len(limits) - 1 or bounded != sorted(set(bounded)):
        raise ValueError(
            "treatments: rows must be grouped by strictly ascending max_dpd, the last bucket without "
            f"max_dpd; got buckets {limits}"
        )
    for bucket in buckets:
        scores = [r.min_score for r in bucket]
        floors = [s for s in scores if s is not None]
        if (
            scores[-1] is not None
            or len(floors) != len(scores) - 1
            or floors != sorted(set(floors), reverse=True)
        ):
            raise ValueError(
                f"treatments: in the bucket max_dpd={bucket[0].max_dpd} min_score must strictly descend and "
                f"the last row must have none (a catch-all); got {scores}"
            )


class RejectInferenceConfig(Strict):
    """Reject inference: give the development window's rejects an inferred outcome and refit on accepts + rejects.

    ``hard_cutoff``: rejects scoring below ``cutoff`` on the accepts-only model are bad, the others good.
    ``fuzzy``: each reject is bad with its accepts-only PD times ``bad_rate_uplift`` (drawn, seeded).
    ``parceling``: each reject is bad with its score band's observed accepts bad rate times
    ``bad_rate_uplift`` (drawn, seeded). Application cards only; see docs/modeling.md for what each does.
    """

    method: Literal["none", "hard_cutoff", "fuzzy", "parceling"] = Field(
        default="none", description="Which inference: none, hard_cutoff, fuzzy or parceling."
    )
    cutoff: float | None = Field(
        default=None,
        description="hard_cutoff: score below which a reject is bad; null = policy.cutoffs.decline.",
    )
    bad_rate_uplift: float = Field(
        default=1.0,
        ge=0,
        description="fuzzy / parceling: rejects' bad rate over the accepts' at equal score.",
    )
    n_bands: int = Field(
        default=10, ge=2, le=100, description="parceling: equal-count score bands of accepts."
    )


class GatesConfig(Strict):
    """Promotion gates a candidate must pass to become champion."""

    min_oot_gini: float = Field(
        default=0.35, ge=-1, le=1, description="Lowest Gini a candidate may have on its out-of-time sample."
    )
    max_gini_drop: float = Field(
        default=0.03,
        ge=0,
        description="Largest fall from the champion's Gini to the candidate's, both on the candidate's out-of-time sample.",
    )
    max_score_psi: float = Field(
        default=0.25,
        ge=0,
        description="Largest score PSI between the development (train) and out-of-time samples.",
    )
    require_signs: bool = Field(default=True, description="Every coefficient's sign must agree with its WOE.")
    require_parity: bool = Field(
        default=True,
        description="The bundle must reproduce the trained model's score, PD, grade and reasons.",
    )


class TrackingConfig(Strict):
    """MLflow tracking; ``MLFLOW_TRACKING_URI`` overrides ``tracking_uri``."""

    tracking_uri: str | None = Field(
        default=None,
        description="MLflow tracking URI; None = a SQLite store in mlruns/ (MLFLOW_TRACKING_URI wins).",
    )
    experiment: str | None = Field(default=None, description="MLflow experiment; None = the card's name.")
    registered_model: str | None = Field(
        default=None,
        description="Registered model name the run's model is registered under; None = not registered.",
    )


class MonitoringConfig(Strict):
    """Thresholds that turn a monitoring run into ok / warn / alert (each check: warn at or above ``*_warn``,
    alert at or above ``*_alert``), and how the current batch is cut into cohorts."""

    psi_warn: float = Field(default=0.10, ge=0, description="Score PSI, whole batch and each cohort.")
    psi_alert: float = Field(default=0.25, ge=0, description="Score PSI that alerts.")
    csi_warn: float = Field(default=0.10, ge=0, description="CSI of a feature on the card's bins.")
    csi_alert: float = Field(default=0.25, ge=0, description="Feature CSI that alerts.")
    gini_drop_warn: float = Field(default=0.05, ge=0, description="Development Gini minus current Gini.")
    gini_drop_alert: float = Field(default=0.10, ge=0, description="Gini drop that alerts.")
    strength_loss_warn: float = Field(
        default=0.3, ge=0, description="Share of a feature's development strength lost (relationship shift)."
    )
    strength_loss_alert: float = Field(
        default=0.5, ge=0, description="Share of a feature's strength lost that alerts."
    )
    health_warn: float = Field(
        default=0.05, ge=0, le=1, description="Rise in missing / special / unseen / out-of-range share."
    )
    health_alert: float = Field(
        default=0.20,
        ge=0,
        le=1,
        description="Rise in a feature's missing / special / unseen / out-of-range share that alerts.",
    )
    drift_share_warn: float = Field(
        default=0.5, gt=0, le=1, description="Share of raw inputs Evidently finds drifted that warns."
    )
    alpha: float = Field(
        default=0.01, gt=0, lt=1, description="Significance of the per-grade binomial and per-feature tests."
    )
    n_score_bands: int = Field(
        default=10, ge=2, le=100, description="Equal-count reference score bands for PSI."
    )
    cohort: Literal["month", "quarter"] = Field(
        default="month", description="Cohorts of the current batch: calendar month or quarter of date_column."
    )
    date_column: str = Field(
        default="snapshot_date", description="Column whose month or quarter is the cohort."
    )
    target_column: str = Field(default="target", description="Outcome column (1 bad, 0 good, empty unknown).")
    min_cohort_rows: int = Field(default=500, ge=1, description="Smaller cohorts are shown but never alert.")
    min_cohort_bads: int = Field(default=30, ge=1, description="Fewer bads: Gini is shown but never alerts.")
    drift_sample_size: int = Field(
        default=20_000, ge=100, description="Rows per side sampled for Evidently; PSI/CSI use every row."
    )

    @model_validator(mode="after")
    def _warn_below_alert(self) -> MonitoringConfig:
        for check in ("psi", "csi", "gini_drop", "strength_loss", "health"):
            warn, alert = getattr(self, f"{check}_warn"), getattr(self, f"{check}_alert")
            if warn > alert:
                raise ValueError(f"{check}_warn ({warn}) must not exceed {check}_alert ({alert})")
        return self


class CardConfig(Strict):
    """Everything one card needs, from sources to monitoring thresholds."""

    card: CardType = Field(description="Card type: application, behaviour or collection.")
    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Card name (lower-case letters, digits, '_'); names runs, bundles and the experiment.",
    )
    description: str = Field(default="", description="Free text shown in runs and bundles.")
    data: DataConfig = Field(description="Where the data comes from.")
    features: FeaturesConfig = Field(
        default_factory=FeaturesConfig, description="Which features are computed."
    )
    target: TargetConfig = Field(default_factory=TargetConfig, description="How the outcome is defined.")
    split: SplitConfig = Field(default_factory=SplitConfig, description="Train / test / out-of-time samples.")
    binning: BinningConfig = Field(default_factory=BinningConfig, description="WOE binning.")
    selection: SelectionConfig = Field(
        default_factory=SelectionConfig, description="Feature selection rules."
    )
    scaling: ScalingConfig = Field(default_factory=ScalingConfig, description="Score scaling (points).")
    model: ModelConfig = Field(default_factory=ModelConfig, description="The logistic regression.")
    calibration: CalibrationConfig = Field(
        default_factory=CalibrationConfig, description="Score to PD and the master scale."
    )
    reasons: ReasonsConfig = Field(default_factory=ReasonsConfig, description="Reason codes.")
    challenger: ChallengerConfig = Field(
        default_factory=ChallengerConfig, description="The LightGBM challenger."
    )
    policy: PolicyConfig = Field(
        default_factory=PolicyConfig, description="Decision policy applied after the score."
    )
    reject_inference: RejectInferenceConfig = Field(
        default_factory=RejectInferenceConfig, description="Reject inference for application cards."
    )
    gates: GatesConfig = Field(default_factory=GatesConfig, description="Promotion gates.")
    tracking: TrackingConfig = Field(
        default_factory=TrackingConfig, description="MLflow tracking and registry."
    )
    monitoring: MonitoringConfig = Field(
        default_factory=MonitoringConfig, description="Monitoring thresholds and cohorts."
    )
    source_path: Annotated[Path | None, Field(exclude=True)] = None

    @model_validator(mode="after")
    def _ready_made_target_card(self) -> CardConfig:
        if self.target.column is not None and self.card == "behaviour":
            raise ValueError(
                "target.column (a ready-made target) is for the application and collection cards; the "
                "behaviour card's target comes from loan_performance"
            )
        if self.target.column is not None and self.data.flat_table is not None:
            raise ValueError("target.column is for data.sources; a flat table names its own target")
        return self


def _format_error(path: Path | str, err: ErrorDetails) -> str:
    key = ".".join(str(p) for p in err["loc"]) or "<top level>"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"{path}: {key}: unknown key (check its spelling)"
    if err["type"] == "missing":
        return f"{path}: {key}: required key is missing"
    return f"{path}: {key}: {msg}; got {err.get('input')!r}"


def _resolved(path: Path, base: Path) -> Path:
    """``path`` with ``$VAR`` / ``${VAR}`` expanded from the environment, relative to ``base`` unless absolute."""
    path = Path(os.path.expandvars(path))
    return path if path.is_absolute() else (base / path).resolve()


def _resolve_paths(node: Any, base: Path) -> None:
    """Resolve Path fields (environment variables expanded) against the config file's folder, in place."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if isinstance(value, Path) and name != "source_path":
                object.__setattr__(node, name, _resolved(value, base))
            elif isinstance(value, list) and value and all(isinstance(v, Path) for v in value):
                object.__setattr__(node, name, [_resolved(v, base) for v in value])
            else:
                _resolve_paths(value, base)
    elif isinstance(node, dict):
        for v in node.values():
            _resolve_paths(v, base)
    elif isinstance(node, list):
        for v in node:
            _resolve_paths(v, base)


def parse_config(raw: dict[str, Any], path: Path | str = "<config>", base: Path | None = None) -> CardConfig:
    """Validate a config dict; every problem is listed in one ConfigError."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level, got {type(raw).__name__}")
    try:
        cfg = CardConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("\n".join(_format_error(path, e) for e in exc.errors())) from None
    if base is not None:
        _resolve_paths(cfg, base)
    _check_values_files(cfg.policy, path)
    return cfg


def _check_values_files(policy: PolicyConfig, path: Path | str) -> None:
    """A knock-out or warning's values_file must exist when the config is read, not when a bundle is exported."""
    for kind, rules in (("knockouts", policy.knockouts), ("early_warnings", policy.early_warnings)):
        for i, rule in enumerate(rules):
            if rule.values_file is not None and not Path(rule.values_file).is_file():
                raise ConfigError(
                    f"{path}: policy.{kind}[{i}] ({rule.name}): values_file {rule.values_file} not found"
                )


def load_config(path: Path | str) -> CardConfig:
    """Read and validate a card config file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    cfg = parse_config(raw, path, base=path.parent.resolve())
    object.__setattr__(cfg, "source_path", path.resolve())
    return cfg
