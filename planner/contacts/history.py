"""Contacts -> the interval history the forecaster learns from (docs/design.md section 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.calendar import local_midnights
from planner.errors import InputError
from planner.schema import INTERVALS_S, describe_interval, epoch_ns, parse_duration_s

__all__ = ["to_history", "interval_of", "local_floor_ns", "day_grid"]


def interval_of(interval) -> float:
    """Interval length [s] from ``"15min"``, ``900`` or ``"1h"``; one of 5, 15, 30 or 60 minutes."""
    interval_s = parse_duration_s(interval, name="interval")
    if interval_s not in INTERVALS_S:
        raise InputError(f"interval: expected 5min, 15min, 30min or 1h, got {interval!r}")
    return interval_s


def local_floor_ns(times: pd.Series | pd.DatetimeIndex, step_s: float) -> np.ndarray:
    """Start [UTC ns] of the local wall-clock step (e.g. 15 min) holding each time; DST aware.

    The wall clock is floored, then the same shift is taken off the instant, so both 01:15 intervals
    of a fall-back night stay distinct.
    """
    index = pd.DatetimeIndex(times)
    wall = epoch_ns(index.tz_localize(None))
    step = int(step_s * 1e9)
    return epoch_ns(index) - (wall % step)


def day_grid(first_ns: int, last_ns: int, tz, step_s: float) -> np.ndarray:
    """Step starts [UTC ns] over every whole local day from the day of ``first_ns`` to that of ``last_ns``.

    Steps run through absolute time from local midnight to local midnight, so a fall-back day has
    100 quarter hours and a spring-forward day 92.
    """
    days = pd.DatetimeIndex([first_ns, last_ns]).tz_localize("UTC").tz_convert(tz).tz_localize(None).normalize()
    bounds = local_midnights(pd.DatetimeIndex([days[0], days[1] + pd.Timedelta(days=1)]), tz)
    return np.arange(bounds[0], bounds[1], int(step_s * 1e9))


def to_history(contacts: pd.DataFrame, interval="15min") -> pd.DataFrame:
    """Count a contacts frame into the history frame, per channel and interval of arrival.

    Parameters
    ----------
    contacts : pandas.DataFrame
        From :func:`~planner.contacts.read_contacts`.
    interval : str or float, default ``"15min"``
        Interval length (5, 15, 30 or 60 minutes; a number is seconds).

    Returns
    -------
    pandas.DataFrame
        ``interval_start`` (local, ``datetime64[ns, tz]``), ``channel``, ``offered`` (every
        arrival, abandoned ones included), ``handled`` (answered, not abandoned), ``abandoned``
        and ``aht_s`` (mean agent work ``work_s`` of the handled contacts whose work is known [s];
        for async channels customer latency is never work). Every interval of every whole local
        day from a channel's first to its last arrival is present (a fall-back day has 100 quarter
        hours), with zeros where nothing arrived. Sorted by channel then time;
        ``attrs["interval_s"]`` [s].

    Examples
    --------
    >>> import pandas as pd
    >>> arrived = pd.to_datetime(["2026-10-05 09:14:59", "2026-10-05 09:15:00"]).tz_localize("Europe/London")
    >>> contacts = pd.DataFrame({"channel": ["phone", "phone"], "arrived_at": arrived,
    ...     "answered_at": arrived, "abandoned": [False, False], "work_s": [200.0, 100.0]})
    >>> history = to_history(contacts)
    >>> len(history), history.loc[history["offered"] > 0, ["offered", "aht_s"]].values.tolist()
    (96, [[1.0, 200.0], [1.0, 100.0]])
    """
    interval_s = interval_of(interval)
    missing = [c for c in ("channel", "arrived_at", "answered_at", "abandoned") if c not in contacts]
    if missing:
        raise InputError(f"contacts: missing column {missing[0]!r}; read the log with planner.read_contacts")
    arrived = pd.DatetimeIndex(contacts["arrived_at"])
    if arrived.tz is None:
        raise InputError("contacts.arrived_at: times are not time-zone aware; read the log with read_contacts(tz=...)")
    if len(contacts) == 0:
        raise InputError("contacts: no contacts; the log has no rows")
    start = local_floor_ns(arrived, interval_s)
    channel_codes, channels = pd.factorize(contacts["channel"], sort=True)
    abandoned = contacts["abandoned"].to_numpy(bool)
    handled = ~abandoned & contacts["answered_at"].notna().to_numpy()
    work = contacts["work_s"].to_numpy(float) if "work_s" in contacts else np.full(len(contacts), np.nan)
    timed = handled & ~np.isnan(work)
    frames = []
    for code, channel in enumerate(channels):  # a handful of channels; the work inside is vectorised
        mine = channel_codes == code
        grid = day_grid(int(start[mine].min()), int(start[mine].max()), arrived.tz, interval_s)
        slot = np.searchsorted(grid, start[mine])
        m = grid.size

        def tally(flags, slot=slot, mine=mine, m=m):
            return np.bincount(slot, weights=flags[mine].astype(float), minlength=m)

        timed_count = tally(timed)
        with np.errstate(invalid="ignore"):
            aht = np.bincount(slot, weights=np.where(timed, work, 0.0)[mine], minlength=m) / timed_count
        frames.append(pd.DataFrame({
            "interval_start": pd.DatetimeIndex(grid.view("M8[ns]")).tz_localize("UTC").tz_convert(arrived.tz),
            "channel": channel, "offered": np.bincount(slot, minlength=m).astype(float),
            "handled": tally(handled), "abandoned": tally(abandoned), "aht_s": aht}))
    history = pd.concat(frames, ignore_index=True)
    history["channel"] = history["channel"].astype(object)
    history.attrs["interval_s"] = interval_s
    history.attrs["source"] = f"{contacts.attrs.get('source', 'contacts')} ({describe_interval(interval_s)})"
    return history
