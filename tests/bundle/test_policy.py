"""Policy: collection treatments, behaviour early warnings, and the config rules that keep tables complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from scorecard.bundle.runtime import load_bundle
from scorecard.config import PolicyConfig
from scorecard.errors import BundleError
from tests.bundle.conftest import BEHAVIOUR_POLICY, COLLECTION_POLICY, documents, write

GOOD = {"age": 30, "inq_3m": 0, "channel": "online"}  # 530 points
POOR = {"age": 45, "inq_3m": 5, "channel": "branch"}  # 495 points


@pytest.mark.parametrize(
    ("record", "action"),
    [
        ({**GOOD, "days_past_due": 10}, "sms_reminder"),  # dpd <= 30 and 530 >= 520
        ({**POOR, "days_past_due": 30}, "voice_robot"),  # dpd <= 30, 495 < 520
        ({**GOOD, "days_past_due": 31}, "human_call"),  # past the first bucket
    ],
)
def test_collection_treatment_table(tmp_path: Path, record: dict[str, Any], action: str) -> None:
    bundle = load_bundle(write(documents(COLLECTION_POLICY), tmp_path / "c", card_type="collection"))
    assert bundle.score_one(record)["decision"] == action
    batch = bundle.score_batch({k: [v] for k, v in record.items()})
    assert batch["decision"].tolist() == [action]


def test_collection_record_without_dpd_is_an_error(tmp_path: Path) -> None:
    bundle = load_bundle(write(documents(COLLECTION_POLICY), tmp_path / "c", card_type="collection"))
    assert bundle.score_one({**GOOD, "days_past_due": None})["status"] == (
        "error: days_past_due: missing (the treatment table needs it)"
    )
    batch = bundle.score_batch({**{k: [v, v] for k, v in GOOD.items()}, "days_past_due": [np.nan, 3.0]})
    assert batch["status"].tolist() == ["error: days_past_due: missing (the treatment table needs it)", "ok"]
    assert batch["decision"].tolist() == ["", "sms_reminder"]


@pytest.mark.parametrize(
    ("extra", "decision", "flags"),
    [
        ({"inq_lenders_1m": 1, "days_past_due": 0}, "no_action", []),
        ({"inq_lenders_1m": 3, "days_past_due": 0}, "review", ["inquiry_jump"]),
        ({"inq_lenders_1m": 4, "days_past_due": 5}, "review", ["inquiry_jump", "new_delinquency"]),
        ({"inq_lenders_1m": None, "days_past_due": 5}, "freeze_limit", ["new_delinquency"]),
    ],
)
def test_behaviour_early_warnings(
    tmp_path: Path, extra: dict[str, Any], decision: str, flags: list[str]
) -> None:
    bundle = load_bundle(write(documents(BEHAVIOUR_POLICY), tmp_path / "b", card_type="behaviour"))
    one = bundle.score_one({**GOOD, **extra})
    assert (one["decision"], one["flags"]) == (decision, flags)
    batch = bundle.score_batch({k: [v] for k, v in {**GOOD, **extra}.items()})
    assert (batch["decision"][0], batch["flags"][0]) == (decision, "|".join(flags))


@pytest.mark.parametrize(
    ("cutoffs", "good", "poor"),
    [
        ({"approve": 530.0, "decline": 495.0}, "approve", "refer"),  # at a cut-off counts as meeting it
        ({"approve": 531.0, "decline": 496.0}, "refer", "decline"),
        ({"approve": 500.0, "decline": 500.0}, "approve", "decline"),  # no refer band
    ],
)
def test_cutoff_bands_in_one_record_and_in_batch(
    tmp_path: Path, cutoffs: dict[str, float], good: str, poor: str
) -> None:
    policy = {**COLLECTION_POLICY, "treatments": [], "cutoffs": cutoffs}
    bundle = load_bundle(write(documents(policy), tmp_path / "b"))
    assert [bundle.score_one(r)["decision"] for r in (GOOD, POOR)] == [good, poor]
    batch = bundle.score_batch({k: [GOOD[k], POOR[k]] for k in GOOD})
    assert batch["decision"].tolist() == [good, poor]


def test_cutoffs_with_decline_above_approve_are_refused(tmp_path: Path) -> None:
    policy = {**COLLECTION_POLICY, "treatments": [], "cutoffs": {"approve": 500.0, "decline": 540.0}}
    with pytest.raises(
        BundleError, match=r"policy.json: cutoffs.decline \(540\) must not exceed cutoffs.approve \(500\)"
    ):
        load_bundle(write(documents(policy), tmp_path / "b"))


def test_first_knockout_wins_and_if_missing_fires(app_bundle_dir: Path) -> None:
    bundle = load_bundle(app_bundle_dir)
    out = bundle.score_one({**GOOD, "national_id_hash": "bad1", "region": "islands", "is_emulator": True})
    assert (out["decision"], out["knockout"]) == ("decline", "blacklist")
    out = bundle.score_one({**GOOD, "national_id_hash": "x", "region": "north"})  # is_emulator absent: fire
    assert (out["decision"], out["knockout"]) == ("refer", "emulator")
    assert out["score"] == 530  # the score is still computed and reported


def test_treatment_table_must_cover_every_record() -> None:
    ok = [
        {"max_dpd": 30, "min_score": 600, "action": "sms"},
        {"max_dpd": 30, "action": "robot"},
        {"action": "call"},
    ]
    assert len(PolicyConfig(treatments=ok).treatments) == 3
    with pytest.raises(ValidationError, match="last bucket without max_dpd"):
        PolicyConfig(treatments=ok[:2])
    with pytest.raises(ValidationError, match="catch-all"):
        PolicyConfig(treatments=[ok[0], ok[2]])
    with pytest.raises(ValidationError, match="strictly ascending max_dpd"):
        PolicyConfig(treatments=[{"max_dpd": 60, "action": "a"}, {"max_dpd": 30, "action": "b"}, ok[2]])


def test_rule_values_must_fit_the_op() -> None:
    with pytest.raises(ValidationError, match="needs a number value"):
        PolicyConfig(knockouts=[{"name": "age", "field": "age", "op": "lt", "value": "18"}])
    with pytest.raises(ValidationError, match="needs a list 'value' or a 'values_file'"):
        PolicyConfig(knockouts=[{"name": "bl", "field": "id", "op": "in"}])
    with pytest.raises(ValidationError, match="rule names must be unique"):
        PolicyConfig(
            knockouts=[{"name": "x", "field": "a", "op": "is_true"}],
            early_warnings=[{"name": "x", "field": "b", "op": "gt", "value": 1}],
        )


def test_values_file_is_read_sorted_and_inlined(tmp_path: Path) -> None:
    from scorecard.bundle.export import policy_spec

    blacklist = tmp_path / "ids.txt"
    blacklist.write_text("# hashed ids\nbbb\n\naaa\nbbb\n")
    policy = PolicyConfig(
        knockouts=[{"name": "bl", "field": "national_id_hash", "op": "in", "values_file": blacklist}]
    )
    assert policy_spec(policy)["knockouts"] == [
        {"name": "bl", "field": "national_id_hash", "op": "in", "value": ["aaa", "bbb"], "if_missing": "refer",
         "decision": "decline"}
    ]  # fmt: skip


def test_a_missing_values_file_fails_when_the_config_is_read(tmp_path: Path) -> None:
    import yaml

    from scorecard.config import parse_config
    from scorecard.errors import ConfigError

    raw = yaml.safe_load((Path(__file__).parents[2] / "configs" / "application.yaml").read_text())
    raw["policy"]["knockouts"] = [
        {"name": "bl", "field": "national_id_hash", "op": "in", "values_file": "gone.txt"}
    ]
    with pytest.raises(
        ConfigError, match=r"cfg.yaml: policy.knockouts\[0\] \(bl\): values_file .*gone.txt not found"
    ):
        parse_config(raw, "cfg.yaml", base=tmp_path)
