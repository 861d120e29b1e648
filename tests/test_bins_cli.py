"""``scorecard bins show`` and ``bins freeze`` on a run folder: the review loop from the command line,
down to a retrain on the frozen overrides that gives the same bins."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scorecard.cli.app import run as cli
from scorecard.config import CardConfig, parse_config
from scorecard.errors import ConfigError
from scorecard.modeling.overrides import REASON_PLACEHOLDER, load_overrides
from scorecard.modeling.train import TrainedCard, train_card
from tests.tracking.cards import modeling_table


def _config(overrides: Path | None = None) -> CardConfig:
    return parse_config(
        {
            "card": "application",
            "name": "review_card",
            "data": {"flat_table": {"path": "unused.csv", "target": "bad"}},
            "binning": {"overrides": None if overrides is None else str(overrides)},
            "challenger": {"enabled": False},
        }
    )


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("review_run")
    train_card(_config(), modeling_table(), run_dir=out)
    return out


def test_show_prints_every_bin_of_one_feature(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["bins", "show", "--run", str(run_dir), "utilisation"]) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(run_dir / "binning_tables.csv")
    util = table[table["feature"] == "utilisation"]
    lines = out.splitlines()
    assert lines[0].startswith("utilisation (on the card; IV ")
    assert f"{int(util['count'].sum()):,} rows" in lines[0]
    assert lines[1].split() == [
        "bin",
        "count",
        "share",
        "goods",
        "bads",
        "event",
        "rate",
        "WOE",
        "IV",
        "points",
    ]
    for row, line in zip(util.itertuples(), lines[2:], strict=False):
        assert line.startswith(row.bin)
        assert f"{row.count:,}" in line and f"{row.woe:+.4f}" in line and f" {int(row.points)}" in line
    assert "Missing" in out and "inquiries_6m" not in out


def test_show_every_feature_and_say_which_are_on_the_card(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["bins", "show", "--run", str(run_dir)]) == 0
    out = capsys.readouterr().out
    card = TrainedCard.load(run_dir)
    for feature in card.binner.features_:
        where = "on the card" if feature in card.features else "not on the card"
        assert f"{feature} ({where}; IV {card.binner.iv_[feature]:.4f}" in out


def test_show_names_an_unknown_feature_and_a_missing_run(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["bins", "show", "--run", str(run_dir), "salary"]) == 1
    err = capsys.readouterr().err
    assert "no bins for feature 'salary'; binned features: utilisation, inquiries_6m" in err
    assert cli(["bins", "show", "--run", str(tmp_path)]) == 1
    assert f"{tmp_path}: not a run folder (no run.json)" in capsys.readouterr().err
    assert cli(["bins", "show"]) == 1
    assert "give either --run DIR or --model" in capsys.readouterr().err


def test_freeze_then_retrain_gives_the_same_bins(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = TrainedCard.load(run_dir)
    out = tmp_path / "reviewed.yaml"
    assert cli(["bins", "freeze", "--run", str(run_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{len(card.features)} features frozen from {run_dir}" in printed
    text = out.read_text()
    assert text.startswith(f"# Bins of {run_dir}, frozen by `scorecard bins freeze`")
    frozen = load_overrides(out)
    assert list(frozen) == card.features
    assert {o.reason for o in frozen.values()} == {REASON_PLACEHOLDER}
    assert frozen["utilisation"].splits == card.binner.bin_spec("utilisation")["splits"]

    with pytest.raises(
        ConfigError, match=rf"{out}: overrides for .*'utilisation'.* still carry a placeholder"
    ):
        train_card(_config(out), modeling_table())
    assert cli(["bins", "freeze", "--run", str(run_dir), "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err

    out.write_text(text.replace(REASON_PLACEHOLDER, "reviewed with credit policy, 2026-11"))
    again = train_card(_config(out), modeling_table(), run_dir=tmp_path / "again")
    for feature in card.features:
        assert again.binner.bin_spec(feature) == card.binner.bin_spec(feature), feature
    pd.testing.assert_frame_equal(again.binning_tables(), card.binning_tables())
    logged = load_overrides(tmp_path / "again" / "overrides.yaml")
    assert {o.reason for o in logged.values()} == {"reviewed with credit policy, 2026-11"}

    # freezing the reviewed run keeps the reviewers' reasons
    second = tmp_path / "second.yaml"
    assert cli(["bins", "freeze", "--run", str(tmp_path / "again"), "--out", str(second), "--all"]) == 0
    refrozen = load_overrides(second)
    assert set(refrozen) == set(card.binner.features_)
    assert {refrozen[f].reason for f in card.features} == {"reviewed with credit policy, 2026-11"}
    off_card = set(card.binner.features_) - set(card.features)
    assert {refrozen[f].reason for f in off_card} <= {REASON_PLACEHOLDER}
