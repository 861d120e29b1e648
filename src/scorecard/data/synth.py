"""Synthetic lending portfolio: every canonical table, seeded and reproducible, with a documented risk model.

The generative model is described in docs/synthetic_portfolio.md; its coefficients live in ``synth_model``.
``synthesize`` returns raw tables (with PII); ``write_portfolio`` writes one ``<table>.parquet`` per table,
byte-identical for the same seed. With ``truth`` it also returns ``reject_outcomes``: the outcome every
unbooked application (declined, or approved and not taken up) would have had if booked, simulated with its own
random stream so the canonical tables stay byte-identical. Modeling never reads it; it is written apart
(``truth/reject_outcomes.parquet``) for measuring reject inference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scorecard.data import synth_bureau, synth_device, synth_people, synth_performance, synth_text
from scorecard.data.schema import TABLES, TableSchema
from scorecard.data.synth_model import (
    DRIFT_START,
    DRIFTED_RELATIONSHIP,
    HORIZON_MONTH,
    HORIZON_MONTHS,
    MONTHLY_RATE,
    NO_DATE,
    RiskDrivers,
    application_logit,
    lookup,
)
from scorecard.errors import ConfigError

__all__ = [
    "DRIFTED_RELATIONSHIP",
    "DRIFT_START",
    "STEPS",
    "synthesize",
    "synthesize_chunks",
    "write_portfolio",
    "write_synthetic",
]

STEPS = ("customers", "applications", "loan_performance", "bureau", "device_events")
MAX_APPLICATIONS = 10_000_000
TRUTH_TABLES = ("reject_outcomes",)
"""Tables only ``synthesize(truth=True)`` returns; never canonical, never read by modeling."""
TRUTH_STREAM = 1
"""Second word of the truth simulation's seed ``[seed, TRUTH_STREAM]``: apart from the main stream."""
CHUNK_APPLICATIONS = 250_000
"""Applications generated at a time by ``synthesize_chunks``: peak memory is that of one chunk (2-4 GB)."""
CHUNK_STREAM = 2
"""Second word of chunk k's seed ``[seed, CHUNK_STREAM, k]`` (k >= 1; the first chunk uses the seed itself)."""
SEQUENTIAL_KEYS = {
    "A": (
        8,
        (
            ("applications", "application_id"),
            ("device_events", "application_id"),
            ("reject_outcomes", "application_id"),
        ),
    ),
    "C": (
        8,
        tuple(
            (t, "customer_id")
            for t in ("customers", "applications", "bureau_tradelines", "bureau_inquiries", "device_events")
        ),
    ),
    "L": (8, (("applications", "loan_id"), ("loan_performance", "loan_id"), ("collection_cases", "loan_id"))),
    "T": (9, (("bureau_tradelines", "tradeline_id"),)),
    "Q": (9, (("bureau_inquiries", "inquiry_id"),)),
    "E": (9, (("device_events", "event_id"),)),
    "K": (9, (("collection_cases", "case_id"),)),
}
"""Key prefix -> (digits, the columns holding such keys): numbered from 0 in each chunk, shifted past the
previous chunks' keys so that they stay unique in the whole portfolio."""


def _drivers(
    a: synth_people.Applicants, b: synth_bureau.BureauProfile, device: dict[str, np.ndarray]
) -> RiskDrivers:
    c = a.customer
    return RiskDrivers(
        age=a.age,
        income=a.income[c],
        income_missing=a.income_missing[c],
        installment=a.installment,
        employment_type=a.employment_type[c],
        employment_years=a.employment_years[c],
        education=a.education[c],
        housing=a.housing[c],
        channel=a.channel,
        product=a.product,
        no_file=b.no_file[c],
        file_months=b.file_months[c],
        worst_dpd=b.worst_dpd[c],
        utilisation=b.utilisation[c],
        inq_3m=b.inq_3m[c],
        multi_lender=b.multi_lender[c],
        fraud_ring=device["fraud_ring"],
        emulator=device["emulator"],
        rooted=device["rooted"],
        gps_mismatch=device["gps_mismatch"],
        latent=a.latent[c],
        drifted=a.drifted,
    )


def _conform(frame: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    """Cast a generated frame to the canonical dtypes (dates arrive as day numbers, NO_DATE = missing)."""
    out: dict[str, Any] = {}
    for col in schema.columns:
        values = frame[col.name]
        if col.dtype == "date":
            days = values.to_numpy(np.int64)
            stamp = days.astype("datetime64[D]").astype("datetime64[ns]")
            out[col.name] = np.where(days == NO_DATE, np.datetime64("NaT", "ns"), stamp)
        elif col.dtype == "int":
            out[col.name] = values.astype("Int64" if col.nullable else np.int64)
        elif col.dtype == "float":
            out[col.name] = values.astype(np.float64)
        elif col.dtype == "bool":
            out[col.name] = values.astype(bool)
        else:
            out[col.name] = values
    return pd.DataFrame(out, columns=schema.column_names, copy=False)


def synthesize(
    n_applications: int = 20_000,
    seed: int = 0,
    drift: bool = False,
    on_step: Callable[[str], None] | None = None,
    truth: bool = False,
) -> dict[str, pd.DataFrame]:
    """Generate every canonical table (raw, with PII) for ``n_applications`` applications.

    ``drift`` shifts the applications from ``DRIFT_START`` on (younger, more digital, more inquiries) and
    changes one relationship (``DRIFTED_RELATIONSHIP``). ``on_step`` is called with each name in ``STEPS``
    as that step finishes (for progress display). ``truth`` adds the ``reject_outcomes`` table.
    """
    _check_arguments(n_applications, seed)
    return _synthesize(int(n_applications), [int(seed)], bool(drift), on_step or (lambda _: None), truth)


def _check_arguments(n_applications: int, seed: int) -> None:
    if isinstance(n_applications, bool) or not isinstance(n_applications, int | np.integer):
        raise ConfigError(f"synth: n_applications must be an integer; got {n_applications!r}")
    if not 1 <= n_applications <= MAX_APPLICATIONS:
        raise ConfigError(
            f"synth: n_applications must be between 1 and {MAX_APPLICATIONS:,}; got {n_applications:,}"
        )
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"synth: seed must be a non-negative integer; got {seed!r}")


def _synthesize(
    n_applications: int, entropy: list[int], drift: bool, done: Callable[[str], None], truth: bool
) -> dict[str, pd.DataFrame]:
    """``synthesize`` from the seed words ``entropy`` (``[seed]``, or a chunk's ``[seed, CHUNK_STREAM, k]``)."""
    rng = np.random.Generator(np.random.PCG64(entropy[0] if len(entropy) == 1 else entropy))

    applicants = synth_people.draw_applicants(rng, n_applications, drift)
    bureau = synth_bureau.draw_profile(rng, applicants)
    device = synth_device.draw_profile(rng, applicants)
    logit = application_logit(
        _drivers(applicants, bureau, device.at_application(applicants)),
        rng.standard_normal(len(applicants.day)),
    )
    customers = synth_people.customers_frame(rng, applicants)
    done("customers")

    c = applicants.customer
    approved, booked = synth_people.legacy_policy(
        rng, applicants, bureau.worst_dpd[c], bureau.inq_3m[c], bureau.no_file[c]
    )
    applications = synth_people.applications_frame(applicants, approved, booked)
    done("applications")

    month = applicants.day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    loans = synth_performance.Loans(
        key=applications["loan_id"].to_numpy()[booked],
        booking_month=month[booked],
        amount=applicants.amount[booked],
        term=applicants.term[booked],
        rate=lookup(MONTHLY_RATE, applicants.product[booked]),
        installment=applicants.installment[booked],
        logit=logit[booked],
    )
    performance, cases = synth_performance.simulate(rng, loans)
    done("loan_performance")

    first = np.unique(c, return_index=True)[1]
    stress = (logit[first] - logit.mean()) / max(float(logit.std()), 1e-9)
    tradelines = synth_bureau.tradelines_frame(rng, applicants, bureau, stress)
    inquiries = synth_bureau.inquiries_frame(rng, applicants, bureau, stress)
    done("bureau")

    events = synth_device.events_frame(rng, applicants, device, applications["application_id"].to_numpy())
    done("device_events")

    raw = {
        "customers": customers,
        "applications": applications,
        "bureau_tradelines": tradelines,
        "bureau_inquiries": inquiries,
        "device_events": events,
        "loan_performance": performance,
        "collection_cases": cases,
    }
    tables = {name: _conform(raw[name], schema) for name, schema in TABLES.items()}
    if truth:
        tables["reject_outcomes"] = _reject_outcomes(entropy, applicants, applications, booked, logit)
    return tables


def _reject_outcomes(
    entropy: list[int],
    applicants: synth_people.Applicants,
    applications: pd.DataFrame,
    booked: np.ndarray,
    logit: np.ndarray,
) -> pd.DataFrame:
    """Worst DPD over the first ``HORIZON_MONTHS`` monthly reports each unbooked application would have had.

    Each is simulated as a loan booked with its requested amount and term by the same monthly dynamics as the
    booked book, on its own random stream; ``bad`` is worst DPD >= 30 (the default target).
    """
    unbooked = np.flatnonzero(~booked)
    months = np.full(len(unbooked), HORIZON_MONTH - 1 - HORIZON_MONTHS)  # a full window before the horizon
    loans = synth_performance.Loans(
        key=np.arange(len(unbooked)),
        booking_month=months,
        amount=applicants.amount[unbooked],
        term=applicants.term[unbooked],
        rate=lookup(MONTHLY_RATE, applicants.product[unbooked]),
        installment=applicants.installment[unbooked],
        logit=logit[unbooked],
    )
    performance, _ = synth_performance.simulate(np.random.default_rng([*entropy, TRUTH_STREAM]), loans)
    worst = performance.groupby("loan_id")["dpd"].max().reindex(np.arange(len(unbooked)), fill_value=0)
    return pd.DataFrame(
        {
            "application_id": applications["application_id"].to_numpy()[unbooked],
            "decision": applications["decision"].to_numpy()[unbooked],
            "worst_dpd_12m": worst.to_numpy(np.int64),
            "bad": (worst.to_numpy() >= 30).astype(np.int64),
        }
    )


def synthesize_chunks(
    n_applications: int,
    seed: int = 0,
    drift: bool = False,
    truth: bool = False,
    chunk: int = CHUNK_APPLICATIONS,
) -> Iterator[dict[str, pd.DataFrame]]:
    """The portfolio of ``synthesize`` generated ``chunk`` applications at a time, for bounded memory.

    Each chunk is a portfolio of its own customers drawn by the same model (chunk k >= 1 from the seed
    ``[seed, CHUNK_STREAM, k]``), with its keys shifted past the previous chunks'. Up to ``chunk`` applications
    the one chunk is exactly ``synthesize(n_applications, seed)``. Device ids are drawn at random in each chunk,
    so a few may recur across chunks (about n^2 / 2e10 of them for n devices).
    """
    _check_arguments(n_applications, seed)
    offsets = dict.fromkeys(SEQUENTIAL_KEYS, 0)
    for k, start in enumerate(range(0, int(n_applications), chunk)):
        entropy = [int(seed)] if k == 0 else [int(seed), CHUNK_STREAM, k]
        size = min(chunk, int(n_applications) - start)
        tables = _synthesize(size, entropy, bool(drift), lambda _: None, truth)
        yield _shift_keys(tables, offsets)


def _shift_keys(tables: dict[str, pd.DataFrame], offsets: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Keys moved up by ``offsets`` (per prefix), which then move past this chunk's largest key."""
    largest = dict.fromkeys(SEQUENTIAL_KEYS, -1)
    for prefix, (width, columns) in SEQUENTIAL_KEYS.items():
        for table, column in columns:
            if table not in tables:
                continue
            values = tables[table][column]
            known = values.notna().to_numpy()
            numbers = values[known].str.slice(len(prefix)).astype(np.int64).to_numpy()
            if len(numbers):
                largest[prefix] = max(largest[prefix], int(numbers.max()))
            if offsets[prefix]:
                shifted = values.to_numpy(dtype=object, copy=True)
                shifted[known] = synth_text.keys(prefix, numbers + offsets[prefix], width)
                tables[table][column] = shifted
    for prefix in offsets:
        offsets[prefix] += largest[prefix] + 1
    return tables


def write_synthetic(
    n_applications: int,
    out_dir: str | Path,
    seed: int = 0,
    drift: bool = False,
    truth: bool = False,
    on_chunk: Callable[[int], None] | None = None,
    chunk: int = CHUNK_APPLICATIONS,
) -> dict[str, tuple[Path, int]]:
    """Generate and write the portfolio chunk by chunk (``synthesize_chunks``): one ``<table>.parquet`` per table,
    a row group per chunk and at most 2^20 rows; table -> (path, rows). Memory stays that of one chunk; the
    same arguments give the same bytes (and those of ``write_portfolio(synthesize(...))`` up to one chunk).
    ``on_chunk`` receives the applications written so far."""
    out = Path(out_dir)
    writers: dict[str, pq.ParquetWriter] = {}
    rows: dict[str, int] = {}
    paths: dict[str, Path] = {}
    written = 0
    try:
        for tables in synthesize_chunks(n_applications, seed, drift, truth, chunk):
            for name, frame in tables.items():
                if name not in writers:
                    paths[name] = _portfolio_path(out, name)
                    table = pa.Table.from_pandas(frame, preserve_index=False)
                    writers[name] = pq.ParquetWriter(paths[name], table.schema, compression="zstd")
                    rows[name] = 0
                else:
                    table = pa.Table.from_pandas(frame, schema=writers[name].schema, preserve_index=False)
                writers[name].write_table(table, row_group_size=1 << 20)
                rows[name] += len(frame)
            written += len(tables["applications"])
            if on_chunk is not None:
                on_chunk(written)
    finally:
        for writer in writers.values():
            writer.close()
    return {name: (paths[name], rows[name]) for name in writers}


def _portfolio_path(out: Path, name: str) -> Path:
    path = out / "truth" / f"{name}.parquet" if name in TRUTH_TABLES else out / f"{name}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_portfolio(
    tables: dict[str, pd.DataFrame], out_dir: str | Path, on_write: Callable[[Path], None] | None = None
) -> dict[str, Path]:
    """Write each table to ``<out_dir>/<table>.parquet`` (truth tables to ``<out_dir>/truth/``); the same tables
    always give the same bytes. ``on_write`` is called with each file's path once it is written (for progress).
    """
    out = Path(out_dir)
    paths = {}
    for name, frame in tables.items():
        path = _portfolio_path(out, name)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, path, compression="zstd", row_group_size=1 << 20)
        paths[name] = path
        if on_write is not None:
            on_write(path)
    return paths
