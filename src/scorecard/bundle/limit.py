"""Credit limit of an approved applicant from ``policy.json``'s ``limit`` section (stdlib + numpy).

limit = floor(min(amounts[band][score band], income_multiple x income, product_max) / round_to) x round_to,
with the affordability band the first whose ``min_income`` <= income and debt-to-income <= ``max_dti``.
Zero whenever the decision is not approve, the score is below the first score band, no band fits, or income
or debt-to-income is missing. ``one`` (bisect, floats) and ``batch`` (numpy) use the same float64 operations,
so they agree to the bit.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import numpy as np


class Limits:
    """The compiled limit policy."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.income_field: str = spec["income_field"]
        self.dti_field: str = spec["dti_field"]
        self.score_bands = [float(s) for s in spec["score_bands"]]
        self.bands = [(float(b["min_income"]), float(b["max_dti"])) for b in spec["affordability"]]
        self.band_names = [str(b["name"]) for b in spec["affordability"]]
        self.amounts = [[float(a) for a in row] for row in spec["amounts"]]
        multiple = spec.get("income_multiple")
        self.income_multiple = math.inf if multiple is None else float(multiple)
        self.product_max = float(spec["product_max"])
        self.round_to = float(spec["round_to"])
        self._table = np.asarray(self.amounts, dtype=np.float64)

    @property
    def fields(self) -> dict[str, str]:
        """Input fields the limit reads (both numbers)."""
        return {self.income_field: "number", self.dti_field: "number"}

    def one(self, decision: str, score: float, income: float, dti: float) -> float:
        """The limit of one record (income and dti already read as floats, NaN when missing)."""
        if decision != "approve" or income != income or dti != dti:
            return 0.0
        column = bisect.bisect_right(self.score_bands, score) - 1
        row = next((i for i, (lo, hi) in enumerate(self.bands) if income >= lo and dti <= hi), None)
        if column < 0 or row is None:
            return 0.0
        cap = min(self.amounts[row][column], self.income_multiple * income, self.product_max)
        return max(math.floor(cap / self.round_to) * self.round_to, 0.0)

    def batch(
        self, decision: np.ndarray, score: np.ndarray, income: np.ndarray, dti: np.ndarray
    ) -> np.ndarray:
        """The limit of every row, as ``one`` computes it."""
        column = np.searchsorted(np.asarray(self.score_bands), score, side="right") - 1
        row = np.full(len(score), len(self.bands), dtype=np.intp)
        for i, (lo, hi) in reversed(list(enumerate(self.bands))):
            row[(income >= lo) & (dti <= hi)] = i
        ok = (decision == "approve") & (column >= 0) & (row < len(self.bands))
        ok &= ~np.isnan(income) & ~np.isnan(dti)
        amount = self._table[np.minimum(row, len(self.bands) - 1), np.maximum(column, 0)]
        with np.errstate(invalid="ignore"):
            cap = np.minimum(np.minimum(amount, self.income_multiple * income), self.product_max)
            limit = np.maximum(np.floor(cap / self.round_to) * self.round_to, 0.0)
        return np.where(ok, limit, 0.0)
