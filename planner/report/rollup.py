"""Daily and weekly roll-ups of a plan: volume, workload, FTE, service level, abandonment.

Fractional requirements are summed before anything is rounded (rounding every interval up and
then summing inflates totals): net agent-hours = sum of ``agents_fractional`` x interval hours,
and FTE = agent-hours / paid hours (per day: an FTE's paid hours a day, so daily FTE is the
headcount needed that day; per week: paid hours a day x paid days a week). Gross figures divide
by ``1 - shrinkage``.
Service level and abandonment are weighted by offered volume (for deferred channels the service
level is the expected share of items answered within the deadline). The segments of a channel share
its agents (``agents`` repeats on each segment row): they are counted once. A blended campaign's
rows have no agents of their own (the inbound channel's agents make its calls). Deferred channels
also report the agent-hours of their whole-agent plan against the fluid lower bound:
``deferred_overhead`` = whole agent-hours / fluid agent-hours - 1 (the cost of rounding once and of
the safety that meets the target; NaN for live channels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.errors import InputError

__all__ = ["rollup", "summary_table"]

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
        paid_hours_per_fte, peak_agents, service_level, abandon_rate, agent_hours_fluid,
        deferred_overhead``: ``paid_hours_per_fte`` is the paid hours of one FTE in the period [h]
        (FTE = agent-hours / it); the last two NaN for live channels, or without ``agents_fluid`` in the plan); with a plan staffed to the
        forecast's uncertainty also ``expected_service_level`` (volume-weighted) and, by day,
        ``p_day_service_level_met`` (:func:`planner.staffing.plan.staff`).

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
    fluid = plan["agents_fluid"] if "agents_fluid" in plan.columns else pd.Series(np.nan, index=plan.index)
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
        whole_hours=(plan["agents"] * hours).where(fluid.notna(), 0.0),
        agent_hours_fluid=fluid * hours,
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
        whole_hours=("whole_hours", "sum"),
        agent_hours_fluid=("agent_hours_fluid", lambda v: v.sum(min_count=1)),
    ).reset_index()
    paid = paid_hours_per_day * (1.0 if by == "day" else paid_days_per_week)
    out["fte"] = out["agent_hours"] / paid
    out["fte_gross"] = out["agent_hours_gross"] / paid
    out["paid_hours_per_fte"] = paid  # stated in every roll-up: FTE = agent-hours / this
    with np.errstate(divide="ignore", invalid="ignore"):
        out["service_level"] = np.where(out["sl_offered"] > 0, out["sl_weight"] / out["sl_offered"], np.nan)
        out["abandon_rate"] = np.where(out["offered"] > 0, out["ab_weight"] / out["offered"], 0.0)
    out["deferred_overhead"] = _overhead(out["whole_hours"], out["agent_hours_fluid"])
    columns = ["period", "channel", "offered", "workload_hours", "agent_hours", "agent_hours_gross",
               "fte", "fte_gross", "paid_hours_per_fte", "peak_agents", "service_level", "abandon_rate",
               "agent_hours_fluid", "deferred_overhead"]
    return out[columns].assign(**_uncertainty(frame, out, by))


def _overhead(whole: pd.Series, fluid: pd.Series) -> np.ndarray:
    """Whole agent-hours over the fluid lower bound, minus 1 (NaN without a positive bound)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(fluid > 0, whole / fluid - 1.0, np.nan)


def summary_table(plan: pd.DataFrame, weekly: pd.DataFrame) -> pd.DataFrame:
    """One row per channel over the whole horizon: volume, workload, agent-hours, service level
    against its target, peak agents and, for deferred channels, ``deferred_overhead``.

    The service level is weighted by offered volume (deferred: the expected share answered within
    the deadline); ``target_service_level`` is the channel's goal (deferred: share in time; a
    channel with segments: their targets weighted by their volume, which the channel's service
    level reaches when every segment meets its own).

    >>> starts = pd.date_range("2026-07-06 09:00", periods=2, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "email", "offered": 10.0, "aht_s": 300.0,
    ...     "agents": [4, 3], "agents_fractional": 3.5, "agents_fluid": 3.2, "shrinkage": 0.2,
    ...     "service_level": [0.99, 0.995], "target_service_level": 0.99, "abandon_rate": 0.0})
    >>> row = summary_table(plan, rollup(plan, by="week", interval_s=900)).iloc[0]
    >>> round(float(row.service_level), 4), float(row.target_service_level), round(float(row.deferred_overhead), 4)
    (0.9925, 0.99, 0.0938)
    """
    total = weekly.groupby("channel").agg(offered=("offered", "sum"), workload_hours=("workload_hours", "sum"),
                                          agent_hours=("agent_hours", "sum"),
                                          agent_hours_gross=("agent_hours_gross", "sum"))
    weight = plan["offered"].where(plan["service_level"].notna(), 0.0)
    sl = (plan["offered"] * plan["service_level"]).fillna(0.0).groupby(plan["channel"]).sum()
    total["service_level"] = (sl / weight.groupby(plan["channel"]).sum()).replace([np.inf], np.nan)
    if "target_service_level" in plan.columns:  # segments' own targets: weighted by their volume
        target = pd.to_numeric(plan["target_service_level"], errors="coerce")
        volume = plan["offered"].where(target.notna(), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            weighted = (volume * target.fillna(0.0)).groupby(plan["channel"]).sum() / volume.groupby(plan["channel"]).sum()
        single = target.groupby(plan["channel"]).nunique() <= 1
        total["target_service_level"] = target.groupby(plan["channel"]).max().where(single | weighted.isna(), weighted)
    total["peak_agents"] = plan.groupby("channel")["agents"].max()
    if "agents_fluid" in plan.columns:
        deferred = plan["agents_fluid"].notna()
        whole = plan["agents"].where(deferred, 0.0).groupby(plan["channel"]).sum()
        total["deferred_overhead"] = _overhead(whole, plan.groupby("channel")["agents_fluid"].sum(min_count=1))
    return total.reset_index()


def _uncertainty(frame: pd.DataFrame, out: pd.DataFrame, by: str) -> dict:
    """``expected_service_level`` (volume-weighted) and, per day, ``p_day_service_level_met`` when the plan has them."""
    extra = {}
    keys = [out["period"], out["channel"]]
    if "expected_service_level" in frame.columns:
        known = frame["expected_service_level"].notna()
        weight = frame["offered"].where(known, 0.0)
        sums = (weight * frame["expected_service_level"].fillna(0.0)).groupby([frame["period"], frame["channel"]]).sum()
        totals = weight.groupby([frame["period"], frame["channel"]]).sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            extra["expected_service_level"] = (sums / totals.where(totals > 0)).reindex(keys).to_numpy()
    if by == "day" and "p_day_service_level_met" in frame.columns:
        first = frame.groupby([frame["period"], frame["channel"]])["p_day_service_level_met"].first()
        extra["p_day_service_level_met"] = first.reindex(keys).to_numpy()
    return extra
