"""Simulation-based staffing of agent groups, between the static and pooled bounds (docs/design.md 4a).

:func:`search` starts from Wallace & Whitt's split of the pooled requirement (each class's load
shared by the groups that hold it, the pooled safety staffing spread in proportion to the square
root of each group's load) and then

1. **adds** agents while some class misses its target: each step tries one more agent in each group
   that serves a failing class and keeps the one that removes the most shortfall (service-level
   points below target, summed over classes) per unit of cost;
2. **removes** agents while every class still meets its target: each step tries one agent less in
   every group and keeps the removal that saves the most cost, ties going to the largest margin.

Every design is simulated on the same contacts (common random numbers, :mod:`.simulate`), and a
class meets its target when the one-sided lower confidence bound of its service level (share
within the deadline for deferred work) is at least the target. The result is kept between the
bounds: when the search ends above the static allocation, the static allocation (simulated) is
returned. References: Avramidis, Chan & L'Ecuyer (2009), IIE Transactions 41(6); Wallace & Whitt
(2005), M&SOM 7(4); Cezik & L'Ecuyer (2008), Management Science 54(2) (the same one-sided test).

:func:`staff_intervals` staffs many intervals at once and reuses the search across intervals with
similar loads: loads are rounded to a geometric grid (``load_step``, default 10%: buckets of
loads within 10% of each other), each distinct rounded load vector is searched once at the top of
its bucket (so the answer covers every interval in it), and buckets are searched from the lightest
up, each one starting from the answer of its nearest solved neighbour scaled to its load.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from planner.multiskill.bounds import pooled_agents
from planner.multiskill.simulate import SimResult, System, draw_contacts, simulate

__all__ = ["SearchResult", "search", "start_split", "staff_intervals", "pooled_total"]


@dataclass(frozen=True)
class SearchResult:
    """The least-cost design found: ``agents[g]``, its simulation, and how many designs were tried.

    ``meets``: every class meets its target (one-sided test); ``capped``: the search ended above the
    static allocation, which is returned instead.

    >>> found = search(System(rate_per_s=[0.5 / 180], aht_s=[180.0], threshold_s=[20.0], skills=((0,),)),
    ...                replications=5, duration_s=3600.0)
    >>> found.agents.tolist(), found.meets, found.capped
    ([2], True, False)
    """

    agents: np.ndarray
    result: SimResult
    evaluations: int
    meets: bool
    capped: bool = False  # True: the search ended above the static allocation, which was kept


def start_split(system: System, total: float, *, low=None, high=None) -> np.ndarray:
    """Wallace & Whitt's split of ``total`` agents over the groups (whole agents, summing to ``total``).

    Each class's load is shared equally by the groups holding it; each group gets its load plus a
    share of the safety staffing ``total - sum(load)`` proportional to the square root of its load.

    >>> chain = System(rate_per_s=[0.05] * 3, aht_s=[240.0] * 3, threshold_s=[20.0] * 3,
    ...                skills=((0, 1), (1, 2), (2, 0)))
    >>> start_split(chain, 45).tolist()
    [15, 15, 15]
    """
    n_g = len(system.skills)
    load = np.zeros(n_g)
    for c, groups in enumerate(system.route):
        for g in groups:
            load[g] += system.load_erlangs[c] / len(groups)
    safety = max(float(total) - load.sum(), 0.0)
    root = np.sqrt(load)
    share = load + (safety * root / root.sum() if root.sum() > 0 else safety / n_g)
    whole = np.floor(share).astype(np.int64)
    left = int(round(total)) - int(whole.sum())
    if left > 0:  # largest remainders first
        whole[np.argsort(-(share - whole), kind="stable")[:left]] += 1
    low = np.zeros(n_g, np.int64) if low is None else np.asarray(low, np.int64)
    high = np.full(n_g, np.iinfo(np.int64).max) if high is None else np.asarray(high, np.int64)
    return np.clip(whole, low, high)


def _shortfall(result: SimResult, target: np.ndarray, confidence: float) -> np.ndarray:
    return np.maximum(target - np.nan_to_num(result.lower_bound(confidence), nan=1.0), 0.0)


def search(system: System, *, cost=None, start=None, low=None, high=None, static=None,
           replications: int = 20, duration_s: float = 3600.0, confidence: float = 0.95,
           seed: int = 0, max_evaluations: int = 400) -> SearchResult:
    """Least-cost agents per group meeting every class's target in simulation.

    Parameters
    ----------
    system : System
        The classes, their targets (``system.target``) and the groups' skills.
    cost, low, high : array_like, optional
        Cost per agent, and min / max agents, per group (default 1, 0, unbounded).
    start : array_like, optional
        First design (default: :func:`start_split` of the pooled bound, :func:`pooled_total`).
    static : array_like, optional
        The static allocation (upper bound): returned when the search ends above its cost.
    replications, confidence, seed : int, float, int
        The simulation (common random numbers across designs) and the one-sided test.
    duration_s : float
        Simulated time of arrivals per replication [s] (after a warm-up of 4 mean handle times).

    Examples
    --------
    Two disjoint groups staff each class by itself (Erlang C: 10 agents for 7 Erlangs at 80/20, where 9 give 69%):

    >>> system = System(rate_per_s=[7 / 180] * 2, aht_s=[180.0] * 2, threshold_s=[20.0] * 2,
    ...                 skills=((0,), (1,)), target=[0.8, 0.8])
    >>> found = search(system, replications=30, duration_s=4 * 3600, seed=1)
    >>> found.agents.tolist(), found.meets
    ([10, 10], True)
    """
    n_g = len(system.skills)
    cost = np.ones(n_g) if cost is None else np.asarray(cost, float)
    low = np.zeros(n_g, np.int64) if low is None else np.asarray(low, np.int64)
    high = np.full(n_g, 10**9, np.int64) if high is None else np.asarray(high, np.int64)
    if start is None:
        start = start_split(system, pooled_total(system), low=low, high=high)
    warmup = float(4 * np.max(system.aht_s[~system.deferred], initial=np.max(system.aht_s)))
    contacts = draw_contacts(system, duration_s=duration_s + warmup, replications=replications, seed=seed)
    seen: dict[tuple, SimResult] = {}

    def evaluate(agents: np.ndarray) -> SimResult:
        key = tuple(int(a) for a in agents)
        if key not in seen:
            seen[key] = simulate(system, key, contacts=contacts, warmup_s=warmup)
        return seen[key]

    agents = np.clip(np.asarray(start, np.int64), low, high)
    current = evaluate(agents)
    gap = _shortfall(current, system.target, confidence)
    ceiling = np.inf if static is None else float(np.asarray(static) @ cost)
    while gap.sum() > 0 and len(seen) < max_evaluations:  # add: most shortfall removed per unit of cost
        if agents @ cost > ceiling:  # dearer than the static allocation, which is returned instead
            break
        failing = np.flatnonzero(gap > 0)
        candidates = sorted({g for c in failing for g in system.route[c] if agents[g] < high[g]})
        if not candidates:
            break
        best, best_score = None, -np.inf
        for g in candidates:
            trial = agents.copy()
            trial[g] += 1
            score = (gap.sum() - _shortfall(evaluate(trial), system.target, confidence).sum()) / cost[g]
            if score > best_score:
                best, best_score = g, score
        agents[best] += 1
        current = evaluate(agents)
        gap = _shortfall(current, system.target, confidence)
    meets = bool(gap.sum() == 0)
    while meets and len(seen) < max_evaluations:  # remove: most cost saved, ties to the largest margin
        best, best_key = None, None
        for g in np.flatnonzero(agents > low):
            trial = agents.copy()
            trial[g] -= 1
            result = evaluate(trial)
            if _shortfall(result, system.target, confidence).sum() == 0:
                margin = np.nanmin(result.lower_bound(confidence) - system.target)
                key = (cost[g], margin)
                if best_key is None or key > best_key:
                    best, best_key = g, key
        if best is None:
            break
        agents[best] -= 1
        current = evaluate(agents)
    found = SearchResult(agents=agents, result=current, evaluations=len(seen), meets=meets)
    if static is not None and (not meets or agents @ cost > np.asarray(static) @ cost):
        static = np.asarray(static, np.int64)
        result = evaluate(static)
        return SearchResult(agents=static, result=result, evaluations=len(seen), capped=True,
                            meets=bool(_shortfall(result, system.target, confidence).sum() == 0))
    return found


def pooled_total(system: System) -> int:
    """The fully pooled lower bound of one interval's system (:func:`.bounds.pooled_agents`)."""
    live = ~system.deferred
    if not live.any():
        return int(np.ceil(system.load_erlangs.sum() - 1e-9))
    return int(pooled_agents([system.load_erlangs[live]], [system.agent_time_s[live]],
                             target_service_level=[system.target[live]], threshold_s=[system.threshold_s[live]],
                             patience_s=[system.patience_s[live]],
                             deferred_erlangs=[system.load_erlangs[~live].sum()])[0])


def _bucket(load: np.ndarray, step: float) -> np.ndarray:
    """Loads rounded up to a geometric grid of ratio ``1 + step`` (0 stays 0)."""
    with np.errstate(divide="ignore"):
        index = np.where(load > 0, np.ceil(np.log(np.maximum(load, 1e-12) / 0.1) / np.log1p(step)), -1)
    return np.maximum(index, -1).astype(np.int64)


def staff_intervals(system: System, rates_per_s, *, static=None, load_step: float = 0.10, chat_agents=None,
                    **options):
    """Search every interval's design, once per bucket of similar load vectors.

    Parameters
    ----------
    system : System
        The classes and groups; its ``rate_per_s`` is replaced per interval.
    rates_per_s : array_like, shape (T, K)
        Each interval's arrival rates [1/s].
    static : array_like, shape (T, G), optional
        Each interval's static allocation (the upper bound kept when the search ends above it).
    load_step : float
        Relative width of a load bucket.
    chat_agents : array_like, shape (T, G), optional
        Each interval's cap on the agents of a group chatting at once (``inf``: none; see
        :attr:`.simulate.System.chat_agents`); a bucket takes its members' largest cap.
    **options
        Passed to :func:`search` (``cost``, ``low``, ``high``, ``replications``...).

    Returns
    -------
    (agents (T, G), results list per bucket, bucket index per interval (T,))

    Examples
    --------
    Two intervals with the same load share one search; the third (7 Erlangs: Erlang C's 10 agents
    at 80/20) is its own bucket:

    >>> system = System(rate_per_s=[0.0], aht_s=[180.0], threshold_s=[20.0], skills=((0,),))
    >>> agents, found, bucket = staff_intervals(system, [[0.5 / 180], [0.5 / 180], [7 / 180]],
    ...                                         replications=20, duration_s=4 * 3600.0)
    >>> agents[:, 0].tolist(), bucket.tolist()
    ([2, 2, 10], [0, 0, 1])
    """
    rates = np.atleast_2d(np.asarray(rates_per_s, float))
    keys = _bucket(rates * system.agent_time_s, load_step)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    agents = np.zeros((len(rates), len(system.skills)), np.int64)
    found: dict[int, SearchResult] = {}
    for b in np.argsort(unique.clip(0).sum(axis=1), kind="stable"):  # lightest buckets first
        members = np.flatnonzero(inverse == b)
        top = rates[members].max(axis=0)  # the bucket's heaviest loads: the design covers them all
        case = replace(system, rate_per_s=top)
        if chat_agents is not None:
            case = replace(case, chat_agents=tuple(None if not np.isfinite(m) else int(m)
                                                   for m in np.asarray(chat_agents, float)[members].max(axis=0)))
        cap = None if static is None else np.asarray(static)[members].max(axis=0)
        if top.sum() == 0:
            found[b] = None
            continue
        start = None
        if found:  # warm start: the nearest solved bucket's design, scaled to this load
            near = min((k for k in found if found[k] is not None),
                       key=lambda k: np.abs(unique[k] - unique[b]).sum(), default=None)
            if near is not None:
                ratio = case.load_erlangs.sum() / max(replace(system, rate_per_s=rates[inverse == near].max(
                    axis=0)).load_erlangs.sum(), 1e-9)
                start = np.floor(found[near].agents * ratio).astype(np.int64)
        found[b] = search(case, start=start, static=cap, **options)
        agents[members] = found[b].agents
    return agents, found, inverse
