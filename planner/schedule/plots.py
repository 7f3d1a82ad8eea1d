"""Coverage against requirement, one panel per day (matplotlib object API: no pyplot, no global state)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["coverage_figure"]


def coverage_figure(coverage: pd.DataFrame, *, group: str, columns: int = 7) -> Figure:
    """Per local day, the requirement [heads] against the coverage and the heads on shift, for one group.

    Intervals short of the requirement are shaded red.

    >>> starts = pd.date_range("2026-07-06 08:00", periods=8, freq="15min", tz="Europe/London")
    >>> c = pd.DataFrame({"interval_start": starts, "group": "phone", "requirement": 2.5, "scheduled": 3,
    ...                   "coverage": [3, 3, 2, 3, 3, 3, 3, 3], "short": [False, False, True] + [False] * 5})
    >>> coverage_figure(c, group="phone").axes[0].get_title()
    'Mon 2026-07-06 (1 short)'
    """
    rows = coverage[coverage["group"] == group].sort_values("interval_start")
    day = rows["interval_start"].dt.strftime("%Y-%m-%d")
    days = list(dict.fromkeys(day))
    ncols = max(1, min(columns, len(days)))
    nrows = max(1, math.ceil(len(days) / ncols))
    fig = Figure(figsize=(2.3 * ncols + 1, 2.1 * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel()
    top = float(max(rows["requirement"].max(), rows["scheduled"].max(), 1.0)) * 1.08
    for ax, name in zip(axes, days):
        d = rows[day == name]
        hours = (d["interval_start"].dt.hour + d["interval_start"].dt.minute / 60).to_numpy()
        ax.step(hours, d["scheduled"], where="post", color="0.7", lw=0.8, label="on shift")
        ax.step(hours, d["coverage"], where="post", color="tab:blue", lw=1.1, label="coverage (not on break)")
        ax.step(hours, d["requirement"], where="post", color="tab:orange", lw=1.1, label="requirement")
        short = d["short"].to_numpy()
        if short.any():
            ax.fill_between(hours, 0, top, where=short, step="post", color="tab:red", alpha=0.15, lw=0)
        first = d["interval_start"].iloc[0]
        ax.set_title(f"{first:%a} {name}" + (f" ({int(short.sum())} short)" if short.any() else ""), fontsize=8)
        ax.set_xlim(max(0.0, np.floor(hours.min())), min(24.0, np.ceil(hours.max() + 0.25)))
        ax.set_ylim(0, top)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(days):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", frameon=False, ncols=3, fontsize=8)
    fig.suptitle(f"{group}: coverage against requirement (heads, local hour)", fontsize=10)
    return fig
