"""The plot functions draw what they are given: one histogram per split, one dot per row and feature for SHAP."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scorecard.modeling import plots


def _shap_data(rows: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(1)
    X = pd.DataFrame(
        {
            "income": np.where(rng.uniform(size=rows) < 0.1, np.nan, rng.normal(size=rows)),
            "region": rng.choice(["north", "south", "east"], rows),
            "age": rng.normal(size=rows),
        }
    )
    contributions = pd.DataFrame(
        {
            "income": 2 * rng.normal(size=rows),
            "region": 0.5 * rng.normal(size=rows),
            "age": rng.normal(size=rows),
        }
    )
    return X, contributions


def test_split_score_plot_draws_one_outline_per_split() -> None:
    rng = np.random.default_rng(0)
    scores = {
        "train": rng.normal(600, 30, 500),
        "test": rng.normal(600, 30, 200),
        "oot": rng.normal(590, 30, 100),
    }
    (ax,) = plots.split_score_plot(scores).axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "train (n=500)",
        "test (n=200)",
        "oot (n=100)",
    ]
    assert len(ax.patches) == 3  # one step outline each


def test_shap_summary_orders_features_by_mean_abs_shap_and_draws_every_row() -> None:
    X, contributions = _shap_data()
    fig = plots.shap_summary_plot(contributions, X, top=2)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["age", "income"]  # largest on top (last tick)
    drawn = [len(c.get_offsets()) for c in ax.collections]
    assert sum(drawn) == 2 * len(X)
    assert drawn[2] == int(X["income"].isna().sum())  # income's missing rows drawn grey, apart


def test_shap_dependence_numeric_and_categorical() -> None:
    X, contributions = _shap_data()
    (ax,) = plots.shap_dependence_plot(contributions, X, "income").axes
    assert len(ax.collections[0].get_offsets()) == int(X["income"].notna().sum())
    assert f"{int(X['income'].isna().sum())} missing rows not drawn" in ax.get_xlabel()
    (ax,) = plots.shap_dependence_plot(contributions, X, "region").axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["east", "north", "south"]
    assert len(ax.collections[0].get_offsets()) == len(X)
