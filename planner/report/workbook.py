"""``plan.xlsx``: the run's tables as a workbook planners can use, written by a streaming writer.

Every sheet has its header row frozen (and its first column, when that names the row), a filter on
the header, column widths that fit the header and the values, and number formats by column: percent
for shares (``service_level``, ``abandon_rate``, ``occupancy``, ``shrinkage``...), whole numbers for
``agents``, one decimal for FTE, hours and volumes, seconds for ``*_s``. Times are Excel date-times in
the contact center's local time, each followed by a ``utc_offset`` column (``+01:00``), so the two
01:00 hours of a DST fall-back day are told apart; local time + offset is the CSV's timestamp. The
first sheet is the summary.

Why ``xlsxwriter`` (a core dependency) rather than openpyxl through ``pandas.to_excel``: it streams
rows to disk in ``constant_memory`` mode (memory does not grow with the plan), writes about ten times
faster, and sets formats, widths, frozen panes and filters as it goes; openpyxl is still what reads
workbooks (inputs, tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["write_workbook", "column_format", "split_settings"]

PERCENT = re.compile(r"(service_level|_rate$|^occupancy$|^shrinkage$|^p_|within_deadline|overhead|confidence$|"
                     r"penetration|_share$|^service_quantile$|rate_margin)")
FORMATS = {"percent": "0.0%", "integer": "#,##0", "decimal": "#,##0.0", "seconds": "#,##0.0",
           "datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd ddd", "general": "General", "points": "+0.0;-0.0;0.0"}
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def column_format(name: str, dtype) -> str:
    """The kind of number format of a column, from its name and dtype.

    >>> [column_format(c, "float64") for c in ("service_level", "agents", "fte_gross", "asa_s", "gap_pts")]
    ['percent', 'integer', 'decimal', 'seconds', 'points']
    """
    name = str(name)
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return "general"
    if name == "gap_pts":
        return "points"
    if PERCENT.search(name) and not name.startswith("target_") or name == "target_service_level":
        return "percent"
    if name.endswith("_s"):
        return "seconds"
    if pd.api.types.is_integer_dtype(dtype) or name in ("agents", "peak_agents", "at_risk", "backlog_agents"):
        return "integer"
    return "decimal"


def _numbers(series: pd.Series) -> list:
    """Floats as a list, with None (a blank cell) for NaN and infinities."""
    array = series.to_numpy(dtype=float, na_value=np.nan)
    values = array.tolist()
    for i in np.flatnonzero(~np.isfinite(array)):
        values[i] = None
    return values


def _columns(frame: pd.DataFrame) -> list[tuple[str, str, list]]:
    """``(header, format kind, values)`` per output column; NaN becomes None (a blank cell)."""
    out = []
    for name in frame.columns:
        series = frame[name]
        kind = column_format(name, series.dtype)
        if kind == "datetime":
            stamps = series if isinstance(series.dtype, pd.DatetimeTZDtype) else series.dt.tz_localize(None)
            local = stamps.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else stamps
            serial = ((local - EXCEL_EPOCH) / pd.Timedelta(days=1)).astype(float)
            out.append((str(name), kind, _numbers(serial)))
            if isinstance(series.dtype, pd.DatetimeTZDtype):
                offset = series.dt.strftime("%z").str.replace(r"(\d\d)$", r":\1", regex=True)
                out.append(("utc_offset", "general", offset.where(series.notna(), None).tolist()))
            continue
        if kind == "general":
            values = series.astype(object).where(series.notna(), None)
            values = [v if v is None or isinstance(v, (bool, int, float, str)) else str(v) for v in values.tolist()]
        else:
            values = _numbers(pd.to_numeric(series, errors="coerce"))
        out.append((str(name), kind, values))
    return out


def _width(header: str, values: list, kind: str) -> float:
    sample = [v for v in values[:500] if v is not None]
    if kind == "datetime":
        longest = 16
    elif kind == "general":
        longest = max((len(str(v)) for v in sample), default=0)
    else:
        longest = max((len(f"{v:,.1f}") for v in sample), default=0) + (1 if kind == "percent" else 0)
        longest = min(longest, 14)
    return float(min(max(len(header), longest) + 2, 60))


def _sheet(book, name: str, frame: pd.DataFrame, formats: dict, header) -> None:
    sheet = book.add_worksheet(name[:31])
    columns = _columns(frame)
    for c, (title, kind, values) in enumerate(columns):
        sheet.set_column(c, c, _width(title, values, kind))
        sheet.write_string(0, c, title, header)
    first_names_row = bool(columns) and columns[0][1] == "general"
    sheet.freeze_panes(1, 1 if first_names_row else 0)
    if columns and len(frame):
        sheet.autofilter(0, 0, len(frame), len(columns) - 1)
    cells = [(c, formats[kind], values) for c, (_, kind, values) in enumerate(columns)]
    number, string, boolean = sheet.write_number, sheet.write_string, sheet.write_boolean
    for r in range(len(frame)):  # constant_memory: rows must be written in order, each row whole
        row = r + 1
        for c, style, values in cells:
            v = values[r]
            if v is None:
                continue
            if isinstance(v, bool):
                boolean(row, c, v, style)
            elif isinstance(v, (int, float)):
                number(row, c, v, style)
            else:
                string(row, c, v, style)


def split_settings(plan: pd.DataFrame, *, keys: tuple[str, ...] = ("channel",)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan's columns that vary within a channel, and one row per channel of those that do not.

    A channel's settings (``target_service_level``, ``threshold_s``, ``shrinkage``...) repeat on each
    of its thousands of rows: the workbook gives them a sheet of their own, one row per channel (the
    CSV keeps every column).

    >>> plan = pd.DataFrame({"channel": ["a", "a", "b"], "agents": [1, 2, 3], "shrinkage": [0.3, 0.3, 0.2]})
    >>> varying, settings = split_settings(plan)
    >>> list(varying.columns), settings.values.tolist()
    (['channel', 'agents'], [['a', 0.3], ['b', 0.2]])
    """
    keys = [k for k in keys if k in plan.columns]
    if not keys or plan.empty:
        return plan, pd.DataFrame()
    others = [c for c in plan.columns if c not in keys and c != "interval_start"]
    counts = plan.groupby(keys, sort=True)[others].nunique(dropna=False)
    constant = [c for c in others if (counts[c] <= 1).all()]
    settings = plan.groupby(keys, sort=True)[constant].first().reset_index() if constant else pd.DataFrame()
    return plan.drop(columns=constant), settings


def write_workbook(path: str | Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write ``tables`` (sheet name -> frame, in order; the summary first) as a formatted workbook.

    >>> import tempfile, openpyxl
    >>> starts = pd.date_range("2026-10-25 00:00", periods=3, freq="30min", tz="UTC").tz_convert("Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "agents": [3, 4, 5],
    ...                      "service_level": [0.81, 0.9, float("nan")]})
    >>> path = write_workbook(Path(tempfile.mkdtemp()) / "plan.xlsx", {"plan": plan})
    >>> sheet = openpyxl.load_workbook(path)["plan"]
    >>> [c.value for c in sheet[1]], sheet.freeze_panes, sheet["D2"].number_format
    (['interval_start', 'utc_offset', 'channel', 'agents', 'service_level'], 'A2', '#,##0')
    >>> [(str(sheet.cell(r, 1).value), sheet.cell(r, 2).value) for r in (3, 4)]  # 01:30 BST, then 01:00 GMT
    [('2026-10-25 01:30:00', '+01:00'), ('2026-10-25 01:00:00', '+00:00')]
    """
    import xlsxwriter  # imported when a workbook is written (the report imports this module)

    path = Path(path)
    with xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False}) as book:
        formats = {kind: book.add_format({"num_format": code}) for kind, code in FORMATS.items()}
        header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "bottom": 1})
        for name, frame in tables.items():
            _sheet(book, name, frame, formats, header)
    return path
