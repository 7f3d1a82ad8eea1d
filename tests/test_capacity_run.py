"""planner capacity end to end on a tiny scenario: the weekly table, the identity with the interval
plan over common weeks, what-ifs, and bad input as one Error line naming the key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli

SCENARIO = '''
name = "tiny capacity"
timezone = "Europe/London"
interval = "1h"
history = "history.csv"
horizon = { start = 2026-06-29, days = 14 }
[channels]
phone = { kind = "voice", target_service_level = 0.8, threshold_s = 20, shrinkage = 0.3 }
chat = { kind = "chat", target_service_level = 0.8, threshold_s = 40, concurrency = 2, shrinkage = 0.3 }
[capacity]
weeks = 8
paths = 200
[capacity.groups.all]
channels = ["phone", "chat"]
headcount = 9
attrition_per_week = { training = 0.05, first_90_days = 0.02, tenured = 0.01 }
training_weeks = 2
ramp = { kind = "table", table = [0.5, 0.8] }
class_cap = 6
class_every_weeks = 2
lead_time_weeks = 2
max_overtime = 0.05
'''


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("capacity")
    days = pd.date_range("2026-01-05", "2026-06-28", freq="D")
    rng = np.random.default_rng(0)
    rows = []
    for k, day in enumerate(days):
        for hour in range(9, 17):
            level = 1 + 0.002 * k
            rows.append((f"{day:%Y-%m-%d} {hour:02d}:00", "phone", rng.poisson(30 * level), 240.0))
            rows.append((f"{day:%Y-%m-%d} {hour:02d}:00", "chat", rng.poisson(12 * level), 400.0))
    pd.DataFrame(rows, columns=["interval_start", "channel", "offered", "aht_s"]).to_csv(folder / "history.csv", index=False)
    (folder / "plan.toml").write_text(SCENARIO)
    return folder


def test_capacity_plan_matches_interval_plan_over_common_weeks(folder):
    from planner.capacity_run import capacity_plan
    from planner.scenario import Scenario

    scenario = Scenario.load(folder / "plan.toml")
    result = capacity_plan(scenario)
    table = result.table
    assert len(table) == 8 and {"required_fte", "required_fte_net", "planned_fte", "net_fte", "gap_fte", "gap_percent",
                                 "hires_starting", "overtime_fte", "cost", "p_short"} <= set(table.columns)
    weekly = scenario.run().weekly  # the interval plan, rolled up by week
    common = weekly.groupby("period")["fte_gross"].sum()
    got = table.set_index("week_start")["required_fte"].reindex(common.index)
    np.testing.assert_allclose(got.to_numpy(), common.to_numpy(), rtol=0.005)
    # the engine (template week re-staffed at other volumes) agrees with the interval plan too
    assert result.consistency["difference_percent"].abs().max() < 0.5
    assert (table["required_fte"] >= table["required_fte_net"]).all()


@pytest.mark.parametrize("extra,key", [
    ("class_weeks = [1, 4]\n", "capacity.groups.all.class_weeks: a class starts in week 1, before the recruiting lead time"),
    ("ramp = { kind = \"table\", table = [0.5, 1.3] }\n", "capacity.groups.all.ramp.table: proficiency above 1"),
    ("attrition_per_week = { tenured = -0.01 }\n", "capacity.groups.all.attrition_per_week.tenured: expected a weekly rate >= 0"),
])
def test_bad_group_is_one_error_naming_the_key(folder, extra, key):
    text = SCENARIO.replace("max_overtime = 0.05\n", "max_overtime = 0.05\n" + extra)
    for line in extra.splitlines():  # the extra key replaces the scenario's own
        name = line.split(" = ")[0]
        text = "\n".join(l for l in text.splitlines() if not l.startswith(name + " = ")) + "\n" + line + "\n"
    (folder / "bad.toml").write_text(text)
    result = CliRunner().invoke(cli, ["capacity", str(folder / "bad.toml"), "--out", str(folder / "out-bad")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and key in result.output and result.output.count("\n") == 1


def test_shifted_share_above_100_percent_names_the_key(folder):
    (folder / "shift.toml").write_text(SCENARIO + '[channel_shift]\nfrom = "phone"\nto = "chat"\nshare = 150\n')
    result = CliRunner().invoke(cli, ["capacity", str(folder / "shift.toml"), "--out", str(folder / "out-shift")])
    assert result.exit_code == 1
    assert "channel_shift.share: 150 is not a share: a percent is at most 100" in result.output


def test_channel_shift_and_launch_move_volume_without_losing_it(folder):
    import datetime as dt

    from planner.capacity_run import _what_ifs
    from planner.scenario import Scenario

    weeks = [dt.date(2026, 6, 29) + dt.timedelta(weeks=k) for k in range(6)]
    weekly = pd.DataFrame({"week_start": weeks * 2, "channel": ["phone"] * 6 + ["chat"] * 6,
                           "offered": [1000.0] * 6 + [400.0] * 6, "aht_s": [240.0] * 6 + [400.0] * 6})
    base = Scenario.load(folder / "plan.toml")
    shifted = _what_ifs(base.replace(channel_shift={"from": "phone", "to": "chat", "share": 0.10, "start": weeks[1],
                                                    "weeks": 2, "aht_s": 300}), weekly, weeks)
    phone = shifted[shifted["channel"] == "phone"]["offered"].to_numpy()
    np.testing.assert_allclose(phone, [1000, 950, 900, 900, 900, 900])  # 10% over two weeks from week 1
    np.testing.assert_allclose(shifted.groupby("week_start")["offered"].sum(), 1400.0)  # nothing lost
    chat = shifted[shifted["channel"] == "chat"]
    np.testing.assert_allclose(chat["aht_s"].iloc[2], (400 * 400 + 100 * 300) / 500)  # blended AHT
    launched = _what_ifs(base.replace(launch={"name": "whatsapp", "like": "chat", "start": weeks[2], "ramp_weeks": 2,
                                              "new_per_week": 50, "shares": {"phone": 0.05}, "aht_s": 500}), weekly, weeks)
    new = launched[launched["channel"] == "whatsapp"]["offered"].to_numpy()
    np.testing.assert_allclose(new, [0, 0, 25 + 25, 50 + 50, 100, 100])  # new demand + 5% of phone, ramped
    np.testing.assert_allclose(launched.groupby("week_start")["offered"].sum() - 1400.0, [0, 0, 25, 50, 50, 50])


def test_shrinkage_per_week_beats_the_month_and_the_channels(folder):
    """``shrinkage_by_week`` (week number or Monday) and ``shrinkage_by_month``: the week's required FTE
    with shrinkage is its net FTE / (1 - shrinkage), the week's value winning over the month's, in the
    interval plan's weeks too; other weeks keep the channels' own 30%."""
    from planner.capacity_run import capacity_plan
    from planner.scenario import Scenario

    plain = capacity_plan(Scenario.load(folder / "plan.toml")).table.set_index("week_start")
    text = SCENARIO.replace("paths = 200\n", "paths = 200\nshrinkage_by_month = { 8 = 0.35 }\n"
                            "shrinkage_by_week = { 0 = 0.5, 2026-08-10 = 0.4 }\n")
    (folder / "weekly-shrinkage.toml").write_text(text)
    table = capacity_plan(Scenario.load(folder / "weekly-shrinkage.toml")).table.set_index("week_start")
    weeks = [pd.Timestamp(w).date() for w in table.index]
    expected = {weeks[0]: 0.5, pd.Timestamp("2026-08-10").date(): 0.4}
    expected.update({w: 0.35 for w in weeks if w.month == 8 and w not in expected})
    for week, row in table.iterrows():
        np.testing.assert_allclose(row["required_fte_net"], plain.loc[week, "required_fte_net"], rtol=1e-12)
        share = expected.get(pd.Timestamp(week).date())
        if share is None:
            np.testing.assert_allclose(row["required_fte"], plain.loc[week, "required_fte"], rtol=1e-12)
        else:  # both channels at the week's shrinkage
            np.testing.assert_allclose(row["required_fte"], row["required_fte_net"] / (1 - share), rtol=1e-9)
    assert len(expected) >= 4  # week 0, 2026-08-10 and at least two more August weeks


@pytest.mark.parametrize("setting,message", [
    ("shrinkage_by_week = { 99 = 0.4 }", "capacity.shrinkage_by_week.99: expected a week number 0..7 or the Monday"),
    ("shrinkage_by_week = { 2026-07-01 = 0.4 }", "capacity.shrinkage_by_week.2026-07-01: expected a week number 0..7"),
    ("shrinkage_by_week = { 2 = 1.0 }", "capacity.shrinkage_by_week.2: shrinkage 1.0 leaves no productive time"),
    ("shrinkage_by_week = { 2 = -0.1 }", "capacity.shrinkage_by_week.2: expected a share >= 0"),
    ("shrinkage_by_month = { 13 = 0.3 }", "capacity.shrinkage_by_month.13: expected a month number 1..12"),
])
def test_bad_shrinkage_key_is_one_error_naming_it(folder, setting, message):
    (folder / "bad-shrinkage.toml").write_text(SCENARIO.replace("paths = 200\n", f"paths = 200\n{setting}\n"))
    result = CliRunner().invoke(cli, ["capacity", str(folder / "bad-shrinkage.toml"), "--out", str(folder / "out-bs")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output and result.output.count("\n") == 1, result.output
