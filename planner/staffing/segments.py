"""Customer segments of a live channel: the :class:`Segment` spec and the plan rows of a segmented channel.

A voice or chat channel with ``segments`` is one pool of agents serving its segments by priority
(the first listed first, FCFS within a segment). Its plan has one row per interval and segment:
the segment's share of the forecast, its own target, service level, ASA and **priority tax** (its
FCFS service level at the same staff minus its service level: what it pays for the segments above
it), with the pool's ``agents`` repeated on every segment row (roll-ups count them once).

Voice is :mod:`planner.priority` on Erlang C; chat is the same priority argument on the balanced
chat chain: while every one of the ``N k`` slots is busy the chain drains at the full-load chat
rate, so the chain's P(wait) and the priority waits of :mod:`planner.priority` on ``N k`` servers
of the full-load duration give each segment's waits (without abandonment: ``patience_s`` is then
left to the simulator, and the plan's ``abandon_rate`` is empty). The channel's ``staffing_rule``
staffs the pool (``chance``: every segment meets its target with probability ``q``; ``expected``:
every segment's expected service level meets its target; :mod:`planner.staffing.pool_rules`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np
import pandas as pd

from planner.errors import PlannerWarning, SpecError
from planner.staffing import priority
from planner.staffing._search import smallest_integer

__all__ = ["Segment", "normalise_segments", "segmented"]

_KEYS = ("share", "target_service_level", "threshold_s", "patience_s")


def _check(name: str, value, *, low, low_open=False, high=None, high_open=False) -> None:
    if value is None and name != "share":
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise SpecError(f"segment.{name}: expected a number, got {value!r}")
    if value < low or (low_open and value == low):
        raise SpecError(f"segment.{name}: expected {'>' if low_open else '>='} {low:g}, got {value!r}")
    if high is not None and (value > high or (high_open and value == high)):
        raise SpecError(f"segment.{name}: expected {'<' if high_open else '<='} {high:g}, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class Segment:
    """A customer segment of a live channel: its share of the contacts and its own target.

    Segments of a channel share its agents; the first listed has the highest priority (served
    first, first come first served within a segment). Targets not given are the channel's.
    Staffed by :mod:`planner.priority` (exact, without abandonment).

    Parameters
    ----------
    share : float
        Share of the channel's forecast contacts in this segment [-], in (0, 1]; the shares of a
        channel's segments sum to 1.
    target_service_level : float, optional
        Required share answered within ``threshold_s`` [-], in (0, 1).
    threshold_s : float, optional
        Service-level threshold [s].
    patience_s : float, optional
        Mean patience [s] for the simulator (staffing ignores abandonment for segments).
    name : str
        The segment's name (set from the mapping key of ``segments``).

    Examples
    --------
    >>> from planner.staffing.plan import Voice
    >>> phone = Voice(target_service_level=0.8, threshold_s=20,
    ...               segments={"vip": {"share": 0.25, "target_service_level": 0.95, "threshold_s": 10},
    ...                         "standard": {"share": 0.75}})
    >>> [(s.name, s.target_service_level, s.threshold_s) for s in phone.segments]
    [('vip', 0.95, 10), ('standard', 0.8, 20)]
    """

    share: float
    target_service_level: float | None = None
    threshold_s: float | None = None
    patience_s: float | None = None
    name: str = ""

    def __post_init__(self) -> None:
        _check("share", self.share, low=0, low_open=True, high=1)
        _check("target_service_level", self.target_service_level, low=0, low_open=True, high=1, high_open=True)
        _check("threshold_s", self.threshold_s, low=0)
        _check("patience_s", self.patience_s, low=0, low_open=True)


def normalise_segments(spec) -> None:
    """Turn ``spec.segments`` (mapping or Segments) into a tuple of named, complete Segments."""
    raw, kind = spec.segments, type(spec).__name__.lower()
    if not raw:
        object.__setattr__(spec, "segments", ())
        return
    items = list(raw.items()) if isinstance(raw, Mapping) else [(getattr(v, "name", ""), v) for v in raw]
    out = []
    for name, segment in items:
        where = f"{kind}.segments.{name}"
        if isinstance(segment, Mapping):
            unknown = sorted(set(segment) - set(_KEYS))
            if unknown:
                raise SpecError(f"{where}.{unknown[0]}: unknown key; a segment has share, target_service_level, "
                                "threshold_s and patience_s")
            if "share" not in segment:
                raise SpecError(f"{where}.share: missing; give the segment's share of the channel's contacts")
            try:
                segment = Segment(name=str(name), **segment)
            except SpecError as error:
                raise SpecError(f"{kind}.segments.{name}.{str(error).split('.', 1)[1]}") from None
        elif not isinstance(segment, Segment):
            raise SpecError(f"{where}: expected a table such as {{ share = 0.25, target_service_level = 0.95, "
                            f"threshold_s = 10 }}, got {segment!r}")
        filled = {key: getattr(spec, key) for key in ("target_service_level", "threshold_s", "patience_s")
                  if getattr(segment, key) is None}
        for key in ("target_service_level", "threshold_s"):
            if filled.get(key, 0) is None:
                raise SpecError(f"{where}.{key}: missing; give it for the segment or for the channel")
        out.append(replace(segment, name=str(name), **filled))
    total = math.fsum(segment.share for segment in out)
    if abs(total - 1.0) > 1e-9:
        raise SpecError(f"{kind}.segments: the shares add up to {total:g}, not 1; give each segment its share of "
                        "the channel's contacts (e.g. vip 0.25, standard 0.75)")
    if len({segment.name for segment in out}) < len(out):
        raise SpecError(f"{kind}.segments: two segments have the same name")
    object.__setattr__(spec, "segments", tuple(out))


def _chat_profile(rows: pd.DataFrame, spec) -> np.ndarray:
    from planner.staffing import chat

    aht = rows["aht_s"].to_numpy(float)
    alone = aht / (1.0 + spec.aht_growth * (spec.aht_concurrency - 1.0))  # a chat held alone
    return np.atleast_2d(chat.aht_profile(alone, spec.concurrency, spec.aht_growth))


def _chat_waits(agents, rates, profile, thresholds):
    """Per-segment service level, ASA, FCFS service level and the pool's occupancy (flat ``(K, rows)``)."""
    from planner.staffing import chat

    total = rates.sum(axis=0)
    full = profile[:, -1]  # chat duration with every slot busy: the queue drains at N k / full
    n = np.asarray(agents, dtype=float)
    p_wait, _, _, _, occ = chat._chat(n, total, profile, np.full(n.size, np.inf), thresholds[-1], with_asa=False)
    sl, asa, fcfs = priority._waits(p_wait, n * profile.shape[1], rates * full, full, thresholds)
    idle = total == 0
    sl[:, idle], asa[:, idle], fcfs[:, idle], occ[idle] = 1.0, 0.0, 1.0, 0.0
    return sl, asa, fcfs, occ


def _chat_agents(rates, profile, targets, thresholds, max_occupancy):
    """Least chat agents meeting every segment's target at ``rates`` (``(K, rows)`` [1/s])."""
    from planner.staffing import chat

    total = rates.sum(axis=0)
    agents = np.zeros(total.size, dtype=np.int64)
    busy = np.flatnonzero(total > 0)
    if busy.size:
        floor = np.asarray(chat.required_agents(total[busy], profile[busy], target_service_level=targets[-1, busy],
                                                threshold_s=thresholds[-1, busy], max_occupancy=max_occupancy),
                           dtype=np.int64)

        def met(n, rows):
            idx = busy[rows]
            sl, _, _, occ = _chat_waits(n, rates[:, idx], profile[idx], thresholds[:, idx])
            return np.all(sl >= targets[:, idx], axis=0) & (occ <= max_occupancy)

        agents[busy] = smallest_integer(met, floor - 1, floor)
    return agents


def segmented(rows: pd.DataFrame, spec, interval_s: float, load: np.ndarray, method: str,
              day_draws: int = 0) -> pd.DataFrame:
    """Plan rows of a segmented channel: one per interval and segment, highest priority first.

    ``rows`` are the channel's forecast rows in time order and ``load`` their offered load
    [Erlang] (stationary or MOL, ``method``); each segment takes its ``share`` of both. The
    channel's ``staffing_rule`` applies to the pool (:mod:`planner.staffing.pool_rules`); with the
    forecast's ``rate_shape`` every segment row also states ``expected_service_level``,
    ``p_service_level_met`` and (with ``day_log_var`` and ``day_draws``) ``p_day_service_level_met``
    for its own target.
    """
    from planner.staffing import pool_rules, rules
    from planner.staffing.uncertainty import rate_quantile

    segments = spec.segments
    shares = np.array([s.share for s in segments])[:, None]
    targets = np.array([s.target_service_level for s in segments], dtype=float)[:, None] * np.ones(len(rows))
    thresholds = np.array([s.threshold_s for s in segments], dtype=float)[:, None] * np.ones(len(rows))
    aht = rows["aht_s"].to_numpy(float)
    loads = shares * load[None, :]
    shape = rules.forecast_shapes(rows, spec, str(rows["channel"].iloc[0]) if len(rows) else "")
    x = rate_quantile(shape, spec.confidence) if spec.staffing_rule == "chance" else np.ones(len(rows))
    if spec.kind == "chat":
        rates, profile = loads / aht, _chat_profile(rows, spec)
        agents = _chat_agents(rates * x, profile, targets, thresholds, spec.max_occupancy)
        models = pool_rules.segment_models("chat", rates, profile, thresholds, targets)
        fractional = agents.astype(float)
        if spec.staffing_rule == "expected":
            agents, fractional = pool_rules.expected_agents(models, shape, agents, spec.max_occupancy)
        sl, asa, fcfs, occ = _chat_waits(agents, rates, profile, thresholds)
    else:
        opts = dict(target_service_level=targets, threshold_s=thresholds, max_occupancy=spec.max_occupancy)
        agents = np.asarray(priority.required_agents(loads * x, aht, **opts), dtype=np.int64)
        fractional = np.asarray(priority.fractional_agents(loads * x, aht, **opts), dtype=float)
        models = pool_rules.segment_models("voice", loads, aht, thresholds, targets)
        if spec.staffing_rule == "expected":
            agents, fractional = pool_rules.expected_agents(models, shape, agents, spec.max_occupancy, fractional)
        r = priority.segment_metrics(agents, loads, aht, thresholds)
        sl, asa, fcfs, occ = r.service_level, r.asa_s, r.fcfs_service_level, np.broadcast_to(r.occupancy, load.shape)
    stated = []  # (expected SL, P(SL >= target), P(day SL >= target)) of each segment at the plan's agents
    day = pd.factorize(rows["interval_start"].dt.tz_localize(None).dt.normalize())[0]
    day_log_var = pd.to_numeric(rows["day_log_var"], errors="coerce") if "day_log_var" in rows else None
    for model in models:
        expected, chance = rules.outcomes(model, agents, shape)
        per_day = np.full(len(rows), np.nan)
        if day_draws and day_log_var is not None and (~np.isnan(shape)).any():
            per_day = rules.day_probability(model, agents, shape, day_log_var, day, draws=day_draws, seed=0)[day]
        stated.append((expected, chance, per_day))
    patient = [s.name for s in segments if s.patience_s is not None]
    if patient:
        warnings.warn(f"segments {', '.join(patient)} have patience_s: segments are staffed without abandonment "
                      "(no closed form exists with it), so their waits are upper bounds and abandon_rate is left "
                      "empty; planner simulate measures abandonment per segment", PlannerWarning, stacklevel=3)
    parts = []
    for j, segment in enumerate(segments):
        part = rows.copy()
        for column in ("offered", "offered_lo", "offered_hi"):
            if column in part:
                part[column] = part[column] * segment.share
        parts.append(part.assign(
            kind=spec.kind, method=method, segment=segment.name, priority=j + 1, load_erlangs=loads[j],
            agents=agents, agents_fractional=fractional, agents_fluid=np.nan, service_level=sl[j], asa_s=asa[j],
            occupancy=occ, abandon_rate=np.nan if segment.patience_s is not None else 0.0, backlog=0.0, open=True,
            priority_tax=fcfs[j] - sl[j], target_service_level=segment.target_service_level,
            threshold_s=segment.threshold_s, patience_s=np.nan if segment.patience_s is None else segment.patience_s,
            share=segment.share, expected_service_level=stated[j][0], p_service_level_met=stated[j][1],
            p_day_service_level_met=stated[j][2]))
    return pd.concat(parts, ignore_index=True)
