"""Staffing rules for live channels: to the point forecast, to the expected service level, or to a chance.

Every live model (Erlang C, Erlang A, chat) is seen through one small adaptor: its service level at
``n`` agents when the arrival rate is ``x`` times the forecast (``sl``), the multiple of the rate
from which that service level is 0 (``kink``: a queue's stability limit), the other targets at
the forecast (occupancy and abandonment caps, ``caps``), and its point requirement at ``x`` times
the forecast (``required``). The rate is gamma with the forecast's ``rate_shape`` (:mod:`planner.staffing.uncertainty`). Per interval, vectorised:

* ``point``: the least ``n`` meeting the targets at the forecast rate (the models' own search).
* ``expected``: the least ``n`` whose service level expected over the rate, weighted by volume,
  meets the target (and the caps at the forecast): Steckley, Henderson & Mehrotra (2009); Gans et
  al. (2015). Monotone in ``n``, found by :func:`planner.staffing._expected.least_expected` (few
  quadratures per interval: identical intervals once, a start near the answer, values reused).
* ``chance``: the point requirement at the ``q`` quantile of the rate (the service level falls as
  the rate rises, so it meets the target with probability at least ``q``).

:func:`outcomes` gives, at any staff, the expected service level and ``P(SL >= target)`` (the rate
below which the target holds, found by a vectorised root search, through the gamma CDF).
:func:`day_probability` (:mod:`planner.staffing.day_chance`) states the day: intervals of a day share the day's level factor (the
forecast's lognormal daily error, AR(1) across days), so ``P(the day's SL >= target)`` is counted
by drawing the day factor (stratified) and every interval's own gamma factor together.

Examples
--------
10 Erlangs of 180 s calls, an 18 % rate spread (shape 30), 80/20: the point rule's 14 agents answer
77.8 % in time on average and meet the target in 70 % of intervals; expected adds one, chance 90 % two.

>>> import numpy as np
>>> model = erlang_c_model(np.array([10.0]), np.array([180.0]), threshold_s=20.0, target=0.8)
>>> shape = np.array([30.0])
>>> [int(required(model, shape, *rule)[0][0]) for rule in (("point",), ("expected",), ("chance", 0.9))]
[14, 15, 16]
>>> [round(float(v[0]), 3) for v in outcomes(model, np.array([14]), shape)]
[0.778, 0.7]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special

from planner.errors import InputError
from planner.staffing import chat, erlang, erlang_a
from planner.staffing._expected import (expected_erlang_c_sl, least_expected, stable_erlang_c_sl, start_guess,
                                        unique_rows)
from planner.staffing._search import solve_increasing
from planner.staffing.day_chance import day_probability
from planner.staffing.uncertainty import expected_value, rate_domain, rate_probability, rate_quantile

if TYPE_CHECKING:  # plan.py imports this module
    from planner.staffing.plan import Deferred

#: Where the expected Erlang C service level takes the coarse quadrature (:func:`coarse_rows`).
COARSE_MIN_SHAPE, COARSE_RATIO, COARSE_THRESHOLD = 20.0, 3.0, 0.1

__all__ = ["erlang_c_model", "erlang_a_model", "chat_model", "required", "outcomes", "day_probability"]


@dataclass(frozen=True, eq=False)
class _Model:
    """Flat per-interval arrays of one live channel and its targets (see the module notes)."""

    kind: str
    load: np.ndarray  # Erlang C/A: load [Erlang]; chat: arrival rate [1/s]
    target: np.ndarray
    threshold: np.ndarray
    max_occ: np.ndarray
    aht: np.ndarray = None
    patience: np.ndarray = None
    max_ab: np.ndarray = None
    profile: np.ndarray = None
    extra: dict = field(default_factory=dict)

    def take(self, rows) -> _Model:
        """The model of the intervals ``rows`` only."""
        arrays = {name: value[rows] for name, value in vars(self).items() if isinstance(value, np.ndarray)}
        return replace(self, **arrays)

    def keys(self, rows) -> list[np.ndarray]:
        """Every per-interval input of the intervals ``rows`` (equal keys: the same answers)."""
        return [value[rows] for value in vars(self).values() if isinstance(value, np.ndarray)]

    def sl(self, n, x, rows, stable: bool = False):
        """Service level at ``n`` agents and ``x`` times the forecast rate, for ``rows`` (``stable``: below the kink)."""
        n = np.asarray(n, dtype=float)
        if self.kind == "erlang_c" and stable:
            return stable_erlang_c_sl(n, x * self.load[rows], self.aht[rows], self.threshold[rows])
        if self.kind == "erlang_c":
            return erlang._service_level(n, x * self.load[rows], self.aht[rows], self.threshold[rows])
        if self.kind == "erlang_a":
            return erlang_a._erlang_a(n, x * self.load[rows], self.aht[rows], self.patience[rows],
                                      self.threshold[rows], with_asa=False).service_level
        return chat._chat(n, x * self.load[rows], self.profile[rows], self.patience[rows], self.threshold[rows],
                          with_asa=False, with_occupancy=False)[2]

    def kink(self, n, rows):
        """Multiple of the forecast rate from which the service level is 0 (inf with abandonment)."""
        n = np.asarray(n, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "erlang_c":
                return n / self.load[rows]
            if self.kind == "chat":
                limit = n * self.profile.shape[1] / (self.profile[rows, -1] * self.load[rows])
                return np.where(np.isinf(self.patience[rows]), limit, np.inf)
        return np.full(np.shape(rows), np.inf)

    def caps(self, n, rows):
        """Occupancy and abandonment caps met at the forecast rate."""
        n = np.asarray(n, dtype=float)
        if self.kind == "erlang_c":
            return self.load[rows] <= self.max_occ[rows] * n
        if self.kind == "erlang_a":
            r = erlang_a._erlang_a(n, self.load[rows], self.aht[rows], self.patience[rows], self.threshold[rows],
                                   with_asa=False)
            occupancy, abandon = r.occupancy, r.p_abandon
        else:
            _, abandon, _, _, occupancy = chat._chat(n, self.load[rows], self.profile[rows], self.patience[rows],
                                                     self.threshold[rows], with_asa=False)
        return (occupancy <= self.max_occ[rows]) & (abandon <= self.max_ab[rows])

    def required(self, x):
        """Point requirement (int64) at ``x`` times the forecast rate, every row."""
        targets = dict(target_service_level=self.target, threshold_s=self.threshold, max_occupancy=self.max_occ)
        if self.kind == "erlang_c":
            return np.asarray(erlang.required_agents(x * self.load, self.aht, **targets), dtype=np.int64)
        max_ab = None if not np.isfinite(self.max_ab).any() else self.max_ab
        if self.kind == "erlang_a":
            return np.asarray(erlang_a.required_agents(x * self.load, self.aht, patience_s=self.patience,
                                                       max_abandon_rate=max_ab, **targets), dtype=np.int64)
        return np.asarray(chat.required_agents(x * self.load, self.profile, patience_s=self.patience,
                                               max_abandon_rate=max_ab, **targets), dtype=np.int64)

    def performance(self, n) -> dict[str, np.ndarray]:
        """``service_level``, ``asa_s`` [s], ``occupancy`` and ``abandon_rate`` at the forecast rate."""
        n = np.asarray(n, dtype=float)
        if self.kind == "erlang_c":
            m = erlang.metrics(n, self.load, self.aht, self.threshold)
            return dict(service_level=m["service_level"], asa_s=m["asa_s"], occupancy=m["occupancy"],
                        abandon_rate=np.zeros(n.size))
        if self.kind == "erlang_a":
            r = erlang_a.erlang_a(n, self.load, self.aht, self.patience, self.threshold)
        else:
            r = chat.erlang_chat(n, self.load, self.profile, self.patience, self.threshold)
        return dict(service_level=r.service_level, asa_s=r.asa_s, occupancy=r.occupancy, abandon_rate=r.p_abandon)

    def fractional(self, x):
        """Fractional point requirement at ``x`` times the forecast (Jagerman for Erlang C; whole otherwise)."""
        if self.kind == "erlang_c":
            return np.asarray(erlang.fractional_agents(x * self.load, self.aht, target_service_level=self.target,
                                                       threshold_s=self.threshold, max_occupancy=self.max_occ), float)
        return self.required(x).astype(float)


def _flat(size, value):
    return np.broadcast_to(np.asarray(value, dtype=float), (size,)).astype(float)


def erlang_c_model(load_erlangs, aht_s, *, threshold_s, target, max_occupancy=1.0) -> _Model:
    """Erlang C adaptor of one channel's intervals, for :func:`required` and :func:`outcomes`.

    Parameters
    ----------
    load_erlangs : array_like
        Offered load at the forecast rate per interval [Erlang].
    aht_s : float or array_like
        Average handle time [s].
    threshold_s : float or array_like
        Service-level threshold [s].
    target : float or array_like
        Target service level [-], in (0, 1).
    max_occupancy : float or array_like
        Occupancy cap [-], in (0, 1], at the forecast rate.

    Examples
    --------
    >>> model = erlang_c_model([10.0], 180.0, threshold_s=20.0, target=0.8)
    >>> round(float(model.sl(np.array([14.0]), np.array([1.0]), np.array([0]))[0]), 5)  # Erlang C at 14 agents
    0.88835
    """
    load = np.asarray(load_erlangs, dtype=float).ravel()
    return _Model("erlang_c", load, _flat(load.size, target), _flat(load.size, threshold_s),
                  _flat(load.size, max_occupancy), aht=_flat(load.size, aht_s))


def erlang_a_model(load_erlangs, aht_s, *, patience_s, threshold_s, target, max_occupancy=1.0,
                   max_abandon_rate=None) -> _Model:
    """Erlang A adaptor of one channel's intervals (abandonment: no stability limit).

    Parameters
    ----------
    load_erlangs : array_like
        Offered load at the forecast rate per interval [Erlang].
    aht_s : float or array_like
        Average handle time [s].
    patience_s : float or array_like
        Mean (exponential) patience [s].
    threshold_s : float or array_like
        Service-level threshold [s].
    target : float or array_like
        Target service level [-], in (0, 1).
    max_occupancy : float or array_like
        Occupancy cap [-], in (0, 1], at the forecast rate.
    max_abandon_rate : float, optional
        Abandonment cap [-], in (0, 1], at the forecast rate.

    Examples
    --------
    >>> model = erlang_a_model([10.0], 180.0, patience_s=120.0, threshold_s=20.0, target=0.8)
    >>> int(required(model, [np.inf])[0][0]), float(model.kink(np.array([12.0]), np.array([0]))[0])
    (12, inf)
    """
    load = np.asarray(load_erlangs, dtype=float).ravel()
    return _Model("erlang_a", load, _flat(load.size, target), _flat(load.size, threshold_s),
                  _flat(load.size, max_occupancy), aht=_flat(load.size, aht_s), patience=_flat(load.size, patience_s),
                  max_ab=_flat(load.size, np.inf if max_abandon_rate is None else max_abandon_rate))


def chat_model(arrival_rate_per_s, aht_profile_s, *, patience_s, threshold_s, target, max_occupancy=1.0,
               max_abandon_rate=None) -> _Model:
    """Chat adaptor of one channel's intervals (the balanced chain of :mod:`planner.staffing.chat`).

    Parameters
    ----------
    arrival_rate_per_s : array_like
        Chats offered per second at the forecast rate [1/s].
    aht_profile_s : array_like
        ``(n, k)`` mean chat durations while the agent holds 1..k chats [s] (:func:`planner.chat.aht_profile`).
    patience_s : float or array_like
        Mean (exponential) patience [s]; ``inf``: none (a stability limit).
    threshold_s : float or array_like
        Service-level threshold [s].
    target : float or array_like
        Target service level [-], in (0, 1).
    max_occupancy : float or array_like
        Occupancy cap [-], in (0, 1], at the forecast rate.
    max_abandon_rate : float, optional
        Abandonment cap [-], in (0, 1], at the forecast rate.

    Examples
    --------
    >>> model = chat_model([100 / 900], chat.aht_profile([600.0], 3, 0.15), patience_s=120.0, threshold_s=40.0,
    ...                    target=0.8)
    >>> int(required(model, [np.inf])[0][0])  # the chat module's own answer
    27
    """
    rate = np.asarray(arrival_rate_per_s, dtype=float).ravel()
    profile = np.asarray(aht_profile_s, dtype=float).reshape(rate.size, -1)
    return _Model("chat", rate, _flat(rate.size, target), _flat(rate.size, threshold_s),
                  _flat(rate.size, max_occupancy), patience=_flat(rate.size, patience_s), profile=profile,
                  max_ab=_flat(rate.size, np.inf if max_abandon_rate is None else max_abandon_rate))


def coarse_rows(model, shape) -> np.ndarray | None:
    """Erlang C rows whose service level varies slowly over the rate: the coarse quadrature suffices.

    The rate's shape is at least :data:`COARSE_MIN_SHAPE`, the load at most :data:`COARSE_RATIO`
    times the shape and the threshold at most :data:`COARSE_THRESHOLD` of the AHT (80/20 with
    AHT above 200 s, loads to 1,000 Erlangs at a 5.5 % spread): there the 16-node rule is within
    1e-6 of a 128-node reference (30,000 random intervals; loads 0.2 to 3,000 Erlangs, AHT 30 to
    900 s), where outside it the error reaches 6e-4.
    """
    if not isinstance(model, _Model) or model.kind != "erlang_c":
        return None
    shape = np.asarray(shape, dtype=float)
    return ((shape >= COARSE_MIN_SHAPE) & (model.load <= COARSE_RATIO * shape)
            & (model.threshold <= COARSE_THRESHOLD * model.aht))


def _expected_sl(model: _Model, n, rows, shape, domain=None) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    coarse = coarse_rows(model, shape)
    if coarse is not None:  # Erlang C: the fused quadrature of the stable queue
        k, c = shape[rows], coarse[rows]
        return expected_erlang_c_sl(n, model.load[rows], model.aht[rows], model.threshold[rows], k,
                                    rate_domain(k, c) if domain is None else tuple(d[rows] for d in domain), c)
    fast = {"stable": True} if isinstance(model, _Model) else {}  # pools' models (pool_rules) have no fast path
    return expected_value(lambda x, r: model.sl(n[r], x, rows[r], **fast), shape[rows], kink=model.kink(n, rows),
                          domain=None if domain is None else tuple(d[rows] for d in domain),
                          coarse=None if coarse is None else coarse[rows])


def required(model: _Model, shape, rule: str = "point", confidence: float | None = None):
    """Whole agents per interval under ``rule``, and the fractional requirement for roll-ups.

    Parameters
    ----------
    model : adaptor
        From :func:`erlang_c_model`, :func:`erlang_a_model` or :func:`chat_model`.
    shape : array_like
        Gamma shape of each interval's arrival rate [-] (``inf``: known rate; ignored by ``point``).
    rule : {"point", "expected", "chance"}
        The staffing rule (see the module notes).
    confidence : float, optional
        ``q`` of the chance rule, in (0, 1).

    Returns
    -------
    (agents, agents_fractional) : numpy.ndarray (int64), numpy.ndarray
        Fractional: Jagerman's continuous Erlang C at the rule's rate for ``point`` and ``chance``;
        for ``expected`` the expected service level interpolated linearly between ``agents - 1``
        and ``agents``; Erlang A and chat report whole agents.

    Examples
    --------
    >>> model = erlang_c_model([10.0, 50.0], 240.0, threshold_s=20.0, target=0.8)
    >>> [required(model, [40.0, 40.0], *rule)[0].tolist() for rule in (("point",), ("expected",), ("chance", 0.9))]
    [[14, 56], [15, 63], [16, 67]]
    """
    size = model.load.size
    shape = np.broadcast_to(np.asarray(shape, dtype=float), (size,))
    if rule == "point":
        return model.required(np.ones(size)), model.fractional(np.ones(size))
    if rule == "chance":
        x = rate_quantile(shape, confidence)
        return model.required(x), model.fractional(x)
    uncertain = (model.load > 0) & np.isfinite(shape)  # known rates: the point answer, exactly
    rows, other = np.flatnonzero(uncertain), np.flatnonzero(~uncertain)
    agents, fractional = np.zeros(size, dtype=np.int64), np.zeros(size)
    if other.size:
        sub = model.take(other)
        agents[other], fractional[other] = sub.required(np.ones(other.size)), sub.fractional(np.ones(other.size))
    if rows.size:
        first, back = unique_rows(*model.keys(rows), shape[rows])  # identical intervals are solved once
        sub, k = model.take(rows[first]), shape[rows[first]]
        domain = rate_domain(k, coarse_rows(sub, k))
        guess = start_guess(sub, k)

        def expected(n, r):
            return _expected_sl(sub, n, r, k, domain)

        n, high, low = least_expected(expected, sub.caps, sub.target, guess)
        agents[rows], fractional[rows] = n[back], n[back].astype(float)
        if model.kind == "erlang_c":  # the expected service level interpolated between n - 1 and n
            with np.errstate(divide="ignore", invalid="ignore"):
                step = np.clip((sub.target - low) / (high - low), 0.0, 1.0)
            part = np.where((n > 1) & np.isfinite(step), n - 1.0 + step, n)
            fractional[rows] = part[back]
    return agents, fractional


def outcomes(model: _Model, agents, shape, *, with_probability: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Expected service level (volume-weighted) and ``P(SL >= target)`` over the rate, at ``agents``.

    Both are NaN where the shape is NaN (a forecast without the rate's distribution).

    >>> model = erlang_c_model([50.0], 240.0, threshold_s=20.0, target=0.8)
    >>> [round(float(v[0]), 3) for v in outcomes(model, [56], [40.0])]
    [0.577, 0.531]
    """
    size = model.load.size
    shape = np.broadcast_to(np.asarray(shape, dtype=float), (size,))
    n = np.asarray(agents, dtype=float)
    expected = np.full(size, np.nan)
    chance = np.full(size, np.nan)
    known = ~np.isnan(shape)
    idle = known & (model.load == 0)
    expected[idle], chance[idle] = 1.0, 1.0
    rows = np.flatnonzero(known & (model.load > 0))
    if not rows.size:
        return expected, chance
    expected[rows] = _expected_sl(model, n[rows], rows, shape)
    known = rows[np.isinf(shape[rows])]  # a known rate: the model's own formula, to the last digit
    expected[known] = model.sl(n[known], np.ones(known.size), known)
    if not with_probability:  # the root search below costs more than the expectation
        return expected, chance
    target = model.target[rows]
    hi = model.kink(n[rows], rows)
    unbounded = ~np.isfinite(hi)
    hi = np.where(unbounded, 2.0, hi)
    grow = unbounded & (model.sl(n[rows], hi, rows) >= target)
    for _ in range(60):  # double the bracket where the service level still meets the target
        if not grow.any():
            break
        hi = np.where(grow, 2.0 * hi, hi)
        grow &= model.sl(n[rows], hi, rows) >= target

    def gap(x, r):
        return target[r] - model.sl(n[rows][r], x, rows[r])

    x_max = solve_increasing(gap, np.zeros(rows.size), hi, ftol=1e-7)
    chance[rows] = np.where(n[rows] > 0, rate_probability(shape[rows], x_max), 0.0)
    return expected, chance




# --- plans: a channel's rows and spec -------------------------------------------------------


#: Plan columns that state the plan against the forecast's uncertainty (NaN without ``rate_shape``).
UNCERTAINTY_COLUMNS = ("expected_service_level", "p_service_level_met", "p_day_service_level_met")
#: Joint draws per day for ``p_day_service_level_met`` (0: not computed).
DAY_DRAWS = 256


def forecast_shapes(rows: pd.DataFrame, spec, name: str) -> np.ndarray:
    """The forecast's ``rate_shape`` for a channel; an error when its rule needs it and it is missing."""
    if "rate_shape" not in rows.columns:
        if spec.staffing_rule != "point":
            raise InputError(f"forecast: channel {name}: staffing_rule {spec.staffing_rule!r} needs the column "
                             "rate_shape (the gamma shape of each interval's arrival rate, as planner forecast "
                             "writes it); add it to the forecast or use staffing_rule = \"point\"")
        return np.full(len(rows), np.nan)
    shape = pd.to_numeric(rows["rate_shape"], errors="coerce").to_numpy(float)
    if spec.staffing_rule != "point":
        bad = ~(shape > 0)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise InputError(f"forecast: channel {name}: rate_shape at {rows['interval_start'].iloc[first].isoformat()}: "
                             f"expected the gamma shape of the arrival rate (a number > 0, or inf for a known "
                             f"rate), got {rows['rate_shape'].iloc[first]!r}; forecast with a model that gives it "
                             f"(model = \"default\") or use staffing_rule = \"point\"")
    return shape


def live_model(spec, load, aht):
    """The adaptor of a live channel spec (Voice, Chat) at ``load`` [Erlang] and ``aht`` [s] per interval."""
    targets = dict(target=spec.target_service_level, threshold_s=spec.threshold_s, max_occupancy=spec.max_occupancy)
    patience = math.inf if spec.patience_s is None else spec.patience_s
    if spec.kind == "chat":
        alone = aht / (1.0 + spec.aht_growth * (spec.aht_concurrency - 1.0))
        return chat_model(load / aht, chat.aht_profile(alone, spec.concurrency, spec.aht_growth),
                          patience_s=patience, max_abandon_rate=spec.max_abandon_rate, **targets)
    if spec.patience_s is None:
        return erlang_c_model(load, aht, **targets)
    return erlang_a_model(load, aht, patience_s=patience, max_abandon_rate=spec.max_abandon_rate, **targets)


def staff_live(rows, spec, load, aht, agents, fractional, perf, day_draws: int = DAY_DRAWS):
    """Staff a live channel's rows by its spec's rule, and state the plan against the rate's uncertainty.

    ``load`` [Erlang] and ``aht`` [s] per interval (after MOL), with the point plan's ``agents``,
    ``fractional`` and ``perf``; returns them under the rule, and the columns of
    :data:`UNCERTAINTY_COLUMNS`. Called by :func:`planner.staffing.plan.staff`.
    """
    model = live_model(spec, load, aht)
    shape = forecast_shapes(rows, spec, str(rows["channel"].iloc[0]) if len(rows) else "")
    if spec.staffing_rule != "point":
        agents, fractional = required(model, shape, spec.staffing_rule, spec.confidence)
        perf = model.performance(agents)
    expected, chance = outcomes(model, agents, shape)
    per_day = np.full(load.size, np.nan)
    if day_draws and "day_log_var" in rows.columns and (~np.isnan(shape)).any():
        day = pd.factorize(rows["interval_start"].dt.tz_localize(None).dt.normalize())[0]
        p = day_probability(model, agents, shape, pd.to_numeric(rows["day_log_var"], errors="coerce"),
                                  day, draws=day_draws, seed=0)
        per_day = p[day]
    return agents, fractional, perf, dict(expected_service_level=expected, p_service_level_met=chance,
                                          p_day_service_level_met=per_day)


def day_volume_factor(rows: pd.DataFrame, spec: Deferred) -> np.ndarray:
    """Per interval, the ``confidence`` quantile of its day's volume factor (1 under ``"point"``).

    The day's volume is the forecast times the day factor, lognormal with mean 1 and log variance
    ``day_log_var`` (the intervals' own factors average out over a day).
    """
    if spec.staffing_rule == "point":
        return np.ones(len(rows))
    s2 = pd.to_numeric(rows["day_log_var"], errors="coerce").to_numpy(float) if "day_log_var" in rows.columns \
        else np.full(len(rows), np.nan)
    bad = ~(s2 >= 0)
    if bad.any():
        at = rows["interval_start"].iloc[int(np.flatnonzero(bad)[0])].isoformat()
        raise InputError(f"forecast: channel {rows['channel'].iloc[0]}: day_log_var at {at}: the chance rule of a "
                         "deferred channel needs the variance of the log of the day's level (as planner forecast "
                         "writes it); forecast with model = \"default\" or use staffing_rule = \"point\"")
    return np.exp(np.sqrt(s2) * special.ndtri(spec.confidence) - 0.5 * s2)
