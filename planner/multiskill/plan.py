"""A staffing plan per agent group from the channels' plan (docs/design.md section 4a).

:func:`plan_groups` takes the silo plan (``plan.csv``: each channel staffed by its own model) and
the scenario's groups, and returns, per interval and group, the agents of three designs:

* ``static_agents``: the static allocation (upper bound, :func:`.bounds.static_allocation`), with
  ``on_<channel>`` its split: the fractional multi-skill equivalents (agent time by channel);
* ``agents``: the group plan. Live channels are split into *components* (channels linked by a
  group holding both). A component of one channel is staffed by its own model (exact: disjoint
  groups are the channel's own model) and placed in the cheapest groups by the static MILP; a
  component of several channels is staffed by simulation (:func:`.search.staff_intervals`, one
  search per bucket of similar load vectors). Deferred channels then fill the idle time of the
  groups that hold them (the reservoir; the idle time is the agents less the whole offered live load,
  less a ``safety`` margin): their work is done as early as the free capacity allows,
  and agents are added (to the cheapest group holding the channel) only where the work done would
  fall behind the channel's own plan. The channel's own plan meets its deadline target, and this
  schedule is never behind it, so the target still holds (EDF with more capacity at every instant
  is never later: Horn 1974).
* ``pooled_agents`` (per interval, repeated per group): the fully pooled lower bound: one pool
  with all the live work and the strictest target (:func:`.bounds.pooled_agents`), whose idle
  time takes the deferred work under the same rule.

``agents_gross = agents / (1 - shrinkage)`` with the highest shrinkage among the group's skills.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.multiskill.bounds import pooled_agents, static_allocation
from planner.multiskill.groups import Group
from planner.multiskill.search import staff_intervals
from planner.multiskill.simulate import System

__all__ = ["GroupPlan", "plan_groups"]


@dataclass(frozen=True)
class GroupPlan:
    """``plan``: one row per interval x group (``interval_start, group, agents, agents_gross,
    static_agents, pooled_agents, on_<channel>...``); ``channels``: per channel, what the group plan
    delivers (``service_level`` with ``service_level_lo/hi``, ``asa_s``, ``abandon_rate``,
    ``within_deadline``, ``basis``); ``totals``: agent-hours of the silo plan, the static and pooled
    bounds and the group plan, and the pooling gain ``(static - final) / static``."""

    plan: pd.DataFrame
    channels: pd.DataFrame
    totals: pd.DataFrame


def _wide(plan: pd.DataFrame, column: str, channels: list[str], index) -> np.ndarray:
    table = plan.pivot_table(index="interval_start", columns="channel", values=column, aggfunc="sum")
    return table.reindex(index=index, columns=channels).fillna(0.0).to_numpy(float)


def _components(groups: tuple[Group, ...], live: list[str]) -> list[list[str]]:
    """Live channels linked by groups holding both (union-find over each group's live skills)."""
    parent = {c: c for c in live}

    def root(c):
        while parent[c] != c:
            c = parent[c]
        return c

    for group in groups:
        held = [s for s in group.skills if s in parent]
        for other in held[1:]:
            parent[root(other)] = root(held[0])
    found: dict[str, list[str]] = {}
    for c in live:
        found.setdefault(root(c), []).append(c)
    return list(found.values())


def _fill_reservoir(free_s, work_s, own_done_s, interval_s, occupancy):
    """Extra whole agents per interval so deferred work done is never behind the channel's own plan.

    ``free_s``: agent time [s] the groups' live work leaves idle; ``work_s``: work arriving;
    ``own_done_s``: work the channel's own plan does. A greedy pass (oldest work first) is a solver,
    so it loops over intervals. Returns the extra agents and the free time used [s].
    """
    due = np.cumsum(own_done_s)
    arrived = np.cumsum(work_s)
    arrived = arrived + max(0.0, float(np.max(due - arrived, initial=0.0)))  # the opening backlog
    extra = np.zeros(len(work_s), np.int64)
    used = np.zeros(len(work_s))
    done = 0.0
    for t in range(len(work_s)):
        before = done
        done = min(arrived[t], done + free_s[t])
        used[t] = done - before
        if done < due[t] - 1e-6:
            extra[t] = int(np.ceil((due[t] - done) / (interval_s * occupancy) - 1e-9))
            done = min(arrived[t], done + extra[t] * interval_s * occupancy)
    return extra, used


def plan_groups(plan: pd.DataFrame, groups: tuple[Group, ...], *, interval_s: float, seed: int = 0,
                replications: int = 10, duration_s: float = 3600.0, safety: float = 0.25) -> GroupPlan:
    """The group plan from a silo plan (see the module notes); intervals with no agent are dropped.

    Parameters
    ----------
    plan : pandas.DataFrame
        :func:`planner.staff`'s plan (``interval_start, channel, kind, offered, aht_s, load_erlangs,
        agents, occupancy, service_level, asa_s, abandon_rate`` and the channel settings).
    groups : tuple of Group
    interval_s : float
        Interval length [s].
    seed, replications, duration_s
        The simulations of components with several live channels.
    safety : float
        Standard deviations of each group's live work (``safety * sqrt(load)`` agents, the
        Poisson spread of busy agents) kept out of the idle time offered to deferred work. Replaying
        the sample scenario's blended email over four weeks (:func:`.replay.replay`), 0 left email at
        97% on time (target 99%) and 0.25 at 99.99%.
    """
    if "segment" in plan.columns:  # agents repeat per segment row: one row per interval x channel
        plan = plan.groupby(["interval_start", "channel"], as_index=False, sort=False).agg(
            {**{c: "first" for c in plan.columns if c not in ("interval_start", "channel", "segment")},
             "offered": "sum", "load_erlangs": "sum"})
    settings = plan.groupby("channel", sort=False).first()
    channels = [c for c in settings.index if settings.at[c, "kind"] != "outbound"]
    index = pd.DatetimeIndex(sorted(plan["interval_start"].unique()))
    kind = settings["kind"].reindex(channels).to_numpy()
    live = [c for c, k in zip(channels, kind) if k != "deferred"]
    agents_own = _wide(plan, "agents", channels, index)
    busy = agents_own * _wide(plan, "occupancy", channels, index)  # agent-equivalents of work
    load = np.where(kind == "chat", busy, _wide(plan, "load_erlangs", channels, index))
    col = {c: k for k, c in enumerate(channels)}
    n_t, n_g = len(index), len(groups)
    static = static_allocation(agents_own, groups, channels)
    cost = np.array([g.cost for g in groups])
    low = np.array([g.min_agents for g in groups])
    high = np.array([10**9 if g.max_agents is None else g.max_agents for g in groups])
    agents = np.zeros((n_t, n_g), np.int64)
    live_only = agents_own.copy()
    live_only[:, [col[c] for c in channels if c not in live]] = 0.0
    single = static_allocation(live_only, groups, channels)  # one-channel components, in the cheapest groups
    simulated: dict[str, tuple] = {}
    served = np.zeros((n_t, n_g))  # live work [agent-equivalents] each group serves: the whole offered load
    # (live contacts interrupt deferred work, so few abandon: the abandoned work is no idle time)
    for component in _components(groups, live):
        members = [g for g, group in enumerate(groups) if set(group.skills) & set(component)]
        ks = [col[c] for c in component]
        if len(component) == 1:
            agents[:, members] = np.maximum(agents[:, members], single.agents[:, members])
            share = agents[:, members] / np.maximum(agents[:, members].sum(axis=1, keepdims=True), 1)
            served[:, members] += share * load[:, ks]
            continue
        offered = _wide(plan, "offered", channels, index)[:, ks]
        aht = np.where(load[:, ks] > 0, load[:, ks] * interval_s / np.maximum(offered, 1e-9), 0.0).max(axis=0)
        rates = load[:, ks] / np.maximum(aht, 1e-9)
        patience = settings["patience_s"].reindex(component).astype(float).fillna(np.inf).to_numpy()
        system = System(rate_per_s=rates.max(axis=0), aht_s=aht, threshold_s=settings["threshold_s"].reindex(
            component).to_numpy(float), patience_s=patience, target=settings["target_service_level"].reindex(
            component).to_numpy(float), skills=tuple(tuple(component.index(s) for s in groups[g].skills if s in component)
                                                       for g in members))
        found, results, bucket = staff_intervals(system, rates, static=static.agents[:, members], cost=cost[members],
                                                 low=low[members], high=high[members], replications=replications,
                                                 duration_s=duration_s, seed=seed)
        agents[:, members] = np.maximum(agents[:, members], found)
        shares = np.zeros((len(results), len(members)))  # each group's share of the component's work, by bucket
        for b, result in results.items():
            if result is not None:
                shares[b] = result.result.busy_s.mean(axis=0) / max(result.result.busy_s.mean(axis=0).sum(), 1e-9)
        served[:, members] += shares[bucket] * load[:, ks].sum(axis=1, keepdims=True)
        simulated[tuple(component)] = (results, bucket, offered)
    free = np.maximum(agents - served - safety * np.sqrt(served), 0.0) * interval_s  # idle agent time [s] per group
    for c in [c for c in channels if c not in live]:  # deferred work fills the reservoirs
        holders = [g for g, group in enumerate(groups) if c in group.skills]
        occupancy = float(settings.at[c, "max_occupancy"]) if pd.notna(settings.at[c, "max_occupancy"]) else 1.0
        available = free[:, holders].sum(axis=1) * occupancy
        extra, used = _fill_reservoir(available, load[:, col[c]] * interval_s, busy[:, col[c]] * interval_s,
                                      interval_s, occupancy)
        free[:, holders] *= (1.0 - np.divide(used, available, out=np.zeros(n_t), where=available > 0))[:, None]
        best = min(holders, key=lambda g: (groups[g].cost, groups[g].skills.index(c), len(groups[g].skills)))
        agents[:, best] += extra
    agents = np.clip(agents, low, high)
    offered = _wide(plan, "offered", channels, index)
    aht = np.where(kind == "chat", busy * interval_s / np.maximum(offered, 1e-9), _wide(plan, "aht_s", channels, index))
    pooled = pooled_agents(np.where(np.isin(channels, live), load, 0.0), aht, target_service_level=
                           settings["target_service_level"].reindex(channels).fillna(0.0).to_numpy(float),
                           threshold_s=settings["threshold_s"].reindex(channels).fillna(np.inf).to_numpy(float),
                           )
    deferred = [col[c] for c in channels if c not in live]
    if deferred:  # the pool's idle time takes the deferred work too, as the groups' does
        free = np.maximum(pooled - busy[:, [col[c] for c in live]].sum(axis=1), 0.0) * interval_s
        pooled = pooled + _fill_reservoir(free, load[:, deferred].sum(axis=1) * interval_s,
                                          busy[:, deferred].sum(axis=1) * interval_s, interval_s, 1.0)[0]
    return _assemble(plan, settings, groups, channels, live, index, agents, static, pooled, agents_own, simulated,
                     interval_s)


def _assemble(plan, settings, groups, channels, live, index, agents, static, pooled, agents_own, simulated, interval_s):
    shrink = np.array([max(float(settings.at[s, "shrinkage"]) if pd.notna(settings.at[s, "shrinkage"]) else 0.0
                           for s in g.skills) for g in groups])
    n_t, n_g = agents.shape
    frame = pd.DataFrame({
        "interval_start": np.repeat(index, n_g), "group": np.tile([g.name for g in groups], n_t),
        "agents": agents.reshape(-1), "agents_gross": (agents / (1.0 - shrink)).reshape(-1),
        "static_agents": static.agents.reshape(-1), "pooled_agents": np.repeat(pooled, n_g)})
    for k, c in enumerate(channels):
        frame[f"on_{c}"] = static.split[:, :, k].reshape(-1)
    frame = frame[np.repeat(agents.sum(axis=1) + static.agents.sum(axis=1) > 0, n_g)].reset_index(drop=True)
    hours = interval_s / 3600.0
    silo_shrink = settings["shrinkage"].reindex(channels).fillna(0.0).to_numpy(float)
    totals = pd.DataFrame({
        "design": ["silo", "static bound", "pooled bound", "group plan"],
        "agent_hours": [agents_own.sum() * hours, static.agents.sum() * hours, pooled.sum() * hours, agents.sum() * hours],
        "agent_hours_gross": [(agents_own / (1 - silo_shrink)).sum() * hours, (static.agents / (1 - shrink)).sum() * hours,
                              np.nan, (agents / (1 - shrink)).sum() * hours]})
    totals["pooling_gain"] = (totals["agent_hours"].iloc[1] - totals["agent_hours"]) / totals["agent_hours"].iloc[1]
    rows = []
    for c in channels:
        own = plan[plan["channel"] == c]
        weight = own["offered"].to_numpy(float)
        row = {"channel": c, "kind": settings.at[c, "kind"], "basis": "own model (its component is one channel)"}
        for key in ("service_level", "asa_s", "abandon_rate"):
            value = own[key].to_numpy(float)
            ok = np.isfinite(value) & (weight > 0)
            row[key] = float(np.average(value[ok], weights=weight[ok])) if ok.any() else np.nan
        row["service_level_lo"] = row["service_level_hi"] = row["service_level"]
        if c not in live:
            row["basis"] = "deferred: never behind its own plan, which meets the deadline target"
            row["within_deadline"] = float(settings.at[c, "target_service_level"]) if pd.notna(
                settings.at[c, "target_service_level"]) else np.nan
        for component, (results, bucket, offered) in simulated.items():
            if c in component:
                row.update(_simulated(results, bucket, offered, component.index(c)))
        rows.append(row)
    return GroupPlan(plan=frame, channels=pd.DataFrame(rows), totals=totals)


def _simulated(results, bucket, offered, k) -> dict:
    """A channel's volume-weighted service level, ASA and abandonment over the simulated buckets,
    with a 95% interval from the buckets' own intervals (weighted, independent buckets)."""
    weights, means, halves, asa, abandon = [], [], [], [], []
    for b, found in results.items():
        if found is None:
            continue
        w = offered[bucket == b, k].sum()
        mean, low, high = found.result.mean_ci()
        weights.append(w)
        means.append(mean[k])
        halves.append((high[k] - low[k]) / 2)
        asa.append(found.result.mean_ci("asa_s")[0][k])
        abandon.append(found.result.mean_ci("abandon_rate")[0][k])
    w = np.asarray(weights) / max(np.sum(weights), 1e-12)
    mean = float(np.nansum(w * np.asarray(means)))
    half = float(np.sqrt(np.nansum((w * np.asarray(halves)) ** 2)))
    return {"service_level": mean, "service_level_lo": mean - half, "service_level_hi": mean + half,
            "asa_s": float(np.nansum(w * np.asarray(asa))), "abandon_rate": float(np.nansum(w * np.asarray(abandon))),
            "basis": f"simulation, {len(weights)} load buckets"}
