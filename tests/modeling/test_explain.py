"""Messages that explain: why a feature ended in one bin, why an override is infeasible, overrides checked early."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorecard.config import parse_config
from scorecard.errors import ConfigError
from scorecard.modeling.binning import WoeBinner
from scorecard.modeling.scorecard import Scorecard
from scorecard.modeling.selection import FeatureSelector
from scorecard.modeling.train import train_card


def _sample(n: int = 4000) -> tuple[pd.DataFrame, np.ndarray]:
    """``falling`` (risk falls with the value), ``flag7`` (7% of rows at 4x the risk), ``flag3`` (3%), ``util``."""
    rng = np.random.default_rng(5)
    falling = rng.uniform(0, 10, n)
    flag7 = (rng.uniform(size=n) < 0.07).astype(float)
    flag3 = (rng.uniform(size=n) < 0.03).astype(float)
    util = rng.uniform(0, 1, n)
    logit = -1.0 - 0.25 * falling + 1.6 * flag7 + 1.6 * flag3 + 1.5 * util
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"falling": falling, "flag7": flag7, "flag3": flag3, "util": util}), y


def _constant_woe_detail(binner: WoeBinner, X: pd.DataFrame, y: np.ndarray, feature: str) -> str:
    card = Scorecard(binner=binner, selector=FeatureSelector(min_iv=0.0)).fit(X, y)
    log = card.selector_.log_.set_index("feature")
    assert log.loc[feature, "rule"] == "constant_woe"
    return str(log.loc[feature, "detail"])


def test_constant_woe_names_the_trend_that_merged_the_bins_and_shows_the_pre_bins() -> None:
    X, y = _sample()
    detail = _constant_woe_detail(WoeBinner(trends={"falling": "ascending"}), X, y, "falling")
    assert detail.startswith(
        "one WOE value on every row; trend: monotonic_trend='ascending' merged the pre-bins into one bin; "
        "pre-bins: (-inf, "
    )
    assert detail.count("rows, ") >= 4  # each pre-bin with its share of rows and its bad rate


def test_constant_woe_names_the_size_constraint_and_shows_the_pre_bins() -> None:
    X, y = _sample()
    detail = _constant_woe_detail(WoeBinner(min_bin_size=0.1), X, y, "flag7")
    share = (X["flag7"] == 1).mean()
    rate = y[X["flag7"] == 1].mean()
    assert detail.startswith(
        "one WOE value on every row; size: min_bin_size=0.1 merged the pre-bins into one bin"
    )
    assert f"[0.50, inf) {share:.1%} rows, {rate:.1%} bad" in detail


def test_constant_woe_says_when_pre_binning_found_no_split() -> None:
    X, y = _sample()
    detail = _constant_woe_detail(WoeBinner(min_bin_size=0.05), X, y, "flag3")
    assert detail.startswith(
        "one WOE value on every row; pre-binning found no split (min_prebin_size 0.05); pre-bins: (-inf, inf) "
    )


def test_infeasible_override_names_the_size_constraint_and_shows_the_bins() -> None:
    X, y = _sample()
    with pytest.raises(ConfigError) as error:
        WoeBinner(overrides={"flag7": {"splits": [0.5], "reason": "policy"}}, min_bin_size=0.1).fit(X, y)
    message = str(error.value)
    share = (X["flag7"] == 1).mean()
    assert message.startswith(
        f"<dict>: override for 'flag7' is infeasible: size: bins [1] hold {share:.1%} of rows, below "
        "min_bin_size=0.1; bins: (-inf, 0.50) "
    )
    assert message.endswith("Widen or regroup those bins, or lower the feature's min_bin_size")


def test_infeasible_override_names_the_trend_constraint_and_shows_the_bins() -> None:
    X, y = _sample()
    with pytest.raises(ConfigError) as error:
        WoeBinner(overrides={"falling": {"splits": [3.0, 6.0], "trend": "ascending"}}).fit(X, y)
    message = str(error.value)
    assert message.startswith(
        "<dict>: override for 'falling' is infeasible: trend: the bins' event rates are not 'ascending'; "
        "bins: (-inf, 3.00) "
    )
    assert "[6.00, inf) " in message and message.endswith("Regroup the bins or drop the override's 'trend'")


def _sources_config(tmp_path: Path, overrides: str) -> object:
    (tmp_path / "overrides.yaml").write_text(overrides)
    missing = tmp_path / "nowhere"
    return parse_config(
        {
            "card": "application",
            "name": "early",
            "data": {
                "sources": {
                    t: {"path": str(missing / f"{t}.parquet")}
                    for t in ("customers", "applications", "bureau_tradelines", "bureau_inquiries")
                }
            },
            "features": {"families": ["application", "bureau"]},
            "binning": {"overrides": str(tmp_path / "overrides.yaml")},
        }
    )


def test_overrides_are_checked_against_the_config_before_any_feature_is_built(tmp_path: Path) -> None:
    # the sources do not exist: reaching feature building would fail with a missing-file DataError instead
    config = _sources_config(tmp_path, "features:\n  bureau_typo: {trend: descending}\n")
    with pytest.raises(
        ConfigError, match=r"overrides name features the early config does not produce: \['bureau_typo'\]"
    ):
        train_card(config)
    config = _sources_config(tmp_path, "features:\n  app_channel: {splits: [1, 2]}\n")
    with pytest.raises(ConfigError, match="app_channel: feature is categorical; use 'groups', not 'splits'"):
        train_card(config)
    config = _sources_config(tmp_path, "features:\n  app_channel: {special_codes: [-9]}\n")
    with pytest.raises(ConfigError, match="app_channel: special_codes apply to numerical features only"):
        train_card(config)
