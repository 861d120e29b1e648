"""Reject inference: an outcome for the applicants the lender never booked, so the card is fitted on the
through-the-door population rather than on accepts alone.

The accepts-only ("known good/bad") model scores the rejects; ``infer`` turns those scores into outcomes:

- ``hard_cutoff``: a reject scoring below the cut-off is bad, every other reject good;
- ``fuzzy``: a reject is bad with its accepts-only PD times ``bad_rate_uplift`` (drawn with the split seed;
  the pipeline takes no case weights, so the weighted copies of textbook fuzzy augmentation are sampled);
- ``parceling``: a reject is bad with the observed accepts bad rate of its score band (equal-count bands of
  the accepts' scores) times ``bad_rate_uplift``, drawn likewise.

The rejects used are those whose application falls inside the training rows' dates (the development window).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard.config import RejectInferenceConfig
from scorecard.errors import ConfigError


@dataclass(frozen=True)
class InferredRejects:
    """What reject inference did: the reject rows used, their inferred outcome and the comparison table."""

    method: str
    index: pd.Index
    target: np.ndarray
    summary: pd.DataFrame

    @property
    def rows(self) -> int:
        return len(self.index)

    @property
    def bad_rate(self) -> float:
        return float(self.target.mean()) if len(self.target) else float("nan")


def development_rejects(frame: pd.DataFrame) -> pd.Index:
    """Index of the rejects (target_status 'reject') dated within the training rows' first and last dates."""
    dates = frame.loc[frame["split"] == "train", "snapshot_date"]
    rejects = frame["target_status"] == "reject"
    inside = frame["snapshot_date"].between(dates.min(), dates.max())
    return frame.index[rejects & inside]


def infer(
    config: RejectInferenceConfig,
    accepts_score: np.ndarray,
    accepts_target: np.ndarray,
    rejects_score: np.ndarray,
    rejects_pd: np.ndarray,
    seed: int,
    default_cutoff: float | None = None,
) -> np.ndarray:
    """Inferred outcome (1 bad, 0 good) of each reject by ``config.method`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    score = np.asarray(rejects_score, dtype=np.float64)
    if config.method == "hard_cutoff":
        cutoff = config.cutoff if config.cutoff is not None else default_cutoff
        if cutoff is None:
            raise ConfigError(
                "reject_inference.cutoff: hard_cutoff needs a cut-off; set it or policy.cutoffs.decline"
            )
        return (score < cutoff).astype(np.float64)
    if config.method == "fuzzy":
        p = np.asarray(rejects_pd, dtype=np.float64)
    elif config.method == "parceling":
        p = band_bad_rates(accepts_score, accepts_target, score, config.n_bands)
    else:
        raise ConfigError(f"reject_inference.method: {config.method!r} infers nothing")
    return (rng.random(len(score)) < np.clip(p * config.bad_rate_uplift, 0.0, 1.0)).astype(np.float64)


def band_bad_rates(
    accepts_score: np.ndarray, accepts_target: np.ndarray, score: np.ndarray, n_bands: int
) -> np.ndarray:
    """Observed accepts bad rate of the equal-count accepts score band each of ``score`` falls in."""
    accepts_score = np.asarray(accepts_score, dtype=np.float64)
    edges = np.unique(np.quantile(accepts_score, np.linspace(0, 1, n_bands + 1)[1:-1]))
    band = np.searchsorted(edges, accepts_score, side="right")
    bads = np.bincount(band, weights=np.asarray(accepts_target, dtype=np.float64), minlength=len(edges) + 1)
    counts = np.bincount(band, minlength=len(edges) + 1)
    rates = bads / np.maximum(counts, 1)
    return rates[np.searchsorted(edges, np.asarray(score, dtype=np.float64), side="right")]


def through_the_door(
    accepts_target: np.ndarray,
    inferred: np.ndarray,
    accepts_pd: tuple[np.ndarray, np.ndarray],
    rejects_pd: tuple[np.ndarray, np.ndarray],
) -> pd.DataFrame:
    """Accepts, rejects and the through-the-door population: rows, bad rate (observed / inferred) and mean
    PD of the accepts-only model and of the final model (``*_pd`` pairs: accepts-only, final)."""
    y = np.asarray(accepts_target, dtype=np.float64)
    both = np.concatenate([y, inferred])
    rows = [
        ("accepts", len(y), y.mean(), *(p.mean() for p in accepts_pd)),
        (
            "rejects",
            len(inferred),
            inferred.mean() if len(inferred) else np.nan,
            *(p.mean() for p in rejects_pd),
        ),
        (
            "through_the_door",
            len(both),
            both.mean(),
            *(np.concatenate([a, r]).mean() for a, r in zip(accepts_pd, rejects_pd, strict=True)),
        ),
    ]
    return pd.DataFrame(
        rows, columns=["population", "rows", "bad_rate", "accepts_model_pd", "final_model_pd"]
    )
