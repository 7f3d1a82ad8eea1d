"""The opening backlog of deferred work: estimated from history with the same model, or given.

Hand-worked cases: a week of email worked Mon-Sat with a business-hours deadline leaves the
Saturday evening and the Sunday for Monday; a calendar deadline leaves the last deadline's
arrivals, each due where its deadline falls. Then the plan starts from it, and a scenario's
``opening_backlog`` gives it directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from planner.errors import InputError, SpecError
from planner.staffing.deferred import deferred_requirement
from planner.staffing.deferred_backlog import OpeningBacklog, history_window, opening_from_history
from planner.staffing.plan import Deferred, staff

TZ = "Europe/London"


def week(hours=7 * 24):
    starts = pd.date_range("2026-06-29", periods=hours, freq="1h", tz=TZ)  # Monday 00:00
    return starts, np.asarray((starts.day_of_week < 6) & (starts.hour >= 8) & (starts.hour < 20))


def test_a_business_hours_weekend_waits_for_mondays_opening():
    # 10 items an hour. Saturday 16:00-20:00 arrivals are due 1-4 working hours into Monday (one
    # hour each); Saturday 20:00 to Monday 00:00 (28 hours, 280 items) start their clock at 08:00
    # and are all due at noon, the 4th working hour. Everything earlier was due and done.
    starts, is_open = week()
    backlog = opening_from_history(np.full(starts.size, 10.0), np.full(starts.size, 300.0), is_open,
                                   start=starts.size, interval_s=3600, deadline_s=4 * 3600, business_hours=True)
    assert backlog.due_point.tolist() == [1, 2, 3, 4]
    assert_allclose(backlog.items, [10.0, 10.0, 10.0, 290.0], rtol=1e-12)
    assert_allclose(backlog.aht_s, 300.0)


def test_a_calendar_deadline_leaves_the_last_deadlines_arrivals():
    # Always open, 12 items an hour, 2 hours to answer, as late as possible: the last two hours'
    # arrivals wait, the older hour due at the end of the first hour, the newer one at the second.
    backlog = opening_from_history(np.full(24, 12.0), np.full(24, 200.0), np.ones(24, bool), start=24,
                                   interval_s=3600, deadline_s=2 * 3600, method="alap")
    assert backlog.due_point.tolist() == [1, 2]
    assert_allclose(backlog.items, [12.0, 12.0], rtol=1e-12)


def test_a_level_plan_that_worked_ahead_leaves_less():
    starts, is_open = week(8 * 24)  # into the next Monday: the level plan may work ahead on Saturday
    offered = np.where(starts >= pd.Timestamp("2026-07-06", tz=TZ), 40.0, 10.0)  # a busy Monday ahead
    options = dict(interval_s=3600, deadline_s=4 * 3600, business_hours=True, start=7 * 24)
    alap = opening_from_history(offered, 300.0 + 0 * offered, is_open, method="alap", **options)
    level = opening_from_history(offered, 300.0 + 0 * offered, is_open, method="level", **options)
    assert alap.total == pytest.approx(320.0)
    assert level.total < alap.total


def test_the_plan_starts_from_the_opening_backlog():
    # 120 items waiting, 4-interval deadline: 30 due at each of the first four interval ends.
    offered = np.r_[np.full(8, 10.0), np.zeros(4)]
    plan = deferred_requirement(offered, 180.0, interval_s=900, deadline_s=3600, opening_backlog=120.0,
                                safety="none", method="alap")
    assert_allclose(plan["opening_backlog"], [30.0] * 4 + [0.0] * 8)
    assert_allclose(plan["due"][:4], 30.0) and plan["due"][4] == pytest.approx(10.0)
    assert_allclose(plan["agents"][:4], 30 * 180 / 900)  # as late as possible: each quarter's 30
    assert plan["backlog"][0] == pytest.approx(120.0 - 30.0 + 10.0)
    empty = deferred_requirement(offered, 180.0, interval_s=900, deadline_s=3600, safety="none", method="alap")
    assert plan["agents_int"].sum() == empty["agents_int"].sum() + 24  # 120 items x 180 s = 24 agent-intervals
    given = OpeningBacklog(items=[100.0, 20.0], aht_s=[180.0, 360.0], due_point=[4, 8])
    plan = deferred_requirement(offered, 180.0, interval_s=900, deadline_s=3600, opening_backlog=given)
    assert_allclose(plan["opening_backlog"][[3, 7]], [100.0, 20.0]) and plan["opening_backlog"].sum() == 120.0


def test_history_window_takes_the_last_days_and_shifts_by_whole_weeks():
    starts = pd.date_range("2026-06-01", "2026-06-28 23:45", freq="15min", tz=TZ)
    history = pd.DataFrame({"interval_start": starts, "offered": np.arange(starts.size, dtype=float), "aht_s": 300.0})
    history = history[starts.hour >= 8]  # nights absent: no items
    grid, offered, aht = history_window(history, pd.Timestamp("2026-06-29", tz=TZ), 900, days=7)
    assert grid[0] == pd.Timestamp("2026-06-22", tz=TZ) and grid.size == 7 * 96
    at_eight = history.set_index("interval_start").offered[grid[32]]
    assert offered[0] == 0.0 and np.isnan(aht[0]) and offered[32] == at_eight and aht[32] == 300.0
    later, _, _ = history_window(history, pd.Timestamp("2026-07-13", tz=TZ), 900, days=7)  # two weeks on
    assert later[0] == pd.Timestamp("2026-06-22", tz=TZ)
    assert history_window(history, pd.Timestamp("2026-05-01", tz=TZ), 900) is None


def test_staff_estimates_the_opening_backlog_from_history_unless_given():
    starts, is_open = week(14 * 24)
    frame = pd.DataFrame({"interval_start": starts, "channel": "email", "offered": 10.0, "aht_s": 300.0})
    history, forecast = frame[starts < "2026-07-06"], frame[starts >= "2026-07-06"].reset_index(drop=True)
    spec = Deferred(deadline_s=4 * 3600, business_hours=True, open_days="Mon-Sat", open_hours="08:00-20:00")
    estimated = staff(forecast, {"email": spec}, interval_s=3600, history=history)
    # The level plan of the last history week, seeing the next week's forecast, finishes Saturday's
    # own items by closing; the 28 closed hours' 280 items wait for Monday, all due at noon.
    assert estimated.opening_backlog.sum() == pytest.approx(280.0)
    assert estimated.opening_backlog.iloc[11] == pytest.approx(280.0)  # 11:00-12:00 Monday
    given = staff(forecast, {"email": Deferred(**{**spec.__dict__, "opening_backlog": 1200.0})}, interval_s=3600,
                  history=history)
    assert given.opening_backlog.sum() == pytest.approx(1200.0)
    assert given.agents.iloc[8] > estimated.agents.iloc[8]  # Monday 08:00
    none = staff(forecast, {"email": spec}, interval_s=3600)
    assert none.opening_backlog.sum() == 0.0


def test_bad_opening_backlogs_are_refused():
    with pytest.raises(SpecError, match=r"^deferred.opening_backlog: expected >= 0, got -5$"):
        Deferred(deadline_s=3600, opening_backlog=-5)
    with pytest.raises(InputError, match=r"^opening_backlog: expected whole due points >= 1"):
        OpeningBacklog(items=[1.0], aht_s=300.0, due_point=[0])
