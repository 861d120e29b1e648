"""``scorecard features build|list`` end to end on the synthetic portfolio with the repository's card configs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from scorecard.cli.app import run
from scorecard.data.schema import TABLES
from scorecard.features.catalogue import catalogue_markdown

REPO = Path(__file__).resolve().parents[2]


def _card_config(card: str, portfolio: Path, tmp_path: Path) -> Path:
    """The repository's config of ``card`` with its sources pointed at ``portfolio``."""
    raw = yaml.safe_load((REPO / "configs" / f"{card}.yaml").read_text())
    for name, source in raw["data"]["sources"].items():
        assert source["path"] == f"../data/synthetic/{name}.parquet"
        source["path"] = str(portfolio / f"{name}.parquet")
    for rule in (raw.get("policy") or {}).get("knockouts", []):  # policy files stay where the repo keeps them
        if "values_file" in rule:
            rule["values_file"] = str(REPO / "configs" / rule["values_file"])
    path = tmp_path / f"{card}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("card", ["application", "behaviour", "collection"])
def test_build_each_card_from_the_synthetic_portfolio(
    card: str, small_portfolio_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"{card}.parquet"
    assert (
        run(
            [
                "features",
                "build",
                "--config",
                str(_card_config(card, small_portfolio_dir, tmp_path)),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    for heading in ("Target", "goods", "bads", "indeterminates", "immature", "rejects", "Splits", "oot"):
        assert heading in printed
    frame = pd.read_parquet(out)
    assert {"snapshot_date", "target", "target_status", "split"} <= set(frame.columns)
    assert set(frame["split"]) <= {"train", "test", "oot", "excluded"}
    assert {"train", "test", "oot"} <= set(frame["split"])
    assert (frame.loc[frame["split"] != "excluded", "target"].isin([0.0, 1.0])).all()
    if card == "application":
        applications = pd.read_parquet(small_portfolio_dir / "applications.parquet")
        assert len(frame) == len(applications)
        declined = applications["decision"] == "declined"
        assert (frame["target_status"] == "reject").sum() >= declined.sum() > 0
    if card == "collection":
        assert len(frame) == len(pd.read_parquet(small_portfolio_dir / "collection_cases.parquet"))


def test_list_markdown_is_the_committed_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["features", "list", "--markdown"]) == 0
    printed = capsys.readouterr().out
    assert printed.strip() == catalogue_markdown().strip()
    assert (REPO / "docs" / "features.md").read_text().strip() == printed.strip(), (
        "regenerate docs/features.md"
    )


def test_list_table_for_one_card(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["features", "list", "--card", "collection"]) == 0
    printed = capsys.readouterr().out
    assert "coll_balance" in printed and "app_income" not in printed
    assert run(["features", "list", "--card", "mortgage"]) == 1
    assert (
        "--card must be one of application, behaviour, collection; got 'mortgage'" in capsys.readouterr().err
    )


def test_the_three_configs_read_every_canonical_table() -> None:
    configs = [
        yaml.safe_load((REPO / "configs" / f"{c}.yaml").read_text())
        for c in ("application", "behaviour", "collection")
    ]
    assert {name for raw in configs for name in raw["data"]["sources"]} == set(TABLES)


def test_build_from_a_flat_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "bad": ["Y", "N", "N", "N"]}).to_csv(
        tmp_path / "t.csv", index=False
    )
    raw = {
        "card": "application",
        "name": "flat_a",
        "data": {"flat_table": {"path": "t.csv", "target": "bad", "bad_value": "Y"}},
    }
    (tmp_path / "flat.yaml").write_text(yaml.safe_dump(raw))
    out = tmp_path / "out" / "flat.parquet"
    assert run(["features", "build", "--config", str(tmp_path / "flat.yaml"), "--out", str(out)]) == 0
    assert "goods" in capsys.readouterr().out
    assert pd.read_parquet(out)["target"].tolist() == [1.0, 0.0, 0.0, 0.0]


@pytest.mark.slow
def test_a_build_no_card_can_train_on_writes_nothing(
    small_portfolio_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A performance window longer than the history leaves every booked loan immature: one line, no file."""
    config = _card_config("application", small_portfolio_dir, tmp_path)
    raw = yaml.safe_load(config.read_text())
    raw["target"]["performance_months"] = 60
    raw["features"] = {"families": ["application"]}
    config.write_text(yaml.safe_dump(raw))
    out = tmp_path / "application.parquet"
    assert run(["features", "build", "--config", str(config), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "application_card: no bad row to train on (goods 0, bads 0, indeterminates 0, immature " in err
    assert (
        "the target comes from loan_performance: 30+ DPD (target.bad_dpd) within target.performance_months 60 "
        "of each row's date; a row is immature until that window has been reported; nothing written to "
    ) in " ".join(err.split())
    assert not out.exists()
