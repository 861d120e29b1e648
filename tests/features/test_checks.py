"""`data validate` checks everything `features build` needs: tables, PII key, flat tables, policy value files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from scorecard.cli.app import run
from scorecard.config import parse_config
from scorecard.errors import ConfigError
from scorecard.features.checks import validate_card
from tests.raw_tables import raw_tables, sources_config, write_tables

PII_FREE = {
    "customers": ["full_name", "national_id", "mobile_phone", "bank_card_number"],
    "device_events": ["device_id", "ip"],
}


def _config(tmp_path: Path, tables: dict[str, pd.DataFrame], **extra: object) -> object:
    data = sources_config(write_tables(tables, tmp_path), pii={"key_env": "H1_TEST_PII_KEY"})
    raw = {
        "card": "application",
        "name": "c",
        "data": data,
        "features": {"families": ["application", "bureau"]},
    }
    return parse_config({**raw, **extra})


def test_a_table_the_card_needs_is_reported_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("H1_TEST_PII_KEY", "k")
    tables = raw_tables()
    del tables["loan_performance"]
    report = validate_card(_config(tmp_path, tables))  # type: ignore[arg-type]
    assert [p.message for p in report.problems] == [
        "data.sources has no entry for table 'loan_performance', which this card needs"
    ]


def test_the_pii_key_is_required_only_when_a_column_to_hash_is_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("H1_TEST_PII_KEY", raising=False)
    report = validate_card(_config(tmp_path, raw_tables()))  # type: ignore[arg-type]
    (problem,) = report.problems
    assert problem.message.startswith(
        "data.pii.key_env: environment variable H1_TEST_PII_KEY is not set, but PII columns are configured to be hashed"
    )
    tables = raw_tables()
    tables["customers"] = tables["customers"].drop(columns=PII_FREE["customers"])
    assert validate_card(_config(tmp_path, tables)).ok  # type: ignore[arg-type]
    monkeypatch.setenv("H1_TEST_PII_KEY", "k")
    assert validate_card(_config(tmp_path, raw_tables())).ok  # type: ignore[arg-type]


def test_a_missing_policy_values_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("H1_TEST_PII_KEY", "k")
    policy = {
        "knockouts": [
            {"name": "ko_blacklist", "field": "national_id_hash", "op": "in", "values_file": "blacklist.txt"}
        ]
    }
    with pytest.raises(  # refused when the config is read, before validate or build can run
        ConfigError, match=r"policy\.knockouts\[0\] \(ko_blacklist\): values_file blacklist\.txt not found"
    ):
        _config(tmp_path, raw_tables(), policy=policy)


def test_flat_tables_are_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd.DataFrame({"age": [30, 40, 50, 60], "income": [1.0, None, 3.0, 4.0], "bad": [0, 1, 0, 1]}).to_csv(
        tmp_path / "flat.csv", index=False
    )
    config = tmp_path / "card.yaml"
    card = {
        "card": "application",
        "name": "flat",
        "data": {"flat_table": {"path": "flat.csv", "target": "bad"}},
    }
    config.write_text(yaml.safe_dump(card))
    assert run(["data", "validate", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "flat_table" in out and "All sources match their schema." in out
    card["data"]["flat_table"]["target"] = "default_flag"  # type: ignore[index]
    config.write_text(yaml.safe_dump(card))
    assert run(["data", "validate", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert (
        f"{tmp_path / 'flat.csv'}: column(s) not found: target='default_flag'; the file has ['age', 'income', 'bad']"
        in captured.out.replace("\n", "")
    )
    assert "1 data problem(s) in 1 table(s)" in captured.err


def test_a_ready_made_target_without_its_bad_value_is_found_before_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("H1_TEST_PII_KEY", "k")
    tables = raw_tables()
    del tables["loan_performance"]
    apps = tables["applications"]
    tables["applications"] = apps.assign(TARGET=["no"] * len(apps))
    target = {"column": "TARGET", "bad_value": "yes"}
    report = validate_card(_config(tmp_path, tables, target=target))  # type: ignore[arg-type]
    assert [p.message for p in report.problems] == [
        "applications.TARGET (target.column): no row matches target.bad_value 'yes'; the column holds ['no']"
    ]
    tables["applications"] = apps.assign(TARGET=["no", "yes"] * (len(apps) // 2) + ["no"] * (len(apps) % 2))
    assert validate_card(_config(tmp_path, tables, target=target)).ok  # type: ignore[arg-type]
