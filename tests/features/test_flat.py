"""A flat modeling table (CSV / Parquet + target column) comes out in the same ModelingTable shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorecard.config import parse_config
from scorecard.errors import DataError
from scorecard.features.flat import load_flat_table


def _config(path: Path, **flat: object) -> object:
    return parse_config(
        {"card": "application", "name": "flat", "data": {"flat_table": {"path": str(path), **flat}}}
    )


def test_csv_with_text_target_dates_and_oot(tmp_path: Path) -> None:
    path = tmp_path / "flat.csv"
    pd.DataFrame(
        {
            "id": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "opened": ["2023-01-05", "2023-02-05", "2023-03-05", "2023-04-05", "2024-02-01", "2024-03-01"],
            "income": [1000, 2000, None, 4000, 5000, 6000],
            "region": ["n", "s", "n", None, "s", "n"],
            "grade": [1, 2, 1, 3, 2, 1],
            "status": ["bad", "good", "good", None, "bad", "good"],
        }
    ).to_csv(path, index=False)
    cfg = parse_config(
        {
            "card": "application",
            "name": "flat",
            "data": {
                "flat_table": {
                    "path": str(path),
                    "target": "status",
                    "bad_value": "bad",
                    "id_column": "id",
                    "date_column": "opened",
                    "categorical": ["grade"],
                }
            },
            "split": {"oot_start": "2024-01-01", "test_size": 0.5},
        }
    )
    table = load_flat_table(cfg)
    frame = table.frame
    assert table.keys == ["id"] and table.features == ["income", "region", "grade"]
    assert table.categorical == ["region", "grade"]
    assert list(frame.columns) == [
        "id",
        "snapshot_date",
        "income",
        "region",
        "grade",
        "target",
        "target_status",
        "split",
    ]
    assert frame["target"].to_numpy() == pytest.approx([1, 0, 0, np.nan, 1, 0], nan_ok=True)
    assert list(frame["target_status"]) == ["bad", "good", "good", "indeterminate", "bad", "good"]
    assert list(frame["split"][3:]) == ["excluded", "oot", "oot"]
    # development: 1 bad -> floor(0.5 + 0.5) = 1 in test; 2 goods -> floor(1 + 0.5) = 1 in test
    assert frame["split"][0] == "test" and sorted(frame["split"][1:3]) == ["test", "train"]
    assert list(frame["grade"]) == ["1", "2", "1", "3", "2", "1"]
    assert frame["income"].dtype == "float64" and np.isnan(frame["income"][2])
    assert table.target_summary == {"goods": 3, "bads": 2, "indeterminates": 1, "immature": 0, "rejects": 0}


def test_numeric_target_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "flat.parquet"
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 2]}).to_parquet(path)
    with pytest.raises(DataError, match=r"target column 'y' must hold two labels.*found \['0', '1', '2'\]"):
        load_flat_table(_config(path, target="y"))  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"column\(s\) not found: target='bad'"):
        load_flat_table(_config(path, target="bad"))  # type: ignore[arg-type]


def test_german_credit(realdata_dir: Path) -> None:
    path = realdata_dir / "german_credit" / "german_credit_decoded.csv"
    table = load_flat_table(_config(path, target="creditability", bad_value="bad"))  # type: ignore[arg-type]
    assert len(table.frame) == 1000 and len(table.features) == 20
    assert table.target_summary["bads"] == 300 and table.target_summary["goods"] == 700
    assert table.frame.loc[table.frame.split != "excluded", "split"].value_counts().to_dict() == {
        "train": 700,
        "test": 300,
    }
