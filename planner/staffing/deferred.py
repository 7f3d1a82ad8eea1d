"""Deferred work (email, SMS, social, back office): the least staffing that answers every item within
its deadline, with the backlog carried from interval to interval.

Interval-level Erlang formulas are wrong for work that may wait across many intervals; this is a
fluid model of one channel (a 1-D sequence of intervals in time order).

Model. Interval ``i`` receives ``offered[i]`` items, spread uniformly over it, each needing
``aht_s[i]`` seconds of agent work. Agents work the backlog oldest first (first in, first out,
which is earliest deadline first since every item has the same deadline) at a constant rate within
an interval. With cumulative capacity ``C(t)`` and cumulative arrived work ``W(t)``, the work done
by ``t`` is ``C(t) + min(0, min_{s<=t} (W(s) - C(s)))`` (Reich's formula), and every item meets its
deadline iff that is at least the work falling due by ``t`` (Horn 1974: EDF is optimal).

* Deadlines count whole intervals, ``k = floor(deadline_s / interval_s)`` (rounded down: a plan for a
  deadline that is not a multiple of the interval still meets it). Work arriving uniformly in
  interval ``j`` falls due uniformly in interval ``j + k``, so ``C`` and the due work are linear
  within intervals and checking interval ends suffices. Work is indexed by interval, never by wall
  clock, so DST days (92 or 100 quarter hours) need no special case.
* ``business_hours=False``: the clock runs in calendar time; agents work only in open intervals, so
  work falling due while closed must be done before closing. An item arriving while closed is due
  no earlier than the end of the first open interval (it may wait behind earlier ones); one whose
  deadline passes before the channel reopens cannot be on time (a
  :class:`~planner.errors.PlannerWarning` counts these).
* ``business_hours=True``: the clock runs only in open intervals; items arriving while closed start
  their clock at the next opening, so an item arriving an hour before closing with a 4 h deadline
  is due 3 h after the next opening.
* ``drain=True`` (how :mod:`planner.simulate` plays a plan): after the horizon the last open
  interval's staff stays on, the clock running, until the backlog is cleared; the last interval is
  staffed so that this drain is on time. ``drain=False``: work due after the horizon is carried out
  as ``backlog`` (rolling plans). A horizon ending closed in calendar time never drains.

Plans. ``method="alap"`` (as late as possible): cumulative capacity equals the due work at the next
point where the channel is open (a reversed cumulative minimum of indices and a lookup): the
pointwise least plan, hence the fluid lower bound on agent-hours. ``method="level"``: the taut string
between that lower curve and the work arrived so far (work cannot be done before it arrives), with
the same end point: the same agent-hours (without drain), the least peak, and the smoothest profile,
since it minimises every convex function of the per-interval staffing (Veinott 1964; Davies & Kovac
2001). It is found bend by bend, each by a vectorised funnel search.

Safety capacity (``safety="poisson"``), for a plan played by whole agents, one item each, under
Poisson arrivals with gamma handle times ``S`` (mean ``aht_s``, coefficient of variation ``aht_cv``).
Take an item falling due at ``t``. The items due before it are Poisson (Slivnyak), so the work ahead
of it is ``M(t) + X``, ``X`` compound Poisson with mean 0 and cumulants ``sum offered E[S**2]``,
``sum offered E[S**3]`` over the items due in the last two deadlines of working time before ``t``
(noise older than that was absorbed by the buffer the plan keeps ahead of the work due; counting
all noise since the start of the horizon grew the buffer like ``sqrt(time)`` and bunched it at
the due points of overnight backlogs: 191 agents against a fluid peak of 39 over 8 weeks). With ``N`` agents busy it starts once the work ahead is done but for the
``N - 1`` items in hand (mean residual ``r = aht_s (1 + aht_cv**2) / 2`` each) and ends ``S``
later, so it ends ``Y / N`` after the fluid plan would, ``Y = N S - (N - 1) r``: it is late iff
``X + Y > C(t) - M(t)``. Cumulative capacity is staffed to ``M`` plus the ``q`` quantile of ``X + Y``
(the translated gamma with the same three cumulants, Seal 1977; ``N`` from the fluid plan), at both
ends of each interval, then planned as above. Each item is late with probability about ``1 - q``, so
the expected share answered in time is about ``service_quantile`` (measured with
:mod:`planner.simulate` on a day of emails: 99.8 % level, 99.4 % alap; 89 % and 68 % at the fluid
bound). Cost: about
``z_q sqrt((1 + aht_cv**2) / n)`` of the agent-hours for ``n`` items due in the horizon plus the
handling term: +5.8 % for a day of 5,000 emails at q = 0.99 (exponential handle times), less over
longer horizons, more for small channels. It covers Poisson noise, not forecast error.

References: W. A. Horn (1974), "Some simple scheduling algorithms", Naval Res. Logist. Q. 21(1);
A. F. Veinott (1964), "Production planning with convex costs: a parametric study", Management
Science 10(3); P. L. Davies & A. Kovac (2001), "Local extremes, runs, strings and
multiresolution", Ann. Statist. 29(1); H. L. Seal (1977), "Approximations to risk theory's F(x, t)
by means of the gamma distribution", ASTIN Bulletin 9; G. Koole (2013), *Call Center Optimization*.

Examples
--------
Eight hours of email, 40 items an hour of 6 minutes each, every item answered within 4 hours,
the last work done 4 hours after the last arrival: the fluid plan is exactly the 32 agent-hours
of work, spread level over the 12 hours (as late as possible: 4 agents from the fifth hour).

>>> import planner as pl
>>> plan = pl.deferred.deferred_requirement([40.0] * 8 + [0.0] * 4, 360.0, interval_s=3600,
...                                         deadline_s=4 * 3600, safety="none")
>>> round(float(plan["agents"].sum()), 6), plan["agents"].round(2)[[0, -1]].tolist()
(32.0, [2.67, 2.67])
>>> plan["backlog"].round(1).tolist()
[13.3, 26.7, 40.0, 53.3, 66.7, 80.0, 93.3, 106.7, 80.0, 53.3, 26.7, 0.0]
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from planner.errors import InputError, PlannerWarning
from planner.schema import check_array, check_fraction, describe_interval, epoch_ns

__all__ = ["METHODS", "SAFETY", "deferred_requirement"]

#: Plans: level-loaded (taut string) or as late as possible.
METHODS = ("level", "alap")
#: Safety capacity above the fluid plan: for Poisson arrivals and random handle times, or none.
SAFETY = ("poisson", "none")


# --- the interval grid and when work falls due ------------------------------------------------


def _positions(interval_start, n: int, interval_s: float) -> np.ndarray:
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
    steps = (ns - ns[0]) / (interval_s * 1e9)  # UTC nanoseconds: DST-proof
    position = np.rint(steps)
    bad = (np.abs(steps - position) > 1e-6) | np.concatenate(([False], np.diff(position) < 1))
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise InputError(f"interval_start: expected increasing starts of {describe_interval(interval_s)} "
                         f"intervals, got {starts[at]} at index {at}")
    return position.astype(np.int64)


def _next_open(is_open: np.ndarray) -> np.ndarray:
    """Per index i, the least j >= i with ``is_open[j]`` (``is_open.size`` if none)."""
    index = np.where(is_open, np.arange(is_open.size), is_open.size)
    return np.minimum.accumulate(index[::-1])[::-1]


def _working_axis(open_full, k, business_hours, drain):
    """Map the grid to the axis agents work on, and say by which point each interval's work is due.

    Returns ``g`` (per grid interval: the working-axis point by which its work is due), ``size``
    (real working intervals), ``extra`` (drain intervals after them), ``where`` (grid interval of
    each real working interval) and ``late`` (grid intervals whose items cannot be on time).
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
    else:
        reopen = _next_open(open_full)
        late = (index + k < reopen) & (reopen < n)  # deadline passes before the reopening
        g = np.maximum(index + k, reopen) + 1  # not before the end of the first open interval
        g = np.where(reopen < n, g, n + k + 1)  # arrives after the last opening: never due in time
        size, extra, where = n, k if drain and n and open_full[-1] else 0, index
    return g, size, extra, where, late


def _due_curves(g, points, *values):
    """Cumulative sums of ``values`` (per grid interval) falling due by each working-axis point."""
    g = np.minimum(g, points)  # beyond the axis: dropped into an overflow bin
    return [np.cumsum(np.bincount(g, weights=v, minlength=points + 1))[:points] for v in values]


def _safe_lower(due_work, due_items, due_k2, due_k3, agents, aht, cv, q):
    """Cumulative capacity [agent-s] by each point so that an item falling due then is late with
    probability about ``1 - q``: the mean due work plus the ``q`` quantile of ``X + Y`` (module notes),
    from the translated gamma distribution with the same mean, variance and third cumulant. ``aht``:
    the longest AHT of the items falling due at each point (0 where none do) [s]."""
    has = np.diff(due_items, prepend=0.0) > 0  # items fall due at the point (in the interval before it)
    h = np.where(has, aht, 0.0)
    n = np.maximum(agents, 1.0)
    c2 = cv * cv
    mean = n * h - (n - 1.0) * 0.5 * h * (1.0 + c2)
    k2 = due_k2 + (n * h * cv) ** 2
    k3 = due_k3 + 2.0 * (n * h) ** 3 * c2 * c2
    excess = mean.copy()
    normal = (k2 > 0) & (k3 * k3 < 1e-12 * k2**3)  # nearly symmetric: normal quantile
    skewed = (k2 > 0) & ~normal
    excess[normal] += np.sqrt(k2[normal]) * stats.norm.ppf(q)
    alpha, theta = 4.0 * k2[skewed] ** 3 / k3[skewed] ** 2, 0.5 * k3[skewed] / k2[skewed]
    excess[skewed] += theta * (stats.gamma.ppf(q, alpha) - alpha)
    excess = np.where(has, np.maximum(excess, 0.0), 0.0)
    # The plan is linear between points and so is the mean: cover the excess of both neighbours.
    excess[:-1] = np.maximum(excess[:-1], excess[1:])
    excess[1:] = np.maximum(excess[1:], excess[:-1])
    return np.maximum.accumulate(due_work + excess)


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


def _capacity(lower, arrived, open_axis, size, extra, method, due=None):
    """Capacity per real working interval [agent-s] for the cumulative requirement ``lower`` (at the
    working points); ``due`` is the work due, when ``lower`` adds safety to it."""
    points = lower.size  # size + extra + 1
    is_open = np.concatenate((open_axis, np.ones(extra, dtype=bool), [True]))
    after = _next_open(is_open)
    lower = np.where(np.arange(points) <= np.argmax(is_open), 0.0, lower)[after]  # due while closed: before
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


def _backlog(work, items, capacity):
    """Items waiting at each interval end when ``capacity`` works the arrivals oldest first."""
    arrived = np.concatenate(([0.0], np.cumsum(work)))
    count = np.concatenate(([0.0], np.cumsum(items)))
    cumulative = np.concatenate(([0.0], np.cumsum(capacity)))
    done = cumulative + np.minimum(0.0, np.minimum.accumulate(arrived - cumulative))  # Reich
    return np.maximum(count - np.interp(done, arrived, count), 0.0)[1:]


def _plan(k, work, items, open_full, business_hours, drain, method, safety):
    """Capacity per grid interval [agent-s], fluid and planned, the items due per grid interval and
    the grid intervals whose items cannot be on time. ``safety`` is None or ``(cv, q, interval_s)``."""
    grid = work.size
    g, size, extra, where, late = _working_axis(open_full, k, business_hours, drain)
    points = size + extra + 1
    aht = np.divide(work, items, out=np.zeros(grid), where=items > 0)
    cv2 = 0.0 if safety is None else safety[0] ** 2
    due_work, due_items, due_k2, due_k3 = _due_curves(
        g, points, work, items, work * aht * (1 + cv2), work * aht * aht * (1 + cv2) * (1 + 2 * cv2))
    arrived = np.concatenate(([0.0], np.cumsum(work)))
    if business_hours:  # arrived by the end of each open interval (before the closure after it)
        arrived_axis = np.concatenate(([0.0], arrived[where + 1], np.full(extra, arrived[-1])))
    else:
        arrived_axis = np.concatenate((arrived, np.full(extra, arrived[-1])))
    open_axis = open_full[where]
    fluid = _capacity(due_work, arrived_axis, open_axis, size, extra, method)
    planned = fluid
    if safety is not None and size:
        cv, q, dt = safety
        rate = np.concatenate((fluid, np.full(extra, fluid[-1]))) / dt  # agents; the drain keeps the last
        agents = np.maximum(np.concatenate(([0.0], rate)), np.concatenate((rate, [0.0])))
        longest = np.zeros(points + 1)
        np.maximum.at(longest, np.minimum(g, points), np.where(items > 0, aht, 0.0))
        # The noise that can make an item late is that of the work falling due since the backlog
        # last had slack, not since the horizon began: count the variance over a window of two
        # deadlines of working time (an overnight backlog plus its deadline), so the buffer stays
        # bounded on long horizons instead of growing like sqrt(time) and bunching at due points.
        window = 2 * k
        lag = np.concatenate((np.zeros(min(window, points)), due_k2[:-window] if points > window else []))
        lag3 = np.concatenate((np.zeros(min(window, points)), due_k3[:-window] if points > window else []))
        lower = _safe_lower(due_work, due_items, due_k2 - lag, due_k3 - lag3, agents, longest[:points], cv, q)
        planned = _capacity(lower, arrived_axis, open_axis, size, extra, method, due_work)
    out = np.zeros((3, grid))
    out[0, where], out[1, where], out[2, where] = fluid, planned, np.diff(due_items)[:size]
    return out[0], out[1], out[2], late


# --- public API -------------------------------------------------------------------------------


def _choice(name, value, options):
    if value not in options:
        raise InputError(f"{name}: expected one of {', '.join(options)}, got {value!r}")
    return value


def deferred_requirement(
    offered,
    aht_s,
    *,
    interval_s: float,
    deadline_s: float,
    open=None,  # the WFM word (shadows the builtin, unused here)
    interval_start=None,
    business_hours: bool = False,
    method: str = "level",
    safety: str = "poisson",
    service_quantile: float = 0.99,
    aht_cv: float = 1.0,
    max_occupancy: float = 1.0,
    drain: bool = True,
) -> dict[str, np.ndarray]:
    """Agents per interval to answer every item within ``deadline_s``, and the backlog they leave.

    Parameters
    ----------
    offered : array_like, shape (n,)
        Items arriving in each interval, in time order [items]; uniform within the interval.
    aht_s : array_like, shape (n,) or scalar
        Agent work per item of each interval's arrivals [s].
    interval_s : float
        Interval length [s].
    deadline_s : float
        Every item is answered within this time of its arrival [s], counted in whole intervals
        (rounded down); at least one interval (a shorter deadline is a live channel: use
        :mod:`planner.erlang` or :mod:`planner.erlang_a`).
    open : array_like of bool, shape (n,), optional
        Intervals the channel is open; closed ones get 0 agents. Default: all open.
    interval_start : array_like of tz-aware timestamps, shape (n,), optional
        Start of each interval; absent intervals (gaps) count as closed. Default: consecutive.
    business_hours : bool
        The deadline clock runs only while open (else in calendar time; see the module notes).
    method : {"level", "alap"}
        Level-loaded (taut string) or as-late-as-possible plan; both meet the fluid bound.
    safety : {"poisson", "none"}
        Safety capacity for Poisson arrivals (see the module notes), or the fluid plan alone.
    service_quantile : float
        Probability in (0, 1) that each item is on time under Poisson arrivals (about: see the notes).
    aht_cv : float
        Coefficient of variation of the (gamma) handle times: 1 exponential, 0 fixed [-].
    max_occupancy : float
        Share of an agent's time spent on items, in (0, 1].
    drain : bool
        After the horizon the last open interval's staff clears the backlog on time (True), or the
        work due after the horizon is carried out as backlog (False).

    Returns
    -------
    dict of numpy.ndarray, shape (n,)
        ``workload_s`` (agent work arriving [s]), ``due`` (items whose deadline falls in the
        interval, as planned; expected [items]), ``agents``
        (fractional: capacity / interval_s / max_occupancy), ``agents_int`` (int64, ceil),
        ``agents_fluid`` (the same plan without safety capacity: the fluid lower bound) and
        ``backlog`` (items waiting at the interval end under ``agents``, expected arrivals).

    Examples
    --------
    Two hours of 10 items per 15 minutes, 3 minutes each, answered within an hour, no safety:
    the plan works each interval's items an hour later, 2 agents in each of those intervals.

    >>> plan = deferred_requirement([10.0] * 8 + [0.0] * 4, 180.0, interval_s=900, deadline_s=3600,
    ...                             method="alap", safety="none", drain=False)
    >>> plan["agents"].tolist()
    [0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    >>> plan["backlog"].tolist()
    [10.0, 20.0, 30.0, 40.0, 40.0, 40.0, 40.0, 40.0, 30.0, 20.0, 10.0, 0.0]
    """
    offered = check_array("offered", offered, low=0.0)
    if offered.ndim != 1:
        raise InputError("offered: expected one channel's intervals as a 1-D sequence")
    n = offered.size
    aht = check_array("aht_s", aht_s, low=0.0, low_inclusive=False)
    if aht.ndim > 1 or (aht.ndim == 1 and aht.size != n):
        raise InputError(f"aht_s: expected a number or {n} values (one per offered), got shape {aht.shape}")
    aht = np.broadcast_to(aht, (n,))
    dt = float(check_array("interval_s", interval_s, low=0.0, low_inclusive=False))
    deadline = float(check_array("deadline_s", deadline_s, low=0.0, low_inclusive=False))
    if deadline < dt * (1.0 - 1e-9):
        raise InputError(f"deadline_s: expected at least one {describe_interval(dt)} interval ({dt:g} s), "
                         f"got {deadline:g}; work answered within one interval is a live channel: staff "
                         "it with planner.erlang (Erlang C) or planner.erlang_a (Erlang A)")
    is_open = np.ones(n, dtype=bool) if open is None else np.asarray(open)
    if is_open.shape != (n,) or is_open.dtype != bool:
        raise InputError(f"open: expected {n} booleans (one per offered), got {open!r:.60}")
    _choice("method", method, METHODS)
    _choice("safety", safety, SAFETY)
    q = float(check_fraction("service_quantile", service_quantile))
    cv = float(check_array("aht_cv", aht_cv, low=0.0))
    occupancy = float(check_array("max_occupancy", max_occupancy, low=0.0, low_inclusive=False, high=1.0))
    for name, flag in (("business_hours", business_hours), ("drain", drain)):
        if not isinstance(flag, (bool, np.bool_)):
            raise InputError(f"{name}: expected True or False, got {flag!r}")

    rows = _positions(interval_start, n, dt)
    grid = int(rows[-1]) + 1 if n else 0
    items, aht_grid, open_full = np.zeros(grid), np.ones(grid), np.zeros(grid, dtype=bool)
    items[rows], aht_grid[rows], open_full[rows] = offered, aht, is_open
    work = items * aht_grid

    k = int(np.floor(deadline / dt + 1e-9))
    fluid, planned, due, late = _plan(k, work, items, open_full, bool(business_hours), bool(drain), method,
                                      (cv, q, dt) if safety == "poisson" else None)
    if late.any() and items[late].sum() > 0:
        warnings.warn(f"{items[late].sum():g} items arrive while the channel is closed with a deadline before it "
                      "reopens: they cannot be on time and are planned for the first open interval (with "
                      "business_hours=True their deadline clock starts at the opening)", PlannerWarning, stacklevel=2)
    agents = planned / dt / occupancy
    return {
        "workload_s": work[rows],
        "due": due[rows],
        "agents": agents[rows],
        "agents_int": np.ceil(agents[rows] - 1e-9).astype(np.int64),
        "agents_fluid": (fluid / dt / occupancy)[rows],
        "backlog": _backlog(work, items, planned)[rows],
    }
