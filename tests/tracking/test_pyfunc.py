"""The pyfunc model answers bad input row by row, like the bundle runtime, and its one error shows no input
value (issue 13: pyfunc errors began with a dump of the input rows, hashed ids included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow.pyfunc import PyFuncModel

from scorecard.errors import DataError
from scorecard.tracking.pyfunc import OUTPUT_TYPES, log_bundle_model
from scorecard.tracking.store import quiet_mlflow
from tests.bundle.conftest import documents, write

HASHED_ID = "9f86d081884c7d659a2feaa0c55ad015"
GOOD = {"age": 30.0, "inq_3m": 0.0, "channel": "online", "national_id_hash": HASHED_ID, "region": "north",
        "is_emulator": False}  # fmt: skip


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PyFuncModel]:
    """The hand-written bundle logged as a pyfunc model and loaded back from its local copy."""
    root = tmp_path_factory.mktemp("pyfunc")
    quiet_mlflow()
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    try:
        with mlflow.start_run():
            info = log_bundle_model(write(documents(), root / "bundle"), pd.DataFrame([GOOD]))
        local = mlflow.artifacts.download_artifacts(info.model_uri, dst_path=str(root / "model"))
    finally:
        mlflow.set_tracking_uri(None)
    yield mlflow.pyfunc.load_model(local)


def test_a_bad_cell_is_its_rows_status_not_an_error_for_the_batch(model: PyFuncModel) -> None:
    rows = pd.DataFrame([GOOD, {**GOOD, "age": "abc"}, {**GOOD, "age": 45}, {**GOOD, "is_emulator": "maybe"}])
    scored = model.predict(rows)
    assert list(scored.columns) == list(OUTPUT_TYPES) and len(scored) == len(rows)
    assert scored["status"].tolist() == [
        "ok",
        "error: age: 'abc' is not a number",
        "ok",  # an int where the bundle expects a number is a number (MLflow's double column refused it)
        "error: is_emulator: 'maybe' is not a boolean (expected true/false or 1/0)",
    ]
    assert scored.loc[1, "decision"] == "" and scored.loc[2, "score"] > 0


def test_a_missing_required_field_is_scored_as_incomplete_never_approved(model: PyFuncModel) -> None:
    rows = pd.DataFrame([GOOD, GOOD]).drop(columns=["age"])
    scored = model.predict(rows)
    assert len(scored) == 2 and set(scored["decision"]) <= {"refer", "decline", "error"}
    assert scored["warnings"].tolist() == ["age: field absent, scored as missing"] * 2  # says why


@pytest.mark.parametrize(
    "unnamed",
    [pd.DataFrame([GOOD]).to_numpy(), [list(GOOD.values())], HASHED_ID],
    ids=["array", "lists", "text"],
)
def test_input_without_named_fields_is_one_line_without_values(model: PyFuncModel, unnamed: object) -> None:
    with pytest.raises(DataError) as raised:
        model.predict(unnamed)  # type: ignore[arg-type]
    message = str(raised.value)
    assert message == (
        "scorecard model input has none of the bundle's fields (age, inq_3m, channel, national_id_hash, "
        "region and 1 more); pass a DataFrame or records with named columns"
    )
    assert HASHED_ID not in message and "north" not in message


def test_the_signature_leaves_value_checks_to_the_runtime(model: PyFuncModel, tmp_path: Path) -> None:
    inputs = model.metadata.get_input_schema()
    assert inputs is not None
    assert [(c.name, repr(c.type), c.required) for c in inputs.inputs] == [
        (name, "Any", False) for name in GOOD
    ]
    assert model.metadata.metadata["fields"]["age"] == "number"
