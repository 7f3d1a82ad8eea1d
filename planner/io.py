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

import bz2
import csv
import difflib
import gzip
import lzma
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.schema import (
    ALL_CHANNELS, EVENT_COLUMNS, EVENT_EFFECTS, HISTORY_COLUMNS, HISTORY_OPTIONAL, HISTORY_REQUIRED,
    INTERVALS_S, check_timezone, describe_interval, epoch_ns, iso_wall_times,
)

__all__ = ["read_history", "write_history", "read_events"]

#: Exact float parsing: pandas 3 does it by default (and deprecates the argument); pandas 2 needs it asked for.
_ROUND_TRIP = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}

_OFFSET = r"[T ]\d{2}:\d{2}.*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"
_DATE = r"\d{4}-\d{2}-\d{2}"
_ISO_HINT = "write ISO 8601 such as 2026-03-29 09:15 or 2026-03-29T09:15:00+01:00"
_EVENT_HINT = "write a date such as 2026-12-25 or a local time such as 2026-12-25 14:00"


@dataclass
class _Table:
    """A file's rows (in file order, blank lines dropped) and the line number of each row."""

    shown: str
    frame: pd.DataFrame
    lines: np.ndarray

    def check(self, bad, column: str, message, fix: str) -> None:
        """Raise ``file:line:column: message; fix`` for the first row where ``bad`` is true, if any."""
        rows = np.flatnonzero(np.asarray(bad))
        if rows.size == 0:
            return
        first, more = int(rows[0]), len(rows) - 1
        text = message(first) if callable(message) else message
        extra = f" (and {more} more row{'s' * (more > 1)})" if more else ""
        raise InputError(f"{self.shown}:{self.lines[first]}:{column}: {text}{extra}; {fix}")

    def raw(self, column: str, row: int) -> str:
        return repr(str(self.frame[column].iloc[row]).strip())


def _suggest(word: str, options) -> str:
    lower = {str(option).lower(): option for option in options}
    close = difflib.get_close_matches(str(word).lower(), list(lower), n=1, cutoff=0.6)
    return f" (did you mean {lower[close[0]]!r}?)" if close else ""


def _read_table(path, *, required, optional, text_columns, what: str) -> _Table:
    shown, file = str(path), Path(path)
    if not file.is_file():
        raise InputError(f"{shown}: file not found; check the path (relative paths start at {os.getcwd()})")
    suffix, known = file.suffix.lower(), (*required, *optional)
    csv_file = suffix not in (".parquet", ".pq", ".xlsx", ".xlsm", ".xls")
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(file)
            header = [str(c) for c in frame.columns]
        elif not csv_file:
            sheet = pd.read_excel(file, header=None, dtype=object)
            header = [] if sheet.empty else ["" if pd.isna(c) else str(c) for c in sheet.iloc[0]]
            frame = sheet.iloc[1:]
        else:
            opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(suffix, open)
            with opener(file, "rt", newline="", encoding="utf-8-sig") as handle:
                header = next(csv.reader(handle), [])
        names = [h.strip() for h in header]
        if not any(names):
            raise InputError(f"{shown}: empty file; the first line must name the columns: {','.join(required)}, "
                             f"then one row per {what}")
        separator = next((s for s in ";\t|" if len(names) == 1 and s in names[0]), None)
        if separator:
            raise InputError(f"{shown}:1: values are separated by {separator!r}; save the file with commas (CSV)")
        for position, name in enumerate(names):
            if name and name not in known:
                raise InputError(f"{shown}:1:{name}: unknown column{_suggest(name, known)}; expected "
                                 f"{', '.join(required)} and optionally {', '.join(optional)}")
            if name and name in names[:position]:
                raise InputError(f"{shown}:1:{name}: the column appears twice; keep one")
        for name in required:
            if name not in names:
                raise InputError(f"{shown}:1: missing required column {name!r}; the header must name "
                                 f"{', '.join(required)} (optionally {', '.join(optional)})")
        if csv_file:
            frame = pd.read_csv(file, dtype={h: str for h, n in zip(header, names) if n in text_columns},
                                keep_default_na=False, na_values=[""], skip_blank_lines=False,
                                encoding="utf-8-sig", **_ROUND_TRIP)
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError(f"{shown}: not UTF-8 text; save it as 'CSV UTF-8'") from None
    except pd.errors.ParserError as error:
        fields, quote = re.findall(r"line (\d+), saw (\d+)", str(error)), re.findall(r"at row (\d+)", str(error))
        if fields:
            raise InputError(f"{shown}:{fields[0][0]}: {fields[0][1]} fields, expected {len(names)}; remove the "
                             "extra values or quote values that contain commas") from None
        where = f"{int(quote[0]) + 1}" if quote else "1"
        raise InputError(f"{shown}:{where}: a quote (\") is never closed; close it or remove it") from None
    except (OSError, ValueError, ImportError) as error:
        raise InputError(f"{shown}: cannot read the file as {suffix or 'CSV'}: {error}") from None
    frame = frame.set_axis(names, axis=1)
    for position, name in enumerate(names):
        if not name and frame.iloc[:, position].notna().any():
            raise InputError(f"{shown}:1:column {position + 1}: values under an empty column name; name the "
                             "column or remove the values")
    frame = frame.iloc[:, [i for i, name in enumerate(names) if name]].reset_index(drop=True)
    lines = np.arange(2, len(frame) + 2)
    keep = frame.notna().any(axis=1).to_numpy()
    if not keep.all():
        frame, lines = frame[keep].reset_index(drop=True), lines[keep]
    return _Table(shown, frame, lines)


def _parse_times(table: _Table, column: str, *, allow_mixed: bool, hint: str = _ISO_HINT):
    """Return (naive wall times, UTC-aware times, has_offset, is_date) per row; NaT where not that kind."""
    raw = table.frame[column]
    table.check(raw.isna().to_numpy(), column, "missing date and time", hint)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values, n = pd.DatetimeIndex(raw).as_unit("ns"), len(raw)
        nat = pd.DatetimeIndex(np.full(n, np.datetime64("NaT", "ns")))
        if values.tz is not None:
            return nat, values.tz_convert("UTC"), np.ones(n, bool), np.zeros(n, bool)
        return values, nat.tz_localize("UTC"), np.zeros(n, bool), np.zeros(n, bool)
    alike = not allow_mixed and pd.api.types.infer_dtype(raw, skipna=False) == "string"
    fast = iso_wall_times(raw.to_numpy()) if alike else None
    if fast is not None:  # every time written alike: the vectorised path
        (wall, minutes), n = fast, len(raw)
        nat, no = pd.DatetimeIndex(np.full(n, np.datetime64("NaT", "ns"))), np.zeros(n, bool)
        if minutes is None:
            return pd.DatetimeIndex(wall.view("M8[ns]")), nat.tz_localize("UTC"), no, no
        utc = pd.DatetimeIndex((wall - minutes.astype(np.int64) * 60_000_000_000).view("M8[ns]")).tz_localize("UTC")
        return nat, utc, np.ones(n, bool), no
    codes, uniques = pd.factorize(raw)
    text = pd.Index(uniques, dtype=object).astype(str).str.strip()
    cells = np.array([not isinstance(u, str) for u in uniques], bool)  # spreadsheet date cells: midnight = a date
    if cells.any():
        text = text.where(~cells, text.str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", r"\1", regex=True))
    offset = np.asarray(text.str.contains(_OFFSET, regex=True), bool)
    is_date = np.asarray(text.str.fullmatch(_DATE), bool) if allow_mixed else np.zeros(len(text), bool)
    if not allow_mixed and offset.any() and not offset.all():
        first = offset[codes]
        table.check(first != first[0], column, lambda i: f"{table.raw(column, i)} "
                    + ("has a UTC offset but line {} has none" if first[i] else "has no UTC offset but line {} has one")
                    .format(table.lines[0]), "write every time with its offset (…+01:00) or none")
    nat = pd.DatetimeIndex(np.full(len(text), np.datetime64("NaT", "ns")))
    local = pd.to_datetime(text.where(~offset), format="ISO8601", errors="coerce") if (~offset).any() else nat
    utc = pd.to_datetime(text.where(offset), format="ISO8601", errors="coerce", utc=True) if offset.any() \
        else nat.tz_localize("UTC")
    bad = np.asarray(local.isna() & utc.isna())
    table.check(bad[codes], column, lambda i: f"cannot read {table.raw(column, i)} as a date and time", hint)
    return (pd.DatetimeIndex(local.take(codes)).as_unit("ns"), pd.DatetimeIndex(utc.take(codes)).as_unit("ns"),
            offset[codes], is_date[codes])


def _localize(table: _Table, column: str, naive: pd.DatetimeIndex, tz: str, groups: np.ndarray):
    """Localise naive wall times: repeated fall-back hour by order of appearance per group; gaps are errors."""
    aware = naive.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    unresolved = np.asarray(aware.isna() & naive.notna())
    if not unresolved.any():
        return aware
    shifted = naive[unresolved].tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
    gap = np.zeros(len(naive), bool)
    gap[np.flatnonzero(unresolved)[np.asarray(shifted.notna())]] = True  # shifting helped: not ambiguous
    table.check(gap, column, lambda i: f"{table.raw(column, i)} does not exist in {tz}: the clocks go forward "
                "that night", "remove the row: that hour is skipped (a spring-forward day has 23 hours)")
    rows = np.flatnonzero(unresolved)
    seen = pd.DataFrame({"g": groups[rows], "t": naive[rows]}).groupby(["g", "t"], sort=False).cumcount()
    values = epoch_ns(aware).copy()
    values[rows] = epoch_ns(naive[rows].tz_localize(tz, ambiguous=seen.to_numpy() == 0))
    return pd.DatetimeIndex(values.view("M8[ns]")).tz_localize("UTC").tz_convert(tz)


def _numbers(table: _Table, column: str, *, required: bool, what: str, example: str) -> np.ndarray:
    raw = table.frame[column]
    numeric = pd.api.types.is_numeric_dtype(raw.dtype)
    values = (raw.astype(float) if numeric else pd.to_numeric(raw, errors="coerce")).to_numpy(float)
    empty = raw.isna().to_numpy()
    table.check(empty & required, column, f"missing {what}", f"write a number such as {example} (0 if none)")
    table.check(np.isnan(values) & ~empty, column, lambda i: f"{table.raw(column, i)} is not a number",
                f"write {what} as digits with '.' for decimals, e.g. {example}")
    table.check(np.isinf(values), column, lambda i: f"{what} must be finite, got {table.raw(column, i)}",
                f"write a number such as {example}")
    return values


def _infer_interval(table: _Table, sort: np.ndarray, steps: np.ndarray, same: np.ndarray) -> float:
    """The most common allowed step [s] between consecutive intervals of a channel (rows sorted by ``sort``)."""
    values, tally = np.unique(steps[same], return_counts=True)
    allowed = np.isin(values, np.asarray(INTERVALS_S) * 1e9)
    if allowed.any():
        return float(values[allowed][np.argmax(tally[allowed])]) / 1e9
    if not same.any():
        raise InputError(f"{table.shown}: cannot infer the interval length: no channel has two intervals; "
                         "pass interval_s (e.g. interval_s=900 for 15 minutes)")
    where, common = np.zeros(len(sort), bool), values[np.argmax(tally)]
    where[sort[1:][same & (steps == common)]] = True
    previous = dict(zip(sort[1:], sort[:-1]))
    table.check(where, "interval_start", lambda i: f"cannot infer the interval length: a channel's intervals are "
                f"mostly {common / 6e10:g} min apart (this line follows line {table.lines[previous[i]]})",
                "intervals must be 5, 15, 30 or 60 minutes; check the export's granularity or pass interval_s")


def read_history(path, *, tz: str | None = None, interval_s: float | None = None) -> pd.DataFrame:
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
        Expected interval length [s] (300, 900, 1800 or 3600); inferred from the most common
        step between a channel's intervals when not given.

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
    table = _read_table(path, required=HISTORY_REQUIRED, optional=HISTORY_OPTIONAL,
                        text_columns=("interval_start", "channel"), what="channel and interval")
    frame, n = table.frame, len(table.frame)
    if n == 0:
        raise InputError(f"{table.shown}:2: no data rows; add one row per channel and interval below the header")
    codes, uniques = pd.factorize(frame["channel"])
    names = pd.Index(uniques, dtype=object).astype(str).str.strip()
    table.check(np.append(np.asarray(names == ""), True)[codes], "channel", "missing channel name",
                "write the channel, e.g. phone")
    order, names = pd.factorize(names, sort=True)
    channel = order[codes]  # channel codes in name order
    naive, utc, offset, _ = _parse_times(table, "interval_start", allow_mixed=False)
    counts = {c: _numbers(table, c, required=c == "offered", what="contacts" if c != "aht_s" else "seconds",
                          example="12" if c != "aht_s" else "185.5")
              for c in HISTORY_COLUMNS[2:] if c in frame}
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
        times = _localize(table, "interval_start", naive, tz, channel)
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
    if interval_s is None:
        interval_s = _infer_interval(table, sort, np.diff(ts), same)
    interval_s = float(interval_s)
    off_grid = epoch_ns(times.tz_localize(None)) % int(interval_s * 1e9) != 0  # on the local wall clock
    table.check(off_grid, "interval_start", lambda i: f"{table.raw('interval_start', i)} is not on the "
                f"{describe_interval(interval_s)} grid", f"interval starts are whole multiples of "
                f"{interval_s / 60:g} minutes past the hour with 0 seconds; fix the time or pass interval_s")
    out = pd.DataFrame({"interval_start": times[sort], "channel": np.asarray(names, dtype=object)[cs]})
    for column in HISTORY_COLUMNS[2:]:
        if column in counts:
            out[column] = counts[column][sort]
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


def _event_times(table: _Table, column: str, tz: str, *, end: bool) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Aware times of an event column (NaT where empty) and whether each was a date; a date end is +1 day."""
    n = len(table.frame)
    ns, is_date = np.full(n, np.iinfo(np.int64).min), np.zeros(n, bool)
    given = table.frame[column].notna().to_numpy() if column in table.frame else is_date
    if given.any():
        sub = _Table(table.shown, table.frame.loc[given, [column]].reset_index(drop=True), table.lines[given])
        naive, utc, offset, date = _parse_times(sub, column, allow_mixed=True, hint=_EVENT_HINT)
        naive = naive + pd.to_timedelta(date.astype(int) * end, unit="D")
        local = naive.tz_localize(tz, ambiguous=np.ones(len(naive), bool), nonexistent="shift_forward")
        ns[given] = np.where(offset, epoch_ns(utc), epoch_ns(local))
        is_date[given] = date
    return pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC").tz_convert(tz), is_date


def read_events(path, *, tz: str, channels=None) -> pd.DataFrame:
    """Read and check an events calendar file into the events frame (DESIGN.md section 5).

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
    table = _read_table(path, required=("kind", "start", "effect"), optional=("name", "end", "channel", "value"),
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
                f"{_suggest(str(effect[i]), EVENT_EFFECTS)}", f"use one of {', '.join(EVENT_EFFECTS)}")
    channel = text("channel", ALL_CHANNELS)
    if channels is not None:
        known = sorted(set(channels))
        table.check(~channel.isin([*known, ALL_CHANNELS]), "channel", lambda i: f"unknown channel {channel[i]!r}{_suggest(channel[i], known)}",
                    f"use * for every channel or one of {', '.join(known)}")
    value = _numbers(table, "value", required=False, what="value", example="1.25") if "value" in frame \
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
