"""Play a group plan over its whole horizon: time-varying arrivals and agents, skill-based routing.

:func:`replay` checks a group plan (:mod:`.plan`) the way it will be lived: every interval brings
Poisson arrivals at the forecast's volume (``offered``, uniform within the interval; email arrives
at night too), exponential handle times of the interval's ``aht_s`` and exponential patience; each
group has the plan's agents in each interval. The routing is :mod:`.simulate`'s (groups in the
contact's priority order, an idle agent takes the highest-priority waiting work, deferred work
fills idle time and is interrupted by live contacts). When a group shrinks at an interval boundary,
idle agents leave first and busy ones leave when they finish; deferred items carry over between
intervals and days, so deadlines spanning the night are measured as they fall. A deferred item is
on time when it is finished within ``deadline_s`` of arriving, counted in the channel's open time
when ``business_hours`` is set (the clock of :mod:`planner.staffing.deferred`); like the deferred
model, only items falling due within the horizon are counted.

It returns, per channel, the share met over the horizon (answered within the threshold, or
finished within the deadline) with a 95% confidence interval over the replications, the
abandonment rate, the mean wait of answered contacts and the share of days meeting the target.
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np
import pandas as pd
from scipy import stats

from planner.multiskill.groups import Group
from planner.multiskill.simulate import System

__all__ = ["replay"]


def _play(arrivals, staff, interval_s, skills, route, deferred, patience_mean, rng):
    """One replication: returns per-contact (class, arrival, start, finish, abandoned) arrays."""
    times, classes, handle = arrivals
    patience = [rng.exponential(patience_mean[c]) if np.isfinite(patience_mean[c]) else np.inf for c in classes]
    n, n_g = len(times), len(skills)
    start = [np.nan] * n
    finish = [np.nan] * n
    gone = [False] * n
    idle, leaving, present = [0] * n_g, [0] * n_g, [0] * n_g
    on_deferred: list[list] = [[] for _ in range(n_g)]
    queues = [deque() for _ in range(len(deferred))]
    heap: list = []
    seq, i, boundary, inf = 0, 0, 0, float("inf")
    n_intervals = len(staff)

    def serve(now, g, j, remaining):
        nonlocal seq
        seq += 1
        if start[j] != start[j]:
            start[j] = now
        if deferred[classes[j]]:
            job = [now + remaining, j, g, True]
            on_deferred[g].append(job)
            heapq.heappush(heap, (now + remaining, seq, g, job))
        else:
            heapq.heappush(heap, (now + remaining, seq, g, [now + remaining, j, g, True]))

    def take_work(now, g) -> bool:
        for c in skills[g]:
            q = queues[c]
            while q and not deferred[c] and times[q[0][0]] + patience[q[0][0]] < now:
                gone[q.popleft()[0]] = True
            if q:
                j, remaining = q.popleft()
                serve(now, g, j, remaining)
                return True
        return False

    while True:
        t_arrival = times[i] if i < n else inf
        t_boundary = boundary * interval_s if boundary < n_intervals else inf
        t_done = heap[0][0] if heap else inf
        now = min(t_arrival, t_boundary, t_done)
        if now == inf:
            break
        if t_done == now:
            _, _, g, job = heapq.heappop(heap)
            if not job[3]:
                continue
            if deferred[classes[job[1]]]:
                on_deferred[g].remove(job)
            finish[job[1]] = now
            if leaving[g]:
                leaving[g] -= 1
                present[g] -= 1
            elif not take_work(now, g):
                idle[g] += 1
        elif t_boundary == now:
            for g in range(n_g):
                change = int(staff[boundary][g]) - present[g] + leaving[g]
                cancel = min(max(change, 0), leaving[g])
                leaving[g] -= cancel
                change -= cancel
                if change > 0:
                    present[g] += change
                    for _ in range(change):
                        if not take_work(now, g):
                            idle[g] += 1
                elif change < 0:
                    out = min(idle[g], -change)
                    idle[g] -= out
                    present[g] -= out
                    leaving[g] += -change - out
            boundary += 1
        else:
            c = classes[i]
            for g in route[c]:
                if idle[g]:
                    idle[g] -= 1
                    serve(now, g, i, handle[i])
                    break
            else:
                for g in (route[c] if not deferred[c] else ()):
                    if on_deferred[g]:  # interrupt deferred work: it resumes with what is left
                        job = on_deferred[g].pop()
                        job[3] = False
                        queues[classes[job[1]]].appendleft((job[1], job[0] - now))
                        serve(now, g, i, handle[i])
                        break
                else:
                    queues[c].append((i, handle[i]))
            i += 1
    for q in queues:
        for j, _ in q:
            gone[j] = not deferred[classes[j]]
    return np.array(start), np.array(finish), np.array(gone)


def replay(plan: pd.DataFrame, group_plan: pd.DataFrame, groups: tuple[Group, ...], *, interval_s: float,
           replications: int = 5, seed: int = 0) -> pd.DataFrame:
    """Play ``group_plan`` (``interval_start, group, agents``) against ``plan``'s forecast.

    ``groups`` are the groups to play (their skills are the channels played: give the groups of
    the channels to check, e.g. the blended group alone). Returns one row per channel:
    ``offered, met, met_lo, met_hi, target, abandon_rate, asa_s, days_met`` (``met`` is the service
    level of live channels, the share on time of deferred ones).
    """
    names = list(dict.fromkeys(s for g in groups for s in g.skills))
    first = plan.groupby("channel").first()
    index = pd.DatetimeIndex(sorted(plan.loc[plan["channel"].isin(names), "interval_start"].unique()))
    start0 = index[0]
    slot = np.rint((index - start0).total_seconds() / interval_s).astype(np.int64)
    n_slots = int(slot[-1]) + 1
    wide = {col: plan[plan["channel"].isin(names)].pivot_table(index="interval_start", columns="channel", values=col,
                                                                aggfunc="sum").reindex(index=index, columns=names)
            for col in ("offered", "aht_s")}
    offered = np.zeros((n_slots, len(names)))
    aht = np.ones((n_slots, len(names)))
    offered[slot] = wide["offered"].fillna(0.0).to_numpy(float)
    aht[slot] = wide["aht_s"].fillna(1.0).to_numpy(float)
    staff = np.zeros((n_slots, len(groups)), np.int64)
    gp = group_plan[group_plan["group"].isin([g.name for g in groups])]
    table = gp.pivot_table(index="interval_start", columns="group", values="agents", aggfunc="sum").reindex(
        columns=[g.name for g in groups]).fillna(0)
    where = np.rint((table.index - start0).total_seconds() / interval_s).astype(np.int64)
    keep = (where >= 0) & (where < n_slots)
    staff[where[keep]] = table.to_numpy()[keep]
    deadline = first["deadline_s"].reindex(names).astype(float).fillna(np.inf).to_numpy()
    system = System(rate_per_s=np.zeros(len(names)), aht_s=np.ones(len(names)),
                    threshold_s=first["threshold_s"].reindex(names).astype(float).fillna(0.0).to_numpy(),
                    deadline_s=deadline, skills=tuple(tuple(names.index(s) for s in g.skills) for g in groups))
    patience = first["patience_s"].reindex(names).astype(float).fillna(np.inf).to_numpy()
    deferred = [bool(d) for d in system.deferred]
    is_open = np.ones((n_slots, len(names)), bool)
    if "open" in plan.columns:
        opened = plan[plan["channel"].isin(names)].pivot_table(index="interval_start", columns="channel", values="open",
                                                               aggfunc="max").reindex(index=index, columns=names)
        is_open[:] = False
        is_open[slot] = opened.eq(True).to_numpy()
    business = first["business_hours"].reindex(names).eq(True).to_numpy() if "business_hours" in \
        first.columns else np.zeros(len(names), bool)
    clock = np.vstack([np.zeros(len(names)), np.cumsum(is_open * interval_s, axis=0)])  # open seconds at boundaries
    days = (start0 + pd.to_timedelta(np.arange(n_slots) * interval_s, unit="s")).normalize()
    rows = {c: [] for c in range(len(names))}
    for child in np.random.SeedSequence(seed).spawn(replications):
        rng = np.random.default_rng(child)
        counts = rng.poisson(offered)
        t_slot = np.repeat(np.repeat(np.arange(n_slots), len(names)), counts.reshape(-1))
        k = np.repeat(np.tile(np.arange(len(names)), n_slots), counts.reshape(-1))
        t = (t_slot + rng.uniform(size=len(t_slot))) * interval_s
        h = rng.exponential(aht[t_slot, k])
        order = np.argsort(t, kind="stable")
        t, k, h, t_slot = t[order], k[order], h[order], t_slot[order]
        begin, end, gone = _play((t.tolist(), k.tolist(), h.tolist()), staff, interval_s, system.skills, system.route,
                                 deferred, patience, rng)
        for c in range(len(names)):
            mine = k == c
            if deferred[c]:  # items due within the horizon (as the deferred model counts them)
                def at(x):
                    s = np.clip((x // interval_s).astype(np.int64), 0, n_slots - 1)
                    return clock[s, c] + is_open[s, c] * np.clip(x - s * interval_s, 0, interval_s)
                finished = np.isfinite(end[mine])
                finish = np.where(finished, end[mine], np.inf)
                if business[c]:
                    elapsed = np.where(finished, at(np.where(finished, finish, 0.0)) - at(t[mine]), np.inf)
                    due = at(t[mine]) + deadline[c] <= clock[-1, c]
                else:
                    elapsed, due = finish - t[mine], t[mine] + deadline[c] <= n_slots * interval_s
                mine = np.flatnonzero(mine)[due]
                ok = elapsed[due] <= deadline[c] + 1e-6
                mine = np.isin(np.arange(len(k)), mine)
            else:
                ok = (begin[mine] - t[mine] <= system.threshold_s[c]) & ~gone[mine]
            frame = pd.DataFrame({"day": days[t_slot[mine]], "ok": ok})
            daily = frame.groupby("day")["ok"].mean()
            wait = (begin[mine] - t[mine])[~gone[mine]]
            rows[c].append((ok.mean(), gone[mine].mean(), np.nanmean(wait) if len(wait) else np.nan, daily, mine.sum()))
    out = []
    for c, name in enumerate(names):
        met = np.array([r[0] for r in rows[c]])
        half = stats.t.ppf(0.975, max(len(met) - 1, 1)) * met.std(ddof=1) / np.sqrt(len(met)) if len(met) > 1 else 0.0
        target = float(first.at[name, "target_service_level"]) if pd.notna(first.at[name, "target_service_level"]) else np.nan
        daily = pd.concat([r[3] for r in rows[c]], axis=1).mean(axis=1)
        out.append({"channel": name, "offered": float(np.mean([r[4] for r in rows[c]])), "met": met.mean(),
                    "met_lo": met.mean() - half, "met_hi": met.mean() + half, "target": target,
                    "abandon_rate": float(np.mean([r[1] for r in rows[c]])), "asa_s": float(np.mean([r[2] for r in rows[c]])),
                    "days_met": float((daily >= target - 1e-12).mean()) if np.isfinite(target) else np.nan})
    return pd.DataFrame(out)
