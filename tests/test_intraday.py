"""The intraday update (planner.forecast.intraday): its limits and its Gaussian algebra.

References: the conditional of a Gaussian through the precision matrix (an identity independent of
the Schur-complement code path), and a seeded simulation whose coverage is judged with a binomial
confidence interval.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, stats

from planner.forecast.intraday import (
    ResidualModel,
    band_scale,
    conditional_gain,
    credibility_k,
    gaussian_update,
    log_residuals,
    ratio_update,
    residual_covariance,
)

P = 12
OBSERVED = np.arange(P) < 5


def test_zero_correlation_returns_the_prior():
    rng = np.random.default_rng(1)
    R = 0.1 * rng.standard_normal((300, P))
    model = residual_covariance(R, method="diagonal")
    f = rng.uniform(20, 200, P)
    y_obs = f[OBSERVED] * 1.3  # a hot morning
    point, lo, hi = gaussian_update(f[~OBSERVED], conditional_gain(model, OBSERVED),
                                    log_residuals(y_obs, f[OBSERVED]))
    assert_allclose(point, f[~OBSERVED], rtol=1e-12)
    assert (lo < point).all() and (point < hi).all()


def test_rank_one_covariance_is_the_ratio_method_up_to_the_log_transform():
    """A pure daily multiplier: every remaining slot moves by the mean observed log ratio."""
    sigma2 = 0.04
    model = ResidualModel(mean=np.zeros(P), cov=np.full((P, P), sigma2))  # singular: pinv path
    rng = np.random.default_rng(2)
    f = rng.uniform(20, 200, P)
    y = rng.uniform(20, 200, P)
    r = log_residuals(y[OBSERVED], f[OBSERVED])
    gain = conditional_gain(model, OBSERVED)
    delta, sd = gain.apply(r)
    assert_allclose(delta, np.full((~OBSERVED).sum(), r.mean()), rtol=1e-10)
    assert_allclose(sd, 0.0, atol=1e-6)  # the day's factor is known once any interval is seen
    # equal observed ratios on the (f + 1) scale: the update is exactly ratio-to-date there
    ratio = 1.25
    y_equal = (f[OBSERVED] + 1.0) * ratio - 1.0
    point, _, _ = gaussian_update(f[~OBSERVED], gain, log_residuals(y_equal, f[OBSERVED]))
    expected = ratio_update(f[~OBSERVED] + 1.0, y_equal + 1.0, f[OBSERVED] + 1.0) - 1.0
    assert_allclose(point, expected, rtol=1e-10)


@pytest.mark.parametrize("method", ["kernel", "factor", "shrink"])
def test_gain_matches_the_precision_matrix_form(method):
    rng = np.random.default_rng(3)
    R = 0.08 * rng.standard_normal((200, 1)) + 0.05 * rng.standard_normal((200, P)).cumsum(axis=1) / 3
    model = residual_covariance(R, method=method, factors=3)
    Q = np.linalg.inv(model.cov)
    u = ~OBSERVED
    Q_uu, Q_uo = Q[np.ix_(u, u)], Q[np.ix_(u, OBSERVED)]
    r_obs = rng.normal(0, 0.1, OBSERVED.sum())
    gain = conditional_gain(model, OBSERVED)
    delta, sd = gain.apply(r_obs)
    reference = -np.linalg.solve(Q_uu, Q_uo @ (r_obs - model.mean[OBSERVED]))
    assert_allclose(delta, reference, rtol=1e-8, atol=1e-12)
    assert_allclose(sd ** 2, np.diag(np.linalg.inv(Q_uu)), rtol=1e-8)
    # many days at once give the same columns
    both, _ = gain.apply(np.stack([r_obs, 2 * r_obs], axis=1))
    assert_allclose(both[:, 0], delta)


def test_updated_intervals_cover_at_their_level():
    """Days drawn from the fitted Gaussian: 80 % bands cover 80 % of the rest, within a 99 % binomial CI."""
    rng = np.random.default_rng(4)
    L = 0.1 * np.linspace(1.0, 0.5, P)[:, None]
    cov = L @ L.T + np.diag(np.full(P, 0.02 ** 2))
    train = rng.multivariate_normal(np.full(P, -0.01), cov, size=400)
    model = residual_covariance(train, method="factor", factors=1)
    test = rng.multivariate_normal(np.full(P, -0.01), cov, size=500)
    f = np.full(P, 100.0)
    y = (f + 1.0) * np.exp(test) - 1.0
    gain = conditional_gain(model, OBSERVED)
    _, lo, hi = gaussian_update(f[~OBSERVED][:, None], gain, log_residuals(y[:, OBSERVED], f[OBSERVED]).T)
    rest = y[:, ~OBSERVED].T
    hits = int(((lo <= rest) & (rest <= hi)).sum())
    low, high = stats.binomtest(hits, rest.size).proportion_ci(0.99)
    assert low - 0.02 <= 0.8 <= high + 0.02, (hits / rest.size, low, high)


def test_credibility_ratio_is_the_gamma_poisson_posterior():
    """k = 1/c: a gamma(1/c, c) day factor and Poisson counts; posterior mean by quadrature."""
    c, f_obs, y_obs = 0.01, 400.0, 460.0
    k = credibility_k(np.log1p(c))
    u = np.linspace(0.5, 1.8, 20001)
    post = stats.gamma.pdf(u, 1 / c, scale=c) * stats.poisson.pmf(int(y_obs), f_obs * u)
    reference = integrate.trapezoid(u * post, u) / integrate.trapezoid(post, u)
    assert_allclose(ratio_update([1.0], [y_obs], [f_obs], k=k)[0], reference, rtol=1e-6)


def test_kernel_recovers_a_day_effect_and_an_ar1_process():
    """Days simulated from a + b rho^|i-j| + d: the fitted covariance is within sampling error of it."""
    a, b, rho, d = 0.002, 0.004, 0.9, 0.002
    lag = np.abs(np.subtract.outer(np.arange(P), np.arange(P)))
    truth = a + b * rho ** lag + d * np.eye(P)  # equal variances: the correlation kernel is the covariance one
    R = np.random.default_rng(5).multivariate_normal(np.zeros(P), truth, size=4000)
    model = residual_covariance(R, method="kernel", shrinkage=1.0)
    assert_allclose(model.cov, truth, atol=6e-4)  # sd of a covariance from 4000 days ~ 1.5e-4


def test_band_scale_is_one_for_a_well_specified_model():
    """Days drawn from the kernel model itself: the calibrated multiplier stays near 1 at every cut."""
    lag = np.abs(np.subtract.outer(np.arange(P), np.arange(P)))
    truth = 0.002 + 0.004 * 0.9 ** lag + 0.002 * np.eye(P)
    R = np.random.default_rng(6).multivariate_normal(np.zeros(P), truth, size=400)
    scale = band_scale(R, days=100, step=3, method="kernel", shrinkage=1.0)
    assert scale.shape == (P + 1,)
    assert np.all(np.abs(scale - 1.0) < 0.12), scale.round(3)
