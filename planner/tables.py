"""Tables read from files and checked row by row: the ``file:line:column: problem; fix`` machinery.

:func:`read_table` reads CSV (maybe compressed), Excel or Parquet into a frame of text and numbers
with each row's line number, refusing unknown, repeated or missing columns; :class:`Table` raises
the first bad row of a vectorised check as one :class:`~planner.errors.InputError` line;
:func:`parse_times`, :func:`localize` and :func:`numbers` read time stamps and numbers with the
same errors. :mod:`planner.io` (history, events) and :mod:`planner.contacts` (contact logs) build
on them, so every reader speaks the same way.
"""

from __future__ import annotations

import bz2
import csv
import difflib
import gzip
import lzma
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.exports import parse_times as export_times
from planner.schema import epoch_ns, iso_wall_times

__all__ = ["Table", "read_table", "parse_times", "localize", "numbers", "suggest", "ISO_HINT"]

#: Exact float parsing: pandas 3 does it by default (and deprecates the argument); pandas 2 needs it asked for.
_ROUND_TRIP = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}

_OFFSET = r"[T ]\d{2}:\d{2}.*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"
_DATE = r"\d{4}-\d{2}-\d{2}"
ISO_HINT = "write ISO 8601 such as 2026-03-29 09:15 or 2026-03-29T09:15:00+01:00"


@dataclass
class Table:
    """A file's rows (in file order, blank lines dropped) and the line number of each row."""

    shown: str
    frame: pd.DataFrame
    lines: np.ndarray
    ignored: list = field(default_factory=list)  # export columns no mapping names

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


def suggest(word: str, options) -> str:
    lower = {str(option).lower(): option for option in options}
    close = difflib.get_close_matches(str(word).lower(), list(lower), n=1, cutoff=0.6)
    return f" (did you mean {lower[close[0]]!r}?)" if close else ""


def read_table(path, *, required, optional, text_columns, what: str, mapping=None, extra: str = "error") -> Table:
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
        ignored: list[str] = []
        for position, name in enumerate(names):
            if name and name not in known and mapping is None and extra == "error":
                raise InputError(f"{shown}:1:{name}: unknown column{suggest(name, known)}; expected "
                                 f"{', '.join(required)} and optionally {', '.join(optional)}")
            if name and name in names[:position]:
                raise InputError(f"{shown}:1:{name}: the column appears twice; keep one")
        if mapping is not None:  # an export: its columns under planner names, the others left out
            rename, ignored = mapping.rename(names, shown=shown)
            names = [rename.get(name, "") for name in names]
        elif extra == "ignore":
            ignored = [name for name in names if name and name not in known]
            names = [name if name in known else "" for name in names]
        for name in required:
            if name not in names:
                raise InputError(f"{shown}:1: missing required column {name!r}; the header must name "
                                 f"{', '.join(required)} (optionally {', '.join(optional)})")
        if csv_file:
            used = [i for i, name in enumerate(names) if name] if ignored else None
            frame = pd.read_csv(file, dtype={h: str for h, n in zip(header, names) if n in text_columns},
                                keep_default_na=False, na_values=[""], skip_blank_lines=False, usecols=used,
                                encoding="utf-8-sig", **_ROUND_TRIP)
            if used is not None:
                names = [names[i] for i in used]
        elif ignored:
            frame = frame.iloc[:, [i for i, name in enumerate(names) if name]]
            names = [name for name in names if name]
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError(f"{shown}: not UTF-8 text; save it as 'CSV UTF-8'") from None
    except (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile) as error:
        raise InputError(f"{shown}: the file is truncated or corrupt ({type(error).__name__}: {error}); export or "
                         "copy it again") from None
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
    return Table(shown, frame, lines, ignored)


def parse_times(table: Table, column: str, *, allow_mixed: bool, hint: str = ISO_HINT, mapping=None):
    """Return (naive wall times, UTC-aware times, has_offset, is_date) per row; NaT where not that kind."""
    raw = table.frame[column]
    table.check(raw.isna().to_numpy(), column, "missing date and time", hint)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values, n = pd.DatetimeIndex(raw).as_unit("ns"), len(raw)
        nat = pd.DatetimeIndex(np.full(n, np.datetime64("NaT", "ns")))
        if values.tz is not None:
            return nat, values.tz_convert("UTC"), np.ones(n, bool), np.zeros(n, bool)
        return values, nat.tz_localize("UTC"), np.zeros(n, bool), np.zeros(n, bool)
    told = mapping is not None and (mapping.timestamp_format is not None or mapping.day_first is not None)
    if told:
        return _told_times(table, column, mapping)
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
    if mapping is not None and bad.any() and text[bad].str.match(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}").any():
        hint = ("dates such as 07/01/2025 are month-first in some exports and day-first in others: say which with "
                "timestamp_format = \"%m/%d/%Y %I:%M %p\" (strptime codes) or day_first = true/false in the "
                "[history] table (read_history(..., timestamp_format=...))")
    table.check(bad[codes], column, lambda i: f"cannot read {table.raw(column, i)} as a date and time", hint)
    return (pd.DatetimeIndex(local.take(codes)).as_unit("ns"), pd.DatetimeIndex(utc.take(codes)).as_unit("ns"),
            offset[codes], is_date[codes])


def _told_times(table: Table, column: str, mapping):
    """(naive, UTC, has_offset, is_date) for times read with the export's format or day order."""
    raw = table.frame[column]
    codes, uniques = pd.factorize(raw)
    text = pd.Index(uniques, dtype=object).astype(str).str.strip()
    parsed = export_times(text, timestamp_format=mapping.timestamp_format, day_first=mapping.day_first)
    how = (f"timestamp_format {mapping.timestamp_format!r}" if mapping.timestamp_format is not None
           else f"day_first = {str(mapping.day_first).lower()}")
    table.check(np.asarray(parsed.isna())[codes], column, lambda i: f"cannot read {table.raw(column, i)} with {how}",
                "fix the time or the format (strptime codes: %m month, %d day, %Y year, %H or %I hour, %p AM/PM)")
    n, no = len(raw), np.zeros(len(raw), bool)
    nat = pd.DatetimeIndex(np.full(n, np.datetime64("NaT", "ns")))
    if parsed.tz is not None:
        return nat, parsed.tz_convert("UTC").as_unit("ns").take(codes), np.ones(n, bool), no
    return parsed.as_unit("ns").take(codes), nat.tz_localize("UTC"), no, no


def localize(table: Table, column: str, naive: pd.DatetimeIndex, tz: str, groups: np.ndarray):
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


def numbers(table: Table, column: str, *, required: bool, what: str, example: str) -> np.ndarray:
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


