"""Strategy tables for the model owner: cut-offs, swap sets, knock-out rates, treatments and credit limits.

Pure functions of arrays: scores, PDs and outcomes from training, or the serving bundle's decisions, limits and
knock-outs on the same rows (so a table shows what the risk engine would do). Rates are shares of the rows
given; bad rates are observed outcomes (1 bad, 0 good) of those rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from scorecard.config import CardConfig

CUTOFF_QUANTILES = np.arange(0.05, 1.0, 0.05)
"""Cut-offs tried by default: the score at every 5% of the sample, plus the policy's own cut-offs."""

LIMIT_BANDS = (0, 1_000, 2_500, 5_000, 10_000, 20_000, 50_000)
"""Edges of the granted-amount bands of the limit distribution (the last band is open)."""


def _rate(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


def cutoff_table(
    score: np.ndarray,
    target: np.ndarray,
    pd_: np.ndarray,
    cutoffs: Sequence[float] = (),
    policy: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Per cut-off (approve at or above it): approval rate, expected and observed bad rate of the approved,
    bads avoided (declined bads, cumulated from the top cut-off down) and their share of all bads.

    ``cutoffs`` default to the score at every 5% of the sample; ``policy`` names cut-offs to mark (e.g.
    {"approve": 620, "decline": 560}), which are always included.
    """
    score = np.asarray(score, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    pd_ = np.asarray(pd_, dtype=np.float64)
    named = dict(policy or {})
    chosen = list(cutoffs) or np.unique(np.round(np.quantile(score, CUTOFF_QUANTILES))).tolist()
    levels = sorted({float(c) for c in [*chosen, *named.values()]})
    bads = float(target.sum())
    rows = []
    for cut in levels:
        approved = score >= cut
        n_approved = int(approved.sum())
        declined_bads = float(target[~approved].sum())
        rows.append(
            {
                "cutoff": cut,
                "policy": ", ".join(k for k, v in named.items() if float(v) == cut),
                "approved": n_approved,
                "approval_rate": _rate(n_approved, len(score)),
                "expected_bad_rate": _rate(pd_[approved].sum(), n_approved),
                "observed_bad_rate": _rate(target[approved].sum(), n_approved),
                "bads_avoided": int(declined_bads),
                "bads_avoided_share": _rate(declined_bads, bads),
                "goods_declined": int((~approved).sum() - declined_bads),
            }
        )
    return pd.DataFrame(rows)


def swap_sets(
    target: np.ndarray, candidate_approved: np.ndarray, champion_approved: np.ndarray
) -> pd.DataFrame:
    """Rows, share and observed bad rate of the four sets: kept (both approve), swap-in (candidate only),
    swap-out (champion only) and declined by both; then each model's whole approved set."""
    y = np.asarray(target, dtype=np.float64)
    cand = np.asarray(candidate_approved, dtype=bool)
    champ = np.asarray(champion_approved, dtype=bool)
    sets = {
        "kept": cand & champ,
        "swap_in": cand & ~champ,
        "swap_out": ~cand & champ,
        "declined_by_both": ~cand & ~champ,
        "approved_by_candidate": cand,
        "approved_by_champion": champ,
    }
    return pd.DataFrame(
        [
            {
                "set": name,
                "rows": int(mask.sum()),
                "share": _rate(mask.sum(), len(y)),
                "bads": int(y[mask].sum()),
                "bad_rate": _rate(y[mask].sum(), mask.sum()),
            }
            for name, mask in sets.items()
        ]
    )


def knockout_rates(knockout: np.ndarray, rules: Sequence[str], target: np.ndarray) -> pd.DataFrame:
    """Per knock-out rule, in policy order: rows it decided (the first rule that fires decides), their share
    and observed bad rate; a last row for the records no rule knocked out."""
    fired = np.asarray(knockout).astype(str)
    y = np.asarray(target, dtype=np.float64)
    rows = []
    for rule in [*rules, ""]:
        mask = fired == rule
        rows.append(
            {
                "rule": rule or "(none)",
                "rows": int(mask.sum()),
                "share": _rate(mask.sum(), len(fired)),
                "bad_rate": _rate(y[mask].sum(), mask.sum()),
            }
        )
    return pd.DataFrame(rows)


def treatment_table(decision: np.ndarray, target: np.ndarray, event: str = "bad") -> pd.DataFrame:
    """Per decision or treatment: population share and observed rate of the modelled event (``event`` names
    it: bad for a behaviour card, non_cure or cure for a collection card)."""
    frame = pd.DataFrame(
        {"treatment": np.asarray(decision).astype(str), "y": np.asarray(target, dtype=float)}
    )
    table = frame.groupby("treatment", sort=True)["y"].agg(rows="size", events="sum").reset_index()
    table["share"] = table["rows"] / len(frame)
    table[f"{event}_rate"] = table["events"] / table["rows"]
    return table.drop(columns="events")


def limit_tables(
    limit: np.ndarray, pd_: np.ndarray, grade: np.ndarray, target: np.ndarray, lgd: float
) -> dict[str, pd.DataFrame]:
    """``limit_distribution``: granted amounts by amount band (rows, share of grants, total, mean);
    ``limit_by_grade``: per grade, rows, grants, mean and total granted, and expected loss
    (sum of PD x LGD x limit) beside the loss the observed bads imply (sum of bad x LGD x limit)."""
    limit = np.asarray(limit, dtype=np.float64)
    granted = limit > 0
    edges = [*LIMIT_BANDS, np.inf]
    labels = [f"{lo:,.0f}-{hi:,.0f}" if np.isfinite(hi) else f"{lo:,.0f}+" for lo, hi in pairwise(edges)]
    band = pd.Series(pd.cut(limit[granted], edges, right=False, labels=labels))
    amounts = pd.Series(limit[granted])
    distribution = (
        amounts.groupby(band, observed=False)
        .agg(rows="size", total="sum", mean="mean")
        .rename_axis("amount_band")
        .reset_index()
    )
    distribution.insert(2, "share", distribution["rows"] / max(int(granted.sum()), 1))
    frame = pd.DataFrame(
        {
            "grade": np.asarray(grade).astype(str),
            "granted": granted,
            "limit": limit,
            "expected_loss": np.asarray(pd_, dtype=np.float64) * lgd * limit,
            "observed_loss": np.asarray(target, dtype=np.float64) * lgd * limit,
        }
    )
    by_grade = (
        frame.groupby("grade", sort=True)
        .agg(
            rows=("limit", "size"),
            grants=("granted", "sum"),
            total_granted=("limit", "sum"),
            expected_loss=("expected_loss", "sum"),
            observed_loss=("observed_loss", "sum"),
        )
        .reset_index()
    )
    by_grade.insert(
        3, "mean_limit", by_grade["total_granted"] / by_grade["grants"].where(by_grade["grants"] > 0)
    )
    by_grade["expected_loss_rate"] = by_grade["expected_loss"] / by_grade["total_granted"].where(
        by_grade["total_granted"] > 0
    )
    return {"limit_distribution": distribution, "limit_by_grade": by_grade}


def policy_tables(
    scored: Mapping[str, np.ndarray], target: np.ndarray, config: CardConfig
) -> dict[str, pd.DataFrame]:
    """The tables the serving bundle's outputs on a sample give: knock-out rates; for behaviour and collection
    cards the share and event rate by decision (treatment); limit tables when the policy grants limits."""
    ok = np.asarray(scored["status"]).astype(str) == "ok"
    y = np.asarray(target, dtype=np.float64)[ok]
    policy = config.policy
    rules = [rule.name for rule in policy.knockouts]
    tables = {"knockouts": knockout_rates(np.asarray(scored["knockout"])[ok], rules, y)}
    if config.card in ("behaviour", "collection"):
        event = config.target.bad_event if config.card == "collection" else "bad"
        tables["treatments"] = treatment_table(np.asarray(scored["decision"])[ok], y, event)
    if policy.limit is not None:
        limit, pd_, grade = (np.asarray(scored[k])[ok] for k in ("limit", "pd", "grade"))
        tables |= limit_tables(limit, pd_, grade, y, policy.limit.lgd)
    return tables
