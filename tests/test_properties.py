"""Property tests (hypothesis) for the staffing models, the argument parsers and the calculator.

These check laws that hold for every input: probabilities stay in [0, 1], service level rises and
waiting falls with agents, required agents are the least that meet every target, Erlang A tends to
Erlang C as patience grows, bad input raises ``InputError`` naming the argument. Exact values
against high-precision references are in ``test_reference.py``.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import signal
import warnings

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from planner.errors import InputError
from planner.schema import parse_duration_s, parse_target
from planner.staffing import erlang, erlang_a
from planner.staffing.calculator import calculate, gross_agents

# --- strategies: the ranges a contact center meets ------------------------------------------

loads = st.floats(min_value=0.05, max_value=3000.0, allow_nan=False, allow_infinity=False)
ahts = st.floats(min_value=10.0, max_value=3600.0)
thresholds = st.floats(min_value=0.0, max_value=300.0)
patiences = st.floats(min_value=5.0, max_value=3600.0)
targets = st.floats(min_value=0.05, max_value=0.99)
occupancy_caps = st.one_of(st.just(1.0), st.floats(min_value=0.5, max_value=1.0))
shrinkages = st.floats(min_value=0.0, max_value=0.6)

FAST = settings(max_examples=100, deadline=None)
SLOW = settings(max_examples=60, deadline=None)


def stable_agents(load: float, extra: float = 6.0) -> np.ndarray:
    """Every integer N with load < N <= load + extra sqrt(load) + 10 (SL goes from ~0 to ~1)."""
    first = math.floor(load) + 1
    last = math.ceil(load + extra * math.sqrt(load) + 10.0)
    return np.arange(first, last + 1, dtype=float)


def agents_around(load: float, points: int = 40) -> np.ndarray:
    """About ``points`` integer staff levels from 1 to well past the load (below it too)."""
    hi = math.ceil(1.5 * load + 6.0 * math.sqrt(load) + 10.0)
    return np.unique(np.round(np.linspace(1.0, hi, points)))


# --- Erlang C -----------------------------------------------------------------------------


@FAST
@given(load=loads, aht=ahts, threshold=thresholds)
def test_erlang_c_outputs_are_probabilities(load, aht, threshold):
    agents = np.linspace(0.0, 2.0 * load + 20.0, 61)  # fractional, below and above the load
    for name, values in {
        "erlang_b": erlang.erlang_b(agents, load),
        "erlang_c": erlang.erlang_c(agents, load),
        "service_level": erlang.service_level(agents, load, aht, threshold),
        "occupancy": erlang.occupancy(agents, load),
    }.items():
        assert np.all((values >= 0.0) & (values <= 1.0)), name
    wait = erlang.asa(agents, load, aht)
    assert not np.isnan(wait).any()
    assert np.all(wait >= 0.0)


@FAST
@given(load=loads, aht=ahts, threshold=thresholds)
def test_service_level_rises_and_waiting_falls_with_agents(load, aht, threshold):
    agents = stable_agents(load)
    sl = erlang.service_level(agents, load, aht, threshold)
    assert np.all(np.diff(sl) >= 0.0)
    assert np.all(np.diff(erlang.asa(agents, load, aht)) <= 0.0)
    assert np.all(np.diff(erlang.erlang_c(agents, load)) <= 0.0)
    assert np.all(np.diff(erlang.erlang_b(agents, load)) <= 0.0)
    # Far above the load nearly every contact is answered at once.
    assert sl[-1] > 0.99


@FAST
@given(load=loads, start=st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1.0)))
def test_fractional_erlang_b_decreases_on_a_fine_grid(load, start):
    """Jagerman's continuous Erlang B is decreasing in the (real) number of agents."""
    top = load + 8.0 * math.sqrt(load) + 10.0
    x = np.linspace(start, top, 4001)  # steps of ~0.001 to ~1 agent, across every branch
    b = erlang.erlang_b(x, load)
    assert np.all((b > 0.0) & (b <= 1.0))
    assert np.all(np.diff(b) <= 0.0)
    assert erlang.erlang_b(0.0, load) == 1.0  # nobody to serve: every contact is blocked


@pytest.mark.parametrize(
    ("agents", "load"), [(6.250747808979538e-13, 129.40027019997206), (1e-20, 1000.0)]
)
def test_erlang_b_never_exceeds_one_near_zero_agents(agents, load):
    assert erlang.erlang_b(agents, load) <= 1.0


@FAST
@given(load=loads, share=st.floats(min_value=0.0, max_value=1.0), aht=ahts, threshold=thresholds)
def test_unstable_staffing_gives_zero_service_level_and_infinite_asa(load, share, aht, threshold):
    for agents in (share * load, float(math.floor(load))):  # N <= A, fractional and whole
        assert erlang.erlang_c(agents, load) == 1.0
        assert erlang.service_level(agents, load, aht, threshold) == 0.0
        assert erlang.asa(agents, load, aht) == math.inf
        m = erlang.metrics(agents, load, aht, threshold)
        assert (m["p_wait"], m["service_level"], m["asa_s"]) == (1.0, 0.0, math.inf)
    # A whole number of agents equal to the load is still unstable.
    whole = float(max(1, round(load)))
    assert erlang.service_level(whole, whole, aht, threshold) == 0.0
    assert erlang.asa(whole, whole, aht) == math.inf


@pytest.mark.parametrize(
    "call",
    [lambda: erlang.metrics(1, 3000.0, 10.0, 300.0), lambda: erlang.occupancy(1e-308, 10.0)],
    ids=["metrics", "occupancy"],
)
def test_unstable_staffing_warns_nothing(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        call()


@FAST
@given(load=loads, aht=ahts, target=targets, threshold=thresholds, cap=occupancy_caps)
def test_required_agents_is_the_least_meeting_every_target(load, aht, target, threshold, cap):
    options = {"target_service_level": target, "threshold_s": threshold, "max_occupancy": cap}
    n = erlang.required_agents(load, aht, **options)
    assert isinstance(n, int)
    assert n > load
    assert erlang.service_level(n, load, aht, threshold) >= target
    assert erlang.occupancy(n, load) <= cap
    fewer = n - 1
    assert (
        fewer <= load
        or erlang.service_level(fewer, load, aht, threshold) < target
        or erlang.occupancy(fewer, load) > cap
    )


@FAST
@given(
    load_pair=st.lists(loads, min_size=2, max_size=2),
    target_pair=st.lists(targets, min_size=2, max_size=2),
    aht=ahts,
    threshold=thresholds,
    cap=occupancy_caps,
)
def test_required_agents_rise_with_load_and_target(load_pair, target_pair, aht, threshold, cap):
    low_load, high_load = sorted(load_pair)
    low_target, high_target = sorted(target_pair)
    options = {"threshold_s": threshold, "max_occupancy": cap}
    for target in (low_target, high_target):
        assert erlang.required_agents(low_load, aht, target_service_level=target, **options) <= (
            erlang.required_agents(high_load, aht, target_service_level=target, **options)
        )
    for load in (low_load, high_load):
        assert erlang.required_agents(load, aht, target_service_level=low_target, **options) <= (
            erlang.required_agents(load, aht, target_service_level=high_target, **options)
        )


@FAST
@given(
    load=st.lists(loads, min_size=1, max_size=6),
    aht=ahts,
    target=targets,
    threshold=thresholds,
    cap=occupancy_caps,
)
def test_requirement_matches_required_agents_and_metrics(load, aht, target, threshold, cap):
    load = np.array(load)
    options = {"target_service_level": target, "threshold_s": threshold, "max_occupancy": cap}
    r = erlang.requirement(load, aht, **options)
    np.testing.assert_array_equal(r["agents"], erlang.required_agents(load, aht, **options))
    m = erlang.metrics(r["agents"], load, aht, threshold)
    assert set(r) == {"agents", *m}
    for key, value in m.items():
        assert_allclose(r[key], value, rtol=1e-12, err_msg=key)


def test_zero_load_metrics_agree_with_requirement():
    r = erlang.requirement(0.0, 180.0, target_service_level=0.8, threshold_s=20.0)
    m = erlang.metrics(r["agents"], 0.0, 180.0, 20.0)
    assert r["agents"] == 0
    for key, value in m.items():
        assert value == r[key], key


@FAST
@given(load=loads, aht=ahts, target=targets, threshold=thresholds, cap=occupancy_caps)
def test_fractional_agents_solve_the_target_within_the_last_agent(load, aht, target, threshold, cap):
    options = {"target_service_level": target, "threshold_s": threshold, "max_occupancy": cap}
    x = float(erlang.fractional_agents(load, aht, **options))
    n = erlang.required_agents(load, aht, **options)
    assert n - 1 < x <= n
    assert x >= load / cap * (1 - 1e-12)
    if x > load / cap + 1e-9:  # the service-level target binds, not the occupancy cap
        # x is the root of SL(x) = target to 1e-9 max(1, x) (the solver's bracket: 1e-10 that).
        step = 1e-9 * max(1.0, x)
        assert erlang.service_level(x - step, load, aht, threshold) <= target
        assert erlang.service_level(x + step, load, aht, threshold) >= target


@pytest.mark.parametrize(
    ("load", "aht", "target", "threshold"),
    [
        (264.0, 10.0, 0.5, 0.0),
        (2690.7401834567963, 19.74361434923804, 0.24379246226808826, 273.5453859123423),
    ],
)
def test_fractional_agents_meet_the_target_to_1e_9(load, aht, target, threshold):
    x = erlang.fractional_agents(load, aht, target_service_level=target, threshold_s=threshold)
    assert abs(erlang.service_level(x, load, aht, threshold) - target) <= 1e-9


@settings(max_examples=10, deadline=None)
@given(
    load=st.lists(loads, min_size=3, max_size=3),
    extra=st.lists(st.floats(min_value=-0.7, max_value=3.0), min_size=4, max_size=4),
    aht=ahts,
    threshold=thresholds,
    patience=patiences,
    target=targets,
)
def test_vector_results_equal_scalar_results(load, extra, aht, threshold, patience, target):
    """A (3, 1) column of loads against a (1, 4) row of agents, AHTs and targets gives (3, 4)
    results equal, element by element, to one scalar call per interval."""
    loads_col = np.array(load).reshape(3, 1)
    # Agents from below the largest load (unstable) to well above it, fractional too.
    top = max(load)
    agents_row = np.round(top * (1.0 + np.array(extra)) + 1.0, 1).reshape(1, 4)
    ahts_row = np.array([aht, 0.5 * aht + 5.0, aht, 2.0 * aht]).reshape(1, 4)
    targets_row = np.array([target, 0.5, 0.8, 0.95]).reshape(1, 4)

    def erlang_a_all(n, a, h, g):
        r = erlang_a.erlang_a(n, a, h, patience, threshold)
        return np.stack([r.p_wait, r.p_abandon, r.service_level, r.asa_s, r.occupancy], axis=-1)

    cases = {
        "erlang_b": (lambda n, a, h, g: erlang.erlang_b(n, a)),
        "erlang_c": (lambda n, a, h, g: erlang.erlang_c(n, a)),
        "service_level": (lambda n, a, h, g: erlang.service_level(n, a, h, threshold)),
        "asa": (lambda n, a, h, g: erlang.asa(n, a, h)),
        "occupancy": (lambda n, a, h, g: erlang.occupancy(n, a)),
        "metrics": (
            lambda n, a, h, g: np.stack(list(erlang.metrics(n, a, h, threshold).values()), axis=-1)
        ),
        "required_agents": (
            lambda n, a, h, g: erlang.required_agents(
                a, h, target_service_level=g, threshold_s=threshold
            )
        ),
        "fractional_agents": (
            lambda n, a, h, g: erlang.fractional_agents(
                a, h, target_service_level=g, threshold_s=threshold
            )
        ),
        "erlang_a": erlang_a_all,
        "erlang_a.required_agents": (
            lambda n, a, h, g: erlang_a.required_agents(
                a, h, patience_s=patience, target_service_level=g, threshold_s=threshold
            )
        ),
    }
    for name, f in cases.items():
        grid = np.asarray(f(agents_row, loads_col, ahts_row, targets_row))
        assert grid.shape[:2] == (3, 4), name
        for i in range(3):
            for j in range(4):
                one = np.asarray(f(agents_row[0, j], load[i], ahts_row[0, j], targets_row[0, j]))
                assert one.shape == grid.shape[2:], name
                # rtol, not equality: iterative kernels (continued fractions, quadrature) stop
                # when the whole batch has converged, and SIMD and scalar exp/log differ in the
                # last bit, which cancellation in tiny probabilities (~1e-200) magnifies.
                assert_allclose(grid[i, j], one, rtol=1e-12, atol=1e-15, err_msg=f"{name}[{i}, {j}]")


# --- Erlang A -----------------------------------------------------------------------------


@SLOW
@given(load=loads, aht=ahts, patience=patiences, threshold=thresholds)
def test_erlang_a_outputs_are_consistent_probabilities(load, aht, patience, threshold):
    agents = agents_around(load)  # 1 .. well above the load, including overloaded staffing
    r = erlang_a.erlang_a(agents, load, aht, patience, threshold)
    for name in ("p_wait", "p_abandon", "service_level", "occupancy"):
        values = getattr(r, name)
        assert values.shape == agents.shape, name
        assert np.all((values >= 0.0) & (values <= 1.0)), name  # also false for NaN
    assert np.all(r.asa_s >= 0.0)
    assert np.all(r.p_abandon <= r.p_wait)
    # Abandoned contacts are never answered, so cannot count towards the service level.
    assert np.all(r.service_level <= 1.0 - r.p_abandon + 1e-15)


@SLOW
@given(load=loads, aht=ahts, patience=patiences, threshold=thresholds)
def test_erlang_a_improves_with_agents(load, aht, patience, threshold):
    agents = agents_around(load)
    r = erlang_a.erlang_a(agents, load, aht, patience, threshold)
    # Service level is a sum of two terms once it is ~1: allow one rounding step there.
    assert np.all(np.diff(r.service_level) >= -1e-15)
    assert np.all(np.diff(r.p_abandon) <= 0.0)
    assert np.all(np.diff(r.p_wait) <= 0.0)


# Regression: erlang_a returned NaN (1) where Erlang B underflows (N far above A: no_wait was
# inf / inf) and (2) where scipy's P(a, z) underflows (light load, long patience: log 0).
@example(agents=300.0, load=1.0, aht=180.0, patience=10.0, threshold=20.0)  # cause (1)
@example(agents=20.0, load=0.1, aht=300.0, patience=3000.0, threshold=20.0)  # cause (2)
@example(agents=12.0, load=0.05078125, aht=10.0, patience=132.0, threshold=0.0)
@SLOW
@given(
    agents=st.integers(min_value=1, max_value=6000).map(float),
    load=loads,
    aht=ahts,
    patience=patiences,
    threshold=thresholds,
)
def test_erlang_a_is_never_nan(agents, load, aht, patience, threshold):
    r = erlang_a.erlang_a(agents, load, aht, patience, threshold)
    for name in ("p_wait", "p_abandon", "service_level", "asa_s", "occupancy"):
        assert not np.isnan(getattr(r, name)), name


def test_erlang_a_with_nobody_to_answer():
    r = erlang_a.erlang_a(0, 10.0, 180.0, 120.0, 20.0)
    assert (r.p_wait, r.p_abandon, r.service_level, r.occupancy) == (1.0, 1.0, 0.0, 0.0)


@SLOW
@given(load=loads, extra=st.integers(min_value=0, max_value=60), aht=ahts, threshold=thresholds)
def test_erlang_a_tends_to_erlang_c_as_patience_grows(load, extra, aht, threshold):
    """At patience = 1e8 x AHT Erlang A agrees with Erlang C.

    The gap closes like ``N aht / ((N - A)**2 patience)`` (abandonment shifts the effective
    surplus ``N - A`` by about ``E[queue] aht / patience``), so it is not uniform as N -> A. With
    ``N - A >= sqrt(A + 1) / 10`` the modelling gap is below ~1e-6 and the tolerances test the
    numerics. Near-critical staffing is covered by the next test.
    """
    agents = float(math.floor(load + 0.1 * math.sqrt(load + 1.0)) + 1 + extra)
    r = erlang_a.erlang_a(agents, load, aht, 1e8 * aht, threshold)
    assert abs(r.p_wait - erlang.erlang_c(agents, load)) <= 1e-5
    assert abs(r.service_level - erlang.service_level(agents, load, aht, threshold)) <= 1e-5
    assert_allclose(r.asa_s, erlang.asa(agents, load, aht), rtol=1e-4)
    assert r.p_abandon <= 1e-5


def test_erlang_a_converges_like_one_over_patience_near_critical_load():
    """Near N = A convergence to Erlang C is slow but steady: 10x the patience, 1/10 the gap."""
    agents, load, aht, threshold = 1931.0, 1930.5752262145193, 35.744580088142435, 119.8055655263531
    c_sl = erlang.service_level(agents, load, aht, threshold)
    c_pw = erlang.erlang_c(agents, load)
    gaps = []
    for ratio in (1e6, 1e7, 1e8):
        r = erlang_a.erlang_a(agents, load, aht, ratio * aht, threshold)
        gaps.append((abs(r.service_level - c_sl), abs(r.p_wait - c_pw)))
    for (sl_before, pw_before), (sl_after, pw_after) in itertools.pairwise(gaps):
        assert 7.0 < sl_before / sl_after < 13.0
        assert 7.0 < pw_before / pw_after < 13.0


@FAST
@given(load=loads, aht=ahts, threshold=thresholds)
def test_erlang_a_with_infinite_patience_is_erlang_c(load, aht, threshold):
    agents = agents_around(load)  # below and above the load
    r = erlang_a.erlang_a(agents, load, aht, math.inf, threshold)
    assert_allclose(r.p_wait, erlang.erlang_c(agents, load), rtol=1e-14, atol=0)
    c_sl = erlang.service_level(agents, load, aht, threshold)
    assert_allclose(r.service_level, c_sl, rtol=1e-14, atol=0)
    assert_allclose(r.asa_s, erlang.asa(agents, load, aht), rtol=1e-14, atol=0)
    assert_allclose(r.occupancy, erlang.occupancy(agents, load), rtol=1e-14, atol=0)
    assert np.all(r.p_abandon == 0.0)


@SLOW
@given(
    load=loads,
    aht=ahts,
    patience=patiences,
    target=targets,
    threshold=thresholds,
    cap=occupancy_caps,
    max_abandon=st.one_of(st.none(), st.floats(min_value=0.01, max_value=0.5)),
)
def test_erlang_a_required_agents_is_the_least_meeting_every_target(
    load, aht, patience, target, threshold, cap, max_abandon
):
    n = erlang_a.required_agents(
        load,
        aht,
        patience_s=patience,
        target_service_level=target,
        threshold_s=threshold,
        max_occupancy=cap,
        max_abandon_rate=max_abandon,
    )
    assert isinstance(n, int) and n >= 1
    limit = math.inf if max_abandon is None else max_abandon

    def meets(agents):
        r = erlang_a.erlang_a(agents, load, aht, patience, threshold)
        return bool(r.service_level >= target and r.occupancy <= cap and r.p_abandon <= limit)

    assert meets(n)
    assert n == 1 or not meets(n - 1)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise TimeoutError in the main thread after ``seconds`` (for a search that may not end)."""

    def expire(signum, frame):
        raise TimeoutError(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
def test_erlang_a_required_agents_with_a_low_occupancy_cap_returns():
    """Regression: the search galloped past the answer into NaN service levels and never ended."""
    load, aht, patience, target, threshold, cap = 3000.0, 3600.0, 5.0, 0.18, 0.0, 0.5
    with time_limit(3.0):  # the answer takes milliseconds
        n = erlang_a.required_agents(
            load,
            aht,
            patience_s=patience,
            target_service_level=target,
            threshold_s=threshold,
            max_occupancy=cap,
        )
    r = erlang_a.erlang_a(n, load, aht, patience, threshold)
    assert r.service_level >= target and r.occupancy <= cap
    assert erlang_a.erlang_a(n - 1, load, aht, patience, threshold).occupancy > cap


@FAST
@given(load=loads, aht=ahts, target=targets, threshold=thresholds, cap=occupancy_caps)
def test_erlang_a_required_agents_with_infinite_patience_is_erlang_c(load, aht, target, threshold, cap):
    options = {"target_service_level": target, "threshold_s": threshold, "max_occupancy": cap}
    assert erlang_a.required_agents(load, aht, patience_s=math.inf, **options) == (
        erlang.required_agents(load, aht, **options)
    )


@SLOW
@given(
    load=loads,
    aht=ahts,
    patience=patiences,
    target_pair=st.lists(targets, min_size=2, max_size=2),
    threshold=thresholds,
)
def test_erlang_a_required_agents_rise_with_target(load, aht, patience, target_pair, threshold):
    low, high = sorted(target_pair)
    options = {"patience_s": patience, "threshold_s": threshold}
    assert erlang_a.required_agents(load, aht, target_service_level=low, **options) <= (
        erlang_a.required_agents(load, aht, target_service_level=high, **options)
    )


@SLOW
@given(
    load=loads,
    aht=ahts,
    patience=patiences,
    target=targets,
    threshold=thresholds,
)
def test_erlang_a_needs_no_more_agents_than_erlang_c_where_erlang_c_staffing_meets_its_target(
    load, aht, patience, target, threshold
):
    """Erlang A needs at most Erlang C's agents whenever those agents meet the target under
    Erlang A. Not always so: abandoned contacts count as not answered, see the next test."""
    options = {"target_service_level": target, "threshold_s": threshold}
    n_c = erlang.required_agents(load, aht, **options)
    n_a = erlang_a.required_agents(load, aht, patience_s=patience, **options)
    at_c = erlang_a.erlang_a(n_c, load, aht, patience, threshold)
    assume(at_c.service_level >= target)
    assert n_a <= n_c


def test_erlang_a_can_need_more_agents_than_erlang_c_when_callers_abandon_before_the_threshold():
    """Patience 5 s, threshold 300 s: most callers who wait abandon before 300 s and count as
    not answered, so Erlang C's 13 agents give an Erlang A service level far below 99%."""
    load, aht, patience, threshold, target = 10.0, 180.0, 5.0, 300.0, 0.99
    n_c = erlang.required_agents(load, aht, target_service_level=target, threshold_s=threshold)
    n_a = erlang_a.required_agents(
        load, aht, patience_s=patience, target_service_level=target, threshold_s=threshold
    )
    assert erlang.service_level(n_c, load, aht, threshold) >= target
    assert erlang_a.erlang_a(n_c, load, aht, patience, threshold).service_level < target
    assert n_a > n_c
    assert erlang_a.erlang_a(n_a, load, aht, patience, threshold).service_level >= target


def test_erlang_a_requirement_can_be_below_the_load():
    """With 30 s patience and a 50/20 target, abandonment lets fewer agents than Erlangs suffice."""
    load, aht, patience, target, threshold = 100.0, 300.0, 30.0, 0.5, 20.0
    n = erlang_a.required_agents(
        load, aht, patience_s=patience, target_service_level=target, threshold_s=threshold
    )
    assert n < load
    at_n = erlang_a.erlang_a(n, load, aht, patience, threshold)
    below = erlang_a.erlang_a(n - 1, load, aht, patience, threshold)
    assert at_n.service_level >= target > below.service_level
    assert 0.0 < at_n.p_abandon < 1.0
    assert erlang.service_level(n, load, aht, threshold) == 0.0  # Erlang C: unstable


# --- invalid input ------------------------------------------------------------------------

VALID = {"agents": 14, "load_erlangs": 10.0, "aht_s": 180.0, "threshold_s": 20.0, "patience_s": 120.0}
TARGETS = {"target_service_level": 0.8, "threshold_s": 20.0, "max_occupancy": 0.9}

FUNCTIONS = {
    "erlang_b": (erlang.erlang_b, ["agents", "load_erlangs"], {}),
    "erlang_c": (erlang.erlang_c, ["agents", "load_erlangs"], {}),
    "service_level": (erlang.service_level, ["agents", "load_erlangs", "aht_s", "threshold_s"], {}),
    "asa": (erlang.asa, ["agents", "load_erlangs", "aht_s"], {}),
    "occupancy": (erlang.occupancy, ["agents", "load_erlangs"], {}),
    "metrics": (erlang.metrics, ["agents", "load_erlangs", "aht_s", "threshold_s"], {}),
    "required_agents": (erlang.required_agents, ["load_erlangs", "aht_s"], TARGETS),
    "requirement": (erlang.requirement, ["load_erlangs", "aht_s"], TARGETS),
    "fractional_agents": (erlang.fractional_agents, ["load_erlangs", "aht_s"], TARGETS),
    "erlang_a": (
        erlang_a.erlang_a,
        ["agents", "load_erlangs", "aht_s", "patience_s", "threshold_s"],
        {},
    ),
    "erlang_a.required_agents": (
        erlang_a.required_agents,
        ["load_erlangs", "aht_s"],
        dict(TARGETS, patience_s=120.0, max_abandon_rate=0.1),
    ),
}

BAD_VALUES = {
    "agents": [-1.0, math.nan],
    "load_erlangs": [-0.5, math.nan],
    "aht_s": [0.0, -180.0, math.nan],
    "threshold_s": [-1.0, math.nan],
    "patience_s": [0.0, -5.0, math.nan],
    "target_service_level": [0.0, 1.0, 1.5, -0.1, math.nan],
    "max_occupancy": [0.0, 1.2, math.nan],
    "max_abandon_rate": [0.0, 1.5, math.nan],
}


def _bad_calls() -> list:
    """Every argument of every function, with each of its invalid values."""
    return [
        pytest.param(func, positional, options, name, bad, id=f"{label}-{name}={bad}")
        for label, (func, positional, options) in FUNCTIONS.items()
        for name in [*positional, *options]
        for bad in BAD_VALUES[name]
    ]


@pytest.mark.parametrize(("func", "positional", "options", "name", "bad"), _bad_calls())
def test_invalid_input_raises_input_error_naming_the_argument(func, positional, options, name, bad):
    args = {key: VALID[key] for key in positional}
    kwargs = dict(options)
    (args if name in args else kwargs)[name] = bad
    with pytest.raises(InputError) as caught:
        func(*args.values(), **kwargs)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith(f"{name}: "), message
    assert "\n" not in message
    assert (f"got {bad:g}") in message  # says what was wrong


@pytest.mark.parametrize(
    "call",
    [
        lambda loads: erlang.service_level(14, loads, 180.0, 20.0),
        lambda loads: erlang.required_agents(loads, 180.0, target_service_level=0.8, threshold_s=20.0),
        lambda loads: erlang_a.erlang_a(14, loads, 180.0, 120.0, 20.0),
    ],
    ids=["service_level", "required_agents", "erlang_a"],
)
def test_invalid_array_element_is_located(call):
    loads_with_nan = np.array([[5.0, 6.0], [7.0, math.nan]])
    with pytest.raises(InputError, match=r"^load_erlangs: .*got nan at index \(1, 1\)$"):
        call(loads_with_nan)


def test_unstable_inputs_are_not_errors():
    """N <= A is a legitimate question with an answer (the queue grows): no exception."""
    assert erlang.service_level(5, 10.0, 180.0, 20.0) == 0.0
    assert erlang.asa(5, 10.0, 180.0) == math.inf
    r = erlang_a.erlang_a(5, 10.0, 180.0, 120.0, 20.0)
    assert 0.0 < r.service_level < 1.0 and 0.0 < r.p_abandon < 1.0


# --- schema parsers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("20", 20.0),
        ("20s", 20.0),
        ("20 sec", 20.0),
        ("3min", 180.0),
        ("3 minutes", 180.0),
        ("1h", 3600.0),
        ("1.5h", 5400.0),
        ("1d", 86400.0),
        ("0.5", 0.5),
        ("0", 0.0),
        (" 90s ", 90.0),
        (20, 20.0),
        (1.5, 1.5),
    ],
)
def test_parse_duration_s(text, seconds):
    assert parse_duration_s(text) == seconds
    assert isinstance(parse_duration_s(text), float)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("3m", "unknown time unit 'm' in '3m' (write 'min' for minutes)"),
        ("abc", "cannot read 'abc' as a duration"),
        ("-5s", "cannot read '-5s' as a duration"),
        ("", "cannot read '' as a duration"),
        ("5 parsecs", "unknown time unit 'parsecs'"),
        (-5, "expected a duration >= 0, got -5"),
        (math.nan, "expected a duration >= 0"),
        (True, "expected a duration"),
    ],
)
def test_parse_duration_s_rejects_bad_input(text, fragment):
    with pytest.raises(InputError) as caught:
        parse_duration_s(text, name="aht")
    assert str(caught.value).startswith("aht: ")
    assert fragment in str(caught.value)


@given(seconds=st.floats(min_value=0.0, max_value=1e6), unit=st.sampled_from(["s", "min", "h", "d"]))
@settings(max_examples=100, deadline=None)
def test_parse_duration_s_scales_by_unit(seconds, unit):
    factor = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}[unit]
    assert parse_duration_s(f"{seconds!r}{unit}") == seconds * factor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80/20", (0.8, 20.0)),
        ("80%/20s", (0.8, 20.0)),
        ("0.9/1min", (0.9, 60.0)),
        ("95 / 30", (0.95, 30.0)),
        ("99.5%/0", (0.995, 0.0)),
        ("0.5%/10", (0.005, 10.0)),
    ],
)
def test_parse_target(text, expected):
    level, threshold = parse_target(text)
    assert level == pytest.approx(expected[0], rel=1e-15)
    assert threshold == expected[1]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("80", "cannot read '80'"),
        ("0/20", "service level must be above 0%, got 0"),
        ("100/20", "100 means 100%, which cannot be planned for customers who wait; write e.g. 99/20 or 0.99/20"),
        ("1/20", "1 means 100%, which cannot be planned"),
        ("100%/20", "100% means 100%"),
        ("120/20", "'120' is not a share: a percent is at most 100"),
        ("80/-3", "cannot read '-3' as a duration"),
        ("80/3m", "write 'min' for minutes"),
        ("abc/20", "cannot read 'abc/20'"),
    ],
)
def test_parse_target_rejects_bad_input(text, fragment):
    with pytest.raises(InputError) as caught:
        parse_target(text)
    assert str(caught.value).startswith("target")
    assert fragment in str(caught.value)


# --- calculator ---------------------------------------------------------------------------


@FAST
@given(
    agents=st.floats(min_value=0.0, max_value=5000.0, allow_subnormal=False),
    shrinkage=st.floats(min_value=0.0, max_value=0.99),
)
def test_gross_agents_adds_back_shrinkage(agents, shrinkage):
    gross = gross_agents(agents, shrinkage)
    assert gross == pytest.approx(agents / (1.0 - shrinkage), rel=1e-15)
    assert gross >= agents
    pair = gross_agents(np.array([agents, 2 * agents]), shrinkage)
    assert_allclose(pair, [gross, 2 * gross], rtol=1e-15)


@pytest.mark.parametrize("shrinkage", [1.0, 1.5, -0.1, math.nan])
def test_gross_agents_rejects_impossible_shrinkage(shrinkage):
    with pytest.raises(InputError, match=r"^shrinkage: expected a finite number >= 0 and < 1, got "):
        gross_agents(14, shrinkage)


@SLOW
@given(
    load=loads,
    aht=ahts,
    interval_s=st.sampled_from([900.0, 1800.0, 3600.0]),
    target=targets,
    threshold=thresholds,
    shrinkage=shrinkages,
    patience=st.one_of(st.none(), patiences),
)
def test_calculate_caps_occupancy_before_shrinkage(
    load, aht, interval_s, target, threshold, shrinkage, patience
):
    offered = load * interval_s / aht
    r = calculate(
        offered=offered,
        interval_s=interval_s,
        aht_s=aht,
        threshold_s=threshold,
        target_service_level=target,
        patience_s=patience,
        max_occupancy=0.85,
        shrinkage=shrinkage,
    )
    assert r.load_erlangs == pytest.approx(load, rel=1e-12)
    assert r.model == ("erlang_c" if patience is None else "erlang_a")
    # The cap applies to the net agents on the phones; shrinkage only grosses them up.
    assert r.occupancy <= 0.85
    if patience is None:  # Erlang A's occupancy excludes the work of contacts that abandon
        assert r.load_erlangs / r.agents <= 0.85 + 1e-12
    assert r.agents_gross == pytest.approx(r.agents / (1.0 - shrinkage), rel=1e-15)
    assert r.service_level >= target
    if patience is None:
        expected = erlang.required_agents(
            r.load_erlangs, aht, target_service_level=target, threshold_s=threshold, max_occupancy=0.85
        )
        assert r.agents_fractional is not None and r.agents - 1 < r.agents_fractional <= r.agents
    else:
        expected = erlang_a.required_agents(
            r.load_erlangs,
            aht,
            patience_s=patience,
            target_service_level=target,
            threshold_s=threshold,
            max_occupancy=0.85,
        )
    assert r.agents == expected


def test_calculate_needs_a_target_or_agents():
    with pytest.raises(InputError, match="give either a target service level"):
        calculate(offered=100, interval_s=1800, aht_s=180, threshold_s=20)


def test_calculate_evaluates_given_agents():
    r = calculate(offered=100, interval_s=1800, aht_s=180, threshold_s=20, agents=14, shrinkage=0.3)
    m = erlang.metrics(14, 10.0, 180.0, 20.0)
    assert r.agents == 14 and r.agents_fractional is None
    assert r.service_level == pytest.approx(float(m["service_level"]), rel=1e-15)
    assert r.asa_s == pytest.approx(float(m["asa_s"]), rel=1e-15)
    assert r.agents_gross == pytest.approx(20.0, rel=1e-15)
