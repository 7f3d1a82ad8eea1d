"""Segments, campaigns and blends in plans, scenarios, roll-ups, reports and ``planner simulate``."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import planner as pl
from planner.cli import cli
from planner.report import rollup
from planner.simulate import read_plan, simulate
from planner.staffing import blend, outbound, priority

STARTS = pd.date_range("2026-07-06 08:00", periods=48, freq="15min", tz="Europe/London")
SEGMENTS = {"vip": {"share": 0.25, "target_service_level": 0.95, "threshold_s": 10}, "standard": {"share": 0.75}}


def forecast(offered=150.0):
    return pd.DataFrame({"interval_start": STARTS, "channel": "phone", "offered": offered, "aht_s": 240.0})


def test_a_segmented_channel_has_one_row_per_segment_sharing_the_agents():
    phone = pl.Voice(target_service_level=0.8, threshold_s=20, shrinkage=0.3, segments=SEGMENTS)
    plan = pl.staff(forecast(np.linspace(40, 200, 48)), {"phone": phone})
    assert len(plan) == 96 and plan["segment"].tolist()[:2] == ["vip", "standard"]
    vip, standard = plan[plan.segment == "vip"], plan[plan.segment == "standard"]
    assert np.array_equal(vip["agents"].to_numpy(), standard["agents"].to_numpy())
    loads = np.vstack([vip["load_erlangs"], standard["load_erlangs"]])
    aht = vip["aht_s"].to_numpy()
    expected = priority.required_agents(loads, aht, target_service_level=[[0.95], [0.8]], threshold_s=[[10], [20]])
    assert np.array_equal(vip["agents"].to_numpy(), expected)
    assert (vip["service_level"] >= 0.95).all() and (standard["service_level"] >= 0.8).all()
    exact = priority.segment_metrics(expected, loads, aht, [[10], [20]])
    np.testing.assert_allclose(standard["priority_tax"], exact.priority_tax[1], rtol=1e-12)
    assert (standard["priority_tax"] > 0).all() and (vip["priority_tax"] < 0).all()
    assert plan.groupby("interval_start")["offered"].sum().to_numpy() == pytest.approx(np.linspace(40, 200, 48))
    day = rollup(plan, interval_s=900)
    assert day["agent_hours"].iloc[0] == pytest.approx(vip["agents_fractional"].sum() / 4, rel=1e-12)  # counted once
    assert day["peak_agents"].iloc[0] == vip["agents"].max()


def test_segments_with_patience_warn_that_staffing_ignores_abandonment():
    phone = pl.Voice(target_service_level=0.8, threshold_s=20, patience_s=120, segments=SEGMENTS)
    with pytest.warns(pl.PlannerWarning, match="segments vip, standard have patience_s"):
        plan = pl.staff(forecast(), {"phone": phone})
    assert plan["abandon_rate"].isna().all() and (plan["patience_s"] == 120).all()


def test_a_blended_campaign_shares_the_inbound_agents():
    phone = pl.Voice(target_service_level=0.8, threshold_s=20, shrinkage=0.3)
    renewals = pl.Outbound(list_size=3000, dials_per_hour=15, aht_s=240, rpc_rate=0.35, deadline=dt.date(2026, 7, 6),
                           calling_window="10:00-16:00", blend="phone")
    plan = pl.staff(forecast(), {"phone": phone, "renewals": renewals})
    calls = plan[(plan.channel == "renewals") & (plan.offered > 0)]
    shared = plan[(plan.channel == "phone") & plan.interval_start.isin(calls.interval_start)]
    assert (calls["agents"] == 0).all() and (calls["blend"] == "phone").all()
    need = 3000 / 6 / 15  # dials an hour / dials per agent-hour
    r = blend.requirement(shared["load_erlangs"].to_numpy(), 240.0, need, target_service_level=0.8, threshold_s=20)
    assert np.array_equal(shared["agents"].to_numpy(), r["agents"])
    assert np.array_equal(shared["idle_threshold"].to_numpy(), r["idle_threshold"])
    assert (shared["service_level"] >= 0.8).all() and (calls["outbound_agents"].to_numpy() >= need).all()
    alone = plan[(plan.channel == "phone") & ~plan.interval_start.isin(calls.interval_start)]
    assert (alone["idle_threshold"] == alone["agents"]).all()
    assert shared["agents"].max() < pl.erlang.required_agents(40.0, 240.0, target_service_level=0.8, threshold_s=20) + need


SCENARIO = """
name = "segments and campaigns"
timezone = "Europe/London"
interval = "1h"
history = "history.csv"
horizon = {{ start = 2026-06-29, days = 7 }}

[channels]
phone = {{ kind = "voice", target_service_level = 0.8, threshold_s = 20 }}
chat = {{ kind = "chat", target_service_level = 0.8, threshold_s = 40, concurrency = 2, segments = {{ gold = {{ share = 0.3, target_service_level = 0.9 }}, other = {{ share = 0.7 }} }} }}
{extra}
"""
CAMPAIGNS = """
[channels.renewals]
kind = "outbound"
list_size = 2000
rpc_rate = 0.35
dials_per_hour = 15
aht_s = "4min"
calling_window = "10:00-16:00"
calling_days = "Mon-Fri"
deadline = 2026-07-03

[channels.winback]
kind = "outbound"
list_size = 3000
rpc_rate = 0.3
connect_rate = 0.4
dialler = "predictive"
dials_per_hour = 25
aht_s = "5min"
deadline = 2026-07-04

[[blend]]
inbound = "phone"
outbound = "renewals"
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario")
    lines = [f"2026-06-{d:02d} {h:02d}:00,{c},{n + h},{a}\n" for d in range(1, 29) for h in range(9, 17)
             for c, n, a in (("phone", 40, 240), ("chat", 20, 400))]
    (path / "history.csv").write_text("interval_start,channel,offered,aht_s\n" + "".join(lines))
    (path / "plan.toml").write_text(SCENARIO.format(extra=CAMPAIGNS))
    return path


def test_a_scenario_with_segments_campaigns_and_a_blend_runs_and_simulates_unchanged(folder):
    out = folder / "out"
    result = CliRunner().invoke(cli, ["run", str(folder / "plan.toml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    segments = pd.read_csv(out / "segments.csv")
    assert segments[["channel", "segment"]].values.tolist() == [["chat", "gold"], ["chat", "other"]]
    assert (segments["service_level"] >= segments["target_service_level"]).all()
    campaigns = pd.read_csv(out / "campaigns.csv")
    assert campaigns.groupby("channel")["dials"].sum().to_dict() == pytest.approx({"renewals": 2000.0, "winback": 3000.0})
    assert (campaigns["drop_rate"].fillna(0) <= 0.03).all()
    page = (out / "report.html").read_text()
    assert "priority_tax" in page and "penetration" in page
    plan = read_plan(out / "plan.csv")
    sim = simulate(plan, rng=1, replications=2)
    assert set(sim.channels["channel"]) == {"phone", "chat", "renewals", "winback"}
    assert sim.channels.loc[sim.channels.channel == "chat", "segment"].tolist() == ["gold", "other"]
    assert sim.channels.loc[sim.channels.channel == "renewals", "outbound_agents"].iloc[0] > 0


@pytest.mark.parametrize("extra,message", [
    ("", None),
    ('line = { kind = "voice", segments = { vip = { share = 0.25, target_service_level = 0.9, threshold_s = 10 }, '
     'standard = { share = 0.65, target_service_level = 0.8, threshold_s = 20 } } }',
     "channels.line.segments: the shares add up to 0.9 (vip 0.25, standard 0.65), not 1; each is the segment's "
     "share of the channel's contacts"),
    ('line = { kind = "voice", target_service_level = 0.8, threshold_s = 20, segments = { vip = { share = 0.25, '
     'treshold_s = 5 }, standard = { share = 0.75 } } }',
     "channels.line.segments.vip.treshold_s: unknown key (did you mean 'threshold_s'?)"),
    ('line = { kind = "voice", segments = { vip = { share = 0.25, threshold_s = 5 }, standard = { share = 0.75 } } }',
     "channels.line.segments.vip.target_service_level: missing; give it for the segment or for the channel"),
    ('calls = { kind = "outbound", rpc_rate = 0.3, dials_per_hour = 20, aht_s = 300, deadline = 2026-07-03 }',
     "channels.calls.list_size: missing; an outbound campaign needs it, e.g. list_size = 12000 (records to call)"),
    ('[[blend]]\ninbound = "phone"\noutbound = "chat"',
     "blend.0.outbound: chat is not an outbound channel; a blend pairs a voice channel (inbound) with an outbound campaign"),
])
def test_bad_scenarios_are_one_error_line_naming_the_key(folder, extra, message):
    path = folder / "bad.toml"
    path.write_text(SCENARIO.format(extra=extra))
    result = CliRunner().invoke(cli, ["check", str(path)])
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: {message}\n"


def test_an_idle_threshold_above_the_agents_in_a_plan_is_one_error_line(tmp_path):
    plan = pd.DataFrame({"interval_start": STARTS[:2], "channel": "phone", "kind": "voice", "offered": 75.0,
                         "aht_s": 240.0, "agents": [30, 30], "threshold_s": 20.0, "idle_threshold": [3, 35]})
    path = tmp_path / "plan.csv"
    plan.to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {path}:3:idle_threshold: expected at most the agents (30), got 35; "
                             "at idle_threshold = agents no outbound call starts\n")


def test_the_campaign_table_counts_the_whole_list(folder):
    scenario = pl.Scenario.load(folder / "plan.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pl.PlannerWarning)
        plan = scenario.run().plan
    by_day = outbound.penetration(plan, interval_s=3600)
    assert by_day.groupby("channel")["penetration"].max().to_dict() == pytest.approx({"renewals": 1.0, "winback": 1.0})


def test_chat_segments_without_slowdown_are_priority_on_every_slot_and_the_simulator_agrees():
    """Flat chat durations make the chat chain Erlang C on N k slots, so the segments' waits are
    planner.priority's on N k servers; the simulator's class-aware chat loop agrees (99.9% intervals)."""
    chat = pl.Chat(target_service_level=0.8, threshold_s=30, concurrency=2, method="sipp", segments={
        "gold": {"share": 0.3, "target_service_level": 0.9, "threshold_s": 15}, "other": {"share": 0.7}})
    rows = pd.DataFrame({"interval_start": pd.date_range("2026-07-06", periods=96, freq="15min", tz="Europe/London"),
                         "channel": "chat", "offered": 60.0, "aht_s": 300.0})
    plan = pl.staff(rows, {"chat": chat})
    gold, other = plan[plan.segment == "gold"].iloc[0], plan[plan.segment == "other"].iloc[0]
    load = 60.0 * 300.0 / 900.0
    exact = priority.segment_metrics(2 * gold["agents"], [0.3 * load, 0.7 * load], 300.0, [15.0, 30.0])
    np.testing.assert_allclose([gold["service_level"], other["service_level"]], exact.service_level, rtol=1e-9)
    needed = priority.required_agents([0.3 * load, 0.7 * load], 300.0, target_service_level=[0.9, 0.8],
                                      threshold_s=[15.0, 30.0])
    assert gold["agents"] == -(-needed // 2)  # whole agents of 2 slots each
    sim = simulate(plan, rng=np.random.default_rng(8), replications=12, level=0.999, warmup_s=7200.0)
    for k, row in enumerate(sim.channels.sort_values("segment").itertuples()):  # gold, other
        assert row.service_level_lo <= exact.service_level[k] <= row.service_level_hi


def test_a_schedule_keeps_every_segment_of_a_pool_and_plays_a_blended_campaign_with_its_agents():
    from planner.schedule import Schedule, ShiftTemplate, ScheduleSpec, design, scheduled_plan, simulate_schedule
    from planner.schedule.service import shared_pool

    def heads(plan, channel):  # coverage = the plan's own agents, in heads on the floor
        rows = plan[plan.channel == channel].drop_duplicates("interval_start")
        return pd.DataFrame({"interval_start": rows["interval_start"].to_numpy(), "group": channel,
                             "coverage": rows["agents"].to_numpy()})

    segmented = pl.staff(forecast(120.0), {"phone": pl.Voice(target_service_level=0.8, threshold_s=20,
                                                               segments=SEGMENTS)})
    schedule = Schedule(shifts=pd.DataFrame(), coverage=heads(segmented, "phone"), daily=pd.DataFrame(),
                        summary=pd.DataFrame())
    given = scheduled_plan(segmented, schedule)
    assert given[["interval_start", "segment", "agents"]].equals(segmented[["interval_start", "segment", "agents"]])
    table = simulate_schedule(segmented, schedule, replications=2, rng=1)
    assert table["segment"].tolist() == ["vip", "standard"]
    hours = segmented.drop_duplicates("interval_start")["agents"].sum() / 4
    assert table["plan_agent_hours"].tolist() == [hours, hours] == table["schedule_agent_hours"].tolist()
    assert shared_pool(segmented) == "has segments"
    template = ShiftTemplate(name="day", channels=("phone",), length_s=12 * 3600, earliest_start_s=8 * 3600,
                             latest_start_s=8 * 3600)
    with pytest.raises(pl.PlannerError, match='"service" models one queue; phone has segments'):
        design(segmented, ScheduleSpec(templates=(template,), objective="service"))
    assert design(segmented, ScheduleSpec(templates=(template,))).coverage["service_level"].isna().all()

    phone = pl.Voice(target_service_level=0.8, threshold_s=20)
    renewals = pl.Outbound(list_size=3000, dials_per_hour=15, aht_s=240, rpc_rate=0.35, deadline=dt.date(2026, 7, 6),
                           calling_window="10:00-16:00", blend="phone")
    plan = pl.staff(forecast(), {"phone": phone, "renewals": renewals})
    shared = plan[(plan.channel == "phone") & (plan["idle_threshold"] < plan["agents"])]
    fewer = heads(plan, "phone").assign(coverage=lambda f: np.maximum(f["coverage"] - 8, 0))
    given = scheduled_plan(plan, Schedule(shifts=pd.DataFrame(), coverage=fewer, daily=pd.DataFrame(),
                                          summary=pd.DataFrame()))
    assert (given["idle_threshold"] <= given["agents"]).all()  # a threshold above the agents starts no call
    table = simulate_schedule(plan, Schedule(shifts=pd.DataFrame(), coverage=heads(plan, "phone"),
                                             daily=pd.DataFrame(), summary=pd.DataFrame()), replications=3, rng=2)
    alone = simulate(plan[plan.channel == "phone"], rng=2, replications=3).channels
    assert table["channel"].tolist() == ["phone"]  # the campaign is played, not reported
    assert table["plan_service_level"].iloc[0] < alone["service_level"].iloc[0] - 0.02  # outbound calls take agents
    assert len(shared) and shared_pool(plan[plan.channel == "phone"]) == "blends outbound calls"


def test_the_channel_summary_weighs_the_segments_targets_by_their_volume():
    plan = pl.staff(forecast(120.0), {"phone": pl.Voice(target_service_level=0.8, threshold_s=20, segments=SEGMENTS)})
    summary = pl.report.summary_table(plan, rollup(plan, by="week", interval_s=900))
    assert summary["target_service_level"].iloc[0] == pytest.approx(0.25 * 0.95 + 0.75 * 0.8, rel=1e-12)
    assert summary["service_level"].iloc[0] >= summary["target_service_level"].iloc[0]
