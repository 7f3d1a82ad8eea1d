"""High-precision reference values for chat staffing with concurrency (the balanced chain).

Independent of the ``planner`` package: the standard library and ``mpmath`` at ``mp.dps = 50``
(plus 30 guard digits inside the sums), and two helpers of ``make_erlang_reference.py`` (the CSV
writer and the incomplete-beta tails of the Erlang A service level, see below). Writes
``chat.csv`` and ``chat_required.csv`` next to itself; deterministic (explicit grids, no
randomness). Rerun from the repository root (about two minutes)::

    python tests/reference/make_chat_reference.py

The model
---------
N agents hold up to k chats each. ``aht_s`` is the list ``[aht_1, ..., aht_k]``: an agent with j
chats finishes each at rate ``1/aht_j``, so its throughput is ``c_j = j/aht_j`` (``c_0 = 0``).
Chats are spread evenly: with ``x = q N + r`` chats in system (``0 <= r < N``), ``N - r`` agents
hold q and r hold q + 1, so the departure rate is

* ``d(x) = (N - r) c_q + r c_(q+1)`` for ``x <= N k``;
* ``d(N k + m) = N c_k + m theta`` with m chats waiting, ``theta = 1/patience_s`` (0 for
  infinite patience).

Birth-death with arrival rate ``lam``: ``pi_x = pi_(x-1) lam / d(x)``, summed directly state by
state from ``x = 0`` (no closed form is used). Above ``N k`` the terms are summed until a rigorous
geometric bound of the rest (the ratio ``lam / d`` decreases from there on) is below ``1e-60``
relative, for both ``sum pi`` and ``sum m pi``. By PASTA an arrival sees ``pi``:

* ``p_wait = sum_(m >= 0) pi_(Nk+m)``; ``p_abandon = theta E[waiting] / lam``;
* ``service_level`` (answered within T over all offered) ``= P(no wait) + sum_m pi_(Nk+m)
  P(answered within T | m ahead)``. Beyond ``N k`` the queue is Erlang A with ``n = N k`` servers
  of rate ``c_k / k``: with ``X = N c_k / theta`` the probability is ``X/(X+m+1) I_p(m+1, X+1)``,
  ``p = 1 - exp(-theta T)``, the order-statistic / incomplete-beta formula derived in
  ``make_erlang_reference.py`` (its ``_incomplete_beta_tails`` is reused). For infinite
  patience the wait is Gamma(m + 1, rate ``N c_k``), so the probability is the Poisson tail
  ``P(Poisson(N c_k T) > m)``.
* ``asa_s`` (mean wait of answered chats) ``= E[V 1{answered}] / (1 - p_abandon)`` with
  ``E[V_m e^(-theta V_m)] = X/(X+m+1) (1/theta) sum_(j=0..m) 1/(X+j+1)`` (infinite patience:
  ``E[V_m] = (m+1) / (N c_k)``).
* ``occupancy = E[min(X, N k)] / (N k)`` (busy slots), ``concurrency_mean = E[min(X, N k)] / N``.

Checks (asserted): ``P(answered)`` summed directly equals ``1 - p_abandon``; the completion rate
``sum_x pi_x min(d(x), N c_k)`` equals ``lam (1 - p_abandon)`` (flow balance, which tests the
chain's rates); k = 1 and flat profiles agree with ``make_erlang_reference.erlang_a_metrics``
for N k servers to 1e-40.

``chat.csv``
    Profiles: flat, ``aht_growth`` (``aht_j = aht_1 (1 + g (j - 1))``), and arbitrary lists (one
    with a falling throughput ``c_3 < c_2``); N from 1 to 300 (up to 1,200 slots); offered load
    from 30% to 130% of the full capacity ``N c_k``; patience from 0.1 to 20 times ``aht_1`` and
    infinite (stable rows only); thresholds 0, 20, 60 s. ``aht_s`` is written as the
    space-separated list.
``chat_required.csv``
    Smallest ``N >= 1`` with ``service_level >= target``, and, when given (blank = none),
    ``occupancy <= max_occupancy`` and ``p_abandon <= max_abandon_rate``. Every answer fails
    below the bound ``N < target lam / max_j c_j`` (``service_level <= P(answered) <=
    N max_j c_j / lam``), so a scan upward from that bound is exhaustive; the two next N are
    checked to meet the targets too. ``margin`` is the smallest distance of any constraint at
    N - 1 and N to its limit; regular rows have ``margin > 1e-7``, and ``near_tie`` rows use
    targets ``SL(N-1) +/- 1e-8`` and ``1e-10`` (answer N for +, N - 1 for -).

References: T. Tezcan and J. Zhang (2014), "Routing and staffing in customer service chat
systems with impatient customers", Operations Research 62(4); A. Mandelbaum and S. Zeltyn (2007),
"Service engineering in action: the Palm/Erlang-A queue, with applications to call centers".
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import mpmath
from mpmath import mp, mpf

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_erlang_reference as erlang_ref  # noqa: E402  (the sibling reference script)

mp.dps = 50
GUARD_DIGITS = 30
TAIL_TOLERANCE = mpf("1e-60")
MIN_MARGIN = 1e-7
NEAR_TIE_DELTAS = (1e-8, 1e-10)


def write_csv(name: str, columns: list[str], rows: list[dict]) -> None:
    """As ``make_erlang_reference.write_csv``, with text cells (profiles) and ``inf`` kept."""
    def cell(value):
        if isinstance(value, str):
            return value
        if isinstance(value, float) and math.isinf(value):
            return "inf"
        return erlang_ref.fmt(value)

    with (Path(__file__).resolve().parent / name).open("w", newline="") as handle:
        handle.write(",".join(columns) + "\n")
        for row in rows:
            handle.write(",".join(cell(row[col]) for col in columns) + "\n")


def profile_text(aht: list[float]) -> str:
    return " ".join(repr(float(v)) for v in aht)


def growth_profile(aht_1: float, k: int, growth: float) -> list[float]:
    """``aht_1 (1 + growth (j - 1))`` as doubles (what a caller would pass)."""
    return [aht_1 * (1.0 + growth * j) for j in range(k)]


def chat_metrics(n: int, rate: float, aht: list[float], patience_s: float, threshold_s: float) -> dict:
    """All outputs for one case (see the module docstring)."""
    assert n >= 1 and rate > 0
    k = len(aht)
    slots = n * k
    with mp.workdps(mp.dps + GUARD_DIGITS):
        lam = mpf(rate)
        c = [mpf(0)] + [mpf(j) / mpf(aht[j - 1]) for j in range(1, k + 1)]
        full = n * c[k]  # completion rate with every slot busy
        finite = math.isfinite(patience_s)
        theta = 1 / mpf(patience_s) if finite else mpf(0)

        def departure(x: int):
            if x <= slots:
                q, r = divmod(x, n)
                return (n - r) * c[q] + (r * c[q + 1] if r else 0)
            return full + (x - slots) * theta

        if not finite and lam >= full:  # unstable: the queue grows without bound
            return {"agents": n, "arrival_rate_per_s": rate, "aht_s": profile_text(aht),
                    "patience_s": patience_s, "threshold_s": threshold_s, "p_wait": mpf(1),
                    "p_abandon": mpf(0), "service_level": mpf(0), "asa_s": mpf("inf"),
                    "occupancy": mpf(1), "concurrency_mean": mpf(k)}
        pi = [mpf(1)]
        for x in range(1, slots + 1):
            pi.append(pi[-1] * lam / departure(x))
        queue = [pi[-1]]  # pi_(Nk+m), m = 0, 1, ...
        s0, s1 = queue[0], mpf(0)
        m = 0
        while True:
            ratio = lam / departure(slots + m + 1)
            if ratio < 1 and m >= 1:
                tail0 = queue[-1] * ratio / (1 - ratio)
                tail1 = queue[-1] * (m * ratio / (1 - ratio) + ratio / (1 - ratio) ** 2)
                if tail0 < TAIL_TOLERANCE * s0 and tail1 < TAIL_TOLERANCE * s1:
                    break
            assert ratio < 1 or finite, "unstable without abandonment"
            m += 1
            assert m < 200_000, "queue sum too long"
            queue.append(queue[-1] * ratio)
            s0 += queue[-1]
            s1 += m * queue[-1]
        below = mpmath.fsum(pi[:-1])
        z = below + s0
        p_wait = s0 / z
        p_no_wait = below / z
        busy = (mpmath.fsum(x * p for x, p in enumerate(pi[:-1])) + slots * s0) / z
        if finite:
            x_ = full / theta  # = N k patience / aht_k
            p_abandon = theta * (s1 / z) / lam
            weights = [q * x_ / (x_ + j + 1) for j, q in enumerate(queue)]
            p = -mpmath.expm1(-theta * mpf(threshold_s))
            tails = erlang_ref._incomplete_beta_tails(x_ + 1, p, len(queue))
            answered_direct = p_no_wait + mpmath.fsum(weights) / z
            assert abs(answered_direct - (1 - p_abandon)) < mpf("1e-40"), (n, rate, aht)
            service_level = p_no_wait + mpmath.fsum(w * t for w, t in zip(weights, tails)) / z
            harmonic, wait = mpf(0), mpf(0)
            for j, w in enumerate(weights):
                harmonic += 1 / (x_ + j + 1)
                wait += w * harmonic
            asa = (wait / theta / z) / (1 - p_abandon)
        else:
            p_abandon = mpf(0)
            mean = full * mpf(threshold_s)  # Poisson(N c_k T): P(Gamma(m+1) <= T) = P(Poisson > m)
            pmf = mpmath.exp(-mean)
            upper = 1 - pmf  # P(Poisson > 0)
            within = mpf(0)
            for j, q in enumerate(queue):
                within += q * upper
                pmf *= mean / (j + 1)
                upper -= pmf
            service_level = p_no_wait + within / z
            asa = mpmath.fsum((j + 1) * q for j, q in enumerate(queue)) / full / z
        # Flow balance: completions per second equal answered arrivals per second.
        served = (mpmath.fsum(p * departure(x) for x, p in enumerate(pi[:-1])) + full * s0) / z
        assert abs(served / (lam * (1 - p_abandon)) - 1) < mpf("1e-40"), (n, rate, aht)
        result = {
            "agents": n,
            "arrival_rate_per_s": rate,
            "aht_s": profile_text(aht),
            "patience_s": patience_s,
            "threshold_s": threshold_s,
            "p_wait": p_wait,
            "p_abandon": p_abandon,
            "service_level": service_level,
            "asa_s": asa,
            "occupancy": busy / slots,
            "concurrency_mean": busy / n,
        }
    return {key: (+v if isinstance(v, mpf) else v) for key, v in result.items()}


def check_against_erlang_a() -> None:
    """k = 1 and flat profiles are Erlang A with N k servers (the sibling script's sums)."""
    for n, k, aht, load, patience, threshold in [(14, 1, 180.0, 10.0, 120.0, 20.0),
                                                 (5, 3, 240.0, 13.5, 60.0, 0.0),
                                                 (40, 2, 300.0, 85.0, 900.0, 60.0),
                                                 (3, 4, 100.0, 14.0, 30.0, 20.0)]:
        rate = load / aht
        chat = chat_metrics(n, rate, [aht] * k, patience, threshold)
        with mp.workdps(mp.dps + GUARD_DIGITS):
            exact_load = mpf(rate) * mpf(aht)  # the load of the double rate, not of load
        ref = erlang_ref.erlang_a_metrics(n * k, exact_load, aht, patience, threshold)
        for key in ("p_wait", "p_abandon", "service_level", "asa_s"):
            assert abs(chat[key] / ref[key] - 1) < mpf("1e-40"), (n, k, key, chat[key], ref[key])


PROFILES = [  # (name, profile)
    ("k1", [300.0]),
    ("flat2", [240.0, 240.0]),
    ("growth2", growth_profile(300.0, 2, 0.2)),
    ("growth3", growth_profile(480.0, 3, 0.15)),
    ("list3", [200.0, 260.0, 400.0]),  # throughput falls at 3 chats: 3/400 < 2/260
    ("growth4", growth_profile(600.0, 4, 0.1)),
    ("list4", [90.0, 95.0, 105.0, 130.0]),
    ("growth5", growth_profile(120.0, 5, 0.3)),
]
AGENTS = (1, 2, 5, 12, 30, 75, 160, 300)
LOAD_SHARES = (0.3, 0.7, 0.9, 1.0, 1.3)
PATIENCE_RATIOS = (0.1, 0.5, 1.0, 3.0, 20.0, math.inf)
THRESHOLDS = (0.0, 20.0, 60.0)


def chat_rows() -> list[dict]:
    rows = []
    i = 0
    for name, aht in PROFILES:
        k = len(aht)
        for n in AGENTS:
            if n * k > 1200:
                continue
            for share in LOAD_SHARES[(i % 2)::2] if n > 100 else LOAD_SHARES:
                ratio = PATIENCE_RATIOS[i % len(PATIENCE_RATIOS)]
                if math.isinf(ratio) and share >= 1.0:
                    ratio = 3.0  # infinite patience only where stable
                if ratio >= 20.0 and share > 1.0 and n * k > 300:
                    ratio = 1.0  # keeps the overloaded queue sums short
                threshold = THRESHOLDS[(i + i // 7) % 3]
                i += 1
                rate = erlang_ref.sig(share * n * k / aht[-1] * (1 + 0.013 * (i % 5)), 6)
                rows.append(chat_metrics(n, rate, aht, ratio * aht[0], threshold))
    return rows


def _meets(row: dict, target, max_occupancy, max_abandon) -> bool:
    return (row["service_level"] >= mpf(target)
            and (max_occupancy is None or row["occupancy"] <= mpf(max_occupancy))
            and (max_abandon is None or row["p_abandon"] <= mpf(max_abandon)))


def required(rate, aht, patience_s, threshold_s, target, max_occupancy=None, max_abandon=None,
             near_tie=0) -> dict:
    """Least N meeting the targets, by an upward scan from a rigorous lower bound."""
    k = len(aht)
    best = max(j / aht[j - 1] for j in range(1, k + 1))
    n = max(1, math.ceil(target * rate / best) - 2)
    cache = {}

    def metrics(agents):
        if agents not in cache:
            cache[agents] = chat_metrics(agents, rate, aht, patience_s, threshold_s)
        return cache[agents]

    # Below the bound every N fails: SL <= N max c / lam < target.
    assert n == 1 or (n - 1) * best < target * rate
    while not _meets(metrics(n), target, max_occupancy, max_abandon):
        n += 1
    for more in (n + 1, n + 2):  # the targets stay met
        assert _meets(metrics(more), target, max_occupancy, max_abandon), (rate, aht, more)
    margins = []
    for agents in (n - 1, n):
        if agents >= 1:
            row = metrics(agents)
            margins.append(abs(row["service_level"] - mpf(target)))
            if max_occupancy is not None:
                margins.append(abs(row["occupancy"] - mpf(max_occupancy)))
            if max_abandon is not None:
                margins.append(abs(row["p_abandon"] - mpf(max_abandon)))
    return {
        "arrival_rate_per_s": rate, "aht_s": profile_text(aht), "patience_s": patience_s,
        "threshold_s": threshold_s, "target_service_level": target, "max_occupancy": max_occupancy,
        "max_abandon_rate": max_abandon, "agents": n, "near_tie": near_tie,
        "service_level_below": metrics(n - 1)["service_level"] if n > 1 else mpf(0),
        "margin": min(margins),
    }


def required_rows() -> list[dict]:
    rows = []
    cases = []  # (offered per 15 min, profile, patience, threshold, target, max_occ, max_ab)
    offered = (3.0, 12.5, 40.0, 110.0, 260.0, 600.0)
    targets = (0.8, 0.9, 0.7, 0.95, 0.5)
    i = 0
    for name, aht in PROFILES:
        for volume in offered:
            if volume * aht[-1] / 900 / len(aht) > 120:  # keeps the scans short
                continue
            patience = (120.0, 60.0, 600.0, math.inf, 30.0)[i % 5]
            max_occ = 0.85 if i % 6 == 2 else None
            max_ab = 0.05 if i % 7 == 3 and math.isfinite(patience) else None
            cases.append((volume / 900.0, aht, patience, (40.0, 20.0, 60.0)[i % 3], targets[i % 5],
                          max_occ, max_ab))
            i += 1
    for rate, aht, patience, threshold, target, max_occ, max_ab in cases:
        row = required(rate, aht, patience, threshold, target, max_occ, max_ab)
        if row["margin"] <= MIN_MARGIN:  # an accidental near-tie of the grid: nudge the target
            print(f"  near-tie in the grid (margin {float(row['margin']):.1e}): "
                  f"target {target} -> {target + 0.01}")
            row = required(rate, aht, patience, threshold, target + 0.01, max_occ, max_ab)
        assert row["margin"] > MIN_MARGIN, row
        rows.append(row)
    # Deliberate near-ties: target SL(N-1) +/- 1e-8 and 1e-10.
    for volume, aht, patience, threshold in [(300.0, growth_profile(480.0, 3, 0.15), 120.0, 40.0),
                                             (55.0, [300.0, 360.0], 90.0, 20.0),
                                             (900.0, growth_profile(120.0, 5, 0.3), math.inf, 30.0)]:
        base = required(volume / 900.0, aht, patience, threshold, 0.8)
        level = base["service_level_below"]
        for delta in NEAR_TIE_DELTAS:
            for sign in (+1, -1):
                target = float(level + sign * mpf(delta))
                row = required(volume / 900.0, aht, patience, threshold, target, near_tie=1)
                assert row["agents"] == base["agents"] - (sign < 0), (volume, sign, row["agents"])
                rows.append(row)
    return rows


CHAT_COLUMNS = ["agents", "arrival_rate_per_s", "aht_s", "patience_s", "threshold_s", "p_wait",
                "p_abandon", "service_level", "asa_s", "occupancy", "concurrency_mean"]
REQUIRED_COLUMNS = ["arrival_rate_per_s", "aht_s", "patience_s", "threshold_s",
                    "target_service_level", "max_occupancy", "max_abandon_rate", "agents",
                    "near_tie", "service_level_below"]


def main() -> None:
    start = time.perf_counter()
    check_against_erlang_a()
    rows = chat_rows()
    write_csv("chat.csv", CHAT_COLUMNS, rows)
    print(f"chat.csv: {len(rows)} rows ({time.perf_counter() - start:.1f} s)")
    t0 = time.perf_counter()
    rows = required_rows()
    write_csv("chat_required.csv", REQUIRED_COLUMNS, rows)
    print(f"chat_required.csv: {len(rows)} rows ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
