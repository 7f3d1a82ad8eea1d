"""Agents with several skills: groups, the static and pooled bounds, a skill-based routing simulator
and the simulation-based staffing search between the bounds (docs/design.md section 4a)."""

from planner.multiskill.bounds import StaticPlan, pooled_agents, static_allocation
from planner.multiskill.groups import Group, read_groups, scenario_groups, silo_groups
from planner.multiskill.plan import GroupPlan, equivalent_plan, plan_groups
from planner.multiskill.search import SearchResult, search, staff_intervals
from planner.multiskill.simulate import SimResult, System, simulate

__all__ = ["Group", "GroupPlan", "equivalent_plan", "SearchResult", "SimResult", "StaticPlan", "System", "plan_groups", "pooled_agents",
           "read_groups", "scenario_groups", "search", "silo_groups", "simulate", "staff_intervals", "static_allocation"]
