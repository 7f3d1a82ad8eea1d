"""Fractional requirements for every live model, so daily FTE is summed before rounding.

* Erlang A: the least real x meeting the targets on the chain's continuous extension, against
  mpmath at 50 digits (``tests/reference/make_fractional_reference.py``, which checks its closed
  form against the birth-death sums at whole agents); with infinite patience it is Erlang C's
  Jagerman value.
* Chat: the balanced chain extended between whole agents (:func:`planner.chat.fractional_agents`);
  with one chat per agent and no slowdown it is Erlang A's, hence Erlang C's without abandonment.
* Laws (hypothesis): x lies in (N - 1, N] for N the whole requirement, and grows with the load.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from planner.staffing import chat, erlang, erlang_a
from planner.staffing.plan import Chat, Voice, staff

REFERENCE = Path(__file__).parent / "reference" / "fractional_erlang_a.csv"
LAWS = settings(max_examples=40, deadline=None)


def test_erlang_a_fractional_matches_mpmath():
    t = pd.read_csv(REFERENCE)
    options = dict(patience_s=t.patience_s.to_numpy(), target_service_level=t.target_service_level.to_numpy(),
                   threshold_s=t.threshold_s.to_numpy(), max_occupancy=t.max_occupancy.to_numpy())
    x = erlang_a.fractional_agents(t.load_erlangs.to_numpy(), t.aht_s.to_numpy(), **options)
    whole = erlang_a.required_agents(t.load_erlangs.to_numpy(), t.aht_s.to_numpy(), **options)
    assert (whole == t.agents).all()
    assert_allclose(x, t.fractional_agents, rtol=1e-9)
    assert (t.max_occupancy < 1).any() and (t.fractional_agents < t.agents - 0.5).any()


def test_with_infinite_patience_erlang_a_and_chat_give_erlang_cs_jagerman_value():
    load = np.array([0.05, 0.4, 2.5, 10.0, 55.5, 400.0, 2500.0])
    targets = dict(target_service_level=0.8, threshold_s=20.0)
    jagerman = erlang.fractional_agents(load, 180.0, **targets)
    assert_allclose(erlang_a.fractional_agents(load, 180.0, patience_s=np.inf, **targets), jagerman, rtol=0, atol=1e-6)
    assert_allclose(chat.fractional_agents(load / 180.0, 180.0, concurrency=1, **targets), jagerman, rtol=0, atol=1e-6)
    # ... and with the occupancy cap binding, x = A / max_occupancy as for Erlang C
    capped = dict(targets, max_occupancy=0.7)
    assert_allclose(erlang_a.fractional_agents(load, 180.0, patience_s=np.inf, **capped),
                    erlang.fractional_agents(load, 180.0, **capped), rtol=0, atol=1e-6)


def test_chat_with_one_chat_per_agent_is_erlang_a():
    load = np.array([0.3, 4.0, 18.0, 90.0])
    targets = dict(patience_s=150.0, target_service_level=0.85, threshold_s=30.0, max_abandon_rate=0.05)
    assert_allclose(chat.fractional_agents(load / 240.0, 240.0, concurrency=1, **targets),
                    erlang_a.fractional_agents(load, 240.0, **targets), rtol=1e-9)


@LAWS
@given(load=st.floats(0.01, 300.0), patience=st.one_of(st.just(np.inf), st.floats(20.0, 3000.0)),
       target=st.floats(0.5, 0.95), threshold=st.floats(0.0, 120.0), step=st.floats(1.001, 1.5))
def test_erlang_a_fractional_lies_below_the_whole_requirement_and_grows_with_the_load(load, patience, target, threshold,
                                                                                      step):
    options = dict(patience_s=patience, target_service_level=target, threshold_s=threshold)
    n = erlang_a.required_agents(load, 180.0, **options)
    x = erlang_a.fractional_agents(np.array([load, load * step]), 180.0, **options)
    assert n - 1 < x[0] <= n + 1e-12
    assert x[1] >= x[0] - 1e-9


@LAWS
@given(rate=st.floats(0.001, 0.3), k=st.integers(1, 4), growth=st.floats(0.0, 0.3),
       patience=st.one_of(st.just(np.inf), st.floats(30.0, 600.0)), target=st.floats(0.5, 0.9), step=st.floats(1.001, 1.5))
def test_chat_fractional_lies_below_the_whole_requirement_and_grows_with_the_load(rate, k, growth, patience, target, step):
    profile = chat.aht_profile(400.0, k, growth)
    options = dict(patience_s=patience, target_service_level=target, threshold_s=40.0)
    n = chat.required_agents(rate, profile, **options)
    x = chat.fractional_agents(np.array([rate, rate * step]), profile, **options)
    assert n - 1 < x[0] <= n + 1e-12
    assert x[1] >= x[0] - 1e-9


def test_plans_sum_fractional_requirements_for_every_live_kind():
    starts = pd.date_range("2026-07-06 08:00", periods=16, freq="15min", tz="Europe/London")
    offered = 20.0 + 60.0 * np.sin(np.linspace(0, np.pi, starts.size))
    forecast = pd.concat([pd.DataFrame({"interval_start": starts, "channel": name, "offered": offered, "aht_s": aht})
                          for name, aht in (("phone", 300.0), ("chat", 500.0))], ignore_index=True)
    plan = staff(forecast, {"phone": Voice(target_service_level=0.8, threshold_s=20, patience_s=120),
                            "chat": Chat(target_service_level=0.8, threshold_s=40, concurrency=3, aht_growth=0.15,
                                         patience_s=180)})
    for _, rows in plan.groupby("channel"):
        assert ((rows.agents - 1 < rows.agents_fractional) & (rows.agents_fractional <= rows.agents + 1e-9)).all()
        assert rows.agents_fractional.sum() < rows.agents.sum() - 0.25 * len(rows)  # rounding once saves


@pytest.mark.parametrize("model", ["erlang_a", "chat"])
def test_no_load_needs_no_agents(model):
    if model == "erlang_a":
        x = erlang_a.fractional_agents([0.0, 3.0], 180.0, patience_s=60.0, target_service_level=0.8, threshold_s=20.0)
    else:
        x = chat.fractional_agents([0.0, 0.02], 180.0, concurrency=2, target_service_level=0.8, threshold_s=20.0)
    assert x[0] == 0.0 and x[1] > 0.0
