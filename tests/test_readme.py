"""README.md's "In a notebook" snippet runs as written, on the synthetic card and on a flat table."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _notebook_snippets() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## In a notebook", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def _run(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("SCORECARD_PII_KEY", "readme-test-key")
    namespace: dict = {}
    for snippet in _notebook_snippets():
        exec(compile(snippet, "README.md", "exec"), namespace)
    return namespace


def _assert_card(namespace: dict, oot_rows: bool) -> None:
    card = namespace["card"]
    points = card.scorecard.points_table_
    assert {"feature", "bin", "points"} <= set(points.columns)
    assert len(points) > 0 and points["feature"].nunique() >= 2
    assert np.isfinite(points["points"].astype(float)).all()
    assert set(card.metrics["scorecard"]) >= {"train", "test", "oot"}
    oot = card.metrics["scorecard"]["oot"]
    if oot_rows:
        assert 0.5 < oot["auc"] < 1 and oot["n"] > 0
    else:
        assert oot == {"n": 0, "bads": 0}
        assert 0.5 < card.metrics["scorecard"]["test"]["auc"] < 1


def test_snippet_found() -> None:
    (snippet,) = _notebook_snippets()
    assert 'load_config("configs/application.yaml")' in snippet and "train_card(" in snippet


def test_snippet_on_the_synthetic_card(
    small_portfolio_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "synthetic").symlink_to(small_portfolio_dir, target_is_directory=True)
    _assert_card(_run(tmp_path, monkeypatch), oot_rows=True)


def test_snippet_on_a_flat_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    n = 2_000
    income = rng.lognormal(8, 0.5, n)
    utilisation = rng.uniform(0, 1, n)
    region = rng.choice(["north", "south", "east"], n)
    logit = -2.0 - 0.8 * (np.log(income) - 8) / 0.5 + 2.0 * utilisation + (region == "east") * 0.7
    bad = rng.uniform(size=n) < 1 / (1 + np.exp(-logit))
    (tmp_path / "configs").mkdir()
    pd.DataFrame(
        {
            "id": np.arange(n),
            "income": income,
            "utilisation": utilisation,
            "region": region,
            "bad": bad.astype(int),
        }
    ).to_csv(tmp_path / "loans.csv", index=False)
    config = {
        "card": "application",
        "name": "flat",
        "data": {"flat_table": {"path": "../loans.csv", "target": "bad", "id_column": "id"}},
    }
    (tmp_path / "configs" / "application.yaml").write_text(yaml.safe_dump(config))
    namespace = _run(tmp_path, monkeypatch)
    _assert_card(namespace, oot_rows=False)
    assert set(namespace["card"].scorecard.points_table_["feature"]) <= {"income", "utilisation", "region"}
