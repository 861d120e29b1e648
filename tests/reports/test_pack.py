"""The documentation pack on a card trained on the small synthetic portfolio: every section, numbers read from
the run's records, a PDF, and both HTML documents (pack and monitoring report) in a real browser."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from scorecard.bundle.export import export_bundle, record_policy_strategy
from scorecard.cli.app import run as cli
from scorecard.monitoring.run import monitor
from scorecard.reports.pack import SECTIONS, build_pack, write_pack
from tests.bundle.conftest import portfolio_card
from tests.reports.browser import MONITORING_HEADINGS, assert_shown_whole, chromium

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pack")]


@pytest.fixture(scope="module")
def trained(small_portfolio: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    run_dir = tmp_path_factory.mktemp("pack_run")
    card = portfolio_card(small_portfolio, "application", challenger=True)
    card.save(run_dir)
    record_policy_strategy(card)
    return card, run_dir


@pytest.fixture(scope="module")
def documents(trained: tuple[Any, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    card, run_dir = trained
    out = tmp_path_factory.mktemp("documents")
    pack = out / "pack.html"
    assert cli(["report", "--run", str(run_dir), "--out", str(pack)]) == 0
    frame = card.table.frame
    bundle = export_bundle(card, out / "bundle", created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    result = monitor(
        card.config,
        frame[frame["split"] == "oot"],
        frame[frame["split"] == "train"],
        bundle,
        out / "monitoring",
        drift=False,
    )
    return {"pack": pack, "monitoring": result.paths["html"]}


def test_pack_has_every_section_and_the_recorded_numbers(
    trained: tuple[Any, Path], documents: dict[str, Path]
) -> None:
    card, run_dir = trained
    html = documents["pack"].read_text()
    headings = re.findall(r"<h2 id='s\d+'>(.*?)</h2>", html)
    assert headings == [f"{i}. {s}" for i, s in enumerate(SECTIONS, 1)]
    summary = card.table.target_summary
    assert f"<td>rejects (rows)</td>\n      <td>{summary['rejects']}</td>" in html
    waterfall = pd.read_csv(run_dir / "sample" / "waterfall.csv")
    assert waterfall["remaining"].iloc[-1] == card.table.frame["split"].isin(["train", "test", "oot"]).sum()
    assert f"<td>{waterfall['excluded'].iloc[1]}</td>" in html  # the rejects' exclusion step, as recorded
    for feature in card.features:
        assert f"<h3>{feature} (in the card)</h3>" in html
    assert "utilisation bands used by credit policy" in html  # the override's reason, from the overrides file
    for title in (
        "Cut-off table",
        "Knock-out rates by rule",
        "Distribution of granted credit limits",
        "expected loss by grade",
    ):
        assert title in html
    gini = card.metrics["scorecard"]["oot"]["gini"]
    assert f"{gini:.4f}" in html
    assert "<script" not in html and not re.search(r"(src|href)=['\"]https?:", html)
    assert html.count("<td></td><td></td><td></td><td></td>") == 4  # a blank sign-off row per signer


def test_pack_as_pdf(trained: tuple[Any, Path], tmp_path: Path) -> None:
    pytest.importorskip("weasyprint", reason="WeasyPrint is not installed")
    try:
        written = write_pack(build_pack(trained[1]), tmp_path / "pack.html", pdf=True)
    except Exception as exc:  # pango missing: the system package `make system` installs
        pytest.skip(f"WeasyPrint cannot render here (pango missing? run `make system`): {exc}")
    assert written[1].read_bytes()[:5] == b"%PDF-" and written[1].stat().st_size > 50_000


@pytest.mark.skipif(
    chromium() is None, reason="Chromium is not installed (run `make system` as root with apt-get)"
)
@pytest.mark.parametrize("document", ["pack", "monitoring"])
def test_documents_in_a_real_browser(documents: dict[str, Path], document: str, tmp_path: Path) -> None:
    pack_headings = [f"{i}. {s}" for i, s in enumerate(SECTIONS, 1)]
    expected = pack_headings if document == "pack" else MONITORING_HEADINGS
    assert_shown_whole(documents[document], tmp_path / f"{document}.png", expected)
