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

    Parameters
    ----------
    agents : array_like
        Net agents needed on the phones [-] (fractional values are fine: round once, at the end).
    shrinkage : array_like
        Share of paid time not available for contacts (breaks, training, absence) [-], in [0, 1).

    Returns
    -------
    numpy.ndarray or float
        Gross (scheduled) agents [-], broadcast over the inputs.

    Examples
    --------
    >>> float(gross_agents(14, 0.3))
    20.0
    >>> gross_agents([10, 14], [0.2, 0.3]).tolist()
    [12.5, 20.0]
    """
    agents = check_array("agents", agents, low=0.0)
    shrink = check_array("shrinkage", shrinkage, low=0.0, high=1.0, high_inclusive=False)
    gross = agents / (1.0 - shrink)
    return gross[()] if gross.ndim == 0 else gross


@dataclass(frozen=True)
class Staffing:
    """Result of :func:`calculate` for one interval (units in the names).

    The repr shows the model, the load and what the agents deliver; :meth:`to_dict` gives every
    field (JSON-ready).

    Attributes
    ----------
    model : str
        ``"erlang_c"`` (no patience given) or ``"erlang_a"``.
    offered : float
        Contacts offered in the interval [contacts].
    interval_s : float
        Interval length [s].
    aht_s : float
        Average handle time [s].
    load_erlangs : float
        Offered load ``offered * aht_s / interval_s`` [Erlang].
    threshold_s : float
        Service-level threshold [s].
    target_service_level : float or None
        The goal [-], None when a number of agents was evaluated.
    patience_s : float or None
        Mean customer patience [s] (Erlang A), None for Erlang C.
    max_occupancy : float
        Occupancy cap [-].
    shrinkage : float
        Share of paid time not available for contacts [-].
    agents : int
        Net agents [-]: the least whole number meeting the targets, or the number evaluated.
    agents_fractional : float or None
        Continuous requirement in (agents - 1, agents] [-] (Erlang C with a target), else None.
    agents_gross : float
        ``agents / (1 - shrinkage)`` [-].
    service_level : float
        Share of offered contacts answered within ``threshold_s`` [-].
    p_wait : float
        Probability a contact waits [-].
    asa_s : float
        Average speed of answer [s] (Erlang A: of answered contacts); ``inf`` when unstable.
    occupancy : float
        Busy share of agent time [-].
    abandon_rate : float
        Share of offered contacts that abandon [-] (0 under Erlang C).

    Examples
    --------
    >>> calculate(offered=100, interval_s=1800, aht_s=180, threshold_s=20, target_service_level=0.8)
    Staffing(model='erlang_c', load_erlangs=10, agents=14, agents_fractional=13.04, agents_gross=14, service_level=0.8884, p_wait=0.1741, asa_s=7.836, occupancy=0.7143, abandon_rate=0)
    """

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

    def __repr__(self) -> str:
        """The model, the load and what the agents deliver (every field: :meth:`to_dict`)."""
        shown = ["load_erlangs", "agents", "agents_fractional", "agents_gross", "service_level", "p_wait",
                 "asa_s", "occupancy", "abandon_rate"]
        values = [f"{k}={getattr(self, k):.4g}" for k in shown if getattr(self, k) is not None]
        return f"Staffing(model={self.model!r}, {', '.join(values)})"


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
    load is ``offered * aht_s / interval_s`` Erlangs. Without ``patience_s`` the model is Erlang C
    (:mod:`planner.erlang`), with it Erlang A (:mod:`planner.erlang_a`). The occupancy cap applies
    before shrinkage; then ``agents_gross = agents / (1 - shrinkage)``.

    Parameters
    ----------
    offered : float
        Contacts offered in the interval [contacts].
    interval_s : float
        Interval length [s].
    aht_s : float
        Average handle time [s].
    threshold_s : float
        Service-level threshold [s] (the "20" of "80/20").
    target_service_level : float, optional
        Required share answered within ``threshold_s`` [-], in (0, 1); needed when ``agents`` is
        not given.
    agents : int, optional
        Evaluate this many net agents instead of finding the requirement.
    patience_s : float, optional
        Mean customer patience [s] (exponential): Erlang A instead of Erlang C.
    max_occupancy : float
        Occupancy cap [-], in (0, 1].
    max_abandon_rate : float, optional
        Largest acceptable share of offered contacts that abandon [-] (Erlang A only).
    shrinkage : float
        Share of paid time not available for contacts [-], in [0, 1).

    Returns
    -------
    Staffing
        Agents (net, fractional, gross) and the service level, ASA [s], occupancy and
        abandonment they deliver.

    References
    ----------
    R. B. Cooper (1981), *Introduction to Queueing Theory*, 2nd ed., ch. 3 (Erlang C);
    A. Mandelbaum and S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A queue,
    with applications to call centers" (Erlang A).

    Examples
    --------
    100 calls in 30 minutes of 180 s each (10 Erlangs), 80% answered within 20 s:

    >>> r = calculate(offered=100, interval_s=1800, aht_s=180, threshold_s=20, target_service_level=0.8)
    >>> r.agents, round(r.service_level, 7), round(r.asa_s, 4)
    (14, 0.88835, 7.8359)

    Callers who hang up after 120 s on average, 30% shrinkage:

    >>> r = calculate(offered=100, interval_s=1800, aht_s=180, threshold_s=20, target_service_level=0.8,
    ...               patience_s=120, shrinkage=0.3)
    >>> r.model, r.agents, round(r.agents_gross, 2), round(r.abandon_rate, 3)
    ('erlang_a', 12, 17.14, 0.062)
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
