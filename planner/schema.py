"""Column names, units and argument checks shared by every layer.

Units are explicit: durations in seconds (``*_s``), rates per second (``*_per_s``), loads in
Erlangs (``load_erlangs``), fractions in [0, 1]. Human-friendly durations such as ``"3min"`` are
turned into seconds here, and nowhere else.
"""

from __future__ import annotations

import difflib
import math
import re
import zoneinfo

import numpy as np

from planner.errors import InputError, SpecError

__all__ = [
    "RULES",
    "check_rule",
    "SECONDS_PER",
    "did_you_mean",
    "parse_duration_s",
    "parse_share",
    "SHARE_RULE",
    "check_array",
    "check_fraction",
    "HISTORY_REQUIRED",
    "HISTORY_OPTIONAL",
    "HISTORY_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_EFFECTS",
    "ALL_CHANNELS",
    "INTERVALS_S",
    "TRUE_TEXT",
    "FALSE_TEXT",
    "describe_interval",
    "check_timezone",
    "iso_wall_times",
]

#: Seconds per unit for the duration suffixes planner accepts.
SECONDS_PER = {
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
}

_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z]*)\s*$")


def did_you_mean(word: str, options) -> str:
    """Message tail for an unknown name: `` (did you mean 'x'?)``, else the list of valid names.

    >>> did_you_mean("threshhold_s", {"threshold_s", "patience_s"})
    " (did you mean 'threshold_s'?)"
    """
    close = difflib.get_close_matches(word, sorted(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f"; expected one of {', '.join(sorted(options)) or 'none'}"


def parse_duration_s(value: str | float | int, *, name: str = "duration") -> float:
    """Return a duration in seconds from ``20``, ``"20"``, ``"20s"``, ``"3min"``, ``"1.5h"`` or ``"1d"``.

    A bare number means seconds. Minutes must be written ``min`` (``m`` is refused as ambiguous).

    >>> parse_duration_s("3min")
    180.0
    >>> parse_duration_s(20)
    20.0
    """
    if isinstance(value, bool):
        raise InputError(f"{name}: expected a duration such as 20s, 3min or 1h, got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise InputError(
                f"{name}: cannot read {value!r} as a duration; write a number of seconds "
                "or a number with a unit: 20, 20s, 3min, 1.5h, 1d"
            )
        number, unit = match.groups()
        unit = unit.lower()
        if unit and unit not in SECONDS_PER:
            hint = " (write 'min' for minutes)" if unit == "m" else ""
            raise InputError(
                f"{name}: unknown time unit {unit!r} in {value!r}{hint}; "
                f"use one of s, min, h, d"
            )
        seconds = float(number) * SECONDS_PER.get(unit, 1.0)
    if not math.isfinite(seconds) or seconds < 0:
        raise InputError(f"{name}: expected a duration >= 0, got {value!r}")
    return seconds


def _describe(bound: float, inclusive: bool, above: bool) -> str:
    if above:
        return f">= {bound:g}" if inclusive else f"> {bound:g}"
    return f"<= {bound:g}" if inclusive else f"< {bound:g}"


def check_array(
    name: str,
    value,
    *,
    low: float | None = None,
    low_inclusive: bool = True,
    high: float | None = None,
    high_inclusive: bool = True,
    allow_inf: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float array, or raise :class:`InputError` naming ``name``.

    Rejects NaN, infinities (unless ``allow_inf``) and values outside the given bounds; the message
    gives the first offending value and its position so the user can find it.
    """
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name}: expected numbers, got {value!r}") from None
    bad = np.isnan(array)
    if not allow_inf:
        bad |= np.isinf(array)
    if low is not None:
        bad |= (array < low) if low_inclusive else (array <= low)
    if high is not None:
        bad |= (array > high) if high_inclusive else (array >= high)
    if bad.any():
        position = np.argwhere(bad)[0]
        where = "" if array.ndim == 0 else f" at index {tuple(int(i) for i in position) if array.ndim > 1 else int(position[0])}"
        wanted = []
        if low is not None:
            wanted.append(_describe(low, low_inclusive, above=True))
        if high is not None:
            wanted.append(_describe(high, high_inclusive, above=False))
        rule = " and ".join(wanted)
        kind = "a number" if allow_inf else "a finite number"
        got = float(array[tuple(position)])
        raise InputError(f"{name}: expected {kind}{' ' + rule if rule else ''}, got {got:g}{where}")
    return array


def check_targets(target_service_level, max_occupancy, max_abandon_rate=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked staffing targets: the service level in (0, 1), the occupancy cap in (0, 1] and the
    optional abandonment cap in (0, 1] (``inf`` when not given)."""
    target = check_fraction("target_service_level", target_service_level)
    max_occ = check_array("max_occupancy", max_occupancy, low=0.0, low_inclusive=False, high=1.0)
    max_ab = (
        np.array(np.inf)
        if max_abandon_rate is None
        else check_array("max_abandon_rate", max_abandon_rate, low=0.0, low_inclusive=False, high=1.0)
    )
    return target, max_occ, max_ab


def check_fraction(name: str, value, *, open_low: bool = True, open_high: bool = True) -> np.ndarray:
    """Return ``value`` as an array of fractions, checked to lie in (0, 1) (ends per the flags)."""
    return check_array(
        name, value, low=0.0, low_inclusive=not open_low, high=1.0, high_inclusive=not open_high
    )


_TARGET = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(%?)\s*/\s*(.+?)\s*$")


#: How shares are written everywhere (targets, occupancy, shrinkage, confidence), for error messages.
SHARE_RULE = "a share is a fraction such as 0.8 or a percent such as 80 or \"80%\" (numbers above 1 are percents)"


def parse_share(value, *, name: str) -> float:
    """A share [fraction in 0..1] written as a fraction (``0.8``), a percent (``80``) or text (``"80%"``).

    One rule everywhere (scenario files, the command line, the API): a number above 1 is a percent,
    at most 100; ``1`` is 100%. Raises :class:`~planner.errors.InputError` naming ``name`` and the rule.

    >>> parse_share(0.8, name="shrinkage"), parse_share(80, name="shrinkage"), parse_share("30%", name="shrinkage")
    (0.8, 0.8, 0.3)
    """
    text = value.strip() if isinstance(value, str) else None
    percent = text is not None and text.endswith("%")
    try:
        number = float(text.rstrip("%").strip()) if text is not None else value
    except ValueError:
        number = None
    if isinstance(number, bool) or not isinstance(number, (int, float)) or math.isnan(number):
        raise InputError(f"{name}: expected a share, got {value!r}; {SHARE_RULE}")
    if percent or number > 1:
        if not 0 <= number <= 100:
            raise InputError(f"{name}: {value!r} is not a share: a percent is at most 100; {SHARE_RULE}")
        number /= 100.0
    if number < 0:
        raise InputError(f"{name}: expected a share >= 0, got {value!r}; {SHARE_RULE}")
    return float(number)


def parse_target(text: str, *, name: str = "target") -> tuple[float, float]:
    """Return ``(target_service_level, threshold_s)`` from ``"80/20"``, ``"80%/20s"`` or ``"0.9/1min"``.

    The first number is a share (:func:`parse_share`: a percent when above 1 or written with %,
    else a fraction); the second is a duration (bare numbers are seconds).

    >>> parse_target("80/20")
    (0.8, 20.0)
    >>> parse_target("0.95/1min")
    (0.95, 60.0)
    """
    match = _TARGET.match(str(text))
    if not match:
        raise InputError(
            f"{name}: cannot read {text!r}; write service level / threshold, e.g. 80/20 "
            "(80% answered within 20 s) or 90/30s"
        )
    level, percent, threshold = match.groups()
    value = parse_share(level + percent, name=name)
    if value >= 1:
        raise InputError(f"{name}: {level}{percent} means 100%, which cannot be planned for customers who wait; "
                         "write e.g. 99/20 or 0.99/20 (numbers above 1 are percents)")
    if value <= 0:
        raise InputError(f"{name}: service level must be above 0%, got {level}{percent}")
    return value, parse_duration_s(threshold, name=f"{name} threshold")


# --- Frames (docs/design.md section 3) --------------------------------------------------------------

#: Columns of the history frame every file must have, and the optional ones, in frame order.
HISTORY_REQUIRED = ("interval_start", "channel", "offered")
HISTORY_OPTIONAL = ("handled", "abandoned", "aht_s")
HISTORY_COLUMNS = HISTORY_REQUIRED + HISTORY_OPTIONAL

#: Columns of the events calendar, in frame order, and the effects an event may have.
EVENT_COLUMNS = ("name", "kind", "start", "end", "channel", "effect", "value")
EVENT_EFFECTS = ("learn", "multiply", "exclude", "closed")

#: ``channel`` value of an event that applies to every channel.
ALL_CHANNELS = "*"

#: How a true/false cell may be written in any input file (lower case; empty is handled by the reader).
TRUE_TEXT = ("true", "1", "1.0", "yes")
FALSE_TEXT = ("false", "0", "0.0", "no")

#: Interval lengths planner works with [s]: 5, 15, 30 and 60 minutes.
INTERVALS_S = (300.0, 900.0, 1800.0, 3600.0)


def describe_interval(interval_s: float) -> str:
    """Return ``"15-minute"`` style text for an interval length in seconds.

    >>> describe_interval(900.0)
    '15-minute'
    """
    return f"{interval_s / 60:g}-minute"


def check_timezone(tz, *, name: str = "tz") -> str:
    """Return ``tz`` if it names an IANA time zone, else raise :class:`InputError` with a did-you-mean.

    >>> check_timezone("Europe/London")
    'Europe/London'
    """
    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        close = difflib.get_close_matches(str(tz), sorted(zoneinfo.available_timezones()), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"{name}: unknown time zone {tz!r}{hint}; use an IANA name such as 'Europe/London'") from None
    return str(tz)


def iso_wall_times(values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Wall-clock times [ns] and UTC offsets [min] (None if naive) of same-length ISO 8601 strings.

    The vectorised path of :mod:`planner.io`'s time parser for the common export (every time
    written alike, e.g. ``2026-05-25T09:15:03.250+01:00``), several times faster than pandas;
    ``None`` when the strings are not all alike or numpy cannot read them (the checked parser then
    reports the row and column). ``values``: an object array of str.

    >>> wall, offset = iso_wall_times(np.array(["2026-03-29T03:00:00+01:00"], dtype=object))
    >>> str(wall.astype("M8[ns]")[0]), offset.tolist()
    ('2026-03-29T03:00:00.000000000', [60])
    """
    try:
        text = values.astype("U")
    except (TypeError, ValueError):
        return None
    length = np.char.str_len(text)
    width = int(length[0]) if length.size else 0
    if width < 10 or length.min() != length.max():
        return None
    chars = text.view("U1").reshape(text.size, -1)[:, :width]
    offset = None
    if width > 16 and (chars[:, width - 3] == ":").all() and np.isin(chars[:, width - 6], ("+", "-")).all():
        digits = np.ascontiguousarray(chars[:, [width - 5, width - 4, width - 2, width - 1]]).view(np.int32) - 48
        if ((digits < 0) | (digits > 9)).any():
            return None
        sign = np.where(chars[:, width - 6] == "-", -1, 1)
        offset = sign * ((digits[:, 0] * 10 + digits[:, 1]) * 60 + digits[:, 2] * 10 + digits[:, 3])
        width -= 6
    elif np.isin(chars[:, width - 1], ("Z", "z")).all():
        offset, width = np.zeros(text.size, np.int64), width - 1
    elif np.isin(chars, ("+", "Z", "z")).any():
        return None
    base = np.ascontiguousarray(chars[:, :width]).view(f"U{width}").ravel()
    try:
        wall = base.astype("M8[ns]").astype(np.int64)
    except ValueError:
        return None
    return wall, offset


def epoch_ns(times) -> np.ndarray:
    """Integer nanoseconds of date-times, whatever their stored resolution (pandas 3 keeps ``us``).

    UTC nanoseconds since the epoch for zone-aware times, wall-clock nanoseconds for naive ones.

    >>> import pandas as pd
    >>> int(epoch_ns(pd.DatetimeIndex(["1970-01-01 00:00:01"]).as_unit("s"))[0])
    1000000000
    """
    import pandas as pd  # only callers that already hold pandas objects get here

    return pd.DatetimeIndex(times).as_unit("ns").asi8
#: Staffing rules (:mod:`planner.staffing.rules`): the point forecast; the service level expected
#: over the forecast's rate distribution; a chance of meeting the target.
RULES = ("point", "expected", "chance")


def check_rule(rule, confidence, where: str = "staffing_rule") -> tuple[str, float | None]:
    """Check a staffing rule and its confidence; return ``(rule, confidence)``.

    ``confidence`` is required by ``"chance"`` (a probability in (0, 1)) and refused by the others.
    Raises :class:`~planner.errors.SpecError` naming ``where``.

    >>> check_rule("chance", 0.9), check_rule("expected", None)
    (('chance', 0.9), ('expected', None))
    """
    if rule not in RULES:
        hint = did_you_mean(rule, RULES) if isinstance(rule, str) else ""
        raise SpecError(f"{where}: unknown rule {rule!r}{hint}; use \"point\", \"expected\" or "
                        "{ rule = \"chance\", confidence = 0.9 }")
    if rule != "chance":
        if confidence is not None:
            raise SpecError(f"{where}: confidence applies to the \"chance\" rule only, not {rule!r}")
        return rule, None
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0.0 < confidence < 1.0:
        raise SpecError(f"{where}: the chance rule needs a confidence in (0, 1), such as "
                        f"{{ rule = \"chance\", confidence = 0.9 }}; got {confidence!r}")
    return rule, float(confidence)
