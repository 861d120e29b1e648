"""ReasonCoder: ranking by points lost worked by hand, ties, exclusions, catalogue, spec."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorecard.errors import ConfigError, DataError
from scorecard.modeling.reasons import ReasonCoder, fallback_reason, load_catalogue

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = {
    "z": {"code": "Z1", "text": "Zeta too low"},
    "a": {"code": "A1", "text": "Alpha too low"},
    "m": {"code": "M1", "text": "Mu too low"},
}


@pytest.fixture()
def points() -> pd.DataFrame:
    # model order z, a, m (not alphabetical, so tie-breaking by model order is visible)
    return pd.DataFrame({"z": [10, 0, 20, 10], "a": [5, 0, 10, 0], "m": [0, 0, 3, 3]})


def _features(reasons: list[list[dict]]) -> list[list[str]]:
    return [[r["feature"] for r in row] for row in reasons]


def test_ranking_against_max_points_by_hand(points: pd.DataFrame) -> None:
    coder = ReasonCoder(top_k=3, catalogue=CATALOGUE).fit(points)
    assert coder.reference_points_ == {"z": 20.0, "a": 10.0, "m": 3.0}
    reasons = coder.explain(points)
    # lost: row0 z10 a5 m3; row1 z20 a10 m3; row2 nothing; row3 z10 a10 m0 (tie -> model order, m not > 0)
    assert _features(reasons) == [["z", "a", "m"], ["z", "a", "m"], [], ["z", "a"]]
    assert [r["points_lost"] for r in reasons[0]] == [10.0, 5.0, 3.0]
    assert reasons[3][0] == {"feature": "z", "code": "Z1", "text": "Zeta too low", "points_lost": 10.0}
    assert coder.codes(points).tolist() == [
        ["Z1", "A1", "M1"],
        ["Z1", "A1", "M1"],
        ["", "", ""],
        ["Z1", "A1", ""],
    ]


def test_top_k_not_for_reasons_and_mean_reference(points: pd.DataFrame) -> None:
    assert _features(ReasonCoder(top_k=2).fit(points).explain(points))[0] == ["z", "a"]
    excluded = ReasonCoder(top_k=3, not_for_reasons=("z",)).fit(points)
    assert _features(excluded.explain(points)) == [["a", "m"], ["a", "m"], [], ["a"]]
    mean = ReasonCoder(top_k=3, reference="mean").fit(points)
    assert mean.reference_points_ == {"z": 10.0, "a": 3.75, "m": 1.5}
    # row0 lost: z 0, a -1.25, m 1.5; row1: z 10, a 3.75, m 1.5
    assert _features(mean.explain(points))[:2] == [["m"], ["z", "a", "m"]]


def test_ties_are_stable_under_column_order_of_the_input(points: pd.DataFrame) -> None:
    coder = ReasonCoder(top_k=2).fit(points)
    shuffled = points[["m", "a", "z"]]
    assert coder.explain(shuffled) == coder.explain(points)


def test_fallback_catalogue_and_spec(points: pd.DataFrame) -> None:
    coder = ReasonCoder(top_k=2, catalogue={"z": CATALOGUE["z"]}, not_for_reasons=("m",)).fit(points)
    assert coder.catalogue_["a"] == fallback_reason("a") == {"code": "R_A", "text": "A lowered the score"}
    assert coder.to_spec() == {
        "top_k": 2,
        "reference_points": {"z": 20.0, "a": 10.0, "m": 3.0},
        "catalogue": {"z": CATALOGUE["z"], "a": fallback_reason("a"), "m": fallback_reason("m")},
        "not_for_reasons": ["m"],
    }


def test_catalogue_file_errors(tmp_path: Path, points: pd.DataFrame) -> None:
    path = tmp_path / "reasons.yaml"
    path.write_text("reasons:\n  z: {code: X1, text: one}\n  a: {code: X1, text: two}\n")
    with pytest.raises(ConfigError, match="reason codes must be unique; repeated: \\['X1'\\]"):
        load_catalogue(path)
    path.write_text("reasons:\n  z: {code: X1}\n")
    with pytest.raises(ConfigError, match="reasons.z needs 'code' and 'text'"):
        load_catalogue(path)
    with pytest.raises(ConfigError, match="not_for_reasons names features not in the model: \\['typo'\\]"):
        ReasonCoder(not_for_reasons=("typo",)).fit(points)
    with pytest.raises(DataError, match="NaN or infinity"):
        ReasonCoder().fit(points.astype(float).where(points > 0))


def test_shipped_catalogue_covers_every_feature() -> None:
    from scorecard.features.catalogue import CATALOGUE as FEATURES

    catalogue = load_catalogue(REPO / "configs" / "reasons" / "catalogue.yaml")
    assert set(catalogue) == {f.name for f in FEATURES}
    assert all(entry["text"] and entry["code"] for entry in catalogue.values())


def test_codes_are_vectorised_for_large_frames() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(-20, 40, size=(50_000, 6)), columns=[f"f{i}" for i in range(6)])
    coder = ReasonCoder(top_k=4).fit(frame)
    codes = coder.codes(frame)
    assert codes.shape == (50_000, 4)
    lost = np.array(list(coder.reference_points_.values())) - frame.to_numpy()
    first = np.argmax(lost, axis=1)  # argmax returns the first maximum: same tie rule
    has = lost.max(axis=1) > 0
    assert (codes[has, 0] == np.array([f"R_F{i}" for i in range(6)])[first[has]]).all()
