"""High-precision reference values for fractional (continuous) Erlang A staffing requirements.

Independent of the ``planner`` package: the Python standard library and ``mpmath`` at 50 digits,
and the birth-death sums of ``make_erlang_reference.py`` (beside this file) as a check. Writes
``fractional_erlang_a.csv`` next to itself.

Rerun (from the repository root, a few seconds):

    python tests/reference/make_fractional_reference.py

Definition
----------
Erlang A (M/M/N+M) for a real number of agents ``x``, from its closed form (Mandelbaum & Zeltyn
2007) with every function taken at real arguments: Jagerman's Erlang B
``B(x, A) = A^x e^{-A} / Gamma(x + 1, A)`` (upper incomplete gamma), Kummer's
``G = 1F1(1; X + 1; Y)`` with ``X = x patience / aht`` and ``Y = A patience / aht``, then

* ``p_wait = G B / (1 + (G - 1) B)``,
* ``SL = 1 - p_wait [1 - (X / Y)(1 - 1 / G)(1 - P(X + 1, Y e^{-T / patience}) / P(X + 1, Y))]``
  with ``P`` the regularised lower incomplete gamma function,
* ``p_abandon = p_wait (1 - 1/rho + 1/(rho G))``, ``rho = A / x``; occupancy ``A (1 - p_abandon) / x``.

At whole ``x`` these equal the birth-death sums (checked here for every row's N and N - 1). The
fractional requirement is the least real ``x`` in ``[N - 1, N]`` meeting the service level (and
the occupancy cap), ``N`` the least whole number of agents that does; it is found by bisection
to 1e-30 on the increasing service level.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from mpmath import mp, mpf

sys.path.insert(0, str(Path(__file__).parent))
from make_erlang_reference import erlang_a_metrics  # noqa: E402  (birth-death sums, integer N)

mp.dps = 50
HERE = Path(__file__).parent
COLUMNS = ["load_erlangs", "aht_s", "patience_s", "threshold_s", "target_service_level", "max_occupancy",
           "agents", "fractional_agents", "service_level_at_fractional"]


def erlang_a_real(x, load, aht_s, patience_s, threshold_s):
    """(service level, p_abandon, occupancy) of M/M/x+M for real x > 0."""
    x, a = mpf(x), mpf(load)
    r = mpf(patience_s) / mpf(aht_s)
    b = a ** x * mp.exp(-a) / mp.gammainc(x + 1, a)  # upper incomplete gamma: Gamma(x + 1, a)
    big_x, big_y = x * r, a * r
    g = mp.hyp1f1(1, big_x + 1, big_y)
    p_wait = g * b / (1 + (g - 1) * b)
    shrink = mp.exp(-mpf(threshold_s) / mpf(patience_s))
    ratio = mp.gammainc(big_x + 1, 0, big_y * shrink, regularized=True) / mp.gammainc(big_x + 1, 0, big_y,
                                                                                      regularized=True)
    sl = 1 - p_wait * (1 - big_x / big_y * (1 - 1 / g) * (1 - ratio))
    rho = a / x
    p_ab = p_wait * (1 - 1 / rho + 1 / (rho * g))
    return sl, p_ab, a * (1 - p_ab) / x


def requirement(load, aht_s, patience_s, threshold_s, target, max_occupancy):
    def meets(x):
        sl, _, occ = erlang_a_real(x, load, aht_s, patience_s, threshold_s)
        return sl >= target and occ <= max_occupancy

    n = 1
    while not meets(n):
        n += 1
    for whole in (n, n - 1):  # the closed form at whole agents is the birth-death chain
        if whole >= 1:
            exact = erlang_a_metrics(whole, mpf(load), mpf(aht_s), mpf(patience_s), mpf(threshold_s))
            closed = erlang_a_real(whole, load, aht_s, patience_s, threshold_s)[0]
            assert abs(exact["service_level"] - closed) < mpf(10) ** -30, (load, whole)
    lo, hi = mpf(max(n - 1, 0)), mpf(n)
    if lo > 0 and meets(lo):
        return n, lo
    while hi - lo > mpf(10) ** -30:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if mid > 0 and meets(mid) else (mid, hi)
    return n, hi


CASES = [  # load, aht, patience, threshold, target, max occupancy
    (0.4, 300.0, 60.0, 20.0, 0.8, 1.0),
    (2.5, 180.0, 120.0, 20.0, 0.8, 1.0),
    (10.0, 180.0, 120.0, 20.0, 0.8, 1.0),
    (10.0, 180.0, 600.0, 30.0, 0.9, 1.0),
    (37.5, 240.0, 90.0, 15.0, 0.85, 1.0),
    (55.5, 400.0, 300.0, 60.0, 0.7, 1.0),
    (120.0, 300.0, 200.0, 20.0, 0.8, 1.0),
    (20.0, 300.0, 120.0, 20.0, 0.5, 0.85),  # the occupancy cap binds
    (7.3, 600.0, 45.0, 10.0, 0.6, 1.0),
    (3.1, 120.0, 1000.0, 20.0, 0.95, 1.0),
]


def main() -> None:
    rows = []
    for load, aht, patience, threshold, target, max_occ in CASES:
        n, x = requirement(load, aht, patience, threshold, target, max_occ)
        sl = erlang_a_real(x, load, aht, patience, threshold)[0]
        rows.append([load, aht, patience, threshold, target, max_occ, n, repr(float(x)), repr(float(sl))])
    path = HERE / "fractional_erlang_a.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
