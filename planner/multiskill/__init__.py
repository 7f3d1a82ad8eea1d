"""Agents with several skills: groups, the static and pooled bounds, a skill-based routing simulator
and the simulation-based staffing search between the bounds (docs/design.md section 4a).

The entry point is :func:`plan_groups` (also ``planner.plan_groups``): a silo plan and the groups
(:class:`Group`) in, a :class:`GroupPlan` out. The pieces: :func:`static_allocation` (upper bound),
:func:`pooled_agents` (lower bound), :class:`System` and :func:`simulate` (the routing simulator),
:func:`search` and :func:`staff_intervals` (the staffing search).

Examples
--------
Two channels of 7 and 5 Erlangs (AHT 180 s, 80/20) need 10 and 8 agents on their own (Erlang C): one
group holding both needs at most 18 (the static bound) and at least Erlang C's 16 on the pooled 12
Erlangs (the pooled bound):

>>> import planner as pl
>>> groups = (pl.Group("both", ("a", "b")),)
>>> int(pl.multiskill.static_allocation([[10, 8]], groups, ["a", "b"]).agents.sum())
18
>>> int(pl.multiskill.pooled_agents([[7.0, 5.0]], [[180.0, 180.0]], target_service_level=[[0.8, 0.8]],
...                                 threshold_s=[[20.0, 20.0]])[0])
16
"""

from planner.multiskill.bounds import StaticPlan, pooled_agents, static_allocation
from planner.multiskill.groups import Group, read_groups, scenario_groups, silo_groups
from planner.multiskill.plan import GroupPlan, equivalent_plan, plan_groups
from planner.multiskill.search import SearchResult, search, staff_intervals
from planner.multiskill.simulate import SimResult, System, simulate

__all__ = ["Group", "GroupPlan", "equivalent_plan", "SearchResult", "SimResult", "StaticPlan", "System", "plan_groups", "pooled_agents",
           "read_groups", "search", "silo_groups", "simulate", "staff_intervals", "static_allocation"]
# scenario_groups (reads a scenario's [groups]) stays importable from here for the scenario and report
