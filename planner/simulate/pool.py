"""Pools of agents shared by several classes of work: segments by priority, blended outbound calls, campaigns.

:func:`run_units` is the simulator's unit of work for every record :func:`planner.simulate.frame.prepare`
returns; it gives back ``(record, tallies)`` for each output unit (a channel, or one segment of it,
or a campaign).

* **Segments** (plan rows with ``segment`` and ``priority``): the segments of a channel are classes
  of one queue in front of its agents. A free agent (voice) or chat slot takes the oldest waiting
  contact of the highest-priority segment with one waiting (non-preemptive; FCFS within a segment);
  every segment has its own arrivals, handle times (its rows' ``aht_s``; chat: the channel's
  durations), patience and threshold, and is scored per interval like a channel. Occupancy is the
  pool's (all classes, and outbound calls).
* **Blended campaigns** (outbound rows with ``blend`` naming a voice channel): in the voice
  channel's intervals where the campaign's row is open with dials planned, the agents make outbound
  calls under the idle-agent threshold rule: when no inbound call waits and more than
  ``idle_threshold`` (the voice rows' column) agents are idle, idle agents start outbound calls,
  each lasting an exponential time of mean ``outbound_aht_s``, from an unlimited list. Outbound
  calls stop at the end of the plan. The campaign's rows get ``handled`` (outbound calls ended) and
  ``outbound_agents`` (mean agents on outbound calls).
* **Campaigns on their own**: a predictive dialler's live connects (``offered x connect_rate`` a
  interval, Poisson) each need a free agent for ``aht_s``, else they are dropped (a loss system):
  ``abandon_rate`` is the dropped share of live connects. Preview and progressive dials are work the
  agents do one after another, ``3600 / dials_per_hour`` seconds each (exponential): ``handled``
  dials made and ``backlog`` dials still to make.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner.simulate.channel import TALLIES, _arrivals, _handle_times, _ramp, _schedule, _step_integral, \
    give_up_times, run_channel
from planner.simulate.engine import chat_queue, pool_queue
from planner.simulate.frame import ChannelPlan

__all__ = ["run_units"]

_BLOCK = 4096


class _Exponentials:
    """Standard exponential draws one at a time, taken from ``rng`` in blocks."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.buffer: list[float] = []

    def __call__(self) -> float:
        if not self.buffer:
            self.buffer = self.rng.standard_exponential(_BLOCK).tolist()
        return self.buffer.pop()


def _campaign(unit: ChannelPlan, rng, warmup_s: float, handle: str, cv: float) -> dict[str, np.ndarray]:
    """A campaign staffed on its own: drops of a predictive dialler, or the dial work of agents."""
    m = unit.start_s.size
    if unit.dialler == "predictive":
        connects = replace(unit, kind="voice", offered=unit.offered * unit.connect_rate,
                           patience_s=np.zeros(m), threshold_s=np.zeros(m))
        out = run_channel(connects, rng, warmup_s=warmup_s, handle=handle, cv=cv)
    else:
        dials = replace(unit, kind="deferred", aht_s=unit.dial_s, deadline_s=np.full(m, np.inf), business_hours=False)
        out = run_channel(dials, rng, warmup_s=warmup_s, handle=handle, cv=cv)
        out["abandoned"] = np.zeros(m)
        out["within_deadline"] = np.full(m, np.nan)
    out["span_s"] = np.full(m, unit.interval_s)
    return out


def _merged_arrivals(classes, rng, warmup_s, handle, cv):
    """Every class's arrivals, handle times and patience, merged in time order."""
    parts = []
    for c, unit in enumerate(classes):
        arrival, interval = _arrivals(unit, rng, warmup_s)
        p = np.maximum(interval, 0)
        parts.append((arrival, np.full(arrival.size, c), interval, _handle_times(unit.aht_s[p], rng, handle, cv),
                      give_up_times(unit, arrival, p, rng)))
    arrival, cls, interval, handle_s, give_up = (np.concatenate(v) for v in zip(*parts))
    order = np.argsort(arrival, kind="stable")
    return arrival[order], cls[order], interval[order], handle_s[order], give_up[order]


def _live_tallies(unit, arrival, interval, start, give_up, completions, m):
    """Per-interval sums of one class (its own contacts): offered, answered, in threshold, abandoned, wait."""
    out = {name: np.full(m, np.nan) for name in TALLIES}
    counted = interval >= 0
    idx = interval[counted]
    p = np.maximum(interval, 0)

    def per_interval(weights=None):
        return np.bincount(idx, weights=None if weights is None else weights[counted], minlength=m).astype(float)

    answered = ~np.isnan(start)
    wait = np.where(answered, start - arrival, 0.0)
    out["offered"] = per_interval()
    out["answered"] = per_interval(answered.astype(float))
    out["wait_s"] = per_interval(wait)
    out["in_threshold"] = per_interval((answered & (wait <= unit.threshold_s[p])).astype(float))
    out["abandoned"] = per_interval((~answered & np.isfinite(give_up)).astype(float))
    lo, hi = unit.start_s, unit.start_s + unit.interval_s
    out["handled"] = (np.searchsorted(completions, hi) - np.searchsorted(completions, lo)).astype(float)
    out["span_s"] = np.full(m, unit.interval_s)
    return out


def _busy(starts, ends, lo, hi):
    """Busy time in each [lo, hi) of jobs running from ``starts`` to ``ends`` (each sorted)."""
    return np.maximum(_ramp(starts, hi) - _ramp(ends, hi) - (_ramp(starts, lo) - _ramp(ends, lo)), 0.0)


def _pool(ch: ChannelPlan, rng, warmup_s, handle, cv):
    classes = ch.classes or (ch,)
    m = ch.start_s.size
    arrival, cls, interval, handle_s, give_up = _merged_arrivals(classes, rng, warmup_s, handle, cv)
    change_t, change_agents, change_source, _ = _schedule(ch, warmup_s)
    end_t = ch.start_s[-1] + ch.interval_s
    outbound_s = np.full(m, np.nan) if ch.outbound is None else ch.outbound.outbound_s
    allowed = np.isfinite(outbound_s[change_source]) & (change_agents > 0)
    idle = np.where(allowed, ch.idle_threshold[change_source], np.inf)
    mean_s = np.where(allowed, outbound_s[change_source], 0.0)
    # Outbound calls stop when the plan ends (the last staff stays on to finish the inbound work).
    change_t = np.append(change_t, end_t)
    change_agents = np.append(change_agents, change_agents[-1])
    idle, mean_s = np.append(idle, np.inf), np.append(mean_s, 0.0)
    slots = 1.0
    if ch.kind == "chat":
        k = ch.concurrency
        level = np.arange(k + 1, dtype=float)
        duration = ch.aht_s[:, None] * (1.0 + ch.aht_growth[:, None] * np.maximum(level - 1.0, 0.0))
        rates = (level / duration)[np.append(change_source, change_source[-1])]
        n = arrival.size
        start, done, on, off, extra_t, extra_v = chat_queue(
            arrival.tolist(), give_up.tolist(), k, change_t.tolist(), change_agents.tolist(), rates.tolist(),
            rng.standard_exponential(2 * n + change_t.size + 2).tolist(), rng.random(n + 1).tolist(),
            cls=cls.tolist(), n_classes=len(classes))
        start = np.array(start, dtype=float)
        completions = np.array(done, dtype=float)
        ends_by_class = [completions] * len(classes)  # chats are not told apart once assigned
        out_start = out_end = np.zeros(0)
        slots = float(k)
    else:
        start, end, out_start, out_end, extra_t, extra_v = pool_queue(
            arrival.tolist(), cls.tolist(), give_up.tolist(), handle_s.tolist(), len(classes), change_t.tolist(),
            change_agents.tolist(), idle.tolist(), mean_s.tolist(), _Exponentials(rng))
        start, end = np.array(start, dtype=float), np.array(end, dtype=float)
        out_start, out_end = np.array(out_start, dtype=float), np.array(out_end, dtype=float)
        ends_by_class = [np.sort(end[(cls == c) & ~np.isnan(end)]) for c in range(len(classes))]
        completions = np.sort(np.concatenate([end[~np.isnan(end)], out_end]))
    lo, hi = ch.start_s, ch.start_s + ch.interval_s
    served = np.sort(np.concatenate([start[~np.isnan(start)], out_start]))
    busy = _busy(served, completions, lo, hi)
    available = slots * ch.agents * ch.interval_s + _step_integral(extra_t, extra_v, hi) - _step_integral(extra_t, extra_v, lo)
    results = []
    for c, unit in enumerate(classes):
        mine = cls == c
        out = _live_tallies(unit, arrival[mine], interval[mine], start[mine], give_up[mine], ends_by_class[c], m)
        out["busy_s"], out["available_s"] = busy, available
        if ch.kind == "chat":
            on, off = np.array(on, dtype=float), np.array(off, dtype=float)
            out["agent_busy_s"] = _busy(on, off, lo, hi)
        results.append((unit, out))
    if ch.outbound is not None:
        unit = ch.outbound
        at = np.searchsorted(ch.start_s, unit.start_s)
        out = {name: np.full(unit.start_s.size, np.nan) for name in TALLIES}
        ended = np.sort(out_end)
        out["handled"] = (np.searchsorted(ended, hi) - np.searchsorted(ended, lo)).astype(float)[at]
        out["outbound_busy_s"] = _busy(np.sort(out_start), ended, lo, hi)[at]
        out["span_s"] = np.full(unit.start_s.size, unit.interval_s)
        results.append((unit, out))
    return results


def run_units(ch: ChannelPlan, rng: np.random.Generator, *, warmup_s: float = 0.0, handle: str = "exponential",
              cv: float = 1.0) -> list[tuple[ChannelPlan, dict[str, np.ndarray]]]:
    """Simulate one record of a checked plan once: ``(output unit, per-interval tallies)`` pairs.

    A segmented or blended pool gives one pair per segment (and one for its campaign); a campaign on
    its own, or any other channel, one pair (:func:`planner.simulate.channel.run_channel`).
    """
    if ch.classes or ch.outbound is not None:
        return _pool(ch, rng, warmup_s, handle, cv)
    if ch.kind == "outbound":
        return [(ch, _campaign(ch, rng, warmup_s, handle, cv))]
    out = run_channel(ch, rng, warmup_s=warmup_s, handle=handle, cv=cv)
    out["span_s"] = np.full(ch.start_s.size, ch.interval_s)
    return [(ch, out)]
