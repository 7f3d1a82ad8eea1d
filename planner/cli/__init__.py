"""The ``planner`` command line: a thin shell over the Python API.

Commands import the heavier layers (forecasting, reports) when they run, so ``planner erlang``
and ``--help`` start quickly.

Every command is a few lines that parse options, call the API and print. User mistakes become one
line, ``Error: ...``, with exit code 1; ``planner --debug ...`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
import warnings

import click

from planner.errors import PlannerError, PlannerWarning
from planner.schema import parse_duration_s, parse_target

__all__ = ["main", "cli"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class PlannerGroup(click.Group):
    """Click group that turns every user error into one ``Error:`` line and exit code 1.

    Planner's own warnings print as ``Warning: ...`` lines on stderr, each once, when the command
    has done its work; other libraries' warnings (pandas, matplotlib) only with ``--debug``. A
    failure prints the ``Error:`` line alone. SIGTERM (schedulers, ``timeout``) stops a command like Ctrl-C:
    outputs being written are removed, nothing half-written stays.
    """

    def main(self, args=None, prog_name=None, **extra):
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args
        shown: dict[str, str] = {}

        def show(message, category, *rest, **options) -> None:  # held until the command ends well
            text = " ".join(str(message).split())
            if issubclass(category, PlannerWarning) and text not in shown:
                shown[text] = f"Warning: {text}"
            elif debug:
                click.echo(f"Warning ({category.__name__}): {text}", err=True)

        with warnings.catch_warnings(), _terminate_as_interrupt() as stopped:
            warnings.simplefilter("always")
            warnings.showwarning = show
            try:
                value = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
                for line in shown.values():
                    click.echo(line, err=True)
                return value
            except click.exceptions.Exit as stop:
                sys.exit(stop.exit_code)
            except click.exceptions.NoArgsIsHelpError as help_text:  # a bare `planner`: show the help
                click.echo(help_text.format_message())
                sys.exit(0)
            except click.Abort:
                click.echo(f"Error: interrupted{' by ' + stopped[0] if stopped else ''}; no output was written "
                           "(files being written were removed)", err=True)
                sys.exit(1)
            except (click.ClickException, PlannerError) as error:
                if debug:
                    raise
                message = error.format_message() if isinstance(error, click.ClickException) else str(error)
                click.echo(f"Error: {' '.join(message.split())}", err=True)
                sys.exit(1)


@contextlib.contextmanager
def _terminate_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt while a command runs (main thread only), so the same
    clean-up runs as for Ctrl-C; yields a list that names the signal once it came."""
    stopped: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield stopped
        return

    def interrupt(number, frame):
        if stopped:
            return  # already stopping: a repeated signal must not break off the clean-up
        stopped.append(signal.Signals(number).name)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield stopped
    finally:  # once stopping, later signals find the process exiting already: ignore them
        signal.signal(signal.SIGTERM, signal.SIG_IGN if stopped else previous)


class Duration(click.ParamType):
    """A duration: ``20`` (seconds), ``20s``, ``3min``, ``1.5h``, ``1d``; converted to seconds."""

    name = "DURATION"

    def __init__(self, *, positive: bool = False):
        self.positive = positive

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            seconds = parse_duration_s(value, name=param.opts[0] if param else "duration")
        except PlannerError as error:
            self.fail(str(error).split(": ", 1)[-1], param, ctx)
        if self.positive and seconds <= 0:
            self.fail(f"expected a duration > 0, got {value!r}", param, ctx)
        return seconds


class Target(click.ParamType):
    """A service-level target ``SL/THRESHOLD``: ``80/20`` means 80% answered within 20 s."""

    name = "SL/THRESHOLD"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            return parse_target(value, name="--target")
        except PlannerError as error:
            self.fail(str(error).split(": ", 1)[-1], param, ctx)


class Number(click.ParamType):
    """A finite number within bounds, with messages in the user's terms (click's FloatRange
    lets NaN and infinity through and calls 'abc' "not a valid float range")."""

    name = "NUMBER"

    def __init__(self, what: str = "a number", *, low=None, low_open=False, high=None, high_open=False):
        self.what, self.low, self.low_open, self.high, self.high_open = what, low, low_open, high, high_open
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            bounds.append(f"{'<' if high_open else '<='} {high:g}")
        self.rule = f"{what}{' ' + ' and '.join(bounds) if bounds else ''}"

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"expected {self.rule}, got {value!r}", param, ctx)
        low_bad = self.low is not None and (number < self.low or (self.low_open and number == self.low))
        high_bad = self.high is not None and (number > self.high or (self.high_open and number == self.high))
        if not math.isfinite(number) or low_bad or high_bad:
            self.fail(f"expected {self.rule}, got {value!r}", param, ctx)
        return number


DURATION = Duration()
POSITIVE_DURATION = Duration(positive=True)

#: ``--force``: the one way to replace an --out folder that holds files planner did not write.
FORCE = click.option("--force", is_flag=True,
                     help="Replace the --out folder even if it holds files planner did not write (they are deleted).")



def UNIT_OPTIONS(command):
    """``--jobs``, ``--engine``, ``--scheduler``: how the per-channel units run (planner.units, whose
    import is left to the command so ``--help`` stays quick)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    command = click.option("--scheduler", default=None, metavar="ADDRESS",
                           help="Dask scheduler, e.g. tcp://host:8786 (with --engine dask; none: a local cluster).")(command)
    command = click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                           help="Run the units on a local process pool or on Dask (pip install 'planner[dask]').")(command)
    return click.option("--jobs", type=click.IntRange(min=1), default=max(1, cores), show_default="the cores",
                        envvar="PLANNER_JOBS", show_envvar=True,
                        help="Processes (or local Dask workers) running channels in parallel; outputs are the "
                             "same for any value.")(command)


@click.group(cls=PlannerGroup, context_settings=CONTEXT)
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.version_option(package_name="planner", message="planner %(version)s")
def cli(debug: bool) -> None:
    """Workforce forecasting and staffing for multichannel contact centers.

    \b
    Example:
      planner erlang agents --offered 100 --interval 30min --aht 180s --target 80/20
    """


def _table(frame, columns=None) -> str:
    frame = frame if columns is None else frame[columns]
    return frame.to_string(index=False, float_format=lambda v: f"{v:,.2f}")



def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="planner")


if __name__ == "__main__":  # pragma: no cover
    main()


# the commands register themselves on ``cli`` when their module is imported
from planner.cli import capacity as _capacity  # noqa: E402,F401
from planner.cli import contacts as _contacts  # noqa: E402,F401
from planner.cli import erlang as _erlang  # noqa: E402,F401
from planner.cli import intraday as _intraday  # noqa: E402,F401
from planner.cli import scenarios as _scenarios  # noqa: E402,F401
from planner.cli import schedule as _schedule  # noqa: E402,F401
from planner.cli import simulate as _simulate  # noqa: E402,F401
from planner.cli import sweep as _sweep  # noqa: E402,F401
