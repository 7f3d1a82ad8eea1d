"""``design(plan, spec)``: shifts with breaks that cover a staffing plan, and what they cover.

The requirement of a group of channels (the channels its templates work) is the sum over those
channels of ``agents_fractional / (1 - shrinkage)`` (``requirement = "gross"``: heads on the
floor) or of ``agents_fractional`` (``"net"``). A channel's plan rows are its open intervals
(deferred channels also need ``open``); a shift may only span intervals where one of its channels
is open. Each group is one MILP (:mod:`planner.schedule.solve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.calendar import interval_s_of
from planner.errors import InputError
from planner.schedule.model import Candidates, Grid, candidates, coverage_matrix, grid_of, positions
from planner.schedule.service import service_level, service_tables, shared_pool
from planner.schedule.solve import Solution, solve
from planner.schedule.spec import ScheduleSpec, ShiftTemplate  # noqa: F401  (the doctest uses ShiftTemplate)

__all__ = ["Schedule", "design", "group_requirement", "coverage_frame", "shifts_frame", "daily_frame"]


@dataclass(frozen=True)
class Schedule:
    """A designed (or given) schedule and its coverage of the requirement.

    Attributes
    ----------
    shifts : pandas.DataFrame
        One row per group, template, start and break placement: ``group, template, day, start,
        end, paid_hours`` [h per shift], ``breaks`` (``"10:30-10:45 paid; 12:30-13:00 unpaid"``,
        local times), ``count``.
    coverage : pandas.DataFrame
        Per group and interval: ``requirement`` [heads, fractional], ``scheduled`` (on shift),
        ``on_break``, ``coverage`` (on shift and not on break), ``over`` (coverage minus
        requirement), ``short`` (coverage below requirement), ``service_level`` (one voice channel, one queue).
    daily : pandas.DataFrame
        Per group and day: required and covered agent-hours [h], hours over and short, paid hours.
    summary : pandas.DataFrame
        Per group: objective, paid hours, LP bound, best bound, gap, solver status, model size, seconds.
    simulation : pandas.DataFrame or None
        Per channel: the plan's and the schedule's simulated service level and abandonment
        (:func:`planner.schedule.simulate_schedule`).

    Examples
    --------
    >>> starts = pd.date_range("2026-07-06 08:00", periods=8, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
    ...                      "agents_fractional": 2.5, "shrinkage": 0.0})
    >>> two_hours = ShiftTemplate(name="two", channels=("phone",), length_s=7200, earliest_start_s=8 * 3600,
    ...                           latest_start_s=8 * 3600)
    >>> design(plan, ScheduleSpec(templates=(two_hours,)), interval_s=900)
    Schedule: 3 shifts, 1 group(s)
    phone: 6.00 paid hours, LP bound 6.00, gap 0.00%, 0 interval(s) short (optimal)
    """

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    daily: pd.DataFrame
    summary: pd.DataFrame
    simulation: pd.DataFrame | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        lines = [f"Schedule: {int(self.shifts['count'].sum()) if len(self.shifts) else 0} shifts, "
                 f"{len(self.summary)} group(s)"]
        for row in self.summary.itertuples():
            bound = "" if np.isnan(row.lp_bound) else f", LP bound {row.lp_bound:,.2f}, gap {row.gap:.2%}"
            lines.append(f"{row.group}: {row.paid_hours:,.2f} paid hours{bound}, {row.short_intervals} interval(s) "
                         f"short ({row.status})")
        return "\n".join(lines)


def _dedupe(plan: pd.DataFrame) -> pd.DataFrame:
    """One row per interval x channel (segment rows repeat the channel's agents)."""
    return plan.drop_duplicates(["interval_start", "channel"], keep="first")


def group_requirement(plan: pd.DataFrame, channels: tuple[str, ...], grid: Grid, requirement: str
                      ) -> tuple[np.ndarray, np.ndarray, dict[str, tuple[pd.DataFrame, np.ndarray]]]:
    """(requirement [heads], open, {channel: (plan rows, grid positions)}) of a group of channels."""
    need, open_ = np.zeros(grid.size), np.zeros(grid.size, bool)
    parts = {}
    for channel in channels:
        rows = plan[plan["channel"] == channel].sort_values("interval_start")
        if rows.empty:
            raise InputError(f"schedule: channel {channel} has no rows in the plan")
        index = positions(grid, rows["interval_start"])
        if (index < 0).any():
            raise InputError(f"schedule: {channel} at {rows['interval_start'].iloc[int(np.argmax(index < 0))]} is "
                             "not on the plan's interval grid")
        shrinkage = rows["shrinkage"].fillna(0.0).to_numpy(float) if "shrinkage" in rows else 0.0
        value = rows["agents_fractional"].to_numpy(float)
        if requirement == "gross":
            value = value / (1.0 - shrinkage)
        is_open = rows["open"].astype(bool).to_numpy() if "open" in rows else np.ones(len(rows), bool)
        np.add.at(need, index, np.where(is_open, value, 0.0))
        open_[index[is_open]] = True
        parts[channel] = (rows.reset_index(drop=True), index)
    return need, open_, parts


def _clock(times: pd.DatetimeIndex) -> list[str]:
    return list(times.strftime("%H:%M"))


def shifts_frame(templates, c: Candidates, grid: Grid, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Shifts by start and break placement: the j-th shift of a start takes the j-th earliest
    placement of every break (any pairing is valid: the windows of one shift never overlap)."""
    records = []
    step = pd.Timedelta(seconds=grid.interval_s)
    for s in np.flatnonzero(x > 0):
        template = templates[c.template[s]]
        placed = []
        for k, brk in enumerate(template.breaks):
            mine = np.flatnonzero((c.brk_shift == s) & (c.brk_k == k))
            order = mine[np.argsort(c.brk_start[mine])]
            placed.append(np.repeat(c.brk_start[order], y[order]))
        start = grid.starts[c.start[s]]
        combos: dict[str, int] = {}
        for j in range(int(x[s])):
            parts = []
            for k, brk in enumerate(template.breaks):
                b0 = grid.starts[placed[k][j]]
                parts.append(f"{b0:%H:%M}-{b0 + pd.Timedelta(seconds=brk.length_s):%H:%M} "
                             f"{'paid' if brk.paid else 'unpaid'}")
            key = "; ".join(parts)
            combos[key] = combos.get(key, 0) + 1
        for key, count in combos.items():
            records.append({"group": template.group, "template": template.name,
                            "day": f"{grid.days[c.day[s]]:%Y-%m-%d}", "start": start,
                            "end": start + step * int(c.span[s]), "paid_hours": template.paid_hours,
                            "breaks": key, "count": count})
    columns = ["group", "template", "day", "start", "end", "paid_hours", "breaks", "count"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.sort_values(["group", "start", "template", "breaks"], ignore_index=True)


def coverage_frame(group: str, grid: Grid, need: np.ndarray, open_: np.ndarray, scheduled: np.ndarray,
                   on_break: np.ndarray, parts: dict, requirement: str) -> pd.DataFrame:
    """Per interval of a group: requirement, scheduled, on break, coverage, over, short, service level."""
    coverage = scheduled - on_break
    keep = open_ | (scheduled > 0)
    sl = np.full(grid.size, np.nan)
    if len(parts) == 1:
        rows, index = next(iter(parts.values()))
        if rows["kind"].iloc[0] == "voice" and {"load_erlangs", "aht_s", "threshold_s"} <= set(rows.columns) \
                and not shared_pool(rows):  # one queue's model; segments and blends: see the simulation
            sl[index] = service_level(coverage[index], rows, requirement=requirement)
    frame = pd.DataFrame({"interval_start": grid.starts, "group": group, "requirement": need,
                          "scheduled": scheduled.astype(np.int64), "on_break": on_break.astype(np.int64),
                          "coverage": coverage.astype(np.int64), "over": coverage - need,
                          "short": coverage < need - 1e-9, "service_level": sl})
    return frame[keep].reset_index(drop=True)


def daily_frame(coverage: pd.DataFrame, shifts: pd.DataFrame, interval_s: float) -> pd.DataFrame:
    """Per group and local day: required, covered, over and short agent-hours [h], paid hours and shifts."""
    hours = interval_s / 3600.0
    day = coverage["interval_start"].dt.strftime("%Y-%m-%d")
    c = coverage.assign(day=day, required_hours=coverage["requirement"] * hours,
                        covered_hours=coverage["coverage"] * hours,
                        over_hours=np.maximum(coverage["over"], 0) * hours,
                        short_hours=np.maximum(-coverage["over"], 0) * hours)
    daily = c.groupby(["group", "day"], as_index=False)[["required_hours", "covered_hours", "over_hours",
                                                          "short_hours"]].sum()
    daily["short_intervals"] = c.groupby(["group", "day"])["short"].sum().to_numpy()
    if len(shifts):
        paid = shifts.assign(paid=shifts["paid_hours"] * shifts["count"]).groupby(["group", "day"])
        totals = pd.DataFrame({"paid_hours": paid["paid"].sum(), "shifts": paid["count"].sum()}).reset_index()
        daily = daily.merge(totals, on=["group", "day"], how="left")
    else:
        daily["paid_hours"], daily["shifts"] = 0.0, 0
    daily[["paid_hours", "shifts"]] = daily[["paid_hours", "shifts"]].fillna(0)
    daily["shifts"] = daily["shifts"].astype(np.int64)
    return daily


def _periods(grid: Grid, period: str) -> np.ndarray:
    days = grid.days
    if period == "day":
        index = np.arange(len(days))
    else:
        monday0 = days[0] - pd.Timedelta(days=int(days[0].day_of_week))
        index = (days - monday0).days.to_numpy() // 7
    return index[grid.day_of]


def plan_grid(plan: pd.DataFrame, interval_s: float | None = None) -> Grid:
    """The absolute interval grid over the plan's local days."""
    if "interval_start" not in plan or not isinstance(plan["interval_start"].dtype, pd.DatetimeTZDtype):
        raise InputError("plan.interval_start: expected time-zone aware times; read the plan with planner.read_plan")
    interval_s = interval_s_of(plan) if interval_s is None else float(interval_s)
    return grid_of(plan["interval_start"], interval_s)


def design(plan: pd.DataFrame, spec: ScheduleSpec, *, interval_s: float | None = None) -> Schedule:
    """Shifts with breaks that cover a staffing plan at least cost (objective ``cover``, ``soft`` or ``service``).

    Parameters
    ----------
    plan : pandas.DataFrame
        The plan frame of :func:`planner.staff` (``interval_start, channel, kind, agents_fractional,
        shrinkage``, and for ``service``: ``offered, load_erlangs, aht_s, threshold_s, patience_s,
        target_service_level``).
    spec : ScheduleSpec
        Shift templates and the objective (``service`` applies to groups of one voice channel;
        other groups are covered, and their summary row says ``cover``).
    interval_s : float, optional
        Interval length [s]; default: the plan's.

    Returns
    -------
    Schedule
        ``shifts``, ``coverage``, ``daily`` and ``summary`` (paid hours, LP bound and gap).

    References
    ----------
    T. Aykin (1996), "Optimal shift scheduling with multiple break windows", Management Science
    42(4), 591-602 (the implicit break model); S. E. Bechtold and L. W. Jacobs (1990), Management
    Science 36(11), 1339-1351; G. Koole and E. van der Sluis (2003), IIE Transactions 35(11),
    1049-1055 (a global service-level constraint).

    Examples
    --------
    Four hours of two agents, then two of one; 2-hour shifts from 08:00 to 12:00, no breaks:

    >>> import pandas as pd
    >>> from planner.schedule.spec import ShiftTemplate
    >>> starts = pd.date_range("2026-07-06 08:00", periods=24, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
    ...                      "agents_fractional": [1.6] * 16 + [0.7] * 8, "shrinkage": 0.0})
    >>> two_hours = ShiftTemplate(name="short", channels=("phone",), length_s=7200,
    ...                           earliest_start_s=8 * 3600, latest_start_s=12 * 3600)
    >>> schedule = design(plan, ScheduleSpec(templates=(two_hours,)), interval_s=900)
    >>> schedule.summary[["paid_hours", "lp_bound", "gap"]].round(3).to_dict("records")
    [{'paid_hours': 10.0, 'lp_bound': 10.0, 'gap': 0.0}]
    >>> schedule.shifts[["start", "count"]].astype(str).values.tolist()
    [['2026-07-06 08:00:00+01:00', '2'], ['2026-07-06 10:00:00+01:00', '2'], ['2026-07-06 12:00:00+01:00', '1']]
    """
    plan = _dedupe(plan)
    grid = plan_grid(plan, interval_s)
    shifts, coverages, summaries = [], [], []
    for group, templates in spec.groups.items():
        channels = templates[0].channels
        need, open_, parts = group_requirement(plan, channels, grid, spec.requirement)
        c = candidates(templates, grid, open_, source=spec.source)
        service, mine = None, spec
        voice = len(parts) == 1 and next(iter(parts.values()))[0]["kind"].iloc[0] == "voice"
        if spec.objective == "service" and not voice:
            mine = replace(spec, objective="cover")  # the service objective needs one voice channel's queue model
        elif spec.objective == "service":
            rows, index = next(iter(parts.values()))
            service = service_tables(rows, index, grid.size, _periods(grid, spec.service_period),
                                     target=spec.target_service_level, requirement=spec.requirement,
                                     channel=channels[0])
        solution = solve(templates, c, grid, need, open_, mine, service=service)
        frame, table, summary = _outputs(group, templates, c, grid, solution, need, open_, parts, mine)
        shifts.append(frame)
        coverages.append(table)
        summaries.append(summary)
    return _schedule(shifts, coverages, summaries, grid.interval_s)


def _outputs(group, templates, c, grid, solution: Solution, need, open_, parts, spec):
    on_shift, on_break = coverage_matrix(c, grid.size)
    scheduled, breaks = on_shift @ solution.x, on_break @ solution.y
    frame = shifts_frame(templates, c, grid, solution.x, solution.y)
    table = coverage_frame(group, grid, need, open_, scheduled, breaks, parts, spec.requirement)
    summary = {"group": group, "objective": spec.objective, "paid_hours": solution.paid_hours,
               "objective_value": solution.objective, "lp_bound": solution.lp_bound,
               "best_bound": solution.best_bound, "gap": solution.gap, "status": solution.status,
               "shifts": int(solution.x.sum()), "short_intervals": int(table["short"].sum()),
               "short_agent_hours": float(np.maximum(-table["over"], 0).sum() * grid.interval_s / 3600),
               "service_level": _weighted_sl(table, parts),
               "integer_variables": solution.integer_variables, "rows": solution.rows,
               "seconds": solution.seconds}
    return frame, table, summary


def _weighted_sl(table: pd.DataFrame, parts: dict) -> float:
    """Volume-weighted service level of a one-voice-channel group's coverage (NaN otherwise)."""
    if len(parts) != 1:
        return float("nan")
    rows, _ = next(iter(parts.values()))
    if rows["kind"].iloc[0] != "voice" or "offered" not in rows:
        return float("nan")
    sl = table.set_index("interval_start")["service_level"]
    offered = rows.set_index("interval_start")["offered"]
    both = pd.concat([sl, offered], axis=1, join="inner").dropna()
    return float((both.iloc[:, 0] * both.iloc[:, 1]).sum() / both.iloc[:, 1].sum()) if both.iloc[:, 1].sum() else float("nan")


def _schedule(shifts, coverages, summaries, interval_s) -> Schedule:
    shifts = pd.concat(shifts, ignore_index=True) if shifts else pd.DataFrame()
    coverage = pd.concat(coverages, ignore_index=True)
    return Schedule(shifts=shifts, coverage=coverage, daily=daily_frame(coverage, shifts, interval_s),
                    summary=pd.DataFrame(summaries))
