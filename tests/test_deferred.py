"""Deferred work (email, back office): the staffing that answers every item within its deadline.

* Exact references: ``tests/reference/make_deferred_reference.py`` computes the fluid lower bound with
  rational arithmetic, item share by item share (no code shared with planner); compared at 1e-9.
* Hand-worked examples: closures, business hours, drain, level loading, DST days, gaps.
* Laws (hypothesis): the plan meets every deadline when played against the fluid arrivals (checked
  item by item on a fine grid by :func:`play`, with the clock rules written out afresh), backlog
  >= 0, capacity covers the work, more volume never needs less.
* The Poisson safety capacity: its quantile against exact cases; its cost on a realistic day.
  Whether it holds under random arrivals is checked by the simulator's tests.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import optimize, stats

from planner.errors import InputError, PlannerWarning
from planner.staffing.deferred import METHODS, deferred_requirement
from planner.staffing.deferred_safety import quantile_lower as _safe_lower

REFERENCE = Path(__file__).parent / "reference" / "deferred.csv"
TZ = "Europe/London"
FLUID = dict(safety="none", drain=False)


def play(offered, aht_s, agents, *, interval_s, deadline_s, is_open=None, business_hours=False, drain=False, steps=4):
    """Shortfall [agent-s] of the worst item when ``agents`` work uniform arrivals oldest first.

    Items arrive at ``steps`` points per interval; each gets its deadline from the rules of the
    module docstring, computed here per item (not by index shifts): calendar ``arrival + D`` (D in
    whole intervals) but not before the end of the first open interval from the arrival; business
    hours: when the open-time clock has run D. Deadlines after the horizon are checked
    only when the last interval's staff drains the backlog. Returns max(work due - work done, 0).
    """
    offered = np.asarray(offered, float)
    n = offered.size
    aht = np.broadcast_to(np.asarray(aht_s, float), (n,))
    agents = np.asarray(agents, float)
    is_open = np.ones(n, bool) if is_open is None else np.asarray(is_open, bool)
    k = math.floor(deadline_s / interval_s + 1e-9)
    extra = k + 1 if drain and n and is_open[-1] else 0
    rate = np.concatenate([agents, np.full(extra, agents[-1] if n else 0.0)]) * interval_s / steps
    arrive = np.concatenate([offered * aht, np.zeros(extra)]) / steps
    opened = np.repeat(np.concatenate([is_open, np.ones(extra, bool)]), steps)
    capacity = np.concatenate([[0.0], np.cumsum(np.repeat(rate, steps))])
    arrived = np.concatenate([[0.0], np.cumsum(np.repeat(arrive, steps))])
    done = capacity + np.minimum(0.0, np.minimum.accumulate(arrived - capacity))
    clock = np.concatenate([[0], np.cumsum(opened)])  # open fine steps before each point
    last = clock.size - 1
    worst = 0.0
    for m in range(n * steps):
        if business_hours:
            due = int(np.searchsorted(clock, clock[m] + k * steps, side="left"))
        else:  # arrived while closed: not before the end of the first open interval
            later = np.flatnonzero(is_open[m // steps:])
            due = max(m + k * steps, (m // steps + later[0] + 1) * steps) if later.size else last + 1
        if due <= last:
            worst = max(worst, arrived[m] - done[due])
    return worst


def run(offered, aht_s, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlannerWarning)
        return deferred_requirement(offered, aht_s, **options)


# --- exact references ----------------------------------------------------------------------------


def reference_cases():
    table = pd.read_csv(REFERENCE)
    return [(name, rows.reset_index(drop=True)) for name, rows in table.groupby("case", sort=False)]


@pytest.mark.parametrize("name,rows", reference_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_fluid_lower_bound_matches_exact_rational_reference(name, rows):
    options = dict(interval_s=rows.interval_s[0], deadline_s=rows.deadline_s[0], open=rows.open.to_numpy(bool),
                   business_hours=bool(rows.business_hours[0]), safety="none")
    alap = run(rows.offered, rows.aht_s, method="alap", drain=False, **options)
    drained = run(rows.offered, rows.aht_s, method="alap", drain=True, **options)
    level = run(rows.offered, rows.aht_s, method="level", drain=False, **options)
    for column, got in [("workload_s", alap["workload_s"]), ("due", alap["due"]), ("agents_alap", alap["agents"]),
                        ("backlog_alap", alap["backlog"]), ("agents_alap_drain", drained["agents"])]:
        assert_allclose(got, rows[column], rtol=1e-9, atol=1e-9, err_msg=column)
    assert_allclose(alap["agents_fluid"], alap["agents"], rtol=0)
    # The level plan has the same agent-hours and attains the least possible peak.
    assert_allclose(level["agents"].sum(), rows.agents_alap.sum(), rtol=1e-9)
    assert_allclose(level["agents"].max(), rows.peak_level[0], rtol=1e-9)


def test_reference_covers_closures_business_hours_and_larger_horizons():
    table = pd.read_csv(REFERENCE)
    sizes = table.groupby("case").size()
    assert sizes.max() >= 288 and sizes.min() <= 8
    assert table.business_hours.any() and not table.business_hours.all() and not table.open.all()
    assert ((table.deadline_s / table.interval_s) % 1 != 0).any()  # a deadline that is not whole intervals


# --- hand-worked examples -------------------------------------------------------------------------


def test_work_due_while_closed_is_done_before_closing():
    # 1 h intervals, closed 03:00-05:00. 4 items x 15 min arrive 01:00-02:00, due 03:00-04:00
    # (closed): 1 agent-hour, done 02:00-03:00 at the latest.
    plan = run([0, 4, 0, 0, 0, 0], 900.0, interval_s=3600, deadline_s=7200,
               open=np.array([True, True, True, False, False, True]), method="alap", **FLUID)
    assert plan["agents"].tolist() == [0, 0, 1, 0, 0, 0]
    assert plan["due"].tolist() == [0, 0, 0, 4, 0, 0]
    assert plan["backlog"].tolist() == [0, 4, 0, 0, 0, 0]


def test_level_plan_spreads_the_work_at_the_least_peak():
    # 4 items x 15 min arrive 00:00-01:00, due 02:00-03:00: as late as possible is 1 agent in
    # 02:00-03:00; level loading works from arrival, 1/3 agent in each of the three hours.
    common = dict(interval_s=3600, deadline_s=7200, **FLUID)
    assert run([4, 0, 0, 0, 0], 900.0, method="alap", **common)["agents"].tolist() == [0, 0, 1, 0, 0]
    assert_allclose(run([4, 0, 0, 0, 0], 900.0, method="level", **common)["agents"], [1 / 3, 1 / 3, 1 / 3, 0, 0])


def test_level_plan_minimises_the_sum_of_squares_like_a_quadratic_program():
    rng = np.random.default_rng(3)
    offered, aht = rng.uniform(0, 20, 14), rng.uniform(200, 800, 14)
    options = dict(interval_s=900, deadline_s=2700, **FLUID)
    level = run(offered, aht, method="level", **options)["agents"]
    work = offered * aht / 900  # agent-intervals
    due = np.concatenate([np.zeros(4), np.cumsum(work)])[:15]  # due by the 15 interval ends (3 later)
    arrived = np.concatenate([[0.0], np.cumsum(work)])
    total = due[-1]
    constraints = [{"type": "ineq", "fun": lambda x: np.concatenate([[0.0], np.cumsum(x)]) - due},
                   {"type": "ineq", "fun": lambda x: arrived - np.concatenate([[0.0], np.cumsum(x)])},
                   {"type": "eq", "fun": lambda x: x.sum() - total}]
    qp = optimize.minimize(lambda x: (x * x).sum(), np.full(14, total / 14), constraints=constraints,
                           bounds=[(0, None)] * 14, method="SLSQP", options={"ftol": 1e-12, "maxiter": 500})
    assert qp.success
    assert (level * level).sum() <= qp.fun * (1 + 1e-6)
    assert_allclose(level, qp.x, atol=1e-4)


def test_business_hours_deadline_skips_the_night():
    # Hourly, open 08:00-20:00. One item arriving 19:00-20:00 with a 4 h business-hours deadline is
    # due 3 h after the next opening (11:00-12:00); three arriving 02:00-03:00 (closed) start
    # their clock at 08:00 and are due by 12:00.
    is_open = np.array([8 <= h % 24 < 20 for h in range(48)])
    offered = np.zeros(48)
    offered[19], offered[24 + 2] = 1.0, 3.0
    plan = run(offered, 1200.0, interval_s=3600, deadline_s=4 * 3600, open=is_open, business_hours=True,
               method="alap", **FLUID)
    assert np.flatnonzero(plan["due"]).tolist() == [24 + 11]
    assert plan["due"][24 + 11] == 4.0
    assert_allclose(plan["agents"][24 + 11], 4 * 1200 / 3600)
    assert plan["agents"].sum() == plan["agents"][24 + 11]
    calendar = run(offered, 1200.0, interval_s=3600, deadline_s=4 * 3600, open=is_open, method="alap", **FLUID)
    assert calendar["agents"][19] == pytest.approx(1200 / 3600)  # due 23:00: done before closing


def test_calendar_deadline_that_passes_while_closed_warns_and_is_planned_for_the_opening():
    is_open = np.array([8 <= h < 20 for h in range(24)])
    offered = np.zeros(24)
    offered[2] = 5.0  # 02:00, due 06:00: the channel opens at 08:00
    with pytest.warns(PlannerWarning, match=r"^5 items arrive while the channel is closed"):
        plan = deferred_requirement(offered, 720.0, interval_s=3600, deadline_s=4 * 3600, open=is_open,
                                    method="alap", **FLUID)
    assert plan["due"][8] == 5.0 and plan["agents"][8] == 1.0


def test_deadline_is_counted_in_whole_intervals_rounded_down():
    a = run([2, 0, 3, 1, 0, 0, 0], 600.0, interval_s=1800, deadline_s=4500, method="alap", **FLUID)
    b = run([2, 0, 3, 1, 0, 0, 0], 600.0, interval_s=1800, deadline_s=3600, method="alap", **FLUID)
    assert_allclose(a["agents"], b["agents"])
    assert play([2, 0, 3, 1, 0, 0, 0], 600.0, a["agents"], interval_s=1800, deadline_s=4500) <= 1e-9


def test_drain_sizes_the_last_interval_to_clear_the_backlog_on_time():
    # 4 items x 15 min arrive in the last hour, due 2 h later, after the horizon. Carried out: no
    # staff. Drained at the last hour's rate: it must clear 1 agent-hour within 3 hours: 1/3 agent.
    common = dict(interval_s=3600, deadline_s=7200, method="alap", safety="none")
    carried = run([0, 0, 0, 4], 900.0, drain=False, **common)
    assert carried["agents"].tolist() == [0, 0, 0, 0] and carried["backlog"][-1] == 4
    drained = run([0, 0, 0, 4], 900.0, drain=True, **common)
    assert_allclose(drained["agents"], [0, 0, 0, 1 / 3])
    assert play([0, 0, 0, 4], 900.0, drained["agents"], interval_s=3600, deadline_s=7200, drain=True) <= 1e-9


def test_doctest_example_backlog_is_the_deadline_worth_of_arrivals():
    plan = run([10.0] * 8 + [0.0] * 4, 180.0, interval_s=900, deadline_s=3600, method="alap", **FLUID)
    assert plan["backlog"].max() == 40.0 and plan["workload_s"].sum() == 80 * 180


# --- DST days and gaps: work is indexed by interval, not by wall clock ----------------------------


@pytest.mark.parametrize("day,size", [("2026-03-29", 92), ("2026-10-25", 100), ("2026-07-06", 96)])
def test_dst_days_have_their_true_number_of_quarter_hours_and_calendar_deadlines_are_elapsed_time(day, size):
    midnight = pd.Timestamp(day)
    starts = pd.date_range(midnight.tz_localize(TZ), (midnight + pd.Timedelta(days=1)).tz_localize(TZ),
                           freq="15min", inclusive="left")  # local midnight to local midnight
    assert starts.size == size
    offered = np.zeros(size)
    offered[0] = 10.0  # 00:00-00:15 local
    plan = run(offered, 450.0, interval_s=900, deadline_s=4 * 3600, interval_start=starts, method="alap", **FLUID)
    due_at = starts[np.flatnonzero(plan["due"])[0]]
    assert due_at - starts[0] == pd.Timedelta(hours=4)  # elapsed time, whatever the wall clock says
    assert due_at.hour == {92: 5, 100: 3, 96: 4}[size]
    same = run(offered, 450.0, interval_s=900, deadline_s=4 * 3600, method="alap", **FLUID)
    assert_allclose(plan["agents"], same["agents"])


def test_business_hours_across_the_spring_forward_night():
    starts = pd.date_range(pd.Timestamp("2026-03-28", tz=TZ), periods=96 + 92, freq="15min")
    assert starts[-1] == pd.Timestamp("2026-03-29 23:45", tz=TZ)
    is_open = (starts.hour >= 8) & (starts.hour < 20)
    assert is_open.sum() == 96  # 48 open quarter hours each day, DST or not
    offered = np.where(starts == pd.Timestamp("2026-03-28 19:00", tz=TZ), 6.0, 0.0)
    plan = run(offered, 600.0, interval_s=900, deadline_s=4 * 3600, open=np.asarray(is_open), business_hours=True,
               interval_start=starts, method="alap", **FLUID)
    assert starts[np.flatnonzero(plan["due"])].tolist() == [pd.Timestamp("2026-03-29 11:00", tz=TZ)]


def test_absent_intervals_count_as_closed_time_in_calendar_mode():
    days = [pd.date_range(pd.Timestamp(d, tz=TZ) + pd.Timedelta(hours=8), periods=48, freq="15min")
            for d in ("2026-07-04", "2026-07-05")]
    starts = days[0].append(days[1])  # open rows only: the nights are absent
    offered = np.where(starts == pd.Timestamp("2026-07-04 10:00", tz=TZ), 4.0, 0.0)
    common = dict(interval_s=900, deadline_s=24 * 3600, method="alap", **FLUID)
    calendar = run(offered, 600.0, interval_start=starts, **common)
    assert starts[np.flatnonzero(calendar["due"])].tolist() == [pd.Timestamp("2026-07-05 10:00", tz=TZ)]
    business = run(offered, 600.0, interval_start=starts, business_hours=True, **common)
    assert business["due"].sum() == 0  # 24 business hours is two open days: after the horizon
    assert business["backlog"][-1] == 4.0


# --- laws (hypothesis) ------------------------------------------------------------------------------


@st.composite
def channels(draw):
    n = draw(st.integers(1, 24))
    volume = st.one_of(st.just(0.0), st.floats(0.05, 60.0))
    interval_s = draw(st.sampled_from([900.0, 1800.0, 3600.0]))
    runs = draw(st.lists(st.tuples(st.booleans(), st.integers(1, 6)), min_size=1, max_size=6))
    is_open = np.resize(np.repeat([o for o, _ in runs], [r for _, r in runs]), n)
    return dict(
        offered=np.array(draw(st.lists(volume, min_size=n, max_size=n))),
        aht_s=np.array(draw(st.lists(st.floats(30.0, 1200.0), min_size=n, max_size=n))),
        interval_s=interval_s,
        deadline_s=interval_s * draw(st.integers(4, 40)) / 4,  # quarter intervals, at least one interval
        open=is_open.astype(bool),
        business_hours=draw(st.booleans()),
        method=draw(st.sampled_from(METHODS)),
        drain=draw(st.booleans()),
    )


LAWS = settings(max_examples=60, deadline=None)


def checked(channel, agents):
    return play(channel["offered"], channel["aht_s"], agents, interval_s=channel["interval_s"],
                deadline_s=channel["deadline_s"], is_open=channel["open"],
                business_hours=channel["business_hours"], drain=channel["drain"])


@LAWS
@given(channel=channels())
def test_the_fluid_plan_never_misses_a_deadline(channel):
    plan = run(**channel, safety="none")
    scale = 1e-9 * (1.0 + channel["offered"] @ channel["aht_s"])
    assert checked(channel, plan["agents"]) <= scale
    slack = 1e-9 * channel["interval_s"] * channel["offered"].size  # agents_int ignores 1e-9 agent of noise
    assert checked(channel, plan["agents_int"]) <= scale + slack  # rounding up keeps it feasible


@LAWS
@given(channel=channels(), quantile=st.floats(0.5, 0.999))
def test_safety_capacity_only_adds_and_still_meets_the_fluid_deadlines(channel, quantile):
    fluid = run(**channel, safety="none")
    safe = run(**channel, service_quantile=quantile)
    assert_allclose(safe["agents_fluid"], fluid["agents"], rtol=1e-12, atol=1e-12)
    assert safe["agents"].sum() >= fluid["agents"].sum() * (1 - 1e-12)
    assert checked(channel, safe["agents"]) <= 1e-9 * (1.0 + channel["offered"] @ channel["aht_s"])


@LAWS
@given(channel=channels(), occupancy=st.floats(0.5, 1.0))
def test_backlog_and_agents_are_nonnegative_closed_intervals_get_none_and_capacity_covers_the_work(channel, occupancy):
    plan = run(**channel, max_occupancy=occupancy)
    for column in ("agents", "agents_int", "agents_fluid", "backlog", "due"):
        assert (plan[column] >= 0).all(), column
    assert (plan["agents"][~channel["open"]] == 0).all() and (plan["agents_int"][~channel["open"]] == 0).all()
    # whole agents round once: never behind the fractional plan (ahead by more than one agent-interval
    # only where capacity ahead of the arrivals idled and an agent was added to meet a deadline)
    assert (np.cumsum(plan["agents_int"]) - np.cumsum(plan["agents"]) >= -1e-9).all()
    assert (plan["backlog"] <= np.cumsum(channel["offered"]) * (1 + 1e-12) + 1e-9).all()
    capacity = plan["agents_fluid"] * channel["interval_s"] * occupancy
    work = channel["offered"] * channel["aht_s"]
    k = math.floor(channel["deadline_s"] / channel["interval_s"] + 1e-9)
    last = np.flatnonzero(channel["open"])[-1] if channel["open"].any() else None
    drains = channel["drain"] and last is not None and (channel["business_hours"] or channel["open"][-1])
    if drains:  # the last open interval's staff, staying k intervals more, covers all the work
        assert capacity.sum() + capacity[last] * k >= work.sum() * (1 - 1e-9) - 1e-9
    elif not channel["drain"]:  # never more than the work; exactly the work due if always open
        assert capacity.sum() <= work.sum() * (1 + 1e-12) + 1e-9
        if channel["open"].all():
            assert_allclose(capacity.sum(), work[:max(work.size - k, 0)].sum(), rtol=1e-9, atol=1e-9)


@LAWS
@given(channel=channels(), extra=st.lists(st.floats(0.0, 30.0), min_size=24, max_size=24))
def test_more_volume_never_needs_fewer_agent_hours(channel, extra):
    """For the fluid plan and a fixed buffer quantile (the plan sized to a target is checked by
    simulation instead: its search may pick a different safety for a different volume)."""
    more = dict(channel, offered=channel["offered"] + np.array(extra[:channel["offered"].size]))
    for safety in (dict(safety="none"), dict(service_quantile=0.9)):
        base, bigger = run(**channel, **safety), run(**more, **safety)
        assert bigger["agents"].sum() >= base["agents"].sum() * (1 - 1e-9) - 1e-9, safety


@LAWS
@given(channel=channels())
def test_level_and_alap_need_the_same_agent_hours_and_level_never_peaks_higher(channel):
    channel = dict(channel, drain=False)
    alap = run(**dict(channel, method="alap"), safety="none")
    level = run(**dict(channel, method="level"), safety="none")
    assert_allclose(level["agents"].sum(), alap["agents"].sum(), rtol=1e-9, atol=1e-9)
    assert level["agents"].max() <= alap["agents"].max() * (1 + 1e-9) + 1e-12


# --- the Poisson safety capacity --------------------------------------------------------------------


def test_safety_quantile_is_exact_for_the_handling_term_alone():
    # No other item ahead (no arrival variance): X = 0 and Y = N S - (N - 1) r with S exponential,
    # whose q quantile is N aht (-log(1 - q)) - (N - 1) aht exactly.
    aht, q = 400.0, 0.99
    for agents in (1.0, 5.0, 40.0):
        one = np.ones(1)
        lower = _safe_lower(aht * one, one, 0 * one, 0 * one, agents * one, aht * one, 1.0, q)
        assert_allclose(lower, aht + agents * aht * -math.log1p(-q) - (agents - 1) * aht, rtol=1e-9)


@pytest.mark.parametrize("items", [5.0, 50.0, 500.0, 5000.0])
def test_safety_quantile_is_close_to_the_exact_poisson_quantile(items):
    # Fixed handle times, one agent: the work ahead is aht x Poisson and the item's own work is aht.
    aht, q = 300.0, 0.99
    lower = _safe_lower(np.array([items * aht]), np.array([items]), np.array([items * aht**2]),
                        np.array([items * aht**3]), np.array([1.0]), np.array([aht]), 0.0, q)
    exact = aht * (stats.poisson.ppf(q, items) + 1)
    assert abs(lower[0] - exact) <= aht * max(1.0, 0.01 * math.sqrt(items))


def test_safety_capacity_on_a_realistic_email_day_costs_a_few_percent():
    t = np.arange(48)  # 08:00-20:00, 40 to 200 emails per quarter hour, 300 to 600 s each
    offered = 40 + 160 * np.exp(-0.5 * ((t - 14) / 8) ** 2)
    aht = 300 + 300 * t / 47
    for method in METHODS:
        plan = run(offered, aht, interval_s=900, deadline_s=4 * 3600, business_hours=True, method=method)
        ratio = plan["agents_int"].sum() / plan["agents_fluid"].sum()
        assert 1.02 < ratio < 1.10, (method, ratio)


def test_a_year_of_quarter_hours_with_nightly_closures_plans_in_one_call():
    n = 365 * 96
    quarter = np.arange(n) % 96
    is_open = (quarter >= 32) & (quarter < 80)
    offered = np.where(is_open, 100.0 + 60 * np.sin(quarter / 96 * 2 * np.pi), 2.0)
    plan = run(offered, 420.0, interval_s=900, deadline_s=4 * 3600, open=is_open, business_hours=True)
    assert plan["agents"].shape == (n,) and np.isfinite(plan["agents"]).all()
    assert (plan["agents"][~is_open] == 0).all()


# --- input errors -------------------------------------------------------------------------------------


GOOD = dict(offered=[10.0, 20.0, 30.0], aht_s=300.0, interval_s=900, deadline_s=3600)


@pytest.mark.parametrize("change,message", [
    (dict(offered=[10.0, -2.0, 3.0]), r"^offered: expected a finite number >= 0, got -2 at index 1$"),
    (dict(offered=[[1.0, 2.0]]), r"^offered: expected one channel's intervals as a 1-D sequence$"),
    (dict(aht_s=[300.0, 300.0]), r"^aht_s: expected a number or 3 values \(one per offered\), got shape \(2,\)$"),
    (dict(aht_s=0.0), r"^aht_s: expected a finite number > 0, got 0$"),
    (dict(deadline_s=0), r"^deadline_s: expected a finite number > 0, got 0$"),
    (dict(deadline_s=-60), r"^deadline_s: expected a finite number > 0, got -60$"),
    (dict(deadline_s=300), (r"^deadline_s: expected at least one 15-minute interval \(900 s\), got 300; work "
                            r"answered within one interval is a live channel: staff it with planner.erlang "
                            r"\(Erlang C\) or planner.erlang_a \(Erlang A\)$")),
    (dict(open=[True, False]), r"^open: expected 3 booleans \(one per offered\)"),
    (dict(method="asap"), r"^method: expected one of level, alap, got 'asap'$"),
    (dict(safety="normal"), r"^safety: expected one of poisson, none, got 'normal'$"),
    (dict(service_quantile=1.0), r"^service_quantile: expected a finite number > 0 and < 1, got 1$"),
    (dict(target_service_level=0.0), r"^target_service_level: expected a finite number > 0 and < 1, got 0$"),
    (dict(opening_backlog=-3), r"^opening_backlog: expected a number of items >= 0 or an OpeningBacklog, got -3$"),
    (dict(max_occupancy=0.0), r"^max_occupancy: expected a finite number > 0 and <= 1, got 0$"),
    (dict(business_hours="yes"), r"^business_hours: expected True or False, got 'yes'$"),
    (dict(interval_start=pd.date_range("2026-07-06", periods=3, freq="15min")),
     r"^interval_start: expected time-zone-aware timestamps"),
    (dict(interval_start=pd.date_range("2026-07-06", periods=2, freq="15min", tz=TZ)),
     r"^interval_start: expected 3 timestamps \(one per offered\), got 2$"),
    (dict(interval_start=pd.DatetimeIndex(["2026-07-06 08:00", "2026-07-06 08:10", "2026-07-06 08:30"], tz=TZ)),
     (r"^interval_start: expected increasing starts of 15-minute intervals, got 2026-07-06 08:10:00\+01:00 at "
      r"index 1$")),
])
def test_invalid_input_raises_input_error_naming_the_argument(change, message):
    arguments = dict(GOOD, **change)
    with pytest.raises(InputError, match=message) as caught:
        deferred_requirement(arguments.pop("offered"), arguments.pop("aht_s"), **arguments)
    assert isinstance(caught.value, ValueError) and "\n" not in str(caught.value)


def test_empty_channel_gives_empty_plan():
    plan = deferred_requirement([], 300.0, interval_s=900, deadline_s=3600)
    assert all(values.size == 0 for values in plan.values())
