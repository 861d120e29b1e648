"""Which bins ``bins freeze`` writes and with which reasons, from a run folder's recorded files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scorecard.errors import ScorecardError
from scorecard.modeling.overrides import REASON_PLACEHOLDER, BinningOverride, dump_overrides
from scorecard.tracking.review import frozen_bins, run_outputs


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    (tmp_path / "run.json").write_text(json.dumps({"features": ["util", "channel"]}))
    bins = {
        "util": BinningOverride(splits=[0.3, 0.6], reason=REASON_PLACEHOLDER),
        "channel": BinningOverride(groups=[["branch"], ["online", "agent"]], reason=REASON_PLACEHOLDER),
        "inquiries": BinningOverride(splits=[1.5], reason=REASON_PLACEHOLDER),
        "noise": BinningOverride(splits=[0.0], reason=REASON_PLACEHOLDER),
    }
    (tmp_path / "frozen_bins.yaml").write_text(dump_overrides(bins))
    used = {
        "util": BinningOverride(splits=[0.3, 0.6], reason="policy bands"),
        "inquiries": BinningOverride(merge=[[0, 1]], reason="merged at review"),
    }
    (tmp_path / "overrides.yaml").write_text(dump_overrides(used))
    return tmp_path


def test_freeze_keeps_card_and_overridden_features_and_their_reasons(run_dir: Path) -> None:
    frozen = frozen_bins(run_dir, "run")
    assert {f: o.reason for f, o in frozen.items()} == {
        "util": "policy bands",
        "channel": REASON_PLACEHOLDER,
        "inquiries": "merged at review",  # off the card, but a reviewed decision is never lost
    }
    assert frozen["inquiries"].splits == [1.5] and frozen["inquiries"].merge is None
    everything = frozen_bins(run_dir, "run", every_feature=True)
    assert list(everything) == ["util", "channel", "inquiries", "noise"]
    assert everything["noise"].reason == REASON_PLACEHOLDER


def test_runs_without_the_files_are_named(run_dir: Path, tmp_path: Path) -> None:
    (run_dir / "frozen_bins.yaml").unlink()
    with pytest.raises(ScorecardError, match="^old run: no frozen_bins.yaml recorded; retrain"):
        frozen_bins(run_dir, "old run")
    with pytest.raises(ScorecardError, match="give either --run DIR or --model"):
        run_outputs(run_dir, "application@champion", tmp_path)
