"""Backtesting once outcomes have matured: ranking power by cohort, calibration by grade, and per-feature
relationship shift (has the bad rate by bin moved against development, beyond a shift of the overall level?)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from scorecard.errors import DataError
from scorecard.modeling.evaluation import discrimination, grade_table
from scorecard.monitoring.stability import ALL

SMOOTH = 0.5  # added to bads and goods per bin so that pure bins keep a finite WOE


def matured(dates: Any, target: Any, as_of: Any = None, window: pd.DateOffset | None = None) -> np.ndarray:
    """Rows whose outcome is known: a target is present and, given ``as_of``, date + ``window`` <= ``as_of``."""
    y = pd.to_numeric(pd.Series(target, copy=False), errors="coerce").to_numpy(dtype=float)
    mask = ~np.isnan(y)
    if as_of is not None:
        if dates is None or window is None:
            raise DataError(
                "maturity at an as-of date needs the rows' dates and the card's performance window"
            )
        end = pd.to_datetime(pd.Series(dates, copy=False)) + window
        mask &= (end <= pd.Timestamp(as_of)).to_numpy()
    return mask


def _gini_se(auc: float, bads: int, goods: int) -> float:
    """Standard error of Gini (twice AUC's, by Hanley and McNeil 1982)."""
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    var = (auc * (1 - auc) + (bads - 1) * (q1 - auc**2) + (goods - 1) * (q2 - auc**2)) / (bads * goods)
    return float(2 * np.sqrt(max(var, 0.0)))


def ranking(target: np.ndarray, score: np.ndarray) -> dict[str, float]:
    """n, bads, bad rate, AUC, Gini (with its standard error) and KS of a score where higher means lower risk."""
    n, bads = int(target.size), int(target.sum())
    found = discrimination(target, -score)
    se = _gini_se(found["auc"], bads, n - bads) if 0 < bads < n else float("nan")
    return {"n": n, "bads": bads, "bad_rate": bads / n if n else float("nan"), **found, "gini_se": se}


def ranking_by_cohort(
    target: np.ndarray,
    score: np.ndarray,
    cohorts: np.ndarray,
    cohort_names: Sequence[str],
    development_gini: float,
) -> pd.DataFrame:
    """Ranking metrics for the whole matured batch (cohort ``all``) and per cohort, with the Gini drop
    against development and the one-sided p-value of that drop (the development Gini taken as known)."""
    rows = [{"cohort": ALL, **ranking(target, score)}]
    rows += [
        {"cohort": name, **ranking(target[cohorts == i], score[cohorts == i])}
        for i, name in enumerate(cohort_names)
        if (cohorts == i).any()
    ]
    table = pd.DataFrame(rows)
    table["gini_dev"] = development_gini
    table["gini_drop"] = development_gini - table["gini"]
    table["p_drop"] = stats.norm.sf(table["gini_drop"] / table["gini_se"])
    return table


def calibration_by_grade(
    grade: np.ndarray,
    pd_hat: np.ndarray,
    target: np.ndarray,
    grade_order: Sequence[str],
    dev_grade: np.ndarray | None = None,
    dev_target: np.ndarray | None = None,
) -> pd.DataFrame:
    """Observed against predicted PD per grade with a two-sided binomial test, beside development bad rates."""
    table = grade_table(target, pd_hat, grade, grade_order)
    table["p_value"] = [
        stats.binomtest(int(b), int(n), float(np.clip(p, 1e-12, 1 - 1e-12))).pvalue if n else np.nan
        for b, n, p in zip(table["bads"], table["count"], table["predicted_pd"], strict=True)
    ]
    if dev_grade is not None and dev_target is not None:
        dev = grade_table(dev_target, np.zeros(dev_target.size), dev_grade, grade_order)
        table["dev_count"] = dev["count"].to_numpy()
        table["dev_bad_rate"] = dev["observed_bad_rate"].to_numpy()
    return table


def _shares(bads: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    goods = n - bads
    return (goods + SMOOTH) / (goods.sum() + SMOOTH), (bads + SMOOTH) / (bads.sum() + SMOOTH)


def _woe(bads: np.ndarray, n: np.ndarray) -> np.ndarray:
    good_pct, bad_pct = _shares(bads, n)
    return np.log(good_pct / bad_pct)


def _iv(bads: np.ndarray, n: np.ndarray) -> float:
    good_pct, bad_pct = _shares(bads, n)
    return float((good_pct - bad_pct) @ np.log(good_pct / bad_pct))


def _woe_slope(woe: np.ndarray, n: np.ndarray, bads: np.ndarray) -> tuple[float, float]:
    """Slope and standard error of a binomial logistic fit of bads per bin on -WOE (Newton, 2 parameters)."""
    X = np.column_stack([np.ones_like(woe), -woe])
    beta = np.array([special.logit(np.clip(bads.sum() / n.sum(), 1e-6, 1 - 1e-6)), 1.0])
    info = np.eye(2)
    for _ in range(50):
        p = special.expit(X @ beta)
        info = X.T @ (X * (n * p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(info, X.T @ (bads - n * p))
        except np.linalg.LinAlgError:
            return float("nan"), float("nan")
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    try:
        se = float(np.sqrt(np.linalg.inv(info)[1, 1]))
    except np.linalg.LinAlgError:
        se = float("nan")
    return float(beta[1]), se


def relationship_shift(
    feature: str,
    labels: Sequence[str],
    ref_codes: np.ndarray,
    ref_target: np.ndarray,
    cur_codes: np.ndarray,
    cur_target: np.ndarray,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """How much of its development strength a feature keeps: does its bad rate by bin still follow the WOE?

    Development WOE per bin comes from the reference. A logistic fit of the bads per bin on that WOE gives a
    slope (about 1 on development by construction; on current rows 1 means the same relationship, 0 none
    left, < 0 reversed); a change of the overall bad rate moves only the intercept. ``strength`` = current
    slope / development slope, ``p_value`` tests strength = 1 (two-sided Wald, delta-method error).
    ``expected_bad_rate`` per bin is the current bad rate had the relationship held (development log-odds
    plus one common shift fitted to the current total of bads).
    """
    k = len(labels)
    ref_n = np.bincount(ref_codes, minlength=k)[:k].astype(float)
    ref_b = np.bincount(ref_codes, weights=ref_target, minlength=k)[:k]
    cur_n = np.bincount(cur_codes, minlength=k)[:k].astype(float)
    cur_b = np.bincount(cur_codes, weights=cur_target, minlength=k)[:k]
    both = (ref_n > 0) & (cur_n > 0)
    woe = np.full(k, np.nan)
    woe[both] = _woe(ref_b[both], ref_n[both])
    cur_woe = np.full(k, np.nan)
    cur_woe[both] = _woe(cur_b[both], cur_n[both])
    ref_logit = special.logit((ref_b + SMOOTH) / (ref_n + 2 * SMOOTH))
    n, total = cur_n[both], cur_b[both].sum()
    shift = 0.0
    if 0 < total < n.sum():
        shift = optimize.brentq(
            lambda d: float((n * special.expit(ref_logit[both] + d)).sum() - total), -30, 30
        )
    expected = np.full(k, np.nan)
    expected[both] = special.expit(ref_logit[both] + shift)
    bins = pd.DataFrame(
        {
            "feature": feature,
            "bin": list(labels),
            "dev_n": ref_n.astype(np.int64),
            "dev_bad_rate": np.divide(ref_b, ref_n, out=np.full(k, np.nan), where=ref_n > 0),
            "cur_n": cur_n.astype(np.int64),
            "cur_bad_rate": np.divide(cur_b, cur_n, out=np.full(k, np.nan), where=cur_n > 0),
            "expected_bad_rate": expected,
            "woe_dev": woe,
            "woe_cur": cur_woe,
        }
    )
    summary: dict[str, Any] = {
        "feature": feature,
        "strength": float("nan"),
        "strength_se": float("nan"),
        "p_value": float("nan"),
        "iv_dev": 0.0,
        "iv_cur": 0.0,
    }
    if both.sum() >= 2 and np.ptp(woe[both]) > 0:
        dev_slope, dev_se = _woe_slope(woe[both], ref_n[both], ref_b[both])
        cur_slope, cur_se = _woe_slope(woe[both], cur_n[both], cur_b[both])
        strength = cur_slope / dev_slope
        se = float(np.hypot(cur_se, strength * dev_se) / abs(dev_slope))
        summary |= {
            "strength": strength,
            "strength_se": se,
            "p_value": float(2 * stats.norm.sf(abs(strength - 1) / se)),
            "iv_dev": _iv(ref_b[both], ref_n[both]),
            "iv_cur": _iv(cur_b[both], cur_n[both]),
        }
    return summary, bins
