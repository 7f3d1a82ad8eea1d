"""The modified-offered-load recursion against independent computations of the same ODE."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from planner.errors import InputError
from planner.staffing.timevarying import modified_offered_load


def ode_by_small_steps(rate, aht, interval_s, gap_s, steps=4000):
    """Integrate m' = lambda - m / aht with an exact exponential step on a fine grid (independent)."""
    m, start, end, mean = 0.0, [], [], []
    for lam, h, gap in zip(rate, aht, gap_s):
        start.append(m)
        dt = interval_s / steps
        total = 0.0
        for _ in range(steps):
            decay = math.exp(-dt / h)
            total += lam * h * dt + (m - lam * h) * h * (1.0 - decay)  # exact over the sub-step
            m = lam * h + (m - lam * h) * decay
        end.append(m)
        mean.append(total / interval_s)
        m *= math.exp(-gap / h)
    return np.array(start), np.array(end), np.array(mean)


def test_matches_fine_grid_integration_with_ramps_and_gaps():
    rng = np.random.default_rng(7)
    rate = np.concatenate([np.linspace(0, 0.4, 12), rng.uniform(0.05, 0.4, 20), np.linspace(0.4, 0, 8)])
    aht = rng.uniform(120, 2400, rate.size)
    gap = np.where(np.arange(rate.size) == 20, 10 * 3600.0, 0.0)  # the channel closes overnight once
    start, end, mean = ode_by_small_steps(rate, aht, 900.0, gap)
    assert_allclose(modified_offered_load(rate, aht, interval_s=900.0, gap_s=gap, statistic="start"), start, rtol=1e-10, atol=1e-12)
    assert_allclose(modified_offered_load(rate, aht, interval_s=900.0, gap_s=gap), np.maximum(start, end), rtol=1e-10, atol=1e-12)
    assert_allclose(modified_offered_load(rate, aht, interval_s=900.0, gap_s=gap, statistic="mean"), mean, rtol=1e-10)


def test_constant_rate_fills_to_the_stationary_load():
    load = modified_offered_load(np.full(60, 0.2), 300.0, interval_s=900.0, statistic="start")
    t = 900.0 * np.arange(60)
    assert_allclose(load, 60.0 * (1 - np.exp(-t / 300.0)), rtol=1e-12)


def test_long_handle_times_lag_a_ramp_and_sipp_does_not():
    """On a steep ramp with 30-minute contacts the load in service trails lambda * aht."""
    rate = np.linspace(0.01, 0.5, 16)
    mol = modified_offered_load(rate, 1800.0, interval_s=900.0, statistic="start")
    assert (mol[1:] < rate[1:] * 1800.0).all()


def test_long_horizon_is_stable_and_vectorised():
    load = modified_offered_load(np.full(35040, 0.2), 1800.0, interval_s=900.0)
    assert np.isfinite(load).all() and load[-1] == pytest.approx(360.0, rel=1e-12)


@pytest.mark.parametrize("kwargs,message", [
    (dict(arrival_rate_per_s=[-1.0], aht_s=100.0), "arrival_rate_per_s: expected a finite number >= 0, got -1 at index 0"),
    (dict(arrival_rate_per_s=[1.0], aht_s=0.0), "aht_s: expected a finite number > 0, got 0"),
    (dict(arrival_rate_per_s=[[1.0]], aht_s=10.0), "arrival_rate_per_s: expected one channel's intervals as a 1-D sequence"),
    (dict(arrival_rate_per_s=[1.0], aht_s=10.0, statistic="median"), "statistic: expected 'max', 'mean' or 'start', got 'median'"),
])
def test_invalid_input(kwargs, message):
    kwargs.setdefault("interval_s", 900.0)
    with pytest.raises(InputError) as error:
        modified_offered_load(**kwargs)
    assert str(error.value) == message
