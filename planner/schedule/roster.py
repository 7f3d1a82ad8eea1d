"""Existing rosters against the requirement: read a roster file, derive its coverage, measure the gap.

A roster (CSV) comes in one of two forms:

* **shifts**: ``start, end`` (ISO 8601, with their UTC offset or local times), optionally
  ``breaks`` (``"10:30-10:45 paid; 12:30-13:00 unpaid"``, local wall times inside the shift; a
  break without ``paid``/``unpaid`` counts as paid), ``count`` (default 1), ``agent_id``,
  ``template``, ``channels`` (``"phone"`` or ``"chat+email"``). The ``shifts.csv`` that
  ``planner schedule`` writes is such a roster.
* **counts**: ``template, start, count`` (no ``end``): shifts of a scenario template; their
  breaks are placed by the MILP to cover the requirement best (objective ``soft``, starts fixed).

Every time must fall on the interval grid. Mistakes raise :class:`InputError` as
``roster.csv:LINE:COLUMN: message`` (line 1 is the header).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.schedule.design import (Schedule, _dedupe, _outputs, _schedule, _weighted_sl, coverage_frame,
                                     group_requirement, plan_grid)
from planner.schedule.model import Grid, candidates, positions
from planner.schedule.solve import solve
from planner.schedule.spec import ScheduleSpec

__all__ = ["read_roster", "roster_schedule"]

_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_BREAK = re.compile(r"^\s*(\d{1,2}):(\d\d)\s*-\s*(\d{1,2}):(\d\d)\s*(paid|unpaid)?\s*$", re.IGNORECASE)


class _Where:
    def __init__(self, path):
        self.path = str(path)

    def fail(self, row: int, column: str, message: str) -> InputError:
        return InputError(f"{self.path}:{row + 2}:{column}: {message}")


def _times(frame: pd.DataFrame, column: str, tz: str, where: _Where) -> pd.Series:
    text = frame[column].astype(str).str.strip()
    offset = text.str.contains(_OFFSET)
    if offset.all():
        times = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce").dt.tz_convert(tz)
    elif not offset.any():
        naive = pd.to_datetime(text, format="ISO8601", errors="coerce")
        times = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    else:
        row = int(np.flatnonzero((~offset).to_numpy() if offset.iloc[0] else offset.to_numpy())[0])
        raise where.fail(row, column, f"{text.iloc[row]!r} mixes times with and without a UTC offset; write all "
                         "with their offset (2026-07-06T08:00:00+01:00) or all as local times")
    bad = times.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise where.fail(row, column, f"cannot read {text.iloc[row]!r} as a time; write ISO 8601 such as "
                         "2026-07-06T08:00:00+01:00 (a local time that does not exist or repeats needs its offset)")
    return times


def read_roster(path, *, tz: str) -> pd.DataFrame:
    """Read a roster file: the shifts form (``start, end`` ...) or the counts form (``template, start, count``).

    Returns the rows with ``start`` (and ``end``) as local times, ``count`` as whole numbers and
    ``break_list`` (per row: ``(start, end, paid)`` tuples) for the shifts form.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
    >>> _ = path.write_text("agent_id,start,end,breaks\\na1,2026-07-06 08:00,2026-07-06 12:00,10:00-10:15\\n")
    >>> roster = read_roster(path, tz="Europe/London")
    >>> [(f"{a:%H:%M}", f"{b:%H:%M}", paid) for a, b, paid in roster["break_list"].iloc[0]]
    [('10:00', '10:15', True)]
    """
    where = _Where(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise InputError(f"{path}: cannot read it as CSV ({' '.join(str(error).split())})") from None
    frame.columns = [c.strip() for c in frame.columns]
    if "start" not in frame.columns or ("end" not in frame.columns and "template" not in frame.columns):
        raise InputError(f"{path}:1: expected columns start,end[,breaks,count,agent_id,channels] (one row per "
                         "shift) or template,start,count (shifts per template and start)")
    if frame.empty:
        raise InputError(f"{path}:2: the roster has no rows")
    counts = frame["count"].str.strip() if "count" in frame else pd.Series("1", index=frame.index)
    number = pd.to_numeric(counts.replace("", "1"), errors="coerce")
    bad = (number.isna() | (number < 0) | (number != np.floor(number))).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise where.fail(row, "count", f"expected a whole number >= 0, got {counts.iloc[row]!r}")
    out = frame.assign(count=number.astype(np.int64), start=_times(frame, "start", tz, where))
    if "end" not in frame.columns:
        return out
    out["end"] = _times(frame, "end", tz, where)
    wrong = (out["end"] <= out["start"]).to_numpy()
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        raise where.fail(row, "end", f"{frame['end'].iloc[row]} is not after the start {frame['start'].iloc[row]}")
    texts = frame["breaks"] if "breaks" in frame else pd.Series("", index=frame.index)
    out["break_list"] = [_breaks(texts.iloc[i], out["start"].iloc[i], out["end"].iloc[i], i, where)
                         for i in range(len(frame))]
    if "agent_id" in frame:
        _no_double_booking(out, where)
    return out


def _breaks(text: str, start: pd.Timestamp, end: pd.Timestamp, row: int, where: _Where) -> list:
    found = []
    for part in [p for p in str(text).split(";") if p.strip()]:
        match = _BREAK.match(part)
        if not match:
            raise where.fail(row, "breaks", f"cannot read {part.strip()!r}; write breaks as "
                             "\"10:30-10:45 paid; 12:30-13:00 unpaid\" (local times)")
        h0, m0, h1, m1, kind = match.groups()
        b0 = _next_wall(start, int(h0), int(m0))
        b1 = _next_wall(b0, int(h1), int(m1))
        if b1 > end or b0 >= b1:
            raise where.fail(row, "breaks", f"break {part.strip()} lies outside the shift "
                             f"{start:%H:%M}-{end:%H:%M}; give it inside the shift")
        found.append((b0, b1, (kind or "paid").lower() == "paid"))
    found.sort(key=lambda b: b[0])
    for (a0, a1, _), (b0, b1, _) in zip(found, found[1:]):
        if b0 < a1:
            raise where.fail(row, "breaks", f"breaks {a0:%H:%M}-{a1:%H:%M} and {b0:%H:%M}-{b1:%H:%M} overlap; "
                             "an agent takes one break at a time")
    return found


def _next_wall(after: pd.Timestamp, hour: int, minute: int) -> pd.Timestamp:
    """The first local wall time ``hour:minute`` at or after ``after``."""
    if hour > 23 or minute > 59:
        return pd.Timestamp.max.tz_localize("UTC")
    day = after.tz_localize(None).normalize()
    for extra in (0, 1):
        wall = day + pd.Timedelta(days=extra, hours=hour, minutes=minute)
        local = wall.tz_localize(after.tz, ambiguous=True, nonexistent="shift_forward")
        if local >= after:
            return local
    return after


def _no_double_booking(roster: pd.DataFrame, where: _Where) -> None:
    ordered = roster.reset_index().sort_values(["agent_id", "start"])
    same = ordered["agent_id"].to_numpy()[1:] == ordered["agent_id"].to_numpy()[:-1]
    overlap = same & (ordered["start"].to_numpy()[1:] < ordered["end"].to_numpy()[:-1])
    if overlap.any():
        i = int(np.flatnonzero(overlap)[0])
        first, second = int(ordered["index"].iloc[i]), int(ordered["index"].iloc[i + 1])
        raise where.fail(max(first, second), "start", f"agent {ordered['agent_id'].iloc[i]}'s shift overlaps "
                         f"their shift on line {min(first, second) + 2}; one agent works one shift at a time")


def _group_of(roster: pd.DataFrame, spec: ScheduleSpec | None, channels: list[str], where: _Where) -> pd.Series:
    templates = {t.name: t for t in (spec.templates if spec else ())}
    if "channels" in roster:
        groups = roster["channels"].str.replace(" ", "")
    elif "template" in roster:
        unknown = ~roster["template"].isin(list(templates))
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise where.fail(row, "template", f"unknown template {roster['template'].iloc[row]!r}; the scenario has "
                             f"{', '.join(templates) or 'no [[shifts]]'}")
        groups = roster["template"].map({k: t.group for k, t in templates.items()})
    else:
        options = sorted({t.group for t in templates.values()}) or (channels if len(channels) == 1 else [])
        if len(options) != 1:
            raise InputError(f"{where.path}:1: add a channels column (e.g. phone, or chat+email) or a template "
                             f"column: the scenario has {', '.join(options or channels)}")
        groups = pd.Series(options[0], index=roster.index)
    for i, group in enumerate(groups):
        for channel in group.split("+"):
            if channel not in channels:
                raise where.fail(i, "channels" if "channels" in roster else "template",
                                 f"unknown channel {channel!r}; the scenario has {', '.join(channels)}")
    return groups


def _grid_index(grid: Grid, times: pd.Series, column: str, rows, where: _Where) -> np.ndarray:
    index = positions(grid, times)
    if (index < 0).any():
        bad = int(np.flatnonzero(index < 0)[0])
        raise where.fail(int(rows[bad]), column, f"{times.iloc[bad]} is not on the plan's "
                         f"{grid.interval_s / 60:g}-minute grid within the horizon")
    return index


def roster_schedule(plan: pd.DataFrame, roster: pd.DataFrame, *, spec: ScheduleSpec | None, source="roster",
                    interval_s: float | None = None, requirement: str = "gross") -> Schedule:
    """The coverage of a roster (as :func:`read_roster` returns it) against the plan's requirement.

    Rows of the counts form get their breaks placed by the MILP (``soft``, starts fixed).

    Parameters
    ----------
    plan : pandas.DataFrame
        The plan frame (``interval_start, channel, kind, agents_fractional, shrinkage``...).
    roster : pandas.DataFrame
        The roster as :func:`read_roster` returns it.
    spec : ScheduleSpec or None
        The scenario's templates (needed for the counts form and a ``template`` column).
    source : str
        The roster file, named in errors.
    interval_s : float, optional
        Interval length [s]; default: the plan's.
    requirement : {"gross", "net"}
        Requirement basis without a ``spec`` (see :class:`ScheduleSpec`).

    Examples
    --------

    >>> import tempfile, pathlib
    >>> starts = pd.date_range("2026-07-06 08:00", periods=16, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
    ...                      "agents_fractional": 1.0, "shrinkage": 0.0})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
    >>> _ = path.write_text("start,end,breaks\\n2026-07-06 08:00,2026-07-06 12:00,10:00-10:15 paid\\n")
    >>> gap = roster_schedule(plan, read_roster(path, tz="Europe/London"), spec=None)
    >>> gap.coverage.loc[gap.coverage["short"], "interval_start"].dt.strftime("%H:%M").tolist()
    ['10:00']
    """
    where = _Where(source)
    plan = _dedupe(plan)
    grid = plan_grid(plan, interval_s)
    requirement = spec.requirement if spec is not None else requirement
    channels = list(dict.fromkeys(plan["channel"]))
    groups = _group_of(roster, spec, channels, where)
    shifts, coverages, summaries = [], [], []
    for group in dict.fromkeys(groups):
        mine = roster[(groups == group).to_numpy()]
        rows = np.flatnonzero((groups == group).to_numpy())
        need, open_, parts = group_requirement(plan, tuple(group.split("+")), grid, requirement)
        if "end" not in roster:
            frame, table, summary = _counts(mine, rows, group, spec, grid, need, open_, parts, where)
        else:
            frame, table, summary = _shifts(mine, rows, group, grid, need, open_, parts, requirement, where)
        shifts.append(frame)
        coverages.append(table)
        summaries.append(summary)
    return _schedule(shifts, coverages, summaries, grid.interval_s)


def _shifts(mine, rows, group, grid, need, open_, parts, requirement, where):
    start = _grid_index(grid, mine["start"], "start", rows, where)
    end = _grid_index(grid, mine["end"] - pd.Timedelta(seconds=grid.interval_s), "end", rows, where) + 1
    scheduled, on_break = np.zeros(grid.size), np.zeros(grid.size)
    counts = mine["count"].to_numpy()
    np.add.at(scheduled, start, counts)
    np.add.at(scheduled, end[end < grid.size], -counts[end < grid.size])
    scheduled = np.cumsum(scheduled)
    paid = np.zeros(len(mine))
    for i, (breaks, count) in enumerate(zip(mine["break_list"], counts)):
        unpaid = 0.0
        for b0, b1, is_paid in breaks:
            first = _grid_index(grid, pd.Series([b0]), "breaks", [rows[i]], where)[0]
            last = _grid_index(grid, pd.Series([b1 - pd.Timedelta(seconds=grid.interval_s)]), "breaks",
                               [rows[i]], where)[0]
            on_break[first:last + 1] += count
            unpaid += 0.0 if is_paid else (b1 - b0).total_seconds()
        paid[i] = ((mine["end"].iloc[i] - mine["start"].iloc[i]).total_seconds() - unpaid) / 3600.0
    if "paid_hours" in mine:
        given = pd.to_numeric(mine["paid_hours"], errors="coerce").to_numpy()
        paid = np.where(np.isnan(given), paid, given)
    frame = pd.DataFrame({"group": group, "template": mine["template"] if "template" in mine else "",
                          "day": mine["start"].dt.strftime("%Y-%m-%d"), "start": mine["start"], "end": mine["end"],
                          "paid_hours": paid, "breaks": [
                              "; ".join(f"{b0:%H:%M}-{b1:%H:%M} {'paid' if p else 'unpaid'}" for b0, b1, p in bl)
                              for bl in mine["break_list"]], "count": counts})
    if "agent_id" in mine:
        frame.insert(1, "agent_id", mine["agent_id"].to_numpy())
    table = coverage_frame(group, grid, need, open_, scheduled, on_break, parts, requirement)
    summary = {"group": group, "objective": "roster", "paid_hours": float((paid * counts).sum()),
               "objective_value": np.nan, "lp_bound": np.nan, "best_bound": np.nan, "gap": np.nan,
               "status": "given", "shifts": int(counts.sum()), "short_intervals": int(table["short"].sum()),
               "short_agent_hours": float(np.maximum(-table["over"], 0).sum() * grid.interval_s / 3600),
               "service_level": _weighted_sl(table, parts), "integer_variables": 0, "rows": 0, "seconds": 0.0}
    return frame.reset_index(drop=True), table, summary


def _counts(mine, rows, group, spec, grid, need, open_, parts, where):
    templates = spec.groups[group]
    c = candidates(templates, grid, open_, source=spec.source)
    names = [t.name for t in templates]
    start = _grid_index(grid, mine["start"], "start", rows, where)
    fixed = np.zeros(c.shifts)
    key = {(int(t), int(s)): j for j, (t, s) in enumerate(zip(c.template, c.start))}
    for i, (name, s, count) in enumerate(zip(mine["template"], start, mine["count"])):
        j = key.get((names.index(name), int(s)))
        if j is None:
            t = templates[names.index(name)]
            when = f"{mine['start'].iloc[i]:%Y-%m-%d %H:%M}"
            raise where.fail(int(rows[i]), "start", f"template {name} cannot start at {when} (outside its start "
                             f"window, weekdays or the open hours of {t.group})")
        fixed[j] += count
    soft = replace(spec, objective="soft")
    solution = solve(templates, c, grid, need, open_, soft, fixed=fixed)
    frame, table, summary = _outputs(group, templates, c, grid, solution, need, open_, parts, soft)
    summary.update(objective="roster", lp_bound=np.nan, best_bound=np.nan, gap=np.nan, status="given counts")
    return frame, table, summary

