"""A channel's table in a scenario file: the keys each kind may hold, and their checks.

:func:`channel_settings` turns ``channels.NAME`` into checked settings (durations in seconds,
shares as fractions, required keys present); :class:`Checker` raises every problem as
``file: key.path: message`` with the file that set the key. :mod:`planner.config` reads the
whole file with them.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any

from planner.errors import InputError, SpecError
from planner.schema import SHARE_RULE, check_rule, did_you_mean, parse_duration_s, parse_share

__all__ = ["Checker", "channel_settings", "staffing_rule", "CHANNEL_KEYS", "FROM_HISTORY", "CALIBRATED_KEYS",
           "SHARE_KEYS", "REQUIRED_KEYS", "BLEND_KEYS"]

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
#: Channel keys that hold a share: a fraction (0.8) or a percent (80, "80%"); see :func:`planner.schema.parse_share`.
SHARE_KEYS = {"target_service_level", "max_occupancy", "shrinkage", "max_abandon_rate"}
#: Keys a channel must have, by kind, with an example for the error message.
REQUIRED_KEYS = {
    "voice": {"target_service_level": "0.80 (80% answered within threshold_s)", "threshold_s": "20 (seconds)"},
    "chat": {"target_service_level": "0.80 (80% answered within threshold_s)", "threshold_s": "40 (seconds)"},
    "deferred": {"deadline_s": "\"4h\" (every item answered within 4 hours)"},
}
#: Keys of a ``staffing_rule = { rule = "chance", confidence = 0.9 }`` table.
RULE_KEYS = {"rule", "confidence"}
#: A channel value estimated from the scenario's contact log (``contacts``) at run time.
FROM_HISTORY = "from-history"
#: Channel keys that may say :data:`FROM_HISTORY`.
CALIBRATED_KEYS = {"patience_s", "aht_growth", "aht_concurrency"}


class Checker:
    """Type and unit checks that raise ``file: key.path: message``."""

    def __init__(self, origin: dict, default: Path):
        self.origin = origin
        self.default = default

    def fail(self, keys: tuple[str, ...], message: str, *, at: tuple[str, ...] | None = None):
        """Raise ``file: key.path: message``; the file is the one that set ``at`` (default: ``keys``)."""
        source = self.origin.get(at or keys, self.default)
        raise SpecError(f"{source}: {'.'.join(keys)}: {message}")

    def share(self, value, keys) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fail(keys, f"expected a share, got {value!r}; {SHARE_RULE}")
        try:
            return parse_share(value, name=keys[-1])
        except InputError as error:
            self.fail(keys, str(error).split(": ", 1)[-1])

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


def _segments(check: Checker, table, keys: tuple[str, ...]) -> dict[str, dict[str, Any]]:
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


def _outbound_value(check: Checker, key: str, value, where: tuple[str, ...]):
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


def channel_settings(check: Checker, name: str, table) -> dict[str, Any]:
    """Check one channel's table (``channels.NAME``) into its settings: kind, units, shares, required keys."""
    keys = ("channels", name)
    if not isinstance(table, dict):
        check.fail(keys, "expected a table such as { kind = \"voice\", target_service_level = 0.8, threshold_s = 20 }")
    kind = table.get("kind")
    if kind not in CHANNEL_KEYS:
        check.fail((*keys, "kind"), f"expected one of {', '.join(CHANNEL_KEYS)}, got {kind!r}")
    check.keys(table, CHANNEL_KEYS[kind] | {"kind"}, keys)
    for key, example in REQUIRED_KEYS.get(kind, {}).items():
        if key not in table and not (key != "deadline_s" and "segments" in table):  # segments carry their own
            check.fail((*keys, key), f"missing: a {kind} channel needs {key}; add {key} = {example}", at=keys)
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
        elif key in SHARE_KEYS:
            settings[key] = check.share(value, where)
        elif key.endswith("_s"):
            settings[key] = check.seconds(value, where, positive=key == "deadline_s")
        elif key == "business_hours":
            if not isinstance(value, bool):
                check.fail(where, f"expected true or false, got {value!r}")
            settings[key] = value
        elif key in ("method", "open_days", "open_hours"):
            settings[key] = check.text(value, where)
        elif key == "staffing_rule":
            settings["staffing_rule"], settings["confidence"] = staffing_rule(check, value, where)
        elif key == "concurrency":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                check.fail(where, f"expected a whole number >= 1, got {value!r}")
            settings[key] = value
        else:
            settings[key] = check.number(value, where)
    return settings


def staffing_rule(check: Checker, value, keys: tuple[str, ...]) -> tuple[str, float | None]:
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


