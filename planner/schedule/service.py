"""Service level of a coverage, and the marginal gains per head that the ``service`` objective trades.

A voice channel's service level with ``h`` heads on the floor is the channel's model (Erlang C, or
Erlang A with ``patience_s``) at ``h x (1 - shrinkage)`` net agents (fractional agents use the
models' continuous extensions) for the ``gross`` requirement, or ``h`` agents for ``net``.

For the ``service`` objective (Koole and van der Sluis 2003) each interval gets a table from its
floor up: the floor is the larger of the stability floor (net agents above the load, and the
occupancy cap) and the point where the service level becomes concave in heads (the largest
marginal gain); above it the gains are made non-increasing by a running minimum, which can only
understate the service level, so a schedule meeting the modelled target meets the true one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.errors import SpecError
from planner.schedule.solve import Service
from planner.staffing import erlang, erlang_a

__all__ = ["service_level", "service_tables", "shared_pool", "HEADROOM"]

#: Heads tabulated above each interval's requirement (more heads add no modelled service level).
HEADROOM = 12


def _model(net: np.ndarray, rows: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(service level, occupancy) at ``net`` agents (broadcast against the interval arrays in ``rows``)."""
    load, aht, threshold, patience = rows["load_erlangs"], rows["aht_s"], rows["threshold_s"], rows["patience_s"]
    net, load, aht, threshold, patience = np.broadcast_arrays(net, load, aht, threshold, patience)
    sl, occ = np.ones(net.shape), np.zeros(net.shape)
    busy = load > 0
    finite = np.isfinite(patience) & busy
    plain = ~np.isfinite(patience) & busy
    if plain.any():
        sl[plain] = erlang.service_level(net[plain], load[plain], aht[plain], threshold[plain])
        occ[plain] = np.where(net[plain] > load[plain], load[plain] / np.maximum(net[plain], 1e-300), np.inf)
    if finite.any():
        result = erlang_a.erlang_a(net[finite], load[finite], aht[finite], patience[finite], threshold[finite])
        sl[finite], occ[finite] = result.service_level, result.occupancy
    return sl, occ


def _model_sl(net: np.ndarray, rows: dict[str, np.ndarray]) -> np.ndarray:
    return _model(net, rows)[0]


def _rows(plan_rows: pd.DataFrame) -> dict[str, np.ndarray]:
    patience = plan_rows["patience_s"].to_numpy(float) if "patience_s" in plan_rows else np.full(len(plan_rows), np.nan)
    return {"load_erlangs": plan_rows["load_erlangs"].to_numpy(float), "aht_s": plan_rows["aht_s"].to_numpy(float),
            "threshold_s": plan_rows["threshold_s"].to_numpy(float),
            "patience_s": np.where(np.isnan(patience), np.inf, patience)}


def net_factor(plan_rows: pd.DataFrame, requirement: str) -> np.ndarray:
    """Net agents per head on the floor: ``1 - shrinkage`` (gross) or 1 (net)."""
    shrinkage = plan_rows["shrinkage"].to_numpy(float) if "shrinkage" in plan_rows else np.zeros(len(plan_rows))
    return 1.0 - np.nan_to_num(shrinkage) if requirement == "gross" else np.ones(len(plan_rows))


def shared_pool(plan_rows: pd.DataFrame) -> str:
    """Why a voice channel's rows are not one queue: ``"has segments"``, ``"blends outbound calls"`` or ``""``.

    The models here are one queue's (Erlang C or A); a pool shared by priority segments or by a
    blended campaign (:mod:`planner.staffing.segments`, :mod:`planner.staffing.pools`) is not.
    """
    if "segment" in plan_rows and (plan_rows["segment"].fillna("").astype(str) != "").any():
        return "has segments"
    if "idle_threshold" in plan_rows:
        tau = pd.to_numeric(plan_rows["idle_threshold"], errors="coerce").to_numpy(float)
        if (tau < plan_rows["agents"].to_numpy(float)).any():
            return "blends outbound calls"
    return ""


def service_level(heads: np.ndarray, plan_rows: pd.DataFrame, *, requirement: str = "gross") -> np.ndarray:
    """Service level each interval of a voice channel's plan rows gets from ``heads`` on the floor.

    >>> rows = pd.DataFrame({"load_erlangs": [10.0], "aht_s": 180.0, "threshold_s": 20.0, "shrinkage": 0.0})
    >>> service_level(np.array([14]), rows).round(4).tolist()
    [0.8884]
    """
    return _model_sl(np.asarray(heads, float) * net_factor(plan_rows, requirement), _rows(plan_rows))


def service_tables(plan_rows: pd.DataFrame, index: np.ndarray, size: int, period: np.ndarray, *,
                   target: float | None, requirement: str, channel: str) -> Service:
    """The ``service`` objective's tables for one voice channel's plan rows at grid positions ``index``.

    ``period`` gives each grid interval's period index (day or week); the target of every period
    is ``target`` or the channel's ``target_service_level``.
    """
    if plan_rows["kind"].iloc[0] != "voice":
        raise SpecError(f"schedule.objective: \"service\" works for voice channels; {channel} is "
                        f"{plan_rows['kind'].iloc[0]} (use \"cover\" or \"soft\")")
    if shared_pool(plan_rows):
        raise SpecError(f"schedule.objective: \"service\" models one queue; {channel} {shared_pool(plan_rows)}, "
                        "whose service level the schedule cannot model (use \"cover\" or \"soft\", and read the "
                        "simulated service level in schedule_simulated.csv)")
    rows = _rows(plan_rows)
    factor = net_factor(plan_rows, requirement)
    max_occ = plan_rows["max_occupancy"].to_numpy(float) if "max_occupancy" in plan_rows else np.ones(len(plan_rows))
    max_occ = np.where(np.isnan(max_occ), 1.0, max_occ)
    load = rows["load_erlangs"]
    need = np.ceil(plan_rows["agents_fractional"].to_numpy(float) / factor - 1e-9).astype(np.int64)
    # the stability floor: the least heads with occupancy below the cap (Erlang C: net agents above the load)
    low = np.maximum(np.floor(load * np.where(np.isfinite(rows["patience_s"]), 0.5, 1.0) / factor).astype(np.int64), 0)
    top = np.maximum(need, low) + HEADROOM
    J = int((top - low).max(initial=1)) + 1
    heads = low[:, None] + np.arange(J)[None, :]
    table, occupancy = _model(heads * factor[:, None], {k: v[:, None] for k, v in rows.items()})
    ok = occupancy <= max_occ[:, None] + 1e-12
    stable = np.where(ok.any(axis=1), np.argmax(ok, axis=1), J - 1)  # column of the first stable head count
    table = np.maximum.accumulate(table, axis=1)
    gains = np.diff(table, axis=1)
    peak = np.argmax(gains, axis=1) if J > 1 else np.zeros(len(low), np.int64)
    start = np.maximum(peak, stable)  # column of the floor in the table
    start = np.where(load > 0, start, 0)
    floor = low + start
    base = table[np.arange(len(low)), start]
    span = J - 1
    shifted = np.zeros((len(low), span))
    for j in range(span):  # gains above each interval's floor, left-aligned (a loop over heads, not intervals)
        column = start + j
        ok = column < span
        shifted[ok, j] = gains[np.flatnonzero(ok), column[ok]]
    shifted = np.minimum.accumulate(np.maximum(shifted, 0.0), axis=1)
    weight = plan_rows["offered"].to_numpy(float)
    floor = np.where(load > 0, floor, 0)
    base = np.where(load > 0, base, 1.0)
    goal = float(plan_rows["target_service_level"].iloc[0]) if target is None else float(target)
    if not (0 < goal < 1) or math.isnan(goal):
        raise SpecError(f"schedule.target_service_level: expected a fraction in (0, 1), got {goal!r}")
    out_floor, out_base = np.zeros(size), np.ones(size)
    out_gains, out_weight = np.zeros((size, span)), np.zeros(size)
    out_floor[index], out_base[index], out_gains[index], out_weight[index] = floor, base, shifted, weight
    periods = int(period.max(initial=-1)) + 1
    return Service(floor=out_floor, base=out_base, gains=out_gains, weight=out_weight, period=period,
                   target=np.full(periods, goal))
