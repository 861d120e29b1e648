"""A tiny canonical portfolio whose every feature and target is worked out by hand in the tests.

Story (portfolio as of 2024-12, the latest loan_performance month):
- C1 applies twice: A1 (2023-03-10, booked L1, goes 75 DPD: bad) and A4 (2024-06-01, booked L3: immature).
- C2 applies once: A2 (2023-04-20, booked L2, a credit card that stays current in its window: good).
- C3's A3 is declined; C4's A5 is approved but not taken up (both rejects); C4's A6 (2023-02-01, L4) reaches
  15 DPD only (indeterminate).
- Collection cases: K1, K4 on L1 (never cured), K2 on L2 (cured), K3 on L2 (entered 2024-12-10: immature).
"""

from __future__ import annotations

import pandas as pd

from scorecard.data.schema import TABLES

D = pd.Timestamp


def _frame(table: str, rows: list[tuple]) -> pd.DataFrame:
    """A canonical frame (contract dtypes) from rows in the schema's column order, PII columns left out."""
    schema = TABLES[table]
    columns = [c for c in schema.columns if c.pii is None]
    df = pd.DataFrame(rows, columns=[c.name for c in columns])
    for c in columns:
        if c.dtype in ("date", "timestamp"):
            df[c.name] = pd.to_datetime(df[c.name]).astype("datetime64[ns]")
        elif c.dtype == "float":
            df[c.name] = df[c.name].astype("float64")
        elif c.dtype == "int":
            df[c.name] = df[c.name].astype("Int64" if c.nullable else "int64")
        elif c.dtype == "bool":
            df[c.name] = df[c.name].astype(bool)
        else:
            df[c.name] = df[c.name].astype(object).where(df[c.name].notna(), None)
    return df


def _performance() -> pd.DataFrame:
    rows: list[tuple] = []
    # L1: 12,000 cash loan, 1,000 due a month; misses Aug-Oct 2023 (15, 45, 75 DPD), catches up in Nov.
    l1_balance = [12000, 11000, 10000, 9000, 8000, 8000, 8000, 8000, 4000, 3000, 2000, 1000, 0]
    l1_paid = [1000, 1000, 1000, 1000, 1000, 0, 0, 0, 4000, 1000, 1000, 1000, 1000]
    l1_dpd = [0, 0, 0, 0, 0, 15, 45, 75, 0, 0, 0, 0, 0]
    for k, month in enumerate(pd.date_range("2023-03-01", "2024-03-01", freq="MS")):
        rows.append(("L1", month, l1_balance[k], 1000, l1_paid[k], l1_dpd[k]))
    # L2: credit card, 2,000 balance, 100 due; misses May 2024 (20 DPD) and Nov 2024 (10 DPD).
    for month in pd.date_range("2023-04-01", "2024-12-01", freq="MS"):
        paid = {D("2024-05-01"): 0, D("2024-06-01"): 200, D("2024-11-01"): 0, D("2024-12-01"): 200}.get(
            month, 100
        )
        dpd = {D("2024-05-01"): 20, D("2024-11-01"): 10}.get(month, 0)
        rows.append(("L2", month, 2000, 100, paid, dpd))
    # L3: booked 2024-06, current.
    for month in pd.date_range("2024-06-01", "2024-12-01", freq="MS"):
        rows.append(("L3", month, 3000, 250, 250, 0))
    # L4: misses May 2023 (15 DPD), pays double in June.
    for month in pd.date_range("2023-02-01", "2024-01-01", freq="MS"):
        paid = {D("2023-05-01"): 0, D("2023-06-01"): 200}.get(month, 100)
        rows.append(("L4", month, 1000, 100, paid, 15 if month == D("2023-05-01") else 0))
    return _frame("loan_performance", rows)


def tiny_portfolio() -> dict[str, pd.DataFrame]:
    """The canonical tables (PII already dropped) of the story above."""
    customers = _frame(
        "customers",
        [
            ("C1", "1990-06-15", "north", "n1", 3000.0, "salaried", 5.0, "bachelor", "rent"),
            ("C2", "1985-01-01", "south", "s1", None, "self_employed", None, "master", "own"),
            ("C3", "1999-12-31", "east", "e1", 0.0, "student", 0.0, "secondary", "family"),
            ("C4", "1970-03-01", "west", "w1", 2500.0, "retired", None, "primary", "own"),
        ],
    )
    applications = _frame(
        "applications",
        [
            ("A1", "C1", "2023-03-10", "cash_loan", "online", 12000.0, 12, "north", "approved", "L1"),
            ("A2", "C2", "2023-04-20", "credit_card", "branch", 5000.0, 24, "south", "approved", "L2"),
            ("A3", "C3", "2023-05-05", "pos_loan", "mobile_app", 1000.0, 6, "east", "declined", None),
            ("A4", "C1", "2024-06-01", "cash_loan", "agent", 3000.0, 12, "north", "approved", "L3"),
            ("A5", "C4", "2023-06-15", "cash_loan", "branch", 2000.0, 12, "west", "approved", None),
            ("A6", "C4", "2023-02-01", "pos_loan", "agent", 3000.0, 10, "west", "approved", "L4"),
        ],
    )
    tradelines = _frame(
        "bureau_tradelines",
        [
            (
                "T1",
                "C1",
                "2023-01-31",
                "BankX",
                "credit_card",
                "2019-01-15",
                5000.0,
                1000.0,
                35,
                "2022-11-30",
                None,
            ),
            (
                "T1",
                "C1",
                "2023-02-28",
                "BankX",
                "credit_card",
                "2019-01-15",
                5000.0,
                2500.0,
                35,
                "2022-11-30",
                None,
            ),
            (
                "T1",
                "C1",
                "2023-03-31",
                "BankX",
                "credit_card",
                "2019-01-15",
                5000.0,
                4000.0,
                60,
                "2023-03-20",
                None,
            ),
            (
                "T2",
                "C1",
                "2022-12-31",
                "BankY",
                "personal_loan",
                "2021-07-01",
                10000.0,
                9000.0,
                0,
                None,
                None,
            ),
            (
                "T2",
                "C1",
                "2023-03-10",
                "BankY",
                "personal_loan",
                "2021-07-01",
                10000.0,
                8000.0,
                0,
                None,
                None,
            ),
            (
                "T3",
                "C1",
                "2020-01-31",
                "BankZ",
                "auto_loan",
                "2015-05-20",
                20000.0,
                0.0,
                10,
                "2018-04-01",
                "2020-01-01",
            ),
        ],
    )
    inquiries = _frame(
        "bureau_inquiries",
        [
            ("Q1", "C1", "2023-03-10", "BankW", "new_credit"),
            ("Q2", "C1", "2023-03-01", "BankX", "new_credit"),
            ("Q3", "C1", "2023-02-01", "BankY", "new_credit"),
            ("Q4", "C1", "2022-12-15", "BankX", "limit_increase"),
            ("Q5", "C1", "2022-10-01", "BankQ", "new_credit"),
            ("Q6", "C1", "2022-04-01", "BankR", "account_review"),
            ("Q7", "C1", "2021-01-01", "BankS", "new_credit"),
            ("Q8", "C1", "2023-05-01", "BankT", "new_credit"),
            ("Q9", "C2", "2023-04-01", "BankX", "new_credit"),
            ("Q10", "C3", "2023-05-05", "BankX", "new_credit"),
        ],
    )
    events = _frame(
        "device_events",
        [
            ("E1", "A1", "C1", "2023-03-10 14:00:00", "android", False, True, 40, "south"),
            ("E9", "A1", "C1", "2023-03-10 14:05:00", "android", False, True, 40, "south"),
            ("E2", None, "C1", "2023-03-01 09:00:00", "android", False, False, 38, "north"),
            ("E3", None, "C1", "2023-02-20 10:00:00", "ios", False, False, 20, "north"),
            ("E4", None, "C1", "2022-12-01 08:00:00", "android", False, False, 30, "north"),
            ("E5", None, "C2", "2023-03-05 12:00:00", "android", False, False, 40, None),
            ("E6", None, "C3", "2023-01-15 12:00:00", "android", True, False, 40, "east"),
            ("E7", None, "C4", "2023-03-10 15:00:00", "android", False, False, 40, None),
            ("E8", None, "C1", "2023-03-10 16:00:00", "android", False, False, 40, "north"),
        ],
    )
    devices = {
        "E1": "D1",
        "E9": "D1",
        "E2": "D1",
        "E3": "D2",
        "E4": "D3",
        "E5": "D1",
        "E6": "D1",
        "E7": "D1",
        "E8": "D1",
    }
    ips = {
        "E1": "IP1",
        "E9": "IP1",
        "E2": "IP2",
        "E3": "IP2",
        "E4": "IP3",
        "E5": "IP5",
        "E6": "IP6",
        "E7": "IP7",
        "E8": "IP1",
    }
    events.insert(4, "device_id", events.event_id.map(devices))
    events.insert(5, "ip", events.event_id.map(ips))
    cases = _frame(
        "collection_cases",
        [
            ("K1", "L1", "2023-08-20", 20, 8000.0, 3, True),
            ("K4", "L1", "2023-10-05", 50, 8000.0, 7, False),
            ("K2", "L2", "2024-06-05", 25, 2000.0, 1, True),
            ("K3", "L2", "2024-12-10", 20, 2000.0, 2, False),
        ],
    )
    return {
        "customers": customers,
        "applications": applications,
        "bureau_tradelines": tradelines,
        "bureau_inquiries": inquiries,
        "device_events": events,
        "loan_performance": _performance(),
        "collection_cases": cases,
    }
