"""Parity: on every train / test / oot row the bundle runtime reproduces the trained card exactly.

Score (integer points) equal, PD within 1e-9, grade and every reason code equal; ``score_one`` equals
``score_batch`` row by row, credit limit included (zero unless approved; the application config's limit matrix
gives approved rows a positive limit). Cards: the three repo configs on the small synthetic portfolio and two public
datasets (German credit: categoricals; HMEQ: missing values everywhere).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scorecard.bundle.export import export_bundle
from scorecard.bundle.runtime import Bundle, load_bundle
from scorecard.config import parse_config
from scorecard.features.flat import load_flat_table
from scorecard.modeling.train import TrainedCard, train_card
from tests.bundle.conftest import FAST_CHALLENGER, portfolio_card

CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def assert_parity(card: TrainedCard, bundle: Bundle, n_single: int = 150) -> None:
    rows = card.table.frame[card.table.frame["split"].isin(["train", "test", "oot"])]
    expected = card.score_frame(rows[card.features])
    inputs = rows.reindex(columns=list(bundle.fields))  # policy-only fields absent from training: all missing
    out = bundle.score_batch(inputs)
    assert set(out["status"]) == {"ok"}
    # Beyond a feature's hard limits the bundle deliberately scores the value as missing and never approves;
    # the trained card has no hard limits, so parity is asserted on every other row.
    beyond = np.array(["beyond the hard limits" in str(w) for w in out["warnings"]])
    assert beyond.mean() < 0.02 and not (out["decision"][beyond] == "approve").any()
    same = ~beyond
    np.testing.assert_array_equal(out["score"][same], expected["score"].to_numpy()[same])
    np.testing.assert_allclose(out["pd"][same], expected["pd"].to_numpy()[same], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(
        out["grade"].astype(str)[same], expected["grade"].to_numpy().astype(str)[same]
    )
    for k in range(1, card.reasons.top_k + 1):
        np.testing.assert_array_equal(
            out[f"reason_{k}"].astype(str)[same], expected[f"reason_{k}"].to_numpy()[same]
        )
    records = inputs.sample(min(n_single, len(inputs)), random_state=0)
    for i, record in zip(records.index, records.to_dict("records"), strict=True):
        one = bundle.score_one(record)
        at = rows.index.get_loc(i)
        assert (
            one["score"] == out["score"][at]
            and one["pd"] == out["pd"][at]
            and one["grade"] == out["grade"][at]
        )
        assert [r["code"] for r in one["reasons"]] == [c for c in out["reasons"][at].split("|") if c]
        assert one["decision"] == out["decision"][at] and (one["knockout"] or "") == out["knockout"][at]
        assert one["limit"] == out["limit"][at]
    assert (out["limit"][out["decision"] != "approve"] == 0).all()
    if bundle.policy.limits is not None:
        limits = bundle.policy.limits
        granted = out["limit"][out["decision"] == "approve"]
        assert (granted > 0).mean() > 0.5 and granted.max() <= limits.product_max
        assert (np.mod(granted, limits.round_to) == 0).all()


@pytest.mark.slow
@pytest.mark.parametrize("card_type", ["application", "behaviour", "collection"])
def test_portfolio_cards(small_portfolio: dict[str, Any], tmp_path: Path, card_type: str) -> None:
    card = portfolio_card(small_portfolio, card_type, challenger=False)
    bundle = load_bundle(export_bundle(card, tmp_path / card_type, created_at=CREATED))
    assert bundle.manifest["card"]["type"] == card_type
    assert_parity(card, bundle)


def _flat_card(path: Path, target: str, bad: Any, tmp_path: Path, **flat: Any) -> TrainedCard:
    cfg = parse_config(
        {
            "card": "application",
            "name": path.stem.lower(),
            "data": {"flat_table": {"path": str(path), "target": target, "bad_value": bad, **flat}},
            "challenger": {"enabled": False, **FAST_CHALLENGER},
            "binning": {"special_codes": []},
        }
    )
    return train_card(cfg, load_flat_table(cfg))


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("relative", "target", "bad"),
    [("german_credit/german_credit_decoded.csv", "creditability", "bad"), ("hmeq/hmeq.csv", "BAD", 1)],
)
def test_real_datasets(realdata_dir: Path, tmp_path: Path, relative: str, target: str, bad: Any) -> None:
    card = _flat_card(realdata_dir / relative, target, bad, tmp_path)
    bundle = load_bundle(export_bundle(card, tmp_path / "bundle", created_at=CREATED))
    assert_parity(card, bundle)


@pytest.mark.realdata
def test_unknown_category_scores_per_the_binner_rule(realdata_dir: Path, tmp_path: Path) -> None:
    card = _flat_card(realdata_dir / "hmeq/hmeq.csv", "BAD", 1, tmp_path)
    bundle = load_bundle(export_bundle(card, tmp_path / "bundle", created_at=CREATED))
    categorical = [f for f in bundle.documents["scorecard.json"]["features"] if f["kind"] == "categorical"]
    if not categorical:
        pytest.skip("no categorical feature survived selection")
    name = categorical[0]["name"]
    rows = card.table.frame[card.features].iloc[:50].copy()
    rows[name] = "never-seen-value"
    expected = card.score_frame(rows)
    out = bundle.score_batch(rows.reindex(columns=list(bundle.fields)))
    np.testing.assert_array_equal(out["score"], expected["score"].to_numpy())
    assert all(f"{name}: unknown category" in w for w in out["warnings"])
