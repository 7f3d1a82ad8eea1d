"""Daily and weekly roll-ups of a plan: volume, workload, FTE, service level, abandonment.

Fractional requirements are summed before anything is rounded (rounding every interval up and
then summing inflates totals): net agent-hours = sum of ``agents_fractional`` x interval hours,
and FTE = agent-hours / paid hours (per day: an FTE's paid hours a day, so daily FTE is the
headcount needed that day; per week: paid hours a day x paid days a week). Gross figures divide
by ``1 - shrinkage``.
Service level and abandonment are weighted by offered volume. The segments of a channel share its
agents (``agents`` repeats on each segment row): they are counted once. A blended campaign's rows
have no agents of their own (the inbound channel's agents make its calls).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.errors import InputError

__all__ = ["rollup"]

PERIODS = {"day": "D", "week": "W-SUN"}


def rollup(
    plan: pd.DataFrame,
    *,
    by: str = "day",
    interval_s: float,
    paid_hours_per_day: float = 8.0,
    paid_days_per_week: float = 5.0,
) -> pd.DataFrame:
    """Per channel and period: ``offered``, ``workload_hours``, net and gross ``agent_hours`` and FTE.

    Parameters
    ----------
    plan : pandas.DataFrame
        The plan frame of :func:`planner.staffing.plan.staff`.
    by : {"day", "week"}
        Period (local calendar day; weeks end on Sunday and are labelled by their Monday).
    interval_s : float
        Interval length [s].
    paid_hours_per_day : float
        Paid hours of one FTE a day [h].
    paid_days_per_week : float
        Paid days of one FTE a week (weekly FTE = agent-hours / (hours a day x days a week)).

    Returns
    -------
    pandas.DataFrame
        ``period, channel, offered, workload_hours, agent_hours, agent_hours_gross, fte, fte_gross,
        peak_agents, service_level, abandon_rate`` (service level NaN for deferred channels).

    Examples
    --------
    >>> starts = pd.date_range("2026-07-06 09:00", periods=4, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "offered": 100.0,
    ...     "aht_s": 180.0, "agents": 24, "agents_fractional": 23.5, "shrinkage": 0.3,
    ...     "service_level": 0.85, "abandon_rate": 0.02})
    >>> day = rollup(plan, interval_s=900)
    >>> float(day.agent_hours[0]), float(day.fte[0]), round(float(day.fte_gross[0]), 3)
    (23.5, 2.9375, 4.196)
    """
    if by not in PERIODS:
        raise InputError(f"by: expected 'day' or 'week', got {by!r}")
    hours = interval_s / 3600.0
    # Segments of a channel share its agents, repeated on every segment row: count them once.
    once = ~plan.duplicated(["interval_start", "channel"]).to_numpy() if "segment" in plan else 1.0
    frame = plan.assign(
        period=plan["interval_start"].dt.tz_localize(None).dt.to_period(PERIODS[by]).dt.start_time.dt.date,
        workload_hours=plan["offered"] * plan["aht_s"] / 3600.0,
        agent_hours=plan["agents_fractional"] * hours * once,
        agent_hours_gross=plan["agents_fractional"] * hours * once / (1.0 - plan["shrinkage"]),
        sl_weight=(plan["offered"] * plan["service_level"]).fillna(0.0),
        sl_offered=plan["offered"].where(plan["service_level"].notna(), 0.0),
        ab_weight=plan["offered"] * plan["abandon_rate"],
    )
    grouped = frame.groupby(["period", "channel"], sort=True)
    out = grouped.agg(
        offered=("offered", "sum"),
        workload_hours=("workload_hours", "sum"),
        agent_hours=("agent_hours", "sum"),
        agent_hours_gross=("agent_hours_gross", "sum"),
        peak_agents=("agents", "max"),
        sl_weight=("sl_weight", "sum"),
        sl_offered=("sl_offered", "sum"),
        ab_weight=("ab_weight", "sum"),
    ).reset_index()
    paid = paid_hours_per_day * (1.0 if by == "day" else paid_days_per_week)
    out["fte"] = out["agent_hours"] / paid
    out["fte_gross"] = out["agent_hours_gross"] / paid
    with np.errstate(divide="ignore", invalid="ignore"):
        out["service_level"] = np.where(out["sl_offered"] > 0, out["sl_weight"] / out["sl_offered"], np.nan)
        out["abandon_rate"] = np.where(out["offered"] > 0, out["ab_weight"] / out["offered"], 0.0)
    columns = ["period", "channel", "offered", "workload_hours", "agent_hours", "agent_hours_gross",
               "fte", "fte_gross", "peak_agents", "service_level", "abandon_rate"]
    return out[columns]
