"""Chat staffing with concurrency (``planner.staffing.chat``): references, limits and laws.

``tests/reference/chat.csv`` and ``chat_required.csv`` were written by ``make_chat_reference.py``
with mpmath at 50 digits, summing the balanced chain state by state (no code shared with
planner). Outputs must agree to ``rtol=1e-9`` and required agents exactly, including targets
within 1e-10 of a tie. The chain must reduce to Erlang A with one chat per agent and with a flat
handle time (N k servers); the property tests (hypothesis) check the laws that hold for every
input.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from planner.errors import InputError
from planner.staffing import chat, erlang_a

REFERENCE = Path(__file__).parent / "reference"
OUTPUTS = ("p_wait", "p_abandon", "service_level", "asa_s", "occupancy", "concurrency_mean")
SOME = settings(max_examples=40, deadline=None)


def profile(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split()])


# --- against the 50-digit chain sums ----------------------------------------------------------


@pytest.fixture(scope="module")
def chat_table() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "chat.csv")


@pytest.fixture(scope="module")
def chat_results(chat_table) -> dict[str, np.ndarray]:
    """``erlang_chat`` on every reference row, one call per profile (k differs between them)."""
    t = chat_table
    got = {name: np.empty(len(t)) for name in OUTPUTS}
    for text, rows in t.groupby("aht_s"):
        r = chat.erlang_chat(
            rows.agents, rows.arrival_rate_per_s, profile(text), rows.patience_s, rows.threshold_s
        )
        for name in OUTPUTS:
            got[name][rows.index] = getattr(r, name)
    return got


def test_reference_covers_the_promised_range(chat_table):
    t = chat_table
    k = t.aht_s.str.split().str.len()
    slowest = t.aht_s.str.split().str[-1].astype(float)
    share = t.arrival_rate_per_s * slowest / (t.agents * k)
    assert set(k) == {1, 2, 3, 4, 5} and (t.agents * k).max() >= 1200
    assert (share > 1.0).sum() >= 50 and (share < 0.5).sum() >= 30  # overloaded and light
    assert np.isinf(t.patience_s).sum() >= 20 and (t.threshold_s == 0).sum() >= 50
    assert t.aht_s.nunique() >= 8


@pytest.mark.parametrize("name", OUTPUTS)
def test_chat_matches_the_chain_sums(chat_table, chat_results, name):
    assert_allclose(chat_results[name], chat_table[name], rtol=1e-9, atol=0)


def test_required_agents_exact_including_near_ties():
    t = pd.read_csv(REFERENCE / "chat_required.csv")
    got = np.empty(len(t), dtype=np.int64)
    for (text, has_cap), rows in t.groupby([t.aht_s, t.max_abandon_rate.notna()]):
        got[rows.index] = chat.required_agents(
            rows.arrival_rate_per_s,
            profile(text),
            patience_s=rows.patience_s,
            target_service_level=rows.target_service_level,
            threshold_s=rows.threshold_s,
            max_occupancy=rows.max_occupancy.fillna(1.0),
            max_abandon_rate=rows.max_abandon_rate if has_cap else None,  # both call forms
        )
    np.testing.assert_array_equal(got, t.agents)
    # Near-ties: targets SL(N-1) + d (answer N) and SL(N-1) - d (answer N - 1), d to 1e-10.
    near = t[t.near_tie == 1]
    gap = np.abs(near.service_level_below - near.target_service_level)
    assert len(near) >= 12 and (gap < 2e-8).sum() == len(near) // 2 and (gap < 1e-9).sum() >= 3
    assert t.max_occupancy.notna().sum() >= 5 and t.max_abandon_rate.notna().sum() >= 3
    assert np.isinf(t.patience_s).sum() >= 5


# --- Erlang A limits ----------------------------------------------------------------------------

loads = st.floats(min_value=0.01, max_value=400.0)
ahts = st.floats(min_value=10.0, max_value=3600.0)
patiences = st.one_of(st.just(math.inf), st.floats(min_value=5.0, max_value=3600.0))
thresholds = st.floats(min_value=0.0, max_value=300.0)


def staff_levels(slots_load: float, k: int) -> np.ndarray:
    """Agents from 1 to well past the load in slots (overloaded to idle)."""
    top = math.ceil((1.5 * slots_load + 6.0 * math.sqrt(slots_load) + 10.0) / k)
    return np.unique(np.round(np.linspace(1.0, top, 30)))


def assert_same(ours, theirs, rtol=1e-10):
    """Agreement to ``rtol`` (two independent implementations agree no closer than each is accurate:
    Erlang A's abandonment and ASA are good to ~5e-11 against mpmath, see test_reference), and to 1e-15 absolute for values cancelling in Erlang's own forms:
    ``1 - C e**(-(N - A) T / aht)`` near ``N = A`` (infinite patience) and ``1/B - 1`` for ``N << A``
    (where Erlang B is within ~1e-16 A**2 / N of 1). The chain sums match mpmath there."""
    for name in ("p_wait", "p_abandon", "service_level", "asa_s", "occupancy"):
        assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=rtol, atol=1e-15, err_msg=name)


@SOME
@given(load=loads, aht=ahts, patience=patiences, threshold=thresholds)
def test_one_chat_per_agent_is_erlang_a(load, aht, patience, threshold):
    agents = staff_levels(load, 1)
    ours = chat.erlang_chat(agents, load / aht, aht, patience, threshold, concurrency=1)
    assert_same(ours, erlang_a.erlang_a(agents, load / aht * aht, aht, patience, threshold))


@SOME
@given(load=loads, aht=ahts, patience=patiences, threshold=thresholds, k=st.integers(2, 5))
def test_flat_handle_time_is_erlang_a_with_n_k_servers(load, aht, patience, threshold, k):
    agents = staff_levels(load, k)
    rate = load / aht
    ours = chat.erlang_chat(agents, rate, [aht] * k, patience, threshold)
    assert_same(ours, erlang_a.erlang_a(agents * k, rate * aht, aht, patience, threshold))
    assert_allclose(ours.concurrency_mean, k * ours.occupancy, rtol=1e-15)
    # ... and the flat form with ``concurrency`` is the same call.
    flat = chat.erlang_chat(agents, rate, aht, patience, threshold, concurrency=k)
    for name in OUTPUTS:
        np.testing.assert_array_equal(getattr(flat, name), getattr(ours, name))


@SOME
@given(
    load=st.floats(min_value=0.05, max_value=300.0),
    aht=ahts,
    patience=patiences,
    threshold=thresholds,
    k=st.integers(1, 4),
    target=st.floats(min_value=0.3, max_value=0.95),
)
def test_flat_requirement_is_erlang_a_slots_over_k(load, aht, patience, threshold, k, target):
    options = dict(patience_s=patience, target_service_level=target, threshold_s=threshold)
    slots = erlang_a.required_agents(load / aht * aht, aht, **options)
    assert chat.required_agents(load / aht, aht, concurrency=k, **options) == math.ceil(slots / k)


# --- laws ---------------------------------------------------------------------------------------

growths = st.floats(min_value=0.0, max_value=0.6)


@SOME
@given(load=loads, aht=ahts, growth=growths, k=st.integers(1, 4), patience=patiences, threshold=thresholds)
def test_outputs_are_consistent_probabilities(load, aht, growth, k, patience, threshold):
    prof = chat.aht_profile(aht, k, growth)
    agents = staff_levels(load, k)
    r = chat.erlang_chat(agents, load / prof[-1], prof, patience, threshold)
    for name in ("p_wait", "p_abandon", "service_level", "occupancy"):
        values = getattr(r, name)
        assert values.shape == agents.shape and np.all((values >= 0.0) & (values <= 1.0)), name
    assert np.all(r.asa_s >= 0.0)  # also false for NaN
    assert np.all(r.p_abandon <= r.p_wait * (1.0 + 1e-12))
    assert np.all(r.service_level <= 1.0 - r.p_abandon + 1e-12)  # abandoned chats are not answered
    assert_allclose(r.concurrency_mean, k * r.occupancy, rtol=1e-15)


@SOME
@given(load=loads, aht=ahts, growth=growths, k=st.integers(1, 4), patience=patiences, threshold=thresholds)
def test_more_agents_serve_better(load, aht, growth, k, patience, threshold):
    prof = chat.aht_profile(aht, k, growth)
    agents = np.arange(1.0, staff_levels(load, k)[-1] + 1.0)
    r = chat.erlang_chat(agents, load / prof[-1], prof, patience, threshold)
    assert np.all(np.diff(r.service_level) >= -1e-12)
    assert np.all(np.diff(r.p_wait) <= 1e-12)
    assert np.all(np.diff(r.p_abandon) <= 1e-12)
    assert np.all(np.diff(r.occupancy) <= 1e-12)


@SOME
@given(
    load=loads, aht=ahts, growth=st.floats(0.01, 0.6), k=st.integers(2, 4), patience=patiences, threshold=thresholds
)
def test_slower_chats_serve_worse(load, aht, growth, k, patience, threshold):
    """Raising the handle time at concurrency 1..k-1 (the rate at k is kept) cannot help."""
    agents = staff_levels(load, k)
    rate = load / (aht * (1 + growth * (k - 1)))
    fast = chat.erlang_chat(agents, rate, chat.aht_profile(aht, k, growth), patience, threshold)
    slow_prof = chat.aht_profile(aht, k, growth)
    slow_prof[:-1] = np.sqrt(slow_prof[:-1] * slow_prof[-1])  # between the old value and aht_k
    slow = chat.erlang_chat(agents, rate, slow_prof, patience, threshold)
    assert np.all(slow.service_level <= fast.service_level + 1e-12)
    assert np.all(slow.p_wait >= fast.p_wait - 1e-12)
    assert np.all(slow.occupancy >= fast.occupancy - 1e-12)


@SOME
@given(
    load=st.floats(min_value=0.05, max_value=300.0),
    aht=ahts,
    growth=growths,
    k=st.integers(1, 4),
    patience=patiences,
    threshold=thresholds,
    target=st.floats(min_value=0.3, max_value=0.95),
    cap=st.one_of(st.just(1.0), st.floats(min_value=0.6, max_value=1.0)),
    max_abandon=st.one_of(st.none(), st.floats(min_value=0.01, max_value=0.3)),
)
def test_required_agents_is_the_least_meeting_every_target(
    load, aht, growth, k, patience, threshold, target, cap, max_abandon
):
    prof = chat.aht_profile(aht, k, growth)
    rate = load / prof[-1]
    n = chat.required_agents(
        rate, prof, patience_s=patience, target_service_level=target, threshold_s=threshold,
        max_occupancy=cap, max_abandon_rate=max_abandon,
    )
    assert isinstance(n, int) and n >= 1
    limit = math.inf if max_abandon is None else max_abandon

    def meets(agents):
        r = chat.erlang_chat(agents, rate, prof, patience, threshold)
        return bool(r.service_level >= target and r.occupancy <= cap and r.p_abandon <= limit)

    assert meets(n) and (n == 1 or not meets(n - 1))
    # Between Erlang A on N k slots at the fastest and at the slowest per-chat rate.
    options = dict(patience_s=patience, target_service_level=target, threshold_s=threshold, max_occupancy=cap)
    if max_abandon is None:
        slowest = erlang_a.required_agents(rate * prof[-1], prof[-1], **options)
        fastest = erlang_a.required_agents(rate * prof[0], prof[0], **options)
        assert math.ceil(fastest / k) <= n <= math.ceil(slowest / k)


def test_per_row_profiles_broadcast_like_separate_calls():
    prof = np.array([[300.0, 330.0], [200.0, 260.0], [500.0, 500.0]])
    rate = np.array([0.05, 0.3, 0.02])
    options = dict(patience_s=90.0, target_service_level=0.8, threshold_s=30.0)
    together = chat.required_agents(rate, prof, **options)
    assert together.dtype == np.int64 and together.shape == (3,)
    assert list(together) == [chat.required_agents(r, p, **options) for r, p in zip(rate, prof)]
    grid = chat.erlang_chat(np.array([[5], [20]]), rate, prof, 90.0, 30.0)  # (2, 1) x (3,) -> (2, 3)
    assert grid.service_level.shape == (2, 3)
    one = chat.erlang_chat(20, rate[1], prof[1], 90.0, 30.0)
    assert grid.service_level[1, 1] == one.service_level and isinstance(one.p_wait, float)
    frame = grid.to_frame()
    assert list(frame.columns) == list(OUTPUTS) and len(frame) == 6


def test_edge_cases():
    prof = chat.aht_profile(600.0, 3, 0.15)
    nobody = chat.erlang_chat(0, 0.1, prof, 120.0, 40.0)
    assert (nobody.p_wait, nobody.p_abandon, nobody.service_level, nobody.occupancy) == (1.0, 1.0, 0.0, 0.0)
    quiet = chat.erlang_chat(5, 0.0, prof, 120.0, 40.0)
    assert (quiet.p_wait, quiet.service_level, quiet.asa_s, quiet.occupancy) == (0.0, 1.0, 0.0, 0.0)
    # Without abandonment an overloaded system never catches up: no exception.
    jammed = chat.erlang_chat(2, 1.0, prof, math.inf, 40.0)
    assert (jammed.p_wait, jammed.service_level, jammed.asa_s, jammed.occupancy) == (1.0, 0.0, math.inf, 1.0)
    # Far more agents than chats: everything answered at once (no overflow to NaN).
    idle = chat.erlang_chat(300, 1e-4, prof, 3000.0, 0.0)
    assert idle.p_wait == 0.0 and idle.service_level == 1.0 and idle.asa_s == 0.0
    options = dict(patience_s=120.0, target_service_level=0.8, threshold_s=40.0)
    assert list(chat.required_agents([0.0, 0.1], prof, **options)) == [0, 25]


def test_aht_profile():
    assert_allclose(chat.aht_profile(600.0, 3, 0.15), [600.0, 690.0, 780.0])
    assert_allclose(chat.aht_profile([300.0, 400.0], 2, [0.0, 0.5]), [[300.0, 300.0], [400.0, 600.0]])
    assert chat.aht_profile(300.0, 1).shape == (1,)


ONE_INTERVAL = dict(
    agents=3, arrival_rate_per_s=0.1, aht_s=600.0, patience_s=120.0, threshold_s=20.0, concurrency=2
)
TARGETS = dict(arrival_rate_per_s=0.1, aht_s=600.0, concurrency=2, target_service_level=0.8, threshold_s=20.0)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(agents=-1), "^agents: expected a finite number >= 0, got -1$"),
        (dict(agents=2.5), "^agents: expected whole agents, got 2.5$"),
        (dict(arrival_rate_per_s=-0.1), "^arrival_rate_per_s: expected a finite number >= 0"),
        (dict(aht_s=0.0), "^aht_s: expected a finite number > 0, got 0$"),
        (dict(aht_s=[600.0, -1.0], concurrency=None), "^aht_s: .* at index 1$"),
        (dict(concurrency=None), "^aht_s: a single duration needs concurrency=k"),
        (dict(aht_s=np.full(96, 600.0), concurrency=None), "^aht_s: 96 durations on the last axis"),
        (dict(patience_s=0.0), "^patience_s: expected a number > 0"),
        (dict(threshold_s=-5.0), "^threshold_s: expected a finite number >= 0"),
        (dict(concurrency=0), "^concurrency: expected a whole number of chats per agent >= 1, got 0$"),
        (dict(concurrency=2.5), "^concurrency: .* got 2.5$"),
        (dict(concurrency=True), "^concurrency: .* got True$"),
    ],
)
def test_erlang_chat_names_the_bad_argument(change, message):
    with pytest.raises(InputError, match=message):
        chat.erlang_chat(**{**ONE_INTERVAL, **change})


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(target_service_level=1.0), "^target_service_level: "),
        (dict(max_occupancy=0.0), "^max_occupancy: "),
        (dict(max_abandon_rate=1.5), "^max_abandon_rate: "),
        (dict(patience_s=-1.0), "^patience_s: "),
        (dict(concurrency=None), "^aht_s: a single duration needs concurrency=k"),
    ],
)
def test_required_agents_names_the_bad_argument(change, message):
    with pytest.raises(InputError, match=message):
        chat.required_agents(**{**TARGETS, **change})
    with pytest.raises(InputError, match="^aht_growth: expected a finite number >= 0"):
        chat.aht_profile(600.0, 3, -0.1)
