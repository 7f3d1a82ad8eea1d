"""Backtest plots: actual against forecast with the prediction band (matplotlib object API only).

No pyplot and no rcParams changes: the Figure is built directly, so it works under any backend
(Agg included) and leaves global state alone (STYLE.md, house rule 8).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["backtest_figure"]


def backtest_figure(backtest_frame: pd.DataFrame, *, channel: str, model: str | None = None,
                    cutoffs=None) -> Figure:
    """Actual vs forecast per interval for one channel and model, with the prediction interval band.

    Parameters
    ----------
    backtest_frame : pandas.DataFrame
        :func:`planner.forecast.backtest` output.
    channel : str
        Channel to draw.
    model : str, optional
        Model to draw (default: the first in the frame).
    cutoffs : sequence, optional
        Cutoffs to draw (default: all); windows are drawn one after the other.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> times = pd.date_range("2026-07-06 08:00", periods=4, freq="h", tz="Europe/London")
    >>> bt = pd.DataFrame({"interval_start": times, "channel": "phone", "offered": 10.0, "offered_lo": 8.0,
    ...                    "offered_hi": 12.0, "actual": [9.0, 11, 13, 10], "model": "default",
    ...                    "cutoff": times[0].normalize()})
    >>> backtest_figure(bt, channel="phone").axes[0].get_title()
    'phone, default: actual vs forecast'
    """
    part = backtest_frame[backtest_frame["channel"] == channel]
    if model is None:
        model = str(part["model"].iloc[0]) if len(part) else ""
    part = part[part["model"] == model]
    if cutoffs is not None:
        part = part[part["cutoff"].isin(list(cutoffs))]
    part = part.sort_values(["cutoff", "interval_start"])
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    ax = fig.add_subplot()
    level = backtest_frame.attrs.get("level")
    label = f"{level:.0%} interval" if isinstance(level, float) else "prediction interval"
    for i, (_, window) in enumerate(part.groupby("cutoff", sort=True)):
        x = window["interval_start"]
        ax.fill_between(x, window["offered_lo"], window["offered_hi"], color="tab:blue", alpha=0.2, lw=0,
                        label=label if i == 0 else None)
        ax.plot(x, window["offered"], color="tab:blue", lw=1.0, label="forecast" if i == 0 else None)
        ax.plot(x, window["actual"], color="0.2", lw=0.7, marker=".", ms=2, label="actual" if i == 0 else None)
    ax.set_title(f"{channel}, {model}: actual vs forecast")
    ax.set_ylabel("contacts per interval")
    ax.legend(loc="upper left", frameon=False, ncols=3)
    ax.grid(alpha=0.3)
    return fig
