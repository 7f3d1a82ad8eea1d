"""Outbound campaigns (planner.outbound): a hand-worked example, the list adds up, drops stay legal."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from planner import simulate
from planner.errors import SpecError
from planner.staffing import erlang, outbound
from planner.staffing.outbound import Outbound

LONDON = "Europe/London"


def days(first="2026-07-06", n=7, tz=LONDON, freq="15min"):
    start = pd.Timestamp(first).tz_localize(tz)
    end = (pd.Timestamp(first) + pd.Timedelta(days=n)).tz_localize(tz)
    return pd.date_range(start, end, freq=freq, inclusive="left")


def test_worked_example_by_hand():
    """1,000 right-party contacts at 35% RPC: 2,857.1 dials; 25 dials an hour: 114.3 agent-hours;
    6.4 productive hours a day: 17.9 agents."""
    agents = outbound.campaign_agents(1000, rpc_rate=0.35, dials_per_hour=25, productive_hours=6.4)
    assert round(agents, 1) == 17.9
    assert agents == pytest.approx(1000 / 0.35 / 25 / 6.4, rel=1e-15)
    # The same campaign as a plan: a 6.4-hour calling window on one day, 2,857.14 dials.
    spec = Outbound(list_size=2857, attempts_per_record=1000 / 0.35 / 2857, dials_per_hour=25, aht_s=240,
                    rpc_rate=0.35, deadline=dt.date(2026, 7, 6), calling_window="09:00-15:24")
    plan = outbound.campaign_plan(spec, days(n=1, freq="1min"), interval_s=60)
    assert plan["contacts"].sum() == pytest.approx(1000.0, rel=1e-12)
    assert plan["agents_fractional"].max() == pytest.approx(agents, rel=1e-12)
    assert (plan["agents_fractional"] * 60 / 3600).sum() == pytest.approx(1000 / 0.35 / 25, rel=1e-12)


def test_penetration_sums_to_list_size_times_attempts():
    spec = Outbound(list_size=6000, attempts_per_record=1.5, dials_per_hour=15, aht_s=240,
                    rpc_rate={"09:00": 0.25, "12:00": 0.2, "17:00": 0.35}, calling_window="10:00-18:00",
                    calling_days="Mon-Fri", deadline=dt.date(2026, 7, 17))
    plan = outbound.campaign_plan(spec, days(n=14), interval_s=900).assign(channel="renewals", kind="outbound")
    by_day = outbound.penetration(plan, interval_s=900)
    assert by_day["dials"].sum() == pytest.approx(6000 * 1.5, rel=1e-12)
    assert by_day["penetration"].iloc[-1] == pytest.approx(1.0, rel=1e-12)
    assert np.all(np.diff(by_day["penetration"]) >= 0)
    weekend = pd.to_datetime(by_day["day"]).dt.day_of_week >= 5
    assert (by_day.loc[weekend, "dials"] == 0).all() and (by_day.loc[~weekend, "dials"] == 900.0).all()
    hour = plan["interval_start"].dt.hour
    assert (plan.loc[(hour < 10) | (hour >= 18), "offered"] == 0).all()
    afternoon = plan[(hour >= 17) & (plan["offered"] > 0)]
    assert (afternoon["contacts"] == afternoon["offered"] * 0.35).all()


def test_calling_window_is_in_the_customers_time_zone_and_dst_days_have_their_intervals():
    """Customers in New York, agents in London, over the October clock change (a 25-hour day)."""
    spec = Outbound(list_size=1000, dials_per_hour=20, aht_s=180, rpc_rate=0.3, calling_window="09:00-21:00",
                    timezone="America/New_York", deadline=dt.date(2026, 10, 25))
    grid = days("2026-10-24", n=3)
    plan = outbound.campaign_plan(spec, grid, interval_s=900)
    assert len(plan[plan["interval_start"].dt.date == dt.date(2026, 10, 25)]) == 100
    local = plan["interval_start"].dt.tz_convert("America/New_York")
    calling = plan["offered"] > 0
    assert ((local.dt.hour >= 9) & (local.dt.hour < 21))[calling].all()
    assert calling.sum() == ((local.dt.hour >= 9) & (local.dt.hour < 21) & (local.dt.date <= dt.date(2026, 10, 25))).sum()
    assert plan["offered"].sum() == pytest.approx(1000.0, rel=1e-12)


def test_predictive_drops_are_reported_and_held_to_the_limit():
    spec = Outbound(list_size=20000, dials_per_hour=25, aht_s=300, rpc_rate=0.3, connect_rate=0.4,
                    dialler="predictive", calling_window="09:00-20:00", deadline=dt.date(2026, 7, 12))
    plan = outbound.campaign_plan(spec, days(), interval_s=900)
    calling = plan["offered"] > 0
    load = plan["load_erlangs"][calling].to_numpy()
    agents = plan["agents"][calling].to_numpy()
    assert np.all(plan["drop_rate"][calling] <= 0.03)
    np.testing.assert_allclose(plan["drop_rate"][calling], erlang.erlang_b(agents, load), rtol=1e-14)
    fluid = np.ceil(plan["offered"][calling] / (25 * 0.25) - 1e-9).to_numpy()
    binding = agents > fluid
    assert binding.any()
    assert np.all(erlang.erlang_b(agents[binding] - 1, load[binding]) > 0.03)  # one fewer would drop too many
    preview = outbound.campaign_plan(Outbound(list_size=20000, dials_per_hour=25, aht_s=300, rpc_rate=0.3,
                                              calling_window="09:00-20:00", deadline=dt.date(2026, 7, 12)),
                                     days(), interval_s=900)
    assert (preview["drop_rate"] == 0).all()


def test_simulated_drop_rate_agrees_with_erlang_b():
    """A predictive campaign on its own: connects that find no free agent are dropped (loss system)."""
    starts = days(n=1)[36:80]
    plan = pd.DataFrame({"interval_start": starts, "channel": "winback", "kind": "outbound", "offered": 80.0,
                         "aht_s": 300.0, "agents": 12, "dials_per_hour": 25.0, "dialler": "predictive",
                         "connect_rate": 0.4, "open": True})
    result = simulate(plan, rng=np.random.default_rng(4), replications=30, level=0.999, warmup_s=3600.0)
    row = result.channels.iloc[0]
    expected = float(erlang.erlang_b(12, 80 * 0.4 * 300 / 900))
    assert row["abandon_rate_lo"] <= expected <= row["abandon_rate_hi"]
    assert row["abandon_rate_hi"] - row["abandon_rate_lo"] < 0.02


@pytest.mark.parametrize("changes,message", [
    (dict(list_size=0), "outbound.list_size: expected a whole number of records >= 1, got 0"),
    (dict(dialler="robot"), "outbound.dialler: expected one of preview, progressive, predictive, got 'robot'"),
    (dict(rpc_rate=1.5), "outbound.rpc_rate: expected a share in (0, 1], got 1.5"),
    (dict(calling_window="9-5"), "outbound.calling_window: cannot read the time '9'; write e.g. \"09:00\""),
    (dict(dials_per_hour=40), "outbound.dials_per_hour: 40 dials an hour leave 90 s a dial, less than the talk and "
                              "wrap time a dial brings (105 s at the connect rate)"),
    (dict(dialler="predictive", blend="phone"), "outbound.blend: a predictive dialler dials ahead of free agents, "
     "which the idle-agent threshold rule cannot do; blend a preview or progressive campaign"),
])
def test_bad_campaigns_name_the_field(changes, message):
    base = dict(list_size=1000, dials_per_hour=25, aht_s=300, rpc_rate=0.35, deadline=dt.date(2026, 7, 31))
    with pytest.raises(SpecError) as error:
        Outbound(**{**base, **changes})
    assert str(error.value) == message


def test_a_deadline_before_any_calling_interval_is_an_error():
    spec = Outbound(list_size=100, dials_per_hour=25, aht_s=300, rpc_rate=0.35, calling_days="Sat-Sun",
                    deadline=dt.date(2026, 7, 8))
    with pytest.raises(SpecError, match="outbound.deadline: no calling interval between 2026-07-06 and 2026-07-08"):
        outbound.campaign_plan(spec, days(n=3), interval_s=900)
