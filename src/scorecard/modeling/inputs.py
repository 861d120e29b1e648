"""Input checks shared by the modeling estimators: a binary target, a feature frame, a YAML side file."""

from __future__ import annotations

import warnings
from collections.abc import Sized
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sklearn.exceptions import DataConversionWarning

from scorecard.errors import ConfigError, DataError


class InvalidInput(DataError, ValueError):
    """Bad data given to an estimator: a DataError for the CLI, a ValueError for scikit-learn tooling."""


def binary_target(y: Any, name: str = "y") -> np.ndarray:
    """Return ``y`` as an int8 array of 0 (good) / 1 (bad); raise unless binary with both classes present.

    Accepted encodings: numbers 0/1 (also 0.0/1.0) and booleans (True = bad); any other labels are
    rejected rather than guessed, since which of two labels means "bad" cannot be inferred safely.
    """
    if y is None:
        raise InvalidInput(f"this estimator requires y to be passed, but the target {name} is None")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            f"A column-vector y was passed when a 1d array was expected ({name}); use shape (n_samples,)",
            DataConversionWarning,
            stacklevel=3,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise InvalidInput(f"{name}: target must be one column; got shape {arr.shape}")
    if arr.size == 0:
        raise InvalidInput(f"{name}: target is empty (0 sample(s))")
    if arr.dtype == bool:
        out = arr.astype(np.int8)
    else:
        if arr.dtype.kind not in "iuf":
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError):
                values = pd.unique(arr)[:5].tolist()
                raise InvalidInput(
                    f"{name}: target must be binary 0/1 (1 = bad); got non-numeric labels {values}"
                ) from None
        if arr.dtype.kind == "f":
            if np.isnan(arr).any():
                raise InvalidInput(
                    f"Input {name} contains NaN: {int(np.isnan(arr).sum())} rows without a known good/bad "
                    "outcome; drop them before fitting"
                )
            if np.isinf(arr).any():
                raise InvalidInput(
                    f"Input {name} contains infinity or a value too large for dtype('float64')."
                )
        values = np.unique(arr)
        if not set(values.tolist()) <= {0, 1}:
            kind = "continuous" if len(values) > 2 and np.any(values != np.round(values)) else "non-binary"
            raise InvalidInput(
                f"{name}: target must be binary 0/1 (1 = bad); got {kind} values {values[:5].tolist()}. "
                "Only binary classification is supported."
            )
        out = arr.astype(np.int8)
    n_bad = int(out.sum())
    if n_bad == 0 or n_bad == out.size:
        only = "bad" if n_bad else "good"
        raise InvalidInput(
            f"{name}: target has one class only (all {out.size} rows are {only}); need goods and bads"
        )
    return out


def as_frame(X: Any, columns: list[str] | None = None) -> pd.DataFrame:
    """Return ``X`` as a DataFrame with at least one row and one column; arrays get ``columns`` or x0..xn."""
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError("sparse input is not supported; pass a dense DataFrame or array")
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        arr = np.asarray(X)
        if arr.ndim != 2:
            raise InvalidInput(
                f"Expected a 2D array (rows x features), got an array of shape {arr.shape}. "
                "Reshape your data with array.reshape(-1, 1) if it holds a single feature."
            )
        if np.iscomplexobj(arr):
            raise InvalidInput("Complex data not supported")
        names = columns if columns is not None and len(columns) == arr.shape[1] else None
        frame = pd.DataFrame(arr, columns=names or [f"x{i}" for i in range(arr.shape[1])])
    if frame.shape[0] == 0:
        raise InvalidInput(
            f"Found array with 0 sample(s) (shape={frame.shape}) while a minimum of 1 is required."
        )
    if frame.shape[1] == 0:
        raise InvalidInput(
            f"Found array with 0 feature(s) (shape={frame.shape}) while a minimum of 1 is required."
        )
    return frame


def fitted_frame(estimator: Any, X: Any) -> pd.DataFrame:
    """``X`` at predict/transform time: arrays must have the fitted width and get the fitted column names."""
    names = [str(c) for c in getattr(estimator, "feature_names_in_", [])] or None
    frame = as_frame(X, names)
    if not isinstance(X, pd.DataFrame) and frame.shape[1] != estimator.n_features_in_:
        raise InvalidInput(
            f"X has {frame.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    return frame.set_axis([str(c) for c in frame.columns], axis=1)


def check_lengths(frame: Sized, target: Sized) -> None:
    """X and y must have the same number of rows."""
    if len(frame) != len(target):
        raise InvalidInput(f"X has {len(frame)} rows but y has {len(target)}; they must match")


def read_yaml(path: Path | str, what: str) -> Any:
    """Parse a YAML side file (overrides, reason catalogue); ConfigError naming the file when absent or invalid."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: {what} not found")
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
