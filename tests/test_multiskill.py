"""Agent groups (planner.multiskill): degenerate cases against Erlang C, the bounds against brute
force, bracketing of the search, and monotonicity of the simulator (docs/design.md section 4a)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import SpecError
from planner.multiskill.bounds import pooled_agents, static_allocation
from planner.multiskill.groups import Group, read_groups
from planner.multiskill.search import pooled_total, search
from planner.multiskill.simulate import System, simulate
from planner.staffing import erlang

HOURS4 = 4 * 3600.0


def _contains(result, k, value, what="service_level"):
    mean, low, high = result.mean_ci(what, level=0.99)
    assert low[k] <= value <= high[k], f"{what}[{k}]: {value} outside [{low[k]}, {high[k]}] (mean {mean[k]})"


def _bracketed(system: System, found, static_total: int) -> None:
    assert pooled_total(system) <= found.agents.sum() <= static_total


def test_one_group_with_every_skill_and_equal_aht_is_erlang_c_on_the_total():
    """Equal AHT, one group: the number in system is M/M/N's whatever the class order, so P(wait)
    and the mean wait over all classes are Erlang C's on the total load (threshold 0: met = no wait)."""
    loads = np.array([3.0, 4.0, 5.0])
    n = erlang.required_agents(loads.sum(), 180.0, target_service_level=0.8, threshold_s=20.0)
    assert int(pooled_agents([loads], [[180.0] * 3], target_service_level=[[0.8] * 3],
                             threshold_s=[[20.0] * 3])[0]) == n  # the pooled bound is Erlang C on the total
    system = System(rate_per_s=loads / 180.0, aht_s=[180.0] * 3, threshold_s=[0.0] * 3, skills=((0, 1, 2),))
    result = simulate(system, [n], replications=40, duration_s=HOURS4, seed=11)
    pooled = type(result)(offered=result.offered.sum(1, keepdims=True), met=result.met.sum(1, keepdims=True),
                          abandoned=result.abandoned.sum(1, keepdims=True), wait_s=result.wait_s.sum(1, keepdims=True),
                          answered=result.answered.sum(1, keepdims=True), busy_s=result.busy_s)
    _contains(pooled, 0, 1.0 - erlang.erlang_c(n, loads.sum()))
    _contains(pooled, 0, erlang.asa(n, loads.sum(), 180.0), "asa_s")
    with_targets = System(rate_per_s=loads / 180.0, aht_s=[180.0] * 3, threshold_s=[20.0] * 3, skills=((0, 1, 2),))
    static = static_allocation([erlang.required_agents(loads, 180.0, target_service_level=0.8, threshold_s=20.0)],
                               (Group("all", ("a", "b", "c")),), ["a", "b", "c"])
    found = search(with_targets, replications=20, duration_s=HOURS4, seed=2, static=static.agents[0])
    assert found.meets
    _bracketed(with_targets, found, int(static.agents.sum()))


def test_disjoint_groups_staff_each_channel_by_its_own_model():
    loads = np.array([7.0, 5.0])  # Erlang C at 80/20, AHT 180 s: 10 (9 give 69%) and 8 (7 give 74%)
    own = erlang.required_agents(loads, 180.0, target_service_level=0.8, threshold_s=20.0)
    groups = (Group("a", ("a",)), Group("b", ("b",)))
    static = static_allocation([own], groups, ["a", "b"])
    assert static.agents[0].tolist() == own.tolist() == [10, 8]
    system = System(rate_per_s=loads / 180.0, aht_s=[180.0] * 2, threshold_s=[20.0] * 2, skills=((0,), (1,)))
    found = search(system, replications=30, duration_s=HOURS4, seed=4, static=static.agents[0])
    assert found.agents.tolist() == [10, 8]
    for k in range(2):
        _contains(found.result, k, float(erlang.service_level(own[k], loads[k], 180.0, 20.0)))
    _bracketed(system, found, int(static.agents.sum()))


def test_voice_and_email_with_enough_idle_time_cost_no_more_than_voice_alone():
    """Email (1.5 Erlangs, deadline 4 h) fills the idle time of 10 agents on 7 Erlangs of voice."""
    system = System(rate_per_s=[7 / 180, 1.5 / 600], aht_s=[180.0, 600.0], threshold_s=[20.0, np.nan],
                    deadline_s=[np.inf, HOURS4], skills=((0, 1),), target=[0.8, 0.95])
    voice_alone = erlang.required_agents(7.0, 180.0, target_service_level=0.8, threshold_s=20.0)
    found = search(system, replications=30, duration_s=HOURS4, seed=5)
    assert found.meets and found.agents.tolist() == [voice_alone] == [10]
    _contains(found.result, 0, float(erlang.service_level(10, 7.0, 180.0, 20.0)))  # voice sees no email
    assert found.result.lower_bound()[1] >= 0.95
    _bracketed(system, found, int(static_allocation([[10, 1.5]], (Group("g", ("v", "e")),), ["v", "e"]).agents.sum()))


def test_a_short_chain_is_bracketed_by_the_bounds():
    skills = ((0, 1), (1, 2), (2, 0))
    system = System(rate_per_s=[6 / 240] * 3, aht_s=[240.0] * 3, threshold_s=[20.0] * 3, skills=skills)
    own = erlang.required_agents(np.full(3, 6.0), 240.0, target_service_level=0.8, threshold_s=20.0)
    groups = tuple(Group(f"g{i}", tuple("abc"[c] for c in s)) for i, s in enumerate(skills))
    static = static_allocation([own], groups, list("abc"))
    assert static.agents.sum() == own.sum()
    found = search(system, replications=20, duration_s=HOURS4, seed=6, static=static.agents[0])
    assert found.meets
    _bracketed(system, found, int(static.agents.sum()))
    assert found.agents.sum() < static.agents.sum()  # the chain pools


def _hall_feasible(n, r, serves):
    """Brute-force reference: capacities n cover demands r iff every set of channels is covered by the
    groups serving it (Hall's condition for a transportation problem)."""
    k = len(r)
    for size in range(1, k + 1):
        for subset in itertools.combinations(range(k), size):
            cap = sum(n[g] for g, s in enumerate(serves) if set(s) & set(subset))
            if cap < sum(r[c] for c in subset) - 1e-9:
                return False
    return True


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=3, max_size=3), st.lists(st.sampled_from([1.0, 1.5, 2.0]), min_size=3,
       max_size=3), st.integers(0, 2**16))
def test_static_allocation_is_the_least_cost_cover_by_brute_force(r, cost, seed):
    rng = np.random.default_rng(seed)
    serves = [tuple(sorted(rng.choice(3, size=rng.integers(1, 4), replace=False))) for _ in range(3)]
    serves[0] = (0, 1, 2)  # some group can serve every channel
    groups = tuple(Group(f"g{g}", tuple("abc"[c] for c in s), cost=cost[g]) for g, s in enumerate(serves))
    plan = static_allocation([r], groups, list("abc"))
    best = min(np.dot(n, cost) for n in itertools.product(range(sum(r) + 1), repeat=3)
               if _hall_feasible(n, r, serves))
    assert plan.cost[0] == pytest.approx(best)
    assert np.all(plan.split[0].sum(axis=0) >= np.asarray(r) - 1e-6)
    assert np.all(plan.split[0].sum(axis=1) <= plan.agents[0] + 1e-6)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**16))
def test_adding_an_agent_never_lowers_a_channels_service_level(seed):
    """With common random numbers, one more agent in any group does not lower any class's service
    level beyond simulation noise (paired per replication)."""
    rng = np.random.default_rng(seed)
    k, n_g = int(rng.integers(2, 4)), int(rng.integers(1, 4))
    skills = [tuple(int(c) for c in rng.permutation(k)[:rng.integers(1, k + 1)]) for _ in range(n_g)]
    skills[0] = tuple(int(c) for c in rng.permutation(k))  # every class has a group
    load = rng.uniform(1.0, 4.0, k)
    system = System(rate_per_s=load / 200.0, aht_s=[200.0] * k, threshold_s=[20.0] * k, skills=tuple(skills),
                    patience_s=rng.choice([np.inf, 300.0], k))
    base = rng.integers(1, 5, n_g) + (int(np.ceil(load.sum())) if n_g == 1 else 0)
    base[0] += int(np.ceil(load.sum()))
    more = base.copy()
    more[rng.integers(n_g)] += 1
    a = simulate(system, base, replications=12, duration_s=3600.0, seed=seed)
    b = simulate(system, more, replications=12, duration_s=3600.0, seed=seed)
    diff = b.service_level - a.service_level
    se = diff.std(axis=0, ddof=1) / np.sqrt(len(diff))
    assert np.all(diff.mean(axis=0) >= -0.005 - 3.5 * se), (skills, base, more, diff.mean(axis=0))


CHANNELS = {"phone": {"kind": "voice"}, "chat": {"kind": "chat"}, "email": {"kind": "deferred"}}


@pytest.mark.parametrize("table,message", [
    ({"a": {"skills": ["phone", "chat", "emails"]}},
     "groups.a.skills: emails is no channel (did you mean 'email'?)"),
    ({"a": {"skills": ["phone", "chat"]}},
     "groups: no group can serve channel email; add it to a group's skills, e.g. email = { skills = [\"email\"] }"),
    ({"a": {"skills": ["phone", "chat", "email"], "min_agents": 5, "max_agents": 3}},
     "groups.a.min_agents: 5 is above max_agents = 3; lower min_agents or raise max_agents"),
    ({"a": {"skills": ["phone", "chat", "email"], "cots": 1}}, "groups.a.cots: unknown key (did you mean 'cost'?)"),
])
def test_bad_groups_are_one_error_naming_the_key(table, message):
    with pytest.raises(SpecError) as error:
        read_groups(table, CHANNELS)
    assert str(error.value) == message


# --- scenarios with [groups] ---------------------------------------------------------------------

def _tiny(folder, groups: str) -> Path:
    rows = "".join(f"2026-06-{d:02d} {h:02d}:00,{c},{n},{a}\n" for d in range(1, 29) for h in range(8, 20)
                   for c, n, a in (("phone", 40 + 2 * h, 240), ("chat", 20, 300), ("email", 12, 400)))
    (folder / "history.csv").write_text("interval_start,channel,offered,aht_s\n" + rows)
    (folder / "plan.toml").write_text(f'''
name = "tiny"
timezone = "Europe/London"
interval = "1h"
history = "history.csv"
horizon = {{ start = 2026-06-29, days = 2 }}
[channels]
phone = {{ kind = "voice", target_service_level = 0.8, threshold_s = 20, shrinkage = 0.3 }}
chat = {{ kind = "voice", target_service_level = 0.8, threshold_s = 30, shrinkage = 0.3 }}
email = {{ kind = "deferred", deadline_s = "4h", shrinkage = 0.25 }}
{groups}''')
    return folder / "plan.toml"


def test_a_scenario_with_groups_plans_every_group_between_the_bounds(tmp_path):
    from planner.scenario import Scenario

    path = _tiny(tmp_path, "[groups]\nblended = { skills = [\"phone\", \"chat\", \"email\"] }\n"
                 "phone = { skills = [\"phone\"] }\n")
    scenario = Scenario.load(path)
    result = scenario.run()
    groups = result.groups
    assert set(groups.plan["group"]) == {"blended", "phone"}
    per_interval = groups.plan.groupby("interval_start")[["agents", "static_agents", "pooled_agents"]].agg(
        {"agents": "sum", "static_agents": "sum", "pooled_agents": "first"})
    assert (per_interval["pooled_agents"] <= per_interval["agents"]).mean() > 0.9  # per interval, to simulation noise
    hours = dict(zip(groups.totals["design"], groups.totals["agent_hours"]))
    assert hours["pooled bound"] <= hours["group plan"] <= hours["static bound"] == hours["silo"]
    assert hours["group plan"] < hours["silo"]  # phone and chat share a team, email fills its idle time
    row = groups.channels.set_index("channel")
    assert row.loc["phone", "basis"].startswith("simulation")
    assert (row.loc[["phone", "chat"], "service_level_lo"] >= 0.8).all()
    assert row.loc["email", "basis"].startswith("replay") and row.loc["email", "within_deadline_lo"] >= 0.99
    from planner.report.groups import group_rollup  # what planner compare shows: the groups' agents by channel

    fractional = dict(zip(groups.totals["design"], groups.totals["agent_hours_fractional"]))
    assert group_rollup(result, scenario.config)["agent_hours"].sum() == pytest.approx(fractional["group plan"])
    assert result.daily["agent_hours"].sum() == pytest.approx(fractional["silo"])
    scenario.write(result, tmp_path / "out")
    written = pd.read_csv(tmp_path / "out" / "group_plan.csv")
    assert {"interval_start", "group", "agents", "agents_gross", "on_phone"} <= set(written.columns)
    assert "Agent groups" in (tmp_path / "out" / "report.html").read_text()


@pytest.mark.parametrize("groups,message", [
    ("[groups]\nall = { skills = [\"phone\", \"chat\", \"emial\"] }\n",
     "groups.all.skills: emial is no channel (did you mean 'email'?)"),
    ("[groups]\nall = { skills = [\"phone\", \"chat\"] }\n",
     "groups: no group can serve channel email; add it to a group's skills, e.g. email = { skills = [\"email\"] }"),
    ("[groups]\nall = { skills = [\"phone\", \"chat\", \"email\"], min_agents = 9, max_agents = 2 }\n",
     "groups.all.min_agents: 9 is above max_agents = 2; lower min_agents or raise max_agents"),
])
def test_planner_check_names_the_bad_group_key_in_one_line(tmp_path, groups, message):
    from click.testing import CliRunner

    from planner.cli import cli

    path = _tiny(tmp_path, groups)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {path}: {message}"]


def test_replay_of_a_steady_blended_day_agrees_with_erlang_c_and_keeps_email_on_time():
    """Four steady hours, 10 agents holding phone (7 Erlangs) and email (1.5 Erlangs, 1 h deadline):
    the replay over the horizon gives phone Erlang C's service level (email never delays a call)."""
    from planner.multiskill.replay import replay

    starts = pd.date_range("2026-07-06 08:00", periods=16, freq="15min", tz="Europe/London")
    common = dict(patience_s=np.nan, business_hours=False, open=True)
    plan = pd.DataFrame([row for t in starts for row in (
        dict(interval_start=t, channel="phone", offered=35.0, aht_s=180.0, threshold_s=20.0, target_service_level=0.8,
             deadline_s=np.nan, **common),
        dict(interval_start=t, channel="email", offered=2.25, aht_s=600.0, threshold_s=np.nan, target_service_level=0.95,
             deadline_s=3600.0, **common))])
    staff = pd.DataFrame({"interval_start": starts, "group": "g", "agents": 10})
    result = replay(plan, staff, (Group("g", ("phone", "email")),), interval_s=900, replications=30, seed=3)
    row = result.set_index("channel")
    exact = float(erlang.service_level(10, 7.0, 180.0, 20.0))  # 0.841; the replay starts empty: 0.01 allowed
    assert row.at["phone", "met_lo"] - 0.01 <= exact <= row.at["phone", "met_hi"] + 0.01
    assert row.at["email", "met_lo"] >= 0.95


def test_planner_run_prints_the_saving_and_compare_counts_the_groups(tmp_path):
    from click.testing import CliRunner

    from planner.cli import cli

    grouped = _tiny(tmp_path, "[groups]\nblended = { skills = [\"phone\", \"chat\", \"email\"] }\n")
    (tmp_path / "silo.toml").write_text(grouped.read_text().replace('name = "tiny"', 'name = "silo"').split("[groups]")[0])
    run = CliRunner().invoke(cli, ["run", str(grouped), "--out", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    note = next(line for line in run.output.splitlines() if line.startswith("groups: "))
    totals = pd.read_csv(tmp_path / "out" / "group_totals.csv").set_index("design")
    assert f"{totals.at['group plan', 'agent_hours_fractional']:,.0f} agent-hours against" in note
    compared = CliRunner().invoke(cli, ["compare", str(tmp_path / "silo.toml"), str(grouped), "--by", "day", "--out",
                                        str(tmp_path / "cmp")])
    assert compared.exit_code == 0, compared.output
    table = pd.read_csv(tmp_path / "cmp" / "compare.csv")  # daily FTE of 8 paid hours
    assert 8 * table["fte [tiny]"].sum() == pytest.approx(totals.at["group plan", "agent_hours_fractional"])
    assert 8 * table["fte [silo]"].sum() == pytest.approx(totals.at["silo", "agent_hours_fractional"])


# --- chat with concurrency in the group simulator ------------------------------------------------

CHAT = dict(aht_s=300.0, patience_s=180.0, threshold_s=40.0, k=3, growth=0.15)  # the sample scenario's chat


def _chat_only(rate, agents, *, growth=CHAT["growth"], k=CHAT["k"], aht=CHAT["aht_s"], patience=CHAT["patience_s"],
               threshold=CHAT["threshold_s"], replications=40, seed=0):
    system = System(rate_per_s=[rate], aht_s=[aht], threshold_s=[threshold], patience_s=[patience], skills=((0,),),
                    concurrency=[k], aht_growth=[growth], target=[0.8])
    return system, simulate(system, [agents], replications=replications, duration_s=HOURS4, seed=seed)


def test_a_chat_only_group_without_slowdown_is_the_chat_model():
    """Flat handle time: every slot serves at 1/aht, so N agents of k chats are Erlang A on N k
    servers, which is what the chat model gives (planner.staffing.chat)."""
    from planner.staffing import chat

    _, result = _chat_only(25.0 / 300.0, 10, growth=0.0, threshold=30.0, seed=21)
    exact = chat.erlang_chat(10, 25.0 / 300.0, 300.0, 180.0, 30.0, concurrency=3)
    _contains(result, 0, float(exact.service_level))
    _contains(result, 0, float(exact.p_abandon), "abandon_rate")
    _contains(result, 0, float(exact.asa_s), "asa_s")


def test_a_chat_only_group_with_slowdown_is_the_chat_model():
    """With slowdown, the exact chain of least-loaded routing (every agent's load; test_simulate) and,
    at the sample scenario's chat, the chat model's balanced chain and its staffing (13 agents)."""
    from test_simulate import least_loaded_chain

    from planner.staffing import chat

    rate = 0.6 * 6 * 3 / 300.0  # 6 agents of 3 chats, 50% slower per extra chat: routing matters most
    _, result = _chat_only(rate, 6, growth=0.5, threshold=30.0, replications=60, seed=22)
    abandon, _ = least_loaded_chain(6, 3, 300.0, 0.5, rate, 180.0)
    _contains(result, 0, abandon, "abandon_rate")
    profile = chat.aht_profile(CHAT["aht_s"], CHAT["k"], CHAT["growth"])
    own = int(chat.required_agents(0.1, profile, patience_s=180.0, target_service_level=0.8, threshold_s=40.0))
    assert own == 13
    system, result = _chat_only(0.1, own, seed=23)
    exact = chat.erlang_chat(own, 0.1, profile, 180.0, 40.0)
    _contains(result, 0, float(exact.service_level))
    _contains(result, 0, float(exact.p_abandon), "abandon_rate")
    found = search(system, replications=30, duration_s=HOURS4, seed=24)  # the group staffs chat as the chat model
    assert found.meets and found.agents.tolist() == [own]


def _voice_and_chat(concurrency=CHAT["k"], chat_agents=None):
    """One group holding voice (8 Erlangs, AHT 240 s, 80/20) and chat (0.1 chats/s, the sample's chat)."""
    return System(rate_per_s=[8.0 / 240.0, 0.1], aht_s=[240.0, CHAT["aht_s"]], threshold_s=[20.0, 40.0],
                  patience_s=[np.inf, 180.0], skills=((0, 1),), target=[0.8, 0.8], concurrency=[1, concurrency],
                  aht_growth=[0.0, CHAT["growth"] if concurrency > 1 else 0.0],
                  chat_agents=None if chat_agents is None else (chat_agents,))


def test_a_mixed_group_staffs_chat_below_one_chat_per_agent():
    """Honouring concurrency, a voice + chat group needs at most the static bound (voice's Erlang C
    11 + chat's model 13 = 24); simulated at one chat per agent (each chat holding an agent for its
    whole duration) it needs at least that system's pooled bound (39)."""
    from planner.staffing import chat

    voice = int(erlang.required_agents(8.0, 240.0, target_service_level=0.8, threshold_s=20.0))
    own_chat = int(chat.required_agents(0.1, chat.aht_profile(300.0, 3, 0.15), patience_s=180.0,
                                        target_service_level=0.8, threshold_s=40.0))
    static = voice + own_chat
    assert (voice, own_chat) == (11, 13)
    one_each = _voice_and_chat(concurrency=1)
    single = search(one_each, replications=20, duration_s=HOURS4, seed=3)
    assert single.meets and single.agents.sum() >= pooled_total(one_each) >= 39
    found = search(_voice_and_chat(chat_agents=own_chat), replications=20, duration_s=HOURS4, seed=3,
                   static=[static])
    assert found.agents.sum() <= static < pooled_total(one_each)


def test_a_chat_cap_leaves_voice_at_least_the_agents_outside_it():
    """With at most m agents chatting, voice always has N - m agents: its service level is at least
    Erlang C's on N - m (to simulation confidence)."""
    result = simulate(_voice_and_chat(chat_agents=13), [24], replications=30, duration_s=HOURS4, seed=25)
    mean, low, high = result.mean_ci(level=0.99)
    assert high[0] >= float(erlang.service_level(11, 8.0, 240.0, 20.0)) == pytest.approx(0.809, abs=1e-3)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**16))
def test_adding_an_agent_never_lowers_a_channels_service_level_with_chat(seed):
    """The monotonicity property with chat classes (concurrency 2 or 3, slowdown) in mixed groups."""
    rng = np.random.default_rng(seed)
    k, n_g = 3, int(rng.integers(1, 3))
    skills = [tuple(int(c) for c in rng.permutation(k)) for _ in range(n_g)]
    skills[-1] = skills[-1][:int(rng.integers(1, k + 1))]
    concurrency = np.where(np.arange(k) == int(rng.integers(k)), int(rng.integers(2, 4)), 1)
    load = rng.uniform(1.0, 3.0, k)
    system = System(rate_per_s=load / 200.0, aht_s=[200.0] * k, threshold_s=[20.0] * k, skills=tuple(skills),
                    patience_s=rng.choice([np.inf, 300.0], k), concurrency=concurrency,
                    aht_growth=np.where(concurrency > 1, 0.15, 0.0))
    base = rng.integers(1, 4, n_g)
    base[0] += int(np.ceil(system.load_erlangs.sum()))
    more = base.copy()
    more[rng.integers(n_g)] += 1
    a = simulate(system, base, replications=12, duration_s=3600.0, seed=seed)
    b = simulate(system, more, replications=12, duration_s=3600.0, seed=seed)
    diff = b.service_level - a.service_level
    se = diff.std(axis=0, ddof=1) / np.sqrt(len(diff))
    assert np.all(diff.mean(axis=0) >= -0.005 - 3.5 * se), (skills, concurrency, base, more, diff.mean(axis=0))


# --- segments and outbound blends inside groups --------------------------------------------------

def _day_plan(phone_spec, email_per_interval=6.0):
    """A steady day of 30-minute intervals: phone 150 calls of 240 s (20 Erlangs), email of 600 s."""
    import planner as pl

    starts = pd.date_range("2026-07-06 08:00", periods=20, freq="30min", tz="Europe/London")
    forecast = pd.concat([
        pd.DataFrame({"interval_start": starts, "channel": "phone", "offered": 150.0, "aht_s": 240.0}),
        pd.DataFrame({"interval_start": starts, "channel": "email", "offered": email_per_interval, "aht_s": 600.0})],
        ignore_index=True)
    return pl.staff(forecast, {"phone": phone_spec, "email": pl.Deferred(target_service_level=0.95,
                                                                         deadline_s=4 * 3600)}, interval_s=1800)


SEGMENTS = {"vip": {"share": 0.25, "target_service_level": 0.95, "threshold_s": 10},
            "standard": {"share": 0.75, "target_service_level": 0.80, "threshold_s": 20}}


@pytest.mark.parametrize("groups", [
    (Group("phone", ("phone",)), Group("email", ("email",))),
    (Group("blended", ("phone", "email")),),
], ids=["silo", "with-email"])
def test_a_segmented_channel_in_a_group_is_the_priority_model(groups):
    """Segments are priority classes of one pool: alone in its group, or with email that fits its idle
    time, a segmented phone costs the priority model's agents (planner.staffing.priority, exact), and
    the group's phone service level is the segments' own, weighted by volume."""
    import planner as pl
    from planner.multiskill import plan_groups
    from planner.staffing import priority

    plan = _day_plan(pl.Voice(segments=SEGMENTS))
    loads = np.array([0.25, 0.75]) * 20.0
    n = int(priority.required_agents(loads, 240.0, target_service_level=[0.95, 0.80], threshold_s=[10.0, 20.0]))
    found = plan_groups(plan, groups, interval_s=1800, replay_check=False)
    phone = found.plan[found.plan["group"] == groups[0].name]["agents"]
    assert (phone == n).all() and len(phone) == 20
    own = priority.segment_metrics(n, loads, 240.0, [10.0, 20.0]).service_level
    row = found.channels.set_index("channel").loc["phone"]
    assert row["service_level"] == pytest.approx(0.25 * float(own[0]) + 0.75 * float(own[1]), abs=1e-9)
    assert float(own[0]) >= 0.95 and float(own[1]) >= 0.80


@pytest.mark.parametrize("campaign", ["none", "every idle agent"])
def test_an_outbound_blend_takes_the_idle_time_email_would_fill(campaign):
    """A phone channel blended with a campaign ([[blend]]) counts the campaign's agents as live work.
    Without a campaign, email fits the phone agents' idle time: the group costs phone's Erlang C
    agents. A campaign that keeps every idle agent busy leaves no reservoir: email then costs at
    least its plan's whole work in extra agents, and at most its silo agents."""
    import planner as pl
    from planner.multiskill import plan_groups

    plan = _day_plan(pl.Voice(target_service_level=0.8, threshold_s=20), email_per_interval=3.0)
    n = int(erlang.required_agents(20.0, 240.0, target_service_level=0.8, threshold_s=20.0))
    phone = plan["channel"] == "phone"
    assert (plan.loc[phone, "agents"] == n).all()
    plan["outbound_agents"] = np.where(phone, (n - plan["load_erlangs"]) if campaign != "none" else 0.0, 0.0)
    found = plan_groups(plan, (Group("blended", ("phone", "email")),), interval_s=1800, replay_check=False)
    agents = found.plan["agents"].to_numpy()
    email = plan[~phone]
    if campaign == "none":
        assert (agents == n).all()
    else:
        work = (email["agents"] * email["occupancy"]).sum()  # agent-intervals of email work its plan does
        assert np.ceil(work - 1e-9) <= (agents - n).sum() <= email["agents"].sum()
        assert (agents - n).sum() > 0


def test_a_scenario_group_with_concurrent_chat_is_bracketed(tmp_path):
    """A real chat channel (3 at a time, 15% slower per extra chat) in one group with phone and email:
    simulated with its concurrency, the plan stays between the pooled and static bounds and every
    live channel meets its target in the simulation (one-sided 95%)."""
    from planner.scenario import Scenario

    path = _tiny(tmp_path, "[groups]\nmixed = { skills = [\"phone\", \"chat\", \"email\"] }\n")
    path.write_text(path.read_text().replace(
        'chat = { kind = "voice", target_service_level = 0.8, threshold_s = 30, shrinkage = 0.3 }',
        'chat = { kind = "chat", target_service_level = 0.8, threshold_s = 40, concurrency = 3, aht_growth = 0.15, '
        'patience_s = 180, shrinkage = 0.3 }'))
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        groups = Scenario.load(path).run().groups
    _warned_below(groups, caught)
    assert set(groups.plan["routing"]) <= {"pooled", "static split"}
    hours = dict(zip(groups.totals["design"], groups.totals["agent_hours"]))
    assert hours["pooled bound"] <= hours["group plan"] <= hours["static bound"]
    row = groups.channels.set_index("channel")
    assert row.loc["chat", "basis"].startswith("simulation")
    assert (row.loc[["phone", "chat"], "service_level_lo"] >= 0.8).all()


def _voice_and_chat_plan():
    """The silo plan of voice (8 Erlangs: 60 calls of 240 s per 30 min, 80/20) and the sample's chat
    (0.1 chats/s, 300 s, 3 at a time, +15% per extra chat, patience 180 s, 80/40), two intervals."""
    import planner as pl

    starts = pd.date_range("2026-07-06 09:00", periods=2, freq="30min", tz="Europe/London")
    forecast = pd.DataFrame({"interval_start": starts.repeat(2), "channel": ["phone", "chat"] * 2,
                             "offered": [60.0, 180.0] * 2, "aht_s": [240.0, 300.0] * 2})
    return pl.staff(forecast, {"phone": pl.Voice(target_service_level=0.8, threshold_s=20),
                               "chat": pl.Chat(target_service_level=0.8, threshold_s=40, concurrency=3,
                                               aht_growth=0.15, patience_s=180)}, interval_s=1800)


def _warned_below(found, caught) -> None:
    """Every bucket whose reported lower bound is below its target has a warning line naming its channel."""
    below = found.buckets[found.buckets["service_level_lo"] < found.buckets["target"]]
    text = [str(w.message) for w in caught]
    for c in below["channel"].unique():
        assert any(f"channel {c} is below its target" in t for t in text), (c, text)


def test_a_capped_voice_and_chat_group_runs_the_static_split_and_meets_every_target():
    """The voice + chat group's search ends at the static allocation (Erlang C 11 + chat model 13 =
    24); the plan says those intervals run as the static split, and reports each channel at its own
    model on its agents of the split: Erlang C on 11, the chat model on 13, both at least 80%."""
    import warnings

    import planner as pl
    from planner.staffing import chat

    plan = _voice_and_chat_plan()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = pl.plan_groups(plan, (pl.Group("both", ("phone", "chat")),), interval_s=1800)
    assert found.plan["agents"].tolist() == found.plan["static_agents"].tolist() == [24, 24]
    assert (found.plan["routing"] == "static split").all()
    assert (found.plan["on_phone"] >= 11 - 1e-9).all() and (found.plan["on_chat"] >= 13 - 1e-9).all()
    row = found.channels.set_index("channel")
    voice = float(erlang.service_level(11, 8.0, 240.0, 20.0))
    steady = float(chat.erlang_chat(13, 0.1, chat.aht_profile(300.0, 3, 0.15), 180.0, 40.0).service_level)
    assert row.loc["phone", "service_level_lo"] == pytest.approx(voice, abs=1e-9)
    assert row.loc["chat", "service_level_lo"] >= steady - 1e-9
    assert (row[["service_level_lo"]] >= 0.8).all().all()
    assert (found.buckets["service_level_lo"] >= found.buckets["target"]).all()
    assert not [w for w in caught if "below its target" in str(w.message)]
    # the static split as it will be run: voice's 11 and chat's 13 agents as dedicated teams, simulated
    teams = _voice_and_chat()
    teams = System(rate_per_s=teams.rate_per_s, aht_s=teams.aht_s, threshold_s=teams.threshold_s,
                   patience_s=teams.patience_s, skills=((0,), (1,)), target=teams.target,
                   concurrency=teams.concurrency, aht_growth=teams.aht_growth)
    result = simulate(teams, [11, 13], replications=30, duration_s=HOURS4, seed=26)
    _contains(result, 0, voice)
    _contains(result, 1, steady)


def test_a_bucket_below_target_always_comes_with_a_warning_line():
    """A bucket whose reported one-sided lower bound is below target is never silent: here the silo
    plan itself says phone misses (0.7 on its 11 agents), so the capped bucket run as the static split
    reports 0.7, and plan_groups warns, naming the channel."""
    import planner as pl
    from planner.errors import PlannerWarning

    plan = _voice_and_chat_plan()
    plan.loc[plan["channel"] == "phone", "service_level"] = 0.7
    with pytest.warns(PlannerWarning, match="channel phone is below its target 0.8 in 1 of 1 load buckets") as caught:
        found = pl.plan_groups(plan, (pl.Group("both", ("phone", "chat")),), interval_s=1800)
    assert found.buckets.set_index("channel").loc["phone", "service_level_lo"] == pytest.approx(0.7)
    _warned_below(found, caught)
