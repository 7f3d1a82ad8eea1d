"""One channel, one replication: draw the contacts, run the event loop, tally every interval.

:func:`run_channel` is the simulator's unit of work: a pure function of a :class:`ChannelPlan`
and a numpy ``Generator`` returning plain arrays, so replications and channels can be mapped over
a process pool. Everything but the event loop is vectorised numpy.
"""

from __future__ import annotations

import numpy as np

from planner.simulate.engine import chat_queue, fcfs_queue
from planner.simulate.frame import ChannelPlan

__all__ = ["TALLIES", "run_channel", "give_up_times"]

#: Per-interval sums a replication returns (NaN where they do not apply to the kind).
TALLIES = (
    "offered",          # arrivals in the interval
    "answered",         # arrivals of the interval answered (live: reached an agent; deferred: completed)
    "in_threshold",     # ... answered within threshold_s (live)
    "abandoned",        # ... abandoned (live)
    "wait_s",           # total wait of the answered ones [s] (live)
    "within_deadline",  # ... answered within deadline_s, of those due by the end of the plan (deferred)
    "not_yet_due",      # ... whose deadline falls after the end of the plan (deferred)
    "opening",          # items waiting before the plan, falling due in the interval (deferred)
    "opening_within",   # ... answered by the interval's end (deferred)
    "handled",          # contacts whose handling completed in the interval
    "busy_s",           # busy agent-time (chat: busy slot-time) in the interval [s]
    "available_s",      # available agent-time (chat: slot-time) in the interval, overrun included [s]
    "agent_busy_s",     # time agents held at least one chat (chat) [s]
    "backlog",          # items arrived and not answered at the interval end (deferred)
    "outbound_busy_s",  # agent-time on blended outbound calls in the interval [s] (blended campaign)
    "span_s",           # length of the interval [s]
)
_GAP_TOLERANCE_S = 1e-6


def _ramp(times: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``sum_i max(x - times_i, 0)`` for sorted ``times``: the integral up to x of #{times <= t}."""
    count = np.searchsorted(times, x, side="right")
    cumulative = np.concatenate(([0.0], np.cumsum(times)))
    return x * count - cumulative[count]


def _step_integral(times, values, x: np.ndarray) -> np.ndarray:
    """Integral up to x of the step function worth ``values[j]`` from ``times[j]`` on (0 before)."""
    times = np.asarray(times, dtype=float)
    if times.size == 0:
        return np.zeros_like(x)
    values = np.asarray(values, dtype=float)
    cumulative = np.concatenate(([0.0], np.cumsum(values[:-1] * np.diff(times))))
    j = np.searchsorted(times, x, side="right") - 1
    jc = np.maximum(j, 0)
    return np.where(j < 0, 0.0, cumulative[jc] + values[jc] * (x - times[jc]))


def _schedule(ch: ChannelPlan, warmup_s: float):
    """Staffing changes: each interval's agents from its start, 0 at the end of an interval followed
    by a closed gap, the first interval's agents from the start of the warm-up. After the last
    interval the staffing stays (the channel drains). Returns times, agents, source interval, open."""
    start, end = ch.start_s, ch.start_s + ch.interval_s
    m = start.size
    gap = np.zeros(m, dtype=bool)
    gap[:-1] = start[1:] - end[:-1] > _GAP_TOLERANCE_S
    times = np.concatenate((start, end[gap]))
    agents = np.concatenate((ch.agents, np.zeros(int(gap.sum()), dtype=np.int64)))
    source = np.concatenate((np.arange(m), np.flatnonzero(gap)))
    is_open = np.concatenate((ch.open.astype(float), np.zeros(int(gap.sum()))))
    if warmup_s > 0:
        times = np.concatenate(([start[0] - warmup_s], times))
        agents = np.concatenate(([ch.agents[0]], agents))
        source = np.concatenate(([0], source))
        is_open = np.concatenate(([float(ch.open[0])], is_open))
    order = np.argsort(times, kind="stable")
    return times[order], agents[order], source[order], is_open[order]


def _arrivals(ch: ChannelPlan, rng: np.random.Generator, warmup_s: float, *, fixed: bool = False):
    """Poisson arrivals, uniform within each interval; interval index -1 marks the warm-up.

    ``fixed``: exactly ``offered`` (rounded) arrivals per interval instead of a Poisson count.
    """
    seg_start, seg_len, mean = ch.start_s, np.full(ch.start_s.size, ch.interval_s), ch.offered
    first = 0
    if warmup_s > 0:
        seg_start = np.concatenate(([ch.start_s[0] - warmup_s], seg_start))
        seg_len = np.concatenate(([warmup_s], seg_len))
        mean = np.concatenate(([ch.offered[0] * warmup_s / ch.interval_s], mean))
        first = -1
    counts = np.rint(mean).astype(np.int64) if fixed else rng.poisson(mean)
    segment = np.repeat(np.arange(first, ch.start_s.size), counts)
    times = np.repeat(seg_start, counts) + rng.random(segment.size) * np.repeat(seg_len, counts)
    order = np.argsort(times, kind="stable")
    return times[order], segment[order]


def _handle_times(mean_s: np.ndarray, rng: np.random.Generator, handle: str, cv: float) -> np.ndarray:
    if handle == "lognormal":
        sigma2 = np.log1p(cv * cv)
        return mean_s * rng.lognormal(-0.5 * sigma2, np.sqrt(sigma2), mean_s.size)
    return mean_s * rng.standard_exponential(mean_s.size)


def _held(ch: ChannelPlan, rng: np.random.Generator):
    """The opening backlog: items waiting at the start, first in line in the order they fall due.

    Per row, ``opening`` items (its fractional part drawn as one more item with that probability)
    arrive just before the plan's first interval. Returns their arrival times and due rows.
    """
    whole = np.floor(ch.opening)
    counts = (whole + (rng.random(ch.opening.size) < ch.opening - whole)).astype(np.int64)
    rows = np.repeat(np.arange(ch.opening.size), counts)
    return ch.start_s[0] - 1e-3 + 1e-9 * np.arange(rows.size), rows


def _clock(change_t, change_open, x):
    """Open time [s] from the first staffing change to each time in ``x`` (the business-hours clock)."""
    return _step_integral(change_t, change_open, x)


def give_up_times(ch: ChannelPlan, arrival: np.ndarray, interval: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """When each contact abandons if still waiting [s]: arrival + exponential patience of its interval.

    ``inf`` for deferred work and where ``patience_s`` is infinite (nobody abandons).
    """
    n = arrival.size
    if ch.kind == "deferred":
        return np.full(n, np.inf)
    patience = ch.patience_s[interval]
    finite = np.isfinite(patience)
    return np.where(finite, arrival + np.where(finite, patience, 0.0) * rng.standard_exponential(n), np.inf)


def run_channel(ch: ChannelPlan, rng: np.random.Generator, *, warmup_s: float = 0.0,
                handle: str = "exponential", cv: float = 1.0) -> dict[str, np.ndarray]:
    """Simulate one channel once and return the per-interval sums named in :data:`TALLIES`.

    ``warmup_s`` [s] runs the first interval's conditions for that long before it (contacts of the
    warm-up are not counted); ``handle`` (``"exponential"`` or ``"lognormal"`` with coefficient of
    variation ``cv``) applies to voice and deferred work; chat durations are exponential.
    """
    m = ch.start_s.size
    arrival, segment = _arrivals(ch, rng, warmup_s)
    p = np.maximum(segment, 0)  # warm-up contacts take the first interval's parameters
    if ch.kind == "deferred" and ch.opening.any():  # the opening backlog: segment -2, due row as parameters
        held_t, held_row = _held(ch, rng)
        order = np.argsort(np.concatenate((held_t, arrival)), kind="stable")
        arrival = np.concatenate((held_t, arrival))[order]
        segment = np.concatenate((np.full(held_t.size, -2), segment))[order]
        p = np.concatenate((held_row, p))[order]
    n = arrival.size
    change_t, change_agents, change_source, change_open = _schedule(ch, warmup_s)
    give_up = give_up_times(ch, arrival, p, rng)

    if ch.kind == "chat":
        k = ch.concurrency
        level = np.arange(k + 1, dtype=float)
        duration = ch.aht_s[:, None] * (1.0 + ch.aht_growth[:, None] * np.maximum(level - 1.0, 0.0))
        rates = (level / duration)[change_source]
        start, done, on, off, extra_t, extra_v = chat_queue(
            arrival.tolist(), give_up.tolist(), k, change_t.tolist(), change_agents.tolist(), rates.tolist(),
            rng.standard_exponential(2 * n + change_t.size + 2).tolist(), rng.random(n + 1).tolist())
        start = np.array(start, dtype=float)
        completions = np.array(done, dtype=float)
        end = None
        slots = float(k)
    else:
        handle_s = _handle_times(ch.aht_s[p], rng, handle, cv)
        start, end, extra_t, extra_v = fcfs_queue(
            arrival.tolist(), give_up.tolist(), handle_s.tolist(), change_t.tolist(), change_agents.tolist())
        start, end = np.array(start, dtype=float), np.array(end, dtype=float)
        completions = np.sort(end[~np.isnan(end)])
        slots = 1.0

    lo, hi = ch.start_s, ch.start_s + ch.interval_s
    counted = segment >= 0
    idx = segment[counted]

    def per_interval(weights=None):
        return np.bincount(idx, weights=None if weights is None else weights[counted], minlength=m).astype(float)

    out = {name: np.full(m, np.nan) for name in TALLIES}
    out["offered"] = per_interval()
    answered = ~np.isnan(start) if ch.kind != "deferred" else ~np.isnan(end)
    out["answered"] = per_interval(answered.astype(float))
    if ch.kind == "deferred":
        held = segment == -2
        finish = np.where(answered, end, np.inf)
        if ch.business_hours:  # the deadline clock runs only while the channel is open
            started, finished = _clock(change_t, change_open, arrival), _clock(change_t, change_open, np.where(answered, end, 0.0))
            elapsed = np.where(answered, finished - started, np.inf)
            left = _clock(change_t, change_open, np.array([ch.end_s]))[0] - started  # open time until the end
            due_end = _clock(change_t, change_open, lo[p] + ch.interval_s)  # held items: their row's end
            held_ok = answered & (finished <= due_end + _GAP_TOLERANCE_S)
        else:
            elapsed, left = finish - arrival, ch.end_s - arrival
            held_ok = finish <= lo[p] + ch.interval_s + _GAP_TOLERANCE_S
        not_yet = left < ch.deadline_s[p] - _GAP_TOLERANCE_S  # due after the plan ends: neither on time nor late
        within = answered & (elapsed <= ch.deadline_s[p]) & ~not_yet
        out["within_deadline"] = per_interval(within.astype(float))
        out["not_yet_due"] = per_interval(not_yet.astype(float))
        out["opening"] = np.bincount(p[held], minlength=m).astype(float)
        out["opening_within"] = np.bincount(p[held], weights=held_ok[held].astype(float), minlength=m)
        out["backlog"] = (np.searchsorted(arrival, hi, side="right")
                          - np.searchsorted(completions, hi, side="right")).astype(float)
    else:
        wait = np.where(answered, start - arrival, 0.0)
        out["wait_s"] = per_interval(wait)
        out["in_threshold"] = per_interval((answered & (wait <= ch.threshold_s[p])).astype(float))
        out["abandoned"] = per_interval((~answered & np.isfinite(give_up)).astype(float))
    out["handled"] = (np.searchsorted(completions, hi) - np.searchsorted(completions, lo)).astype(float)
    starts = np.sort(start[~np.isnan(start)])
    busy = _ramp(starts, hi) - _ramp(completions, hi) - (_ramp(starts, lo) - _ramp(completions, lo))
    out["busy_s"] = np.maximum(busy, 0.0)
    extra = _step_integral(extra_t, extra_v, hi) - _step_integral(extra_t, extra_v, lo)
    out["available_s"] = slots * ch.agents * ch.interval_s + extra  # overrun: busy and available
    if ch.kind == "chat":
        on, off = np.array(on, dtype=float), np.array(off, dtype=float)
        out["agent_busy_s"] = _ramp(on, hi) - _ramp(off, hi) - (_ramp(on, lo) - _ramp(off, lo))
    return out
