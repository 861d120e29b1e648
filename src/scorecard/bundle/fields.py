"""Input fields of a bundle: how a raw value of each field type is read (stdlib + numpy only).

One function per type turns one raw value into the runtime's form; ``column`` applies the same function
to a whole column, with a fast numpy path for clean numeric columns, so that ``score_one`` and
``score_batch`` read every value identically.

- ``number``: float; None / NaN are missing (NaN); ints, bools and numeric text are converted;
  anything else is a bad value.
- ``category`` / ``string``: ``str(value)`` (as training did); None / NaN are missing (None).
- ``boolean``: 1.0 / 0.0 from bools, the numbers 0 and 1, or the text true/false/1/0; missing is NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

import numpy as np

FIELD_TYPES = ("number", "category", "string", "boolean")
_TRUE_TEXT = {"true": 1.0, "1": 1.0, "false": 0.0, "0": 0.0}


class BadValue(ValueError):
    """A raw value that cannot be read as its field's type; the message names what was found."""


def is_missing(value: Any) -> bool:
    """None, NaN and pandas' NA (whose comparisons refuse to be a bool)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True


def as_number(value: Any) -> float:
    """A number field's value as float (NaN when missing)."""
    kind = type(value)
    if kind is float:
        return value
    if kind is int or kind is bool:
        return float(value)
    if is_missing(value):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BadValue(f"{value!r} is not a number") from None


def as_text(value: Any) -> str | None:
    """A category or string field's value as str (None when missing)."""
    if type(value) is str:
        return value
    if is_missing(value):
        return None
    return str(value)


def as_flag(value: Any) -> float:
    """A boolean field's value as 1.0 / 0.0 (NaN when missing)."""
    if value is True or value is False:
        return float(value)
    if is_missing(value):
        return math.nan
    if isinstance(value, str):
        flag = _TRUE_TEXT.get(value.strip().lower())
        if flag is not None:
            return flag
    elif (isinstance(value, int | float) or hasattr(value, "dtype")) and value in (0, 1):
        return float(value)
    raise BadValue(f"{value!r} is not a boolean (expected true/false or 1/0)")


READERS: dict[str, Callable[[Any], Any]] = {
    "number": as_number,
    "category": as_text,
    "string": as_text,
    "boolean": as_flag,
}


def small_ints(values: Iterable[int]) -> np.ndarray:
    """A writable uint8 array from ints in 0..255 or bools (``bytearray`` collects them at C speed)."""
    return np.frombuffer(bytearray(values), dtype=np.uint8)


def _reader_or_error(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def attempt(value: Any) -> Any:
        try:
            return read(value)
        except BadValue as exc:
            return exc

    return attempt


def column(values: np.ndarray, field_type: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a whole column: (values as float64 or object array, per-row BadValue or None where fine).

    The second item is None when every value was readable (the common case). Text columns come back as
    object arrays of str and None; values that are already str are kept as they are (no per-value call).
    """
    if field_type in ("category", "string"):
        if values.dtype.kind in "US":
            return values.astype(object), None
        is_text = small_ints(map(isinstance, values, repeat(str))).view(bool)
        if is_text.all():
            return values, None
        out = values.copy()
        out[~is_text] = np.frompyfunc(as_text, 1, 1)(values[~is_text])
        return out, None
    if values.dtype.kind in "biuf":
        out = values.astype(np.float64, copy=False)
        if field_type == "number" or (np.isnan(out) | (out == 0.0) | (out == 1.0)).all():
            return out, None
    elif field_type == "number" and values.dtype.kind in "OUS":
        try:
            return values.astype(np.float64), None
        except (TypeError, ValueError):
            pass
    read = np.frompyfunc(_reader_or_error(READERS[field_type]), 1, 1)(values)
    bad = np.fromiter(map(isinstance, read, repeat(BadValue)), dtype=bool, count=len(read))
    errors = np.asarray(np.where(bad, read, None), dtype=object) if bad.any() else None
    return np.asarray(np.where(bad, np.nan, read), dtype=np.float64), errors
