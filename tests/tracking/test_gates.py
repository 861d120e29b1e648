"""Gate evaluation: every limit checked against hand-set evidence, boundaries included."""

from __future__ import annotations

import pytest

from scorecard.config import GatesConfig
from scorecard.tracking.gates import Evidence, GateReport, evaluate_gates

GATES = GatesConfig(min_oot_gini=0.40, max_gini_drop=0.03, max_score_psi=0.10)


def _outcome(report: GateReport) -> dict[str, bool]:
    return {r.gate: r.passed for r in report.results}


def test_a_sound_candidate_passes_every_gate() -> None:
    evidence = Evidence(oot_gini=0.52, score_psi=0.04, champion_version="3", champion_oot_gini=0.53)
    report = evaluate_gates(evidence, GATES)
    assert report.passed and report.failed == []
    drop = next(r for r in report.results if r.gate == "max gini drop vs champion")
    assert drop.value == pytest.approx(0.01)
    assert drop.limit == 0.03
    assert [r.gate for r in report.results] == [
        "min oot gini",
        "max gini drop vs champion",
        "max score psi dev vs oot",
        "coefficient signs",
        "bundle parity",
    ]


def test_each_gate_fails_on_its_own() -> None:
    base = {"oot_gini": 0.50, "score_psi": 0.05, "champion_version": "1", "champion_oot_gini": 0.50}
    cases = {
        "min oot gini": {"oot_gini": 0.39, "champion_oot_gini": 0.39},
        "max gini drop vs champion": {"champion_oot_gini": 0.5401},
        "max score psi dev vs oot": {"score_psi": 0.1001},
        "coefficient signs": {"sign_violations": ("utilisation",)},
        "bundle parity": {"parity_mismatches": 2, "parity_rows": 100},
    }
    for gate, change in cases.items():
        report = evaluate_gates(Evidence(**{**base, **change}), GATES)  # type: ignore[arg-type]
        assert report.failed == [gate], gate


def test_limits_are_inclusive() -> None:
    evidence = Evidence(oot_gini=0.40, score_psi=0.10, champion_version="1", champion_oot_gini=0.43)
    assert evaluate_gates(evidence, GATES).passed


def test_without_champion_the_drop_gate_passes_and_says_why() -> None:
    report = evaluate_gates(Evidence(oot_gini=0.45, score_psi=0.0), GATES)
    drop = report.results[1]
    assert (drop.passed, drop.value, drop.detail) == (True, None, "no champion yet")
    assert drop.row()[1] == "n/a"


def test_switched_off_checks_pass_but_keep_the_count() -> None:
    gates = GATES.model_copy(update={"require_signs": False, "require_parity": False})
    evidence = Evidence(
        oot_gini=0.5, score_psi=0.0, sign_violations=("a", "b"), parity_mismatches=1, parity_rows=9
    )
    report = evaluate_gates(evidence, gates)
    assert report.passed
    assert [r.value for r in report.results[3:]] == [2, 1]
    assert "not required" in report.results[3].detail


def test_test_sample_is_named_when_there_is_no_oot() -> None:
    report = evaluate_gates(Evidence(oot_gini=0.3, score_psi=0.0, sample="test"), GATES)
    assert report.failed == ["min test gini"]


def test_report_round_trips_through_json() -> None:
    report = evaluate_gates(
        Evidence(oot_gini=0.3, score_psi=0.2, champion_version="2", champion_oot_gini=0.5), GATES
    )
    again = GateReport.from_json(report.to_json())
    assert again == report
    assert again.failed == ["min oot gini", "max gini drop vs champion", "max score psi dev vs oot"]
