"""Tables in the shape a planner reads: days x channels, and one day's intervals x channels.

- :func:`fte_by_period`: daily or weekly FTE with one row per day (``Mon 2026-07-06``) or week and one
  column per channel, plus a ``Total`` column (all channels) and a ``Total`` row (the sum over the
  periods: FTE-days or FTE-weeks, the paid days or weeks of work the plan needs);
- :func:`interval_view`: the whole-agent requirement of every interval of one day, per channel and in
  total (net, and gross after shrinkage), times in local time with their UTC offset (a DST day shows
  its repeated or missing hour unambiguously);
- :func:`busiest_days`: the day of each week with the most required agent-hours (all channels).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from planner.errors import InputError

__all__ = ["fte_by_period", "interval_view", "interval_views", "busiest_days", "day_label"]


def day_label(day) -> str:
    """``Mon 2026-07-06``.

    >>> day_label("2026-07-06")
    'Mon 2026-07-06'
    """
    return pd.Timestamp(day).strftime("%a %Y-%m-%d")


def fte_by_period(rollup: pd.DataFrame, *, value: str = "fte_gross", by: str = "day") -> pd.DataFrame:
    """Days (or weeks) x channels of ``value`` from a roll-up, with totals; the first column names the period.

    >>> d = pd.DataFrame({"period": ["2026-07-06", "2026-07-06", "2026-07-07"], "channel": ["chat", "phone", "phone"],
    ...                   "fte_gross": [10.0, 20.0, 22.0]})
    >>> fte_by_period(d).values.tolist()
    [['Mon 2026-07-06', 10.0, 20.0, 30.0], ['Tue 2026-07-07', 0.0, 22.0, 22.0], ['Total', 10.0, 42.0, 52.0]]
    """
    table = rollup.pivot_table(index="period", columns="channel", values=value, aggfunc="sum", sort=True)
    table = table.fillna(0.0)
    table.columns = [str(c) for c in table.columns]
    table["Total"] = table.sum(axis=1)
    labels = [day_label(p) if by == "day" else f"week of {day_label(p)}" for p in table.index]
    out = table.reset_index(drop=True)
    out.insert(0, "day" if by == "day" else "week", labels)
    total = out.iloc[:, 1:].sum().to_frame().T
    total.insert(0, out.columns[0], "Total")
    return pd.concat([out, total], ignore_index=True)


def _day(plan: pd.DataFrame, day) -> pd.DataFrame:
    try:
        wanted = pd.Timestamp(day).date()
    except (ValueError, TypeError):
        raise InputError(f"--day {day}: expected a date such as 2026-07-07") from None
    local = plan["interval_start"].dt.date
    rows = plan[local == wanted]
    if rows.empty:
        first, last = plan["interval_start"].min(), plan["interval_start"].max()
        raise InputError(f"--day {day}: not in the plan, which runs from {first:%Y-%m-%d} to {last:%Y-%m-%d}; "
                         "choose a day inside it")
    return rows.drop_duplicates(["interval_start", "channel"]) if "segment" in rows else rows


def interval_view(plan: pd.DataFrame, day: str | dt.date) -> pd.DataFrame:
    """Whole agents per interval of ``day`` (local calendar day), one column per channel, plus totals.

    Columns: ``interval_start`` (``HH:MM+hh:mm``), one per channel (net agents; empty when closed),
    ``Total`` (net) and ``Total gross`` (after each channel's shrinkage). Raises
    :class:`~planner.errors.InputError` for a day outside the plan.

    >>> starts = pd.date_range("2026-10-25 00:00", periods=4, freq="30min", tz="UTC").tz_convert("Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "agents": [2, 3, 4, 5], "shrinkage": 0.5})
    >>> interval_view(plan, "2026-10-25")["interval_start"].tolist()  # clocks go back at 02:00 BST: 01:00 twice
    ['01:00+01:00', '01:30+01:00', '01:00+00:00', '01:30+00:00']
    >>> interval_view(plan, "2026-10-25")[["phone", "Total gross"]].to_numpy(float)[:, 1].tolist()
    [4.0, 6.0, 8.0, 10.0]
    """
    rows = _day(plan, day)
    table = rows.pivot_table(index="interval_start", columns="channel", values="agents", aggfunc="sum", sort=True)
    table.columns = [str(c) for c in table.columns]
    gross = (rows["agents"] / (1.0 - rows["shrinkage"])).groupby(rows["interval_start"]).sum()
    table = table.astype("Int64")
    table["Total"] = rows.groupby("interval_start")["agents"].sum().astype("Int64")
    table["Total gross"] = gross.round(1)
    stamps = table.index
    labels = [f"{t:%H:%M}{t:%z}"[:-2] + ":" + f"{t:%z}"[-2:] for t in stamps]
    out = table.reset_index(drop=True)
    out.insert(0, "interval_start", labels)
    return out


def interval_views(plan: pd.DataFrame) -> dict[dt.date, pd.DataFrame]:
    """:func:`interval_view` of every day of the plan (local calendar days, in order), from one pivot.

    >>> starts = pd.date_range("2026-07-06 09:00", periods=3, freq="12h", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "agents": [2, 3, 4], "shrinkage": 0.5})
    >>> {str(day): view["Total"].tolist() for day, view in interval_views(plan).items()}
    {'2026-07-06': [2, 3], '2026-07-07': [4]}
    """
    rows = plan.drop_duplicates(["interval_start", "channel"]) if "segment" in plan else plan
    table = rows.pivot_table(index="interval_start", columns="channel", values="agents", aggfunc="sum", sort=True)
    table.columns = [str(c) for c in table.columns]
    gross = (rows["agents"] / (1.0 - rows["shrinkage"])).groupby(rows["interval_start"]).sum()
    table = table.astype("Int64")
    table["Total"] = rows.groupby("interval_start")["agents"].sum().astype("Int64")
    table["Total gross"] = gross.round(1)
    stamps = table.index
    offsets = [f"{t:%z}" for t in stamps]
    labels = [f"{t:%H:%M}{z[:-2]}:{z[-2:]}" for t, z in zip(stamps, offsets)]
    days = [t.date() for t in stamps]
    out = table.reset_index(drop=True)
    out.insert(0, "interval_start", labels)
    views = {}
    for day, part in out.groupby(pd.Series(days), sort=True):
        part = part.reset_index(drop=True)
        channels = [c for c in part.columns[1:-2] if part[c].notna().any()]  # channels with rows that day
        views[day] = part[["interval_start", *channels, "Total", "Total gross"]]
    return views


def busiest_days(plan: pd.DataFrame, *, interval_s: float) -> list[dt.date]:
    """The day of each week (Monday to Sunday) with the most required agent-hours over all channels.

    >>> starts = pd.date_range("2026-07-06 09:00", periods=3, freq="D", tz="UTC")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "agents_fractional": [1.0, 5.0, 2.0]})
    >>> [str(d) for d in busiest_days(plan, interval_s=900)]
    ['2026-07-07']
    """
    frame = plan.drop_duplicates(["interval_start", "channel"]) if "segment" in plan else plan
    local = frame["interval_start"].dt.tz_localize(None)
    hours = (frame["agents_fractional"] * interval_s / 3600.0).groupby(local.dt.normalize()).sum()
    weeks = hours.index.to_period("W-SUN")
    return [ts.date() for ts in hours.groupby(weeks).idxmax().tolist()]
