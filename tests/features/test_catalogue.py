"""The catalogue is the contract: every family computes exactly its listed names; selection follows config."""

from __future__ import annotations

import pandas as pd
import pytest

from scorecard.errors import ConfigError
from scorecard.features.build import build_modeling_table
from scorecard.features.catalogue import (
    CATALOGUE,
    FAMILIES,
    catalogue_markdown,
    family_features,
    select_features,
)
from tests.features.conftest import card_config

CARD_OF_FAMILY = {"application": "application", "behaviour": "behaviour", "collection": "collection"}


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_computes_exactly_its_catalogue_names(tiny: dict[str, pd.DataFrame], family: str) -> None:
    card = CARD_OF_FAMILY.get(family, "collection")
    table = build_modeling_table(tiny, card_config(card, features={"families": [family]}))
    expected = family_features(family)  # type: ignore[arg-type]
    assert table.features == expected
    reserved = {*table.keys, "snapshot_date", "target", "target_status", "split"}
    assert [c for c in table.frame.columns if c not in reserved] == expected


def test_names_are_unique_and_definitions_present() -> None:
    names = [f.name for f in CATALOGUE]
    assert len(names) == len(set(names))
    assert all(f.definition and f.window for f in CATALOGUE)


def test_selection_defaults_include_exclude() -> None:
    default = [f.name for f in select_features("application", [], [], [])]
    assert default == [f.name for f in CATALOGUE if f.family in ("bureau", "device", "application")]
    only = select_features("application", [], ["bureau_inq_3m", "app_income"], [])
    assert [f.name for f in only] == ["bureau_inq_3m", "app_income"]
    fewer = select_features("behaviour", ["behaviour"], [], ["beh_utilisation"])
    assert (
        "beh_utilisation" not in [f.name for f in fewer]
        and len(fewer) == len(family_features("behaviour")) - 1
    )


def test_selection_errors_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"features.include: unknown feature\(s\) \['bureau_inq_2m'\]"):
        select_features("application", [], ["bureau_inq_2m"], [])
    with pytest.raises(
        ConfigError, match="features.families: family 'application' cannot be computed for the behaviour"
    ):
        select_features("behaviour", ["application"], [], [])
    with pytest.raises(
        ConfigError, match=r"features.include: \['coll_balance'\] cannot be computed for the application"
    ):
        select_features("application", [], ["coll_balance"], [])


def test_markdown_lists_every_feature_once() -> None:
    text = catalogue_markdown()
    assert all(text.count(f"| `{f.name}` |") == 1 for f in CATALOGUE)
    assert "coll_balance" not in catalogue_markdown("application")
