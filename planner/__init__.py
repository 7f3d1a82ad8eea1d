"""planner: workforce forecasting and staffing for multichannel contact centers.

The public API (``planner.__all__``). Heavier parts (forecasting, scenarios, reports, the
simulator) load on first use, so ``import planner`` and the command line start quickly.

>>> import planner as pl
>>> int(pl.erlang.required_agents(10.0, 180.0, target_service_level=0.8, threshold_s=20.0))
14
"""

import os
from importlib import import_module

# One BLAS thread unless the user set one: planner's matrices are small (the SVD of a channel's
# days x intervals), runs and reports already use one process per core, and OpenBLAS threads that
# spin-wait on a busy machine made that SVD 100x slower (0.55 s a call instead of 5 ms; the
# 32-channel forecast 48 s instead of 4 s). Set before numpy loads; results are the same.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from planner.errors import InputError, PlannerError, PlannerWarning, SpecError
from planner.schema import parse_duration_s, parse_target
from planner.staffing import erlang, erlang_a
from planner.staffing.calculator import Staffing, calculate, gross_agents
from planner.staffing.erlang_a import ErlangAResult

#: Names loaded on first use: name -> module that defines it.
_LAZY = {
    "chat": "planner.staffing.chat",
    "ChatResult": "planner.staffing.chat",
    "deferred": "planner.staffing.deferred",
    "rules": "planner.staffing.rules",
    "priority": "planner.staffing.priority",
    "blend": "planner.staffing.blend",
    "outbound": "planner.staffing.outbound",
    "staff": "planner.staffing.plan",
    "Voice": "planner.staffing.specs",
    "Chat": "planner.staffing.specs",
    "Deferred": "planner.staffing.specs",
    "Segment": "planner.staffing.segments",
    "Outbound": "planner.staffing.outbound",
    "modified_offered_load": "planner.staffing.timevarying",
    "read_history": "planner.io",
    "write_history": "planner.io",
    "read_events": "planner.io",
    "opening_hours": "planner.calendar",
    "future_intervals": "planner.calendar",
    "holiday_events": "planner.calendar",
    "forecast": "planner.forecast",
    "backtest": "planner.forecast",
    "accuracy": "planner.forecast",
    "Scenario": "planner.scenario",
    "RunResult": "planner.scenario",
    "rollup": "planner.report",
    "compare": "planner.report",
    "read_contacts": "planner.contacts",
    "to_history": "planner.contacts",
    "kpis": "planner.contacts",
    "KpiReport": "planner.contacts",
    "pivots": "planner.contacts",
    "estimate_patience": "planner.contacts",
    "estimate_concurrency": "planner.contacts",
    "simulate": "planner.simulate",
    "read_plan": "planner.simulate",
    "SimulationResult": "planner.simulate",
    "schedule": "planner.schedule",
    "ShiftTemplate": "planner.schedule",
    "Break": "planner.schedule",
    "ScheduleSpec": "planner.schedule",
    "Schedule": "planner.schedule",
    "reforecast": "planner.microplan",
    "Reforecast": "planner.microplan",
    "multiskill": "planner.multiskill",
    "plan_groups": "planner.multiskill",
    "Group": "planner.multiskill",
    "GroupPlan": "planner.multiskill",
}
_MODULES = {  # callable packages: one binding, never rebound
    "chat", "multiskill", "deferred", "priority", "blend", "outbound", "forecast", "rules", "simulate", "schedule",
}

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
    *_LAZY,
]

__version__ = "0.1.0"


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    module = import_module(_LAZY[name])
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
