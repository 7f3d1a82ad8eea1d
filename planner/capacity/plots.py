"""The capacity plan's figure: required against planned FTE per week with the gap, hires and risk."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["capacity_figure"]


def capacity_figure(table: pd.DataFrame, *, group: str) -> Figure:
    """Bars of planned FTE (and the buffered plan's), the required line, hires and P(short) per week.

    ``table`` is capacity.csv (:func:`planner.capacity_run.capacity_plan`).
    """
    part = table[table["group"] == group]
    weeks = pd.to_datetime(part["week_start"])
    figure = Figure(figsize=(11, 6.5))
    top, middle, bottom = figure.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1, 1]})
    width = pd.Timedelta(days=5)
    top.bar(weeks, part["planned_fte"], width=width, color="#9ecae1", label="planned FTE")
    top.step(weeks, part["buffered_planned_fte"], where="mid", color="#3182bd", label="buffered plan")
    top.plot(weeks, part["required_fte"], color="#d62728", label="required FTE (with shrinkage)")
    short = part["gap_fte"] < 0
    top.bar(weeks[short], -part.loc[short, "gap_fte"], bottom=part.loc[short, "planned_fte"] + part.loc[short, "overtime_fte"],
            width=width, color="#fb6a4a", label="gap after overtime")
    top.set_ylabel("FTE")
    top.legend(loc="lower left", fontsize=8)
    top.set_title(f"{group}: required against planned FTE per week")
    middle.bar(weeks, part["hires_starting"], width=width, color="#31a354")
    middle.set_ylabel("hires")
    bottom.plot(weeks, part["p_short"], color="#d62728", label="P(short), plan")
    bottom.plot(weeks, part["p_short_buffered"], color="#3182bd", label="P(short), buffered")
    bottom.axhline(0.05, color="#777", linestyle=":", linewidth=1)
    bottom.set_ylim(0, max(0.1, float(np.nanmax(part["p_short"])) * 1.05))
    bottom.set_ylabel("P(short)")
    bottom.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    return figure
