"""The synthetic portfolio's calendar and generative risk model (documented in docs/synthetic_portfolio.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

EPOCH = dt.date(1970, 1, 1)
START = dt.date(2022, 1, 1)
N_MONTHS = 36
HORIZON_MONTHS = 12
MAX_PERFORMANCE_MONTHS = 24
DRIFT_MONTHS = 6
NO_DATE = np.iinfo(np.int64).max


def month_start(month: int) -> dt.date:
    """First day of a month given as months since 1970-01."""
    return dt.date(1970 + month // 12, month % 12 + 1, 1)


START_MONTH = (START.year - 1970) * 12 + START.month - 1
START_DAY = (START - EPOCH).days
END_DAY = (month_start(START_MONTH + N_MONTHS) - EPOCH).days
HORIZON_MONTH = START_MONTH + N_MONTHS + HORIZON_MONTHS
HORIZON_DAY = (month_start(HORIZON_MONTH) - EPOCH).days
DRIFT_START = month_start(START_MONTH + N_MONTHS - DRIFT_MONTHS)
DRIFT_DAY = (DRIFT_START - EPOCH).days
DRIFTED_RELATIONSHIP = "inq_3m: bureau inquiries in the 3 months before application_date"

INTERCEPT = -3.5
AGE_CENTRE, AGE_SCALE, AGE_U = 45.0, 12.0, 0.25
INCOME_REF, INCOME_SLOPE = 2_000.0, -0.45
DTI_SLOPE, DTI_CAP = 1.6, 1.2
MISSING_INCOME = 0.4
EMPLOYMENT_YEARS_SLOPE = -0.3
NO_BUREAU_FILE = 0.45
FILE_AGE_SLOPE = -0.15
UTILISATION_SLOPE = 1.3
INQ_3M_SLOPE, INQ_3M_CAP = 0.22, 10
MULTI_LENDING = 0.35
FRAUD_RING, EMULATOR, ROOTED, GPS_MISMATCH = 1.4, 0.6, 0.3, 0.25
LATENT, NOISE = 0.6, 0.5

EMPLOYMENT_EFFECT = {
    "salaried": 0.0,
    "self_employed": 0.25,
    "civil_servant": -0.35,
    "student": 0.3,
    "unemployed": 0.7,
    "retired": 0.0,
}
HOUSING_EFFECT = {"own": -0.25, "mortgage": -0.15, "rent": 0.15, "family": 0.1}
EDUCATION_EFFECT = {"primary": 0.3, "secondary": 0.1, "bachelor": -0.1, "master": -0.2, "doctorate": -0.25}
CHANNEL_EFFECT = {"branch": -0.15, "online": 0.1, "mobile_app": 0.05, "agent": 0.2}
PRODUCT_EFFECT = {"cash_loan": 0.1, "credit_card": 0.0, "pos_loan": -0.1}
WORST_DPD_EFFECT = {0: 0.0, 30: 0.5, 60: 0.9, 90: 1.3}
MONTHLY_RATE = {"cash_loan": 0.015, "credit_card": 0.02, "pos_loan": 0.01}


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def lookup(mapping: dict, values: np.ndarray) -> np.ndarray:
    """Map category codes (an object array) to their effect, vectorised over the categories."""
    out = np.zeros(len(values))
    for key, effect in mapping.items():
        out[values == key] = effect
    return out


def installment(amount: np.ndarray, term: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Level monthly payment of an amortising loan."""
    return amount * rate / (1.0 - (1.0 + rate) ** (-term))


@dataclass
class RiskDrivers:
    """Per-application values the risk model reads (true values, some unobserved by the lender)."""

    age: np.ndarray
    income: np.ndarray
    income_missing: np.ndarray
    installment: np.ndarray
    employment_type: np.ndarray
    employment_years: np.ndarray
    education: np.ndarray
    housing: np.ndarray
    channel: np.ndarray
    product: np.ndarray
    no_file: np.ndarray
    file_months: np.ndarray
    worst_dpd: np.ndarray
    utilisation: np.ndarray
    inq_3m: np.ndarray
    multi_lender: np.ndarray
    fraud_ring: np.ndarray
    emulator: np.ndarray
    rooted: np.ndarray
    gps_mismatch: np.ndarray
    latent: np.ndarray
    drifted: np.ndarray


def application_logit(d: RiskDrivers, noise: np.ndarray) -> np.ndarray:
    """Log-odds of going 30+ DPD within 12 months of booking, before the monthly dynamics add their noise."""
    dti = np.clip(d.installment / d.income, 0.0, DTI_CAP)
    inq_slope = np.where(d.drifted, 0.0, INQ_3M_SLOPE)
    return (
        INTERCEPT
        + AGE_U * ((d.age - AGE_CENTRE) / AGE_SCALE) ** 2
        + INCOME_SLOPE * np.log(d.income / INCOME_REF)
        + DTI_SLOPE * dti
        + MISSING_INCOME * d.income_missing
        + EMPLOYMENT_YEARS_SLOPE * np.log1p(np.nan_to_num(d.employment_years))
        + lookup(EMPLOYMENT_EFFECT, d.employment_type)
        + lookup(EDUCATION_EFFECT, d.education)
        + lookup(HOUSING_EFFECT, d.housing)
        + lookup(CHANNEL_EFFECT, d.channel)
        + lookup(PRODUCT_EFFECT, d.product)
        + NO_BUREAU_FILE * d.no_file
        + FILE_AGE_SLOPE * np.log1p(d.file_months / 12.0)
        + lookup(WORST_DPD_EFFECT, d.worst_dpd)
        + UTILISATION_SLOPE * d.utilisation
        + inq_slope * np.minimum(d.inq_3m, INQ_3M_CAP)
        + MULTI_LENDING * d.multi_lender
        + FRAUD_RING * d.fraud_ring
        + EMULATOR * d.emulator
        + ROOTED * d.rooted
        + GPS_MISMATCH * d.gps_mismatch
        + LATENT * d.latent
        + NOISE * noise
    )
