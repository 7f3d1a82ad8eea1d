"""Local wall-clock time in DuckDB SQL without a per-row time-zone conversion (for :mod:`planner.contacts.duck`).

A zone's UTC offset over a log's time range is a few pieces (two changes a year), read from the
time-zone database pandas uses; ``arrived_us + offset`` is then the local clock of every contact,
and intervals, days, weeks and months are integer arithmetic on it (docs/design.md section 9).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def offset_us(tz: str, second: int) -> int:
    """UTC offset [us] of zone ``tz`` at the instant ``second`` [s since the epoch]."""
    return int(pd.Timestamp(second, unit="s", tz="UTC").tz_convert(tz).utcoffset() // pd.Timedelta(microseconds=1))


def zone_pieces(tz: str, first_us: int, last_us: int) -> list[tuple[int, int]]:
    """The zone's UTC offset over [first_us, last_us] as pieces ``(from UTC us, offset us)``, the first from -inf.

    Offsets are read hourly from the time-zone database (as pandas converts), and each change is
    bisected to its exact second (tzdata changes on whole seconds), so ``arrived_us + offset`` is the
    local wall clock of every contact without a per-row zone conversion.
    """
    hour = 3_600_000_000
    hours = np.arange(first_us // hour - 1, last_us // hour + 2, dtype=np.int64) * 3600
    utc = pd.DatetimeIndex(hours * 10**9).tz_localize("UTC")
    offsets = (utc.tz_convert(tz).tz_localize(None).asi8 - utc.tz_localize(None).asi8) // 1000
    pieces = [(None, int(offsets[0]))]
    for i in np.flatnonzero(offsets[1:] != offsets[:-1]) + 1:
        before, after = int(hours[i - 1]), int(hours[i])  # the offset changes in (before, after]
        while after - before > 1:
            middle = (before + after) // 2
            before, after = (middle, after) if offset_us(tz, middle) == offsets[i - 1] else (before, middle)
        pieces.append((after * 1_000_000, int(offsets[i])))
    return pieces


def offset_sql(pieces: list[tuple[int, int]]) -> str:
    """SQL: the UTC offset [us] at ``arrived_us`` from :func:`_zone_pieces` (a balanced tree of CASEs)."""
    if len(pieces) == 1:
        return str(pieces[0][1])
    middle = len(pieces) // 2
    return (f"(CASE WHEN arrived_us < {pieces[middle][0]} THEN {offset_sql(pieces[:middle])} "
            f"ELSE {offset_sql(pieces[middle:])} END)")


DAY_US = 86_400_000_000


def floor_sql(value: str, step_us: int) -> str:
    """SQL: ``value`` floored to a multiple of ``step_us`` (also before 1970: DuckDB's ``%`` truncates)."""
    return f"({value} - ((({value}) % {step_us}) + {step_us}) % {step_us})"


def slot_sql(interval_s: float, arrived: str = "arrived_us", offset: str | None = None) -> str:
    """SQL: start [UTC us] of the local wall-clock step holding the arrival (as :func:`local_floor_ns`).

    ``offset``: an SQL offset [us] to use instead of the zone's (any with the same remainder by the step).
    """
    step = int(interval_s * 1e6)
    local = "local_us" if offset is None else f"({arrived} + {offset})"
    return f"({arrived} - ((({local} % {step}) + {step}) % {step}))"


def residue(pieces, interval_s: float) -> int | None:
    """The one remainder [us] of the zone's offsets by the step (then the step of an arrival needs no
    offset pieces: the UTC time shifted by it floors the same), or None when the offsets differ by it."""
    step = int(interval_s * 1e6)
    left = {offset % step for _, offset in pieces}
    return left.pop() if len(left) == 1 else None


def now_us() -> int:
    return pd.Timestamp.now(tz="UTC").value // 1000


def period_sql(by: str, interval_s: float) -> str:
    """SQL: the period key of a contact: UTC us for intervals, the local wall-clock start [us] otherwise."""
    if by == "interval":
        return slot_sql(interval_s)
    if by == "day":
        return floor_sql("local_us", DAY_US)
    if by == "week":  # days since the epoch back to Monday (1970-01-01 was a Thursday)
        return f"({floor_sql('local_us', DAY_US)} - ((((local_us // {DAY_US}) + 3) % 7 + 7) % 7) * {DAY_US})"
    if by == "month":
        return "epoch_us(date_trunc('month', make_timestamp(local_us)))"
    return "CAST(NULL AS BIGINT)"


def end_us_of(end, tz: str) -> int:
    """A time (naive: local in ``tz``) as UTC microseconds."""
    end = pd.Timestamp(end)
    end = end.tz_localize(tz) if end.tz is None else end
    return int(end.value // 1000)
