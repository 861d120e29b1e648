"""The development sample as a validator reads it: the exclusion waterfall and the sample windows."""

from __future__ import annotations

import pandas as pd

MODEL_SPLITS = ("train", "test", "oot")
EXCLUSIONS = {
    "reject": "rejects (declined or not booked): no outcome",
    "immature": "immature: performance window not yet complete",
    "indeterminate": "indeterminate: worst DPD inside the indeterminate range, or no evidence",
}


def exclusion_waterfall(frame: pd.DataFrame) -> pd.DataFrame:
    """From every row the card's spine built to the modeling rows: each exclusion step, rows it removed and
    rows left (the table's ``target_status`` and ``split`` columns)."""
    remaining = len(frame)
    rows: list[dict[str, object]] = [
        {"step": "rows built (one per spine row)", "excluded": 0, "remaining": remaining}
    ]
    excluded = frame["split"] == "excluded"
    for status, label in EXCLUSIONS.items():
        n = int((excluded & (frame["target_status"] == status)).sum())
        remaining -= n
        rows.append({"step": label, "excluded": n, "remaining": remaining})
    other = remaining - int((~excluded).sum())
    if other:
        remaining -= other
        rows.append({"step": "other rows without a usable target", "excluded": other, "remaining": remaining})
    modeled = int(frame["split"].isin(MODEL_SPLITS).sum())
    rows.append({"step": "modeling rows (train + test + oot)", "excluded": 0, "remaining": modeled})
    return pd.DataFrame(rows)


def sample_windows(frame: pd.DataFrame) -> pd.DataFrame:
    """Per split (and the rejects): rows, bads, bad rate and the first and last snapshot date."""
    groups = {s: frame["split"] == s for s in MODEL_SPLITS} | {"rejects": frame["target_status"] == "reject"}
    rows = []
    for name, mask in groups.items():
        part = frame.loc[mask]
        if part.empty:
            continue
        dates = pd.to_datetime(part["snapshot_date"])
        bads = int((part["target"] == 1).sum())
        rows.append(
            {
                "sample": name,
                "rows": len(part),
                "bads": bads if name != "rejects" else None,
                "bad_rate": bads / len(part) if name != "rejects" else None,
                "first_date": dates.min().date().isoformat(),
                "last_date": dates.max().date().isoformat(),
            }
        )
    return pd.DataFrame(rows).astype({"bads": "Int64"})
