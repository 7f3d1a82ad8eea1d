"""Errors and warnings raised by planner.

Every error is one line that says what is wrong, where, and how to fix it. User mistakes raise a
subclass of :class:`PlannerError`; the command line prints them as ``Error: <message>`` and exits
with code 1, with no traceback unless ``--debug`` is given.
"""

from __future__ import annotations

__all__ = ["PlannerError", "InputError", "SpecError", "PlannerWarning"]


class PlannerError(Exception):
    """Base class of every error planner raises for a user mistake."""


class InputError(PlannerError, ValueError):
    """A value, argument or input file is invalid: the message names it and says how to fix it."""


class SpecError(PlannerError, ValueError):
    """A scenario file or model spec is invalid: the message points at ``file: key.path``."""


class PlannerWarning(UserWarning):
    """Base class of planner's warnings, so users can filter them all at once."""
