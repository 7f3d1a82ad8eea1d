"""Plots of contact-log KPIs and calibration, as matplotlib Figures (object API, no global state)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from planner.contacts.calibrate import _live, _observations, patience_survival

__all__ = ["kpi_figure", "patience_figure", "concurrency_figure"]


def kpi_figure(table: pd.DataFrame, *, by: str = "day") -> Figure:
    """Service level against target, abandonment and median first response per channel and period.

    >>> t = pd.date_range("2026-07-06", periods=3, freq="D", tz="Europe/London")
    >>> table = pd.DataFrame({"period": t, "channel": "phone", "service_level": [0.8, 0.7, 0.9],
    ...     "target_service_level": 0.8, "abandon_rate": 0.05, "first_response_median_s": 12.0})
    >>> [ax.get_title() for ax in kpi_figure(table).axes]
    ['Service level (dashed: target)', 'Abandon rate', 'Median first response [s]']
    """
    fig = Figure(figsize=(11, 7.5), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    for number, (channel, rows) in enumerate(table.groupby("channel", sort=True)):
        color = f"C{number % 10}" if table["channel"].nunique() <= 10 else colormaps[
            ("tab20", "tab20b", "tab20c")[number // 20 % 3]](number % 20)
        marker = "o" if table["period"].nunique() < 40 else None
        axes[0].plot(rows["period"], rows["service_level"], color=color, marker=marker, ms=3, label=channel)
        if rows["target_service_level"].notna().any():
            axes[0].axhline(rows["target_service_level"].dropna().iloc[0], color=color, ls="--", lw=0.8)
        axes[1].plot(rows["period"], rows["abandon_rate"], color=color, marker=marker, ms=3)
        axes[2].plot(rows["period"], rows["first_response_median_s"].clip(lower=1.0), color=color, marker=marker,
                     ms=3)
    axes[0].set_title("Service level (dashed: target)")
    axes[0].set_ylim(0, 1.02)
    n = table["channel"].nunique()
    if n <= 10:
        axes[0].legend(loc="lower left", frameon=False, ncols=6)
    else:  # many channels: beside the plots, in columns of 20
        fig.legend(loc="outside right upper", frameon=False, ncols=-(-n // 20), fontsize="small")
    axes[1].set_title("Abandon rate")
    axes[2].set_title("Median first response [s]")
    axes[2].set_yscale("log")
    axes[2].set_xlabel(f"period ({by}, local time)")
    if pd.api.types.is_datetime64_any_dtype(table["period"]):  # dates that never overlap
        locator = AutoDateLocator(minticks=3, maxticks=10)
        axes[2].xaxis.set_major_locator(locator)
        axes[2].xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))
    for ax in axes:
        ax.grid(alpha=0.3)
    return fig


def patience_figure(contacts: pd.DataFrame, patience: pd.DataFrame) -> Figure:
    """Kaplan-Meier survival of patience per live channel against the fitted exponential.

    ``patience`` is :func:`~planner.contacts.estimate_patience` of ``contacts``. Where the steps
    follow the exponential curve, Erlang A's assumption holds.

    >>> log = pd.DataFrame({"channel": "phone", "kind": "voice", "abandoned": [False, True, True],
    ...     "answered_at": [pd.Timestamp(0), pd.NaT, pd.NaT], "wait_s": [10.0, 50.0, 110.0]})
    >>> from planner.contacts.calibrate import estimate_patience
    >>> patience_figure(log, estimate_patience(log)).axes[0].get_title()
    'phone'
    """
    live = _live(contacts)
    channels = list(patience["channel"])
    fig = Figure(figsize=(5.5 * max(len(channels), 1), 3.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, max(len(channels), 1)))
    for ax, (_, row) in zip(axes, patience.iterrows()):
        wait, event = _observations(live.loc[live["channel"] == row["channel"]])
        km = patience_survival(wait, event)
        top = float(np.quantile(wait, 0.999)) if wait.size else 1.0
        ax.step(np.r_[0.0, km["time_s"]], np.r_[1.0, km["survival"]], where="post", color="C0", label="Kaplan-Meier")
        t = np.linspace(0.0, max(top, 1.0), 200)
        ax.plot(t, np.exp(-t / row["patience_s"]), color="C3", ls="--",
                label=f"exponential, mean {row['patience_s']:.0f} s")
        ax.set_xlim(0, max(top, 1.0))
        ax.set_title(str(row["channel"]))
        ax.set_xlabel("wait [s]")
        ax.set_ylabel("share still waiting (patience > t)")
        ax.legend(frameon=False)
        ax.grid(alpha=0.3)
    return fig


def concurrency_figure(estimate: pd.DataFrame) -> Figure:
    """Mean chat duration at each concurrency level with its interval, and the fitted slowdown.

    ``estimate`` is :func:`~planner.contacts.estimate_concurrency`'s frame.

    >>> est = pd.DataFrame({"channel": "chat", "concurrency": [1.0, 2.0], "aht_s": [300.0, 360.0],
    ...     "aht_lo_s": [290.0, 350.0], "aht_hi_s": [310.0, 370.0], "time_share": [0.4, 0.6]})
    >>> est.attrs.update(aht_s_at_1={"chat": 300.0}, aht_growth={"chat": 0.2})
    >>> concurrency_figure(est).axes[0].get_title()
    'chat: chat duration by concurrency'
    """
    channels = list(dict.fromkeys(estimate["channel"]))
    fig = Figure(figsize=(5.5 * max(len(channels), 1), 3.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, max(len(channels), 1)))
    for ax, channel in zip(axes, channels):
        rows = estimate.loc[estimate["channel"] == channel]
        level = rows["concurrency"].to_numpy(float)
        ax.errorbar(level, rows["aht_s"], yerr=[rows["aht_s"] - rows["aht_lo_s"], rows["aht_hi_s"] - rows["aht_s"]],
                    fmt="o", color="C0", capsize=4, label="observed (95% interval)")
        aht1, growth = estimate.attrs["aht_s_at_1"][channel], estimate.attrs["aht_growth"][channel]
        if np.isfinite(growth):
            ax.plot(level, aht1 * (1 + growth * (level - 1)), color="C3", ls="--",
                    label=f"fit: {aht1:.0f} s x (1 + {growth:.2f} (l - 1))")
        ax.set_xticks(level)
        ax.set_title(f"{channel}: chat duration by concurrency")
        ax.set_xlabel("chats held by the agent (l)")
        ax.set_ylabel("mean chat duration [s]")
        ax.legend(frameon=False)
        ax.grid(alpha=0.3)
    return fig
