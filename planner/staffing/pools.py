"""Plan rows of outbound campaigns, and of inbound channels whose agents also work a campaign (blends).

:func:`campaigns` adds one row per planned interval for every :class:`~planner.staffing.outbound.Outbound`
channel (every interval of the days the forecast covers: a campaign may call while the inbound
channels are closed) and, where a campaign has ``blend = "phone"``, staffs phone and the campaign
as one pool under the idle-agent threshold rule (:mod:`planner.staffing.blend`): in each interval
where the campaign may call and phone is open, phone's row gets the least agents and the
``idle_threshold`` that meet phone's target while keeping the campaign's ``outbound_agents`` busy
on outbound calls, and the campaign's row gets ``agents = 0`` (its calls are made by phone's
agents; ``blend`` names them). Elsewhere each is staffed on its own. Under phone's
``staffing_rule = "chance"`` the pool and threshold are those of the ``confidence`` quantile of
phone's rate, reported at the forecast; ``"expected"`` is refused (:mod:`planner.staffing.pool_rules`).
Phone's ``expected_service_level`` and probabilities are stated at the blended plan.

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
from planner.schema import epoch_ns
from planner.staffing import blend, outbound, pool_rules, rules
from planner.staffing.uncertainty import rate_quantile

__all__ = ["campaigns"]

#: Relative difference of outbound and inbound handle times beyond which the blend warns.
AHT_MISMATCH = 0.25


def _planned(forecast: pd.DataFrame, interval_s: float) -> pd.DatetimeIndex:
    """Every interval of the local days the forecast covers, on its grid."""
    starts = pd.DatetimeIndex(forecast["interval_start"])
    tz = str(starts.tz)
    days = starts.tz_convert(tz)
    ns = outbound._grid(int(epoch_ns(starts).min()), days.min().date(), days.max().date(), tz, interval_s)
    return outbound._local(ns, tz)


def _blend(inbound: pd.DataFrame, campaign: pd.DataFrame, spec_in, spec_out, name_in: str, day_draws: int = 0):
    """Staff an inbound channel and its campaign as one pool where both work; returns both parts."""
    if spec_in.kind != "voice" or spec_in.segments:
        raise SpecError(f"outbound.blend: {name_in} is a {spec_in.kind} channel{' with segments' if spec_in.segments else ''}; "
                        "a campaign blends with an unsegmented voice channel")
    if spec_in.staffing_rule == "expected":
        raise SpecError(f"{name_in}.staffing_rule: \"expected\" is not available for a voice channel blended with "
                        "a campaign (its pool and idle threshold would both have to follow the rate's distribution); "
                        f"staff {name_in} with \"point\" or {{ rule = \"chance\", confidence = 0.9 }}")
    shape = rules.forecast_shapes(inbound, spec_in, name_in)
    keys_in, keys_out = epoch_ns(inbound["interval_start"]), epoch_ns(campaign["interval_start"])
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
        patience = np.inf if spec_in.patience_s is None else spec_in.patience_s
        x = rate_quantile(shape[rows], spec_in.confidence) if spec_in.staffing_rule == "chance" else 1.0
        r = blend.requirement(load * x, aht, need[rows], target_service_level=spec_in.target_service_level,
                              threshold_s=spec_in.threshold_s, patience_s=patience)
        if spec_in.staffing_rule == "chance":  # staffed at the rate's q quantile; what it delivers at the forecast
            delivered = blend.blend_metrics(r["agents"], load, aht, spec_in.threshold_s, r["idle_threshold"],
                                            patience_s=patience)
            r.update({key: np.asarray(value) for key, value in delivered.__dict__.items()})
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
    if allowed.any():  # the blended intervals changed the pool: state the plan against the rate again
        inbound = inbound.assign(**_stated(inbound, spec_in, shape, day_draws))
    return inbound, campaign


def _stated(inbound: pd.DataFrame, spec, shape: np.ndarray, day_draws: int) -> dict[str, np.ndarray]:
    """``expected_service_level``, ``p_service_level_met``, ``p_day_service_level_met`` of a blended channel."""
    size = len(inbound)
    model = pool_rules.BlendModel(
        inbound["load_erlangs"].to_numpy(float), inbound["aht_s"].to_numpy(float), np.full(size, spec.threshold_s),
        np.full(size, spec.target_service_level), inbound["idle_threshold"].to_numpy(float),
        np.full(size, np.inf if spec.patience_s is None else spec.patience_s))
    agents = inbound["agents"].to_numpy(float)
    expected, chance = rules.outcomes(model, agents, shape)
    per_day = np.full(size, np.nan)
    if day_draws and "day_log_var" in inbound and (~np.isnan(shape)).any():
        day = pd.factorize(inbound["interval_start"].dt.tz_localize(None).dt.normalize())[0]
        per_day = rules.day_probability(model, agents, shape, pd.to_numeric(inbound["day_log_var"], errors="coerce"),
                                        day, draws=day_draws, seed=0)[day]
    return dict(expected_service_level=expected, p_service_level_met=chance, p_day_service_level_met=per_day)


def campaigns(parts: dict, forecast: pd.DataFrame, channels, interval_s: float, day_draws: int = 0) -> dict:
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
                parts[spec.blend], part = _blend(parts[spec.blend], part, channels[spec.blend], spec, spec.blend,
                                                  day_draws)
        parts[name] = part
    return parts
