"""The bin review loop in the library: binning tables with points, the binning plot, frozen overrides that
refit to the same bins, and training that refuses placeholder reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

from scorecard.errors import ConfigError
from scorecard.modeling import plots
from scorecard.modeling.binning import WoeBinner
from scorecard.modeling.overrides import (
    REASON_PLACEHOLDER,
    check_reviewed,
    describe,
    dump_overrides,
    load_overrides,
    parse_overrides,
)
from scorecard.modeling.scorecard import Scorecard
from tests.modeling.woe_data import credit_sample


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, np.ndarray]:
    return credit_sample()


@pytest.fixture(scope="module")
def card(sample: tuple[pd.DataFrame, np.ndarray]) -> Scorecard:
    X, y = sample
    return Scorecard(binner=WoeBinner(categorical_features=["channel"])).fit(X, y)


def test_table_of_every_feature_counts_rows_and_event_rates_by_hand(card: Scorecard, sample) -> None:
    X, y = sample
    table = card.binner_.binning_table()
    assert list(table.columns) == [
        "feature", "bin", "count", "count_share", "goods", "bads", "event_rate", "woe", "iv",
    ]  # fmt: skip
    assert list(dict.fromkeys(table["feature"])) == card.binner_.features_
    assert table.index.tolist() == list(range(len(table)))
    for feature, block in table.groupby("feature"):
        assert block["count"].sum() == len(X), feature
        assert block["bads"].sum() == y.sum(), feature
        assert (block["goods"] + block["bads"] == block["count"]).all()
    util = table[table["feature"] == "util"].reset_index(drop=True)
    splits = card.binner_.bin_spec("util")["splits"]
    values = X["util"].to_numpy()
    regular = ~np.isnan(values) & (values != -1)
    index = np.searchsorted(splits, values[regular], side="right")
    for i in range(len(splits) + 1):
        rows = index == i
        assert util.loc[i, "count"] == rows.sum()
        assert util.loc[i, "event_rate"] == pytest.approx(y[regular][rows].mean())
    assert util.loc[len(splits), "bin"] != "Special" and util["bin"].iloc[-2] == "Special"
    assert util["event_rate"].iloc[-2] == pytest.approx(y[values == -1].mean())
    months = table[table["feature"] == "months"]
    assert months["count"].iloc[-1] == 0 and np.isnan(months["event_rate"].iloc[-1])  # empty: no rate


def test_scorecard_table_joins_the_points_the_card_scores_with(card: Scorecard) -> None:
    table = card.binning_table()
    points = card.points_table_
    for feature in card.features_:
        ours = table[table["feature"] == feature].set_index("bin")["points"]
        theirs = points[points["feature"] == feature].set_index("bin")["points"]
        n = len(ours) - 2
        assert ours.iloc[:n].tolist() == theirs.loc[[str(i) for i in range(n)]].tolist(), feature
        assert ours["Missing"] == theirs["missing"]
        assert ours["Special"] == theirs.get("special", 0)
    off_card = [f for f in card.binner_.features_ if f not in card.features_]
    assert off_card and table.loc[table["feature"].isin(off_card), "points"].isna().all()
    one = card.binning_table("util")
    pd.testing.assert_frame_equal(
        one, table[table["feature"] == "util"].drop(columns="feature").reset_index(drop=True)
    )


def test_unknown_feature_is_named(card: Scorecard) -> None:
    with pytest.raises(KeyError, match="'utilisation' has no binning .*binned: util, months, channel"):
        card.binner_.binning_table("utilisation")
    with pytest.raises(KeyError, match="'salary'"):
        card.binner_.plot("salary")


def test_plot_draws_counts_as_bars_and_event_rate_as_a_line(card: Scorecard) -> None:
    table = card.binner_.binning_table("util")
    fig = card.binner_.plot("util")
    assert isinstance(fig, Figure)
    bars_ax, rate_ax = fig.axes
    heights = [p.get_height() for p in bars_ax.patches]
    assert heights == table["count"].tolist()  # util has rows in both the special and missing bins
    labels = [t.get_text() for t in bars_ax.get_xticklabels()]
    assert labels == table["bin"].tolist()
    line = rate_ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), table["event_rate"].iloc[:-2])
    assert "IV" in bars_ax.get_title() and "util" in bars_ax.get_title()
    texts = [t.get_text() for t in bars_ax.texts]
    assert f"WOE {table['woe'].iloc[0]:+.2f}" in texts[0]


def test_plot_leaves_empty_special_bins_out_and_shows_points(card: Scorecard) -> None:
    table = card.binning_table("months")
    fig = plots.binning_plot(table, "months")
    assert len(fig.axes[0].patches) == len(table) - 2  # months has no special code and no missing value
    assert f"{table['points'].iloc[0]} pts" in fig.axes[0].texts[0].get_text()


def test_calibration_marks_a_grade_without_bads_instead_of_drawing_a_bar() -> None:
    grades = pd.DataFrame(
        {
            "grade": ["A", "B", "C", "D"],
            "count": [400, 300, 0, 200],
            "bads": [0, 6, 0, 30],
            "observed_bad_rate": [0.0, 0.02, np.nan, 0.15],
            "predicted_pd": [0.004, 0.025, np.nan, 0.14],
        }
    )
    ax = plots.calibration_plot(grades).axes[0]
    assert [p.get_height() for p in ax.patches] == [0.02, 0.15]  # no bar for A (0 bads) nor C (no rows)
    assert [t.get_text() for t in ax.texts] == ["0 of 400"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B", "D"]
    assert "no observed bads" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_frozen_overrides_refit_to_the_same_bins(card: Scorecard, sample, tmp_path: Path) -> None:
    X, y = sample
    binner = card.binner_
    frozen = binner.frozen_overrides()
    assert set(frozen) == set(binner.features_)
    assert frozen["channel"].groups is not None and ["fax", "telex"] not in frozen["channel"].groups
    assert all(o.reason == REASON_PLACEHOLDER for o in frozen.values())
    path = tmp_path / "frozen.yaml"
    path.write_text(dump_overrides(frozen, "header line one\nline two"))
    assert path.read_text().startswith("# header line one\n# line two\nfeatures:\n")
    assert load_overrides(path) == frozen
    refit = WoeBinner(categorical_features=["channel"], overrides=path).fit(X, y)
    for feature in binner.features_:
        assert refit.bin_spec(feature) == binner.bin_spec(feature), feature
        pd.testing.assert_frame_equal(refit.binning_table(feature), binner.binning_table(feature))
    assert set(refit.overrides_applied_) == set(binner.features_)


def test_placeholder_reasons_are_refused_by_name() -> None:
    frozen = {
        "util": {"splits": [0.5], "reason": REASON_PLACEHOLDER},
        "months": {"splits": [20.0], "reason": "agreed with policy"},
        "noise": {"trend": "ascending", "reason": "todo"},
    }
    overrides = yaml.safe_load(yaml.safe_dump({"features": frozen}, sort_keys=False))
    with pytest.raises(ConfigError, match=r"reviewed\.yaml: overrides for \['util', 'noise'\] still carry"):
        check_reviewed(parse_overrides(overrides), "reviewed.yaml")
    assert describe(parse_overrides(overrides)["util"]) == "splits [0.5]"
