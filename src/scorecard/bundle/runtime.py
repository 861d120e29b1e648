"""Load a serving bundle and score with it: the standard library and numpy, nothing else.

``load_bundle(path)`` reads a bundle folder or ``.zip``, refuses it unless every file's SHA-256 matches the
manifest, the format version is one this runtime reads, every name is a plain file name and (with
``SCORECARD_BUNDLE_KEY`` set) the manifest's signature matches (see ``signing``), and returns a ``Bundle``:

- ``score_one(record)`` scores one dict in pure Python (bisect on precomputed lists, one plain tuple per
  feature), for the real-time engine;
- ``score_batch(columns)`` scores a dict of arrays, a pandas DataFrame or an Arrow table with numpy; both give
  identical scores, PDs, grades, decisions, reasons and warnings.

Batch path: each value is first placed in a *cell* of its feature (numbers: by counting the edges at or
below it; categories: one dict lookup per distinct value, text columns being matched by object identity or
dictionary-encoded), then everything else is a gather from per-cell tables built at load time by
``score_one``'s own rule: points and warning flags packed in one int64 per cell (two features whose cells
pair into one small index share a table), reason ranking keys (points lost and model order packed in one
small int, so the top k are kept by min/max insertion), reason codes joined by gathering fixed-width pieces
of two ranks (``reason_1..k`` are views of them); warning texts are joined once per distinct combination,
for the rows that have any. The policy runs once over whole columns.

A bad value (text in a number field, a missing DPD for the treatment table) makes its record an error
(``status = "error: <field>: <what>"``) and never stops the other records. Scores use integer points, so the
PD and grade of every reachable score are tabulated at load time.
"""

from __future__ import annotations

import json
import math
import sys
import zipfile
from bisect import bisect_right
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from scorecard.bundle import format as fmt
from scorecard.bundle import signing
from scorecard.bundle.fields import (
    READERS,
    BadValue,
    Factorized,
    as_number,
    as_text,
    column,
    shared_text,
    small_ints,
)
from scorecard.bundle.policy import INCOMPLETE_STATUS, Policy
from scorecard.errors import BundleError, DataError

BLOCK_ROWS = 1 << 15
"""Rows scored per numpy block in ``score_batch`` (bounds memory, keeps arrays in cache)."""

_ABSENT = object()
_GROUP = 15
"""Features whose points and two warning flags each are summed in one int64 (see ``Bundle._packed``)."""
_BITS = 2 * _GROUP
_BEYOND = sum(1 << (2 * k + 1) for k in range(_GROUP))
"""The "beyond the hard limits" flags of a word of warning flags."""
_OUT_OF_RANGE, _BEYOND_LIMITS = 1, 2
_MOST_PAIRED = 64
"""Most reason ranks (reasons + none) whose codes are joined two ranks per gathered piece."""


class _Infinite(Exception):
    """A float column holds an infinity: it is read value by value (``fields.column``) instead."""


# ----------------------------------------------------------------------------------------- verification
def read_files(path: Path) -> dict[str, bytes]:
    """Every file of a bundle folder or zip archive, by name."""
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
    if path.is_file() and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                entries = [i for i in archive.infolist() if not i.is_dir()]
                odd = [i.filename for i in entries if not _plain_name(i.filename)]
                if odd:
                    raise BundleError(
                        f"{path}: bundle refused: zip entries {odd} are not plain file names (no folders, '..' "
                        "or absolute paths)"
                    )
                return {i.filename: archive.read(i) for i in entries}
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise BundleError(f"{path}: bundle refused: the zip archive cannot be read ({exc})") from None
    if not path.exists():
        raise BundleError(f"{path}: no bundle here (expected a bundle folder or .zip)")
    raise BundleError(f"{path}: not a bundle folder or zip archive")


def _plain_name(name: str) -> bool:
    """A bundle file name: no folder, no '..', not absolute, no drive."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\:\0")


def verify(path: Path, files: dict[str, bytes]) -> tuple[dict[str, Any], dict[str, str]]:
    """(manifest, status of every file): ``ok`` or what is wrong with it; BundleError for an unreadable format."""
    if fmt.MANIFEST not in files:
        raise BundleError(f"{path}: not a bundle: {fmt.MANIFEST} is missing")
    try:
        manifest = json.loads(files[fmt.MANIFEST])
    except ValueError as exc:
        raise BundleError(f"{path}: {fmt.MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise BundleError(f"{path}: {fmt.MANIFEST} must be a JSON object; got a {type(manifest).__name__}")
    why = fmt.unreadable(str(manifest.get("format_version")))
    if why is not None:
        raise BundleError(f"{path}: {why}")
    listed: dict[str, Any] = manifest.get("files") or {}
    if not isinstance(listed, dict):
        raise BundleError(
            f"{path}: {fmt.MANIFEST}: files must be an object of file name -> {{sha256, bytes}}"
        )
    for name, entry in listed.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            raise BundleError(
                f"{path}: {fmt.MANIFEST}: files.{name}: must be an object with a sha256 string; got {entry!r:.60}"
            )
        if not _plain_name(name):
            raise BundleError(
                f"{path}: {fmt.MANIFEST}: files: {name!r} is not a plain file name; bundle refused"
            )
    status = {
        name: "required file not listed in the manifest" for name in fmt.JSON_FILES if name not in listed
    }
    for name, entry in sorted(listed.items()):
        data = files.get(name)
        if data is None:
            status[name] = "file is missing"
        elif fmt.sha256(data) != entry.get("sha256"):
            status[name] = "changed: its SHA-256 differs from the manifest's"
        else:
            status[name] = "ok"
    for name in sorted(set(files) - set(listed) - {fmt.MANIFEST, fmt.SIGNATURE}):
        status[name] = "file not listed in the manifest"
    return manifest, status


def load_bundle(path: Path | str) -> Bundle:
    """Read, verify and compile a bundle; BundleError names every missing, changed or unexpected file."""
    path = Path(path)
    files = read_files(path)
    manifest, status = verify(path, files)
    problems = [f"{name}: {what}" for name, what in status.items() if what != "ok"]
    if problems:
        raise BundleError(f"{path}: bundle refused: " + "; ".join(problems))
    signing.check(path, files)
    docs = {}
    for name in fmt.JSON_FILES:
        try:
            docs[name] = json.loads(files[name])
        except ValueError as exc:
            raise BundleError(f"{path}: {name} is not valid JSON ({exc})") from None
    challenger = None
    if fmt.CHALLENGER in files and fmt.CHALLENGER_DESIGN in files:
        challenger = (json.loads(files[fmt.CHALLENGER_DESIGN]), files[fmt.CHALLENGER].decode("utf-8"))
    return Bundle(manifest, docs, challenger, source=path)


# ------------------------------------------------------------------------------------------- features
class Feature:
    """One scorecard feature compiled for scoring: bin lookup, points per bin, warning texts.

    Bin index layout: regular bins ``0..n-1``, then ``special``, ``missing`` and (categorical) ``unknown``.
    Every value falls in a *cell* (``cells``), whose bin, points and warning flags are tabulated: a
    categorical cell is its bin; a numerical cell is an interval between consecutive ``edges`` (splits, each
    special code as a one-value interval, the valid-range bounds and the hard limits), cell 0 holding NaN.
    The tables are filled by ``locate`` on one value of each cell, and both ``score_one`` (bisect on
    ``one_edges``) and ``score_batch`` (edge counting) score a number by its cell, so they cannot disagree.
    Scoring uses only ``score_edges``: the edges between cells that differ in points or flags
    (``cell_points`` and ``cell_flags`` are per scoring cell). A number outside ``valid_range`` is scored in
    the edge bin with a warning; beyond ``hard_limits`` it is scored as missing, with a warning, and makes
    the record's evidence incomplete.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.name: str = spec["name"]
        self.kind: str = spec["kind"]
        bins = spec["bins"]
        self.special = len(bins)
        self.missing = len(bins) + 1
        self.unknown = len(bins) + 2
        parts = [
            *bins,
            spec["special"],
            spec["missing"],
            *([spec["unknown"]] if self.kind == "categorical" else []),
        ]
        self.points: list[int] = [_integer_points(self.name, p["points"]) for p in parts]
        self.table = np.asarray(self.points, dtype=np.int32)
        self.warn_absent = f"{self.name}: field absent, scored as missing"
        codes = spec["special"].get("codes") or []
        if self.kind == "numerical":
            self.splits: list[float] = [float(s) for s in spec["splits"]]
            if len(self.splits) != len(bins) - 1 or self.splits != sorted(self.splits):
                raise BundleError(
                    f"scorecard.json: feature {self.name!r}: splits must ascend, one fewer than bins"
                )
            self.codes = frozenset(float(c) for c in codes)
            lo, hi = spec.get("valid_range") or (None, None)
            self.lo = -math.inf if lo is None else float(lo)
            self.hi = math.inf if hi is None else float(hi)
            self.warn = (
                f"{self.name}: out of the training range [{lo:g}, {hi:g}], scored in the edge bin"
                if (lo is not None and hi is not None)
                else f"{self.name}: out of range"
            )
            hard_lo, hard_hi = spec.get("hard_limits") or (None, None)
            self.hard_lo = -math.inf if hard_lo is None else min(float(hard_lo), self.lo)
            self.hard_hi = math.inf if hard_hi is None else max(float(hard_hi), self.hi)
            self.warn_limit = f"{self.name}: beyond the hard limits [{self.hard_lo:g}, {self.hard_hi:g}], treated as missing"
            bounds = {
                self.lo,
                math.nextafter(self.hi, math.inf),
                self.hard_lo,
                math.nextafter(self.hard_hi, math.inf),
            }
            edges = sorted(
                {-math.inf, *self.splits, *self.codes, *(b for b in bounds if math.isfinite(b))}
                | {math.nextafter(c, math.inf) for c in self.codes}
            )
            self.edges = np.asarray(edges, dtype=np.float64)[:, None]
            cell_values = [math.nan, -sys.float_info.max, *edges[1:]]  # cell c >= 1 starts at edges[c - 1]
        elif self.kind == "categorical":
            self.lookup: dict[str, int] = {}
            for i, b in enumerate(bins):
                self.lookup.update(dict.fromkeys((str(c) for c in b["categories"]), i))
            self.lookup.update(dict.fromkeys((str(c) for c in codes), self.special))
            self._batch_lookup: dict[str | None, int] = {None: self.missing}
            self._batch_lookup.update(self.lookup)
            self.warn = f"{self.name}: unknown category, scored as {spec['unknown'].get('rule', 'unknown')}"
            self.warn_limit = ""
            cell_values = []
        else:
            raise BundleError(
                f"scorecard.json: feature {self.name!r}: kind {self.kind!r} is not numerical/categorical"
            )
        cells = [self._located(x) for x in cell_values] or [
            (i, _OUT_OF_RANGE if i == self.unknown else 0) for i in range(len(parts))
        ]
        self.absent_cell = 0 if self.kind == "numerical" else self.missing
        self.cell_bins = np.asarray([b for b, _ in cells], dtype=np.intp)
        self.cell_warn = np.asarray([w != 0 for _, w in cells], dtype=bool)
        # scoring cells: a number cell that scores and warns as the one below it is merged into it (its edge is
        # not counted), as every output of score_batch depends only on a cell's points and flags
        kept = [
            c
            for c, (b, w) in enumerate(cells)
            if c < 2
            or self.kind != "numerical"
            or (self.points[b], w) != (self.points[cells[c - 1][0]], cells[c - 1][1])
        ]
        if self.kind == "numerical":
            self.score_edges = self.edges[[c - 1 for c in kept[1:]]]  # edges[c - 1] starts cell c
        self.cell_flags = np.asarray([cells[c][1] for c in kept], dtype=np.int64)
        self.cell_points = self.table[self.cell_bins[kept]].astype(np.int64)
        # for score_one, as Python lists and dicts: a number's scoring cell is bisect_right(one_edges, x) (NaN:
        # cell 0), then its points and warning (None, ``warn`` or ``warn_limit``); a text's points by category
        warn_of = {0: None, _OUT_OF_RANGE: self.warn, _BEYOND_LIMITS: self.warn_limit}
        self.one_edges: list[float] | None = (
            self.score_edges[:, 0].tolist() if self.kind == "numerical" else None
        )
        self.one_points: list[int] = self.cell_points.tolist()
        self.one_warnings: list[str | None] = [warn_of[int(w)] for w in self.cell_flags]
        self.one_points_of: dict[str, int] = (
            {} if self.kind == "numerical" else {k: self.points[b] for k, b in self.lookup.items()}
        )

    @property
    def field_type(self) -> str:
        return "number" if self.kind == "numerical" else "category"

    def locate(self, value: Any, warnings: list[str]) -> int:
        """Bin index of one raw value; appends a warning for out-of-range / beyond-limit / unknown values."""
        if self.kind == "numerical":
            x = value if type(value) is float and value - value == 0.0 else self._number(value)
            if x != x:
                return self.missing
            if x in self.codes:
                return self.special
            if x < self.lo or x > self.hi:
                if x < self.hard_lo or x > self.hard_hi:
                    warnings.append(self.warn_limit)
                    return self.missing
                warnings.append(self.warn)
            return bisect_right(self.splits, x)
        key = value if type(value) is str else self._text(value)
        return self.missing if key is None else self._category(key, warnings)

    def cells(
        self, values: np.ndarray, dtype: Any, scoring: bool = True, out: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(cell of each raw value as ``dtype``, per-row BadValue or None) for a column: scoring cells (see
        ``cell_points``), or with ``scoring=False`` the cells of ``cell_bins``; written into ``out`` if given."""
        if self.kind == "numerical":
            edges = self.score_edges if scoring else self.edges
            if isinstance(values, np.ndarray) and values.dtype == np.float64:
                try:  # a float column is checked for infinities block by block, while it is in cache
                    return self._counted(values, dtype, edges, finite=True, out=out), None
                except _Infinite:
                    pass
            x, errors = column(values, "number")
            return self._counted(x, dtype, edges, out=out), errors
        index, errors = self._category_cells(values, dtype)
        if out is None:
            return index, errors
        out[:] = index
        return out, errors

    def _category_cells(self, values: np.ndarray, dtype: Any) -> tuple[np.ndarray, np.ndarray | None]:
        if isinstance(values, Factorized):  # each distinct value looked up once, then gathered
            index, problems = self._category_cells(values.uniques, dtype)
            return values.expand(index), None if problems is None else values.expand(problems)
        if values.dtype.kind == "U":
            values = values.astype(object)
        try:
            index = self._lookup(values, dtype)
        except TypeError:  # an unhashable value (list, dict, array): read the whole column as text first
            texts, errors = column(values, "category")
            return self._lookup(texts, dtype), errors
        odd = np.flatnonzero(index == self.unknown)  # unknown, or a value that is not yet text (NaN, numbers)
        if not len(odd):
            return index, None
        texts, bad = column(values[odd], "category")
        index[odd] = self._lookup(texts, dtype)
        if bad is None:
            return index, None
        errors = np.full(len(values), None, dtype=object)
        errors[odd] = bad
        return index, errors

    @staticmethod
    def _counted(
        x: np.ndarray, dtype: Any, edges: np.ndarray, finite: bool = False, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Cells of numbers: the count of ``edges`` at or below each (0 for NaN), in blocks of rows; with
        ``finite``, _Infinite when a value is infinite."""
        out = np.empty(len(x), dtype=dtype) if out is None else out
        for start in range(0, len(x), BLOCK_ROWS):
            if finite and np.isinf(x[start : start + BLOCK_ROWS]).any():
                raise _Infinite
            above = x[None, start : start + BLOCK_ROWS] >= edges
            np.sum(above.view(np.uint8), axis=0, dtype=dtype, out=out[start : start + BLOCK_ROWS])
        return out

    def _lookup(self, values: np.ndarray, dtype: Any) -> np.ndarray:
        bins = map(self._batch_lookup.get, values, repeat(self.unknown))
        return (
            small_ints(bins).astype(dtype, copy=False)
            if self.unknown < 256
            else np.fromiter(bins, dtype, len(values))
        )

    def locate_column(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(bin index, warning mask, per-row BadValue or None) for a column of raw values."""
        cells, errors = self.cells(values, np.intp, scoring=False)
        return self.cell_bins[cells], self.cell_warn[cells], errors

    def _located(self, value: float) -> tuple[int, int]:
        warnings: list[str] = []
        index = self.locate(value, warnings)
        return index, 0 if not warnings else _BEYOND_LIMITS if warnings[
            0
        ] == self.warn_limit else _OUT_OF_RANGE

    def _number(self, value: Any) -> float:
        try:
            return as_number(value)
        except BadValue as exc:
            raise BadValue(f"{self.name}: {exc}") from None

    def _text(self, value: Any) -> str | None:
        try:
            return as_text(value)
        except BadValue as exc:
            raise BadValue(f"{self.name}: {exc}") from None

    def _category(self, key: str, warnings: list[str]) -> int:
        index = self.lookup.get(key)
        if index is None:
            warnings.append(self.warn)
            return self.unknown
        return index


def _integer_points(feature: str, value: Any) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != int(value)
        or abs(value) >= 2**24
    ):
        raise BundleError(
            f"scorecard.json: feature {feature!r}: points must be integers below 2**24 in size; got {value!r}"
        )
    return int(value)


# ------------------------------------------------------------------------------------------- reasons
class _Reason:
    __slots__ = ("code", "feature", "position", "reference", "text")

    def __init__(self, position: int, feature: str, reference: float, code: str, text: str) -> None:
        self.position, self.feature, self.reference, self.code, self.text = (
            position,
            feature,
            reference,
            code,
            text,
        )


def _reasons(spec: dict[str, Any], features: list[Feature]) -> list[_Reason]:
    excluded = set(spec.get("not_for_reasons") or [])
    out = []
    for j, f in enumerate(features):
        if f.name in excluded:
            continue
        entry = (spec.get("catalogue") or {}).get(f.name)
        reference = (spec.get("reference_points") or {}).get(f.name)
        if entry is None or reference is None:
            raise BundleError(f"reasons.json: feature {f.name!r} lacks a catalogue entry or reference points")
        out.append(_Reason(j, f.name, reference, str(entry["code"]), str(entry["text"])))
    return out


# -------------------------------------------------------------------------------------- calibration
def _pd_of_scores(spec: dict[str, Any], scores: np.ndarray) -> np.ndarray:
    method = spec.get("method")
    if method == "logistic":
        return 1.0 / (1.0 + np.exp(-(float(spec["intercept"]) + float(spec["slope"]) * scores)))
    if method == "isotonic":
        return np.interp(
            scores, np.asarray(spec["x"], dtype=np.float64), np.asarray(spec["y"], dtype=np.float64)
        )
    raise BundleError(f"calibration.json: method must be 'logistic' or 'isotonic'; got {method!r}")


def _grades(spec: dict[str, Any], pd_: np.ndarray) -> np.ndarray:
    bands = spec["bands"]
    limits = np.asarray([b["max_pd"] for b in bands], dtype=np.float64)
    names = np.asarray([b["grade"] for b in bands], dtype=str)
    return names[np.minimum(np.searchsorted(limits, pd_, side="left"), len(bands) - 1)]


# -------------------------------------------------------------------------------------------- bundle
class Bundle:
    """A verified bundle, compiled for scoring."""

    def __init__(
        self,
        manifest: dict[str, Any],
        docs: dict[str, Any],
        challenger: tuple[dict[str, Any], str] | None = None,
        source: Path | None = None,
    ) -> None:
        self.manifest = manifest
        self.source = source
        self.documents = docs
        self.challenger = challenger
        self._shadow: Any = None
        card = docs[fmt.SCORECARD]
        self.features = [Feature(f) for f in card["features"]]
        self.base_points = int(card["base_points"])
        self.policy = Policy(docs[fmt.POLICY])
        served = [
            f for f in docs[fmt.SCHEMA]["fields"] if set(f.get("used_by", ["scorecard"])) - {"challenger"}
        ]
        self.fields = {f["name"]: f["type"] for f in served}
        self.required = [f["name"] for f in served if f.get("required", True)]
        for name, field_type in [
            *((f.name, f.field_type) for f in self.features),
            *self.policy.fields.items(),
        ]:
            declared = self.fields.get(name)
            compatible = {field_type, "string" if field_type == "category" else field_type}
            if declared not in compatible:
                raise BundleError(
                    f"schema.json: field {name!r} is declared {declared!r}; scoring needs {field_type!r}"
                )
        self._policy_fields = [(name, READERS[self.fields[name]]) for name in self.policy.fields]
        feature_names = {f.name for f in self.features}
        self._policy_only = {name for name, _ in self._policy_fields if name not in feature_names}
        self._required = frozenset(self.required)
        reasons = docs[fmt.REASONS]
        self.top_k = int(reasons["top_k"])
        self._reasons = _reasons(reasons, self.features)
        # score_one's loops read plain tuples (no attribute lookups per feature)
        self._one = [
            (f.name, f.one_edges, f.one_points, f.one_points_of, f.one_warnings, f.points[f.missing],
             f.name in self._required, f)
            for f in self.features
        ]  # fmt: skip
        self._one_reasons = [(r.position, r.reference) for r in self._reasons]
        self._reason_order = range(len(self._reasons))
        self.score_min = self.base_points + sum(min(f.points) for f in self.features)
        score_max = self.base_points + sum(max(f.points) for f in self.features)
        if score_max - self.score_min > 2**20:
            raise BundleError(
                f"scorecard.json: scores span {self.score_min}..{score_max}; a points scale this wide is not a "
                "scorecard (check pdo and the points)"
            )
        scores = np.arange(self.score_min, score_max + 1, dtype=np.float64)
        calibration = docs[fmt.CALIBRATION]
        self._pd_table = _pd_of_scores(calibration["calibration"], scores)
        self._grade_table = _grades(calibration["master_scale"], self._pd_table)
        self._pd_list: list[float] = self._pd_table.tolist()
        self._grade_list: list[str] = self._grade_table.tolist()
        # batch tables: per feature, points / warning bit per cell; per eligible reason, a ranking key per cell
        most_cells = max((len(f.cell_points) for f in self.features), default=0)
        self._cell_dtype = np.uint8 if most_cells <= 256 else np.uint16
        # points and warning flags of a cell ride in one int64: the points above the feature's lowest in the low
        # 32 bits, the two flags of feature j (out of range, beyond the hard limits) at bits 32 + 2 * (j % 15)
        # and one above; summed over a group of 15 features, the points (below 2**30) and the flags, one bit
        # each, never carry
        self._packed = [
            (j // _GROUP, (f.cell_points - min(f.points)) | f.cell_flags << (32 + 2 * (j % _GROUP)))
            for j, f in enumerate(self.features)
        ]
        self._warn_texts = [text for f in self.features for text in (f.warn, f.warn_limit)]
        n_eligible = len(self._reasons)
        self._reason_codes = np.asarray([r.code for r in self._reasons] + [""], dtype=str)  # rank n: none
        self._reason_refs = np.asarray([r.reference for r in self._reasons], dtype=np.float64)
        # ranking keys (points lost << bits) | (mask - rank), mask = 2**bits - 1 > rank, when lost points are
        # whole; lost <= 0 packs as the "none" key mask - n_eligible, so a plain maximum over the reasons
        # finds the most points lost and, among equals, the first in model order (as ``score_one``)
        whole = bool(np.all(self._reason_refs == np.round(self._reason_refs)))
        widest = max(
            (abs(r.reference) + max(map(abs, self.features[r.position].points)) for r in self._reasons),
            default=0,
        )
        self._key_bits = max(n_eligible.bit_length(), 1)
        key_type = next(
            (t for t in (np.int16, np.int32) if (int(widest) + 1) << self._key_bits <= np.iinfo(t).max), None
        )
        mask = (1 << self._key_bits) - 1
        self._key_type: Any = key_type
        self._key_tables = (
            [
                np.where(lost > 0, lost << self._key_bits | (mask - k), mask - n_eligible).astype(key_type)
                for k, r in enumerate(self._reasons)
                for lost in [int(r.reference) - self.features[r.position].cell_points]
            ]
            if whole and key_type is not None
            else []
        )
        self._none_key = mask - n_eligible
        feature_keys: list[np.ndarray | None] = [None] * len(self.features)
        for r, table in zip(self._reasons, self._key_tables, strict=False):
            feature_keys[r.position] = table
        self._units = _units(self.features, self._packed, feature_keys, self._cell_dtype == np.uint8)
        self._unit_of = {j: u for u, unit in enumerate(self._units) for j in unit.features}
        # equal-length codes join "|"-separated by gathering fixed-width pieces ("R01", "|R02", ...) per rank
        widths = {len(r.code) for r in self._reasons}
        width = widths.pop() if len(widths) == 1 else 0
        chars = np.zeros((n_eligible + 1, width + 1), dtype=np.uint32)  # row n_eligible: none, all NUL
        chars[:n_eligible, 0] = ord("|")
        if width:
            chars[:n_eligible, 1:] = self._reason_codes[:n_eligible].view(np.uint32).reshape(-1, width)
        self._code_width = width
        self._joins = _join_tables(chars, self.top_k, self._key_bits) if width and self.top_k else []
        self._piece_layout = np.dtype([(f"r{k}", table.dtype) for k, (_, table) in enumerate(self._joins)])

    @property
    def name(self) -> str:
        return str(self.manifest["card"]["name"])

    # ---------------------------------------------------------------------------------------- one
    def score_one(self, record: dict[str, Any]) -> dict[str, Any]:
        """Score one record: score, pd, grade, decision, limit, knockout, flags, reasons, warnings, status.

        Never raises on a record's values: an unreadable value makes the record an error (see ``fields``).
        """
        warnings: list[str] = []
        points: list[int] = []
        incomplete = False
        try:
            if not isinstance(record, dict):
                raise BadValue(f"a record must be a JSON object (a dict); got {type(record).__name__}")
            get = record.get
            for name, edges, cell_points, points_of, cell_warnings, missing, required, f in self._one:
                value = get(name, _ABSENT)
                if edges is not None:  # a number's scoring cell: the edges at or below it (NaN: cell 0)
                    if type(value) is float and value - value == 0.0:
                        cell = bisect_right(edges, value)
                    elif value is _ABSENT:
                        warnings.append(f.warn_absent)
                        points.append(missing)
                        incomplete = incomplete or required
                        continue
                    else:
                        x = f._number(value)
                        cell = 0 if x != x else bisect_right(edges, x)
                    points.append(cell_points[cell])
                    warning = cell_warnings[cell]
                    if warning is not None:
                        warnings.append(warning)
                        incomplete = incomplete or warning is f.warn_limit
                    continue
                if type(value) is str:
                    p = points_of.get(value)
                elif value is _ABSENT:
                    warnings.append(f.warn_absent)
                    points.append(missing)
                    incomplete = incomplete or required
                    continue
                else:
                    key = f._text(value)
                    p = missing if key is None else points_of.get(key)
                if p is None:
                    warnings.append(f.warn)
                    p = f.points[f.unknown]
                points.append(p)
            values = {}
            for name, read in self._policy_fields:
                value = record.get(name, _ABSENT)
                if value is _ABSENT:
                    incomplete = incomplete or name in self._required
                    if name in self._policy_only:
                        warnings.append(f"{name}: field absent, treated as missing")
                    value = None
                try:
                    values[name] = read(value)
                except BadValue as exc:
                    raise BadValue(f"{name}: {exc}") from None
            score = self.base_points + sum(points)
            decision, knockout, flags = self.policy.decide_one(values, score, incomplete)
        except BadValue as exc:
            return {
                "score": None, "pd": None, "grade": None, "decision": None, "limit": 0.0, "knockout": None,
                "flags": [], "reasons": [], "warnings": [], "status": f"error: {exc}",
            }  # fmt: skip
        row = score - self.score_min
        # the top k of the points lost, most first, ties in model order (a stable sort), then only those lost
        lost = [reference - points[position] for position, reference in self._one_reasons]
        ranked = [
            (lost[i], self._reasons[i])
            for i in sorted(self._reason_order, key=lost.__getitem__, reverse=True)[: self.top_k]
            if lost[i] > 0
        ]
        return {
            "score": score,
            "pd": self._pd_list[row],
            "grade": self._grade_list[row],
            "decision": decision,
            "limit": self.policy.limit_one(values, score, decision),
            "knockout": knockout,
            "flags": flags,
            "reasons": [
                {"code": r.code, "text": r.text, "feature": r.feature, "points_lost": x} for x, r in ranked
            ],
            "warnings": warnings,
            "status": "ok",
        }

    # -------------------------------------------------------------------------------------- batch
    def score_batch(self, columns: Any, explain: bool = True) -> dict[str, np.ndarray]:
        """Score columns (dict of arrays, pandas DataFrame or Arrow table); one array per output.

        Keys: score (int64; 0 where status is an error), pd (NaN on errors), grade, decision, limit (float64;
        0 unless approved), knockout,
        flags, status, and with ``explain`` (default) reasons (codes joined by "|"), reason_1..reason_k and
        warnings ("; "-joined); ``explain=False`` skips those for book-wide runs that need no reasons. Error
        rows have empty outputs besides status. Never raises on the values of a row; an absent column is
        read as absent from every record, as ``score_one`` reads an absent key.
        """
        data, n = _input_columns(columns, list(self.fields), self.fields)
        absent = [name for name in self.fields if name not in data]
        errors = _Errors(n)
        # one array for every feature's cells: one large allocation (huge pages) instead of a page per 4 KB
        grid = np.empty((len(self.features), n), dtype=self._cell_dtype)
        tables = [unit.table for unit in self._units]
        texts = list(self._warn_texts)
        for j, f in enumerate(self.features):
            if f.name in data:
                _, bad = f.cells(data[f.name], self._cell_dtype, out=grid[j])
                errors.add(bad, f.name)
            else:  # an absent column: every row in the missing bin, warned as absent
                grid[j] = f.absent_cell
                u = self._unit_of[j]
                tables[u] = tables[u] | 1 << (32 + 2 * (j % _GROUP))
                texts[2 * j] = f.warn_absent
        score = np.empty(n, dtype=np.int64)
        pd_ = np.empty(n, dtype=np.float64)
        grade = np.empty(n, dtype=self._grade_table.dtype)
        incomplete = np.empty(n, dtype=bool)
        warn_words = np.empty((-(-len(self.features) // _GROUP), n), dtype=np.int64)
        # reasons: the joined codes' pieces, filled block by block (see _reason_columns), or the reason keys'
        # low bits (top_k x rows: mask - rank) for the per-rank path
        pieces = np.empty(n, dtype=self._piece_layout) if explain and self._joins else None
        lows = np.empty((self.top_k, n), dtype=np.int32) if explain and pieces is None else None
        keyed = explain and bool(self._key_tables)
        packed_block = np.empty((len(warn_words), min(n, BLOCK_ROWS)), dtype=np.int64)
        for start in range(0, n, BLOCK_ROWS):  # blocks of rows keep the per-feature passes in cache
            rows = slice(start, start + BLOCK_ROWS)
            size = len(score[rows])
            packed = packed_block[:, :size]
            packed.fill(0)
            top = _TopKeys(self.top_k, size, self._key_type, self._none_key) if keyed else None
            for unit, table in zip(self._units, tables, strict=True):
                index = unit.index(grid, rows)
                np.add(packed[unit.group], np.take(table, index), out=packed[unit.group])
                if top is not None:
                    unit.insert_keys(top, index)
            relative = (packed & 0xFFFFFFFF).sum(axis=0)  # score - score_min: the PD and grade tables' row
            np.add(relative, self.score_min, out=score[rows])
            np.take(self._pd_table, relative, out=pd_[rows], mode="clip")
            np.take(self._grade_table, relative, out=grade[rows], mode="clip")
            words = np.right_shift(packed, 32, out=warn_words[:, rows])
            np.any(words & _BEYOND, axis=0, out=incomplete[rows])
            if explain:
                low = (
                    top.lows(self._key_bits)
                    if top is not None
                    else (1 << self._key_bits)
                    - 1
                    - self._top_reasons([cell[rows].astype(np.intp) for cell in grid], size)
                )
                if pieces is not None:
                    self._join_pieces(pieces[rows], low)
                elif lows is not None:
                    lows[:, rows] = low
        values: dict[str, Any] = {}
        for name, _ in self._policy_fields:
            if name in data:
                raw = data[name]
                read = raw.read if isinstance(raw, Factorized) else lambda kind, raw=raw: column(raw, kind)
                values[name], bad = read(self.fields[name])
                errors.add(bad, name)
            else:
                text = self.fields[name] in ("category", "string")
                values[name] = np.full(n, None, dtype=object) if text else np.full(n, np.nan)
        if self._required.intersection(absent):
            incomplete[:] = True
        decision, knockout, flags, no_dpd = self.policy.decide_batch(values, score, incomplete)
        errors.add_message(no_dpd, f"{self.policy.dpd_field}: missing (the treatment table needs it)")
        if self.policy.incomplete == "error":
            errors.add_message(incomplete, INCOMPLETE_STATUS)
        absent_policy = [
            f"{name}: field absent, treated as missing" for name in absent if name in self._policy_only
        ]
        out = {
            "score": score,
            "pd": pd_,
            "grade": grade,
            "decision": decision,
            "limit": self.policy.limit_batch(values, score, decision),
            "knockout": knockout,
            "flags": flags,
            **(self._reason_columns(pieces, lows) if explain else {}),
            **({"warnings": _warning_texts(warn_words, texts, absent_policy)} if explain else {}),
            "status": errors.status(),
        }
        if errors.bad.any():
            for key, array in out.items():
                if key != "status":
                    array[errors.bad] = 0 if key in ("score", "limit") else np.nan if key == "pd" else ""
        return out

    def _top_reasons(self, block: list[np.ndarray], n: int) -> np.ndarray:
        """Reason ranks (top_k x rows; ``len(reasons)`` = none) by repeated first maximum of points lost, for
        cards whose points lost are not whole (else ranking keys are used: ``_TopKeys``)."""
        n_eligible = len(self._reasons)
        ranks = np.full((self.top_k, n), n_eligible, dtype=np.intp)
        columns = np.arange(n)
        if n_eligible:
            points = [self.features[r.position].cell_points[block[r.position]] for r in self._reasons]
            lost = self._reason_refs[:, None] - np.asarray(points, dtype=np.float64).reshape(n_eligible, n)
            lost[~(lost > 0)] = -np.inf
            for k in range(self.top_k):
                at = lost.argmax(axis=0)  # first maximum: ties in model order
                ranks[k] = np.where(lost[at, columns] > 0, at, n_eligible)
                lost[at, columns] = -np.inf
        return ranks

    def _join_pieces(self, pieces: np.ndarray, low: np.ndarray) -> None:
        """Fill a block of the joined codes' pieces from its reason keys' low bits (top_k x rows; the rank r of a
        reason is ``2**_key_bits - 1 - low``, rank ``len(reasons)`` being none): each piece ("R01|R02",
        "|R03|R04") is gathered for two ranks at a time (see ``_join_tables``)."""
        pairs = len(self._joins) < self.top_k
        for k, (first, table) in enumerate(self._joins):
            index = (
                low[first] << self._key_bits | low[first + 1]
                if pairs and first + 1 < self.top_k
                else low[first]
            )
            pieces[f"r{k}"] = np.take(table, index)

    def _reason_columns(self, pieces: np.ndarray | None, lows: np.ndarray | None) -> dict[str, np.ndarray]:
        """reasons ("|"-joined codes) and reason_1..reason_k: from the pieces filled by ``_join_pieces`` (codes
        of one width), else from the reason keys' low bits (top_k x rows).

        A reason at rank k implies one at every rank before it, so absent reasons are trailing NULs in the
        pieces, which numpy strings drop; reason_1..k are then views of the joined codes' characters (sharing
        their memory), not copies.
        """
        if pieces is not None:
            n, width = len(pieces), self._piece_layout.itemsize // 4
            joined = pieces.view(f"<U{width}")
            chars = joined.view(np.uint32).reshape(n, width)
            w = self._code_width
            return {
                "reasons": joined,
                **{
                    f"reason_{k + 1}": chars[:, k * (w + 1) : k * (w + 1) + w].view(f"<U{w}")[:, 0]
                    for k in range(self.top_k)
                },
            }
        assert lows is not None
        n = lows.shape[1]
        ranks = (1 << self._key_bits) - 1 - lows
        columns_k = {f"reason_{k + 1}": np.take(self._reason_codes, ranks[k]) for k in range(self.top_k)}
        if not self.top_k:
            return {"reasons": np.full(n, ""), **columns_k}
        n_eligible = len(self._reasons)
        joined = columns_k["reason_1"]
        for k in range(1, self.top_k):
            longer = np.strings.add(np.strings.add(joined, "|"), columns_k[f"reason_{k + 1}"])
            joined = np.where(ranks[k] < n_eligible, longer, joined)
        return {"reasons": joined, **columns_k}

    def shadow_score(self, columns: Any) -> np.ndarray:
        """The LightGBM challenger's P(bad) per row (imports lightgbm; scoring the scorecard never does)."""
        if self.challenger is None:
            raise BundleError(f"bundle {self.name!r} carries no challenger (exported with --no-challenger?)")
        if self._shadow is None:
            from scorecard.bundle.shadow import Shadow

            self._shadow = Shadow(*self.challenger)
        types = {f: "category" if f in self._shadow.levels else "number" for f in self._shadow.features}
        data, n = _input_columns(columns, self._shadow.features, types)
        return np.asarray(self._shadow.predict_pd(data, n))

    def score_table(self, columns: Any) -> list[dict[str, Any]]:
        """``score_batch`` as a list of row dicts (small inputs, tests, notebooks)."""
        out = self.score_batch(columns)
        return [dict(zip(out, values, strict=True)) for values in zip(*out.values(), strict=True)]


def _join_tables(chars: np.ndarray, top_k: int, bits: int) -> list[tuple[int, np.ndarray]]:
    """(first rank, table) per piece of the joined reason codes, indexed by reason keys' low ``bits`` bits
    (``2**bits - 1 - rank``): each two ranks (a, b) index one piece ``"|" code_a "|" code_b`` (no leading "|"
    for the first) at ``low_a << bits | low_b``; a last odd rank, and every rank of a card with over
    ``_MOST_PAIRED`` reasons, has a piece of its own. ``chars`` holds "|" and each code's characters by rank
    (a last row of NUL: none)."""
    mask = (1 << bits) - 1
    by_low = np.zeros((1 << bits, chars.shape[1]), dtype=chars.dtype)
    by_low[mask - np.arange(len(chars))] = chars
    step = 2 if len(chars) <= _MOST_PAIRED else 1
    tables = []
    for first in range(0, top_k, step):
        head = by_low[:, 1:] if first == 0 else by_low
        if first + 1 == top_k or step == 1:
            piece = np.ascontiguousarray(head)
        else:
            piece = np.concatenate(
                [np.repeat(head, 1 << bits, axis=0), np.tile(by_low, (1 << bits, 1))], axis=1
            )
        tables.append((first, piece.view(f"V{4 * piece.shape[1]}").ravel()))
    return tables


class _Unit:
    """One feature, or two of the same group whose cells pair into one small index, as the batch loop reads it.

    A pair's index is ``cell_a * cells_b + cell_b`` (computed in uint8), so one gather gives both features'
    packed points and flags (their sum), and one more the reason keys of both (see ``_TopKeys.insert_pair``).
    """

    __slots__ = ("features", "group", "keys", "paired_keys", "table", "width")

    def __init__(self, features: tuple[int, ...], group: int, table: np.ndarray) -> None:
        self.features, self.group, self.table = features, group, table
        self.width = 0
        self.keys: list[np.ndarray] = []
        self.paired_keys = False

    def index(self, cells: np.ndarray, rows: slice) -> np.ndarray:
        """The unit's gather index (intp, the fastest index to gather by) for a block of rows."""
        if len(self.features) == 1:
            return cells[self.features[0]][rows].astype(np.intp)
        a, b = self.features
        pair = np.multiply(cells[a][rows], self.width, dtype=np.uint8)
        np.add(pair, cells[b][rows], out=pair)
        return pair.astype(np.intp)

    def insert_keys(self, top: _TopKeys, index: np.ndarray) -> None:
        """Insert the unit's reason keys of a block's rows into their top k."""
        if self.paired_keys:
            top.insert_pair(self.keys[0], index)
        else:
            for table in self.keys:
                top.insert(table, index)


def _units(
    features: list[Feature],
    packed: list[tuple[int, np.ndarray]],
    keys: list[np.ndarray | None],
    pairs: bool,
) -> list[_Unit]:
    """Features grouped for the batch loop: within each packing group, the most cells with the fewest while
    their cells multiply to at most 256 (uint8 cells only), the rest alone."""
    units = []
    for group in sorted({g for g, _ in packed}):
        members = sorted(
            (j for j, (g, _) in enumerate(packed) if g == group), key=lambda j: len(features[j].cell_points)
        )
        while members:
            big = members.pop()
            small = members[0] if members and pairs else None
            if small is None or len(features[big].cell_points) * len(features[small].cell_points) > 256:
                unit = _Unit((big,), group, packed[big][1])
                unit.keys = [k for k in [keys[big]] if k is not None]
                units.append(unit)
                continue
            members.pop(0)
            a, b = sorted((big, small))
            unit = _Unit((a, b), group, (packed[a][1][:, None] + packed[b][1][None, :]).ravel())
            unit.width = len(features[b].cell_points)
            shape = (len(features[a].cell_points), unit.width)
            ka, kb = (
                None if k is None else np.broadcast_to(k[:, None] if j == a else k[None, :], shape)
                for j, k in ((a, keys[a]), (b, keys[b]))
            )
            if ka is not None and kb is not None:
                high, low = np.maximum(ka, kb).ravel(), np.minimum(ka, kb).ravel()
                unit.paired_keys = high.dtype == np.int16  # both in one int32: high << 16 | low (keys >= 0)
                unit.keys = (
                    [high.astype(np.int32) << 16 | low.astype(np.int32)] if unit.paired_keys else [high, low]
                )
            else:
                unit.keys = [k.ravel() for k in (ka, kb) if k is not None]
            units.append(unit)
    return units


class _TopKeys:
    """The ``k`` largest ranking keys of each row of a block, kept in descending order as keys are inserted."""

    def __init__(self, k: int, n: int, dtype: Any, none_key: int) -> None:
        self.top = [np.full(n, none_key, dtype=dtype) for _ in range(k)]
        self.key = np.empty(n, dtype=dtype)
        self.second = np.empty(n, dtype=dtype)
        self.low = np.empty(n, dtype=dtype)
        self.pair = np.empty(n, dtype=np.int32)

    def insert(self, table: np.ndarray, index: np.ndarray) -> None:
        """Insert the key ``table[index]`` of every row."""
        np.take(table, index, out=self.key)
        self._insert(self.key, 0)

    def insert_pair(self, table: np.ndarray, index: np.ndarray) -> None:
        """Insert two int16 keys per row gathered at once from int32 ``larger << 16 | smaller``."""
        np.take(table, index, out=self.pair)
        np.right_shift(self.pair, 16, out=self.key, casting="unsafe")
        np.copyto(self.second, self.pair, casting="unsafe")  # the low 16 bits
        self._insert(self.key, 0)
        self._insert(self.second, 1)  # at most the larger key: never first

    def _insert(self, key: np.ndarray, first: int) -> None:
        """An insertion step, min/max down the ranks; ``first``: the highest rank the key can reach."""
        low, top = self.low, self.top
        for k in range(len(top) - 1, first, -1):
            np.minimum(top[k - 1], key, out=low)
            np.maximum(top[k], low, out=top[k])
        if first < len(top):
            np.maximum(top[first], key, out=top[first])

    def lows(self, bits: int) -> np.ndarray:
        """The low ``bits`` bits of the top keys (k x rows): ``2**bits - 1`` minus the reason's rank."""
        return np.asarray(self.top).reshape(len(self.top), len(self.key)) & ((1 << bits) - 1)


class _Errors:
    """The first error of each row of a block: a mask and the messages of the rows it marks."""

    def __init__(self, n: int) -> None:
        self.bad = np.zeros(n, dtype=bool)
        self.messages: dict[int, str] = {}

    def add(self, problems: np.ndarray | None, name: str) -> None:
        """Record per-row BadValues (or None entries) of field ``name``."""
        if problems is None:
            return
        rows = np.flatnonzero(np.fromiter(map(isinstance, problems, repeat(BadValue)), bool, len(problems)))
        rows = rows[~self.bad[rows]]
        self.messages.update((int(i), f"error: {name}: {problems[i]}") for i in rows)
        self.bad[rows] = True

    def add_message(self, mask: np.ndarray, message: str) -> None:
        rows = np.flatnonzero(mask & ~self.bad)
        self.messages.update(dict.fromkeys(rows.tolist(), f"error: {message}"))
        self.bad[rows] = True

    def status(self) -> np.ndarray:
        if not self.messages:
            return np.full(len(self.bad), "ok")
        out = np.full(len(self.bad), "ok", dtype=object)
        out[list(self.messages)] = list(self.messages.values())
        return out


def _warning_texts(words: np.ndarray, texts: list[str], every_row: list[str]) -> np.ndarray:
    """Per row, the "; "-joined texts of its warnings, from flag words (words x rows; text j: word j // 30,
    bit j % 30), then the ``every_row`` texts.

    Only rows with a warning are looked at; each distinct combination is joined once and its str shared.
    """
    rows = np.flatnonzero(words.any(axis=0))
    tail = "; ".join(every_row)
    if not len(rows):
        return np.full(words.shape[1], tail)
    out = np.full(words.shape[1], tail, dtype=object)
    masks = np.ascontiguousarray(words[:, rows].T)
    keys = masks.view(np.dtype((np.void, masks.shape[1] * 8))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    joined = [
        "; ".join(
            [*(t for j, t in enumerate(texts) if int(masks[i, j // _BITS]) >> (j % _BITS) & 1), *every_row]
        )
        for i in first
    ]
    out[rows] = np.asarray(joined, dtype=object)[inverse.ravel()]
    return out


def _input_columns(columns: Any, names: list[str], types: dict[str, str]) -> tuple[dict[str, Any], int]:
    """The wanted columns as numpy arrays, from a dict of arrays, a pandas DataFrame or an Arrow table."""
    out: dict[str, Any] = {}
    if hasattr(columns, "column_names") and hasattr(columns, "column"):  # pyarrow Table / RecordBatch
        present = set(columns.column_names)
        for name in names:
            if name in present:
                col = columns.column(name)
                if hasattr(col.type, "index_type"):  # dictionary-encoded: decode first (keeps nulls)
                    col = col.cast(col.type.value_type)
                text = _arrow_text(col) if types.get(name) in ("category", "string") else None
                out[name] = text if text is not None else np.asarray(col.to_numpy(zero_copy_only=False))
        return out, int(columns.num_rows)
    if hasattr(columns, "iloc") and hasattr(columns, "columns"):  # pandas DataFrame
        present = set(columns.columns)
        for name in names:
            if name in present:
                series = columns[name]
                if types.get(name) in ("number", "boolean") and getattr(series.dtype, "kind", "O") in "biuf":
                    try:
                        out[name] = series.to_numpy(dtype=np.float64, na_value=np.nan)
                        continue
                    except (TypeError, ValueError):
                        pass
                is_text = types.get(name) in ("category", "string") and series.dtype.kind in "OU"
                factorized = _pandas_text(series) if is_text else None
                out[name] = factorized if factorized is not None else series.to_numpy(dtype=object)
        return out, len(columns)
    if isinstance(columns, dict):
        try:
            lengths = {name: len(values) for name, values in columns.items()}
        except TypeError:
            raise DataError(
                "score_batch takes a dict of columns (lists or arrays), not of single values"
            ) from None
        if len(set(lengths.values())) > 1:
            raise DataError(f"input columns differ in length: {lengths}")
        for name in names:
            if name in columns:
                array = _one_dimensional(columns[name])
                is_text = types.get(name) in ("category", "string") and array.dtype == object
                shared = shared_text(array) if is_text else None
                out[name] = array if shared is None else shared
        return out, next(iter(lengths.values()), 0)
    raise DataError(
        f"score_batch takes a dict of arrays, a pandas DataFrame or an Arrow table; got {type(columns).__name__}"
    )


def _one_dimensional(values: Any) -> np.ndarray:
    """A column as a 1-D array; a column of lists, arrays or dicts as an object array holding them."""
    if isinstance(values, np.ndarray) and values.ndim == 1:
        return values
    try:  # numpy would coerce mixed values (nan -> "nan", True -> 1, 1 -> 1.0) and unpack arrays
        array = (
            np.asarray(values)
            if len({*map(type, values)}) == 1 and not isinstance(values[0], np.ndarray)
            else None
        )
    except (ValueError, TypeError, OverflowError, IndexError, KeyError):
        array = None
    if array is not None and array.ndim == 1:
        return array
    return np.fromiter(iter(values), dtype=object, count=len(values))


def _pandas_text(series: Any) -> Factorized | None:
    """A pandas text column factorized by object identity or by pandas itself, when every value is a str."""
    if series.dtype == object:
        shared = shared_text(series.to_numpy())
        if shared is not None:
            return shared
    codes, uniques = series.factorize()
    uniques = np.asarray(uniques, dtype=object)
    if not all(type(u) is str for u in uniques):
        return None
    return Factorized(np.asarray(codes, dtype=np.intp), uniques)


def _arrow_text(col: Any) -> Factorized | None:
    """An Arrow string column dictionary-encoded by Arrow itself (C speed)."""
    if str(col.type) not in ("string", "large_string"):
        return None
    encoded = (
        col.combine_chunks().dictionary_encode()
        if hasattr(col, "combine_chunks")
        else col.dictionary_encode()
    )
    codes = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.intp)
    return Factorized(codes, np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object))
