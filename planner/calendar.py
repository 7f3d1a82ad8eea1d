"""Time grids and the events calendar: opening hours, the future interval grid, holidays, event days.

Everything here works in the contact center's local wall-clock time: a weekday and a time of day
(``slot``) are read off the local clock, so a DST day has 92 or 100 quarter hours and the repeated
hour of a fall-back day is open twice when that time of day is open. Frames come in and go out
long and tidy; the forecaster turns them into regressors with one ``pivot_table``.

- :func:`opening_hours` learns, per channel, weekday and slot, whether the channel is open.
- :func:`future_intervals` lays those hours over a horizon: the interval grid to forecast.
- :func:`holiday_events` turns the ``holidays`` library (offline) into rows of the events frame.
- :func:`event_days` says which events touch each channel and local day (for ``learn`` regressors).
- :func:`event_intervals` gives per interval the known effects: ``multiply``, ``closed``, ``exclude``.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.schema import ALL_CHANNELS, EVENT_COLUMNS, INTERVALS_S, check_timezone, epoch_ns

__all__ = ["interval_s_of", "opening_hours", "future_intervals", "holiday_events", "event_days", "event_intervals", "local_midnights"]

_DAY_NS = 86_400 * 10**9


def interval_s_of(history: pd.DataFrame) -> float:
    """The interval length [s]: ``history.attrs["interval_s"]``, else the most common step in the data.

    >>> h = pd.DataFrame({"interval_start": pd.date_range("2026-07-06", periods=3, freq="15min", tz="UTC"),
    ...                   "channel": "phone", "offered": 1.0})
    >>> interval_s_of(h)
    900.0
    """
    given = history.attrs.get("interval_s")
    if given is not None:
        return float(given)
    if "interval_start" not in history or not isinstance(history["interval_start"].dtype, pd.DatetimeTZDtype):
        raise InputError("history.interval_start: expected time-zone aware times (datetime64[ns, tz]); "
                         "read the history with planner.io.read_history")
    ns = history.sort_values(["channel", "interval_start"])
    steps = np.diff(ns["interval_start"].dt.tz_convert("UTC").to_numpy("M8[ns]").astype(np.int64))
    steps = steps[(ns["channel"].to_numpy()[1:] == ns["channel"].to_numpy()[:-1]) & (steps > 0)] / 1e9
    steps = steps[np.isin(steps, INTERVALS_S)]
    if steps.size == 0:
        raise InputError("history: cannot infer the interval length; set history.attrs['interval_s'] "
                         "(300, 900, 1800 or 3600) or read the file with planner.io.read_history")
    values, counts = np.unique(steps, return_counts=True)
    return float(values[np.argmax(counts)])


def _interval_s(frame: pd.DataFrame, what: str) -> float:
    interval_s = frame.attrs.get("interval_s")
    if interval_s not in INTERVALS_S:
        raise InputError(f"{what}.attrs['interval_s']: expected 300, 900, 1800 or 3600 seconds, got {interval_s!r}; "
                         "read the history with planner.io.read_history, which sets it")
    return float(interval_s)


def _times(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    for name in (column, "channel"):
        if name not in frame:
            raise InputError(f"{what}: missing column {name!r}")
    times = frame[column]
    if not isinstance(times.dtype, pd.DatetimeTZDtype):
        raise InputError(f"{what}.{column}: expected time-zone aware times (datetime64[ns, tz]), got {times.dtype}")
    return times


def local_midnights(days: pd.DatetimeIndex, tz) -> np.ndarray:
    """UTC nanoseconds of each local day's start (a nonexistent midnight moves to the first valid time).

    ``days`` are naive local dates (midnight wall times).

    >>> local_midnights(pd.DatetimeIndex(["2026-03-29"]), "Europe/London").view("M8[ns]")
    array(['2026-03-29T00:00:00.000000000'], dtype='datetime64[ns]')
    """
    return epoch_ns(days.tz_localize(tz, ambiguous=np.ones(len(days), bool), nonexistent="shift_forward"))


def opening_hours(history: pd.DataFrame, *, weeks: int | None = None, min_share: float = 0.0) -> pd.DataFrame:
    """Learn when each channel is open, per weekday and interval of the day, from its history.

    A slot (channel, weekday, local time of day) is open when some interval there had
    ``offered > 0`` and its ``share`` -- the fraction of that weekday's open days (days with any
    contact) on which it had contacts -- is at least ``min_share``. Slots never open are closed and
    are not forecast. Raise ``min_share`` (e.g. 0.2) to ignore stray contacts outside the hours;
    ``weeks`` limits the learning to each channel's most recent weeks, so changed hours take effect.

    Parameters
    ----------
    history : pandas.DataFrame
        A history frame (:func:`planner.io.read_history`), with ``attrs["interval_s"]``.
    weeks : int, optional
        Learn only from the last ``weeks`` weeks [weeks] of each channel's history.
    min_share : float
        Least share [fraction in 0..1] of open days with contacts for a slot to count as open.

    Returns
    -------
    pandas.DataFrame
        Every channel x weekday x slot: ``channel`` (str), ``weekday`` (int, Monday=0),
        ``slot`` (int, interval of the local day, 0 at midnight), ``time_of_day`` (timedelta from
        local midnight), ``open`` (bool), ``share`` (float); sorted in that order;
        ``attrs["interval_s"]`` and ``attrs["tz"]`` (the zone's name).

    Examples
    --------
    >>> times = pd.date_range("2026-01-05 09:00", periods=4, freq="h", tz="Europe/London")
    >>> history = pd.DataFrame({"interval_start": times, "channel": "phone", "offered": [5.0, 0, 7, 2]})
    >>> history.attrs["interval_s"] = 3600.0
    >>> hours = opening_hours(history)
    >>> hours[hours.open][["weekday", "time_of_day"]].astype(str).values.tolist()
    [['0', '0 days 09:00:00'], ['0', '0 days 11:00:00'], ['0', '0 days 12:00:00']]
    """
    interval_s = _interval_s(history, "history")
    times = _times(history, "interval_start", "history")
    if not 0.0 <= min_share <= 1.0:
        raise InputError(f"min_share: expected a fraction in [0, 1], got {min_share!r}")
    codes, channels = pd.factorize(history["channel"], sort=True)
    wall = times.dt.tz_localize(None).to_numpy("M8[ns]").astype(np.int64)
    day, offered = wall // _DAY_NS, history["offered"].to_numpy(float)
    if weeks is not None:
        if weeks < 1:
            raise InputError(f"weeks: expected a whole number of weeks >= 1, got {weeks!r}")
        last = np.full(len(channels), np.iinfo(np.int64).min)
        np.maximum.at(last, codes, day)
        recent = day > last[codes] - 7 * int(weeks)
        codes, wall, day, offered = codes[recent], wall[recent], day[recent], offered[recent]
    slots = int(86_400 // interval_s)
    slot = (wall % _DAY_NS) // int(interval_s * 1e9)
    active = offered > 0
    c, d, s = codes[active].astype(np.int64), day[active], slot[active]
    first = int(d.min()) if d.size else 0
    span = int(d.max()) - first + 1 if d.size else 1

    def cell(channel_day):  # (channel, weekday) index; 1970-01-01 was a Thursday
        return channel_day // span * 7 + (channel_day % span + first + 3) % 7

    denominator = np.bincount(cell(pd.unique(c * span + d - first)), minlength=len(channels) * 7)
    slot_day = pd.unique((c * span + d - first) * slots + s)  # distinct (channel, day, slot) with contacts
    counts = np.bincount(cell(slot_day // slots) * slots + slot_day % slots, minlength=len(channels) * 7 * slots)
    share = counts / np.maximum(np.repeat(denominator, slots), 1)
    n = len(channels)
    frame = pd.DataFrame({
        "channel": np.repeat(np.asarray(channels, dtype=object), 7 * slots),
        "weekday": np.tile(np.repeat(np.arange(7), slots), n),
        "slot": np.tile(np.arange(slots), 7 * n),
        "time_of_day": pd.to_timedelta(np.tile(np.arange(slots), 7 * n) * interval_s, unit="s"),
        "open": (counts >= 1) & (share >= min_share),
        "share": share,
    })
    frame.attrs.update(interval_s=interval_s, tz=str(times.dt.tz))
    return frame


def _day(value, tz: str, name: str) -> pd.Timestamp:
    try:
        stamp = pd.to_datetime(value, format="ISO8601") if isinstance(value, str) else pd.Timestamp(value)
        stamp.as_unit("ns")
    except (TypeError, ValueError):
        raise InputError(f"{name}: expected a date such as 2026-07-06, got {value!r}") from None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(tz).tz_localize(None)
    return stamp.normalize()


def future_intervals(hours: pd.DataFrame, start, end, tz: str | None = None) -> pd.DataFrame:
    """Return the open intervals of each channel from local date ``start`` up to (excluding) ``end``.

    Intervals step through absolute time from local midnight to local midnight, so a
    spring-forward day has 92 quarter hours and a fall-back day 100 (the repeated hour is open
    twice where that time of day is open).

    Parameters
    ----------
    hours : pandas.DataFrame
        :func:`opening_hours` output, or a history frame (its opening hours are learned with the
        defaults).
    start, end : date-like
        First local day planned and the first local day after the horizon (exclusive), e.g.
        ``start + pd.Timedelta(days=28)``.
    tz : str, optional
        IANA time zone; by default ``hours.attrs["tz"]`` (or the history's zone).

    Returns
    -------
    pandas.DataFrame
        ``interval_start`` (``datetime64[ns, tz]``) and ``channel`` (str), sorted by channel
        then time, with ``attrs["interval_s"]`` [s].

    Examples
    --------
    >>> times = pd.date_range("2026-03-22", "2026-03-23", freq="15min", tz="Europe/London", inclusive="left")
    >>> history = pd.DataFrame({"interval_start": times, "channel": "phone", "offered": 1.0})
    >>> history.attrs["interval_s"] = 900.0
    >>> grid = future_intervals(history, "2026-10-25", "2026-10-26")
    >>> len(grid), str(grid.interval_start.dt.tz)
    (100, 'Europe/London')
    """
    if "open" not in hours:
        hours = opening_hours(hours)
    interval_s = _interval_s(hours, "hours")
    tz = check_timezone(tz if tz is not None else hours.attrs.get("tz"))
    first, stop = _day(start, tz, "start"), _day(end, tz, "end")
    if stop <= first:
        raise InputError(f"end: expected a day after start ({first.date()}), got {stop.date()}; end is exclusive")
    bounds = local_midnights(pd.DatetimeIndex([first, stop]), tz)
    step = int(interval_s * 1e9)
    instant = np.arange(bounds[0], bounds[1], step)
    grid = pd.DatetimeIndex(instant.view("M8[ns]")).tz_localize("UTC").tz_convert(tz)
    wall = epoch_ns(grid.tz_localize(None))
    weekday, slot = (wall // _DAY_NS + 3) % 7, (wall % _DAY_NS) // step
    codes, channels = pd.factorize(hours["channel"], sort=True)
    slots = int(86_400 // interval_s)
    table = np.zeros((len(channels), 7, slots), bool)
    table[codes, hours["weekday"].to_numpy(int), hours["slot"].to_numpy(int)] = hours["open"].to_numpy(bool)
    channel, position = np.nonzero(table[:, weekday, slot])
    out = pd.DataFrame({"interval_start": grid[position], "channel": np.asarray(channels, dtype=object)[channel]})
    out.attrs["interval_s"] = interval_s
    return out


def holiday_events(country: str, *, years, tz: str, subdivision: str | None = None,
                   by_name: bool = False) -> pd.DataFrame:
    """Public holidays from the ``holidays`` library (offline) as rows of the events frame.

    Each holiday is a whole local day for every channel (``channel="*"``) with ``effect="learn"``.
    With ``by_name=False`` every holiday has the one ``kind`` ``"public_holiday"``: its effect is
    learned from all past holidays together, which works with a year or two of history (one row
    per date; names of a shared date joined with ``"; "``). With ``by_name=True`` the kind is
    ``"holiday:<name>"`` (``"holiday:Christmas Day"``), one row per name: each such kind occurs
    about once a year, so learn per name only from several years of history.

    Parameters
    ----------
    country : str
        ISO 3166 code, e.g. ``"GB"``, ``"US"``.
    years : int or iterable of int
        Calendar years to list.
    tz : str
        The contact center's IANA time zone.
    subdivision : str, optional
        State or region code (``"ENG"``, ``"CA"``), as the ``holidays`` library names them.
    by_name : bool
        One kind per holiday name instead of one ``public_holiday`` kind.

    Returns
    -------
    pandas.DataFrame
        The events frame (``name, kind, start, end, channel, effect, value``), sorted by date.

    Examples
    --------
    >>> events = holiday_events("GB", years=2026, tz="Europe/London", subdivision="ENG")
    >>> events.iloc[-3:][["name", "kind"]].values.tolist()
    [['Christmas Day', 'public_holiday'], ['Boxing Day', 'public_holiday'], ['Boxing Day (observed)', 'public_holiday']]
    """
    import holidays

    tz, country = check_timezone(tz), str(country).upper()
    years = [int(years)] if np.ndim(years) == 0 else [int(y) for y in years]
    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=years)
    except NotImplementedError:
        supported = holidays.list_supported_countries()
        if country not in supported:
            codes = [code for code in supported if len(code) == len(str(country))]
            close = difflib.get_close_matches(str(country).upper(), codes, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"holidays: unknown country {country!r}{hint}; use an ISO code such as 'GB' or 'US'") from None
        raise InputError(f"holidays: {country} has no subdivision {subdivision!r}; use one of "
                         f"{', '.join(supported[country])}") from None
    days, names = [], []
    for day in sorted(found):
        listed = found.get_list(day)
        for name in listed if by_name else ["; ".join(listed)]:
            days.append(day)
            names.append(name)
    local = pd.DatetimeIndex(pd.to_datetime(days)).as_unit("ns")
    start = pd.DatetimeIndex(local_midnights(local, tz).view("M8[ns]")).tz_localize("UTC").tz_convert(tz)
    end = pd.DatetimeIndex(local_midnights(local + pd.Timedelta(days=1), tz).view("M8[ns]"))
    frame = pd.DataFrame({
        "name": pd.Series(names, dtype=object),
        "kind": pd.Series([f"holiday:{n}" if by_name else "public_holiday" for n in names], dtype=object),
        "start": start, "end": end.tz_localize("UTC").tz_convert(tz),
        "channel": ALL_CHANNELS, "effect": "learn", "value": np.nan,
    })
    return frame.astype({"channel": object, "effect": object})


def _events(events: pd.DataFrame) -> str:
    missing = [c for c in EVENT_COLUMNS if c not in events]
    if missing:
        raise InputError(f"events: missing column {missing[0]!r}; an events frame has {', '.join(EVENT_COLUMNS)}")
    for column in ("start", "end"):
        if not isinstance(events[column].dtype, pd.DatetimeTZDtype):
            raise InputError(f"events.{column}: expected time-zone aware times; read the file with planner.io.read_events")
    return str(events["start"].dt.tz)


def event_days(events: pd.DataFrame, days, channels) -> pd.DataFrame:
    """List the events that touch each channel on each local calendar day.

    One row per (channel, day, event) where the event covers part of that day: the long input to
    a forecaster's day-level regressors. ``share`` is the fraction of the day covered (1.0 for a
    whole day, 0.25 for six hours of a 24-hour day; DST days have 23 or 25 hours). Events whose
    ``channel`` is ``*`` are listed for every channel; channels outside ``channels`` are skipped.
    Days without events have no rows. Typical use::

        active = event_days(events, days, channels)
        learn = active[active.effect == "learn"]
        X = learn.pivot_table(index=["channel", "date"], columns="kind", values="share",
                              aggfunc="max", fill_value=0.0)

    Parameters
    ----------
    events : pandas.DataFrame
        The events frame (:func:`planner.io.read_events`, :func:`holiday_events`, or both
        concatenated; ``start``/``end`` time-zone aware, ``end`` exclusive).
    days : date-like or iterable of date-like
        Local calendar days, e.g. ``pd.date_range("2026-12-20", "2026-12-31")``.
    channels : iterable of str
        Channel names to list.

    Returns
    -------
    pandas.DataFrame
        ``channel`` (str), ``date`` (datetime64[ns], local midnight, no zone), ``name``, ``kind``,
        ``effect`` (str), ``value`` (float), ``share`` (float, 0 < share <= 1), sorted by channel,
        date, kind, name.

    Examples
    --------
    >>> events = holiday_events("GB", years=2026, tz="Europe/London", subdivision="ENG")
    >>> active = event_days(events, pd.date_range("2026-12-24", "2026-12-27"), ["chat", "phone"])
    >>> active[["channel", "date", "kind", "share"]].astype(str).values.tolist()
    [['chat', '2026-12-25', 'public_holiday', '1.0'], ['chat', '2026-12-26', 'public_holiday', '1.0'], \
['phone', '2026-12-25', 'public_holiday', '1.0'], ['phone', '2026-12-26', 'public_holiday', '1.0']]
    """
    tz = _events(events)
    days = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(days)))
    if days.tz is not None:
        days = days.tz_convert(tz).tz_localize(None)
    days = days.normalize().unique().sort_values().as_unit("ns")
    channels = np.asarray(sorted({channels} if isinstance(channels, str) else set(channels)), dtype=object)
    begin = local_midnights(days, tz)
    finish = local_midnights(days + pd.Timedelta(days=1), tz)
    start, end = events["start"].dt.tz_convert("UTC").to_numpy("M8[ns]").astype(np.int64), \
        events["end"].dt.tz_convert("UTC").to_numpy("M8[ns]").astype(np.int64)
    low = np.searchsorted(finish, start, side="right")
    count = np.maximum(np.searchsorted(begin, end, side="left") - low, 0)
    event = np.repeat(np.arange(len(events)), count)
    day = low[event] + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    covered = np.minimum(end[event], finish[day]) - np.maximum(start[event], begin[day])
    share = covered / (finish[day] - begin[day])
    target = events["channel"].to_numpy(object)[event]
    match = (target[None, :] == ALL_CHANNELS) | (target[None, :] == channels[:, None])
    which, pair = np.nonzero(match)
    frame = pd.DataFrame({
        "channel": channels[which], "date": days[day[pair]],
        **{c: events[c].to_numpy()[event[pair]] for c in ("name", "kind", "effect", "value")},
        "share": share[pair],
    })
    return frame.sort_values(["channel", "date", "kind", "name"], kind="stable").reset_index(drop=True)


def event_intervals(events: pd.DataFrame, intervals: pd.DataFrame) -> pd.DataFrame:
    """Return the known effects of the events on each interval: a factor and two masks.

    An interval is affected by an event when its start lies in the event's ``[start, end)`` and
    the event's channel is ``*`` or the interval's channel. Use it to apply known effects to a
    forecast (``offered * multiply``; drop or zero ``closed``) and to keep ``exclude`` and
    ``closed`` intervals out of training. ``learn`` events are left to :func:`event_days`.

    Parameters
    ----------
    events : pandas.DataFrame
        The events frame.
    intervals : pandas.DataFrame
        Any frame with ``interval_start`` (time-zone aware) and ``channel``: history, forecast or
        :func:`future_intervals`.

    Returns
    -------
    pandas.DataFrame
        Same index as ``intervals``: ``multiply`` (float, the product of the factors of every
        ``multiply`` event, 1.0 when none), ``closed`` (bool), ``exclude`` (bool).

    Examples
    --------
    >>> events = pd.DataFrame({"name": ["TV ad"], "kind": ["campaign"], "channel": ["phone"],
    ...     "start": [pd.Timestamp("2026-12-01 18:00", tz="Europe/London")],
    ...     "end": [pd.Timestamp("2026-12-01 19:00", tz="Europe/London")], "effect": ["multiply"], "value": [1.25]})
    >>> grid = pd.DataFrame({"interval_start": pd.date_range("2026-12-01 17:30", periods=4, freq="30min",
    ...     tz="Europe/London"), "channel": "phone"})
    >>> event_intervals(events, grid)["multiply"].tolist()
    [1.0, 1.25, 1.25, 1.0]
    """
    _events(events)
    times = _times(intervals, "interval_start", "intervals")
    instant = times.dt.tz_convert("UTC").to_numpy("M8[ns]").astype(np.int64)
    order = np.argsort(instant, kind="stable")
    sorted_instant = instant[order]
    channel = intervals["channel"].to_numpy(object)
    multiply = np.ones(len(intervals))
    masks = {"closed": np.zeros(len(intervals), bool), "exclude": np.zeros(len(intervals), bool)}
    starts = events["start"].dt.tz_convert("UTC").to_numpy("M8[ns]").astype(np.int64)
    ends = events["end"].dt.tz_convert("UTC").to_numpy("M8[ns]").astype(np.int64)
    for start, end, target, effect, value in zip(starts, ends, events["channel"], events["effect"], events["value"]):
        if effect == "learn":
            continue
        rows = order[np.searchsorted(sorted_instant, start):np.searchsorted(sorted_instant, end)]
        if target != ALL_CHANNELS:
            rows = rows[channel[rows] == target]
        if effect == "multiply":
            multiply[rows] *= value
        else:
            masks[effect][rows] = True
    return pd.DataFrame({"multiply": multiply, **masks}, index=intervals.index)
