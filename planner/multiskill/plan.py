"""A staffing plan per agent group from the channels' plan (docs/design.md section 4a).

:func:`plan_groups` takes the silo plan (``plan.csv``: each channel staffed by its own model) and
the scenario's groups, and returns, per interval and group, the agents of three designs:

* ``static_agents``: the static allocation (upper bound, :func:`.bounds.static_allocation`), with
  ``on_<channel>`` its split: the fractional multi-skill equivalents (agent time by channel);
* ``agents``: the group plan. Live channels are split into *components* (channels linked by a
  group holding both). A component of one channel is staffed by its own model (exact: disjoint
  groups are the channel's own model) and placed in the cheapest groups by the static MILP; a
  component of several channels is staffed by simulation (:func:`.search.staff_intervals`, one
  search per bucket of similar load vectors). A bucket whose search ends above the static allocation
  keeps it and is run as the *static split* (``routing = "static split"``): each channel on its own
  agents of the split ``on_<channel>`` (at least its own requirement, by the static MILP's coverage
  rows), so its figures are the channel's own model's, exact; other rows are ``"pooled"``
  (the groups' skill-based routing). Deferred channels then fill the idle time of the
  groups that hold them (the reservoir; the idle time is the agents less the whole offered live load,
  less a ``safety`` margin): their work is done as early as the free capacity allows,
  and agents are added (to the cheapest group holding the channel) only where the work done would
  fall behind the channel's own plan (a deferred channel whose groups hold no live channel keeps
  its own plan, in the cheapest of them). The channel's own plan meets its deadline target, and this
  schedule is never behind it, so the target still holds (EDF with more capacity at every instant
  is never later: Horn 1974).
* ``pooled_agents`` (per interval, repeated per group): the fully pooled lower bound: one pool
  with all the live work and the strictest target (:func:`.bounds.pooled_agents`), whose idle
  time takes the deferred work under the same rule.

A voice channel blended with an outbound campaign counts the campaign's agents as live work.
Chat channels enter the bounds as their agent time (busy agents x interval / chats of the chat
model's plan). In a simulated component a chat channel with concurrency is simulated as itself
(:mod:`.simulate`: up to ``concurrency`` chats per agent, each slowed by ``aht_growth`` per extra
chat held; the chat model's effective rate and the duration of a chat held alone), and a mixed group
(chat and another live skill) chats on at most the chat agents of its static split.

``agents_gross = agents / (1 - shrinkage)`` with the group's shrinkage: its channels' shrinkage
weighted by the agent time the static split gives each channel in the interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.multiskill.bounds import pooled_agents, static_allocation
from planner.multiskill.groups import Group
from planner.multiskill.replay import replay
from planner.multiskill.results import per_interval, simulated_figures, warn_below_target
from planner.multiskill.search import staff_intervals
from planner.multiskill.simulate import System

__all__ = ["GroupPlan", "plan_groups", "equivalent_plan"]


@dataclass(frozen=True)
class GroupPlan:
    """``plan``: one row per interval x group (``interval_start, group, agents, agents_fractional,
    shrinkage, agents_gross, static_agents, pooled_agents, routing, on_<channel>...``; ``routing``:
    ``"pooled"`` or ``"static split"``, see the module notes); ``channels``: per channel, what the group plan
    delivers (``service_level`` with ``service_level_lo/hi``, ``asa_s``, ``abandon_rate``,
    ``within_deadline``, ``basis``); ``totals``: agent-hours of the silo plan, the static and pooled
    bounds and the group plan (whole agents, and fractional as the roll-ups count them), and the
    pooling gain ``(static - final) / static``; ``buckets``: per simulated channel and load bucket
    (``bucket, intervals, routing, service_level, service_level_lo, target, channel``), the one-sided
    95% lower bound (``"static split"``: the own model's lowest interval, exact); a bucket below its
    target is also a ``PlannerWarning``.

    Examples
    --------
    >>> import pandas as pd
    >>> import planner as pl
    >>> starts = pd.date_range("2026-07-06 09:00", periods=2, freq="30min", tz="Europe/London")
    >>> forecast = pd.DataFrame({"interval_start": starts.repeat(2), "channel": ["phone", "email"] * 2,
    ...                          "offered": [150.0, 3.0] * 2, "aht_s": [240.0, 600.0] * 2})
    >>> plan = pl.staff(forecast, {"phone": pl.Voice(target_service_level=0.8, threshold_s=20),
    ...                            "email": pl.Deferred(target_service_level=0.95, deadline_s=14400)}, interval_s=1800)
    >>> found = pl.plan_groups(plan, (pl.Group("blended", ("phone", "email")),), interval_s=1800, replay_check=False)
    >>> found.totals[["design", "agent_hours"]].values.tolist()
    [['silo', 26.0], ['static bound', 26.0], ['pooled bound', 25.0], ['group plan', 25.0]]
    """

    plan: pd.DataFrame
    channels: pd.DataFrame
    totals: pd.DataFrame
    buckets: pd.DataFrame | None = None


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


def _fill_reservoir(free_s, work_s, own_done_s, interval_s, occupancy, whole=True):
    """Extra whole agents per interval so deferred work done is never behind the channel's own plan.

    ``free_s``: agent time [s] the groups' live work leaves idle; ``work_s``: work arriving;
    ``own_done_s``: work the channel's own plan does. A greedy pass (oldest work first) is a solver,
    so it loops over intervals. Returns the extra agents (whole, or fractional with ``whole=False``)
    and the free time used [s].
    """
    due = np.cumsum(own_done_s)
    arrived = np.cumsum(work_s)
    arrived = arrived + max(0.0, float(np.max(due - arrived, initial=0.0)))  # the opening backlog
    extra = np.zeros(len(work_s), np.int64 if whole else float)
    used = np.zeros(len(work_s))
    done = 0.0
    for t in range(len(work_s)):
        before = done
        done = min(arrived[t], done + free_s[t])
        used[t] = done - before
        if done < due[t] - 1e-6:
            need = (due[t] - done) / (interval_s * occupancy)
            extra[t] = int(np.ceil(need - 1e-9)) if whole else need
            done = min(arrived[t], done + extra[t] * interval_s * occupancy)
    return extra, used


def plan_groups(plan: pd.DataFrame, groups: tuple[Group, ...], *, interval_s: float, seed: int = 0,
                replications: int = 10, duration_s: float = 3600.0, safety: float = 0.25,
                replay_check: bool = True) -> GroupPlan:
    """The group plan from a silo plan (see the module notes); intervals with no agent are dropped.

    Parameters
    ----------
    plan : pandas.DataFrame
        :func:`planner.staff`'s plan (``interval_start, channel, kind, offered, aht_s, load_erlangs,
        agents, occupancy, service_level, asa_s, abandon_rate`` and the channel settings).
    groups : tuple of Group
    interval_s : float
        Interval length [s].
    seed, replications : int
        The simulations of components with several live channels.
    duration_s : float
        Simulated time of arrivals per replication and load bucket [s].
    safety : float
        Standard deviations of each group's live work (``safety * sqrt(load)`` agents, the
        Poisson spread of busy agents) kept out of the idle time offered to deferred work. Replaying
        the sample scenario's blended email over four weeks (:func:`.replay.replay`), 0 left email at
        97% on time (target 99%) and 0.25 at 99.99%.
    replay_check : bool
        Replay the groups that blend deferred and live work over the horizon and report the
        deferred channels' share on time with its interval (``within_deadline_lo/hi``).

    Returns
    -------
    GroupPlan

    Examples
    --------
    Phone (20 Erlangs, 80/20: Erlang C's 25 agents) and a little email, answered between calls by one
    blended group: the email fits the idle time, so the group costs phone's 25 agents.

    >>> import pandas as pd
    >>> import planner as pl
    >>> starts = pd.date_range("2026-07-06 09:00", periods=2, freq="30min", tz="Europe/London")
    >>> forecast = pd.DataFrame({"interval_start": starts.repeat(2), "channel": ["phone", "email"] * 2,
    ...                          "offered": [150.0, 3.0] * 2, "aht_s": [240.0, 600.0] * 2})
    >>> plan = pl.staff(forecast, {"phone": pl.Voice(target_service_level=0.8, threshold_s=20),
    ...                            "email": pl.Deferred(target_service_level=0.95, deadline_s=14400)}, interval_s=1800)
    >>> found = pl.plan_groups(plan, (pl.Group("blended", ("phone", "email")),), interval_s=1800, replay_check=False)
    >>> found.plan[["group", "agents", "static_agents"]].values.tolist()
    [['blended', 25, 26], ['blended', 25, 26]]
    """
    rows_as_given = plan  # per-channel results weigh every segment's row by its volume
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
    raw_load = _wide(plan, "load_erlangs", channels, index)
    busy = agents_own * _wide(plan, "occupancy", channels, index)  # agent-equivalents of work
    load = np.where(kind == "chat", busy, _wide(plan, "load_erlangs", channels, index))
    if "outbound_agents" in plan.columns:  # a voice channel blended with a campaign ([[blend]]) also dials
        load = load + _wide(plan, "outbound_agents", channels, index)
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
    own_fractional = _wide(plan, "agents_fractional", channels, index) if "agents_fractional" in plan else agents_own
    live_fractional = np.where(np.isin(channels, live), own_fractional, 0.0)
    single_fractional = static_allocation(live_fractional, groups, channels, integral=False)
    frac, frac_sim = np.zeros((n_t, n_g)), np.zeros((n_t, n_g))  # fractional agents, for roll-ups
    simulated: dict[str, tuple] = {}
    routing = np.full((n_t, n_g), "pooled", dtype=object)  # how each interval x group is run (module notes)
    served = np.zeros((n_t, n_g))  # live work [agent-equivalents] each group serves: the whole offered load
    # (live contacts interrupt deferred work, so few abandon: the abandoned work is no idle time)
    for component in _components(groups, live):
        members = [g for g, group in enumerate(groups) if set(group.skills) & set(component)]
        ks = [col[c] for c in component]
        if len(component) == 1:
            agents[:, members] = np.maximum(agents[:, members], single.agents[:, members])
            frac[:, members] = np.maximum(frac[:, members], single_fractional.agents[:, members])
            share = agents[:, members] / np.maximum(agents[:, members].sum(axis=1, keepdims=True), 1)
            served[:, members] += share * load[:, ks]
            continue
        offered = _wide(plan, "offered", channels, index)[:, ks]
        aht = np.where(load[:, ks] > 0, load[:, ks] * interval_s / np.maximum(offered, 1e-9), 0.0).max(axis=0)
        rates = load[:, ks] / np.maximum(aht, 1e-9)
        # chat with concurrency enters as itself: the chat model's effective rate (MOL) and the duration
        # of a chat held alone, with the channel's concurrency and slowdown
        concurrency, growth, measured = (settings[key].reindex(component).astype(float).fillna(default).to_numpy()
                                         if key in settings else np.full(len(component), default)
                                         for key, default in (("concurrency", 1.0), ("aht_growth", 0.0),
                                                              ("aht_concurrency", 1.0)))
        is_chat = (settings["kind"].reindex(component).to_numpy() == "chat") & (concurrency > 1)
        if is_chat.any():
            chat_load = raw_load[:, ks] / (1.0 + growth * (measured - 1.0))  # rate x duration held alone [Erlang]
            alone = np.where(chat_load > 0, chat_load * interval_s / np.maximum(offered, 1e-9), 0.0).max(axis=0)
            aht = np.where(is_chat, alone, aht)
            rates = np.where(is_chat, chat_load / np.maximum(alone, 1e-9), rates)
        patience = settings["patience_s"].reindex(component).astype(float).fillna(np.inf).to_numpy()
        skills = tuple(tuple(component.index(s) for s in groups[g].skills if s in component) for g in members)
        system = System(rate_per_s=rates.max(axis=0), aht_s=aht, threshold_s=settings["threshold_s"].reindex(
            component).to_numpy(float), patience_s=patience, target=settings["target_service_level"].reindex(
            component).to_numpy(float), skills=skills, concurrency=concurrency.round(), aht_growth=growth)
        # a mixed group (chat and another live skill) chats on at most its chat agents of the static split
        mixed = [any(is_chat[c] for c in held) and any(not is_chat[c] for c in held) for held in skills]
        chat_cols = [col[c] for c, chatty in zip(component, is_chat) if chatty]
        cap = np.where(mixed, np.ceil(static.split[:, members][:, :, chat_cols].sum(axis=2) - 1e-6), np.inf)
        found, results, bucket = staff_intervals(system, rates, static=static.agents[:, members], cost=cost[members],
                                                 low=low[members], high=high[members], replications=replications,
                                                 duration_s=duration_s, seed=seed,
                                                 chat_agents=cap if any(mixed) else None)
        agents[:, members] = np.maximum(agents[:, members], found)
        frac_sim[:, members] = 1.0
        # the agent time each group spends on live work, by bucket: simulated busy time (a chatting agent
        # is busy while it holds a chat) per unit of the bucket's load, scaled to each interval's load
        span = duration_s + float(4 * np.max(system.aht_s[~system.deferred], initial=np.max(system.aht_s)))
        per_load = np.zeros((len(results), len(members)))
        for b, result in results.items():
            if result is not None:
                top_load = (rates[bucket == b].max(axis=0) * system.agent_time_s).sum()
                per_load[b] = result.result.busy_s.mean(axis=0) / span / max(top_load, 1e-9)
        served[:, members] += per_load[bucket] * (rates * system.agent_time_s).sum(axis=1, keepdims=True)
        split_at = np.isin(bucket, [b for b, r in results.items() if r is not None and r.capped])
        routing[np.ix_(split_at, members)] = "static split"
        simulated[tuple(component)] = (results, bucket, offered, split_at, system.target)
    frac = np.maximum(frac, agents * (frac_sim > 0))  # simulated components: whole agents in both

    def fill(agents, whole):  # deferred work fills the reservoirs
        agents = agents.copy()
        free = np.maximum(agents - served - safety * np.sqrt(served), 0.0) * interval_s  # idle agent time [s]
        for c in [c for c in channels if c not in live]:
            holders = [g for g, group in enumerate(groups) if c in group.skills]
            best = min(holders, key=lambda g: (groups[g].cost, groups[g].skills.index(c), len(groups[g].skills)))
            if not any(set(groups[g].skills) & set(live) for g in holders):  # no live work to share: its own plan
                agents[:, best] += (agents_own if whole else own_fractional)[:, col[c]].astype(agents.dtype)
                continue
            occupancy = float(settings.at[c, "max_occupancy"]) if pd.notna(settings.at[c, "max_occupancy"]) else 1.0
            available = free[:, holders].sum(axis=1) * occupancy
            extra, used = _fill_reservoir(available, load[:, col[c]] * interval_s, busy[:, col[c]] * interval_s,
                                          interval_s, occupancy, whole=whole)
            free[:, holders] *= (1.0 - np.divide(used, available, out=np.zeros(n_t), where=available > 0))[:, None]
            agents[:, best] += extra
        return agents

    agents, frac = fill(agents, True), fill(frac, False)
    frac = np.clip(frac, low, high)
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
    result = _assemble(rows_as_given, settings, groups, channels, live, index, agents, static, pooled, agents_own, simulated,
                       interval_s, frac, own_fractional, routing)
    return _replayed(result, plan, groups, settings, interval_s=interval_s, seed=seed) if replay_check else result


def _replayed(result: GroupPlan, plan, groups, settings, *, interval_s, seed) -> GroupPlan:
    """Deferred channels that share agents with live ones, checked by replaying their groups over the
    horizon (:func:`.replay.replay`, 3 replications): their share on time with its 95% interval.
    Skipped when those groups hold chat (the replay has no concurrency) or a channel blended with an
    outbound campaign (the replay does not dial)."""
    kind = settings["kind"]
    mixed = {g.name for g in groups if any(kind.get(s) == "deferred" for s in g.skills)
             and any(kind.get(s) in ("voice", "chat") for s in g.skills)}
    names = {s for g in groups if g.name in mixed for s in g.skills}
    played = tuple(g for g in groups if set(g.skills) & names)
    dials = plan.loc[plan["channel"].isin(names), "outbound_agents"].fillna(0.0).to_numpy() if \
        "outbound_agents" in plan.columns else np.zeros(1)
    if not mixed:
        return result
    why = ("its groups hold chat (the replay has no concurrency)" if any(
        kind.get(s) == "chat" for g in played for s in g.skills) else
        "a channel of its groups dials an outbound campaign (the replay does not dial)" if dials.any() else None)
    if why is not None:  # say so where the deferred channel's figure is reported
        channels = result.channels.copy()
        skipped = channels["channel"].isin(names) & channels["kind"].eq("deferred")
        channels.loc[skipped, "basis"] = channels.loc[skipped, "basis"] + f"; not replayed: {why}"
        return GroupPlan(plan=result.plan, channels=channels, totals=result.totals, buckets=result.buckets)
    checked = replay(plan, result.plan, played, interval_s=interval_s, replications=3, seed=seed).set_index("channel")
    channels = result.channels.copy()
    for i, c in enumerate(channels["channel"]):
        if c in checked.index and kind.get(c) == "deferred":
            channels.loc[i, ["within_deadline", "within_deadline_lo", "within_deadline_hi"]] = \
                checked.loc[c, ["met", "met_lo", "met_hi"]].to_numpy(float)
            channels.loc[i, "basis"] = f"replay of {', '.join(g.name for g in played)} over the horizon, 3 replications"
    return GroupPlan(plan=result.plan, channels=channels, totals=result.totals, buckets=result.buckets)


def _assemble(plan, settings, groups, channels, live, index, agents, static, pooled, agents_own, simulated, interval_s,
              frac, own_fractional, routing):
    # a group's shrinkage: its channels' shrinkage weighted by the agent time the static split gives
    # each (the first skill's where the split is empty), per interval
    per_channel = settings["shrinkage"].reindex(channels).astype(float).fillna(0.0).to_numpy()
    first = np.array([per_channel[channels.index(g.skills[0])] for g in groups])
    time_on = static.split.sum(axis=2)
    shrink = np.where(time_on > 0, (static.split * per_channel).sum(axis=2) / np.where(time_on > 0, time_on, 1.0), first)
    n_t, n_g = agents.shape
    frame = pd.DataFrame({
        "interval_start": np.repeat(index, n_g), "group": np.tile([g.name for g in groups], n_t),
        "agents": agents.reshape(-1), "agents_fractional": frac.reshape(-1), "shrinkage": shrink.reshape(-1),
        "agents_gross": (agents / (1.0 - shrink)).reshape(-1),
        "static_agents": static.agents.reshape(-1), "pooled_agents": np.repeat(pooled, n_g),
        "routing": routing.reshape(-1)})
    for k, c in enumerate(channels):
        frame[f"on_{c}"] = static.split[:, :, k].reshape(-1)
    frame = frame[np.repeat(agents.sum(axis=1) + static.agents.sum(axis=1) + frac.sum(axis=1) > 0, n_g)].reset_index(drop=True)
    hours = interval_s / 3600.0
    silo_shrink = settings["shrinkage"].reindex(channels).fillna(0.0).to_numpy(float)
    totals = pd.DataFrame({
        "design": ["silo", "static bound", "pooled bound", "group plan"],
        "agent_hours": [agents_own.sum() * hours, static.agents.sum() * hours, pooled.sum() * hours, agents.sum() * hours],
        "agent_hours_gross": [(agents_own / (1 - silo_shrink)).sum() * hours, (static.agents / (1 - shrink)).sum() * hours,
                              np.nan, (agents / (1 - shrink)).sum() * hours],
        "agent_hours_fractional": [own_fractional.sum() * hours, static_allocation(
            own_fractional, groups, channels, integral=False).agents.sum() * hours, np.nan, frac.sum() * hours],
        "agent_hours_fractional_gross": [(own_fractional / (1 - silo_shrink)).sum() * hours, np.nan, np.nan,
                                         (frac / (1 - shrink)).sum() * hours]})
    totals["pooling_gain"] = (totals["agent_hours"].iloc[1] - totals["agent_hours"]) / totals["agent_hours"].iloc[1]
    rows, buckets = [], []
    for c in channels:
        own = plan[plan["channel"] == c]
        weight = own["offered"].to_numpy(float)
        row = {"channel": c, "kind": settings.at[c, "kind"], "basis": "own model (its component is one channel)"}
        for key in ("service_level", "asa_s", "abandon_rate"):
            value = own[key].to_numpy(float)
            ok = np.isfinite(value) & (weight > 0)
            row[key] = float(np.average(value[ok], weights=weight[ok])) if ok.any() else np.nan
        row["service_level_lo"] = row["service_level_hi"] = row["service_level"]
        row["within_deadline"] = row["within_deadline_lo"] = row["within_deadline_hi"] = np.nan
        if c not in live:
            shared = any(set(g.skills) & set(live) for g in groups if c in g.skills)
            row["basis"] = ("deferred: never behind its own plan, which meets the deadline target" if shared else
                            "own model (no live channel shares its agents)")
            row["within_deadline"] = float(settings.at[c, "target_service_level"]) if pd.notna(
                settings.at[c, "target_service_level"]) else np.nan
        for component, (results, bucket, offered, split_at, target) in simulated.items():
            if c in component:
                k = component.index(c)
                silo = per_interval(own, index)  # the channel's own model, per interval: how a static split runs
                found, table = simulated_figures(results, bucket, offered, k, split_at, silo, float(target[k]))
                row.update(found)
                buckets.append(table.assign(channel=c))
        rows.append(row)
    buckets = warn_below_target(buckets)
    return GroupPlan(plan=frame, channels=pd.DataFrame(rows), totals=totals, buckets=buckets)


def equivalent_plan(plan: pd.DataFrame, group_plan: pd.DataFrame, groups: tuple[Group, ...] = ()) -> pd.DataFrame:
    """``plan`` with each channel's agents replaced by its share of the group plan's agents, so that
    roll-ups and ``planner compare`` show a cross-trained design channel by channel.

    A group's agents are shared among its channels in proportion to the static split
    (``on_<channel>``), or equally among its skills (``groups``; else the channels it is ever split
    to) when the split is empty; ``agents_fractional`` and ``agents``
    become the channel's multi-skill equivalent and ``shrinkage`` the one that gives the groups'
    gross agents.

    >>> starts = pd.to_datetime(["2026-07-06 09:00"]).tz_localize("Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts.repeat(2), "channel": ["phone", "email"],
    ...                      "agents": [10, 4], "agents_fractional": [9.5, 4.0], "shrinkage": [0.3, 0.25]})
    >>> groups = pd.DataFrame({"interval_start": starts, "group": ["blended"], "agents": [12],
    ...                        "agents_gross": [12 / 0.7], "on_phone": [10.0], "on_email": [4.0]})
    >>> equivalent_plan(plan, groups)[["channel", "agents_fractional"]].round(3).values.tolist()
    [['phone', 8.571], ['email', 3.429]]
    """
    channels = list(dict.fromkeys(plan["channel"]))
    split = group_plan[["interval_start", "group"]].copy()
    split["agents"] = group_plan["agents_fractional"] if "agents_fractional" in group_plan else group_plan["agents"]
    split["agents_gross"] = split["agents"] / (1.0 - group_plan["shrinkage"]) if "shrinkage" in group_plan else \
        group_plan["agents_gross"]
    share = np.column_stack([group_plan.get(f"on_{c}", pd.Series(0.0, index=group_plan.index)).to_numpy(float)
                             for c in channels])
    skills = {g.name: set(g.skills) for g in groups}
    held = pd.DataFrame(share > 0).groupby(group_plan["group"].to_numpy()).transform("any").to_numpy(float).copy()
    for name, held_skills in skills.items():
        held[(group_plan["group"] == name).to_numpy()] = [float(c in held_skills) for c in channels]
    share = np.where(share.sum(axis=1, keepdims=True) > 0, share, held)  # no split here: the group's channels equally
    total = share.sum(axis=1, keepdims=True)
    share = np.where(total > 0, share / np.where(total > 0, total, 1.0), 0.0)
    long = pd.DataFrame({"interval_start": np.repeat(split["interval_start"].to_numpy(), len(channels)),
                         "channel": np.tile(channels, len(split)),
                         "net": (split["agents"].to_numpy(float)[:, None] * share).reshape(-1),
                         "gross": (split["agents_gross"].to_numpy(float)[:, None] * share).reshape(-1)})
    long = long.groupby(["interval_start", "channel"], as_index=False)[["net", "gross"]].sum()
    out = plan.merge(long, on=["interval_start", "channel"], how="left")
    out["agents_fractional"] = out["net"].fillna(0.0)
    out["agents"] = np.ceil(out["agents_fractional"] - 1e-9)
    out["shrinkage"] = np.where(out["gross"] > 0, 1.0 - out["net"] / out["gross"].where(out["gross"] > 0, 1.0),
                                out["shrinkage"])
    return out.drop(columns=["net", "gross"])
