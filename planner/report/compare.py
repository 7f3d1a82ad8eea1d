"""Side-by-side comparison of scenarios: volume, FTE and service level per period and channel."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from planner.errors import InputError

__all__ = ["compare", "compare_figure"]

VALUES = ("offered", "fte", "fte_gross", "service_level")
#: Compared when every roll-up has them (plans staffed to the forecast's uncertainty).
OPTIONAL = ("expected_service_level",)


def compare(rollups: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per period and channel, with each scenario's figures and the change from the first.

    ``rollups`` maps a scenario name to its daily or weekly roll-up (:func:`planner.report.rollup`).
    Columns: ``period, channel``, then ``<value> [<scenario>]`` for every value and scenario, and
    for every scenario after the first ``<value> change [<scenario>]`` and ``<value> change %``.

    >>> a = pd.DataFrame({"period": ["2026-07-06"], "channel": ["phone"], "offered": [100.0],
    ...                   "fte": [10.0], "fte_gross": [14.0], "service_level": [0.85]})
    >>> b = a.assign(offered=110.0, fte=10.8, fte_gross=15.4)
    >>> table = compare({"base": a, "plus 10%": b})
    >>> round(float(table["fte_gross change % [plus 10%]"][0]), 1)
    10.0
    """
    if len(rollups) < 2:
        raise InputError("compare: give at least two scenarios")
    names = list(rollups)
    keys = ["period", "channel"]
    table = None
    values = [*VALUES, *(v for v in OPTIONAL if all(v in frame.columns for frame in rollups.values()))]
    for name in names:
        part = rollups[name][keys + values].rename(columns={v: f"{v} [{name}]" for v in values})
        table = part if table is None else table.merge(part, on=keys, how="outer")
    first = names[0]
    for name in names[1:]:
        for value in values:
            base, other = table[f"{value} [{first}]"], table[f"{value} [{name}]"]
            table[f"{value} change [{name}]"] = other - base
            if value not in ("service_level", *OPTIONAL):
                with np.errstate(divide="ignore", invalid="ignore"):
                    table[f"{value} change % [{name}]"] = np.where(base != 0, 100.0 * (other - base) / base, np.nan)
    return table.sort_values(keys, ignore_index=True)


def compare_figure(rollups: dict[str, pd.DataFrame], *, value: str = "fte_gross") -> Figure:
    """Total ``value`` (gross FTE by default) per period, one line per scenario.

    >>> a = pd.DataFrame({"period": ["2026-07-06", "2026-07-07"], "channel": "phone", "fte_gross": [14.0, 12.0]})
    >>> len(compare_figure({"base": a, "other": a.assign(fte_gross=[15.0, 13.0])}).axes[0].lines)
    2
    """
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    ax = fig.add_subplot()
    for name, frame in rollups.items():
        totals = frame.groupby("period")[value].sum()
        ax.plot([str(p) for p in totals.index], totals.to_numpy(), marker="o", ms=3, label=name)
    ax.set_title(f"{value.replace('_', ' ')} per period, all channels")
    ax.set_ylabel(value.replace("_", " "))
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    labels = ax.get_xticks()
    step = max(1, len(labels) // 14)
    ax.set_xticks(labels[::step])
    ax.tick_params(axis="x", rotation=45)
    return fig
