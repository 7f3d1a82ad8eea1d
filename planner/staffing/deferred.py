"""Deferred work (email, SMS, social, back office): the whole agents per interval that answer the
items within their deadline, with the backlog carried from interval to interval.

Interval-level Erlang formulas are wrong for work that may wait across many intervals; this is a
fluid model of one channel (a 1-D sequence of intervals in time order), played with whole agents.

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
* ``opening_backlog``: items already waiting when the horizon starts (the weekend's email before a
  Monday). They are first in line and each falls due at its own point: a
  :class:`~planner.staffing.deferred_backlog.OpeningBacklog` (estimated from history by
  :func:`~planner.staffing.deferred_backlog.opening_from_history`), or a number of items taken to
  fall due evenly over the first deadline of working time, as the backlog of a channel that meets
  its deadlines does (with ``business_hours``, work that arrived while closed is all due one
  deadline after the opening: give the estimate for that).

Plans. ``method="alap"`` (as late as possible): cumulative capacity equals the due work at the next
point where the channel is open: the pointwise least plan, hence the fluid lower bound on
agent-hours (``agents_fluid``). ``method="level"``: the taut string between that lower curve and
the work arrived so far (work cannot be done before it arrives), with the same end point: the same
agent-hours (without drain), the least peak, and the smoothest profile, since it minimises every
convex function of the per-interval staffing (Veinott 1964; Davies & Kovac 2001).

Whole agents round once. Cumulative whole agent-intervals are the cumulative fractional ones
rounded up, so 3.6 agents become 4, 3, 4, 4, 3, ... rather than 4 in every interval (which cost
+10% on a small channel), and the plan is never behind the fractional one. Capacity ahead of the
arrivals idles, so the whole plan is then played against the expected arrivals and an agent is
added before any point where it falls behind the work due.

Safety sized to the target (``safety="poisson"``). Operations measure deferred work by the share of
items answered within the deadline; ``target_service_level`` (0.99) is that share, in a Poisson
world: of a family of plans (a buffer ahead of the work due at a quantile of its Poisson noise, and
a rate margin for short deadlines), :mod:`planner.staffing.deferred_safety` keeps the one with the
fewest agent-hours whose expected share in time (Monte Carlo over sample paths of the arrivals,
played by the whole agents) reaches the target. ``service_quantile`` fixes the buffer quantile
instead (no margin, no search: the rule before this one, for trade-off studies). Measured on days
of emails with :mod:`planner.simulate` (``tests/benchmarks/bench_deferred.py``), 99% in time costs
0% to 4% over the fluid bound from 5,000 items a day, whatever the deadline (1 h, 4 h, 24 h) and
clock; 5% to 10% at 500 a day for 4 h and 24 h, 15% for 1 h; 8% to 20% at 50 a day, and double
for a 1 h deadline: there whole agents and one handle time against the deadline dominate. It
covers Poisson noise, not forecast error (pass another ``arrivals`` model for that).

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
>>> plan["agents_int"].tolist()  # 2.67 agents, rounded once: 32 agent-hours, not 36
[3, 3, 2, 3, 3, 2, 3, 3, 2, 3, 3, 2]
>>> plan["backlog"].round(1).tolist()
[13.3, 26.7, 40.0, 53.3, 66.7, 80.0, 93.3, 106.7, 80.0, 53.3, 26.7, 0.0]
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from planner.errors import InputError, PlannerWarning
from planner.schema import check_array, check_fraction, describe_interval
from planner.staffing._deferred_fluid import backlog, build_axis, fluid_capacity, positions, whole_agents
from planner.staffing.deferred_backlog import OpeningBacklog, axis_opening
from planner.staffing.deferred_safety import size_safety

__all__ = ["METHODS", "SAFETY", "deferred_requirement", "OpeningBacklog"]

#: Plans: level-loaded (taut string) or as late as possible.
METHODS = ("level", "alap")
#: Safety above the fluid plan: sized to a share in time under Poisson arrivals, or none.
SAFETY = ("poisson", "none")


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
    target_service_level: float = 0.99,
    service_quantile: float | None = None,
    aht_cv: float = 1.0,
    max_occupancy: float = 1.0,
    drain: bool = True,
    opening_backlog=None,
    arrivals=None,
) -> dict[str, np.ndarray]:
    """Whole agents per interval to answer the items within ``deadline_s``, and the backlog they leave.

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
        Safety sized to ``target_service_level`` under Poisson arrivals, or the fluid plan alone.
    target_service_level : float
        Share of the items due within the horizon to answer within the deadline [-], in (0, 1).
    service_quantile : float, optional
        Fix the buffer quantile in (0, 1) instead of sizing the safety to the target.
    aht_cv : float
        Coefficient of variation of the (gamma) handle times: 1 exponential, 0 fixed [-].
    max_occupancy : float
        Share of an agent's time spent on items, in (0, 1].
    drain : bool
        After the horizon the last open interval's staff clears the backlog on time (True), or the
        work due after the horizon is carried out as backlog (False).
    opening_backlog : float or OpeningBacklog, optional
        Items waiting when the horizon starts [items] (see the module notes). Default: none.
    arrivals : object, optional
        Arrival-count model for the safety (``sample(items, rng, paths)``); default Poisson.

    Returns
    -------
    dict of numpy.ndarray, shape (n,)
        ``workload_s`` (agent work arriving [s]), ``due`` (items whose deadline falls in the
        interval, as planned [items]), ``agents`` (fractional plan: capacity / interval_s /
        max_occupancy), ``agents_int`` (int64, the whole agents, rounded once), ``agents_fluid``
        (the fluid lower bound), ``backlog`` (items waiting at the interval end under
        ``agents``, expected arrivals; the whole agents are ahead by less than an agent-interval), ``service_level`` (expected share of the interval's
        arrivals answered in time under Poisson arrivals; NaN where none is due within the horizon
        or without safety), ``opening_backlog`` (items from before the horizon falling due in the
        interval), ``service_quantile`` and ``rate_margin`` (the safety chosen, per interval).

    Examples
    --------
    Two hours of 10 items per 15 minutes, 3 minutes each, answered within an hour, no safety:
    the plan works each interval's items an hour later, 2 agents in each of those intervals.

    >>> plan = deferred_requirement([10.0] * 8 + [0.0] * 4, 180.0, interval_s=900, deadline_s=3600,
    ...                             method="alap", safety="none", drain=False)
    >>> plan["agents_int"].tolist()
    [0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2]
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
    target = float(check_fraction("target_service_level", target_service_level))
    quantile = None if service_quantile is None else float(check_fraction("service_quantile", service_quantile))
    cv = float(check_array("aht_cv", aht_cv, low=0.0))
    occupancy = float(check_array("max_occupancy", max_occupancy, low=0.0, low_inclusive=False, high=1.0))
    for name, flag in (("business_hours", business_hours), ("drain", drain)):
        if not isinstance(flag, (bool, np.bool_)):
            raise InputError(f"{name}: expected True or False, got {flag!r}")

    rows = positions(interval_start, n, dt)
    grid = int(rows[-1]) + 1 if n else 0
    items, aht_grid, open_full = np.zeros(grid), np.ones(grid), np.zeros(grid, dtype=bool)
    items[rows], aht_grid[rows], open_full[rows] = offered, aht, is_open
    k = int(np.floor(deadline / dt + 1e-9))
    options = dict(k=k, interval_s=dt, business_hours=bool(business_hours), drain=bool(drain), cv=cv)
    plain = build_axis(items, aht_grid, open_full, **options)
    opening = axis_opening(opening_backlog, plain, aht_grid)
    axis = build_axis(items, aht_grid, open_full, opening=opening, **options) if opening[0].any() else plain

    fluid = fluid_capacity(axis, axis.due_work, method)
    if safety == "poisson" and axis.size:
        sized = size_safety(axis, fluid, target=target, method=method, cv=cv, occupancy=occupancy,
                            quantile=quantile, arrivals=arrivals)
        planned, whole, per_interval = sized.capacity, sized.agents, sized.per_interval
        chosen = (sized.quantile, sized.margin)
    else:
        planned, whole = fluid, whole_agents(axis, fluid, occupancy, axis.due_work)
        per_interval, chosen = np.full(grid, np.nan), (math.nan, 0.0)
    if axis.late.any() and items[axis.late].sum() > 0:
        warnings.warn(f"{items[axis.late].sum():g} items arrive while the channel is closed with a deadline before it "
                      "reopens: they cannot be on time and are planned for the first open interval (with "
                      "business_hours=True their deadline clock starts at the opening)", PlannerWarning, stacklevel=2)
    out = np.zeros((4, grid))
    out[0, axis.where], out[1, axis.where], out[2, axis.where] = fluid, planned, whole
    out[3, axis.where] = np.diff(axis.due_items)[:axis.size]
    due_opening = np.zeros(grid)
    point = np.clip(np.arange(axis.points), 1, axis.size)
    if grid and axis.size:
        np.add.at(due_opening, axis.where[point - 1], axis.opening_items)
    held = (axis.opening_items.sum(), axis.opening_work.sum())
    return {
        "workload_s": axis.work[rows],
        "due": out[3][rows],
        "agents": (out[1] / dt / occupancy)[rows],
        "agents_int": out[2][rows].astype(np.int64),
        "agents_fluid": (out[0] / dt / occupancy)[rows],
        "backlog": backlog(axis.work, items, out[1], held)[rows],
        "service_level": np.asarray(per_interval, dtype=float)[rows],
        "opening_backlog": due_opening[rows],
        "service_quantile": np.full(n, chosen[0]),
        "rate_margin": np.full(n, chosen[1]),
    }
