"""Erlang A (M/M/N+M): staffing with impatient customers who abandon after an exponential patience.

Notation (all arrays broadcast): N ``agents``, A ``load_erlangs``, service rate ``mu = 1/aht_s``,
abandonment rate ``theta = 1/patience_s``, ``x = N mu / theta`` and ``y = lambda / theta =
A patience_s / aht_s``. The number in system is a birth-death chain with product-form stationary
law; with ``B`` Erlang B and Kummer's ``G = M(1; x + 1; y) = sum_m y**m / ((x+1)...(x+m))``
(the queue part of the chain relative to state N):

* ``p_wait = G B / (1 + (G - 1) B)``
* ``p_abandon = p_wait (1 - 1/rho + 1/(rho G))``, ``rho = A / N``
* ``P(V > t) = p_wait P(x, y e**(-theta t)) / P(x, y)`` for the virtual wait V (P the regularised
  lower incomplete gamma), so the share answered within T over all offered contacts is
  ``1 - p_wait [1 - (x/y)(1 - 1/G)(1 - P(x+1, y e**(-theta T)) / P(x+1, y))]``
* ``asa_s`` = mean wait of answered contacts = ``E[V; V < patience] / (1 - p_abandon)`` with
  ``E[V; V < patience] = p_wait (x/y)(1 - 1/G) / theta * integral_0^inf P(x+1, y e**-u) /
  P(x+1, y) du`` (a smooth decreasing integrand: composite Gauss-Legendre).

References: A. Mandelbaum and S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A
queue, with applications to call centers"; N. Gans, G. Koole, A. Mandelbaum (2003), "Telephone
call centers: tutorial, review, and research prospects", MSOM 5(2). As ``patience_s -> inf`` every
output tends to Erlang C; with impatience the requirement may be below the load, which is correct.

The formulas from the all-busy state up are one private kernel, ``_queue_outputs(log_b, ...)``,
shared with :mod:`planner.staffing.chat`, whose chain differs from Erlang A's only below that state.

Examples
--------
10 Erlangs of 180 s calls, callers waiting 120 s on average before they hang up: abandonment
shortens the queue, so 12 agents meet 80/20 where Erlang C needs 14.

>>> import planner as pl
>>> r = pl.erlang_a.erlang_a(12, 10.0, 180.0, 120.0, 20.0)
>>> round(float(r.service_level), 3), round(float(r.p_abandon), 3)
(0.826, 0.062)
>>> pl.erlang_a.required_agents(10.0, 180.0, patience_s=120.0, target_service_level=0.8, threshold_s=20.0)
12
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.schema import check_array, check_targets
from planner.staffing._search import least_meeting, smallest_integer
from planner.staffing._special import (
    log_kummer_m1,
    log_poisson_density,
    log_upper_gamma_scaled,
)
from planner.staffing.erlang import _log_erlang_b, _sqrt_staffing_guess

__all__ = ["ErlangAResult", "erlang_a", "required_agents", "fractional_agents"]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(10)


class PerIntervalResult:
    """Frozen results of arrays broadcast over intervals: a table, a short repr, an HTML view.

    Base of :class:`ErlangAResult` and :class:`planner.staffing.chat.ChatResult` (their
    dataclasses pass ``repr=False`` so this repr is kept).
    """

    def to_frame(self):
        """The results as a pandas DataFrame, one row per interval."""
        import pandas as pd

        return pd.DataFrame({k: np.ravel(v) for k, v in self.__dict__.items()})

    def __repr__(self) -> str:
        """The values of a single interval, else the shape and each field's mean [min, max]."""
        values = {k: np.asarray(v, dtype=float) for k, v in self.__dict__.items()}
        name = type(self).__name__
        if all(v.ndim == 0 for v in values.values()):
            return f"{name}({', '.join(f'{k}={float(v):.4g}' for k, v in values.items())})"
        shape = np.broadcast_shapes(*(v.shape for v in values.values()))
        if not all(v.size for v in values.values()):
            return f"{name}(shape={shape})"
        width = max(map(len, values))
        lines = []
        for k, v in values.items():
            if np.isnan(v).all():
                lines.append(f"    {k:<{width}}  nan")
                continue
            with np.errstate(invalid="ignore"):
                mean = np.nanmean(v)
            lines.append(f"    {k:<{width}}  {mean:<10.4g}[{np.nanmin(v):.4g}, {np.nanmax(v):.4g}]")
        return f"{name}(shape={shape}, mean [min, max] over intervals:\n" + "\n".join(lines) + "\n)"

    def _repr_html_(self) -> str:
        """The :meth:`to_frame` table (pandas truncates long ones) for notebooks."""
        return self.to_frame()._repr_html_()


@dataclass(frozen=True, repr=False)
class ErlangAResult(PerIntervalResult):
    """Erlang A performance per interval: arrays broadcast over the inputs.

    Returned by :func:`erlang_a`; :meth:`to_frame` gives one row per interval. The repr shows the
    values of one interval, or the mean and range of each field over many.

    Attributes
    ----------
    p_wait : numpy.ndarray
        Probability a contact waits [-].
    p_abandon : numpy.ndarray
        Share of offered contacts that abandon [-].
    service_level : numpy.ndarray
        Share of offered contacts answered within the threshold [-]; abandoned contacts count as
        not answered.
    asa_s : numpy.ndarray
        Mean wait of answered contacts [s].
    occupancy : numpy.ndarray
        Busy share of agent time, ``A (1 - p_abandon) / N`` [-].

    Examples
    --------
    >>> erlang_a(14, 10.0, 180.0, 120.0, 20.0)
    ErlangAResult(p_wait=0.127, p_abandon=0.02284, service_level=0.9327, asa_s=2.345, occupancy=0.698)
    >>> erlang_a([12, 13, 14], 10.0, 180.0, 120.0, 20.0).to_frame().round(3)
       p_wait  p_abandon  service_level  asa_s  occupancy
    0   0.280      0.062          0.826  6.335      0.782
    1   0.194      0.038          0.889  3.939      0.740
    2   0.127      0.023          0.933  2.345      0.698
    """

    p_wait: np.ndarray
    p_abandon: np.ndarray
    service_level: np.ndarray
    asa_s: np.ndarray
    occupancy: np.ndarray


def _log_m1(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``log M(1; a + 1; z)``, summing the series directly where ``z <= a / 4``.

    There the terms ``z**m / ((a + 1) ... (a + m))`` fall faster than ``4**-m`` (30 terms: 1e-18),
    while :func:`log_kummer_m1` goes through scipy's ``P(a, z)``, which underflows to 0 (``-inf``,
    then NaN outputs) for ``a`` above ~150 with ``z`` far below it: light load, long patience.
    """
    a, z = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(z, dtype=float))
    out = np.empty(a.shape)
    series = z <= 0.25 * a
    out[~series] = log_kummer_m1(a[~series], z[~series])
    aa, zz = a[series], z[series]
    term = np.ones(aa.shape)
    total = np.ones(aa.shape)
    for m in range(1, 31):
        term *= zz / (aa + m)
        total += term
    out[series] = np.log(total)
    return out


def _log_lower_gamma_ratio(a: np.ndarray, y: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``log P(a, y e**-u) - log P(a, y)`` without subtracting two large logs.

    The Poisson factors give ``-a u - y expm1(-u)`` exactly; only Kummer's (moderate) logs are
    subtracted. Needed when patience is long: both logs are then ~1e9 while their difference is O(1).
    """
    return -a * u - y * np.expm1(-u) + _log_m1(a, y * np.exp(-u)) - _log_m1(a, y)


def _answered_in_time(a: np.ndarray, y: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``1 - P(a, y e**-u) / P(a, y)``: share of eventually-answered waits shorter than T.

    Below the Gamma(a) bulk the ratio of lower tails is used; above it both P are ~1 and the
    difference is taken through the upper tails, ``(Q(a, z) - Q(a, y)) / P(a, y)``, so that the
    tiny service levels of an overloaded queue keep their digits.
    """
    z = y * np.exp(-u)
    out = np.empty(z.shape)
    above = z > a
    below = ~above
    out[below] = -np.expm1(_log_lower_gamma_ratio(a[below], y[below], u[below]))
    if above.any():
        a, y, u, z = a[above], y[above], u[above], z[above]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_q_z = log_poisson_density(a, z) + log_upper_gamma_scaled(a, z)
            # log Q(a, y) - log Q(a, z): Poisson part exact, scaled tails moderate.
            log_q_ratio = a * u + y * np.expm1(-u) + log_upper_gamma_scaled(a, y) - log_upper_gamma_scaled(a, z)
            log_q_y = log_q_z + log_q_ratio
            out[above] = np.exp(log_q_z) * -np.expm1(log_q_ratio) / -np.expm1(log_q_y)
    return out


def _answered_wait_integral(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``integral_0^inf P(a, y e**-u) / P(a, y) du`` by Gauss-Legendre on doubling panels.

    The integrand falls from 1 to 0, steepest where ``y e**-u`` crosses the Gamma(a) bulk, at
    ``c = max(0, log(y / a))``. Panels start there with 1/8 of the local decay length and double
    outwards: leftwards down to 0, rightwards until the integrand is below 1e-17 of the total.
    """
    centre = np.maximum(0.0, np.log(y / a))
    rate = a * np.exp(-_log_m1(a, y * np.exp(-centre)))  # -d/du log P at the centre
    first = 1.0 / (8.0 * np.maximum(rate, np.sqrt(a)))
    total = np.zeros(a.size)

    def add(rows, lo, hi):
        h = hi - lo
        u = lo[None, :] + 0.5 * h[None, :] * (_GL_NODES[:, None] + 1.0)
        values = np.exp(_log_lower_gamma_ratio(a[rows][None, :], y[rows][None, :], u))
        total[rows] += 0.5 * h * (_GL_WEIGHTS @ values)

    # Leftwards from the centre to 0 (only when overloaded: the integrand is ~1 there).
    right_end = centre.copy()
    step = first.copy()
    rows = np.flatnonzero(centre > 0)
    while rows.size:
        lo = np.maximum(right_end[rows] - step[rows], 0.0)
        add(rows, lo, right_end[rows])
        right_end[rows] = lo
        step[rows] *= 2.0
        rows = rows[lo > 0]
    # Rightwards from the centre until the tail is negligible.
    left = centre.copy()
    step = first.copy()
    rows = np.arange(a.size)
    for _ in range(200):
        if not rows.size:
            break
        hi = left[rows] + step[rows]
        add(rows, left[rows], hi)
        left[rows] = hi
        step[rows] *= 2.0
        tail = np.exp(_log_lower_gamma_ratio(a[rows], y[rows], left[rows]))
        rows = rows[tail > 1e-17 * total[rows]]
    return total


def _queue_outputs(log_b, servers, load, aht_s, patience_s, threshold_s, *, log_idle=None, with_asa=True):
    """``p_wait, no_wait, p_abandon, service_level, asa_s`` of a chain that is Erlang A's once full.

    The kernel shared with :mod:`planner.staffing.chat`. The chain may be anything below the state
    with every one of ``servers`` servers busy; above it, it is M/M/servers+M with mean service
    time ``aht_s`` [s] and offered ``load`` [Erlang], so every output follows from the module's
    formulas given ``b``, the stationary mass of that full state relative to all non-waiting
    states (Erlang B for Erlang A), as ``log_b``. ``log_idle = log(1/b - 1)``, computed from
    ``log_b`` unless given (chat has it directly, accurate also where ``b`` is close to 1).
    Flat arrays of one length with ``servers > 0`` and ``load > 0``; ``patience_s = inf`` gives
    Erlang C's closed forms (0 service level and infinite ASA when ``servers <= load``).
    """
    size = log_b.size
    p_wait, no_wait, p_ab = np.ones(size), np.zeros(size), np.zeros(size)
    sl, asa = np.zeros(size), np.full(size, np.inf)
    finite = np.isfinite(patience_s)
    if finite.any():
        n_, a_, aht_, pat_, t_ = (v[finite] for v in (servers, load, aht_s, patience_s, threshold_s))
        ratio = pat_ / aht_
        x = n_ * ratio
        y = a_ * ratio
        lb = log_b[finite]
        log_g = _log_m1(x, y)
        # p_wait = 1 / (1 + (1/B - 1) / G) in logs: G overflows when overloaded, 1/B when
        # staffed far above the load (then no_wait is 1, not inf / inf).
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            idle = np.log1p(-np.exp(lb)) - lb if log_idle is None else log_idle[finite]
            rest = np.exp(idle - log_g)
            pw = 1.0 / (1.0 + rest)
            nw = np.where(np.isinf(rest), 1.0, rest / (1.0 + rest))
        rho = a_ / n_
        # Share of waiting contacts eventually answered: (1 - 1/G) / rho.
        answered_after_wait = -np.expm1(-log_g) / rho
        pab = pw * (1.0 - answered_after_wait)
        # Answered within T = answered at once + answered after a wait shorter than T: two
        # positive terms, so tiny service levels of overloaded queues keep their digits.
        answered_in_time = _answered_in_time(x + 1.0, y, t_ / pat_)
        s = nw + pw * answered_after_wait * answered_in_time
        if with_asa:
            integral = _answered_wait_integral(x + 1.0, y)
            w = pw * answered_after_wait * integral * pat_ / (1.0 - pab)
        else:
            w = np.full(n_.size, np.nan)
        p_wait[finite], no_wait[finite], p_ab[finite], sl[finite], asa[finite] = pw, nw, pab, s, w
    # Infinite patience: Erlang C's closed forms, in Erlang C's own order of operations.
    stable = ~finite & (servers > load)
    if stable.any():
        n_, a_, aht_, t_ = (v[stable] for v in (servers, load, aht_s, threshold_s))
        b = np.exp(log_b[stable])
        c = b / (1.0 - a_ / n_ * (1.0 - b))
        p_wait[stable], no_wait[stable] = c, 1.0 - c
        sl[stable] = 1.0 - c * np.exp(-(n_ - a_) * t_ / aht_)
        asa[stable] = c * aht_ / (n_ - a_)
    return p_wait, no_wait, np.clip(p_ab, 0.0, 1.0), np.clip(sl, 0.0, 1.0), asa


def _erlang_a(agents, load, aht_s, patience_s, threshold_s, *, with_asa: bool = True):
    agents, load, aht_s, patience_s, threshold_s = np.broadcast_arrays(
        agents, load, aht_s, patience_s, threshold_s
    )
    shape = agents.shape
    n, a, aht, pat, t = (np.array(v, dtype=float).ravel() for v in (agents, load, aht_s, patience_s, threshold_s))
    p_wait = np.zeros(n.size)
    p_ab = np.zeros(n.size)
    sl = np.ones(n.size)
    asa = np.zeros(n.size)

    none = n == 0  # nobody to answer: everyone waits and abandons
    p_wait[none & (a > 0)] = 1.0
    p_ab[none & (a > 0)] = 1.0
    sl[none & (a > 0)] = 0.0
    asa[none] = np.nan

    live = (n > 0) & (a > 0)
    if live.any():
        n_, a_ = n[live], a[live]
        p_wait[live], _, p_ab[live], sl[live], asa[live] = _queue_outputs(
            _log_erlang_b(n_, a_), n_, a_, aht[live], pat[live], t[live], with_asa=with_asa
        )

    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a * (1.0 - p_ab) / n, 1.0), 0.0)
    return ErlangAResult(
        p_wait=_shape(p_wait, shape),
        p_abandon=_shape(p_ab, shape),
        service_level=_shape(sl, shape),
        asa_s=_shape(asa, shape),
        occupancy=_shape(occ, shape),
    )


def _shape(values: np.ndarray, shape: tuple) -> np.ndarray:
    values = values.reshape(shape)
    return values[()] if values.ndim == 0 else values


def erlang_a(agents, load_erlangs, aht_s, patience_s, threshold_s) -> ErlangAResult:
    """Performance of M/M/N+M (Erlang A) per interval.

    Parameters
    ----------
    agents : array_like
        Agents N [-] (>= 0; fractional values use the continuous extension of the chain).
    load_erlangs : array_like
        Offered load A [Erlang] = arrival rate per second x ``aht_s``.
    aht_s : array_like
        Average handle time [s].
    patience_s : array_like
        Mean customer patience [s] (exponential); ``inf`` gives Erlang C.
    threshold_s : array_like
        Service-level threshold [s].

    Returns
    -------
    ErlangAResult
        ``p_wait``, ``p_abandon``, ``service_level``, ``asa_s``, ``occupancy``.

    Examples
    --------
    >>> r = erlang_a(14, 10.0, 180.0, 120.0, 20.0)
    >>> bool(r.service_level > 0.8883500)  # abandonment shortens the queue: better than Erlang C
    True
    """
    n = check_array("agents", agents, low=0.0)
    a = check_array("load_erlangs", load_erlangs, low=0.0)
    aht = check_array("aht_s", aht_s, low=0.0, low_inclusive=False)
    pat = check_array("patience_s", patience_s, low=0.0, low_inclusive=False, allow_inf=True)
    t = check_array("threshold_s", threshold_s, low=0.0)
    return _erlang_a(n, a, aht, pat, t)


def required_agents(
    load_erlangs,
    aht_s,
    *,
    patience_s,
    target_service_level,
    threshold_s,
    max_occupancy=1.0,
    max_abandon_rate=None,
):
    """Least integer number of agents meeting the targets under Erlang A.

    Targets: share of offered contacts answered within ``threshold_s`` at least
    ``target_service_level``; occupancy at most ``max_occupancy``; and, if given, abandonment at
    most ``max_abandon_rate``. With impatient customers the answer can be below the load. 0 where
    the load is 0.

    Parameters
    ----------
    load_erlangs : array_like
        Offered load A [Erlang].
    aht_s : array_like
        Average handle time [s].
    patience_s : array_like
        Mean customer patience [s] (exponential); ``inf`` gives Erlang C.
    target_service_level : array_like
        Required share of offered contacts answered within the threshold, in (0, 1).
    threshold_s : array_like
        Service-level threshold [s].
    max_occupancy : array_like, optional
        Occupancy cap in (0, 1]; applied before shrinkage.
    max_abandon_rate : array_like, optional
        Largest acceptable share of offered contacts that abandon, in (0, 1].

    Returns
    -------
    numpy.ndarray of int64 (or an int for scalar input)

    References
    ----------
    A. Mandelbaum and S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A queue,
    with applications to call centers" (see the module notes for the formulas).

    Examples
    --------
    Abandonment lowers the requirement of the classic example from 14 (Erlang C) to 12:

    >>> int(required_agents(10.0, 180.0, patience_s=120.0, target_service_level=0.8, threshold_s=20.0))
    12
    """
    load = check_array("load_erlangs", load_erlangs, low=0.0)
    aht = check_array("aht_s", aht_s, low=0.0, low_inclusive=False)
    pat = check_array("patience_s", patience_s, low=0.0, low_inclusive=False, allow_inf=True)
    threshold = check_array("threshold_s", threshold_s, low=0.0)
    target, max_occ, max_ab = check_targets(target_service_level, max_occupancy, max_abandon_rate)
    arrays = np.broadcast_arrays(load, aht, pat, threshold, target, max_occ, max_ab)
    shape = arrays[0].shape
    load, aht, pat, threshold, target, max_occ, max_ab = (np.array(v, float).ravel() for v in arrays)

    def met(n: np.ndarray, rows: np.ndarray) -> np.ndarray:
        n = n.astype(float)
        r = _erlang_a(n, load[rows], aht[rows], pat[rows], threshold[rows], with_asa=False)
        ok = (n > 0) & (r.service_level >= target[rows]) & (r.occupancy <= max_occ[rows])
        if np.isfinite(max_ab[rows]).any():
            ok &= r.p_abandon <= max_ab[rows]
        return ok

    # Erlang C's requirement is a good start: abandonment only lowers it.
    guess = np.maximum(_sqrt_staffing_guess(load, aht, threshold, target) - 1.0, 1.0)
    agents = smallest_integer(met, np.zeros(load.size, dtype=np.int64), guess)
    agents[load == 0] = 0
    agents = agents.reshape(shape)
    return int(agents) if agents.ndim == 0 else agents


def fractional_agents(
    load_erlangs,
    aht_s,
    *,
    patience_s,
    target_service_level,
    threshold_s,
    max_occupancy=1.0,
    max_abandon_rate=None,
):
    """Continuous staffing requirement x in (N - 1, N] under Erlang A, N being :func:`required_agents`.

    The least real x at which every target holds on the chain's continuous extension in N: Erlang
    B by Jagerman's integral ``B(x, A) = A**x e**-A / Gamma(x + 1, A)`` and Kummer's function at
    real ``x`` (see the module notes). It is exact at whole agents, increasing in x, and with
    infinite patience it is Erlang C's :func:`planner.erlang.fractional_agents` (the same
    extension), so rounding the sum of a day's requirements once gives the same FTE whichever model
    a channel uses (interpolating the service level linearly between N - 1 and N would not).

    Parameters
    ----------
    load_erlangs, aht_s, patience_s, target_service_level, threshold_s, max_occupancy, max_abandon_rate
        As for :func:`required_agents`: load [Erlang]; handle time, patience and threshold [s].

    References
    ----------
    D. L. Jagerman (1974), "Some properties of the Erlang loss function", Bell Syst. Tech. J.
    53(3); A. Mandelbaum and S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A
    queue".

    Examples
    --------
    >>> x = fractional_agents(10.0, 180.0, patience_s=120.0, target_service_level=0.8, threshold_s=20.0)
    >>> 11.0 < float(x) <= 12.0
    True
    """
    load = check_array("load_erlangs", load_erlangs, low=0.0)
    aht = check_array("aht_s", aht_s, low=0.0, low_inclusive=False)
    pat = check_array("patience_s", patience_s, low=0.0, low_inclusive=False, allow_inf=True)
    threshold = check_array("threshold_s", threshold_s, low=0.0)
    target, max_occ, max_ab = check_targets(target_service_level, max_occupancy, max_abandon_rate)
    arrays = np.broadcast_arrays(load, aht, pat, threshold, target, max_occ, max_ab)
    shape = arrays[0].shape
    load, aht, pat, threshold, target, max_occ, max_ab = (np.array(v, float).ravel() for v in arrays)
    whole = np.asarray(required_agents(load, aht, patience_s=pat, target_service_level=target,
                                       threshold_s=threshold, max_occupancy=max_occ,
                                       max_abandon_rate=None if max_abandon_rate is None else max_ab), dtype=float)

    def outputs(x, rows):
        return _erlang_a(x, load[rows], aht[rows], pat[rows], threshold[rows], with_asa=False)

    gaps = [lambda x, rows: outputs(x, rows).service_level - target[rows],
            lambda x, rows: max_occ[rows] - outputs(x, rows).occupancy]
    if max_abandon_rate is not None:
        gaps.append(lambda x, rows: max_ab[rows] - outputs(x, rows).p_abandon)
    x = least_meeting(gaps, np.maximum(whole - 1.0, 0.0), whole)
    x[load == 0] = 0.0
    return _shape(x, shape)
