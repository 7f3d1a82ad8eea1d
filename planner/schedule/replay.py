"""The schedule simulated: replay a schedule's coverage through the simulator next to the plan's own agents.

The coverage of a group (heads on the floor, not on break) is shared among its channels in
proportion to their requirement (largest remainders, so whole heads add up); with the ``gross``
requirement each channel then has ``round(heads x (1 - shrinkage))`` agents, the expected heads
left after the shrinkage that is not scheduled here. Sharing pools as silos is conservative for
multi-skill groups. Both plans are simulated with the same seed (:func:`planner.simulate`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from planner.schedule.design import Schedule, _dedupe, design, plan_grid
from planner.schedule.model import positions
from planner.schedule.spec import ScheduleSpec
from planner.simulate import simulate

__all__ = ["scheduled_plan", "simulate_schedule", "design_and_simulate"]


def _shares(coverage: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Whole heads per channel (columns) adding up to ``coverage``, in proportion to ``weights``."""
    total = weights.sum(axis=1, keepdims=True)
    even = np.full_like(weights, 1.0 / weights.shape[1])
    share = np.where(total > 0, weights / np.where(total > 0, total, 1.0), even)
    exact = coverage[:, None] * share
    heads = np.floor(exact + 1e-9)
    left = (coverage - heads.sum(axis=1)).astype(np.int64)
    order = np.argsort(-(exact - heads), axis=1, kind="stable")
    rank = np.argsort(order, axis=1)
    return heads + (rank < left[:, None])


def scheduled_plan(plan: pd.DataFrame, schedule: Schedule, *, requirement: str = "gross") -> pd.DataFrame:
    """The plan rows of the scheduled channels with ``agents`` replaced by what the schedule gives.

    >>> starts = pd.date_range("2026-07-06 08:00", periods=2, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice", "offered": 40.0,
    ...     "aht_s": 180.0, "agents": 10, "agents_fractional": 9.5, "shrinkage": 0.3, "threshold_s": 20.0})
    >>> coverage = pd.DataFrame({"interval_start": starts, "group": "phone", "coverage": [15, 14]})
    >>> schedule = Schedule(shifts=pd.DataFrame(), coverage=coverage, daily=pd.DataFrame(), summary=pd.DataFrame())
    >>> scheduled_plan(plan, schedule)["agents"].tolist()  # 15 x 0.7 = 10.5 -> 11; 14 x 0.7 = 9.8 -> 10
    [11, 10]
    """
    full, plan = plan, _dedupe(plan)  # segment rows repeat their channel's agents
    grid = plan_grid(plan)
    parts = []
    for group, table in schedule.coverage.groupby("group", sort=False):
        channels = group.split("+")
        heads = np.zeros(grid.size)
        heads[positions(grid, table["interval_start"])] = table["coverage"].to_numpy(float)
        rows = {ch: plan[plan["channel"] == ch].sort_values("interval_start") for ch in channels}
        weights = np.zeros((grid.size, len(channels)))
        for k, ch in enumerate(channels):
            r = rows[ch]
            value = r["agents_fractional"].to_numpy(float)
            if requirement == "gross":
                value = value / (1.0 - r["shrinkage"].fillna(0.0).to_numpy(float))
            weights[positions(grid, r["interval_start"]), k] = value
        split = _shares(heads, weights)
        for k, ch in enumerate(channels):
            r = rows[ch]
            mine = split[positions(grid, r["interval_start"]), k]
            if requirement == "gross":
                mine = np.floor(mine * (1.0 - r["shrinkage"].fillna(0.0).to_numpy(float)) + 0.5)
            parts.append(pd.DataFrame({"interval_start": r["interval_start"].reset_index(drop=True), "channel": ch,
                                       "scheduled": mine.astype(np.int64)}))
    given = pd.concat(parts, ignore_index=True)
    out = full[full["channel"].isin(set(given["channel"]))].merge(given, on=["interval_start", "channel"], how="left")
    out["agents"] = out.pop("scheduled").astype(np.int64)  # every segment row of a channel: its pool
    if "idle_threshold" in out:  # a blend keeps its idle agents, up to the agents it has (then no outbound call)
        out["idle_threshold"] = np.minimum(pd.to_numeric(out["idle_threshold"], errors="coerce"), out["agents"])
    order = ["interval_start", "channel"] + (["priority"] if "priority" in out else [])
    return out[list(full.columns)].sort_values(order, ignore_index=True, kind="stable")


def _with_campaigns(frame: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """``frame`` and the rows of campaigns blended with its channels (their calls use those agents)."""
    if "blend" not in plan:
        return frame
    blend = plan["blend"].fillna("").astype(str)
    calls = plan[(plan["kind"] == "outbound") & blend.isin(set(frame["channel"]))]
    return pd.concat([frame, calls], ignore_index=True) if len(calls) else frame


def simulate_schedule(plan: pd.DataFrame, schedule: Schedule, *, replications: int, rng,
                      requirement: str = "gross") -> pd.DataFrame:
    """Per scheduled channel: the simulated service level, abandonment and (deferred) share within the
    deadline of the plan's own agents and of the schedule, each with its confidence bounds.

    A channel with segments has a row per segment (``segment``; agent-hours are the pool's); a
    campaign blended with a scheduled channel is played with it (its calls use those agents).

    ``rng``: a seed or numpy Generator; both plans use the same one.

    >>> starts = pd.date_range("2026-07-06 08:00", periods=4, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice", "offered": 40.0,
    ...     "aht_s": 180.0, "agents": 10, "agents_fractional": 9.5, "shrinkage": 0.0, "threshold_s": 20.0})
    >>> coverage = pd.DataFrame({"interval_start": starts, "group": "phone", "coverage": 9})
    >>> schedule = Schedule(shifts=pd.DataFrame(), coverage=coverage, daily=pd.DataFrame(), summary=pd.DataFrame())
    >>> table = simulate_schedule(plan, schedule, replications=3, rng=1)
    >>> table[["channel", "plan_agent_hours", "schedule_agent_hours"]].values.tolist()
    [['phone', 10.0, 9.0]]
    """
    given = scheduled_plan(plan, schedule, requirement=requirement)
    channels = list(dict.fromkeys(given["channel"]))
    base = plan[plan["channel"].isin(channels)].reset_index(drop=True)
    seed = rng if isinstance(rng, (int, np.integer)) else int(np.random.default_rng(rng).integers(2**31))
    frames, hours = {}, {}
    for name, frame in (("plan", base), ("schedule", given)):
        table = simulate(_with_campaigns(frame, plan), rng=np.random.default_rng(seed), replications=replications).channels
        frames[name] = table[table["channel"].isin(channels)].reset_index(drop=True)
        once = _dedupe(frame)
        hours[name] = once.groupby("channel")["agents"].sum() * plan_grid(base).interval_s / 3600
    metrics = ["service_level", "abandon_rate", "within_deadline"]
    keys = ["channel", "segment"] if "segment" in frames["plan"] else ["channel"]
    out = frames["plan"][[*keys, "kind"]].copy()
    for name, table in frames.items():
        table = table.set_index(keys).loc[pd.MultiIndex.from_frame(out[keys]) if len(keys) > 1 else out["channel"]]
        out[f"{name}_agent_hours"] = out["channel"].map(hours[name]).astype(float).to_numpy()
        for metric in metrics:
            for suffix in ("", "_lo", "_hi"):
                column = f"{metric}{suffix}"
                out[f"{name}_{column}"] = table[column].to_numpy() if column in table else np.nan
    return out.reset_index(drop=True)


def design_and_simulate(plan: pd.DataFrame, spec: ScheduleSpec, *, seed: int = 0, roster: pd.DataFrame | None = None,
                        source: str = "roster") -> Schedule:
    """:func:`design` the schedule (or take a ``roster``, see :mod:`planner.schedule.roster`) and, with
    ``spec.replications``, simulate it next to the plan (``Schedule.simulation``).

    >>> from planner.schedule.spec import ShiftTemplate
    >>> starts = pd.date_range("2026-07-06 08:00", periods=8, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice", "offered": 30.0,
    ...     "aht_s": 180.0, "agents": 8, "agents_fractional": 7.6, "shrinkage": 0.0, "threshold_s": 20.0})
    >>> two = ShiftTemplate(name="two", channels=("phone",), length_s=7200, earliest_start_s=8 * 3600,
    ...                     latest_start_s=8 * 3600)
    >>> schedule = design_and_simulate(plan, ScheduleSpec(templates=(two,), replications=2), seed=1)
    >>> int(schedule.summary["shifts"].iloc[0]), list(schedule.simulation["channel"])
    (8, ['phone'])
    """
    if roster is None:
        schedule = design(plan, spec)
    else:
        from planner.schedule.roster import roster_schedule

        schedule = roster_schedule(plan, roster, spec=spec, source=source)
    if spec.replications:
        simulation = simulate_schedule(plan, schedule, replications=spec.replications, rng=seed,
                                       requirement=spec.requirement)
        schedule = dataclasses.replace(schedule, simulation=simulation)
    return schedule
