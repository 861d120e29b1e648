"""Config errors must name the file, the key path, the bad value and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scorecard.config import CardConfig, load_config, parse_config
from scorecard.config_reference import _sections, config_reference
from scorecard.errors import ConfigError

MINIMAL = {
    "card": "application",
    "name": "demo_a",
    "data": {"flat_table": {"path": "t.csv", "target": "bad"}},
}


def _write(tmp_path: Path, raw: object) -> Path:
    path = tmp_path / "card.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_minimal_config_fills_documented_defaults(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, MINIMAL))
    assert (cfg.scaling.pdo, cfg.scaling.base_score, cfg.scaling.base_odds) == (20, 600, 50)
    assert cfg.target.bad_dpd == 30 and cfg.target.performance_months == 12
    assert cfg.data.flat_table is not None
    assert cfg.data.flat_table.path == (tmp_path / "t.csv").resolve()


def test_unknown_key_is_an_error_naming_its_path(tmp_path: Path) -> None:
    raw = {**MINIMAL, "binning": {"max_n_bin": 5}}
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, raw))
    assert str(err.value) == f"{tmp_path / 'card.yaml'}: binning.max_n_bin: unknown key (check its spelling)"


def test_bad_value_names_key_value_and_expectation(tmp_path: Path) -> None:
    raw = {**MINIMAL, "binning": {"max_n_bins": -1}}
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, raw))
    assert "binning.max_n_bins: Input should be greater than or equal to 2; got -1" in str(err.value)


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    raw = {**MINIMAL, "card": "mortgage", "scaling": {"pdo": 0}}
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, raw))
    lines = str(err.value).splitlines()
    assert len(lines) == 2
    assert any(
        "card: Input should be 'application', 'behaviour' or 'collection'; got 'mortgage'" in x for x in lines
    )
    assert any("scaling.pdo: Input should be greater than 0; got 0" in x for x in lines)


def test_missing_required_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"card\.yaml: data: required key is missing"):
        load_config(_write(tmp_path, {"card": "application", "name": "x"}))


def test_cross_field_rules() -> None:
    with pytest.raises(ConfigError, match="data: give 'sources' or 'flat_table', not both"):
        parse_config({**MINIMAL, "data": {**MINIMAL["data"], "sources": {"customers": {"path": "c.csv"}}}})
    with pytest.raises(
        ConfigError, match="master_scale max_pd values must be strictly ascending and end at 1.0"
    ):
        parse_config({**MINIMAL, "calibration": {"master_scale": [{"grade": "A", "max_pd": 0.5}]}})
    with pytest.raises(ConfigError, match="cutoffs.decline must not exceed cutoffs.approve"):
        parse_config({**MINIMAL, "policy": {"cutoffs": {"approve": 500, "decline": 600}}})


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope.yaml: config file not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("card: [unclosed")
    with pytest.raises(ConfigError, match="bad.yaml: not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="expected a mapping of keys at the top level, got list"):
        load_config(_write(tmp_path, [1, 2]))


def test_reference_lists_every_section_and_key() -> None:
    text = config_reference()
    for key in ("`binning`", "`scaling`", "`pdo`", "`policy.cutoffs`", "`monitoring`", "`psi_alert`"):
        assert key in text


def test_every_key_and_section_says_what_it_means() -> None:
    """Every key gets a Field(description=...) and every section a docstring: the reference has no empty meaning."""
    undescribed = [
        f"{prefix or '<top level>'}.{name}" if prefix else name
        for prefix, model in _sections(CardConfig, "")
        for name, field in model.model_fields.items()
        if not field.exclude and not (field.description or "").strip()
    ]
    assert undescribed == [], f"config keys without Field(description=...): {undescribed}"
    undocumented = [m.__name__ for _, m in _sections(CardConfig, "") if not (m.__doc__ or "").strip()]
    assert undocumented == []
    rows = [line for line in config_reference().splitlines() if line.startswith("| `")]
    assert len(rows) > 100 and all(not line.rstrip().endswith("|  |") for line in rows)


def test_shipped_configs_validate() -> None:
    configs = sorted((Path(__file__).resolve().parents[1] / "configs").glob("*.yaml"))
    for path in configs:
        if path.name != "monitoring.yaml":
            assert load_config(path).source_path == path.resolve()


def test_docs_config_reference_is_generated_from_the_model() -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "config_reference.md"
    assert doc.read_text() == config_reference(), (
        "docs/config_reference.md is stale: regenerate with `scorecard config reference > docs/config_reference.md`"
    )
