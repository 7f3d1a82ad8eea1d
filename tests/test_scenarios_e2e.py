"""The shipped scenarios end to end: every output, targets met, reproducible, what-ifs sensible."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from planner.cli import cli
from planner.scenario import Scenario
from planner.simulate import read_plan, simulate

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.toml"
OUTPUTS = [".planner-output", "forecast.csv", "plan.csv", "confidence.csv", "daily.csv", "weekly.csv", "report.html", "manifest.json", "plan.xlsx",
           "summary.csv", "summary_weekly.csv",
           "daily_fte.png", *[f"{kind}_{c}.png" for kind in ("forecast", "agents") for c in ("phone", "chat", "email", "social")]]


def run_cli(args: list[str]) -> None:
    try:
        cli.main(args=args, prog_name="planner")
    except SystemExit as stop:
        assert stop.code == 0


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[Path, Path]:
    first = tmp_path_factory.mktemp("run") / "base"
    second = tmp_path_factory.mktemp("again") / "base"
    run_cli(["run", str(BASE), "--out", str(first), "--xlsx"])
    run_cli(["run", str(BASE), "--out", str(second)])
    return first, second


@pytest.fixture(scope="module")
def weekly_by_scenario() -> dict[str, pd.DataFrame]:
    names = ["base", "volume-plus-10", "chat-concurrency-2", "new-campaign"]
    return {name: Scenario.load(ROOT / "scenarios" / f"{name}.toml").run().daily for name in names}


def test_every_output_is_written(outputs):
    folder, _ = outputs
    assert sorted(p.name for p in folder.iterdir()) == sorted(OUTPUTS)


def test_service_level_targets_are_met_in_every_open_interval(outputs):
    plan = pd.read_csv(outputs[0] / "plan.csv")
    live = plan[plan.kind.isin(["voice", "chat"]) & (plan.offered > 0)]
    assert len(live) > 2000
    short = live[live.service_level < live.target_service_level]
    assert short.empty, short[["interval_start", "channel", "agents", "service_level"]].head()
    assert set(live.channel) == {"phone", "chat"}
    deferred = plan[plan.kind == "deferred"]
    assert (deferred.backlog >= 0).all() and set(deferred.channel) == {"email", "social"}


def test_the_first_monday_starts_from_the_weekends_email(outputs):
    """The weekend's email waits for Monday 08:00 (worked Mon-Sat, 4 business hours): the history's
    last weekend is carried into the first Monday, which is staffed like the next one."""
    plan = pd.read_csv(outputs[0] / "plan.csv")
    email = plan[plan.channel == "email"].set_index("interval_start")
    first, second = email.agents["2026-07-06 08:00:00+01:00"], email.agents["2026-07-13 08:00:00+01:00"]
    assert abs(first - second) <= 0.15 * second, (first, second)
    assert email.opening_backlog.sum() > 500 and plan[plan.channel == "social"].opening_backlog.sum() > 0


def test_deferred_channels_meet_their_target_in_a_simulation_with_not_yet_due_items_apart(outputs):
    plan = read_plan(outputs[0] / "plan.csv")
    deferred = plan[plan.kind == "deferred"].reset_index(drop=True)
    result = simulate(deferred, rng=5, replications=20).channels.set_index("channel")
    for channel in ("email", "social"):
        row = result.loc[channel]
        assert row.within_deadline_hi >= 0.99 and row.within_deadline >= 0.985, (channel, row.within_deadline)
        assert row.target_service_level == 0.99
    assert result.loc["email", "not_yet_due"] > 1000  # the last Saturday evening and Sunday: due after the end


def test_roll_ups_report_the_whole_plans_cost_over_the_fluid_bound(outputs):
    daily = pd.read_csv(outputs[0] / "daily.csv")
    email = daily[daily.channel == "email"]
    assert email.deferred_overhead.notna().any() and daily[daily.channel == "phone"].deferred_overhead.isna().all()
    plan = pd.read_csv(outputs[0] / "plan.csv")
    rows = plan[plan.channel == "email"]
    assert email.agent_hours_fluid.sum() == pytest.approx(rows.agents_fluid.sum() / 4)
    overall = rows.agents.sum() / rows.agents_fluid.sum() - 1
    assert 0.0 <= overall <= 0.10  # a large email queue: within 10% of the fluid bound


def test_rerunning_gives_byte_identical_csvs(outputs):
    first, second = outputs
    for name in ("forecast.csv", "plan.csv", "daily.csv", "weekly.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_report_is_self_contained(outputs):
    page = (outputs[0] / "report.html").read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 9
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r'(src|href)="(?!data:)', page)


def test_manifest_identifies_the_inputs(outputs):
    manifest = json.loads((outputs[0] / "manifest.json").read_text())
    names = {Path(p).name for p in manifest["inputs"]}
    assert {"base.toml", "history.csv.gz", "events.csv", "default.toml"} <= names
    assert all(len(h) == 64 for h in manifest["inputs"].values())
    assert manifest["seed"] == 1 and "numpy" in manifest["packages"]


def total(daily: pd.DataFrame, channels=None, column="fte_gross") -> float:
    rows = daily if channels is None else daily[daily.channel.isin(channels)]
    return float(rows[column].sum())


def test_ten_percent_more_volume_needs_more_but_not_ten_percent_more_live_agents(weekly_by_scenario):
    base, more = weekly_by_scenario["base"], weekly_by_scenario["volume-plus-10"]
    assert total(more, column="offered") == pytest.approx(1.1 * total(base, column="offered"), rel=1e-9)
    for channel in ("phone", "chat"):
        ratio = total(more, [channel]) / total(base, [channel])
        assert 1.0 < ratio < 1.10, (channel, ratio)  # economies of scale
    assert total(more) > total(base)


def test_lower_chat_concurrency_needs_more_chat_agents(weekly_by_scenario):
    base, two = weekly_by_scenario["base"], weekly_by_scenario["chat-concurrency-2"]
    assert total(two, ["chat"]) > 1.1 * total(base, ["chat"])
    assert total(two, ["phone"]) == pytest.approx(total(base, ["phone"]))


def test_a_new_campaign_raises_phone_staffing_on_its_days(weekly_by_scenario):
    base, campaign = weekly_by_scenario["base"], weekly_by_scenario["new-campaign"]
    days = {pd.Timestamp(d).date() for d in ("2026-07-14", "2026-07-15", "2026-07-16")}
    on = lambda d: d[d.period.isin(days) & (d.channel == "phone")]  # noqa: E731
    assert total(on(campaign)) > 1.1 * total(on(base))
    off = lambda d: d[~d.period.isin(days)]  # noqa: E731
    assert total(off(campaign)) == pytest.approx(total(off(base)), rel=0.02)
