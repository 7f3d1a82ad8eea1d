"""The two exact bounds that bracket a multi-skill staffing (docs/design.md section 4a).

* :func:`static_allocation` (upper bound): each channel keeps its own single-skill requirement
  ``r[t, k]`` (from its own model), and group capacity is split across skills to cover it: per
  interval, minimise ``sum_g cost_g n_g`` subject to ``sum_g x[g, k] >= r[k]`` and
  ``sum_k x[g, k] <= n_g``, ``x >= 0``, ``n_g`` integer in ``[min_agents, max_agents]``. This is a
  transportation problem (a min-cost flow: source -> group -> skill -> sink), solved with
  :func:`scipy.optimize.milp` (HiGHS); a day's intervals are one block-diagonal problem, so there is
  one solver call per block of intervals, not per interval. ``x[g, k]`` is the fractional
  multi-skill equivalent (agent time of group g on channel k) the suites report.
* :func:`pooled_agents` (lower bound): one pool holding every skill, all the live work with the
  loosest target of the classes with work (Erlang C, or Erlang A with the pooled abandonment rate
  when contacts abandon), and at least the total work (live plus deferred) in whole agents.

References: W. Whitt and R. B. Wallace (2005), "A staffing algorithm for call centers with
skill-based routing", Manufacturing & Service Operations Management 7(4); R. K. Ahuja, T. L.
Magnanti and J. B. Orlin (1993), *Network Flows*, ch. 9 (transportation problems).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from planner.errors import SpecError
from planner.multiskill.groups import Group
from planner.staffing import erlang, erlang_a

__all__ = ["StaticPlan", "static_allocation", "pooled_agents", "edges"]


def edges(groups: tuple[Group, ...], channels: list[str]) -> list[tuple[int, int]]:
    """(group index, channel index) of every skill a group holds, in group then priority order."""
    index = {name: k for k, name in enumerate(channels)}
    return [(g, index[s]) for g, group in enumerate(groups) for s in group.skills if s in index]


@dataclass(frozen=True)
class StaticPlan:
    """The static allocation: ``agents[t, g]`` whole agents per group, ``split[t, g, k]`` agent time of
    group g on channel k (the fractional multi-skill equivalents) and ``cost[t]``.

    >>> plan = static_allocation([[10, 8]], (Group("both", ("a", "b")),), ["a", "b"])
    >>> plan.agents.tolist(), plan.split[0].round(6).tolist()
    ([[18]], [[10.0, 8.0]])
    """

    agents: np.ndarray
    split: np.ndarray
    cost: np.ndarray


def static_allocation(requirement, groups: tuple[Group, ...], channels: list[str], *,
                      block: int = 96, integral: bool = True) -> StaticPlan:
    """Least-cost whole agents per group covering each channel's own requirement (the upper bound).

    Parameters
    ----------
    requirement : array_like, shape (T, K) or (K,)
        Net agents each channel needs on its own, per interval (may be fractional, e.g. deferred work).
    groups : tuple of Group
    channels : list of str
        The K channel names, in the columns' order.
    block : int
        Intervals solved together as one block-diagonal MILP.
    integral : bool
        Whole agents per group (the bound); False: the LP relaxation, fractional agents for roll-ups.

    Examples
    --------
    Two channels of 10 agents each, a specialist group per channel and a cheaper cross-trained group:

    >>> gs = (Group("a", ("a",)), Group("b", ("b",)), Group("ab", ("a", "b"), cost=0.9))
    >>> plan = static_allocation([10, 10], gs, ["a", "b"])
    >>> plan.agents.tolist(), float(plan.cost[0])
    ([[0, 0, 20]], 18.0)
    """
    r = np.atleast_2d(np.asarray(requirement, dtype=float))
    n_t, n_k = r.shape
    e = edges(groups, channels)
    n_g, n_e = len(groups), len(e)
    # one interval: variables [n_0..n_{G-1}, x_e...]; rows: K coverage, then G capacity
    a = sp.lil_matrix((n_k + n_g, n_g + n_e))
    for j, (g, k) in enumerate(e):
        a[k, n_g + j] = 1.0
        a[n_k + g, n_g + j] = 1.0
    for g in range(n_g):
        a[n_k + g, g] = -1.0
    a = a.tocsr()
    cost = np.array([group.cost for group in groups], float)
    low = np.array([group.min_agents for group in groups], float)
    high = np.array([np.inf if group.max_agents is None else group.max_agents for group in groups], float)
    agents = np.zeros((n_t, n_g), np.int64 if integral else float)
    split = np.zeros((n_t, n_g, n_k))
    for start in range(0, n_t, block):  # a solver call per block of intervals (a day), not per interval
        rows = r[start:start + block]
        b = len(rows)
        big = sp.kron(sp.identity(b, format="csr"), a, format="csr")
        lo = np.concatenate([np.concatenate([row, np.full(n_g, -np.inf)]) for row in rows])
        hi = np.concatenate([np.concatenate([np.full(n_k, np.inf), np.zeros(n_g)]) for _ in rows])
        c = np.tile(np.concatenate([cost, np.full(n_e, 1e-9)]), b)
        integrality = np.tile(np.concatenate([np.full(n_g, float(integral)), np.zeros(n_e)]), b)
        bounds = Bounds(np.tile(np.concatenate([low, np.zeros(n_e)]), b),
                        np.tile(np.concatenate([high, np.full(n_e, np.inf)]), b))
        result = milp(c, integrality=integrality, bounds=bounds, constraints=LinearConstraint(big, lo, hi))
        if result.status != 0 or result.x is None:
            capped = [group.name for group in groups if group.max_agents is not None]
            raise SpecError(f"groups.{capped[0] if capped else ''}.max_agents: the groups cannot cover the channels' "
                            "requirement in some interval; raise max_agents or add a group")
        solution = result.x.reshape(b, n_g + n_e)
        agents[start:start + b] = np.rint(solution[:, :n_g]) if integral else solution[:, :n_g]
        for j, (g, k) in enumerate(e):
            split[start:start + b, g, k] = solution[:, n_g + j]
    return StaticPlan(agents=agents, split=split, cost=agents @ cost)


def pooled_agents(live_load_erlangs, aht_s, *, target_service_level, threshold_s, patience_s=None,
                  deferred_erlangs=0.0) -> np.ndarray:
    """The fully pooled lower bound per interval: one pool with every skill and all the work.

    Parameters
    ----------
    live_load_erlangs, aht_s, target_service_level, threshold_s, patience_s : array_like, shape (T, K)
        Each live class's load [Erlang], AHT [s], target, threshold [s] and mean patience [s] (inf or
        None: no abandonment). The pool serves the total load at the load-weighted AHT and the
        load-weighted abandonment rate, to the loosest target among the classes with load (lowest
        service level, longest threshold). With equal targets this is the issue's "strictest
        target"; with different ones the strictest is no lower bound (priorities beat it: a group
        plan of the sample scenario with phone at 80/20 and chat at 80/40 went below it).
    deferred_erlangs : array_like, shape (T,) or (T, J)
        Deferred work done in the interval [Erlang] (agent-equivalents): the pool needs at least the
        total work.

    Examples
    --------
    Six classes of 12.5 Erlangs (AHT 240 s) pooled: Erlang C on 75 Erlangs at 80/20.

    >>> int(pooled_agents([[12.5] * 6], [[240.0] * 6], target_service_level=[[0.8] * 6],
    ...                   threshold_s=[[20.0] * 6])[0])
    82
    >>> int(erlang.required_agents(75.0, 240.0, target_service_level=0.8, threshold_s=20.0))
    82
    """
    load = np.atleast_2d(np.asarray(live_load_erlangs, float))
    aht = np.broadcast_to(np.asarray(aht_s, float), load.shape)
    total = load.sum(axis=1)
    weight = np.where(total[:, None] > 0, load / np.where(total[:, None] > 0, total[:, None], 1.0), 1.0 / load.shape[1])
    pooled_aht = (weight * aht).sum(axis=1)
    present = load > 0  # the loosest target among the classes with work in the interval
    target = np.where(present, np.broadcast_to(np.asarray(target_service_level, float), load.shape), 1.0).min(axis=1)
    threshold = np.where(present, np.broadcast_to(np.asarray(threshold_s, float), load.shape), -np.inf).max(axis=1)
    target = np.where(present.any(axis=1), target, 0.5)
    threshold = np.where(np.isfinite(threshold), threshold, 0.0)
    patience = np.full(load.shape, np.inf) if patience_s is None else np.broadcast_to(
        np.asarray(patience_s, float), load.shape)
    rate = (weight / np.where(np.isfinite(patience), patience, np.inf)).sum(axis=1)
    need = erlang.required_agents(total, pooled_aht, target_service_level=target, threshold_s=threshold)
    impatient = rate > 0
    if impatient.any():
        need = np.asarray(need, float)
        need[impatient] = erlang_a.required_agents(
            total[impatient], pooled_aht[impatient], patience_s=1.0 / rate[impatient],
            target_service_level=target[impatient], threshold_s=threshold[impatient])
    deferred = np.asarray(deferred_erlangs, float)
    work = total + (deferred.reshape(len(total), -1).sum(axis=1) if deferred.ndim else deferred)
    return np.maximum(np.asarray(need, float), np.ceil(work - 1e-9)).astype(np.int64)
