"""Blended inbound/outbound agents (planner.blend): the closed forms against the full chain and the simulator.

``tests/reference/blend.csv`` (``make_blend_reference.py``, mpmath at 50 digits) solves the
two-dimensional chain (inbound in system, outbound in service) with no use of the reduction to
its total that the planner's closed forms rest on. The issue's example: 30 agents, 300 inbound
calls an hour of 240 s, 80% in 20 s.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner import simulate
from planner.errors import InputError
from planner.staffing import blend, erlang, erlang_a

REFERENCE = Path(__file__).parent / "reference" / "blend.csv"
LEVEL = 0.999
AGENTS, LOAD, AHT, T = 30, 300 * 240 / 3600, 240.0, 20.0


def reference_rows():
    with REFERENCE.open() as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", reference_rows(), ids=lambda r: f"{r['case']}-tau{r['idle_threshold']}")
def test_closed_forms_match_the_two_dimensional_chain(row):
    aht = float(row["aht_s"])
    load = float(row["inbound_per_hour"]) * aht / 3600.0
    patience = float(row["patience_s"]) if row["patience_s"] else np.inf
    r = blend.blend_metrics(int(row["agents"]), load, aht, float(row["threshold_s"]), int(row["idle_threshold"]),
                            patience_s=patience)
    fields = ["p_wait", "p_abandon", "outbound_agents", "outbound_per_hour"]
    fields += [] if np.isfinite(patience) else ["service_level", "asa_s"]
    for name in fields:
        np.testing.assert_allclose(getattr(r, name), float(row[name]), rtol=1e-11, atol=1e-14, err_msg=name)


def test_keeping_every_agent_for_inbound_is_erlang_c_exactly():
    r = blend.blend_metrics(AGENTS, LOAD, AHT, T, AGENTS)
    assert r.outbound_agents == 0.0 and r.outbound_per_hour == 0.0
    assert r.service_level == erlang.service_level(AGENTS, LOAD, AHT, T)
    assert r.p_wait == erlang.erlang_c(AGENTS, LOAD)
    with_patience = blend.blend_metrics(AGENTS, LOAD, AHT, T, AGENTS, patience_s=120.0)
    expected = erlang_a.erlang_a(AGENTS, LOAD, AHT, 120.0, T)
    np.testing.assert_allclose([with_patience.service_level, with_patience.p_abandon],
                               [expected.service_level, expected.p_abandon], rtol=1e-14)


def test_keeping_nobody_idle_gives_every_spare_minute_to_outbound():
    r = blend.blend_metrics(AGENTS, LOAD, AHT, T, 0)
    assert r.p_wait == 1.0
    assert r.outbound_per_hour == pytest.approx((AGENTS - LOAD) / AHT * 3600.0, rel=1e-13)  # (s - lambda/mu) mu
    assert r.occupancy == 1.0


def test_more_idle_agents_mean_better_inbound_service_and_less_outbound():
    taus = np.arange(AGENTS + 1)
    r = blend.blend_metrics(AGENTS, LOAD, AHT, T, taus)
    assert np.all(np.diff(r.service_level) > 0) and np.all(np.diff(r.outbound_agents) < 0)


def test_an_idle_threshold_above_the_agents_is_one_error():
    with pytest.raises(InputError) as error:
        blend.blend_metrics(30, LOAD, AHT, T, 35)
    assert str(error.value) == ("idle_threshold: expected at most the agents (30), got 35; idle_threshold = agents "
                                "already starts no outbound call (Erlang C)")


def test_requirement_is_the_least_pool_and_threshold_by_exhaustive_search():
    """For each interval: no pool smaller, and no threshold lower at that pool, meets both goals."""
    loads = np.array([2.0, 8.0, 20.0, 20.0, 35.0])
    needs = np.array([1.0, 4.0, 0.0, 6.5, 3.0])
    patience = np.array([np.inf, 120.0, np.inf, np.inf, 90.0])
    r = blend.requirement(loads, AHT, needs, target_service_level=0.8, threshold_s=T, patience_s=patience)
    for i in range(loads.size):
        def meets(n, tau):
            m = blend.blend_metrics(n, loads[i], AHT, T, tau, patience_s=patience[i])
            return m.service_level >= 0.8 and m.outbound_agents >= needs[i] * (1 - 1e-12)

        n, tau = int(r["agents"][i]), int(r["idle_threshold"][i])
        assert meets(n, tau)
        assert not any(meets(n, t) for t in range(tau))
        assert not any(meets(n - 1, t) for t in range(n))
    outside = blend.requirement(20.0, AHT, 6.5, target_service_level=0.8, threshold_s=T, outbound_allowed=False)
    assert outside["agents"] == erlang.required_agents(20.0, AHT, target_service_level=0.8, threshold_s=T)
    assert outside["idle_threshold"] == outside["agents"] and outside["outbound_agents"] == 0.0


def _blend_plan(tau, periods=96):
    starts = pd.date_range("2026-07-06", periods=periods, freq="15min", tz="Europe/London")
    inbound = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice", "offered": 75.0,
                            "aht_s": AHT, "agents": AGENTS, "threshold_s": T, "idle_threshold": tau})
    campaign = pd.DataFrame({"interval_start": starts, "channel": "renewals", "kind": "outbound", "offered": 100.0,
                             "aht_s": AHT, "agents": 0, "blend": "phone", "outbound_aht_s": AHT,
                             "dials_per_hour": 15.0, "open": True})
    return pd.concat([inbound, campaign], ignore_index=True)


@pytest.mark.parametrize("tau", [3, 8])
def test_simulator_plays_the_threshold_rule_as_the_chain(tau):
    """A day at 30 agents after a 2 h warm-up, 16 replications: inbound service level and outbound
    agents inside the 99.9% intervals (bench_blend.py: tau 2, 3, 5, 8 within 0.005 and 1%)."""
    result = simulate(_blend_plan(tau), rng=np.random.default_rng(20 + tau), replications=16, level=LEVEL,
                      warmup_s=7200.0)
    exact = blend.blend_metrics(AGENTS, LOAD, AHT, T, tau)
    rows = result.channels.set_index("channel")
    phone, renewals = rows.loc["phone"], rows.loc["renewals"]
    assert phone["service_level_lo"] <= exact.service_level <= phone["service_level_hi"]
    assert phone["occupancy_lo"] <= exact.occupancy <= phone["occupancy_hi"]
    assert renewals["outbound_agents_lo"] <= exact.outbound_agents <= renewals["outbound_agents_hi"]
    assert phone["service_level_hi"] - phone["service_level_lo"] < 0.03
