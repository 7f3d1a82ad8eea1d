"""Plan rows of outbound campaigns, and of inbound channels whose agents also work a campaign (blends).

:func:`campaigns` adds one row per planned interval for every :class:`~planner.staffing.outbound.Outbound`
channel (every interval of the days the forecast covers: a campaign may call while the inbound
channels are closed) and, where a campaign has ``blend = "phone"``, staffs phone and the campaign
as one pool under the idle-agent threshold rule (:mod:`planner.staffing.blend`): in each interval
where the campaign may call and phone is open, phone's row gets the least agents and the
``idle_threshold`` that meet phone's target while keeping the campaign's ``outbound_agents`` busy
on outbound calls, and the campaign's row gets ``agents = 0`` (its calls are made by phone's
agents; ``blend`` names them). Elsewhere each is staffed on its own.

The blend chain takes outbound calls as long as inbound ones on average (Bhulai and Koole 2003);
a blended campaign's ``outbound_aht_s`` (agent time per dial, ``3600 / dials_per_hour``) is what
the simulator plays, and a warning says when it differs from the inbound handle time by more than
a quarter.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from planner.errors import PlannerWarning, SpecError
from planner.staffing import blend, outbound

__all__ = ["campaigns"]

#: Relative difference of outbound and inbound handle times beyond which the blend warns.
AHT_MISMATCH = 0.25


def _planned(forecast: pd.DataFrame, interval_s: float) -> pd.DatetimeIndex:
    """Every interval of the local days the forecast covers, on its grid."""
    starts = pd.DatetimeIndex(forecast["interval_start"])
    tz = str(starts.tz)
    days = starts.tz_convert(tz)
    ns = outbound._grid(int(outbound._ns(starts).min()), days.min().date(), days.max().date(), tz, interval_s)
    return outbound._local(ns, tz)


def _blend(inbound: pd.DataFrame, campaign: pd.DataFrame, spec_in, spec_out, name_in: str):
    """Staff an inbound channel and its campaign as one pool where both work; returns both parts."""
    if spec_in.kind != "voice" or spec_in.segments:
        raise SpecError(f"outbound.blend: {name_in} is a {spec_in.kind} channel{' with segments' if spec_in.segments else ''}; "
                        "a campaign blends with an unsegmented voice channel")
    keys_in, keys_out = outbound._ns(inbound["interval_start"]), outbound._ns(campaign["interval_start"])
    at = np.searchsorted(keys_out, keys_in)
    found = (at < keys_out.size) & (keys_out[np.minimum(at, keys_out.size - 1)] == keys_in)
    at = np.minimum(at, keys_out.size - 1)
    need = np.where(found, campaign["agents_fractional"].to_numpy(float)[at], 0.0)
    allowed = found & campaign["open"].to_numpy(bool)[at] & (need > 0)
    inbound = inbound.copy()
    campaign = campaign.copy()
    inbound["idle_threshold"] = inbound["agents"].to_numpy(np.int64)
    inbound["outbound_agents"] = 0.0
    campaign["blend"] = ""
    campaign["outbound_agents"] = 0.0
    campaign["outbound_aht_s"] = 3600.0 / spec_out.dials_per_hour
    if allowed.any():
        rows = np.flatnonzero(allowed)
        load = inbound["load_erlangs"].to_numpy(float)[rows]
        aht = inbound["aht_s"].to_numpy(float)[rows]
        r = blend.requirement(load, aht, need[rows], target_service_level=spec_in.target_service_level,
                              threshold_s=spec_in.threshold_s,
                              patience_s=np.inf if spec_in.patience_s is None else spec_in.patience_s)
        position = inbound.index[rows]
        for column, value in (("agents", r["agents"]), ("agents_fractional", r["agents"].astype(float)),
                              ("service_level", r["service_level"]), ("asa_s", r["asa_s"]),
                              ("occupancy", r["occupancy"]), ("abandon_rate", r["p_abandon"]),
                              ("idle_threshold", r["idle_threshold"]), ("outbound_agents", r["outbound_agents"])):
            inbound.loc[position, column] = value
        shared = campaign.index[at[rows]]
        campaign.loc[shared, "agents"] = 0
        campaign.loc[shared, "agents_fractional"] = 0.0
        campaign.loc[shared, "occupancy"] = np.nan
        campaign.loc[shared, "blend"] = name_in
        campaign.loc[shared, "outbound_agents"] = r["outbound_agents"]
        mean_aht = float(np.average(aht, weights=np.maximum(load, 1e-12)))
        per_dial = 3600.0 / spec_out.dials_per_hour
        if abs(per_dial - mean_aht) > AHT_MISMATCH * mean_aht:
            warnings.warn(f"blend {name_in}: an outbound dial takes {per_dial:.0f} s of agent time "
                          f"(3600 / dials_per_hour), an inbound call {mean_aht:.0f} s; the blend model takes them "
                          "as equal, so check the plan with planner simulate", PlannerWarning, stacklevel=4)
    inbound["agents"] = inbound["agents"].astype(np.int64)
    campaign["agents"] = campaign["agents"].astype(np.int64)
    inbound["idle_threshold"] = inbound["idle_threshold"].astype(np.int64)
    return inbound, campaign


def campaigns(parts: dict, forecast: pd.DataFrame, channels, interval_s: float) -> dict:
    """Add the outbound channels' rows to ``parts`` (channel -> plan rows) and staff the blends."""
    names = [name for name, spec in channels.items() if spec.kind == "outbound"]
    if not names:
        return parts
    if forecast.empty:
        raise SpecError("outbound: a campaign is planned over the forecast's days, and the forecast is empty")
    intervals = _planned(forecast, interval_s)
    parts = dict(parts)
    for name in names:
        spec = channels[name]
        rows = outbound.campaign_plan(spec, intervals, interval_s=interval_s)
        part = rows.assign(channel=name, kind="outbound", method=spec.dialler, service_level=np.nan, asa_s=np.nan,
                           agents_fluid=np.nan)
        for column in ("offered_lo", "offered_hi"):
            if column in forecast:
                part[column] = part["offered"]
        if spec.blend is not None:
            if spec.blend not in channels:
                raise SpecError(f"outbound.blend: no channel {spec.blend!r} to blend with")
            if spec.blend in parts:
                parts[spec.blend], part = _blend(parts[spec.blend], part, channels[spec.blend], spec, spec.blend)
        parts[name] = part
    return parts
