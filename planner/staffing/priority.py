"""Customer segments on one agent pool: non-preemptive priorities, FCFS within a segment.

Model (M/M/N with K priority classes and one exponential handle time; A. Cobham 1954, P. H. Davis
1966). Segments are numbered from the highest priority, ``lambda_k`` is segment k's arrival rate,
``Lambda_k = lambda_1 + ... + lambda_k``, ``s = N / aht_s`` the rate at which a full pool frees an
agent and ``sigma_k = Lambda_k / s`` (``sigma_0 = 0``, ``sigma_K = rho``).

* **Waiting.** Whether a contact waits depends only on the number of busy agents, which does not
  depend on the order of service: ``P(wait) = C``, Erlang C on the total load, for every segment.
* **Who is ahead.** While every agent is busy, the waiting contacts of segments 1..k are an M/M/1
  queue with arrival rate ``Lambda_k`` and service rate ``s`` (they are served before the others);
  its length seen by an arrival (PASTA) is geometric with ratio ``sigma_k``.
* **The wait.** A segment-k contact that waits needs ``M`` = (those ahead) + 1 agents to free up,
  each stretched by the higher segments' contacts arriving meanwhile: ``W_k`` given a wait is the
  sum of M busy periods of an M/M/1 queue with arrival rate ``a = Lambda_(k-1)`` and service rate
  ``s``, with ``P(M = m) = (1 - sigma_k) sigma_k**(m-1)``. For k = 1 it is exponential:
  ``P(W_1 > t) = C exp(-(s - lambda_1) t)``.
* **Its tail** (a lower segment). With the transition kernel of that M/M/1 queue absorbed at 0 (a
  reflected random walk: ``e**-(a+s)t (a/s)**((j-m)/2) [I_(j-m)(z) - I_(j+m)(z)]``,
  ``z = 2 t sqrt(a s)``), summing over M and the queue length in closed form leaves one series::

      P(W_k > t | wait) = e**(-(sqrt(s) - sqrt(a))**2 t) [ive(0, z) + sum_(n>=1) kappa_n w**n ive(n, z)]

  with ``w = sigma_k sqrt(s / a)``, ``v = Lambda_(k-1) / Lambda_k`` and ``kappa_n = 1 + v**n -
  ((1 - sigma_k) / sigma_k) (v + ... + v**(n-1))`` (``ive`` the exponentially scaled modified
  Bessel function). At ``a = 0`` it is ``exp(-s (1 - sigma_k) t)``: Erlang C's tail.
* **Mean wait** (Cobham 1954): ``ASA_k = C / (s (1 - sigma_(k-1)) (1 - sigma_k))``, so
  ``sum_k lambda_k ASA_k = lambda ASA_FCFS`` (Kleinrock's conservation law).

The lowest segment's wait is stochastically longer than FCFS's at the same staff (each busy period
is at least one handle time), so its FCFS requirement is a lower bound on the staff; the
**priority tax** of a segment is its FCFS service level minus its service level under priorities
(negative for the segments that gain).

Computation. The series is summed by Miller's backward recurrence ``ive(n-1, z) = ive(n+1, z) +
(2n / z) ive(n, z)`` (stable downwards), scaled on the fly to stay in range and normalised by one
``scipy.special.ive(0, z)``, so each evaluation costs a few vector operations per term over all
intervals, with no Python loop per interval. It runs to ``n = sigma_k s t + 10 sqrt(.) + 30``
(beyond it the terms are below a Poisson tail of 1e-20) and ``sqrt(n**2 + 50 z)`` more for the
recurrence to settle.

References: A. Cobham (1954), "Priority assignment in waiting line problems", Operations Research
2(1); P. H. Davis (1966), "Waiting-time distribution of a multi-server, priority queuing system",
Operations Research 14(1); L. Kleinrock (1965), "A conservation law for a wide class of queueing
disciplines", Naval Res. Logist. Q. 12; W. Feller, *An Introduction to Probability Theory*, vol. 2,
ch. XIV (the randomised random walk and its absorbed kernel). Reference values:
``tests/reference/make_priority_reference.py`` (mpmath, 50 digits, by integrating the busy-period
densities instead).

Examples
--------
600 calls per 30 minutes, a quarter of them VIP, 240 s each (80 Erlangs), 86 agents:

>>> import planner as pl
>>> r = pl.priority.segment_metrics(86, [160 * 240 / 1800, 440 * 240 / 1800], 240.0, [10.0, 20.0])
>>> [round(float(v), 4) for v in r.service_level], [round(float(v), 2) for v in r.asa_s]
([0.9728, 0.7284], [1.49, 21.41])
>>> round(float(r.priority_tax[1]), 4)  # standard customers' loss against one FCFS queue
0.0276
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from planner.errors import InputError
from planner.schema import check_array, check_fraction
from planner.staffing import erlang
from planner.staffing._search import smallest_integer, solve_increasing
from planner.staffing.erlang_a import PerIntervalResult

__all__ = ["SegmentResult", "segment_metrics", "required_agents", "fractional_agents", "wait_tail"]

_RESCALE = 1e100  # rescale the recurrence when its terms leave [1/_RESCALE, _RESCALE]


def _series_length(lam: np.ndarray, z: np.ndarray) -> int:
    """Terms needed (beyond a Poisson(lam) tail of 1e-20) and the Miller start above them."""
    if lam.size == 0:
        return 0
    need = float(np.max(lam + 10.0 * np.sqrt(lam))) + 30.0
    return int(np.ceil(np.sqrt(need * need + 50.0 * float(np.max(z))))) + 10


def _busy_period_tail(t, a, s, lam_k, lam_own):
    """``P(W_k > t | wait)`` for flat arrays with ``a > 0``, ``t > 0`` and ``Lambda_k < s``.

    ``a = Lambda_(k-1)`` [1/s], ``s`` the drain rate [1/s], ``lam_k = Lambda_k`` and ``lam_own =
    lambda_k`` [1/s] (given separately so ``1 - v`` keeps its digits when ``lambda_k`` is small).
    """
    r = lam_k / s
    z = 2.0 * t * np.sqrt(a * s)
    log_w = np.log(r) + 0.5 * (np.log(s) - np.log(a))
    inv_w = np.exp(-log_w)
    one_minus_v = lam_own / lam_k
    log_v = np.log1p(-one_minus_v)  # a > 0, so v > 0
    ratio = (1.0 - r) / r
    top = _series_length(r * s * t, z)
    size = t.size
    u_next, u = np.zeros(size), np.ones(size)  # Miller: ive(top + 1) ~ 0, ive(top) ~ 1 (scaled)
    scale_u = np.zeros(size)  # log of the factor u is divided by
    total, scale_total = np.zeros(size), np.full(size, -np.inf)
    step = 2.0 * inv_w / z
    inv_w2 = inv_w * inv_w
    for n in range(top, -1, -1):
        if n == 0:
            kappa = 1.0
        else:
            vn = np.exp(n * log_v)
            # v + ... + v**(n-1) = v (1 - v**(n-1)) / (1 - v); n - 1 where v = 1 (lambda_k = 0)
            geometric = np.where(one_minus_v > 0.0,
                                 -np.exp(log_v) * np.expm1((n - 1) * log_v) / np.where(one_minus_v > 0, one_minus_v, 1.0),
                                 n - 1.0)
            kappa = 1.0 + vn - ratio * geometric
        # total += kappa * u, both carried with their own log scale
        up = scale_u > scale_total
        total = np.where(up, total * np.exp(np.where(up, scale_total - scale_u, 0.0)), total)
        scale_total = np.where(up, scale_u, scale_total)
        total = total + kappa * u * np.exp(scale_u - scale_total)
        if n == 0:
            break
        u_prev = u_next * inv_w2 + (n * step) * u  # w**(n-1) ive(n-1) from w**n ive(n), w**(n+1) ive(n+1)
        u_next, u = u, u_prev
        size_now = np.maximum(np.abs(u), np.abs(u_next))
        off = (size_now > _RESCALE) | ((size_now < 1.0 / _RESCALE) & (size_now > 0.0))
        if off.any():
            factor = np.where(off, size_now, 1.0)
            u, u_next = u / factor, u_next / factor
            scale_u = scale_u + np.log(factor)
    # u is now ive(0, z) times exp(-scale_u) times an unknown constant: normalise by the true ive(0, z).
    with np.errstate(divide="ignore", invalid="ignore"):
        log_norm = np.log(special.ive(0.0, z)) - np.log(u) - scale_u
        value = np.exp(np.log(np.maximum(total, 0.0)) + scale_total + log_norm
                       - (np.sqrt(s) - np.sqrt(a)) ** 2 * t)
    return np.clip(np.nan_to_num(value, nan=0.0), 0.0, 1.0)


def _conditional_tail(t, n, load_higher, load_k, load_own, aht):
    """``P(W_k > t | wait)`` on flat arrays: agents n, loads [Erlang] above k, up to k and of k."""
    out = np.ones(t.size)
    stable = n > load_k
    # Highest segment (or no load above it): exponential, in Erlang C's order of operations.
    top = stable & (load_higher == 0)
    out[top] = np.exp(-(n[top] - load_k[top]) * t[top] / aht[top])
    rest = stable & (load_higher > 0) & (t > 0)
    if rest.any():
        rates = [v[rest] / aht[rest] for v in (load_higher, load_k, load_own)]
        out[rest] = _busy_period_tail(t[rest], rates[0], n[rest] / aht[rest], rates[1], rates[2])
    return out


def _segment_axis(value: np.ndarray, k: int) -> np.ndarray:
    """``value`` with a leading segment axis: kept if its first axis has length k, else added."""
    return value if value.ndim and value.shape[0] == k else value[None]


def _per_segment(value: np.ndarray, k: int, shape: tuple) -> np.ndarray:
    """A ``(K, rows)`` float array from a per-segment (first axis K) or shared value."""
    value = _segment_axis(value, k)
    rest = value.shape[1:]
    value = value.reshape(value.shape[:1] + (1,) * (len(shape) - len(rest)) + rest)
    return np.broadcast_to(value, (k,) + shape).reshape(k, -1).astype(float)


def _flat(agents, load_erlangs, aht_s, threshold_s):
    """Checked inputs as flat arrays: loads and thresholds ``(K, rows)``; the interval shape."""
    loads = check_array("load_erlangs", load_erlangs, low=0.0)
    if loads.ndim == 0:
        raise InputError("load_erlangs: expected one load per segment (highest priority first), "
                         "e.g. [vip_load, standard_load]; for one queue use planner.erlang")
    k = loads.shape[0]
    threshold = check_array("threshold_s", threshold_s, low=0.0)
    aht = check_array("aht_s", aht_s, low=0.0, low_inclusive=False)
    n = None if agents is None else check_array("agents", agents, low=0.0)
    shape = np.broadcast_shapes(loads.shape[1:], _segment_axis(threshold, k).shape[1:], aht.shape,
                                () if n is None else n.shape)
    loads = _per_segment(loads, k, shape)
    threshold = _per_segment(threshold, k, shape)
    aht = np.broadcast_to(aht, shape).ravel().astype(float)
    n = None if n is None else np.broadcast_to(n, shape).ravel().astype(float)
    return n, loads, aht, threshold, shape


def _waits(p_wait, n, loads, aht, threshold):
    """Per-segment service level, ASA [s] and FCFS service level given P(wait) (flat, ``(K, rows)``).

    ``n`` servers of mean service time ``aht`` drain the queue once all are busy (chat: the
    ``N k`` slots at the full-load chat duration, with the chat chain's P(wait)).
    """
    total = loads.sum(axis=0)
    cumulative = np.cumsum(loads, axis=0)
    higher = cumulative - loads
    k, size = loads.shape
    sl, asa, fcfs = np.empty((k, size)), np.empty((k, size)), np.empty((k, size))
    stable = (n > total) & (total > 0)
    idle = total == 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for j in range(k):
            tail = _conditional_tail(threshold[j], n, higher[j], cumulative[j], loads[j], aht)
            sl[j] = np.where(stable, 1.0 - p_wait * tail, np.where(idle, 1.0, 0.0))
            fcfs[j] = np.where(stable, 1.0 - p_wait * np.exp(-(n - total) * threshold[j] / aht),
                               np.where(idle, 1.0, 0.0))
            top = higher[j] == 0  # Erlang C's own form where nobody is ahead in priority
            wait = np.where(top, p_wait * aht / (n - cumulative[j]),
                            p_wait * aht * n / ((n - higher[j]) * (n - cumulative[j])))
            asa[j] = np.where(stable, wait, np.where(idle, 0.0, np.inf))
    return sl, asa, fcfs


def _metrics(n, loads, aht, threshold):
    """Per-segment service level, ASA [s], FCFS service level; P(wait) and occupancy (flat)."""
    total = loads.sum(axis=0)
    p_wait, fcfs_sl, _ = erlang._erlang_c_performance(n, total, aht, threshold[-1])
    sl, asa, fcfs = _waits(p_wait, n, loads, aht, threshold)
    fcfs[-1] = fcfs_sl  # the last threshold's FCFS value, exactly as planner.erlang computes it
    return sl, asa, fcfs, p_wait, erlang._occupancy(n, total)


@dataclass(frozen=True, repr=False)
class SegmentResult(PerIntervalResult):
    """Performance of each segment on a shared pool: arrays ``(segments, ...)`` except ``p_wait``.

    Returned by :func:`segment_metrics`. Segments are in priority order (highest first).

    Attributes
    ----------
    p_wait : numpy.ndarray
        Probability of waiting [-], the same for every segment (Erlang C on the total load).
    service_level : numpy.ndarray
        Share of each segment's contacts answered within its threshold [-].
    asa_s : numpy.ndarray
        Mean wait of each segment [s].
    fcfs_service_level : numpy.ndarray
        The same share if all segments queued together first come, first served [-].
    priority_tax : numpy.ndarray
        ``fcfs_service_level - service_level`` [-]: what a segment loses to those above it
        (negative: what it gains).
    occupancy : numpy.ndarray
        Busy share of agent time [-].

    Examples
    --------
    >>> r = segment_metrics(14, [2.0, 8.0], 180.0, 20.0)
    >>> r.service_level.shape, round(float(r.p_wait), 4)
    ((2,), 0.1741)
    """

    p_wait: np.ndarray
    service_level: np.ndarray
    asa_s: np.ndarray
    fcfs_service_level: np.ndarray
    priority_tax: np.ndarray
    occupancy: np.ndarray

    def to_frame(self):
        """One row per segment and interval: ``segment`` (0 = highest), ``interval`` and the fields."""
        import pandas as pd

        k = np.shape(self.service_level)[0]
        per = {name: np.reshape(getattr(self, name), (k, -1)) for name in
               ("service_level", "asa_s", "fcfs_service_level", "priority_tax")}
        rows = per["service_level"].shape[1]
        shared = {name: np.tile(np.ravel(getattr(self, name)), k) for name in ("p_wait", "occupancy")}
        return pd.DataFrame({"segment": np.repeat(np.arange(k), rows), "interval": np.tile(np.arange(rows), k),
                             "p_wait": shared["p_wait"], **{n: v.ravel() for n, v in per.items()},
                             "occupancy": shared["occupancy"]})


def segment_metrics(agents, load_erlangs, aht_s, threshold_s) -> SegmentResult:
    """Service level, ASA and priority tax of each segment on one pool of agents (exact).

    Parameters
    ----------
    agents : array_like
        Agents N [-] (fractional values use Jagerman's continuous Erlang B).
    load_erlangs : array_like
        Offered load of each segment [Erlang], highest priority first: shape ``(K, ...)``.
    aht_s : array_like
        Average handle time, common to the segments [s].
    threshold_s : array_like
        Service-level threshold [s]: one per segment (first axis ``K``) or one for all.

    Returns
    -------
    SegmentResult
        ``p_wait``, and per segment ``service_level``, ``asa_s`` [s], ``fcfs_service_level``,
        ``priority_tax``; ``occupancy``. Unstable intervals (N <= total load): service level 0,
        ASA inf.

    References
    ----------
    Cobham (1954) for the means, Davis (1966) for the distributions; see the module notes.

    Examples
    --------
    Without VIP calls the standard segment is an Erlang C queue:

    >>> r = segment_metrics(14, [0.0, 10.0], 180.0, 20.0)
    >>> float(r.service_level[1]) == float(erlang.service_level(14, 10.0, 180.0, 20.0))
    True
    """
    n, loads, aht, threshold, shape = _flat(agents, load_erlangs, aht_s, threshold_s)
    sl, asa, fcfs, p_wait, occ = _metrics(n, loads, aht, threshold)
    k = loads.shape[0]

    def per(values):
        return values.reshape((k,) + shape)

    def one(values):
        values = values.reshape(shape)
        return values[()] if values.ndim == 0 else values

    return SegmentResult(p_wait=one(p_wait), service_level=per(sl), asa_s=per(asa),
                         fcfs_service_level=per(fcfs), priority_tax=per(fcfs - sl), occupancy=one(occ))


def wait_tail(t_s, agents, load_erlangs, aht_s):
    """``P(W_k > t)`` for each segment k: the probability its contacts wait longer than ``t_s``.

    Parameters
    ----------
    t_s : array_like
        Time [s]: one per segment (first axis ``K``) or one for all.
    agents, load_erlangs, aht_s
        As for :func:`segment_metrics`: agents [-], loads per segment [Erlang], handle time [s].

    Examples
    --------
    >>> p = wait_tail([20.0, 20.0], 90, [160 * 240 / 1800, 440 * 240 / 1800], 240.0)
    >>> [round(float(v), 6) for v in p]
    [0.000639, 0.101345]
    """
    r = segment_metrics(agents, load_erlangs, aht_s, t_s)
    return 1.0 - r.service_level


def _targets(load_erlangs, aht_s, target_service_level, threshold_s, max_occupancy, target_asa_s):
    _, loads, aht, threshold, shape = _flat(None, load_erlangs, aht_s, threshold_s)
    k, size = loads.shape

    target = _per_segment(check_fraction("target_service_level", target_service_level), k, shape)
    asa_goal = _per_segment(check_array("target_asa_s", np.inf if target_asa_s is None else target_asa_s,
                                        low=0.0, low_inclusive=False, allow_inf=True), k, shape)
    max_occ = np.broadcast_to(check_array("max_occupancy", max_occupancy, low=0.0, low_inclusive=False, high=1.0),
                              shape).ravel().astype(float)
    return loads, aht, threshold, target, asa_goal, max_occ, shape


def _meets(n, loads, aht, threshold, target, asa_goal, max_occ):
    sl, asa, _, _, _ = _metrics(n, loads, aht, threshold)
    total = loads.sum(axis=0)
    return (n > total) & (total <= max_occ * n) & np.all((sl >= target) & (asa <= asa_goal), axis=0)


def _required(loads, aht, threshold, target, asa_goal, max_occ):
    """Least integer agents meeting every segment's targets (flat rows); 0 where there is no load."""
    total = loads.sum(axis=0)
    size = total.size
    agents = np.zeros(size, dtype=np.int64)
    busy = np.flatnonzero(total > 0)
    if not busy.size:
        return agents
    # The lowest segment waits longer than FCFS at the same staff: its FCFS requirement is a floor.
    last = [v[-1, busy] for v in (target, threshold, asa_goal)]
    floor = np.asarray(erlang.required_agents(
        total[busy], aht[busy], target_service_level=last[0], threshold_s=last[1], max_occupancy=max_occ[busy],
        target_asa_s=np.where(np.isfinite(last[2]), last[2], 1e300)), dtype=np.int64)

    def met(n, rows):
        idx = busy[rows]
        return _meets(n.astype(float), loads[:, idx], aht[idx], threshold[:, idx], target[:, idx],
                      asa_goal[:, idx], max_occ[idx])

    agents[busy] = smallest_integer(met, floor - 1, floor)
    return agents


def required_agents(load_erlangs, aht_s, *, target_service_level, threshold_s, max_occupancy=1.0, target_asa_s=None):
    """Least integer agents meeting every segment's own target on one shared pool (exact).

    Service level and ASA of each segment rise with the agents, so the answer is the largest of
    the segments' own requirements. The search starts from the lowest segment's FCFS requirement
    (a lower bound) and gallops up.

    Parameters
    ----------
    load_erlangs : array_like
        Offered load of each segment [Erlang], highest priority first: shape ``(K, ...)``.
    aht_s : array_like
        Average handle time [s].
    target_service_level : array_like
        Each segment's required share answered within its threshold, in (0, 1).
    threshold_s : array_like
        Each segment's threshold [s].
    max_occupancy : array_like, optional
        Occupancy cap in (0, 1].
    target_asa_s : array_like, optional
        Each segment's largest acceptable ASA [s] (``inf``: none).

    Returns
    -------
    numpy.ndarray of int64 (or an int for scalar input)

    Examples
    --------
    VIP 95% in 10 s and standard 80% in 20 s on 80 Erlangs need 88 agents; one FCFS queue at
    80/20 needs 87, but then VIPs get only the standard service:

    >>> loads = [160 * 240 / 1800, 440 * 240 / 1800]
    >>> int(required_agents(loads, 240.0, target_service_level=[0.95, 0.8], threshold_s=[10, 20]))
    88
    >>> int(erlang.required_agents(80.0, 240.0, target_service_level=0.8, threshold_s=20))
    87
    """
    loads, aht, threshold, target, asa_goal, max_occ, shape = _targets(
        load_erlangs, aht_s, target_service_level, threshold_s, max_occupancy, target_asa_s)
    agents = _required(loads, aht, threshold, target, asa_goal, max_occ).reshape(shape)
    return int(agents) if agents.ndim == 0 else agents


def fractional_agents(load_erlangs, aht_s, *, target_service_level, threshold_s, max_occupancy=1.0):
    """Continuous requirement x in (N - 1, N], N from :func:`required_agents`, for roll-ups.

    The least x (Jagerman's continuous Erlang B) at which every segment meets its service-level
    target, and ``x >= load / max_occupancy``; summed over intervals before rounding once.

    Parameters
    ----------
    load_erlangs : array_like
        Offered load of each segment [Erlang], highest priority first: shape ``(K, ...)``.
    aht_s : array_like
        Average handle time [s].
    target_service_level : array_like
        Each segment's required share answered within its threshold, in (0, 1).
    threshold_s : array_like
        Each segment's threshold [s].
    max_occupancy : array_like, optional
        Occupancy cap in (0, 1].

    Examples
    --------
    >>> loads = [160 * 240 / 1800, 440 * 240 / 1800]
    >>> x = fractional_agents(loads, 240.0, target_service_level=[0.95, 0.8], threshold_s=[10, 20])
    >>> 87.0 < float(x) <= 88.0
    True
    """
    loads, aht, threshold, target, asa_goal, max_occ, shape = _targets(
        load_erlangs, aht_s, target_service_level, threshold_s, max_occupancy, None)
    whole = _required(loads, aht, threshold, target, asa_goal, max_occ).astype(float)
    total = loads.sum(axis=0)
    rows = np.flatnonzero(whole > 0)
    result = np.zeros(total.size)
    if rows.size:
        def gap(x, idx):
            r = rows[idx]
            sl = _metrics(x, loads[:, r], aht[r], threshold[:, r])[0]
            return np.min(sl - target[:, r], axis=0)

        lo = np.maximum(whole[rows] - 1.0, total[rows])
        root = solve_increasing(gap, lo, whole[rows])
        result[rows] = np.maximum(root, total[rows] / max_occ[rows])
    result = result.reshape(shape)
    return result[()] if result.ndim == 0 else result
