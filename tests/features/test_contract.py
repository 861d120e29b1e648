"""The data contract: docs/data_contract.md is generated from the code; `scorecard data schema` prints it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scorecard.cli.app import run
from scorecard.features.contract import contract_markdown, data_contract

REPO = Path(__file__).resolve().parents[2]


def test_docs_data_contract_is_generated_from_the_code() -> None:
    doc = REPO / "docs" / "data_contract.md"
    assert doc.read_text() == contract_markdown(), (
        "docs/data_contract.md is stale: regenerate with `scorecard data schema > docs/data_contract.md`"
    )


def test_contract_says_what_each_card_needs_and_each_column_status() -> None:
    contract = data_contract()
    assert contract["cards"]["collection"] == {
        "needs": [
            "applications",
            "bureau_tradelines",
            "bureau_inquiries",
            "loan_performance",
            "collection_cases",
        ],
        "can_use": ["customers", "device_events"],
    }
    customers = {c["name"]: c for c in contract["tables"]["customers"]["columns"]}
    assert customers["birth_date"]["cards"] == {
        "application": "required",
        "behaviour": "optional",
        "collection": "-",
    }
    assert customers["national_id"]["pii"] == "hash"
    assert customers["national_id"]["read_by"] == ["policy attribute national_id_hash"]
    decision = next(c for c in contract["tables"]["applications"]["columns"] if c["name"] == "decision")
    assert decision["allowed"] == ["approved", "declined"]
    product = next(c for c in contract["tables"]["applications"]["columns"] if c["name"] == "product")
    assert (product["allowed"], product["examples"]) == (None, ["cash_loan", "credit_card", "pos_loan"])


def test_cli_schema_for_one_card_as_json_and_for_a_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["data", "schema", "--card", "behaviour", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["cards"]) == ["behaviour"]
    assert "collection_cases" not in out["tables"]
    config = tmp_path / "card.yaml"
    data = {"sources": {"applications": {"path": "a.csv"}}}
    config.write_text(
        yaml.safe_dump(
            {"card": "application", "name": "c", "data": data, "features": {"families": ["application"]}}
        )
    )
    assert run(["data", "schema", "--config", str(config), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cards"]["application"]["needs"] == ["customers", "applications", "loan_performance"]
    assert run(["data", "schema", "--card", "retail"]) == 1
    assert "--card must be one of application, behaviour, collection; got 'retail'" in capsys.readouterr().err
