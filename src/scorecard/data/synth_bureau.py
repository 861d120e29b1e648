"""Synthetic credit-bureau file: quarterly tradeline states and inquiries, before and after each application."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard.data import synth_text as text
from scorecard.data.schema import INQUIRY_PURPOSES, TRADELINE_PRODUCTS
from scorecard.data.synth_model import HORIZON_DAY, NO_DATE, sigmoid
from scorecard.data.synth_people import Applicants, pick

NO_FILE_BASE, NO_FILE_YOUNG = -2.3, 1.6
DRIFT_EXTRA_INQUIRIES = 1.0
REPORT_BEFORE_DAYS, REPORT_AFTER_DAYS = 365, 275
TRADELINE_P = (0.35, 0.25, 0.08, 0.1, 0.12, 0.1)
LIMIT_MEDIAN = (2_000.0, 5_000.0, 80_000.0, 15_000.0, 800.0, 400.0)
LENDER_P = np.array([3.0] * 20 + [2.0] * 10 + [1.0] * 10)


@dataclass
class BureauProfile:
    """What the bureau knows about each customer at their first application (arrays of length n_customers)."""

    no_file: np.ndarray
    file_months: np.ndarray
    multi_lender: np.ndarray
    inq_3m: np.ndarray
    utilisation: np.ndarray
    worst_dpd: np.ndarray
    n_open: np.ndarray
    n_closed: np.ndarray


def draw_profile(rng: np.random.Generator, a: Applicants) -> BureauProfile:
    """Bureau history at the first application, correlated with the customer's latent risk."""
    n, u, age = len(a.latent), a.latent, a.age_at_anchor
    no_file = rng.random(n) < sigmoid(NO_FILE_BASE + NO_FILE_YOUNG * (age < 25) + 0.3 * u)
    has = ~no_file
    file_months = np.where(has, np.floor(6 + (age - 18) * 12 * rng.beta(2.0, 2.5, n)), 0.0)
    multi = has & (rng.random(n) < sigmoid(-2.6 + 0.8 * u))
    rate = np.exp(-0.7 + 0.45 * u + 1.4 * multi) + np.where(a.anchor_drifted, DRIFT_EXTRA_INQUIRIES, 0.0)
    inq = np.where(has, rng.poisson(rate), 0)
    util = np.where(has, 1.05 * sigmoid(-0.7 + 0.8 * u + 0.8 * rng.standard_normal(n)), 0.0)
    stress = -2.0 + 0.9 * u + 0.7 * rng.standard_normal(n)
    worst = np.select([stress < 0, stress < 0.6, stress < 1.1], [0, 30, 60], 90)
    return BureauProfile(
        no_file=no_file,
        file_months=file_months,
        multi_lender=multi,
        inq_3m=inq,
        utilisation=util,
        worst_dpd=np.where(has, worst, 0),
        n_open=np.where(has, 1 + rng.poisson(1.2 + 0.5 * multi), 0),
        n_closed=np.where(has, rng.poisson(0.6, n), 0),
    )


def _quarter_start_on_or_after(day: np.ndarray) -> np.ndarray:
    """Index (quarters since 1970) of the first quarter start on or after each day."""
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    q = month // 3
    q_day = (q * 3).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return q + (q_day < day)


def _quarter_day(q: np.ndarray) -> np.ndarray:
    return (q * 3).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _uniform_days(
    rng: np.random.Generator, lo: np.ndarray | float, hi: np.ndarray | float, n: int
) -> np.ndarray:
    """Whole days drawn uniformly in [lo, hi) (n draws; lo and hi broadcast)."""
    return np.floor(lo + rng.random(n) * (np.asarray(hi) - lo)).astype(np.int64)


def tradelines_frame(
    rng: np.random.Generator, a: Applicants, b: BureauProfile, stress: np.ndarray
) -> pd.DataFrame:
    """Tradeline states at quarterly report dates from a year before to nine months after the first application.

    ``stress`` (per customer, standardised risk) drives what happens after the application: new credit,
    rising balances and fresh delinquencies, which only a point-in-time join keeps out of the features.
    """
    n_new = rng.poisson(0.25 + 0.35 * np.clip(stress, 0, None))
    kind = np.concatenate(
        [np.zeros(b.n_open.sum(), int), np.ones(b.n_closed.sum(), int), np.full(n_new.sum(), 2)]
    )
    cust = np.concatenate([np.repeat(np.arange(len(b.n_open)), c) for c in (b.n_open, b.n_closed, n_new)])
    m = len(cust)
    anchor, file_days = a.anchor_day[cust], b.file_months[cust] * 30.4
    first_open = np.r_[True, cust[1:] != cust[:-1]] & (kind == 0)

    open_day = np.where(
        kind == 2,
        anchor + _uniform_days(rng, 15, 270, m),
        anchor - _uniform_days(rng, 0.1 * file_days, file_days, m),
    )
    open_day = np.where(first_open, anchor - np.floor(file_days).astype(np.int64), open_day)
    closes_later = (kind == 0) & (rng.random(m) < 0.15)
    closed_day = np.select(
        [kind == 1, closes_later],
        [
            _uniform_days(rng, open_day + 90, np.maximum(anchor - 30, open_day + 91), m),
            anchor + _uniform_days(rng, 30, 365, m),
        ],
        NO_DATE,
    )

    worst = b.worst_dpd[cust]
    hist = first_open & (worst > 0)
    del1 = np.where(hist, anchor - _uniform_days(rng, 100, np.maximum(file_days - 30, 101), m), NO_DATE)
    live_after = (kind != 1) & (closed_day > anchor)
    post = live_after & (rng.random(m) < 0.6 * sigmoid(1.5 * stress[cust] - 2.5))
    del2 = np.where(post, np.maximum(anchor + _uniform_days(rng, 30, 270, m), open_day + 30), NO_DATE)
    dpd2 = rng.choice([30, 60, 90], size=m, p=[0.5, 0.3, 0.2])

    lender = _lenders(rng, m)
    product = rng.choice(len(TRADELINE_P), size=m, p=TRADELINE_P)
    limit = np.round(np.asarray(LIMIT_MEDIAN)[product] * np.exp(0.5 * rng.standard_normal(m)), -1)
    util = np.clip(b.utilisation[cust] + 0.15 * rng.standard_normal(m), 0.0, 1.1)
    slope = 0.02 * stress[cust] + 0.01 * rng.standard_normal(m)
    util = np.where(kind == 2, np.clip(0.6 + 0.1 * stress[cust], 0.05, 1.1), util)

    q_first = _quarter_start_on_or_after(np.maximum(open_day, anchor - REPORT_BEFORE_DAYS))
    last = np.minimum(
        np.minimum(anchor + REPORT_AFTER_DAYS, HORIZON_DAY - 1), np.minimum(closed_day, NO_DATE - 92) + 91
    )
    n_reports = np.maximum(_quarter_start_on_or_after(last + 1) - q_first, 0)

    order = np.lexsort((open_day, cust))
    row_tl = np.repeat(order, n_reports[order])
    starts = np.repeat(np.cumsum(n_reports[order]) - n_reports[order], n_reports[order])
    report = _quarter_day(q_first[row_tl] + np.arange(len(row_tl)) - starts)
    tl_key = np.empty(m, dtype=object)
    tl_key[order] = text.keys("T", np.arange(m), 9)

    since = (report - anchor[row_tl]) / 30.4
    level = (
        util[row_tl]
        + np.where(since > 0, slope[row_tl] * since, 0.0)
        + 0.03 * rng.standard_normal(len(row_tl))
    )
    closed = closed_day[row_tl] <= report
    d1, d2 = del1[row_tl] <= report, del2[row_tl] <= report
    last_del = np.where(d2, del2[row_tl], np.where(d1, del1[row_tl], NO_DATE))
    return pd.DataFrame(
        {
            "tradeline_id": tl_key[row_tl],
            "customer_id": a.customer_key[cust[row_tl]],
            "report_date": report,
            "lender": lender[row_tl],
            "product_type": np.array(TRADELINE_PRODUCTS, dtype=object)[product[row_tl]],
            "open_date": open_day[row_tl],
            "credit_limit": limit[row_tl],
            "balance": np.where(closed, 0.0, np.round(limit[row_tl] * np.clip(level, 0.0, 1.2), 2)),
            "worst_dpd": np.maximum(np.where(d1, worst[row_tl], 0), np.where(d2, dpd2[row_tl], 0)),
            "last_delinquency_date": last_del,
            "closed_date": np.where(closed, closed_day[row_tl], NO_DATE),
        },
        copy=False,
    )


def _lenders(rng: np.random.Generator, n: int) -> np.ndarray:
    return pick(rng, text.LENDERS, LENDER_P, n)


def inquiries_frame(
    rng: np.random.Generator, a: Applicants, b: BureauProfile, stress: np.ndarray
) -> pd.DataFrame:
    """Hard inquiries: the profile's count in the 3 months before the first application, older ones, later ones."""
    has = ~b.no_file
    n_old = np.where(has, rng.poisson(1.2 + 0.8 * b.multi_lender), 0)
    n_post = rng.poisson(0.5 + 0.6 * np.clip(stress, 0, None))
    counts = (b.inq_3m, n_old, n_post)
    cust = np.concatenate([np.repeat(np.arange(len(has)), c) for c in counts])
    kind = np.concatenate([np.full(c.sum(), k) for k, c in enumerate(counts)])
    anchor = a.anchor_day[cust]
    day = np.select(
        [kind == 0, kind == 1],
        [anchor - _uniform_days(rng, 1, 86, len(cust)), anchor - _uniform_days(rng, 95, 730, len(cust))],
        np.minimum(anchor + _uniform_days(rng, 1, 366, len(cust)), HORIZON_DAY - 1),
    )
    home = _lenders(rng, len(has))
    spread = b.multi_lender[cust] | (rng.random(len(cust)) < 0.3)
    lender = np.where(spread, _lenders(rng, len(cust)), home[cust])
    purpose = pick(rng, INQUIRY_PURPOSES, (0.75, 0.15, 0.1, 0.0), len(cust))
    collection = (kind == 2) & (rng.random(len(cust)) < 0.5 * sigmoid(stress[cust] - 1.5))
    purpose[collection] = "collection"
    order = np.lexsort((rng.random(len(cust)), day, cust))
    return pd.DataFrame(
        {
            "inquiry_id": text.keys("Q", np.arange(len(cust)), 9),
            "customer_id": a.customer_key[cust[order]],
            "inquiry_date": day[order],
            "lender": lender[order],
            "purpose": purpose[order],
        },
        copy=False,
    )
