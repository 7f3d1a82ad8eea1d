"""Shift design proven against independent references (tests/schedule_reference.py).

- The MILP optimum equals exhaustive search on tiny instances (one day, 8-12 intervals, 2 templates,
  up to 2 positions per break), and the implicit break model's optimum equals the explicit model's
  (one column per start and break combination) on random small instances: 40 here, 200 in
  ``tests/benchmarks/bench_schedule.py``.
- Every hard rule and the paid hours are re-derived from the shifts table by the independent checker.
- One-interval templates without breaks give coverage = ceil(requirement) exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError, SpecError
from planner.schedule import Break, ScheduleSpec, ShiftTemplate, Tour, design
from schedule_reference import brute_force, check_shifts, explicit_optimum

TZ = "Europe/London"
DAY = "2026-07-06"  # a Monday
FIRST_H = 8


def random_instance(rng: np.random.Generator, *, intervals=(8, 12), max_positions=2, max_need=2.0) -> dict:
    """One day of 15-minute intervals from 08:00, two templates with up to two breaks each."""
    T = int(rng.integers(intervals[0], intervals[1] + 1))
    templates = []
    for name in ("a", "b"):
        length = int(rng.integers(2, min(8, T) + 1))
        breaks, cursor = [], 1
        for _ in range(int(rng.integers(0, 3))):
            blen = int(rng.integers(1, 3))
            positions = int(rng.integers(1, max_positions + 1))
            if cursor + positions - 1 + blen > length - 1:
                break
            breaks.append((blen, cursor, cursor + positions - 1, bool(rng.integers(0, 2))))
            cursor += positions - 1 + blen
        step = int(rng.integers(1, 3))
        first = int(rng.integers(0, 2))
        last = T - length
        if last < first:
            first = last = 0
        unpaid = sum(b[0] for b in breaks if not b[3])
        templates.append({"name": name, "length": length, "first": first, "last": last, "step": step,
                          "starts": list(range(first, last + 1, step)), "breaks": breaks,
                          "paid": (length - unpaid) / 4.0})
    need = np.round(rng.uniform(0, max_need, T), 2)
    instance = {"requirement": need.tolist(), "templates": templates}
    from schedule_reference import explicit_columns

    coverable = set().union(*(covered for _, covered, _ in explicit_columns(instance)))
    instance["requirement"] = [v if t in coverable else 0.0 for t, v in enumerate(need)]
    return instance


def to_planner(instance: dict) -> tuple[pd.DataFrame, ScheduleSpec]:
    starts = pd.date_range(f"{DAY} {FIRST_H:02d}:00", periods=len(instance["requirement"]), freq="15min", tz=TZ)
    plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
                         "agents_fractional": instance["requirement"], "shrinkage": 0.0})
    templates = tuple(
        ShiftTemplate(name=t["name"], channels=("phone",), length_s=t["length"] * 900.0,
                      earliest_start_s=FIRST_H * 3600 + t["first"] * 900.0,
                      latest_start_s=FIRST_H * 3600 + t["last"] * 900.0, step_s=t["step"] * 900.0,
                      breaks=tuple(Break(length_s=b[0] * 900.0, paid=b[3], earliest_s=b[1] * 900.0,
                                         latest_s=b[2] * 900.0) for b in t["breaks"]))
        for t in instance["templates"])
    return plan, ScheduleSpec(templates=templates, mip_rel_gap=0.0)


def reference_templates(instance: dict) -> dict:
    return {t["name"]: {"length_min": 15 * t["length"], "paid_h": None, "step_min": 15 * t["step"],
                        "first_start": f"{FIRST_H + t['first'] // 4:02d}:{15 * (t['first'] % 4):02d}",
                        "last_start": f"{FIRST_H + t['last'] // 4:02d}:{15 * (t['last'] % 4):02d}",
                        "weekdays": set(range(7)),
                        "breaks": [(15 * b[0], 15 * b[1], 15 * b[2], b[3]) for b in t["breaks"]]}
            for t in instance["templates"]}


def checked(instance: dict):
    """Design, then re-derive coverage and paid hours with the independent checker."""
    plan, spec = to_planner(instance)
    schedule = design(plan, spec, interval_s=900)
    shifts = schedule.shifts.assign(start=schedule.shifts["start"].map(lambda t: t.isoformat()),
                                    end=schedule.shifts["end"].map(lambda t: t.isoformat()))
    coverage, paid = check_shifts(shifts, reference_templates(instance), tz=TZ)
    need = np.ceil(np.asarray(instance["requirement"]) - 1e-9)
    utc0 = dt.datetime.fromisoformat(f"{DAY}T{FIRST_H:02d}:00:00+01:00").astimezone(dt.timezone.utc)
    got = np.array([coverage.get(utc0 + i * dt.timedelta(minutes=15), 0) for i in range(need.size)])
    assert (got >= need).all(), "cover mode left an interval short"
    assert paid == pytest.approx(schedule.summary["paid_hours"].iloc[0], abs=1e-9)
    table = schedule.coverage.set_index("interval_start")["coverage"]
    for i, value in enumerate(got):
        assert table.get(pd.Timestamp(utc0 + i * dt.timedelta(minutes=15)), 0) == value
    return schedule, paid


@pytest.mark.parametrize("seed", range(12))
def test_milp_equals_brute_force_on_tiny_instances(seed):
    instance = random_instance(np.random.default_rng([17, seed]), max_need=3.0)
    schedule, paid = checked(instance)
    assert paid == pytest.approx(brute_force(instance), abs=1e-9)
    assert schedule.summary["lp_bound"].iloc[0] <= paid + 1e-9


def test_implicit_model_equals_explicit_model_on_random_instances():
    """40 random instances here (200 in the benchmark), up to 4 positions per break window."""
    for seed in range(40):
        instance = random_instance(np.random.default_rng([1717, seed]), intervals=(10, 16), max_positions=4,
                                   max_need=4.0)
        _, paid = checked(instance)
        assert paid == pytest.approx(explicit_optimum(instance), abs=1e-9), f"seed {seed}"


def test_one_interval_templates_give_the_ceiling_of_the_requirement():
    rng = np.random.default_rng(3)
    need = rng.uniform(0, 30, 40).round(3)
    need[[3, 7]] = [12.0, 0.0]  # a whole number needs exactly itself; zero needs nobody
    starts = pd.date_range(f"{DAY} 08:00", periods=need.size, freq="15min", tz=TZ)
    plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
                         "agents_fractional": need, "shrinkage": 0.0})
    one = ShiftTemplate(name="one", channels=("phone",), length_s=900, earliest_start_s=0, latest_start_s=86400 - 900)
    schedule = design(plan, ScheduleSpec(templates=(one,)), interval_s=900)
    got = schedule.coverage.set_index("interval_start")["coverage"].reindex(starts, fill_value=0).to_numpy()
    np.testing.assert_array_equal(got, np.ceil(need))
    assert schedule.summary["paid_hours"].iloc[0] == pytest.approx(np.ceil(need).sum() / 4)


def _phone_day(values, *, start="08:00", day=DAY, shrinkage=0.0):
    starts = pd.date_range(f"{day} {start}", periods=len(values), freq="15min", tz=TZ)
    return pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
                         "agents_fractional": np.asarray(values, float), "shrinkage": shrinkage})


def test_gross_requirement_grosses_up_by_shrinkage_and_soft_lists_the_short_intervals():
    plan = _phone_day([7.0] * 8 + [3.5] * 8, start="06:00", shrinkage=0.3)  # 10 and 5 heads on the floor
    late = ShiftTemplate(name="late", channels=("phone",), length_s=2 * 3600, earliest_start_s=7 * 3600,
                         latest_start_s=8 * 3600)
    with pytest.raises(InputError, match="2026-07-06 06:00 needs 10.00 agents but no shift template can cover it"):
        design(plan, ScheduleSpec(templates=(late,)), interval_s=900)
    soft = design(plan, ScheduleSpec(templates=(late,), objective="soft"), interval_s=900)
    coverage = soft.coverage
    short = coverage.loc[coverage["short"], "interval_start"].dt.strftime("%H:%M").tolist()
    assert short == ["06:00", "06:15", "06:30", "06:45"]
    assert coverage.loc[~coverage["short"], "over"].min() >= -1e-9
    assert soft.summary["short_agent_hours"].iloc[0] == pytest.approx(10.0)


def test_tours_keep_one_start_across_the_week_with_two_consecutive_days_off():
    days = pd.date_range("2026-07-06", periods=7, freq="D")
    plan = pd.concat([_phone_day([2.0] * 8, day=f"{d:%Y-%m-%d}") for d in days], ignore_index=True)
    tour = ShiftTemplate(name="week", channels=("phone",), length_s=7200, earliest_start_s=8 * 3600,
                         latest_start_s=8 * 3600, tour=Tour(work_days=5))
    schedule = design(plan, ScheduleSpec(templates=(tour,)), interval_s=900)
    # 2 agents every day for 7 days by 5-day tours: 14 agent-days need ceil(14 / 5) = 3 tours = 15 shifts
    assert schedule.summary["shifts"].iloc[0] == 15
    per_day = schedule.shifts.groupby("day")["count"].sum()
    assert (per_day >= 2).all() and per_day.sum() == 15


def test_min_and_max_per_day_bind():
    plan = _phone_day([1.0] * 16)
    short = ShiftTemplate(name="short", channels=("phone",), length_s=3600, earliest_start_s=8 * 3600,
                          latest_start_s=11 * 3600, max_per_day=2)
    long = ShiftTemplate(name="long", channels=("phone",), length_s=4 * 3600, earliest_start_s=8 * 3600,
                         latest_start_s=8 * 3600, cost=1.5, min_per_day=0)
    free = design(plan, ScheduleSpec(templates=(replace(short, max_per_day=None), long)), interval_s=900)
    assert free.shifts.groupby("template")["count"].sum().to_dict() == {"short": 4}  # 4 paid hours
    capped = design(plan, ScheduleSpec(templates=(short, long)), interval_s=900)
    assert capped.shifts.groupby("template")["count"].sum().to_dict() == {"long": 1}  # 4 h at cost 1.5
    assert capped.summary["objective_value"].iloc[0] == pytest.approx(6.0)
    floor = design(plan, ScheduleSpec(templates=(short, replace(long, min_per_day=2))), interval_s=900)
    assert floor.shifts.groupby("template")["count"].sum().to_dict() == {"long": 2}


def test_service_objective_meets_the_weekly_target_with_fewer_hours_than_cover():
    import planner as pl

    starts = pd.date_range(f"{DAY} 08:00", periods=32, freq="15min", tz=TZ)
    offered = 60 + 40 * np.sin(np.linspace(0, np.pi, 32))
    forecast = pd.DataFrame({"interval_start": starts, "channel": "phone", "offered": offered, "aht_s": 240.0})
    plan = pl.staff(forecast, {"phone": pl.Voice(target_service_level=0.8, threshold_s=20)}, interval_s=900)
    full = ShiftTemplate(name="full", channels=("phone",), length_s=4 * 3600, earliest_start_s=8 * 3600,
                         latest_start_s=12 * 3600, breaks=(Break(length_s=900, paid=True, earliest_s=3600,
                                                                 latest_s=2 * 3600),))
    cover = design(plan, ScheduleSpec(templates=(full,)), interval_s=900)
    service = design(plan, ScheduleSpec(templates=(full,), objective="service"), interval_s=900)
    sl = service.coverage["service_level"].to_numpy()
    weighted = float((sl * offered).sum() / offered.sum())
    assert weighted >= 0.8 - 1e-9
    assert service.summary["service_level"].iloc[0] == pytest.approx(weighted)
    assert service.summary["paid_hours"].iloc[0] <= cover.summary["paid_hours"].iloc[0]
    exact = pl.erlang.service_level(service.coverage["coverage"].to_numpy(), plan["load_erlangs"].to_numpy(),
                                    240.0, 20.0)
    np.testing.assert_allclose(sl, exact, rtol=1e-12)


def test_a_shift_across_the_autumn_dst_change_lasts_its_real_length():
    starts = pd.date_range("2026-10-24 20:00", periods=40, freq="15min", tz=TZ)  # 20:00 Sat to 05:00 Sun (one hour repeats)
    plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice",
                         "agents_fractional": 1.0, "shrinkage": 0.0})
    night = ShiftTemplate(name="night", channels=("phone",), length_s=10 * 3600, earliest_start_s=20 * 3600,
                          latest_start_s=20 * 3600)
    schedule = design(plan, ScheduleSpec(templates=(night,)), interval_s=900)
    row = schedule.shifts.iloc[0]
    assert row["end"] - row["start"] == pd.Timedelta(hours=10)
    assert f"{row['end']:%H:%M}" == "05:00"  # 10 real hours after 20:00 BST is 05:00 GMT
    assert (schedule.coverage["coverage"] == 1).all() and len(schedule.coverage) == 40


@pytest.mark.parametrize("make,message", [
    (lambda: ShiftTemplate(name="x", channels=("phone",), length_s=4 * 3600, earliest_start_s=0, latest_start_s=0,
                           breaks=(Break(length_s=1800, paid=False, earliest_s=3 * 3600, latest_s=3.75 * 3600),)),
     "breaks[1].window: a break starting 3.75h after the start ends after the shift"),
    (lambda: ShiftTemplate(name="x", channels=("phone",), length_s=8 * 3600, earliest_start_s=0, latest_start_s=0,
                           breaks=(Break(length_s=900, paid=True, earliest_s=3600, latest_s=3 * 3600),
                                   Break(length_s=1800, paid=False, earliest_s=2 * 3600, latest_s=4 * 3600))),
     "breaks[2].window: overlaps break 1"),
])
def test_bad_templates_say_which_break(make, message):
    with pytest.raises(SpecError, match=message.replace("[", r"\[").replace("]", r"\]")):
        make()


def test_a_template_that_can_never_start_is_an_error():
    plan = _phone_day([1.0] * 16)  # open 08:00-12:00
    never = ShiftTemplate(name="evening", channels=("phone",), length_s=4 * 3600, earliest_start_s=14 * 3600,
                          latest_start_s=16 * 3600)
    with pytest.raises(SpecError, match="shifts.evening.start: never starts"):
        design(plan, ScheduleSpec(templates=(never,)), interval_s=900)


def test_bounds_that_leave_no_schedule_say_so():
    plan = _phone_day([3.0] * 8)
    capped = ShiftTemplate(name="capped", channels=("phone",), length_s=7200, earliest_start_s=8 * 3600,
                           latest_start_s=8 * 3600, max_per_day=1)
    with pytest.raises(InputError, match="schedule phone: no schedule meets the requirement with these templates"):
        design(plan, ScheduleSpec(templates=(capped,)), interval_s=900)
    soft = design(plan, ScheduleSpec(templates=(capped,), objective="soft"), interval_s=900)
    assert soft.summary["shifts"].iloc[0] == 1 and soft.summary["short_agent_hours"].iloc[0] == pytest.approx(4.0)
