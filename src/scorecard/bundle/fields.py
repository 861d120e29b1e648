"""Input fields of a bundle: how a raw value of each field type is read (stdlib + numpy only).

One function per type turns one raw value into the runtime's form; ``column`` applies the same function
to a whole column, with a fast numpy path for clean numeric columns, so that ``score_one`` and
``score_batch`` read every value identically.

- ``number``: float; None / NaN are missing (NaN); ints, bools, Decimals, numpy numbers and numeric text
  are converted; infinity (also ``"inf"``, ``1e400`` or a 400-digit int) and anything else (dates, lists,
  arrays, dicts) is a bad value.
- ``category`` / ``string``: ``str(value)`` (as training did) of text, numbers and bools; None / NaN are
  missing (None); lists, dicts, arrays, sets and bytes are bad values.
- ``boolean``: 1.0 / 0.0 from bools, the numbers 0 and 1, or the text true/false/1/0; missing is NaN.

No reader ever raises anything but ``BadValue``, whatever it is given, and every message shows at most
``SHOWN_CHARS`` characters of the value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

import numpy as np

FIELD_TYPES = ("number", "category", "string", "boolean")
_TRUE_TEXT = {"true": 1.0, "1": 1.0, "false": 0.0, "0": 0.0}
SHOWN_CHARS = 40
"""Characters of a bad value shown in its message (a 10M-character value gives a short status)."""
_CONTAINERS = (list, dict, tuple, set, frozenset, bytes, bytearray, np.ndarray)
_TIMES = (np.datetime64, np.timedelta64, dt.date, dt.time, dt.timedelta)
_NOT_NUMBER = (list, dict, tuple, set, frozenset, np.ndarray, *_TIMES)
_NOT_TEXT = (*_NOT_NUMBER, bytes, bytearray)


class BadValue(ValueError):
    """A raw value that cannot be read as its field's type; the message names what was found."""


def shown(value: Any) -> str:
    """``repr(value)`` cut to ``SHOWN_CHARS`` characters (and never raising, e.g. on a 5,000-digit int)."""
    if isinstance(value, np.number | np.bool_):
        value = value.item()  # np.float64(-inf) shows as -inf, as numpy columns give their values
    if isinstance(value, str | bytes) and len(value) > SHOWN_CHARS:
        value = value[: SHOWN_CHARS + 1]
    try:
        text = repr(value)
    except Exception:  # (a value whose repr fails is still shown as its type)
        text = f"<{type(value).__name__}>"
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def is_missing(value: Any) -> bool:
    """None, NaN and pandas' NA (whose comparisons refuse to be a bool); False for anything else."""
    if value is None:
        return True
    if isinstance(value, _CONTAINERS):
        return False
    try:
        return bool(value != value)
    except TypeError:
        return True
    except Exception:  # (Decimal('sNaN') and odd objects refuse to compare: not missing)
        return False


def as_number(value: Any) -> float:
    """A number field's value as a finite float (NaN when missing)."""
    kind = type(value)
    if kind is float:
        x = value
    elif kind is bool:
        return float(value)
    elif is_missing(value):
        return math.nan
    elif isinstance(value, _NOT_NUMBER):
        raise BadValue(f"{shown(value)} is not a number")
    else:
        try:
            x = float(value)
        except OverflowError:
            raise BadValue(f"{shown(value)} is not a finite number") from None
        except Exception:  # (float() of an odd object may raise anything)
            raise BadValue(f"{shown(value)} is not a number") from None
    if math.isfinite(x) or x != x:
        return x
    raise BadValue(f"{shown(value)} is not a finite number")


def as_text(value: Any) -> str | None:
    """A category or string field's value as str (None when missing)."""
    if type(value) is str:
        return value
    if is_missing(value):
        return None
    if isinstance(value, _NOT_TEXT):
        raise BadValue(f"{shown(value)} is not a category (expected text, a number or a bool)")
    try:
        return str(value)
    except Exception:  # (str() of an odd object may raise anything)
        raise BadValue(f"{shown(value)} is not a category (expected text, a number or a bool)") from None


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
    elif isinstance(value, int | float | np.number | np.bool_) and value in (0, 1):
        return float(value)
    raise BadValue(f"{shown(value)} is not a boolean (expected true/false or 1/0)")


READERS: dict[str, Callable[[Any], Any]] = {
    "number": as_number,
    "category": as_text,
    "string": as_text,
    "boolean": as_flag,
}


class Factorized:
    """A text column as codes into its values (-1: missing), so each distinct value is read once.

    Built from a pandas Series (``factorize``), an Arrow array (``dictionary_encode``) or an object array whose
    rows share a few str objects (``shared_text``), only when every value is a str (so no two values that
    compare equal read differently); two codes may hold equal texts, which then read alike.
    """

    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: np.ndarray, extended: bool = False) -> None:
        self.codes = codes
        # code -1 gathers the final None: missing
        self.uniques = uniques if extended else np.append(uniques.astype(object), [None])

    def read(self, field_type: str) -> tuple[Factorized, np.ndarray | None]:
        """The distinct values read as ``field_type`` (still factorized), and per-row BadValues or None."""
        read, problems = column(self.uniques, field_type)
        return Factorized(self.codes, read, extended=True), None if problems is None else problems[self.codes]

    def __len__(self) -> int:
        return len(self.codes)

    def expand(self, read: np.ndarray) -> np.ndarray:
        """Per-row values from per-distinct-value ``read`` (aligned with ``uniques``)."""
        return read[self.codes]

    def values(self) -> np.ndarray:
        """The column as an object array of str and None."""
        return self.uniques[self.codes]


class _Addresses:
    """The element addresses of an object array, exposed as a read-only uintp array (keeps the array alive)."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self.__array_interface__ = {
            "data": (values.ctypes.data, True),
            "shape": values.shape,
            "strides": values.strides,
            "typestr": np.dtype(np.uintp).str,
            "version": 3,
        }


_SAMPLE_ROWS = 4096
_BLOCK = 1 << 15
_MOST_SHARED = 64
_SHIFTS = (4, 5, 6, 7, 3, 8, 9, 10, 11, 12)
"""Address bits tried for slots: objects are 8- or 16-byte aligned, so the lowest bits say little."""


def shared_text(values: np.ndarray) -> Factorized | None:
    """An object column of str, None and NaN factorized by object identity, when a few str objects fill it.

    Text read from files or made by numpy and pandas usually holds each distinct value as one shared object,
    and the same object is the same text: rows are matched to the objects of a sample by their address (a
    slot from some of the address bits, no text hashed; the slot is the row's code), the few others one by
    one. None (read the column value by value instead) when the sample holds more than ``_MOST_SHARED``
    objects, anything but str, None and NaN turns up, or over an eighth of the rows are not sample objects.
    """
    n = len(values)
    if values.dtype != object or values.ndim != 1 or not n:
        return None
    address = np.asarray(_Addresses(values))
    step = max(1, n // _SAMPLE_ROWS)
    objects, first = np.unique(address[::step], return_index=True)
    if len(objects) > _MOST_SHARED:
        return None
    sampled = values[::step][first].tolist()
    if not all(type(v) is str or _is_missing_text(v) for v in sampled):
        return None
    bits = max(4, (len(objects) ** 2).bit_length())
    for shift in _SHIFTS:  # address bits that put every sample object in its own slot, if any do
        slots = _slots(objects, shift, bits)
        if len(np.unique(slots)) == len(objects):
            break
    owner = np.zeros(1 << bits, dtype=np.uintp)  # no object lives at address 0
    owner[slots[::-1]] = objects[::-1]  # on a collision the first object keeps the slot, the other is "rest"
    uniques: list[str | None] = [None] * (1 << bits)
    for slot, value in zip(slots[::-1].tolist(), sampled[::-1], strict=True):
        uniques[slot] = None if _is_missing_text(value) else value
    codes = _slots(address, shift, bits)
    rest = np.concatenate(  # in blocks: small temporaries, reused, no fresh pages
        [
            start
            + np.flatnonzero(np.take(owner, codes[start : start + _BLOCK]) != address[start : start + _BLOCK])
            for start in range(0, n, _BLOCK)
        ]
    )
    if len(rest) > n // 8:
        return None
    if len(rest):
        index: dict[str, int] = {}
        rest_codes = []
        for value in values[rest].tolist():
            if type(value) is str:
                code = index.setdefault(value, len(uniques))
                if code == len(uniques):
                    uniques.append(value)
            elif _is_missing_text(value):
                code = -1
            else:
                return None
            rest_codes.append(code)
        codes[rest] = rest_codes
    return Factorized(codes, np.array(uniques, dtype=object))


def _slots(address: np.ndarray, shift: int, bits: int) -> np.ndarray:
    """Slots (intp in 0..2**bits - 1) of object addresses: ``bits`` bits above the lowest ``shift``."""
    slots = address >> np.uint64(shift)
    np.bitwise_and(slots, np.uint64((1 << bits) - 1), out=slots)
    return slots.view(np.intp)


def _is_missing_text(value: Any) -> bool:
    """None or a float NaN: a missing value of a shared text column."""
    return value is None or (isinstance(value, float) and value != value)


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


def _any_odd(values: np.ndarray) -> bool:
    """Whether an object column holds a date, duration, array or list (which numpy may cast to a number)."""
    return bool(small_ints(map(isinstance, values, repeat(_NOT_NUMBER))).any())


def column(values: np.ndarray, field_type: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a whole column: (values as float64 or object array, per-row BadValue or None where fine).

    The second item is None when every value was readable (the common case). Text columns come back as
    object arrays of str and None; values that are already str are kept as they are (no per-value call).
    """
    if isinstance(values, Factorized):
        read, problems = column(values.uniques, field_type)
        return values.expand(read), None if problems is None else values.expand(problems)
    if values.dtype.kind in "Mm":  # dates and durations are refused value by value, as one record's are
        values = np.fromiter(iter(values), dtype=object, count=len(values))
    if field_type in ("category", "string"):
        if values.dtype.kind == "U":
            return values.astype(object), None
        is_text = small_ints(map(isinstance, values, repeat(str))).view(bool)
        if is_text.all():
            return values, None
        read = np.frompyfunc(_reader_or_error(as_text), 1, 1)(values[~is_text])
        bad = np.fromiter(map(isinstance, read, repeat(BadValue)), dtype=bool, count=len(read))
        out = values.astype(object)
        out[~is_text] = np.where(bad, None, read)
        if not bad.any():
            return out, None
        errors = np.full(len(values), None, dtype=object)
        errors[np.flatnonzero(~is_text)[bad]] = read[bad]
        return out, errors
    if values.dtype.kind in "biuf":
        out = values.astype(np.float64, copy=False)
        if field_type == "number" and not np.isinf(out).any():
            return out, None
        if field_type == "boolean" and (np.isnan(out) | (out == 0.0) | (out == 1.0)).all():
            return out, None
    elif field_type == "number" and (
        values.dtype.kind == "U" or (values.dtype.kind == "O" and not _any_odd(values))
    ):
        try:
            number = values.astype(np.float64)
        except (TypeError, ValueError, OverflowError, ArithmeticError):
            pass
        else:
            if not np.isinf(number).any():
                return number, None
    read = np.frompyfunc(_reader_or_error(READERS[field_type]), 1, 1)(values)
    bad = np.fromiter(map(isinstance, read, repeat(BadValue)), dtype=bool, count=len(read))
    problems = np.asarray(np.where(bad, read, None), dtype=object) if bad.any() else None
    return np.asarray(np.where(bad, np.nan, read), dtype=np.float64), problems
