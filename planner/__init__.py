"""planner: workforce forecasting and staffing for multichannel contact centers.

>>> import planner as pl
>>> int(pl.erlang.required_agents(10.0, 180.0, target_service_level=0.8, threshold_s=20.0))
14
"""

from planner.errors import InputError, PlannerError, PlannerWarning, SpecError
from planner.schema import parse_duration_s, parse_target
from planner.staffing import erlang, erlang_a
from planner.staffing.calculator import Staffing, calculate, gross_agents
from planner.staffing.erlang_a import ErlangAResult

__all__ = [
    "PlannerError",
    "InputError",
    "SpecError",
    "PlannerWarning",
    "parse_duration_s",
    "parse_target",
    "erlang",
    "erlang_a",
    "ErlangAResult",
    "Staffing",
    "calculate",
    "gross_agents",
]

__version__ = "0.1.0"
