"""Synthetic customers and their applications, with the legacy policy that approved or declined them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard.data import synth_text as text
from scorecard.data.schema import CHANNELS, EDUCATION, EMPLOYMENT_TYPES, HOUSING, PRODUCTS, PROVINCES
from scorecard.data.synth_model import (
    DRIFT_DAY,
    END_DAY,
    MONTHLY_RATE,
    START_DAY,
    installment,
    lookup,
    sigmoid,
)

REPEAT_SHARE = 0.1
GROWTH = 0.3
RING_SHARE, RING_SIZE, RING_ACTIVE_DAYS = 0.03, 7, 120
PROVINCE_P = (0.12, 0.11, 0.1, 0.1, 0.16, 0.1, 0.07, 0.08, 0.09, 0.07)
CHANNEL_P = (0.35, 0.3, 0.2, 0.15)
CHANNEL_P_DRIFT = (0.15, 0.35, 0.4, 0.1)
PRODUCT_P = (0.5, 0.25, 0.25)
EMPLOYMENT_P = (0.6, 0.15, 0.13, 0.02, 0.08, 0.02)
EDUCATION_P = (0.1, 0.4, 0.3, 0.15, 0.05)
HOUSING_P = (0.35, 0.2, 0.3, 0.15)
EDUCATION_INCOME = {"primary": -0.3, "secondary": -0.1, "bachelor": 0.15, "master": 0.3, "doctorate": 0.45}
EMPLOYMENT_INCOME = {
    "salaried": 0.0,
    "self_employed": 0.1,
    "civil_servant": 0.05,
    "student": -0.9,
    "unemployed": -1.0,
    "retired": -0.3,
}
TERMS = {"cash_loan": (12, 18, 24, 36, 48), "credit_card": (12, 24), "pos_loan": (12, 18, 24)}
AMOUNT_MEDIAN = {"cash_loan": 3_000.0, "credit_card": 1_500.0, "pos_loan": 800.0}
TAKE_UP = 0.88


def pick(rng: np.random.Generator, options: tuple, p: tuple | np.ndarray, size: int) -> np.ndarray:
    """Draw categories as an object array (one shared str object per category)."""
    return np.array(options, dtype=object)[rng.choice(len(options), size=size, p=np.asarray(p) / np.sum(p))]


@dataclass
class Applicants:
    """Customers (arrays of length n_customers) and applications (length n, in application_id order)."""

    customer_key: np.ndarray
    birth_day: np.ndarray
    age_at_anchor: np.ndarray
    anchor_day: np.ndarray
    anchor_drifted: np.ndarray
    province: np.ndarray
    city: np.ndarray
    income: np.ndarray
    income_missing: np.ndarray
    employment_type: np.ndarray
    employment_years: np.ndarray
    education: np.ndarray
    housing: np.ndarray
    latent: np.ndarray
    ring: np.ndarray
    customer: np.ndarray
    day: np.ndarray
    drifted: np.ndarray
    product: np.ndarray
    channel: np.ndarray
    amount: np.ndarray
    term: np.ndarray
    installment: np.ndarray
    declared_province: np.ndarray

    @property
    def age(self) -> np.ndarray:
        """Age in years at each application."""
        return (self.day - self.birth_day[self.customer]) / 365.25


def _anchor_days(rng: np.random.Generator, n_customers: int, ring: np.ndarray, n_rings: int) -> np.ndarray:
    """First application day: volume grows linearly by ``GROWTH`` over the window; fraud rings apply in bursts."""
    span = END_DAY - START_DAY
    share = (np.sqrt(1 + 2 * GROWTH * (1 + GROWTH / 2) * rng.random(n_customers)) - 1) / GROWTH
    days = np.clip(START_DAY + np.floor(span * share), START_DAY, END_DAY - 1).astype(np.int64)
    ring_start = START_DAY + rng.integers(0, span - RING_ACTIVE_DAYS, size=max(n_rings, 1))
    in_ring = ring >= 0
    days[in_ring] = ring_start[ring[in_ring]] + rng.integers(0, RING_ACTIVE_DAYS, size=int(in_ring.sum()))
    return days


def draw_applicants(rng: np.random.Generator, n: int, drift: bool) -> Applicants:
    """Customers with static attributes, their application dates and requests."""
    n_customers = max(1, round(n / (1 + REPEAT_SHARE)))
    n_rings = max(1, round(n_customers * RING_SHARE / RING_SIZE))
    ring = np.where(rng.random(n_customers) < RING_SHARE, rng.integers(0, n_rings, n_customers), -1)
    anchor = _anchor_days(rng, n_customers, ring, n_rings)
    order = np.lexsort((rng.random(n_customers), anchor))
    anchor, ring = anchor[order], ring[order]
    anchor_drifted = drift & (anchor >= DRIFT_DAY)

    age = np.where(
        anchor_drifted, 18 + 57 * rng.beta(1.6, 4.0, n_customers), 18 + 57 * rng.beta(2.0, 3.2, n_customers)
    )
    birth_day = anchor - np.round(age * 365.25).astype(np.int64)
    latent = rng.standard_normal(n_customers)

    employment = pick(rng, EMPLOYMENT_TYPES, EMPLOYMENT_P, n_customers)
    young, old = age < 25, age > 62
    employment[young & (rng.random(n_customers) < 0.35)] = "student"
    employment[old & (rng.random(n_customers) < 0.6)] = "retired"
    employment[~old & (employment == "retired")] = "salaried"
    years = np.minimum(rng.exponential(6.0, n_customers), age - 18)
    years = np.where(employment == "student", np.minimum(years, 2.0), years)
    years = np.where(employment == "unemployed", np.nan, np.round(np.clip(years, 0, 60), 1))
    education = pick(rng, EDUCATION, EDUCATION_P, n_customers)
    housing = pick(rng, HOUSING, HOUSING_P, n_customers)
    housing[young & (rng.random(n_customers) < 0.5)] = "family"

    log_income = (
        np.log(2_000.0)
        + lookup(EDUCATION_INCOME, education)
        + lookup(EMPLOYMENT_INCOME, employment)
        - 0.25 * ((age - 48) / 15) ** 2
        - 0.12 * latent
        + 0.4 * rng.standard_normal(n_customers)
    )
    income = np.round(np.exp(log_income), 0)
    missing_logit = (
        -2.3 + 0.8 * (employment == "self_employed") + 0.5 * (employment == "unemployed") + 0.5 * latent
    )
    income_missing = rng.random(n_customers) < sigmoid(missing_logit)

    province = pick(rng, PROVINCES, PROVINCE_P, n_customers)
    city_names = np.array([text.CITIES[p] for p in PROVINCES], dtype=object)
    city = city_names[pd.Categorical(province, categories=PROVINCES).codes, rng.integers(0, 4, n_customers)]

    customer = np.concatenate([np.arange(n_customers), rng.integers(0, n_customers, n - n_customers)])
    later = np.arange(n) >= n_customers
    gap = np.floor(rng.random(n) * (END_DAY - anchor[customer])).astype(np.int64)
    day = np.where(later, np.minimum(anchor[customer] + 1 + gap, END_DAY - 1), anchor[customer])
    order = np.lexsort((rng.random(n), day))
    customer, day = customer[order], day[order]
    drifted = drift & (day >= DRIFT_DAY)

    product = pick(rng, PRODUCTS, PRODUCT_P, n)
    channel = np.where(drifted, pick(rng, CHANNELS, CHANNEL_P_DRIFT, n), pick(rng, CHANNELS, CHANNEL_P, n))
    median = lookup(AMOUNT_MEDIAN, product) * np.sqrt(income[customer] / 2_000.0)
    amount = np.maximum(100.0, np.round(median * np.exp(0.6 * rng.standard_normal(n)) / 50) * 50)
    term = np.zeros(n, dtype=np.int64)
    for name, terms in TERMS.items():
        mask = product == name
        term[mask] = rng.choice(terms, size=int(mask.sum()))
    declared = province[customer].copy()
    moved = rng.random(n) < 0.05
    declared[moved] = pick(rng, PROVINCES, PROVINCE_P, int(moved.sum()))

    return Applicants(
        customer_key=text.keys("C", np.arange(n_customers), 8),
        birth_day=birth_day,
        age_at_anchor=age,
        anchor_day=anchor,
        anchor_drifted=anchor_drifted,
        province=province,
        city=city,
        income=income,
        income_missing=income_missing,
        employment_type=employment,
        employment_years=years,
        education=education,
        housing=housing,
        latent=latent,
        ring=ring,
        customer=customer,
        day=day,
        drifted=drifted,
        product=product,
        channel=channel,
        amount=amount,
        term=term,
        installment=installment(amount, term, lookup(MONTHLY_RATE, product)),
        declared_province=declared,
    )


def legacy_policy(
    rng: np.random.Generator, a: Applicants, worst_dpd: np.ndarray, inq_3m: np.ndarray, no_file: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The legacy policy's decision (True = approved) and take-up (True = booked) per application.

    It reads only what it could observe: age, bureau delinquency and inquiries, declared debt-to-income.
    """
    n = len(a.day)
    cust = a.customer
    dti = np.where(a.income_missing[cust], np.nan, a.installment / a.income[cust])
    knockout = (
        (a.age < 21)
        | (worst_dpd >= 60)
        | (inq_3m >= 6)
        | (np.nan_to_num(dti) > 0.6)
        | (a.income_missing[cust] & (a.employment_type[cust] == "unemployed"))
    )
    judgement = (
        -1.6 + 0.5 * no_file + 0.8 * (worst_dpd == 30) + 0.2 * inq_3m + 1.5 * np.nan_to_num(dti, nan=0.3)
    )
    approved = ~knockout & (rng.random(n) >= sigmoid(judgement))
    booked = approved & (rng.random(n) < TAKE_UP)
    return approved, booked


def customers_frame(rng: np.random.Generator, a: Applicants) -> pd.DataFrame:
    """The customers table, with raw PII."""
    n = len(a.customer_key)
    serial = rng.choice(10**7, size=n, replace=False)
    return pd.DataFrame(
        {
            "customer_id": a.customer_key,
            "full_name": text.full_names(rng, n),
            "national_id": text.national_ids(a.birth_day, serial),
            "mobile_phone": text.mobile_phones(rng, n),
            "bank_card_number": text.card_numbers(rng, n),
            "birth_date": a.birth_day,
            "province": a.province,
            "city": a.city,
            "income": np.where(a.income_missing, np.nan, a.income),
            "employment_type": a.employment_type,
            "employment_years": a.employment_years,
            "education": a.education,
            "housing": a.housing,
        },
        copy=False,
    )


def applications_frame(a: Applicants, approved: np.ndarray, booked: np.ndarray) -> pd.DataFrame:
    """The applications table; loan ids number the booked loans in application order."""
    n = len(a.day)
    loan_id = np.full(n, None, dtype=object)
    loan_id[booked] = text.keys("L", np.arange(int(booked.sum())), 8)
    return pd.DataFrame(
        {
            "application_id": text.keys("A", np.arange(n), 8),
            "customer_id": a.customer_key[a.customer],
            "application_date": a.day,
            "product": a.product,
            "channel": a.channel,
            "requested_amount": a.amount,
            "requested_term": a.term,
            "declared_province": a.declared_province,
            "decision": np.where(approved, "approved", "declined").astype(object),
            "loan_id": loan_id,
        },
        copy=False,
    )
