"""Interval staffing plans: route each channel of a forecast to its model and gross up.

``staff(forecast, channels)`` takes the long forecast frame of docs/design.md section 3 (one row per
interval x channel) and a mapping of channel name to a channel spec (:class:`Voice`,
:class:`Chat`, :class:`Deferred` of :mod:`planner.staffing.specs`, re-exported here; outbound
campaigns: :class:`planner.staffing.outbound.Outbound`), and returns the plan frame: the forecast columns plus
``load_erlangs, agents, agents_fractional, agents_fluid, agents_gross, service_level, asa_s,
occupancy, abandon_rate, backlog``. The occupancy cap is applied before shrinkage, and
``agents_gross = agents / (1 - shrinkage)``. ``agents_fractional`` is every model's continuous
requirement (roll-ups sum it before rounding); deferred channels add ``agents_fluid`` (the fluid
lower bound), ``opening_backlog``, and the safety chosen (``service_quantile``, ``rate_margin``),
and their ``service_level`` is the expected share of the interval's items answered in time.

The plan also carries each channel's parameters as columns (``kind, method, threshold_s,
target_service_level, patience_s, concurrency, aht_growth, aht_concurrency, deadline_s, business_hours,
shrinkage``), so a plan file is self-describing: the simulator can check it without the scenario.
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Mapping

import numpy as np
import pandas as pd

from planner.calendar import interval_s_of
from planner.errors import InputError
from planner.staffing import erlang, erlang_a, rules
from planner.staffing.segments import Segment
from planner.staffing.specs import METHODS, Channel, Chat, Deferred, Voice
from planner.staffing.timevarying import modified_offered_load

__all__ = ["Voice", "Chat", "Deferred", "Segment", "staff", "METHODS"]

#: AHT above which ``method="auto"`` uses MOL for voice (long calls lag the arrivals).
MOL_AHT_S = 600.0

FORECAST_COLUMNS = ("interval_start", "channel", "offered", "aht_s")
PLAN_COLUMNS = (
    "load_erlangs", "agents", "agents_fractional", "agents_fluid", "agents_gross", "service_level", "asa_s",
    "occupancy", "abandon_rate", "backlog",
)


def _load(rows: pd.DataFrame, spec, interval_s: float) -> tuple[np.ndarray, str]:
    """Offered load per interval [Erlang] of a live channel (its rows in time order) and the method used."""
    rate = rows["offered"].to_numpy(float) / interval_s
    aht = rows["aht_s"].to_numpy(float)
    method = spec.method
    if method == "auto":
        method = "mol" if spec.kind == "chat" or float(np.nanmax(aht, initial=0.0)) > MOL_AHT_S else "sipp"
    if method == "mol":
        starts = rows["interval_start"]
        gaps = (starts.shift(-1) - starts).dt.total_seconds().to_numpy() - interval_s
        gaps = np.where(np.isnan(gaps), 0.0, np.maximum(gaps, 0.0))
        return modified_offered_load(rate, aht, interval_s=interval_s, gap_s=gaps), method
    return rate * aht, method


def _live(rows: pd.DataFrame, spec, interval_s: float, day_draws: int = rules.DAY_DRAWS) -> dict[str, np.ndarray]:
    """Staff one live channel (its rows in time order)."""
    aht = rows["aht_s"].to_numpy(float)
    load, method = _load(rows, spec, interval_s)
    patience = math.inf if spec.patience_s is None else spec.patience_s
    targets = dict(target_service_level=spec.target_service_level, threshold_s=spec.threshold_s,
                   max_occupancy=spec.max_occupancy)
    if spec.kind == "chat":
        from planner.staffing import chat

        alone = aht / (1.0 + spec.aht_growth * (spec.aht_concurrency - 1.0))  # a chat held alone
        profile = chat.aht_profile(alone, spec.concurrency, spec.aht_growth)
        effective_rate = load / aht  # MOL: the stationary model at the modified load
        agents = np.asarray(chat.required_agents(
            effective_rate, profile, patience_s=patience, max_abandon_rate=spec.max_abandon_rate, **targets))
        r = chat.erlang_chat(agents, effective_rate, profile, patience, spec.threshold_s)
        perf = dict(service_level=r.service_level, asa_s=r.asa_s, occupancy=r.occupancy, abandon_rate=r.p_abandon)
        fractional = chat.fractional_agents(
            effective_rate, profile, patience_s=patience, max_abandon_rate=spec.max_abandon_rate, **targets)
    elif spec.patience_s is None:
        r = erlang.requirement(load, aht, **targets)
        agents = r["agents"]
        fractional = erlang.fractional_agents(load, aht, **targets)
        perf = dict(service_level=r["service_level"], asa_s=r["asa_s"], occupancy=r["occupancy"],
                    abandon_rate=np.zeros(load.size))
    else:
        agents = np.asarray(erlang_a.required_agents(
            load, aht, patience_s=patience, max_abandon_rate=spec.max_abandon_rate, **targets))
        r = erlang_a.erlang_a(agents, load, aht, patience, spec.threshold_s)
        perf = dict(service_level=r.service_level, asa_s=r.asa_s, occupancy=r.occupancy, abandon_rate=r.p_abandon)
        fractional = erlang_a.fractional_agents(
            load, aht, patience_s=patience, max_abandon_rate=spec.max_abandon_rate, **targets)
    agents, fractional, perf, spread = rules.staff_live(rows, spec, load, aht, agents, fractional, perf, day_draws)
    return dict(load_erlangs=load, agents=np.asarray(agents, dtype=np.int64), agents_fractional=fractional,
                agents_fluid=np.full(load.size, np.nan), backlog=np.zeros(load.size), method=np.full(load.size, method),
                open=np.ones(load.size, bool), **perf, **spread)


def _deferred(rows: pd.DataFrame, spec: Deferred, interval_s: float, history: pd.DataFrame | None) -> dict[str, np.ndarray]:
    from planner.staffing import deferred
    from planner.staffing.deferred_backlog import history_window, opening_from_history

    starts = rows["interval_start"]
    offered, aht = rows["offered"].to_numpy(float), rows["aht_s"].to_numpy(float)
    is_open = spec.is_open(starts)
    timing = dict(interval_s=interval_s, deadline_s=spec.deadline_s, business_hours=spec.business_hours)
    opening = spec.opening_backlog
    window = None if opening is not None or history is None or not len(history) else \
        history_window(history, starts.iloc[0], interval_s)
    if window is not None:  # the same model over the last days of history, into the horizon
        past, past_offered, past_aht = window
        past_aht = np.where(np.isfinite(past_aht), past_aht, float(np.average(aht, weights=offered + 1e-9)))
        opening = opening_from_history(
            np.concatenate((past_offered, offered)), np.concatenate((past_aht, aht)),
            np.concatenate((spec.is_open(pd.Series(past)), is_open)), start=past_offered.size, **timing)
    result = deferred.deferred_requirement(
        offered * rules.day_volume_factor(rows, spec), aht, open=is_open, interval_start=starts,
        target_service_level=spec.target_service_level, max_occupancy=spec.max_occupancy, opening_backlog=opening,
        **timing)
    load = offered * aht / interval_s
    agents = np.asarray(result["agents_int"], dtype=np.int64)
    fractional = np.asarray(result["agents"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(agents > 0, np.minimum(fractional * spec.max_occupancy / agents, 1.0), 0.0)
    return dict(load_erlangs=load, agents=agents, agents_fractional=fractional, open=is_open,
                agents_fluid=result["agents_fluid"], service_level=result["service_level"],
                asa_s=np.full(load.size, np.nan), occupancy=occupancy, abandon_rate=np.zeros(load.size),
                backlog=result["backlog"], opening_backlog=result["opening_backlog"],
                service_quantile=result["service_quantile"], rate_margin=result["rate_margin"],
                method=np.full(load.size, "deferred"))


def staff(forecast: pd.DataFrame, channels: Mapping[str, Channel], *, interval_s: float | None = None,
          history: pd.DataFrame | None = None, day_draws: int = rules.DAY_DRAWS) -> pd.DataFrame:
    """The interval staffing plan for a forecast: agents per interval and channel, and what they deliver.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Long frame with ``interval_start`` (tz-aware), ``channel``, ``offered`` (contacts per
        interval) and ``aht_s`` [s]; more columns (``offered_lo``, ``offered_hi``) are kept.
    channels : mapping of str to Voice, Chat or Deferred
        The spec of every channel in the forecast.
    interval_s : float, optional
        Interval length [s]; when omitted, ``forecast.attrs["interval_s"]`` or the most common
        standard spacing of ``interval_start`` (:func:`planner.calendar.interval_s_of`).
    history : pandas.DataFrame, optional
        The history (``interval_start, channel, offered[, aht_s]``): deferred channels without an
        ``opening_backlog`` start from the backlog their last days leave
        (:func:`planner.staffing.deferred_backlog.opening_from_history`).
    day_draws : int
        Joint draws of each day's rate factors for ``p_day_service_level_met`` (0: not computed).

    Returns
    -------
    pandas.DataFrame
        The forecast columns, ``kind``, ``method``, ``load_erlangs`` [Erlang], ``agents`` (net, whole),
        ``agents_fractional``, ``agents_gross`` (after shrinkage), ``service_level``, ``asa_s`` [s],
        ``occupancy``, ``abandon_rate``, ``backlog`` [items], and the channel parameters. With the
        forecast's ``rate_shape`` (and ``day_log_var``), live channels also get
        ``expected_service_level`` (over the rate's distribution, weighted by volume),
        ``p_service_level_met`` (P(SL >= target) over the rate) and ``p_day_service_level_met``
        (P(the local day's volume-weighted SL >= target), the same on every interval of the day);
        NaN otherwise. See :mod:`planner.staffing.rules`.

    References
    ----------
    R. B. Cooper (1981), *Introduction to Queueing Theory*, 2nd ed., ch. 3 (Erlang C);
    A. Mandelbaum and S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A queue"
    (Erlang A); T. Tezcan and J. Zhang (2014), Operations Research 62(4) (chat with concurrency);
    Jennings, Mandelbaum, Massey & Whitt (1996), Management Science 42(10) (modified offered load);
    W. A. Horn (1974), Naval Res. Logist. Q. 21(1) (deferred work by deadline). The modules
    :mod:`planner.erlang`, :mod:`planner.erlang_a`, :mod:`planner.chat`, :mod:`planner.deferred`
    and :func:`planner.modified_offered_load` give the formulas.

    Examples
    --------
    >>> import pandas as pd
    >>> starts = pd.date_range("2026-07-06 09:00", periods=4, freq="15min", tz="Europe/London")
    >>> forecast = pd.DataFrame({"interval_start": starts, "channel": "phone",
    ...                          "offered": [50.0, 80, 120, 90], "aht_s": 180.0})
    >>> plan = staff(forecast, {"phone": Voice(target_service_level=0.8, threshold_s=20, shrinkage=0.3)})
    >>> plan["agents"].tolist()
    [14, 20, 29, 22]
    >>> plan["agents_gross"].round(2).tolist()
    [20.0, 28.57, 41.43, 31.43]
    """
    missing = [c for c in FORECAST_COLUMNS if c not in forecast.columns]
    if missing:
        raise InputError(f"forecast: missing column(s) {', '.join(missing)}; expected {', '.join(FORECAST_COLUMNS)}")
    unknown = sorted(set(forecast["channel"].unique()) - set(channels))
    if unknown:
        raise InputError(f"forecast: channel(s) {', '.join(map(str, unknown))} have no spec; "
                         f"add them to channels (known: {', '.join(sorted(channels)) or 'none'})")
    for column in ("offered", "aht_s"):
        values = forecast[column].to_numpy(float)
        bad = ~np.isfinite(values) | (values < 0) | ((values == 0) & (column == "aht_s"))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            rule = "> 0" if column == "aht_s" else ">= 0"
            raise InputError(f"forecast: row {row}, column {column}: expected a finite number {rule}, got {values[row]:g}")
    interval_s = interval_s_of(forecast) if interval_s is None else float(interval_s)

    from planner.staffing import pools, segments

    parts = {}
    for name, rows in forecast.sort_values(["channel", "interval_start"]).groupby("channel", sort=False):
        spec = channels[name]
        if spec.kind == "outbound":
            raise InputError(f"forecast: channel {name} is an outbound campaign: its dials come from its list "
                             "(list_size x attempts_per_record), not from a forecast; remove its rows")
        rows = rows.reset_index(drop=True)
        if getattr(spec, "segments", ()):
            parts[name] = segments.segmented(rows, spec, interval_s, *_load(rows, spec, interval_s), day_draws)
            continue
        if spec.kind == "deferred":
            past = None if history is None else history[history["channel"] == name]
            result = _deferred(rows, spec, interval_s, past)
        else:
            result = _live(rows, spec, interval_s, day_draws)
        parts[name] = rows.assign(kind=spec.kind, **result)
    parts = pools.campaigns(parts, forecast, channels, interval_s, day_draws)
    for name, part in parts.items():
        spec = channels[name]
        part["agents_gross"] = part["agents"] / (1.0 - spec.shrinkage)
        for field in fields(spec):
            value = getattr(spec, field.name)
            if field.name in part or field.name == "segments" or isinstance(value, Mapping):
                continue  # e.g. method: the plan records the method actually used
            part[field.name] = np.nan if value is None else value
    plan = pd.concat(list(parts.values()), ignore_index=True)
    order = ["interval_start", "channel"] + (["priority"] if "priority" in plan else [])
    plan = plan.sort_values(order, ignore_index=True, kind="stable")
    if "segment" in plan:
        plan["segment"] = plan["segment"].fillna("").astype(str)
    lead = [c for c in forecast.columns] + ["kind", "method", *PLAN_COLUMNS]
    return plan[lead + [c for c in plan.columns if c not in lead]]
