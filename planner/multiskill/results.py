"""Per-channel figures of a group plan's simulated components (docs/design.md section 4a).

A load bucket the search kept at the static allocation runs as the static split: each channel on
its own agents of the split, so its figures are the channel's own model's per interval (exact); any
other bucket reports its simulation (mean, 95% interval, one-sided 95% lower bound).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from planner.errors import PlannerWarning

__all__ = ["per_interval", "simulated_figures", "warn_below_target"]

_BUCKET_COLUMNS = ["bucket", "intervals", "routing", "service_level", "service_level_lo", "target", "channel"]


def per_interval(own: pd.DataFrame, index) -> pd.DataFrame:
    """A channel's own-model ``service_level, asa_s, abandon_rate`` per interval (segments weighted by
    volume) and ``offered``, on ``index``."""
    weight = own["offered"].to_numpy(float)
    out = {"offered": pd.Series(weight).groupby(own["interval_start"].to_numpy()).sum()}
    for key in ("service_level", "asa_s", "abandon_rate"):
        value = own[key].to_numpy(float)
        ok = np.isfinite(value) & (weight > 0)
        w = pd.Series(np.where(ok, weight, 0.0)).groupby(own["interval_start"].to_numpy()).sum()
        v = pd.Series(np.where(ok, value * weight, 0.0)).groupby(own["interval_start"].to_numpy()).sum()
        out[key] = v / w.where(w > 0)
    return pd.DataFrame(out).reindex(index)


def simulated_figures(results, bucket, offered, k, split_at, silo, target) -> tuple[dict, pd.DataFrame]:
    """A channel's volume-weighted service level, ASA and abandonment over its buckets, with a 95%
    interval from the buckets' own intervals (weighted, independent buckets), and one row per bucket
    (its one-sided 95% lower bound against ``target``).

    A bucket the search left at the static allocation (``split_at``) runs as the static split: each
    channel on its own agents of the split (``on_<channel>``, at least its own requirement by the
    static MILP's coverage rows), so each interval gets its own model's figures (``silo``), exact."""
    weights, means, halves, asa, abandon, table = [], [], [], [], [], []
    for b, found in results.items():
        if found is None:
            continue
        at = bucket == b
        w = offered[at, k].sum()
        if found.capped:
            own = silo[at]
            v = own["offered"].fillna(0.0).to_numpy(float)
            share = v / v.sum() if v.sum() > 0 else np.full(len(v), 1.0 / len(v))
            mean_k, half_k = float(np.nansum(share * own["service_level"].to_numpy(float))), 0.0
            asa_k = float(np.nansum(share * own["asa_s"].to_numpy(float)))
            abandon_k = float(np.nansum(share * own["abandon_rate"].to_numpy(float)))
            low_k = float(np.nanmin(own["service_level"].to_numpy(float), initial=np.inf)) if \
                np.isfinite(own["service_level"].to_numpy(float)).any() else np.nan
            routing = "static split"
        else:
            mean, low, high = found.result.mean_ci()
            mean_k, half_k = mean[k], (high[k] - low[k]) / 2
            asa_k, abandon_k = found.result.mean_ci("asa_s")[0][k], found.result.mean_ci("abandon_rate")[0][k]
            low_k = float(found.result.lower_bound()[k])
            routing = "pooled"
        weights.append(w)
        means.append(mean_k)
        halves.append(half_k)
        asa.append(asa_k)
        abandon.append(abandon_k)
        table.append({"bucket": int(b), "intervals": int(at.sum()), "routing": routing, "service_level": float(mean_k),
                      "service_level_lo": low_k, "target": target})
    w = np.asarray(weights) / max(np.sum(weights), 1e-12)
    mean = float(np.nansum(w * np.asarray(means)))
    half = float(np.sqrt(np.nansum((w * np.asarray(halves)) ** 2)))
    split = sum(t["routing"] == "static split" for t in table)
    basis = f"simulation, {len(weights)} load buckets" + (
        f" ({split} run as the static split: the channel's own model)" if split else "")
    return ({"service_level": mean, "service_level_lo": mean - half, "service_level_hi": mean + half,
             "asa_s": float(np.nansum(w * np.asarray(asa))), "abandon_rate": float(np.nansum(w * np.asarray(abandon))),
             "basis": basis}, pd.DataFrame(table, columns=_BUCKET_COLUMNS[:-1]))


def warn_below_target(tables: list) -> pd.DataFrame:
    """The per-bucket rows of every simulated channel as one frame, with a ``PlannerWarning`` per
    channel that has a bucket whose one-sided lower bound is below its target (a plan below target
    never passes silently: docs/design.md 4a)."""
    buckets = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=_BUCKET_COLUMNS)
    below = buckets[buckets["service_level_lo"] < buckets["target"] - 1e-12]
    for c, part in below.groupby("channel", sort=False):
        warnings.warn(f"groups: channel {c} is below its target {part['target'].iloc[0]:g} in {len(part)} of "
                      f"{int((buckets['channel'] == c).sum())} load buckets (one-sided 95% lower bound down to "
                      f"{part['service_level_lo'].min():.3f}; routing {', '.join(sorted(set(part['routing'])))}); "
                      "raise the group's max_agents or check the bucket in GroupPlan.buckets", PlannerWarning,
                      stacklevel=4)
    return buckets
