"""The implicit shift-and-break model: shift-start variables, break-placement variables, coverage.

For every template, day and allowed start there is one integer variable ``x_s`` (shifts starting
there). For every break ``k`` of that start and every position ``p`` in its window there is one
integer variable ``y_skp`` (those shifts taking break ``k`` at ``p``), with
``sum_p y_skp = x_s``. Coverage in interval ``t`` is ``sum_s x_s [t in s] - sum y_skp [t in
break]``. This is Aykin's implicit model (one variable per break position, not one column per
shift-and-break combination): its optimum equals the explicit model's because the windows of one
shift never overlap, so any choice of one position per break is a valid shift (T. Aykin 1996,
Management Science 42(4), 591-602; S. E. Bechtold and L. W. Jacobs 1990, Management Science
36(11), 1339-1351).

Time is an absolute grid of intervals from the first local midnight of the horizon (UTC steps),
so a shift across a DST change lasts its real length and a DST day has 92 or 100 quarter hours.
A shift may start only where every interval it spans is open for one of its channels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from planner.errors import SpecError
from planner.schedule.spec import ShiftTemplate

__all__ = ["Grid", "Candidates", "grid_of", "candidates", "coverage_matrix"]


@dataclass(frozen=True)
class Grid:
    """The absolute interval grid: ``starts`` (local, tz-aware), ``interval_s`` [s], ``days`` (local
    dates) and ``day_of`` (the local date index of each interval)."""

    starts: pd.DatetimeIndex
    interval_s: float
    days: pd.DatetimeIndex
    day_of: np.ndarray

    @property
    def size(self) -> int:
        return len(self.starts)


def grid_of(times: pd.Series, interval_s: float) -> Grid:
    """The grid from the first local midnight to the local midnight after the last of ``times``.

    >>> t = pd.Series(pd.date_range("2026-03-29 08:00", periods=4, freq="15min", tz="Europe/London"))
    >>> grid_of(t, 900).size  # the spring-forward day has 92 quarter hours
    92
    """
    tz = times.dt.tz
    local = times.dt.tz_localize(None)
    first, last = local.min().normalize(), local.max().normalize() + pd.Timedelta(days=1)
    days = pd.date_range(first, last, freq="D")
    bounds = days.tz_localize(tz, ambiguous=np.ones(len(days), bool), nonexistent="shift_forward")
    step = pd.Timedelta(seconds=interval_s)
    starts = pd.date_range(bounds[0].tz_convert("UTC"), bounds[-1].tz_convert("UTC") - step, freq=step)
    starts = starts.tz_convert(tz)
    day_of = np.searchsorted(bounds.tz_convert("UTC").as_unit("ns").asi8,
                             starts.tz_convert("UTC").as_unit("ns").asi8, side="right") - 1
    return Grid(starts=starts, interval_s=float(interval_s), days=days[:-1], day_of=day_of)


def positions(grid: Grid, times: pd.Series) -> np.ndarray:
    """Grid index of each time (-1 where it is not on the grid)."""
    utc0 = grid.starts[0].tz_convert("UTC")
    offsets = (times.dt.tz_convert("UTC") - utc0).dt.total_seconds().to_numpy() / grid.interval_s
    index = np.round(offsets).astype(np.int64)
    ok = (np.abs(offsets - index) < 1e-9) & (index >= 0) & (index < grid.size)
    return np.where(ok, index, -1)


@dataclass(frozen=True)
class Candidates:
    """Allowed shift starts and their break positions, as parallel arrays.

    Shifts: ``template`` (index), ``day`` (local date index), ``start`` (grid index), ``span``
    (intervals). Breaks: ``brk_shift`` (the shift's index), ``brk_k`` (which break, from 0),
    ``brk_start`` (grid index) and ``brk_span`` (intervals).
    """

    template: np.ndarray
    day: np.ndarray
    start: np.ndarray
    span: np.ndarray
    paid_hours: np.ndarray
    brk_shift: np.ndarray
    brk_k: np.ndarray
    brk_start: np.ndarray
    brk_span: np.ndarray

    @property
    def shifts(self) -> int:
        return self.template.size

    @property
    def breaks(self) -> int:
        return self.brk_shift.size


def _starts(template: ShiftTemplate, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """(grid index, day index) of every start of ``template`` on its weekdays (any opening hours)."""
    step = template.step_s or grid.interval_s
    offsets = np.arange(template.earliest_start_s, template.latest_start_s + 0.5, step)
    weekdays = grid.days.day_of_week.to_numpy()
    days = np.flatnonzero(np.isin(weekdays, sorted(template.days)))
    if days.size == 0 or offsets.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    wall = (grid.days[days].to_numpy()[:, None] + pd.to_timedelta(offsets, unit="s").to_numpy()[None, :]).ravel()
    day = np.repeat(days, offsets.size)
    # A start that does not exist (spring forward) is skipped; a repeated wall time takes its first occurrence.
    local = pd.DatetimeIndex(wall).tz_localize(grid.starts.tz, ambiguous=np.ones(wall.size, bool), nonexistent="NaT")
    keep = ~local.isna()
    index = positions(grid, pd.Series(local[keep]))
    day = day[keep]
    ok = index >= 0
    return index[ok], day[ok]


def candidates(templates: tuple[ShiftTemplate, ...], grid: Grid, open_: np.ndarray, *, source: str = ""
               ) -> Candidates:
    """Every start of every template that lies wholly in open intervals, with its break positions.

    Raises :class:`SpecError` ``source: shifts.NAME.start: never starts ...`` for a template with no such start.
    """
    rows = {k: [] for k in ("template", "day", "start", "span", "paid")}
    open_count = np.concatenate([[0], np.cumsum(open_.astype(np.int64))])
    for i, template in enumerate(templates):
        start, day = _starts(template, grid)
        span = int(round(template.length_s / grid.interval_s))
        end = start + span
        fits = end <= grid.size
        start, day = start[fits], day[fits]
        inside = open_count[start + span] - open_count[start] == span
        if not inside.any():
            raise SpecError(f"{source + ': ' if source else ''}shifts.{template.name}.start: never starts: no start on its days lies wholly inside "
                            f"the open hours of {template.group} within the horizon; move the start window or "
                            "shorten the shift")
        n = int(inside.sum())
        rows["template"].append(np.full(n, i))
        rows["day"].append(day[inside])
        rows["start"].append(start[inside])
        rows["span"].append(np.full(n, span))
        rows["paid"].append(np.full(n, template.paid_hours))
    cat = {k: np.concatenate(v) if v else np.zeros(0) for k, v in rows.items()}
    shift_template = cat["template"].astype(np.int64)
    brk = {k: [] for k in ("shift", "k", "start", "span")}
    for i, template in enumerate(templates):
        shifts = np.flatnonzero(shift_template == i)
        for k, b in enumerate(template.breaks):
            offsets = np.asarray(b.positions(grid.interval_s))
            brk["shift"].append(np.repeat(shifts, offsets.size))
            brk["k"].append(np.full(shifts.size * offsets.size, k))
            brk["start"].append((cat["start"][shifts].astype(np.int64)[:, None] + offsets[None, :]).ravel())
            brk["span"].append(np.full(shifts.size * offsets.size, int(round(b.length_s / grid.interval_s))))
    bcat = {k: np.concatenate(v).astype(np.int64) if v else np.zeros(0, np.int64) for k, v in brk.items()}
    return Candidates(template=shift_template, day=cat["day"].astype(np.int64), start=cat["start"].astype(np.int64),
                      span=cat["span"].astype(np.int64), paid_hours=cat["paid"].astype(float),
                      brk_shift=bcat["shift"], brk_k=bcat["k"], brk_start=bcat["start"], brk_span=bcat["span"])


def _spans(first: np.ndarray, span: np.ndarray, size: int) -> sparse.csr_matrix:
    """A (size x n) 0/1 matrix with column j covering rows first[j] .. first[j] + span[j] - 1."""
    n = first.size
    columns = np.repeat(np.arange(n), span)
    rows = np.repeat(first, span) + (np.arange(columns.size) - np.repeat(np.cumsum(span) - span, span))
    return sparse.csr_matrix((np.ones(columns.size), (rows, columns)), shape=(size, n))


def coverage_matrix(c: Candidates, size: int) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """(on shift, on break): coverage is ``on_shift @ x - on_break @ y`` per grid interval.

    >>> c = Candidates(template=np.array([0]), day=np.array([0]), start=np.array([1]), span=np.array([3]),
    ...     paid_hours=np.array([0.75]), brk_shift=np.array([0, 0]), brk_k=np.array([0, 0]),
    ...     brk_start=np.array([2, 3]), brk_span=np.array([1, 1]))
    >>> shift, brk = coverage_matrix(c, 5)
    >>> (shift @ [2] - brk @ [1, 1]).tolist()
    [0.0, 2.0, 1.0, 1.0, 0.0]
    """
    return _spans(c.start, c.span, size), _spans(c.brk_start, c.brk_span, size)
