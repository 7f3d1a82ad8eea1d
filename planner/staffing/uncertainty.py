"""The forecast's uncertainty for staffing: a gamma arrival rate, its quantiles and expectations.

The forecast's counts are negative binomial: Poisson given a rate ``Lambda`` that is gamma with
mean ``m`` (the ``offered`` forecast) and shape ``k`` (the forecast's ``rate_shape``; Jongbloed &
Koole 2001). The staffing models already contain the Poisson noise, so the staffing rules of
:mod:`planner.staffing.rules` work with the rate, never with the count quantiles: in multiples of
the mean, ``X = Lambda / m`` is gamma with shape ``k`` and mean 1.

* The ``chance`` rule staffs to the ``q`` quantile of ``X`` (:func:`rate_quantile`); a service
  level that falls as the rate rises then meets its target with probability at least ``q``.
* The ``expected`` rule needs the service level expected over the rate, weighted by volume (the
  share of all contacts answered in time): ``E[X SL(X)] / E[X] = E[SL(X')]`` with ``X'`` the
  size-biased rate, gamma with shape ``k + 1`` and the same scale ``1 / k``
  (:func:`expected_value`).

Quadrature. The service level of a queue without abandonment is 0 once the load reaches the staff
(a kink at ``x* = N / A`` for Erlang C), and at large loads it falls from near 1 to near 0 over a
range of the rate much narrower than the rate's own spread. Gauss-Laguerre quadrature on the gamma
(``scipy.special.roots_genlaguerre``) integrates neither well: its error is 1e-3 to 1e-2 for
Erlang C at 100 Erlangs with a 10 % rate spread, whatever the number of nodes up to 64, and its
weights overflow (they sum to ``Gamma(k + 1)``) for shapes above 170, which day-ahead forecasts
have. So the expectation is taken on ``Y = log X'`` (a smooth, log-concave, bell-shaped density),
by Gauss-Legendre quadrature on ``[y_lo, min(y_hi, log x*)]``, where the density has fallen by
``exp(-24)`` from its mode at ``y_lo`` and ``y_hi``: the kink is an end point, not a point inside
the rule. With 24 nodes the expected Erlang C service level agrees with adaptive quadrature to
1e-5 for shapes from 2 (rate spread 71 %) and loads to 300 Erlangs at thresholds up to a quarter
of the AHT, and to 1e-8 for shapes of 100 and more; with a 1e5-draw Monte Carlo to 1e-4
(``tests/test_uncertainty.py``). Known limit: where the service level falls from 1 to 0 over a
sliver of the rate just below the kink (a threshold several times the AHT, or a load hundreds of
times the shape, e.g. 1,000 Erlangs at shape 2) the error reaches 2e-3 to 3e-3; a second panel
ending at the kink would remove it. Where the integrand is smooth over a narrow rate (the caller
says which rows: :func:`planner.staffing.rules.coarse_rows`), a coarse rule of
:data:`COARSE_NODES` nodes on a narrower domain does (within 1e-6, a third fewer evaluations).

References: G. Jongbloed and G. Koole (2001), "Managing uncertainty in call centres using Poisson
mixtures", Appl. Stoch. Models Bus. Ind. 17: 307-318; S. G. Steckley, S. G. Henderson and
V. Mehrotra (2009), "Forecast errors in service systems", Probab. Eng. Inf. Sci. 23(2): 305-332
(the expected service level, weighted by volume); N. Gans, H. Shen, Y.-P. Zhou, N. Korolev,
A. McCord and H. Ristock (2015), "Parametric forecasting and stochastic programming models for
call-center workforce scheduling", MSOM 17(4): 571-588.

Examples
--------
A rate known to within 10 % (shape 100): its 90 % quantile is 13 % above the mean, and the
expected value of a constant is that constant:

>>> import numpy as np
>>> round(float(rate_quantile(100.0, 0.9)), 4)
1.1301
>>> float(np.round(expected_value(lambda x, rows: 1.0 + 0.0 * x, np.array([100.0])), 12)[0])
1.0
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import special

from planner.errors import InputError
from planner.schema import RULES, check_rule

__all__ = ["RULES", "check_rule", "rule_label", "rate_quantile", "rate_probability", "expected_value",
           "rate_domain", "check_shapes", "NODES"]

#: Gauss-Legendre nodes of the expectation over the rate.
NODES = 24
#: The rule's ends: where the log-density has fallen this far below its mode (mass beyond ~1e-13).
_DROP = 24.0
#: The coarse rule, for integrands that vary slowly over the rate's narrow spread: fewer nodes on
#: a narrower domain (mass beyond ~1e-6, left out of the integral and its normaliser alike).
COARSE_NODES, _COARSE_DROP = 16, 12.0
#: Shapes above this are a known rate (the spread is below 1e-6 of the mean).
_KNOWN = 1e12

_T, _W = np.polynomial.legendre.leggauss(NODES)
_RULES = {False: (NODES, _DROP, _T, _W), True: (COARSE_NODES, _COARSE_DROP, *np.polynomial.legendre.leggauss(COARSE_NODES))}


def rule_label(rule: str, confidence: float | None = None) -> str:
    """Short name of a rule for tables: ``point``, ``expected``, ``chance 90%``.

    >>> rule_label("chance", 0.95), rule_label("expected")
    ('chance 95%', 'expected')
    """
    return f"chance {100 * confidence:g}%" if rule == "chance" else rule


def check_shapes(shape, where: str = "rate_shape") -> np.ndarray:
    """``rate_shape`` as floats; raise :class:`InputError` at the first that is missing or not > 0.

    ``inf`` (a known rate) is allowed. The message names the row and what to do.

    >>> check_shapes([100.0, np.inf]).tolist()
    [100.0, inf]
    """
    values = np.asarray(shape, dtype=float)
    bad = ~(values > 0)
    if bad.any():
        row = int(np.flatnonzero(bad.ravel())[0])
        raise InputError(f"{where}: row {row}: expected the gamma shape of the arrival rate (a number > 0, or inf "
                         f"for a known rate), got {values.ravel()[row]!r}; forecast with a model that gives it "
                         "(model = \"default\") or staff with staffing_rule = \"point\"")
    return values


def rate_quantile(shape, q) -> np.ndarray:
    """The ``q`` quantile of the arrival rate in multiples of its mean (gamma, shape ``k``, mean 1).

    Parameters
    ----------
    shape : array_like
        Gamma shape ``k`` of the rate [-], > 0; ``inf``: the rate is known (quantile 1).
    q : array_like
        Probability [-], in (0, 1).

    Examples
    --------
    >>> rate_quantile([4.0, np.inf], 0.5).round(4).tolist()
    [0.918, 1.0]
    """
    k = np.asarray(shape, dtype=float)
    q = np.asarray(q, dtype=float)
    known = k >= _KNOWN
    with np.errstate(invalid="ignore"):
        x = special.gammaincinv(np.where(known, 1.0, k), q) / np.where(known, 1.0, k)
    return np.where(known, 1.0, x)


def rate_probability(shape, x) -> np.ndarray:
    """``P(X <= x)`` for the rate ``X`` in multiples of its mean (gamma, shape ``k``, mean 1).

    Parameters
    ----------
    shape : array_like
        Gamma shape ``k`` [-], > 0; ``inf``: ``X = 1``.
    x : array_like
        Multiple of the mean rate [-], >= 0.

    Examples
    --------
    >>> rate_probability([100.0, np.inf, np.inf], [1.1301, 0.99, 1.0]).round(3).tolist()
    [0.9, 0.0, 1.0]
    """
    k, x = np.broadcast_arrays(np.asarray(shape, dtype=float), np.asarray(x, dtype=float))
    known = k >= _KNOWN
    out = np.where(x >= 1.0, 1.0, 0.0)
    finite = ~known
    out[finite] = special.gammainc(k[finite], k[finite] * x[finite])
    return out


def _log_density(y: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Log-density of ``Y = log X'`` (``X'`` gamma, shape ``k + 1``, rate ``k``) less its value at the mode."""
    mode = np.log1p(1.0 / k)
    return (k + 1.0) * (y - mode) - (k + 1.0) * np.expm1(y - mode)


def _ends(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both roots ``d`` of ``expm1(d) - d = c`` (``c > 0``): the left one below 0, the right one above.

    ``expm1(d) - d`` is convex with its minimum 0 at ``d = 0``, so Newton's iteration converges to
    each root monotonically after its first step. It starts from bounds that hold for every ``c``
    (``-sqrt(2c)`` is right of the left root; ``min(sqrt(2c), log(1 + c + sqrt(2c)))`` is right of
    the right one) and runs to machine precision (vectorised; ~6 steps).

    >>> left, right = _ends(np.array([0.01, 8.0]))
    >>> bool(np.allclose(np.expm1(left) - left, [0.01, 8.0], rtol=1e-14))
    True
    >>> bool(np.allclose(np.expm1(right) - right, [0.01, 8.0], rtol=1e-14)), bool((left < 0).all() and (right > 0).all())
    (True, True)
    """
    root = np.sqrt(2.0 * c)
    left, right = -root, np.minimum(root, np.log1p(c + root))
    for _ in range(100):
        step_left = (np.expm1(left) - left - c) / np.expm1(left)
        step_right = (np.expm1(right) - right - c) / np.expm1(right)
        left, right = left - step_left, right - step_right
        # y = mode + d is of order 1: 1e-15 absolute is its last digits (expm1(d) - d loses them at tiny c)
        if (np.abs(step_left) <= 1e-15 + 1e-14 * np.abs(left)).all() and (np.abs(step_right) <= 1e-15 + 1e-14 * right).all():
            break
    return left, right


def _domain(k: np.ndarray, coarse: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(y_lo, y_hi, norm)`` per shape: the rule's ends and the integral of the density between them.

    The ends are where the log-density ``(k + 1)(d - expm1(d))``, ``d = y - mode``, has fallen by
    the rule's drop: the roots of ``expm1(d) - d = drop / (k + 1)`` (:func:`_ends`, closed-form
    Newton; no root search over the density).
    """
    _, drop, t, w = _RULES[coarse]
    mode = np.log1p(1.0 / k)
    left, right = _ends(drop / (k + 1.0))
    lo, hi = mode + left, mode + right
    y = lo[:, None] + (hi - lo)[:, None] * (1.0 + t) / 2.0
    norm = (hi - lo) / 2.0 * (w * np.exp(_log_density(y, k[:, None]))).sum(axis=1)
    return lo, hi, norm


def _coarse_mask(coarse, size: int) -> np.ndarray:
    return np.zeros(size, bool) if coarse is None else np.broadcast_to(np.asarray(coarse, bool), (size,))


def rate_domain(shape, coarse=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The quadrature's ends and normaliser per row, to pass to :func:`expected_value` when it is called often.

    ``coarse``: the rows integrated by the coarse rule (as in :func:`expected_value`).

    >>> lo, hi, norm = rate_domain(np.array([100.0, 100.0]), coarse=[False, True])
    >>> bool(lo[0] < lo[1] < np.log1p(1 / 100) < hi[1] < hi[0])
    True
    """
    k = np.asarray(shape, dtype=float).ravel()
    coarse = _coarse_mask(coarse, k.size)
    out = np.full((3, k.size), np.nan)
    for rule in (False, True):
        rows = (k < _KNOWN) & (coarse == rule)
        if rows.any():
            unique, index = np.unique(k[rows], return_inverse=True)
            out[:, rows] = [v[index] for v in _domain(unique, rule)]
    return out[0], out[1], out[2]


Integrand = Callable[[np.ndarray, np.ndarray], np.ndarray]


def expected_value(g: Integrand, shape, kink=None, domain=None, coarse=None) -> np.ndarray:
    """``E[g(X')]`` per row for the size-biased gamma rate ``X'``: the volume-weighted mean of ``g``.

    Parameters
    ----------
    g : callable
        ``g(x, rows)``: the function at multiples ``x`` of the mean rate for rows ``rows`` (flat
        arrays of one length); vectorised, e.g. a service level at fixed staff.
    shape : array_like, shape (n,)
        Gamma shape ``k`` of each row's rate [-], > 0; ``inf`` gives ``g(1)``.
    kink : array_like, shape (n,), optional
        Multiple of the mean rate from which ``g`` is 0 (an unstable queue); the rule ends there.
    domain : tuple of numpy.ndarray, optional
        :func:`rate_domain` of ``shape`` (and ``coarse``), when it is already known (it costs a root search).
    coarse : array_like of bool, shape (n,), optional
        Rows whose ``g`` varies slowly over the rate's spread, integrated with :data:`COARSE_NODES`
        nodes (the caller vouches; :func:`planner.staffing.rules.coarse_rows` says which).

    Returns
    -------
    numpy.ndarray, shape (n,)
        ``E[X g(X)] / E[X]`` for ``X`` gamma with shape ``k`` and mean 1.

    Examples
    --------
    ``E[X'] = (k + 1) / k`` and ``E[X' 1{X' < 1}]`` against the incomplete gamma function:

    >>> k = np.array([3.0, 50.0])
    >>> bool(np.allclose(expected_value(lambda x, rows: x, k), (k + 1) / k, rtol=1e-5))
    True
    >>> got = expected_value(lambda x, rows: x, k, kink=np.ones(2))
    >>> bool(np.allclose(got, (k + 1) / k * special.gammainc(k + 2, k), rtol=1e-5))
    True
    """
    k = np.asarray(shape, dtype=float).ravel()
    kink = np.full(k.size, np.inf) if kink is None else np.asarray(kink, dtype=float).ravel()
    out = np.zeros(k.size)
    known = k >= _KNOWN
    rows = np.flatnonzero(known & (kink > 1.0))
    if rows.size:
        out[rows] = g(np.ones(rows.size), rows)
    rows = np.flatnonzero(~known)
    if not rows.size:
        return out
    coarse = _coarse_mask(coarse, k.size)
    lo, hi, norm = (v[rows] for v in (rate_domain(k, coarse) if domain is None else domain))
    with np.errstate(divide="ignore"):
        top = np.minimum(hi, np.log(kink[rows]))
    live = top > lo
    for rule in (False, True):  # two vectorised passes, one per rule
        nodes, _, t, w = _RULES[rule]
        part = live & (coarse[rows] == rule)
        if not part.any():
            continue
        r, a, b = rows[part], lo[part], top[part]
        y = a[:, None] + (b - a)[:, None] * (1.0 + t) / 2.0
        weight = (b - a)[:, None] / 2.0 * w * np.exp(_log_density(y, k[r][:, None])) / norm[part][:, None]
        values = g(np.exp(y).ravel(), np.repeat(r, nodes)).reshape(y.shape)
        out[r] = (weight * values).sum(axis=1)
    return out
