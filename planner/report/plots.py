"""Plots of forecasts and plans, as matplotlib Figures (object API: no pyplot, no global state)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["forecast_figure", "staffing_heatmap", "daily_fte_figure"]

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _with_gaps(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Insert a blank row after every interval followed by a closed gap, so lines break there."""
    frame = frame.sort_values("interval_start")
    steps = frame["interval_start"].diff()
    step = steps.min() if len(frame) > 1 else pd.Timedelta(0)
    starts = frame["interval_start"][steps > step] - step / 2
    if starts.empty:
        return frame
    blanks = pd.DataFrame({"interval_start": starts.to_numpy(), **{c: np.nan for c in columns}})
    return pd.concat([frame[["interval_start", *columns]], blanks]).sort_values("interval_start")


def forecast_figure(forecast: pd.DataFrame, history: pd.DataFrame | None = None, *, channel: str,
                    history_days: int = 14) -> Figure:
    """Forecast of one channel with its prediction band, against the last ``history_days`` of history.

    >>> starts = pd.date_range("2026-07-06", periods=8, freq="15min", tz="UTC")
    >>> f = pd.DataFrame({"interval_start": starts, "channel": "phone", "offered": 10.0,
    ...                   "offered_lo": 8.0, "offered_hi": 12.0})
    >>> forecast_figure(f, channel="phone").axes[0].get_title()
    'phone: offered per interval'
    """
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    ax = fig.add_subplot()
    f = forecast[forecast["channel"] == channel]
    band = [c for c in ("offered_lo", "offered_hi") if c in f.columns]
    f = _with_gaps(f, ["offered", *band])
    if history is not None:
        h = history[history["channel"] == channel]
        if not h.empty:
            cut = h["interval_start"].max() - pd.Timedelta(days=history_days)
            h = _with_gaps(h[h["interval_start"] > cut], ["offered"])
            ax.plot(h["interval_start"], h["offered"], color="0.45", lw=0.8, label="history")
    if {"offered_lo", "offered_hi"} <= set(f.columns):
        level = forecast.attrs.get("level")
        label = f"{level:.0%} interval" if isinstance(level, float) else "prediction interval"
        ax.fill_between(f["interval_start"], f["offered_lo"], f["offered_hi"], color="tab:blue", alpha=0.25,
                        lw=0, label=label)
    ax.plot(f["interval_start"], f["offered"], color="tab:blue", lw=1.0, label="forecast")
    ax.set_title(f"{channel}: offered per interval")
    ax.set_ylabel("contacts per interval")
    ax.legend(loc="upper left", frameon=False, ncols=3)
    ax.grid(alpha=0.3)
    return fig


def staffing_heatmap(plan: pd.DataFrame, *, channel: str, value: str = "agents") -> Figure:
    """Mean ``value`` (net agents by default) by weekday x time of day for one channel.

    >>> starts = pd.date_range("2026-07-06 08:00", periods=8, freq="15min", tz="Europe/London")
    >>> p = pd.DataFrame({"interval_start": starts, "channel": "chat", "agents": np.arange(8)})
    >>> staffing_heatmap(p, channel="chat").axes[0].get_ylabel()
    'weekday'
    """
    rows = plan[plan["channel"] == channel]
    local = rows["interval_start"]
    table = (
        rows.assign(weekday=local.dt.day_of_week, slot=local.dt.strftime("%H:%M"))
        .pivot_table(index="weekday", columns="slot", values=value, aggfunc="mean")
        .reindex(range(7))
    )
    fig = Figure(figsize=(11, 3.2), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(np.ma.masked_invalid(table.to_numpy(float)), aspect="auto", cmap="viridis",
                      interpolation="nearest")
    ax.set_yticks(range(7), WEEKDAYS)
    step = max(1, len(table.columns) // 12)
    ax.set_xticks(range(0, len(table.columns), step), table.columns[::step])
    ax.set_ylabel("weekday")
    ax.set_xlabel("interval start (local time)")
    ax.set_title(f"{channel}: mean required {value.replace('_', ' ')} (blank = closed)")
    fig.colorbar(image, ax=ax, label=value.replace("_", " "))
    return fig


def daily_fte_figure(daily: pd.DataFrame, *, value: str = "fte_gross") -> Figure:
    """Stacked bars of daily FTE by channel (gross, after shrinkage, by default).

    >>> d = pd.DataFrame({"period": ["2026-07-06", "2026-07-06"], "channel": ["chat", "phone"],
    ...                   "fte_gross": [10.0, 20.0]})
    >>> len(daily_fte_figure(d).axes[0].patches)
    2
    """
    table = daily.pivot_table(index="period", columns="channel", values=value, aggfunc="sum").fillna(0.0)
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    ax = fig.add_subplot()
    bottom = np.zeros(len(table))
    labels = [str(p) for p in table.index]
    for channel in table.columns:
        ax.bar(labels, table[channel], bottom=bottom, label=channel)
        bottom += table[channel].to_numpy()
    ax.set_ylabel("FTE (gross)" if value == "fte_gross" else value)
    ax.set_title("Required FTE per day")
    fig.legend(loc="outside upper right", frameon=False, ncols=len(table.columns))
    step = max(1, len(labels) // 14)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right")
    ax.grid(axis="y", alpha=0.3)
    return fig
