"""High-precision reference values for Erlang B, Erlang C and Erlang A staffing.

This script is deliberately independent of the ``planner`` package: it only uses
the Python standard library and ``mpmath`` (working precision ``mp.dps = 50``),
and writes CSV files next to itself that the test-suite compares against.

Rerun (from the repository root, takes about 20 seconds):

    python tests/reference/make_erlang_reference.py

The output is deterministic: every grid is an explicit list or a fixed formula,
and there is no randomness.

Units and conventions
---------------------
* ``aht_s`` -- average handling time (seconds), service rate ``mu = 1/aht_s``.
* ``load_erlangs`` -- offered load ``A = arrival_rate_per_s * aht_s``.
* ``threshold_s`` -- service-level threshold ``T`` (seconds).
* ``patience_s`` -- mean patience (seconds), abandonment rate ``theta = 1/patience_s``.
* Every input written to a CSV is a Python float (or int); the reference value is
  computed from exactly that binary value, so the files are self-consistent.
* Every floating output is the double nearest to the 50-digit value, written with
  ``repr`` (shortest string that round-trips, at most 17 significant digits).

Files and formulas
------------------
``erlang_c.csv``  (Erlang 1917; Cooper 1981)
    Erlang B by the stable recursion ``B(0) = 1``,
    ``B(n) = A B(n-1) / (n + A B(n-1))``.
    Erlang C (probability of waiting) for ``N > A``:
    ``C = N B / (N - A (1 - B))``.
    Service level ``SL = 1 - C exp(-(N - A) T / aht)``,
    average speed of answer ``ASA = C aht / (N - A)``, occupancy ``A / N``.
    Only rows with ``N > A`` are written.  The classic textbook example
    (100 calls per 30 min, AHT 180 s -> A = 10, N = 14, T = 20 s:
    P(wait) 0.1741319, SL 0.8883500, ASA 7.8359 s) is included and asserted.

``erlang_b_fractional.csv``  (Jagerman 1974)
    Continuous extension of Erlang B to a real number of servers ``x``:
    ``B(x, A) = A^x e^{-A} / Gamma(x + 1, A)`` with the *upper* incomplete gamma
    function ``Gamma(s, z) = int_z^inf t^{s-1} e^{-t} dt``.  Checked against the
    integer recursion for every integer ``x`` in the grid and against Jagerman's
    integral ``1/B(x, A) = A int_0^inf e^{-A t} (1 + t)^x dt`` for a few cases.

``erlang_a.csv``  (Palm's M/M/N+M queue; Mandelbaum & Zeltyn 2007)
    Rates ``lam = A/aht``, ``mu = 1/aht``, ``theta = 1/patience``.  The number in
    system is a birth-death process with stationary distribution
    ``pi_j ∝ A^j / j!`` for ``j <= N`` and
    ``pi_{N+m} = pi_N prod_{i=1..m} lam / (N mu + i theta)``.
    With ``x = N mu / theta = N patience / aht`` and ``r = patience / aht`` the
    queue factor is ``pi_{N+m} / pi_N = (A r)^m / prod_{i=1..m} (x + i)``, and
    ``sum_{j<=N} pi_j / pi_N = 1 / B(N, A)``.  The infinite sum is truncated when
    a rigorous geometric bound of the remaining tail is below ``1e-60`` relative.
    By PASTA an arrival sees the stationary distribution, so

    * ``p_wait = sum_{m>=0} pi_{N+m}``;
    * ``p_abandon = theta E[Q] / lam`` with ``E[Q] = sum_m m pi_{N+m}``;
    * ``service_level`` = P(answered within T), over *all* arrivals::

          SL = P(no wait) + sum_m pi_{N+m} x/(x+m+1) I_p(m+1, x+1),
          p = 1 - exp(-theta T),

      where ``I_p(a, b)`` is the regularized incomplete beta function.

      Derivation: an arrival that finds ``m`` customers waiting ahead of it
      reaches a server after the virtual wait
      ``V_m = sum_{k=0..m} Exp(theta (x + k))`` (with ``k`` waiting ahead, the
      next move-up happens at rate ``N mu + k theta``).  It is answered within
      ``T`` iff ``V_m <= T`` and its own ``Exp(theta)`` patience exceeds
      ``V_m``, so the probability is ``E[exp(-theta V_m) 1{V_m <= T}]``.
      Tilting by ``exp(-theta v)`` turns each ``Exp(theta (x+k))`` into
      ``Exp(theta (x+k+1))`` with weight ``(x+k)/(x+k+1)``; the weights
      telescope to ``x/(x+m+1)``.  Finally a sum of ``Exp(theta (b+k))``,
      ``k = 0..m``, is distributed as the ``(m+1)``-th order statistic of
      ``b+m`` iid ``Exp(theta)`` variables (equivalently
      ``exp(-theta V) ~ Beta(b, m+1)``, also for real ``b``), whose CDF is
      ``I_{1-exp(-theta t)}(m+1, b)``; here ``b = x + 1``.
    * ``asa_s`` = mean wait of *answered* arrivals (those answered at once
      count with wait 0) ``= E[V 1{answered}] / P(answered)``, using
      ``E[V_m exp(-theta V_m)] = x/(x+m+1) (1/theta) sum_{k=0..m} 1/(x+k+1)``
      and ``P(answered) = 1 - p_abandon``.

    For integer ``a = m+1`` the incomplete beta function is a negative
    binomial upper tail, ``I_p(m+1, b) = sum_{k>m} t_k`` with
    ``t_k = Gamma(k+b)/(k! Gamma(b)) p^k (1-p)^b``; it is evaluated as suffix
    sums of these positive terms (no cancellation, so tiny service levels in
    heavily overloaded cases keep full relative precision) and checked against
    ``mpmath.betainc``.  The Erlang A sums use 30 guard digits.
    Sanity checks: ``P(answered) = P(no wait) + sum_m pi_{N+m} x/(x+m+1)``
    agrees with ``1 - p_abandon`` to 1e-40, and for patience ``1e9 aht`` the
    Erlang A results agree with Erlang C to 1e-6.

``required_agents_c.csv``
    Smallest integer ``N > A`` with ``SL(N) >= target`` and, if
    ``max_occupancy`` is given, ``A / N <= max_occupancy`` (blank = 1.0).
    ``service_level_below`` is ``SL(agents - 1)`` (0 if ``agents - 1 <= A``);
    ``near_tie`` is 1 iff ``|service_level_below - target| < 1e-4``.  Deliberate
    near-ties use targets ``SL(N-1) +/- d`` for ``d`` in 1e-5, 1e-7, 1e-9.

``required_agents_a.csv``
    Smallest integer ``N >= 1`` with Erlang A ``SL(N) >= target`` and, if
    ``max_abandon_rate`` is given (blank = none), ``p_abandon(N) <= max``.
    Search: every answered call needs a busy agent, so
    ``SL <= P(answered) <= N / A`` and ``p_abandon >= 1 - N / A``; hence any
    ``N < target A`` or ``N < A (1 - max_abandon_rate)`` is infeasible.  From that
    lower bound a doubling + bisection search is used (SL is increasing and
    p_abandon decreasing in N); the result is verified by evaluating ``N - 1``
    and ``N``, and for small loads by a full linear scan from ``N = 1``.
    The file has no near-tie column, so every case is asserted to be at least
    ``1e-7`` away from a tie (SL(N-1), SL(N) vs target; p_abandon vs cap).

References
----------
* A. K. Erlang (1917), "Solution of some problems in the theory of
  probabilities of significance in automatic telephone exchanges",
  Elektroteknikeren 13.
* R. B. Cooper (1981), "Introduction to Queueing Theory", 2nd ed.,
  North Holland.
* D. L. Jagerman (1974), "Some properties of the Erlang loss function",
  Bell System Technical Journal 53(3), 525-551.
* A. Mandelbaum and S. Zeltyn (2007), "Service engineering in action: the
  Palm/Erlang-A queue, with applications to call centers", in Advances in
  Services Innovations, Springer, 17-45.
"""

from __future__ import annotations

import csv
import math
import time
from pathlib import Path

import mpmath
from mpmath import mp, mpf

mp.dps = 50

OUT_DIR = Path(__file__).resolve().parent

#: Extra digits used inside the Erlang A computation (long sums of up to ~2e4
#: terms and the mild cancellation in ``1/B - 1``); results are rounded back.
GUARD_DIGITS = 30
#: Relative size of the neglected tail of the Erlang A queue sums.
TAIL_TOLERANCE = mpf("1e-60")
#: Erlang A grid cases needing more queue terms than this are skipped.
MAX_QUEUE_TERMS_GRID = 20_000
#: Required-agents (Erlang A) cases must not be closer than this to a tie.
MIN_MARGIN_A = 1e-7


# ---------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------


def fmt(value) -> str:
    """Format one CSV cell: ints as ints, None as blank, reals via ``repr(float)``.

    ``float(mpf)`` rounds to nearest, so the written number is the double nearest
    to the high-precision value.  Values outside the double range (a service
    level of ~1e-364 in one hopelessly overloaded Erlang A row) are written with
    17 significant digits instead; they parse as 0.0.
    """
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    as_float = float(value)
    if value != 0 and (as_float == 0.0 or math.isinf(as_float)):
        return mpmath.nstr(mpf(value), 17)
    return repr(as_float)


def write_csv(name: str, columns: list[str], rows: list[dict]) -> Path:
    """Write ``rows`` (dicts keyed by ``columns``) to ``OUT_DIR / name``."""
    path = OUT_DIR / name
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([fmt(row[col]) for col in columns])
    return path


def sig(value: float, digits: int = 4) -> float:
    """Round ``value`` to ``digits`` significant digits (to build tidy grids)."""
    return float(f"{value:.{digits}g}")


def log_grid(lo: float, hi: float, count: int, digits: int = 4) -> list[float]:
    """``count`` log-spaced values from ``lo`` to ``hi``, rounded to ``digits``."""
    ratio = hi / lo
    return [sig(lo * ratio ** (i / (count - 1)), digits) for i in range(count)]


# ---------------------------------------------------------------------------
# Erlang B / Erlang C
# ---------------------------------------------------------------------------


def erlang_b(n: int, load) -> mpf:
    """Erlang B blocking ``B(n, A)`` by ``B(k) = A B(k-1) / (k + A B(k-1))``."""
    a = mpf(load)
    b = mpf(1)
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_b_sequence(load):
    """Yield ``(n, B(n, A))`` for n = 0, 1, 2, ... (same recursion, incremental)."""
    a = mpf(load)
    b = mpf(1)
    n = 0
    while True:
        yield n, b
        n += 1
        b = a * b / (n + a * b)


def erlang_c_from_b(n: int, load, b) -> mpf:
    """Erlang C ``C = N B / (N - A (1 - B))`` for ``N > A``; 1 for ``N <= A``."""
    a = mpf(load)
    if n <= a:
        return mpf(1)
    return n * b / (n - a * (1 - b))


def erlang_c_service_level(n: int, load, aht_s, threshold_s, c) -> mpf:
    """``SL = 1 - C exp(-(N - A) T / aht)`` for ``N > A``, else 0."""
    a = mpf(load)
    if n <= a:
        return mpf(0)
    return 1 - c * mpmath.exp(-(n - a) * mpf(threshold_s) / mpf(aht_s))


def erlang_c_metrics(n: int, load, aht_s, threshold_s) -> dict:
    """All Erlang C quantities for one row (requires ``N > A``)."""
    a = mpf(load)
    assert n > a, (n, load)
    b = erlang_b(n, a)
    c = erlang_c_from_b(n, a, b)
    return {
        "agents": n,
        "load_erlangs": load,
        "aht_s": aht_s,
        "threshold_s": threshold_s,
        "erlang_b": b,
        "erlang_c": c,
        "service_level": erlang_c_service_level(n, a, aht_s, threshold_s, c),
        "asa_s": c * mpf(aht_s) / (n - a),
        "occupancy": a / n,
    }


# ---------------------------------------------------------------------------
# Fractional Erlang B (Jagerman)
# ---------------------------------------------------------------------------


def erlang_b_fractional(x, load) -> mpf:
    """``B(x, A) = A^x e^{-A} / Gamma(x + 1, A)`` (upper incomplete gamma)."""
    x = mpf(x)
    a = mpf(load)
    upper_gamma = mpmath.gammainc(x + 1, a, mpmath.inf)
    return mpmath.power(a, x) * mpmath.exp(-a) / upper_gamma


def erlang_b_jagerman_integral(x, load) -> mpf:
    """``B(x, A)`` from ``1/B = A int_0^inf e^{-A t} (1 + t)^x dt`` (check only)."""
    x = mpf(x)
    a = mpf(load)
    peak = max(x / a - 1, mpf(0))  # maximum of the integrand
    points = [0, peak, peak + 1, mpmath.inf] if peak > 0 else [0, 1, mpmath.inf]
    integral = mpmath.quad(lambda t: mpmath.exp(-a * t) * (1 + t) ** x, points)
    return 1 / (a * integral)


# ---------------------------------------------------------------------------
# Erlang A (M/M/N+M)
# ---------------------------------------------------------------------------


def _erlang_a_queue_factors(n: int, load, r, max_terms) -> list | None:
    """``q_m = pi_{N+m} / pi_N = (A r)^m / prod_{i=1..m} (x + i)``, ``x = N r``.

    Returns ``[q_0, q_1, ..., q_{M-1}]`` or None if more than ``max_terms`` terms
    would be needed.  Truncation: once ``rho = q_{m+1}/q_m = A r/(x + m + 1)``
    is below 1 it keeps decreasing, so the neglected tails are bounded by
    ``sum_{k>m} q_k <= q_m rho/(1-rho)`` and
    ``sum_{k>m} k q_k <= q_m (m rho/(1-rho) + rho/(1-rho)^2)``; stop when both
    are below ``TAIL_TOLERANCE`` times the partial sums.
    """
    a = mpf(load)
    x = n * r
    ar = a * r
    factors = []
    q = mpf(1)
    s0 = s1 = mpf(0)
    m = 0
    while True:
        factors.append(q)
        s0 += q
        s1 += m * q
        rho = ar / (x + m + 1)
        if rho < 1 and m >= 1:
            tail0 = q * rho / (1 - rho)
            tail1 = q * (m * rho / (1 - rho) + rho / (1 - rho) ** 2)
            if tail0 < TAIL_TOLERANCE * s0 and tail1 < TAIL_TOLERANCE * s1:
                return factors
        m += 1
        if max_terms is not None and m >= max_terms:
            return None
        q *= rho


def _incomplete_beta_tails(b, p, count: int) -> list:
    """``[I_p(m+1, b) for m in range(count)]`` without cancellation.

    For integer ``a = m+1``, ``I_p(m+1, b)`` is the upper tail of the negative
    binomial distribution: ``I_p(m+1, b) = sum_{k>m} t_k`` with
    ``t_k = Gamma(k+b)/(k! Gamma(b)) p^k (1-p)^b``, ``t_0 = (1-p)^b`` and
    ``t_{k+1} = t_k p (k+b)/(k+1)``.  The values are suffix sums of positive
    terms, so small values keep full relative precision.  The tail beyond the
    last index, ``U = sum_{k>=count} t_k``, is ``1 - sum_{k<count} t_k`` when that
    sum is below 1/2 (no cancellation), else the positive series itself.
    """
    if p == 0:
        return [mpf(0)] * count
    pmf = []
    t = (1 - p) ** b
    for k in range(count):
        pmf.append(t)
        t *= p * (k + b) / (k + 1)
    head = mpmath.fsum(pmf)
    if head < mpf("0.5"):
        upper = 1 - head
    else:
        upper = mpf(0)
        k = count  # t == t_count here
        while True:
            upper += t
            ratio = p * (k + b) / (k + 1)  # t_{k+1} / t_k, decreasing in k
            if ratio < 1 and t * ratio / (1 - ratio) < TAIL_TOLERANCE * upper:
                break
            t *= ratio
            k += 1
            assert k < count + 2_000_000, "negative binomial tail too long"
    tails = [mpf(0)] * count
    for m in range(count - 1, -1, -1):
        upper += pmf[m + 1] if m + 1 < count else 0
        tails[m] = upper
    return tails


def erlang_a_metrics(n: int, load, aht_s, patience_s, threshold_s, max_terms=None):
    """Erlang A quantities for one case (see module docstring), or None if the
    queue sum needs more than ``max_terms`` terms."""
    assert n >= 1
    with mp.workdps(mp.dps + GUARD_DIGITS):
        a = mpf(load)
        aht = mpf(aht_s)
        patience = mpf(patience_s)
        r = patience / aht  # = mu / theta
        p = -mpmath.expm1(-mpf(threshold_s) / patience)  # 1 - exp(-theta T)
        factors = _erlang_a_queue_factors(n, a, r, max_terms)
        if factors is None:
            return None
        x = n * r
        tails = _incomplete_beta_tails(x + 1, p, len(factors))
        s0 = mpmath.fsum(factors)
        s1 = mpmath.fsum(m * q for m, q in enumerate(factors))
        weighted = [q * x / (x + m + 1) for m, q in enumerate(factors)]  # q_m w_m
        s_ans = mpmath.fsum(weighted)
        s_sl = mpmath.fsum(wq * i for wq, i in zip(weighted, tails, strict=True))
        harmonic = mpf(0)
        s_v = mpf(0)
        for m, wq in enumerate(weighted):
            harmonic += 1 / (x + m + 1)  # H_m = sum_{k=0..m} 1/(x+k+1)
            s_v += wq * harmonic
        terms = len(factors)

        no_wait_mass = 1 / erlang_b(n, a) - 1  # sum_{j<N} pi_j / pi_N
        z = no_wait_mass + s0
        p_no_wait = no_wait_mass / z
        p_wait = s0 / z
        mean_queue = s1 / z
        p_abandon = mean_queue / (a * r)  # theta E[Q] / lam
        p_answered = 1 - p_abandon
        p_answered_direct = p_no_wait + s_ans / z
        assert abs(p_answered - p_answered_direct) < mpf("1e-40"), (n, load)
        service_level = p_no_wait + s_sl / z
        asa = patience * (s_v / z) / p_answered
        result = {
            "agents": n,
            "load_erlangs": load,
            "aht_s": aht_s,
            "patience_s": patience_s,
            "threshold_s": threshold_s,
            "p_wait": p_wait,
            "p_abandon": p_abandon,
            "service_level": service_level,
            "asa_s": asa,
            "terms": terms,
        }
    # Round back to the working precision of the rest of the script.
    return {k: (+v if isinstance(v, mpf) else v) for k, v in result.items()}


# ---------------------------------------------------------------------------
# Required agents
# ---------------------------------------------------------------------------


def required_agents_c(load, aht_s, threshold_s, target, max_occupancy=None) -> dict:
    """Smallest ``N > A`` with ``SL(N) >= target`` and ``A/N <= max_occupancy``.

    ``target`` and ``max_occupancy`` are floats; they are compared exactly
    (as binary values) with the 50-digit SL and ``A <= max_occupancy N``.
    """
    a = mpf(load)
    tgt = mpf(target)
    occ = None if max_occupancy is None else mpf(max_occupancy)
    previous_sl = mpf(0)
    for n, b in erlang_b_sequence(a):
        if n <= a:
            continue
        c = erlang_c_from_b(n, a, b)
        sl = erlang_c_service_level(n, a, aht_s, threshold_s, c)
        if sl >= tgt and (occ is None or a <= occ * n):
            if occ is not None:
                # Refuse cases where the occupancy limit is (nearly) an exact tie.
                assert abs(a - occ * n) > mpf("1e-9") and abs(a - occ * (n - 1)) > mpf("1e-9")
            below = previous_sl if n - 1 > a else mpf(0)
            return {
                "load_erlangs": load,
                "aht_s": aht_s,
                "threshold_s": threshold_s,
                "target_service_level": target,
                "max_occupancy": max_occupancy,
                "agents": n,
                "service_level_at_agents": sl,
                "service_level_below": below,
                "near_tie": int(abs(below - tgt) < mpf("1e-4")),
            }
        previous_sl = sl


def _erlang_a_feasible(metrics: dict, target, max_abandon_rate) -> bool:
    if metrics["service_level"] < mpf(target):
        return False
    return max_abandon_rate is None or metrics["p_abandon"] <= mpf(max_abandon_rate)


def required_agents_a(load, aht_s, patience_s, threshold_s, target, max_abandon_rate=None) -> dict:
    """Smallest ``N >= 1`` meeting the Erlang A SL target (and abandon cap).

    Lower bound: ``N < target A`` or ``N < A (1 - max_abandon_rate)`` is
    infeasible.  Then doubling + bisection (monotone in N), verified at N-1, N.

    The returned ``margin`` (not written to the CSV) is the smallest distance
    of SL(N-1), SL(N) to the target and of p_abandon(N-1), p_abandon(N) to the
    cap: a small margin means a near-tie that a float implementation could
    legitimately resolve differently.
    """
    cache: dict[int, dict] = {}

    def metrics(n: int) -> dict:
        if n not in cache:
            cache[n] = erlang_a_metrics(n, load, aht_s, patience_s, threshold_s)
        return cache[n]

    def feasible(n: int) -> bool:
        return n >= 1 and _erlang_a_feasible(metrics(n), target, max_abandon_rate)

    bound = target * load
    if max_abandon_rate is not None:
        bound = max(bound, load * (1 - max_abandon_rate))
    lo = math.ceil(bound) - 1  # strictly below the bound -> infeasible
    assert not feasible(lo)
    step = max(1, math.ceil(math.sqrt(load)))
    hi = lo + step
    while not feasible(hi):
        lo, step = hi, 2 * step
        hi = lo + step
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if feasible(mid):
            hi = mid
        else:
            lo = mid
    assert feasible(hi) and not feasible(hi - 1)
    if load <= 50:  # full scan confirms the search for small loads
        assert next(n for n in range(1, hi + 1) if feasible(n)) == hi
    margins = []
    for n in (hi - 1, hi):
        if n >= 1:
            margins.append(abs(metrics(n)["service_level"] - mpf(target)))
            if max_abandon_rate is not None:
                margins.append(abs(metrics(n)["p_abandon"] - mpf(max_abandon_rate)))
    return {
        "load_erlangs": load,
        "aht_s": aht_s,
        "patience_s": patience_s,
        "threshold_s": threshold_s,
        "target_service_level": target,
        "max_abandon_rate": max_abandon_rate,
        "agents": hi,
        "margin": min(margins),
    }


# ---------------------------------------------------------------------------
# Grids
# ---------------------------------------------------------------------------

AHTS_C = (30.0, 180.0, 300.0, 600.0)
THRESHOLDS_C = (0.0, 10.0, 20.0, 60.0)


def erlang_c_rows() -> list[dict]:
    """~40 log-spaced loads 0.1..5000, several N > A each, varied AHT/threshold."""
    loads = sorted(set(log_grid(0.1, 5000.0, 36) + [1.0, 10.0, 100.0, 1000.0, 2.5, 42.42]))
    cases = []
    for a in loads:
        base = math.ceil(a)
        agents = {base + 1, math.ceil(a + math.sqrt(a)), math.ceil(a + 3 * math.sqrt(a)) + 1}
        if base > a:
            agents.add(base)
        if a == 5000.0:
            agents.update({5100, 5200})
        cases += [(n, a) for n in sorted(agents)]
    rows = []
    for i, (n, a) in enumerate(cases):
        aht = AHTS_C[i % 4]
        threshold = THRESHOLDS_C[(i // 4 + i) % 4]
        rows.append(erlang_c_metrics(n, a, aht, threshold))
    # Classic example (A = 100 calls / 1800 s * 180 s = 10) and its staffing table.
    for n in range(11, 21):
        rows.append(erlang_c_metrics(n, 10.0, 180.0, 20.0))
    return rows


def check_classic_example() -> None:
    """100 calls per 30 min, AHT 180 s, N = 14, T = 20 s."""
    load = 100 * 180.0 / 1800.0
    assert load == 10.0
    row = erlang_c_metrics(14, load, 180.0, 20.0)
    assert abs(row["erlang_c"] - mpf("0.1741319")) < 5e-8, row["erlang_c"]
    assert abs(row["service_level"] - mpf("0.8883500")) < 5e-8, row["service_level"]
    assert abs(row["asa_s"] - mpf("7.8359")) < 5e-5, row["asa_s"]


def erlang_b_fractional_rows() -> list[dict]:
    """Real x below and above the load, integer and non-integer, loads to 10000."""
    loads = [0.1, 0.37, 1.0, 2.5, 7.77, 10.0, 20.0, 37.5, 100.0, 333.3, 500.0,
             1000.0, 2718.28, 5000.0, 10000.0]
    cases = []
    for a in loads:
        s = math.sqrt(a)
        xs = {
            round(0.3 * a, 4),                 # well below the load
            max(1, round(a / 2)),              # integer N < A (plain Erlang B)
            1,
            round(0.9 * a + 0.37, 4),
            round(a, 4),
            math.floor(a) + 0.5,
            round(a + s, 4),                   # non-integer above the load
            math.ceil(a + s),                  # integer above the load
            round(a + 2 * s + 0.25, 4),
            round(a + 4 * s + 2, 4),           # far above the load
            math.ceil(a + 4 * s + 2),
        }
        cases += [(x, a) for x in sorted(xs)]
    cases += [(13.37, 10.0), (14, 10.0), (0.5, 0.1), (2.75, 0.37),
              (4999.5, 5000.0), (5001, 5000.0), (5200, 5000.0), (5250.75, 5000.0),
              (9500, 10000.0), (10500, 10000.0), (10250.5, 10000.0)]
    # Integral x are written as ints (the set also removes 14 vs 14.0 duplicates).
    cases = {(int(x) if float(x).is_integer() else x, a) for x, a in cases}
    return [{"agents": x, "load_erlangs": a, "erlang_b": erlang_b_fractional(x, a)}
            for x, a in sorted(cases, key=lambda c: (c[1], c[0]))]


def check_fractional_rows(rows: list[dict]) -> None:
    """Integer x == recursion (all rows); a few non-integer x == Jagerman integral."""
    for row in rows:
        x, a = row["agents"], row["load_erlangs"]
        if float(x).is_integer():
            exact = erlang_b(int(x), a)
            assert abs(row["erlang_b"] / exact - 1) < mpf("1e-40"), (x, a)
    for x, a in [(13.37, 10.0), (2.75, 0.37), (0.03, 0.1), (120.5, 100.0), (45.25, 100.0)]:
        direct = erlang_b_fractional(x, a)
        integral = erlang_b_jagerman_integral(x, a)
        assert abs(direct / integral - 1) < mpf("1e-35"), (x, a, direct, integral)


AHTS_A = (60.0, 180.0, 300.0, 900.0)
PATIENCE_RATIOS = (0.1, 0.5, 1.0, 3.0, 20.0)
THRESHOLDS_A = (0.0, 20.0, 60.0)


def erlang_a_rows() -> tuple[list[dict], list[tuple]]:
    """Loads 0.5..2000; N below, near and above the load; mixed patience/AHT/T.

    Returns the rows and the list of skipped cases (too many queue terms).
    """
    loads = [0.5, 1.0, 2.3, 5.0, 10.0, 24.7, 50.0, 100.0, 150.0, 250.0, 512.5, 1000.0,
             2000.0]
    rows, skipped = [], []
    i = 0
    for a in loads:
        s = math.sqrt(a)
        agents = sorted({max(1, math.floor(0.8 * a)), max(1, round(a)),
                         math.ceil(a + s), math.ceil(a + 3 * s)})
        for n in agents:
            for _ in range(3):
                ratio = PATIENCE_RATIOS[i % 5]
                aht = AHTS_A[(i // 5) % 4]
                threshold = THRESHOLDS_A[(i + i // 7) % 3]
                i += 1
                patience = ratio * aht
                row = erlang_a_metrics(n, a, aht, patience, threshold,
                                       max_terms=MAX_QUEUE_TERMS_GRID)
                if row is None:
                    skipped.append((n, a, aht, patience, threshold))
                else:
                    rows.append(row)
    return rows, skipped


def _hypoexponential_check(x, theta, m: int, threshold) -> tuple:
    """Direct quadrature of ``E[e^{-theta V} 1{V <= T}]`` and ``E[V e^{-theta V}]``
    for ``V = sum_{k=0..m} Exp(theta (x+k))`` (distinct rates), using the
    hypoexponential density ``f(v) = sum_i c_i l_i e^{-l_i v}``,
    ``c_i = prod_{j != i} l_j / (l_j - l_i)``.  Used only as a check."""
    rates = [theta * (x + k) for k in range(m + 1)]
    coefs = [mpmath.fprod(lj / (lj - li) for j, lj in enumerate(rates) if j != i)
             for i, li in enumerate(rates)]

    def density(v):
        return mpmath.fsum(c * li * mpmath.exp(-li * v) for c, li in zip(coefs, rates, strict=True))

    answered_within = mpmath.quad(lambda v: density(v) * mpmath.exp(-theta * v),
                                  [0, threshold])
    wait_moment = mpmath.quad(lambda v: v * density(v) * mpmath.exp(-theta * v),
                              [0, threshold, mpmath.inf])
    return answered_within, wait_moment


def check_erlang_a() -> None:
    """Answer-within-T formula vs direct quadrature; incomplete beta tails vs
    mpmath.betainc; Erlang A -> Erlang C limit for very patient callers."""
    with mp.workdps(mp.dps + GUARD_DIGITS):
        x, theta, threshold = mpf("10.5"), 1 / mpf(135), mpf(20)
        p = -mpmath.expm1(-theta * threshold)
        tails = _incomplete_beta_tails(x + 1, p, 6)
        for m in range(6):
            within, moment = _hypoexponential_check(x, theta, m, threshold)
            weight = x / (x + m + 1)
            harmonic = mpmath.fsum(1 / (x + k + 1) for k in range(m + 1))
            assert abs(within - weight * tails[m]) < mpf("1e-40"), m
            assert abs(moment - weight * harmonic / theta) < mpf("1e-38"), m
    for b, p in [(mpf("11.5"), -mpmath.expm1(mpf(-20) / 135)),  # I ~ 1 .. 1e-50
                 (mpf("1e4") + 1, mpf("1e-3")),  # mean ~ 10
                 (mpf("2.5"), mpf("0.9"))]:  # long tail beyond the last index
        tails = _incomplete_beta_tails(b, p, 60)
        for m in (0, 1, 5, 20, 59):
            ref = mpmath.betainc(m + 1, b, 0, p, regularized=True)
            assert abs(tails[m] / ref - 1) < mpf("1e-40"), (b, p, m)
    for n, a, aht, threshold in [(14, 10.0, 180.0, 20.0), (110, 100.0, 300.0, 20.0),
                                 (3, 0.5, 60.0, 60.0), (1040, 1000.0, 30.0, 10.0)]:
        ea = erlang_a_metrics(n, a, aht, 1e9 * aht, threshold)
        ec = erlang_c_metrics(n, a, aht, threshold)
        assert abs(ea["p_wait"] - ec["erlang_c"]) < 1e-6
        assert abs(ea["service_level"] - ec["service_level"]) < 1e-6
        assert abs(ea["asa_s"] / ec["asa_s"] - 1) < 1e-6
        assert ea["p_abandon"] < 1e-6


def required_agents_c_rows() -> list[dict]:
    """~150 regular cases plus near-ties built from SL(N-1) +/- d."""
    targets = (0.5, 0.8, 0.9, 0.95, 0.99)
    thresholds = (10.0, 20.0, 30.0, 60.0)
    ahts = (30.0, 180.0, 300.0, 600.0)
    loads = log_grid(0.1, 5000.0, 30)
    rows = []
    i = 0
    for a in loads:
        for _ in range(5):
            max_occ = 0.85 if i % 9 == 4 else (0.9 if i % 9 == 7 else None)
            rows.append(required_agents_c(a, ahts[(i // 5) % 4], thresholds[(i + i // 5) % 4],
                                          targets[i % 5], max_occ))
            i += 1
    rows += near_tie_rows()
    return rows


#: (load, aht_s, threshold_s, base target, max_occupancy) used to build near-ties.
NEAR_TIE_BASES = [
    (10.0, 180.0, 20.0, 0.8, None),
    (2.345, 300.0, 20.0, 0.8, None),
    (23.45, 180.0, 30.0, 0.9, None),
    (57.3, 600.0, 10.0, 0.8, None),
    (99.9, 180.0, 20.0, 0.95, None),
    (171.2, 300.0, 60.0, 0.9, None),
    (430.7, 240.0, 20.0, 0.8, None),
    (812.5, 180.0, 30.0, 0.9, None),
    (1500.0, 420.0, 20.0, 0.8, None),
    (3210.5, 300.0, 10.0, 0.9, None),
    (4999.0, 180.0, 20.0, 0.95, None),
    (7.5, 180.0, 60.0, 0.5, None),
    # occupancy limit forbids N-1: the SL(N-1) - d rows still answer N
    (21.7, 180.0, 20.0, 0.8, 0.85),
    (47.2, 180.0, 20.0, 0.8, 0.9),
]
NEAR_TIE_DELTAS = (1e-5, 1e-7, 1e-9)


def near_tie_rows() -> list[dict]:
    """Targets ``s +/- d`` with ``s = SL(N-1)`` at 50 digits, written as doubles.

    ``s + d`` -> answer N (SL(N-1) just misses); ``s - d`` -> answer N-1 unless
    the occupancy limit forbids it.  The answer is recomputed from the rounded
    double target, and the expectation is asserted.
    """
    rows = []
    for a, aht, threshold, base_target, max_occ in NEAR_TIE_BASES:
        base = required_agents_c(a, aht, threshold, base_target)
        n = base["agents"]
        assert n - 1 > a, (a, n)
        s = base["service_level_below"]
        for d in NEAR_TIE_DELTAS:
            for sign in (+1, -1):
                target = float(s + sign * mpf(d))
                row = required_agents_c(a, aht, threshold, target, max_occ)
                occ_ok = max_occ is None or mpf(a) <= mpf(max_occ) * (n - 1)
                expected = n if (sign > 0 or not occ_ok) else n - 1
                assert row["agents"] == expected, (a, d, sign, row["agents"], expected)
                rows.append(row)
    return rows


def required_agents_a_rows() -> list[dict]:
    """~60 cases, loads 0.5..1000, incl. short patience where N < A suffices."""
    cases = []  # (load, aht, patience ratio, threshold, target, max_abandon)
    loads = [0.5, 1.0, 2.0, 3.7, 5.0, 10.0, 18.2, 35.0, 50.0, 100.0, 200.0, 500.0, 987.6]
    targets = (0.8, 0.9, 0.95, 0.5, 0.7)
    ratios = (1.0, 3.0, 0.5, 20.0, 0.2)
    thresholds = (20.0, 60.0, 10.0, 30.0)
    i = 0
    for a in loads:
        for _ in range(3):
            max_ab = (0.05 if i % 4 == 1 else (0.02 if i % 4 == 3 else None))
            cases.append((a, AHTS_A[i % 4], ratios[i % 5], thresholds[(i + i // 4) % 4],
                          targets[i % 5], max_ab))
            i += 1
    # Short patience, low target: the answer can be below the load.
    for a in (5.0, 20.0, 50.0, 100.0, 300.0, 1000.0):
        for aht, threshold in ((180.0, 20.0), (300.0, 60.0)):
            cases.append((a, aht, 0.2, threshold, 0.5, None))
    # Abandonment cap as the binding constraint.
    for a in (10.0, 100.0, 400.0):
        cases.append((a, 180.0, 1.0, 20.0, 0.5, 0.01))
        cases.append((a, 300.0, 0.1, 30.0, 0.3, 0.2))
    # Threshold 0: the service level is the probability of not waiting.
    cases += [(7.3, 900.0, 20.0, 0.0, 0.9, None), (42.0, 60.0, 3.0, 0.0, 0.8, None),
              (250.0, 180.0, 0.1, 0.0, 0.6, None), (750.0, 300.0, 0.5, 0.0, 0.8, 0.03)]
    rows = [required_agents_a(a, aht, ratio * aht, threshold, target, max_ab)
            for a, aht, ratio, threshold, target, max_ab in cases]
    for row in rows:  # no accidental near-ties (there is no near_tie column)
        assert row["margin"] > MIN_MARGIN_A, row
    return rows


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

ERLANG_C_COLUMNS = ["agents", "load_erlangs", "aht_s", "threshold_s", "erlang_b",
                    "erlang_c", "service_level", "asa_s", "occupancy"]
ERLANG_B_FRACTIONAL_COLUMNS = ["agents", "load_erlangs", "erlang_b"]
ERLANG_A_COLUMNS = ["agents", "load_erlangs", "aht_s", "patience_s", "threshold_s",
                    "p_wait", "p_abandon", "service_level", "asa_s"]
REQUIRED_C_COLUMNS = ["load_erlangs", "aht_s", "threshold_s", "target_service_level",
                      "max_occupancy", "agents", "service_level_at_agents",
                      "service_level_below", "near_tie"]
REQUIRED_A_COLUMNS = ["load_erlangs", "aht_s", "patience_s", "threshold_s",
                      "target_service_level", "max_abandon_rate", "agents"]


def main() -> None:
    start = time.perf_counter()

    def report(name: str, rows: list[dict], t0: float) -> None:
        print(f"{name}: {len(rows)} rows ({time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    check_classic_example()
    rows = erlang_c_rows()
    write_csv("erlang_c.csv", ERLANG_C_COLUMNS, rows)
    report("erlang_c.csv", rows, t0)

    t0 = time.perf_counter()
    rows = erlang_b_fractional_rows()
    check_fractional_rows(rows)
    write_csv("erlang_b_fractional.csv", ERLANG_B_FRACTIONAL_COLUMNS, rows)
    report("erlang_b_fractional.csv", rows, t0)

    t0 = time.perf_counter()
    check_erlang_a()
    rows, skipped = erlang_a_rows()
    write_csv("erlang_a.csv", ERLANG_A_COLUMNS, rows)
    report("erlang_a.csv", rows, t0)
    for case in skipped:
        print(f"  skipped Erlang A case (> {MAX_QUEUE_TERMS_GRID} terms): "
              f"N={case[0]} A={case[1]} aht={case[2]} patience={case[3]} T={case[4]}")

    t0 = time.perf_counter()
    rows = required_agents_c_rows()
    write_csv("required_agents_c.csv", REQUIRED_C_COLUMNS, rows)
    report("required_agents_c.csv", rows, t0)

    t0 = time.perf_counter()
    rows = required_agents_a_rows()
    write_csv("required_agents_a.csv", REQUIRED_A_COLUMNS, rows)
    report("required_agents_a.csv", rows, t0)

    print(f"total {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
