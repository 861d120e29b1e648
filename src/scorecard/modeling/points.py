"""Points scaling: ``base_score`` points at good:bad odds ``base_odds``; every ``pdo`` points double the odds.

With the logistic model ``logit P(bad) = b0 + sum_i b_i * woe_i`` (so ln odds good:bad = -logit):
``factor = pdo / ln 2``, ``offset = base_score - factor * ln(base_odds)``,
``base_points = round(offset - factor * b0)``, ``points_ij = round(-factor * b_i * woe_ij)``,
``score = base_points + sum of points``. Higher score = lower risk. Rounding is half-to-even (numpy.rint).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scorecard.errors import ConfigError


@dataclass(frozen=True)
class Scaling:
    """The PDO / base score / base odds triple and the arithmetic that follows from it."""

    pdo: float = 20.0
    base_score: float = 600.0
    base_odds: float = 50.0

    def __post_init__(self) -> None:
        if not self.pdo > 0:
            raise ConfigError(f"scaling.pdo must be > 0; got {self.pdo!r}")
        if not self.base_odds > 0:
            raise ConfigError(f"scaling.base_odds must be > 0 (good:bad odds); got {self.base_odds!r}")

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def base_points(self, intercept: float) -> int:
        """Integer points every applicant starts with."""
        return int(np.rint(self.offset - self.factor * intercept))

    def points(self, coef: float, woe: np.ndarray | float) -> np.ndarray:
        """Integer points of WOE value(s) for a feature with coefficient ``coef``."""
        return np.rint(-self.factor * coef * np.asarray(woe, dtype=np.float64)).astype(np.int64)

    def score_at_odds(self, odds: float) -> float:
        """The (unrounded) score at which good:bad odds equal ``odds``."""
        return self.offset + self.factor * math.log(odds)

    def odds_at_score(self, score: float | np.ndarray) -> np.ndarray:
        """Good:bad odds implied by a score."""
        return np.exp((np.asarray(score, dtype=np.float64) - self.offset) / self.factor)

    def to_spec(self) -> dict[str, float]:
        return {
            "pdo": float(self.pdo),
            "base_score": float(self.base_score),
            "base_odds": float(self.base_odds),
            "factor": self.factor,
            "offset": self.offset,
        }
