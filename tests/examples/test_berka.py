"""The Berka example card (configs/examples/berka) from the raw .asc files by config alone."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from scorecard.cli.app import run

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "configs" / "examples" / "berka" / "application.yaml"
TRANSACTIONS = "trans_partial_first_49102_rows.asc.gz"
REALDATA = os.environ["SCORECARD_REALDATA"]  # tests/conftest.py defaults it to ../shared/data
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (Path(REALDATA) / "berka" / "loan.asc").is_file(),
        reason=f"needs the public datasets: no berka/ in {REALDATA} (set SCORECARD_REALDATA)",
    ),
]


def _asc(name: str) -> pd.DataFrame:
    return pd.read_csv(Path(REALDATA) / "berka" / f"{name}.asc", sep=";", dtype=str)


def test_berka_validates_builds_trains_and_exports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["data", "validate", "--config", str(CONFIG)]) == 0
    features = tmp_path / "features.parquet"
    assert run(["features", "build", "--config", str(CONFIG), "--out", str(features)]) == 0
    capsys.readouterr()
    frame = pd.read_parquet(features).set_index("application_id")
    loans = _asc("loan").set_index("loan_id")
    assert len(frame) == 682
    assert frame["target"].to_dict() == loans["status"].isin(["B", "D"]).astype(float).to_dict()
    # cards: only those issued strictly before the loan date count (worked in pandas)
    cards = (
        _asc("card")
        .rename(columns={"type": "card_type"})
        .merge(_asc("disp"), on="disp_id")
        .merge(loans.reset_index(), on="account_id")
    )
    issued = pd.to_datetime(cards.issued.str[:6], format="%y%m%d")
    granted = pd.to_datetime(cards.date, format="%y%m%d")
    assert int((issued >= granted).sum()) == 134  # the point-in-time trap of the extract
    before = cards[issued < granted].groupby("loan_id").size().reindex(frame.index, fill_value=0)
    assert frame["cards_before_loan"].astype(int).to_dict() == before.to_dict()
    gold = cards[(issued < granted) & cards.card_type.eq("gold")].groupby("loan_id").size()
    assert (
        frame["gold_cards_before_loan"].astype(int).to_dict()
        == gold.reindex(frame.index, fill_value=0).to_dict()
    )
    # birth number: women have 50 added to the month
    owners = _asc("disp").query("type == 'OWNER'").merge(_asc("client"), on="client_id")
    women = owners.birth_number.str[2:4].astype(int) > 50
    gender = pd.Series(women.map({True: "F", False: "M"}).to_numpy(), index=owners.account_id)
    assert frame["owner_gender"].to_dict() == loans["account_id"].map(gender).to_dict()
    # district '?' markers read as missing: district 69 has no 1995 unemployment rate
    district = loans["account_id"].map(_asc("account").set_index("account_id")["district_id"])
    assert frame["district_unemployment_95"].isna().to_dict() == (district == "69").to_dict()

    # the partial transaction piece, its cut-off last line dropped: only rows strictly before the loan date,
    # the 90-day window counted back from it
    lines = gzip.decompress((Path(REALDATA) / "berka" / TRANSACTIONS).read_bytes()).decode().splitlines()
    tx = pd.read_csv(io.StringIO("\n".join(lines[:-1])), sep=";", dtype=str)
    assert len(tx) == 49_102
    tx = tx.merge(
        loans.reset_index()[["loan_id", "account_id", "date"]], on="account_id", suffixes=("", "_loan")
    )
    tx["when"], tx["granted"] = (pd.to_datetime(tx[c], format="%y%m%d") for c in ("date", "date_loan"))
    before = tx[tx.when < tx.granted]
    recent = before[before.when >= before.granted - pd.Timedelta(days=90)]
    history = before.groupby("loan_id")
    counted = recent.groupby("loan_id").size().reindex(list(history.groups), fill_value=0)
    assert frame["transactions_90d"].dropna().astype(int).to_dict() == counted.to_dict()
    penalties = history.k_symbol.apply(lambda k: int((k == "SANKC. UROK").sum()))
    assert frame["penalty_interest_count"].dropna().astype(int).to_dict() == penalties.to_dict()
    assert len(penalties) == 160  # loans the piece reaches; the others' transaction features are missing

    run_dir = tmp_path / "run"
    assert run(["train", "--config", str(CONFIG), "--run-dir", str(run_dir), "--no-track"]) == 0
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["scorecard"]["train"]["bads"] + metrics["scorecard"]["test"]["bads"] == 76
    assert metrics["scorecard"]["test"]["auc"] > 0.7  # 205 test rows, 23 bads: a floor, not a quality claim
    log = pd.read_csv(run_dir / "selection_log.csv").set_index("feature")
    assert {"cards_before_loan", "gold_cards_before_loan", "months_since_card"} <= set(log.index)
    assert bool(log.loc["loan_amount", "kept"])
    assert "loan_amount" in pd.read_csv(run_dir / "coefficients.csv")["feature"].tolist()
    assert run(["export", "--run", str(run_dir), "--out", str(tmp_path / "bundle")]) == 0
    assert (tmp_path / "bundle" / "manifest.json").is_file()
