"""Write the example notebooks from the cell lists below, without outputs: ``python notebooks/build_notebooks.py``.

The notebooks are generated so that they can be reviewed as code; edit the cells here, rerun this script and
commit both. ``--check`` exits 1 when a stored notebook differs from what this script writes (for CI).
Every notebook reads three environment variables: ``SCORECARD_NOTEBOOK_ROWS`` (portfolio size, default 20,000),
``SCORECARD_CONFIGS`` (the card configs, default ``../configs``) and ``SCORECARD_PII_KEY`` (the PII hashing
key; a demo key is used when unset, which is fine for synthetic data only). Outputs go to ``work/`` under the
folder the notebook runs in.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
Cell = tuple[str, str]  # ("md" | "code", source)

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def md(source: str) -> Cell:
    return ("md", source.strip())


def code(source: str) -> Cell:
    return ("code", source.strip())


SETUP = code(
    """
import os
from pathlib import Path

import pandas as pd

os.environ.setdefault("DO_NOT_TRACK", "1")  # no Evidently telemetry
os.environ.setdefault("SCORECARD_PII_KEY", "notebook-demo-key")  # synthetic data only: use your secret store
pd.set_option("display.max_columns", 30, "display.max_rows", 120, "display.width", 160)

ROWS = int(os.environ.get("SCORECARD_NOTEBOOK_ROWS", "20000"))  # applications in the synthetic portfolio
CONFIGS = Path(os.environ.get("SCORECARD_CONFIGS", "../configs")).resolve()
WORK = Path("work").resolve()  # everything this notebook writes
"""
)

HELPERS = code(
    '''
from scorecard.config import CardConfig, load_config
from scorecard.data.synth import synthesize, write_portfolio


def portfolio(rows: int, drift: bool = False) -> Path:
    """A synthetic portfolio as Parquet files under work/, generated once per size."""
    folder = WORK / f"portfolio_{rows}{'_drift' if drift else ''}"
    if not (folder / "collection_cases.parquet").exists():  # the last table written
        write_portfolio(synthesize(rows, seed=7, drift=drift), folder)
    return folder


def card_config(card: str, data: Path) -> CardConfig:
    """configs/<card>.yaml with its sources pointed at the portfolio in ``data`` and the reason catalogue."""
    cfg = load_config(CONFIGS / f"{card}.yaml")
    for table, source in cfg.data.sources.items():
        source.path = data / f"{table}.parquet"
    if cfg.reasons.catalogue is None:
        cfg.reasons.catalogue = CONFIGS / "reasons" / "catalogue.yaml"
    return cfg
'''
)

APPLICATION: list[Cell] = [
    md(
        """
# An application scorecard, step by step

An application card (A-card) ranks new credit applications by the risk that the loan goes 30+ days past due
within 12 months. This notebook builds one the way a model team reviews it: data, modeling table, WOE binning
with a manual override, feature selection, the points table, calibration to PD and grades, reason codes and
the evaluation. At the end, `train_card` does all of it in one call from the card's config.
"""
    ),
    SETUP,
    md(
        """
## 1. A synthetic portfolio
`synthesize` writes the canonical raw tables a bank's warehouse would hold (customers, applications, bureau,
device events, monthly loan performance, collection cases), with PII, as real extracts arrive.
"""
    ),
    code(
        """
from scorecard.data.synth import synthesize, write_portfolio

DATA = WORK / f"portfolio_{ROWS}"
raw = synthesize(ROWS, seed=7)
write_portfolio(raw, DATA)
pd.Series({name: len(frame) for name, frame in raw.items()}, name="rows").to_frame()
"""
    ),
    md(
        """
## 2. Ingest and the modeling table
The card's config (`configs/application.yaml`) says where each source lives; here we point it at the files
just written. `load_sources` maps, validates and removes PII (hashed with a keyed HMAC or dropped) before any
feature is built. `build_modeling_table` then computes point-in-time features, the target and the
train / test / out-of-time split.
"""
    ),
    code(
        """
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
"""
    ),
    code(
        """
frame = table.frame
train = frame[frame["split"] == "train"]
X, y = train[table.features], train["target"].astype(int)
print(f"{len(table.features)} candidate features, {len(X):,} training rows, bad rate {y.mean():.1%}")
frame[[*table.keys, "snapshot_date", *table.features[:6], "target", "split"]].head()
"""
    ),
    md(
        """
## 3. WOE binning and a manual override
Each feature is cut into bins with a monotone bad rate, and each bin gets its weight of evidence
(WOE = ln(share of goods / share of bads); higher is safer). Special codes (-1: no bureau file) and missing
values get bins of their own. The automatic solution for `bureau_utilisation`:
"""
    ),
    code(
        """
from scorecard.modeling import WoeBinner

automatic = cfg.binning.model_copy(update={"overrides": None})  # the config's own overrides come next
auto = WoeBinner.from_config(automatic).fit(X[["bureau_utilisation"]], y)
auto.binning_table("bureau_utilisation")
"""
    ),
    md(
        """
Credit policy uses fixed utilisation bands, so the team overrides the automatic cut points. Overrides are kept
in a YAML file reviewed like code, every entry saying why (format: `configs/overrides/application.yaml`), and
`binning.overrides` in the config points at it. Every override applied is recorded in `overrides_applied_`.
"""
    ),
    code(
        """
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
"""
    ),
    code(
        """
print("dropped by binning:", binner.dropped_ or "none")
binner.iv_.sort_values(ascending=False).rename("information value").to_frame()
"""
    ),
    md(
        """
## 4. Feature selection
`FeatureSelector` works on the WOE values: minimum IV, then pairwise correlation, then VIF, then (optionally)
stepwise, then a cap on the count. The log says, for every candidate, which rule kept or dropped it and why.
"""
    ),
    code(
        """
from scorecard.modeling import FeatureSelector

selector = FeatureSelector.from_config(cfg.selection, random_state=cfg.split.seed)
selector.fit(binner.transform(X), y, iv=binner.iv_)
print("selected:", list(selector.selected_))
selector.log_
"""
    ),
    md(
        """
## 5. The scorecard: coefficients and points
`Scorecard` chains binning, selection and a logistic regression on WOE, drops any feature whose coefficient
has the wrong sign, and scales to integer points: 600 points at good:bad odds of 50:1, and every 20 points
(PDO) double the odds. A score is the base points plus one bin's points per feature.
"""
    ),
    code(
        """
from scorecard.modeling import Scorecard

scorecard = Scorecard.from_config(cfg, table.categorical).fit(X, y)
print("base points:", scorecard.base_points_, "| wrong-sign drops:", scorecard.sign_dropped_ or "none")
scorecard.coef_table_
"""
    ),
    code(
        """
scorecard.points_table_
"""
    ),
    md(
        """
## 6. Calibration and the master scale
The score ranks; the PD feeds pricing, limits and provisions. A logistic fit maps score to PD on the training
rows, and the master scale turns PD into the bank's rating grades: fitted here to the development PDs
(equal-frequency grades, merged until bad rates rise grade by grade), or fixed by `calibration.master_scale`.
"""
    ),
    code(
        """
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
"""
    ),
    md(
        """
## 7. Reason codes for one applicant
A declined applicant is told why. The reasons are the features where the applicant lost the most points
against the best points seen in training, mapped to the customer-facing texts of `configs/reasons/catalogue.yaml`.
"""
    ),
    code(
        """
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
"""
    ),
    md(
        """
## 8. Evaluation on the test and out-of-time samples
Gini and KS on rows the model never saw; the out-of-time sample (later applications) is the one a validator
trusts most.
"""
    ),
    code(
        """
from scorecard.modeling import plots
from scorecard.modeling.evaluation import discrimination

metrics = {}
for split in ("train", "test", "oot"):
    part = frame[frame["split"] == split]
    metrics[split] = discrimination(part["target"], -scorecard.predict_score(part[table.features]))
pd.DataFrame(metrics).T
"""
    ),
    code(
        """
from IPython.display import Image

oot = frame[frame["split"] == "oot"]
oot_score = scorecard.predict_score(oot[table.features])
figures = {
    "roc_oot.png": plots.roc_plot({"scorecard": (oot["target"], -oot_score)}, "ROC (out-of-time)"),
    "ks_oot.png": plots.ks_plot(oot["target"], oot_score, "KS (out-of-time)"),
}
for name, fig in figures.items():
    display(Image(filename=plots.save_figure(fig, WORK / "01_application" / name)))
"""
    ),
    md(
        """
## 9. The same in one call
`train_card` runs every step above from the config (plus the LightGBM challenger) and `run_dir` keeps the
readable outputs: binning tables, selection log, points table, metrics, the scorecard spec and plots.
"""
    ),
    code(
        """
from scorecard.modeling import train_card

cfg.challenger.num_boost_round = 300  # a quick challenger; see notebook 03
cfg.reasons.catalogue = CONFIGS / "reasons" / "catalogue.yaml"
card = train_card(cfg, table, run_dir=WORK / "01_application" / "run")
assert card.features == scorecard.features_  # the same model as built by hand
pd.DataFrame(card.metrics_rows(), columns=["model", "split", "n", "auc", "gini", "ks"])
"""
    ),
    code(
        """
print(sorted(p.name for p in card.run_dir.iterdir()))
display(Image(filename=card.run_dir / "plots" / "roc_test.png"))
card.score_frame(applicant)
"""
    ),
]

BEHAVIOUR_COLLECTION: list[Cell] = [
    md(
        """
# Behaviour and collection cards

The same toolkit builds the other two cards of the credit lifecycle from their own configs:

* **behaviour card** (B-card): every month, each active loan is scored on its repayment behaviour, to manage
  limits and trigger early warnings; bad = 60+ days past due within the next 6 months.
* **collection card** (C-card): each case entering collection is scored on its chance to cure by itself;
  the modelled event is *non-cure* within 30 days, and the score drives the treatment (SMS, robot call, agent).
"""
    ),
    SETUP,
    HELPERS,
    code(
        """
from scorecard.modeling import train_card

DATA = portfolio(ROWS)
cards = {}
for name in ("behaviour", "collection"):
    cfg = card_config(name, DATA)
    cfg.challenger.enabled = False  # the challenger has its own notebook (03)
    cards[name] = train_card(cfg, run_dir=WORK / "02_cards" / name)
"""
    ),
    md(
        """
## What each card is trained on
One row per loan and observation month (behaviour), one row per collection case (collection). Rows whose
outcome is not known yet (immature) or ambiguous (indeterminate) are excluded from training.
"""
    ),
    code(
        """
pd.DataFrame({name: card.table.target_summary for name, card in cards.items()})
"""
    ),
    code(
        """
pd.DataFrame({name: card.table.frame["split"].value_counts() for name, card in cards.items()}).fillna(0)
"""
    ),
    md(
        """
## Discrimination by sample
"""
    ),
    code(
        """
metrics = pd.DataFrame(
    [(name, *row) for name, card in cards.items() for row in card.metrics_rows()],
    columns=["card", "model", "split", "n", "auc", "gini", "ks"],
)
metrics
"""
    ),
    md(
        """
## Points tables
The behaviour card leans on the loan's own repayment history (`beh_*`), the collection card on the state of
the case at entry (`coll_*`).
"""
    ),
    code(
        """
cards["behaviour"].scorecard.points_table_
"""
    ),
    code(
        """
cards["collection"].scorecard.points_table_
"""
    ),
    md(
        """
## Where each score is used
The policy in each config turns the score into an action: early warnings for the behaviour card, the treatment
table (DPD bucket x score band) for the collection card.
"""
    ),
    code(
        """
pd.DataFrame([t.model_dump() for t in cards["collection"].config.policy.treatments])
"""
    ),
    md(
        """
Each card is exported as a serving bundle, whose runtime applies that policy after the score. The actions it
would take on the test rows:
"""
    ),
    code(
        """
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
"""
    ),
    code(
        """
from IPython.display import Image

Image(filename=cards["behaviour"].run_dir / "plots" / "ks_test.png")
"""
    ),
]

CHALLENGER_SHAP: list[Cell] = [
    md(
        """
# The scorecard against its LightGBM challenger, and SHAP against reason codes

A validator asks two questions of every scorecard: how much discrimination does its simplicity cost, and do
its explanations agree with a flexible model's? The challenger is LightGBM on the same raw features and
training rows, with monotone constraints taken from the binning's bad-rate trends.
"""
    ),
    SETUP,
    HELPERS,
    code(
        """
from IPython.display import Image, display

from scorecard.modeling import plots, train_card

cfg = card_config("application", portfolio(ROWS))
cfg.challenger.num_boost_round = 300  # early stopping picks fewer on small data
card = train_card(cfg, run_dir=WORK / "03_challenger" / "run")
print("challenger rounds:", card.challenger.best_iteration_)
"""
    ),
    md(
        """
## Side by side
`difference` is challenger minus scorecard. A small out-of-time gap says the scorecard leaves little on the
table; a large one says to look for an interaction or a missing transformation.
"""
    ),
    code(
        """
side = card.evaluation["side_by_side"]
side[side["metric"].isin(["gini", "ks", "brier"])]
"""
    ),
    code(
        """
scored = card.scored[card.scored["split"] == "oot"]
curves = {m: (scored["target"], -scored[f"{m}_score"]) for m in ("scorecard", "challenger")}
roc = plots.roc_plot(curves, "ROC (out-of-time)")
display(Image(filename=plots.save_figure(roc, WORK / "03_challenger" / "roc.png")))
"""
    ),
    md(
        """
## Which features each model relies on
Mean |SHAP| (the challenger's average contribution to the log-odds of bad) beside the scorecard's information
value.
"""
    ),
    code(
        """
importance = card.evaluation["challenger_importance"].set_index("feature")
importance["scorecard_iv"] = card.binner.iv_
importance["in_scorecard"] = importance.index.isin(card.features)
importance.head(12)
"""
    ),
    md(
        """
## Explaining a few applicants
For the riskiest applicants of the test sample, the scorecard's reason codes (points lost against the best
bin) beside the challenger's largest SHAP contributions towards *bad*. SHAP values are additive: a row's
contributions plus the base value equal the challenger's log-odds of bad.
"""
    ),
    code(
        """
import numpy as np

test = card.table.frame[card.table.frame["split"] == "test"]
X_test = test[card.table.features]
shap = card.challenger.shap_values(X_test)
log_odds = np.log(card.challenger.predict_proba(X_test)[:, 1] / card.challenger.predict_proba(X_test)[:, 0])
shap_error = float(np.abs(shap.sum(axis=1) - log_odds).max())
print(f"largest |sum of SHAP - log-odds|: {shap_error:.2e}")
"""
    ),
    code(
        """
TOP = 3
contributions = shap.drop(columns="base_value")
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
"""
    ),
    md(
        """
One applicant in detail: points lost per scorecard feature beside each feature's SHAP contribution.
"""
    ),
    code(
        """
idx = few[0]
lost = card.reasons.points_lost(card.scorecard.points(X_test.loc[[idx]]))[0]
pd.DataFrame(
    {
        "value": X_test.loc[idx, card.features],
        "points_lost": pd.Series(lost, index=card.reasons.features_),
        "shap_towards_bad": contributions.loc[idx, card.features],
    }
).sort_values("points_lost", ascending=False)
"""
    ),
    md(
        """
## How often do the explanations agree?
Share of test applicants whose first scorecard reason is among the challenger's top SHAP features towards
bad. Low agreement on a feature is a question for the model review, not an error.
"""
    ),
    code(
        """
first_reason = card.score_frame(X_test)["reason_1"]
code_of = {f: card.reasons.catalogue_[f]["code"] for f in card.features}
top_shap = contributions.to_numpy().argsort(axis=1)[:, ::-1][:, :TOP]
top_codes = np.vectorize(lambda j: code_of.get(contributions.columns[j], ""))(top_shap)
has_reason = first_reason.to_numpy() != ""
agreement = float((top_codes == first_reason.to_numpy()[:, None]).any(axis=1)[has_reason].mean())
print(f"first reason in the top {TOP} SHAP features: {agreement:.0%} of {has_reason.sum():,} applicants")
"""
    ),
]

MONITORING: list[Cell] = [
    md(
        """
# Monitoring a card on a drifted portfolio

After go-live, each month's applications are scored by the serving bundle, and the team watches whether the
population moved (PSI of the score, CSI of each feature on the card's own bins, Evidently's drift tests on the
raw inputs) and, once outcomes mature, whether the model still ranks and is still calibrated (backtesting).
The synthetic portfolio here drifts in its last half-year: applicants get younger and more digital, and
recent inquiries change their relationship to default.
"""
    ),
    SETUP,
    HELPERS,
    code(
        """
from IPython.display import display

from scorecard.data.ingest import load_sources
from scorecard.data.synth import DRIFT_START, DRIFTED_RELATIONSHIP
from scorecard.features.build import build_modeling_table, required_tables
from scorecard.modeling import train_card

cfg = card_config("application", portfolio(ROWS, drift=True))
cfg.split.oot_start = DRIFT_START  # develop on the months before the drift
cfg.challenger.enabled = False
table = build_modeling_table(load_sources(cfg.data, required=required_tables(cfg)), cfg)
card = train_card(cfg, table, run_dir=WORK / "04_monitoring" / "run")
print("drift from", DRIFT_START, "|", DRIFTED_RELATIONSHIP)
print("card features:", card.features)
"""
    ),
    md(
        """
## Export the bundle and score the later period
The bundle is what the risk engine runs: JSON files and a numpy-only runtime. Fields only the policy reads
(blacklisted ids, province) come with the application in production; here they are absent and count as missing.
"""
    ),
    code(
        """
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
"""
    ),
    md(
        """
## Run monitoring
`monitor` scores both samples with the bundle, measures stability, drift, feature health and (for rows whose
12-month window has passed) performance, and turns every threshold crossed in `configs/application.yaml` into a
finding. The status is the worst finding: ok, warn or alert (exit codes 0 / 10 / 20 for a scheduler).
"""
    ),
    code(
        """
from scorecard.monitoring.run import monitor
from scorecard.monitoring.stability import ALL, stability_summary

result = monitor(cfg, current, reference, bundle_path, out_dir=WORK / "04_monitoring" / "report")
print("status:", result.status, "| exit code:", result.exit_code)
columns = ["level", "check", "subject", "value", "limit", "message"]
pd.DataFrame([vars(f) for f in result.findings], columns=columns)
"""
    ),
    md(
        """
## Stability: score PSI and feature CSI
PSI below 0.10 is stable, 0.10 to 0.25 a shift to explain, above 0.25 a population change.
"""
    ),
    code(
        """
score_psi = stability_summary(result.score_stability)
csi = stability_summary(result.feature_stability)
display(score_psi)
csi[csi["cohort"] == ALL].sort_values("psi", ascending=False)
"""
    ),
    md(
        """
## Drift on the raw inputs (Evidently) and feature health
"""
    ),
    code(
        """
display(result.drift.table)
print("Evidently report:", result.paths["evidently_html"])
result.health
"""
    ),
    md(
        """
## Backtest: ranking, calibration and relationships on matured outcomes
A feature whose bad-rate pattern weakened (relationship shift) is the first candidate for a rebuild.
"""
    ),
    code(
        """
print("matured rows:", result.context.get("matured_rows"))
display(result.performance)
display(result.calibration)
result.relationships
"""
    ),
    md(
        """
## Where to read more
The HTML report gathers the findings, trends and plots; the JSON summary is what a pipeline or a dashboard reads.
"""
    ),
    code(
        """
{name: str(path) for name, path in result.paths.items()}
"""
    ),
]

NOTEBOOKS: dict[str, list[Cell]] = {
    "01_application_scorecard.ipynb": APPLICATION,
    "02_behaviour_and_collection_cards.ipynb": BEHAVIOUR_COLLECTION,
    "03_challenger_and_shap.ipynb": CHALLENGER_SHAP,
    "04_monitoring.ipynb": MONITORING,
}


def build(cells: list[Cell]) -> nbformat.NotebookNode:
    """A notebook of the given cells, with stable cell ids, no outputs and the python3 kernel."""
    made = [
        (new_markdown_cell if kind == "md" else new_code_cell)(source, id=f"cell-{i:02d}")
        for i, (kind, source) in enumerate(cells)
    ]
    return new_notebook(
        cells=made,
        metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}},
    )


def render(cells: list[Cell]) -> str:
    """The notebook file's text."""
    return nbformat.writes(build(cells)) + "\n"


def write_all(out_dir: Path = HERE) -> list[Path]:
    """Write every notebook into ``out_dir``; return their paths."""
    paths = []
    for name, cells in NOTEBOOKS.items():
        path = out_dir / name
        path.write_text(render(cells), encoding="utf-8")
        paths.append(path)
    return paths


def stale(out_dir: Path = HERE) -> list[str]:
    """Notebooks in ``out_dir`` that are missing or differ from what ``write_all`` would write."""
    return [
        name
        for name, cells in NOTEBOOKS.items()
        if not (out_dir / name).is_file() or (out_dir / name).read_text(encoding="utf-8") != render(cells)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a stored notebook is out of date")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        for name in out_of_date:
            print(f"notebooks/{name} is out of date: run python notebooks/build_notebooks.py")
        return 1 if out_of_date else 0
    for path in write_all():
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
