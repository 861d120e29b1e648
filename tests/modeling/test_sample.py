"""The exclusion waterfall and sample windows counted by hand."""

from __future__ import annotations

import pandas as pd

from scorecard.modeling.sample import exclusion_waterfall, sample_windows

FRAME = pd.DataFrame(
    {
        "split": ["train", "train", "test", "oot", "excluded", "excluded", "excluded", "excluded"],
        "target_status": ["good", "bad", "good", "bad", "reject", "reject", "immature", "indeterminate"],
        "target": [0.0, 1.0, 0.0, 1.0, None, None, None, None],
        "snapshot_date": pd.to_datetime(
            [
                "2023-01-05",
                "2023-03-01",
                "2023-02-01",
                "2024-08-01",
                "2023-01-01",
                "2024-09-01",
                "2024-12-01",
                "2023-05-01",
            ]
        ),
    }
)


def test_waterfall_counts_each_exclusion() -> None:
    table = exclusion_waterfall(FRAME)
    assert table["excluded"].tolist() == [0, 2, 1, 1, 0]
    assert table["remaining"].tolist() == [8, 6, 5, 4, 4]


def test_windows_per_split_and_rejects() -> None:
    table = sample_windows(FRAME).set_index("sample")
    assert table.loc["train", "rows"] == 2 and table.loc["train", "bads"] == 1
    assert (table.loc["train", "first_date"], table.loc["train", "last_date"]) == ("2023-01-05", "2023-03-01")
    assert table.loc["rejects", "rows"] == 2 and pd.isna(table.loc["rejects", "bads"])
    assert table.loc["rejects", "last_date"] == "2024-09-01"
