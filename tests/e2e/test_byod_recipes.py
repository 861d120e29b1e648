"""The recipes of docs/bring_your_own_data.md, cut out of the page and run against the synthetic vendor files.

Each ```yaml block starting with ``# recipe: NAME`` is a whole config. It must validate and build by config
alone on the files tests/e2e/vendor_layout.py writes, and its features must equal a pandas reading of the same
files, so the page cannot drift from the code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from scorecard.cli.app import run
from tests.e2e.vendor_layout import write_status_history, write_vendor_dump

PAGE = Path(__file__).resolve().parents[2] / "docs" / "bring_your_own_data.md"
DPD = {"X": 0, "C": 0, "0": 0, "1": 30, "2": 60, "3": 90, "4": 120, "5": 150}
pytestmark = pytest.mark.slow


def recipes() -> dict[str, str]:
    """The page's recipe blocks by name."""
    blocks = re.findall(r"```yaml\n(# recipe: [^\n]+\n.*?)```", PAGE.read_text(), re.S)
    return {block.splitlines()[0].removeprefix("# recipe: ").strip(): block for block in blocks}


@pytest.fixture(scope="module")
def vendor(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("vendor")
    facts = write_vendor_dump(folder, n=800)
    return folder, {**facts, **write_status_history(folder)}


def _build(
    name: str, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, pd.DataFrame, str]:
    """Validate and build the recipe ``name``; its config path, modeling table and validate's output."""
    config = folder / f"{name}.yaml"
    config.write_text(recipes()[name])
    assert run(["data", "validate", "--config", str(config)]) == 0
    validated = capsys.readouterr().out
    assert "All sources match their schema." in validated
    out = tmp_path / "features.parquet"
    assert run(["features", "build", "--config", str(config), "--out", str(out)]) == 0
    capsys.readouterr()
    return config, pd.read_parquet(out), validated


def test_the_page_has_the_four_recipes() -> None:
    assert sorted(recipes()) == [
        "device-events-two-sources",
        "flat-file",
        "multi-table-day-offsets",
        "status-history-b-card",
    ]


def test_flat_file_recipe_trains(
    vendor: tuple[Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, facts = vendor
    config = folder / "flat-file.yaml"
    config.write_text(recipes()["flat-file"])
    assert run(["data", "validate", "--config", str(config)]) == 0
    run_dir = tmp_path / "run"
    assert run(["train", "--config", str(config), "--run-dir", str(run_dir), "--no-track"]) == 0
    capsys.readouterr()
    metrics = json.loads((run_dir / "metrics.json").read_text())["scorecard"]
    assert metrics["train"]["bads"] + metrics["test"]["bads"] == facts["bads"]
    assert metrics["test"]["gini"] > 0.3  # the flag depends on the external score
    assert "EXT_SCORE" in pd.read_csv(run_dir / "coefficients.csv")["feature"].tolist()


def test_multi_table_recipe_with_day_offsets_and_a_ready_target(
    vendor: tuple[Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, facts = vendor
    _, frame, validated = _build("multi-table-day-offsets", folder, tmp_path, capsys)
    assert f"{facts['credits']:,}" in validated  # bureau_inquiries: each credit once, not once per export
    frame = frame.set_index("application_id")
    assert len(frame) == facts["applications"] and int(frame["target"].sum()) == facts["bads"]
    assert (frame["snapshot_date"] == pd.Timestamp("2020-01-01")).all()
    apps = pd.read_csv(folder / "applications.csv", dtype={"SK_ID_CURR": str}).set_index("SK_ID_CURR")
    assert frame["ext_score"].to_dict() == apps["EXT_SCORE"].to_dict()
    # worst status before the application month, through the code table, on each credit's latest export
    history = pd.read_csv(folder / "bureau_balance.csv.zip", dtype={"STATUS": str}).merge(
        pd.read_csv(folder / "bureau.csv").drop_duplicates("SK_ID_BUREAU"), on="SK_ID_BUREAU"
    )
    before = history[history.MONTHS_BALANCE < 0].assign(dpd=lambda h: h.STATUS.map(DPD))
    worst = before.groupby(before.SK_ID_CURR.astype(str)).dpd.max()
    assert frame.loc[worst.index, "bureau_worst_dpd_ever"].to_dict() == worst.astype(float).to_dict()


def test_status_history_recipe_builds_a_behaviour_card(
    vendor: tuple[Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, facts = vendor
    _, frame, validated = _build("status-history-b-card", folder, tmp_path, capsys)
    assert f"{facts['accounts']:,}" in validated  # the repeated account records deduplicated by QUALIFY
    # worked in pandas: observed in months 2018-07..2019-07 when reported the month before below 60 DPD;
    # bad when 60+ DPD within the observation month and the 5 after; worst DPD of the 6 months before
    status = pd.read_csv(folder / "status.csv", dtype={"ID": str, "STATUS": str})
    status["month"] = [pd.Timestamp("2020-01-01") + pd.DateOffset(months=m) for m in status.MONTHS_BALANCE]
    dpd = status.assign(dpd=status.STATUS.map(DPD)).pivot(index="ID", columns="month", values="dpd")
    expected = []
    for month in pd.date_range("2018-07-01", "2019-07-01", freq="MS"):
        before = month - pd.DateOffset(months=1)
        ahead = dpd.loc[:, month : month + pd.DateOffset(months=5)].max(axis=1)
        worst = dpd.loc[:, month - pd.DateOffset(months=6) : before].max(axis=1)
        active = dpd.index[dpd[before] < 60]
        expected.append(
            pd.DataFrame(
                {"target": (ahead[active] >= 60).astype(float), "worst_dpd_6m": worst[active].astype(float)}
            ).assign(snapshot_date=month)
        )
    want = pd.concat(expected).rename_axis("loan_id").set_index("snapshot_date", append=True).sort_index()
    got = frame.set_index(["loan_id", "snapshot_date"]).sort_index()
    assert got.index.tolist() == want.index.tolist()
    assert got["target"].tolist() == want["target"].tolist()
    assert got["worst_dpd_6m"].tolist() == want["worst_dpd_6m"].tolist()
    accounts = pd.read_csv(folder / "accounts.csv", dtype={"ID": str}).drop_duplicates("ID", keep="last")
    income = got["income"].groupby(level="loan_id").first()
    newer = accounts.set_index("ID")["AMT_INCOME_TOTAL"]  # the older copies of a repeated record hold 0
    assert income.to_dict() == newer[income.index].to_dict() and (income > 0).all()


def test_device_recipe_unions_two_event_sources(
    vendor: tuple[Path, dict[str, int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SCORECARD_PII_KEY", "recipe-test-key")
    folder, facts = vendor
    _, frame, validated = _build("device-events-two-sources", folder, tmp_path, capsys)
    assert f"{facts['device_events']:,}" in validated  # sign-ups and purchases unioned
    frame = frame.set_index("application_id")
    # worked in pandas: the flags of each customer's latest event (ties: the larger event id), either source
    signups = pd.read_csv(folder / "signup_events.csv", dtype={"customer": str})
    purchases = pd.read_json(folder / "purchase_events.jsonl", lines=True, dtype={"customer": str})
    events = pd.concat(
        [
            signups.assign(event_id="S" + signups.id.astype(str)),
            purchases.assign(event_id="P" + purchases.id.astype(str), emulator=False),
        ]
    )
    latest = events.sort_values(["days", "event_id"]).groupby("customer").last()
    flagged = (latest.emulator | latest.rooted).astype(float)
    assert frame["device_emulator_or_rooted"].to_dict() == flagged.reindex(frame.index).to_dict()
    assert frame["device_gps_province_mismatch"].isna().all()  # the vendor has no GPS
