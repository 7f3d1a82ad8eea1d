"""Reading ACD exports as they come: column names, queues, handle-time units and time formats.

An export from Genesys, NICE, Avaya, Five9 or Amazon Connect rarely matches the history format of
:func:`planner.io.read_history`: its columns have their own names (``Interval Start``,
``Offered``), it counts queues rather than channels, it gives the total handle time instead of
the average, and it writes dates the American or the European way. An :class:`ExportMapping` says
how to read such a file; :func:`planner.io.read_history` applies it, so every check (file, line,
column and the fix) still holds. In a scenario it is the ``[history]`` table::

    [history]
    path = "data/genesys_interval_export.csv"
    timezone = "America/New_York"            # zone of times without a UTC offset
    timestamp_format = "%m/%d/%Y %I:%M %p"   # strptime codes; or day_first = true / false
    [history.columns]                        # planner name = export column
    interval_start = "Interval Start"
    queue = "Queue"
    offered = "Offered"
    handled = "Handled"
    abandoned = "Abandoned"
    handle_time_total_s = "Total Handle Time"
    [history.queues]                         # queue -> channel; rows are summed per channel
    "Billing Voice" = "phone"
    "Web Chat" = "chat"

Columns the mapping does not name are ignored (and listed once). A channel built from several
queues gets ``aht_s`` = total handle time over total handled contacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.errors import InputError, PlannerWarning
from planner.schema import did_you_mean

__all__ = ["ExportMapping", "ExportInfo", "MAPPABLE", "HANDLE_TIME_UNITS"]

#: Planner names an export column may be mapped to.
MAPPABLE = ("interval_start", "channel", "queue", "offered", "handled", "abandoned", "aht_s", "handle_time_total_s")
#: Units of handle times in an export -> seconds per unit.
HANDLE_TIME_UNITS = {"s": 1.0, "ms": 0.001, "min": 60.0, "h": 3600.0}


class ExportInfo(PlannerWarning):
    """Information about an export as read: the columns no mapping names, which are left out."""


@dataclass(frozen=True, kw_only=True)
class ExportMapping:
    """How to read an export: ``columns`` (planner name -> export column), ``queues`` (queue -> channel).

    Parameters
    ----------
    columns : dict, optional
        Planner name (:data:`MAPPABLE`) -> the export's column (None: the planner's own names). ``interval_start``, ``offered`` and
        one of ``channel`` or ``queue`` are required; ``handle_time_total_s`` (total handle time of
        the interval's handled contacts [s, or ``handle_time_unit``]) needs ``handled``.
    queues : dict, optional
        Queue -> channel, for an export with a ``queue`` column; the rows of a channel's queues are
        summed per interval. A queue that is not listed is an error that lists them all.
    timestamp_format : str, optional
        ``strptime`` format of ``interval_start`` (``"%m/%d/%Y %I:%M %p"`` for ``07/01/2025 12:30 AM``).
    day_first : bool, optional
        Without a format: ``True`` reads ``01/07/2025`` as 1 July, ``False`` as 7 January.
    handle_time_unit : str
        Unit of the export's handle times: ``"s"`` (default), ``"ms"``, ``"min"`` or ``"h"``.

    Examples
    --------
    >>> mapping = ExportMapping(columns={"interval_start": "Interval Start", "queue": "Queue",
    ...     "offered": "Offered"}, queues={"Sales Voice": "phone", "Billing Voice": "phone"})
    >>> mapping.rename(["Interval Start", "Queue", "Offered", "Media Type"], shown="export.csv")
    ({'Interval Start': 'interval_start', 'Queue': 'queue', 'Offered': 'offered'}, ['Media Type'])
    """

    columns: dict | None = None
    queues: dict | None = None
    timestamp_format: str | None = None
    day_first: bool | None = None
    handle_time_unit: str = "s"
    where: str = field(default="history", compare=False)

    def __post_init__(self):
        where = self.where
        if self.columns is None:
            if self.queues is not None:
                raise InputError(f"{where}.queues: needs a queue column; add [{where}.columns] with queue = \"...\"")
            self._check_format()
            return
        if not isinstance(self.columns, dict) or not self.columns:
            raise InputError(f"{where}.columns: expected a table of planner name = export column, such as "
                             "{ interval_start = \"Interval Start\", offered = \"Offered\" }")
        for name, column in self.columns.items():
            if name not in MAPPABLE:
                raise InputError(f"{where}.columns.{name}: not a history column{did_you_mean(name, MAPPABLE)}; "
                                 f"map some of {', '.join(MAPPABLE)}")
            if not isinstance(column, str) or not column.strip():
                raise InputError(f"{where}.columns.{name}: expected the export's column name, got {column!r}")
        seen: dict = {}
        for name, column in self.columns.items():
            if column in seen:
                raise InputError(f"{where}.columns: {seen[column]} and {name} both name {column!r}; map it once")
            seen[column] = name
        for name in ("interval_start", "offered"):
            if name not in self.columns:
                raise InputError(f"{where}.columns.{name}: missing; name the export's column, e.g. "
                                 f"{name} = \"{'Interval Start' if name == 'interval_start' else 'Offered'}\"")
        if ("channel" in self.columns) == ("queue" in self.columns):
            raise InputError(f"{where}.columns: map exactly one of channel (a channel per row) or queue (queues "
                             f"summed into channels with [{where}.queues])")
        if "queue" in self.columns and not self.queues:
            raise InputError(f"{where}.queues: missing; list each queue's channel, e.g. \"Billing Voice\" = \"phone\"")
        if self.queues is not None and "queue" not in self.columns:
            raise InputError(f"{where}.queues: needs a queue column; add queue = \"<export column>\" to {where}.columns")
        for queue, channel in (self.queues or {}).items():
            if not isinstance(channel, str) or not channel.strip():
                raise InputError(f"{where}.queues.{queue}: expected a channel name, got {channel!r}")
        if "aht_s" in self.columns and "handle_time_total_s" in self.columns:
            raise InputError(f"{where}.columns: map aht_s or handle_time_total_s, not both")
        if "handle_time_total_s" in self.columns and "handled" not in self.columns:
            raise InputError(f"{where}.columns.handled: missing; the total handle time is divided by the handled "
                             "contacts to give aht_s")
        self._check_format()

    def _check_format(self) -> None:
        where = self.where
        if self.handle_time_unit not in HANDLE_TIME_UNITS:
            raise InputError(f"{where}.handle_time_unit: expected one of {', '.join(HANDLE_TIME_UNITS)}, "
                             f"got {self.handle_time_unit!r}")
        if self.timestamp_format is not None and (not isinstance(self.timestamp_format, str) or "%" not in self.timestamp_format):
            raise InputError(f"{where}.timestamp_format: expected strptime codes such as \"%m/%d/%Y %I:%M %p\", "
                             f"got {self.timestamp_format!r}")
        if self.day_first is not None and not isinstance(self.day_first, bool):
            raise InputError(f"{where}.day_first: expected true or false, got {self.day_first!r}")
        if self.day_first is not None and self.timestamp_format is not None:
            raise InputError(f"{where}: give timestamp_format or day_first, not both")

    def rename(self, header: list[str], *, shown: str) -> tuple[dict[str, str], list[str]]:
        """Export column -> planner name for the columns present, and the columns ignored (in file order)."""
        names = {column: name for name, column in self.columns.items()}
        missing = [column for column in names if column not in header]
        if missing:
            first = missing[0]
            raise InputError(f"{shown}:1: no column {first!r} (mapped to {names[first]} in {self.where}.columns)"
                             f"{did_you_mean(first, header)}; the header has: {', '.join(header)}")
        return {c: names[c] for c in header if c in names}, [c for c in header if c and c not in names]

    @property
    def text_columns(self) -> tuple[str, ...]:
        return ("interval_start", "channel", "queue")

    def seconds(self, values: np.ndarray) -> np.ndarray:
        """Handle times of the export in seconds."""
        return values * HANDLE_TIME_UNITS[self.handle_time_unit]


def parse_times(text: pd.Index, *, timestamp_format: str | None, day_first: bool | None) -> pd.DatetimeIndex:
    """Distinct time texts read with an explicit ``strptime`` format or day order (NaT where unreadable)."""
    if timestamp_format is not None:
        times = pd.to_datetime(text, format=timestamp_format, errors="coerce")
    else:
        times = pd.to_datetime(text, dayfirst=bool(day_first), errors="coerce", format="mixed")
    return pd.DatetimeIndex(times)


def sum_queues(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Sum the rows of one channel and instant (its queues): counts add, ``aht_s`` is weighted by handled.

    ``frame`` has ``interval_start, channel`` and the count columns, plus ``handle_time_total_s``
    (total handle time [s]) where known; returns the history columns in the same order.
    """
    work = frame.copy()
    if "aht_s" in work and "handled" in work and "handle_time_total_s" not in work:
        work["handle_time_total_s"] = work["aht_s"] * work["handled"]
    sums = [c for c in (*columns, "handle_time_total_s") if c in work and c not in ("aht_s",)]
    grouped = work.groupby(["channel", "interval_start"], sort=True)[sums].sum(min_count=1).reset_index()
    if "handle_time_total_s" in grouped:
        with np.errstate(divide="ignore", invalid="ignore"):
            handled = grouped["handled"].to_numpy(float)
            grouped["aht_s"] = np.where(handled > 0, grouped["handle_time_total_s"].to_numpy(float) / handled, np.nan)
    keep = ["interval_start", "channel", *[c for c in columns if c in grouped]]
    return grouped[keep]
