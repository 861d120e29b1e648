"""Synthetic device and network fingerprints; fraud rings share devices and subnets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard.data import synth_text as text
from scorecard.data.schema import OS_NAMES, PROVINCES
from scorecard.data.synth_model import HORIZON_DAY
from scorecard.data.synth_people import PROVINCE_P, Applicants, pick

FIRST_OCTETS = np.array([31, 46, 77, 82, 91, 109, 178, 185, 188, 212])
GPS_MISSING, GPS_MISMATCH_NORMAL, GPS_MISMATCH_RING = 0.08, 0.04, 0.4
PRE_EVENTS, POST_EVENTS, POST_DAYS = 0.8, 1.2, 120


@dataclass
class DeviceProfile:
    """Devices (own device per customer, then one per fraud ring) and the fingerprint of each application."""

    device_key: np.ndarray
    os: np.ndarray
    emulator: np.ndarray
    rooted: np.ndarray
    app_count: np.ndarray
    octets: np.ndarray
    app_device: np.ndarray
    app_gps: np.ndarray

    def at_application(self, a: Applicants) -> dict[str, np.ndarray]:
        """Risk-relevant flags of each application's own fingerprint."""
        return {
            "fraud_ring": a.ring[a.customer] >= 0,
            "emulator": self.emulator[self.app_device],
            "rooted": self.rooted[self.app_device],
            "gps_mismatch": pd.notna(self.app_gps) & (self.app_gps != a.declared_province),
        }


def draw_profile(rng: np.random.Generator, a: Applicants) -> DeviceProfile:
    """Device attributes; ring devices are often emulated or rooted and report a GPS far from home."""
    n_cust = len(a.latent)
    n_dev = n_cust + int(a.ring.max()) + 1
    ring_dev = np.arange(n_dev) >= n_cust
    emulator = rng.random(n_dev) < np.where(ring_dev, 0.4, 0.004)
    rooted = rng.random(n_dev) < np.where(ring_dev, 0.3, 0.03)
    os = pick(rng, OS_NAMES, (0.62, 0.33, 0.05), n_dev)
    os[emulator] = pick(rng, ("android", "other"), (0.8, 0.2), int(emulator.sum()))
    app_count = np.where(emulator, rng.poisson(6, n_dev), rng.poisson(45, n_dev))
    octets = np.column_stack([FIRST_OCTETS[rng.integers(0, 10, n_dev)], rng.integers(0, 256, (n_dev, 3))])

    ring = a.ring[a.customer]
    app_device = np.where(ring >= 0, n_cust + ring, a.customer)
    n = len(a.day)
    gps = a.declared_province.copy()
    moved = rng.random(n) < np.where(ring >= 0, GPS_MISMATCH_RING, GPS_MISMATCH_NORMAL)
    gps[moved] = _other_province(rng, a.declared_province[moved])
    gps[rng.random(n) < GPS_MISSING] = None
    return DeviceProfile(
        device_key=text.keys("DV", rng.choice(10**10, size=n_dev, replace=False), 10),
        os=os,
        emulator=emulator,
        rooted=rooted,
        app_count=app_count,
        octets=octets,
        app_device=app_device,
        app_gps=gps,
    )


def _other_province(rng: np.random.Generator, province: np.ndarray) -> np.ndarray:
    codes = pd.Categorical(province, categories=PROVINCES).codes
    shifted = (codes + rng.integers(1, len(PROVINCES), len(codes))) % len(PROVINCES)
    return np.array(PROVINCES, dtype=object)[shifted]


def events_frame(
    rng: np.random.Generator, a: Applicants, d: DeviceProfile, app_keys: np.ndarray
) -> pd.DataFrame:
    """One event at each application, app sessions in the month before it and the four months after."""
    n = len(a.day)
    n_pre, n_post = rng.poisson(PRE_EVENTS, n), 1 + rng.poisson(POST_EVENTS, n)
    app = np.concatenate([np.arange(n), np.repeat(np.arange(n), n_pre), np.repeat(np.arange(n), n_post)])
    kind = np.concatenate([np.zeros(n, int), np.ones(n_pre.sum(), int), np.full(n_post.sum(), 2)])
    m = len(app)
    cust = a.customer[app]
    offset = np.select(
        [kind == 1, kind == 2], [-rng.integers(1, 31, m), rng.integers(1, POST_DAYS + 1, m)], 0
    )
    day = np.minimum(a.day[app] + offset, HORIZON_DAY - 1)
    seconds = day * 86_400 + rng.integers(7 * 3600, 23 * 3600, m)

    ring_session = (kind == 1) & (rng.random(m) < 0.5)
    device = np.where((kind == 0) | ring_session, d.app_device[app], cust)
    ring_app = (kind == 0) & (a.ring[cust] >= 0)
    roaming = ring_app | ((kind != 0) & (rng.random(m) < 0.3))
    last_octet = np.where(roaming, rng.integers(0, 256, m), d.octets[device, 3])

    gps = a.province[cust].copy()
    gps[kind == 0] = d.app_gps
    other = (kind != 0) & (rng.random(m) < 0.1)
    gps[other] = pick(rng, PROVINCES, PROVINCE_P, int(other.sum()))
    gps[(kind != 0) & (rng.random(m) < 0.1)] = None
    apps_installed = d.app_count[device] + rng.integers(-2, 3, m) * (kind != 0)
    apps_installed = pd.array(np.maximum(apps_installed, 0), dtype="Int64")
    apps_installed[rng.random(m) < 0.05] = pd.NA

    order = np.lexsort((rng.random(m), seconds))
    application_id = np.where(kind == 0, app_keys[app], None)
    return pd.DataFrame(
        {
            "event_id": text.keys("E", np.arange(m), 9),
            "application_id": application_id[order],
            "customer_id": a.customer_key[cust[order]],
            "event_time": (seconds[order] * 1_000_000_000).astype("datetime64[ns]"),
            "device_id": d.device_key[device[order]],
            "ip": text.ips(text.subnets(d.octets[:, :3])[device[order]], last_octet[order]),
            "os": d.os[device[order]],
            "is_emulator": d.emulator[device[order]],
            "is_rooted": d.rooted[device[order]],
            "installed_app_count": apps_installed[order],
            "gps_province": gps[order],
        },
        copy=False,
    )
