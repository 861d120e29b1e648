"""Who reads which canonical column: the one map from a card's spine, target, feature families and policy
attributes to the columns they read.

It decides what ingestion requires of a card's sources (``card_needs``), what validation reports as lost
when an optional column is absent, and what ``scorecard data schema`` prints. Each reader's columns are
declared beside its code (the ``READS`` of spine, targets, each family and the policy attributes).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from scorecard.config import CardConfig
from scorecard.data.schema import TABLES, CardNeeds, ColumnReaders
from scorecard.features import (
    application,
    attributes,
    behaviour,
    bureau,
    collection,
    custom,
    device,
    spine,
    targets,
)
from scorecard.features.catalogue import (
    DEFAULT_FAMILIES,
    FAMILIES,
    FAMILY_CARDS,
    Card,
    Family,
    select_features,
)

ReaderKind = Literal["spine", "target", "family", "attribute"]

_FAMILY_READS: dict[Family, Mapping[str, tuple[str, ...]]] = {
    "bureau": bureau.READS,
    "device": device.READS,
    "application": application.READS,
    "behaviour": behaviour.READS,
    "collection": collection.READS,
}


@dataclass(frozen=True)
class Reader:
    """Something that reads canonical columns: a card's spine or target, a feature family, a policy attribute."""

    name: str
    kind: ReaderKind
    key: str
    """The card, family or attribute name."""
    reads: Mapping[str, tuple[str, ...]]


def readers(card: Card) -> list[Reader]:
    """Every reader that can run for ``card``: spine, target, the families it can compute, the attributes."""
    return [
        Reader(f"the {card} card's rows", "spine", card, spine.READS[card]),
        Reader(f"the {card} card's target", "target", card, targets.READS[card]),
        *(
            Reader(f"{f} features", "family", f, family_reads(f, card))
            for f in FAMILIES
            if card in FAMILY_CARDS[f]
        ),
        *(Reader(f"policy attribute {a}", "attribute", a, reads) for a, reads in attributes.READS.items()),
    ]


def configured_readers(cfg: CardConfig) -> tuple[list[Reader], list[Reader]]:
    """The card's readers split into those its config runs and those it does not (what absent data disables).

    The spine and the target read what the config makes them read (a ready-made target, an observation date
    column, the active rule; the declared province only for device features or a policy rule); custom features
    read what they declare.
    """
    f = cfg.features
    custom_only = bool(f.custom) and not f.families and not f.include  # no default families then
    chosen = [] if custom_only else select_features(cfg.card, f.families, f.include, f.exclude)
    families = {d.family for d in chosen}
    names = {d.name for d in chosen}
    rules = [*cfg.policy.knockouts, *cfg.policy.early_warnings]
    used_by = {a: [r.name for r in rules if r.field == a] for a in attributes.policy_attributes(cfg)}
    used, unused = split_readers(cfg.card, families, used_by)
    target = targets.ready_made_reads(cfg.card, cfg.target) if cfg.target.column else targets.READS[cfg.card]
    rows = spine.spine_reads(cfg)
    if "device_gps_province_mismatch" not in names and "declared_province" not in used_by:  # nothing else
        rows = {t: tuple(c for c in cols if c != "declared_province") for t, cols in rows.items()}
    configured = {"spine": rows, "target": target}
    used = [
        replace(r, reads=configured[r.kind])
        if r.kind in configured
        else replace(r, reads=family_reads(r.key, cfg.card, names))  # type: ignore[arg-type]
        if r.kind == "family"
        else r
        for r in used
    ]
    if custom.custom_defs(cfg):
        used.append(Reader("custom features", "family", "custom", custom.custom_reads(cfg)))
    return used, unused


def family_reads(
    family: Family, card: Card, names: Collection[str] | None = None
) -> Mapping[str, tuple[str, ...]]:
    """The columns a family reads for a card: only those its ``names`` features read (bureau and device
    compute only the features asked for), every one of its columns without names."""
    if family == "device":
        return device.reads(card, names)
    if family == "bureau":
        return bureau.reads(names)
    return _FAMILY_READS[family]


def split_readers(
    card: Card, families: set[Family], rules: Mapping[str, list[str]]
) -> tuple[list[Reader], list[Reader]]:
    """``card``'s readers run with these feature ``families`` and policy ``rules`` (attribute -> rule names),
    and the readers left out."""
    used: list[Reader] = []
    unused: list[Reader] = []
    for reader in readers(card):
        if reader.kind in ("spine", "target"):
            used.append(reader)
        elif reader.kind == "family":
            (used if reader.key in families else unused).append(reader)
        elif reader.key in rules:
            name = f"policy rule {', '.join(rules[reader.key])} ({reader.key})"
            used.append(Reader(name, "attribute", reader.key, reader.reads))
        else:
            unused.append(reader)
    return used, unused


def card_needs(cfg: CardConfig) -> CardNeeds:
    """The columns the card reads (required) and those other readers would read (optional), with readers."""
    return needs(*configured_readers(cfg))


def default_needs(card: Card) -> CardNeeds:
    """What a card needs with its default feature families and no policy rule."""
    return needs(*split_readers(card, set(DEFAULT_FAMILIES[card]), {}))


def needs(used: list[Reader], unused: list[Reader]) -> CardNeeds:
    """Required columns: those ``used`` readers read; optional: the other columns of those tables ``unused`` read."""
    required = _by_column(used)
    optional = {
        table: {c: names for c, names in columns.items() if c not in required.get(table, {})}
        for table, columns in _by_column(unused).items()
        if table in required
    }
    return CardNeeds(required, {t: cols for t, cols in optional.items() if cols})


def columns_read(cfg: CardConfig) -> dict[str, list[str]]:
    """Per canonical table, the columns a card's build reads (its spine, families, target and attributes)."""
    return {table: list(columns) for table, columns in card_needs(cfg).required.items()}


def _by_column(readers: list[Reader]) -> ColumnReaders:
    merged: ColumnReaders = {}
    for reader in readers:
        for table, columns in reader.reads.items():
            for column in columns:
                merged.setdefault(table, {})
                merged[table][column] = (*merged[table].get(column, ()), reader.name)
    return {t: merged[t] for t in TABLES if t in merged}
