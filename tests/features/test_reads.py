"""The one map of who reads which canonical column, and a card's needs derived from its config."""

from __future__ import annotations

from scorecard.config import parse_config
from scorecard.features.reads import card_needs, columns_read, readers


def _card(**extra: object) -> object:
    raw = {
        "card": "application",
        "name": "c",
        "data": {"sources": {"applications": {"path": "a.csv"}}},
        **extra,
    }
    return parse_config(raw)


def test_a_card_without_device_features_does_not_need_device_events() -> None:
    needs = card_needs(_card(features={"families": ["application"]}))  # type: ignore[arg-type]
    assert needs.tables() == ["customers", "applications", "loan_performance"]
    assert needs.required["customers"] == {
        "customer_id": ("application features",),
        "birth_date": ("application features",),
        "income": ("application features",),
    }
    assert needs.optional["customers"] == {
        "province": (
            "policy attribute declared_province",
        ),  # application device features use the declared province
        "national_id": ("policy attribute national_id_hash",),
    }
    assert needs.required["loan_performance"] == {
        c: ("the application card's target",) for c in ("loan_id", "month", "dpd")
    }


def test_a_policy_rule_makes_its_attribute_columns_required_and_names_the_rule() -> None:
    policy = {
        "knockouts": [{"name": "ko_blacklist", "field": "national_id_hash", "op": "in", "value": ["x"]}]
    }
    needs = card_needs(_card(features={"families": ["application"]}, policy=policy))  # type: ignore[arg-type]
    assert needs.required["customers"]["national_id"] == ("policy rule ko_blacklist (national_id_hash)",)
    assert "national_id" not in needs.optional["customers"]


def test_columns_read_are_the_required_columns_and_readers_cover_every_card() -> None:
    cfg = _card()
    assert columns_read(cfg)["device_events"][:3] == ["event_id", "application_id", "customer_id"]  # type: ignore[arg-type]
    assert [r.name for r in readers("collection") if r.kind == "family"] == [
        "bureau features", "device features", "behaviour features", "collection features",
    ]  # fmt: skip
