"""The scorecard as an MLflow pyfunc model: a thin wrapper around the serving bundle.

``mlflow.pyfunc.load_model("models:/application_scorecard@champion").predict(frame)`` returns what the bundle
runtime returns for the same rows (score, pd, grade, decision, limit, knockout, flags, reasons, warnings, status),
because it *is* the bundle runtime. The model carries a copy of the ``scorecard`` package as its code, so it loads where only MLflow is
installed, with the runtime the card was validated with. It is logged from code (``bundle_model.py``), never as
a pickled object, with an environment that pins pip as well as the packages.
"""

from __future__ import annotations

import ensurepip
import importlib.metadata
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow.models import ModelSignature
from mlflow.models.model import ModelInfo
from mlflow.pyfunc import PythonModel, PythonModelContext
from mlflow.types import ColSpec, Schema
from mlflow.types.schema import AnyType

from scorecard.errors import DataError

BUNDLE_ARTIFACT = "bundle"
OUTPUT_TYPES = {
    "score": "long",
    "pd": "double",
    "grade": "string",
    "decision": "string",
    "limit": "double",
    "knockout": "string",
    "flags": "string",
    "reasons": "string",
    "warnings": "string",
    "status": "string",
}
OUTPUT_SCHEMA = Schema([ColSpec(kind, name) for name, kind in OUTPUT_TYPES.items()])


class BundleModel(PythonModel):
    """Scores a DataFrame of applicants with the serving bundle packed in the model's artifacts."""

    def load_context(self, context: PythonModelContext) -> None:
        from scorecard.bundle.runtime import load_bundle

        self.bundle_ = load_bundle(context.artifacts[BUNDLE_ARTIFACT])

    def predict(
        self, context: PythonModelContext, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """The runtime's answer per row; a bad value is that row's ``status``, never an exception. Only an
        input without any of the bundle's fields (e.g. an array without column names) raises, in one line
        that names the fields and shows no input value."""
        frame = pd.DataFrame(model_input)
        if not frame.columns.isin(list(self.bundle_.fields)).any():
            fields = list(self.bundle_.fields)
            shown = ", ".join(fields[:5]) + (f" and {len(fields) - 5} more" if len(fields) > 5 else "")
            raise DataError(
                f"scorecard model input has none of the bundle's fields ({shown}); "
                "pass a DataFrame or records with named columns"
            )
        scored = self.bundle_.score_batch(frame)
        return pd.DataFrame({c: scored[c] for c in OUTPUT_TYPES}, index=frame.index)


def signature(fields: dict[str, str]) -> ModelSignature:
    """The bundle's input fields, all optional and of any type, and the outputs.

    MLflow's own input checks would refuse a whole batch for one bad cell (and an int where a double is
    declared), with an error that begins with a dump of the input rows. The bundle runtime checks every
    value instead, with the same type rules as ``score_one`` and ``score_batch``: a bad value or a missing
    required field is that row's ``status``. The fields' types are in the model's metadata (``fields``).
    """
    inputs = [ColSpec(AnyType(), name, required=False) for name in fields]
    return ModelSignature(inputs=Schema(list(inputs)), outputs=OUTPUT_SCHEMA)


def _code_copy(root: Path) -> Path:
    """A clean copy of the installed ``scorecard`` package (no caches) for the model's code folder."""
    import scorecard

    package = Path(scorecard.__file__).parent
    return Path(
        shutil.copytree(package, root / "scorecard", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    )


def requirements() -> list[str]:
    """Pinned requirements of the wrapper (the bundle runtime itself needs numpy only)."""
    return [f"mlflow=={mlflow.__version__}", f"numpy=={np.__version__}", f"pandas=={pd.__version__}"]


def pip_version() -> str:
    """The installed pip's version, else the one this Python bundles (uv venvs ship without pip)."""
    try:
        return importlib.metadata.version("pip")
    except importlib.metadata.PackageNotFoundError:
        return ensurepip.version()


def conda_env(pip_requirements: list[str]) -> dict[str, Any]:
    """The model's environment: this Python, a pinned pip and the given pip requirements."""
    return {
        "name": "mlflow-env",
        "channels": ["conda-forge"],
        "dependencies": [
            f"python={platform.python_version()}",
            f"pip<={pip_version()}",
            {"pip": pip_requirements},
        ],
    }


def log_bundle_model(
    bundle_dir: Path, sample: pd.DataFrame, name: str = "scorecard", rows: int = 5
) -> ModelInfo:
    """Log the bundle as a pyfunc model in the active run; the input example is ``rows`` rows of ``sample``."""
    from scorecard.bundle.runtime import load_bundle

    bundle = load_bundle(bundle_dir)
    example = sample[[c for c in bundle.fields if c in sample.columns]].head(rows)
    with tempfile.TemporaryDirectory() as tmp:
        return mlflow.pyfunc.log_model(
            name=name,
            python_model=str(Path(__file__).with_name("bundle_model.py")),
            artifacts={BUNDLE_ARTIFACT: str(bundle_dir)},
            code_paths=[str(_code_copy(Path(tmp)))],
            signature=signature(bundle.fields),
            metadata={"fields": dict(bundle.fields), "required": list(bundle.required)},
            input_example=example,
            conda_env=conda_env(requirements()),
        )
