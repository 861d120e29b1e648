"""`scorecard init --from`: the guesses on a generated flat file, the reasons printed, and a config that trains."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scorecard.cli.app import run
from scorecard.config import load_config
from scorecard.data.profile import profile_table
from scorecard.errors import DataError


def _lender_file(folder: Path, n: int = 1500) -> Path:
    rng = np.random.default_rng(5)
    util = rng.uniform(0, 1, n)
    late = rng.poisson(0.4, n).astype(int)
    late[rng.uniform(size=n) < 0.02] = 98  # "refused to answer" style code far above the counts
    months = rng.integers(1, 120, n)
    months[rng.uniform(size=n) < 0.05] = -9  # "no file" sentinel beside non-negative data
    income = rng.lognormal(8, 0.5, n).round(0).astype(object)
    income[rng.uniform(size=n) < 0.1] = "NA"
    bad = rng.uniform(size=n) < 1 / (1 + np.exp(-(-2 + 2 * util + 0.5 * np.minimum(late, 5))))
    frame = pd.DataFrame(
        {
            "loan_id": np.arange(n) + 5000,
            "opened": pd.date_range("2022-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "utilisation": util,
            "times_late": late,
            "months_on_file": months,
            "income": income,
            "region": rng.choice(["north", "south", "east"], n),
            "branch_code": "B01",
            "status": np.where(bad, "default", "paid"),
        }
    )
    path = folder / "lender_loans.csv"
    frame.to_csv(path, index=False)
    return path


def test_guesses_target_keys_dates_constants_markers_and_special_codes(tmp_path: Path) -> None:
    path = _lender_file(tmp_path)
    from scorecard.data.ingest import read_table

    prof = profile_table(read_table(path), path)
    assert (prof.target, prof.bad_value) == ("status", "default")
    assert (prof.id_column, prof.date_column) == ("loan_id", "opened")
    assert prof.features == ["utilisation", "times_late", "months_on_file", "income", "region"]
    assert prof.categorical == ["region"] and prof.null_markers == ["NA"]
    assert sorted(prof.special_codes) == [-9.0, 98.0]
    why = {g.what: g.why for g in prof.guesses}
    assert "constant" in next(g.why for g in prof.guesses if g.value == "branch_code")
    assert why["bad_value"] == "'default' reads as bad"


def test_no_target_is_one_clear_line(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": ["a", "b", "c"]})
    with pytest.raises(DataError, match=r"no target column found: .* pass --target COLUMN"):
        profile_table(frame, tmp_path / "t.csv")


@pytest.mark.slow
def test_init_writes_a_config_that_trains_as_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _lender_file(tmp_path)
    config = tmp_path / "configs" / "lender.yaml"
    assert run(["init", "--from", str(tmp_path), "--out", str(config)]) == 0
    out = capsys.readouterr().out
    assert "sentinel values outside its range" in out and "'default' reads as bad" in out
    raw = yaml.safe_load(config.read_text())
    assert raw["data"]["flat_table"]["path"] == str(path.resolve())
    assert raw["binning"]["special_codes"] == [-9.0, -1.0, 98.0]
    assert load_config(config).data.flat_table is not None
    assert run(["init", "--from", str(path), "--out", str(config)]) == 1  # never overwrites silently
    assert "exists already" in capsys.readouterr().err
    run_dir = tmp_path / "run"
    assert run(["train", "--config", str(config), "--no-track", "--run-dir", str(run_dir)]) == 0
    assert (run_dir / "trained_card.joblib").is_file()


# Per dataset: the init's guesses (target, bad value, id column, feature count, special codes), the bads the
# trained card sees, a feature the card must keep, and a test-AUC floor well under the README's reference figure.
REALDATA = {
    "german_credit/german_credit_decoded.csv": (
        ("creditability", "bad", None, 20, [-1.0]),
        (300, "status_of_existing_checking_account", 0.70),
    ),
    "taiwan_default/default_of_credit_card_clients.csv": (
        ("default.payment.next.month", 1, "ID", 23, [-1.0]),
        (6636, "PAY_0", 0.72),
    ),
    "give_me_some_credit/cs-training.csv.zip": (
        ("SeriousDlqin2yrs", 1, "column00", 10, [-1.0, 96.0, 98.0]),
        (10026, "RevolvingUtilizationOfUnsecuredLines", 0.82),
    ),
    "hmeq/hmeq.csv": (
        ("BAD", 1, None, 12, [-1.0]),
        (1189, "DEBTINC", 0.85),
    ),
}


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("relative", sorted(REALDATA))
def test_init_then_train_on_each_public_flat_dataset(
    relative: str, realdata_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue 11 done-when: `init --from FILE` then `train` on the written config, unchanged, tracked in MLflow."""
    (target, bad, id_column, n_features, special), (bads, kept, auc_floor) = REALDATA[relative]
    config = tmp_path / "card.yaml"
    assert run(["init", "--from", str(realdata_dir / relative), "--out", str(config)]) == 0
    raw = yaml.safe_load(config.read_text())
    flat = raw["data"]["flat_table"]
    assert (flat["target"], flat["bad_value"], flat.get("id_column")) == (target, bad, id_column)
    assert len(flat["features"]) == n_features and target not in flat["features"]
    assert raw["binning"]["special_codes"] == special
    capsys.readouterr()
    run_dir = tmp_path / "run"
    assert run(["train", "--config", str(config), "--run-dir", str(run_dir)]) == 0  # MLflow: the tmp store
    metrics = json.loads((run_dir / "metrics.json").read_text())["scorecard"]
    assert metrics["train"]["bads"] + metrics["test"]["bads"] == bads
    assert metrics["test"]["auc"] > auc_floor
    log = pd.read_csv(run_dir / "selection_log.csv").set_index("feature")
    assert set(log.index) == set(flat["features"]) and bool(log.loc[kept, "kept"])
    assert (run_dir / "registration.json").is_file()
