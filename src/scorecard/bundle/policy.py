"""Decision policy applied after scoring: knock-outs, treatments, early warnings, cut-offs (stdlib + numpy).

The policy is read from the bundle's ``policy.json``. For one record the order is fixed:

1. knock-out rules in order; the first that fires decides (``decline`` / ``refer``) and is reported;
2. else the collection treatment table (first row whose DPD bucket and score band match);
3. else the action of the first early warning that fires (every warning that fires is reported in ``flags``);
4. else the score cut-offs: ``approve`` at or above ``cutoffs.approve``, ``decline`` below
   ``cutoffs.decline``, ``refer`` between;
5. else ``no_action``.

An approved record then gets its credit limit from the ``limit`` section (see ``limit``); every other record
gets limit 0.

A rule whose field is missing fires only when its ``if_missing`` is ``fire``. Each rule is evaluated by
``fires_one`` on one value and ``fires_batch`` on a column, with the same comparisons.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from itertools import repeat
from typing import Any

import numpy as np

from scorecard.bundle.fields import BadValue, small_ints
from scorecard.bundle.limit import Limits
from scorecard.errors import BundleError

NO_ACTION = "no_action"
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
        "name",
        "op",
        "outcome",
        "value",
    )

    def __init__(self, spec: dict[str, Any], outcome: str) -> None:
        self.name: str = spec["name"]
        self.field: str = spec["field"]
        self.op: str = spec["op"]
        self.if_missing: bool = spec.get("if_missing", "pass") == "fire"
        self.outcome = outcome
        if self.op not in OPS:
            raise BundleError(f"policy rule {self.name!r}: unknown op {self.op!r}; expected one of {OPS}")
        self.field_type = rule_field_type(spec)
        value: Any = spec.get("value")
        if self.field_type == "boolean" and self.op != "is_true":
            value = [float(v) for v in value] if isinstance(value, list) else float(value)
        self.value = value
        self._members = frozenset(value) if self.op in ("in", "not_in") else frozenset()
        # text read for in / not_in: whether a member fires, and a missing value (None) as if_missing
        self._verdicts = {**dict.fromkeys(self._members, self.op == "in"), None: self.if_missing}

    def fires_one(self, value: Any) -> bool:
        """Whether the rule fires for one value already read by its field type."""
        if _missing(value):
            return self.if_missing
        if self.op == "in":
            return value in self._members
        if self.op == "not_in":
            return value not in self._members
        if self.op == "is_true":
            return value == 1.0
        return bool(_COMPARE[self.op](value, self.value))

    def fires_batch(self, values: np.ndarray) -> np.ndarray:
        """Whether the rule fires, for a column read by its field type (float64 or object)."""
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


class Policy:
    """The compiled ``policy.json``: knock-outs, cut-offs, treatment table, early warnings."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.knockouts = [Rule(r, r["decision"]) for r in spec.get("knockouts", [])]
        self.early_warnings = [Rule(r, r["action"]) for r in spec.get("early_warnings", [])]
        cutoffs = spec.get("cutoffs")
        self.cutoffs: tuple[float, float] | None = (
            None if cutoffs is None else (float(cutoffs["approve"]), float(cutoffs["decline"]))
        )
        self.dpd_field: str = spec.get("dpd_field", "days_past_due")
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
        self._outcomes = np.asarray(list(dict.fromkeys(outcomes)), dtype=str)
        self._code = {name: i for i, name in enumerate(self._outcomes.tolist())}
        self._knockout_names = np.asarray(["", *(r.name for r in self.knockouts)], dtype=str)
        self._flags_dtype = f"U{max(len('|'.join(r.name for r in self.early_warnings)), 1)}"

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

    def decide_one(self, values: dict[str, Any], score: int) -> tuple[str, str | None, list[str]]:
        """(decision, knock-out rule that fired or None, early-warning flags) for one record."""
        knockout = next((r for r in self.knockouts if r.fires_one(values[r.field])), None)
        flags = [r for r in self.early_warnings if r.fires_one(values[r.field])]
        names = [r.name for r in flags]
        if knockout is not None:
            return knockout.outcome, knockout.name, names
        if self.treatments:
            dpd = values[self.dpd_field]
            if math.isnan(dpd):
                raise BadValue(f"{self.dpd_field}: missing (the treatment table needs it)")
            return next(a for top, floor, a in self.treatments if dpd <= top and score >= floor), None, names
        if flags:
            return flags[0].outcome, None, names
        if self.cutoffs is not None:
            approve, decline = self.cutoffs
            return ("approve" if score >= approve else "decline" if score < decline else "refer"), None, names
        return NO_ACTION, None, names

    def decide_batch(
        self, values: dict[str, np.ndarray], score: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Columns decision, knockout ('' when none), flags ('|'-joined) and rows lacking the DPD field.

        Decisions are set as integer codes into ``self._outcomes`` (cheap masked writes) and named at the end.
        """
        n = len(score)
        code = np.zeros(n, dtype=np.intp)  # NO_ACTION
        if self.cutoffs is not None:
            approve, decline = self.cutoffs
            code = np.where(
                score >= approve,
                self._code["approve"],
                np.where(score < decline, self._code["decline"], self._code["refer"]),
            )
        flags = np.full(n, "", dtype=self._flags_dtype)
        warnings = [(rule, rule.fires_batch(values[rule.field])) for rule in self.early_warnings]
        for rule, fired in reversed(warnings):
            np.copyto(code, self._code[rule.outcome], where=fired)
        for rule, fired in warnings:
            flags[fired] = np.where(
                flags[fired] == "", rule.name, np.strings.add(flags[fired], "|" + rule.name)
            )
        no_dpd = np.zeros(n, dtype=bool)
        if self.treatments:
            dpd = values[self.dpd_field]
            no_dpd = np.isnan(dpd)
            for top, floor, action in reversed(self.treatments):
                np.copyto(code, self._code[action], where=(dpd <= top) & (score >= floor))
        knockout = np.zeros(n, dtype=np.intp)
        for k, rule in reversed(list(enumerate(self.knockouts, start=1))):
            fired = rule.fires_batch(values[rule.field])
            np.copyto(code, self._code[rule.outcome], where=fired)
            np.copyto(knockout, k, where=fired)
        return np.take(self._outcomes, code), np.take(self._knockout_names, knockout), flags, no_dpd
