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
# # An application scorecard, step by step
#
# An application card (A-card) ranks new credit applications by the risk that the loan goes 30+ days past due
# within 12 months. This notebook builds one the way a model team reviews it: data, modeling table, WOE binning
# with a manual override, feature selection, the points table, calibration to PD and grades, reason codes and
# the evaluation. At the end, `train_card` does all of it in one call from the card's config.

# %%
import pandas as pd

from scorecard.demo import notebook_setup

# portfolio rows, ../configs and work/; no Evidently telemetry and a demo PII key (synthetic data only)
ROWS, CONFIGS, WORK = notebook_setup()

# %% [markdown]
# ## 1. A synthetic portfolio
# `synthesize` writes the canonical raw tables a bank's warehouse would hold (customers, applications, bureau,
# device events, monthly loan performance, collection cases), with PII, as real extracts arrive.

# %%
from scorecard.data.synth import synthesize, write_portfolio

DATA = WORK / f"portfolio_{ROWS}"
raw = synthesize(ROWS, seed=7)
write_portfolio(raw, DATA)
pd.Series({name: len(frame) for name, frame in raw.items()}, name="rows").to_frame()

# %% [markdown]
# ## 2. Ingest and the modeling table
# The card's config (`configs/application.yaml`) says where each source lives; here we point it at the files
# just written. `load_sources` maps, validates and removes PII (hashed with a keyed HMAC or dropped) before any
# feature is built. `build_modeling_table` then computes point-in-time features, the target and the
# train / test / out-of-time split.

# %%
from scorecard.config import load_config
from scorecard.data.ingest import load_sources
from scorecard.features.build import build_modeling_table, required_tables

cfg = load_config(CONFIGS / "application.yaml")
for name, source in cfg.data.sources.items():
    source.path = DATA / f"{name}.parquet"

sources = load_sources(cfg.data, required=required_tables(cfg))
table = build_modeling_table(sources, cfg)
print(table.target_summary)
table.frame["split"].value_counts().to_frame()

# %%
frame = table.frame
train = frame[frame["split"] == "train"]
X, y = train[table.features], train["target"].astype(int)
print(f"{len(table.features)} candidate features, {len(X):,} training rows, bad rate {y.mean():.1%}")
frame[[*table.keys, "snapshot_date", *table.features[:6], "target", "split"]].head()

# %% [markdown]
# ## 3. WOE binning and a manual override
# Each feature is cut into bins with a monotone bad rate, and each bin gets its weight of evidence
# (WOE = ln(share of goods / share of bads); higher is safer). Special codes (-1: no bureau file) and missing
# values get bins of their own. The automatic solution for `bureau_utilisation`:

# %%
from scorecard.modeling import WoeBinner

automatic = cfg.binning.model_copy(update={"overrides": None})  # the config's own overrides come next
auto = WoeBinner.from_config(automatic).fit(X[["bureau_utilisation"]], y)
auto.binning_table("bureau_utilisation")

# %% [markdown]
# Credit policy uses fixed utilisation bands, so the team overrides the automatic cut points. Overrides are kept
# in a YAML file reviewed like code, every entry saying why (format: `configs/overrides/application.yaml`), and
# `binning.overrides` in the config points at it. Every override applied is recorded in `overrides_applied_`.

# %%
import yaml

overrides = {
    "bureau_utilisation": {"splits": [0.3, 0.5, 0.7], "reason": "utilisation bands used by credit policy"},
    "bureau_inq_3m": {"trend": "ascending", "reason": "more recent inquiries must never earn more points"},
}
cfg.binning.overrides = WORK / "01_application" / "overrides.yaml"
cfg.binning.overrides.parent.mkdir(parents=True, exist_ok=True)
cfg.binning.overrides.write_text(yaml.safe_dump({"features": overrides}, sort_keys=False))

binner = WoeBinner.from_config(cfg.binning, table.categorical).fit(X, y)
print(binner.overrides_applied_["bureau_utilisation"])
binner.binning_table("bureau_utilisation")

# %%
print("dropped by binning:", binner.dropped_ or "none")
binner.iv_.sort_values(ascending=False).rename("information value").to_frame()

# %% [markdown]
# ## 4. Feature selection
# `FeatureSelector` works on the WOE values: minimum IV, then pairwise correlation, then VIF, then (optionally)
# stepwise, then a cap on the count. The log says, for every candidate, which rule kept or dropped it and why.

# %%
from scorecard.modeling import FeatureSelector

selector = FeatureSelector.from_config(cfg.selection, random_state=cfg.split.seed)
selector.fit(binner.transform(X), y, iv=binner.iv_)
print("selected:", list(selector.selected_))
selector.log_

# %% [markdown]
# ## 5. The scorecard: coefficients and points
# `Scorecard` chains binning, selection and a logistic regression on WOE, drops any feature whose coefficient
# has the wrong sign, and scales to integer points: 600 points at good:bad odds of 50:1, and every 20 points
# (PDO) double the odds. A score is the base points plus one bin's points per feature.

# %%
from scorecard.modeling import Scorecard

scorecard = Scorecard.from_config(cfg, table.categorical).fit(X, y)
print("base points:", scorecard.base_points_, "| wrong-sign drops:", scorecard.sign_dropped_ or "none")
scorecard.coef_table_

# %%
scorecard.points_table_

# %% [markdown]
# ## 6. Calibration and the master scale
# The score ranks; the PD feeds pricing, limits and provisions. A logistic fit maps score to PD on the training
# rows, and the master scale turns PD into the bank's rating grades: fitted to the development PDs
# (equal-frequency grades, merged until bad rates rise grade by grade), or fixed by `calibration.master_scale`.

# %%
from scorecard.modeling import Calibrator, MasterScale

train_score = scorecard.predict_score(X)
calibrator = Calibrator.from_config(cfg.calibration).fit(train_score, y)
print(calibrator.to_spec())
pd_train = calibrator.predict_pd(train_score)
master_scale = MasterScale.for_card(cfg.calibration, pd_train, y)  # grades fitted to the development PDs
(
    pd.DataFrame({"grade": master_scale.grade(pd_train), "pd": pd_train, "bad": y.to_numpy()})
    .groupby("grade")
    .agg(count=("bad", "size"), mean_pd=("pd", "mean"), bad_rate=("bad", "mean"))
)

# %% [markdown]
# ## 7. Reason codes for one applicant
# A declined applicant is told why. The reasons are the features where the applicant lost the most points
# against the best points seen in training, mapped to the customer-facing texts of `configs/reasons/catalogue.yaml`.

# %%
from IPython.display import display

from scorecard.modeling import ReasonCoder

reasons = ReasonCoder(top_k=cfg.reasons.top_k, catalogue=CONFIGS / "reasons" / "catalogue.yaml")
reasons.fit(scorecard.points(X))

test = frame[frame["split"] == "test"]
riskiest = test.index[scorecard.predict_score(test[table.features]).argmin()]
applicant = test.loc[[riskiest], table.features]
print("score:", int(scorecard.predict_score(applicant)[0]))
display(scorecard.points(applicant).T.rename(columns=lambda _: "points"))
pd.DataFrame(reasons.explain(scorecard.points(applicant))[0])

# %% [markdown]
# ## 8. Evaluation on the test and out-of-time samples
# Gini and KS on rows the model never saw; the out-of-time sample (later applications) is the one a validator
# trusts most.

# %%
from scorecard.modeling import plots
from scorecard.modeling.evaluation import discrimination

metrics = {}
for split in ("train", "test", "oot"):
    part = frame[frame["split"] == split]
    metrics[split] = discrimination(part["target"], -scorecard.predict_score(part[table.features]))
pd.DataFrame(metrics).T

# %%
from IPython.display import Image

oot = frame[frame["split"] == "oot"]
oot_score = scorecard.predict_score(oot[table.features])
figures = {
    "roc_oot.png": plots.roc_plot({"scorecard": (oot["target"], -oot_score)}, "ROC (out-of-time)"),
    "ks_oot.png": plots.ks_plot(oot["target"], oot_score, "KS (out-of-time)"),
    "score_by_split.png": plots.split_score_plot(
        {
            split: scorecard.predict_score(frame.loc[frame["split"] == split, table.features])
            for split in metrics
        }
    ),
}
for name, fig in figures.items():
    display(Image(filename=plots.save_figure(fig, WORK / "01_application" / name)))

# %% [markdown]
# ## 9. The same in one call
# `train_card` runs every step above from the config (plus the LightGBM challenger) and `run_dir` keeps the
# readable outputs: binning tables, selection log, points table, metrics, the scorecard spec and plots.

# %%
from scorecard.modeling import train_card

cfg.challenger.num_boost_round = 300  # a quick challenger; see notebook 03
cfg.reasons.catalogue = CONFIGS / "reasons" / "catalogue.yaml"
card = train_card(cfg, table, run_dir=WORK / "01_application" / "run")
assert card.features == scorecard.features_  # the same model as built by hand
pd.DataFrame(card.metrics_rows(), columns=["model", "split", "n", "auc", "gini", "ks"])

# %%
print(sorted(p.name for p in card.run_dir.iterdir()))
display(Image(filename=card.run_dir / "plots" / "roc_test.png"))
card.score_frame(applicant)

# %% [markdown]
# ## 10. Reviewing the bins: table, plot, edit, freeze, retrain
# Before a card ships, a validator reviews every bin of it. The card's binning table gives, per bin, the rows,
# goods, bads, event rate, WOE, IV and the points the bin earns; the plot puts rows and event rate side by side.
# From a terminal the same table is `scorecard bins show --run DIR FEATURE`.

# %%
from scorecard.modeling import plot_style

plot_style.use()  # figures drawn here look like the run's plots
REVIEW = WORK / "01_application" / "review"
feature = "bureau_utilisation" if "bureau_utilisation" in card.features else card.features[0]
display(Image(filename=plots.save_figure(card.binner.plot(feature), REVIEW / f"{feature}.png")))
card.scorecard.binning_table(feature)

# %% [markdown]
# **An edit.** The reviewer finds the first two bins of a feature too fine to defend and merges them. The
# override goes in the overrides file beside the others, with its reason, and the card is retrained on it (the
# challenger is left out of these review runs to keep them quick).

# %%
from scorecard.modeling.overrides import load_overrides

existing = load_overrides(cfg.binning.overrides)  # the policy splits and trend of section 3 stay
edited_feature = next(
    f
    for f in card.features
    if f not in existing
    and card.binner.bin_spec(f)["kind"] == "numerical"
    and len(card.binner.bin_spec(f)["bins"]) >= 3
)
edit = {
    **{f: o.model_dump(exclude_none=True) for f, o in existing.items()},
    edited_feature: {
        "merge": [[0, 1]],
        "reason": "the two lowest bins differ by less than the review tolerance",
    },
}
review_cfg = cfg.model_copy(deep=True)
review_cfg.challenger.enabled = False
review_cfg.binning.overrides = REVIEW / "edited_overrides.yaml"
review_cfg.binning.overrides.write_text(yaml.safe_dump({"features": edit}, sort_keys=False))
edited = train_card(review_cfg, table, run_dir=REVIEW / "edited_run")
print(
    f"{edited_feature}: {len(card.binner.bin_spec(edited_feature)['bins'])} bins before the edit, "
    f"{len(edited.binner.bin_spec(edited_feature)['bins'])} after"
)
edited.binner.binning_table(edited_feature)

# %% [markdown]
# **A freeze.** The reviewed bins are written back as fixed overrides (`splits` for numerical features, `groups`
# for categorical ones), as `scorecard bins freeze --run DIR --out FILE` does. Features that had an override
# keep its reason; the others get the placeholder `TODO: reason`, and training refuses to run until a reviewer
# replaces every placeholder.

# %%
from scorecard.errors import ConfigError
from scorecard.modeling.overrides import dump_overrides
from scorecard.tracking.review import frozen_bins

frozen_path = REVIEW / "frozen_overrides.yaml"
frozen_path.write_text(
    dump_overrides(frozen_bins(edited.run_dir, "the edited run"), "reviewed bins, notebook 01")
)
print(frozen_path.read_text()[:900])
review_cfg.binning.overrides = frozen_path
try:
    train_card(review_cfg, table)
except ConfigError as exc:
    refused = str(exc)
    print("refused:", refused)

# %% [markdown]
# **A retrain.** With every reason written, the card retrains on the frozen overrides to exactly the bins that
# were reviewed: same splits, same counts, same WOE and the same points.

# %%
frozen_path.write_text(
    frozen_path.read_text().replace("TODO: reason", "reviewed in notebook 01: bins accepted")
)
retrained = train_card(review_cfg, table, run_dir=REVIEW / "frozen_run")
same_bins = {f: retrained.binner.bin_spec(f) == edited.binner.bin_spec(f) for f in edited.features}
pd.testing.assert_frame_equal(retrained.binning_tables(), edited.binning_tables())
assert all(same_bins.values()) and retrained.features == edited.features
pd.Series(same_bins, name="same bins after the retrain").to_frame()
