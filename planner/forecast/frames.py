"""Long frames to panels and back: one channel's history as days x slots, and its future grid.

Weekdays and slots are read off the local wall clock (:mod:`planner.calendar`), so profiles follow
the clock across DST changes: the repeated hour of a fall-back day is averaged into its slots for
training and forecast twice; the skipped hour of a spring-forward day is unknown in training and
absent from the forecast. An open slot that is absent on a day with contacts counts as 0 offered
(closed intervals are simply absent); a day with no rows, an ``exclude`` or ``closed`` event, and
the intervals of a partly recorded first or last day are unknown (NaN). ``multiply`` events are
divided out of the history, so the model learns the underlying pattern.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.calendar import event_days, event_intervals, future_intervals, interval_s_of
from planner.errors import PlannerWarning
from planner.schema import epoch_ns
from planner.forecast.protocol import Panel, weekday_of

__all__ = ["EventWarning", "interval_s_of", "channel_panel", "FutureGrid", "future_grid", "slot_matrix"]

_DAY_NS = 86_400 * 10**9


class EventWarning(PlannerWarning):
    """An event cannot be used as asked (e.g. a ``learn`` kind that never occurred in the history)."""


def _wall(times: pd.Series) -> np.ndarray:
    return times.dt.tz_localize(None).to_numpy("M8[ns]").astype(np.int64)


def slot_matrix(times: pd.Series, values: np.ndarray, dates: np.ndarray, interval_s: float) -> np.ndarray:
    """``(len(dates), slots per day)`` matrix of ``values`` by local date and wall-clock slot.

    Rows of dates without any value are NaN; other cells without a value are 0; a repeated
    (fall-back) slot holds the mean of its values; NaN values propagate.
    """
    wall = _wall(times)
    step = int(interval_s * 1e9)
    day = (wall // _DAY_NS).astype("M8[D]")
    slot = (wall % _DAY_NS) // step
    n_slots = int(86_400 // interval_s)
    row = np.searchsorted(dates, day)
    inside = (row < len(dates)) & (dates[np.minimum(row, len(dates) - 1)] == day)
    sums = np.zeros((len(dates), n_slots))
    counts = np.zeros((len(dates), n_slots))
    np.add.at(sums, (row[inside], slot[inside]), values[inside])
    np.add.at(counts, (row[inside], slot[inside]), 1.0)
    matrix = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    matrix[counts.sum(axis=1) == 0] = np.nan
    return matrix


def _nonexistent_slots(matrix: np.ndarray, dates: np.ndarray, tz: str, interval_s: float) -> None:
    """Set to NaN the slots that do not exist on spring-forward days (in place)."""
    midnights = pd.DatetimeIndex(dates.astype("M8[ns]"))
    aware = midnights.tz_localize(tz, ambiguous=np.ones(len(dates), bool), nonexistent="shift_forward")
    following = (midnights + pd.Timedelta(days=1)).tz_localize(tz, ambiguous=np.ones(len(dates), bool),
                                                               nonexistent="shift_forward")
    short = np.flatnonzero((epoch_ns(following) - epoch_ns(aware)) < _DAY_NS)
    step = pd.Timedelta(seconds=interval_s)
    for i in short:
        walls = pd.date_range(midnights[i], periods=matrix.shape[1], freq=step)
        matrix[i, walls.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").isna()] = np.nan


def open_days(first: np.datetime64, last: np.datetime64, is_open: np.ndarray) -> np.ndarray:
    """Calendar days from ``first`` to ``last`` (inclusive) whose weekday has an open slot."""
    days = np.arange(first, last + 1)
    return days[is_open.any(axis=1)[weekday_of(days)]]


def channel_panel(history: pd.DataFrame, is_open: np.ndarray, *, interval_s: float, tz: str,
                  events: pd.DataFrame | None = None, channel: str = "") -> Panel:
    """Build the :class:`~planner.forecast.protocol.Panel` of one channel's history.

    Parameters
    ----------
    history : pandas.DataFrame
        The channel's rows of the history frame.
    is_open : numpy.ndarray
        ``(7, slots per day)`` bool opening hours of the channel.
    interval_s : float
        Interval length [s].
    tz : str
        The contact center's time zone.
    events : pandas.DataFrame, optional
        The events frame; ``learn`` kinds become ``Panel.events``, the others adjust ``y``.
    channel : str
        The channel's name (to select its events).
    """
    times = history["interval_start"]
    offered = history["offered"].to_numpy(float).copy()
    kinds: tuple[str, ...] = ()
    if events is not None and len(events):
        effects = event_intervals(events, history)
        offered = offered / effects["multiply"].to_numpy()
        offered[(effects["closed"] | effects["exclude"]).to_numpy()] = np.nan
    wall = _wall(times)
    first_day, last_day = (np.array([wall.min(), wall.max()]) // _DAY_NS).astype("M8[D]")
    dates = open_days(first_day, last_day, is_open)
    y = slot_matrix(times, offered, dates, interval_s)
    _nonexistent_slots(y, dates, tz, interval_s)
    step = int(interval_s * 1e9)
    first_slot, last_slot = (wall.min() % _DAY_NS) // step, (wall.max() % _DAY_NS) // step
    if len(dates) and dates[0] == first_day:
        y[0, :first_slot] = np.nan
    if len(dates) and dates[-1] == last_day:
        y[-1, last_slot + 1:] = np.nan
        if is_open[weekday_of(dates[-1:])[0], last_slot + 1:].any():
            y, dates = y[:-1], dates[:-1]  # a partly recorded last day is forecast, not trained on
    y[:, ~is_open.any(axis=0)] = 0.0
    y = np.where(is_open[weekday_of(dates)] | np.isnan(y), y, 0.0)
    shares = np.zeros((0, len(dates)))
    learn = _learn_events(events, channel)
    if learn is not None and len(dates):
        kinds = tuple(sorted(learn["kind"].unique()))
        shares = event_shares(learn, dates, channel, kinds)
        if _observed_days(y) < MIN_LEARN_DAYS:  # too short to tell an event from its weekday: leave its days out
            y[(shares > 0).any(axis=0)] = np.nan
            kinds, shares = (), np.zeros((0, len(dates)))
    return Panel(y=y, dates=dates, open=is_open, interval_s=interval_s, events=shares, kinds=kinds)


#: Observed days a history needs before ``learn`` events are learned from it [days]. With fewer than
#: four of each weekday a one-off event and the weekday it fell on cannot be told apart: the split
#: is arbitrary (a seven-day history once learned a 79x billing-day effect). Shorter histories leave
#: the event's days out of training and use the event's ``value`` (or 1) as a known factor.
MIN_LEARN_DAYS = 28


def _observed_days(y: np.ndarray) -> int:
    return int((np.nansum(y, axis=1) > 0).sum())


def _learn_events(events: pd.DataFrame | None, channel: str) -> pd.DataFrame | None:
    if events is None or not len(events):
        return None
    learn = events[(events["effect"] == "learn") & events["channel"].isin(["*", channel])]
    return learn if len(learn) else None


def event_shares(learn: pd.DataFrame, dates: np.ndarray, channel: str, kinds: tuple[str, ...]) -> np.ndarray:
    """``(len(kinds), len(dates))`` share of each local day covered by ``learn`` events of each kind."""
    out = np.zeros((len(kinds), len(dates)))
    if not len(dates) or not kinds:
        return out
    active = event_days(learn, pd.DatetimeIndex(dates.astype("M8[ns]")), [channel])
    if len(active):
        table = active.pivot_table(index="date", columns="kind", values="share", aggfunc="max", fill_value=0.0)
        table = table.reindex(index=pd.DatetimeIndex(dates.astype("M8[ns]")), columns=list(kinds), fill_value=0.0)
        out[:] = table.to_numpy().T
    return out


@dataclass(frozen=True, eq=False)
class FutureGrid:
    """The intervals to forecast for one channel, located in the model's future days and slots."""

    intervals: pd.DataFrame
    day: np.ndarray
    slot: np.ndarray
    multiply: np.ndarray
    events: np.ndarray
    h: int


def future_grid(hours: pd.DataFrame, panel: Panel, *, start: pd.Timestamp, end: pd.Timestamp, tz: str,
                channel: str, events: pd.DataFrame | None = None) -> FutureGrid:
    """Open intervals of ``channel`` in ``[start, end)`` with their model day, slot and event effects.

    ``closed`` events remove intervals; ``multiply`` events give ``multiply``; ``learn`` kinds the
    model knows (``panel.kinds``) give ``events`` ``(n_kinds, h)``; a ``learn`` kind that the
    panel never saw warns (:class:`EventWarning`) and acts as ``multiply`` by its ``value`` (none: 1).
    """
    local = [t.tz_convert(tz).tz_localize(None).normalize() for t in (start, end)]
    grid = future_intervals(hours[hours["channel"] == channel], local[0], local[1] + pd.Timedelta(days=1), tz)
    instants = grid["interval_start"]
    grid = grid[(instants >= start) & (instants < end)].reset_index(drop=True)
    multiply = np.ones(len(grid))
    if events is not None and len(events) and len(grid):
        effects = event_intervals(events, grid)
        keep = ~effects["closed"].to_numpy()
        grid, multiply = grid[keep].reset_index(drop=True), effects["multiply"].to_numpy()[keep]
    wall = _wall(grid["interval_start"])
    day = (wall // _DAY_NS).astype("M8[D]")
    slot = ((wall % _DAY_NS) // int(panel.interval_s * 1e9)).astype(np.int64)
    if not len(grid):
        return FutureGrid(grid, np.zeros(0, int), slot, multiply, np.zeros((len(panel.kinds), 0)), 0)
    span = int((day.max() - panel.dates[-1]).astype(np.int64)) if len(panel.dates) else 1
    dates = panel.future_dates(max(span, 1))
    dates = dates[dates <= day.max()]
    index = np.searchsorted(dates, day)
    learn = _learn_events(events, channel)
    shares = np.zeros((len(panel.kinds), len(dates)))
    if learn is not None:
        shares = event_shares(learn, dates, channel, panel.kinds)
        observed = np.nansum(panel.y, axis=1) > 0
        learned = {kind for kind, share in zip(panel.kinds, panel.events) if (share[observed] > 0).any()}
        unseen = sorted(set(learn["kind"]) - learned)
        for kind in unseen:
            rows = learn[learn["kind"] == kind]
            factor = float(rows["value"].dropna().iloc[0]) if rows["value"].notna().any() else 1.0
            hit = event_shares(rows, dates, channel, (kind,))[0]
            if (hit > 0).any():
                days = _observed_days(panel.y)
                why = (f"has no past occurrence in the {channel} history to learn from" if days >= MIN_LEARN_DAYS else
                       f"cannot be learned from {days} observed days of {channel} history (it needs {MIN_LEARN_DAYS})")
                warnings.warn(f"events: kind {kind!r} {why}; using value {factor:g} as a known factor", EventWarning,
                              stacklevel=3)
                multiply *= 1.0 + hit[index] * (factor - 1.0)
            if kind in panel.kinds:
                shares[panel.kinds.index(kind)] = 0.0
    return FutureGrid(grid, index, slot, multiply, shares, len(dates))
