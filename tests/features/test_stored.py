"""`features build --out` then `train --table`: the stored table round-trips and is refused for another config."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scorecard.cli.app import run
from scorecard.config import load_config
from scorecard.errors import DataError
from scorecard.features.flat import load_flat_table
from scorecard.features.stored import read_modeling_table, write_modeling_table


def _flat(tmp_path: Path, n: int = 1200, **extra: object) -> Path:
    rng = np.random.default_rng(3)
    x = rng.normal(size=n)
    kind = rng.choice(["a", "b", "c"], n)
    bad = rng.uniform(size=n) < 1 / (1 + np.exp(-(-1.5 + 1.2 * x + (kind == "c"))))
    pd.DataFrame({"loan": np.arange(n) + 100, "x": x, "kind": kind, "bad": bad.astype(int)}).to_csv(
        tmp_path / "loans.csv", index=False
    )
    raw = {
        "card": "application",
        "name": "flat_loans",
        "data": {"flat_table": {"path": "loans.csv", "target": "bad", "id_column": "loan"}},
        "challenger": {"enabled": False},
        **extra,
    }
    path = tmp_path / "card.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_round_trip_keeps_rows_and_shape(tmp_path: Path) -> None:
    cfg = load_config(_flat(tmp_path))
    table = load_flat_table(cfg)
    back = read_modeling_table(write_modeling_table(table, cfg, tmp_path / "t.parquet"), cfg)
    pd.testing.assert_frame_equal(back.frame, table.frame)
    assert (back.keys, back.features, back.categorical) == (["loan"], ["x", "kind"], ["kind"])
    assert back.target_summary == table.target_summary and back.card == "application"


def test_a_table_built_from_another_config_is_refused_in_one_line(tmp_path: Path) -> None:
    cfg = load_config(_flat(tmp_path))
    path = write_modeling_table(load_flat_table(cfg), cfg, tmp_path / "t.parquet")
    other = cfg.model_copy(update={"split": cfg.split.model_copy(update={"test_size": 0.5})})
    with pytest.raises(DataError) as err:
        read_modeling_table(path, other)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{path}: built by config 'flat_loans'")
    assert "card, data, features, target or split differ" in message and "scorecard features build" in message
    cfg.selection.min_iv = 0.1  # a modeling setting, not a build setting: the table still fits
    assert len(read_modeling_table(path, cfg).frame) == 1200


def test_a_plain_parquet_file_is_refused(tmp_path: Path) -> None:
    cfg = load_config(_flat(tmp_path))
    pd.DataFrame({"x": [1.0]}).to_parquet(tmp_path / "plain.parquet")
    with pytest.raises(DataError, match=r"plain.parquet: not written by `scorecard features build`"):
        read_modeling_table(tmp_path / "plain.parquet", cfg)
    with pytest.raises(DataError, match=r"missing.parquet: modeling table not found"):
        read_modeling_table(tmp_path / "missing.parquet", cfg)


@pytest.mark.slow
def test_build_then_train_on_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _flat(tmp_path)
    table = tmp_path / "features.parquet"
    assert run(["features", "build", "--config", str(config), "--out", str(table)]) == 0
    run_dir = tmp_path / "run"
    argv = ["train", "--config", str(config), "--table", str(table), "--run-dir", str(run_dir), "--no-track"]
    assert run(argv) == 0
    out = capsys.readouterr().out
    assert "features" in out and "given table: 1,200 modeling rows" in out
    assert json.loads((run_dir / "run.json").read_text())["features"]
    splits = pd.read_csv(run_dir / "splits.csv")
    assert len(splits) == 1200 and splits["loan"].tolist() == list(range(100, 1300))
    assert set(splits["split"]) == {"train", "test"}  # no date column: no out-of-time sample

    raw = yaml.safe_load(config.read_text())
    raw["data"]["flat_table"]["bad_value"] = 0  # another target definition: the stored table no longer fits
    config.write_text(yaml.safe_dump(raw))
    assert run([*argv[:-2], str(tmp_path / "refused"), "--no-track"]) == 1
    err = capsys.readouterr().err
    assert "built by config 'flat_loans'" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "refused").exists()
