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
# # Behaviour and collection cards
#
# The same toolkit builds the other two cards of the credit lifecycle from their own configs:
#
# * **behaviour card** (B-card): every month, each active loan is scored on its repayment behaviour, to manage
#   limits and trigger early warnings; bad = 60+ days past due within the next 6 months.
# * **collection card** (C-card): each case entering collection is scored on its chance to cure by itself;
#   the modelled event is *non-cure* within 30 days, and the score drives the treatment (SMS, robot call, agent).

# %%
import pandas as pd

from scorecard.demo import notebook_setup

# portfolio rows, ../configs and work/; no Evidently telemetry and a demo PII key (synthetic data only)
ROWS, CONFIGS, WORK = notebook_setup()

# %%
from scorecard.demo import card_config, synthetic_portfolio
from scorecard.modeling import train_card

DATA = synthetic_portfolio(WORK, ROWS)
cards = {}
for name in ("behaviour", "collection"):
    cfg = card_config(CONFIGS, name, DATA)
    cfg.challenger.enabled = False  # the challenger has its own notebook (03)
    cards[name] = train_card(cfg, run_dir=WORK / "02_cards" / name)

# %% [markdown]
# ## What each card is trained on
# One row per loan and observation month (behaviour), one row per collection case (collection). Rows whose
# outcome is not known yet (immature) or ambiguous (indeterminate) are excluded from training.

# %%
pd.DataFrame({name: card.table.target_summary for name, card in cards.items()})

# %%
pd.DataFrame({name: card.table.frame["split"].value_counts() for name, card in cards.items()}).fillna(0)

# %% [markdown]
# ## Discrimination by sample

# %%
metrics = pd.DataFrame(
    [(name, *row) for name, card in cards.items() for row in card.metrics_rows()],
    columns=["card", "model", "split", "n", "auc", "gini", "ks"],
)
metrics

# %% [markdown]
# ## Points tables
# The behaviour card leans on the loan's own repayment history (`beh_*`), the collection card on the state of
# the case at entry (`coll_*`).

# %%
cards["behaviour"].scorecard.points_table_

# %%
cards["collection"].scorecard.points_table_

# %% [markdown]
# ## Where each score is used
# The policy in each config turns the score into an action: early warnings for the behaviour card, the treatment
# table (DPD bucket x score band) for the collection card.

# %%
pd.DataFrame([t.model_dump() for t in cards["collection"].config.policy.treatments])

# %% [markdown]
# Each card is exported as a serving bundle, whose runtime applies that policy after the score. The actions it
# would take on the test rows:

# %%
from scorecard.bundle.export import export_bundle
from scorecard.bundle.runtime import load_bundle

actions = {}
for name, card in cards.items():
    bundle = load_bundle(export_bundle(card, WORK / "02_cards" / f"{name}_bundle"))
    test = card.table.frame[card.table.frame["split"] == "test"]
    absent = [field for field in bundle.fields if field not in test.columns]  # policy-only fields
    decisions = bundle.score_batch(test.assign(**dict.fromkeys(absent)))["decision"]
    actions[name] = pd.Series(decisions).value_counts()
pd.DataFrame(actions).fillna(0).astype(int)

# %%
from IPython.display import Image

Image(filename=cards["behaviour"].run_dir / "plots" / "ks_test.png")
