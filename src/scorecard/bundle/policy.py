"""Decision policy applied after scoring: knock-outs, treatments, early warnings, cut-offs (stdlib + numpy).

The policy is read from the bundle's ``policy.json``. For one record the order is fixed:

1. knock-out rules in order; the first that fires decides (``decline`` / ``refer``) and is reported;
2. else the collection treatment table (first row whose DPD bucket and score band match);
3. else the action of the first early warning that fires (every warning that fires is reported in ``flags``);
4. else the score cut-offs: ``approve`` at or above ``cutoffs.approve``, ``decline`` below
   ``cutoffs.decline``, ``refer`` between;
5. else ``no_action``.

A rule whose field is missing does what its ``if_missing`` says: ``pass`` (it does not fire), ``fire`` (its
outcome) or ``refer`` (it fires with the outcome ``refer``, the default of knock-outs written by export).
Each rule is evaluated by ``outcome_one`` on one value and ``fires_batch`` on a column, with the same
comparisons.

A record whose evidence is incomplete (a required field absent, a number beyond its hard limits) is never
approved: ``incomplete`` says what happens instead: ``refer`` (an ``approve`` becomes ``refer`` and the flag
``incomplete`` is raised) or ``error`` (the record gets status ``error: incomplete evidence ...``).

An approved record then gets its credit limit from the ``limit`` section (see ``limit``); every other record
gets limit 0.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from itertools import repeat
from typing import Any

import numpy as np

from scorecard.bundle.fields import BadValue, Factorized, small_ints
from scorecard.bundle.limit import Limits
from scorecard.errors import BundleError

NO_ACTION = "no_action"
INCOMPLETE = "incomplete"
"""Flag raised when an incomplete record's ``approve`` became ``refer``."""
INCOMPLETE_STATUS = "incomplete evidence: a required field is absent or a value is beyond its hard limits"
IF_MISSING = ("pass", "fire", "refer")
_BLOCK = 1 << 15
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}
OPS = ("in", "not_in", *_COMPARE, "is_true")


def rule_field_type(rule: dict[str, Any]) -> str:
    """The type a rule's field must have: from its op, or from its values for in / not_in / eq / ne."""
    op = rule["op"]
    if op == "is_true":
        return "boolean"
    if op in ("lt", "le", "gt", "ge"):
        return "number"
    values = rule["value"] if op in ("in", "not_in") else [rule["value"]]
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    return "string"


def _missing(value: Any) -> bool:
    return value is None or (type(value) is float and math.isnan(value))


class Rule:
    """One compiled rule ``field op value`` with the outcome it leads to when it fires."""

    __slots__ = (
        "_members",
        "_verdicts",
        "field",
        "field_type",
        "if_missing",
        "missing_outcome",
        "name",
        "op",
        "outcome",
        "value",
    )

    def __init__(self, spec: dict[str, Any], outcome: str) -> None:
        self.name: str = spec["name"]
        self.field: str = spec["field"]
        self.op: str = spec["op"]
        self.outcome = outcome
        if self.op not in OPS:
            raise BundleError(f"policy rule {self.name!r}: unknown op {self.op!r}; expected one of {OPS}")
        if_missing = spec.get("if_missing", "pass")
        if if_missing not in IF_MISSING:
            raise BundleError(
                f"policy rule {self.name!r}: if_missing must be one of {IF_MISSING}; got {if_missing!r}"
            )
        self.if_missing: bool = if_missing != "pass"
        self.missing_outcome: str | None = {"pass": None, "fire": outcome, "refer": "refer"}[if_missing]
        self.field_type = rule_field_type(spec)
        value: Any = spec.get("value")
        if self.field_type == "boolean" and self.op != "is_true":
            value = [float(v) for v in value] if isinstance(value, list) else float(value)
        self.value = value
        self._members = frozenset(value) if self.op in ("in", "not_in") else frozenset()
        # text read for in / not_in: whether a member fires, and a missing value (None) as if_missing
        self._verdicts = {**dict.fromkeys(self._members, self.op == "in"), None: self.if_missing}

    def outcome_one(self, value: Any) -> str | None:
        """The outcome when the rule fires for one value already read by its field type, else None."""
        if _missing(value):
            return self.missing_outcome
        if self.op == "in":
            fired = value in self._members
        elif self.op == "not_in":
            fired = value not in self._members
        elif self.op == "is_true":
            fired = value == 1.0
        else:
            fired = bool(_COMPARE[self.op](value, self.value))
        return self.outcome if fired else None

    def missing_batch(self, values: np.ndarray | Factorized) -> np.ndarray:
        """Which values of a column read by its field type are missing."""
        if isinstance(values, Factorized):
            return values.expand(self.missing_batch(values.uniques))
        return (values == None) if values.dtype.kind != "f" else np.isnan(values)  # noqa: E711 (elementwise)

    def fires_batch(self, values: np.ndarray | Factorized) -> np.ndarray:
        """Whether the rule fires, for a column read by its field type (float64, object or factorized)."""
        if isinstance(values, Factorized):  # each distinct value once
            return values.expand(self.fires_batch(values.uniques))
        n = len(values)
        text = values.dtype.kind != "f"  # text columns hold str or None
        if text and self.op in ("in", "not_in"):  # one pass for membership and missing values
            return small_ints(map(self._verdicts.get, values, repeat(self.op == "not_in"))).view(bool)
        missing = (values == None) if text else np.isnan(values)  # noqa: E711 (elementwise)
        if self.op in ("in", "not_in"):
            hit = np.fromiter(map(self._members.__contains__, values), bool, n)
            fired = hit if self.op == "in" else ~hit
        elif self.op == "is_true":
            fired = values == 1.0
        else:
            fired = np.asarray(_COMPARE[self.op](values, self.value), dtype=bool)
        return np.where(missing, self.if_missing, fired)

    def outcomes_batch(self, values: np.ndarray | Factorized) -> tuple[np.ndarray, np.ndarray | None]:
        """(whether the rule fires, rows where it fires with ``refer`` because the value is missing, or None)."""
        fired = self.fires_batch(values)
        if self.missing_outcome is None or self.missing_outcome == self.outcome:
            return fired, None
        return fired, self.missing_batch(values)


class Policy:
    """The compiled ``policy.json``: knock-outs, cut-offs, treatment table, early warnings."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.knockouts = [Rule(r, r["decision"]) for r in spec.get("knockouts", [])]
        self.early_warnings = [Rule(r, r["action"]) for r in spec.get("early_warnings", [])]
        cutoffs = spec.get("cutoffs")
        self.cutoffs: tuple[float, float] | None = (
            None if cutoffs is None else (float(cutoffs["approve"]), float(cutoffs["decline"]))
        )
        if self.cutoffs is not None and not self.cutoffs[1] <= self.cutoffs[0]:
            raise BundleError(
                f"policy.json: cutoffs.decline ({self.cutoffs[1]:g}) must not exceed cutoffs.approve "
                f"({self.cutoffs[0]:g})"
            )
        self.dpd_field: str = spec.get("dpd_field", "days_past_due")
        self.incomplete: str = spec.get("incomplete", "refer")
        if self.incomplete not in ("refer", "error"):
            raise BundleError(f"policy.json: incomplete must be 'refer' or 'error'; got {self.incomplete!r}")
        self.limits = Limits(spec["limit"]) if spec.get("limit") else None
        self.treatments: list[tuple[float, float, str]] = [
            (
                math.inf if t.get("max_dpd") is None else float(t["max_dpd"]),
                -math.inf if t.get("min_score") is None else float(t["min_score"]),
                t["action"],
            )
            for t in spec.get("treatments", [])
        ]
        outcomes = [NO_ACTION, "approve", "refer", "decline", *(r.outcome for r in self.early_warnings)]
        outcomes += [a for _, _, a in self.treatments] + [r.outcome for r in self.knockouts]
        names = list(dict.fromkeys(outcomes))
        # with cut-offs every row gets an outcome, so no_action (code 0) is never named: the decision column
        # is only as wide as the outcomes it can hold
        width = max(len(name) for name in names if name != NO_ACTION or self.cutoffs is None)
        self._outcomes = np.asarray(names, dtype=f"U{width}")
        self._code = {name: i for i, name in enumerate(names)}
        self._knockout_names = np.asarray(["", *(r.name for r in self.knockouts)], dtype=str)
        self._flags_dtype = f"U{len('|'.join([*(r.name for r in self.early_warnings), INCOMPLETE]))}"

    @property
    def fields(self) -> dict[str, str]:
        """Input fields the policy reads, with their field type."""
        out = {r.field: r.field_type for r in [*self.knockouts, *self.early_warnings]}
        if self.treatments:
            out[self.dpd_field] = "number"
        if self.limits is not None:
            out.update(self.limits.fields)
        return out

    def limit_one(self, values: dict[str, Any], score: int, decision: str) -> float:
        """The credit limit of one record; 0 without a limit policy or when not approved."""
        if self.limits is None:
            return 0.0
        return self.limits.one(
            decision, score, values[self.limits.income_field], values[self.limits.dti_field]
        )

    def limit_batch(
        self, values: dict[str, np.ndarray], score: np.ndarray, decision: np.ndarray
    ) -> np.ndarray:
        """The credit limit of every row, as ``limit_one``."""
        if self.limits is None:
            return np.zeros(len(score))
        return self.limits.batch(
            decision,
            score.astype(np.float64),
            values[self.limits.income_field],
            values[self.limits.dti_field],
        )

    def decide_one(
        self, values: dict[str, Any], score: int, incomplete: bool = False
    ) -> tuple[str, str | None, list[str]]:
        """(decision, knock-out rule that fired or None, flags) for one record; see the module docstring."""
        decision, knockout, names = self._decide_one(values, score)
        if incomplete:
            if self.incomplete == "error":
                raise BadValue(INCOMPLETE_STATUS)
            if decision == "approve":
                return "refer", knockout, [*names, INCOMPLETE]
        return decision, knockout, names

    def _decide_one(self, values: dict[str, Any], score: int) -> tuple[str, str | None, list[str]]:
        for rule in self.knockouts:
            outcome = rule.outcome_one(values[rule.field])
            if outcome is not None:
                knockout: tuple[str, str | None] | None = (outcome, rule.name)
                break
        else:
            knockout = None
        flags = [(r.name, o) for r in self.early_warnings for o in [r.outcome_one(values[r.field])] if o]
        names = [name for name, _ in flags]
        if knockout is not None:
            return knockout[0], knockout[1], names
        if self.treatments:
            dpd = values[self.dpd_field]
            if math.isnan(dpd):
                raise BadValue(f"{self.dpd_field}: missing (the treatment table needs it)")
            return next(a for top, floor, a in self.treatments if dpd <= top and score >= floor), None, names
        if flags:
            return flags[0][1], None, names
        if self.cutoffs is not None:
            approve, decline = self.cutoffs
            return ("approve" if score >= approve else "decline" if score < decline else "refer"), None, names
        return NO_ACTION, None, names

    def decide_batch(
        self, values: dict[str, Any], score: np.ndarray, incomplete: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Columns decision, knockout ('' when none), flags ('|'-joined) and rows lacking the DPD field.

        ``incomplete`` marks rows whose evidence is incomplete; with ``incomplete: error`` the caller makes
        them errors, else their ``approve`` becomes ``refer`` here.

        Decisions are set as integer codes into ``self._outcomes`` (cheap masked writes) and named at the end.
        """
        n = len(score)
        code = np.zeros(n, dtype=_small(len(self._outcomes)))  # NO_ACTION
        if self.cutoffs is not None:
            # decline <= approve (checked at load); codes 1, 2, 3 are approve, refer, decline: decline, less one
            # for each cut-off met
            approve, decline = self.cutoffs
            code[:] = self._code["decline"]
            code -= score >= decline
            code -= score >= approve
        flags = np.zeros(n, dtype=self._flags_dtype)  # all ""
        warnings = [(rule, *rule.outcomes_batch(values[rule.field])) for rule in self.early_warnings]
        for rule, fired, refer in reversed(warnings):
            np.copyto(code, self._code[rule.outcome], where=fired)
            if refer is not None:
                np.copyto(code, self._code["refer"], where=refer)
        for rule, fired, _ in warnings:
            flags[fired] = np.where(
                flags[fired] == "", rule.name, np.strings.add(flags[fired], "|" + rule.name)
            )
        no_dpd = np.zeros(n, dtype=bool)
        if self.treatments:
            dpd = values[self.dpd_field]
            no_dpd = np.isnan(dpd)
            for top, floor, action in reversed(self.treatments):
                np.copyto(code, self._code[action], where=(dpd <= top) & (score >= floor))
        knockout = np.zeros(n, dtype=_small(len(self._knockout_names)))
        for k, rule in reversed(list(enumerate(self.knockouts, start=1))):
            fired, refer = rule.outcomes_batch(values[rule.field])
            np.copyto(code, self._code[rule.outcome], where=fired)
            if refer is not None:
                np.copyto(code, self._code["refer"], where=refer)
                fired = fired | refer
            np.copyto(knockout, k, where=fired)
        if incomplete is not None and self.incomplete == "refer":
            lowered = incomplete & (code == self._code["approve"])
            code[lowered] = self._code["refer"]
            flags[lowered] = np.where(
                flags[lowered] == "", INCOMPLETE, np.strings.add(flags[lowered], "|" + INCOMPLETE)
            )
        return _named(self._outcomes, code), _named(self._knockout_names, knockout), flags, no_dpd


def _small(count: int) -> Any:
    """The integer type of codes 0..count - 1: uint8 when they fit (cheap masked writes), else intp."""
    return np.uint8 if count <= 256 else np.intp


def _named(names: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``names[codes]``, gathered in blocks (small index temporaries instead of one intp copy of ``codes``)."""
    out = np.empty(len(codes), dtype=names.dtype)
    for start in range(0, len(codes), _BLOCK):
        np.take(names, codes[start : start + _BLOCK], out=out[start : start + _BLOCK], mode="clip")
    return out
