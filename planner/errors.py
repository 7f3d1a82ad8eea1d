"""Errors and warnings raised by planner.

Every error is one line that says what is wrong, where, and how to fix it. User mistakes raise a
subclass of :class:`PlannerError`; the command line prints them as ``Error: <message>`` and exits
with code 1, with no traceback unless ``--debug`` is given.
"""

from __future__ import annotations

__all__ = ["PlannerError", "InputError", "SpecError", "PlannerWarning"]


class PlannerError(Exception):
    """Base class of every error planner raises for a user mistake.

    Catch it to handle any user mistake at once; the message is one line that says what is wrong,
    where, and how to fix it.

    Examples
    --------
    >>> import planner as pl
    >>> try:
    ...     pl.calculate(offered=100, interval_s=1800, aht_s=180, threshold_s=20)
    ... except pl.PlannerError as error:
    ...     print(f"{type(error).__name__}: {error}")
    InputError: give either a target service level (to find agents) or a number of agents
    """


class InputError(PlannerError, ValueError):
    """A value, argument or input file is invalid: the message names it and says how to fix it.

    Also a :class:`ValueError`, so code that catches bad values keeps working. File errors point
    at ``file:row:column``.

    Examples
    --------
    >>> import planner as pl
    >>> try:
    ...     pl.parse_duration_s("3m")
    ... except pl.InputError as error:
    ...     print(error)
    duration: unknown time unit 'm' in '3m' (write 'min' for minutes); use one of s, min, h, d
    """


class SpecError(PlannerError, ValueError):
    """A scenario file or model spec is invalid: the message points at ``file: key.path``.

    Channel specs raise it too, naming the channel kind and the key.

    Examples
    --------
    >>> import planner as pl
    >>> try:
    ...     pl.Voice(target_service_level=80, threshold_s=20)  # a percentage where a fraction is due
    ... except pl.SpecError as error:
    ...     print(error)
    voice.target_service_level: expected < 1, got 80
    """


class PlannerWarning(UserWarning):
    """Base class of planner's warnings, so users can filter them all at once.

    Examples
    --------
    Five emails arrive while the channel is closed for two intervals, with a one-interval deadline:

    >>> import warnings
    >>> import planner as pl
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", pl.PlannerWarning)
    ...     plan = pl.deferred.deferred_requirement([0.0, 5.0, 0.0, 0.0], 60.0, interval_s=900,
    ...                                             deadline_s=900, open=[True, False, False, True])
    >>> [w.category.__name__ for w in caught], str(caught[0].message)[:35]
    (['PlannerWarning'], '5 items arrive while the channel is')
    """
