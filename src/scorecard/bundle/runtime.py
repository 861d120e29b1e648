"""Load a serving bundle and score with it: the standard library and numpy, nothing else.

``load_bundle(path)`` reads a bundle folder or ``.zip``, refuses it unless every file's SHA-256 matches the
manifest and the format version is one this runtime reads, and returns a ``Bundle``:

- ``score_one(record)`` scores one dict in pure Python (bisect on precomputed lists), for the real-time engine;
- ``score_batch(columns)`` scores a dict of arrays, a pandas DataFrame or an Arrow table with numpy
  (``searchsorted``), in blocks of rows; both give identical scores, PDs, grades, decisions and reasons.

A bad value (text in a number field, a missing DPD for the treatment table) makes its record an error
(``status = "error: <field>: <what>"``) and never stops the other records. Scores use integer points, so the
PD and grade of every reachable score are tabulated at load time.
"""

from __future__ import annotations

import bisect
import json
import math
import zipfile
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from scorecard.bundle import format as fmt
from scorecard.bundle.fields import READERS, BadValue, as_number, as_text, column
from scorecard.bundle.policy import Policy
from scorecard.errors import BundleError, DataError

BLOCK_ROWS = 1 << 13
"""Rows scored per numpy block in ``score_batch`` (bounds memory, keeps arrays in cache)."""

_ABSENT = object()
_TAKEN = np.int32(-(2**31) + 255)
"""Reason key of a feature already taken: below every real key, and its low byte still decodes to position 0."""


# ----------------------------------------------------------------------------------------- verification
def read_files(path: Path) -> dict[str, bytes]:
    """Every file of a bundle folder or zip archive, by name."""
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
    if not path.exists():
        raise BundleError(f"{path}: no bundle here (expected a bundle folder or .zip)")
    raise BundleError(f"{path}: not a bundle folder or zip archive")


def verify(path: Path, files: dict[str, bytes]) -> tuple[dict[str, Any], dict[str, str]]:
    """(manifest, status of every file): ``ok`` or what is wrong with it; BundleError for an unreadable format."""
    if fmt.MANIFEST not in files:
        raise BundleError(f"{path}: not a bundle: {fmt.MANIFEST} is missing")
    try:
        manifest = json.loads(files[fmt.MANIFEST])
    except ValueError as exc:
        raise BundleError(f"{path}: {fmt.MANIFEST} is not valid JSON ({exc})") from None
    version = str(manifest.get("format_version"))
    if not fmt.is_readable(version):
        raise BundleError(
            f"{path}: bundle format {version} cannot be read by this runtime (reads {fmt.FORMAT_VERSION} "
            "and older minor versions); upgrade scorecard"
        )
    listed: dict[str, Any] = manifest.get("files") or {}
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
    for name in sorted(set(files) - set(listed) - {fmt.MANIFEST}):
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
            self.split_array = np.asarray(self.splits, dtype=np.float64)
            self.codes = frozenset(float(c) for c in codes)
            self.code_array = np.asarray(sorted(self.codes), dtype=np.float64)
            lo, hi = spec.get("valid_range") or (None, None)
            self.lo = -math.inf if lo is None else float(lo)
            self.hi = math.inf if hi is None else float(hi)
            self.warn = (
                f"{self.name}: out of the training range [{lo:g}, {hi:g}], scored in the edge bin"
                if (lo is not None and hi is not None)
                else f"{self.name}: out of range"
            )
        elif self.kind == "categorical":
            self.lookup: dict[str, int] = {}
            for i, b in enumerate(bins):
                self.lookup.update(dict.fromkeys((str(c) for c in b["categories"]), i))
            self.lookup.update(dict.fromkeys((str(c) for c in codes), self.special))
            self._batch_lookup: dict[str | None, int] = {None: self.missing}
            self._batch_lookup.update(self.lookup)
            self.warn = f"{self.name}: unknown category, scored as {spec['unknown'].get('rule', 'unknown')}"
        else:
            raise BundleError(
                f"scorecard.json: feature {self.name!r}: kind {self.kind!r} is not numerical/categorical"
            )

    @property
    def field_type(self) -> str:
        return "number" if self.kind == "numerical" else "category"

    def locate(self, value: Any, warnings: list[str]) -> int:
        """Bin index of one raw value; appends a warning for out-of-range / unknown values."""
        if self.kind == "numerical":
            x = value if type(value) is float else self._number(value)
            if x != x:
                return self.missing
            if x in self.codes:
                return self.special
            if x < self.lo or x > self.hi:
                warnings.append(self.warn)
            return bisect.bisect_right(self.splits, x)
        key = value if type(value) is str else as_text(value)
        return self.missing if key is None else self._category(key, warnings)

    def locate_column(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(bin index, warning mask, per-row BadValue or None) for a column of raw values."""
        if self.kind == "numerical":
            x, errors = column(values, "number")
            index = _bin_index(self.split_array, x)
            warn = (x < self.lo) | (x > self.hi)  # False for NaN
            if len(self.code_array):
                special = (
                    x == self.code_array[0] if len(self.code_array) == 1 else np.isin(x, self.code_array)
                )
                index[special] = self.special
                warn &= ~special
            index[np.isnan(x)] = self.missing
            return index, warn, errors
        values = values.astype(object) if values.dtype.kind in "US" else values
        index = np.fromiter(map(self._batch_lookup.get, values, repeat(self.unknown)), np.intp, len(values))
        odd = np.flatnonzero(index == self.unknown)  # unknown, or a value that is not yet text (NaN, numbers)
        if len(odd):
            texts, _ = column(values[odd], "category")
            index[odd] = np.fromiter(
                map(self._batch_lookup.get, texts, repeat(self.unknown)), np.intp, len(odd)
            )
        return index, index == self.unknown, None

    def _number(self, value: Any) -> float:
        try:
            return as_number(value)
        except BadValue as exc:
            raise BadValue(f"{self.name}: {exc}") from None

    def _category(self, key: str, warnings: list[str]) -> int:
        index = self.lookup.get(key)
        if index is None:
            warnings.append(self.warn)
            return self.unknown
        return index


def _bin_index(splits: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Number of splits <= x (== bisect_right == np.searchsorted(side="right")); NaN gets 0.

    For the few splits of a scorecard feature, summing comparisons beats a binary search per value.
    """
    if len(splits) > 24:
        return np.searchsorted(splits, x, side="right")
    index = np.zeros(len(x), dtype=np.intp)
    for split in splits:
        np.add(index, x >= split, out=index, casting="unsafe")
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
        reasons = docs[fmt.REASONS]
        self.top_k = int(reasons["top_k"])
        self._reasons = _reasons(reasons, self.features)
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
        self._reason_codes = np.asarray([r.code for r in self._reasons] + [""], dtype=str)
        self._reason_refs = np.asarray([r.reference for r in self._reasons], dtype=np.float64)
        self._reason_cols = np.asarray([r.position for r in self._reasons], dtype=np.intp)
        # reasons by packed int32 keys per bin, (points lost << 8) | (255 - position), when lost points are whole
        whole = bool(np.all(self._reason_refs == np.round(self._reason_refs)))
        widest = max(
            (abs(r.reference) + max(map(abs, self.features[r.position].points)) for r in self._reasons),
            default=0,
        )
        self._key_tables = (
            [
                (
                    (int(r.reference) - self.features[r.position].table.astype(np.int64)) << 8 | (255 - k)
                ).astype(np.int32)
                for k, r in enumerate(self._reasons)
            ]
            if whole and len(self._reasons) < 256 and widest < 2**22
            else []
        )

    @property
    def name(self) -> str:
        return str(self.manifest["card"]["name"])

    # ---------------------------------------------------------------------------------------- one
    def score_one(self, record: dict[str, Any]) -> dict[str, Any]:
        """Score one record: score, pd, grade, decision, knockout, flags, reasons, warnings, status."""
        warnings: list[str] = []
        points: list[int] = []
        try:
            for f in self.features:
                value = record.get(f.name, _ABSENT)
                if value is _ABSENT:
                    warnings.append(f.warn_absent)
                    points.append(f.points[f.missing])
                else:
                    points.append(f.points[f.locate(value, warnings)])
            values = {
                name: self._policy_value(record, name, read, warnings) for name, read in self._policy_fields
            }
            score = self.base_points + sum(points)
            decision, knockout, flags = self.policy.decide_one(values, score)
        except BadValue as exc:
            return {
                "score": None, "pd": None, "grade": None, "decision": None, "knockout": None, "flags": [],
                "reasons": [], "warnings": warnings, "status": f"error: {exc}",
            }  # fmt: skip
        row = score - self.score_min
        lost = [(r.reference - points[r.position], r) for r in self._reasons]
        ranked = sorted((item for item in lost if item[0] > 0), key=itemgetter(0), reverse=True)[: self.top_k]
        return {
            "score": score,
            "pd": self._pd_list[row],
            "grade": self._grade_list[row],
            "decision": decision,
            "knockout": knockout,
            "flags": flags,
            "reasons": [
                {"code": r.code, "text": r.text, "feature": r.feature, "points_lost": x} for x, r in ranked
            ],
            "warnings": warnings,
            "status": "ok",
        }

    @staticmethod
    def _policy_value(record: dict[str, Any], name: str, read: Any, warnings: list[str]) -> Any:
        value = record.get(name, _ABSENT)
        if value is _ABSENT:
            warnings.append(f"{name}: field absent, treated as missing")
            return read(None)
        try:
            return read(value)
        except BadValue as exc:
            raise BadValue(f"{name}: {exc}") from None

    # -------------------------------------------------------------------------------------- batch
    def score_batch(self, columns: Any, explain: bool = True) -> dict[str, np.ndarray]:
        """Score columns (dict of arrays, pandas DataFrame or Arrow table); one array per output.

        Keys: score (int64; 0 where status is an error), pd (NaN on errors), grade, decision, knockout,
        flags, status, and with ``explain`` (default) reasons (codes joined by "|"), reason_1..reason_k and
        warnings ("; "-joined); ``explain=False`` skips those for book-wide runs that need no reasons.
        """
        data, n = _input_columns(columns, list(self.fields), self.fields)
        absent = [name for name in self.required if name not in data]
        if absent:
            raise DataError(
                f"input lacks required fields {absent}; bundle {self.name!r} needs {self.required}"
            )
        blocks = [
            self._score_block({k: v[start : start + BLOCK_ROWS] for k, v in data.items()}, explain)
            for start in range(0, n, BLOCK_ROWS)
        ] or [self._score_block({k: v[:0] for k, v in data.items()}, explain)]
        return {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}

    def _score_block(self, data: dict[str, np.ndarray], explain: bool) -> dict[str, np.ndarray]:
        n = len(next(iter(data.values()))) if data else 0
        errors = _Errors(n)
        points = np.empty((len(self.features), n), dtype=np.int32)  # features x rows: row-wise ops vectorise
        warned = np.zeros((len(self.features), n), dtype=bool)
        indexes = []
        for j, f in enumerate(self.features):
            index, warned[j], bad = f.locate_column(data[f.name])
            points[j] = f.table[index]
            indexes.append(index)
            errors.add(bad, f.name)
        score = self.base_points + points.sum(axis=0, dtype=np.int64)
        values = {}
        for name, _ in self._policy_fields:
            values[name], bad = column(data[name], self.fields[name])
            errors.add(bad, name)
        decision, knockout, flags, no_dpd = self.policy.decide_batch(values, score)
        errors.add_message(no_dpd, f"{self.policy.dpd_field}: missing (the treatment table needs it)")
        row = score - self.score_min
        out = {
            "score": score,
            "pd": self._pd_table[row],
            "grade": self._grade_table[row],
            "decision": decision,
            "knockout": knockout,
            "flags": flags,
            **(self._reason_columns(points, indexes) if explain else {}),
            **({"warnings": _warning_texts(warned, [f.warn for f in self.features])} if explain else {}),
            "status": errors.status(),
        }
        if errors.bad.any():
            for key, array in out.items():
                if key not in ("status", "warnings"):
                    array[errors.bad] = 0 if key == "score" else np.nan if key == "pd" else ""
        return out

    def _reason_columns(self, points: np.ndarray, indexes: list[np.ndarray]) -> dict[str, np.ndarray]:
        """Top-k reason codes per row, taken by repeated first-maximum (ties in model order, as ``score_one``)."""
        n_eligible, n = len(self._reasons), points.shape[1]
        ranks = np.full((self.top_k, n), n_eligible, dtype=np.int64)
        columns = np.arange(n)
        if n_eligible and self._key_tables:
            # packed int32 keys, (points lost << 8) | (255 - position), gathered per bin: a plain maximum over
            # features picks the most points lost and, among equals, the first feature; lost <= 0 is < 256
            keys = np.empty((n_eligible, n), dtype=np.int32)
            for k, (r, table) in enumerate(zip(self._reasons, self._key_tables, strict=True)):
                keys[k] = table[indexes[r.position]]
            for k in range(self.top_k):
                best = keys.max(axis=0)
                at = 255 - (best & 255)
                ranks[k] = np.where(best >= 256, at, n_eligible)
                keys[at, columns] = _TAKEN
        elif n_eligible:
            lost = self._reason_refs[:, None] - points[self._reason_cols]
            lost[~(lost > 0)] = -np.inf
            for k in range(self.top_k):
                best, at = lost[0].copy(), np.zeros(n, dtype=np.int64)
                for j in range(1, n_eligible):
                    better = lost[j] > best
                    np.copyto(best, lost[j], where=better)
                    at[better] = j
                ranks[k] = np.where(best > 0, at, n_eligible)
                lost[at, columns] = -np.inf
        columns_k = {f"reason_{k + 1}": self._reason_codes[ranks[k]] for k in range(self.top_k)}
        joined = columns_k["reason_1"]
        for k in range(1, self.top_k):  # a reason at rank k implies one at every rank before it
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


def _warning_texts(warned: np.ndarray, texts: list[str]) -> np.ndarray:
    """Per row (column of the features x rows mask ``warned``), the "; "-joined texts of its warnings.

    Each distinct combination of warnings is joined once; rows share the resulting str objects.
    """
    rows = np.flatnonzero(warned.any(axis=0))
    if not len(rows):
        return np.full(warned.shape[1], "")
    out = np.full(warned.shape[1], "", dtype=object)
    block = np.ascontiguousarray(warned[:, rows].T)
    keys = block.view(np.dtype((np.void, block.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    joined = ["; ".join(texts[j] for j in np.flatnonzero(block[i])) for i in first]
    out[rows] = np.asarray(joined, dtype=object)[inverse.ravel()]
    return out


def _input_columns(
    columns: Any, names: list[str], types: dict[str, str]
) -> tuple[dict[str, np.ndarray], int]:
    """The wanted columns as numpy arrays, from a dict of arrays, a pandas DataFrame or an Arrow table."""
    out: dict[str, np.ndarray] = {}
    if hasattr(columns, "column_names") and hasattr(columns, "column"):  # pyarrow Table / RecordBatch
        present = set(columns.column_names)
        for name in names:
            if name in present:
                col = columns.column(name)
                if hasattr(col.type, "index_type"):  # dictionary-encoded: decode first (keeps nulls)
                    col = col.cast(col.type.value_type)
                out[name] = np.asarray(col.to_numpy(zero_copy_only=False))
        return out, int(columns.num_rows)
    if hasattr(columns, "iloc") and hasattr(columns, "columns"):  # pandas DataFrame
        present = set(columns.columns)
        for name in names:
            if name in present:
                series = columns[name]
                if types.get(name) in ("number", "boolean"):
                    try:
                        out[name] = series.to_numpy(dtype=np.float64, na_value=np.nan)
                        continue
                    except (TypeError, ValueError):
                        pass
                out[name] = series.to_numpy(dtype=object)
        return out, len(columns)
    if isinstance(columns, dict):
        lengths = {name: len(values) for name, values in columns.items()}
        if len(set(lengths.values())) > 1:
            raise DataError(f"input columns differ in length: {lengths}")
        for name in names:
            if name in columns:
                array = np.asarray(columns[name])
                out[name] = array if array.ndim == 1 else np.asarray(list(columns[name]), dtype=object)
        return out, next(iter(lengths.values()), 0)
    raise DataError(
        f"score_batch takes a dict of arrays, a pandas DataFrame or an Arrow table; got {type(columns).__name__}"
    )
