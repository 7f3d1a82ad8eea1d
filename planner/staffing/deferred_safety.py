"""Safety for deferred work: how many items a plan answers in time under random arrivals, and the
least safety that reaches a target share.

A deferred plan is a number of whole agents per interval. Operations judge it by the share of items
answered within the deadline, so the safety rule is sized to that share (``target_service_level``,
0.99 by default), not stacked on top of it: of a family of plans, each the fluid plan plus safety,
:func:`size_safety` keeps the one with the fewest agent-hours whose expected share in time reaches
the target.

**The family.** Two kinds of safety, each priced by what it costs:

* a *buffer* ahead of the work falling due, at quantile ``q`` of the Poisson noise an item due at
  ``t`` meets (the work due over the last two deadlines of working time, plus the item's own
  handling by one of ``N`` agents; a translated gamma with the same three cumulants, Seal 1977).
  Work done early costs nothing until it runs ahead of the arrivals, so the buffer is nearly free
  within a day and costs where work cannot wait: before a closure, at the end of the horizon;
* a *rate margin* ``m``: the cumulative capacity covers ``1 + m`` times the work due, which keeps
  capacity above the arrival rate (what short deadlines need, where a queue without slack grows).

Each candidate is levelled (or planned as late as possible), rounded once to whole agents
(:func:`planner.staffing._deferred_fluid.whole_agents`) and scored. The search raises ``q`` by
bisection for each margin of a short ladder (0, 1%, 2%, ... 100%) and stops when no larger margin
can be cheaper. Where the plan costs more than 2% over the fluid bound, the search is repeated with
a *lead*: the plan answers a quarter, then half, of the deadline early (what is left of the
deadline absorbs the noise, which a margin pays for in every interval). A lead is kept when it is
cheaper at no higher peak: on a day of 500 emails with a 4-hour business-hours deadline the half
lead with a 7.5% margin costs +8.0% for 99.28% +- 0.38% simulated, where the quarter lead needed
a 10% margin (+10.4%) and the model's two-standard-error guard ruled out its +8.0% plan (the
model's 98.80% there against 99.11% simulated).

**The score** (:func:`share_in_time`) is the expected share of items answered within the
deadline when the whole plan meets random arrivals: Monte Carlo over sample paths of the arrivals
(:class:`PoissonArrivals`: independent Poisson counts per interval, gamma handle times; the same
paths for every candidate, from a fixed seed, so the search is monotone and the plan
reproducible; :func:`path_count` paths, up to 2,048 on small queues, where the share's standard
error costs the most agent-hours). A candidate is kept when its share clears the target by two
standard errors. On each path the backlog is worked oldest first (Reich's formula). An item is on
time when the work done by its due point covers it plus ``(N - 1) S``: with ``N`` agents each on
one item, an item ends one handle time ``S`` after the fluid model would have reached it (the
in-service work of the other agents lags the fluid by ``N - 1`` handle times while they are all
busy; when the queue runs dry the lag closes, which the idle time after reaching the item
measures). Agents leaving when everyone leaves (a closure, or a plan dropping to no agent) finish
the item in hand: the work done moves to its end, which the path knows where the item is the first
or last of its arrival interval (every item of intervals of one or two), and otherwise by its mean
residual handle time (:func:`_with_overruns`). An item due while the channel is closed (calendar
deadlines) is on time when it was started before closing. Items due after the end of the horizon
are not yet due and not scored, as :mod:`planner.simulate` and :func:`planner.kpis` count them;
nor are items whose deadline passes while the channel is closed (late whatever the staffing, and
warned about apart).
The score agrees with the discrete-event simulator within its confidence interval on days of 50
to 50,000 emails (``tests/test_deferred_safety.py``, ``tests/benchmarks/bench_deferred.py``).

The arrival model is an input: :func:`size_safety` takes any object with ``sample(items, rng,
paths)`` returning counts per path and interval, e.g. one that adds day-to-day volume uncertainty.

**The trade-off**, measured with :mod:`planner.simulate` (200 replications;
``tests/benchmarks/bench_deferred.py``): agent-hours over the fluid bound and the share answered
in time, on the issue's day (494 items over 12 hours, 30-minute intervals, 4 h calendar deadline)
and on a day of 5,000 emails (15-minute intervals, 4 business hours).

========================  =====  ============  ===========  ============  ===========
parameter                 value  494: +hours   494: share   5000: +hours  5000: share
========================  =====  ============  ===========  ============  ===========
``service_quantile``      0.5    +2.0%         97.3%        +0.1%         90.5%
``service_quantile``      0.9    +8.1%         99.7%        +2.4%         98.0%
``service_quantile``      0.99   +13.0%        99.97%       +4.3%         99.8%
``target_service_level``  0.98   +4.5%         98.7%        +3.3%         99.2%
``target_service_level``  0.99   +6.9%         99.45%       +3.9%         99.7%
``target_service_level``  0.995  +9.3%         99.8%        +4.6%         99.9%
``target_service_level``  0.999  +14.2%        99.99%       +5.8%         100.0%
========================  =====  ============  ===========  ============  ===========

A fixed quantile is right for one size of channel only (0.9 gives 99.7% on the small day, 98.0%
on the large one); the target gives the share asked for at either size. The rule before this one,
a buffer at q = 0.99 rounded up in every interval, cost +28.7% on the 494-item day.

References: H. L. Seal (1977), "Approximations to risk theory's F(x, t) by means of the gamma
distribution", ASTIN Bulletin 9; G. Koole (2013), *Call Center Optimization*, ch. 6 (deferred
work); W. Whitt (2006), "Staffing a call center with uncertain arrival rate and absenteeism",
POM 15(1) (sample-path evaluation of staffing).

Examples
--------
500 emails over 12 hours, 5 minutes each, 4 hours to answer, then 4 hours to finish: near the
fluid bound (a buffer at the median) about 91% are answered in time (92.4% +- 1.6% in
:mod:`planner.simulate`, 300 replications); the plan sized to 99% pays 5.6% more agent-hours than
the fluid bound (a 5% rate margin and a buffer at q = 0.49) and simulates 99.02% +- 0.45%.

>>> import numpy as np
>>> from planner.staffing.deferred import deferred_requirement
>>> offered = np.r_[np.full(48, 500 / 48), np.zeros(16)]
>>> median = deferred_requirement(offered, 300.0, interval_s=900, deadline_s=4 * 3600, service_quantile=0.5)
>>> round(float(median["service_level"][:48].mean()), 2)
0.91
>>> plan = deferred_requirement(offered, 300.0, interval_s=900, deadline_s=4 * 3600)
>>> round(float(plan["service_level"][:48].mean()), 3), round(float(plan["agents_int"].sum() / plan["agents_fluid"].sum()), 3)
(0.991, 1.056)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from planner.errors import PlannerWarning
from planner.staffing._deferred_fluid import Axis, fluid_capacity, whole_agents

__all__ = ["PoissonArrivals", "Paths", "path_count", "sample_paths", "share_in_time", "safe_lower", "size_safety", "MARGINS"]

#: Rate margins tried, in order (a margin is paid in full: +m of the agent-hours).
MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.75, 1.0)
#: Buffer quantiles searched, as standard normal z: from none to 3.5 (q = 0.99977).
Z_RANGE = (-4.0, 3.5)
#: Sample paths: at most this many (paths x intervals) cells, at least MIN_PATHS paths.
CELLS, MAX_PATHS, MIN_PATHS = 250_000, 256, 48
#: ... and, within the cells, up to ITEM_PATHS / items paths (at most SMALL_MAX_PATHS): a small
#: queue's share rests on few items per path, so it needs more paths for the same standard error.
ITEM_PATHS, SMALL_MAX_PATHS = 512_000, 2048
#: Standard errors the estimated share must clear the target by.
MARGIN_SE = 2.0
#: The buffer quantile is bisected (as standard normal z) to within this.
Z_STEP = 0.06
#: The leads tried (shares of the deadline), when the plan without one costs more than LEAD_WORTH.
LEADS, LEAD_WORTH = (0.25, 0.5), 0.02
SEED = 20260706


@dataclass(frozen=True)
class PoissonArrivals:
    """Arrival counts per interval: independent Poisson with the forecast's mean (the default).

    >>> counts = PoissonArrivals().sample(np.array([2.0, 5.0]), np.random.default_rng(1), 3)
    >>> counts.shape
    (3, 2)
    """

    def sample(self, items: np.ndarray, rng: np.random.Generator, paths: int) -> np.ndarray:
        """Counts per path and interval, shape (paths, intervals)."""
        return rng.poisson(np.broadcast_to(items, (paths, items.size)))


@dataclass(frozen=True)
class Paths:
    """Sample paths of one channel's arrivals, laid out for :func:`share_in_time` (internal record).

    ``arrived`` (paths, points): work arrived by each working-axis point; per item group (grid
    intervals, then the opening backlog by due point): positions ``x0``/``x1`` of its first and last
    item in the oldest-first order (work up to and including it), their own handle times
    ``s0``/``s1``, due points ``d0``/``d1`` and the weights (items per path).
    """

    arrived: np.ndarray
    x0: np.ndarray
    x1: np.ndarray
    s0: np.ndarray
    s1: np.ndarray
    d0: np.ndarray
    d1: np.ndarray
    weight: np.ndarray
    groups: int
    residual_s: float
    doomed: np.ndarray  # groups that cannot be on time (deadline passing while closed): not scored


def _gamma(rng, shape, scale, cv):
    shape = np.asarray(shape, dtype=float)
    if cv == 0:
        return shape * scale
    out = rng.gamma(np.where(shape > 0, shape / (cv * cv), 1.0), scale * cv * cv)
    return np.where(shape > 0, out, 0.0)


def path_count(axis: Axis) -> int:
    """Sample paths for ``axis``: CELLS / intervals, between MIN_PATHS and MAX_PATHS, raised on small
    queues to ITEM_PATHS / items (at most SMALL_MAX_PATHS, still within CELLS / intervals).

    The share's standard error falls as 1 / sqrt(paths x items): with 256 paths a day of 50 items
    scored within 0.12-0.20 points, and the search's guard (MARGIN_SE standard errors) bought that
    much safety twice over. A day of 2,000 items or more, and any horizon past CELLS / MAX_PATHS
    intervals (about ten days of 15 minutes), keeps the first count.
    """
    n = axis.items.size
    cells = CELLS // max(n + 1, 1)
    items = float(axis.items.sum() + axis.opening_items.sum())
    by_items = int(ITEM_PATHS // max(items, 1.0))
    return int(max(np.clip(cells, MIN_PATHS, MAX_PATHS), min(by_items, cells, SMALL_MAX_PATHS)))


def sample_paths(axis: Axis, *, cv: float, arrivals=None, paths: int | None = None, seed: int = SEED) -> Paths:
    """Draw the sample paths of ``axis``'s arrivals (and its opening backlog's handle times)."""
    arrivals = PoissonArrivals() if arrivals is None else arrivals
    n = axis.items.size
    if paths is None:
        paths = path_count(axis)
    rng = np.random.default_rng(seed)
    counts = np.asarray(arrivals.sample(axis.items, rng, paths), dtype=float)
    aht = np.broadcast_to(axis.aht, (paths, n))
    first = _gamma(rng, np.ones((paths, n)), aht, cv)
    last = _gamma(rng, np.ones((paths, n)), aht, cv)
    work = (counts >= 1) * first + (counts >= 2) * last + _gamma(rng, np.maximum(counts - 2, 0), aht, cv)
    own_last = np.where(counts >= 2, last, first)
    # The opening backlog: known counts by due point, random handle times, first in line.
    q = np.flatnonzero(axis.opening_items > 0)
    w = axis.opening_items[q]
    o_aht = np.broadcast_to(axis.opening_work[q] / np.where(w > 0, w, 1.0), (paths, q.size))
    o_first = _gamma(rng, np.ones((paths, q.size)), o_aht, cv)
    o_work = np.maximum(_gamma(rng, np.broadcast_to(w, (paths, q.size)), o_aht, cv), o_first * (w >= 1))
    o_cum = np.cumsum(o_work, axis=1)
    start_work = o_cum[:, -1:] if q.size else np.zeros((paths, 1))
    cum = start_work + np.concatenate((np.zeros((paths, 1)), np.cumsum(work, axis=1)), axis=1)
    if axis.business_hours:  # arrivals before each open interval starts (closures included)
        index = np.concatenate((axis.where, np.full(axis.points - axis.size, n)))
    else:
        index = np.minimum(np.arange(axis.points), n)
    arrived = cum[:, index]
    opened = axis.open_full
    p1 = np.where(opened, axis.start + 1, axis.start) if axis.business_hours else axis.start + 1
    o_prev = np.concatenate((np.zeros((paths, 1)), o_cum[:, :-1]), axis=1)
    return Paths(
        arrived=arrived,
        x0=np.concatenate((o_prev + o_first, cum[:, :-1] + first), axis=1),
        x1=np.concatenate((o_cum, cum[:, 1:]), axis=1),
        s0=np.concatenate((o_first, first), axis=1),
        s1=np.concatenate((o_first, own_last), axis=1),
        d0=np.concatenate((q, axis.start + axis.k)),
        d1=np.concatenate((q, p1 + axis.k)),
        weight=np.concatenate((np.broadcast_to(w, (paths, q.size)), counts), axis=1),
        groups=q.size,
        doomed=np.concatenate((np.zeros(q.size, dtype=bool), axis.late)),
        residual_s=float(np.mean(axis.aht[axis.items > 0])) * (1 + cv * cv) / 2 if (axis.items > 0).any() else 0.0,
    )


def share_in_time(axis: Axis, paths: Paths, agents: np.ndarray, occupancy: float = 1.0):
    """Expected share of items answered in time by whole ``agents`` per real working interval.

    Returns ``(share, per_interval, per_path)``: the share over every item due within the horizon
    (NaN if none is), the share of each grid interval's arrivals (NaN where none is due within the
    horizon) and the share of each path (for its standard error).
    """
    size, dt = axis.size, axis.interval_s
    a = np.asarray(agents, dtype=float)
    staff = np.concatenate((a, np.full(axis.extra, a[-1] if a.size else 0.0)))
    closes = staff == 0  # everyone leaves: a closure (on the business-hours axis, collapsed: flagged)
    if axis.business_hours:
        closes[1:axis.size] |= axis.where[1:] - axis.where[:-1] > 1
    # At a closure the agents finish the items in hand: their lag behind the fluid plan ((N - 1)
    # handle times, see the module notes) closes and the item in hand gets done.
    base = np.concatenate(([0.0], np.cumsum(staff * dt * occupancy)))
    drops = np.flatnonzero(closes[1:] & (staff[:-1] > 0)) + 1  # points where everyone leaves
    capacity = _with_overruns(paths, base, drops)
    idle = np.maximum(np.maximum.accumulate(capacity - paths.arrived, axis=1), 0.0)
    done = capacity - idle
    open_index = np.where(np.concatenate((axis.open_axis, np.ones(axis.extra, bool))), np.arange(staff.size), -1)
    last_open = np.maximum.accumulate(open_index)

    def late(x, s, due):
        scored = (due <= size) & ~paths.doomed
        d = np.minimum(due, size)
        before = last_open[np.maximum(d - 1, 0)]
        closing = np.where(before >= 0, before + 1, 0)  # end of the last open interval before d
        closed = closing < d  # calendar deadline falling while closed: started by closing?
        n_agents = np.maximum(staff[np.maximum(before, 0)], 1.0)
        at = np.where(closed, closing, d)
        reached = done[:, at]
        need = np.where(closed, x - s, x + (n_agents - 1.0) * s)
        behind = reached < need - 1e-9
        maybe = behind & (reached >= x - 1e-9) & ~closed  # reached it: did the queue run dry since?
        if maybe.any():
            r, c = np.nonzero(maybe)
            first = _first_point(done, r, x[r, c])
            slack = idle[r, at[c]] - idle[r, first]
            behind[r, c] = reached[r, c] + slack < need[r, c] - 1e-9
        return behind & scored, scored

    l0, s0 = (v.astype(float) for v in late(paths.x0, paths.s0, paths.d0))
    l1, s1 = (v.astype(float) for v in late(paths.x1, paths.s1, paths.d1))
    w = paths.weight
    late_items = (w * (l0 + l1)).sum(axis=1) / 2
    scored_items = (w * (s0 + s1)).sum(axis=1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        per_path = np.where(scored_items > 0, 1.0 - late_items / scored_items, np.nan)
        g = paths.groups
        on_time = (w[:, g:] * ((s0 - l0)[:, g:] + (s1 - l1)[:, g:])).sum(axis=0) / 2
        scored = (w[:, g:] * (s0[g:] + s1[g:])).sum(axis=0) / 2
        per_interval = np.where(scored > 0, on_time / scored, np.nan)
        per_interval[paths.doomed[g:] & (axis.items > 0)] = 0.0  # late by construction (warned apart)
    share = float(np.nanmean(per_path)) if np.isfinite(per_path).any() else math.nan
    return share, per_interval, per_path


def _with_overruns(paths: Paths, base: np.ndarray, drops: np.ndarray) -> np.ndarray:
    """Cumulative capacity per path and point: ``base`` plus, at each point of ``drops`` (everyone
    leaves), the rest of the item in hand, which the leaving agent finishes.

    The item in hand is the first whose end lies past the work done: where that is the first or
    the last item of an arrival interval (every item of intervals of one or two items) its end is
    known on the path and the work done moves exactly to it; an item in between is credited its
    mean residual handle time. A fluid credit of the mean residual alone (what this replaces)
    finished the oldest item only about 63% of the time, and the scored share was 0.3 to 3 points
    below the simulated one on one-agent plans with many drops to zero.
    """
    count = paths.arrived.shape[0]
    if drops.size == 0:
        return np.broadcast_to(base, (count, base.size))
    has = paths.weight >= 1
    ends = paths.x1  # group ends: nondecreasing along each path (oldest first)
    groups = ends.shape[1]
    rows = np.arange(count)
    first = np.where(has, paths.x0, np.inf).ravel()
    last_start = np.where(has, paths.x1 - paths.s1, np.inf).ravel()
    flat_x1 = ends.ravel()
    gap = base[None, :] - paths.arrived  # capacity minus arrived work, before any overrun
    peaks = np.maximum(np.maximum.reduceat(gap, np.concatenate(([0], drops)), axis=1)[:, :-1], gap[:, drops])
    arrived_at = paths.arrived[:, drops]
    running, credit = np.full(count, -np.inf), np.zeros(count)
    added = np.zeros((count, drops.size))
    span = float(ends.max()) + 1.0
    flat_ends = (ends + span * rows[:, None]).ravel()
    offset, row_start = span * rows, rows * groups  # one path after the other in flat_ends
    for i, q in enumerate(drops):
        running = np.maximum(running, peaks[:, i] + credit)
        done = base[q] + credit - np.maximum(running, 0.0)
        busy = done < arrived_at[:, i] - 1e-9
        if not busy.any():
            continue
        group = np.searchsorted(flat_ends, done + 1e-9 + offset, side="right") - row_start
        index = np.minimum(np.maximum(group, 0), groups - 1) + row_start
        x0, x1, start = first[index], flat_x1[index], last_start[index]
        in_hand = np.where(done < x0, x0, np.where(done >= start - 1e-9, x1,
                                                    np.minimum(done + paths.residual_s, start)))
        extra = np.where(busy & np.isfinite(in_hand), np.maximum(in_hand - done, 0.0), 0.0)
        credit = credit + extra  # point q carries this credit too (the next peak starts at q)
        added[:, i] = extra
    steps = np.zeros((count, base.size))
    steps[:, drops] = added
    return base[None, :] + np.cumsum(steps, axis=1)


def _first_point(done: np.ndarray, rows: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The first point where path ``rows`` (``done`` non-decreasing along each path) reaches ``x``."""
    paths, points = done.shape
    span = float(done.max()) + 1.0
    flat = (done + span * np.arange(paths)[:, None]).ravel()
    position = np.searchsorted(flat, x - 1e-9 + span * rows, side="left") - rows * points
    return np.clip(position, 0, points - 1)


def safe_lower(axis: Axis, fluid: np.ndarray, q: float, cv: float) -> np.ndarray:
    """Cumulative capacity [agent-s] by each point so that an item falling due then is late with
    probability about ``1 - q``: the work due plus the ``q`` quantile of the noise ahead of it (the
    work due over the last two deadlines, and its own handling by one of N agents, N from
    ``fluid``), from the translated gamma distribution with the same three cumulants."""
    points, k = axis.points, axis.k
    rate = np.concatenate((fluid, np.full(axis.extra, fluid[-1] if fluid.size else 0.0))) / axis.interval_s
    agents = np.maximum(np.concatenate(([0.0], rate)), np.concatenate((rate, [0.0])))
    window = 2 * k
    lag2 = np.concatenate((np.zeros(min(window, points)), axis.due_k2[:-window] if points > window else []))
    lag3 = np.concatenate((np.zeros(min(window, points)), axis.due_k3[:-window] if points > window else []))
    return quantile_lower(axis.due_work, axis.due_items, axis.due_k2 - lag2, axis.due_k3 - lag3, agents,
                          axis.longest, cv, q)


def quantile_lower(due_work, due_items, due_k2, due_k3, agents, aht, cv, q):
    """Work due plus the ``q`` quantile of ``X + Y`` at each point (see :func:`safe_lower`).

    ``X``: cumulants ``due_k2``, ``due_k3`` of the work due in the window; ``Y = N S - (N - 1) r``
    with ``S`` the gamma handle time (mean ``aht``, coefficient of variation ``cv``) and ``r`` its
    mean residual, the lag of an item's end behind the fluid plan with ``N`` agents busy.
    """
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


@dataclass(frozen=True)
class Sized:
    """The chosen plan: fractional capacity and whole agents per real working interval, its safety
    (buffer quantile, rate margin) and its expected shares in time (overall, per grid interval)."""

    capacity: np.ndarray
    agents: np.ndarray
    quantile: float
    margin: float
    share: float
    per_interval: np.ndarray


def candidate(axis: Axis, fluid: np.ndarray, q: float | None, method: str, cv: float, lead: float = 0.0) -> np.ndarray:
    """Fractional capacity per real working interval of the plan with buffer quantile ``q`` (None:
    no buffer) and ``lead`` (planned to answer ``lead`` working intervals before the deadline),
    before its rate margin ``m`` (every interval's capacity times ``1 + m``, applied by the caller)."""
    lower = None
    if lead > 0:
        points = np.arange(axis.points, dtype=float)
        lower = np.interp(points + lead, points, axis.due_work)
    if q is not None:
        buffered = safe_lower(axis, fluid, q, cv)
        lower = buffered if lower is None else np.maximum(lower, buffered)
    return fluid if lower is None else fluid_capacity(axis, lower, method, due=axis.due_work)


def size_safety(axis: Axis, fluid: np.ndarray, *, target: float, method: str, cv: float, occupancy: float,
                quantile: float | None = None, arrivals=None) -> Sized:
    """The plan of the family with the fewest agent-hours whose expected share in time reaches
    ``target`` (``quantile``: that buffer quantile and no margin, not searched)."""
    paths = sample_paths(axis, cv=cv, arrivals=arrivals)
    dt = axis.interval_s
    buffered, scored = {}, {}  # a buffer (q, lead) recurs across margins, a whole plan across candidates

    def evaluate(q, margin, lead=0.0):
        if (q, lead) not in buffered:
            buffered[q, lead] = candidate(axis, fluid, q, method, cv, lead)
        capacity = buffered[q, lead] * (1.0 + margin)
        agents = whole_agents(axis, capacity, occupancy, axis.due_work)
        key = agents.tobytes()
        if key not in scored:
            share, per_interval, per_path = share_in_time(axis, paths, agents, occupancy)
            finite = per_path[np.isfinite(per_path)]
            error = float(np.std(finite) / math.sqrt(finite.size)) if finite.size > 1 else 0.0
            scored[key] = share, per_interval, not math.isfinite(share) or share - MARGIN_SE * error >= target
        share, per_interval, meets = scored[key]
        return Sized(capacity, agents, math.nan if q is None else q, margin, share, per_interval), meets

    if quantile is not None:
        return evaluate(quantile, 0.0)[0]
    fluid_hours = max(float(fluid.sum()), 1e-300)

    def search(lead, peak, bound=np.inf):
        """The cheapest plan meeting the target with this lead, at most ``peak`` agents and
        cheaper than ``bound`` agent-intervals (margins that cannot be are not tried)."""
        best, last = None, None
        z_high = Z_RANGE[1]  # a larger margin never needs a larger buffer

        def keep(plan, meets):
            nonlocal best
            if meets and plan.agents.max() <= peak and (best is None or plan.agents.sum() < best.agents.sum() - 1e-9):
                best = plan

        for margin in MARGINS:
            if min(bound, np.inf if best is None else best.agents.sum()) * dt * occupancy <= \
                    fluid_hours * (1.0 + margin) + 1e-9:
                break  # a larger margin costs at least that much
            low, low_ok = evaluate(None, margin, lead)
            keep(low, low_ok)
            if low_ok:
                continue
            last, high_ok = evaluate(float(stats.norm.cdf(z_high)), margin, lead)
            keep(last, high_ok)
            if not high_ok and z_high < Z_RANGE[1]:  # whole agents may break the rule of thumb
                z_high = Z_RANGE[1]
                last, high_ok = evaluate(float(stats.norm.cdf(z_high)), margin, lead)
                keep(last, high_ok)
            if not high_ok:
                continue
            lo, hi = Z_RANGE[0], z_high
            while hi - lo > Z_STEP:
                mid = 0.5 * (lo + hi)
                plan, ok = evaluate(float(stats.norm.cdf(mid)), margin, lead)
                keep(plan, ok)
                lo, hi = (lo, mid) if ok else (mid, hi)
            z_high = hi
        return best, last

    best, last = search(0.0, np.inf)
    if best is not None and best.agents.sum() * dt * occupancy > fluid_hours * (1.0 + LEAD_WORTH) and axis.k > 1:
        # Answering a quarter or half deadline early keeps less backlog: take it when it costs less,
        # at no higher peak.
        peak = best.agents.max()
        for lead in LEADS:
            ahead, _ = search(lead * axis.k, peak, best.agents.sum())
            if ahead is not None and ahead.agents.sum() < best.agents.sum():
                best = ahead
    if best is None:
        best = last
        warnings.warn(f"deferred work: no plan up to a {MARGINS[-1]:.0%} rate margin reaches "
                      f"target_service_level {target:g}; the plan answers about {best.share:.1%} in time "
                      "(the deadline is short for the volume: consider a longer deadline or a live model)",
                      PlannerWarning, stacklevel=3)
    return best
