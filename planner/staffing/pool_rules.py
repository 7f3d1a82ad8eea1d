"""Staffing rules on shared pools: priority segments and blended inbound/outbound agents.

:mod:`planner.staffing.rules` staffs one queue to the point forecast, to the expected service
level, or to a chance ``q`` of meeting the target, with the arrival rate gamma with the forecast's
``rate_shape`` (a multiple ``X`` of the forecast, mean 1). Its functions see a model through an
adaptor: ``load`` and ``target`` per interval, ``sl(n, x, rows)`` (the service level at ``n``
agents when the rate is ``x`` times the forecast) and ``kink(n, rows)`` (the multiple from which
that service level is 0). The adaptors here give the same view of the pools of
:mod:`planner.staffing.segments` and :mod:`planner.staffing.pools`, so
:func:`planner.staffing.rules.outcomes` and :func:`~planner.staffing.rules.day_probability` state
their plans against the forecast's uncertainty as for any other channel.

* **Segments**: the rate of every segment is ``x`` times its forecast (the shares hold), so one
  adaptor per segment (:class:`SegmentModel`) gives that segment's service level on the pool.
  Every segment's service level falls as ``x`` rises (more work ahead of it and beside it), so
  the ``chance`` rule is the point requirement at the ``q`` quantile of ``X``: every segment then
  meets its target with probability at least ``q``. The ``expected`` rule is the least pool whose
  expected service level (weighted by volume) meets each segment's target
  (:func:`expected_agents`).
* **Blends** (:class:`BlendModel`): the inbound service level at ``n`` agents and the plan's
  idle threshold ``tau`` falls as the inbound rate rises (``P(wait) = G / (G + I)`` with ``G``
  increasing and ``I`` decreasing in the load, :mod:`planner.staffing.blend`), so the ``chance``
  rule is the blend requirement at the ``q`` quantile of the inbound rate. The ``expected`` rule
  has no counterpart here: the pool and the threshold would have to be chosen together for an
  expected service level and an outbound volume that both vary with the rate; it is refused.

References: as :mod:`planner.staffing.rules` (Steckley, Henderson & Mehrotra 2009; Gans et al.
2015) for the rules; Cobham (1954) and Davis (1966) for priority waits; Bhulai & Koole (2003) for
the blend.

Examples
--------
Two segments on 20 Erlangs of 180 s calls, VIP a quarter at 95/10, standard 80/20, the rate known
to within 18 % (shape 30). The point plan's 26 agents give VIP its target in only 55 % of such
intervals; the chance rule at 90 % staffs the point requirement at the rate's 90 % quantile, the
expected rule the least pool whose expected service level meets both targets:

>>> import numpy as np
>>> from planner.staffing import priority, rules
>>> from planner.staffing.uncertainty import rate_quantile
>>> loads, shape = np.array([[5.0], [15.0]]), np.array([30.0])
>>> targets, thresholds = np.array([[0.95], [0.8]]), np.array([[10.0], [20.0]])
>>> point = priority.required_agents(loads, 180.0, target_service_level=targets, threshold_s=thresholds)
>>> chance = priority.required_agents(loads * rate_quantile(shape, 0.9), 180.0, target_service_level=targets,
...                                   threshold_s=thresholds)
>>> models = segment_models("voice", loads, np.array([180.0]), thresholds, targets)
>>> expected = expected_agents(models, shape, point, np.array([1.0]))[0]
>>> int(point[0]), int(chance[0]), int(expected[0])
(26, 31, 30)
>>> round(float(rules.outcomes(models[0], point, shape)[1][0]), 2)  # P(VIP meets 95/10) at 26 agents
0.55
"""

from __future__ import annotations

import numpy as np

from planner.staffing import blend, chat, priority
from planner.staffing._search import smallest_integer
from planner.staffing.uncertainty import expected_value

__all__ = ["SegmentModel", "BlendModel", "segment_models", "expected_agents"]


class SegmentModel:
    """One segment of a priority pool, as :mod:`planner.staffing.rules` sees a model.

    Parameters
    ----------
    kind : {"voice", "chat"}
        Voice: Erlang C priority waits; chat: the balanced chat chain's P(wait) and the priority
        waits on ``N k`` slots of the full-load chat duration (:mod:`planner.staffing.segments`).
    loads : numpy.ndarray
        ``(K, rows)`` per segment, highest priority first: the load [Erlang] (voice) or the
        arrival rate [1/s] (chat) at the forecast.
    aht : numpy.ndarray
        ``(rows,)`` handle time [s] (voice) or ``(rows, k)`` chat durations by concurrency [s].
    thresholds, targets : numpy.ndarray
        ``(K, rows)`` service-level thresholds [s] and targets [-].
    j : int
        The segment (0 = highest priority).
    """

    def __init__(self, kind, loads, aht, thresholds, targets, j):
        self.kind, self.loads, self.aht, self.thresholds, self.j = kind, loads, aht, thresholds, j
        self.load = loads[j]
        self.target = targets[j]
        self.total = loads.sum(axis=0)

    def sl(self, n, x, rows):
        """Service level of the segment at ``n`` agents, every segment's rate ``x`` times its forecast."""
        n = np.asarray(n, dtype=float)
        loads = np.asarray(x, dtype=float) * self.loads[:, rows]
        if self.kind == "voice":
            return priority._metrics(n, loads, self.aht[rows], self.thresholds[:, rows])[0][self.j]
        profile = self.aht[rows]
        full = profile[:, -1]
        p_wait = chat._chat(n, loads.sum(axis=0), profile, np.full(n.size, np.inf), self.thresholds[-1, rows],
                            with_asa=False, with_occupancy=False)[0]
        return priority._waits(p_wait, n * profile.shape[1], loads * full, full, self.thresholds[:, rows])[0][self.j]

    def kink(self, n, rows):
        """Multiple of the forecast rate from which the pool is unstable (every service level 0)."""
        n = np.asarray(n, dtype=float)
        with np.errstate(divide="ignore"):
            if self.kind == "voice":
                return n / self.total[rows]
            return n * self.aht.shape[1] / (self.aht[rows, -1] * self.total[rows])


def segment_models(kind: str, loads, aht, thresholds, targets) -> list[SegmentModel]:
    """One :class:`SegmentModel` per segment of a pool (arguments as :class:`SegmentModel`)."""
    return [SegmentModel(kind, loads, aht, thresholds, targets, j) for j in range(loads.shape[0])]


def _expected(model: SegmentModel, n, rows, shape):
    n = np.asarray(n, dtype=float)
    return expected_value(lambda x, r: model.sl(n[r], x, rows[r]), shape[rows], kink=model.kink(n, rows))


def expected_agents(models: list[SegmentModel], shape, point, max_occupancy, point_fractional=None):
    """Least agents whose expected service level meets every segment's target (and the occupancy cap).

    Parameters
    ----------
    models : list of SegmentModel
        The pool's segments (:func:`segment_models`).
    shape : numpy.ndarray
        Gamma shape of each interval's rate [-]; ``inf``: the point requirement, unchanged.
    point : numpy.ndarray
        The point requirement per interval (the search starts there; kept where the rate is known).
    max_occupancy : numpy.ndarray
        Occupancy cap at the forecast [-] (voice: load over agents; chat: the chain's).
    point_fractional : numpy.ndarray, optional
        The point plan's fractional requirement, kept where the rate is known (default: ``point``).

    Returns
    -------
    (agents, agents_fractional) : numpy.ndarray (int64), numpy.ndarray
        Fractional: for voice, the segment that binds, its expected service level interpolated
        linearly between ``agents - 1`` and ``agents`` (as :func:`planner.staffing.rules.required`
        does for Erlang C); for chat, whole agents.
    """
    first = models[0]
    size = first.total.size
    agents = np.asarray(point, dtype=np.int64).copy()
    fractional = agents.astype(float) if point_fractional is None else np.asarray(point_fractional, float).copy()
    rows = np.flatnonzero((first.total > 0) & np.isfinite(shape))  # known rates: the point answer
    if not rows.size:
        return agents, fractional
    occ_cap = np.broadcast_to(np.asarray(max_occupancy, dtype=float), (size,))

    def caps(n, idx):
        n = np.asarray(n, dtype=float)
        if first.kind == "voice":
            return first.total[idx] <= occ_cap[idx] * n
        occupancy = chat._chat(n, first.total[idx], first.aht[idx], np.full(n.size, np.inf),
                               first.thresholds[-1, idx], with_asa=False)[4]
        return occupancy <= occ_cap[idx]

    def met(n, r):
        idx = rows[r]
        ok = caps(n, idx)
        for model in models:
            ok &= _expected(model, n, idx, shape) >= model.target[idx]
        return ok

    agents[rows] = smallest_integer(met, np.zeros(rows.size, dtype=np.int64), np.maximum(agents[rows], 1))
    fractional[rows] = agents[rows]
    live = rows[agents[rows] > 1] if first.kind == "voice" else rows[:0]
    if live.size:
        step = np.zeros(live.size)
        for model in models:  # the segment that needs the most of the last agent binds
            high = _expected(model, agents[live], live, shape)
            low = _expected(model, agents[live] - 1, live, shape)
            with np.errstate(divide="ignore", invalid="ignore"):
                part = np.clip((model.target[live] - low) / (high - low), 0.0, 1.0)
            step = np.maximum(step, np.where(np.isfinite(part), part, 1.0))
        fractional[live] = agents[live] - 1.0 + step
    return agents, fractional


class BlendModel:
    """The inbound side of a blend at the plan's idle thresholds, as :mod:`planner.staffing.rules` sees a model.

    Parameters
    ----------
    load : numpy.ndarray
        Inbound load at the forecast [Erlang] per interval.
    aht, threshold, target : numpy.ndarray
        Handle time [s], service-level threshold [s] and target [-] per interval.
    idle_threshold : numpy.ndarray
        The plan's ``tau`` per interval (``tau = agents``: no outbound call, Erlang C or A).
    patience : numpy.ndarray
        Mean patience [s] per interval (``inf``: none).
    """

    def __init__(self, load, aht, threshold, target, idle_threshold, patience):
        self.load, self.aht, self.threshold, self.target = load, aht, threshold, target
        self.tau, self.patience = np.asarray(idle_threshold, dtype=float), patience

    def sl(self, n, x, rows):
        """Inbound service level at ``n`` agents (the plan's tau) and ``x`` times the forecast rate."""
        n = np.broadcast_to(np.asarray(n, dtype=float), np.shape(rows))
        load = np.asarray(x, dtype=float) * self.load[rows]
        out = np.where(load > 0, 0.0, 1.0)
        live = np.flatnonzero((n > 0) & (load > 0))
        if live.size:  # the blend's closed forms (planner.staffing.blend), without the ASA integral
            r = rows[live]
            out[live] = blend._blend(n[live], load[live], self.aht[r], self.patience[r], self.threshold[r],
                                     np.minimum(self.tau[r], n[live]), with_asa=False)[2]
        return out

    def kink(self, n, rows):
        """Multiple of the forecast rate from which nobody is answered in time (inf with patience)."""
        n = np.asarray(n, dtype=float)
        with np.errstate(divide="ignore"):
            return np.where(np.isfinite(self.patience[rows]), np.inf, n / self.load[rows])
