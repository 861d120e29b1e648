"""Synthetic lending portfolio: every canonical table, seeded and reproducible, with a documented risk model.

The generative model is described in docs/synthetic_portfolio.md; its coefficients live in ``synth_model``.
``synthesize`` returns raw tables (with PII); ``write_portfolio`` writes one ``<table>.parquet`` per table,
byte-identical for the same seed. With ``truth`` it also returns ``reject_outcomes``: the outcome every
unbooked application (declined, or approved and not taken up) would have had if booked, simulated with its own
random stream so the canonical tables stay byte-identical. Modeling never reads it; it is written apart
(``truth/reject_outcomes.parquet``) for measuring reject inference.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scorecard.data import synth_bureau, synth_device, synth_people, synth_performance
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

__all__ = ["DRIFTED_RELATIONSHIP", "DRIFT_START", "STEPS", "synthesize", "write_portfolio"]

STEPS = ("customers", "applications", "loan_performance", "bureau", "device_events")
MAX_APPLICATIONS = 10_000_000
TRUTH_TABLES = ("reject_outcomes",)
"""Tables only ``synthesize(truth=True)`` returns; never canonical, never read by modeling."""
TRUTH_STREAM = 1
"""Second word of the truth simulation's seed ``[seed, TRUTH_STREAM]``: apart from the main stream."""


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
    if isinstance(n_applications, bool) or not isinstance(n_applications, int | np.integer):
        raise ConfigError(f"synth: n_applications must be an integer; got {n_applications!r}")
    if not 1 <= n_applications <= MAX_APPLICATIONS:
        raise ConfigError(
            f"synth: n_applications must be between 1 and {MAX_APPLICATIONS:,}; got {n_applications:,}"
        )
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"synth: seed must be a non-negative integer; got {seed!r}")
    done = on_step or (lambda _step: None)
    rng = np.random.Generator(np.random.PCG64(int(seed)))

    applicants = synth_people.draw_applicants(rng, int(n_applications), bool(drift))
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
        tables["reject_outcomes"] = _reject_outcomes(int(seed), applicants, applications, booked, logit)
    return tables


def _reject_outcomes(
    seed: int,
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
    performance, _ = synth_performance.simulate(np.random.default_rng([seed, TRUTH_STREAM]), loans)
    worst = performance.groupby("loan_id")["dpd"].max().reindex(np.arange(len(unbooked)), fill_value=0)
    return pd.DataFrame(
        {
            "application_id": applications["application_id"].to_numpy()[unbooked],
            "decision": applications["decision"].to_numpy()[unbooked],
            "worst_dpd_12m": worst.to_numpy(np.int64),
            "bad": (worst.to_numpy() >= 30).astype(np.int64),
        }
    )


def write_portfolio(
    tables: dict[str, pd.DataFrame], out_dir: str | Path, on_write: Callable[[Path], None] | None = None
) -> dict[str, Path]:
    """Write each table to ``<out_dir>/<table>.parquet`` (truth tables to ``<out_dir>/truth/``); the same tables
    always give the same bytes. ``on_write`` is called with each file's path once it is written (for progress).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in tables.items():
        path = out / "truth" / f"{name}.parquet" if name in TRUTH_TABLES else out / f"{name}.parquet"
        path.parent.mkdir(exist_ok=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, path, compression="zstd", row_group_size=1 << 20)
        paths[name] = path
        if on_write is not None:
            on_write(path)
    return paths
