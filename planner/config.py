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
import difflib
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import InputError, SpecError
from planner.schema import check_rule, did_you_mean, parse_duration_s

__all__ = ["Horizon", "ScenarioConfig", "load_scenario", "locate", "CHANNEL_KEYS", "FROM_HISTORY", "CALIBRATED_KEYS"]

#: Keys a channel table may hold, by kind (beyond ``kind`` itself).
CHANNEL_KEYS = {
    "voice": {"target_service_level", "threshold_s", "patience_s", "max_occupancy", "max_abandon_rate",
              "shrinkage", "method", "staffing_rule", "segments"},
    "chat": {"target_service_level", "threshold_s", "patience_s", "max_occupancy", "max_abandon_rate",
             "shrinkage", "method", "concurrency", "aht_growth", "aht_concurrency", "staffing_rule", "segments"},
    "deferred": {"deadline_s", "business_hours", "target_service_level", "opening_backlog", "max_occupancy",
                 "shrinkage", "open_days", "open_hours", "staffing_rule"},
    "outbound": {"list_size", "attempts_per_record", "rpc_rate", "connect_rate", "dialler", "dials_per_hour",
                 "aht_s", "calling_window", "calling_days", "timezone", "start", "deadline", "max_drop_rate",
                 "shrinkage"},
}
#: Keys that were renamed: old key -> what to write instead.
RENAMED = {"service_quantile": "target_service_level (the share of items answered within deadline_s, "
                               "default 0.99; the safety is sized to reach it)"}
#: Keys an outbound campaign must have, with an example of each.
OUTBOUND_REQUIRED = {"list_size": "list_size = 12000 (records to call)", "dials_per_hour": "dials_per_hour = 25",
                     "aht_s": "aht_s = \"5min\" (talk and wrap of a live connect)", "rpc_rate": "rpc_rate = 0.35",
                     "deadline": "deadline = 2026-07-31"}
SEGMENT_KEYS = {"share", "target_service_level", "threshold_s", "patience_s"}
BLEND_KEYS = {"inbound", "outbound"}
TOP_KEYS = {"name", "description", "extends", "timezone", "interval", "history", "contacts", "messages", "events",
            "holidays", "horizon", "model", "seed", "channels", "adjust", "staffing_rule", "shifts", "schedule",
            "blend"}
#: Keys of a ``staffing_rule = { rule = "chance", confidence = 0.9 }`` table.
RULE_KEYS = {"rule", "confidence"}
HORIZON_KEYS = {"start", "days", "end"}
ADJUST_KEYS = {"offered", "aht"}
PATH_KEYS = {("history",), ("contacts",), ("messages",), ("events",)}
#: A channel value estimated from the scenario's contact log (``contacts``) at run time.
FROM_HISTORY = "from-history"
#: Channel keys that may say :data:`FROM_HISTORY`.
CALIBRATED_KEYS = {"patience_s", "aht_growth", "aht_concurrency"}


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
    ``"from-history"``: estimated from the contact log at run time.
    """

    path: Path
    name: str
    timezone: str
    interval_s: float
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


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve_paths(data: dict, path: Path) -> None:
    for keys in PATH_KEYS:
        if keys[0] in data and isinstance(data[keys[0]], str):
            data[keys[0]] = str((path.parent / data[keys[0]]).resolve())


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
    return _merge(base, data), files


class _Checker:
    """Type and unit checks that raise ``file: key.path: message``."""

    def __init__(self, origin: dict, default: Path):
        self.origin = origin
        self.default = default

    def fail(self, keys: tuple[str, ...], message: str):
        source = self.origin.get(keys, self.default)
        raise SpecError(f"{source}: {'.'.join(keys)}: {message}")

    def keys(self, table: dict, allowed: set, prefix: tuple[str, ...]) -> None:
        for key in table:
            if key in RENAMED and key not in allowed:
                self.fail((*prefix, key), f"replaced by {RENAMED[key]}")
            if key not in allowed:
                self.fail((*prefix, key), f"unknown key{did_you_mean(key, allowed)}")

    def text(self, value, keys) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(keys, f"expected text, got {value!r}")
        return value

    def number(self, value, keys, *, low=None, low_open=False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(keys, f"expected a number, got {value!r}")
        if low is not None and (value < low or (low_open and value == low)):
            self.fail(keys, f"expected a number {'>' if low_open else '>='} {low:g}, got {value!r}")
        return float(value)

    def seconds(self, value, keys, *, positive=False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fail(keys, f"expected seconds (a number, or text such as \"4h\"), got {value!r}")
        try:
            seconds = parse_duration_s(value, name=keys[-1])
        except InputError as error:
            self.fail(keys, str(error).split(": ", 1)[-1])
        if positive and seconds <= 0:
            self.fail(keys, f"expected seconds > 0, got {value!r}")
        return seconds


def _segments(check: _Checker, table, keys: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """``segments = { vip = { share = 0.25, ... }, ... }``: checked tables, shares summing to 1."""
    if not isinstance(table, dict) or not table:
        check.fail(keys, "expected a table of segments, highest priority first, such as { vip = { share = 0.25, "
                   "target_service_level = 0.95, threshold_s = 10 }, standard = { share = 0.75 } }")
    out = {}
    for name, segment in table.items():
        where = (*keys, name)
        if not isinstance(segment, dict):
            check.fail(where, "expected a table such as { share = 0.25, target_service_level = 0.95, threshold_s = 10 }")
        check.keys(segment, SEGMENT_KEYS, where)
        if "share" not in segment:
            check.fail((*where, "share"), "missing; give the segment's share of the channel's contacts, e.g. share = 0.25")
        out[name] = {key: check.seconds(value, (*where, key)) if key.endswith("_s") else check.number(value, (*where, key))
                     for key, value in segment.items()}
        if not 0 < out[name]["share"] <= 1:
            check.fail((*where, "share"), f"expected a share in (0, 1], got {segment['share']!r}")
    total = sum(segment["share"] for segment in out.values())
    if abs(total - 1.0) > 1e-9:
        shares = ", ".join(f"{name} {segment['share']:g}" for name, segment in out.items())
        check.fail(keys, f"the shares add up to {total:g} ({shares}), not 1; each is the segment's share of the "
                   "channel's contacts")
    return out


def _outbound_value(check: _Checker, key: str, value, where: tuple[str, ...]):
    if key == "list_size":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            check.fail(where, f"expected a whole number of records >= 1, got {value!r}")
        return value
    if key in ("rpc_rate", "connect_rate"):
        if isinstance(value, dict):
            return {hour: check.number(rate, (*where, hour)) for hour, rate in value.items()}
        return check.number(value, where)
    if key in ("start", "deadline"):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            check.fail(where, f"expected a date such as 2026-07-31 (no quotes), got {value!r}")
        return value
    if key in ("dialler", "calling_window", "calling_days", "timezone"):
        return check.text(value, where)
    return check.seconds(value, where, positive=True) if key == "aht_s" else check.number(value, where)


def _channel(check: _Checker, name: str, table, origin_path) -> dict[str, Any]:
    keys = ("channels", name)
    if not isinstance(table, dict):
        check.fail(keys, "expected a table such as { kind = \"voice\", target_service_level = 0.8, threshold_s = 20 }")
    kind = table.get("kind")
    if kind not in CHANNEL_KEYS:
        check.fail((*keys, "kind"), f"expected one of {', '.join(CHANNEL_KEYS)}, got {kind!r}")
    check.keys(table, CHANNEL_KEYS[kind] | {"kind"}, keys)
    settings: dict[str, Any] = {"kind": kind}
    if kind == "outbound":
        for key, example in OUTBOUND_REQUIRED.items():
            if key not in table:
                check.fail((*keys, key), f"missing; an outbound campaign needs it, e.g. {example}")
    for key, value in table.items():
        where = (*keys, key)
        if key == "kind":
            continue
        if key == "segments":
            settings[key] = _segments(check, value, where)
            continue
        if kind == "outbound":
            settings[key] = _outbound_value(check, key, value, where)
            continue
        if value == FROM_HISTORY and key in CALIBRATED_KEYS:
            settings[key] = FROM_HISTORY
        elif key in CALIBRATED_KEYS and isinstance(value, str) and difflib.get_close_matches(value, [FROM_HISTORY]):
            check.fail(where, f"unknown value {value!r}{did_you_mean(value, [FROM_HISTORY])}; write a number "
                       f'or "{FROM_HISTORY}" to learn it from the contact log')
        elif key.endswith("_s"):
            settings[key] = check.seconds(value, where, positive=key == "deadline_s")
        elif key == "business_hours":
            if not isinstance(value, bool):
                check.fail(where, f"expected true or false, got {value!r}")
            settings[key] = value
        elif key in ("method", "open_days", "open_hours"):
            settings[key] = check.text(value, where)
        elif key == "staffing_rule":
            settings["staffing_rule"], settings["confidence"] = _rule(check, value, where)
        elif key == "concurrency":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                check.fail(where, f"expected a whole number >= 1, got {value!r}")
            settings[key] = value
        else:
            settings[key] = check.number(value, where)
    return settings


def _rule(check: _Checker, value, keys: tuple[str, ...]) -> tuple[str, float | None]:
    """``staffing_rule = "expected"`` or ``{ rule = "chance", confidence = 0.9 }`` -> (rule, confidence)."""
    if isinstance(value, dict):
        check.keys(value, RULE_KEYS, keys)
        if "rule" not in value:
            check.fail((*keys, "rule"), 'missing; write { rule = "chance", confidence = 0.9 }')
        rule, confidence = value["rule"], value.get("confidence")
    else:
        rule, confidence = value, None
    try:
        return check_rule(rule, confidence, "staffing_rule")
    except SpecError as error:
        check.fail(keys, str(error).split(": ", 1)[-1])


def _horizon(check: _Checker, value) -> Horizon:
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
    origin: dict = {}
    data, files = _load_chain(path, origin, ())
    check = _Checker(origin, path)
    check.keys(data, TOP_KEYS, ())
    for required in ("timezone", "horizon", "channels"):
        if required not in data:
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
    interval_s = check.seconds(data.get("interval", "15min"), ("interval",), positive=True)
    if interval_s not in (300.0, 900.0, 1800.0, 3600.0):
        check.fail(("interval",), f"expected 5min, 15min, 30min or 1h, got {data.get('interval')!r}")
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
        rule, confidence = _rule(check, data["staffing_rule"], ("staffing_rule",))
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
        history=Path(check.text(data["history"], ("history",))) if "history" in data else None,
        contacts=Path(check.text(data["contacts"], ("contacts",))) if "contacts" in data else None,
        messages=Path(check.text(data["messages"], ("messages",))) if "messages" in data else None,
        events=Path(check.text(data["events"], ("events",))) if "events" in data else None,
        holidays=holidays or None,
        horizon=_horizon(check, data["horizon"]),
        model=check.text(data.get("model", "default"), ("model",)),
        seed=seed,
        channels={name: {**_channel(check, name, table, path), **({"blend": blend_of[name]} if name in blend_of else {})}
                  for name, table in channels.items()},
        adjust=factors,
        shifts=tuple(shifts) if isinstance(shifts := data.get("shifts", []), list) else shifts,
        schedule=data.get("schedule", {}),
        files=tuple(files),
        origin=origin,
    )


def locate(config: ScenarioConfig, keys: tuple[str, ...], message: str) -> SpecError:
    """A :class:`SpecError` ``file: key.path: message`` for a value found wrong after loading."""
    source = config.origin.get(keys, config.path)
    return SpecError(f"{source}: {'.'.join(keys)}: {message}")
