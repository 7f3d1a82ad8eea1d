"""One-off staffing calculation for a single interval: the engine behind ``planner erlang``.

Chooses Erlang C (no patience given) or Erlang A (``patience_s``), applies the occupancy cap
before shrinkage, then grosses up: ``agents_gross = agents / (1 - shrinkage)``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from planner.errors import InputError
from planner.schema import check_array
from planner.staffing import erlang, erlang_a

__all__ = ["Staffing", "calculate", "gross_agents"]


def gross_agents(agents, shrinkage):
    """Agents to schedule so that ``agents`` remain after shrinkage: ``agents / (1 - shrinkage)``.

    ``shrinkage`` is the share of paid time not available for contacts (breaks, training,
    absence), in [0, 1).

    >>> float(gross_agents(14, 0.3))
    20.0
    """
    agents = check_array("agents", agents, low=0.0)
    shrink = check_array("shrinkage", shrinkage, low=0.0, high=1.0, high_inclusive=False)
    gross = agents / (1.0 - shrink)
    return gross[()] if gross.ndim == 0 else gross


@dataclass(frozen=True)
class Staffing:
    """Result of :func:`calculate` for one interval (units in the names)."""

    model: str
    offered: float
    interval_s: float
    aht_s: float
    load_erlangs: float
    threshold_s: float
    target_service_level: float | None
    patience_s: float | None
    max_occupancy: float
    shrinkage: float
    agents: int
    agents_fractional: float | None
    agents_gross: float
    service_level: float
    p_wait: float
    asa_s: float
    occupancy: float
    abandon_rate: float

    def to_dict(self) -> dict:
        """Plain dict (JSON-ready: infinities become None)."""
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


def calculate(
    *,
    offered: float,
    interval_s: float,
    aht_s: float,
    threshold_s: float,
    target_service_level: float | None = None,
    agents: int | None = None,
    patience_s: float | None = None,
    max_occupancy: float = 1.0,
    max_abandon_rate: float | None = None,
    shrinkage: float = 0.0,
) -> Staffing:
    """Staff one interval for a target (``agents=None``) or evaluate a given number of agents.

    ``offered`` contacts arrive per ``interval_s`` seconds and take ``aht_s`` seconds each, so the
    load is ``offered * aht_s / interval_s`` Erlangs.

    >>> r = calculate(offered=100, interval_s=1800, aht_s=180, threshold_s=20, target_service_level=0.8)
    >>> r.agents, round(r.service_level, 7), round(r.asa_s, 4)
    (14, 0.88835, 7.8359)
    """
    offered = float(check_array("offered", offered, low=0.0))
    interval_s = float(check_array("interval_s", interval_s, low=0.0, low_inclusive=False))
    aht_s = float(check_array("aht_s", aht_s, low=0.0, low_inclusive=False))
    threshold_s = float(check_array("threshold_s", threshold_s, low=0.0))
    shrinkage = float(check_array("shrinkage", shrinkage, low=0.0, high=1.0, high_inclusive=False))
    if agents is None and target_service_level is None:
        raise InputError("give either a target service level (to find agents) or a number of agents")
    load = offered * aht_s / interval_s
    fractional = None
    if patience_s is None:
        model = "erlang_c"
        if agents is None:
            options = dict(target_service_level=target_service_level, threshold_s=threshold_s, max_occupancy=max_occupancy)
            agents = erlang.required_agents(load, aht_s, **options)
            fractional = float(erlang.fractional_agents(load, aht_s, **options))
        m = erlang.metrics(agents, load, aht_s, threshold_s)
        sl, p_wait, asa_s, occ, abandon = m["service_level"], m["p_wait"], m["asa_s"], m["occupancy"], 0.0
    else:
        model = "erlang_a"
        if agents is None:
            agents = erlang_a.required_agents(
                load,
                aht_s,
                patience_s=patience_s,
                target_service_level=target_service_level,
                threshold_s=threshold_s,
                max_occupancy=max_occupancy,
                max_abandon_rate=max_abandon_rate,
            )
        r = erlang_a.erlang_a(agents, load, aht_s, patience_s, threshold_s)
        sl, p_wait, asa_s, occ, abandon = r.service_level, r.p_wait, r.asa_s, r.occupancy, r.p_abandon
    agents = int(check_array("agents", agents, low=0.0))
    return Staffing(
        model=model,
        offered=offered,
        interval_s=interval_s,
        aht_s=aht_s,
        load_erlangs=load,
        threshold_s=threshold_s,
        target_service_level=None if target_service_level is None else float(target_service_level),
        patience_s=None if patience_s is None else float(patience_s),
        max_occupancy=float(max_occupancy),
        shrinkage=shrinkage,
        agents=agents,
        agents_fractional=fractional,
        agents_gross=float(gross_agents(agents, shrinkage)),
        service_level=float(sl),
        p_wait=float(p_wait),
        asa_s=float(np.asarray(asa_s)),
        occupancy=float(occ),
        abandon_rate=float(abandon),
    )
