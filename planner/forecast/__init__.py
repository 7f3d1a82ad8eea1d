"""Forecasting offered contacts and handle times per interval (DESIGN.md section 5).

- :func:`forecast`: history frame -> forecast frame (open intervals only, prediction intervals, AHT).
- :func:`backtest`, :func:`accuracy`: rolling-origin evaluation against the baselines.
- Models follow one protocol (:mod:`planner.forecast.protocol`): hyperparameters in the
  constructor (or a ``models/NAME.toml`` spec), data in ``fit``, ``predict(h)`` with intervals.
"""

import sys as _sys
import types as _types

from planner.forecast.api import forecast, forecast_channel, horizon_bounds
from planner.forecast.backtest import accuracy, backtest
from planner.forecast.baselines import SeasonalNaive, WeekAverage
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
    "backtest_figure",
    "SeasonalNaive",
    "WeekAverage",
    "DailyProfile",
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
