"""sklearn estimator checks that cannot apply to estimators of a binary 0/1 (1 = bad) target."""

# The checks below feed a 3- or 4-class target (or labels 1/2, 'one'/'two'); our estimators accept only a
# binary 0/1 target (1 = bad) on purpose and reject anything else with a clear error.
BINARY_TARGET = "fits with a multiclass or non-0/1 target; binary 0/1 only by design"
BINARY_ONLY = dict.fromkeys(
    [
        "check_dict_unchanged",
        "check_dont_overwrite_parameters",
        "check_dtype_object",
        "check_estimators_dtypes",
        "check_estimators_fit_returns_self",
        "check_estimators_overwrite_params",
        "check_f_contiguous_array_estimator",
        "check_fit2d_1feature",
        "check_fit2d_predict1d",
        "check_fit_score_takes_y",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit",
        "check_readonly_memmap_input",
    ],
    BINARY_TARGET,
)


CLASSIFIER_BINARY_ONLY = {
    **BINARY_ONLY,
    **dict.fromkeys(
        [
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_classifiers_train",
            "check_supervised_y_2d",
        ],
        BINARY_TARGET,
    ),
}
"""The same, plus sklearn's classifier checks, which also fit 3-class, 1/2 or string labels."""
