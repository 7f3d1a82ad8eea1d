"""Priority segments on one pool (planner.priority): exact against three independent references.

1. ``tests/reference/priority.csv`` (``make_priority_reference.py``, mpmath at 50 digits): the
   lower segments' wait tails by integrating the busy-period densities, not by the planner's series.
2. The exact Markov chain of the priority queue, solved here with scipy (stationary law of busy
   agents and queued contacts per segment; then a tagged contact's wait as an absorption time):
   it assumes nothing of the geometric / busy-period argument behind the closed forms.
3. The simulator, within its confidence interval (millions of customers: ``bench_priority.py``).
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.sparse.linalg import expm_multiply, spsolve

from planner import simulate
from planner.staffing import erlang, priority

REFERENCE = Path(__file__).parent / "reference" / "priority.csv"
LEVEL = 0.999  # per assertion, as in test_simulate.py


def reference_rows():
    with REFERENCE.open() as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", reference_rows(), ids=lambda r: f"{r['case']}-seg{r['segment']}-t{r['t_s']}")
def test_wait_tail_and_asa_match_mpmath(row):
    """VIP and standard ASA and P(W_k > t) of the two-segment example (c = 86, 90) and harder cases, to 1e-9."""
    rates = np.array([float(v) for v in row["rates"].split(";")])
    aht = float(row["aht_s"])
    k = int(row["segment"]) - 1
    r = priority.segment_metrics(int(row["agents"]), rates * aht, aht, float(row["t_s"]))
    np.testing.assert_allclose(r.p_wait, float(row["p_wait"]), rtol=1e-12)
    np.testing.assert_allclose(1.0 - r.service_level[k], float(row["p_wait_longer"]), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(r.asa_s[k], float(row["asa_s"]), rtol=1e-12)


def test_reference_covers_the_issue_example():
    rows = reference_rows()
    example = {(r["agents"], r["segment"], r["t_s"]) for r in rows if r["case"].startswith("two-segment")}
    assert {(c, "2", t) for c in ("86", "90") for t in ("10", "20", "60")} <= example
    assert {r["case"] for r in rows} >= {"three-segment", "small-vip-share", "large-center"}


def test_conservation_law_to_1e12():
    """sum_k lambda_k ASA_k = lambda ASA_FCFS (Kleinrock) over random pools of 2 to 4 segments."""
    rng = np.random.default_rng(3)
    for k in (2, 3, 4):
        shares = rng.dirichlet(np.ones(k), size=500).T
        load = rng.uniform(1.0, 400.0, 500)
        agents = np.floor(load / rng.uniform(0.5, 0.99, 500)) + 1
        aht = rng.uniform(60.0, 900.0, 500)
        r = priority.segment_metrics(agents, shares * load, aht, 20.0)
        weighted = (shares * load * r.asa_s).sum(axis=0) / load
        np.testing.assert_allclose(weighted, erlang.asa(agents, load, aht), rtol=1e-12)


def test_without_vip_calls_the_standard_segment_is_erlang_c_exactly():
    load, aht = np.array([5.0, 40.0, 80.0]), 240.0
    agents = np.array([8, 45, 86])
    r = priority.segment_metrics(agents, [np.zeros(3), load], aht, [10.0, 20.0])
    assert np.array_equal(r.service_level[1], erlang.service_level(agents, load, aht, 20.0))
    assert np.array_equal(r.asa_s[1], erlang.asa(agents, load, aht))
    assert np.array_equal(r.p_wait, erlang.erlang_c(agents, load))
    assert np.array_equal(r.priority_tax[1], np.zeros(3))


def test_every_segment_waits_with_erlang_c_and_vip_wait_is_exponential():
    loads, aht, agents = [160 * 240 / 1800, 440 * 240 / 1800], 240.0, 86
    c = float(erlang.erlang_c(agents, 80.0))
    for t in (0.0, 10.0, 60.0):
        tail = priority.wait_tail(t, agents, loads, aht)
        assert tail[0] == pytest.approx(c * np.exp(-(agents / aht - 160 / 1800) * t), rel=1e-13)
    assert priority.wait_tail(0.0, agents, loads, aht) == pytest.approx([c, c], rel=1e-13)


def _priority_chain(c, mu, rates, cap):
    """Stationary law of (busy agents, queued per class) of the non-preemptive priority M/M/c, truncated."""
    k = len(rates)
    states = [(b, (0,) * k) for b in range(c)]
    queues = sorted((q for q in itertools.product(range(cap + 1), repeat=k) if sum(q) <= cap), key=sum)
    states += [(c, q) for q in queues]
    index = {s: i for i, s in enumerate(states)}
    rows, cols, vals = [], [], []

    def add(a, b, rate):
        rows.append(index[a]), cols.append(index[b]), vals.append(rate)

    for (b, q) in states:
        for j, lam in enumerate(rates):
            if b < c:
                add((b, q), (b + 1, q), lam)
            elif sum(q) < cap:
                add((b, q), (b, tuple(v + (i == j) for i, v in enumerate(q))), lam)
        if b and not any(q):
            add((b, q), (b - 1, q), b * mu)
        elif any(q):
            first = next(i for i, v in enumerate(q) if v)
            add((b, q), (b, tuple(v - (i == first) for i, v in enumerate(q))), c * mu)
    n = len(states)
    gen = sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))
    gen = gen - sparse.diags(np.asarray(gen.sum(axis=1)).ravel())
    a = gen.T.tolil()
    a[0, :] = 1.0
    rhs = np.zeros(n)
    rhs[0] = 1.0
    return states, spsolve(a.tocsr(), rhs)


def _tagged_wait_tail(states, pi, c, mu, rates, segment, times, cap):
    """P(W > t) of a segment's arrival: the tagged contact's wait as an absorption time."""
    higher = sum(rates[:segment])
    # Tagged state (h, a): contacts of higher segments ahead of it (joined by their later arrivals)
    # and of its own segment ahead of it; lower segments are behind it.
    start = {}
    for (b, q), p in zip(states, pi):
        if b == c:
            key = (sum(q[:segment]), q[segment])
            start[key] = start.get(key, 0.0) + p
    keys = [(h, a) for h in range(cap + 1) for a in range(cap + 1)]
    index = {key: i for i, key in enumerate(keys)}
    rows, cols, vals = [], [], []
    for (h, a) in keys:
        i = index[(h, a)]
        if h < cap:
            rows.append(i), cols.append(index[(h + 1, a)]), vals.append(higher)
        if h:
            rows.append(i), cols.append(index[(h - 1, a)]), vals.append(c * mu)
        elif a:
            rows.append(i), cols.append(index[(0, a - 1)]), vals.append(c * mu)
    out = np.array([higher * (h < cap) + c * mu for (h, a) in keys])  # total outflow (to service at (0, 0))
    gen = sparse.csr_matrix((vals, (rows, cols)), shape=(len(keys), len(keys))) - sparse.diags(out)
    initial = np.zeros(len(keys))
    for key, p in start.items():
        initial[index[key]] = p
    return [float(expm_multiply(gen.T * t, initial).sum()) if t > 0 else float(initial.sum()) for t in times]


CHAIN = dict(c=3, mu=1.0, rates=[0.3, 0.5, 0.7], cap=40)  # rho = 0.5: mass beyond 40 queued < 1e-12


@pytest.fixture(scope="module")
def chain():
    return _priority_chain(**CHAIN)


@pytest.mark.parametrize("segment", [0, 1, 2])
def test_three_segments_match_the_exact_priority_chain(chain, segment):
    """c = 3, three segments: the stationary chain and a tagged contact's absorption time give
    P(W_k > t) to 1e-9."""
    c, mu, rates, cap = CHAIN["c"], CHAIN["mu"], CHAIN["rates"], CHAIN["cap"]
    states, pi = chain
    times = [0.5, 1.0, 3.0]
    exact = _tagged_wait_tail(states, pi, c, mu, rates, segment, times, cap)
    loads = np.array(rates) / mu
    for t, value in zip(times, exact):
        assert 1.0 - priority.segment_metrics(c, loads, 1.0 / mu, t).service_level[segment] == pytest.approx(value, abs=1e-9)


def test_required_agents_is_the_least_meeting_every_segment():
    rng = np.random.default_rng(5)
    load = rng.uniform(0.5, 300.0, 2000)
    aht = rng.uniform(120.0, 600.0, 2000)
    shares = np.array([0.2, 0.3, 0.5])[:, None]
    target, threshold = np.array([[0.95], [0.85], [0.8]]), np.array([[10.0], [15.0], [30.0]])
    agents = priority.required_agents(shares * load, aht, target_service_level=target, threshold_s=threshold)
    ok = priority.segment_metrics(agents, shares * load, aht, threshold).service_level >= target
    assert ok.all()
    below = priority.segment_metrics(agents - 1, shares * load, aht, threshold).service_level >= target
    assert not below.all(axis=0).any()
    fcfs = erlang.required_agents(load, aht, target_service_level=0.8, threshold_s=30.0)
    assert (agents >= fcfs).all()
    fractional = priority.fractional_agents(shares * load, aht, target_service_level=target, threshold_s=threshold)
    assert ((fractional > agents - 1) & (fractional <= agents)).all()


def test_zero_load_needs_no_agents_and_bad_input_names_the_argument():
    assert priority.required_agents([0.0, 0.0], 180.0, target_service_level=0.8, threshold_s=20) == 0
    with pytest.raises(ValueError, match="load_erlangs: expected one load per segment"):
        priority.segment_metrics(10, 5.0, 180.0, 20.0)
    with pytest.raises(ValueError, match="target_service_level"):
        priority.required_agents([1.0, 2.0], 180.0, target_service_level=[0.8, 80], threshold_s=20)


def test_simulator_agrees_with_the_priority_formulas():
    """The two-segment example at 90 agents, a day of 15-minute intervals after a 4 h warm-up, 24
    replications: both segments' service level and ASA inside the 99.9% intervals, which are
    narrow (the benchmark runs millions of customers at 86 and 90 agents, to 2 standard errors)."""
    starts = pd.date_range("2026-07-06", periods=96, freq="15min", tz="Europe/London")
    rows = [pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice", "segment": name,
                          "priority": rank, "offered": offered, "aht_s": 240.0, "agents": 90, "threshold_s": t})
            for name, rank, offered, t in (("vip", 1, 80.0, 10.0), ("standard", 2, 220.0, 20.0))]
    result = simulate(pd.concat(rows, ignore_index=True), rng=np.random.default_rng(11), replications=24,
                      level=LEVEL, warmup_s=4 * 3600.0)
    exact = priority.segment_metrics(90, [160 * 240 / 1800, 440 * 240 / 1800], 240.0, [10.0, 20.0])
    for k, name in enumerate(("vip", "standard")):
        row = result.channels.set_index("segment").loc[name]
        for metric, value in (("service_level", exact.service_level[k]), ("asa_s", exact.asa_s[k])):
            assert row[f"{metric}_lo"] <= value <= row[f"{metric}_hi"], (name, metric, value, row[metric])
        assert row["service_level_hi"] - row["service_level_lo"] < (0.01 if name == "vip" else 0.06)
