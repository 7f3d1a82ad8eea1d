"""The hiring plan: class sizes and start weeks that meet required FTE at least cost (a MILP).

Per group g, with the expected-survival matrices of :func:`planner.capacity.supply.class_matrices`
(productive ``P`` and paid ``Q``, weeks x classes), existing heads ``e`` and required FTE ``r``:

    minimise  sum_w wage (e_w + (Q x)_w) + hire_cost sum_c x_c + wage (1 + premium) sum_w o_w + penalty sum_w s_w
    subject to  e + P x + o + s >= r          (cover, with overtime o and shortfall s)
                o <= max_overtime (e + P x)     (overtime cap)
                T x <= trainee_capacity         (trainees in training each week)
                x_c in {0, ..., class_cap} integer, o, s >= 0

Only the class sizes are integer and classes start only on the start calendar, so a group has a
few dozen integers. Groups are independent unless they share trainers; :func:`plan_hiring` then
solves one joint MILP with the shared trainee row, otherwise one small MILP per group. The solver is
HiGHS through :func:`scipy.optimize.milp` with ``mip_rel_gap`` reported. The survival and ramp are
expected values (constants), which keeps the model linear; the Monte Carlo of
:mod:`planner.capacity.risk` measures what binomial attrition does to it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from planner.capacity.supply import Supply, class_matrices, existing_fte
from planner.errors import InputError

__all__ = ["GroupModel", "HiringPlan", "group_model", "plan_hiring", "evaluate"]


@dataclass(frozen=True)
class GroupModel:
    """The linear model of one group: matrices over ``weeks`` and the class ``starts``."""

    name: str
    supply: Supply
    required: np.ndarray  # FTE (gross: heads on the floor needed, with shrinkage)
    starts: np.ndarray
    productive: np.ndarray  # weeks x classes, FTE per hire
    paid: np.ndarray
    training: np.ndarray  # weeks x classes, 1 while the class is in training
    existing: np.ndarray


def group_model(name: str, supply: Supply, required) -> GroupModel:
    """Build the matrices of one group for ``required`` FTE per week (week 0 first)."""
    required = np.asarray(required, dtype=float)
    if required.ndim != 1 or not np.all(np.isfinite(required)) or np.any(required < 0):
        raise InputError(f"{name}: required FTE must be finite and >= 0 per week")
    n = len(required)
    starts = np.array(sorted({int(w) for w in supply.class_weeks if w < n}), dtype=int)
    productive, paid = class_matrices(supply, n, starts)
    tenure = np.arange(n)[:, None] - starts[None, :]
    training = ((tenure >= 0) & (tenure < supply.training_weeks)).astype(float)
    return GroupModel(name, supply, required, starts, productive, paid, training, existing_fte(supply, n))


@dataclass(frozen=True)
class HiringPlan:
    """A solved plan: ``weekly`` (group x week), ``classes`` (group x class), cost and solver figures."""

    weekly: pd.DataFrame
    classes: pd.DataFrame
    cost: float
    sizes: tuple  # per group, the size of every class slot (``GroupModel.starts``)
    mip_gap: float
    solve_s: float
    status: str


def _blocks(model: GroupModel, target: np.ndarray, floor: np.ndarray | None):
    """Objective and constraint blocks of one group; variables [x (C), o (W), s (W), f (W)].

    ``floor`` (the buffered plan's): (1 + max_overtime) x planned FTE + f >= floor, where the slack f
    costs 100 x the shortfall penalty (so weeks no class can reach yet stay feasible).
    """
    s, n, c = model.supply, len(model.required), len(model.starts)
    wage = s.cost_per_fte_week
    floor = np.zeros(n) if floor is None else np.asarray(floor, dtype=float)
    cost = np.concatenate([wage * model.paid.sum(axis=0) + s.hire_cost, np.full(n, wage * (1 + s.overtime_premium)),
                           np.full(n, s.shortfall_penalty), np.full(n, 100.0 * max(s.shortfall_penalty, wage))])
    eye = sparse.identity(n, format="csr")
    zero = sparse.csr_matrix((n, n))
    P = sparse.csr_matrix(model.productive)
    cover = sparse.hstack([P, eye, eye, zero])
    cap = sparse.hstack([-s.max_overtime * P, eye, zero, zero])
    lift = 1.0 + s.max_overtime
    floors = sparse.hstack([lift * P, zero, zero, eye])
    rows = [(cover, target - model.existing, np.inf), (cap, -np.inf, s.max_overtime * model.existing),
            (floors, floor - lift * model.existing, np.inf)]
    upper = np.concatenate([np.full(c, float(s.class_cap)), np.full(3 * n, np.inf)])
    integer = np.concatenate([np.ones(c), np.zeros(3 * n)])
    return cost, rows, upper, integer


def _solve(models: list[GroupModel], targets: list[np.ndarray], floors: list, shared_trainees: float | None,
           gap: float, time_limit_s: float):
    parts = [_blocks(m, t, f) for m, t, f in zip(models, targets, floors)]
    sizes = [len(p[0]) for p in parts]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    constraints = []
    for i, (cost, rows, upper, integer) in enumerate(parts):
        for matrix, lo, hi in rows:
            padded = sparse.hstack([sparse.csr_matrix((matrix.shape[0], offsets[i])), matrix,
                                    sparse.csr_matrix((matrix.shape[0], offsets[-1] - offsets[i + 1]))])
            constraints.append(LinearConstraint(padded, lo, hi))
    trainee_rows = []
    for i, m in enumerate(models):
        block = sparse.lil_matrix((len(m.required), offsets[-1]))
        block[:, offsets[i]: offsets[i] + len(m.starts)] = m.training
        trainee_rows.append(block.tocsr())
        if shared_trainees is None and np.isfinite(m.supply.trainee_capacity):
            constraints.append(LinearConstraint(block, -np.inf, m.supply.trainee_capacity))
    if shared_trainees is not None:
        n = max(len(m.required) for m in models)
        total = sum(sparse.vstack([r, sparse.csr_matrix((n - r.shape[0], offsets[-1]))]) for r in trainee_rows)
        constraints.append(LinearConstraint(total, -np.inf, shared_trainees))
    # The wages of the starting staff are fixed: one variable held at 1 carries them, so that HiGHS
    # measures mip_rel_gap against the plan's whole cost, not against the part hiring can change.
    fixed = sum(m.supply.cost_per_fte_week * m.existing.sum() for m in models)
    constraints = [LinearConstraint(sparse.hstack([c.A, sparse.csr_matrix((c.A.shape[0], 1))]), c.lb, c.ub)
                   for c in constraints]
    cost = np.concatenate([*(p[0] for p in parts), [fixed]])
    result = milp(cost, constraints=constraints, integrality=np.concatenate([*(p[3] for p in parts), [0]]),
                  bounds=Bounds(np.concatenate([np.zeros(offsets[-1]), [1.0]]),
                                np.concatenate([*(p[2] for p in parts), [1.0]])),
                  options={"mip_rel_gap": gap, "time_limit": time_limit_s})
    if result.x is None:
        raise InputError(f"hiring plan: the solver found no plan ({result.message})")
    achieved = float(getattr(result, "mip_gap", 0.0) or 0.0)
    return [result.x[offsets[i]: offsets[i + 1]] for i in range(len(models))], achieved, result.message


def evaluate(model: GroupModel, sizes) -> dict[str, np.ndarray]:
    """Weekly figures of a plan with given class sizes (overtime first, then shortfall) and its cost."""
    s = model.supply
    x = np.asarray(sizes, dtype=float)
    productive = model.existing + model.productive @ x
    paid = model.existing + model.paid @ x
    deficit = np.maximum(model.required - productive, 0.0)
    worth = s.cost_per_fte_week * (1 + s.overtime_premium) < s.shortfall_penalty
    overtime = np.minimum(deficit, s.max_overtime * productive) if worth else np.zeros_like(deficit)
    short = deficit - overtime
    cost = (s.cost_per_fte_week * paid + s.cost_per_fte_week * (1 + s.overtime_premium) * overtime
            + s.shortfall_penalty * short)
    cost[0] += s.hire_cost * x.sum()  # hiring cost booked in the first week of the table
    return {"productive": productive, "paid": paid, "overtime": overtime, "short": short, "cost": cost}


def plan_hiring(models: list[GroupModel], *, floors: list[np.ndarray] | None = None,
                shared_trainee_capacity: float | None = None, mip_rel_gap: float = 1e-3,
                time_limit_s: float = 60.0, separate: bool = False) -> HiringPlan:
    """Solve the hiring MILP of every group: one block-diagonal MILP (``separate=False``; the groups
    couple only through a shared trainee row when ``shared_trainee_capacity`` is given) or one MILP
    per group. The joint solve stops at ``mip_rel_gap`` of the total cost and is faster than 20 small
    calls (one presolve, one search; see tests/benchmarks/bench_capacity.py).

    ``floors`` (the buffered plan of :mod:`planner.capacity.risk`): per group and week, the level
    that planned FTE with maximum overtime must reach; the tables still compare with ``required``. Returns a
    :class:`HiringPlan`; ``mip_gap`` is the largest relative gap between the plan's cost and the
    solver's lower bound over the solves (``mip_rel_gap`` is the stopping tolerance).
    """
    targets = [m.required for m in models]
    floors = [None] * len(models) if floors is None else floors
    clock = time.perf_counter()
    if separate and shared_trainee_capacity is None:
        solved = [_solve([m], [t], [f], None, mip_rel_gap, time_limit_s) for m, t, f in zip(models, targets, floors)]
        sizes, gaps, messages = [s[0][0] for s in solved], [s[1] for s in solved], [s[2] for s in solved]
    else:
        sizes, gap, message = _solve(models, targets, floors, shared_trainee_capacity, mip_rel_gap, time_limit_s)
        gaps, messages = [gap], [message]
    elapsed = time.perf_counter() - clock
    weekly, classes, sized, total = [], [], [], 0.0
    for model, x in zip(models, sizes):
        size = np.round(x[: len(model.starts)])
        slack = x[len(model.starts) + 2 * len(model.required):]
        figures = evaluate(model, size)
        total += figures["cost"].sum()
        weekly.append(pd.DataFrame({"group": model.name, "week": np.arange(len(model.required)),
                                    "required_fte": model.required, "planned_fte": figures["productive"],
                                    "paid_heads": figures["paid"], "overtime_fte": figures["overtime"],
                                    "short_fte": figures["short"], "cost": figures["cost"],
                                    "floor_slack": np.maximum(slack, 0.0)}))
        sized.append(size)
        ramp = model.supply.training_weeks + model.supply.ramp.length
        classes.append(pd.DataFrame({"group": model.name, "start_week": model.starts, "hires": size.astype(int),
                                     "graduation_week": model.starts + model.supply.training_weeks,
                                     "ramp_complete_week": model.starts + ramp})[lambda f: f["hires"] > 0])
    return HiringPlan(weekly=pd.concat(weekly, ignore_index=True), classes=pd.concat(classes, ignore_index=True),
                      cost=float(total), sizes=tuple(sized), mip_gap=float(max(gaps)), solve_s=elapsed, status="; ".join(sorted(set(messages))))
