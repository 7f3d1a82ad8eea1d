"""A group plan's outputs: group_plan.csv, per-channel results, FTE per group, and the report section
that shows the silo staffing, the static bound, the pooled bound and the group plan side by side."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from planner.calendar import interval_s_of
from planner.multiskill import GroupPlan, equivalent_plan, scenario_groups
from planner.report.output import OutputFolder
from planner.report.rollup import rollup

__all__ = ["write_groups", "group_fte", "saving_note", "group_rollup"]

NOTE = ("Silo: every channel staffed by its own model and the agents added up. Static bound: the same requirements "
        "covered by the groups (a transportation MILP): what the groups cost when nobody shares idle time. Pooled "
        "bound: one pool holding every skill, all the live work at the strictest target. The group plan lies "
        "between the bounds; agents are net (gross adds the group's shrinkage: its channels' weighted by agent time).")


def group_fte(plan: pd.DataFrame, *, interval_s: float, by: str = "day", paid_hours_per_day: float = 8.0,
              paid_days_per_week: float = 5.0) -> pd.DataFrame:
    """Per group and day (or week, labelled by its Monday): ``agent_hours``, ``fte`` and ``fte_gross``
    (from ``agents_fractional`` and the group's ``shrinkage`` when the plan has them).

    >>> starts = pd.date_range("2026-07-06 09:00", periods=4, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "group": "blended", "agents": 8, "agents_gross": 10.0})
    >>> group_fte(plan, interval_s=900)[["period", "group", "agent_hours", "fte", "fte_gross"]].to_dict("records")
    [{'period': '2026-07-06', 'group': 'blended', 'agent_hours': 8.0, 'fte': 1.0, 'fte_gross': 1.25}]
    """
    local = plan["interval_start"].dt.tz_localize(None).dt.normalize()
    if by == "week":
        local = local - pd.to_timedelta(local.dt.day_of_week, unit="D")
    hours = interval_s / 3600.0
    net = plan["agents_fractional"] if "agents_fractional" in plan else plan["agents"]  # rounding happens once
    gross = net / (1.0 - plan["shrinkage"]) if "shrinkage" in plan else plan["agents_gross"]
    frame = pd.DataFrame({"period": local.dt.strftime("%Y-%m-%d"), "group": plan["group"],
                          "agent_hours": net * hours, "agent_hours_gross": gross * hours})
    out = frame.groupby(["period", "group"], as_index=False, sort=True).sum()
    paid = paid_hours_per_day * (paid_days_per_week if by == "week" else 1.0)
    out["fte"] = out["agent_hours"] / paid
    out["fte_gross"] = out["agent_hours_gross"] / paid
    return out


def saving_note(groups: GroupPlan) -> str:
    """One line: the group plan's agent-hours (fractional, as the roll-ups count them, and whole)
    against the silo plan, and the bounds (whole agents).

    >>> totals = pd.DataFrame({"design": ["silo", "static bound", "pooled bound", "group plan"],
    ...                        "agent_hours": [100.0, 100.0, 80.0, 90.0],
    ...                        "agent_hours_fractional": [98.0, 98.0, None, 88.2]})
    >>> saving_note(GroupPlan(plan=None, channels=None, totals=totals))
    'groups: 88 agent-hours against 98 silo (saving 10.0%; whole agents 90 against 100); bounds: pooled 80, static 100'
    """
    hours = dict(zip(groups.totals["design"], groups.totals["agent_hours"]))
    fractional = dict(zip(groups.totals["design"], groups.totals.get("agent_hours_fractional", groups.totals["agent_hours"])))
    silo, final = fractional["silo"], fractional["group plan"]
    return (f"groups: {final:,.0f} agent-hours against {silo:,.0f} silo (saving {(silo - final) / silo:.1%}; whole agents "
            f"{hours['group plan']:,.0f} against {hours['silo']:,.0f}); bounds: pooled {hours['pooled bound']:,.0f}, "
            f"static {hours['static bound']:,.0f}")


def _designs_figure(plan: pd.DataFrame, silo: pd.Series) -> Figure:
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    ax = fig.add_subplot()
    totals = plan.groupby("interval_start")[["agents", "static_agents", "pooled_agents"]].agg(
        {"agents": "sum", "static_agents": "sum", "pooled_agents": "first"})
    first = totals.index.min()
    week = totals[totals.index < first + pd.Timedelta(days=7)]
    for column, label in (("static_agents", "static bound"), ("agents", "group plan"), ("pooled_agents", "pooled bound")):
        ax.plot(week.index.tz_localize(None), week[column].to_numpy(), lw=1, label=label)
    silo = silo[silo.index < first + pd.Timedelta(days=7)]
    ax.plot(silo.index.tz_localize(None), silo.to_numpy(), lw=1, ls=":", color="k", label="silo")
    ax.set_title("Net agents per interval, first week: silo, bounds and the group plan")
    ax.set_ylabel("agents")
    ax.legend(frameon=False, ncols=4)
    ax.grid(alpha=0.3)
    return fig


def write_groups(folder: OutputFolder, groups: GroupPlan, plan: pd.DataFrame, *, interval_s: float,
                 paid_hours_per_day: float = 8.0, paid_days_per_week: float = 5.0) -> list[tuple[str, list]]:
    """Write ``group_plan.csv`` (interval x group), ``group_channels.csv``, ``group_totals.csv``,
    ``group_daily.csv``, ``group_weekly.csv`` and ``groups.png``; return the report sections."""
    paid = dict(interval_s=interval_s, paid_hours_per_day=paid_hours_per_day, paid_days_per_week=paid_days_per_week)
    daily, weekly = group_fte(groups.plan, by="day", **paid), group_fte(groups.plan, by="week", **paid)
    folder.write_csv("group_plan.csv", groups.plan)
    folder.write_csv("group_channels.csv", groups.channels)
    folder.write_csv("group_totals.csv", groups.totals)
    folder.write_csv("group_daily.csv", daily)
    folder.write_csv("group_weekly.csv", weekly)
    silo = plan.drop_duplicates(["interval_start", "channel"]).groupby("interval_start")["agents"].sum()
    png = folder.write_png("groups.png", _designs_figure(groups.plan, silo))
    return [("Agent groups: silo, static bound, pooled bound and the group plan",
             [NOTE, groups.totals, (png, "agents per interval of each design"), groups.channels]),
            ("FTE per group and week", [weekly])]


def group_rollup(result, config, *, by: str = "day") -> pd.DataFrame:
    """The daily (or weekly) roll-up of a run with ``[groups]``, each channel counted at its share of
    the groups' agents (:func:`planner.multiskill.equivalent_plan`): what ``planner compare`` shows
    for a cross-trained design next to the silo one."""
    interval_s = config.interval_s or interval_s_of(result.plan)
    return rollup(equivalent_plan(result.plan, result.groups.plan, scenario_groups(config)), by=by, interval_s=interval_s,
                  paid_hours_per_day=config.paid_hours_per_day, paid_days_per_week=config.paid_days_per_week)
