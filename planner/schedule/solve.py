"""The shift-design MILP, solved with HiGHS through :func:`scipy.optimize.milp`.

Variables, in this order: shift starts ``x`` (integer), break placements ``y`` (integer), tours
``w`` (integer, weekly patterns of one start), then by objective: ``cover`` none; ``soft`` agents
short ``u`` and over ``o`` per open interval (continuous); ``service`` marginal agents ``z`` per
interval and step of its service-level table (continuous in [0, 1]).

- ``cover``: minimise ``sum cost x paid_hours x`` subject to coverage >= ceil(requirement) in every
  open interval (coverage is whole, so rounding the right-hand side up is exact and tightens the LP).
- ``soft``: coverage + u - o = requirement; each agent-hour short costs ``short_penalty`` paid
  hours and each agent-hour over ``over_penalty``.
- ``service`` (G. Koole and E. van der Sluis 2003, "Optimal shift scheduling with a global service
  level constraint", IIE Transactions 35(11), 1049-1055): coverage - sum_j z_tj >= floor_t, and
  per period ``sum_t offered_t (SL_t(floor_t) + sum_j gain_tj z_tj) >= target x sum_t offered_t``.
  The gains are non-increasing in j (the tables are concave from the floor up), so the LP fills
  them in order and the constraint is met by the true service level of the whole coverage.

The LP relaxation is solved too: its optimum is a lower bound of every schedule with these
templates, and ``gap = objective / lp_bound - 1`` certifies how good the schedule is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from planner.errors import InputError
from planner.schedule.model import Candidates, Grid, coverage_matrix
from planner.schedule.spec import ScheduleSpec, ShiftTemplate

__all__ = ["Service", "Solution", "solve"]


@dataclass(frozen=True)
class Service:
    """Service-level tables for the ``service`` objective, per grid interval.

    ``floor`` [heads] the least coverage; ``base`` the service level at the floor; ``gains`` (T x J)
    the service level each further head adds; ``weight`` the offered contacts; ``period`` the period
    index of each interval (-1: none); ``target`` the target of each period.
    """

    floor: np.ndarray
    base: np.ndarray
    gains: np.ndarray
    weight: np.ndarray
    period: np.ndarray
    target: np.ndarray


@dataclass(frozen=True)
class Solution:
    """A solved schedule: whole ``x`` (shifts per start), ``y`` (breaks per position), the
    objective, the LP bound, HiGHS's best bound, status text, model sizes and seconds."""

    x: np.ndarray
    y: np.ndarray
    objective: float
    paid_hours: float
    lp_bound: float
    best_bound: float
    status: str
    integer_variables: int
    rows: int
    seconds: float

    @property
    def gap(self) -> float:
        """``objective / lp_bound - 1`` (0 when the bound is 0 and so is the objective)."""
        if self.lp_bound <= 0:
            return 0.0 if self.objective <= 1e-9 else float("inf")
        return self.objective / self.lp_bound - 1.0


def _tours(templates, c: Candidates, grid: Grid) -> tuple[sparse.csr_matrix, int]:
    """Rows ``x_s - sum w = 0`` for toured templates: (matrix over [x, w], number of w)."""
    local = grid.starts[c.start]
    offset = (local.hour * 3600 + local.minute * 60 + local.second).to_numpy()
    weekday = grid.days.day_of_week.to_numpy()[c.day]
    monday0 = grid.days[0] - pd.Timedelta(days=int(grid.days[0].day_of_week))
    week = (grid.days[c.day] - monday0).days.to_numpy() // 7
    rows, cols, w_count = [], [], 0
    toured = np.zeros(c.shifts, bool)
    for i, template in enumerate(templates):
        if template.tour is None:
            continue
        mine = np.flatnonzero(c.template == i)
        toured[mine] = True
        key = {(int(week[s]), int(offset[s]), int(weekday[s])): s for s in mine}
        for wk, off in sorted({(int(week[s]), int(offset[s])) for s in mine}):
            dates = monday0 + pd.to_timedelta(7 * wk + np.arange(7), unit="D")
            in_horizon = {d for d in range(7) if grid.days[0] <= dates[d] <= grid.days[-1]}
            for pattern in template.tour.patterns(template.days):
                worked = [d for d in pattern if d in in_horizon]
                if not worked or any((wk, off, d) not in key for d in worked):
                    continue
                for d in worked:
                    rows.append(key[(wk, off, d)])
                    cols.append(c.shifts + w_count)
                w_count += 1
    eye_rows = np.flatnonzero(toured)
    data = np.concatenate([np.ones(eye_rows.size), -np.ones(len(rows))])
    r = np.concatenate([eye_rows, np.asarray(rows, dtype=np.int64)])
    k = np.concatenate([eye_rows, np.asarray(cols, dtype=np.int64)])
    matrix = sparse.csr_matrix((data, (r, k)), shape=(c.shifts, c.shifts + w_count))[eye_rows]
    return matrix, w_count


def _counts(templates, c: Candidates) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Rows bounding the shifts of each template per day: (matrix over x, lower, upper)."""
    keys = c.template * (c.day.max(initial=0) + 1) + c.day
    unique, row = np.unique(keys, return_inverse=True)
    matrix = sparse.csr_matrix((np.ones(c.shifts), (row, np.arange(c.shifts))), shape=(unique.size, c.shifts))
    template = unique // (c.day.max(initial=0) + 1)
    low = np.array([templates[t].min_per_day for t in template], float)
    high = np.array([np.inf if templates[t].max_per_day is None else templates[t].max_per_day for t in template])
    bounded = (low > 0) | np.isfinite(high)
    return matrix[bounded], low[bounded], high[bounded]


def components(templates, c: Candidates, grid: Grid, service: Service | None = None) -> np.ndarray:
    """Label of each grid interval: intervals in different components share no shift, no bound on a
    template's shifts per day, no tour and no service-level period, so they are solved apart."""
    T = grid.size
    diff = np.zeros(T + 1)
    np.add.at(diff, c.start, 1.0)
    np.add.at(diff, c.start + c.span - 1, -1.0)
    linked = np.flatnonzero(np.cumsum(diff)[:T - 1] > 0)
    first, second = [linked], [linked + 1]
    monday0 = grid.days[0] - pd.Timedelta(days=int(grid.days[0].day_of_week))
    week = (grid.days[c.day] - monday0).days.to_numpy() // 7
    bounded = np.array([t.min_per_day > 0 or t.max_per_day is not None for t in templates])
    toured = np.array([t.tour is not None for t in templates])
    for key, mask in ((c.template * 100_000 + c.day, bounded[c.template]), (c.template * 100_000 + week, toured[c.template])):
        order = np.lexsort((c.start, key))
        order = order[mask[order]]
        same = key[order][1:] == key[order][:-1]
        first.append(c.start[order][:-1][same])
        second.append(c.start[order][1:][same])
    if service is not None:
        index = np.flatnonzero(service.period >= 0)
        same = service.period[index][1:] == service.period[index][:-1]
        first.append(index[:-1][same])
        second.append(index[1:][same])
    a, b = np.concatenate(first), np.concatenate(second)
    graph = sparse.csr_matrix((np.ones(a.size), (a, b)), shape=(T, T))
    return connected_components(graph, directed=False)[1]


def solve(templates: tuple[ShiftTemplate, ...], c: Candidates, grid: Grid, requirement: np.ndarray,
          open_: np.ndarray, spec: ScheduleSpec, *, service: Service | None = None,
          fixed: np.ndarray | None = None) -> Solution:
    """Solve one group's shift design (see the module docstring); ``fixed`` pins ``x`` (break placement only).

    Independent parts (days that no shift, bound, tour or service period links) are solved one by
    one within the time limit; their objectives and LP bounds add up. Raises :class:`InputError`
    when ``cover`` cannot be met (an interval no shift spans, or too few shifts allowed), naming the
    first such interval and the fix.
    """
    started = time.perf_counter()
    label = components(templates, c, grid, service)
    parts = [k for k in np.unique(label[open_]) if (c.start.size and (label[c.start] == k).any())]
    x, y = np.zeros(c.shifts, np.int64), np.zeros(c.breaks, np.int64)
    total = {"objective": 0.0, "lp_bound": 0.0, "best_bound": 0.0, "integer_variables": 0, "rows": 0}
    statuses = []
    for i, k in enumerate(parts):
        keep = label[c.start] == k
        sub, index, brk_index = _subset(c, keep)
        left = spec.time_limit_s - (time.perf_counter() - started)
        limit = max(left / (len(parts) - i), min(1.0, spec.time_limit_s))
        one = _solve_block(templates, sub, grid, requirement, open_ & (label == k), spec, service=service,
                           fixed=None if fixed is None else fixed[index], time_limit_s=limit)
        x[index], y[brk_index] = one.x, one.y
        for name in total:
            total[name] += getattr(one, name)
        statuses.append(one.status)
    uncovered = open_ & ~np.isin(label, parts)
    if spec.objective == "cover" and (np.ceil(requirement[uncovered] - 1e-9) > 0).any():
        _solve_block(templates, _subset(c, np.zeros(c.shifts, bool))[0], grid, requirement, uncovered, spec,
                     time_limit_s=1.0)  # raises: names the first interval no shift can cover
    stopped = [s for s in statuses if s != "optimal"]
    status = "optimal" if not stopped else f"{len(stopped)} of {len(statuses)} parts {stopped[0]}"
    return Solution(x=x, y=y, paid_hours=float(c.paid_hours @ x), status=status,
                    seconds=time.perf_counter() - started, **total)


def _subset(c: Candidates, keep: np.ndarray) -> tuple[Candidates, np.ndarray, np.ndarray]:
    """The candidates whose shifts are in ``keep``; (subset, shift positions, break positions)."""
    index = np.flatnonzero(keep)
    renumber = np.full(c.shifts, -1)
    renumber[index] = np.arange(index.size)
    brk_index = np.flatnonzero(keep[c.brk_shift]) if c.breaks else np.zeros(0, np.int64)
    sub = Candidates(template=c.template[index], day=c.day[index], start=c.start[index], span=c.span[index],
                     paid_hours=c.paid_hours[index], brk_shift=renumber[c.brk_shift[brk_index]],
                     brk_k=c.brk_k[brk_index], brk_start=c.brk_start[brk_index], brk_span=c.brk_span[brk_index])
    return sub, index, brk_index


def _objective_unit(objective: np.ndarray) -> float:
    """The largest ``g`` with every objective coefficient a whole multiple of it (0 if none to 1e-6 h).

    >>> _objective_unit(np.array([8.0, 4.0, 0.0, 6.0]))
    2.0
    """
    scaled = np.round(objective * 3600.0)
    if not np.allclose(scaled, objective * 3600.0, atol=1e-6) or not scaled.any():
        return 0.0
    return float(np.gcd.reduce(scaled.astype(np.int64))) / 3600.0


def _solve_block(templates: tuple[ShiftTemplate, ...], c: Candidates, grid: Grid, requirement: np.ndarray,
                 open_: np.ndarray, spec: ScheduleSpec, *, service: Service | None = None,
                 fixed: np.ndarray | None = None, time_limit_s: float) -> Solution:
    """Solve one independent part (all of it at once)."""
    started = time.perf_counter()
    T, S, Y = grid.size, c.shifts, c.breaks
    on_shift, on_break = coverage_matrix(c, T)
    cover = sparse.hstack([on_shift, -on_break]).tocsr()
    tour_rows, W = _tours(templates, c, grid)
    hours = grid.interval_s / 3600.0
    cost = np.concatenate([np.array([templates[t].cost for t in c.template]) * c.paid_hours, np.zeros(Y + W)])
    n = S + Y + W
    blocks, lows, highs = [], [], []

    def add(matrix, low, high) -> None:
        blocks.append(sparse.csr_matrix(matrix))
        lows.append(np.broadcast_to(np.asarray(low, float), (matrix.shape[0],)))
        highs.append(np.broadcast_to(np.asarray(high, float), (matrix.shape[0],)))

    def widen(matrix, width) -> sparse.csr_matrix:
        return sparse.hstack([matrix, sparse.csr_matrix((matrix.shape[0], width - matrix.shape[1]))]).tocsr()

    pair = c.brk_shift * (c.brk_k.max(initial=0) + 1) + c.brk_k
    unique, row = np.unique(pair, return_inverse=True)
    link = sparse.csr_matrix((np.ones(Y), (row, S + np.arange(Y))), shape=(unique.size, n)).tolil()
    shift_of = unique // (c.brk_k.max(initial=0) + 1)
    link[np.arange(unique.size), shift_of] = -1.0
    add(link.tocsr(), 0.0, 0.0)
    if W:
        add(sparse.hstack([tour_rows[:, :S], sparse.csr_matrix((tour_rows.shape[0], Y)), tour_rows[:, S:]]), 0.0, 0.0)
    else:
        toured = np.array([templates[t].tour is not None for t in c.template], bool)
        if toured.any():
            add(sparse.csr_matrix((np.ones(toured.sum()), (np.arange(toured.sum()), np.flatnonzero(toured))),
                                  shape=(int(toured.sum()), n)), 0.0, 0.0)
    count_rows, count_low, count_high = _counts(templates, c)
    if count_rows.shape[0]:
        add(widen(count_rows, n), count_low, count_high)

    covered = np.asarray(on_shift.sum(axis=1)).ravel() > 0
    rows = np.flatnonzero(open_)
    extra_cost: list[np.ndarray] = []
    lower_extra: list[np.ndarray] = []
    upper_extra: list[np.ndarray] = []
    if spec.objective == "cover":
        need = np.ceil(requirement - 1e-9)
        rows = rows[need[rows] > 0]
        bad = rows[~covered[rows]]
        if bad.size:
            t = int(bad[0])
            raise InputError(f"schedule {'+'.join(templates[0].channels)}: {grid.starts[t]:%Y-%m-%d %H:%M} needs "
                             f"{requirement[t]:.2f} agents but no shift template can cover it ({bad.size} such "
                             "intervals); widen a template's start window or set objective = \"soft\" in [schedule]")
        add(widen(cover[rows], n), need[rows], np.inf)
    elif spec.objective == "soft":
        m = rows.size
        pick = sparse.csr_matrix((np.ones(m), (np.arange(m), np.arange(m))), shape=(m, m))
        add(sparse.hstack([widen(cover[rows], n), pick, -pick]), requirement[rows], requirement[rows])
        extra_cost = [np.full(m, spec.short_penalty * hours), np.full(m, spec.over_penalty * hours)]
        lower_extra, upper_extra = [np.zeros(2 * m)], [np.full(2 * m, np.inf)]
    else:
        assert service is not None
        J = service.gains.shape[1]
        rows = rows[(service.floor[rows] > 0) | (service.weight[rows] > 0)]
        m = rows.size
        z_cols = np.arange(m * J)
        z = sparse.csr_matrix((-np.ones(m * J), (np.repeat(np.arange(m), J), z_cols)), shape=(m, m * J))
        bad = rows[(service.floor[rows] > 0) & ~covered[rows]]
        if bad.size:
            t = int(bad[0])
            raise InputError(f"schedule {'+'.join(templates[0].channels)}: {grid.starts[t]:%Y-%m-%d %H:%M} needs at "
                             f"least {service.floor[t]:.0f} agents to be stable but no shift template can cover it; "
                             "widen a template's start window")
        add(sparse.hstack([widen(cover[rows], n), z]), service.floor[rows], np.inf)
        periods = np.unique(service.period[rows][service.period[rows] >= 0])
        for p in periods:
            mine = np.flatnonzero(service.period[rows] == p)
            weight = service.weight[rows][mine]
            coef = np.zeros(m * J)
            coef[(mine[:, None] * J + np.arange(J)[None, :]).ravel()] = (weight[:, None] * service.gains[rows][mine]).ravel()
            need = service.target[p] * weight.sum() - (weight * service.base[rows][mine]).sum()
            add(sparse.hstack([sparse.csr_matrix((1, n)), sparse.csr_matrix(coef[None, :])]), need, np.inf)
        extra_cost = [np.zeros(m * J)]
        lower_extra, upper_extra = [np.zeros(m * J)], [np.ones(m * J)]

    width = n + sum(e.size for e in extra_cost)
    A = sparse.vstack([widen(b, width) for b in blocks]).tocsr()
    objective = np.concatenate([cost, *extra_cost])
    lower = np.concatenate([np.zeros(n), *lower_extra])
    upper = np.concatenate([np.full(n, np.inf), *upper_extra])
    if fixed is not None:
        lower[:S] = upper[:S] = fixed
    integrality = np.concatenate([np.ones(n), np.zeros(width - n)])
    constraint = LinearConstraint(A, np.concatenate(lows), np.concatenate(highs))
    bounds = Bounds(lower, upper)
    relaxed = milp(objective, integrality=np.zeros(width), bounds=bounds, constraints=constraint)
    if relaxed.status == 2:
        what = "the service-level target" if service is not None else "the requirement"
        raise InputError(f"schedule {'+'.join(templates[0].channels)}: no schedule meets {what} with these templates "
                         "(min_per_day/max_per_day or tours too tight?); relax them or set objective = \"soft\" in "
                         "[schedule]")
    unit = _objective_unit(objective) if spec.objective == "cover" else 0.0
    if unit > 0 and relaxed.status == 0:
        # every schedule costs a whole number of units: the LP bound rounds up (a valid cut that closes the root gap)
        floor = unit * np.ceil(relaxed.fun / unit - 1e-7)
        constraint = [constraint, LinearConstraint(objective[None, :], floor, np.inf)]
    heuristic = None
    if service is not None and fixed is None and relaxed.status == 0:
        # a quick feasible schedule: cover the LP's own coverage rounded up (service level rises with coverage)
        lp_cover = cover @ relaxed.x[:S + Y]
        need = np.where(open_, np.ceil(lp_cover - 1e-6), 0.0)
        budget = max(0.3 * (time_limit_s - (time.perf_counter() - started)), 1.0)
        heuristic = solve(templates, c, grid, need, open_ & (need > 0), replace(spec, objective="cover",
                                                                                  time_limit_s=budget))
    left = max(time_limit_s - (time.perf_counter() - started), 0.5)
    result = milp(objective, integrality=integrality, bounds=bounds, constraints=constraint,
                  options={"time_limit": left, "mip_rel_gap": spec.mip_rel_gap, "disp": False})
    best = getattr(result, "mip_dual_bound", None)
    best = float(best if best is not None and np.isfinite(best) else relaxed.fun)
    if heuristic is not None and (result.x is None or heuristic.objective < result.fun - 1e-9):
        return Solution(x=heuristic.x, y=heuristic.y, objective=heuristic.objective, paid_hours=heuristic.paid_hours,
                        lp_bound=float(relaxed.fun), best_bound=best, integer_variables=n, rows=A.shape[0],
                        status="stopped: covers the LP's coverage (the MILP found nothing better in time)",
                        seconds=time.perf_counter() - started)
    if result.x is None:
        raise InputError(f"schedule {'+'.join(templates[0].channels)}: the solver found no schedule "
                         f"({result.message}); raise schedule.time_limit_s or set objective = \"soft\"")
    x = np.round(result.x[:S]).astype(np.int64)
    y = np.round(result.x[S:S + Y]).astype(np.int64)
    status = "optimal" if result.status == 0 else f"stopped: {result.message}"
    return Solution(x=x, y=y, objective=float(result.fun), paid_hours=float(c.paid_hours @ x),
                    lp_bound=float(relaxed.fun), best_bound=best, status=status, integer_variables=n, rows=A.shape[0],
                    seconds=time.perf_counter() - started)
