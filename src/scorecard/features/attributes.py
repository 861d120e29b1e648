"""Policy attributes: identifiers and facts a card's decision policy reads, carried beside the features.

They are never modeled (not in ``ModelingTable.features``). They let the bundle's knock-outs (blacklisted
hashed ids and devices, excluded regions) run on the development, parity and monitoring samples exactly as
the risk engine runs them. Only the attributes a card's policy names are built.
"""

from __future__ import annotations

import ibis.expr.types as ir

from scorecard.config import CardConfig
from scorecard.features.device import anchor_devices, declared_province
from scorecard.features.spine import Sources, Spine, require

ATTRIBUTES: dict[str, str] = {
    "national_id_hash": "keyed hash of the customer's national id (customers.national_id after ingestion)",
    "device_id_hash": "keyed hash of the device of the row's anchor device event (the application session)",
    "declared_province": "province declared on the application (the customer's residence for B/C cards)",
}

READS: dict[str, dict[str, tuple[str, ...]]] = {
    "national_id_hash": {"customers": ("customer_id", "national_id")},
    "device_id_hash": {
        "device_events": ("event_id", "application_id", "customer_id", "event_time", "device_id"),
    },
    "declared_province": {"customers": ("customer_id", "province")},
}
"""Per attribute, the canonical columns it reads."""


def policy_attributes(cfg: CardConfig) -> list[str]:
    """The attributes the card's policy rules read, in catalogue order."""
    fields = {rule.field for rule in (*cfg.policy.knockouts, *cfg.policy.early_warnings)}
    return [name for name in ATTRIBUTES if name in fields]


def attribute_table(spine: Spine, sources: Sources, names: list[str]) -> ir.Table:
    """Keys + the named attributes, one row per spine row."""
    keys = list(spine.keys)
    table = spine.table.select(*keys, "customer_id")
    if "national_id_hash" in names:
        customers = require(sources, "customers", "the national_id_hash policy attribute")
        ids = customers.select("customer_id", national_id_hash=customers.national_id)
        table = table.left_join(ids, "customer_id").select(*table.columns, "national_id_hash")
    if "device_id_hash" in names:
        devices = anchor_devices(spine, sources).rename(device_id_hash="anchor_device")
        table = table.left_join(devices, keys).select(*table.columns, "device_id_hash")
    if "declared_province" in names:
        table = table.left_join(declared_province(spine, sources), keys).select(
            *table.columns, "declared_province"
        )
    return table.select(*keys, *names)
