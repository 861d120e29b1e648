"""Shadow scoring with the bundle's LightGBM challenger: the one place the runtime may import lightgbm.

``challenger.json`` describes the challenger's input design so that no pandas is needed: the raw features in
order, the category levels of each categorical feature (a value's code is its position; unknown or missing
is NaN, as LightGBM reads pandas categoricals), and the numerical features whose special codes go to a
companion column ``<feature><special_suffix>`` (NaN elsewhere, the feature itself NaN there).
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

import numpy as np

from scorecard.bundle.fields import column
from scorecard.errors import BundleError, DataError


class Shadow:
    """The challenger compiled for scoring: its design description and the LightGBM booster."""

    def __init__(self, design: dict[str, Any], model_text: str) -> None:
        import lightgbm

        self.design = design
        self.booster = lightgbm.Booster(model_str=model_text)
        self.columns: list[str] = list(design["columns"])
        if self.booster.feature_name() != self.columns:
            raise BundleError("challenger.json: columns differ from the feature names in challenger.txt")
        self.levels = {f: {c: i for i, c in enumerate(levels)} for f, levels in design["categorical"].items()}
        self.codes = np.asarray(design["special_codes"], dtype=np.float64)

    @property
    def features(self) -> list[str]:
        return list(self.design["features"])

    def predict_pd(self, data: dict[str, np.ndarray], n: int) -> np.ndarray:
        """P(bad) of the challenger for columns already taken from the input (see ``Bundle.shadow_score``)."""
        absent = [f for f in self.features if f not in data]
        if absent:
            raise DataError(f"shadow scoring needs the challenger's features {absent}")
        design: dict[str, np.ndarray] = {}
        suffix = self.design["special_suffix"]
        for feature in self.features:
            if feature in self.levels:
                texts, _ = column(data[feature], "category")
                lookup = self.levels[feature]
                design[feature] = np.fromiter(map(lookup.get, texts, repeat(np.nan)), np.float64, len(texts))
                continue
            x, _ = column(data[feature], "number")
            if feature in self.design["special_features"]:
                special = np.isin(x, self.codes)
                design[feature + suffix] = np.where(special, x, np.nan)
                x = np.where(special, np.nan, x)
            design[feature] = x
        matrix = np.column_stack([design[c] for c in self.columns]) if n else np.empty((0, len(self.columns)))
        return np.asarray(self.booster.predict(matrix), dtype=np.float64)
