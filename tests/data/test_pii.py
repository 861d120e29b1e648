"""PII never travels past ingestion: dropped or keyed-hashed, and no seeded PII string reaches a written file."""

from __future__ import annotations

import gzip
import hashlib
import hmac
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tests.pii_guard import assert_no_pii, find_pii
from tests.raw_tables import N_ROWS, raw_tables, sources_config, write_tables

from scorecard.config import DataConfig, PiiConfig, parse_config
from scorecard.data.ingest import load_sources, validate_sources
from scorecard.data.pii import apply_pii, hmac_sql, keyed_hash, pii_actions
from scorecard.data.schema import TABLES
from scorecard.data.synth import write_portfolio
from scorecard.errors import ConfigError

KEY = "test-only-pii-key"
SECRETS = {
    "customers.full_name": [f"Zebulon Quackenbush-{k}7741" for k in range(N_ROWS)],
    "customers.national_id": [f"NID-SEED-91827364{k}" for k in range(N_ROWS)],
    "customers.mobile_phone": [f"+99 555 0199 31{k}" for k in range(N_ROWS)],
    "customers.bank_card_number": [f"40001234123412{k:02d}" for k in range(N_ROWS)],
    "device_events.device_id": [
        "dev-SEED-ffee-0",
        "dev-SEED-ffee-0",
        *[f"dev-SEED-ffee-{k}" for k in range(2, N_ROWS)],
    ],
    "device_events.ip": [f"203.0.113.{70 + k}" for k in range(N_ROWS)],
}


def _hmac(value: str, key: str = KEY) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def raw(tmp_path: Path) -> dict[str, Path]:
    """A raw portfolio with known PII, as Parquet files."""
    return write_tables(raw_tables(secrets=SECRETS), tmp_path / "raw")


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_PII_KEY", KEY)


def test_declared_actions_drop_names_and_cards_and_hash_ids(raw: dict[str, Path]) -> None:
    tables = load_sources(DataConfig.model_validate(sources_config(raw)))
    customers, devices = tables["customers"], tables["device_events"]
    assert "full_name" not in customers and "bank_card_number" not in customers
    assert customers["national_id"].tolist() == [_hmac(v) for v in SECRETS["customers.national_id"]]
    assert customers["mobile_phone"].tolist() == [_hmac(v) for v in SECRETS["customers.mobile_phone"]]
    assert devices["device_id"].tolist() == [_hmac(v) for v in SECRETS["device_events.device_id"]]
    assert devices["device_id"][0] == devices["device_id"][1]  # a shared device stays countable
    assert devices["ip"].tolist() == [_hmac(v) for v in SECRETS["device_events.ip"]]


def test_hash_list_overrides_the_declared_actions(raw: dict[str, Path]) -> None:
    data = DataConfig.model_validate(sources_config(raw, pii={"hash": ["customers.full_name"]}))
    customers = load_sources(data, required=["customers", "device_events"])["customers"]
    assert customers.columns.tolist()[:2] == ["customer_id", "full_name"]
    assert "national_id" not in customers and "mobile_phone" not in customers
    assert customers["full_name"].tolist() == [_hmac(v) for v in SECRETS["customers.full_name"]]
    assert pii_actions(data.pii, ["device_events"]) == {
        ("device_events", "device_id"): "drop",
        ("device_events", "ip"): "drop",
    }


def test_missing_key_is_a_clear_config_error(raw: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCORECARD_PII_KEY")
    data = DataConfig.model_validate(sources_config(raw, pii={"key_env": "BANK_PII_KEY"}))
    with pytest.raises(
        ConfigError, match="environment variable BANK_PII_KEY is not set, but PII columns are configured"
    ):
        load_sources(data)
    (problem,) = validate_sources(data).problems  # validation catches what the load would stop on
    assert (problem.kind, problem.source) == ("config", "data.pii.key_env")
    assert problem.message.startswith("data.pii.key_env: environment variable BANK_PII_KEY is not set")
    dropped = DataConfig.model_validate(sources_config(raw, pii={"key_env": "BANK_PII_KEY", "hash": []}))
    assert "national_id" not in load_sources(dropped)["customers"]


def test_hash_entries_must_be_pii_columns() -> None:
    card = {"card": "application", "name": "x", "data": {"sources": {"customers": {"path": "c.csv"}}}}
    for entry, why in (
        ("customers.city", "is not a PII column"),
        ("clients.full_name", "is not a canonical 'table.column'"),
    ):
        with pytest.raises(ConfigError, match=f"pii.hash entry '{entry}' {why}"):
            parse_config({**card, "data": {**card["data"], "pii": {"hash": [entry]}}})


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"long key " * 20])
def test_keyed_hash_is_hmac_sha256_and_keeps_nulls(key: bytes) -> None:
    values = pd.Series(["a", None, "a", "ü-ñ", "1234"], index=[10, 11, 12, 13, 14])
    hashed = keyed_hash(values, key)
    expected = [None if v is None else hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values]
    assert hashed.tolist() == expected and hashed.index.tolist() == values.index.tolist()


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"long key " * 20])
def test_hmac_in_duckdb_gives_the_digests_of_keyed_hash(key: bytes) -> None:
    values = ["a", None, "a", "ü-ñ", "1234", "", "it's"]
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT {hmac_sql('v', key)} FROM unnest(?) WITH ORDINALITY AS t(v, i) ORDER BY i", [values]
        )
        hashed = [r[0] for r in rows.fetchall()]
    assert hashed == keyed_hash(pd.Series(values, dtype=object), key).tolist()


def test_apply_pii_leaves_its_input_unchanged() -> None:
    customers = raw_tables(secrets=SECRETS)["customers"]
    before = customers.copy()
    out = apply_pii({"customers": customers}, PiiConfig())
    pd.testing.assert_frame_equal(customers, before)
    assert "full_name" not in out["customers"]


def test_pii_guard_catches_a_leak(tmp_path: Path) -> None:
    """The guard itself must be able to fail: the raw files do hold the secrets (even inside compressed Parquet)."""
    raw = write_tables(raw_tables(secrets=SECRETS), tmp_path, "parquet")
    secret = SECRETS["customers.full_name"][3]
    assert find_pii([tmp_path], [secret]) == {raw["customers"]: [secret]}
    with pytest.raises(AssertionError, match="PII found downstream"):
        assert_no_pii([tmp_path], [secret])


def test_pii_guard_sees_through_chunks_utf16_and_gzip(tmp_path: Path) -> None:
    filler = bytes(range(256)) * 40_000  # ~10 MB: the first secret straddles the guard's 8 MiB chunk boundary
    (tmp_path / "model.bin").write_bytes(filler[: (1 << 23) - 5] + b"Zebulon Quackenbush" + filler)
    (tmp_path / "report.txt").write_bytes("NID-SEED-000001".encode("utf-16-le"))
    (tmp_path / "scores.csv.gz").write_bytes(gzip.compress(b"id,phone\n1,+99 555 0199 310\n"))
    secrets = ["Zebulon Quackenbush", "NID-SEED-000001", "+99 555 0199 310", "never-written-1"]
    assert find_pii([tmp_path], secrets) == {
        tmp_path / "model.bin": ["Zebulon Quackenbush"],
        tmp_path / "report.txt": ["NID-SEED-000001"],
        tmp_path / "scores.csv.gz": ["+99 555 0199 310"],
    }


def test_no_seeded_pii_reaches_any_file_written_downstream(
    small_portfolio: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """Run every step that exists after ingestion on the synthetic portfolio and search all it wrote for PII.

    Seeded strings replace the first rows' PII; a sample of the generator's own PII values is searched too.
    Extend ``out`` with each later stage (features, trained card, bundle, reports, MLflow store).
    """
    raw = {name: frame.copy() for name, frame in small_portfolio.items()}
    for column, values in SECRETS.items():
        table, name = column.split(".")
        raw[table].loc[: len(values) - 1, name] = values
    generated = [  # long enough that a match cannot be a coincidence
        v
        for table, name in pii_actions(PiiConfig(), TABLES)
        for v in raw[table][name].dropna().astype(str).iloc[N_ROWS:].drop_duplicates().head(20)
        if len(v) >= 8
    ]
    data = DataConfig.model_validate(sources_config(write_portfolio(raw, tmp_path / "raw")))

    out = tmp_path / "downstream"
    out.mkdir()
    (out / "validation.txt").write_text(validate_sources(data).format())
    for name, frame in load_sources(data).items():
        frame.to_parquet(out / f"{name}.parquet", index=False)
        if name in ("customers", "device_events"):  # the tables that held PII, also as compressed text
            frame.to_csv(out / f"{name}.csv.gz", index=False)
    secrets = [v for values in SECRETS.values() for v in values] + generated
    assert len(generated) > 100
    assert_no_pii([out], secrets)
