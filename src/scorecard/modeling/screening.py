"""Columns that cannot be modeled, set aside before binning with a named reason.

Rules (``SetAside.rule``): ``all_missing``, ``constant``, ``date`` (datetime dtype, or text that parses as
dates), ``id_like`` (every value distinct: a text key, or an integer key), ``near_unique_text`` (more than
half of the text values distinct) and ``all_categories_rare`` (no category reaches ``cat_cutoff``, so
every category would fall into the rare-category bin).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

ID_MIN_ROWS = 50
NEAR_UNIQUE_SHARE = 0.5
DATE_SHARE = 0.95
DATE_SAMPLE = 1_000


class SetAside(NamedTuple):
    """Why a column is not modeled: a rule name and the evidence."""

    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.detail})"


def set_aside_reason(values: pd.Series, categorical: bool, cat_cutoff: float | None) -> SetAside | None:
    """The reason ``values`` cannot be binned, or None when it can."""
    present = values.dropna()
    if present.empty:
        return SetAside("all_missing", "every value is missing")
    n, distinct = len(present), int(present.nunique())
    if distinct == 1:
        value = present.iloc[0]
        return SetAside(
            "constant", f"single value {value.item() if isinstance(value, np.generic) else value!r}"
        )
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_timedelta64_dtype(values):
        return SetAside("date", f"dtype {values.dtype}; derive an age or a duration from it instead")
    if categorical:
        text = present.astype(str)
        if _dates(text):
            return SetAside("date", f"text dates like {text.iloc[0]!r}; derive an age or a duration instead")
        if distinct == n and n >= ID_MIN_ROWS:
            return SetAside("id_like", f"{distinct} distinct values in {n} rows (every value unique)")
        if distinct / n > NEAR_UNIQUE_SHARE:
            return SetAside(
                "near_unique_text", f"{distinct} distinct values in {n} rows ({distinct / n:.0%})"
            )
        top = float(text.value_counts(normalize=True).iloc[0])
        if cat_cutoff is not None and top < cat_cutoff:
            return SetAside(
                "all_categories_rare",
                f"the most frequent of {distinct} categories holds {top:.2%} < cat_cutoff {cat_cutoff:.2%}",
            )
        return None
    numeric = pd.to_numeric(present, errors="coerce")
    if distinct == n and n >= ID_MIN_ROWS and numeric.notna().all():
        whole = numeric.to_numpy(dtype=np.float64)
        if np.all(whole == np.round(whole)):
            return SetAside("id_like", f"{distinct} distinct integers in {n} rows (every value unique)")
    return None


def _dates(text: pd.Series) -> bool:
    """True when nearly every value of a text sample parses as a date (and the values are not numbers)."""
    sample = text.iloc[:DATE_SAMPLE]
    if pd.to_numeric(sample, errors="coerce").notna().mean() > 0.5:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= DATE_SHARE)
