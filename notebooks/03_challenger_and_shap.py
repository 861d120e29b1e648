# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The scorecard against its LightGBM challenger, and SHAP against reason codes
#
# A validator asks two questions of every scorecard: how much discrimination does its simplicity cost, and do
# its explanations agree with a flexible model's? The challenger is LightGBM on the same raw features and
# training rows, with monotone constraints taken from the binning's bad-rate trends.

# %%
import pandas as pd

from scorecard.demo import notebook_setup

# portfolio rows, ../configs and work/; no Evidently telemetry and a demo PII key (synthetic data only)
ROWS, CONFIGS, WORK = notebook_setup()

# %%
from IPython.display import Image, display

from scorecard.demo import card_config, synthetic_portfolio
from scorecard.modeling import plots, train_card

cfg = card_config(CONFIGS, "application", synthetic_portfolio(WORK, ROWS))
cfg.challenger.num_boost_round = 300  # early stopping picks fewer on small data
card = train_card(cfg, run_dir=WORK / "03_challenger" / "run")
print("challenger rounds:", card.challenger.best_iteration_)

# %% [markdown]
# ## Side by side
# `difference` is challenger minus scorecard. A small out-of-time gap says the scorecard leaves little on the
# table; a large one says to look for an interaction or a missing transformation.

# %%
side = card.evaluation["side_by_side"]
side[side["metric"].isin(["gini", "ks", "brier"])]

# %%
scored = card.scored[card.scored["split"] == "oot"]
curves = {m: (scored["target"], -scored[f"{m}_score"]) for m in ("scorecard", "challenger")}
roc = plots.roc_plot(curves, "ROC (out-of-time)")
display(Image(filename=plots.save_figure(roc, WORK / "03_challenger" / "roc.png")))

# %% [markdown]
# ## Which features each model relies on
# Mean |SHAP| (the challenger's average contribution to the log-odds of bad) beside the scorecard's information
# value.

# %%
importance = card.evaluation["challenger_importance"].set_index("feature")
importance["scorecard_iv"] = card.binner.iv_
importance["in_scorecard"] = importance.index.isin(card.features)
importance.head(12)

# %% [markdown]
# The SHAP summary: one dot per test applicant and feature, its contribution to the log-odds of bad, coloured by
# the feature's value (red high, blue low). Then the dependence of the top feature: how its contribution moves
# with its value, which is what the scorecard's bins approximate with steps.

# %%
test = card.table.frame[card.table.frame["split"] == "test"]
X_test = test[card.table.features]
shap = card.challenger.shap_values(X_test)
contributions = shap.drop(columns="base_value")
top_feature = contributions.abs().mean().idxmax()
figures = {
    "shap_summary.png": plots.shap_summary_plot(contributions, X_test, top=10),
    "shap_dependence.png": plots.shap_dependence_plot(contributions, X_test, top_feature),
}
for name, fig in figures.items():
    display(Image(filename=plots.save_figure(fig, WORK / "03_challenger" / name)))

# %% [markdown]
# ## Explaining a few applicants
# For the riskiest applicants of the test sample, the scorecard's reason codes (points lost against the best
# bin) beside the challenger's largest SHAP contributions towards *bad*. SHAP values are additive: a row's
# contributions plus the base value equal the challenger's log-odds of bad.

# %%
import numpy as np

log_odds = np.log(card.challenger.predict_proba(X_test)[:, 1] / card.challenger.predict_proba(X_test)[:, 0])
shap_error = float(np.abs(shap.sum(axis=1) - log_odds).max())
print(f"largest |sum of SHAP - log-odds|: {shap_error:.2e}")

# %%
TOP = 3
few = card.score_frame(X_test).nsmallest(3, "score").index
rows = []
for idx in few:
    reasons = card.reasons.explain(card.scorecard.points(X_test.loc[[idx]]))[0]
    towards_bad = contributions.loc[idx].nlargest(TOP)
    rows.append(
        {
            "row": idx,
            "score": int(card.scorecard.predict_score(X_test.loc[[idx]])[0]),
            "challenger_pd": float(card.challenger.predict_proba(X_test.loc[[idx]])[0, 1]),
            "scorecard reasons": ", ".join(r["feature"] for r in reasons[:TOP]),
            "top SHAP towards bad": ", ".join(towards_bad.index),
        }
    )
pd.DataFrame(rows).set_index("row")

# %% [markdown]
# One applicant in detail: points lost per scorecard feature beside each feature's SHAP contribution.

# %%
idx = few[0]
lost = card.reasons.points_lost(card.scorecard.points(X_test.loc[[idx]]))[0]
pd.DataFrame(
    {
        "value": X_test.loc[idx, card.features],
        "points_lost": pd.Series(lost, index=card.reasons.features_),
        "shap_towards_bad": contributions.loc[idx, card.features],
    }
).sort_values("points_lost", ascending=False)

# %% [markdown]
# ## How often do the explanations agree?
# Share of test applicants whose first scorecard reason is among the challenger's top SHAP features towards
# bad. Low agreement on a feature is a question for the model review, not an error.

# %%
first_reason = card.score_frame(X_test)["reason_1"]
code_of = {f: card.reasons.catalogue_[f]["code"] for f in card.features}
top_shap = contributions.to_numpy().argsort(axis=1)[:, ::-1][:, :TOP]
top_codes = np.vectorize(lambda j: code_of.get(contributions.columns[j], ""))(top_shap)
has_reason = first_reason.to_numpy() != ""
agreement = float((top_codes == first_reason.to_numpy()[:, None]).any(axis=1)[has_reason].mean())
print(f"first reason in the top {TOP} SHAP features: {agreement:.0%} of {has_reason.sum():,} applicants")
