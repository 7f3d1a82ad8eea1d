"""The risk of falling short: a Monte Carlo of attrition and forecast error, and a buffered plan.

Each path draws, week by week, the leavers of every cohort as binomial trials (the starting staff
at the tenured rate, each class at its tenure's rate), so a class of 12 loses whole agents; and
the required FTE as ``required x exp(z)`` with z normal, of standard deviation ``sigma`` per week
(from the long-range forecast's prediction interval), made of a level shock shared by all weeks
(correlation ``rho``) and a weekly one, with mean 1. A week is *short even with maximum overtime*
when ``(1 + max_overtime) x productive FTE < required``.

:func:`buffered_plan` raises the floor that planned FTE with maximum overtime must reach, week by
week, by the quantile of the simulated deficit, until P(short) <= ``alpha`` in every week that a
class can still reach (weeks before the recruiting lead time plus training cannot be helped: they
are reported). The MILP of :mod:`planner.capacity.hiring` is solved again at each step; the final
check uses fresh paths (another seed) so the buffer is not fitted to the paths that sized it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.capacity.hiring import GroupModel, HiringPlan, plan_hiring

__all__ = ["simulate_supply", "short_probability", "buffered_plan", "BufferedPlan"]


def simulate_supply(model: GroupModel, sizes, *, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """Productive FTE per path and week (n_paths x weeks) with binomial attrition per cohort.

    Transfers and known leavers move whole heads at the end of their week (never below 0). The loop
    runs over weeks (a simulation); each week draws every path and cohort at once.
    """
    supply, n = model.supply, len(model.required)
    sizes = np.round(np.asarray(sizes, dtype=float)).astype(np.int64)
    active = np.flatnonzero(sizes > 0)
    starts, counts = model.starts[active], sizes[active]
    moves = np.zeros(n)
    for values, sign in ((supply.transfers, 1.0), (supply.known_leavers, -1.0)):
        v = np.asarray(values, dtype=float)[:n]
        moves[: len(v)] += sign * v
    keep_tenured = 1.0 - supply.attrition_per_week.get("tenured", 0.0)
    staff = np.full(n_paths, int(round(supply.headcount)), dtype=np.int64)
    alive = np.tile(counts, (n_paths, 1))
    out = np.empty((n_paths, n))
    for w in range(n):
        tenure = w - starts
        floor = tenure - supply.training_weeks
        proficiency = np.where((tenure >= 0) & (floor >= 0), supply.ramp.proficiency(np.maximum(floor, 0)), 0.0)
        out[:, w] = staff + alive @ proficiency
        staff = np.maximum(rng.binomial(staff, keep_tenured) + int(round(moves[w])), 0)
        keep = np.where(tenure >= 0, 1.0 - supply.rates(np.maximum(tenure, 0)), 1.0)
        alive = rng.binomial(alive, keep[None, :])
    return out


def _required_paths(required: np.ndarray, sigma: np.ndarray, rho: float, n_paths: int, rng) -> np.ndarray:
    level = rng.standard_normal((n_paths, 1))
    weekly = rng.standard_normal((n_paths, len(required)))
    z = sigma * (np.sqrt(rho) * level + np.sqrt(1.0 - rho) * weekly)
    return required * np.exp(z - sigma**2 / 2.0)


def short_probability(model: GroupModel, sizes, *, sigma=0.0, rho: float = 0.5, n_paths: int = 10_000,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(P(short even with maximum overtime) per week, deficit paths [FTE]: required - lifted supply)."""
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), model.required.shape)
    supply = simulate_supply(model, sizes, n_paths=n_paths, rng=rng)
    required = _required_paths(model.required, sigma, rho, n_paths, rng)
    deficit = required - (1.0 + model.supply.max_overtime) * supply
    return (deficit > 0).mean(axis=0), deficit


@dataclass(frozen=True)
class BufferedPlan:
    """The deterministic and the buffered plan, with P(short) per group and week for both."""

    plan: HiringPlan
    buffered: HiringPlan
    risk: pd.DataFrame  # group, week, p_short, p_short_buffered, floor_fte, reachable
    extra_cost: float
    iterations: int


def _reachable(model: GroupModel, plan: HiringPlan | None = None) -> np.ndarray:
    """Weeks hiring can still fix: on or after the first class slot's graduation and, given the
    buffered ``plan``, where its floor was met (no slack: class caps and trainers did not bind)."""
    first = model.starts.min() + model.supply.training_weeks if len(model.starts) else np.inf
    weeks = np.arange(len(model.required)) >= first
    if plan is not None:
        weeks &= plan.weekly.loc[plan.weekly["group"] == model.name, "floor_slack"].to_numpy() <= 1e-6
    return weeks


def buffered_plan(models: list[GroupModel], *, sigma: dict | None = None, rho: float = 0.5, alpha: float = 0.05,
                  n_paths: int = 10_000, seed=0, max_iterations: int = 12, shared_trainee_capacity=None,
                  mip_rel_gap: float = 1e-3) -> BufferedPlan:
    """The cheapest plan found whose P(short even with max overtime) <= ``alpha`` in every reachable week.

    ``sigma`` maps a group to the log-sd of its required FTE per week (forecast error); the
    iterations size the buffer at ``alpha - 0.01`` on one stream of paths, and the reported
    probabilities come from ``n_paths`` fresh paths (``SeedSequence(seed)`` spawns both).
    """
    sigma = sigma or {}
    design_seed, check_seed = np.random.SeedSequence(seed).spawn(2)
    design_rng, check_rng = np.random.default_rng(design_seed), np.random.default_rng(check_seed)
    plan = plan_hiring(models, shared_trainee_capacity=shared_trainee_capacity, mip_rel_gap=mip_rel_gap)
    floors = [m.required.copy() for m in models]
    buffered, iterations = plan, 0
    for iterations in range(1, max_iterations + 1):
        buffered = plan_hiring(models, floors=floors, shared_trainee_capacity=shared_trainee_capacity,
                               mip_rel_gap=mip_rel_gap)
        done = True
        for i, (model, sizes) in enumerate(zip(models, buffered.sizes)):
            p, deficit = short_probability(model, sizes, sigma=sigma.get(model.name, 0.0), rho=rho,
                                           n_paths=max(n_paths // 2, 1000), rng=design_rng)
            over = (p > alpha - 0.01) & _reachable(model, buffered)
            if over.any():
                done = False
                need = np.quantile(deficit[:, over], 1.0 - (alpha - 0.01), axis=0)
                floors[i][over] += np.maximum(need, 0.05 * (1.0 + model.supply.max_overtime))
        if done:
            break
    rows = []
    for model, base, sizes in zip(models, plan.sizes, buffered.sizes):
        s = sigma.get(model.name, 0.0)
        p0, _ = short_probability(model, base, sigma=s, rho=rho, n_paths=n_paths, rng=check_rng)
        p1, _ = short_probability(model, sizes, sigma=s, rho=rho, n_paths=n_paths, rng=check_rng)
        rows.append(pd.DataFrame({"group": model.name, "week": np.arange(len(model.required)), "p_short": p0,
                                  "p_short_buffered": p1, "reachable": _reachable(model, buffered)}))
    risk = pd.concat(rows, ignore_index=True)
    return BufferedPlan(plan=plan, buffered=buffered, risk=risk, extra_cost=buffered.cost - plan.cost,
                        iterations=iterations)
