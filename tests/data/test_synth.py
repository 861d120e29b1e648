"""The synthetic portfolio: schema, keys, reproducibility, dates, PII formats and the intended risk signal.

Signal checks recompute point-in-time features from the written tables with plain pandas (independently of
the generator's internals) and fit a WOE logistic regression with scikit-learn.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from scorecard.data.schema import TABLES
from scorecard.data.synth import (
    DRIFT_START,
    DRIFTED_RELATIONSHIP,
    synthesize,
    synthesize_chunks,
    write_portfolio,
    write_synthetic,
)
from scorecard.errors import ConfigError

DTYPES = {
    "string": "object",
    "int": "int64",
    "float": "float64",
    "bool": "bool",
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns]",
}
START, APPS_END, LAST_MONTH = (
    pd.Timestamp("2022-01-01"),
    pd.Timestamp("2025-01-01"),
    pd.Timestamp("2025-12-01"),
)
DRIFT = pd.Timestamp(DRIFT_START)

Tables = dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def portfolio() -> Tables:
    """A 20k-application portfolio, enough for stable bad rates and a Gini."""
    return synthesize(20_000, seed=3)


@pytest.fixture(scope="module")
def all_features(portfolio: Tables) -> pd.DataFrame:
    """Point-in-time features of every application, approved or not."""
    return application_features(portfolio)


@pytest.fixture(scope="module")
def features(portfolio: Tables, all_features: pd.DataFrame) -> pd.DataFrame:
    """Features and the 12-month bad flag of booked loans with a full performance window."""
    return all_features.join(bad_12m(portfolio).rename("bad"), how="inner")


# ---------------------------------------------------------------- independent point-in-time feature calc


def application_features(t: Tables) -> pd.DataFrame:
    """Features as of each application date: nothing dated after it may leak in."""
    apps = t["applications"].merge(t["customers"], on="customer_id")
    apps["age"] = (apps["application_date"] - apps["birth_date"]).dt.days / 365.25
    apps["dti"] = apps["requested_amount"] / apps["requested_term"] / apps["income"]
    key = apps[["application_id", "customer_id", "application_date"]]

    tl = key.merge(t["bureau_tradelines"], on="customer_id")
    tl = tl[tl["report_date"] <= tl["application_date"]].sort_values("report_date")
    tl = tl.groupby(["application_id", "tradeline_id"]).tail(1)
    tl["open"] = tl["closed_date"].isna()
    g = tl.groupby("application_id")
    bureau = pd.DataFrame(
        {
            "n_open": g["open"].sum(),
            "util": g["balance"].sum() / g["credit_limit"].sum(),
            "worst_dpd": g["worst_dpd"].max(),
            "file_months": (g["application_date"].first() - g["open_date"].min()).dt.days / 30.4,
        }
    )
    iq = key.merge(t["bureau_inquiries"], on="customer_id")
    days = (iq["application_date"] - iq["inquiry_date"]).dt.days
    inq = pd.DataFrame(
        {
            "inq_3m": iq[(days > 0) & (days <= 90)].groupby("application_id").size(),
            "lenders_6m": iq[(days > 0) & (days <= 182)].groupby("application_id")["lender"].nunique(),
            "n_inq_before": iq[days > 0].groupby("application_id").size(),
        }
    )
    ev = t["device_events"]
    at_app = ev[ev["application_id"].notna()][
        ["application_id", "device_id", "event_time", "is_emulator", "is_rooted", "gps_province"]
    ]
    seen = ev[["device_id", "customer_id", "event_time"]].rename(columns={"event_time": "seen"})
    pairs = at_app.merge(seen, on="device_id")
    pairs = pairs[pairs["seen"] <= pairs["event_time"]]
    shared = pairs.groupby("application_id")["customer_id"].nunique().rename("device_customers")

    f = (
        apps.set_index("application_id")
        .join(bureau)
        .join(inq)
        .join(at_app.set_index("application_id"))
        .join(shared)
    )
    counts = ["inq_3m", "lenders_6m", "n_inq_before"]
    f[counts] = f[counts].fillna(0)
    f["no_file"] = f["n_open"].isna() & (f["n_inq_before"] == 0)
    f.loc[f["no_file"], ["n_open", "util", "worst_dpd", "file_months"]] = -1
    f["gps_mismatch"] = f["gps_province"].notna() & (f["gps_province"] != f["declared_province"])
    return f


def bad_12m(t: Tables, months: int = 12, bad_dpd: int = 30) -> pd.Series:
    """1 when a booked loan reached ``bad_dpd`` within ``months`` of booking (loans with a full window only)."""
    apps = t["applications"].dropna(subset=["loan_id"])
    perf = t["loan_performance"].merge(apps[["loan_id", "application_id", "application_date"]], on="loan_id")
    k = (perf["month"].dt.year - perf["application_date"].dt.year) * 12 + (
        perf["month"].dt.month - perf["application_date"].dt.month
    )
    window = perf[(k >= 1) & (k <= months)].groupby("application_id")["dpd"].agg(["size", "max"])
    window = window[window["size"] == months]
    return (window["max"] >= bad_dpd).astype(int)


NUMERIC = [
    "age",
    "income",
    "dti",
    "employment_years",
    "n_open",
    "util",
    "worst_dpd",
    "file_months",
    "inq_3m",
    "lenders_6m",
    "device_customers",
]
CATEGORICAL = [
    "employment_type",
    "education",
    "housing",
    "channel",
    "product",
    "is_emulator",
    "is_rooted",
    "gps_mismatch",
]


def woe_gini(d: pd.DataFrame, seed: int = 0) -> float:
    """Test Gini of a logistic regression on decile-binned WOE features (missing and -1 kept as own bins)."""
    is_test = np.random.default_rng(seed).random(len(d)) < 0.3
    train, test = d[~is_test], d[is_test]
    x_train, x_test = pd.DataFrame(index=train.index), pd.DataFrame(index=test.index)
    for col in NUMERIC + CATEGORICAL:
        if col in NUMERIC:
            valid = train[col][train[col] >= 0]
            edges = np.unique(np.nanquantile(valid, np.linspace(0, 1, 11)[1:-1]))

            def label(s: pd.Series, edges: np.ndarray = edges) -> pd.Series:
                b = np.digitize(s.fillna(0), edges).astype(float)
                b[(s < 0).to_numpy()] = -1
                b[s.isna().to_numpy()] = -2
                return pd.Series(b, index=s.index)
        else:

            def label(s: pd.Series) -> pd.Series:
                return s.astype(str)

        stats = (
            pd.DataFrame({"b": label(train[col]), "y": train["bad"]}).groupby("b")["y"].agg(["sum", "count"])
        )
        bad, good = stats["sum"] + 0.5, stats["count"] - stats["sum"] + 0.5
        woe = np.log((good / good.sum()) / (bad / bad.sum()))
        x_train[col] = label(train[col]).map(woe).fillna(0.0)
        x_test[col] = label(test[col]).map(woe).fillna(0.0)
    model = LogisticRegression(max_iter=1000).fit(x_train, train["bad"])
    return 2 * roc_auc_score(test["bad"], model.predict_proba(x_test)[:, 1]) - 1


def luhn_ok(number: str) -> bool:
    """Textbook Luhn check, one string at a time (independent of the generator's vectorised version)."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# ---------------------------------------------------------------- structure


def test_every_canonical_table_has_exactly_its_schema_columns_and_dtypes(small_portfolio: Tables) -> None:
    assert set(small_portfolio) == set(TABLES)
    for name, schema in TABLES.items():
        frame = small_portfolio[name]
        assert list(frame.columns) == schema.column_names, name
        for col in schema.columns:
            expected = "Int64" if col.dtype == "int" and col.nullable else DTYPES[col.dtype]
            assert str(frame[col.name].dtype) == expected, f"{name}.{col.name}"
            if not col.nullable:
                assert frame[col.name].notna().all(), f"{name}.{col.name} has nulls"
            if col.allowed or col.examples:
                assert set(frame[col.name].dropna()) <= set(col.allowed or col.examples or ()), (
                    f"{name}.{col.name}"
                )
            if col.min is not None:
                assert (frame[col.name].dropna() >= col.min).all(), f"{name}.{col.name}"
            if col.max is not None:
                assert (frame[col.name].dropna() <= col.max).all(), f"{name}.{col.name}"


def test_keys_are_unique_and_references_resolve(small_portfolio: Tables) -> None:
    t = small_portfolio
    for name, schema in TABLES.items():
        assert not t[name].duplicated(list(schema.key)).any(), name
    customers = set(t["customers"]["customer_id"])
    for name in ("applications", "bureau_tradelines", "bureau_inquiries", "device_events"):
        assert set(t[name]["customer_id"]) <= customers, name
    loans = set(t["applications"]["loan_id"].dropna())
    assert set(t["loan_performance"]["loan_id"]) == loans
    assert set(t["collection_cases"]["loan_id"]) <= loans
    assert set(t["device_events"]["application_id"].dropna()) == set(t["applications"]["application_id"])


@pytest.mark.parametrize("n", [1, 7, 3_000])
def test_sizes(n: int) -> None:
    t = synthesize(n, seed=1)
    assert len(t["applications"]) == n
    assert 1 <= len(t["customers"]) <= n
    per_loan = t["loan_performance"].groupby("loan_id").size()
    assert per_loan.between(12, 24).all()
    assert (t["device_events"]["application_id"].notna().sum()) == n


def test_policy_declines_some_and_not_every_approved_loan_is_taken_up(small_portfolio: Tables) -> None:
    apps = small_portfolio["applications"]
    approved = apps["decision"] == "approved"
    assert 0.5 < approved.mean() < 0.9
    assert apps.loan_id[~approved].isna().all()
    assert 0.8 < apps.loan_id[approved].notna().mean() < 0.95


def test_rejects_look_riskier_than_approved(all_features: pd.DataFrame) -> None:
    declined = all_features["decision"] == "declined"
    assert all_features.loc[declined, "inq_3m"].mean() > 1.5 * all_features.loc[~declined, "inq_3m"].mean()
    assert (all_features.loc[declined, "worst_dpd"] >= 60).mean() > 3 * (
        all_features.loc[~declined, "worst_dpd"] >= 60
    ).mean()
    assert all_features.loc[declined, "age"].lt(21).mean() > all_features.loc[~declined, "age"].lt(21).mean()


def test_invalid_arguments_raise_config_errors() -> None:
    with pytest.raises(ConfigError, match="n_applications must be between 1"):
        synthesize(0)
    with pytest.raises(ConfigError, match="n_applications must be an integer"):
        synthesize(2.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="seed must be a non-negative integer"):
        synthesize(10, seed=-1)


# ---------------------------------------------------------------- reproducibility


def _digests(paths: dict[str, Path]) -> dict[str, str]:
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in paths.items()}


def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first = _digests(write_portfolio(synthesize(800, seed=5), tmp_path / "a"))
    second = _digests(write_portfolio(synthesize(800, seed=5), tmp_path / "b"))
    other = _digests(write_portfolio(synthesize(800, seed=6), tmp_path / "c"))
    assert first == second
    assert set(first) == set(TABLES)
    assert all(first[name] != other[name] for name in first)


def test_written_parquet_reads_back_equal(small_portfolio: Tables, small_portfolio_dir: Path) -> None:
    for name, frame in small_portfolio.items():
        pd.testing.assert_frame_equal(pd.read_parquet(small_portfolio_dir / f"{name}.parquet"), frame)


# ---------------------------------------------------------------- dates


def test_application_dates_span_36_months_and_performance_stops_at_the_horizon(portfolio: Tables) -> None:
    dates = portfolio["applications"]["application_date"]
    assert dates.min() >= START and dates.max() < APPS_END
    assert dates.dt.to_period("M").nunique() == 36
    assert portfolio["applications"]["application_date"].is_monotonic_increasing
    month = portfolio["loan_performance"]["month"]
    assert month.max() == LAST_MONTH and (month.dt.day == 1).all()
    assert (portfolio["bureau_tradelines"]["report_date"] < LAST_MONTH + pd.DateOffset(months=1)).all()
    assert (portfolio["device_events"]["event_time"] < LAST_MONTH + pd.DateOffset(months=1)).all()
    assert (portfolio["device_events"]["event_time"] >= START - pd.Timedelta(days=31)).all()


def _relative_to_application(t: Tables, table: str, date_col: str, on: str = "customer_id") -> pd.Series:
    apps = t["applications"].drop_duplicates(on)[[on, "application_date"]].dropna()
    rows = t[table].merge(apps, on=on)
    return (rows[date_col] - rows["application_date"]).dt.days


@pytest.mark.parametrize(
    ("table", "date_col", "on"),
    [
        ("bureau_tradelines", "report_date", "customer_id"),
        ("bureau_inquiries", "inquiry_date", "customer_id"),
        ("device_events", "event_time", "customer_id"),
    ],
)
def test_dated_records_exist_before_and_after_applications(
    small_portfolio: Tables, table: str, date_col: str, on: str
) -> None:
    days = _relative_to_application(small_portfolio, table, date_col, on)
    assert (days < 0).mean() > 0.1
    assert (days > 0).mean() > 0.1


def test_performance_and_cases_are_dated_after_booking(small_portfolio: Tables) -> None:
    days = _relative_to_application(small_portfolio, "loan_performance", "month", "loan_id")
    assert (days > 0).all()
    days = _relative_to_application(small_portfolio, "collection_cases", "entry_date", "loan_id")
    assert (days > 0).all()


def test_tradeline_states_never_reveal_the_future(small_portfolio: Tables) -> None:
    tl = small_portfolio["bureau_tradelines"].sort_values(["tradeline_id", "report_date"])
    assert (tl["open_date"] <= tl["report_date"]).all()
    assert (tl["closed_date"].dropna() <= tl.loc[tl["closed_date"].notna(), "report_date"]).all()
    assert (
        tl["last_delinquency_date"].dropna() <= tl.loc[tl["last_delinquency_date"].notna(), "report_date"]
    ).all()
    assert (tl.groupby("tradeline_id")["worst_dpd"].diff().dropna() >= 0).all()
    assert (tl.loc[tl["closed_date"].notna(), "balance"] == 0).all()


def test_customers_without_a_bureau_file_exist(features: pd.DataFrame) -> None:
    assert 0.04 < features["no_file"].mean() < 0.25


# ---------------------------------------------------------------- PII


def test_pii_formats(small_portfolio: Tables) -> None:
    c = small_portfolio["customers"]
    cards = c["bank_card_number"]
    assert cards.str.fullmatch(r"(4000|5100)\d{12}").all()
    assert all(luhn_ok(n) for n in cards)
    assert not luhn_ok(cards.iloc[0][:-1] + str((int(cards.iloc[0][-1]) + 1) % 10))
    assert c["national_id"].str.fullmatch(r"\d{14}").all() and c["national_id"].is_unique
    assert all(luhn_ok(n) for n in c["national_id"])
    assert (c["national_id"].str[:6] == c["birth_date"].dt.strftime("%y%m%d")).all()
    assert c["mobile_phone"].str.fullmatch(r"\+9997\d{8}").all()
    assert c["full_name"].map(lambda s: bool(re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", s))).all()
    assert small_portfolio["device_events"]["ip"].str.fullmatch(r"(\d{1,3}\.){3}\d{1,3}").all()


# ---------------------------------------------------------------- loan performance and collections


def test_dpd_moves_by_30_when_unpaid_and_cures_when_paid(small_portfolio: Tables) -> None:
    perf = small_portfolio["loan_performance"].sort_values(["loan_id", "month"])
    previous = perf.groupby("loan_id")["dpd"].shift(fill_value=0)
    missed = perf["amount_paid"] < perf["amount_due"]
    expected = np.where(missed, previous + 30, 0)
    np.testing.assert_array_equal(perf["dpd"].to_numpy(), expected)
    assert perf["dpd"].max() >= 90


def test_collection_cases_are_the_delinquency_entries(small_portfolio: Tables) -> None:
    perf = small_portfolio["loan_performance"].sort_values(["loan_id", "month"])
    previous = perf.groupby("loan_id")["dpd"].shift(fill_value=0)
    entries = perf[(previous == 0) & (perf["dpd"] > 0)][["loan_id", "month"]]
    cases = small_portfolio["collection_cases"]
    case_months = cases.assign(month=cases["entry_date"].dt.to_period("M").dt.to_timestamp())[
        ["loan_id", "month"]
    ]
    pd.testing.assert_frame_equal(
        entries.sort_values(["loan_id", "month"]).reset_index(drop=True),
        case_months.sort_values(["loan_id", "month"]).reset_index(drop=True),
    )
    assert (cases["entry_date"].dt.day == cases["dpd_at_entry"]).all()


def _cases_with_cure(t: Tables) -> pd.DataFrame:
    """Each case with its cure flag read from loan_performance: dpd 0 in the month after entry."""
    perf = t["loan_performance"]
    cases = t["collection_cases"].assign(
        month=lambda c: c["entry_date"].dt.to_period("M").dt.to_timestamp() + pd.DateOffset(months=1)
    )
    merged = cases.merge(perf[["loan_id", "month", "dpd"]], on=["loan_id", "month"], how="inner")
    merged["history"] = merged.groupby("loan_id").cumcount()
    return merged.assign(cured=(merged["dpd"] == 0).astype(int))


def test_collection_outcome_depends_on_case_features(portfolio: Tables) -> None:
    cases = _cases_with_cure(portfolio)
    assert len(cases) > 1_000
    assert 0.2 < cases["cured"].mean() < 0.8
    assert (
        cases.loc[cases["promise_to_pay"], "cured"].mean()
        > cases.loc[~cases["promise_to_pay"], "cured"].mean() + 0.1
    )
    x = pd.DataFrame(
        {
            "ptp": cases["promise_to_pay"].astype(float),
            "contacts": cases["contact_attempts"],
            "dpd": cases["dpd_at_entry"],
            "log_balance": np.log1p(cases["balance"]),
            "history": cases["history"],
        }
    )
    model = LogisticRegression(max_iter=1000).fit(x, cases["cured"])
    assert roc_auc_score(cases["cured"], model.predict_proba(x)[:, 1]) > 0.65
    assert model.coef_[0][0] > 0 and model.coef_[0][1] > 0 and model.coef_[0][2] < 0


def test_recent_payment_behaviour_predicts_delinquency(portfolio: Tables) -> None:
    perf = portfolio["loan_performance"].sort_values(["loan_id", "month"]).copy()
    perf["k"] = perf.groupby("loan_id").cumcount() + 1
    perf["missed"] = perf["amount_paid"] < perf["amount_due"]
    perf["extra"] = perf["amount_paid"] > perf["amount_due"] + 0.005
    past = (
        perf[perf["k"] <= 6]
        .groupby("loan_id")
        .agg(missed_6m=("missed", "sum"), worst_6m=("dpd", "max"), extra_6m=("extra", "sum"))
    )
    at = perf.set_index(["loan_id", "k"])
    past["balance_ratio"] = at.xs(6, level="k")["balance"] / at.xs(1, level="k")["balance"].clip(lower=1)
    past["dpd_now"] = at.xs(6, level="k")["dpd"]
    ahead = perf[perf["k"].between(7, 18)].groupby("loan_id")["dpd"].max()
    d = past[past["dpd_now"] == 0].join(ahead.rename("worst_ahead"), how="inner")
    bad = (d["worst_ahead"] >= 30).astype(int)
    assert bad[d["missed_6m"] > 0].mean() > 1.5 * bad[d["missed_6m"] == 0].mean()
    assert bad[d["extra_6m"] >= 3].mean() < 0.5 * bad[d["extra_6m"] == 0].mean()
    x = d[["missed_6m", "worst_6m", "extra_6m", "balance_ratio"]]
    model = LogisticRegression(max_iter=1000).fit(x, bad)
    assert roc_auc_score(bad, model.predict_proba(x)[:, 1]) > 0.68


# ---------------------------------------------------------------- intended application signal


def test_bad_rate_and_gini_of_a_simple_woe_scorecard_are_in_the_target_band(features: pd.DataFrame) -> None:
    assert 0.08 <= features["bad"].mean() <= 0.15
    assert 0.40 <= woe_gini(features) <= 0.70


def test_bad_rate_rises_with_recent_inquiries(features: pd.DataFrame) -> None:
    rate = features.groupby(features["inq_3m"].clip(upper=3))["bad"].mean()
    assert rate.is_monotonic_increasing and rate[3] > 1.8 * rate[0]


def test_missing_income_no_file_and_shared_devices_are_riskier(features: pd.DataFrame) -> None:
    def ratio(mask: pd.Series) -> float:
        return features.loc[mask, "bad"].mean() / features.loc[~mask, "bad"].mean()

    assert ratio(features["income"].isna()) > 1.3
    assert ratio(features["no_file"]) > 1.2
    assert ratio(features["device_customers"] >= 2) > 1.8
    assert ratio(features["is_emulator"]) > 1.8


def test_age_effect_is_u_shaped(features: pd.DataFrame) -> None:
    rate = features.groupby(pd.cut(features["age"], [17, 27, 35, 55, 65, 90]), observed=True)["bad"].mean()
    middle = rate.iloc[2]
    assert rate.iloc[0] > 1.5 * middle and rate.iloc[-1] > 1.2 * middle


def test_debt_to_income_interaction(features: pd.DataFrame) -> None:
    d = features.dropna(subset=["dti"])
    quintile = pd.qcut(d["dti"], 5, labels=False)
    rate = d.groupby(quintile)["bad"].mean()
    assert rate[4] > 1.5 * rate[0]


# ---------------------------------------------------------------- drift


def test_drift_shifts_the_population_and_breaks_the_inquiry_relationship() -> None:
    assert "inq_3m" in DRIFTED_RELATIONSHIP
    base, drifted = synthesize(20_000, seed=11), synthesize(20_000, seed=11, drift=True)
    for t, is_drifted in ((base, False), (drifted, True)):
        f = application_features(t).join(bad_12m(t).rename("bad"), how="left")
        late = f["application_date"] >= DRIFT
        digital = f["channel"].isin(["online", "mobile_app"])
        shift = digital[late].mean() - digital[~late].mean()
        younger = f.loc[~late, "age"].mean() - f.loc[late, "age"].mean()
        more_inq = f.loc[late, "inq_3m"].mean() - f.loc[~late, "inq_3m"].mean()
        booked = f.dropna(subset=["bad"])
        slopes = [
            LogisticRegression().fit(part[["inq_3m"]].clip(upper=8), part["bad"]).coef_[0][0]
            for part in (
                booked[booked["application_date"] < DRIFT],
                booked[booked["application_date"] >= DRIFT],
            )
        ]
        if is_drifted:
            assert shift > 0.15 and younger > 3 and more_inq > 0.4
            assert slopes[0] > 0.25 and slopes[1] < 0.1
        else:
            assert abs(shift) < 0.05 and abs(younger) < 1.5 and more_inq < 0.2
            assert slopes[0] > 0.25 and slopes[1] > 0.15
    early = base["applications"]["application_date"] < DRIFT
    assert early.sum() == (drifted["applications"]["application_date"] < DRIFT).sum()


# ---------------------------------------------------------------- CLI


def test_cli_writes_one_parquet_per_table_and_rejects_bad_sizes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scorecard.cli.app import run

    assert run(["data", "synth", "--rows", "300", "--seed", "4", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{name}.parquet" for name in TABLES)
    assert "applications" in out and "300" in out
    # one bar counting applications, chunk by chunk (the files are written as each chunk is generated)
    assert re.search(r"synthesising 300 applications in 1 chunk\(s\) to .*\s300/300\s", out), out
    expected = _digests(write_portfolio(synthesize(300, seed=4), tmp_path / "again"))
    assert _digests({name: tmp_path / f"{name}.parquet" for name in TABLES}) == expected
    assert run(["data", "synth", "--rows", "0", "--out", str(tmp_path / "none")]) == 1
    assert "n_applications must be between 1" in capsys.readouterr().err


def test_truth_table_leaves_the_canonical_tables_unchanged_and_covers_every_unbooked_application() -> None:
    plain = synthesize(3_000, seed=5)
    with_truth = synthesize(3_000, seed=5, truth=True)
    assert set(with_truth) == {*plain, "reject_outcomes"}
    for name, frame in plain.items():
        pd.testing.assert_frame_equal(with_truth[name], frame)
    apps = plain["applications"]
    truth = with_truth["reject_outcomes"]
    unbooked = apps.loc[apps["loan_id"].isna(), "application_id"]
    assert truth["application_id"].tolist() == unbooked.tolist()
    assert set(truth["worst_dpd_12m"] % 30) == {0} and (truth["bad"] == (truth["worst_dpd_12m"] >= 30)).all()
    declined = truth.loc[truth["decision"] == "declined", "bad"].mean()
    not_taken = truth.loc[truth["decision"] == "approved", "bad"].mean()
    assert declined > not_taken  # the legacy policy declined the riskier applicants


def test_truth_table_is_written_apart(tmp_path: Path) -> None:
    paths = write_portfolio(synthesize(500, seed=1, truth=True), tmp_path)
    assert paths["reject_outcomes"] == tmp_path / "truth" / "reject_outcomes.parquet"
    assert not (tmp_path / "reject_outcomes.parquet").exists()


def test_chunks_are_deterministic_with_unique_keys_and_resolving_references(tmp_path: Path) -> None:
    first = write_synthetic(1_000, tmp_path / "a", seed=5, chunk=300, truth=True)
    again = write_synthetic(1_000, tmp_path / "b", seed=5, chunk=300, truth=True)
    assert _digests({n: p for n, (p, _) in first.items()}) == _digests({n: p for n, (p, _) in again.items()})
    t = {name: pd.read_parquet(path) for name, (path, _) in first.items()}
    assert {name: len(frame) for name, frame in t.items()} == {
        name: rows for name, (_, rows) in first.items()
    }
    apps = t["applications"]
    assert len(apps) == 1_000 and apps["application_id"].tolist()[299:301] == ["A00000299", "A00000300"]
    for name, key in (
        ("customers", ["customer_id"]),
        ("applications", ["application_id"]),
        ("bureau_tradelines", ["tradeline_id", "report_date"]),
        ("bureau_inquiries", ["inquiry_id"]),
        ("device_events", ["event_id"]),
        ("loan_performance", ["loan_id", "month"]),
        ("collection_cases", ["case_id"]),
    ):
        assert not t[name].duplicated(key).any(), name
    customers = set(t["customers"]["customer_id"])
    for name in ("applications", "bureau_tradelines", "bureau_inquiries", "device_events"):
        assert set(t[name]["customer_id"]) <= customers, name
    loans = set(apps["loan_id"].dropna())
    assert set(t["loan_performance"]["loan_id"]) <= loans and set(t["collection_cases"]["loan_id"]) <= loans
    own = t["device_events"]["application_id"].dropna()
    assert set(own) <= set(apps["application_id"])
    unbooked = apps.loc[apps["loan_id"].isna(), "application_id"]
    assert t["reject_outcomes"]["application_id"].tolist() == unbooked.tolist()


def test_one_chunk_writes_the_bytes_of_the_whole_portfolio(tmp_path: Path) -> None:
    chunked = write_synthetic(800, tmp_path / "a", seed=5, chunk=800, truth=True)
    whole = write_portfolio(synthesize(800, seed=5, truth=True), tmp_path / "b")
    assert _digests({n: p for n, (p, _) in chunked.items()}) == _digests(whole)


def test_a_chunk_is_drawn_by_the_same_model() -> None:
    (first, second) = synthesize_chunks(4_000, seed=2, chunk=2_000)
    for name in ("applications", "bureau_tradelines", "device_events", "loan_performance"):
        ratio = len(second[name]) / len(first[name])
        assert 0.9 < ratio < 1.1, (name, ratio)
    approved = [float((c["applications"]["decision"] == "approved").mean()) for c in (first, second)]
    assert abs(approved[0] - approved[1]) < 0.04
