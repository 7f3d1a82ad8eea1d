"""Deferred work under Poisson arrivals: does the plan answer every item within its deadline?

A realistic email day (08:00-20:00, 40-200 items per 15 minutes, AHT rising from 300 to 600 s,
4 business hours to answer) is planned by staff() and played by the simulator. The fluid
as-late-as-possible plan is the lower bound on agent-hours; a plan at that bound answers only
~90% of items in time, so the plan adds safety capacity (planner.staffing.deferred).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.simulate import simulate
from planner.staffing.deferred import deferred_requirement
from planner.staffing.plan import Deferred, staff


@pytest.fixture(scope="module")
def email_day() -> pd.DataFrame:
    """The day, and the next morning (no new items) by when the last ones are due."""
    starts = pd.date_range("2026-07-07 08:00", "2026-07-07 19:45", freq="15min", tz="Europe/London")
    t = np.linspace(0.0, 1.0, starts.size)
    offered = 40.0 + 160.0 * np.sin(np.pi * t) ** 2
    morning = pd.date_range("2026-07-08 08:00", "2026-07-08 11:45", freq="15min", tz="Europe/London")
    return pd.DataFrame({"interval_start": starts.append(morning), "channel": "email",
                         "offered": np.r_[offered, np.zeros(morning.size)],
                         "aht_s": np.r_[300.0 + 300.0 * t, np.full(morning.size, 600.0)]})


def test_plan_answers_99_percent_in_time_for_at_most_10_percent_more_agent_hours(email_day):
    spec = Deferred(deadline_s=4 * 3600, business_hours=True, open_hours="08:00-20:00")
    plan = staff(email_day, {"email": spec})
    fluid = deferred_requirement(email_day.offered.to_numpy(), email_day.aht_s.to_numpy(), interval_s=900,
                                 deadline_s=4 * 3600, interval_start=email_day.interval_start,
                                 business_hours=True, safety="none")
    planned_hours = plan.agents.sum() / 4
    fluid_hours = fluid["agents"].sum() / 4
    result = simulate(plan, rng=3, replications=200)
    in_time = float(result.channels["within_deadline"].iloc[0])
    print(f"\nanswered within 4 business hours: {in_time:.2%}; agent-hours {planned_hours:.1f} "
          f"= {planned_hours / fluid_hours:.3f} x the fluid lower bound ({fluid_hours:.1f})")
    assert in_time >= 0.99
    assert planned_hours <= 1.10 * fluid_hours


def test_a_plan_at_the_fluid_bound_misses_the_deadline_often(email_day):
    fluid = deferred_requirement(email_day.offered.to_numpy(), email_day.aht_s.to_numpy(), interval_s=900,
                                 deadline_s=4 * 3600, interval_start=email_day.interval_start,
                                 business_hours=True, safety="none")
    plan = staff(email_day, {"email": Deferred(deadline_s=4 * 3600, business_hours=True, open_hours="08:00-20:00")})
    at_bound = plan.assign(agents=fluid["agents_int"])
    in_time = float(simulate(at_bound, rng=4, replications=100).channels["within_deadline"].iloc[0])
    print(f"\nat the fluid bound: {in_time:.2%} answered in time")
    assert in_time < 0.97


def test_a_two_week_business_hours_plan_holds_every_day_without_spikes():
    """Email arrives around the clock and is worked Mon-Sat 08:00-20:00 with 4 business hours to
    answer: the overnight backlog falls due at noon. The safety buffer must not grow with the
    horizon and bunch at those due points (it did when it covered all noise since the start).
    The target (99%) is the share over the horizon: no day falls far below it, and the items
    due after the horizon (the last Saturday evening and Sunday) are not yet due, not late."""
    starts = pd.date_range("2026-07-06 00:00", "2026-07-19 23:45", freq="15min", tz="Europe/London")
    hour = starts.hour + starts.minute / 60
    offered = 4.0 + 22.0 * np.exp(-0.5 * ((hour - 11.0) / 3.0) ** 2)
    forecast = pd.DataFrame({"interval_start": starts, "channel": "email", "offered": offered, "aht_s": 420.0})
    spec = Deferred(deadline_s=4 * 3600, business_hours=True, open_days="Mon-Sat", open_hours="08:00-20:00")
    plan = staff(forecast, {"email": spec})
    fluid = deferred_requirement(offered, forecast.aht_s.to_numpy(), interval_s=900, deadline_s=4 * 3600,
                                 open=spec.is_open(forecast.interval_start), interval_start=forecast.interval_start,
                                 business_hours=True, safety="none")
    assert plan.agents.max() <= 1.25 * fluid["agents"].max() + 2  # no spike at the noon due points
    simulated = simulate(plan, rng=6, replications=40)
    result = simulated.intervals
    scored = result.offered - result.not_yet_due
    day = pd.to_datetime(result.interval_start).dt.date
    share = (result.within_deadline * scored).groupby(day).sum() / scored.groupby(day).sum()
    print("\nshare answered in time per day:", share.round(4).to_dict())
    channel = simulated.channels.iloc[0]
    assert channel.within_deadline_hi >= 0.99 and share.min() >= 0.975
    late_saturday = result.interval_start >= pd.Timestamp("2026-07-18 16:00", tz="Europe/London")
    assert (result.not_yet_due[late_saturday] == result.offered[late_saturday]).all()
    assert (result.not_yet_due[~late_saturday] == 0).all()


def test_the_safety_buffer_does_not_grow_with_the_horizon():
    """Over 8 weeks the plan's peak stays near the fluid level plan's (the buffer that covered all
    noise since the start of the horizon peaked at 191 agents against a fluid peak of 39)."""
    starts = pd.date_range("2026-07-06 00:00", periods=96 * 7 * 8, freq="15min", tz="Europe/London")
    hour = starts.hour + starts.minute / 60
    offered = 4.0 + 22.0 * np.exp(-0.5 * ((hour - 11.0) / 3.0) ** 2)
    spec = Deferred(deadline_s=4 * 3600, business_hours=True, open_days="Mon-Sat", open_hours="08:00-20:00")
    options = dict(interval_s=900, deadline_s=4 * 3600, open=spec.is_open(pd.Series(starts)), interval_start=starts,
                   business_hours=True)
    safe = deferred_requirement(offered, np.full(offered.size, 420.0), **options)
    fluid = deferred_requirement(offered, np.full(offered.size, 420.0), safety="none", **options)
    assert safe["agents"].max() <= 1.15 * fluid["agents"].max()
