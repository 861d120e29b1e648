"""Run logging details: a failed run is marked FAILED and registers nothing; params, metrics and parity helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from scorecard.errors import BundleError
from scorecard.tracking import runs
from scorecard.tracking.store import connect
from tests.tracking.cards import card_config, modeling_table


def test_a_failed_run_is_marked_failed_and_registers_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import scorecard.bundle.export

    def broken_export(*args: object, **kwargs: object) -> None:
        raise BundleError("disk full while writing scorecard.json")

    monkeypatch.setattr(scorecard.bundle.export, "export_bundle", broken_export)
    cfg = card_config("application_scorecard")
    with pytest.raises(BundleError, match="disk full"):
        runs.train_and_log(cfg, modeling_table(n=1500))
    client: MlflowClient = connect(cfg)
    experiment = client.get_experiment_by_name("retail_application")
    assert experiment is not None
    [run] = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FAILED"
    assert run.data.params["scaling.pdo"] == "20.0"  # the config is logged before training starts
    assert client.search_registered_models() == []
    assert client.search_model_versions("name = 'application_scorecard'") == []


def test_flatten_keeps_every_leaf_as_text() -> None:
    tree = {"binning": {"max_n_bins": 8, "trends": {}, "special_codes": [-1.0]}, "name": "app", "x": None}
    assert runs.flatten(tree) == {
        "binning.max_n_bins": "8",
        "binning.trends": "{}",
        "binning.special_codes": "[-1.0]",
        "name": "app",
        "x": "null",
    }


def test_metric_items_name_model_split_metric_and_skip_non_finite() -> None:
    metrics = {"scorecard": {"oot": {"gini": 0.5, "hosmer_lemeshow_pvalue": float("nan"), "n": 460}}}
    assert dict(runs.metric_items(metrics)) == {"scorecard_oot_gini": 0.5, "scorecard_oot_n": 460.0}


def test_split_counts_by_hand() -> None:
    frame = pd.DataFrame(
        {"split": ["train", "train", "train", "oot", "excluded"], "target": [1, 0, 0, 1, np.nan]}
    )
    assert runs.split_counts(frame) == {
        "rows_train": 3.0, "bads_train": 1.0, "bad_rate_train": pytest.approx(1 / 3),
        "rows_test": 0.0, "bads_test": 0.0,
        "rows_oot": 1.0, "bads_oot": 1.0, "bad_rate_oot": 1.0,
    }  # fmt: skip


def test_parity_flags_each_kind_of_difference() -> None:
    expected = pd.DataFrame(
        {
            "score": [600, 580, 550, 530, 510],
            "pd": [0.01, 0.02, 0.03, 0.04, 0.05],
            "grade": ["A", "B", "C", "D", "E"],
            "reason_1": ["R1", "R2", "", "R1", "R3"],
            "reason_2": ["R2", "", "", "R3", "R1"],
        }
    )
    scored = {
        "score": np.array([600, 581, 550, 530, 510]),
        "pd": np.array([0.01, 0.02, 0.03 + 1e-12, 0.041, 0.05]),
        "grade": np.array(["A", "B", "C", "D", "E"], dtype=object),
        "reasons": np.array(["R1|R2", "R2", "", "R1|R3", "R1|R3"], dtype=object),
    }
    assert runs.parity_mismatches(expected, scored).tolist() == [False, True, False, True, True]
