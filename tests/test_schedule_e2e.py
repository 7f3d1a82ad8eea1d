"""Schedules end to end through the command line, checked by the independent checker.

A small phone scenario with ``[[shifts]]`` runs through ``planner run``; the checker of
``tests/schedule_reference.py`` re-derives coverage and paid hours from ``shifts.csv`` with its own
arithmetic and verifies every hard rule (lengths, start windows, weekdays, break windows, opening
hours, coverage >= ceil(requirement) recomputed from ``plan.csv``). ``planner gap`` on the schedule's
own shifts reproduces its coverage; bad rosters and templates stop with one ``Error:`` line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.cli import cli
from schedule_reference import check_shifts

TZ = "Europe/London"
SCENARIO = """name = "tiny shifts"
timezone = "Europe/London"
interval = "15min"
history = "history.csv"
horizon = { start = 2026-07-06, days = 7 }
seed = 3
[channels]
phone = { kind = "voice", target_service_level = 0.8, threshold_s = 20, shrinkage = 0.2 }
[schedule]
objective = "cover"
replications = 2
[[shifts]]
name = "full"
length = "8h"
start = "08:00-10:00"
days = "Mon-Fri"
breaks = [{ length = "15min", paid = true, window = ["1.5h", "2.5h"] },
          { length = "30min", paid = false, window = ["3.5h", "5h"] }]
[[shifts]]
name = "part"
length = "4h"
start = "08:00-14:00"
days = "Mon-Sat"
breaks = [{ length = "15min", paid = true, window = ["1.5h", "2.5h"] }]
"""
TEMPLATES = {
    "full": {"length_min": 480, "paid_h": None, "first_start": "08:00", "last_start": "10:00", "step_min": 15,
             "weekdays": {0, 1, 2, 3, 4}, "breaks": [(15, 90, 150, True), (30, 210, 300, False)]},
    "part": {"length_min": 240, "paid_h": None, "first_start": "08:00", "last_start": "14:00", "step_min": 15,
             "weekdays": {0, 1, 2, 3, 4, 5}, "breaks": [(15, 90, 150, True)]},
}


def _history() -> str:
    rng = np.random.default_rng(5)
    lines = ["interval_start,channel,offered,aht_s"]
    for day in pd.date_range("2026-06-08", "2026-07-05", freq="D"):
        if day.day_of_week == 6:
            continue  # closed on Sundays
        for i in range(40):  # 08:00 to 18:00
            t = (day + pd.Timedelta(hours=8, minutes=15 * i)).tz_localize(TZ)
            mean = 18 * (1 + 0.8 * np.sin(np.pi * i / 40)) * (0.6 if day.day_of_week == 5 else 1.0)
            lines.append(f"{t.isoformat()},phone,{rng.poisson(mean)},240")
    return "\n".join(lines) + "\n"


def invoke(args: list[str], capsys) -> tuple[int, str, str]:
    try:
        cli.main(args=[str(a) for a in args], prog_name="planner")
        code = 0
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("shifts")
    (folder / "scenario.toml").write_text(SCENARIO)
    (folder / "history.csv").write_text(_history())
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["run", str(folder / "scenario.toml"), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc)


def test_the_checker_rederives_coverage_and_paid_hours_from_shifts_csv(folder):
    out = folder / "out"
    shifts = pd.read_csv(out / "shifts.csv", dtype=str)
    plan = pd.read_csv(out / "plan.csv", dtype=str)
    open_intervals = {_utc(t) for t in plan["interval_start"]}
    coverage, paid = check_shifts(shifts.assign(count=shifts["count"].astype(int)), TEMPLATES, tz=TZ,
                                  open_intervals=open_intervals)
    # requirement recomputed from plan.csv alone: heads on the floor = agents_fractional / (1 - shrinkage)
    need = {_utc(t): float(a) / (1 - float(s)) for t, a, s in zip(plan["interval_start"], plan["agents_fractional"],
                                                                 plan["shrinkage"])}
    for t, value in need.items():
        assert coverage.get(t, 0) >= np.ceil(value - 1e-9), f"{t}: {coverage.get(t, 0)} < {value}"
    table = pd.read_csv(out / "coverage.csv", dtype={"coverage": int})
    written = {_utc(t): c for t, c in zip(table["interval_start"], table["coverage"])}
    assert {t: c for t, c in coverage.items() if c} == {t: c for t, c in written.items() if c}
    summary = pd.read_csv(out / "schedule_summary.csv")
    assert paid == pytest.approx(summary["paid_hours"].sum(), abs=1e-9)
    assert summary["lp_bound"].iloc[0] <= paid + 1e-9 and summary["short_intervals"].iloc[0] == 0
    assert "Coverage against requirement per day" in (out / "report.html").read_text()
    simulated = pd.read_csv(out / "schedule_simulated.csv")
    assert set(simulated["channel"]) == {"phone"} and simulated["schedule_service_level"].between(0, 1).all()


def test_gap_on_the_schedules_own_shifts_reproduces_its_coverage(folder, capsys):
    out = folder / "out"
    code, printed, err = invoke(["gap", folder / "scenario.toml", "--roster", out / "shifts.csv", "--plan",
                                 out / "plan.csv", "--replications", "0", "--out", folder / "gap"], capsys)
    assert code == 0, err
    assert "intervals at risk: 0" in printed
    mine = pd.read_csv(folder / "gap" / "coverage.csv")
    theirs = pd.read_csv(out / "coverage.csv")
    pd.testing.assert_frame_equal(mine, theirs)


def test_gap_with_counts_per_template_places_breaks_to_cover(folder, capsys):
    shifts = pd.read_csv(folder / "out" / "shifts.csv")
    counts = shifts.groupby(["template", "start"], as_index=False)["count"].sum()
    counts.to_csv(folder / "counts.csv", index=False)
    code, printed, err = invoke(["gap", folder / "scenario.toml", "--roster", folder / "counts.csv", "--plan",
                                 folder / "out" / "plan.csv", "--replications", "0", "--out", folder / "gap2"], capsys)
    assert code == 0, err
    assert "intervals at risk: 0" in printed  # the designed placement covers, so the best placement does too


def test_gap_lists_the_intervals_at_risk_of_a_thinner_roster(folder, capsys):
    shifts = pd.read_csv(folder / "out" / "shifts.csv")
    thin = shifts.assign(count=np.maximum(shifts["count"] - 1, 0))
    thin.to_csv(folder / "thin.csv", index=False)
    code, printed, err = invoke(["gap", folder / "scenario.toml", "--roster", folder / "thin.csv", "--plan",
                                 folder / "out" / "plan.csv", "--replications", "0", "--out", folder / "gap3"], capsys)
    assert code == 0, err
    table = pd.read_csv(folder / "gap3" / "coverage.csv")
    assert table["short"].sum() > 0 and f"intervals at risk: {table['short'].sum()}" in printed
    coverage, _ = check_shifts(thin, TEMPLATES, tz=TZ)
    assert {_utc(t): c for t, c in zip(table["interval_start"], table["coverage"]) if c} == \
        {t: c for t, c in coverage.items() if c}
    short = table[table["short"]]
    assert (short["service_level"] < 0.8).any()  # the service level that coverage gives is shown


ROSTER_ERRORS = {
    "breaks that overlap": ("agent_id,start,end,breaks\na1,2026-07-06 08:00,2026-07-06 12:00,"
                            "10:00-10:30; 10:15-10:45\n",
                            "{r}:2:breaks: breaks 10:00-10:30 and 10:15-10:45 overlap; an agent takes one break at a time"),
    "a break outside its shift": ("agent_id,start,end,breaks\na1,2026-07-06 08:00,2026-07-06 12:00,10:00-10:15\n"
                                  "a2,2026-07-06 08:00,2026-07-06 12:00,13:00-13:15\n",
                                  "{r}:3:breaks: break 13:00-13:15 lies outside the shift 08:00-12:00; give it inside the shift"),
    "an agent booked twice": ("agent_id,start,end\na1,2026-07-06 08:00,2026-07-06 12:00\n"
                              "a1,2026-07-06 11:00,2026-07-06 15:00\n",
                              "{r}:3:start: agent a1's shift overlaps their shift on line 2; one agent works one shift "
                              "at a time"),
    "an end before its start": ("start,end\n2026-07-06 12:00,2026-07-06 08:00\n",
                                "{r}:2:end: 2026-07-06 08:00 is not after the start 2026-07-06 12:00"),
    "a start off the grid": ("start,end\n2026-07-06 08:05,2026-07-06 12:05\n",
                             "{r}:2:start: 2026-07-06 08:05:00+01:00 is not on the plan's 15-minute grid"),
    "a count that is not whole": ("start,end,count\n2026-07-06 08:00,2026-07-06 12:00,1.5\n",
                                  "{r}:2:count: expected a whole number >= 0, got '1.5'"),
    "a template that cannot start there": ("template,start,count\npart,2026-07-06 15:00,2\n",
                                           "{r}:2:start: template part cannot start at 2026-07-06 15:00"),
}


@pytest.mark.parametrize("case", sorted(ROSTER_ERRORS))
def test_bad_rosters_give_one_error_line(case, folder, capsys, tmp_path):
    text, expected = ROSTER_ERRORS[case]
    roster = tmp_path / "roster.csv"
    roster.write_text(text)
    code, out, err = invoke(["gap", folder / "scenario.toml", "--roster", roster, "--plan", folder / "out" / "plan.csv",
                             "--out", tmp_path / "gap"], capsys)
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert err.startswith("Error: " + expected.format(r=roster)), err
    assert not (tmp_path / "gap").exists()


TEMPLATE_ERRORS = {  # (text to change, its replacement, error): in the "part" template when it is there
    "a break window outside its shift": (
        'window = ["1.5h", "2.5h"] }]', 'window = ["1.5h", "4h"] }]',
        "{s}: shifts.part.breaks[1].window: a break starting 4h after the start ends after the shift (4h long); "
        "end the window earlier"),
    "a template that can never start": (
        'start = "08:00-14:00"', 'start = "15:00-17:00"',
        "{s}: shifts.part.start: never starts: no start on its days lies wholly inside the open hours of phone"),
    "a misspelt key": ('length = "4h"', 'lenght = "4h"', "{s}: shifts.part.lenght: unknown key (did you mean 'length'?)"),
    "overlapping break windows": ('window = ["3.5h", "5h"]', 'window = ["2h", "5h"]',
                                  "{s}: shifts.full.breaks[2].window: overlaps break 1"),
    "an unknown objective": ('objective = "cover"', 'objective = "cheap"',
                             "{s}: schedule.objective: expected one of cover, soft, service, got 'cheap'"),
    "a length off the grid": ('length = "4h"', 'length = "250min"',
                              "{s}: shifts.part.length: 250 min is not a whole number of 15-minute intervals"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_ERRORS))
def test_bad_templates_give_one_error_line(case, folder, capsys, tmp_path):
    old, new, expected = TEMPLATE_ERRORS[case]
    part = SCENARIO.index('name = "part"')
    text = SCENARIO[:part] + SCENARIO[part:].replace(old, new, 1) if old in SCENARIO[part:] \
        else SCENARIO.replace(old, new, 1)
    assert text != SCENARIO
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(text)
    (tmp_path / "history.csv").write_text((folder / "history.csv").read_text())
    code, out, err = invoke(["run", scenario, "--out", tmp_path / "out"], capsys)
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert err.startswith("Error: " + expected.format(s=scenario)), err
    assert not (tmp_path / "out").exists()
