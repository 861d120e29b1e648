"""A synthetic vendor-layout dump (the shape of public multi-table credit datasets), written by the tests.

Applications carry a ready-made default flag and no dates; every other date is a day offset from the
application. The bureau file repeats each credit across two exports (older first) with extra columns, the
monthly bureau history holds status codes (X, C, 0-5) and comes zipped, and device events come from a
sign-up CSV and a purchase JSON-lines file. The flag depends on the external score, on late bureau statuses
and on emulators, so a card trained on it by config alone finds them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

CONFIG = Path(__file__).parent / "vendor" / "application.yaml"
STATUSES = np.array(["X", "C", "0", "1", "2", "3", "4", "5"])


def write_vendor_dump(folder: Path, n: int = 3000, seed: int = 7) -> dict[str, int]:
    """Write the dump's files into ``folder``; return facts the tests check (rows, duplicates, late credits)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.arange(100_001, 100_001 + n)
    ext = rng.beta(4, 3, n)
    n_credits = rng.poisson(2.0, n)
    owner = np.repeat(ids, n_credits)
    m = len(owner)
    bureau = pd.DataFrame(
        {
            "SK_ID_BUREAU": np.arange(5_000_001, 5_000_001 + m),
            "SK_ID_CURR": owner,
            "DAYS_CREDIT": -rng.integers(30, 2000, m),
            "CREDIT_ACTIVE": rng.choice(["Active", "Closed"], m, p=[0.4, 0.6]),
            "CREDIT_TYPE": rng.choice(["Consumer credit", "Credit card"], m),
            "AMT_CREDIT_SUM": rng.gamma(2.0, 5000.0, m).round(2),
            "AMT_CREDIT_MAX_OVERDUE": np.where(rng.random(m) < 0.3, rng.gamma(1.0, 800.0, m).round(2), None),
        }
    )
    bureau["AMT_CREDIT_SUM_DEBT"] = (bureau.AMT_CREDIT_SUM * rng.random(m)).round(2)
    late = rng.random(m) < 0.15
    rows = []
    for credit, is_late, opened in zip(bureau.SK_ID_BUREAU, late, bureau.DAYS_CREDIT, strict=True):
        months = np.arange(max(-24, opened // 30), 1)  # month 0 is the application month: not yet known
        status = rng.choice(STATUSES[:3], len(months), p=[0.1, 0.3, 0.6])
        if is_late:
            status[-rng.integers(2, 6) :] = rng.choice(STATUSES[3:], 1)[0]
        rows.append(pd.DataFrame({"SK_ID_BUREAU": credit, "MONTHS_BALANCE": months, "STATUS": status}))
    balance = pd.concat(rows, ignore_index=True)
    late_by_customer = pd.Series(late, index=owner).groupby(level=0).any().reindex(ids, fill_value=False)
    device = pd.DataFrame(
        {
            "id": np.arange(n),
            "customer": ids,
            "days": -rng.integers(1, 60, n),
            "device": [f"dev{i % (n - 40)}" for i in range(n)],
            "ip": [f"10.0.{i % 250}.{i % 7}" for i in range(n)],
            "platform": rng.choice(["Android", "iOS"], n),
            "emulator": rng.random(n) < 0.08,
            "rooted": rng.random(n) < 0.05,
        }
    )
    purchases = device.sample(frac=0.5, random_state=seed).assign(days=lambda d: d.days // 2)
    logit = -2.4 - 4.0 * (ext - 0.57) + 1.6 * late_by_customer.to_numpy() + 1.5 * device.emulator.to_numpy()
    target = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    apps = pd.DataFrame(
        {
            "SK_ID_CURR": ids,
            "TARGET": target,
            "EXT_SCORE": ext.round(4),
            "CONTRACT": rng.choice(["Cash loans", "Revolving loans"], n, p=[0.8, 0.2]),
            "AMT_CREDIT": rng.gamma(3.0, 4000.0, n).round(2),
            "CNT_TERM": rng.choice([12, 24, 36], n),
            "REGION": rng.choice(["R1", "R2", "R3"], n),
        }
    )
    apps.to_csv(folder / "applications.csv", index=False)
    older = bureau.sample(frac=1.0, random_state=seed).assign(
        EXPORTED_AT="2019-06-30", AMT_CREDIT_SUM_DEBT=0.0
    )
    dump = pd.concat([older, bureau.assign(EXPORTED_AT="2019-12-31")], ignore_index=True)
    dump.to_csv(folder / "bureau.csv", index=False)
    with zipfile.ZipFile(folder / "bureau_balance.csv.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bureau_balance.csv", balance.to_csv(index=False))
    device.to_csv(folder / "signup_events.csv", index=False)
    purchases.drop(columns="emulator").to_json(folder / "purchase_events.jsonl", orient="records", lines=True)
    return {
        "applications": n,
        "bads": int(target.sum()),
        "credits": m,
        "duplicated_credits": m,
        "device_events": n + len(purchases),
        "reports_before_application": int((balance.MONTHS_BALANCE < 0).sum()),
    }


def write_status_history(folder: Path, n: int = 600, seed: int = 11) -> dict[str, int]:
    """A lender's own card accounts as a status-code history (the shape of public credit-record datasets).

    ``accounts.csv`` repeats some account ids (a re-issued record, newer last); ``status.csv`` has one row per
    account per month, ``MONTHS_BALANCE`` 0 (the extract's month, 2020-01) back to -23, ``STATUS`` X (no
    balance), C (paid off) or 0-5 (months late, 0 = under 30 days). Accounts that slip once tend to slip again,
    so last months' codes predict the next six.
    """
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.arange(7_000_001, 7_000_001 + n)
    risk = rng.beta(1.2, 8.0, n)
    late = np.zeros(n, dtype=int)
    rows = []
    for month in range(-23, 1):
        worse = rng.random(n) < risk * (1 + 2 * (late > 0))
        late = np.where(worse, np.minimum(late + 1, 5), np.where(rng.random(n) < 0.5, 0, late))
        code = np.where(late > 0, late.astype(str), rng.choice(["X", "C", "0"], n, p=[0.15, 0.15, 0.7]))
        rows.append(pd.DataFrame({"ID": ids, "MONTHS_BALANCE": month, "STATUS": code}))
    accounts = pd.DataFrame(
        {
            "ID": ids,
            "AMT_INCOME_TOTAL": rng.gamma(3.0, 30000.0, n).round(0),
            "LIMIT": 1000 * rng.integers(1, 20, n),
        }
    )
    again = accounts.sample(n // 12, random_state=seed)
    pd.concat([again.assign(AMT_INCOME_TOTAL=0.0), accounts], ignore_index=True).assign(
        ISSUED=lambda a: np.arange(len(a))
    ).to_csv(folder / "accounts.csv", index=False)
    pd.concat(rows, ignore_index=True).to_csv(folder / "status.csv", index=False)
    return {"accounts": n, "duplicated_accounts": len(again), "months": 24}
