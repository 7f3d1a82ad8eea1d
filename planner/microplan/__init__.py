"""Microplanning within the day (docs/design.md section 5a): the intraday reforecast and re-staffing.

:func:`reforecast` updates the rest of today from the actuals so far (the maths is
:mod:`planner.forecast.intraday`) and re-staffs the remaining intervals; :func:`reforecast_scenario`
does it for a scenario file and an actuals file (``planner reforecast``).
"""

from planner.microplan.update import METHODS, Reforecast, cut_time, reforecast, residual_models
from planner.microplan.run import read_actuals, reforecast_scenario

__all__ = ["reforecast", "Reforecast", "residual_models", "cut_time", "METHODS", "read_actuals", "reforecast_scenario"]
