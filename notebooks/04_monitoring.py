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
# # Monitoring a card on a drifted portfolio
#
# After go-live, each month's applications are scored by the serving bundle, and the team watches whether the
# population moved (PSI of the score, CSI of each feature on the card's own bins, Evidently's drift tests on the
# raw inputs) and, once outcomes mature, whether the model still ranks and is still calibrated (backtesting).
# The synthetic portfolio here drifts in its last half-year: applicants get younger and more digital, and
# recent inquiries change their relationship to default.

# %%
import pandas as pd

from scorecard.demo import notebook_setup

# portfolio rows, ../configs and work/; no Evidently telemetry and a demo PII key (synthetic data only)
ROWS, CONFIGS, WORK = notebook_setup()

# %%
from IPython.display import display

from scorecard.data.ingest import load_sources
from scorecard.data.synth import DRIFT_START, DRIFTED_RELATIONSHIP
from scorecard.demo import card_config, synthetic_portfolio
from scorecard.features.build import build_modeling_table, required_tables
from scorecard.modeling import train_card

cfg = card_config(CONFIGS, "application", synthetic_portfolio(WORK, ROWS, drift=True))
cfg.split.oot_start = DRIFT_START  # develop on the months before the drift
cfg.challenger.enabled = False
table = build_modeling_table(load_sources(cfg.data, required=required_tables(cfg)), cfg)
card = train_card(cfg, table, run_dir=WORK / "04_monitoring" / "run")
print("drift from", DRIFT_START, "|", DRIFTED_RELATIONSHIP)
print("card features:", card.features)

# %% [markdown]
# ## Export the bundle and score the later period
# The bundle is what the risk engine runs: JSON files and a numpy-only runtime. Fields only the policy reads
# (blacklisted ids, province) come with the application in production; here they are absent and count as missing.

# %%
import numpy as np

from scorecard.bundle.export import export_bundle
from scorecard.bundle.runtime import load_bundle

bundle_path = export_bundle(card, WORK / "04_monitoring" / "bundle")
bundle = load_bundle(bundle_path)
frame = table.frame
later = frame["snapshot_date"] >= pd.Timestamp(DRIFT_START)
current = frame[later]  # every application of the later period, booked or not
reference = frame[~later]  # every application of the development window: the same kind of population

policy_only = [name for name in bundle.fields if name not in current.columns]
scored = bundle.score_batch(current.assign(**dict.fromkeys(policy_only)))
parity = bool(np.array_equal(scored["score"], card.scorecard.predict_score(current[card.table.features])))
print(f"{len(current):,} applications scored; bundle score == trained scorecard on every row: {parity}")
pd.crosstab(scored["grade"], scored["decision"], rownames=["grade"], colnames=["decision"], margins=True)

# %% [markdown]
# ## Run monitoring
# `monitor` scores both samples with the bundle, measures stability, drift, feature health and (for rows whose
# 12-month window has passed) performance, and turns every threshold crossed in `configs/application.yaml` into a
# finding. The status is the worst finding: ok, warn or alert (exit codes 0 / 10 / 20 for a scheduler).

# %%
from scorecard.monitoring.run import monitor
from scorecard.monitoring.stability import ALL, stability_summary

result = monitor(cfg, current, reference, bundle_path, out_dir=WORK / "04_monitoring" / "report")
print("status:", result.status, "| exit code:", result.exit_code)
columns = ["level", "check", "subject", "value", "limit", "message"]
pd.DataFrame([vars(f) for f in result.findings], columns=columns)

# %% [markdown]
# ## Stability: score PSI and feature CSI
# PSI below 0.10 is stable, 0.10 to 0.25 a shift to explain, above 0.25 a population change.

# %%
score_psi = stability_summary(result.score_stability)
csi = stability_summary(result.feature_stability)
display(score_psi)
csi[csi["cohort"] == ALL].sort_values("psi", ascending=False)

# %% [markdown]
# Over time: the score's PSI and the largest features' CSI by monthly cohort, against the warn and alert
# thresholds (the same figure as in the HTML report).

# %%
from IPython.display import Image

from scorecard.modeling.plots import save_figure
from scorecard.monitoring.report import psi_trend_plot

display(Image(filename=save_figure(psi_trend_plot(result), WORK / "04_monitoring" / "psi_over_time.png")))

# %% [markdown]
# ## Drift on the raw inputs (Evidently) and feature health

# %%
display(result.drift.table)
print("Evidently report:", result.paths["evidently_html"])
result.health

# %% [markdown]
# ## Backtest: ranking, calibration and relationships on matured outcomes
# A feature whose bad-rate pattern weakened (relationship shift) is the first candidate for a rebuild.

# %%
print("matured rows:", result.context.get("matured_rows"))
display(result.performance)
display(result.calibration)
result.relationships

# %% [markdown]
# ## Where to read more
# The HTML report gathers the findings, trends and plots; the JSON summary is what a pipeline or a dashboard reads.

# %%
{name: str(path) for name, path in result.paths.items()}
