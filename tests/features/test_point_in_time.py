"""Leakage test: records dated at or after every row's snapshot, appended to EVERY source table, change no
feature value of any existing row.

For each customer (and loan) the new records start exactly at the latest snapshot of that customer's rows
(same day: excluded because only events strictly before count) and continue after it, so they are in the
future of every row of that customer and test the boundary on the latest one.
"""

from __future__ import annotations

import pandas as pd
import pytest

from scorecard.features.build import build_modeling_table
from tests.features.conftest import card_config
from tests.features.portfolio import tiny_portfolio

DAY = pd.Timedelta(days=1)


def _latest_snapshot(tables: dict[str, pd.DataFrame], frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """customer_id, loan_id, latest: the latest snapshot among the rows of each customer / loan."""
    apps = tables["applications"][["application_id", "customer_id", "loan_id"]]
    if keys == ["application_id"]:
        rows = frame[["application_id", "snapshot_date"]].merge(apps, on="application_id")
    elif keys == ["case_id"]:
        cases = tables["collection_cases"][["case_id", "loan_id"]]
        rows = frame[["case_id", "snapshot_date"]].merge(cases, on="case_id").merge(apps, on="loan_id")
    else:
        rows = frame[["loan_id", "snapshot_date"]].merge(apps, on="loan_id")
    by_customer = rows.groupby("customer_id", as_index=False)["snapshot_date"].max()
    return (
        rows[["customer_id", "loan_id"]]
        .merge(by_customer, on="customer_id")
        .rename(columns={"snapshot_date": "latest"})
    )


def with_future_records(tables: dict[str, pd.DataFrame], latest: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``tables`` plus records dated at / after each customer's latest snapshot, in every table."""
    people = latest.drop_duplicates("customer_id")
    t = {name: frame.copy() for name, frame in tables.items()}

    def add(name: str, rows: pd.DataFrame) -> None:
        rows = rows[t[name].columns].astype(t[name].dtypes.to_dict())
        t[name] = pd.concat([t[name], rows], ignore_index=True)

    n = len(people)
    add("customers", t["customers"].iloc[[0]].assign(customer_id="C_NEW", income=1e9))
    add(
        "applications",
        pd.DataFrame(
            {
                "application_id": "A_NEW_" + people.customer_id,
                "customer_id": people.customer_id.to_numpy(),
                "application_date": people.latest.to_numpy() + DAY,
                "product": "cash_loan",
                "channel": "online",
                "requested_amount": 1e6,
                "requested_term": 60,
                "declared_province": "islands",
                "decision": "approved",
                "loan_id": "L_NEW_" + people.customer_id,
            }
        ),
    )
    for offset in (0, 1, 40):
        add(
            "bureau_inquiries",
            pd.DataFrame(
                {
                    "inquiry_id": f"Q_NEW_{offset}_" + people.customer_id,
                    "customer_id": people.customer_id.to_numpy(),
                    "inquiry_date": people.latest.to_numpy() + offset * DAY,
                    "lender": f"NewBank{offset}",
                    "purpose": "new_credit",
                }
            ),
        )
    lines = t["bureau_tradelines"].drop_duplicates("tradeline_id").merge(people[["customer_id", "latest"]])
    new_lines = people.assign(tradeline_id="T_NEW_" + people.customer_id).merge(
        t["bureau_tradelines"].iloc[[0]].drop(columns=["tradeline_id", "customer_id"]), how="cross"
    )
    for frame in (lines, new_lines):
        add(
            "bureau_tradelines",
            frame.assign(
                report_date=frame.latest,
                open_date=frame.latest,
                credit_limit=1.0,
                balance=9e6,
                worst_dpd=999,
                last_delinquency_date=frame.latest,
                closed_date=None,
            ),
        )
    t["bureau_tradelines"] = t["bureau_tradelines"].drop_duplicates(["tradeline_id", "report_date"])
    events = t["device_events"]
    device_of = events.drop_duplicates("customer_id").set_index("customer_id").device_id
    own = events[events.application_id.notna()].drop_duplicates("application_id")
    own = own[["application_id", "customer_id"]].merge(people[["customer_id", "latest"]])

    def event_rows(
        label: str, who: pd.DataFrame, customer: object, when: object, app: object = None
    ) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "event_id": f"E_NEW_{label}_" + who.customer_id.to_numpy(),
                "application_id": app,
                "customer_id": customer,
                "event_time": when,
                "device_id": who.customer_id.map(device_of).fillna("D_NEW").to_numpy(),
                "ip": "IP_NEW",
                "os": "other",
                "is_emulator": True,
                "is_rooted": True,
                "installed_app_count": 1,
                "gps_province": "islands",
            }
        )

    # Device features look across customers: the new events start at the latest snapshot of anyone on the device.
    on_device = events[["device_id", "customer_id"]].merge(people[["customer_id", "latest"]])
    device_latest = on_device.groupby("device_id").latest.max()
    at = people.customer_id.map(device_of).map(device_latest).fillna(people.latest).to_numpy()
    add(
        "device_events", event_rows("at", people, people.customer_id.to_numpy(), at)
    )  # midnight of the snapshot
    add("device_events", event_rows("shared", people, "C_NEW", at + DAY))  # someone else, same device, later
    later = (
        own.customer_id.map(device_of).map(device_latest).to_numpy() + DAY
    )  # own id, not the application day
    add(
        "device_events",
        event_rows("session", own, own.customer_id.to_numpy(), later, own.application_id.to_numpy()),
    )
    perf = t["loan_performance"]
    loans = latest.dropna(subset=["loan_id"]).groupby("loan_id", as_index=False)["latest"].max()
    loans = loans.merge(perf.groupby("loan_id", as_index=False)["month"].max(), how="left")
    start = pd.concat(
        [loans.latest.dt.to_period("M").dt.to_timestamp(), loans.month + pd.DateOffset(months=1)], axis=1
    )
    for k in range(3):
        add(
            "loan_performance",
            pd.DataFrame(
                {
                    "loan_id": loans.loan_id,
                    "month": start.max(axis=1) + pd.DateOffset(months=k),
                    "balance": 9e6,
                    "amount_due": 1.0,
                    "amount_paid": 0.0 if k else 9e6,
                    "dpd": 0 if k == 0 else 999,
                }
            ),
        )
    t["loan_performance"] = t["loan_performance"].drop_duplicates(["loan_id", "month"])
    add(
        "collection_cases",
        pd.DataFrame(
            {
                "case_id": "K_NEW_" + loans.loan_id,
                "loan_id": loans.loan_id,
                "entry_date": loans.latest,
                "dpd_at_entry": 99,
                "balance": 9e6,
                "contact_attempts": 99,
                "promise_to_pay": True,
            }
        ),
    )
    assert n and all(len(t[name]) > len(tables[name]) for name in tables), "every table must grow"
    return t


def without_snapshot_months(tables: dict[str, pd.DataFrame], latest: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``tables`` without the monthly reports of each loan from its latest snapshot's month on.

    The fixture already holds those reports; removing them from the baseline makes them appended future
    records too, so the month boundary (a month's report is known only once the month has ended) is tested.
    """
    perf = tables["loan_performance"].merge(
        latest.groupby("loan_id", as_index=False)["latest"].max(), how="left"
    )
    cutoff = perf.latest.dt.to_period("M").dt.to_timestamp()
    return {**tables, "loan_performance": tables["loan_performance"][~(perf.month >= cutoff).to_numpy()]}


CUSTOM = [
    {"name": "x_amount", "table": "applications", "column": "requested_amount"},
    {"name": "x_income", "table": "customers", "column": "income"},
    {"name": "x_balance_sum", "table": "bureau_tradelines", "agg": "sum", "column": "balance"},
    {"name": "x_last_dpd", "table": "bureau_tradelines", "agg": "last", "column": "worst_dpd"},
    {"name": "x_lenders_since", "table": "bureau_inquiries", "agg": "months_since", "window_months": 12},
    {"name": "x_inq", "table": "bureau_inquiries", "agg": "count", "filter": "purpose = 'new_credit'"},
    {"name": "x_os", "table": "device_events", "agg": "last", "column": "os", "kind": "categorical"},
    {
        "name": "x_rooted_30d",
        "table": "device_events",
        "agg": "count",
        "filter": "is_rooted",
        "window_days": 30,
    },
    {"name": "x_apps_max", "table": "applications", "agg": "max", "column": "requested_amount"},
    {"name": "x_perf_dpd", "table": "loan_performance", "agg": "max", "column": "dpd", "window_months": 6},
    {"name": "x_perf_paid", "table": "loan_performance", "agg": "mean", "column": "amount_paid"},
    {"name": "x_cases", "table": "collection_cases", "agg": "count"},
    {"name": "x_case_balance", "table": "collection_cases", "agg": "min", "column": "balance"},
]
"""Custom features reading every child table (and the row tables), under the same leakage test."""

cfg_keys = {
    "application": ["application_id"],
    "behaviour": ["loan_id", "snapshot_date"],
    "collection": ["case_id"],
}


def assert_no_leakage(card: str, engine: str = "duckdb") -> None:
    """Future records appended to every table change no existing row's features on ``engine``."""
    tables = tiny_portfolio()
    families = {
        "application": ["application", "bureau", "device"],
        "behaviour": ["behaviour", "bureau", "device"],
    }
    cfg = card_config(
        card,
        features={
            "families": families.get(card, ["collection", "behaviour", "bureau", "device"]),
            "engine": engine,
            "custom": CUSTOM,
        },
    )
    latest = _latest_snapshot(tables, build_modeling_table(tables, cfg).frame, list(cfg_keys[card]))
    before = build_modeling_table(without_snapshot_months(tables, latest), cfg)
    after = build_modeling_table(with_future_records(tables, latest), cfg)
    columns = list(dict.fromkeys([*before.keys, "snapshot_date", *before.features]))
    assert len(after.frame) >= len(before.frame)
    same_rows = before.frame[before.keys].merge(after.frame[columns], on=before.keys, how="left")
    pd.testing.assert_frame_equal(same_rows[columns], before.frame[columns])


@pytest.mark.parametrize("card", ["application", "behaviour", "collection"])
def test_future_records_change_no_feature(card: str) -> None:
    assert_no_leakage(card)
