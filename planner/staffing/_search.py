"""Vectorised search for the least integer staff meeting a monotone criterion."""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["smallest_integer", "solve_increasing", "least_meeting"]

Criterion = Callable[[np.ndarray, np.ndarray], np.ndarray]


def smallest_integer(met: Criterion, lower: np.ndarray, guess: np.ndarray, unit_steps: int = 1) -> np.ndarray:
    """Return, per row, the least integer ``n > lower`` with ``met(n, rows)`` true.

    ``met(n, rows)`` evaluates the criterion for candidate counts ``n`` on the row indices ``rows``
    and must be monotone (false below the answer, true from it on); ``lower`` must fail. The search
    gallops from ``guess`` (e.g. the square-root staffing estimate) and bisects the bracket, so it
    costs a few vectorised evaluations however large the loads are. No Python loop runs per row.
    The gallop's first ``unit_steps`` steps are of one (then 2, 4, ...): with a guess that is
    usually within one or two of the answer, unit steps end the search without a bisection.
    """
    lo = np.asarray(lower, dtype=np.int64).copy()
    hi = np.maximum(np.asarray(guess, dtype=np.int64), lo + 1)
    rows = np.arange(lo.size)
    ok = met(hi, rows)

    # Gallop upward where the guess fails: the failing guess becomes the new lower end.
    step = np.ones(lo.size, dtype=np.int64)
    up = rows[~ok]
    taken = 0
    while up.size:
        lo[up] = hi[up]
        hi[up] = hi[up] + step[up]
        taken += 1
        if taken >= unit_steps:
            step[up] *= 2
        up = up[~met(hi[up], up)]

    # Gallop downward where the guess meets the criterion, to bracket the answer tightly.
    step[:] = 1
    taken = 0
    down = rows[ok & (hi - lo > 1)]
    while down.size:
        cand = np.maximum(hi[down] - step[down], lo[down] + 1)
        good = met(cand, down)
        hi[down[good]] = cand[good]
        lo[down[~good]] = np.maximum(lo[down[~good]], cand[~good])
        taken += 1
        if taken >= unit_steps:
            step[down] *= 2
        down = down[good & (hi[down] - lo[down] > 1)]

    # Bisect: lo always fails, hi always meets.
    active = rows[hi - lo > 1]
    while active.size:
        mid = (lo[active] + hi[active]) // 2
        good = met(mid, active)
        hi[active[good]] = mid[good]
        lo[active[~good]] = mid[~good]
        active = active[hi[active] - lo[active] > 1]
    return hi


def solve_increasing(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    ftol: float = 1e-12,
    max_iter: int = 200,
) -> np.ndarray:
    """Return x in [lo, hi] with ``f(x, rows) == 0`` for ``f`` increasing, ``f(lo) <= 0 <= f(hi)``.

    Vectorised Illinois (modified regula falsi) iteration; converges superlinearly for smooth f.
    Stops where ``|f(x)| <= ftol`` or the bracket is a few ulps wide (f steep in x).
    """
    lo = np.asarray(lo, dtype=float).copy()
    hi = np.asarray(hi, dtype=float).copy()
    rows = np.arange(lo.size)
    f_lo = f(lo, rows)
    f_hi = f(hi, rows)
    x = np.where(f_lo >= 0, lo, hi)
    active = rows[(f_lo < 0) & (f_hi > 0)]
    side = np.zeros(lo.size, dtype=np.int8)
    for _ in range(max_iter):
        if not active.size:
            break
        a, b, fa, fb = lo[active], hi[active], f_lo[active], f_hi[active]
        guess = b - fb * (b - a) / (fb - fa)
        guess = np.where((guess <= a) | (guess >= b) | ~np.isfinite(guess), 0.5 * (a + b), guess)
        fg = f(guess, active)
        x[active] = guess
        right = fg > 0  # root is left of guess: guess becomes the upper end
        hi[active[right]], f_hi[active[right]] = guess[right], fg[right]
        lo[active[~right]], f_lo[active[~right]] = guess[~right], fg[~right]
        # Illinois: halve the stale end's value when the same end is kept twice in a row.
        s = np.where(right, 1, -1).astype(np.int8)
        f_lo[active[right & (side[active] == 1)]] *= 0.5
        f_hi[active[~right & (side[active] == -1)]] *= 0.5
        side[active] = s
        width = hi[active] - lo[active]
        done = (np.abs(fg) <= ftol) | (width <= 4.0 * np.finfo(float).eps * np.maximum(1.0, np.abs(guess)))
        active = active[~done]
    return x


def least_meeting(gaps, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The least x in [lo, hi] with every ``gap(x, rows) >= 0`` (each increasing in x, all >= 0 at hi)."""
    return np.max([solve_increasing(gap, lo, hi) for gap in gaps], axis=0)
