"""Time-varying load for live channels: the modified-offered-load (MOL) method.

Staffing every interval from a stationary formula at its own load (SIPP, "stationary independent
period by period") misses targets when handle times are long relative to the interval or volume
ramps steeply: contacts in service lag the arrivals. MOL replaces the interval load
``lambda * aht`` by the mean number of contacts an infinite-server system would hold, ``m(t)``,
which solves ``m'(t) = lambda(t) - m(t) / aht`` (exponential handle times), and staffs the
stationary model at that load.

For arrivals that are constant within an interval the solution is exact in closed form: over an
interval of length ``dt`` starting at ``m0``, ``m(s) = lambda aht + (m0 - lambda aht) e**(-s/aht)``.
The load per interval is the larger of the loads at its two ends (``m`` is monotone inside an
interval), so the plan holds throughout the interval. Closed gaps between intervals let ``m``
decay with no arrivals.

References: Jennings, Mandelbaum, Massey & Whitt (1996), "Server staffing to meet time-varying
demand", Management Science 42(10); Green, Kolesar & Soares (2001), "Improving the SIPP approach
for staffing service systems that have cyclic demands", Operations Research 49(4); Green, Kolesar
& Whitt (2007), "Coping with time-varying demand when setting staffing requirements for a service
system", POMS 16(1).
"""

from __future__ import annotations

import numpy as np

from planner.errors import InputError
from planner.schema import check_array

__all__ = ["modified_offered_load"]


def _window(decay_log: np.ndarray) -> int:
    """Terms to keep so that dropped weights are below e**-40 (~4e-18) of the newest one."""
    rate = np.min(decay_log) if decay_log.size else 1.0
    return int(min(decay_log.size, np.ceil(40.0 / max(rate, 1e-12)) + 1))


def modified_offered_load(
    arrival_rate_per_s,
    aht_s,
    *,
    interval_s: float,
    gap_s=0.0,
    start_load_erlangs: float = 0.0,
    statistic: str = "max",
) -> np.ndarray:
    """Load per interval [Erlang] of one channel by the modified-offered-load method.

    Parameters
    ----------
    arrival_rate_per_s : array_like, shape (n,)
        Arrival rate in each interval, in time order [1/s].
    aht_s : array_like, shape (n,) or scalar
        Mean handle time in each interval [s].
    interval_s : float
        Interval length [s].
    gap_s : array_like, shape (n,) or scalar, optional
        Closed time after each interval before the next one starts [s] (0 when consecutive).
    start_load_erlangs : float, optional
        Contacts in service when the first interval opens [Erlang] (0: the channel opens empty).
    statistic : {"max", "mean", "start"}
        Load reported per interval: the larger of the two ends (default, holds the target
        throughout the interval), the time average over the interval, or the value at its start.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Load per interval [Erlang], to staff with a stationary model (Erlang C or A) as if it
        were ``lambda * aht``.

    References
    ----------
    Jennings, Mandelbaum, Massey & Whitt (1996), "Server staffing to meet time-varying demand",
    Management Science 42(10); Green, Kolesar & Whitt (2007), "Coping with time-varying demand
    when setting staffing requirements for a service system", POMS 16(1).

    Examples
    --------
    A constant rate reaches the stationary load ``lambda * aht`` (60 Erlangs) once the system has
    filled; an empty channel holds ``60 (1 - e**-1.5) = 46.612`` after its first 900 s:

    >>> load = modified_offered_load([0.1] * 40, 600.0, interval_s=900.0)
    >>> round(float(load[0]), 3), round(float(load[-1]), 6)
    (46.612, 60.0)
    """
    rate = check_array("arrival_rate_per_s", arrival_rate_per_s, low=0.0)
    if rate.ndim != 1:
        raise InputError("arrival_rate_per_s: expected one channel's intervals as a 1-D sequence")
    aht = np.broadcast_to(check_array("aht_s", aht_s, low=0.0, low_inclusive=False), rate.shape)
    gap = np.broadcast_to(check_array("gap_s", gap_s, low=0.0), rate.shape)
    dt = float(check_array("interval_s", interval_s, low=0.0, low_inclusive=False))
    m0 = float(check_array("start_load_erlangs", start_load_erlangs, low=0.0))
    if statistic not in ("max", "mean", "start"):
        raise InputError(f"statistic: expected 'max', 'mean' or 'start', got {statistic!r}")
    n = rate.size
    if n == 0:
        return np.zeros(0)

    stationary = rate * aht
    keep_open = np.exp(-dt / aht)  # decay over the open interval
    # m at the start of each interval: m[i+1] = a[i] m[i] + b[i] (exact for piecewise constants).
    a_log = dt / aht + gap / aht  # -log a[i] >= 0
    b = stationary * (1.0 - keep_open) * np.exp(-gap / aht)
    # Solve the recurrence as a sliding-window sum of decaying weights (no loop over intervals):
    # m[i] = sum_j b[j] exp(-(S[i] - S[j+1])) + m0 exp(-S[i]), S = cumulative a_log.
    cumulative = np.concatenate([[0.0], np.cumsum(a_log)])
    width = _window(a_log)
    starts = np.empty(n)
    starts[0] = m0
    if n > 1:
        i = np.arange(1, n)[:, None]
        j = i - 1 - np.arange(width)[None, :]
        valid = j >= 0
        jj = np.where(valid, j, 0)
        weights = np.where(valid, np.exp(-(cumulative[i] - cumulative[jj + 1])), 0.0)
        starts[1:] = (weights * b[jj]).sum(axis=1) + m0 * np.exp(-cumulative[1:n])
    ends = stationary + (starts - stationary) * keep_open
    if statistic == "start":
        return starts
    if statistic == "max":
        return np.maximum(starts, ends)
    return stationary + (starts - stationary) * (aht / dt) * (1.0 - keep_open)
