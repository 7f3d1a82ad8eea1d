"""The opening backlog of deferred work: items that arrived before the horizon and wait at its start.

A plan that starts empty understaffs its first day: on a Monday, the weekend's email (worked
Mon-Sat, 4 business hours to answer) is all waiting at 08:00. :func:`opening_from_history`
estimates it with the deferred model itself: the last days of history and the horizon are planned
as one sequence (the same fluid plan, method and clock rules as the horizon's), and the items that
plan has not done when the horizon starts are carried in, oldest first, each falling due where its
own deadline does. The horizon is then planned from that backlog, so its first Monday looks like
its second. A user who knows the backlog gives a number instead (``opening_backlog = 1200`` in a
scenario), taken to fall due evenly over the first deadline of working time.

Examples
--------
A week of email worked Mon-Sat 08:00-20:00, 4 business hours to answer, 10 items an hour around
the clock: the items of Saturday from 16:00 and of the Sunday (32 hours of arrivals) wait for
Monday's opening; the night's are all due at noon, 4 working hours after it.

>>> import numpy as np, pandas as pd
>>> starts = pd.date_range("2026-06-29", periods=7 * 24, freq="1h", tz="Europe/London")
>>> is_open = (starts.day_of_week < 6) & (starts.hour >= 8) & (starts.hour < 20)
>>> backlog = opening_from_history(np.full(starts.size, 10.0), np.full(starts.size, 300.0),
...                                np.asarray(is_open), start=starts.size, interval_s=3600,
...                                deadline_s=4 * 3600, business_hours=True)
>>> round(backlog.total), backlog.due_point.tolist(), backlog.items.round(1).tolist()
(320, [1, 2, 3, 4], [10.0, 10.0, 10.0, 290.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.staffing._deferred_fluid import Axis, build_axis, done_work, fluid_capacity

__all__ = ["OpeningBacklog", "opening_from_history", "history_window", "axis_opening"]

#: Days of history planned before the horizon to estimate the opening backlog.
HISTORY_DAYS = 14


@dataclass(frozen=True)
class OpeningBacklog:
    """Items waiting when the horizon starts, grouped by when they fall due.

    Parameters
    ----------
    items : array_like
        Items in each group [items].
    aht_s : array_like
        Agent work per item of each group [s].
    due_point : array_like of int
        Working intervals after the horizon's start by whose end each group is due (1 = the end
        of the first working interval; with business hours only open intervals count).

    Examples
    --------
    >>> OpeningBacklog(items=[100.0, 50.0], aht_s=[300.0, 300.0], due_point=[4, 8]).total
    150.0
    """

    items: np.ndarray
    aht_s: np.ndarray
    due_point: np.ndarray

    def __post_init__(self) -> None:
        items = np.asarray(self.items, dtype=float).ravel()
        aht = np.broadcast_to(np.asarray(self.aht_s, dtype=float), items.shape).copy()
        due = np.asarray(self.due_point).ravel()
        if due.shape != items.shape or not np.all(np.isfinite(items)) or (items < 0).any():
            raise InputError("opening_backlog: expected items >= 0 with one due_point per group")
        if not np.all(np.isfinite(aht)) or (aht[items > 0] <= 0).any():
            raise InputError("opening_backlog: expected aht_s > 0 for every group with items")
        if (due != np.round(due)).any() or (due < 1).any():
            raise InputError("opening_backlog: expected whole due points >= 1 (working intervals after the start)")
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "aht_s", aht)
        object.__setattr__(self, "due_point", due.astype(np.int64))

    @property
    def total(self) -> float:
        """Items waiting [items]."""
        return float(self.items.sum())


def axis_opening(value, axis: Axis, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Items and work [agent-s] of the opening backlog per working-axis point of ``axis``."""
    points = axis.points
    items, work = np.zeros(points), np.zeros(points)
    if value is None:
        return items, work
    if not isinstance(value, OpeningBacklog):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value) or value < 0:
            raise InputError(f"opening_backlog: expected a number of items >= 0 or an OpeningBacklog, got {value!r}")
        if value == 0:
            return items, work
        first_day = slice(0, max(1, min(aht.size, int(round(86400 / axis.interval_s)))))
        weights = axis.items[first_day]
        mean_aht = float(np.average(aht[first_day], weights=weights)) if weights.sum() > 0 else float(aht[0])
        span = max(1, min(axis.k, points - 1))
        value = OpeningBacklog(items=np.full(span, value / span), aht_s=mean_aht, due_point=np.arange(1, span + 1))
    point = np.clip(value.due_point, 1, points - 1)
    np.add.at(items, point, value.items)
    np.add.at(work, point, value.items * value.aht_s)
    return items, work


def opening_from_history(offered, aht_s, is_open, *, start: int, interval_s: float, deadline_s: float,
                         business_hours: bool = False, method: str = "level") -> OpeningBacklog:
    """The items waiting at interval ``start`` when the same fluid plan works the intervals before it.

    Parameters
    ----------
    offered, aht_s, is_open : array_like, shape (n,)
        Consecutive intervals: the last days of history (actual items and AHT [s]) and, from index
        ``start`` on, the horizon's forecast (which the level plan may work ahead for).
    start : int
        Index of the horizon's first interval.
    interval_s, deadline_s : float
        Interval length and deadline [s].
    business_hours : bool
        The deadline clock runs only while open.
    method : {"level", "alap"}
        The plan (as for the horizon).

    Returns
    -------
    OpeningBacklog
        The items not done by ``start``, each group due where its deadline falls after ``start``.
    """
    items = np.asarray(offered, dtype=float)
    aht = np.asarray(aht_s, dtype=float)
    open_full = np.asarray(is_open, dtype=bool)
    k = int(np.floor(deadline_s / interval_s + 1e-9))
    axis = build_axis(items, aht, open_full, k=k, interval_s=interval_s, business_hours=business_hours,
                      drain=False, cv=1.0)
    empty = OpeningBacklog(items=np.zeros(0), aht_s=np.zeros(0), due_point=np.zeros(0, dtype=np.int64))
    if start <= 0 or not axis.size or items[:start].sum() <= 0:
        return empty
    capacity = fluid_capacity(axis, axis.due_work, method)
    junction = int(np.sum(open_full[:start])) if business_hours else start
    done = float(done_work(axis, capacity / interval_s, 1.0)[junction])
    arrived = np.concatenate(([0.0], np.cumsum(axis.work[:start])))
    with np.errstate(invalid="ignore", divide="ignore"):
        left = np.clip((arrived[1:] - done) / axis.work[:start], 0.0, 1.0)
    left = np.where(axis.work[:start] > 0, left, 0.0) * items[:start]
    due = np.maximum(axis.g[:start] - junction, 1)
    keep = left > 1e-12
    if not keep.any():
        return empty
    points, group = np.unique(due[keep], return_inverse=True)
    total = np.bincount(group, weights=left[keep])
    work = np.bincount(group, weights=left[keep] * aht[:start][keep])
    return OpeningBacklog(items=total, aht_s=work / total, due_point=points)


def history_window(history: pd.DataFrame, horizon_start: pd.Timestamp, interval_s: float, *, days: int = HISTORY_DAYS):
    """The last ``days`` days of a channel's history (``interval_start, offered[, aht_s]``) before
    ``horizon_start`` on a regular grid (absent intervals: no items), shifted by whole weeks when the
    history ends before the horizon starts (the same weekdays and times lead into it).

    Returns the interval starts (tz-aware) and the offered and AHT [s] arrays (AHT NaN where
    unknown), or None when the history has nothing before the horizon.
    """
    starts = pd.DatetimeIndex(history["interval_start"])
    if not len(starts) or starts.min() >= horizon_start:
        return None
    end = horizon_start
    last = starts[starts < horizon_start].max() + pd.Timedelta(seconds=interval_s)
    if last < horizon_start:  # a gap: the same time of the week, whole weeks earlier
        weeks = int(np.ceil((horizon_start - last) / pd.Timedelta(days=7)))
        end = horizon_start - pd.Timedelta(days=7 * weeks)
    begin = max(end - pd.Timedelta(days=days), starts.min())
    utc = pd.date_range(begin.tz_convert("UTC"), end.tz_convert("UTC"), freq=pd.Timedelta(seconds=interval_s),
                        inclusive="left")
    grid = utc.tz_convert(starts.tz)
    if not len(grid):
        return None
    frame = pd.DataFrame({"offered": history["offered"].to_numpy(float),
                          "aht_s": history["aht_s"].to_numpy(float) if "aht_s" in history else np.nan},
                         index=starts.tz_convert("UTC"))
    frame = frame[~frame.index.duplicated()].reindex(utc)
    return grid, frame["offered"].fillna(0.0).to_numpy(), frame["aht_s"].to_numpy(float)
