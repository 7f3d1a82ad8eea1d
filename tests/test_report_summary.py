"""The planner's summary (planner/report/summary.py) against a brute force over the plan's rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.report.summary import TOTAL, display_summary, planner_summary, short_summary


def _plan(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2026-07-06 08:00", "2026-07-19 20:00", freq="30min", tz="Europe/London")
    starts = starts[(starts.hour >= 8) & (starts.hour < 20)]
    frames = []
    for channel, kind, target in (("phone", "voice", 0.8), ("chat", "chat", 0.8), ("email", "deferred", 0.95)):
        n = len(starts)
        frames.append(pd.DataFrame({
            "interval_start": starts, "channel": channel, "kind": kind, "offered": rng.uniform(0, 50, n),
            "agents": rng.integers(1, 30, n), "agents_fractional": rng.uniform(1, 30, n),
            "shrinkage": 0.25, "service_level": rng.uniform(0.75, 1.0, n), "target_service_level": target,
            "asa_s": rng.uniform(1, 30, n), "abandon_rate": rng.uniform(0, 0.1, n)}))
    return pd.concat(frames, ignore_index=True)


def test_summary_equals_a_brute_force():
    plan = _plan()
    summary = planner_summary(plan, interval_s=1800, paid_hours_per_day=7.5, paid_days_per_week=5)
    weeks = plan["interval_start"].dt.normalize().nunique() / 7.0
    for channel in ("phone", "chat", "email"):
        rows = [r for r in plan.itertuples() if r.channel == channel]
        row = summary[summary["channel"] == channel].iloc[0]
        hours = sum(r.agents_fractional * 0.5 for r in rows)
        assert row.fte == pytest.approx(hours / (7.5 * 5 * weeks))
        assert row.fte_gross == pytest.approx(hours / 0.75 / (7.5 * 5 * weeks))
        peak = max(rows, key=lambda r: r.agents)
        assert row.peak_agents == peak.agents
        assert row.peak_at == peak.interval_start.strftime("%a %d %b %H:%M")
        sl = sum(r.offered * r.service_level for r in rows) / sum(r.offered for r in rows)
        column = "within_deadline" if channel == "email" else "service_level"
        assert row[column] == pytest.approx(sl)
        assert row.gap_pts == pytest.approx(100 * (sl - rows[0].target_service_level))
        if channel == "email":  # days whose share within the deadline is under target
            days = {}
            for r in rows:
                d = days.setdefault(r.interval_start.date(), [0.0, 0.0])
                d[0] += r.offered * r.service_level
                d[1] += r.offered
            low = sorted(day for day, (a, b) in days.items() if a / b < 0.95 - 5e-4)
            assert row.at_risk == len(low)
            assert np.isnan(row.asa_s)
        else:
            low = [r for r in rows if r.service_level < 0.8 - 5e-4 and r.offered > 0]
            assert row.at_risk == len(low)
            assert row.asa_s == pytest.approx(sum(r.offered * r.asa_s for r in rows) / sum(r.offered for r in rows))
            assert row.verdict.startswith(f"at risk: {len(low)} intervals below 80% (first ")
    total = summary[summary["channel"] == TOTAL].iloc[0]
    together = plan.groupby("interval_start")["agents"].sum()
    assert total.peak_agents == together.max()
    assert total.fte == pytest.approx(summary["fte"].iloc[:3].sum())
    assert total.verdict.startswith("3 of 3 channels at risk")


def test_summary_per_week_adds_up_and_meets_target_when_every_interval_does():
    plan = _plan().assign(service_level=0.97)
    weekly = planner_summary(plan, interval_s=1800, by="week")
    assert list(weekly["week"].astype(str).unique()) == ["2026-07-06", "2026-07-13"]
    assert (weekly.loc[weekly["channel"] != TOTAL, "verdict"] == "meets target").all()
    assert weekly.loc[weekly["channel"] == TOTAL, "verdict"].tolist() == ["all 3 channels meet target"] * 2
    horizon = planner_summary(plan, interval_s=1800)
    per_week = weekly[weekly["channel"] == "phone"]["fte"].mean()  # two full weeks: the mean of the weeks
    assert horizon.loc[horizon["channel"] == "phone", "fte"].iloc[0] == pytest.approx(per_week)
    shown = display_summary(horizon)
    assert shown.loc[0, "within deadline (target, gap)"] == ""  # chat is live
    assert "(95%, +2.0 pts)" in shown.loc[shown["channel"] == "email", "within deadline (target, gap)"].iloc[0]
    assert list(short_summary(horizon).columns)[:3] == ["channel", "FTE net", "FTE gross"]
