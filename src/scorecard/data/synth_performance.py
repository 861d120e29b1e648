"""Monthly repayment behaviour of booked loans, and the collection cases opened when they fall behind."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard.data import synth_text as text
from scorecard.data.synth_model import HORIZON_MONTH, MAX_PERFORMANCE_MONTHS, sigmoid

STRESS_RHO, STRESS_SIGMA = 0.9, 0.4
PARTIAL_PAYMENT = 0.3
PREPAY_BASE, PREPAY_RISK, PREPAY_STRESS = -1.5, -0.6, -1.2
CURE_BASE, CURE_PTP, CURE_CONTACT, CURE_ENTRY_DPD = 0.2, 1.2, 0.15, -0.03
CURE_BALANCE, CURE_HISTORY, CURE_ROLL, CURE_STRESS = -0.35, -0.5, -0.6, -1.0
BALANCE_REF = 2_000.0
RISK_CENTRE = -2.5


@dataclass
class Loans:
    """Booked loans (one entry per loan, in loan_id order)."""

    key: np.ndarray
    booking_month: np.ndarray
    amount: np.ndarray
    term: np.ndarray
    rate: np.ndarray
    installment: np.ndarray
    logit: np.ndarray


def _first_day(month: np.ndarray) -> np.ndarray:
    """Day number of the first day of each month index (months since 1970-01)."""
    return month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _cure_logit(ptp, contacts, entry_dpd, balance, history, dpd, stress) -> np.ndarray:
    """Chance that a delinquent loan pays all arrears this month; collection features shift it."""
    return (
        CURE_BASE
        + CURE_PTP * ptp
        + CURE_CONTACT * np.minimum(contacts, 8)
        + CURE_ENTRY_DPD * entry_dpd
        + CURE_BALANCE * np.log(np.maximum(balance, 50.0) / BALANCE_REF)
        + CURE_HISTORY * history
        + CURE_ROLL * (dpd / 30 - 1)
        + CURE_STRESS * stress
    )


def simulate(rng: np.random.Generator, loans: Loans) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Loan-month snapshots and collection cases, simulated month by month for all loans at once.

    Each loan misses a payment with a monthly hazard set by its 12-month application risk plus an AR(1)
    stress that persists, so recent payment behaviour (missed, partial and extra payments, the balance
    trend) predicts what comes next. A missed month adds 30 days past due; paying all arrears cures to 0.
    """
    n, months = len(loans.key), MAX_PERFORMANCE_MONTHS
    n_months = np.clip(HORIZON_MONTH - 1 - loans.booking_month, 0, months)
    pd12 = sigmoid(loans.logit)
    log_survive = np.log1p(-pd12) / 12
    hazard_logit = np.log(-np.expm1(log_survive)) - log_survive

    balance = loans.amount.astype(np.float64).copy()
    arrears, dpd, stress = np.zeros(n), np.zeros(n, np.int64), np.zeros(n)
    history, contacts, entry_dpd = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    ptp = np.zeros(n, bool)
    out_balance, out_due, out_paid = np.zeros((n, months)), np.zeros((n, months)), np.zeros((n, months))
    out_dpd = np.zeros((n, months), np.int64)
    cases: list[tuple[np.ndarray, ...]] = []
    for t in range(months):
        stress = STRESS_RHO * stress + STRESS_SIGMA * rng.standard_normal(n)
        grown = balance * (1 + loans.rate)
        scheduled = np.where(t < loans.term, loans.installment, 0.0)
        due = np.round(np.minimum(scheduled + arrears, grown), 2)
        due = np.where(due < 0.01, 0.0, due)
        current = dpd == 0
        p_miss = np.where(
            current,
            sigmoid(hazard_logit + stress),
            1 - sigmoid(_cure_logit(ptp, contacts, entry_dpd, balance, history, dpd, stress)),
        )
        miss = (due > 0) & (rng.random(n) < p_miss)
        partial = miss & (rng.random(n) < PARTIAL_PAYMENT)
        prepay_logit = PREPAY_BASE + PREPAY_RISK * (loans.logit - RISK_CENTRE) + PREPAY_STRESS * stress
        prepay = ~miss & (rng.random(n) < sigmoid(prepay_logit))
        extra = np.where(prepay, loans.installment * (0.2 + 0.8 * rng.random(n)), 0.0)
        partial_paid = np.round(due * 0.5 * rng.random(n), 2)
        paid = np.where(
            miss, np.where(partial, partial_paid, 0.0), np.round(np.minimum(due + extra, grown), 2)
        )

        opened = miss & current & (t < n_months)
        k = int(opened.sum())
        if k:
            idx = np.flatnonzero(opened)
            contacts[idx] = rng.poisson(3.0, k)
            ptp[idx] = rng.random(k) < sigmoid(-0.3 - 0.9 * stress[idx] + 0.15 * contacts[idx])
            entry_dpd[idx] = rng.integers(1, 29, k)
            cases.append((idx, np.full(k, t), entry_dpd[idx], balance[idx], contacts[idx], ptp[idx]))
            history[idx] += 1

        arrears = np.where(miss, np.round(due - paid, 2), 0.0)
        dpd = np.where(miss, dpd + 30, 0)
        balance = np.maximum(np.round(grown - paid, 2), 0.0)
        out_balance[:, t], out_due[:, t], out_paid[:, t], out_dpd[:, t] = balance, due, paid, dpd

    active = np.arange(months)[None, :] < n_months[:, None]
    loan_idx, step = np.nonzero(active)
    month = _first_day(loans.booking_month[loan_idx] + 1 + step)
    performance = pd.DataFrame(
        {
            "loan_id": loans.key[loan_idx],
            "month": month,
            "balance": out_balance[active],
            "amount_due": out_due[active],
            "amount_paid": out_paid[active],
            "dpd": out_dpd[active],
        },
        copy=False,
    )
    return performance, _cases_frame(loans, cases)


def _cases_frame(loans: Loans, cases: list[tuple[np.ndarray, ...]]) -> pd.DataFrame:
    """Collection cases in (loan, entry month) order; entry date = the month's first day + days past due."""
    empty = np.zeros(0, np.int64)
    loan, step, entry, balance, contacts, ptp = (
        np.concatenate(parts) for parts in zip(*(cases or [(empty,) * 6]), strict=True)
    )
    order = np.lexsort((step, loan))
    first_day = _first_day(loans.booking_month[loan[order]] + 1 + step[order])
    return pd.DataFrame(
        {
            "case_id": text.keys("K", np.arange(len(order)), 9),
            "loan_id": loans.key[loan[order]],
            "entry_date": first_day + entry[order] - 1,
            "dpd_at_entry": entry[order],
            "balance": balance[order],
            "contact_attempts": contacts[order],
            "promise_to_pay": ptp[order].astype(bool),
        },
        copy=False,
    )
