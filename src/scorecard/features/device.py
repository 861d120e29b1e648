"""Device features: emulator/rooted, shared devices, devices per customer, IP changes, GPS vs declared province.

Point in time: an event counts when event_time < snapshot (midnight of the snapshot date) or, for an
application, when it is no later than the end of the application's own device session (events carrying the
application_id on the application day). The session is the application itself, so its fingerprint is known
when the decision is made; nothing after it counts. The anchor event is the latest counted event of the
customer (ties broken by event_id): at application, the session. Only the features asked for are computed,
from only the columns they read (``reads``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import ibis
import ibis.expr.types as ir

from scorecard.features.catalogue import family_features
from scorecard.features.spine import Sources, Spine, require

Stage = Callable[[str, ir.Table], ir.Table]
"""Names a step inside the backend and returns it as a table (``Engine.stage``)."""


def as_is(name: str, expr: ir.Table) -> ir.Table:
    """No staging: the step stays part of the expression it feeds."""
    return expr


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
"""The canonical columns the family reads (the build loads only those its chosen features read)."""

_EVENT_READS: dict[str, tuple[str, ...]] = {
    "device_emulator_or_rooted": ("event_id", "is_emulator", "is_rooted"),
    "device_customers_30d": ("event_id", "device_id"),
    "device_customers_90d": ("event_id", "device_id"),
    "device_devices_90d": ("device_id",),
    "device_ip_changes_30d": ("event_id", "ip"),
    "device_gps_province_mismatch": ("event_id", "gps_province"),
}
"""Feature -> the event columns it reads besides the customer's counted events (application, customer, time)."""
_ANCHORED = {n for n, cols in _EVENT_READS.items() if "event_id" in cols and n != "device_ip_changes_30d"}
"""Features read from the anchor event."""
_CARRIED = {"anchor_device": "device_id", "gps_province": "gps_province"}
"""The anchor event's columns carried as they are (when the events hold them)."""


def device_features(
    spine: Spine, sources: Sources, names: Collection[str] | None = None, stage: Stage = as_is
) -> ir.Table:
    """Keys + the named device features (every one without names), one row per spine row.

    ``stage`` names each intermediate step inside the backend (the cut-offs, the counted events when more
    than one summary reads them, each summary), so that a backend that materialises steps (DuckDB) runs one
    join or aggregate per query, each within its memory limit, instead of one plan holding every step's state.
    """
    keys = list(spine.keys)
    wanted = [n for n in family_features("device") if names is None or n in names]
    events = _events(require(sources, "device_events", "device features"))
    base = stage("device_cutoff", _with_cutoff(spine, events))
    counted = base.inner_join(events, "customer_id").filter(_counts)
    readers = (
        bool(set(wanted) & _ANCHORED) + ("device_ip_changes_30d" in wanted) + ("device_devices_90d" in wanted)
    )
    if readers > 1:  # a step read once stays in the plan that reads it: staging it would only add a write
        counted = stage("device_counted", counted)
    parts = []
    if set(wanted) & _ANCHORED:
        anchor = stage("device_anchor", _anchor(counted, keys))
        parts.append(anchor)
    if "device_ip_changes_30d" in wanted:
        recent = counted.filter(counted.event_time >= counted.snapshot_time - ibis.interval(days=30))
        recent = recent.mutate(
            previous_ip=recent.ip.lag().over(group_by=keys, order_by=[recent.event_time, recent.event_id])
        )
        ip_changes = recent.group_by(keys).aggregate(
            ip_changes=(recent.previous_ip.notnull() & (recent.ip != recent.previous_ip)).sum()
        )
        parts.append(stage("device_ip_changes", ip_changes))
    if "device_devices_90d" in wanted:
        devices = counted.group_by(keys).aggregate(
            devices_90d=counted.device_id.nunique(
                where=counted.event_time >= counted.snapshot_time - ibis.interval(days=90)
            )
        )
        parts.append(stage("device_devices", devices))
    if {"device_customers_30d", "device_customers_90d"} & set(wanted):
        parts.append(stage("device_customers", _customers_on_anchor_device(base, anchor, events, keys)))
    t = base
    for part in parts:
        t = t.left_join(part, keys)
    if "device_gps_province_mismatch" in wanted:
        t = t.left_join(declared_province(spine, sources), keys)
    formulas: dict[str, Callable[[], ir.Value]] = {
        "device_emulator_or_rooted": lambda: t.emulator_or_rooted,
        "device_customers_30d": lambda: t.customers_30d.cast("float64"),
        "device_customers_90d": lambda: t.customers_90d.cast("float64"),
        "device_devices_90d": lambda: t.devices_90d.fill_null(0).cast("float64"),
        "device_ip_changes_30d": lambda: t.ip_changes.fill_null(0).cast("float64"),
        "device_gps_province_mismatch": lambda: ibis.ifelse(
            t.gps_province.isnull(),
            ibis.null("float64"),
            (t.gps_province != t.declared_province).cast("float64"),
        ),
    }
    return t.select(*keys, **{name: formulas[name]() for name in wanted})


def anchor_devices(spine: Spine, sources: Sources) -> ir.Table:
    """Keys + anchor_device: the device of each row's anchor event (hashed at ingestion), for policy rules."""
    events = _events(require(sources, "device_events", "the device_id_hash policy attribute"))
    counted = _with_cutoff(spine, events).inner_join(events, "customer_id").filter(_counts)
    return _anchor(counted, list(spine.keys)).select(*spine.keys, "anchor_device")


def _anchor(counted: ir.Table, keys: list[str]) -> ir.Table:
    """The latest counted event per row (ties by event_id): its device, emulator/rooted flag and GPS (those of
    them the events carry)."""
    order = [counted.event_time, counted.event_id]
    ranked = counted.mutate(
        recency=ibis.row_number().over(group_by=keys, order_by=[ibis.desc(o) for o in order])
    )
    latest = ranked.filter(ranked.recency == 0)
    values = {name: latest[c] for name, c in _CARRIED.items() if c in latest.columns}
    if "is_emulator" in latest.columns:
        values["emulator_or_rooted"] = (latest.is_emulator | latest.is_rooted).cast("float64")
    return latest.select(*keys, **values)


def _events(device_events: ir.Table) -> ir.Table:
    """The events with the columns the build loaded (those its features read), event_time as a timestamp."""
    present = [c for c in READS["device_events"] if c in device_events.columns and c != "event_time"]
    return device_events.select(*present, event_time=device_events.event_time.cast("timestamp"))


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


def reads(card: str, names: Collection[str] | None = None) -> dict[str, tuple[str, ...]]:
    """The columns the named device features (every one without names) read for a card: the application
    card's spine carries the declared province itself."""
    chosen = family_features("device") if names is None else names
    used = {
        "application_id",
        "customer_id",
        "event_time",
        *(c for n in chosen for c in _EVENT_READS.get(n, ())),
    }
    found = {"device_events": tuple(c for c in READS["device_events"] if c in used)}
    if card != "application" and "device_gps_province_mismatch" in chosen:
        found["customers"] = READS["customers"]
    return found


def declared_province(spine: Spine, sources: Sources) -> ir.Table:
    """Keys + declared_province: from the application, else the customer's province of residence."""
    keys = list(spine.keys)
    if "declared_province" in spine.table.columns:
        return spine.table.select(*keys, "declared_province")
    customers = require(sources, "customers", "device_gps_province_mismatch (declared province)")
    people = customers.select("customer_id", declared_province=customers.province)
    return spine.table.left_join(people, "customer_id").select(*keys, "declared_province")
