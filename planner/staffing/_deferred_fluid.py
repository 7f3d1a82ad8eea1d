"""The fluid machinery of :mod:`planner.staffing.deferred`: the working axis, the work falling due,
level and as-late-as-possible plans, whole agents that round once, and the backlog they leave.

Everything here is on the *working axis*: the grid intervals in calendar mode, the open
intervals only with ``business_hours`` (closed time does not run the deadline clock), followed by
``extra`` drain intervals. Point ``p`` is the end of working interval ``p - 1``; cumulative
curves are sampled at the points. See the module notes of :mod:`planner.staffing.deferred` for
the model and the references.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.schema import describe_interval, epoch_ns

__all__ = ["Axis", "build_axis", "fluid_capacity", "effective_lower", "whole_agents", "backlog", "positions"]


def positions(interval_start, n: int, interval_s: float) -> np.ndarray:
    """Index of each row on a regular grid from tz-aware starts (absent intervals are closed)."""
    if interval_start is None:
        return np.arange(n)
    try:
        starts = pd.DatetimeIndex(interval_start)
    except (TypeError, ValueError):
        raise InputError(f"interval_start: expected timestamps, got {interval_start!r}") from None
    if starts.tz is None:
        raise InputError("interval_start: expected time-zone-aware timestamps (wall-clock times are "
                         "ambiguous on DST days); localize them, e.g. .dt.tz_localize('Europe/London')")
    if starts.size != n:
        raise InputError(f"interval_start: expected {n} timestamps (one per offered), got {starts.size}")
    ns = epoch_ns(starts)
    steps = (ns - ns[0]) / (interval_s * 1e9)  # UTC nanoseconds: DST-proof, any resolution
    position = np.rint(steps)
    bad = (np.abs(steps - position) > 1e-6) | np.concatenate(([False], np.diff(position) < 1))
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise InputError(f"interval_start: expected increasing starts of {describe_interval(interval_s)} "
                         f"intervals, got {starts[at]} at index {at}")
    return position.astype(np.int64)


def next_open(is_open: np.ndarray) -> np.ndarray:
    """Per index i, the least j >= i with ``is_open[j]`` (``is_open.size`` if none)."""
    index = np.where(is_open, np.arange(is_open.size), is_open.size)
    return np.minimum.accumulate(index[::-1])[::-1]


def _working_axis(open_full, k, business_hours, drain):
    """Map the grid to the working axis, and say by which point each interval's work is due.

    Returns ``g`` (per grid interval: the working-axis point by which its work is due), ``size``
    (real working intervals), ``extra`` (drain intervals after them), ``where`` (grid interval of
    each real working interval), ``late`` (grid intervals whose items cannot be on time) and
    ``start`` (per grid interval: the working-axis point at which its items arrive).
    """
    n = open_full.size
    index = np.arange(n)
    if business_hours:  # the working axis is the open intervals; closed time does not count
        before = np.cumsum(open_full) - open_full  # open intervals before each grid interval
        size = int(open_full.sum())
        g = np.where(open_full, before + k + 1, before + k)  # closed: clock starts at the opening
        extra = k if drain and size else 0
        late = np.zeros(n, dtype=bool)
        where = np.flatnonzero(open_full)
        start = before
    else:
        reopen = next_open(open_full)
        late = (index + k < reopen) & (reopen < n)  # deadline passes before the reopening
        g = np.maximum(index + k, reopen) + 1  # not before the end of the first open interval
        g = np.where(reopen < n, g, n + k + 1)  # arrives after the last opening: never due in time
        size, extra, where, start = n, k if drain and n and open_full[-1] else 0, index, index
    return g, size, extra, where, late, start


@dataclass(frozen=True)
class Axis:
    """One channel on the working axis (arrays over grid intervals, or over the ``points``).

    ``items``, ``work``, ``aht`` per grid interval; ``g`` the point by which each interval's items
    are due and ``start`` the point at which they arrive; ``due_*`` and ``arrived_*`` cumulative
    over points (``due_k2``/``due_k3``: sums of ``E[S**2]``, ``E[S**3]`` of the items due, the
    compound-Poisson cumulants); ``opening_*`` the items waiting at the start, by due point.
    """

    k: int
    interval_s: float
    business_hours: bool
    items: np.ndarray
    work: np.ndarray
    aht: np.ndarray
    open_full: np.ndarray
    g: np.ndarray
    start: np.ndarray
    size: int
    extra: int
    where: np.ndarray
    late: np.ndarray
    open_axis: np.ndarray
    due_work: np.ndarray
    due_items: np.ndarray
    due_k2: np.ndarray
    due_k3: np.ndarray
    arrived_work: np.ndarray
    longest: np.ndarray
    opening_items: np.ndarray
    opening_work: np.ndarray

    @property
    def points(self) -> int:
        return self.size + self.extra + 1


def build_axis(items, aht, open_full, *, k, interval_s, business_hours, drain, cv, opening=None) -> Axis:
    """The working axis of one channel; ``opening`` = (items, work) per due point (length ``points``)."""
    g, size, extra, where, late, start = _working_axis(open_full, k, business_hours, drain)
    points = size + extra + 1
    work = items * aht
    cv2 = cv * cv
    e2, e3 = work * aht * (1 + cv2), work * aht * aht * (1 + cv2) * (1 + 2 * cv2)
    gc = np.minimum(g, points)  # beyond the axis: an overflow bin
    due = [np.cumsum(np.bincount(gc, weights=v, minlength=points + 1))[:points] for v in (work, items, e2, e3)]
    open_items, open_work = (np.zeros(points), np.zeros(points)) if opening is None else opening
    if open_items.sum() > 0:
        open_aht = np.divide(open_work, open_items, out=np.zeros(points), where=open_items > 0)
        for curve, v in zip(due, (open_work, open_items, open_work * open_aht * (1 + cv2),
                                  open_work * open_aht ** 2 * (1 + cv2) * (1 + 2 * cv2))):
            curve += np.cumsum(v)
    arrived = np.concatenate(([0.0], np.cumsum(work)))
    if business_hours:  # arrived by the end of each open interval (before the closure after it)
        arrived_axis = np.concatenate(([0.0], arrived[where + 1], np.full(extra, arrived[-1])))
    else:
        arrived_axis = np.concatenate((arrived, np.full(extra, arrived[-1])))
    arrived_axis = arrived_axis + open_work.sum()
    longest = np.zeros(points + 1)
    np.maximum.at(longest, gc, np.where(items > 0, aht, 0.0))
    longest = np.maximum(longest[:points], np.divide(open_work, open_items, out=np.zeros(points),
                                                     where=open_items > 0))
    return Axis(k=k, interval_s=interval_s, business_hours=business_hours, items=items, work=work, aht=aht,
                open_full=open_full, g=g, start=start, size=size, extra=extra, where=where, late=late,
                open_axis=open_full[where], due_work=due[0], due_items=due[1], due_k2=due[2], due_k3=due[3],
                arrived_work=arrived_axis, longest=longest, opening_items=open_items, opening_work=open_work)


# --- plans on the working axis ----------------------------------------------------------------


def _taut_string(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Shortest path from (0, 0) to (m, lower[m]) between ``lower`` and ``upper`` at integer points.

    Funnel search: from the current bend, the admissible slopes to the next points narrow (running
    max of the slopes to ``lower``, running min of those to ``upper``); where they cross, the string
    bends at the point that set the binding bound. One vectorised pass per bend.
    """
    m = lower.size - 1
    out = np.zeros(m + 1)
    a, y = 0, 0.0
    tol = 1e-12 * max(1.0, float(np.max(np.abs(upper), initial=0.0)))
    while a < m:
        span = 64
        while True:
            stop = min(m, a + span)
            dx = np.arange(1.0, stop - a + 1.0)
            to_up = (upper[a + 1:stop + 1] - y) / dx
            to_lo = (lower[a + 1:stop + 1] - y) / dx
            low_slope = np.maximum.accumulate(to_lo)
            high_slope = np.minimum.accumulate(to_up)
            crossed = np.flatnonzero(low_slope > high_slope + tol)
            if crossed.size or stop == m:
                break
            span *= 4
        if not crossed.size:  # straight to the end point
            out[a + 1:] = y + (lower[m] - y) / (m - a) * dx
            break
        b = crossed[0]  # >= 1: lower <= upper at the first point
        if to_up[b] < low_slope[b - 1] - tol:  # upper bound drops below: bend down at a lower contact
            p = b - 1 - int(np.argmax(to_lo[:b][::-1]))
            y_new = lower[a + 1 + p]
        else:  # lower bound rises above: bend up at an upper contact
            p = b - 1 - int(np.argmin(to_up[:b][::-1]))
            y_new = upper[a + 1 + p]
        out[a + 1:a + p + 2] = y + (y_new - y) / (p + 1) * dx[:p + 1]
        a, y = a + p + 1, y_new
    return out


def effective_lower(axis: Axis, lower: np.ndarray) -> np.ndarray:
    """``lower`` with work due while closed moved to the last open point before it (done before closing)."""
    is_open = np.concatenate((axis.open_axis, np.ones(axis.extra, dtype=bool), [True]))
    after = next_open(is_open)
    return np.where(np.arange(lower.size) <= np.argmax(is_open), 0.0, lower)[after]


def fluid_capacity(axis: Axis, lower: np.ndarray, method: str, *, due=None) -> np.ndarray:
    """Capacity per real working interval [agent-s] for the cumulative requirement ``lower`` (at the
    points); ``due`` is the work due, when ``lower`` adds safety to it."""
    size, extra = axis.size, axis.extra
    points = lower.size
    is_open = np.concatenate((axis.open_axis, np.ones(extra, dtype=bool), [True]))
    after = next_open(is_open)
    lower = effective_lower(axis, lower)
    arrived = axis.arrived_work
    if due is not None:  # capacity beyond the expected arrivals idles: make up for it later
        idle = np.maximum.accumulate(np.maximum(lower - arrived, 0.0))
        lower = np.maximum(lower, due[after] + idle)
    if method == "alap":
        cumulative = lower
    else:  # the taut string on the open-time axis: closed runs collapse to one point
        x = np.concatenate(([0], np.cumsum(is_open[:-1])))
        first = np.searchsorted(x, np.arange(x[-1] + 1), side="left")
        last = np.searchsorted(x, np.arange(x[-1] + 1), side="right") - 1
        low, high = lower[last], np.maximum(arrived[first], lower[last])
        high[-1] = low[-1]
        cumulative = _taut_string(low, high)[x]
    capacity = np.maximum(np.diff(cumulative[:size + 1]), 0.0)
    if extra and size:  # the last interval's staff drains the rest on time
        start = cumulative[size - 1]
        steps = np.arange(1.0, extra + 2.0)
        capacity[size - 1] = max(capacity[size - 1], float(np.max((lower[size:points] - start) / steps)))
    return capacity


def done_work(axis: Axis, agents: np.ndarray, occupancy: float) -> np.ndarray:
    """Work done by each point [agent-s] when whole ``agents`` (per real working interval) work the
    expected arrivals oldest first, the last interval's staff staying for the drain (Reich's formula)."""
    staff = np.concatenate((agents, np.full(axis.extra, agents[-1] if agents.size else 0.0)))
    capacity = np.concatenate(([0.0], np.cumsum(staff * axis.interval_s * occupancy)))
    return capacity - np.maximum(np.maximum.accumulate(capacity - axis.arrived_work), 0.0)


def whole_agents(axis: Axis, capacity: np.ndarray, occupancy: float, required: np.ndarray) -> np.ndarray:
    """Whole agents per real working interval that round the fractional plan once, then meet ``required``.

    Cumulative whole agent-intervals are the cumulative fractional ones rounded up (the fraction is
    carried: 3.6 agents become 4, 3, 4, 4, 3, ... rather than 4 everywhere), so the whole plan is
    never behind the fractional one and is ahead by less than one agent-interval. Capacity ahead of
    the arrivals idles, so the plan is then played against the expected arrivals and, where it
    falls behind ``required`` (the cumulative work that must be done by each point), one agent is
    added in the last open interval before that point, until no point falls behind.
    """
    dt = axis.interval_s
    fractional = capacity / (dt * occupancy)
    agents = np.diff(np.ceil(np.cumsum(fractional) - 1e-9), prepend=0.0)
    agents = np.maximum(agents, 0.0)
    if not agents.size:
        return agents
    required = effective_lower(axis, required)
    tol = 1e-9 * max(1.0, float(axis.arrived_work[-1]))
    open_index = np.where(axis.open_axis, np.arange(axis.size), -1)
    last_open = np.maximum.accumulate(open_index)
    for _ in range(4 * axis.size + 8):  # each pass fixes the first point behind; few are
        short = np.flatnonzero(done_work(axis, agents, occupancy) < required - tol)
        if not short.size:
            break
        point = min(int(short[0]), axis.size)  # drain points: the last interval staffs the drain
        interval = last_open[point - 1] if point >= 1 else -1
        if interval < 0:
            break  # nothing can be done before it (work due at the start)
        agents[interval] += 1.0
    return agents


def backlog(work, items, capacity, opening=(0.0, 0.0)) -> np.ndarray:
    """Items waiting at each grid interval's end when ``capacity`` works the arrivals oldest first
    (``opening`` = (items, work) waiting at the start)."""
    arrived = np.concatenate(([0.0], np.cumsum(work))) + opening[1]
    count = np.concatenate(([0.0], np.cumsum(items))) + opening[0]
    if opening[1] > 0:
        arrived = np.concatenate(([0.0], arrived))
        count = np.concatenate(([0.0], count))
        capacity = np.concatenate(([0.0], capacity))
    cumulative = np.concatenate(([0.0], np.cumsum(capacity)))
    done = cumulative + np.minimum(0.0, np.minimum.accumulate(arrived - cumulative))  # Reich
    left = np.maximum(count - np.interp(done, arrived, count), 0.0)
    return left[2:] if opening[1] > 0 else left[1:]
