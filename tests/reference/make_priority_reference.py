"""High-precision reference values for priority segments (non-preemptive priority M/M/N).

Independent of the ``planner`` package: the standard library and ``mpmath`` only (``mp.dps = 50``).
Writes ``priority.csv`` next to itself. Rerun from the repository root (about a minute):

    python tests/reference/make_priority_reference.py

Model and formulas (K classes, highest first, one exponential service rate ``mu = 1/aht_s``):

* Erlang C on the total load ``A = lambda aht`` by the stable recursion ``B(n) = A B(n-1) / (n + A
  B(n-1))``, ``C = N B / (N - A (1 - B))``: every class waits with probability C.
* ``s = N mu``, ``Lambda_k = lambda_1 + ... + lambda_k``, ``sigma_k = Lambda_k / s``. A class-k
  contact that waits needs ``M`` completions, ``P(M = m) = (1 - sigma_k) sigma_k**(m-1)``, each
  stretched into a busy period of an M/M/1 queue with arrival rate ``a = Lambda_(k-1)`` and service
  rate ``s``. The time for that queue to empty from m customers has the first-passage density
  (Feller vol. 2, XIV.6; Cohen, *The Single Server Queue*, II.2.2)::

      f_m(u) = (m / u) (s / a)**(m/2) exp(-(a + s) u) I_m(2 u sqrt(a s))

  so ``P(W_k > t | wait) = 1 - integral_0^t sum_m (1 - sigma_k) sigma_k**(m-1) f_m(u) du``, computed
  here by ``mpmath.quad`` of the summed density (the planner sums a closed-form series instead).
  For ``a = 0`` (the highest class) it is ``exp(-s (1 - sigma_k) t)``.
* ``ASA_k = C / (s (1 - sigma_(k-1)) (1 - sigma_k))`` (Cobham 1954); the file also carries the FCFS
  ASA ``C / (s - lambda)`` so the conservation law can be checked.

Columns: ``case, agents, aht_s, rates`` (the class rates per second, ``;``-separated, highest
first), ``segment`` (1-based), ``t_s``, ``p_wait``, ``p_wait_longer`` (``P(W_k > t)``),
``asa_s``, ``fcfs_asa_s``.

Sanity check asserted while writing: the Laplace transform of the summed density, by quadrature at
``p = 2 s`` and ``4 s``, equals the closed form ``(1 - r) beta(p) / (1 - r beta(p))`` with Takacs'
busy-period transform ``beta`` (1e-35 relative).

References: A. Cobham (1954), Operations Research 2(1); P. H. Davis (1966), Operations Research
14(1); W. Feller (1971), *An Introduction to Probability Theory and Its Applications*, vol. 2.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from mpmath import mp, mpf

mp.dps = 50
OUT = Path(__file__).resolve().parent / "priority.csv"


def erlang_c(agents: int, load):
    b = mpf(1)
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    return agents * b / (agents - load * (1 - b))


def density(u, a, s, r):
    """Density of the sum of a Geometric(r) number of M/M/1(a, s) busy periods at u > 0."""
    if u == 0:
        return (1 - r) * s  # f_1(0+) = s; f_m(0+) = 0 for m >= 2
    z = 2 * u * mp.sqrt(a * s)
    total = mpf(0)
    m = 1
    while True:
        term = (1 - r) * r ** (m - 1) * (m / u) * (s / a) ** (mpf(m) / 2) * mp.exp(-(a + s) * u) * mp.besseli(m, z)
        total += term
        if m > 10 and abs(term) < mpf(10) ** -60 * abs(total):
            return total
        m += 1


def conditional_tail(t, a, s, r):
    if a == 0:
        return mp.exp(-s * (1 - r) * t)
    return 1 - mp.quad(lambda u: density(u, a, s, r), [0, t])


def busy_period_transform(p, a, s):
    """Laplace-Stieltjes transform of the M/M/1(a, s) busy period at p > 0 (Takacs' equation)."""
    return ((a + s + p) - mp.sqrt((a + s + p) ** 2 - 4 * a * s)) / (2 * a)


def check_density(a, s, r):
    """The density's Laplace transform at p = 2s and 4s against ``(1 - r) beta / (1 - r beta)``."""
    for p in (2 * s, 4 * s):
        end = 250 / p  # exp(-p u) < 1e-108 beyond
        points = [0, 1 / s, 4 / s, 16 / s, end]
        numeric = mp.quad(lambda u: mp.exp(-p * u) * density(u, a, s, r), sorted(set(points)))
        beta = busy_period_transform(p, a, s)
        exact = (1 - r) * beta / (1 - r * beta)
        assert abs(numeric - exact) < mpf(10) ** -35 * abs(exact), (numeric, exact)


CASES = [
    # name, agents, aht_s, rates per second (highest first), thresholds
    ("two-segment-86", 86, 240, [mpf(160) / 1800, mpf(440) / 1800], [10, 20, 60]),
    ("two-segment-90", 90, 240, [mpf(160) / 1800, mpf(440) / 1800], [10, 20, 60]),
    ("three-segment", 30, 180, [mpf(2) / 90, mpf(4) / 90, mpf(6) / 90], [5, 20, 45]),
    ("small-vip-share", 14, 180, [mpf(1) / 1800, mpf(99) / 1800], [20, 60]),
    ("large-center", 420, 300, [mpf(300) / 900, mpf(900) / 900], [15, 30]),
]


def main() -> None:
    started = time.perf_counter()
    rows = []
    for name, agents, aht, rates, thresholds in CASES:
        aht = mpf(float(aht))
        rates = [mpf(float(v)) for v in rates]  # the doubles written to the file, exactly
        s = agents / aht
        lam = sum(rates)
        c = erlang_c(agents, lam * aht)
        fcfs_asa = c / (s - lam)
        higher = mpf(0)
        for k, rate in enumerate(rates, start=1):
            cumulative = higher + rate
            r = cumulative / s
            if higher > 0:
                check_density(higher, s, r)
            asa = c / (s * (1 - higher / s) * (1 - r))
            for t in thresholds:
                tail = c * conditional_tail(mpf(t), higher, s, r)
                rows.append({"case": name, "agents": agents, "aht_s": float(aht),
                             "rates": ";".join(repr(float(v)) for v in rates), "segment": k, "t_s": t,
                             "p_wait": repr(float(c)), "p_wait_longer": repr(float(tail)),
                             "asa_s": repr(float(asa)), "fcfs_asa_s": repr(float(fcfs_asa))})
            higher = cumulative
        print(f"{name}: done ({time.perf_counter() - started:.0f} s)")
    with OUT.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} rows) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
