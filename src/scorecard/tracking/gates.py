"""Promotion gates: pure checks of a candidate's evidence against the limits in ``gates:``.

Each gate yields one row (gate, value, limit, passed, detail). The evidence is measured elsewhere: the candidate
and the current champion are both scored by their serving bundles on the candidate's out-of-time sample, so the
Gini comparison is like for like.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from scorecard.config import GatesConfig

PSI_BINS = 10
_EPS = 1e-12


@dataclass(frozen=True)
class Evidence:
    """What was measured about a candidate (and the champion on the candidate's out-of-time sample)."""

    oot_gini: float
    score_psi: float
    sign_violations: Sequence[str] = ()
    parity_mismatches: int = 0
    parity_rows: int = 0
    champion_version: str | None = None
    champion_oot_gini: float | None = None
    sample: str = "oot"
    swap_set: tuple[dict[str, Any], ...] = ()
    """Candidate against champion on the sample (``modeling.strategy.swap_sets`` rows); empty without one."""


@dataclass(frozen=True)
class GateResult:
    """One gate's outcome; ``value``/``limit`` are None where a gate has nothing to measure."""

    gate: str
    value: float | None
    limit: float | None
    passed: bool
    detail: str = ""

    def row(self) -> tuple[str, float | str, float | str, str, str]:
        """The row printed in the promotion table."""
        return (
            self.gate,
            _shown(self.value),
            _shown(self.limit),
            "pass" if self.passed else "FAIL",
            self.detail,
        )


@dataclass(frozen=True)
class GateReport:
    """All gate outcomes for one candidate."""

    results: list[GateResult] = field(default_factory=list)
    swap_set: tuple[dict[str, Any], ...] = ()

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failed(self) -> list[str]:
        return [r.gate for r in self.results if not r.passed]

    def to_json(self) -> str:
        return json.dumps([asdict(r) for r in self.results], separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> GateReport:
        return cls([GateResult(**r) for r in json.loads(text)])


def _shown(value: float | None) -> float | str:
    return "n/a" if value is None else value


def evaluate_gates(evidence: Evidence, gates: GatesConfig) -> GateReport:
    """Check the evidence against every gate; a gate with no evidence to judge (no champion) passes, said so."""
    sample = evidence.sample
    results = [
        GateResult(
            f"min {sample} gini",
            round(evidence.oot_gini, 4),
            gates.min_oot_gini,
            bool(evidence.oot_gini >= gates.min_oot_gini - _EPS),
            f"candidate bundle on its {sample} sample",
        ),
        _gini_drop(evidence, gates),
        GateResult(
            f"max score psi dev vs {sample}",
            round(evidence.score_psi, 4),
            gates.max_score_psi,
            bool(evidence.score_psi <= gates.max_score_psi + _EPS),
            f"{PSI_BINS} quantile bins of the development scores",
        ),
        _required(
            "coefficient signs",
            len(evidence.sign_violations),
            gates.require_signs,
            ", ".join(evidence.sign_violations) or "every coefficient agrees with its WOE",
        ),
        _required(
            "bundle parity",
            evidence.parity_mismatches,
            gates.require_parity,
            f"{evidence.parity_mismatches} of {evidence.parity_rows} rows differ between model and bundle",
        ),
    ]
    return GateReport(results, evidence.swap_set)


def _gini_drop(evidence: Evidence, gates: GatesConfig) -> GateResult:
    name = "max gini drop vs champion"
    if evidence.champion_version is None or evidence.champion_oot_gini is None:
        return GateResult(name, None, gates.max_gini_drop, True, "no champion yet")
    drop = evidence.champion_oot_gini - evidence.oot_gini
    detail = f"champion v{evidence.champion_version} gini {evidence.champion_oot_gini:.4f} on the same sample"
    return GateResult(
        name, round(drop, 4), gates.max_gini_drop, bool(drop <= gates.max_gini_drop + _EPS), detail
    )


def _required(name: str, violations: int, required: bool, detail: str) -> GateResult:
    if not required:
        return GateResult(name, violations, 0, True, f"not required by config ({detail})")
    return GateResult(name, violations, 0, violations == 0, detail)
