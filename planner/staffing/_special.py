"""Special functions for the queueing formulas, accurate in double precision over the whole range.

Every Erlang quantity in this package reduces to two ingredients:

* the Poisson density at a real point, ``pois(x; mu) = mu**x e**-mu / Gamma(x + 1)``, and
* Kummer's function ``M(1; a + 1; z) = sum_m z**m / ((a + 1) ... (a + m))``,

because ``P(a, z) = pois(a; z) * M(1; a + 1; z)`` (regularised lower incomplete gamma) and the
Erlang B formula is ``B(x, A) = pois(x; A) / Q(x + 1, A)``. Naive forms (``A**N / N!``,
``exp(x log A - A - gammaln(x + 1))``) lose every digit or overflow at thousands of Erlangs; these
functions keep full relative precision up to ~1e11 and never overflow.

References
----------
C. Loader (2000), "Fast and accurate computation of binomial probabilities" (``bd0``, ``stirlerr``).
W. H. Press et al., *Numerical Recipes*, 3rd ed., section 6.2 (incomplete gamma continued fraction).
DLMF 13.4.1 (integral representation of Kummer's function).
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["log_poisson_density", "log_kummer_m1", "log_upper_gamma_scaled", "upper_gamma_cf"]

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_TINY = 1e-250  # below this scipy's incomplete gamma is too close to underflow to take its log
_LAGUERRE_NODES, _LAGUERRE_WEIGHTS = np.polynomial.laguerre.laggauss(60)


def _stirlerr(n: np.ndarray) -> np.ndarray:
    """``log Gamma(n + 1) - ((n + 0.5) log n - n + log sqrt(2 pi))`` for n >= 1 (Loader 2000)."""
    n = np.asarray(n, dtype=float)
    nn = n * n
    with np.errstate(divide="ignore", invalid="ignore"):
        series = (
            1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - (1 / 1188) / nn) / nn) / nn) / nn
        ) / n
        direct = special.gammaln(n + 1.0) - (n + 0.5) * np.log(n) + n - _LOG_SQRT_2PI
    return np.where(n > 15.0, series, direct)


def _bd0(x: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """``x log(x / mu) + mu - x`` without cancellation when x is close to mu (Loader 2000)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = x * np.log(x / mu) + mu - x
        v = (x - mu) / (x + mu)
        close = np.abs(x - mu) < 0.1 * (x + mu)
        s = (x - mu) * v
        term = 2.0 * x * v
        v2 = v * v
        for j in range(1, 12):  # |v| < 0.1: each term is 100 times smaller than the last
            term = term * v2
            s = s + term / (2 * j + 1)
    return np.where(close, s, direct)


def log_poisson_density(x, mu) -> np.ndarray:
    """Natural log of ``mu**x e**-mu / Gamma(x + 1)`` for real ``x >= 0`` and ``mu >= 0``.

    Full relative precision for large ``x`` and ``mu`` (Loader's saddle-point form); -inf where the
    density is zero (``mu == 0 < x``).
    """
    x, mu = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(mu, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        small = x * np.log(mu) - mu - special.gammaln(x + 1.0)
        small = np.where(x == 0, -mu, small)
        large = -_stirlerr(x) - _bd0(x, mu) - 0.5 * np.log(2.0 * np.pi * x)
    return np.where((x < 1.0) | (mu == 0), small, large)


def _log1p_plus(u: np.ndarray) -> np.ndarray:
    """``log(1 - u) + u`` for 0 <= u < 1, by its series where u is small (no cancellation)."""
    series = np.zeros_like(u)
    power = u * u
    for j in range(2, 30):
        series = series - power / j
        power = power * u
    with np.errstate(divide="ignore"):
        direct = np.log1p(-u) + u
    return np.where(u < 0.25, series, direct)


def _log_kummer_laplace(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``log M(1; a + 1; z)`` for ``a - 1 - z >> sqrt(a)`` by Gauss-Laguerre quadrature.

    ``M(1; a + 1; z) = a * integral_0^1 (1 - t)**(a - 1) e**(z t) dt`` (DLMF 13.4.1). With
    ``t = s / k``, ``k = a - 1 - z``, the integrand is ``e**-s`` times a factor that is smooth and
    nearly Gaussian with curvature ``(a - 1) / k**2`` (< 1/16 where this is used).
    """
    k = a - 1.0 - z
    s = _LAGUERRE_NODES[:, None] / k[None, :]
    log_factor = (a[None, :] - 1.0) * _log1p_plus(s)
    integral = np.sum(_LAGUERRE_WEIGHTS[:, None] * np.exp(log_factor), axis=0)
    return np.log(a) - np.log(k) + np.log(integral)


def log_kummer_m1(a, z) -> np.ndarray:
    """Natural log of Kummer's ``M(1; a + 1; z) = sum_{m>=0} z**m / ((a + 1) ... (a + m))``.

    Uses ``M = P(a, z) / pois(a; z)`` (scipy's regularised incomplete gamma), and, where ``P``
    loses digits or underflows (``z`` far below ``a``), a Laplace-type integral (Gauss-Laguerre).
    ``a > 0``, ``z >= 0``.
    """
    a, z = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(z, dtype=float))
    result = np.zeros(a.shape)
    positive = z > 0  # M(1; a + 1; 0) == 1
    # scipy's gammainc loses digits in the lower tail at large a (4e-6 at a = 1e6, k = 5 sqrt(a));
    # the quadrature is accurate to ~1e-15 once k > 4 sqrt(a), and needs k above its largest node.
    k = a - 1.0 - z
    far = positive & (k > 4.0 * np.sqrt(a)) & (k > 250.0)
    near = positive & ~far
    if near.any():
        with np.errstate(divide="ignore"):
            result[near] = np.log(special.gammainc(a[near], z[near])) - log_poisson_density(
                a[near], z[near]
            )
    if far.any():
        result[far] = _log_kummer_laplace(a[far], z[far])
    return result


def upper_gamma_cf(a, z) -> np.ndarray:
    """``Q(a, z) / (a * pois(a; z)) = Gamma(a, z) / (z**a e**-z)`` by the Legendre continued fraction.

    (Numerical Recipes 6.2.7.)

    Converges in a few terms when ``z`` is well above ``a + 1``; used where ``Q`` underflows.
    """
    a, z = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(z, dtype=float))
    fpmin = 1e-300
    b = z + 1.0 - a
    c = np.full(a.shape, 1.0 / fpmin)
    d = 1.0 / b
    h = d.copy()
    for i in range(1, 500):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < fpmin, fpmin, d)
        c = b + an / c
        c = np.where(np.abs(c) < fpmin, fpmin, c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1.0) < 1e-16):
            break
    return h


def log_upper_gamma_scaled(a, z) -> np.ndarray:
    """``log(Q(a, z) / pois(a; z))``: the upper tail relative to the density, for ``a > 0, z > 0``.

    Moderate in size (about ``log(z / (z - a))`` above the bulk), so differences of it keep their
    digits. The continued fraction is used from two bulk widths above ``a`` (where it is accurate
    to ~1e-15 and scipy's ``gammaincc`` drifts to ~1e-12), scipy below.
    """
    a, z = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(z, dtype=float))
    result = np.empty(a.shape)
    far = (z - a > 2.0 * np.sqrt(a)) & (z > a + 1.0)
    near = ~far
    with np.errstate(divide="ignore"):
        result[near] = np.log(special.gammaincc(a[near], z[near])) - log_poisson_density(
            a[near], z[near]
        )
    result[far] = np.log(a[far] * upper_gamma_cf(a[far], z[far]))
    return result
