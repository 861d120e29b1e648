"""Registry naming: card types map to ``<card>_scorecard``; model references parse as NAME@ALIAS or NAME/VERSION."""

from __future__ import annotations

import pytest

from scorecard.config import TrackingConfig
from scorecard.errors import ScorecardError
from scorecard.tracking.registry import model_name, parse_model_ref


def test_card_types_map_to_their_registered_model() -> None:
    assert model_name("application") == "application_scorecard"
    assert model_name("collection") == "collection_scorecard"
    assert model_name("sme_application_v2") == "sme_application_v2"
    assert model_name("application", TrackingConfig(registered_model="retail_app")) == "retail_app"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("application@champion", ("application_scorecard", "champion")),
        ("models:/application_scorecard@challenger", ("application_scorecard", "challenger")),
        ("behaviour/3", ("behaviour_scorecard", "3")),
        ("models:/retail_app/12", ("retail_app", "12")),
    ],
)
def test_model_references(ref: str, expected: tuple[str, str]) -> None:
    assert parse_model_ref(ref) == expected


@pytest.mark.parametrize("ref", ["application", "@champion", "application@", "models:/"])
def test_incomplete_references_are_refused(ref: str) -> None:
    with pytest.raises(ScorecardError, match="expected NAME@ALIAS or NAME/VERSION"):
        parse_model_ref(ref)
