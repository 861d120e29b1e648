"""scikit-learn's common estimator checks on the modeling estimators, minus the few that cannot apply."""

from __future__ import annotations

import warnings
from typing import Any

from sklearn.utils.estimator_checks import parametrize_with_checks

from scorecard.modeling.binning import WoeBinner
from scorecard.modeling.calibration import Calibrator
from scorecard.modeling.reasons import ReasonCoder
from scorecard.modeling.scorecard import Scorecard
from scorecard.modeling.selection import FeatureSelector
from tests.modeling.sklearn_checks import BINARY_ONLY

EXPECTED_FAILED: dict[str, dict[str, str]] = {
    "WoeBinner": BINARY_ONLY,
    "FeatureSelector": BINARY_ONLY,
    "Scorecard": {
        "check_classifier_data_not_an_array": "labels 1/2; binary 0/1 only by design",
        "check_classifiers_classes": "string labels; binary 0/1 only by design",
        "check_estimators_dtypes": "labels 1/2; binary 0/1 only by design",
        "check_fit2d_1feature": "10 noise rows give a single bin, so no feature survives: ModelError by design",
        "check_pipeline_consistency": "30 rows of blobs bin into one bin per feature: no feature left, ModelError",
    },
}

ESTIMATORS = [
    WoeBinner(min_bin_size=0.2),
    FeatureSelector(min_iv=0.0, max_vif=None, stepwise=None),
    Scorecard(
        binner=WoeBinner(min_bin_size=0.2), selector=FeatureSelector(min_iv=0.0, max_vif=None, stepwise=None)
    ),
    Calibrator(),  # 1-D scores (input tag one_d_array): sklearn runs only its 1-D checks
    ReasonCoder(),
]


def _expected(estimator: Any) -> dict[str, str]:
    return EXPECTED_FAILED.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected)
def test_sklearn_compatible(estimator: Any, check: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)
