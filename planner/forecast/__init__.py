"""Forecasting offered contacts and handle times per interval (docs/design.md section 5).

- :func:`forecast`: history frame -> forecast frame (open intervals only, prediction intervals, AHT).
- :func:`backtest`, :func:`accuracy`: rolling-origin evaluation against the baselines.
- Models follow one protocol (:mod:`planner.forecast.protocol`): hyperparameters in the
  constructor (or a ``models/NAME.toml`` spec), data in ``fit``, ``predict(h)`` with intervals.

The package is callable: ``planner.forecast(history, horizon=...)`` calls :func:`forecast`.

Examples
--------
Nine weeks of a phone line open 08:00-18:00 on weekdays, about 20 calls an hour: next week's
forecast has the 50 open hours only (no weekend), about 200 calls a day, inside its 80% band.

>>> import numpy as np, pandas as pd
>>> import planner
>>> times = pd.date_range("2026-05-04", "2026-07-06", freq="h", tz="Europe/London", inclusive="left")
>>> is_open = (times.hour >= 8) & (times.hour < 18) & (times.day_of_week < 5)
>>> calls = np.random.default_rng(0).poisson(20.0, len(times))
>>> history = pd.DataFrame({"interval_start": times, "channel": "phone",
...                         "offered": np.where(is_open, calls, 0).astype(float)})
>>> f = planner.forecast(history, horizon="7D")
>>> len(f), int(f.interval_start.dt.day_of_week.max()), bool(abs(f.offered.sum() / 5 - 200) < 10)
(50, 4, True)
>>> bool(((f.offered_lo <= f.offered) & (f.offered <= f.offered_hi)).all()), f.attrs["level"]
(True, 0.8)
"""

import sys as _sys
import types as _types

from planner.forecast.api import forecast, forecast_channel, horizon_bounds
from planner.forecast.backtest import accuracy, backtest, model_cards
from planner.forecast.baselines import SeasonalNaive, WeekAverage
from planner.forecast.combination import Combination
from planner.forecast.daily_profile import DailyProfile
from planner.forecast.frames import EventWarning
from planner.forecast.plots import backtest_figure
from planner.forecast.protocol import FittedModel, ForecastModel, Panel, Prediction
from planner.forecast.spec import (
    METHODS,
    ModelSpec,
    available_specs,
    load_spec,
    resolve_spec,
)

__all__ = [
    "forecast",
    "forecast_channel",
    "horizon_bounds",
    "backtest",
    "accuracy",
    "model_cards",
    "backtest_figure",
    "SeasonalNaive",
    "WeekAverage",
    "DailyProfile",
    "Combination",
    "EventWarning",
    "ForecastModel",
    "FittedModel",
    "Panel",
    "Prediction",
    "METHODS",
    "ModelSpec",
    "load_spec",
    "resolve_spec",
    "available_specs",
]


class _CallablePackage(_types.ModuleType):
    """``planner.forecast`` is both this package and its main function: calling the package calls
    :func:`forecast` (Python binds ``planner.forecast`` to the package once it is imported)."""

    def __call__(self, *args, **kwargs):
        return forecast(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallablePackage
