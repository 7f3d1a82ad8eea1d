"""Roll-ups sum fractional requirements once; outputs appear whole or not at all."""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError
from planner.report import OutputFolder, daily_fte_figure, report_html, rollup, staffing_heatmap


def plan_frame():
    starts = pd.date_range("2026-07-06 00:00", periods=96 * 8, freq="15min", tz="Europe/London")
    rng = np.random.default_rng(3)
    fractional = rng.uniform(0.2, 30.0, starts.size)
    phone = pd.DataFrame({"interval_start": starts, "channel": "phone", "offered": rng.uniform(0, 100, starts.size),
                          "aht_s": 300.0, "agents_fractional": fractional, "agents": np.ceil(fractional),
                          "shrinkage": 0.3, "service_level": rng.uniform(0.8, 1.0, starts.size),
                          "abandon_rate": rng.uniform(0, 0.05, starts.size)})
    email = phone.assign(channel="email", service_level=np.nan, abandon_rate=0.0, shrinkage=0.2)
    return pd.concat([phone, email], ignore_index=True)


def test_daily_rollup_sums_fractional_agents_before_rounding():
    plan = plan_frame()
    daily = rollup(plan, interval_s=900)
    phone = daily[daily.channel == "phone"].reset_index(drop=True)
    first = plan[(plan.channel == "phone") & (plan.interval_start.dt.day == 6)]
    assert phone.agent_hours[0] == pytest.approx(first.agents_fractional.sum() / 4)
    assert phone.agent_hours[0] < first.agents.sum() / 4  # rounding every interval up inflates
    assert phone.fte[0] == pytest.approx(phone.agent_hours[0] / 8)
    assert phone.fte_gross[0] == pytest.approx(phone.fte[0] / 0.7)
    weighted = (first.offered * first.service_level).sum() / first.offered.sum()
    assert phone.service_level[0] == pytest.approx(weighted)
    assert phone.workload_hours[0] == pytest.approx((first.offered * 300).sum() / 3600)
    assert daily[daily.channel == "email"].service_level.isna().all()  # deferred: no live SL


def test_weekly_fte_uses_a_working_week():
    plan = plan_frame()
    weekly = rollup(plan, by="week", interval_s=900)
    week = weekly[(weekly.channel == "phone")].iloc[0]
    hours = plan[(plan.channel == "phone") & (plan.interval_start < "2026-07-13")].agents_fractional.sum() / 4
    assert week.agent_hours == pytest.approx(hours)
    assert week.fte == pytest.approx(hours / 40)
    assert str(week.period) == "2026-07-06"  # weeks are labelled by their Monday
    with pytest.raises(InputError, match="^by: expected 'day' or 'week', got 'month'$"):
        rollup(plan, by="month", interval_s=900)


def test_output_folder_is_atomic(tmp_path):
    target = tmp_path / "out" / "base"
    with OutputFolder(target, protect=[]) as out:
        out.write_text("a.txt", "first")
    with pytest.raises(RuntimeError):
        with OutputFolder(target, protect=[]) as out:
            out.write_text("a.txt", "second")
            raise RuntimeError("the run failed half way")
    assert (target / "a.txt").read_text() == "first"  # the previous output survives intact
    assert [p.name for p in target.parent.iterdir()] == ["base"]  # no half-written folder left


def test_output_folder_refuses_to_overwrite_inputs(tmp_path):
    data = tmp_path / "scenarios" / "data"
    data.mkdir(parents=True)
    with pytest.raises(InputError, match="would overwrite the input"):
        OutputFolder(tmp_path / "scenarios", protect=[data / "history.csv"])


def test_report_is_one_self_contained_file():
    plan = plan_frame()
    daily = rollup(plan, interval_s=900)
    from planner.report import figure_png

    page = report_html(title="Plan", meta="m", sections=[
        ("Daily", [daily, (figure_png(daily_fte_figure(daily)), "daily FTE")]),
        ("Heatmap", [(figure_png(staffing_heatmap(plan, channel="phone")), "heatmap")]),
    ])
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2 and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r'(src|href)="(?!data:)', page)  # nothing loaded from outside the file
