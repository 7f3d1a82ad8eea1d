"""Benchmark agent groups: Wallace & Whitt's chained design, staffed between the two bounds.

What it measures
----------------
Six voice classes of equal AHT 240 s, 80% answered within 20 s each, 13.5 Erlangs each (81 in all);
six groups each holding two skills in a chain (group i: class i first, class i+1 second). Figures:

* the static allocation (each class's own Erlang C requirement, covered by the groups: the MILP of
  :func:`planner.multiskill.bounds.static_allocation`), the upper bound;
* the fully pooled Erlang C requirement on the total load (the lower bound);
* the searched design (:func:`planner.multiskill.search.search`, ``--replications`` of ``--hours``
  each, common random numbers, one-sided 95% test) and the time it took;
* a fresh validation run of 50 replications with another seed: each class's mean service level and
  its one-sided 95% lower bound.

Goals (the issue): final staff within 3% of the pooled requirement, at least 5% below the static
bound, every class's lower bound at or above 80% in the validation run, search under 2 minutes on
2 cores. The script is a report, not a test: it always exits 0, and pytest does not collect it.

With ``--sample`` it also plans the sample scenario (``scenarios/base.toml``, four weeks, four
channels) with agent groups:

* blended email (``scenarios/blended-email.toml``: phone + email in one group, chat and social
  silo): agent-hours against the silo plan, then the blended group replayed over the four weeks
  (:func:`planner.multiskill.replay.replay`, ``--replay`` replications) with each channel's share
  met against its target; goal: fewer agent-hours, every target met;
* speed: the group plan of three groups where phone, chat and email share a front-office group
  (one component staffed by simulation, one search per load bucket); goal: under 60 s.

Reference: W. Whitt and R. B. Wallace (2005), "A staffing algorithm for call centers with
skill-based routing", M&SOM 7(4) (the chained design).

How to run
----------
From the repository root, with planner installed (about 30 s)::

    python tests/benchmarks/bench_groups.py [--replications 40] [--hours 4] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from planner.multiskill.bounds import pooled_agents, static_allocation
from planner.multiskill.groups import Group
from planner.multiskill.search import search
from planner.multiskill.simulate import System, simulate
from planner.staffing import erlang

CLASSES, LOAD, AHT_S, THRESHOLD_S, TARGET = 6, 13.5, 240.0, 20.0, 0.80


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--hours", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", action="store_true", help="also plan the sample scenario with groups")
    parser.add_argument("--replay", type=int, default=5, help="replications of the four-week replay")
    args = parser.parse_args()
    chained(args)
    if args.sample:
        sample(args)


def sample(args) -> None:
    from planner.multiskill import Group, plan_groups, scenario_groups
    from planner.multiskill.replay import replay
    from planner.report.groups import saving_note
    from planner.scenario import Scenario

    scenario = Scenario.load("scenarios/blended-email.toml")
    result = scenario.run()
    print(f"\nsample scenario, blended email: planner run stages {', '.join(f'{k} {v:.1f}s' for k, v in result.timings.items())}")
    print("  " + saving_note(result.groups))
    print(result.groups.totals.round(3).to_string(index=False))
    groups = scenario_groups(scenario.config)
    blended = tuple(g for g in groups if len(g.skills) > 1)
    clock = time.perf_counter()
    checked = replay(result.plan, result.groups.plan, blended, interval_s=900, replications=args.replay, seed=args.seed)
    print(f"  replay of {[g.name for g in blended]} over the four weeks, {args.replay} replications "
          f"({time.perf_counter() - clock:.1f} s):")
    print(checked.round(4).to_string(index=False))
    met = bool((checked["met_lo"] >= checked["target"]).all())
    print(f"  {'met ' if met else 'MISSED'} every channel's target (95% lower bound over the replications)")
    three = (Group("front", ("phone", "chat", "email")), Group("phone", ("phone",)), Group("back", ("email", "social")))
    clock, cpu = time.perf_counter(), time.process_time()
    front = plan_groups(result.plan, three, interval_s=900, seed=args.seed)
    seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
    print(f"\nspeed: four weeks, four channels, three groups {[g.skills for g in three]}: group plan in {seconds:.1f} s wall, {cpu:.1f} s CPU "
          f"(+ the silo plan it starts from: staff stage {result.timings['staff']:.1f} s); load {os.getloadavg()[0]:.1f}")
    print(front.totals.round(3).to_string(index=False))
    print(front.channels[["channel", "basis", "service_level", "service_level_lo", "service_level_hi"]].round(4).to_string(index=False))
    print("  " + ", ".join(f"{n} rows {r}" for r, n in front.plan["routing"].value_counts().items()) + " (group_plan.csv routing)")
    low = front.buckets.groupby(["channel", "routing"])["service_level_lo"].agg(["count", "min"])
    print("  buckets per channel and routing, lowest one-sided 95% lower bound:\n" + low.round(4).to_string())
    below = front.buckets[front.buckets["service_level_lo"] < front.buckets["target"]]
    print(f"  {'met ' if below.empty else 'MISSED'} every bucket at or above its target ({len(below)} below)")
    print(f"  {'met ' if seconds + result.timings['staff'] < 60 else 'MISSED'} under 60 s (silo staffing + group plan)")


def chained(args) -> None:
    names = [f"c{k}" for k in range(CLASSES)]
    skills = tuple((k, (k + 1) % CLASSES) for k in range(CLASSES))
    groups = tuple(Group(f"g{g}", (names[a], names[b])) for g, (a, b) in enumerate(skills))
    own = erlang.required_agents(np.full(CLASSES, LOAD), AHT_S, target_service_level=TARGET, threshold_s=THRESHOLD_S)
    static = static_allocation([own], groups, names)
    pooled = int(pooled_agents([[LOAD] * CLASSES], [[AHT_S] * CLASSES], target_service_level=[[TARGET] * CLASSES],
                               threshold_s=[[THRESHOLD_S] * CLASSES])[0])
    system = System(rate_per_s=[LOAD / AHT_S] * CLASSES, aht_s=[AHT_S] * CLASSES, threshold_s=[THRESHOLD_S] * CLASSES,
                    skills=skills, target=[TARGET] * CLASSES)
    clock, cpu = time.perf_counter(), time.process_time()
    found = search(system, replications=args.replications, duration_s=args.hours * 3600, seed=args.seed,
                   static=static.agents[0])
    seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
    check = simulate(system, found.agents, replications=50, duration_s=args.hours * 3600, seed=args.seed + 1000)
    mean, _, _ = check.mean_ci()
    low = check.lower_bound(0.95)
    total, upper = int(found.agents.sum()), int(static.agents.sum())
    print(f"chained design: {CLASSES} classes x {LOAD} Erlangs, AHT {AHT_S:g} s, {TARGET:.0%}/{THRESHOLD_S:g} s; "
          f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings inflated when loaded)")
    print(f"  own requirement per class (Erlang C): {own.tolist()}")
    print(f"  static bound (MILP):   {upper} agents {static.agents[0].tolist()}")
    print(f"  pooled bound (Erlang C on {CLASSES * LOAD:g} Erlangs): {pooled} agents")
    print(f"  searched design:       {total} agents {found.agents.tolist()} ({found.evaluations} designs "
          f"simulated, {args.replications} x {args.hours:g} h, {seconds:.1f} s wall, {cpu:.1f} s CPU)")
    print(f"  pooling gain (static - final) / static: {(upper - total) / upper:.1%}")
    print(f"  validation, 50 fresh replications: mean SL {np.round(mean, 3).tolist()}")
    print(f"                       one-sided 95% lower bound {np.round(low, 3).tolist()}")
    goals = {"within 3% of pooled": total <= 1.03 * pooled, "at least 5% below static": total <= 0.95 * upper,
             "every class meets 80/20 (one-sided 95%)": bool(np.all(low >= TARGET)),
             "search under 2 minutes": seconds < 120, "bracketed": pooled <= total <= upper}
    for goal, ok in goals.items():
        print(f"  {'met ' if ok else 'MISSED'} {goal}")


if __name__ == "__main__":
    main()
