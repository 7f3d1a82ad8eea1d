"""staff(): routing channels to their models, caps, shrinkage and the plan frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError, SpecError
from planner.staffing import erlang, erlang_a
from planner.staffing.plan import Chat, Deferred, Voice, staff


def forecast(offered, aht_s=180.0, channel="phone", start="2026-07-06 08:00", freq="15min"):
    starts = pd.date_range(start, periods=len(offered), freq=freq, tz="Europe/London")
    return pd.DataFrame({"interval_start": starts, "channel": channel, "offered": offered, "aht_s": aht_s})


def test_voice_without_patience_is_erlang_c_per_interval():
    f = forecast([10.0, 100.0, 400.0, 250.0])
    plan = staff(f, {"phone": Voice(target_service_level=0.8, threshold_s=20, shrinkage=0.25, method="sipp")})
    load = f.offered.to_numpy() * 180 / 900
    expected = erlang.required_agents(load, 180.0, target_service_level=0.8, threshold_s=20)
    np.testing.assert_array_equal(plan.agents, expected)
    np.testing.assert_allclose(plan.agents_gross, expected / 0.75)
    np.testing.assert_allclose(plan.service_level, erlang.service_level(expected, load, 180.0, 20))
    assert (plan.agents_fractional <= plan.agents).all() and (plan.agents_fractional > plan.agents - 1).all()
    assert (plan.kind == "voice").all() and (plan.method == "sipp").all()


def test_voice_with_patience_is_erlang_a_and_caps_abandonment():
    f = forecast([200.0, 300.0])
    spec = Voice(target_service_level=0.8, threshold_s=20, patience_s=60, max_abandon_rate=0.02, method="sipp")
    plan = staff(f, {"phone": spec})
    load = f.offered.to_numpy() * 180 / 900
    expected = erlang_a.required_agents(load, 180.0, patience_s=60, target_service_level=0.8, threshold_s=20,
                                        max_abandon_rate=0.02)
    np.testing.assert_array_equal(plan.agents, expected)
    assert (plan.abandon_rate <= 0.02).all() and (plan.service_level >= 0.8).all()


def test_occupancy_cap_applies_before_shrinkage():
    f = forecast([900.0])  # 180 Erlangs: the 80/20 target alone needs ~190 agents
    plan = staff(f, {"phone": Voice(target_service_level=0.8, threshold_s=20, max_occupancy=0.85, shrinkage=0.3)},
                 interval_s=900)
    assert plan.agents[0] == int(np.ceil(180 / 0.85))
    assert plan.agents_gross[0] == pytest.approx(plan.agents[0] / 0.7)


def test_auto_method_uses_mol_for_long_calls_and_the_plan_is_self_describing():
    f = forecast([10.0, 40.0, 80.0, 80.0], aht_s=900.0)
    plan = staff(f, {"phone": Voice(target_service_level=0.8, threshold_s=20)})
    assert (plan.method == "mol").all()
    assert plan.load_erlangs[0] < 10.0 * 900 / 900  # opens empty: the load lags the arrivals
    for column in ("threshold_s", "target_service_level", "patience_s", "shrinkage"):
        assert column in plan.columns
    assert np.isnan(plan.patience_s).all()


def test_columns_follow_the_design_contract():
    plan = staff(forecast([50.0, 60.0]), {"phone": Voice(target_service_level=0.8, threshold_s=20)})
    for column in ("interval_start", "channel", "offered", "aht_s", "load_erlangs", "agents", "agents_gross",
                   "service_level", "asa_s", "occupancy", "abandon_rate", "backlog"):
        assert column in plan.columns
    assert str(plan.interval_start.dt.tz) == "Europe/London"


@pytest.mark.parametrize("make,message", [
    (lambda: Voice(target_service_level=1.2, threshold_s=20), "voice.target_service_level: expected < 1, got 1.2"),
    (lambda: Voice(target_service_level=0.8, threshold_s=-20), "voice.threshold_s: expected >= 0, got -20"),
    (lambda: Voice(target_service_level=0.8, threshold_s=20, shrinkage=1.0), "voice.shrinkage: expected < 1, got 1.0"),
    (lambda: Voice(target_service_level=0.8, threshold_s=20, method="fast"), "voice.method: expected one of auto, sipp, mol, got 'fast'"),
    (lambda: Chat(target_service_level=0.8, threshold_s=40, concurrency=0), "chat.concurrency: expected a whole number >= 1, got 0"),
    (lambda: Deferred(deadline_s=0), "deferred.deadline_s: expected > 0, got 0"),
    (lambda: Deferred(deadline_s=3600, business_hours="yes"), "deferred.business_hours: expected true or false, got 'yes'"),
])
def test_spec_errors_name_the_key(make, message):
    with pytest.raises(SpecError) as error:
        make()
    assert str(error.value) == message


def test_forecast_errors_name_row_and_column():
    f = forecast([50.0, -3.0])
    with pytest.raises(InputError, match=r"^forecast: row 1, column offered: expected a finite number >= 0, got -3$"):
        staff(f, {"phone": Voice(target_service_level=0.8, threshold_s=20)})
    with pytest.raises(InputError, match=r"^forecast: channel\(s\) phone have no spec; add them to channels \(known: chat\)$"):
        staff(forecast([50.0, 3.0]), {"chat": Chat(target_service_level=0.8, threshold_s=40)})
    with pytest.raises(InputError, match=r"^forecast: missing column\(s\) aht_s"):
        staff(forecast([50.0]).drop(columns="aht_s"), {"phone": Voice(target_service_level=0.8, threshold_s=20)})
