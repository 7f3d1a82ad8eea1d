"""Scenario files (TOML) to frozen dataclasses: extends, deep merge, paths, and errors that point.

A scenario may ``extends = "base.toml"``: tables are deep-merged (the extending file wins key by
key), and every path is relative to the file that names it. Unknown keys are errors with a
did-you-mean, and every error names the file that set the key and the key path:
``scenarios/base.toml: channels.phone.threshold_s: expected seconds >= 0, got -20``.

Values are checked for type and unit here; range rules that belong to a model (a service level in
(0, 1), shrinkage below 1) are checked by the staffing specs, and :func:`locate` turns their
errors into the same ``file: key.path: message`` form.
"""

from __future__ import annotations

import datetime as dt
import copy
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import InputError, SpecError
from planner.exports import ExportMapping
from planner.channel_settings import (BLEND_KEYS, CALIBRATED_KEYS, CHANNEL_KEYS, FROM_HISTORY, Checker, channel_settings,
                                      staffing_rule)
from planner.schema import did_you_mean

__all__ = ["Horizon", "ScenarioConfig", "load_scenario", "build_config", "merge", "locate", "CHANNEL_KEYS", "FROM_HISTORY", "CALIBRATED_KEYS"]

TOP_KEYS = {"name", "description", "extends", "timezone", "interval", "history", "contacts", "messages", "events",
            "holidays", "horizon", "model", "seed", "channels", "adjust", "staffing_rule", "shifts", "schedule",
            "paid_hours_per_day", "paid_days_per_week", "blend", "groups", "capacity", "channel_shift", "launch"}
#: Keys of the long-range tables (planner.capacity_run checks the values, naming file and key).
CAPACITY_KEYS = {"weeks", "harmonics", "level", "alpha", "paths", "rho", "shrinkage_by_month", "shrinkage_by_week",
                 "shared_trainees", "groups"}
SHIFT_KEYS = {"from", "to", "share", "start", "weeks", "aht_s"}
LAUNCH_KEYS = {"name", "like", "start", "ramp_weeks", "new_per_week", "shares", "aht_s", "target_service_level",
               "threshold_s"}
#: Keys of a ``[history]`` table: an ACD export read as it comes (:mod:`planner.exports`).
HISTORY_KEYS = {"path", "timezone", "timestamp_format", "day_first", "handle_time_unit", "columns", "queues"}
HORIZON_KEYS = {"start", "days", "end"}
ADJUST_KEYS = {"offered", "aht"}
PATH_KEYS = {("history",), ("contacts",), ("messages",), ("events",)}  # and history.path


@dataclass(frozen=True)
class Horizon:
    """The planned period: ``start`` (a local date) and ``days`` (whole days)."""

    start: dt.date | None
    days: int


@dataclass(frozen=True)
class ScenarioConfig:
    """A scenario as read from its file(s), values checked for type and unit.

    ``channels`` maps a channel name to its settings (``kind`` plus the keys of
    :data:`CHANNEL_KEYS`, durations in seconds); ``adjust`` maps ``offered``/``aht`` to
    ``{channel: factor}``. ``origin`` maps each key path to the file that set it, for errors.
    The history comes from ``history`` (an interval file) or, without it, from ``contacts`` (a
    contact log, with its ``messages``); channel keys ``patience_s``, ``aht_growth`` and
    ``aht_concurrency`` may be
    ``"from-history"``: estimated from the contact log at run time. ``interval_s`` is None when the
    file leaves ``interval`` out: the history's own length is used. FTE counts
    ``paid_hours_per_day`` [h] a day and ``paid_days_per_week`` days a week.
    """

    path: Path
    name: str
    timezone: str
    interval_s: float | None  # None: the history's own interval length
    history: Path | None
    events: Path | None
    holidays: str | None
    horizon: Horizon
    model: str
    seed: int
    channels: dict[str, dict[str, Any]]
    adjust: dict[str, dict[str, float]]
    files: tuple[Path, ...]
    origin: dict[tuple[str, ...], Path] = field(repr=False, compare=False)
    description: str = ""
    contacts: Path | None = None
    messages: Path | None = None
    shifts: tuple[dict, ...] = ()  # [[shifts]] and [schedule] as written: read by planner.schedule.tables
    schedule: dict[str, Any] = field(default_factory=dict)
    history_format: dict[str, Any] = field(default_factory=dict)  # read_history options of a [history] table
    paid_hours_per_day: float = 8.0
    paid_days_per_week: float = 5.0
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # merged file data, for replace
    groups: dict[str, Any] = field(default_factory=dict)  # [groups] as written: read by planner.multiskill.groups


def _read(path: Path, origin: dict, prefix=()) -> dict:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML: {error}") from None
    _record(data, path, origin, prefix)
    return data


def _record(data: dict, path: Path, origin: dict, prefix=()) -> None:
    for key, value in data.items():
        origin[(*prefix, key)] = path
        if isinstance(value, dict):
            _record(value, path, origin, (*prefix, key))


def merge(base: dict, override: dict) -> dict:
    """``base`` with ``override`` merged in key by key, as ``extends`` does: tables merge, other values
    replace, and ``None`` (from Python) removes a key.

    >>> merge({"channels": {"chat": {"kind": "chat", "concurrency": 3}}}, {"channels": {"chat": {"concurrency": 2}}})
    {'channels': {'chat': {'kind': 'chat', 'concurrency': 2}}}
    """
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve_paths(data: dict, path: Path) -> None:
    for keys in PATH_KEYS:
        if keys[0] in data and isinstance(data[keys[0]], str):
            data[keys[0]] = str((path.parent / data[keys[0]]).resolve())
    history = data.get("history")
    if isinstance(history, dict) and isinstance(history.get("path"), str):
        history["path"] = str((path.parent / history["path"]).resolve())


def _load_chain(path: Path, origin: dict, seen: tuple[Path, ...]) -> tuple[dict, tuple[Path, ...]]:
    path = Path(path)
    if path.resolve() in [p.resolve() for p in seen]:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise SpecError(f"{path}: extends: circular ({chain})")
    data = _read(path, origin)
    _resolve_paths(data, path)
    files = (*seen, path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, files
    if not isinstance(parent, str):
        raise SpecError(f"{path}: extends: expected a file name such as \"base.toml\", got {parent!r}")
    base_origin: dict = {}
    base, files = _load_chain(path.parent / parent, base_origin, files)
    for key, source in base_origin.items():
        origin.setdefault(key, source)
    return merge(base, data), files


def _horizon(check: Checker, value) -> Horizon:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            check.fail(("horizon",), f"expected a whole number of days >= 1, got {value!r}")
        return Horizon(start=None, days=value)
    if not isinstance(value, dict):
        check.fail(("horizon",), "expected a table such as { start = 2026-07-06, days = 28 }")
    check.keys(value, HORIZON_KEYS, ("horizon",))
    start = value.get("start")
    if start is not None and not (isinstance(start, dt.date) and not isinstance(start, dt.datetime)):
        check.fail(("horizon", "start"), f"expected a date such as 2026-07-06 (no quotes), got {start!r}")
    if "days" in value and "end" in value:
        check.fail(("horizon",), "give either days or end, not both")
    if "end" in value:
        end = value["end"]
        if start is None or not isinstance(end, dt.date) or end <= start:
            check.fail(("horizon", "end"), f"expected a date after horizon.start, got {end!r}")
        return Horizon(start=start, days=(end - start).days)
    days = value.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        check.fail(("horizon", "days"), f"expected a whole number of days >= 1, got {days!r}")
    return Horizon(start=start, days=days)


def load_scenario(path: str | Path) -> ScenarioConfig:
    """Read a scenario file (and the files it extends) into a :class:`ScenarioConfig`.

    Raises :class:`planner.errors.SpecError` with ``file: key.path: message`` for any problem.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "base.toml").write_text('''
    ... name = "base"
    ... timezone = "Europe/London"
    ... history = "data/history.csv"
    ... horizon = { start = 2026-07-06, days = 28 }
    ... [channels]
    ... phone = { kind = "voice", target_service_level = 0.8, threshold_s = 20 }
    ... ''')
    >>> _ = (folder / "what-if.toml").write_text('extends = "base.toml"\\n[adjust]\\noffered = { phone = 1.1 }\\n')
    >>> config = load_scenario(folder / "what-if.toml")
    >>> config.name, config.adjust["offered"], config.history.name
    ('base', {'phone': 1.1}, 'history.csv')
    """
    path = Path(path)
    if path.is_dir():
        raise SpecError(f"{path}: is a folder; give a scenario file, e.g. {path / 'base.toml'}")
    origin: dict = {}
    data, files = _load_chain(path, origin, ())
    return build_config(data, path=path, files=files, origin=origin)


def build_config(data: dict, *, path: Path, files: tuple[Path, ...], origin: dict) -> ScenarioConfig:
    """Check a scenario's merged data (paths already resolved) into a :class:`ScenarioConfig`."""
    raw = copy.deepcopy(data)
    check = Checker(origin, path)
    check.keys(data, TOP_KEYS, ())
    for required in ("timezone", "horizon", "channels"):
        if required not in data:
            inside = next((name for name, value in data.items() if isinstance(value, dict) and required in value), None)
            if inside is not None:  # TOML puts every key after a [table] header into that table
                check.fail((required,), f"missing at the top level: it sits inside [{inside}], because TOML puts "
                           f"every key after a [table] header into that table; move {required} = ... above [{inside}]")
            check.fail((required,), "missing; see scenarios/base.toml for an example")
    if "history" not in data and "contacts" not in data:
        check.fail(("history",), "missing; give history (interval counts) or contacts (a contact log); see "
                   "scenarios/base.toml and scenarios/from-contacts.toml")
    if "messages" in data and "contacts" not in data:
        check.fail(("messages",), "a message log needs its contact log: add contacts = \"...\"")
    timezone = check.text(data["timezone"], ("timezone",))
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        check.fail(("timezone",), f"unknown time zone {timezone!r}; use an IANA name such as \"Europe/London\"")
    interval_s = None
    if "interval" in data:  # left out: the history's own interval length
        interval_s = check.seconds(data["interval"], ("interval",), positive=True)
        if interval_s not in (300.0, 900.0, 1800.0, 3600.0):
            check.fail(("interval",), f"expected 5min, 15min, 30min or 1h, got {data.get('interval')!r}")
    history, history_format = _history(check, data.get("history"))
    paid_hours = check.number(data.get("paid_hours_per_day", 8.0), ("paid_hours_per_day",), low=0, low_open=True)
    if paid_hours > 24:
        check.fail(("paid_hours_per_day",), f"expected hours in a day (at most 24), got {paid_hours:g}")
    paid_days = check.number(data.get("paid_days_per_week", 5.0), ("paid_days_per_week",), low=0, low_open=True)
    if paid_days > 7:
        check.fail(("paid_days_per_week",), f"expected days in a week (at most 7), got {paid_days:g}")
    channels = data["channels"]
    if not isinstance(channels, dict) or not channels:
        check.fail(("channels",), "expected at least one channel, e.g. phone = { kind = \"voice\", ... }")
    adjust = data.get("adjust", {})
    if not isinstance(adjust, dict):
        check.fail(("adjust",), "expected a table such as { offered = { phone = 1.1 } }")
    check.keys(adjust, ADJUST_KEYS, ("adjust",))
    factors: dict[str, dict[str, float]] = {}
    for what, table in adjust.items():
        if not isinstance(table, dict):
            check.fail(("adjust", what), "expected a table of channel = factor, e.g. { phone = 1.1 }")
        for channel, factor in table.items():
            if channel not in channels and channel != "*":
                check.fail(("adjust", what, channel), f"unknown channel{did_you_mean(channel, set(channels) | {'*'})}")
            check.number(factor, ("adjust", what, channel), low=0, low_open=True)
        factors[what] = {k: float(v) for k, v in table.items()}
    for name, table in channels.items():
        for key, value in (table.items() if isinstance(table, dict) else ()):
            if value == FROM_HISTORY and "contacts" not in data:
                check.fail(("channels", name, key), f'"{FROM_HISTORY}" needs a contact log to learn from: add '
                           'contacts = "data/contacts.csv.gz" to the scenario')
            if value == FROM_HISTORY and key not in CALIBRATED_KEYS:
                check.fail(("channels", name, key), f'"{FROM_HISTORY}" works for {", ".join(sorted(CALIBRATED_KEYS))} only')
    own_rule = {name for name, table in channels.items() if isinstance(table, dict) and "staffing_rule" in table}
    if "staffing_rule" in data:  # the scenario's rule, for every channel that does not set its own
        rule, confidence = staffing_rule(check, data["staffing_rule"], ("staffing_rule",))
        for table in channels.values():
            if isinstance(table, dict) and "staffing_rule" not in table and table.get("kind") != "outbound" and not (
                    table.get("kind") == "deferred" and rule == "expected"):  # deferred: point or chance
                table["staffing_rule"] = {"rule": rule, "confidence": confidence} if confidence else rule
    blends, blend_of = data.get("blend", []), {}
    if not isinstance(blends, (dict, list)):
        check.fail(("blend",), 'expected [[blend]] tables such as inbound = "phone", outbound = "renewals"')
    for position, pair in enumerate([blends] if isinstance(blends, dict) else blends):
        where = ("blend",) if isinstance(blends, dict) else ("blend", str(position))
        if not isinstance(pair, dict):
            check.fail(("blend",), 'expected [[blend]] tables such as inbound = "phone", outbound = "renewals"')
        check.keys(pair, BLEND_KEYS, where)
        for role, kinds in (("inbound", ("voice",)), ("outbound", ("outbound",))):
            other = pair.get(role)
            if not isinstance(other, str) or other not in channels:
                check.fail((*where, role), f"unknown channel {other!r}{did_you_mean(str(other), set(channels))}")
            if not isinstance(channels[other], dict) or channels[other].get("kind") not in kinds:
                check.fail((*where, role), f"{other} is not {'a voice' if role == 'inbound' else 'an outbound'} "
                           "channel; a blend pairs a voice channel (inbound) with an outbound campaign")
        if "segments" in channels[pair["inbound"]]:
            check.fail((*where, "inbound"), f"{pair['inbound']} has segments; blend an unsegmented voice channel")
        if pair["outbound"] in blend_of:
            check.fail((*where, "outbound"), f"{pair['outbound']} is already blended with {blend_of[pair['outbound']]}")
        blend_of[pair["outbound"]] = pair["inbound"]
        rule = channels[pair["inbound"]].get("staffing_rule", "point")
        if (rule.get("rule") if isinstance(rule, dict) else rule) == "expected":  # no blend counterpart
            inbound = pair["inbound"]
            keys = ("channels", inbound, "staffing_rule") if inbound in own_rule else ("staffing_rule",)
            check.fail(keys, f'"expected" is not available for {inbound}, which is blended with {pair["outbound"]} '
                       "(its pool and idle threshold would both have to follow the rate's distribution); give "
                       f'channels.{inbound} staffing_rule = "point" or {{ rule = "chance", confidence = 0.9 }}')
    _long_range(check, data, channels)
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        check.fail(("seed",), f"expected a whole number >= 0, got {seed!r}")
    holidays = data.get("holidays")
    if holidays is not None and holidays is not False:
        holidays = check.text(holidays, ("holidays",))
    return ScenarioConfig(
        path=path,
        name=check.text(data.get("name", path.stem), ("name",)),
        description=data.get("description", ""),
        timezone=timezone,
        interval_s=interval_s,
        history=history,
        history_format=history_format,
        paid_hours_per_day=paid_hours,
        paid_days_per_week=paid_days,
        raw=raw,
        contacts=Path(check.text(data["contacts"], ("contacts",))) if "contacts" in data else None,
        messages=Path(check.text(data["messages"], ("messages",))) if "messages" in data else None,
        events=Path(check.text(data["events"], ("events",))) if "events" in data else None,
        holidays=holidays or None,
        horizon=_horizon(check, data["horizon"]),
        model=check.text(data.get("model", "default"), ("model",)),
        seed=seed,
        channels={name: {**channel_settings(check, name, table), **({"blend": blend_of[name]} if name in blend_of else {})}
                  for name, table in channels.items()},
        adjust=factors,
        shifts=tuple(shifts) if isinstance(shifts := data.get("shifts", []), list) else shifts,
        schedule=data.get("schedule", {}),
        groups=data.get("groups", {}),
        files=tuple(files),
        origin=origin,
    )


def _history(check: Checker, value) -> tuple[Path | None, dict[str, Any]]:
    """``history = "file.csv"`` or a ``[history]`` table (an export read as it comes) -> (path, read options)."""
    if value is None:
        return None, {}
    if not isinstance(value, dict):
        return Path(check.text(value, ("history",))), {}
    check.keys(value, HISTORY_KEYS, ("history",))
    if "path" not in value:
        check.fail(("history", "path"), "missing; the export's file, e.g. path = \"data/export.csv\"")
    options = {k: value[k] for k in ("timestamp_format", "day_first", "handle_time_unit", "columns", "queues")
               if k in value}
    if "timezone" in value:
        zone = check.text(value["timezone"], ("history", "timezone"))
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            check.fail(("history", "timezone"), f"unknown time zone {zone!r}; use an IANA name such as \"America/New_York\"")
        options["tz"] = zone
    try:
        ExportMapping(**{k: v for k, v in options.items() if k != "tz"})
    except InputError as error:
        where, _, message = str(error).partition(": ")
        check.fail(tuple(where.split(".")), message)
    return Path(check.text(value["path"], ("history", "path"))), options


def _long_range(check: Checker, data: dict, channels: dict) -> None:
    """Keys and shares of ``[capacity]``, ``[channel_shift]`` and ``[launch]`` (values: planner.capacity_run)."""
    for key, allowed in (("capacity", CAPACITY_KEYS), ("channel_shift", SHIFT_KEYS), ("launch", LAUNCH_KEYS)):
        table = data.get(key, {})
        if not isinstance(table, dict):
            check.fail((key,), "expected a table; see README, Long-range capacity plans")
        check.keys(table, allowed, (key,))
    shift, launch = data.get("channel_shift", {}), data.get("launch", {})
    for role in ("from", "to"):
        if shift and shift.get(role) not in channels:
            check.fail(("channel_shift", role), f"unknown channel {shift.get(role)!r}{did_you_mean(str(shift.get(role)), set(channels))}")
    if shift:
        check.share(shift.get("share"), ("channel_shift", "share"))
    if launch and (not isinstance(launch.get("name"), str) or launch["name"] in channels):
        check.fail(("launch", "name"), f"expected the new channel's name, not one of the scenario's channels, got {launch.get('name')!r}")
    if launch and launch.get("like") not in channels:
        check.fail(("launch", "like"), f"expected the channel whose intraday shape and kind the new one takes, got "
                   f"{launch.get('like')!r}{did_you_mean(str(launch.get('like')), set(channels))}")
    shares = launch.get("shares", {})
    for name, value in (shares.items() if isinstance(shares, dict) else ()):
        if name not in channels:
            check.fail(("launch", "shares", name), f"unknown channel{did_you_mean(name, set(channels))}")
        check.share(value, ("launch", "shares", name))


def locate(config: ScenarioConfig, keys: tuple[str, ...], message: str) -> SpecError:
    """A :class:`SpecError` ``file: key.path: message`` for a value found wrong after loading."""
    source = config.origin.get(keys, config.path)
    return SpecError(f"{source}: {'.'.join(keys)}: {message}")
