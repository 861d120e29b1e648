"""Device features: emulator/rooted, shared devices, devices per customer, IP changes, GPS vs declared province.

Point in time: an event counts when event_time < snapshot (midnight of the snapshot date) or, for an
application, when it is no later than the end of the application's own device session (events carrying the
application_id on the application day). The session is the application itself, so its fingerprint is known
when the decision is made; nothing after it counts. The anchor event is the latest counted event of the
customer (ties broken by event_id): at application, the session.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from scorecard.features.spine import Sources, Spine, require

CUSTOMER_WINDOWS_DAYS = (30, 90)
READS = {
    "device_events": (
        "event_id",
        "application_id",
        "customer_id",
        "event_time",
        "device_id",
        "ip",
        "is_emulator",
        "is_rooted",
        "gps_province",
    ),
    "customers": ("customer_id", "province"),
}
"""The canonical columns the family reads (the build loads only these)."""


def device_features(spine: Spine, sources: Sources) -> ir.Table:
    """Keys + every device feature, one row per spine row."""
    keys = list(spine.keys)
    events = _events(require(sources, "device_events", "device features"))
    base = _with_cutoff(spine, events)
    counted = base.inner_join(events, "customer_id").filter(_counts)
    anchor = _anchor(counted, keys)
    recent = counted.filter(counted.event_time >= counted.snapshot_time - ibis.interval(days=30))
    recent = recent.mutate(
        previous_ip=recent.ip.lag().over(group_by=keys, order_by=[recent.event_time, recent.event_id])
    )
    ip_changes = recent.group_by(keys).aggregate(
        ip_changes=(recent.previous_ip.notnull() & (recent.ip != recent.previous_ip)).sum()
    )
    devices = counted.group_by(keys).aggregate(
        devices_90d=counted.device_id.nunique(
            where=counted.event_time >= counted.snapshot_time - ibis.interval(days=90)
        )
    )
    shared = _customers_on_anchor_device(base, anchor, events, keys)
    province = declared_province(spine, sources)
    t = (
        base.left_join(anchor, keys)
        .left_join(ip_changes, keys)
        .left_join(devices, keys)
        .left_join(shared, keys)
        .left_join(province, keys)
    )
    mismatch = ibis.ifelse(
        t.gps_province.isnull(), ibis.null("float64"), (t.gps_province != t.declared_province).cast("float64")
    )
    return t.select(
        *keys,
        device_emulator_or_rooted=t.emulator_or_rooted,
        device_customers_30d=t.customers_30d.cast("float64"),
        device_customers_90d=t.customers_90d.cast("float64"),
        device_devices_90d=t.devices_90d.fill_null(0).cast("float64"),
        device_ip_changes_30d=t.ip_changes.fill_null(0).cast("float64"),
        device_gps_province_mismatch=mismatch,
    )


def anchor_devices(spine: Spine, sources: Sources) -> ir.Table:
    """Keys + anchor_device: the device of each row's anchor event (hashed at ingestion), for policy rules."""
    events = _events(require(sources, "device_events", "the device_id_hash policy attribute"))
    counted = _with_cutoff(spine, events).inner_join(events, "customer_id").filter(_counts)
    return _anchor(counted, list(spine.keys)).select(*spine.keys, "anchor_device")


def _anchor(counted: ir.Table, keys: list[str]) -> ir.Table:
    """The latest counted event per row (ties by event_id): its device, emulator/rooted flag and GPS."""
    order = [counted.event_time, counted.event_id]
    ranked = counted.mutate(
        recency=ibis.row_number().over(group_by=keys, order_by=[ibis.desc(o) for o in order])
    )
    return ranked.filter(ranked.recency == 0).select(
        *keys,
        anchor_device=ranked.device_id,
        emulator_or_rooted=(ranked.is_emulator | ranked.is_rooted).cast("float64"),
        gps_province=ranked.gps_province,
    )


def _events(device_events: ir.Table) -> ir.Table:
    return device_events.select(
        "event_id",
        "application_id",
        "customer_id",
        "device_id",
        "ip",
        "is_emulator",
        "is_rooted",
        "gps_province",
        event_time=device_events.event_time.cast("timestamp"),
    )


def _with_cutoff(spine: Spine, events: ir.Table) -> ir.Table:
    """Spine keys, customer, snapshot_time and session_end (the own session's last event, else null)."""
    keys = list(spine.keys)
    base = spine.table.mutate(snapshot_time=spine.table.snapshot_date.cast("timestamp"))
    if not spine.at_application:
        return base.select(*keys, "customer_id", "snapshot_time", session_end=ibis.null("timestamp"))
    own = events.filter(events.application_id.notnull()).select("application_id", own_time=events.event_time)
    session = (
        base.inner_join(own, "application_id")
        .filter(lambda t: t.own_time < t.snapshot_time + ibis.interval(days=1))
        .group_by(keys)
        .aggregate(session_end=lambda t: t.own_time.max())
    )
    return base.left_join(session, keys).select(*keys, "customer_id", "snapshot_time", "session_end")


def _counts(t: ir.Table) -> ir.BooleanValue:
    """The point-in-time rule: before the snapshot, or within the application's own session."""
    return (t.event_time < t.snapshot_time) | (t.event_time <= t.session_end).fill_null(False)


def _customers_on_anchor_device(
    base: ir.Table, anchor: ir.Table, events: ir.Table, keys: list[str]
) -> ir.Table:
    """Distinct customers (the applicant included) with counted events on the anchor device per window."""
    on_device = base.inner_join(anchor.select(*keys, "anchor_device"), keys)
    others = events.select("device_id", "event_time", seen_customer=events.customer_id)
    seen = on_device.inner_join(others, on_device.anchor_device == others.device_id).filter(_counts)
    in_window = {
        d: seen.event_time >= seen.snapshot_time - ibis.interval(days=d) for d in CUSTOMER_WINDOWS_DAYS
    }
    return seen.group_by(keys).aggregate(
        **{f"customers_{d}d": seen.seen_customer.nunique(where=cond) for d, cond in in_window.items()}
    )


def reads(card: str) -> dict[str, tuple[str, ...]]:
    """The family's reads for a card: the application card's spine carries the declared province itself."""
    return {t: c for t, c in READS.items() if not (card == "application" and t == "customers")}


def declared_province(spine: Spine, sources: Sources) -> ir.Table:
    """Keys + declared_province: from the application, else the customer's province of residence."""
    keys = list(spine.keys)
    if "declared_province" in spine.table.columns:
        return spine.table.select(*keys, "declared_province")
    customers = require(sources, "customers", "device_gps_province_mismatch (declared province)")
    people = customers.select("customer_id", declared_province=customers.province)
    return spine.table.left_join(people, "customer_id").select(*keys, "declared_province")
