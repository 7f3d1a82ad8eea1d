"""Scenarios end to end: file -> history -> forecast -> adjustments -> staffing -> outputs.

``Scenario.load(path)`` reads a scenario file; ``.run()`` returns a :class:`RunResult` with the
forecast, the plan and its roll-ups; ``.write(result, out)`` publishes every output atomically
into one folder. ``.replace(...)`` gives a what-if without a file.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from planner.calendar import holiday_events, interval_s_of
from planner.capacity.longrange import long_range_level
from planner.config import (CALIBRATED_KEYS, FROM_HISTORY, TOP_KEYS, ScenarioConfig, build_config, load_scenario,
                            locate, merge)
from planner.contacts import learn_settings, read_contacts, to_history
from planner.errors import InputError, SpecError
from planner.schema import describe_interval
from planner.forecast import accuracy, backtest, horizon_bounds
from planner.forecast import forecast as make_forecast
from planner.io import read_events, read_forecast, read_history
from planner.multiskill import GroupPlan, plan_groups, scenario_groups
from planner.report import rollup
from planner.report.publish import write_run
from planner.schedule import Schedule, design_and_simulate, schedule_spec
from planner.staffing.outbound import Outbound
from planner.staffing.plan import Chat, Deferred, Voice, staff
from planner.units import run_channels, split_timing

__all__ = ["Scenario", "RunResult"]

SPECS = {"voice": Voice, "chat": Chat, "deferred": Deferred, "outbound": Outbound}
PACKAGES = ("planner", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "holidays")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunResult:
    """What a run produced: frames in the formats of docs/design.md section 3, and stage timings [s].

    Attributes
    ----------
    history, forecast, plan : pandas.DataFrame
        The history read, the adjusted forecast and the interval plan (``agents``, ``service_level``...).
    daily, weekly : pandas.DataFrame
        Roll-ups per channel: ``fte`` and ``fte_gross`` [agents], ``agent_hours`` [h]...
    timings : dict
        Seconds [s] each stage took.
    calibration : pandas.DataFrame or None
        The channel settings learned from the contact log (``"from-history"``).

    Examples
    --------
    >>> result = Scenario.load("scenarios/base.toml").run()  # doctest: +SKIP
    >>> result  # doctest: +SKIP
    RunResult: 4 channels, 2026-07-06 to 2026-08-02, 8,028 plan rows
    <BLANKLINE>
    mean FTE per day (gross): chat 28.5, email 19.8, phone 47.6, social 2.7
    >>> RunResult(history=None, forecast=None, plan=pd.DataFrame({"channel": ["phone"],
    ...     "interval_start": [pd.Timestamp("2026-07-06 09:00", tz="UTC")]}), daily=pd.DataFrame(
    ...     {"channel": ["phone"], "fte_gross": [10.0]}), weekly=None)
    RunResult: 1 channels, 2026-07-06 to 2026-07-06, 1 plan rows
    <BLANKLINE>
    mean FTE per day (gross): phone 10.0
    """

    history: pd.DataFrame
    forecast: pd.DataFrame
    plan: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    calibration: pd.DataFrame | None = None
    schedule: Schedule | None = None  # shifts with breaks, when the scenario has [[shifts]] (planner.schedule)
    groups: GroupPlan | None = None  # a plan per agent group, when the scenario has [groups] (planner.multiskill)

    def __repr__(self) -> str:
        plan = self.plan
        span = f"{plan['interval_start'].min():%Y-%m-%d} to {plan['interval_start'].max():%Y-%m-%d}"
        fte = self.daily.groupby("channel")["fte_gross"].mean()
        shown = ", ".join(f"{channel} {value:.1f}" for channel, value in fte.items())
        return (f"RunResult: {plan['channel'].nunique()} channels, {span}, {len(plan):,} plan rows\n\n"
                f"mean FTE per day (gross): {shown}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _models_dir(scenario_path: Path) -> Path | None:
    """The nearest ``models/`` folder at or above the scenario's folder (the project's specs)."""
    for folder in [scenario_path.resolve().parent, *scenario_path.resolve().parents]:
        if (folder / "models").is_dir():
            return folder / "models"
    return None


@dataclass(frozen=True)
class Scenario:
    """A plan described by a scenario file. Build with :meth:`load`; it is immutable.

    The file names the history (or a contact log), the horizon, the forecast model and each
    channel's kind and targets (``threshold_s`` [s], ``patience_s`` [s], ``deadline_s`` [s],
    ``shrinkage``...); see ``scenarios/base.toml`` and docs/design.md section 6.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "history.csv").write_text("interval_start,channel,offered,aht_s\\n" + "".join(
    ...     f"2026-06-{d:02d} {h:02d}:00,phone,{20 + h},200\\n" for d in range(1, 29) for h in range(9, 17)))
    >>> _ = (folder / "plan.toml").write_text('''
    ... name = "tiny"
    ... timezone = "Europe/London"
    ... interval = "1h"
    ... history = "history.csv"
    ... horizon = { start = 2026-06-29, days = 7 }
    ... [channels]
    ... phone = { kind = "voice", target_service_level = 0.8, threshold_s = 20, shrinkage = 0.3 }
    ... ''')
    >>> scenario = Scenario.load(folder / "plan.toml")
    >>> scenario
    Scenario('tiny': 1 channels (phone), horizon 7 days from 2026-06-29)
    >>> result = scenario.run()
    >>> int(result.plan["agents"].max()) >= 2, bool((result.plan["service_level"] >= 0.8).all())
    (True, True)
    """

    config: ScenarioConfig

    @classmethod
    def load(cls, path: str | Path) -> "Scenario":
        """Read and check a scenario file (and what it extends); errors point at ``file: key``."""
        scenario = cls(load_scenario(path))
        scenario._check_specs()  # check the channel settings now, not half way through a run
        return scenario

    @property
    def name(self) -> str:
        return self.config.name

    def __repr__(self) -> str:
        channels = ", ".join(self.config.channels)
        horizon = self.config.horizon
        start = f" from {horizon.start}" if horizon.start else " after the history"
        return f"Scenario({self.name!r}: {len(self.config.channels)} channels ({channels}), horizon {horizon.days} days{start})"

    def replace(self, **changes) -> "Scenario":
        """A what-if without a file: the scenario with keys changed as a file that ``extends`` it would.

        Keys are the file's (``channels``, ``adjust``, ``horizon``, ``interval``...); tables merge key
        by key, e.g. ``scenario.replace(channels={"chat": {"concurrency": 2}})`` changes one setting of
        one channel and keeps the rest; ``None`` removes a key.
        """
        unknown = sorted(set(changes) - TOP_KEYS)
        if unknown:
            raise InputError(f"replace: unknown setting(s) {', '.join(unknown)}; expected some of {', '.join(sorted(TOP_KEYS))}")
        config = self.config
        data = merge(config.raw, changes)
        scenario = Scenario(build_config(data, path=config.path, files=config.files, origin=config.origin))
        scenario._check_specs()
        return scenario

    def _calibrated(self) -> dict[str, set[str]]:
        """Channel -> the keys it learns from the contact log."""
        return {name: keys for name, settings in self.config.channels.items()
                if (keys := {k for k, v in settings.items() if v == FROM_HISTORY})}

    def _check_specs(self) -> None:
        """Check every channel's settings (stand-ins for values learned at run time) and the shift templates."""
        self.targets()
        schedule_spec(self.config)
        scenario_groups(self.config)

    def targets(self) -> dict[str, Voice | Chat | Deferred]:
        """The channel specs for their targets and kinds: ``"from-history"`` values are stand-ins."""
        stand_in = {"patience_s": 60.0, "aht_growth": 0.0, "aht_concurrency": 1.0}
        rows = [(name, key, stand_in[key]) for name, keys in self._calibrated().items() for key in keys]
        return self.channel_specs(calibration=pd.DataFrame(rows, columns=["channel", "setting", "value"]))

    def calibrate(self, contacts: pd.DataFrame | None = None) -> pd.DataFrame:
        """Estimate the ``"from-history"`` channel settings from the contact log.

        See :func:`planner.contacts.learn_settings` (``patience_s``, ``aht_growth``,
        ``aht_concurrency``). Returns ``channel, setting, value, lo, hi, basis``.
        """
        wanted = self._calibrated()
        if wanted and contacts is None:
            contacts = self.read_contacts()
        learned = learn_settings(contacts, wanted)
        for row in learned.itertuples():
            if not np.isfinite(row.value):
                raise locate(self.config, ("channels", row.channel, row.setting),
                             f"cannot learn it from {self.config.contacts}: {row.basis}")
        return learned

    def channel_specs(self, calibration: pd.DataFrame | None = None) -> dict[str, Voice | Chat | Deferred]:
        """The staffing spec of every channel, with errors as ``file: channels.NAME.key: message``.

        ``"from-history"`` settings take their value from ``calibration`` (:meth:`calibrate`, which
        reads the contact log when not given).
        """
        if calibration is None and self._calibrated():
            calibration = self.calibrate()
        learned = {} if calibration is None else {
            (c, k): v for c, k, v in zip(calibration["channel"], calibration["setting"], calibration["value"])}
        specs = {}
        for name, settings in self.config.channels.items():
            options = {k: v for k, v in settings.items() if k != "kind"}
            for key in CALIBRATED_KEYS & set(options):
                if options[key] == FROM_HISTORY:
                    value = float(learned[(name, key)])
                    options[key] = None if key == "patience_s" and not np.isfinite(value) else value
            try:
                specs[name] = SPECS[settings["kind"]](**options)
            except SpecError as error:
                key, _, message = str(error).partition(": ")
                raise locate(self.config, ("channels", name, *key.split(".")[1:]), message) from None
        return specs

    # --- stages ----------------------------------------------------------------------------

    def read_contacts(self) -> pd.DataFrame:
        """The scenario's contact log (``contacts``, with ``messages``), as :func:`planner.read_contacts` reads it."""
        if self.config.contacts is None:
            raise locate(self.config, ("contacts",), "no contact log in this scenario; add contacts = \"...\"")
        kinds = {name: settings["kind"] for name, settings in self.config.channels.items()}
        return read_contacts(self.config.contacts, tz=self.config.timezone, messages=self.config.messages, kinds=kinds)

    def read_history(self, contacts: pd.DataFrame | None = None) -> pd.DataFrame:
        """The history of the scenario's channels (other channels in the file are ignored).

        From the ``history`` file, or counted from the contact log (``contacts``, read when not
        given) when the scenario has none. ``attrs["channels"]`` lists every channel of the
        source, against which events are checked.
        """
        if self.config.history is not None:
            source = self.config.history
            history = self._read_history_file()
        else:
            source = self.config.contacts
            history = to_history(self.read_contacts() if contacts is None else contacts, self.config.interval_s or 900.0)
        known = sorted(history["channel"].unique())
        for name, settings in self.config.channels.items():
            if name not in known and settings["kind"] != "outbound":  # a campaign's calls come from its list
                raise locate(self.config, ("channels", name),
                             f"no history for this channel in {source} (it has: {', '.join(known)})")
        interval_s = history.attrs["interval_s"]
        history = history[history["channel"].isin(list(self.config.channels))].reset_index(drop=True)
        history.attrs.update(interval_s=interval_s, channels=known)
        return history

    def _read_history_file(self) -> pd.DataFrame:
        """The history file (or export) at its own interval length, which must agree with ``interval``."""
        options = dict(self.config.history_format)
        zone = options.pop("tz", self.config.timezone)
        given = self.config.interval_s
        try:
            history = read_history(self.config.history, tz=zone, **options)
        except InputError as error:  # e.g. one interval per channel: the length can only be told
            if given is None or "cannot infer the interval length" not in str(error):
                raise
            history = read_history(self.config.history, tz=zone, interval_s=given, **options)
        found = history.attrs["interval_s"]
        if given is not None and found != given:
            raise locate(self.config, ("interval",), f"{describe_interval(given)} intervals, but the history "
                         f"{self.config.history} is in {describe_interval(found)} intervals; write interval = "
                         f"\"{found / 60:g}min\" or leave interval out to use the history's")
        if zone != self.config.timezone:
            history["interval_start"] = history["interval_start"].dt.tz_convert(self.config.timezone)
        return history

    def read_events(self, history: pd.DataFrame) -> pd.DataFrame | None:
        """The events file and the public holidays over the history and the horizon.

        Event channels are checked against every channel of the history file (a typo is an error),
        then events of channels this scenario does not plan are dropped.
        """
        frames = []
        if self.config.events is not None:
            known = history.attrs.get("channels", list(self.config.channels))
            events = read_events(self.config.events, tz=self.config.timezone, channels=known)
            frames.append(events[events["channel"].isin([*self.config.channels, "*"])])
        if self.config.holidays:
            country, _, subdivision = self.config.holidays.partition("-")
            start, end = self.horizon(history)
            years = range(history["interval_start"].min().year, end.year + 1)
            try:
                frames.append(holiday_events(country, years=years, tz=self.config.timezone,
                                             subdivision=subdivision or None))
            except InputError as error:
                raise locate(self.config, ("holidays",), str(error).split(": ", 1)[-1]) from None
        return pd.concat(frames, ignore_index=True) if frames else None

    def horizon(self, history: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The ``[start, end)`` instants planned; a horizon that starts inside the history is an error."""
        try:
            return horizon_bounds(self.config.horizon, last=history["interval_start"].max(),
                                  interval_s=interval_s_of(history), tz=self.config.timezone)
        except InputError as error:
            key, _, message = str(error).partition(": ")
            raise locate(self.config, tuple(key.split(".")), message) from None

    def forecast(self, history: pd.DataFrame, events: pd.DataFrame | None = None) -> pd.DataFrame:
        """The forecast for the horizon (before adjustments); weeks 13+ ahead take the long-range level."""
        out = make_forecast(history, horizon=self.config.horizon, model=self.config.model, events=events,
                            models_dir=_models_dir(self.config.path))
        holidays = () if events is None else events.loc[events["kind"] == "public_holiday", "start"].dt.date
        return long_range_level(out, history, holiday_dates=holidays, events=events)

    def adjust(self, forecast: pd.DataFrame) -> pd.DataFrame:
        """Apply the scenario's what-if factors (``[adjust]``) to volume and handle time."""
        out = forecast.copy()
        for what, columns in (("offered", ["offered", "offered_lo", "offered_hi"]), ("aht", ["aht_s"])):
            factors = self.config.adjust.get(what, {})
            factor = out["channel"].map(factors).fillna(factors.get("*", 1.0)).to_numpy(float)
            for column in columns:
                if column in out.columns:
                    out[column] = out[column] * factor
        return out

    def staff(self, forecast: pd.DataFrame, calibration: pd.DataFrame | None = None,
              history: pd.DataFrame | None = None) -> pd.DataFrame:
        """The interval staffing plan for a forecast (the scenario's channels and targets).

        ``calibration``: the learned settings (:meth:`calibrate`), computed when needed and not given;
        ``history``: deferred channels start from the backlog its last days leave.
        """
        known = set(self.config.channels)
        extra = sorted(set(forecast["channel"]) - known)
        if extra:
            raise InputError(f"forecast: channel(s) {', '.join(extra)} are not in the scenario "
                             f"{self.config.path} (it has: {', '.join(sorted(known))})")
        return staff(forecast, self.channel_specs(calibration), interval_s=self._interval_s(forecast), history=history)

    def _interval_s(self, frame: pd.DataFrame) -> float:
        return frame.attrs.get("interval_s") or self.config.interval_s or interval_s_of(frame)

    def run(self, *, progress: Progress | None = None, forecast: pd.DataFrame | None = None, jobs: int = 1,
            engine: str = "local", scheduler: str | None = None) -> RunResult:
        """Read, forecast, adjust and staff; returns the frames and the time each stage took.

        With ``forecast`` (one produced elsewhere) the history is not read: the forecast is
        adjusted, staffed and rolled up.
        """
        note = progress or (lambda stage: None)
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = now - clock
            clock = now
            note(stage)

        needs_log = bool(self._calibrated()) or (forecast is None and self.config.history is None)
        contacts = self.read_contacts() if needs_log else None  # read once: history and calibration
        calibration = self.calibrate(contacts) if self._calibrated() else None
        if forecast is None:
            history = self.read_history(contacts)
            events = self.read_events(history)
            self.horizon(history)  # a horizon inside the history stops here, before the work
            lap("read")
        else:
            history, events = pd.DataFrame({"interval_start": pd.Series(dtype=forecast["interval_start"].dtype),
                                            "channel": pd.Series(dtype=str), "offered": pd.Series(dtype=float)}), None
        # forecast, adjust and staff each channel: the unit of docs/design.md section 9, mapped by planner.units
        forecast, plan, units = run_channels(self, history, events, calibration, forecast, jobs=jobs, engine=engine,
                                             scheduler=scheduler)
        lap("forecast")
        timings.update(split_timing(timings.pop("forecast"), units))
        note("staff")
        teams = scenario_groups(self.config)
        groups = None if teams is None else plan_groups(plan, teams, interval_s=self._interval_s(forecast), seed=self.config.seed)
        if teams is not None:
            lap("groups")
        paid = dict(interval_s=self._interval_s(forecast), paid_hours_per_day=self.config.paid_hours_per_day,
                    paid_days_per_week=self.config.paid_days_per_week)
        daily, weekly = rollup(plan, by="day", **paid), rollup(plan, by="week", **paid)
        lap("roll-up")
        spec = schedule_spec(self.config, interval_s=self._interval_s(forecast))
        schedule = None if spec is None else design_and_simulate(plan, spec, seed=self.config.seed)
        if spec is not None:
            lap("schedule")
        return RunResult(history=history, forecast=forecast, plan=plan, daily=daily, weekly=weekly, timings=timings,
                         calibration=calibration, schedule=schedule, groups=groups)

    def check(self) -> dict[str, int]:
        """Read and check every input without forecasting; returns a few counts for the user."""
        contacts = self.read_contacts() if self.config.contacts is not None else None
        history = self.read_history(contacts)
        events = self.read_events(history)
        start, end = self.horizon(history)
        counts = {"history rows": len(history), "channels": len(self.config.channels),
                  "events": 0 if events is None else len(events), "horizon days": (end - start).days}
        if contacts is not None:
            counts["contacts"] = len(contacts)
            counts["settings learned"] = len(self.calibrate(contacts)) if self._calibrated() else 0
        return counts

    def read_forecast(self, path: str | Path) -> pd.DataFrame:
        """A forecast produced elsewhere (``interval_start, channel, offered, aht_s``), checked against
        the scenario: every channel present, rows on the scenario's interval grid (:func:`planner.io.read_forecast`)."""
        return read_forecast(path, tz=self.config.timezone, interval_s=self.config.interval_s,
                             channels=list(self.config.channels))

    def backtest(self, *, models=("default", "seasonal_naive", "week_average"), horizon="1D",
                 n_windows: int = 14, progress=None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rolling-origin backtest on the scenario's history: (long frame, accuracy per channel x model)."""
        history = self.read_history()
        events = self.read_events(history)
        frame = backtest(history, models=models, horizon=horizon, n_windows=n_windows, events=events,
                         models_dir=_models_dir(self.config.path), progress=progress)
        return frame, accuracy(frame, history)

    # --- outputs ---------------------------------------------------------------------------

    def inputs(self) -> list[Path]:
        """Every file the run reads: scenario files, history, events, the model spec."""
        files = [*self.config.files, *(p for p in (self.config.history, self.config.contacts, self.config.messages)
                                        if p is not None)]
        if self.config.events is not None:
            files.append(self.config.events)
        spec = _models_dir(self.config.path)
        if spec is not None and (spec / f"{self.config.model}.toml").exists():
            files.append(spec / f"{self.config.model}.toml")
        return files

    def manifest(self, result: RunResult) -> dict:
        """What the run used, so it can be reproduced: hashes, versions, seed, timings."""
        return {
            "scenario": self.name,
            "scenario_file": str(self.config.path),
            "inputs": {str(path): _sha256(path) for path in self.inputs()},
            "model": self.config.model,
            "seed": self.config.seed,
            "packages": _versions(),
            "rows": {"history": len(result.history), "forecast": len(result.forecast), "plan": len(result.plan)},
            "timings_s": {k: round(v, 3) for k, v in result.timings.items()},
        }

    def write(self, result: RunResult, out: str | Path, *, xlsx: bool = False,
              progress: Progress | None = None, extra_inputs: list[Path] = (), force: bool = False) -> Path:
        """Write every output into ``out`` atomically (all files or none); returns the folder.

        The files and the report are :func:`planner.report.publish.write_run`'s; ``extra_inputs``
        (e.g. a forecast file read instead of forecasting) are protected and hashed in the manifest.
        """
        def manifest(result: RunResult) -> dict:
            record = self.manifest(result)
            record["inputs"].update({str(p): _sha256(p) for p in extra_inputs})
            return record

        return write_run(result, out, config=self.config, title=self.name,
                         specs=self.channel_specs(result.calibration), protect=[*self.inputs(), *extra_inputs],
                         manifest=manifest, xlsx=xlsx, progress=progress, force=force)
