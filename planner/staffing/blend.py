"""Blended inbound and outbound work on shared agents: the idle-agent threshold rule (Erlang Blend).

Model. ``N`` agents, inbound calls Poisson at rate ``lambda`` with exponential handle time
(mean ``aht_s``), and an unlimited supply of outbound calls of the same mean length. Inbound calls
have priority; an agent who becomes free (counting itself as idle) starts an outbound call when
more than ``tau`` agents are idle and no inbound call waits (the ``idle_threshold``; G. Koole and
S. Bhulai, "Inbound and outbound call centers: the blending problem", 2003: optimal for equal
handle times). ``tau = 0`` keeps every agent busy (every inbound call waits); ``tau = N`` starts no
outbound call (Erlang C).

The exact chain has states (inbound in system, outbound in service). Its total ``n`` (inbound in
system plus outbound in service) is itself Markov: every arrival adds one; every completion at
``n > N - tau`` removes one (a waiting inbound call or nobody takes the freed agent); a completion
at ``n = N - tau`` is replaced at once by an outbound call. So ``n`` is the Erlang C (or Erlang A,
with exponential patience ``patience_s``) birth-death chain cut off below ``N - tau``:
``pi_(N-m) / pi_N = r_m = prod_(i<m) (N - i) / A`` for ``m = 1..tau``, and above ``N`` it is
unchanged. With ``I = r_1 + ... + r_tau``:

* ``P(wait) = G / (G + I)``, ``G = N / (N - A)`` (Erlang A: Kummer's ``M(1; x + 1; y)``, see
  :mod:`planner.staffing.erlang_a`); an inbound call that finds k waiting waits Erlang(k + 1,
  N / aht_s) (no outbound call starts while one waits), so ``SL = 1 - P(wait) e**(-(N - A) T / aht)``
  and ``ASA = P(wait) aht / (N - A)``, as Erlang C with its P(wait);
* busy agents ``E[min(n, N)] = P(wait) N + (1 - P(wait)) (sum (N - m) r_m) / I``, of which the
  inbound calls take ``A (1 - P(abandon))``: the rest, ``outbound_agents``, talk outbound, and
  ``outbound_agents / aht_s`` outbound calls end per second.

The sparse two-dimensional chain is solved in ``tests/reference/make_blend_reference.py`` (exact
rational arithmetic) and agrees with these closed forms to every digit. The simulator
(:mod:`planner.simulate`) plays the rule contact by contact, also with outbound calls of another
length, where the threshold rule is no longer exactly optimal and this chain no longer exact.

References: S. Bhulai and G. Koole (2003), "A queueing model for call blending in call centers",
IEEE Trans. Automatic Control 48(8); R. B. Cooper (1981), *Introduction to Queueing Theory*, ch. 3.

Examples
--------
30 agents, 300 inbound calls an hour of 240 s (20 Erlangs), 80% to answer within 20 s. Keeping 3
agents idle gives the inbound calls their service level and leaves outbound work for the rest:

>>> import planner as pl
>>> r = pl.blend.blend_metrics(30, 20.0, 240.0, 20.0, 3)
>>> round(float(r.service_level), 4), round(float(r.outbound_agents), 2), round(float(r.outbound_per_hour), 1)
(0.8659, 8.46, 126.9)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.errors import InputError
from planner.schema import check_array, check_fraction
from planner.staffing import erlang, erlang_a
from planner.staffing._search import smallest_integer
from planner.staffing.erlang_a import PerIntervalResult, _answered_in_time, _log_m1, _queue_outputs

__all__ = ["BlendResult", "blend_metrics", "requirement"]


@dataclass(frozen=True, repr=False)
class BlendResult(PerIntervalResult):
    """Inbound performance and outbound output of blended agents, per interval.

    Attributes
    ----------
    p_wait : numpy.ndarray
        Probability an inbound call waits [-].
    p_abandon : numpy.ndarray
        Share of inbound calls that abandon [-] (0 without patience).
    service_level : numpy.ndarray
        Share of inbound calls answered within the threshold [-].
    asa_s : numpy.ndarray
        Mean wait of answered inbound calls [s].
    outbound_agents : numpy.ndarray
        Mean number of agents on outbound calls [agents].
    outbound_per_hour : numpy.ndarray
        Outbound calls completed per hour [1/h].
    occupancy : numpy.ndarray
        Busy share of agent time, inbound and outbound [-].

    Examples
    --------
    >>> blend_metrics(30, 20.0, 240.0, 20.0, 30)  # tau = N: Erlang C, no outbound
    BlendResult(p_wait=0.02495, p_abandon=0, service_level=0.9892, asa_s=0.5988, outbound_agents=0, outbound_per_hour=0, occupancy=0.6667)
    """

    p_wait: np.ndarray
    p_abandon: np.ndarray
    service_level: np.ndarray
    asa_s: np.ndarray
    outbound_agents: np.ndarray
    outbound_per_hour: np.ndarray
    occupancy: np.ndarray


def _idle_sums(n, load, tau):
    """``log I`` and ``log sum (N - m) r_m`` over ``m = 1..tau`` (flat arrays, ``load > 0``)."""
    log_idle = np.full(n.size, -np.inf)
    log_busy = np.full(n.size, -np.inf)
    log_r = np.zeros(n.size)
    log_load = np.log(load)
    rows = np.flatnonzero(tau >= 1)
    m = 1
    while rows.size:
        log_r[rows] += np.log(n[rows] - (m - 1)) - log_load[rows]
        log_idle[rows] = np.logaddexp(log_idle[rows], log_r[rows])
        with np.errstate(divide="ignore"):
            log_busy[rows] = np.logaddexp(log_busy[rows], np.log(n[rows] - m) + log_r[rows])
        m += 1
        rows = rows[tau[rows] >= m]
    return log_idle, log_busy


def _blend(n, load, aht, pat, t, tau, *, with_asa=True):
    """Unchecked kernel on flat arrays (``n > 0``, ``load > 0``, whole ``0 <= tau <= n``); ``with_asa=False``
    leaves the ASA as NaN with patience (its integral costs more than everything else)."""
    log_idle, log_busy = _idle_sums(n, load, tau)
    with np.errstate(over="ignore"):
        log_b = -np.logaddexp(0.0, log_idle)
    p_wait, no_wait, p_ab, sl, asa = _queue_outputs(log_b, n, load, aht, pat, t, log_idle=log_idle, with_asa=with_asa)
    with np.errstate(invalid="ignore", over="ignore"):
        below = np.where(tau >= 1, np.exp(log_busy - log_idle), 0.0)  # E[n | n < N]
    busy = np.where(np.isfinite(p_wait), p_wait * n + no_wait * below, n)
    stable = (np.isfinite(pat) | (n > load)) & (tau < n)  # tau = N: no outbound call ever starts
    outbound = np.where(stable, np.maximum(busy - load * (1.0 - p_ab), 0.0), 0.0)
    return p_wait, p_ab, sl, asa, outbound, np.minimum(busy / n, 1.0)


def _checked(agents, load_erlangs, aht_s, threshold_s, idle_threshold, patience_s):
    n = check_array("agents", agents, low=0.0)
    if np.any(n != np.floor(n)):
        raise InputError(f"agents: expected whole agents, got {n[n != np.floor(n)].flat[0]:g}")
    tau = check_array("idle_threshold", idle_threshold, low=0.0)
    if np.any(tau != np.floor(tau)):
        raise InputError(f"idle_threshold: expected a whole number of agents, got {tau[tau != np.floor(tau)].flat[0]:g}")
    load = check_array("load_erlangs", load_erlangs, low=0.0)
    aht = check_array("aht_s", aht_s, low=0.0, low_inclusive=False)
    t = check_array("threshold_s", threshold_s, low=0.0)
    pat = check_array("patience_s", patience_s, low=0.0, low_inclusive=False, allow_inf=True)
    arrays = np.broadcast_arrays(n, load, aht, t, tau, pat)
    shape = arrays[0].shape
    n, load, aht, t, tau, pat = (np.array(v, dtype=float).ravel() for v in arrays)
    over = tau > n
    if over.any():
        i = int(np.flatnonzero(over)[0])
        where = "" if not shape else f" at index {i}"
        raise InputError(f"idle_threshold: expected at most the agents ({n[i]:g}), got {tau[i]:g}{where}; "
                         "idle_threshold = agents already starts no outbound call (Erlang C)")
    return n, load, aht, t, tau, pat, shape


def blend_metrics(agents, load_erlangs, aht_s, threshold_s, idle_threshold, *, patience_s=np.inf) -> BlendResult:
    """Inbound service and outbound output of agents blending under the idle-agent threshold rule.

    Parameters
    ----------
    agents : array_like
        Agents N [-], whole numbers >= 0.
    load_erlangs : array_like
        Inbound load A [Erlang] = inbound calls per second x ``aht_s``.
    aht_s : array_like
        Mean handle time of inbound and of outbound calls [s].
    threshold_s : array_like
        Inbound service-level threshold [s].
    idle_threshold : array_like
        tau, the agents kept idle for inbound calls: an outbound call starts only when more than
        tau agents are idle and no inbound call waits; whole, ``0 <= tau <= agents``.
    patience_s : array_like, optional
        Mean patience of waiting inbound callers [s] (exponential); ``inf``: nobody abandons.

    Returns
    -------
    BlendResult
        ``p_wait, p_abandon, service_level, asa_s, outbound_agents, outbound_per_hour, occupancy``.

    References
    ----------
    Bhulai and Koole (2003); see the module notes for the chain and its closed forms.

    Examples
    --------
    Keeping nobody idle, every agent is always busy and the outbound output is ``(N - A) / aht``:

    >>> r = blend_metrics(30, 20.0, 240.0, 20.0, 0)
    >>> float(r.p_wait), round(float(r.outbound_per_hour), 6), (30 - 20) * 3600 / 240
    (1.0, 150.0, 150.0)
    """
    n, load, aht, t, tau, pat, shape = _checked(agents, load_erlangs, aht_s, threshold_s, idle_threshold, patience_s)
    size = n.size
    p_wait, p_ab, sl, asa = np.zeros(size), np.zeros(size), np.ones(size), np.zeros(size)
    outbound, occ = np.zeros(size), np.zeros(size)
    empty = (n == 0) & (load > 0)  # nobody to answer
    p_wait[empty] = 1.0
    p_ab[empty] = np.where(np.isfinite(pat[empty]), 1.0, 0.0)
    sl[empty], asa[empty] = 0.0, np.inf
    quiet = (n > 0) & (load == 0)  # no inbound: N - tau agents on outbound calls
    outbound[quiet] = n[quiet] - tau[quiet]
    occ[quiet] = outbound[quiet] / n[quiet]
    none_idle = quiet & (tau == 0)  # a hypothetical inbound call finds everyone busy
    p_wait[none_idle] = 1.0
    sl[none_idle] = -np.expm1(-n[none_idle] * t[none_idle] / aht[none_idle])
    asa[none_idle] = aht[none_idle] / n[none_idle]
    live = (n > 0) & (load > 0)
    if live.any():
        values = _blend(*(v[live] for v in (n, load, aht, pat, t, tau)))
        for target, value in zip((p_wait, p_ab, sl, asa, outbound, occ), values):
            target[live] = value

    def out(values):
        values = values.reshape(shape)
        return values[()] if values.ndim == 0 else values

    return BlendResult(p_wait=out(p_wait), p_abandon=out(p_ab), service_level=out(sl), asa_s=out(asa),
                       outbound_agents=out(outbound), outbound_per_hour=out(outbound / aht * 3600.0),
                       occupancy=out(occ))


def _needed_idle(n, load, aht, pat, t, target):
    """``log I*``: the least idle sum with ``SL >= target`` (``-inf``: tau = 0 is enough; ``inf``: never).

    ``SL = (I + G X) / (G + I)`` where ``X`` is the share of waiting calls answered within T
    (Erlang C: ``1 - e**(-(N - A) T / aht)``), so ``I* = G (target - X) / (1 - target)``.
    """
    log_g = np.full(n.size, np.inf)
    x = np.zeros(n.size)
    inf = ~np.isfinite(pat)
    ok = inf & (n > load)
    log_g[ok] = np.log(n[ok]) - np.log(n[ok] - load[ok])
    x[ok] = -np.expm1(-(n[ok] - load[ok]) * t[ok] / aht[ok])
    fin = ~inf
    if fin.any():
        ratio = pat[fin] / aht[fin]
        xs, ys = n[fin] * ratio, load[fin] * ratio
        log_g[fin] = _log_m1(xs, ys)
        after = -np.expm1(-log_g[fin]) / (load[fin] / n[fin])  # waiting calls eventually answered
        x[fin] = after * _answered_in_time(xs + 1.0, ys, t[fin] / pat[fin])
    with np.errstate(divide="ignore", invalid="ignore"):
        log_need = log_g + np.log(target - x) - np.log1p(-target)
    return np.where(target <= x, -np.inf, np.where(np.isfinite(log_g), log_need, np.inf))


def _least_threshold(n, load, aht, pat, t, target):
    """Least tau meeting the inbound target at N agents (flat arrays), and whether any tau does."""
    log_need = _needed_idle(n, load, aht, pat, t, target)
    tau = np.zeros(n.size)
    log_idle = np.full(n.size, -np.inf)
    log_r = np.zeros(n.size)
    log_load = np.log(load)
    rows = np.flatnonzero(np.isfinite(log_need) | (log_need == np.inf))
    rows = rows[log_need[rows] > -np.inf]
    m = 1
    while rows.size:
        log_r[rows] += np.log(n[rows] - (m - 1)) - log_load[rows]
        log_idle[rows] = np.logaddexp(log_idle[rows], log_r[rows])
        tau[rows] = m
        m += 1
        rows = rows[(log_idle[rows] < log_need[rows]) & (n[rows] >= m)]
    return tau, log_idle >= log_need


def requirement(load_erlangs, aht_s, outbound_agents, *, target_service_level, threshold_s,
                patience_s=np.inf, outbound_allowed=True) -> dict[str, np.ndarray]:
    """Least agents, and the idle threshold, meeting the inbound target and the outbound volume.

    For each interval: the least N for which some tau gives inbound calls their service level and
    keeps at least ``outbound_agents`` agents on outbound calls on average, and the least such tau
    at that N (the most outbound work the inbound target allows). Where outbound calls are not
    allowed (outside the calling window), tau = N: the inbound requirement alone.

    Parameters
    ----------
    load_erlangs : array_like
        Inbound load [Erlang].
    aht_s : array_like
        Mean handle time of inbound and outbound calls [s].
    outbound_agents : array_like
        Agent time the outbound campaign needs [agents] (outbound agent-hours per hour).
    target_service_level, threshold_s : array_like
        Inbound target: share answered within ``threshold_s`` [s].
    patience_s : array_like, optional
        Mean patience of inbound callers [s]; ``inf``: nobody abandons.
    outbound_allowed : array_like of bool, optional
        Whether outbound calls may be made in the interval.

    Returns
    -------
    dict of numpy.ndarray
        ``agents`` and ``idle_threshold`` (int64) and the :class:`BlendResult` fields there.

    Examples
    --------
    300 inbound calls an hour of 240 s at 80/20, and 5 agents' worth of outbound calls:

    >>> r = requirement(20.0, 240.0, 5.0, target_service_level=0.8, threshold_s=20.0)
    >>> int(r["agents"]), int(r["idle_threshold"]), bool(r["outbound_agents"] >= 5.0)
    (27, 4, True)
    """
    load = check_array("load_erlangs", load_erlangs, low=0.0)
    aht = check_array("aht_s", aht_s, low=0.0, low_inclusive=False)
    need = check_array("outbound_agents", outbound_agents, low=0.0)
    target = check_fraction("target_service_level", target_service_level)
    t = check_array("threshold_s", threshold_s, low=0.0)
    pat = check_array("patience_s", patience_s, low=0.0, low_inclusive=False, allow_inf=True)
    allowed = np.asarray(outbound_allowed, dtype=bool)
    arrays = np.broadcast_arrays(load, aht, need, target, t, pat, allowed)
    shape = arrays[0].shape
    load, aht, need, target, t, pat = (np.array(v, dtype=float).ravel() for v in arrays[:-1])
    allowed = np.array(arrays[-1], dtype=bool).ravel()
    need = np.where(allowed, need, 0.0)
    inbound = np.zeros(load.size, dtype=np.int64)
    live = load > 0
    if live.any():
        inbound[live] = np.where(
            np.isfinite(pat[live]),
            erlang_a.required_agents(load[live], aht[live], patience_s=np.where(np.isfinite(pat[live]), pat[live], 1.0),
                                     target_service_level=target[live], threshold_s=t[live]),
            erlang.required_agents(load[live], aht[live], target_service_level=target[live], threshold_s=t[live]))
    agents = inbound.copy()
    blended = np.flatnonzero(allowed & live)
    if blended.size:
        def met(n, rows):
            idx = blended[rows]
            n = n.astype(float)
            tau, ok = _least_threshold(n, load[idx], aht[idx], pat[idx], t[idx], target[idx])
            values = _blend(n, load[idx], aht[idx], pat[idx], t[idx], tau)
            return ok & (values[4] >= need[idx] * (1.0 - 1e-12))

        lower = inbound[blended] - 1
        guess = np.maximum(inbound[blended], np.ceil(load[blended] + need[blended])).astype(np.int64)
        agents[blended] = smallest_integer(met, lower, guess)
    quiet = allowed & ~live  # outbound only: everyone who is not kept idle calls out
    agents[quiet] = np.ceil(need[quiet] - 1e-9).astype(np.int64)
    tau = agents.astype(float)
    if blended.size:
        tau[blended] = _least_threshold(agents[blended].astype(float), load[blended], aht[blended], pat[blended],
                                        t[blended], target[blended])[0]
    tau[quiet] = 0.0
    result = blend_metrics(agents, load, aht, t, tau, patience_s=pat)
    values = {"agents": agents, "idle_threshold": tau.astype(np.int64), **result.__dict__}
    return {k: (np.asarray(v).reshape(shape)[()] if not shape else np.asarray(v).reshape(shape)) for k, v in values.items()}
