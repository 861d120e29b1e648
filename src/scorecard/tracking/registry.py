"""The model registry: one registered model per card, aliases ``challenger`` and ``champion``, gated promotion.

A training run registers a version and points ``challenger`` at it. ``promote`` measures the candidate (and the
current champion) on the candidate's logged out-of-time sample, checks the gates, records who, when, why and the
gate results as version tags, then moves ``champion``, then appends the change to the registered model's
``champion.history`` tag. Every step can be repeated: a promotion interrupted before the alias moved is simply run
again; one interrupted after it (the champion's tags record a change that the history lacks) is completed by the
next ``promote`` or ``rollback`` of that model, which appends the missing entry before doing anything else.
``rollback`` moves ``champion`` back to the version it replaced.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pandas as pd
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from scorecard.config import CardType, GatesConfig, TrackingConfig
from scorecard.errors import GateFailed, ScorecardError
from scorecard.tracking.gates import PSI_BINS, Evidence, GateReport, evaluate_gates

CHAMPION = "champion"
CHALLENGER = "challenger"
BUNDLE_PATH = "bundle"
EVIDENCE_PATH = "evidence"
SAMPLE_FILE = "sample.parquet"
DEV_SAMPLE_FILE = "dev_sample.parquet"
DEV_SCORES_FILE = "dev_scores.parquet"
EVIDENCE_FILE = "evidence.json"
TARGET = "target"
HISTORY_TAG = "champion.history"
HISTORY_CHARS = 5000
CARD_TAG = "scorecard.card_type"


class PromotionRefused(GateFailed):
    """A gate failed and the promotion was not forced; ``report`` holds every gate's outcome."""

    def __init__(self, message: str, report: GateReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Promotion:
    """What a promote or rollback did: ``action`` is promoted, forced, unchanged, rolled back or checked."""

    name: str
    version: str
    previous: str | None
    action: str
    report: GateReport | None = None


@dataclass(frozen=True)
class VersionSummary:
    """One registered version as ``scorecard models list`` shows it."""

    name: str
    version: str
    aliases: list[str]
    created: str
    run_id: str
    run_status: str
    metrics: dict[str, float]
    gates: str


def model_name(card: str, tracking: TrackingConfig | None = None) -> str:
    """Registered model of a card: ``tracking.registered_model``, else ``<card type>_scorecard``.

    Anything that is not a card type (application, behaviour, collection) is taken as a registered model name.
    """
    if tracking is not None and tracking.registered_model:
        return tracking.registered_model
    return f"{card}_scorecard" if card in get_args(CardType) else card


def parse_model_ref(ref: str) -> tuple[str, str]:
    """``application@champion``, ``application_scorecard/3`` or ``models:/...`` -> (registered name, alias|version)."""
    body = ref.removeprefix("models:/").strip("/")
    for sep in ("@", "/"):
        if sep in body:
            name, _, which = body.partition(sep)
            if name and which:
                return model_name(name), which
    raise ScorecardError(
        f"model reference {ref!r}: expected NAME@ALIAS or NAME/VERSION, e.g. application@champion"
    )


def register(
    model_uri: str,
    name: str,
    run_id: str,
    card_type: str,
    tags: dict[str, str] | None = None,
    client: MlflowClient | None = None,
) -> ModelVersion:
    """Register the logged model as a new version of ``name`` and point ``challenger`` at it."""
    client = client or _client()

    try:
        client.create_registered_model(
            name,
            tags={CARD_TAG: card_type},
            description=f"{card_type} scorecard (pyfunc wrapping the serving bundle)",
        )
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    version = client.create_model_version(  # not mlflow.register_model, which prints to stderr
        name,
        source=model_uri,
        run_id=run_id,
        tags={CARD_TAG: card_type, "run_id": run_id, **(tags or {})},
        model_id=model_uri.removeprefix("models:/") if model_uri.startswith("models:/m-") else None,
    )
    try:
        client.set_registered_model_alias(name, CHALLENGER, version.version)
    except Exception:
        client.delete_model_version(name, version.version)
        raise
    return version


def model_version(name: str, which: str | int, client: MlflowClient | None = None) -> ModelVersion:
    """A version by number or alias, or a ScorecardError naming the versions that exist."""
    client = client or _client()
    which = str(which)
    try:
        if which.isdigit():
            return client.get_model_version(name, which)
        return client.get_model_version_by_alias(name, which)
    except MlflowException:
        known = sorted((int(v.version) for v in _versions(client, name)), reverse=True)
        raise ScorecardError(
            f"registered model {name!r} has no version or alias {which!r} (versions: {known or 'none'})"
        ) from None


def champion_version(name: str, client: MlflowClient | None = None) -> str | None:
    """The version the ``champion`` alias points at, or None."""
    client = client or _client()
    try:
        return str(client.get_model_version_by_alias(name, CHAMPION).version)
    except MlflowException:
        return None


def logged_gates(name: str, version: str | int, client: MlflowClient | None = None) -> GatesConfig:
    """The gates of the config the version was trained with (its run's ``gates.*`` params)."""
    client = client or _client()
    params = client.get_run(_run_id(model_version(name, version, client))).data.params
    logged = {k.removeprefix("gates."): v for k, v in params.items() if k.startswith("gates.")}
    try:
        return GatesConfig.model_validate(logged)
    except ValueError as exc:
        raise ScorecardError(
            f"{name} v{version}: the run's gates.* params are not a valid gates config ({exc})"
        ) from None


def promote(
    card: str,
    version: str | int,
    gates: GatesConfig,
    force: bool = False,
    reason: str | None = None,
    dry_run: bool = False,
    client: MlflowClient | None = None,
) -> Promotion:
    """Move ``champion`` of ``card`` (type or registered name) to ``version`` if every gate passes.

    A failed gate raises GateFailed (``PromotionRefused``) and changes nothing, unless ``force`` with a
    ``reason``; ``dry_run`` only measures.
    """
    if force and not (reason and reason.strip()):
        raise ScorecardError("--force needs --reason TEXT: an override must say why")
    client = client or _client()
    name = model_name(card)
    candidate = model_version(name, version, client)
    completed = None if dry_run else complete_pending(name, client)
    previous = champion_version(name, client)
    number = str(candidate.version)
    if previous == number and not dry_run:
        _drop_challenger(client, name, number)
        if completed is not None:
            return Promotion(name, number, completed or None, "completed")
        return Promotion(name, number, previous, "unchanged")
    report = evaluate_gates(measure(candidate, previous, client), gates)
    if dry_run:
        return Promotion(name, number, previous, "checked", report)
    if not report.passed and not force:
        raise PromotionRefused(
            f"{name} v{number} not promoted: gate(s) failed: {', '.join(report.failed)}", report
        )
    action = "promoted" if report.passed else "forced"
    tags = {
        "champion.action": action,
        "champion.gates": report.to_json(),
        "champion.gates_passed": str(report.passed).lower(),
        "champion.previous": previous or "",
        "champion.replaces": _change_id(client, name, previous),
        **({"champion.swap_set": json.dumps(list(report.swap_set))} if report.swap_set else {}),
        **_who_when(reason),
    }
    _move_champion(client, name, number, tags)
    return Promotion(name, number, previous, action, report)


def rollback(card: str, reason: str | None = None, client: MlflowClient | None = None) -> Promotion:
    """Return ``champion`` to the version the current champion replaced, recorded like a promotion."""
    client = client or _client()
    name = model_name(card)
    completed = complete_pending(name, client)
    current = champion_version(name, client)
    if current is None:
        raise ScorecardError(f"registered model {name!r} has no champion to roll back")
    if completed is not None and client.get_model_version(name, current).tags.get("champion.action") == (
        "rolled back"
    ):  # the interrupted change was this rollback: finishing it is the rollback
        return Promotion(name, current, completed, "completed")
    restored = client.get_model_version(name, current).tags.get("champion.previous", "")
    if not restored:
        raise ScorecardError(
            f"{name} v{current} was the first champion; there is no earlier champion to return to"
        )
    target = model_version(name, restored, client)
    tags = {
        "champion.action": "rolled back",
        "champion.rolled_back_from": current,
        "champion.replaces": _change_id(client, name, current),
        **_who_when(reason),
    }
    _move_champion(client, name, str(target.version), tags)
    return Promotion(name, str(target.version), current, "rolled back")


def _who_when(reason: str | None) -> dict[str, str]:
    return {
        "champion.by": os.environ.get("USER") or getpass.getuser(),
        "champion.at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "champion.reason": reason or "",
        "champion.change": uuid.uuid4().hex,  # identifies the change in the history, whatever the clock says
    }


def _change_id(client: MlflowClient, name: str, champion: str | None) -> str:
    """The change id that made ``champion`` the champion ("" with no champion); a change records the one it
    replaces, so ``models list`` can tell whether an interrupted change was overtaken by a later one."""
    return client.get_model_version(name, champion).tags.get("champion.change", "") if champion else ""


def _move_champion(client: MlflowClient, name: str, version: str, tags: dict[str, str]) -> None:
    """Tags, then the alias (the step that makes the change real), then the history entry, then the challenger
    alias; each step is safe to repeat (see ``complete_pending``)."""
    for key, value in tags.items():
        client.set_model_version_tag(name, version, key, value)
    client.set_registered_model_alias(name, CHAMPION, version)
    _record(client, name, version, tags)
    _drop_challenger(client, name, version)


def _event(version: str, tags: dict[str, str]) -> dict[str, Any]:
    keys = ("champion.action", "champion.by", "champion.at", "champion.reason", "champion.change")
    event = {k.removeprefix("champion."): tags[k] for k in keys if tags.get(k)}
    replaced = tags.get(
        "champion.rolled_back_from" if tags.get("champion.action") == "rolled back" else "champion.previous"
    )
    return {"version": version, "previous": replaced or None, **event}


def _record(client: MlflowClient, name: str, version: str, tags: dict[str, str]) -> None:
    """Append the change to ``champion.history`` unless it is there already (same version and time)."""
    event = _event(version, tags)
    events = history(name, client)
    if _change_key(event) in {_change_key(e) for e in events}:
        return
    events.append(event)
    while len(json.dumps(events)) > HISTORY_CHARS and len(events) > 1:
        events.pop(0)
    client.set_registered_model_tag(name, HISTORY_TAG, json.dumps(events))


def _change_key(event: dict[str, Any]) -> tuple[str, str]:
    """What identifies a recorded change: its id, or (for entries older than ids) its version and time."""
    return (
        ("change", str(event["change"]))
        if event.get("change")
        else (str(event.get("version")), str(event.get("at")))
    )


def complete_pending(name: str, client: MlflowClient | None = None) -> str | None:
    """Finish a champion change interrupted after its alias moved: append its history entry, drop the
    challenger alias; returns the version it replaced (None when nothing was pending)."""
    client = client or _client()
    current = champion_version(name, client)
    if current is None:
        return None
    tags = dict(client.get_model_version(name, current).tags)
    if not tags.get("champion.at"):
        return None
    if _change_key(_event(current, tags)) in {_change_key(e) for e in history(name, client)}:
        return None
    _record(client, name, current, tags)
    _drop_challenger(client, name, current)
    return str(_event(current, tags)["previous"] or "")


def _drop_challenger(client: MlflowClient, name: str, version: str) -> None:
    """A champion is no longer the challenger."""
    try:
        challenger = str(client.get_model_version_by_alias(name, CHALLENGER).version)
    except MlflowException:
        return
    if challenger == version:
        client.delete_registered_model_alias(name, CHALLENGER)


def history(name: str, client: MlflowClient | None = None) -> list[dict[str, Any]]:
    """Recorded champion changes of ``name``, oldest first (the most recent ~5000 characters of them)."""
    client = client or _client()
    text = client.get_registered_model(name).tags.get(HISTORY_TAG)
    return list(json.loads(text)) if text else []


def measure(candidate: ModelVersion, champion: str | None, client: MlflowClient | None = None) -> Evidence:
    """Score the candidate (and the champion) bundles on the candidate's logged sample and gather the evidence."""
    client = client or _client()
    from scorecard.bundle.runtime import load_bundle
    from scorecard.modeling.evaluation import discrimination, psi
    from scorecard.modeling.strategy import swap_sets

    with tempfile.TemporaryDirectory() as tmp:
        evidence_dir = Path(client.download_artifacts(_run_id(candidate), EVIDENCE_PATH, tmp))
        facts = json.loads((evidence_dir / EVIDENCE_FILE).read_text())
        sample = pd.read_parquet(evidence_dir / SAMPLE_FILE)
        dev_scores = pd.read_parquet(evidence_dir / DEV_SCORES_FILE)["score"].to_numpy()
        target = sample[TARGET].to_numpy(dtype=float)
        columns = sample.drop(columns=TARGET)

        def gini_of(version: ModelVersion, folder: str) -> tuple[float, Any]:
            bundle = load_bundle(_download_run_bundle(client, version, Path(tmp) / folder))
            scored = bundle.score_batch(columns, explain=False)
            return float(discrimination(target, -scored["score"].astype(float))["gini"]), scored

        oot_gini, scored = gini_of(candidate, "candidate")
        scores = scored["score"]
        champion_gini, swap = None, ()  # type: tuple[float | None, tuple[dict[str, Any], ...]]
        if champion is not None:
            try:
                champion_gini, theirs = gini_of(
                    client.get_model_version(candidate.name, champion), "champion"
                )
                approved = [np.asarray(s["decision"]) == "approve" for s in (scored, theirs)]
                if any(a.any() for a in approved):
                    swap = tuple(
                        {str(k): v for k, v in row.items()}
                        for row in swap_sets(target, *approved).to_dict("records")
                    )
            except ScorecardError as exc:
                raise ScorecardError(
                    f"{candidate.name}: champion v{champion} cannot score the {facts['sample']} sample of "
                    f"v{candidate.version}, so the Gini drop gate cannot be judged: {exc}"
                ) from exc
    return Evidence(
        oot_gini=oot_gini,
        score_psi=psi(dev_scores, scores, bins=PSI_BINS),
        sign_violations=tuple(facts["sign_violations"]),
        parity_mismatches=int(facts["parity_mismatches"]),
        parity_rows=int(facts["parity_rows"]),
        champion_version=champion,
        champion_oot_gini=champion_gini,
        sample=str(facts["sample"]),
        swap_set=swap,
    )


def _run_id(version: ModelVersion) -> str:
    if not version.run_id:
        raise ScorecardError(f"{version.name} v{version.version} is not linked to a training run")
    return str(version.run_id)


def _download_run_bundle(client: MlflowClient, version: ModelVersion, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    return Path(client.download_artifacts(_run_id(version), BUNDLE_PATH, str(dst)))


def download_bundle(model_uri: str, dst: Path | str, client: MlflowClient | None = None) -> Path:
    """Download the serving bundle of ``model_uri`` (e.g. ``application@champion``) into ``dst``; returns ``dst``."""
    client = client or _client()
    name, which = parse_model_ref(model_uri)
    dst = Path(dst)
    if dst.exists() and any(dst.iterdir()):
        raise ScorecardError(f"{dst}: output folder is not empty; choose a new folder for the bundle")
    with tempfile.TemporaryDirectory() as tmp:
        bundle = _download_run_bundle(client, model_version(name, which, client), Path(tmp))
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(bundle, dst, dirs_exist_ok=True)
    return dst


def run_text(run_id: str, artifact: str, client: MlflowClient | None = None) -> str | None:
    """The text of one file a run logged (``card/overrides.yaml``), or None when the run has no such file."""
    client = client or _client()
    folder, _, _ = artifact.rpartition("/")
    if artifact not in {a.path for a in client.list_artifacts(run_id, folder or None)}:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        return Path(client.download_artifacts(run_id, artifact, tmp)).read_text()


def _client() -> MlflowClient:
    from scorecard.tracking.store import connect

    return connect()


def _versions(client: MlflowClient, name: str) -> list[ModelVersion]:
    return list(client.search_model_versions(f"name = '{name}'"))


def export_champion(card: str, bundles: Path | str, client: MlflowClient | None = None) -> Path:
    """The champion's bundle in ``bundles/v<N>`` (downloaded once: versioned folders are immutable), with
    ``bundles/CHAMPION`` naming the folder in force; raises when the card has no champion."""
    client = client or _client()
    name = model_name(card)
    version = champion_version(name, client)
    if version is None:
        raise ScorecardError(f"registered model {name!r} has no champion to export; promote a version first")
    bundles = Path(bundles)
    target = bundles / f"v{version}"
    if not (target / "manifest.json").is_file():
        download_bundle(f"{name}/{version}", target, client)
    (bundles / "CHAMPION").write_text(f"v{version}\n")
    return target


def list_versions(card: str | None = None, client: MlflowClient | None = None) -> list[VersionSummary]:
    """Every version of ``card`` (or of every registered model), newest first, with run metrics and gate outcome."""
    client = client or _client()
    names = [model_name(card)] if card else sorted(m.name for m in client.search_registered_models())
    rows = []
    for model in names:
        aliases: dict[str, list[str]] = {}
        for alias, number in client.get_registered_model(model).aliases.items():
            aliases.setdefault(str(number), []).append(alias)
        events = history(model, client)
        recorded = {_change_key(e) for e in events}
        champion = next(iter(v for v, names in aliases.items() if CHAMPION in names), None)
        champion_change = _change_id(client, model, champion)
        for version in sorted(_versions(client, model), key=lambda v: int(v.version), reverse=True):
            run = client.get_run(version.run_id) if version.run_id else None
            rows.append(
                VersionSummary(
                    name=model,
                    version=str(version.version),
                    aliases=sorted(aliases.get(str(version.version), [])),
                    created=dt.datetime.fromtimestamp(version.creation_timestamp / 1000, dt.UTC).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    run_id=version.run_id or "",
                    run_status=run.info.status if run else "",
                    metrics=dict(run.data.metrics) if run else {},
                    gates=_gate_outcome(
                        version.tags,
                        _change_key(_event(str(version.version), dict(version.tags))) in recorded,
                        is_champion=str(version.version) == champion,
                        champion_change=champion_change,
                    ),
                )
            )
    return rows


def _gate_outcome(tags: dict[str, str], recorded: bool, is_champion: bool, champion_change: str) -> str:
    """The version's last champion change; tags without a history entry mean an interrupted change.

    The hint to run ``promote`` again is given only when following it cannot demote a newer champion: for
    the champion itself (rerunning records the change), or for a version whose interrupted change replaced
    the champion still in force (``champion.replaces`` is the current champion's change id). No clocks are
    compared: promotions from machines whose clocks disagree are judged the same way.
    """
    action = tags.get("champion.action")
    if not action:
        return "not evaluated"
    if not recorded:
        if is_champion:
            return "champion; change not yet in the history: run promote again to record it"
        if tags.get("champion.replaces") == champion_change:
            return "interrupted before the alias moved: run promote again"
        if "champion.replaces" not in tags:
            return f"{action}, interrupted; check champion.history before rerunning"
        return f"{action}, interrupted; superseded by a later champion (do not rerun)"
    if action == "rolled back":
        return f"restored from v{tags.get('champion.rolled_back_from', '?')}"
    report = GateReport.from_json(tags.get("champion.gates", "[]"))
    failed = f" ({', '.join(report.failed)} failed)" if report.failed else ""
    return f"{action}{failed}"
