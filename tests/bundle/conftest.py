"""A hand-written three-feature bundle whose scores are worked out by hand in the tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from scorecard.bundle.export import write_bundle

# age: bins (-inf,25) -10 | [25,40) +5 | [40,inf) +20; special -1 -> -5; missing 0; range [18, 80]
# inq_3m: bins (-inf,1) +15 | [1,3) 0 | [3,inf) -20; missing -8; range [0, 20]
# channel: online/mobile_app +10 | branch -5; missing -3; unknown -5
# score = 500 + points; pd = 1 / (1 + exp(-(9 - 0.02 * score))); grades A <= .05 < B <= .15 < C <= .30 < D
SCORECARD: dict[str, Any] = {
    "scaling": {"pdo": 20.0, "base_score": 600.0, "base_odds": 50.0, "factor": 28.85, "offset": 487.1},
    "base_points": 500,
    "features": [
        {
            "name": "age",
            "kind": "numerical",
            "splits": [25.0, 40.0],
            "bins": [
                {"label": "(-inf, 25)", "woe": -0.3, "points": -10},
                {"label": "[25, 40)", "woe": 0.1, "points": 5},
                {"label": "[40, inf)", "woe": 0.6, "points": 20},
            ],
            "special": {"codes": [-1.0], "woe": -0.2, "points": -5},
            "missing": {"woe": 0.0, "points": 0},
            "valid_range": [18.0, 80.0],
        },
        {
            "name": "inq_3m",
            "kind": "numerical",
            "splits": [1.0, 3.0],
            "bins": [
                {"label": "(-inf, 1)", "woe": 0.5, "points": 15},
                {"label": "[1, 3)", "woe": 0.0, "points": 0},
                {"label": "[3, inf)", "woe": -0.7, "points": -20},
            ],
            "special": {"codes": [], "woe": 0.0, "points": 0},
            "missing": {"woe": -0.3, "points": -8},
            "valid_range": [0.0, 20.0],
        },
        {
            "name": "channel",
            "kind": "categorical",
            "bins": [
                {
                    "label": "online, mobile_app",
                    "categories": ["online", "mobile_app"],
                    "woe": 0.3,
                    "points": 10,
                },
                {"label": "branch", "categories": ["branch"], "woe": -0.2, "points": -5},
            ],
            "special": {"codes": [], "woe": 0.0, "points": 0},
            "missing": {"woe": -0.1, "points": -3},
            "unknown": {"rule": "others_bin_else_lowest_woe", "woe": -0.2, "points": -5},
        },
    ],
}
CALIBRATION = {
    "calibration": {"method": "logistic", "intercept": 9.0, "slope": -0.02},
    "master_scale": {
        "bands": [
            {"grade": "A", "max_pd": 0.05},
            {"grade": "B", "max_pd": 0.15},
            {"grade": "C", "max_pd": 0.30},
            {"grade": "D", "max_pd": 1.0},
        ]
    },
}
REASONS = {
    "top_k": 2,
    "reference_points": {"age": 20.0, "inq_3m": 15.0, "channel": 10.0},
    "catalogue": {
        "age": {"code": "R01", "text": "Age of applicant"},
        "inq_3m": {"code": "R02", "text": "Recent credit inquiries"},
        "channel": {"code": "R03", "text": "Application channel"},
    },
    "not_for_reasons": [],
}
APPLICATION_POLICY = {
    "knockouts": [
        {"name": "blacklist", "field": "national_id_hash", "op": "in", "value": ["bad1", "bad2"],
         "if_missing": "pass", "decision": "decline"},
        {"name": "underage", "field": "age", "op": "lt", "value": 18, "if_missing": "pass", "decision": "decline"},
        {"name": "excluded_region", "field": "region", "op": "in", "value": ["islands"], "if_missing": "pass",
         "decision": "refer"},
        {"name": "emulator", "field": "is_emulator", "op": "is_true", "value": None, "if_missing": "fire",
         "decision": "refer"},
    ],
    "cutoffs": {"approve": 540.0, "decline": 510.0},
    "dpd_field": "days_past_due",
    "treatments": [],
    "early_warnings": [],
}  # fmt: skip
COLLECTION_POLICY = {
    "knockouts": [],
    "cutoffs": None,
    "dpd_field": "days_past_due",
    "treatments": [
        {"max_dpd": 30, "min_score": 520.0, "action": "sms_reminder"},
        {"max_dpd": 30, "min_score": None, "action": "voice_robot"},
        {"max_dpd": None, "min_score": None, "action": "human_call"},
    ],
    "early_warnings": [],
}
BEHAVIOUR_POLICY = {
    "knockouts": [],
    "cutoffs": None,
    "dpd_field": "days_past_due",
    "treatments": [],
    "early_warnings": [
        {"name": "inquiry_jump", "field": "inq_lenders_1m", "op": "ge", "value": 3, "if_missing": "pass",
         "action": "review"},
        {"name": "new_delinquency", "field": "days_past_due", "op": "gt", "value": 0, "if_missing": "pass",
         "action": "freeze_limit"},
    ],
}  # fmt: skip


def _field(name: str, type_: str, used_by: list[str], **extra: Any) -> dict[str, Any]:
    on_missing = "missing_bin" if "scorecard" in used_by else "rule_if_missing"
    absent = "missing_bin_with_warning" if "scorecard" in used_by else "treated_as_missing_with_warning"
    return {"name": name, "type": type_, "required": True, "used_by": used_by, "on_missing": on_missing,
            "on_absent": absent, **extra}  # fmt: skip


def documents(policy: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bundle documents of the hand-written card with ``policy`` (application policy by default)."""
    policy = copy.deepcopy(APPLICATION_POLICY if policy is None else policy)
    fields = [
        _field("age", "number", ["scorecard"], valid_range=[18.0, 80.0], special_codes=[-1.0]),
        _field("inq_3m", "number", ["scorecard"], valid_range=[0.0, 20.0], special_codes=[]),
        _field("channel", "category", ["scorecard"], categories=["branch", "mobile_app", "online"]),
    ]
    used = {r["field"]: r for r in [*policy["knockouts"], *policy["early_warnings"]]}
    types = {"national_id_hash": "string", "region": "string", "is_emulator": "boolean"}
    for name in used:
        if name == "age":
            fields[0]["used_by"] = ["scorecard", "policy"]
        elif name != policy["dpd_field"]:
            fields.append(_field(name, types.get(name, "number"), ["policy"]))
    if policy["treatments"] or policy["dpd_field"] in used:
        fields.append(_field(policy["dpd_field"], "number", ["policy"]))
    return {
        "schema.json": {"card": "hand_card", "fields": fields},
        "scorecard.json": copy.deepcopy(SCORECARD),
        "calibration.json": copy.deepcopy(CALIBRATION),
        "reasons.json": copy.deepcopy(REASONS),
        "policy.json": policy,
    }


def write(docs: dict[str, Any], out: Path, zip: bool = False, card_type: str = "application") -> Path:
    """Write ``docs`` as a bundle with fixed identity fields."""
    return write_bundle(
        docs,
        out,
        card={"name": "hand_card", "type": card_type, "description": "hand-written test card"},
        model_version="7",
        created_at="2026-01-02T03:04:05+00:00",
        data_fingerprint="0" * 64,
        zip=zip,
    )


@pytest.fixture
def app_bundle_dir(tmp_path: Path) -> Path:
    """The hand-written application card written as a bundle folder."""
    return write(documents(), tmp_path / "app")


FAST_CHALLENGER = {"num_boost_round": 60, "early_stopping_rounds": 10}


def portfolio_card(small_portfolio: dict[str, Any], card: str, challenger: bool) -> Any:
    """Train the repo's ``configs/<card>.yaml`` card on the small synthetic portfolio (fast challenger)."""
    from scorecard.config import load_config
    from scorecard.data.pii import apply_pii
    from scorecard.features.build import build_modeling_table
    from scorecard.modeling.train import train_card

    cfg = load_config(Path(__file__).resolve().parents[2] / "configs" / f"{card}.yaml")
    cfg = cfg.model_copy(
        update={"challenger": cfg.challenger.model_copy(update={"enabled": challenger, **FAST_CHALLENGER})}
    )
    table = build_modeling_table(apply_pii(small_portfolio, cfg.data.pii), cfg)
    return train_card(cfg, table)


@pytest.fixture(scope="session")
def application_run(small_portfolio: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The application card trained on the small portfolio and saved to a run folder."""
    run_dir = tmp_path_factory.mktemp("application_run")
    portfolio_card(small_portfolio, "application", challenger=True).save(run_dir)
    return run_dir
