"""Export a trained card as a serving bundle: canonical JSON files, a manifest of SHA-256s, an optional zip.

Exporting the same trained card twice gives byte-identical files and archives: JSON is canonical (see
``format``), the creation time is the card's (``created_at`` argument, else the card's ``trained_at``, else
the modification time of the run folder's ``trained_card.joblib``), and zip entries carry a fixed
timestamp and mode. With ``SCORECARD_BUNDLE_KEY`` set the manifest is signed (``manifest.sig``, see
``signing``). Before anything is written the bundle is validated against its JSON Schemas and
compiled by the runtime, so a bundle that exports is a bundle that scores.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema

from scorecard import __version__
from scorecard.bundle import format as fmt
from scorecard.bundle.policy import rule_field_type
from scorecard.bundle.runtime import Bundle
from scorecard.bundle.signing import sign, signing_key
from scorecard.config import CardConfig, PolicyConfig, PolicyRule
from scorecard.data.values import read_values_file
from scorecard.errors import BundleError, ConfigError

if TYPE_CHECKING:
    from scorecard.modeling.train import TrainedCard

BUNDLE_FILES = (fmt.MANIFEST, fmt.SIGNATURE, *fmt.JSON_FILES, fmt.CHALLENGER, fmt.CHALLENGER_DESIGN)


def export_bundle(
    card: TrainedCard,
    out_dir: Path | str,
    zip: bool = False,
    model_version: str | None = None,
    created_at: dt.datetime | str | None = None,
    challenger: bool = True,
) -> Path:
    """Write ``card`` as a bundle folder at ``out_dir`` (and ``<out_dir>.zip`` when ``zip``); return the path.

    ``model_version`` defaults to ``unregistered+<first 12 hex of scorecard.json's SHA-256>`` (registry
    exports pass the registry version); ``challenger=False`` leaves the LightGBM shadow model out.
    """
    model = card.challenger if challenger else None
    shadow = None if model is None else (challenger_design(card), model.model_text())
    documents = bundle_documents(card, None if shadow is None else shadow[0])
    return write_bundle(
        documents,
        out_dir,
        card={"name": card.config.name, "type": card.config.card, "description": card.config.description},
        model_version=model_version,
        created_at=created_at if created_at is not None else _card_time(card),
        data_fingerprint=card.data_fingerprint,
        challenger=shadow,
        zip=zip,
    )


def record_policy_strategy(card: TrainedCard) -> None:
    """Score the card's evaluation sample (oot, else test) with a throw-away bundle and record the policy
    strategy tables (knock-outs, treatments, limits) in ``card.strategy`` and its run folder."""
    import tempfile

    from scorecard.bundle.runtime import load_bundle
    from scorecard.modeling.strategy import policy_tables

    frame = card.table.frame
    sample = frame[frame["split"] == ("oot" if (frame["split"] == "oot").any() else "test")]
    with tempfile.TemporaryDirectory() as tmp:
        bundle = load_bundle(export_bundle(card, Path(tmp) / "bundle", challenger=False, created_at=_EPOCH))
        scored = bundle.score_batch(sample.reindex(columns=list(bundle.fields)), explain=False)
    card.strategy.update(policy_tables(scored, sample["target"].to_numpy(), card.config))
    card.write_strategy()


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def write_bundle(
    documents: Mapping[str, Any],
    out_dir: Path | str,
    card: Mapping[str, str],
    model_version: str | None,
    created_at: dt.datetime | str,
    data_fingerprint: str,
    challenger: tuple[dict[str, Any], str] | None = None,
    zip: bool = False,
) -> Path:
    """Write the JSON ``documents`` (keyed by file name) and their manifest; return the folder or zip path."""
    files = {name: fmt.canonical_json(documents[name], name) for name in fmt.JSON_FILES}
    if challenger is not None:
        _validate(fmt.CHALLENGER_DESIGN, challenger[0])
        files[fmt.CHALLENGER_DESIGN] = fmt.canonical_json(challenger[0], fmt.CHALLENGER_DESIGN)
        files[fmt.CHALLENGER] = challenger[1].encode("utf-8")
    manifest = {
        "format_version": fmt.FORMAT_VERSION,
        "card": dict(card),
        "model_version": model_version or f"unregistered+{fmt.sha256(files[fmt.SCORECARD])[:12]}",
        "created_at": _timestamp(created_at),
        "code_version": __version__,
        "training_data_fingerprint": data_fingerprint,
        "features": [f["name"] for f in documents[fmt.SCORECARD]["features"]],
        "files": {
            name: {"sha256": fmt.sha256(data), "bytes": len(data)} for name, data in sorted(files.items())
        },
    }
    for name in (fmt.MANIFEST, *fmt.JSON_FILES):
        _validate(name, manifest if name == fmt.MANIFEST else documents[name])
    Bundle(manifest, dict(documents), challenger)  # compiles, or raises BundleError
    files[fmt.MANIFEST] = fmt.canonical_json(manifest, fmt.MANIFEST)
    key = signing_key()
    if key is not None:
        files[fmt.SIGNATURE] = sign(files[fmt.MANIFEST], key)
    out = Path(out_dir)
    _write_folder(out, files)
    if zip:
        archive = out.with_name(out.name + ".zip")
        archive.write_bytes(zip_bytes(files))
        return archive
    return out


def challenger_design(card: TrainedCard) -> dict[str, Any]:
    """``challenger.json``: how raw fields become the LightGBM challenger's input columns (see ``shadow``)."""
    if card.challenger is None:
        raise BundleError(f"{card.config.name}: the card has no challenger")
    return card.challenger.design()


def export_run(
    run_dir: Path | str,
    out_dir: Path | str,
    zip: bool = False,
    model_version: str | None = None,
    created_at: dt.datetime | str | None = None,
    challenger: bool = True,
) -> Path:
    """``export_bundle`` from a run folder's ``card_spec.json``: JSON only, the folder is never unpickled."""
    from scorecard.modeling.train import CARD_SPEC

    path = Path(run_dir) / CARD_SPEC
    if not path.is_file():
        raise BundleError(
            f"{path}: no card spec in this run folder (written by `scorecard train`); retrain to export it"
        )
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
        config = CardConfig.model_validate(spec["config"])
        shadow = spec["challenger"] if challenger else None
        documents = _documents(
            config, spec["scorecard"], spec["calibration"], spec["master_scale"], spec["reasons"],
            None if shadow is None else shadow["design"],
        )  # fmt: skip
        card = {"name": config.name, "type": config.card, "description": config.description}
        return write_bundle(
            documents, out_dir, card=card, model_version=model_version,
            created_at=created_at if created_at is not None else spec["trained_at"],
            data_fingerprint=spec["data_fingerprint"],
            challenger=None if shadow is None else (shadow["design"], shadow["model"]), zip=zip,
        )  # fmt: skip
    except (ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"{path}: not a card spec this version can export ({str(exc)[:120]})") from None


def bundle_documents(
    card: TrainedCard, challenger: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """The bundle's JSON documents for ``card`` (``challenger``: its design, when shipped), by file name."""
    return _documents(
        card.config, card.scorecard.to_spec(), card.calibrator.to_spec(), card.master_scale.to_spec(),
        card.reasons.to_spec(), challenger,
    )  # fmt: skip


def _documents(
    config: CardConfig,
    scorecard: dict[str, Any],
    calibration: dict[str, Any],
    master_scale: dict[str, Any],
    reasons: dict[str, Any],
    challenger: dict[str, Any] | None,
) -> dict[str, dict[str, Any]]:
    margin = config.policy.range_margin
    scorecard["range_margin"] = margin
    for feature in scorecard["features"]:
        if "valid_range" in feature:
            feature["valid_range"] = _finite_or_none(feature["valid_range"])
            feature["hard_limits"] = hard_limits(feature["valid_range"], margin)
    policy = policy_spec(config.policy)
    return {
        fmt.SCHEMA: input_schema(scorecard, policy, config, challenger),
        fmt.SCORECARD: scorecard,
        fmt.CALIBRATION: {"calibration": calibration, "master_scale": master_scale},
        fmt.REASONS: reasons,
        fmt.POLICY: policy,
    }


def policy_spec(policy: PolicyConfig) -> dict[str, Any]:
    """``policy.json`` from the config's policy section; ``values_file`` lists are read and inlined."""
    return {
        "knockouts": [{**_rule(r), "decision": r.decision} for r in policy.knockouts],
        "cutoffs": None if policy.cutoffs is None else policy.cutoffs.model_dump(),
        "dpd_field": policy.dpd_field,
        "treatments": [t.model_dump() for t in policy.treatments],
        "early_warnings": [{**_rule(r), "action": r.action} for r in policy.early_warnings],
        "incomplete": policy.incomplete,
        "limit": None if policy.limit is None else policy.limit.model_dump(exclude={"lgd"}),
    }


def hard_limits(valid_range: list[float] | None, margin: float) -> list[float] | None:
    """The development range widened by ``margin`` times its width (at least 1) on each side, never below 0
    for a range that starts at or above 0 (counts, amounts and ages cannot be negative)."""
    if valid_range is None:
        return None
    lo, hi = valid_range
    width = max(hi - lo, 1.0) * margin
    return [max(lo - width, 0.0) if lo >= 0 else lo - width, hi + width]


def _rule(rule: PolicyRule) -> dict[str, Any]:
    value = rule.value
    if rule.values_file is not None:
        path = Path(rule.values_file)
        if not path.is_file():  # checked when the config is read; the file may have gone since
            raise ConfigError(f"policy rule {rule.name!r}: values_file {path} not found")
        value = read_values_file(path, f"policy rule {rule.name!r}")
    if rule.op in ("in", "not_in"):
        value = sorted(set(value), key=lambda v: (type(v).__name__, v))
    return {
        "name": rule.name,
        "field": rule.field,
        "op": rule.op,
        "value": value,
        "if_missing": rule.if_missing,
    }


def input_schema(
    scorecard: Mapping[str, Any],
    policy: Mapping[str, Any],
    config: CardConfig,
    challenger: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``schema.json``: every input field, its type, allowed values and what happens to odd values."""
    fields: dict[str, dict[str, Any]] = {}
    for f in scorecard["features"]:
        entry: dict[str, Any] = {
            "name": f["name"],
            "required": True,
            "used_by": ["scorecard"],
            "on_missing": "missing_bin",
            "on_absent": "missing_bin_with_warning",
        }
        if f["kind"] == "numerical":
            entry |= {
                "type": "number",
                "valid_range": f.get("valid_range"),
                "special_codes": f["special"]["codes"],
                "hard_limits": f.get("hard_limits"),
                "on_out_of_range": "edge_bin_with_warning",
                "on_bad_value": "record_error",
            }
        else:
            entry |= {
                "type": "category",
                "categories": sorted({str(c) for b in f["bins"] for c in b["categories"]}),
                "on_unknown": f["unknown"]["rule"],
            }
        fields[f["name"]] = entry
    rules = [*policy["knockouts"], *policy["early_warnings"]]
    needs = [(r["field"], rule_field_type(r), f"rule {r['name']!r}") for r in rules]
    if policy["treatments"]:
        needs.append((policy["dpd_field"], "number", "the treatment table"))
    if policy.get("limit"):
        needs += [(policy["limit"][k], "number", "the limit policy") for k in ("income_field", "dti_field")]
    for name, field_type, user in needs:
        known = fields.get(name)
        if known is None:
            fields[name] = {
                "name": name,
                "type": field_type,
                "required": True,
                "used_by": ["policy"],
                "on_missing": {"the treatment table": "record_error", "the limit policy": "limit_zero"}.get(
                    user, "rule_if_missing"
                ),
                "on_absent": "treated_as_missing_with_warning",
                "on_bad_value": "record_error",
            }
        elif known["type"] != field_type and {known["type"], field_type} != {"category", "string"}:
            raise ConfigError(
                f"{config.source_path or config.name}: policy: {user} reads field {name!r} as {field_type}, "
                f"but it is a {known['type']} field"
            )
        elif "policy" not in known["used_by"]:
            known["used_by"] = [*known["used_by"], "policy"]
    for name in challenger["features"] if challenger else []:
        if name in fields:
            fields[name]["used_by"] = [*fields[name]["used_by"], "challenger"]
            continue
        fields[name] = {
            "name": name,
            "type": "category" if name in challenger["categorical"] else "number",  # type: ignore[index]
            "required": False,
            "used_by": ["challenger"],
            "on_missing": "challenger_nan",
            "on_absent": "shadow_score_error",
        }
    return {"card": config.name, "fields": list(fields.values())}


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A deterministic zip of ``files``: sorted entries, fixed timestamp and mode, deflate level 9."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=fmt.ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def _write_folder(out: Path, files: Mapping[str, bytes]) -> None:
    """Write the bundle files; stale bundle files go, any other file in ``out`` is an error."""
    if out.exists() and not out.is_dir():
        raise BundleError(f"{out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    foreign = sorted(p.name for p in out.iterdir() if p.name not in BUNDLE_FILES)
    if foreign:
        raise BundleError(
            f"{out}: holds files that are not part of a bundle {foreign}; export into an empty folder"
        )
    for name in BUNDLE_FILES:
        if name not in files and (out / name).exists():
            (out / name).unlink()
    for name, data in files.items():
        (out / name).write_bytes(data)


def _validate(name: str, document: Any) -> None:
    try:
        jsonschema.validate(document, fmt.json_schema(name), cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "<root>"
        raise BundleError(f"{name}: {where}: {exc.message}") from None


def _finite_or_none(pair: list[Any] | None) -> list[Any] | None:
    if pair is None or any(v is None or v != v for v in pair):
        return None
    return [float(v) for v in pair]


def _card_time(card: TrainedCard) -> dt.datetime:
    trained_at = getattr(card, "trained_at", None)
    if trained_at is not None:
        return (
            trained_at if isinstance(trained_at, dt.datetime) else dt.datetime.fromisoformat(str(trained_at))
        )
    if card.run_dir is not None and (Path(card.run_dir) / "trained_card.joblib").is_file():
        mtime = (Path(card.run_dir) / "trained_card.joblib").stat().st_mtime
        return dt.datetime.fromtimestamp(int(mtime), tz=dt.UTC)
    raise BundleError(
        f"{card.config.name}: the card has no training time (not saved to a run folder); pass created_at"
    )


def _timestamp(value: dt.datetime | str) -> str:
    """ISO 8601 UTC to the second, e.g. 2026-11-25T14:28:20Z."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
