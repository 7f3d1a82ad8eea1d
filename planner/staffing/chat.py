"""Chat with concurrency: N agents each hold up to k chats, and handling slows as chats pile up.

Model (the balanced chain). ``aht_s[j-1]`` is the mean chat duration while its agent holds j chats,
so one agent holding j chats finishes them at rate ``c_j = j / aht_s[j-1]`` [1/s] (``c_0 = 0``).
New chats go to the least-loaded agent and the chats are taken to stay spread evenly, so with
``x = q N + r`` chats in system (``0 <= r < N``) ``N - r`` agents hold q chats and r hold q + 1.
The number in system is then a birth-death chain with arrival rate ``lambda`` and departure rate

* ``d(x) = (N - r) c_q + r c_(q+1)`` for ``x <= N k`` (N times c interpolated linearly at x / N),
* ``d(x) = N c_k + m / patience_s`` for ``x = N k + m``: m chats wait FCFS, each abandoning at
  rate ``1 / patience_s`` (exponential patience; ``inf`` for none).

Its stationary law is product form, ``pi_x / pi_(x-1) = lambda / d(x)``. Beyond ``N k`` it is
exactly Erlang A with ``n = N k`` servers of mean service time ``aht_s[k-1]`` (load
``a = lambda aht_s[k-1]``), so with ``I = sum_(x < N k) pi_x / pi_(N k)`` (``1/B - 1`` for Erlang
A) every Erlang A formula of :mod:`planner.staffing.erlang_a` holds with ``1/B - 1`` replaced by
``I``; one private kernel serves both modules. ``p_wait = G / (I + G)`` with Kummer's
``G = M(1; X + 1; Y)``, ``X = n patience_s / aht_s[k-1]``, ``Y = lambda patience_s``; abandonment,
the service level (answered within the threshold over all offered chats) and the ASA of answered
chats follow from the conditional-on-waiting formulas. With L the number in system, slot
occupancy is ``E[min(L, N k)] / (N k) = p_wait + (1 - p_wait) E[L | L < N k] / (N k)`` and the
mean concurrency (chats per agent) is k times that. With ``k = 1``, or a flat ``aht_s``, the chain is Erlang A with
``N k`` servers.

Computation. ``log(pi_x / pi_(N k))`` for ``x < N k`` is a reversed cumulative sum of
``log(d(i) / lambda)``, where each ``d(i)`` is a sum of two positive terms (no cancellation); ``I``
and ``E[L | L < N k]`` follow by log-sum-exp. Rows are sorted by N and handled in chunks of a
(rows x k x N) array, so there is no Python loop per interval; every state is summed (no
truncation), which costs ``N k`` cells per row and evaluation.

References: T. Tezcan and J. Zhang (2014), "Routing and staffing in customer service chat systems
with impatient customers", Operations Research 62(4) (the balanced chain with concurrency);
A. Mandelbaum and S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A queue"
(the formulas beyond ``N k``). Real routing does not rebalance chats, so the chain is slightly
optimistic.

Examples
--------
100 chats per 15 minutes (0.111 per second), each agent holding up to 3, 600 s alone and 15%
longer per extra concurrent chat, 120 s mean patience, 80% answered within 40 s:

>>> import planner as pl
>>> aht_s = pl.chat.aht_profile(600.0, 3, aht_growth=0.15)
>>> pl.chat.required_agents(100 / 900, aht_s, patience_s=120.0, target_service_level=0.8, threshold_s=40.0)
27
>>> r = pl.chat.erlang_chat(27, 100 / 900, aht_s, 120.0, 40.0)
>>> round(float(r.service_level), 3), round(float(r.concurrency_mean), 2)
(0.816, 2.86)
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import numpy as np

from planner.errors import InputError
from planner.schema import check_array, check_targets
from planner.staffing import erlang_a
from planner.staffing._search import least_meeting, smallest_integer
from planner.staffing.erlang_a import _queue_outputs, _shape

__all__ = ["ChatResult", "aht_profile", "erlang_chat", "required_agents", "fractional_agents"]

#: Cells of one (rows x k x N) block of the chain sum: 8 MB of float64 (1-8 MB time alike).
_CHUNK_CELLS = 1 << 20
#: More concurrency levels than this on the last axis of ``aht_s`` is taken for a mistake.
_MAX_LEVELS = 64


@dataclass(frozen=True, repr=False)
class ChatResult(erlang_a.PerIntervalResult):
    """Chat performance per interval: arrays broadcast over the inputs.

    Returned by :func:`erlang_chat`; :meth:`to_frame` gives one row per interval. The repr shows
    the values of one interval, or the mean and range of each field over many.

    Attributes
    ----------
    p_wait : numpy.ndarray
        Probability a chat waits for a free slot [-].
    p_abandon : numpy.ndarray
        Share of offered chats that abandon [-].
    service_level : numpy.ndarray
        Share of offered chats answered within the threshold [-]; abandoned chats count as not
        answered.
    asa_s : numpy.ndarray
        Mean wait of answered chats [s].
    occupancy : numpy.ndarray
        Busy share of the N k chat slots [-].
    concurrency_mean : numpy.ndarray
        Mean chats per agent, k x ``occupancy`` [chats].

    Examples
    --------
    >>> erlang_chat(21, 100 / 900, 600.0, 120.0, 40.0, concurrency=3)
    ChatResult(p_wait=0.4514, p_abandon=0.1005, service_level=0.8111, asa_s=10.94, occupancy=0.9518, concurrency_mean=2.856)
    """

    p_wait: np.ndarray
    p_abandon: np.ndarray
    service_level: np.ndarray
    asa_s: np.ndarray
    occupancy: np.ndarray
    concurrency_mean: np.ndarray


def _check_concurrency(concurrency) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, Integral) or concurrency < 1:
        raise InputError(
            f"concurrency: expected a whole number of chats per agent >= 1, got {concurrency!r}"
        )
    return int(concurrency)


def aht_profile(aht_s, concurrency, aht_growth=0.0) -> np.ndarray:
    """Mean chat duration at each concurrency level, ``aht_s (1 + aht_growth (j - 1))``, j = 1..k.

    Parameters
    ----------
    aht_s : array_like
        Mean chat duration while the agent holds a single chat [s].
    concurrency : int
        Most chats an agent holds at once, k >= 1.
    aht_growth : array_like, optional
        Fraction by which each extra concurrent chat lengthens every chat [-], >= 0.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., k)``: ``[..., j - 1]`` is the mean duration [s] with j chats; the leading
        axes broadcast ``aht_s`` with ``aht_growth``.

    Examples
    --------
    >>> aht_profile(600.0, 3, aht_growth=0.15)
    array([600., 690., 780.])
    """
    aht = check_array("aht_s", aht_s, low=0.0, low_inclusive=False)
    k = _check_concurrency(concurrency)
    growth = check_array("aht_growth", aht_growth, low=0.0)
    return aht[..., None] * (1.0 + growth[..., None] * np.arange(k))


def _profile(aht_s, concurrency) -> np.ndarray:
    """``aht_s`` as a checked ``(..., k)`` profile (flat when ``concurrency`` is given)."""
    aht = check_array("aht_s", aht_s, low=0.0, low_inclusive=False)
    if concurrency is not None:
        return aht[..., None] * np.ones(_check_concurrency(concurrency))
    if aht.ndim == 0 or aht.shape[-1] == 0:
        raise InputError(
            "aht_s: a single duration needs concurrency=k; otherwise give one duration per "
            "concurrency level (the last axis), e.g. aht_profile(aht_s, k, aht_growth)"
        )
    if aht.shape[-1] > _MAX_LEVELS:
        raise InputError(
            f"aht_s: {aht.shape[-1]} durations on the last axis would mean {aht.shape[-1]} chats per "
            "agent; for one duration per interval pass concurrency=k, or a (rows, k) profile"
        )
    return aht


def _idle_sums(n: np.ndarray, rate: np.ndarray, aht: np.ndarray, *, with_mean: bool = True):
    """``log I`` and ``E[L | L < N k]`` per row (n >= 1 agents, rate > 0, aht of shape (rows, k)).

    The states ``x = N k - 1, ..., 0`` are laid out block by block from the top: block b holds
    agents' chat counts between ``q = k - 1 - b`` and ``q + 1``, and its cell s (``0 <= s < N``)
    is the state ``i = (q + 1) N - s`` with ``d(i) = s c_q + (N - s) c_(q+1)``; the inclusive
    cumulative sum of ``log(d(i) / lambda)`` at that cell is ``log(pi_(i-1) / pi_(N k))``.
    """
    rows, k = aht.shape
    per_agent = np.arange(1, k + 1) / aht / rate[:, None]  # c_j / lambda, j = 1..k
    upper = per_agent[:, ::-1]  # block b: c_(q+1) / lambda
    lower = np.concatenate([np.zeros((rows, 1)), per_agent[:, :-1]], axis=1)[:, ::-1]
    top_state = np.arange(k, 0, -1, dtype=float)  # (q + 1) for block b
    log_idle = np.empty(rows)
    mean = np.full(rows, np.nan)
    order = np.argsort(n, kind="stable")
    sorted_n = n[order]
    start = 0
    while start < rows:
        end = min(rows, start + max(1, _CHUNK_CELLS // int(k * sorted_n[start])))
        while end - start > 1 and (end - start) * k * sorted_n[end - 1] > _CHUNK_CELLS:
            end = start + max(1, (end - start) // 2)
        idx = order[start:end]
        agents = n[idx]
        width = int(agents.max())
        s = np.arange(width, dtype=float)
        free = agents[:, None] - s  # N - s; <= 0 marks padding beyond a row's N
        pad = (free <= 0.0)[:, None, :]
        cells = lower[idx][:, :, None] * s + upper[idx][:, :, None] * free[:, None, :]
        np.copyto(cells, 1.0, where=pad)
        np.log(cells, out=cells)
        flat = cells.reshape(len(idx), k * width)
        np.cumsum(flat, axis=1, out=flat)
        np.copyto(cells, -np.inf, where=pad)
        peak = flat.max(axis=1)
        np.subtract(flat, peak[:, None], out=flat)
        np.exp(flat, out=flat)
        total = flat.sum(axis=1)
        log_idle[idx] = peak + np.log(total)
        if with_mean:
            states = agents[:, None, None] * top_state[:, None] - 1.0 - s  # x = i - 1
            mean[idx] = np.einsum("ij,ij->i", flat, states.reshape(len(idx), k * width)) / total
        start = end
    return log_idle, mean


def _chat(n, rate, aht, pat, t, *, with_asa=True, with_occupancy=True):
    """Unchecked kernel: flat arrays of rows (n integral), aht of shape (rows, k)."""
    k = aht.shape[1]
    size = n.size
    p_wait, p_ab, sl = np.zeros(size), np.zeros(size), np.ones(size)
    asa, occ = np.zeros(size), np.zeros(size)
    none = n == 0  # nobody to answer: everyone waits and abandons (as Erlang A)
    p_wait[none & (rate > 0)] = p_ab[none & (rate > 0)] = 1.0
    sl[none & (rate > 0)] = 0.0
    asa[none] = np.nan
    live = (n > 0) & (rate > 0)
    if live.any():
        n_, rate_, aht_ = n[live], rate[live], aht[live]
        log_idle, mean_idle = _idle_sums(n_, rate_, aht_, with_mean=with_occupancy)
        slots = n_ * k
        with np.errstate(over="ignore"):
            log_b = -np.logaddexp(0.0, log_idle)
        pw, no_wait, p_ab[live], sl[live], asa[live] = _queue_outputs(
            log_b, slots, rate_ * aht_[:, -1], aht_[:, -1], pat[live], t[live],
            log_idle=log_idle, with_asa=with_asa,
        )
        p_wait[live] = pw
        occ[live] = np.minimum(pw + no_wait * mean_idle / slots, 1.0)
    return p_wait, p_ab, sl, asa, occ


def erlang_chat(
    agents, arrival_rate_per_s, aht_s, patience_s, threshold_s, *, concurrency=None
) -> ChatResult:
    """Performance of chat agents who each hold up to k chats at once (balanced chain).

    Parameters
    ----------
    agents : array_like
        Agents N [-], whole numbers >= 0.
    arrival_rate_per_s : array_like
        Offered chats per second [1/s].
    aht_s : array_like
        With ``concurrency``: mean chat duration [s] at every concurrency level. Without: the
        last axis (length k) gives the mean duration [s] while the agent holds 1, ..., k chats
        (see :func:`aht_profile`); leading axes broadcast with the other arguments.
    patience_s : array_like
        Mean patience of a waiting chat [s] (exponential); ``inf`` for none (unstable where
        ``arrival_rate_per_s >= N k / aht_s[k-1]``: ``p_wait`` 1, service level 0, ASA inf).
    threshold_s : array_like
        Service-level threshold [s].
    concurrency : int, optional
        Most chats per agent, k, when ``aht_s`` is one duration per row.

    Returns
    -------
    ChatResult
        ``p_wait``, ``p_abandon``, ``service_level``, ``asa_s``, ``occupancy`` (busy slot share),
        ``concurrency_mean`` (chats per agent).

    Examples
    --------
    100 chats per 15 minutes, 3 at a time, 600 s alone and 15% longer per extra chat, 27 agents:

    >>> r = erlang_chat(27, 100 / 900, aht_profile(600.0, 3, 0.15), 120.0, 40.0)
    >>> round(float(r.service_level), 4), round(float(r.concurrency_mean), 2)
    (0.8162, 2.86)
    """
    prof = _profile(aht_s, concurrency)
    n = check_array("agents", agents, low=0.0)
    if np.any(n != np.floor(n)):
        raise InputError(f"agents: expected whole agents, got {n[n != np.floor(n)].flat[0]:g}")
    rate = check_array("arrival_rate_per_s", arrival_rate_per_s, low=0.0)
    pat = check_array("patience_s", patience_s, low=0.0, low_inclusive=False, allow_inf=True)
    t = check_array("threshold_s", threshold_s, low=0.0)
    shape = np.broadcast_shapes(n.shape, rate.shape, prof.shape[:-1], pat.shape, t.shape)
    k = prof.shape[-1]
    n, rate, pat, t = (np.broadcast_to(v, shape).ravel() for v in (n, rate, pat, t))
    prof = np.broadcast_to(prof, shape + (k,)).reshape(-1, k)
    p_wait, p_ab, sl, asa, occ = _chat(n, rate, prof, pat, t)
    return ChatResult(
        p_wait=_shape(p_wait, shape),
        p_abandon=_shape(p_ab, shape),
        service_level=_shape(sl, shape),
        asa_s=_shape(asa, shape),
        occupancy=_shape(occ, shape),
        concurrency_mean=_shape(occ * k, shape),
    )


def required_agents(
    arrival_rate_per_s,
    aht_s,
    *,
    concurrency=None,
    patience_s=np.inf,
    target_service_level,
    threshold_s,
    max_occupancy=1.0,
    max_abandon_rate=None,
):
    """Least whole number of chat agents meeting the targets under the balanced chain.

    Targets: share of offered chats answered within ``threshold_s`` at least
    ``target_service_level``; slot occupancy at most ``max_occupancy``; and, if given,
    abandonment at most ``max_abandon_rate``. 0 where no chats are offered.

    The search starts from Erlang A's requirement for N k slots at the slowest per-chat rate
    divided by k (an upper bound when ``aht_s`` does not fall with concurrency: every state then
    empties faster) and corrects it with exact evaluations, usually two per row. Like Erlang A's,
    it takes the targets to stay met once met as N grows; with ``aht_s`` not falling with
    concurrency, an extra agent raises the departure rate of every state up to N k.

    Parameters
    ----------
    arrival_rate_per_s : array_like
        Offered chats per second [1/s].
    aht_s : array_like
        With ``concurrency``: mean chat duration [s] at every concurrency level. Without: the
        last axis (length k) gives the mean duration [s] while the agent holds 1, ..., k chats
        (see :func:`aht_profile`).
    concurrency : int, optional
        Most chats per agent, k, when ``aht_s`` is one duration per row.
    patience_s : array_like, optional
        Mean patience of a waiting chat [s] (exponential); ``inf`` (default) for none.
    target_service_level : array_like
        Required share of offered chats answered within the threshold, in (0, 1).
    threshold_s : array_like
        Service-level threshold [s].
    max_occupancy : array_like, optional
        Cap on the busy share of the N k slots, in (0, 1].
    max_abandon_rate : array_like, optional
        Largest acceptable share of offered chats that abandon, in (0, 1].

    Returns
    -------
    numpy.ndarray of int64 (or an int for scalar input)

    Examples
    --------
    100 chats per 15 minutes, 80% answered within 40 s; chats take 600 s alone and 15% longer
    per extra concurrent chat, or 600 s whatever the concurrency:

    >>> int(required_agents(100 / 900, aht_profile(600.0, 3, 0.15), patience_s=120.0,
    ...                     target_service_level=0.8, threshold_s=40.0))
    27
    >>> int(required_agents(100 / 900, 600.0, concurrency=3, patience_s=120.0,
    ...                     target_service_level=0.8, threshold_s=40.0))
    21
    """
    prof = _profile(aht_s, concurrency)
    rate = check_array("arrival_rate_per_s", arrival_rate_per_s, low=0.0)
    pat = check_array("patience_s", patience_s, low=0.0, low_inclusive=False, allow_inf=True)
    threshold = check_array("threshold_s", threshold_s, low=0.0)
    target, max_occ, max_ab = check_targets(target_service_level, max_occupancy, max_abandon_rate)
    k = prof.shape[-1]
    shape = np.broadcast_shapes(
        rate.shape, prof.shape[:-1], pat.shape, threshold.shape, target.shape, max_occ.shape,
        np.shape(max_ab),
    )
    rate, pat, threshold, target, max_occ, max_ab = (
        np.broadcast_to(v, shape).ravel() for v in (rate, pat, threshold, target, max_occ, max_ab)
    )
    prof = np.broadcast_to(prof, shape + (k,)).reshape(-1, k)
    occupancy_binds = bool(np.any(max_occ < 1.0))

    def met(n: np.ndarray, rows: np.ndarray) -> np.ndarray:
        n = n.astype(float)
        _, p_ab, sl, _, occ = _chat(
            n, rate[rows], prof[rows], pat[rows], threshold[rows],
            with_asa=False, with_occupancy=occupancy_binds,
        )
        ok = (n > 0) & (sl >= target[rows])
        if occupancy_binds:
            ok &= occ <= max_occ[rows]
        return ok & (p_ab <= max_ab[rows])

    # Every answered chat needs throughput: SL <= N max_j c_j / lambda, so below that N fails.
    best = np.max(np.arange(1, k + 1) / prof, axis=1)
    lower = np.maximum(np.ceil(target * rate / best) - 2.0, 0.0).astype(np.int64)
    slots = erlang_a.required_agents(
        rate * prof[:, -1], prof[:, -1], patience_s=pat, target_service_level=target,
        threshold_s=threshold, max_occupancy=max_occ,
        max_abandon_rate=None if max_abandon_rate is None else max_ab,
    )
    guess = np.maximum(np.ceil(np.asarray(slots, dtype=float) / k), lower + 1.0)
    agents = smallest_integer(met, lower, guess)
    agents[rate == 0] = 0
    agents = agents.reshape(shape)
    return int(agents) if agents.ndim == 0 else agents


def fractional_agents(
    arrival_rate_per_s,
    aht_s,
    *,
    concurrency=None,
    patience_s=np.inf,
    target_service_level,
    threshold_s,
    max_occupancy=1.0,
    max_abandon_rate=None,
):
    """Continuous staffing requirement x in (N - 1, N], N being :func:`required_agents`.

    The balanced chain is defined for whole agents only, so it is extended between them: with
    ``I(N)`` the idle sum of the module notes (``1/B - 1`` for Erlang A), ``I(x)`` moves from
    ``I(N - 1)`` to ``I(N)`` as Erlang A's continuous ``I`` does for ``x k`` slots of the top
    state's service rate (Jagerman's extension, :func:`planner.erlang_a.fractional_agents`), and
    the slots beyond it are ``x k``; occupancy moves between its whole-agent values in the same
    proportion. x is the least real number of agents meeting every target on this extension: exact
    at whole agents, increasing in x, and with one chat per agent and no slowdown (where the chain
    is Erlang A) it is Erlang A's, hence Erlang C's Jagerman value without abandonment. Daily FTE
    then sums these before rounding, as for the other channel kinds.

    Parameters
    ----------
    arrival_rate_per_s, aht_s, concurrency, patience_s, target_service_level, threshold_s, max_occupancy, max_abandon_rate
        As for :func:`required_agents` (chats per second [1/s]; durations [s]).

    Examples
    --------
    >>> x = fractional_agents(100 / 900, aht_profile(600.0, 3, 0.15), patience_s=120.0,
    ...                       target_service_level=0.8, threshold_s=40.0)
    >>> 26.0 < float(x) <= 27.0
    True
    """
    prof = _profile(aht_s, concurrency)
    rate = check_array("arrival_rate_per_s", arrival_rate_per_s, low=0.0)
    pat = check_array("patience_s", patience_s, low=0.0, low_inclusive=False, allow_inf=True)
    threshold = check_array("threshold_s", threshold_s, low=0.0)
    target, max_occ, max_ab = check_targets(target_service_level, max_occupancy, max_abandon_rate)
    k = prof.shape[-1]
    shape = np.broadcast_shapes(rate.shape, prof.shape[:-1], pat.shape, threshold.shape, target.shape,
                                max_occ.shape, np.shape(max_ab))
    rate, pat, threshold, target, max_occ, max_ab = (
        np.broadcast_to(v, shape).ravel().astype(float) for v in (rate, pat, threshold, target, max_occ, max_ab))
    prof = np.broadcast_to(prof, shape + (k,)).reshape(-1, k)
    whole = np.asarray(required_agents(rate, prof, patience_s=pat, target_service_level=target, threshold_s=threshold,
                                       max_occupancy=max_occ,
                                       max_abandon_rate=None if max_abandon_rate is None else max_ab), dtype=float)
    live = (whole > 0) & (rate > 0)
    x = np.zeros(whole.size)
    if live.any():
        x[live] = _between(whole[live], rate[live], prof[live], pat[live], threshold[live], target[live],
                           max_occ[live], max_ab[live] if max_abandon_rate is not None else None)
    x = x.reshape(shape)
    return x[()] if x.ndim == 0 else x


def _between(whole, rate, prof, pat, t, target, max_occ, max_ab):
    """The least x in [N - 1, N] meeting the targets on the extension of :func:`fractional_agents`."""
    from planner.staffing.erlang import _log_erlang_b

    k = prof.shape[1]
    top = prof[:, -1]
    load = rate * top  # Erlang A's load for the slots of the top state
    ends = []
    for n in (whole - 1.0, whole):
        log_idle = np.full(n.size, -np.inf)
        occ = np.zeros(n.size)
        some = n > 0
        if some.any():
            log_idle[some] = _idle_sums(n[some], rate[some], prof[some], with_mean=False)[0]
            occ[some] = _chat(n[some], rate[some], prof[some], pat[some], t[some], with_asa=False)[4]
        ends.append((log_idle, occ))
    (lc0, occ0), (lc1, occ1) = ends

    def log_idle_a(slots, rows):
        lb = _log_erlang_b(slots, load[rows])
        with np.errstate(divide="ignore"):
            return np.log1p(-np.exp(lb)) - lb  # log(1/B - 1); -inf at 0 slots

    la0, la1 = log_idle_a((whole - 1.0) * k, slice(None)), log_idle_a(whole * k, slice(None))

    def outputs(x, rows):
        lax = log_idle_a(x * k, rows)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            low = np.exp(la0[rows] - la1[rows])
            w = np.clip(np.where(la1[rows] > la0[rows], (np.exp(lax - la1[rows]) - low) / (1.0 - low), 1.0), 0.0, 1.0)
            c = np.exp(lc0[rows] - lc1[rows])
            log_idle = lc1[rows] + np.log(c + w * (1.0 - c))
            log_b = -np.logaddexp(0.0, log_idle)
        p_ab, sl = np.ones(x.size), np.zeros(x.size)  # no agents: nobody answered
        some = x > 0
        _, _, p_ab[some], sl[some], _ = _queue_outputs(
            log_b[some], x[some] * k, load[rows][some], top[rows][some], pat[rows][some], t[rows][some],
            log_idle=log_idle[some], with_asa=False)
        return p_ab, sl, occ0[rows] + w * (occ1[rows] - occ0[rows])

    gaps = [lambda x, rows: outputs(x, rows)[1] - target[rows],
            lambda x, rows: max_occ[rows] - outputs(x, rows)[2]]
    if max_ab is not None:
        gaps.append(lambda x, rows: max_ab[rows] - outputs(x, rows)[0])
    return least_meeting(gaps, np.maximum(whole - 1.0, 0.0), whole)
