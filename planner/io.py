"""Files in and out: contact history and the events calendar, checked row by row, written atomically.

Every problem in a file is one :class:`~planner.errors.InputError` line,
``file:row:column: what is wrong; how to fix it``, where ``file`` is the path exactly as given,
``row`` is the line number an editor shows (the header is line 1; for Excel the sheet's row
number, for Parquet the same count: header = 1, first row = 2) and ``column`` is the column name.
Checks are vectorised, so a two-year, ten-channel history of 15-minute intervals (700,000 rows)
reads in about a second. Files are never modified.

Time stamps are ISO 8601: ``2026-03-29 09:15``, ``2026-03-29T09:15:00`` (naive: local time in
``tz``) or with an offset, ``2026-03-29T09:15:00+01:00`` / ``...Z`` (converted to ``tz``). A naive
time in the repeated hour of a fall-back day is read as summer time (DST) the first time it appears
for a channel and as standard time the second; a naive time that does not exist (the skipped hour
of a spring-forward day) is an error. Write offsets to be unambiguous: :func:`write_history` does.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.exports import ExportInfo, ExportMapping, sum_queues
from planner.tables import Table, localize, numbers, parse_times, read_table, suggest
from planner.schema import (
    ALL_CHANNELS, EVENT_COLUMNS, EVENT_EFFECTS, HISTORY_COLUMNS, HISTORY_OPTIONAL, HISTORY_REQUIRED,
    INTERVALS_S, check_timezone, describe_interval, epoch_ns,
)

__all__ = ["read_history", "write_history", "read_events", "read_forecast"]

_EVENT_HINT = "write a date such as 2026-12-25 or a local time such as 2026-12-25 14:00"

def _infer_interval(table: Table, sort: np.ndarray, steps: np.ndarray, same: np.ndarray) -> float:
    """The interval length [s]: the shortest allowed step between consecutive intervals of a channel
    that makes up at least 1% of them (rows sorted by ``sort``).

    The shortest common step, not the most common one: a quiet channel whose empty intervals are
    left out is mostly 30 or 60 minutes apart although its grid is 15 minutes.
    """
    values, tally = np.unique(steps[same], return_counts=True)
    allowed = np.isin(values, np.asarray(INTERVALS_S) * 1e9)
    common = allowed & (tally >= 0.01 * max(int(same.sum()), 1))
    if common.any():
        return float(values[common][0]) / 1e9
    if not same.any():
        raise InputError(f"{table.shown}: cannot infer the interval length: no channel has two intervals; "
                         "pass interval_s (e.g. interval_s=900 for 15 minutes)")
    where, common = np.zeros(len(sort), bool), values[np.argmax(tally)]
    where[sort[1:][same & (steps == common)]] = True
    previous = dict(zip(sort[1:], sort[:-1]))
    table.check(where, "interval_start", lambda i: f"cannot infer the interval length: a channel's intervals are "
                f"mostly {common / 6e10:g} min apart (this line follows line {table.lines[previous[i]]})",
                "intervals must be 5, 15, 30 or 60 minutes; check the export's granularity or pass interval_s")


#: Distinct times of day a history needs before a coarser grid than the one asked for is an error.
_GRID_EVIDENCE = 8


def _coarser_grid(wall: np.ndarray, interval_s: float) -> float | None:
    """The coarsest allowed grid [s] longer than ``interval_s`` that every wall-clock start lies on,
    when the starts show at least :data:`_GRID_EVIDENCE` distinct times of day (else None).

    A 30-minute export read as 15-minute intervals has every start on the half hour; staffing it as
    15-minute intervals would double the load in half the intervals.
    """
    times_of_day = np.unique(wall % (86_400 * 10**9))
    if times_of_day.size < _GRID_EVIDENCE:
        return None
    coarser = [s for s in INTERVALS_S if s > interval_s and not (times_of_day % int(s * 1e9)).any()]
    return max(coarser) if coarser else None


def read_history(path, *, tz: str | None = None, interval_s: float | None = None, columns: dict | None = None,
                 queues: dict | None = None, timestamp_format: str | None = None, day_first: bool | None = None,
                 handle_time_unit: str = "s") -> pd.DataFrame:
    """Read and check a contact history file (CSV, maybe ``.gz``; Parquet/Excel by suffix) into a frame.

    Parameters
    ----------
    path : str or path-like
        One row per channel and interval: ``interval_start, channel, offered`` and optionally
        ``handled, abandoned`` (counts) and ``aht_s`` (average handle time [s]). Closed
        intervals may be absent; empty optional cells become NaN.
    tz : str, optional
        The contact center's IANA time zone (``"Europe/London"``). Needed when times are naive
        (local); times with an offset are converted to it. Without ``tz`` offsets give UTC.
    interval_s : float, optional
        Expected interval length [s] (300, 900, 1800 or 3600). The length is always inferred from
        the data (the shortest step between a channel's intervals that is common); a history whose
        intervals are longer or shorter than ``interval_s`` is an error, never a silent rescaling.
    columns, queues, timestamp_format, day_first, handle_time_unit
        How to read an ACD export as it comes (:class:`planner.exports.ExportMapping`): planner
        name -> export column, queue -> channel (queues summed per channel), a ``strptime`` format
        or the day order of the dates, the unit of handle times [s].

    Returns
    -------
    pandas.DataFrame
        ``interval_start`` (``datetime64[ns, tz]``), ``channel`` (str), ``offered`` and the optional
        columns present (float), sorted by channel then time, ``attrs["interval_s"]`` [s].

    Raises
    ------
    InputError
        ``file:row:column: message; fix`` for the first problem found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "history.csv"
    >>> _ = file.write_text("interval_start,channel,offered\\n2026-10-25 01:00,phone,4\\n"
    ...     "2026-10-25 01:30,phone,3\\n2026-10-25 01:00,phone,5\\n2026-10-25 01:30,phone,2\\n")
    >>> history = read_history(file, tz="Europe/London")
    >>> history["interval_start"].dt.strftime("%H:%M%z").tolist(), history.attrs["interval_s"]
    (['01:00+0100', '01:30+0100', '01:00+0000', '01:30+0000'], 1800.0)
    """
    if tz is not None:
        tz = check_timezone(tz)
    if interval_s is not None and interval_s not in INTERVALS_S:
        raise InputError(f"interval_s: expected 300, 900, 1800 or 3600 seconds, got {interval_s!r}")
    mapping = ExportMapping(columns=columns, queues=queues, timestamp_format=timestamp_format, day_first=day_first,
                            handle_time_unit=handle_time_unit)
    grouping = "queue" if mapping.columns and "queue" in mapping.columns else "channel"
    table = read_table(path, required=("interval_start", grouping, "offered"),
                        optional=(*HISTORY_OPTIONAL, *(("handle_time_total_s",) if mapping.columns else ())),
                        what="channel and interval",
                        text_columns=("interval_start", "channel", "queue"),
                        mapping=mapping if mapping.columns else None)
    frame, n = table.frame, len(table.frame)
    if n == 0:
        raise InputError(f"{table.shown}:2: no data rows; add one row per channel and interval below the header")
    if table.ignored:
        warnings.warn(f"{table.shown}: columns not used: {', '.join(table.ignored)}", ExportInfo, stacklevel=2)
    codes, uniques = pd.factorize(frame[grouping])
    names = pd.Index(uniques, dtype=object).astype(str).str.strip()
    table.check(np.append(np.asarray(names == ""), True)[codes], grouping, f"missing {grouping} name",
                f"write the {grouping}, e.g. {'phone' if grouping == 'channel' else 'Billing Voice'}")
    if grouping == "queue":
        unknown = sorted(set(names) - set(mapping.queues))
        table.check(np.isin(np.asarray(names)[codes], unknown), "queue", lambda i: "queue(s) with no channel: "
                    + ", ".join(repr(q) for q in unknown), "map each to a channel in history.queues, e.g. "
                    f"\"{unknown[0] if unknown else 'Billing Voice'}\" = \"phone\"")
    order, names = pd.factorize(names, sort=True)
    channel = order[codes]  # channel (or queue) codes in name order
    naive, utc, offset, _ = parse_times(table, "interval_start", allow_mixed=False, mapping=mapping)
    counts = {c: numbers(table, c, required=c == "offered", what="contacts" if not c.endswith("_s") else "seconds",
                          example="12" if not c.endswith("_s") else "185.5")
              for c in (*HISTORY_COLUMNS[2:], "handle_time_total_s") if c in frame}
    if "handle_time_total_s" in counts:
        counts["handle_time_total_s"] = mapping.seconds(counts["handle_time_total_s"])
    elif "aht_s" in counts:
        counts["aht_s"] = mapping.seconds(counts["aht_s"])
    for column, values in counts.items():
        unit = "handle time" if column == "aht_s" else "count"
        table.check(values < 0, column, lambda i, v=values, u=unit: f"negative {u} {v[i]:g}", f"{column} must be "
                    f">= 0; fix the export{'' if column == 'offered' else ' or leave the cell empty'}")
    if offset[0]:
        times = utc.tz_convert(tz or "UTC")
    elif tz is None:
        raise InputError(f"{table.shown}:{table.lines[0]}:interval_start: times have no UTC offset, so the time zone is needed; "
                         "pass tz, the contact center's IANA zone (e.g. tz='Europe/London')")
    else:
        times = localize(table, "interval_start", naive, tz, channel)
    instant = epoch_ns(times)
    sort = np.lexsort((np.arange(n), instant, channel))
    ts, cs = instant[sort], channel[sort]
    same = cs[1:] == cs[:-1]
    again = same & (ts[1:] == ts[:-1])
    if again.any():
        later = np.zeros(n, bool)
        later[sort[1:][again]] = True
        first_row = dict(zip(sort[1:][again], sort[:-1][again]))
        table.check(later, "interval_start", lambda i: f"duplicate interval {table.raw('interval_start', i)} for "
                    f"channel {names[channel[i]]!r} (also line {table.lines[first_row[i]]})",
                    "keep one row per channel and interval")
    wall = epoch_ns(times.tz_localize(None))  # the local wall clock: grids follow it across DST
    if interval_s is None:
        interval_s = _infer_interval(table, sort, np.diff(ts), same)
    elif (coarser := _coarser_grid(wall, interval_s)) is not None:
        raise InputError(f"{table.shown}: the history is in {describe_interval(coarser)} intervals (every start is "
                         f"on the {coarser / 60:g}-minute grid), not {describe_interval(interval_s)}; set the interval "
                         f"to {coarser / 60:g} minutes, or leave it out to use the history's (staffing "
                         f"{coarser / 60:g}-minute counts as {interval_s / 60:g}-minute ones multiplies the load)")
    interval_s = float(interval_s)
    off_grid = wall % int(interval_s * 1e9) != 0
    table.check(off_grid, "interval_start", lambda i: f"{table.raw('interval_start', i)} is not on the "
                f"{describe_interval(interval_s)} grid", f"interval starts are whole multiples of "
                f"{interval_s / 60:g} minutes past the hour with 0 seconds; fix the time or pass interval_s")
    labels = np.asarray(names, dtype=object)[cs]
    if grouping == "queue":
        labels = np.asarray([mapping.queues[q] for q in names], dtype=object)[cs]
    out = pd.DataFrame({"interval_start": times[sort], "channel": labels})
    for column in (*HISTORY_COLUMNS[2:], "handle_time_total_s"):
        if column in counts:
            out[column] = counts[column][sort]
    if grouping == "queue" or "handle_time_total_s" in out:
        out = sum_queues(out, [c for c in HISTORY_COLUMNS[2:] if c in counts or (c == "aht_s" and "handle_time_total_s" in counts)])
    out["channel"] = out["channel"].astype(str)
    out.attrs["interval_s"] = interval_s
    return out


def _iso(times: pd.Series) -> np.ndarray:
    """ISO 8601 text with the UTC offset (``2026-03-29T02:15:00+01:00``), formatted once per distinct time."""
    codes, unique = pd.factorize(times)
    wall = unique.tz_localize(None).to_numpy("M8[s]")
    offset_s = wall.astype(np.int64) - unique.tz_convert("UTC").tz_localize(None).to_numpy("M8[s]").astype(np.int64)
    values, which = np.unique(offset_s, return_inverse=True)  # a zone has few offsets: format each once
    offsets = np.array([f"{'-' if s < 0 else '+'}{abs(s) // 3600:02d}:{abs(s) % 3600 // 60:02d}" for s in values])
    return (np.datetime_as_string(wall, unit="s").astype(object) + offsets.astype(object)[which.ravel()])[codes]


def write_history(history: pd.DataFrame, path) -> Path:
    """Write a history frame to CSV (times in ISO 8601 with their UTC offset) or Parquet, atomically.

    Only the history columns are written. The file is written beside ``path`` under a temporary
    name and moved into place, so a reader never sees half a file; missing folders are created.
    Whole numbers are written without a decimal point; NaN is an empty cell.
    :func:`read_history` reads the file back to an equal frame.

    Parameters
    ----------
    history : pandas.DataFrame
        A history frame (``interval_start`` time-zone aware).
    path : str or path-like
        ``.parquet``/``.pq`` writes Parquet, anything else CSV (compressed for ``.gz``, ``.bz2``, ``.xz``).

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> frame = pd.DataFrame({"interval_start": pd.date_range("2026-03-29 00:30", periods=3, freq="15min",
    ...                       tz="Europe/London"), "channel": "phone", "offered": [3.0, 4.0, 5.5]})
    >>> file = write_history(frame, pathlib.Path(tempfile.mkdtemp()) / "history.csv")
    >>> print(file.read_text().splitlines()[3])
    2026-03-29T02:00:00+01:00,phone,5.5
    """
    missing = [column for column in HISTORY_REQUIRED if column not in history]
    if missing:
        raise InputError(f"history: missing column {missing[0]!r}; a history frame has {', '.join(HISTORY_REQUIRED)}")
    if not isinstance(history["interval_start"].dtype, pd.DatetimeTZDtype):
        raise InputError("history: interval_start must be time-zone aware; use .dt.tz_localize('Europe/London')")
    path, out = Path(path), history[[c for c in HISTORY_COLUMNS if c in history]].copy()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".tmp-{os.getpid()}-{path.name}")  # same suffix: same format and compression
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            out.to_parquet(temporary, index=False)
        else:
            out["interval_start"] = _iso(out["interval_start"])
            for column in out.columns[2:]:
                values = out[column].to_numpy(float)
                if np.all(np.isnan(values) | (values == np.round(values))) and np.nanmax(np.abs(values), initial=0) < 2**53:
                    out[column] = pd.array(np.round(values), dtype="Float64").astype("Int64")
            out.to_csv(temporary, index=False, lineterminator="\n")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _event_times(table: Table, column: str, tz: str, *, end: bool) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Aware times of an event column (NaT where empty) and whether each was a date; a date end is +1 day."""
    n = len(table.frame)
    ns, is_date = np.full(n, np.iinfo(np.int64).min), np.zeros(n, bool)
    given = table.frame[column].notna().to_numpy() if column in table.frame else is_date
    if given.any():
        sub = Table(table.shown, table.frame.loc[given, [column]].reset_index(drop=True), table.lines[given])
        naive, utc, offset, date = parse_times(sub, column, allow_mixed=True, hint=_EVENT_HINT)
        naive = naive + pd.to_timedelta(date.astype(int) * end, unit="D")
        local = naive.tz_localize(tz, ambiguous=np.ones(len(naive), bool), nonexistent="shift_forward")
        ns[given] = np.where(offset, epoch_ns(utc), epoch_ns(local))
        is_date[given] = date
    return pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC").tz_convert(tz), is_date


def read_events(path, *, tz: str, channels=None) -> pd.DataFrame:
    """Read and check an events calendar file into the events frame (docs/design.md section 5).

    Columns: ``kind, start, effect`` and optionally ``name`` (default: the kind), ``end``,
    ``channel`` (``*`` or empty: every channel) and ``value``. ``effect`` is ``learn`` (estimate
    this kind's effect from its past occurrences; ``value``, if given, is a prior factor),
    ``multiply`` (``value`` is a known factor > 0, e.g. 1.25), ``exclude`` (an anomaly kept out
    of training) or ``closed``.

    ``start`` and ``end`` are local dates or date-times (an offset is allowed). **A date is a
    whole day and a date ``end`` is inclusive**: Christmas is ``start=end=2026-12-25`` (``end``
    may be left empty). **A date-time ``end`` is exclusive**: ``2026-12-24 14:00`` to
    ``2026-12-24 18:00`` covers four hours. Both become time-zone aware ``[start, end)``. A
    spreadsheet date cell (time 00:00) counts as a date.

    Parameters
    ----------
    path : str or path-like
        CSV, or Parquet/Excel by suffix.
    tz : str
        The contact center's IANA time zone.
    channels : iterable of str, optional
        Known channel names; any other name (other than ``*``) is an error with a did-you-mean.

    Returns
    -------
    pandas.DataFrame
        ``name, kind, start, end, channel, effect, value``: text columns str, ``start``/``end``
        ``datetime64[ns, tz]`` (``end`` exclusive), ``value`` float (NaN when empty); file order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = file.write_text("name,kind,start,end,channel,effect,value\\n"
    ...                     "Xmas,closure,2026-12-25,2026-12-25,*,closed,\\n"
    ...                     "TV ad,campaign,2026-12-01 18:00,2026-12-01 20:00,phone,multiply,1.25\\n")
    >>> events = read_events(file, tz="Europe/London")
    >>> events[["start", "end"]].astype(str).values.tolist()
    [['2026-12-25 00:00:00+00:00', '2026-12-26 00:00:00+00:00'], ['2026-12-01 18:00:00+00:00', '2026-12-01 20:00:00+00:00']]
    """
    tz = check_timezone(tz)
    table = read_table(path, required=("kind", "start", "effect"), optional=("name", "end", "channel", "value"),
                        text_columns=EVENT_COLUMNS[:-1], what="event")
    frame, n = table.frame, len(table.frame)

    def text(column: str, default=None) -> pd.Series:
        values = frame[column] if column in frame else pd.Series([np.nan] * n, dtype=object)
        values = values.astype(object).where(values.isna(), values.astype(str).str.strip()).replace("", np.nan)
        return values if default is None else values.fillna(default)

    kind = text("kind")
    table.check(kind.isna(), "kind", "missing kind", "write a short label such as public_holiday or tv_campaign")
    effect = text("effect").str.lower()
    table.check(effect.isna(), "effect", "missing effect", f"use one of {', '.join(EVENT_EFFECTS)}")
    table.check(~effect.isin(EVENT_EFFECTS), "effect", lambda i: f"unknown effect {table.raw('effect', i)}"
                f"{suggest(str(effect[i]), EVENT_EFFECTS)}", f"use one of {', '.join(EVENT_EFFECTS)}")
    channel = text("channel", ALL_CHANNELS)
    if channels is not None:
        known = sorted(set(channels))
        table.check(~channel.isin([*known, ALL_CHANNELS]), "channel", lambda i: f"unknown channel {channel[i]!r}{suggest(channel[i], known)}",
                    f"use * for every channel or one of {', '.join(known)}")
    value = numbers(table, "value", required=False, what="value", example="1.25") if "value" in frame \
        else np.full(n, np.nan)
    table.check((effect == "multiply").to_numpy() & np.isnan(value), "value", "effect multiply needs a value",
                "write the known factor, e.g. 1.25 for +25% or 0.8 for -20%")
    table.check(value <= 0, "value", lambda i: f"a factor must be > 0, got {value[i]:g}",
                "write e.g. 1.25 for +25% or 0.8 for -20%")
    unused = ~effect.isin(["learn", "multiply"]).to_numpy() & ~np.isnan(value)
    table.check(unused, "value", lambda i: f"effect {effect[i]} takes no value", "leave the value empty")
    start, start_is_date = _event_times(table, "start", tz, end=False)
    table.check(start.isna(), "start", "missing start", _EVENT_HINT)
    end, end_is_date = _event_times(table, "end", tz, end=True)
    table.check(end.isna() & ~start_is_date, "end", "missing end for a start with a time",
                "write the end time (exclusive), e.g. 2026-12-24 18:00, or give dates only")
    day_after = (start.tz_localize(None).normalize() + pd.Timedelta(days=1)).tz_localize(
        tz, ambiguous=np.ones(n, bool), nonexistent="shift_forward")
    end = end.where(end.notna(), day_after)
    table.check(np.asarray(end <= start), "end", lambda i: f"end {table.raw('end', i)} is "
                f"{'before' if end_is_date[i] else 'not after'} start {table.raw('start', i)}",
                "a date end includes that day (start=end=2026-12-25 is one day); a time end is exclusive")
    return pd.DataFrame({"name": text("name").fillna(kind).astype(object), "kind": kind.astype(object),
                         "start": start.as_unit("ns"), "end": end.as_unit("ns"), "channel": channel.astype(object),
                         "effect": effect.astype(object), "value": value})



#: Columns of an imported forecast: required, and the optional ones planner reads (others are ignored).
FORECAST_REQUIRED = ("interval_start", "channel", "offered", "aht_s")
FORECAST_OPTIONAL = ("offered_lo", "offered_hi", "rate_shape", "day_log_var")


def read_forecast(path, *, tz: str, interval_s: float | None = None, channels=None) -> pd.DataFrame:
    """Read a forecast produced elsewhere: ``interval_start, channel, offered, aht_s`` (other columns ignored).

    Every row is checked like a history row: times with a UTC offset (or local times in ``tz``) on
    the interval grid, no repeated interval, ``offered`` >= 0, ``aht_s`` > 0 [s]; with
    ``channels``, every listed channel must appear (a forecast that missed one would plan it as
    closed) and no other.

    Parameters
    ----------
    path : str or path-like
        CSV (maybe compressed), Excel or Parquet, like a history file.
    tz : str
        The contact center's IANA time zone; times are converted to it.
    interval_s : float, optional
        Interval length [s]; inferred from the rows when not given, checked either way.
    channels : sequence of str, optional
        The channels the forecast must cover (a scenario's).

    Returns
    -------
    pandas.DataFrame
        The forecast columns present, ``attrs["interval_s"]``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
    >>> _ = file.write_text("interval_start,channel,offered,aht_s\\n2026-07-06T09:07:00+01:00,phone,10,200\\n"
    ...                     "2026-07-06T09:15:00+01:00,phone,12,200\\n")
    >>> read_forecast(file, tz="Europe/London", interval_s=900)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    planner.errors.InputError: ...f.csv:2:interval_start: '2026-07-06T09:07:00+01:00' is not on the 15-minute grid; ...
    """
    tz = check_timezone(tz)
    table = read_table(path, required=FORECAST_REQUIRED, optional=FORECAST_OPTIONAL, what="channel and interval",
                       text_columns=("interval_start", "channel"), extra="ignore")
    frame = table.frame
    if len(frame) == 0:
        raise InputError(f"{table.shown}:2: no data rows; add one row per channel and interval below the header")
    channel = frame["channel"].astype(str).str.strip()
    table.check((channel == "").to_numpy(), "channel", "missing channel name", "write the channel, e.g. phone")
    codes, names = pd.factorize(channel, sort=True)
    naive, utc, offset, _ = parse_times(table, "interval_start", allow_mixed=False)
    times = utc.tz_convert(tz) if offset[0] else localize(table, "interval_start", naive, tz, codes)
    out = pd.DataFrame({"interval_start": times, "channel": np.asarray(names, dtype=object)[codes]})
    for column in ("offered", "aht_s", *FORECAST_OPTIONAL):
        if column in frame:
            values = numbers(table, column, required=column in FORECAST_REQUIRED, what="a number", example="12.5")
            low, rule = (0.0, ">= 0") if column != "aht_s" else (np.nextafter(0.0, 1.0), "> 0")
            table.check(values < low, column, lambda i, v=values: f"{v[i]:g} is not {rule}", f"{column} must be {rule}")
            out[column] = values
    instant = epoch_ns(times)
    sort = np.lexsort((instant, codes))
    same = codes[sort][1:] == codes[sort][:-1]
    again = np.zeros(len(out), bool)
    again[sort[1:][same & (np.diff(instant[sort]) == 0)]] = True
    table.check(again, "interval_start", lambda i: f"a second row for {names[codes[i]]!r} at {table.raw('interval_start', i)}",
                "keep one row per channel and interval")
    wall = epoch_ns(times.tz_localize(None))
    if interval_s is None:
        interval_s = _infer_interval(table, sort, np.diff(instant[sort]), same)
    table.check(wall % int(interval_s * 1e9) != 0, "interval_start", lambda i: f"{table.raw('interval_start', i)} "
                f"is not on the {describe_interval(interval_s)} grid", f"interval starts are whole multiples of "
                f"{interval_s / 60:g} minutes past the hour")
    if (coarser := _coarser_grid(wall, interval_s)) is not None:
        raise InputError(f"{table.shown}: the forecast is in {describe_interval(coarser)} intervals, not "
                         f"{describe_interval(interval_s)}; forecast at the scenario's interval or change its interval")
    if channels is not None:
        missing, extra = sorted(set(channels) - set(names)), sorted(set(names) - set(channels))
        if missing:
            raise InputError(f"{table.shown}: no rows for channel(s) {', '.join(missing)} of the scenario; a missing "
                             "channel would be planned as closed: add its forecast, or leave the channel out of the scenario")
        if extra:
            raise InputError(f"{table.shown}: channel(s) {', '.join(extra)} are not in the scenario "
                             f"(it has: {', '.join(sorted(channels))}); remove their rows or add them to the scenario")
    out = out.iloc[sort].reset_index(drop=True)
    out.attrs["interval_s"] = float(interval_s)
    return out
