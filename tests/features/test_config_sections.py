"""The features / target / split config sections reject values that would make a build meaningless."""

from __future__ import annotations

import pytest

from scorecard.config import parse_config
from scorecard.errors import ConfigError

BASE = {"card": "behaviour", "name": "b", "data": {"flat_table": {"path": "t.csv", "target": "bad"}}}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"features": {"no_bureau_code": 0}}, "features: no_bureau_code must be negative"),
        ({"target": {"bad_dpd": 60, "indeterminate_dpd": [30, 60]}}, "indeterminate_dpd must be [lo, hi]"),
        ({"features": {"observation": {"start": "2024-02-01", "end": "2024-01-01"}}}, "must not be after"),
    ],
)
def test_invalid_sections(section: dict, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({**BASE, **section}, "card.yaml")
    assert message in str(err.value) and str(err.value).startswith("card.yaml: ")


def test_behaviour_defaults_from_the_issue_are_valid() -> None:
    cfg = parse_config(
        {**BASE, "target": {"bad_dpd": 60, "performance_months": 6, "indeterminate_dpd": [30, 59]}}
    )
    assert cfg.target.indeterminate_dpd == (30, 59) and cfg.features.no_bureau_code == -1
