"""Days x channels and one day's intervals (planner/report/views.py) against brute-force sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError
from planner.report import rollup
from planner.report.views import busiest_days, fte_by_period, interval_view, interval_views


def _plan() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    starts = pd.date_range("2026-10-19", "2026-11-01 23:45", freq="15min", tz="Europe/London")  # a DST week
    frames = [pd.DataFrame({"interval_start": starts, "channel": name, "offered": 10.0, "aht_s": 200.0,
                            "agents": rng.integers(0, 9, len(starts)), "agents_fractional": rng.uniform(0, 8, len(starts)),
                            "shrinkage": shrink, "service_level": 0.9, "abandon_rate": 0.01})
              for name, shrink in (("phone", 0.3), ("chat", 0.2))]
    return pd.concat(frames, ignore_index=True)


def test_days_by_channels_are_the_rollup_with_totals():
    plan = _plan()
    daily = rollup(plan, by="day", interval_s=900)
    table = fte_by_period(daily)
    assert table["day"].iloc[0] == "Mon 2026-10-19" and table["day"].iloc[-1] == "Total"
    assert len(table) == 14 + 1 and list(table.columns) == ["day", "chat", "phone", "Total"]
    for i, row in daily.iterrows():
        label = pd.Timestamp(row.period).strftime("%a %Y-%m-%d")
        assert table.loc[table["day"] == label, row.channel].iloc[0] == pytest.approx(row.fte_gross)
    assert table["Total"].iloc[-1] == pytest.approx(daily["fte_gross"].sum())
    weekly = fte_by_period(rollup(plan, by="week", interval_s=900), value="fte", by="week")
    assert weekly["week"].tolist() == ["week of Mon 2026-10-19", "week of Mon 2026-10-26", "Total"]


def test_interval_view_on_the_dst_day_and_busiest_days():
    plan = _plan()
    view = interval_view(plan, "2026-10-25")
    assert len(view) == 100  # 25 hours: 01:00-01:45 happen twice, once at +01:00 and once at +00:00
    assert view["interval_start"].tolist().count("01:15+01:00") == 1 and "01:15+00:00" in view["interval_start"].tolist()
    day = plan[plan["interval_start"].dt.date == pd.Timestamp("2026-10-25").date()]
    assert view["Total"].sum() == day["agents"].sum()
    gross = sum(r.agents / (1 - r.shrinkage) for r in day.itertuples())
    assert view["Total gross"].sum() == pytest.approx(gross, abs=0.05 * len(view))
    hours = {}
    for r in plan.itertuples():
        hours[r.interval_start.date()] = hours.get(r.interval_start.date(), 0.0) + r.agents_fractional / 4
    weeks = {}
    for d, h in hours.items():
        week = d.isocalendar()[:2]
        if week not in weeks or h > hours[weeks[week]]:
            weeks[week] = d
    assert busiest_days(plan, interval_s=900) == sorted(weeks.values())
    with pytest.raises(InputError, match="--day 2026-12-01: not in the plan"):
        interval_view(plan, "2026-12-01")


def test_every_day_from_one_pivot_is_each_day_alone():
    plan = _plan()
    plan = plan[~((plan["channel"] == "chat") & (plan["interval_start"].dt.day == 20))]  # chat closed one day
    views = interval_views(plan)
    assert [str(d) for d in views] == [str(d.date()) for d in pd.date_range("2026-10-19", "2026-11-01")]
    for day, view in views.items():  # the report's day selector shows the same table as --day
        pd.testing.assert_frame_equal(view, interval_view(plan, day), check_exact=True)
    assert len(views[pd.Timestamp("2026-10-25").date()]) == 100  # the DST day: 25 hours


def test_backtest_reports_progress_after_each_cutoff():
    from planner.forecast.backtest import backtest

    times = pd.date_range("2026-06-01", "2026-07-06", freq="h", tz="Europe/London", inclusive="left")
    history = pd.DataFrame({"interval_start": times, "channel": "phone", "offered": 5.0 + (times.hour == 9)})
    calls = []
    backtest(history, models=["seasonal_naive"], horizon="1D", n_windows=3, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_run_refuses_a_malformed_day_before_any_work():
    from click.testing import CliRunner

    from planner.cli import cli

    result = CliRunner().invoke(cli, ["run", "scenarios/base.toml", "--day", "2026-13-45"])
    assert result.exit_code == 1  # the project's one-line user error, before the scenario is even read
    assert result.output == "Error: Invalid value for --day: '2026-13-45': expected a date such as 2026-07-07\n"
