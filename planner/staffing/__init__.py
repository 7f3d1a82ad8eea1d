"""Staffing models: turn offered load, handle time and targets into agents per interval.

``erlang`` (M/M/N, Erlang C) and ``erlang_a`` (M/M/N+M, abandonment). Every function broadcasts
over arrays of intervals; times in seconds, loads in Erlangs.
"""

from planner.staffing import erlang, erlang_a
from planner.staffing.erlang_a import ErlangAResult

__all__ = ["erlang", "erlang_a", "ErlangAResult"]
