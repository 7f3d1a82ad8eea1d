"""Erlang B and Erlang C (M/M/N): waiting probability, service level, ASA and required agents.

All functions broadcast like numpy ufuncs over arrays of intervals. Units: ``load_erlangs`` =
arrival rate per second x ``aht_s`` [Erlang]; times in seconds; probabilities in [0, 1].

``agents`` may be fractional: Erlang B then uses Jagerman's continuous extension
``B(x, A) = A**x e**-A / Gamma(x + 1, A)`` (D. L. Jagerman, "Some properties of the Erlang loss
function", Bell Syst. Tech. J. 53, 1974), which equals the classical formula at integers and lets
roll-ups sum fractional requirements before rounding once.

Computation: ``B = pois(N; A) / Q(N + 1, A)`` with the Poisson density in Loader's saddle-point
form and the regularised upper incomplete gamma ``Q`` (or its continued fraction where ``Q``
underflows), so loads of 10,000 Erlangs and more are exact to ~1e-14 with no factorial, power or
Python loop per interval.

References: A. K. Erlang (1917), "Solution of some problems in the theory of probabilities of
significance in automatic telephone exchanges", Elektroteknikeren 13; R. B. Cooper, *Introduction
to Queueing Theory*, 2nd ed. (1981), ch. 3 (Erlang C, waiting-time distribution
``P(W > t) = C e**-(N - A) t / aht``).

Examples
--------
100 calls in 30 minutes of 180 s each are 10 Erlangs; 14 agents answer 88.8% within 20 s:

>>> import planner as pl
>>> load = 100 * 180.0 / 1800
>>> round(float(pl.erlang.service_level(14, load, 180.0, 20.0)), 4), pl.erlang.required_agents(
...     load, 180.0, target_service_level=0.8, threshold_s=20.0)
(0.8884, 14)

Every function broadcasts over intervals:

>>> pl.erlang.required_agents([5.0, 10.0, 20.0], 180.0, target_service_level=0.8, threshold_s=20.0)
array([ 8, 14, 24])
"""

from __future__ import annotations

import numpy as np
from scipy import special

from planner.schema import check_array, check_fraction
from planner.staffing._search import solve_increasing
from planner.staffing._special import log_poisson_density, upper_gamma_cf

__all__ = [
    "erlang_b",
    "erlang_c",
    "service_level",
    "asa",
    "occupancy",
    "required_agents",
    "fractional_agents",
    "metrics",
    "requirement",
]


# --- unchecked kernels (inputs already validated and broadcast) -------------------------------


def _log_erlang_b(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """log B(N, A) = log pois(N; A) - log Q(N + 1, A); -inf where B is 0 (no load, N > 0)."""
    agents, load = np.broadcast_arrays(agents, load)
    out = np.zeros(agents.shape)
    busy = (agents > 0) & (load > 0)
    out[(agents > 0) & (load == 0)] = -np.inf
    x, a = agents[busy], load[busy]
    # Far above x the upper tail Q(x + 1, A) underflows; its continued fraction does not.
    far = (a - x - 1.0 > 4.0 * np.sqrt(a)) & (a - x > 250.0)
    near = ~far
    value = np.empty(x.shape)
    with np.errstate(divide="ignore"):
        value[near] = log_poisson_density(x[near], a[near]) - np.log(
            special.gammaincc(x[near] + 1.0, a[near])
        )
    value[far] = -np.log(a[far] * upper_gamma_cf(x[far] + 1.0, a[far]))
    out[busy] = np.minimum(value, 0.0)  # B <= 1: rounding may overshoot by ~1e-14 near N = 0
    return out


def _erlang_b(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    return np.exp(_log_erlang_b(agents, load))


def _performance(agents, load, aht_s, threshold_s, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probability of waiting, service level and ASA [s] from Erlang B ``b`` (arrays, one shape).

    ``C = B / (1 - rho (1 - B))``, ``SL = 1 - C e**(-(N - A) T / aht)``, ``ASA = C aht / (N - A)``
    (Cooper 1981, ch. 3). Unstable rows (N <= A) wait surely (SL 0, ASA inf) unless there is no
    load: then nobody waits (SL 1, ASA 0), whatever the staff. ``b`` is ignored on those rows.
    """
    stable = (agents > load) & (load > 0)
    idle = load == 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = agents - load
        c = b / (1.0 - load / agents * (1.0 - b))
        p_wait = np.where(stable, c, np.where(idle, 0.0, 1.0))
        sl = np.where(stable, 1.0 - c * np.exp(-gap * threshold_s / aht_s), np.where(idle, 1.0, 0.0))
        wait = np.where(stable, c * aht_s / gap, np.where(idle, 0.0, np.inf))
    return p_wait, sl, wait


def _erlang_c_performance(agents, load, aht_s=1.0, threshold_s=0.0):
    """:func:`_performance` with Erlang B evaluated on the stable rows only."""
    agents, load, aht_s, threshold_s = np.broadcast_arrays(agents, load, aht_s, threshold_s)
    stable = (agents > load) & (load > 0)
    b = np.zeros(agents.shape)
    b[stable] = _erlang_b(agents[stable], load[stable])
    return _performance(agents, load, aht_s, threshold_s, b)


def _erlang_c(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    return _erlang_c_performance(agents, load)[0]


def _service_level(agents, load, aht_s, threshold_s) -> np.ndarray:
    return _erlang_c_performance(agents, load, aht_s, threshold_s)[1]


def _asa(agents, load, aht_s) -> np.ndarray:
    return _erlang_c_performance(agents, load, aht_s)[2]


def _occupancy(agents, load) -> np.ndarray:
    agents, load = np.broadcast_arrays(agents, load)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.minimum(load / agents, 1.0)
    return np.where(agents > 0, out, np.where(load > 0, 1.0, 0.0))


# --- public API ------------------------------------------------------------------------------


def _checked(agents=None, load=None, aht_s=None, threshold_s=None):
    checked = []
    if agents is not None:
        checked.append(check_array("agents", agents, low=0.0))
    if load is not None:
        checked.append(check_array("load_erlangs", load, low=0.0))
    if aht_s is not None:
        checked.append(check_array("aht_s", aht_s, low=0.0, low_inclusive=False))
    if threshold_s is not None:
        checked.append(check_array("threshold_s", threshold_s, low=0.0))
    return checked


def _result(value: np.ndarray):
    return value[()] if value.ndim == 0 else value


def erlang_b(agents, load_erlangs):
    """Blocking probability of the M/M/N/N loss system (Erlang B).

    Parameters
    ----------
    agents : array_like
        Number of agents N [-]; fractional values use Jagerman's continuous extension.
    load_erlangs : array_like
        Offered load A [Erlang].

    Examples
    --------
    >>> round(float(erlang_b(14, 10.0)), 7)
    0.0568191
    """
    agents, load = _checked(agents, load_erlangs)
    return _result(_erlang_b(agents, load))


def erlang_c(agents, load_erlangs):
    """Probability that a contact waits in M/M/N (Erlang C); 1 where ``agents <= load_erlangs``.

    ``C = B / (1 - rho (1 - B))`` with ``B`` Erlang B and ``rho = A / N`` (Cooper 1981, eq. 3.2).

    Parameters
    ----------
    agents, load_erlangs : array_like
        Agents N [-] (may be fractional, as for :func:`erlang_b`) and offered load A [Erlang].

    Examples
    --------
    >>> round(float(erlang_c(14, 10.0)), 7)
    0.1741319
    """
    agents, load = _checked(agents, load_erlangs)
    return _result(_erlang_c(agents, load))


def service_level(agents, load_erlangs, aht_s, threshold_s):
    """Share of contacts answered within ``threshold_s`` seconds: ``1 - C e**(-(N - A) T / aht)``.

    0 where ``agents <= load_erlangs`` (the queue is unstable). Cooper (1981), ch. 3.

    Parameters
    ----------
    agents, load_erlangs : array_like
        Agents N [-] and offered load A [Erlang].
    aht_s, threshold_s : array_like
        Average handle time and service-level threshold T (the "20" of "80/20") [s].

    Examples
    --------
    >>> round(float(service_level(14, 10.0, 180.0, 20.0)), 7)
    0.88835
    """
    agents, load, aht_s, threshold_s = _checked(agents, load_erlangs, aht_s, threshold_s)
    return _result(_service_level(agents, load, aht_s, threshold_s))


def asa(agents, load_erlangs, aht_s):
    """Average speed of answer, the mean wait over all contacts [s]: ``C aht / (N - A)``.

    Infinite where ``agents <= load_erlangs``.

    Parameters
    ----------
    agents, load_erlangs : array_like
        Agents N [-] and offered load A [Erlang].
    aht_s : array_like
        Average handle time [s].

    Examples
    --------
    >>> round(float(asa(14, 10.0, 180.0)), 4)
    7.8359
    """
    agents, load, aht_s = _checked(agents, load_erlangs, aht_s)
    return _result(_asa(agents, load, aht_s))


def occupancy(agents, load_erlangs):
    """Share of agent time spent handling contacts: ``min(A / N, 1)`` [-].

    Parameters
    ----------
    agents, load_erlangs : array_like
        Agents N [-] and offered load A [Erlang].

    Examples
    --------
    >>> float(occupancy(14, 10.5))
    0.75
    """
    agents, load = _checked(agents, load_erlangs)
    return _result(_occupancy(agents, load))


def metrics(agents, load_erlangs, aht_s, threshold_s) -> dict[str, np.ndarray]:
    """Erlang C, service level, ASA [s] and occupancy for given staff, from one Erlang evaluation.

    Parameters
    ----------
    agents, load_erlangs, aht_s, threshold_s : array_like
        As for :func:`service_level`: agents [-], load [Erlang], handle time and threshold [s].

    Returns
    -------
    dict of numpy.ndarray
        ``p_wait``, ``service_level``, ``asa_s`` [s] and ``occupancy``, broadcast over the inputs.

    Examples
    --------
    >>> m = metrics(14, 10.0, 180.0, 20.0)
    >>> round(float(m["p_wait"]), 7), round(float(m["service_level"]), 7)
    (0.1741319, 0.88835)
    """
    agents, load, aht_s, threshold_s = np.broadcast_arrays(
        *_checked(agents, load_erlangs, aht_s, threshold_s)
    )
    p_wait, sl, wait = _erlang_c_performance(agents, load, aht_s, threshold_s)
    return {
        "p_wait": _result(p_wait),
        "service_level": _result(sl),
        "asa_s": _result(wait),
        "occupancy": _result(_occupancy(agents, load)),
    }


def _sqrt_staffing_guess(load, aht_s, threshold_s, target) -> np.ndarray:
    """Square-root staffing ``A + beta sqrt(A)`` with beta from the Halfin-Whitt approximation.

    ``P(wait) ~ 1 / (1 + beta Phi(beta) / phi(beta))`` (Halfin & Whitt 1981) and
    ``SL ~ 1 - P(wait) e**(-beta sqrt(A) T / aht)``; beta is found by bisection (cheap: no special
    function of the load). Only a starting point: the exact search corrects it.
    """
    lo = np.zeros(load.shape)
    hi = np.full(load.shape, 12.0)
    root_a = np.sqrt(load)
    for _ in range(8):  # beta to 0.05 (2 agents at 2,000 Erlangs): the recursion walks the rest
        beta = 0.5 * (lo + hi)
        ratio = beta * special.ndtr(beta) / np.exp(-0.5 * beta * beta) * np.sqrt(2.0 * np.pi)
        sl = 1.0 - np.exp(-beta * root_a * threshold_s / aht_s) / (1.0 + ratio)
        high = sl >= target
        hi = np.where(high, beta, hi)
        lo = np.where(high, lo, beta)
    return np.ceil(load + hi * root_a)


def _targets(load_erlangs, aht_s, threshold_s, target_service_level, max_occupancy, target_asa_s):
    load, aht_s, threshold_s = _checked(None, load_erlangs, aht_s, threshold_s)
    target = check_fraction("target_service_level", target_service_level)
    max_occ = check_array("max_occupancy", max_occupancy, low=0.0, low_inclusive=False, high=1.0)
    asa_goal = (
        np.inf
        if target_asa_s is None
        else check_array("target_asa_s", target_asa_s, low=0.0, low_inclusive=False)
    )
    arrays = np.broadcast_arrays(load, aht_s, threshold_s, target, max_occ, asa_goal)
    return [np.array(v, dtype=float).ravel() for v in arrays], arrays[0].shape


def _meets(n, b, load, aht, threshold, target, max_occ, asa_goal):
    """Targets met by n agents whose Erlang B value is b (all arrays of the same rows)."""
    _, sl, wait = _performance(n, load, aht, threshold, b)
    return (n > load) & (load <= max_occ * n) & (sl >= target) & (wait <= asa_goal)


def _solve(load, aht, threshold, target, max_occ, asa_goal):
    """Least integer agents meeting every target, and Erlang B there (flat arrays).

    One closed-form Erlang B at the square-root staffing estimate, then the Erlang B recursion
    ``B(n+1) = A B / (n + 1 + A B)`` walks up (stable) or ``B(n-1) = n B / (A (1 - B))`` walks down
    a step or two: each step costs a few flops per row, so the whole search costs little more than
    one Erlang evaluation.
    """
    lower = np.floor(load)  # N <= A never meets a target
    guess = np.maximum(_sqrt_staffing_guess(load, aht, threshold, target), lower + 1.0)
    guess = np.maximum(guess, np.ceil(load / max_occ))
    n = guess.copy()
    b = _erlang_b(n, load)

    def check(rows, n_rows, b_rows):
        return _meets(
            n_rows, b_rows, load[rows], aht[rows], threshold[rows], target[rows], max_occ[rows], asa_goal[rows]
        )

    ok = check(slice(None), n, b)
    rows = np.flatnonzero(~ok)
    while rows.size:  # walk up until the targets are met
        a, br = load[rows], b[rows]
        b[rows] = a * br / (n[rows] + 1.0 + a * br)
        n[rows] += 1.0
        rows = rows[~check(rows, n[rows], b[rows])]
    rows = np.flatnonzero(ok & (n - 1.0 > load))
    while rows.size:  # walk down while one agent fewer still meets them
        a, nr, br = load[rows], n[rows], b[rows]
        b_down = nr * br / (a * (1.0 - br))
        good = check(rows, nr - 1.0, b_down)
        keep = rows[good]
        n[keep] -= 1.0
        b[keep] = b_down[good]
        rows = keep[n[keep] - 1.0 > load[keep]]
    n[load == 0] = 0.0
    return n, b


def required_agents(
    load_erlangs,
    aht_s,
    *,
    target_service_level,
    threshold_s,
    max_occupancy=1.0,
    target_asa_s=None,
):
    """Least integer number of agents N > A that meets every target (Erlang C).

    The targets are: service level (share answered within ``threshold_s`` seconds) at least
    ``target_service_level``; occupancy ``A / N`` at most ``max_occupancy``; and, if given, ASA at
    most ``target_asa_s`` seconds. 0 where the load is 0. The search starts from the square-root
    staffing estimate and checks the exact Erlang C formula, so the answer is exact even when the
    service level at N - 1 is within 1e-9 of the target.

    Parameters
    ----------
    load_erlangs : array_like
        Offered load [Erlang].
    aht_s : array_like
        Average handle time [s].
    target_service_level : array_like
        Required share answered within the threshold, in (0, 1).
    threshold_s : array_like
        Service-level threshold [s] (the "20" of "80/20").
    max_occupancy : array_like, optional
        Occupancy cap in (0, 1]; applied before shrinkage.
    target_asa_s : array_like, optional
        Maximum average speed of answer [s].

    Returns
    -------
    numpy.ndarray of int64 (or an int for scalar input)

    Examples
    --------
    100 calls in 30 minutes with 180 s handle time (10 Erlangs), 80% answered in 20 s:

    >>> int(required_agents(10.0, 180.0, target_service_level=0.8, threshold_s=20.0))
    14
    """
    flat, shape = _targets(
        load_erlangs, aht_s, threshold_s, target_service_level, max_occupancy, target_asa_s
    )
    agents = _solve(*flat)[0].astype(np.int64).reshape(shape)
    return int(agents) if agents.ndim == 0 else agents


def requirement(
    load_erlangs,
    aht_s,
    *,
    target_service_level,
    threshold_s,
    max_occupancy=1.0,
    target_asa_s=None,
) -> dict[str, np.ndarray]:
    """:func:`required_agents` together with the performance it delivers, in one pass.

    Parameters
    ----------
    load_erlangs, aht_s, target_service_level, threshold_s, max_occupancy, target_asa_s
        As for :func:`required_agents`: load [Erlang]; handle time, threshold, ASA goal [s].

    Returns
    -------
    dict of numpy.ndarray
        ``agents`` (int64), ``p_wait``, ``service_level``, ``asa_s`` [s] and ``occupancy`` at
        those agents (as :func:`metrics`), without evaluating Erlang C again.

    Examples
    --------
    >>> r = requirement(10.0, 180.0, target_service_level=0.8, threshold_s=20.0)
    >>> int(r["agents"]), round(float(r["service_level"]), 7)
    (14, 0.88835)
    """
    flat, shape = _targets(
        load_erlangs, aht_s, threshold_s, target_service_level, max_occupancy, target_asa_s
    )
    load, aht, threshold = flat[0], flat[1], flat[2]
    n, b = _solve(*flat)
    p_wait, sl, wait = _performance(n, load, aht, threshold, b)
    values = {
        "agents": n.astype(np.int64),
        "p_wait": p_wait,
        "service_level": sl,
        "asa_s": wait,
        "occupancy": _occupancy(n, load),
    }
    return {k: _result(v.reshape(shape)) for k, v in values.items()}


def fractional_agents(
    load_erlangs,
    aht_s,
    *,
    target_service_level,
    threshold_s,
    max_occupancy=1.0,
):
    """Continuous staffing requirement x in (N - 1, N] where N is :func:`required_agents`.

    Solves ``service_level(x) = target`` with Jagerman's continuous Erlang B (and
    ``x >= A / max_occupancy``), so that summing requirements over intervals and rounding once
    does not inflate totals the way rounding every interval up does.

    Parameters
    ----------
    load_erlangs, aht_s, target_service_level, threshold_s, max_occupancy
        As for :func:`required_agents`: load [Erlang]; handle time and threshold [s].

    Examples
    --------
    >>> x = fractional_agents(10.0, 180.0, target_service_level=0.8, threshold_s=20.0)
    >>> 13.0 < float(x) <= 14.0
    True
    """
    (load, aht, threshold, target, max_occ, _), shape = _targets(
        load_erlangs, aht_s, threshold_s, target_service_level, max_occupancy, None
    )
    whole = np.asarray(
        required_agents(
            load, aht, target_service_level=target, threshold_s=threshold, max_occupancy=max_occ
        )
    ).astype(float)

    def gap(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return _service_level(x, load[rows], aht[rows], threshold[rows]) - target[rows]

    lo = np.maximum(whole - 1.0, load)
    root = solve_increasing(gap, lo, whole)
    result = np.maximum(root, load / max_occ)
    result[load == 0] = 0.0
    result = result.reshape(shape)
    return result[()] if result.ndim == 0 else result
