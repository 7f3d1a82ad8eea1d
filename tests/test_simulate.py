"""The plan simulator: agreement with the analytic models, exact sanity cases, errors, CLI.

Stationary checks: a day of identical intervals with a one-hour warm-up is a long run of the
stationary queue, so the analytic value must lie inside the simulation's confidence interval over
replications. Nothing here pins a seeded simulated number. Each interval is at level 99.9% rather
than 99%: about twenty such assertions run, and at 99% one of them would fail for ~18% of seeds
(a numpy upgrade changing the streams would then break the suite for no reason); at 99.9% that is
~2%. The intervals are also asserted to be narrow, so a wide interval cannot pass by default.
"""

from __future__ import annotations

import heapq
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from planner.cli import cli
from planner.errors import InputError
from planner.simulate import SimulationResult, read_plan, simulate
from planner.staffing import erlang, erlang_a

LEVEL = 0.999  # see the module docstring
DAY = 96  # quarter hours


def plan(kind="voice", offered=100.0, aht_s=180.0, agents=23, periods=DAY, freq="15min", channel="x", **columns):
    """A plan of identical (or given) intervals for one channel."""
    starts = pd.date_range("2026-07-06 00:00", periods=periods, freq=freq, tz="Europe/London")
    return pd.DataFrame({"interval_start": starts, "channel": channel, "kind": kind, "offered": offered,
                         "aht_s": aht_s, "agents": agents, **columns})


def stationary(frame, seed, replications=30):
    result = simulate(frame, rng=np.random.default_rng(seed), replications=replications, level=LEVEL,
                      warmup_s=3600.0)
    return result.channels.iloc[0]


def assert_inside(row, name, expected, *, width):
    lo, hi = row[f"{name}_lo"], row[f"{name}_hi"]
    assert lo <= expected <= hi, f"{name}: analytic {expected:.5f} outside [{lo:.5f}, {hi:.5f}]"
    assert hi - lo < width, f"{name}: interval [{lo:.5f}, {hi:.5f}] too wide to mean anything"


# --- stationary agreement with the analytic models --------------------------------------------


def test_voice_agrees_with_erlang_c():
    load, aht, agents, threshold = 20.0, 180.0, 24, 20.0
    frame = plan(offered=load * 900 / aht, aht_s=aht, agents=agents, threshold_s=threshold)
    row = stationary(frame, seed=11, replications=60)
    assert_inside(row, "service_level", float(erlang.service_level(agents, load, aht, threshold)), width=0.04)
    assert_inside(row, "asa_s", float(erlang.asa(agents, load, aht)), width=5.0)
    assert_inside(row, "occupancy", float(erlang.occupancy(agents, load)), width=0.02)
    assert row["abandon_rate"] == 0.0


def test_voice_agrees_with_erlang_a():
    load, aht, agents, patience, threshold = 40.0, 240.0, 40, 120.0, 20.0
    frame = plan(offered=load * 900 / aht, aht_s=aht, agents=agents, threshold_s=threshold, patience_s=patience)
    row = stationary(frame, seed=12)
    expected = erlang_a.erlang_a(agents, load, aht, patience, threshold)
    assert_inside(row, "service_level", float(expected.service_level), width=0.04)
    assert_inside(row, "abandon_rate", float(expected.p_abandon), width=0.02)
    assert_inside(row, "asa_s", float(expected.asa_s), width=3.0)
    assert_inside(row, "occupancy", float(expected.occupancy), width=0.02)


def test_chat_with_flat_handle_time_is_erlang_a_on_every_slot():
    """Without slowdown every slot serves at 1/aht wherever the chat sits: M/M/(N k)+M exactly."""
    agents, k, aht, load, patience, threshold = 10, 3, 300.0, 25.0, 180.0, 30.0
    frame = plan("chat", offered=load * 900 / aht, aht_s=aht, agents=agents, threshold_s=threshold,
                 patience_s=patience, concurrency=k, aht_growth=0.0)
    row = stationary(frame, seed=13)
    expected = erlang_a.erlang_a(agents * k, load, aht, patience, threshold)
    assert_inside(row, "service_level", float(expected.service_level), width=0.04)
    assert_inside(row, "abandon_rate", float(expected.p_abandon), width=0.02)
    assert_inside(row, "asa_s", float(expected.asa_s), width=3.0)
    assert_inside(row, "occupancy", float(expected.occupancy), width=0.02)
    assert 1.0 < row["concurrency"] < k


def least_loaded_chain(agents, k, aht, growth, rate, patience, queue_max=150):
    """Exact stationary abandonment and slot occupancy of least-loaded routing without transfers.

    State: the sorted loads of the agents (a multiset) and, once all are full, the queue length.
    A completion frees a slot at an agent with l chats (rate l / (aht (1 + growth (l - 1))) each);
    the queue head then takes it."""
    def speed(l):
        return l / (aht * (1 + growth * (l - 1))) if l else 0.0

    loads = sorted(itertools.combinations_with_replacement(range(k + 1), agents))
    states = [(loads_, 0) for loads_ in loads] + [((k,) * agents, q) for q in range(1, queue_max + 1)]
    index = {state: i for i, state in enumerate(states)}
    q_matrix = np.zeros((len(states), len(states)))

    def move(state, to, r):
        q_matrix[index[state], index[to]] += r
        q_matrix[index[state], index[state]] -= r

    for state in states:
        held, queue = state
        if queue == 0 and held[0] < k:
            move(state, (tuple(sorted((held[0] + 1,) + held[1:])), 0), rate)
        elif queue < queue_max:
            move(state, (held, queue + 1), rate)
        for level in set(held) - {0}:
            freed = list(held)
            freed[freed.index(level)] -= 1
            to = (tuple(sorted(freed)), 0) if queue == 0 else (held, queue - 1)  # queue: the slot refills
            move(state, to, held.count(level) * speed(level))
        if queue:
            move(state, (held, queue - 1), queue / patience)
    system = q_matrix.T.copy()
    system[0, :] = 1.0
    p = np.linalg.solve(system, np.eye(len(states))[0])
    waiting = sum(p[i] * queue for i, (_, queue) in enumerate(states))
    busy = sum(p[i] * sum(held) for i, (held, _) in enumerate(states))
    return waiting / patience / rate, busy / (agents * k)


def test_chat_with_slowdown_agrees_with_the_exact_least_loaded_chain():
    """Few agents and a strong slowdown, where routing matters most. The exact chain of least-loaded
    routing without transfers (state: every agent's load) is the simulated model solved exactly;
    it differs from the balanced chain by only 0.2 points of abandonment and 0.4 of occupancy here
    (chat optimistic), less than this interval can resolve."""
    agents, k, growth, aht, patience = 6, 3, 0.5, 300.0, 180.0
    rate = 0.6 * agents * k / aht
    frame = plan("chat", offered=rate * 900, aht_s=aht, agents=agents, threshold_s=30.0, patience_s=patience,
                 concurrency=k, aht_growth=growth)
    row = stationary(frame, seed=19, replications=60)
    abandon, occupancy = least_loaded_chain(agents, k, aht, growth, rate, patience)
    assert_inside(row, "abandon_rate", abandon, width=0.02)
    assert_inside(row, "occupancy", occupancy, width=0.02)


def test_chat_least_loaded_routing_against_the_balanced_chain():
    """The balanced chain spreads chats evenly; real routing never moves a chat. Measure the gap."""
    chat = pytest.importorskip("planner.staffing.chat")
    agents, k, growth, aht, rate, patience, threshold = 10, 3, 0.3, 300.0, 0.06, 180.0, 30.0
    frame = plan("chat", offered=rate * 900, aht_s=aht, agents=agents, threshold_s=threshold,
                 patience_s=patience, concurrency=k, aht_growth=growth)
    row = stationary(frame, seed=14, replications=100)
    chain = chat.erlang_chat(agents, rate, chat.aht_profile(aht, k, growth), patience, threshold)
    gap = row["service_level"] - float(chain.service_level)
    print(f"\nleast-loaded routing minus balanced chain (N={agents}, k={k}, growth {growth}): "
          f"service level {gap:+.4f} (simulated {row['service_level']:.4f} "
          f"[{row['service_level_lo']:.4f}, {row['service_level_hi']:.4f}]), "
          f"abandonment {row['abandon_rate'] - float(chain.p_abandon):+.4f}, "
          f"occupancy {row['occupancy'] - float(chain.occupancy):+.4f}")
    assert abs(gap) < 0.03
    assert abs(row["abandon_rate"] - float(chain.p_abandon)) < 0.02


def test_lognormal_handle_times_keep_the_occupancy_of_any_m_g_n_queue():
    """Occupancy = A / N for every handle-time law (no abandonment): a check of the lognormal means."""
    load, aht, agents = 30.0, 300.0, 33
    frame = plan(offered=load * 900 / aht, aht_s=aht, agents=agents, threshold_s=20.0)
    result = simulate(frame, rng=np.random.default_rng(15), replications=60, level=LEVEL, warmup_s=3600.0,
                      handle="lognormal", cv=2.0)
    assert_inside(result.channels.iloc[0], "occupancy", load / agents, width=0.03)


def test_deferred_time_to_answer_agrees_with_the_m_m_n_sojourn_time():
    """Answered = handling completed: P(wait + handle <= D) of M/M/N, from Erlang C in closed form."""
    load, aht, agents, deadline = 20.0, 300.0, 23, 600.0
    frame = plan("deferred", offered=load * 900 / aht, aht_s=aht, agents=agents, deadline_s=deadline)
    row = stationary(frame, seed=16, replications=60)
    c, mu = float(erlang.erlang_c(agents, load)), 1.0 / aht
    nu = agents * mu - load * mu  # rate of the wait of those who wait
    wait_then_handle = (nu * math.exp(-mu * deadline) - mu * math.exp(-nu * deadline)) / (nu - mu)  # P(W + S > D)
    late = (1 - c) * math.exp(-mu * deadline) + c * wait_then_handle
    assert_inside(row, "within_deadline", 1.0 - late, width=0.04)
    assert_inside(row, "occupancy", load / agents, width=0.02)


def literal_chat(start_s, offered, aht_s, agents, k, growth, patience_s, threshold_s, rng):
    """Chat the slow, literal way: explicit agents and chats, each chat with its own exponential
    clock, redrawn whenever its agent's load or the interval's AHT changes. Returns the day's
    service level and abandonment."""
    counts = rng.poisson(offered)
    arrival = np.repeat(start_s, counts) + rng.random(counts.sum()) * 900.0
    arrival.sort()
    give_up = arrival + patience_s * rng.standard_exponential(arrival.size)
    events = [(t, "arrive", i) for i, t in enumerate(arrival)] + [(t, "staff", m) for m, t in enumerate(start_s)]
    heapq.heapify(events)
    team, queue, answered_at, aht = [], [], {}, aht_s[0]

    def redraw(agent, t):
        agent["clock"] += 1
        for _ in range(agent["chats"]):
            mean = aht * (1 + growth * (agent["chats"] - 1))
            heapq.heappush(events, (t + mean * rng.standard_exponential(), "done", (agent, agent["clock"])))

    while events:
        t, what, data = heapq.heappop(events)
        if what == "arrive":
            queue.append(data)
        elif what == "staff":
            aht, on = aht_s[data], [a for a in team if a["on"]]
            for agent in sorted(on, key=lambda a: a["chats"])[:max(len(on) - agents[data], 0)]:
                agent["on"] = False  # least-loaded leave; idle ones at once
            back = sorted((a for a in team if not a["on"] and a["chats"]), key=lambda a: -a["chats"])
            for agent in back[:max(agents[data] - len(on), 0)]:
                agent["on"] = True
            team = [a for a in team if a["on"] or a["chats"]]
            team += [{"on": True, "chats": 0, "clock": 0} for _ in range(agents[data] - sum(a["on"] for a in team))]
            for agent in team:
                redraw(agent, t)
        else:
            agent, clock = data
            if clock != agent["clock"]:
                continue  # a stale clock: the load changed since
            agent["chats"] -= 1
            team = [a for a in team if a["on"] or a["chats"]]
            redraw(agent, t)
        queue = [i for i in queue if give_up[i] >= t]
        while queue:
            free = [a for a in team if a["on"] and a["chats"] < k]
            if not free:
                break
            agent = min(free, key=lambda a: a["chats"])
            agent["chats"] += 1
            answered_at[queue.pop(0)] = t
            redraw(agent, t)
    wait = np.array([answered_at.get(i, np.inf) - arrival[i] for i in range(arrival.size)])
    return np.mean(wait <= threshold_s), np.mean(np.isinf(wait))


def test_chat_engine_agrees_with_a_literal_simulation_through_staffing_changes():
    """The fast engine lumps agents by load and runs one clock for the pool; a literal simulation
    with a clock per chat must give the same day (staff rising and falling, AHT changing)."""
    offered = np.array([60.0, 90, 100, 80, 70, 90, 60, 40])
    aht = np.array([300.0, 320, 360, 340, 300, 320, 300, 300])
    agents = np.array([9, 15, 11, 18, 8, 14, 12, 5])
    k, growth, patience, threshold, reps = 3, 0.25, 150.0, 30.0, 40
    frame = plan("chat", offered=offered, aht_s=aht, agents=agents, periods=8, threshold_s=threshold,
                 patience_s=patience, concurrency=k, aht_growth=growth)
    fast = simulate(frame, rng=np.random.default_rng(17), replications=reps).channels.iloc[0]
    rng = np.random.default_rng(18)
    slow = np.array([literal_chat(np.arange(8) * 900.0, offered, aht, agents, k, growth, patience, threshold, rng)
                     for _ in range(reps)])
    for j, name in enumerate(["service_level", "abandon_rate"]):
        # Welch interval for the difference of the means, at LEVEL; the fast half-width is at 0.99.
        se_fast = (fast[f"{name}_hi"] - fast[f"{name}_lo"]) / 2 / stats.t.ppf(0.995, reps - 1)
        se_slow = slow[:, j].std(ddof=1) / math.sqrt(reps)
        half = stats.norm.ppf(0.5 + LEVEL / 2) * math.hypot(se_fast, se_slow)
        assert abs(fast[name] - slow[:, j].mean()) < half, (name, fast[name], slow[:, j].mean(), half)


# --- exact sanity cases ------------------------------------------------------------------------


def test_deferred_conserves_items_and_ample_staff_meets_every_deadline():
    frame = plan("deferred", offered=[30.0, 80.0, 50.0, 0.0, 20.0, 60.0], aht_s=400.0, agents=[5, 20, 40, 40, 2, 60],
                 periods=6, deadline_s=7200.0)
    result = simulate(frame, rng=np.random.default_rng(1), replications=5)
    r = result.intervals
    # Arrived and not answered at each interval end = backlog (exact per replication, so for the means).
    np.testing.assert_allclose(r["offered"].cumsum() - r["handled"].cumsum(), r["backlog"], atol=1e-9)
    ample = simulate(plan("deferred", offered=40.0, aht_s=300.0, agents=200, periods=8, deadline_s=3600.0),
                     rng=np.random.default_rng(2), replications=3)
    due, later = ample.intervals.iloc[:4], ample.intervals.iloc[4:]  # 1 h deadline: the last hour is due after the end
    assert (due["within_deadline"] == 1.0).all() and (due["within_deadline_lo"] == 1.0).all()
    assert (due["not_yet_due"] == 0).all()
    assert later["within_deadline"].isna().all() and (later["not_yet_due"] == later["offered"]).all()
    assert ample.channels["within_deadline"].iloc[0] == 1.0


@pytest.mark.parametrize("kind,extra", [("voice", {}), ("chat", {"concurrency": 3, "aht_growth": 0.2})])
def test_ample_staff_answers_at_once_and_chats_are_spread_one_per_agent(kind, extra):
    frame = plan(kind, offered=50.0, aht_s=300.0, agents=500, periods=4, threshold_s=0.0, patience_s=60.0, **extra)
    r = simulate(frame, rng=np.random.default_rng(3), replications=3).intervals
    assert (r["service_level"] == 1.0).all() and (r["abandon_rate"] == 0.0).all() and (r["asa_s"] == 0.0).all()
    if kind == "chat":  # least-loaded: nobody takes a second chat while an agent is idle
        assert (r["concurrency"] == 1.0).all()


def test_nobody_staffed_means_everyone_abandons_or_waits_forever():
    impatient = simulate(plan(agents=0, periods=4, threshold_s=20.0, patience_s=60.0),
                         rng=np.random.default_rng(4), replications=2).channels.iloc[0]
    assert impatient["abandon_rate"] == 1.0 and impatient["service_level"] == 0.0
    assert math.isnan(impatient["occupancy"])  # no agent time to be busy in
    patient = simulate(plan(agents=0, periods=4, threshold_s=20.0), rng=np.random.default_rng(4),
                       replications=2).channels.iloc[0]
    assert patient["abandon_rate"] == 0.0 and patient["service_level"] == 0.0


@pytest.mark.parametrize("kind,extra", [("voice", {}), ("chat", {"concurrency": 2, "aht_growth": 0.1}),
                                        ("deferred", {"deadline_s": 3600.0})])
def test_agents_leaving_finish_the_work_in_hand(kind, extra):
    """Staff drops to 0: nobody starts a new contact, but work in hand runs on (occupancy exactly 1)."""
    frame = plan(kind, offered=[400.0, 400.0], aht_s=600.0, agents=[30, 0], periods=2, threshold_s=20.0, **extra)
    r = simulate(frame, rng=np.random.default_rng(5), replications=3).intervals
    second = r.iloc[1]
    assert second["handled"] > 0 and second["occupancy"] == pytest.approx(1.0, abs=1e-9)
    if kind != "deferred":
        assert second["service_level"] == 0.0
    assert (r["occupancy_hi"] <= 1.0).all()


def test_contacts_wait_across_a_closed_gap_and_business_hours_stop_the_deadline_clock():
    starts = pd.DatetimeIndex(["2026-07-06 17:45", "2026-07-07 08:00"]).tz_localize("Europe/London")
    later = pd.date_range("2026-07-07 08:15", periods=3, freq="15min", tz="Europe/London")  # due by 09:00
    base = dict(interval_start=starts.append(later), channel="email", kind="deferred", offered=[20.0, 0, 0, 0, 0],
                aht_s=60.0, agents=[0, 200, 0, 0, 0], deadline_s=3600.0)
    run = dict(rng=np.random.default_rng(6), replications=2, interval_s=900)  # not the 14 h 15 min step
    calendar = simulate(pd.DataFrame(base), **run).intervals
    business = simulate(pd.DataFrame({**base, "business_hours": True}), **run).intervals
    assert calendar["within_deadline"].iloc[0] == 0.0  # 14 hours overnight
    assert business["within_deadline"].iloc[0] == 1.0  # at most 15 open minutes plus the handle time
    voice = simulate(pd.DataFrame({**base, "kind": "voice", "threshold_s": 20.0}), **run).intervals
    assert voice["asa_s"].iloc[0] > 14 * 3600 and voice["service_level"].iloc[0] == 0.0


def test_same_generator_seed_same_result_and_frames_are_tidy():
    frame = pd.concat([plan(periods=3, threshold_s=20.0, channel="phone"),
                       plan("chat", offered=30.0, aht_s=400.0, agents=6, periods=3, threshold_s=40.0,
                            concurrency=3, aht_growth=0.1, channel="chat")], ignore_index=True)
    calls = []
    first = simulate(frame, rng=np.random.default_rng(7), replications=4, progress=lambda d, n: calls.append((d, n)))
    again = simulate(frame, rng=7, replications=4)
    pd.testing.assert_frame_equal(first.intervals, again.intervals)
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert isinstance(first, SimulationResult) and first.replications == 4 and first.level == 0.99
    assert list(first.intervals.columns[:4]) == ["interval_start", "channel", "kind", "agents"]
    assert first.intervals["interval_start"].dt.tz is not None and len(first.intervals) == 6
    assert first.intervals["interval_start"].is_monotonic_increasing
    assert list(first.channels["channel"]) == ["phone", "chat"]
    other = simulate(frame, rng=np.random.default_rng(8), replications=4)
    assert not first.intervals["offered"].equals(other.intervals["offered"])


# --- input errors ----------------------------------------------------------------------------


def message(frame, **options):
    with pytest.raises(InputError) as caught:
        simulate(frame, rng=np.random.default_rng(0), **options)
    return str(caught.value)


def test_plan_errors_name_the_column_the_row_and_the_fix():
    good = plan(periods=3, threshold_s=20.0, channel="phone")
    assert message(good.drop(columns=["agents", "kind"])) == (
        "plan: missing column(s) kind, agents; a plan needs interval_start, channel, kind, offered, aht_s, "
        "agents, plus threshold_s (voice, chat), concurrency (chat) and deadline_s (deferred)")
    assert message(good.assign(kind=["voice", "mail", "voice"])) == (
        "plan: row 1 (phone 2026-07-06 00:15:00+01:00), column kind: unknown kind 'mail'; "
        "use one of voice, chat, deferred, outbound")
    assert message(good.assign(kind=["voice", None, "voice"])).endswith("column kind: unknown kind empty; "
                                                                        "use one of voice, chat, deferred, outbound")
    assert message(good.assign(offered=[1.0, 2.0, -3.0])) == (
        "plan: row 2 (phone 2026-07-06 00:30:00+01:00), column offered: expected a finite number >= 0, got -3")
    assert message(good.assign(agents=[1.5, 2, 3])) == (
        "plan: row 0 (phone 2026-07-06 00:00:00+01:00), column agents: expected a whole number >= 0, got 1.5")
    assert message(good.assign(aht_s=0.0)) == (
        "plan: row 0 (phone 2026-07-06 00:00:00+01:00), column aht_s: expected a finite number > 0, got 0")
    assert message(good.assign(patience_s=-1.0)) == (
        "plan: row 0 (phone 2026-07-06 00:00:00+01:00), column patience_s: expected a number > 0 "
        "(or inf: never abandons), got -1")
    assert message(good.drop(columns=["threshold_s"])) == (
        "plan: missing column threshold_s, needed by voice and chat channels "
        "(first at row 0 (phone 2026-07-06 00:00:00+01:00)); add it to the plan")
    assert message(plan("deferred", periods=2, deadline_s=[3600.0, math.nan])) == (
        "plan: row 1 (x 2026-07-06 00:15:00+01:00), column deadline_s: expected a finite number > 0, got nan")
    assert message(plan("chat", periods=2, threshold_s=20.0, concurrency=[3, 2])) == (
        "plan: row 1 (x 2026-07-06 00:15:00+01:00), column concurrency: the concurrency of a channel must not "
        "change: 3 in row 0 (x 2026-07-06 00:00:00+01:00) but 2 here")
    assert message(pd.concat([good, good.iloc[[1]]], ignore_index=True)) == (
        "plan: row 3 (phone 2026-07-06 00:15:00+01:00), column interval_start: a second row for the same "
        "channel and interval; keep one row per interval_start and channel")
    naive = good.assign(interval_start=good["interval_start"].dt.tz_localize(None).dt.as_unit("ns"))
    assert message(naive) == (
        "plan: column interval_start: expected time-zone aware timestamps, got datetime64[ns]; "
        "localize them, e.g. plan['interval_start'].dt.tz_localize('Europe/London')")
    assert message(plan(periods=2, freq="10min", threshold_s=20.0)) == (
        "plan: cannot infer the interval length: no channel has two intervals 5, 15, 30 or 60 minutes apart; "
        "pass interval_s (e.g. 600 for 10 minutes)")
    assert message(good, interval_s=1800) == (
        "plan: row 1 (phone 2026-07-06 00:15:00+01:00), column interval_start: starts 900 s after the channel's "
        "previous interval, inside an interval of 1800 s; fix the times or interval_s")


@pytest.mark.parametrize("options,expected", [
    ({"replications": 0}, "replications: expected a whole number >= 1, got 0"),
    ({"level": 1.0}, "level: expected a confidence level between 0 and 1 (e.g. 0.99), got 1.0"),
    ({"warmup_s": -1.0}, "warmup_s: expected a number of seconds >= 0, got -1.0"),
    ({"handle": "gamma"}, "handle: unknown distribution 'gamma'; use one of exponential, lognormal"),
    ({"cv": 0.0}, "cv: expected a coefficient of variation > 0, got 0.0"),
])
def test_option_errors(options, expected):
    assert message(plan(periods=2, threshold_s=20.0), **options) == expected


def test_a_single_interval_defaults_to_15_minutes_and_rng_must_be_a_generator():
    one = simulate(plan(periods=1, threshold_s=20.0), rng=np.random.default_rng(0), replications=2)
    assert one.intervals.attrs["interval_s"] == 900.0
    with pytest.raises(InputError, match=r"^rng: expected a numpy Generator"):
        simulate(plan(periods=1, threshold_s=20.0), rng=np.random.random)


# --- reading plan files and the command line --------------------------------------------------


def write_plan(path, frame=None):
    frame = plan(offered=[40.0, 60.0], periods=2, agents=[10, 14], threshold_s=20.0, patience_s=120.0,
                 channel="phone") if frame is None else frame
    frame.to_csv(path, index=False)
    return path


def test_read_plan_round_trips_and_locates_errors_by_file_line(tmp_path):
    path = write_plan(tmp_path / "plan.csv")
    frame = read_plan(path)
    assert str(frame["interval_start"].dt.tz) == "UTC+01:00" and frame["agents"].tolist() == [10, 14]
    bad = write_plan(tmp_path / "bad.csv", plan(offered=[40.0, -1.0], periods=2, threshold_s=20.0, channel="phone"))
    with pytest.raises(InputError) as caught:
        read_plan(bad)
    assert str(caught.value) == f"{bad}:3:offered: expected a finite number >= 0, got -1"  # file:line:column
    naive = tmp_path / "naive.csv"
    naive.write_text("interval_start,channel,kind,offered,aht_s,agents,threshold_s\n"
                     "2026-07-06 09:00,phone,voice,50,180,12,20\n")
    with pytest.raises(InputError, match=":2:interval_start: '2026-07-06 09:00' has no UTC offset"):
        read_plan(naive)
    assert str(read_plan(naive, tz="Europe/London")["interval_start"].dt.tz) == "Europe/London"


def test_a_plan_file_across_the_autumn_clock_change_reads_in_utc(tmp_path):
    starts = pd.date_range("2026-10-25 00:00", periods=12, freq="15min", tz="Europe/London")  # 01:00-02:00 twice
    frame = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice", "offered": 30.0,
                          "aht_s": 180.0, "agents": 8, "threshold_s": 20.0})
    read = read_plan(write_plan(tmp_path / "dst.csv", frame))
    assert str(read["interval_start"].dt.tz) == "UTC" and read["interval_start"].is_unique
    result = simulate(read, rng=np.random.default_rng(9), replications=2)
    assert len(result.intervals) == 12 and result.intervals.attrs["interval_s"] == 900.0


def test_cli_simulates_a_plan_file_and_writes_the_intervals(tmp_path):
    path = write_plan(tmp_path / "plan.csv")
    out = tmp_path / "simulated.csv"
    result = CliRunner().invoke(cli, ["simulate", str(path), "--replications", "3", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("3 replications, 99% confidence intervals")
    assert "phone" in result.stdout and f"per-interval results: {out}" in result.stdout
    written = pd.read_csv(out)
    assert len(written) == 2 and {"service_level", "service_level_lo", "service_level_hi"} <= set(written.columns)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_cli_bad_plan_is_one_error_line(tmp_path):
    bad = write_plan(tmp_path / "bad.csv", plan(periods=2, kind="fax", threshold_s=20.0, channel="phone"))
    result = CliRunner().invoke(cli, ["simulate", str(bad)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}:2:kind: unknown kind 'fax'; use one of voice, chat, deferred, outbound\n"
    missing = CliRunner().invoke(cli, ["simulate", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1
    assert missing.stderr == (f"Error: {tmp_path / 'nope.csv'}: file not found; give the path of a plan CSV "
                              "(as written by planner run)\n")
    same = CliRunner().invoke(cli, ["simulate", str(bad), "--out", str(bad)])
    assert same.exit_code == 1 and same.stderr == "Error: --out would overwrite the plan; choose another file\n"
    help_text = CliRunner().invoke(cli, ["simulate", "-h"]).output
    assert "Example:" in help_text and "planner simulate" in help_text.split("Example:")[1]
