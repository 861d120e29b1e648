"""The pyfunc model's code, logged as a file (MLflow models-from-code) instead of a pickled object."""

from mlflow.models import set_model

from scorecard.tracking.pyfunc import BundleModel

set_model(BundleModel())
