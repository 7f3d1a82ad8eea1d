"""From per-replication tallies to metrics with Student-t confidence intervals over replications.

A metric is computed in each replication (a ratio of that replication's sums, per interval or
pooled over the whole plan), then its mean and confidence interval are taken over the
replications, which are independent. Intervals are clipped to the metric's range ([0, 1] for
shares, >= 0 otherwise), which keeps their coverage.
"""

from __future__ import annotations

import numpy as np

__all__ = ["METRICS", "metrics", "mean_ci"]

#: Metrics reported, with the kinds they apply to and whether they are shares.
METRICS = {
    "offered": (("voice", "chat", "deferred", "outbound"), False),
    "handled": (("voice", "chat", "deferred", "outbound"), False),
    "service_level": (("voice", "chat"), True),
    "abandon_rate": (("voice", "chat", "outbound"), True),
    "asa_s": (("voice", "chat"), False),
    "occupancy": (("voice", "chat", "deferred", "outbound"), True),
    "concurrency": (("chat",), False),
    "within_deadline": (("deferred",), True),
    "not_yet_due": (("deferred",), False),
    "backlog": (("deferred", "outbound"), False),
    "outbound_agents": (("outbound",), False),
}


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast(top, bottom).shape, np.nan)
    np.divide(top, bottom, out=out, where=bottom > 0)
    return out


def metrics(t: dict[str, np.ndarray], kind: str, *, pooled: bool) -> dict[str, np.ndarray]:
    """Metrics from tallies shaped (replications, intervals); ``pooled`` sums over the intervals first."""
    if pooled:
        last = t["backlog"][..., -1:]
        t = {name: values.sum(axis=-1, keepdims=True) for name, values in t.items()}
        t["backlog"] = last
    out = {
        "offered": t["offered"],
        "handled": t["handled"],
        "service_level": _ratio(t["in_threshold"], t["offered"]),
        "abandon_rate": _ratio(t["abandoned"], t["offered"]),
        "asa_s": _ratio(t["wait_s"], t["answered"]),
        "occupancy": _ratio(t["busy_s"], t["available_s"]),
        "concurrency": _ratio(t["busy_s"], t["agent_busy_s"]),
        "within_deadline": _ratio(t["within_deadline"] + (t["opening_within"] if pooled else 0.0),
                                  t["offered"] - t["not_yet_due"] + (t["opening"] if pooled else 0.0)),
        "not_yet_due": t["not_yet_due"],
        "backlog": t["backlog"],
        "outbound_agents": _ratio(t["outbound_busy_s"], t["span_s"]),  # mean agents on blended outbound calls
    }
    for name, (kinds, _) in METRICS.items():
        if kind not in kinds:
            out[name] = np.full_like(out["offered"], np.nan)
    return out


def mean_ci(values: np.ndarray, level: float, *, share: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t confidence interval over axis 0, ignoring NaN (undefined replications).

    >>> mean, lo, hi = mean_ci(np.array([[0.8], [0.9], [0.85]]), 0.99, share=True)
    >>> bool(lo[0] < mean[0] < hi[0] <= 1.0)
    True
    """
    ok = ~np.isnan(values)
    n = ok.sum(axis=0)
    filled = np.where(ok, values, 0.0)
    mean = _ratio(filled.sum(axis=0), n.astype(float))
    centred = np.where(ok, values - np.where(np.isnan(mean), 0.0, mean), 0.0)
    var = _ratio((centred ** 2).sum(axis=0), (n - 1).astype(float))
    from scipy import stats  # here, not at import: scipy.stats costs ~0.5 s to import

    t = np.where(n > 1, stats.t.ppf(0.5 + level / 2.0, np.maximum(n - 1, 1)), np.nan)
    half = t * np.sqrt(var / np.maximum(n, 1))
    lo, hi = np.maximum(mean - half, 0.0), mean + half
    if share:
        hi = np.minimum(hi, 1.0)
    return mean, lo, hi
