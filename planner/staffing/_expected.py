"""The least staff whose expected service level meets the target, found with few quadratures.

The ``expected`` rule of :mod:`planner.staffing.rules` needs, per interval, the least ``n`` whose
service level expected over the rate's distribution meets the target, and the expected service
level at ``n - 1`` too (for the fractional requirement of the roll-ups). Each expectation is a
24-node quadrature of the queue's formula, so the cost is the number of candidates tried. This
module keeps it near the minimum of two per interval:

* **identical intervals are solved once** (closed nights, flat forecasts, repeated weeks);
* **the search starts near the answer**. Erlang C: the whole part of the continuous point
  requirement at the 0.75 quantile of the size-biased rate (volume weighting moves the mass up
  by ``1/k``; :func:`start_guess`); the answer is that or one more in
  98.9 % of intervals with loads of 1 to 100 Erlangs and shapes of 20 to 500 at 80/20, and the
  search's first :data:`UNIT_STEPS` steps are of one agent, so it needs 2.02 expectations per
  interval there (the minimum is 2: the answer and one below), against 2.6 with the whole point
  requirement at the 0.7 quantile and 9 with the 0.9 quantile (the first version). Over loads of
  0.2 to 1,000 Erlangs, shapes of 2 to 10,000 and targets of 50 to 95 % it needs 3.8. Erlang A
  and chat start at their point requirement at the :data:`GUESS_QUANTILE` quantile;
* **the quadrature's Erlang C is the stable queue's, fused with the quadrature**: every node lies
  below the kink (``n > A``), so :func:`stable_erlang_c_sl` skips the unstable and far-tail
  branches of :mod:`planner.staffing.erlang` and takes the Poisson density from ``gammaln``
  (three times faster; 1e-13 from :func:`planner.staffing.erlang.service_level` to 1,000
  Erlangs, 1e-11 to a million); :func:`expected_erlang_c_sl` evaluates it on ``(rows, nodes)``
  arrays, so a row's inputs are broadcast, not copied per node, and ``gammaln(n + 1)`` is taken
  once per row. What remains is one ``gammaincc`` per node (about 0.9 of the cost);
* **16 nodes instead of 24 where the service level is smooth over a narrow rate**
  (:func:`planner.staffing.rules.coarse_rows`; within 1e-6);
* **every expectation computed is kept**, so the values at ``n`` and ``n - 1`` that the search
  has already met are not computed again for the fractional requirement.

The search itself is :func:`planner.staffing._search.smallest_integer` (gallop and bisect), which
stays exact whatever the guess: the guess only changes the number of quadratures.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import special

from planner.staffing._search import smallest_integer
from planner.staffing.uncertainty import _KNOWN, _RULES, _log_density

__all__ = ["GUESS_QUANTILE", "guess_rate", "least_expected", "unique_rows", "stable_erlang_c_sl",
           "expected_erlang_c_sl", "start_guess"]

#: Quantile of the size-biased rate at which the point requirement starts the search.
GUESS_QUANTILE = 0.7
#: Quantile of the size-biased rate at which :func:`start_guess` starts the Erlang C search.
ERLANG_C_GUESS_QUANTILE = 0.75
#: Unit steps of the search before it gallops (:func:`planner.staffing._search.smallest_integer`).
UNIT_STEPS = 2

Expectation = Callable[[np.ndarray, np.ndarray], np.ndarray]


def guess_rate(shape, quantile: float = GUESS_QUANTILE) -> np.ndarray:
    """The ``quantile`` quantile of the size-biased rate (gamma, shape ``k + 1``, scale ``1 / k``).

    By the Wilson-Hilferty cube-root normal approximation (E. B. Wilson and M. M. Hilferty 1931,
    PNAS 17: 684-688), a tenth of the inverse incomplete gamma function's cost: it only starts
    the search, so its 1e-3 error moves no answer.

    >>> from scipy import stats
    >>> k = np.array([2.0, 30.0, 400.0])
    >>> bool(np.allclose(guess_rate(k), stats.gamma.ppf(GUESS_QUANTILE, k + 1.0, scale=1.0 / k), rtol=2e-3))
    True
    """
    a = np.asarray(shape, dtype=float) + 1.0
    z = special.ndtri(quantile)
    return np.maximum(1.0 - 1.0 / (9.0 * a) + z / (3.0 * np.sqrt(a)), 0.0) ** 3 * a / (a - 1.0)


def start_guess(model, shape) -> np.ndarray:
    """Where the ``expected`` rule's search starts (any start gives the same answer; a good one, fewer quadratures).

    Erlang C: the whole part of the continuous requirement at the :data:`ERLANG_C_GUESS_QUANTILE`
    quantile of the size-biased rate: the point requirement ``r`` there less the share of the
    last agent it needs (the service level interpolated linearly between ``r - 1`` and ``r``).
    The answer is that or one more in 98.9 % of intervals of loads of 1 to 100 Erlangs and
    shapes of 20 to 500 at 80/20 (the speed benchmark's), which the search settles with the two
    quadratures it needs anyway (at the answer and one below). Other models: their point
    requirement at the :data:`GUESS_QUANTILE` quantile.
    """
    if model.kind != "erlang_c":
        return model.required(guess_rate(shape))
    x = guess_rate(shape, ERLANG_C_GUESS_QUANTILE)
    r = model.required(x)
    load = x * model.load
    n = r.astype(float)
    at_r = stable_erlang_c_sl(n, load, model.aht, model.threshold)
    below = n - 1.0 > load
    at_less = np.zeros(r.size)
    at_less[below] = stable_erlang_c_sl(n[below] - 1.0, load[below], model.aht[below], model.threshold[below])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.clip((model.target - at_less) / (at_r - at_less), 0.0, 1.0)
    return np.maximum(np.floor(n - 1.0 + np.nan_to_num(share, nan=1.0)), 1.0).astype(np.int64)


def unique_rows(*columns) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the first of each distinct row of ``columns`` and the map back to every row.

    >>> first, back = unique_rows(np.array([1.0, 2.0, 1.0]), np.array([5.0, 5.0, 5.0]))
    >>> first.tolist(), back.tolist()
    ([0, 1], [0, 1, 0])
    """
    size = len(columns[0])
    if np.unique(np.asarray(columns[0], dtype=float)).size == size:  # all distinct already (one cheap sort)
        return np.arange(size), np.arange(size)
    keys = np.column_stack([np.asarray(c, dtype=float).reshape(size, -1) for c in columns])
    _, first, back = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return first, np.asarray(back).ravel()


def stable_erlang_c_sl(agents, load, aht_s, threshold_s) -> np.ndarray:
    """Erlang C service level of stable queues only (``0 < load < agents``; flat arrays of one length).

    ``B = pois(N; A) / Q(N + 1, A)`` with ``Q >= 1/2`` for ``A < N`` (no underflow), then
    ``C = B / (1 - rho (1 - B))`` and ``SL = 1 - C exp(-(N - A) T / aht)`` (Cooper 1981, ch. 3).

    >>> from planner.staffing import erlang
    >>> n, a = np.array([14.0, 1100.0]), np.array([10.0, 1000.0])
    >>> bool(np.allclose(stable_erlang_c_sl(n, a, 240.0, 20.0), erlang.service_level(n, a, 240.0, 20.0),
    ...                  rtol=0, atol=1e-12))
    True
    """
    log_b = agents * np.log(load) - load - special.gammaln(agents + 1.0) - np.log(special.gammaincc(agents + 1.0, load))
    b = np.exp(np.minimum(log_b, 0.0))
    c = b / (1.0 - load / agents * (1.0 - b))
    return 1.0 - c * np.exp(-(agents - load) * threshold_s / aht_s)


def expected_erlang_c_sl(agents, load, aht_s, threshold_s, shape, domain, coarse) -> np.ndarray:
    """Volume-weighted expected Erlang C service level over the gamma rate: the quadrature of
    :func:`planner.staffing.uncertainty.expected_value` with :func:`stable_erlang_c_sl` inside, fused.

    The same nodes, weights and kink as ``expected_value(lambda x, r: stable_erlang_c_sl(...),
    shape, kink=agents / load, domain, coarse)`` (within 1e-13; ``tests/test_uncertainty.py``), but
    on ``(rows, nodes)`` arrays: each row's agents, load, AHT and threshold are broadcast instead of
    repeated per node, ``gammaln(agents + 1)`` is taken once per row, and ``log(x A) = y + log A``
    (the nodes are already logs of the rate).

    Parameters
    ----------
    agents, load, aht_s, threshold_s : numpy.ndarray, shape (n,)
        Staff [-] (> 0), load at the forecast rate [Erlang] (> 0), AHT [s], threshold [s].
    shape : numpy.ndarray, shape (n,)
        Gamma shape of the rate [-], > 0 (``>= 1e12``: a known rate).
    domain : tuple of numpy.ndarray
        :func:`planner.staffing.uncertainty.rate_domain` of ``shape`` and ``coarse``.
    coarse : numpy.ndarray of bool, shape (n,)
        Rows integrated by the coarse rule.
    """
    out = np.zeros(agents.size)
    known = shape >= _KNOWN
    rows = np.flatnonzero(known & (agents > load))
    if rows.size:
        out[rows] = stable_erlang_c_sl(agents[rows], load[rows], aht_s[rows], threshold_s[rows])
    lo, hi, norm = domain
    with np.errstate(divide="ignore"):  # no staff: the kink at 0, nothing to integrate
        top = np.minimum(hi, np.log(agents / load))
    live = ~known & (top > lo)
    for rule in (False, True):
        _, _, t, w = _RULES[rule]
        r = np.flatnonzero(live & (coarse == rule))
        if not r.size:
            continue
        a, b = lo[r][:, None], top[r][:, None]
        y = a + (b - a) * (1.0 + t) / 2.0
        weight = (b - a) / 2.0 * w * np.exp(_log_density(y, shape[r][:, None])) / norm[r][:, None]
        n, log_a = agents[r][:, None], np.log(load[r])[:, None]
        x_load = np.exp(y + log_a)  # the load at each node [Erlang]
        log_b = (n * (y + log_a) - x_load - special.gammaln(n + 1.0)
                 - np.log(special.gammaincc(n + 1.0, x_load)))
        b_ = np.exp(np.minimum(log_b, 0.0))
        c = b_ / (1.0 - x_load / n * (1.0 - b_))
        sl = 1.0 - c * np.exp(-(n - x_load) * (threshold_s[r] / aht_s[r])[:, None])
        out[r] = (weight * sl).sum(axis=1)
    return out


def least_expected(expected: Expectation, caps: Expectation, target: np.ndarray, guess: np.ndarray):
    """Least ``n >= 1`` with ``expected(n) >= target`` and ``caps(n)``, and the expectations at ``n`` and ``n - 1``.

    Parameters
    ----------
    expected : callable
        ``expected(n, rows)``: the expected service level at ``n`` agents on the row indices ``rows``;
        increasing in ``n``.
    caps : callable
        ``caps(n, rows)``: the other targets met at ``n`` (monotone in ``n``).
    target : numpy.ndarray
        Service-level target per row.
    guess : numpy.ndarray of int
        Where the search starts (any value >= 1 gives the same answer).

    Returns
    -------
    (agents, at_agents, below) : numpy.ndarray (int64), numpy.ndarray, numpy.ndarray
        The answer, its expected service level and the expected service level at ``agents - 1``
        (NaN where ``agents`` is 1).

    Examples
    --------
    A service level of ``1 - 0.5**n``, target 0.9: four agents (0.9375), three give 0.875.

    >>> def sl(n, rows):
    ...     return 1.0 - 0.5 ** n
    >>> def always(n, rows):
    ...     return np.ones(n.shape, bool)
    >>> least_expected(sl, always, np.array([0.9]), np.array([9]))
    (array([4]), array([0.9375]), array([0.875]))
    """
    size = target.size
    at_met, at_fail = np.full(size, np.nan), np.full(size, np.nan)
    n_fail = np.zeros(size, dtype=np.int64)

    def met(n, rows):
        value = expected(n, rows)
        ok = (value >= target[rows]) & caps(n, rows)
        # the search only lowers its meeting end and raises its failing end, so the last values kept
        # are those at the answer and, when it was tried, at one below it
        at_met[rows[ok]] = value[ok]
        at_fail[rows[~ok]], n_fail[rows[~ok]] = value[~ok], n[~ok]
        return ok

    agents = smallest_integer(met, np.zeros(size, dtype=np.int64), np.maximum(guess, 1), unit_steps=UNIT_STEPS)
    below = np.where(n_fail == agents - 1, at_fail, np.nan)
    missing = np.flatnonzero(np.isnan(below) & (agents > 1))
    if missing.size:
        below[missing] = expected(agents[missing] - 1, missing)
    return agents, at_met, below
