"""Estimate the default model's ``level_var_scale`` from its own day-ahead errors on the training days.

The rate distribution behind the forecast's intervals and the uncertainty staffing rules
(``rate_shape``, ``day_log_var``) takes the variance of the log of each day's level to be
``level_var_scale * z_var``, where ``z_var`` is the daily-level member's predictive variance
(:mod:`planner.forecast.combination`). This script measures what that multiplier should be:
bank_calls (as in ``bench_forecast.py``) at 15 minutes, every day *before* the 30 test days
forecast day-ahead from all data before it (the default model refit at each origin, with
``level_var_scale = 1``), and for each day

    e = log(actual day total / forecast day total),
    r = (sum m + c_slot * sum m^2) / (sum m)^2   (the Poisson and slot-share part of e's variance),

with ``m`` the interval forecasts and ``c_slot`` the slot dispersion recovered from ``rate_shape``
(``1 / rate_shape = (1 + c_day)(1 + c_slot) - 1``, Jongbloed & Koole 2001). The estimate is the
method-of-moments ratio ``sum(e^2 - r) / sum(z_var)``: the day-level variance the forecast's own
errors show, around the forecast (the mean error counts: intervals are centred on the forecast),
as a multiple of the model's ``z_var``. Its 90 % interval resamples whole days. The origins are
those with at least ``Combination.MIN_DAYS_MEAN + holdout_days`` observed days (the model then
runs as it does in production: the mean of both members, checked on a holdout). The test days are
never used.

``--coverage SCALE [SCALE ...]`` checks what a value does to the forecast's intervals: the share
of actuals inside the default model's 80 % and 95 % intervals (``planner.forecast.accuracy``, the
``coverage_80``/``coverage_95`` columns of ``bench_forecast.py``) on the 30 test days and the 30
validation days before them, at 15 and 5 minutes, for each ``level_var_scale`` given.

    python tests/benchmarks/calibrate_day_variance.py [--coverage 0.6 1.43]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import planner.forecast as pf
from planner.forecast.backtest import default_cutoffs
from planner.forecast.combination import Combination
from planner.forecast.spec import MODELS_DIR, load_spec

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_forecast import bank_calls  # noqa: E402

TEST_DAYS = 30


def day_errors(minutes: int = 15) -> pd.DataFrame:
    """One row per training day: ``e``, ``r``, ``z_var``, the block and the member chosen."""
    history = bank_calls(minutes)
    spec = scaled_spec(1.0)
    every = default_cutoffs(history, horizon="1D", n_windows=10_000)
    first = Combination.MIN_DAYS_MEAN + spec.params.get("holdout_days", 10)
    training = every[first:-TEST_DAYS]
    start = time.process_time()
    frame = pf.backtest(history, models=[spec], horizon="1D", cutoffs=training)
    print(f"{len(training)} day-ahead origins {training[0].date()} .. {training[-1].date()} "
          f"(test days from {every[-TEST_DAYS].date()} never used), {time.process_time() - start:.0f} s CPU")
    c = 1.0 / frame["rate_shape"].to_numpy(float)
    c_day = np.expm1(frame["day_log_var"].to_numpy(float))
    frame["c_slot"] = (1.0 + c) / (1.0 + c_day) - 1.0
    frame["m2"] = frame["offered"] ** 2 * frame["c_slot"]
    days = frame.groupby("cutoff").agg(forecast=("offered", "sum"), actual=("actual", "sum"), m2=("m2", "sum"),
                                       z_var=("day_log_var", "first"))
    days["e"] = np.log(days["actual"] / days["forecast"])
    days["r"] = (days["forecast"] + days["m2"]) / days["forecast"] ** 2
    days["block"] = np.where(days.index >= every[-2 * TEST_DAYS], "validation", "earlier")
    cards = pd.DataFrame(frame.attrs["model_cards"]).set_index("cutoff")["chosen"]
    days["chosen"] = cards.reindex(days.index).to_numpy()
    below = (frame["actual"] < frame["offered"]).groupby(frame["cutoff"]).agg(["sum", "size"])
    days["below"], days["intervals"] = below["sum"], below["size"]
    return days


def ratio(days: pd.DataFrame) -> float:
    """Method-of-moments ``sum(e^2 - r) / sum(z_var)``."""
    return float((days["e"] ** 2 - days["r"]).sum() / days["z_var"].sum())


def scaled_spec(scale: float):
    """The default spec with ``level_var_scale = scale``."""
    spec = load_spec(MODELS_DIR / "default.toml")
    return dataclasses.replace(spec, name=f"default x{scale:g}", params={**spec.params, "level_var_scale": scale})


def coverage(scales: list[float]) -> None:
    """Interval coverage of the default model at each ``level_var_scale``, test and validation blocks."""
    rows = []
    for minutes in (15, 5):
        history = bank_calls(minutes)
        every = default_cutoffs(history, horizon="1D", n_windows=2 * TEST_DAYS)
        for block, cutoffs in (("test", every[-TEST_DAYS:]), ("validation", every[:TEST_DAYS])):
            frame = pf.backtest(history, models=[scaled_spec(v) for v in scales], horizon="1D", cutoffs=cutoffs,
                                level=(0.8, 0.95))
            table = pf.accuracy(frame, history)
            for _, row in table.iterrows():
                rows.append({"granularity": f"{minutes} min", "block": block, "model": row["model"],
                             "coverage_80": row["coverage_80"], "coverage_95": row["coverage_95"],
                             "mase": row["mase"]})
    out = pd.DataFrame(rows)
    print("interval coverage of the default model, day-ahead, 30 days per block (nominal 0.80 and 0.95)")
    print(out.round(3).to_string(index=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--coverage", type=float, nargs="+", metavar="SCALE",
                        help="only check the forecast's interval coverage at these level_var_scale values")
    args = parser.parse_args()
    if args.coverage:
        coverage(args.coverage)
        return
    days = day_errors()
    rng = np.random.default_rng(0)
    boot = [ratio(days.iloc[rng.integers(0, len(days), len(days))]) for _ in range(2000)]
    print(f"members chosen: {days['chosen'].value_counts().to_dict()}")
    print(f"day log error: mean {days['e'].mean():+.4f}, rms {np.sqrt((days['e'] ** 2).mean()):.4f}; "
          f"Poisson+slot part rms {np.sqrt(days['r'].mean()):.4f}; model sqrt(z_var) median {np.sqrt(days['z_var']).median():.4f}")
    for block, part in [("all training days", days), *days.groupby("block")]:
        print(f"  {block:<18} {len(part):3d} days  level_var_scale = {ratio(part):.3f}  "
              f"(actual below the forecast in {100 * part['below'].sum() / part['intervals'].sum():.1f}% of intervals, "
              f"mean day log error {part['e'].mean():+.4f})")
    print(f"estimate (all training days): {ratio(days):.3f}, 90% interval resampling days "
          f"{np.percentile(boot, 5):.3f}-{np.percentile(boot, 95):.3f}")


if __name__ == "__main__":
    main()
