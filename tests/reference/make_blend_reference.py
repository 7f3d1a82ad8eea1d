"""High-precision reference values for blended inbound/outbound agents (the idle-agent threshold rule).

Independent of the ``planner`` package: the standard library and ``mpmath`` only (``mp.dps = 50``).
Writes ``blend.csv`` next to itself. Rerun from the repository root (a few minutes):

    python tests/reference/make_blend_reference.py

The chain (S. Bhulai and G. Koole 2003). N agents; inbound calls arrive at rate ``lam``; every
call, inbound or outbound, lasts an exponential time of rate ``mu``; waiting inbound callers
abandon at rate ``theta`` each (0: never). State ``(i, o)``: i inbound calls in the system (in
service or waiting), o outbound calls in service; inbound calls in service ``min(i, N - o)``,
waiting ``q = max(0, i + o - N)``. Outbound calls have an unlimited supply; an agent who becomes
free starts one when more than ``tau`` agents are idle (counting itself) and no inbound call waits.

* arrival (rate lam): ``(i + 1, o)`` (blocked at the truncation ``i = N + L``);
* inbound completion (rate ``mu min(i, N - o)``): with a queue the freed agent takes the next
  inbound call, ``(i - 1, o)``; else, if more than tau agents are then idle, it starts an outbound
  call, ``(i - 1, o + 1)``, otherwise ``(i - 1, o)``;
* outbound completion (rate ``mu o``): with a queue the agent takes an inbound call, ``(i, o - 1)``;
  else it starts another outbound call if more than tau agents are idle (no change), otherwise
  ``(i, o - 1)``;
* abandonment (rate ``theta q``): ``(i - 1, o)``.

Only states with ``i + o >= N - tau`` recur (fewer busy means more than tau idle, which the rule
never leaves). The stationary law solves ``pi Q = 0`` by banded Gaussian elimination (states
ordered by i then o; Q transposed is column diagonally dominant, so no pivoting is needed) with one
state fixed to 1, then normalised. ``L`` is chosen so the neglected inbound queue mass is below
1e-35. By PASTA an inbound arrival sees ``pi``: it waits iff ``i + o >= N``; without abandonment,
with q waiting ahead it waits Erlang(q + 1, N mu) (no outbound call starts while one waits), so
``P(W <= T) = P(q + 1, N mu T)`` (regularised lower gamma). Written per case: ``p_wait``,
``service_level`` (without abandonment only), ``asa_s``, ``p_abandon`` (``theta E[q] / lam``),
``outbound_agents`` (``E[o]``) and ``outbound_per_hour`` (outbound completions, ``3600 mu E[o]``).

This is the full two-dimensional chain; the planner uses the closed forms of its total
``i + o`` (a birth-death chain), so agreement to ~1e-15 checks that reduction.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from mpmath import mp, mpf

mp.dps = 50
OUT = Path(__file__).resolve().parent / "blend.csv"


def states(agents, tau, cap):
    """Recurrent states in order (i outer, o inner) and their index."""
    order = []
    for i in range(cap + 1):
        for o in range(0, agents - tau + 1):
            if i + o >= agents - tau:
                order.append((i, o))
    return order, {state: k for k, state in enumerate(order)}


def transitions(state, agents, tau, cap, lam, mu, theta):
    i, o = state
    out = []
    q = max(0, i + o - agents)
    if i < cap:
        out.append(((i + 1, o), lam))
    served = min(i, agents - o)
    if served:
        if q:
            out.append(((i - 1, o), mu * served))
        elif agents - (i - 1) - o > tau:
            out.append(((i - 1, o + 1), mu * served))
        else:
            out.append(((i - 1, o), mu * served))
    if o:
        if q:
            out.append(((i, o - 1), mu * o))
        elif agents - i - (o - 1) <= tau:
            out.append(((i, o - 1), mu * o))
        # else: another outbound call starts at once, no change of state
    if q and theta:
        out.append(((i - 1, o), theta * q))
    return out


def stationary(agents, tau, cap, lam, mu, theta):
    order, index = states(agents, tau, cap)
    n = len(order)
    # Column-oriented balance equations: row k of A is "inflow to k minus outflow of k = 0".
    rows = [dict() for _ in range(n)]
    for k, state in enumerate(order):
        for target, rate in transitions(state, agents, tau, cap, lam, mu, theta):
            j = index[target]
            if j == k:
                continue
            rows[j][k] = rows[j].get(k, mpf(0)) + rate
            rows[k][k] = rows[k].get(k, mpf(0)) - rate
    # Fix x_0 = 1: drop equation 0, move column 0 to the right-hand side.
    rhs = [mpf(0)] * n
    for k in range(1, n):
        if 0 in rows[k]:
            rhs[k] = -rows[k].pop(0)
    # Banded elimination without pivoting on equations/unknowns 1..n-1.
    for k in range(1, n):
        pivot = rows[k][k]
        for j in range(k + 1, n):
            factor = rows[j].get(k)
            if factor is None:
                if j - k > 2 * (agents + 2):
                    break
                continue
            factor = factor / pivot
            del rows[j][k]
            for col, value in rows[k].items():
                if col > k:
                    rows[j][col] = rows[j].get(col, mpf(0)) - factor * value
            rhs[j] -= factor * rhs[k]
    x = [mpf(0)] * n
    x[0] = mpf(1)
    for k in range(n - 1, 0, -1):
        total = rhs[k] - sum(value * x[col] for col, value in rows[k].items() if col > k)
        x[k] = total / rows[k][k]
    norm = sum(x)
    return order, [v / norm for v in x]


def measures(agents, tau, cap, lam, mu, theta, threshold):
    order, pi = stationary(agents, tau, cap, lam, mu, theta)
    p_wait = sl = asa = queue = outbound = mpf(0)
    for (i, o), p in zip(order, pi):
        if i + o >= agents:
            q = i + o - agents
            p_wait += p
            queue += q * p
            sl += p * mp.gammainc(q + 1, 0, agents * mu * threshold, regularized=True)
            asa += p * (q + 1) / (agents * mu)
        else:
            sl += p
        outbound += o * p
    tail = sum(p for (i, o), p in zip(order, pi) if i == cap)
    return {"p_wait": p_wait, "service_level": sl if theta == 0 else None, "asa_s": asa if theta == 0 else None,
            "p_abandon": theta * queue / lam, "outbound_agents": outbound, "outbound_per_hour": 3600 * mu * outbound,
            "truncated_mass": tail}


CASES = [
    # name, agents, inbound calls per hour, aht_s, threshold_s, patience_s (None: none), taus
    ("issue-example", 30, 300, 240, 20, None, [0, 1, 2, 3, 5, 8, 12, 30]),
    ("small-with-patience", 6, 50, 300, 30, 180, [0, 1, 2, 4, 6]),
    ("small-overloaded-with-patience", 5, 80, 240, 15, 90, [0, 2, 5]),
]


def main() -> None:
    started = time.perf_counter()
    rows = []
    for name, agents, per_hour, aht, threshold, patience, taus in CASES:
        lam, mu = mpf(per_hour) / 3600, 1 / mpf(aht)
        theta = mpf(0) if patience is None else 1 / mpf(patience)
        rho = lam / (agents * mu) if theta == 0 else mpf("0.5")
        cap = agents + int(-35 / mp.log10(rho)) + 40 if theta == 0 else agents + 200
        for tau in taus:
            values = measures(agents, tau, cap, lam, mu, theta, mpf(threshold))
            assert values["truncated_mass"] < mpf(10) ** -35, values["truncated_mass"]
            rows.append({"case": name, "agents": agents, "inbound_per_hour": per_hour, "aht_s": aht,
                         "threshold_s": threshold, "patience_s": "" if patience is None else patience,
                         "idle_threshold": tau,
                         **{k: "" if v is None else repr(float(v)) for k, v in values.items() if k != "truncated_mass"}})
            print(f"{name} tau={tau}: done ({time.perf_counter() - started:.0f} s)", flush=True)
    with OUT.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} rows) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
