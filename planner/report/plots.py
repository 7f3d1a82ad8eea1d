"""Plots of forecasts and plans, as matplotlib Figures (object API: no pyplot, no global state)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DateFormatter
from matplotlib.figure import Figure

__all__ = ["forecast_figure", "staffing_heatmap", "daily_fte_figure", "forecast_grid", "heatmap_grid", "channel_colours",
           "interval_label"]

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
#: Above this many channels the daily FTE legend moves beside the plot, in columns, and the forecasts
#: and heatmaps are small multiples (one figure each, :func:`forecast_grid`, :func:`heatmap_grid`).
MANY = 10
#: Panels per row of the small multiples.
GRID_COLUMNS = 4


def channel_colours(n: int) -> list[tuple]:
    """``n`` distinct colours: tab10 up to 10 channels, then tab20, tab20b and tab20c (60 in all).

    >>> len(set(channel_colours(40)))
    40
    """
    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    pool = [colormaps[name](i) for name in ("tab20", "tab20b", "tab20c") for i in range(20)]
    return [pool[i % len(pool)] for i in range(n)]


def interval_label(frame: pd.DataFrame) -> str:
    """The interval length of a frame's ``interval_start``, for axis labels: ``15-min``.

    >>> interval_label(pd.DataFrame({"interval_start": pd.date_range("2026-07-06", periods=3, freq="30min")}))
    '30-min'
    """
    attrs = frame.attrs.get("interval_s")
    steps = pd.Series(frame["interval_start"].unique()).sort_values().diff().dropna()
    seconds = attrs or (steps[steps > pd.Timedelta(0)].min().total_seconds() if len(steps) else 0)
    if not seconds or pd.isna(seconds):
        return "per"
    return f"{seconds / 60:g}-min" if seconds < 3600 else f"{seconds / 3600:g}-hour"


def _date_axis(ax) -> None:
    """Dates that never overlap: a locator that picks few ticks and a concise formatter."""
    locator = AutoDateLocator(minticks=3, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))


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
    >>> ax = forecast_figure(f, channel="phone").axes[0]
    >>> ax.get_title(), ax.get_ylabel()
    ('phone: offered per 15-min interval', 'contacts per 15-min interval')
    """
    per = interval_label(forecast[forecast["channel"] == channel])
    fig = Figure(figsize=(11, 3.6))  # fixed margins: a constrained layout costs a third of the drawing
    ax = fig.add_axes((0.065, 0.09, 0.925, 0.83))
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
    ax.set_title(f"{channel}: offered per {per} interval")
    ax.set_ylabel(f"contacts per {per} interval")
    ax.legend(loc="upper left", frameon=False, ncols=3)
    ax.grid(alpha=0.3)
    _date_axis(ax)
    return fig


def staffing_heatmap(plan: pd.DataFrame, *, channel: str, value: str = "agents") -> Figure:
    """Mean ``value`` (net agents by default) by weekday x time of day for one channel.

    Closed intervals (``open`` false, or absent) are drawn light grey, and the title says so; the
    title and colour bar say net (before shrinkage) or gross (``agents_gross``).

    >>> starts = pd.date_range("2026-07-06 08:00", periods=8, freq="15min", tz="Europe/London")
    >>> p = pd.DataFrame({"interval_start": starts, "channel": "chat", "agents": np.arange(8)})
    >>> staffing_heatmap(p, channel="chat").axes[0].get_title()
    'chat: mean required agents, net of shrinkage (15-min intervals; grey = closed)'
    """
    rows = plan[plan["channel"] == channel]
    if "open" in rows:
        rows = rows.assign(**{value: rows[value].where(rows["open"].fillna(True).astype(bool))})
    local = rows["interval_start"]
    table = (
        rows.assign(weekday=local.dt.day_of_week, slot=local.dt.strftime("%H:%M"))
        .pivot_table(index="weekday", columns="slot", values=value, aggfunc="mean")
        .reindex(range(7))
    )
    fig = Figure(figsize=(11, 3.2))
    ax = fig.add_axes((0.06, 0.15, 0.83, 0.75))
    cmap = colormaps["viridis"].with_extremes(bad="0.88")
    image = ax.imshow(np.ma.masked_invalid(table.to_numpy(float)), aspect="auto", cmap=cmap,
                      interpolation="nearest")
    ax.set_yticks(range(7), WEEKDAYS)
    step = max(1, len(table.columns) // 12)
    ax.set_xticks(range(0, len(table.columns), step), table.columns[::step])
    ax.set_ylabel("weekday")
    ax.set_xlabel("interval start (local time)")
    gross = value.endswith("_gross")
    what = "agents, gross (after shrinkage)" if gross else (
        "agents, net of shrinkage" if value == "agents" else value.replace("_", " "))
    ax.set_title(f"{channel}: mean required {what} ({interval_label(rows)} intervals; grey = closed)")
    fig.colorbar(image, cax=fig.add_axes((0.91, 0.15, 0.015, 0.75)), label=f"{'gross' if gross else 'net'} agents" if value.startswith("agents") else value)
    return fig


def daily_fte_figure(daily: pd.DataFrame, *, value: str = "fte_gross") -> Figure:
    """Stacked bars of daily FTE by channel (gross, after shrinkage, by default).

    >>> d = pd.DataFrame({"period": ["2026-07-06", "2026-07-06"], "channel": ["chat", "phone"],
    ...                   "fte_gross": [10.0, 20.0]})
    >>> len(daily_fte_figure(d).axes[0].patches)
    2

    Up to :data:`MANY` channels the legend sits above the bars in one row; beyond, beside them in
    as many columns of 20 as needed, with :func:`channel_colours` (distinct up to 60 channels).
    """
    table = daily.pivot_table(index="period", columns="channel", values=value, aggfunc="sum").fillna(0.0)
    n = len(table.columns)
    columns = 1 if n <= MANY else -(-n // 20)
    fig = Figure(figsize=(11 + (0 if n <= MANY else 1.6 * columns), 3.6 if n <= MANY else 4.6), layout="constrained")
    ax = fig.add_subplot()
    bottom = np.zeros(len(table))
    labels = [pd.Timestamp(p).strftime("%a %d %b") for p in table.index]
    x = np.arange(len(labels))
    for channel, colour in zip(table.columns, channel_colours(n)):
        ax.bar(x, table[channel].to_numpy(), bottom=bottom, label=str(channel), color=colour, width=0.8)
        bottom += table[channel].to_numpy()
    ax.set_ylabel("FTE (gross, after shrinkage)" if value == "fte_gross" else
                  "FTE (net of shrinkage)" if value == "fte" else value)
    ax.set_title("Required FTE per day")
    if n <= MANY:
        fig.legend(loc="outside upper right", frameon=False, ncols=n)
    else:
        fig.legend(loc="outside right upper", frameon=False, ncols=columns, fontsize="small")
    step = max(1, -(-len(labels) // 14))
    ax.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.grid(axis="y", alpha=0.3)
    return fig


def _grid(n: int, panel_h: float, top_in: float, bottom_in: float, *, left: float = 0.045, wspace: float = 0.22,
          hspace: float = 0.5, **share):
    """A figure of ``n`` small panels, :data:`GRID_COLUMNS` a row, with fixed margins in inches
    (a constrained layout of 32 panels costs more than drawing them). Returns (figure, axes, used)."""
    columns = min(GRID_COLUMNS, max(n, 1))
    rows = max(1, -(-n // columns))
    height = top_in + bottom_in + panel_h * rows
    fig = Figure(figsize=(11, height))
    axes = fig.subplots(rows, columns, squeeze=False, gridspec_kw=dict(
        left=left, right=0.99 if "right" not in share else share.pop("right"), top=1 - top_in / height,
        bottom=bottom_in / height, wspace=wspace, hspace=hspace), **share).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes, axes[:n]


def forecast_grid(forecast: pd.DataFrame, history: pd.DataFrame | None = None, *, channels: list[str],
                  history_days: int = 14) -> Figure:
    """Small multiples of :func:`forecast_figure`: one panel per channel (its own y scale), shared dates.

    For more than :data:`MANY` channels, where one figure per channel makes a long page.

    >>> starts = pd.date_range("2026-07-06", periods=8, freq="15min", tz="UTC")
    >>> f = pd.concat([pd.DataFrame({"interval_start": starts, "channel": c, "offered": 10.0 + k,
    ...                              "offered_lo": 8.0, "offered_hi": 12.0 + k}) for k, c in enumerate("abcde")])
    >>> fig = forecast_grid(f, channels=list("abcde"))
    >>> [ax.get_title() for ax in fig.axes if ax.get_visible()]
    ['a', 'b', 'c', 'd', 'e']
    >>> fig.texts[0].get_text()[:42]
    'Offered contacts per 15-min interval: fore'
    """
    per = interval_label(forecast)
    fig, _, axes = _grid(len(channels), 1.75, 0.55, 0.35, sharex=True)
    forecasts = dict(tuple(forecast.groupby("channel", sort=False)))
    histories = {} if history is None or history.empty else dict(tuple(history.groupby("channel", sort=False)))
    band = [c for c in ("offered_lo", "offered_hi") if c in forecast.columns]
    for ax, channel in zip(axes, channels):
        f = forecasts.get(channel, forecast.iloc[:0])
        h = histories.get(channel)
        if h is not None and not h.empty:
            cut = h["interval_start"].max() - pd.Timedelta(days=history_days)
            h = _with_gaps(h[h["interval_start"] > cut], ["offered"])
            ax.plot(h["interval_start"], h["offered"], color="0.45", lw=0.5)
        if not f.empty:
            f = _with_gaps(f, ["offered", *band])
            if len(band) == 2:
                ax.fill_between(f["interval_start"], f["offered_lo"], f["offered_hi"], color="tab:blue", alpha=0.25,
                                lw=0)
            ax.plot(f["interval_start"], f["offered"], color="tab:blue", lw=0.6)
        ax.set_title(str(channel), fontsize="small", pad=2)
        ax.tick_params(labelsize=6.5, pad=1)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=3))
        ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    level = forecast.attrs.get("level")
    shaded = f"{level:.0%} interval" if isinstance(level, float) else "prediction interval"
    fig.text(0.01, 1 - 0.12 / fig.get_figheight(), f"Offered contacts per {per} interval: forecast (blue, {shaded} "
             f"shaded) after the last {history_days} days of history (grey); each panel has its own scale",
             va="top", fontsize="medium")
    return fig


def heatmap_grid(plan: pd.DataFrame, *, channels: list[str], value: str = "agents") -> Figure:
    """Small multiples of :func:`staffing_heatmap`: mean ``value`` by weekday x time of day, a panel
    per channel, each coloured from 0 to its own largest mean (given in its title); closed grey.

    >>> starts = pd.date_range("2026-07-06 08:00", periods=8, freq="15min", tz="Europe/London")
    >>> p = pd.concat([pd.DataFrame({"interval_start": starts, "channel": c, "agents": np.arange(8) * (k + 1)})
    ...                for k, c in enumerate("abc")])
    >>> fig = heatmap_grid(p, channels=list("abc"))
    >>> [ax.get_title() for ax in fig.axes[:3]]
    ['a (max 7.0)', 'b (max 14.0)', 'c (max 21.0)']
    """
    rows = plan[plan["channel"].isin(channels)]
    values = rows[value].astype(float)
    if "open" in rows:
        values = values.where(rows["open"].fillna(True).astype(bool))
    local = rows["interval_start"]
    minute = (local.dt.hour * 60 + local.dt.minute).to_numpy()
    means = (pd.DataFrame({"channel": rows["channel"].to_numpy(), "weekday": local.dt.day_of_week.to_numpy(),
                           "minute": minute, "value": values.to_numpy()})
             .groupby(["channel", "weekday", "minute"], sort=True)["value"].mean(numeric_only=True))
    slots = np.unique(minute)
    labels = [f"{m // 60:02d}:{m % 60:02d}" for m in slots]
    fig, _, axes = _grid(len(channels), 1.45, 0.55, 0.35, left=0.04, right=0.9, hspace=0.45, wspace=0.12,
                         sharex=True, sharey=True)
    cmap = colormaps["viridis"].with_extremes(bad="0.88")
    image = None
    for ax, channel in zip(axes, channels):
        table = (means[channel].unstack("minute").reindex(index=range(7), columns=slots) if channel in
                 means.index.get_level_values(0) else pd.DataFrame(np.nan, index=range(7), columns=slots))
        grid = table.to_numpy(float)
        top = np.nanmax(grid) if np.isfinite(grid).any() else 0.0
        image = ax.imshow(np.ma.masked_invalid(grid / top if top > 0 else grid), aspect="auto", cmap=cmap,
                          interpolation="nearest", vmin=0.0, vmax=1.0)
        ax.set_title(f"{channel} (max {top:.1f})", fontsize="small", pad=2)
        ax.tick_params(labelsize=6.5, pad=1, length=2)
    step = max(1, -(-len(slots) // 4))
    axes[0].set_yticks(range(7), WEEKDAYS)
    axes[0].set_xticks(range(0, len(slots), step), labels[::step])
    gross = value.endswith("_gross")
    what = "gross agents (after shrinkage)" if gross else ("net agents (before shrinkage)" if value == "agents"
                                                           else value.replace("_", " "))
    fig.text(0.01, 1 - 0.12 / fig.get_figheight(), f"Mean required {what} by weekday (rows, Mon to Sun) and "
             f"time of day (local, {interval_label(rows)} intervals); grey = closed", va="top", fontsize="medium")
    if image is not None:
        bar = fig.add_axes((0.915, 0.35 / fig.get_figheight(), 0.012, 1 - 0.9 / fig.get_figheight()))
        fig.colorbar(image, cax=bar, label="share of the panel's max (its title)")
        bar.tick_params(labelsize=7)
    return fig
