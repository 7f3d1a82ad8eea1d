"""Bad input, as users write it: one 'Error:' line naming file and place, exit 1, no output.

Each case starts from a small valid scenario in a temporary folder, breaks one thing, and runs
'planner run' through the real command-line entry point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.cli import cli

SCENARIO = """name = "tiny"
timezone = "Europe/London"
interval = "15min"
history = "history.csv"
events = "events.csv"
holidays = "GB-ENG"
horizon = { start = 2026-07-06, days = 7 }
[channels]
phone = { kind = "voice", target_service_level = 0.8, threshold_s = 20, patience_s = 120, shrinkage = 0.3 }
email = { kind = "deferred", deadline_s = "4h", business_hours = true, open_hours = "08:00-20:00" }
"""
HISTORY = """interval_start,channel,offered,aht_s
2026-07-02T09:00:00+01:00,phone,10,300
2026-07-02T09:15:00+01:00,phone,12,310
2026-07-02T09:00:00+01:00,email,5,400
2026-07-03T09:00:00+01:00,phone,11,305
2026-07-03T09:15:00+01:00,phone,9,290
2026-07-03T09:00:00+01:00,email,4,410
""" + "".join(f"2026-07-0{d}T09:{m:02d}:00+01:00,{c},{5 + d},300\n"  # the rest of a full week
              for d in (4, 5) for c, m in (("phone", 0), ("phone", 15), ("email", 0))) \
    + "".join(f"2026-06-{d}T09:{m:02d}:00+01:00,{c},{d - 20},300\n"
              for d in (28, 29, 30) for c, m in (("phone", 0), ("phone", 15), ("email", 0)))
EVENTS = """name,kind,start,end,channel,effect,value
Summer sale,tv_campaign,2026-07-14,2026-07-16,phone,multiply,1.3
"""


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (file to break, old text, new text, expected start of the message after "Error: ")
CASES = {
    "unknown top-level key": ("scenario.toml", 'holidays =', 'holiday =', "{d}/scenario.toml: holiday: unknown key (did you mean 'holidays'?)"),
    "unknown channel key": ("scenario.toml", "threshold_s = 20", "threshhold_s = 20",
                            "{d}/scenario.toml: channels.phone.threshhold_s: unknown key (did you mean 'threshold_s'?)"),
    "negative threshold": ("scenario.toml", "threshold_s = 20", "threshold_s = -20",
                           "{d}/scenario.toml: channels.phone.threshold_s: expected a duration >= 0, got -20"),
    "target above 100": ("scenario.toml", "target_service_level = 0.8", "target_service_level = 180",
                         "{d}/scenario.toml: channels.phone.target_service_level: 180 is not a share: a percent is at "
                         "most 100; a share is a fraction such as 0.8 or a percent such as 80 or \"80%\" (numbers above "
                         "1 are percents)"),
    "shrinkage of 1": ("scenario.toml", "shrinkage = 0.3", "shrinkage = 1.0",
                       "{d}/scenario.toml: channels.phone.shrinkage: expected < 1, got 1.0"),
    "shrinkage of 100": ("scenario.toml", "shrinkage = 0.3", "shrinkage = 100",
                         "{d}/scenario.toml: channels.phone.shrinkage: expected < 1, got 1.0"),
    "patience in minutes without unit": ("scenario.toml", "patience_s = 120", 'patience_s = "2m"',
                                         "{d}/scenario.toml: channels.phone.patience_s: unknown time unit 'm'"),
    "unknown time zone": ("scenario.toml", 'Europe/London', 'Europe/Londn',
                          "{d}/scenario.toml: timezone: unknown time zone 'Europe/Londn'"),
    "unsupported interval": ("scenario.toml", '"15min"', '"20min"',
                             "{d}/scenario.toml: interval: expected 5min, 15min, 30min or 1h, got '20min'"),
    "zero-day horizon": ("scenario.toml", "days = 7", "days = 0",
                         "{d}/scenario.toml: horizon.days: expected a whole number of days >= 1, got 0"),
    "date in quotes": ("scenario.toml", "start = 2026-07-06", 'start = "6 July"',
                       "{d}/scenario.toml: horizon.start: expected a date such as 2026-07-06 (no quotes), got '6 July'"),
    "history missing": ("scenario.toml", 'history = "history.csv"\n', '', "{d}/scenario.toml: history: missing"),
    "history file not found": ("scenario.toml", 'history.csv', 'histroy.csv', "{d}/histroy.csv: file not found"),
    "unknown channel kind": ("scenario.toml", 'kind = "voice"', 'kind = "phone"',
                             "{d}/scenario.toml: channels.phone.kind: expected one of voice, chat, deferred, outbound, got 'phone'"),
    "deadline of zero": ("scenario.toml", 'deadline_s = "4h"', 'deadline_s = 0',
                         "{d}/scenario.toml: channels.email.deadline_s: expected seconds > 0, got 0"),
    "deadline in weeks": ("scenario.toml", 'deadline_s = "4h"', 'deadline_s = "1 week"',
                          "{d}/scenario.toml: channels.email.deadline_s: unknown time unit 'week'"),
    "bad opening hours": ("scenario.toml", '"08:00-20:00"', '"8am-8pm"',
                          "{d}/scenario.toml: channels.email.open_hours: cannot read '8am-8pm'"),
    "adjusting an unknown channel": ("scenario.toml", "[channels]", '[adjust]\noffered = { chat = 1.1 }\n[channels]',
                                     "{d}/scenario.toml: adjust.offered.chat: unknown channel"),
    "negative adjustment": ("scenario.toml", "[channels]", '[adjust]\naht = { phone = -1 }\n[channels]',
                            "{d}/scenario.toml: adjust.aht.phone: expected a number > 0, got -1"),
    "extends a missing file": ("scenario.toml", 'name = "tiny"', 'extends = "base.toml"',
                               "{d}/base.toml: file not found"),
    "not TOML": ("scenario.toml", 'name = "tiny"', 'name = "tiny', "{d}/scenario.toml: not valid TOML"),
    "unknown holiday country": ("scenario.toml", '"GB-ENG"', '"XX"', "{d}/scenario.toml: holidays: "),
    "channel without history": ("scenario.toml", "[channels]", '[channels]\nchat = { kind = "chat", target_service_level = 0.8, threshold_s = 40 }',
                                "{d}/scenario.toml: channels.chat: no history for this channel"),
    "history without offered": ("history.csv", "interval_start,channel,offered,aht_s", "interval_start,channel,volume,aht_s",
                                "{d}/history.csv:1"),
    "negative count": ("history.csv", "phone,12,310", "phone,-12,310", "{d}/history.csv:3:offered: "),
    "non-numeric count": ("history.csv", "phone,12,310", "phone,twelve,310", "{d}/history.csv:3:offered: "),
    "unreadable date": ("history.csv", "2026-07-02T09:15:00+01:00", "02/07/2026 9.15", "{d}/history.csv:3:interval_start: "),
    "duplicated interval": ("history.csv", "2026-07-02T09:15:00+01:00,phone,12", "2026-07-02T09:00:00+01:00,phone,12",
                            "{d}/history.csv:3:interval_start: duplicate interval"),
    "misaligned time": ("history.csv", "2026-07-02T09:15:00+01:00", "2026-07-02T09:07:00+01:00", "{d}/history.csv:3:interval_start: "),
    "empty history": ("history.csv", HISTORY, "interval_start,channel,offered,aht_s\n", "{d}/history.csv"),
    "unknown history column": ("history.csv", "offered,aht_s", "offered,aht_sec", "{d}/history.csv:1"),
    "negative handle time": ("history.csv", "phone,12,310", "phone,12,-310", "{d}/history.csv:3:aht_s: "),
    "events for an unknown channel": ("events.csv", ",phone,multiply", ",phnoe,multiply",
                                      "{d}/events.csv:2:channel: unknown channel 'phnoe'"),
    "unknown event effect": ("events.csv", "multiply,1.3", "boost,1.3", "{d}/events.csv:2:effect: "),
    "multiply without a factor": ("events.csv", "multiply,1.3", "multiply,", "{d}/events.csv:2:value: "),
    "event ending before it starts": ("events.csv", "2026-07-14,2026-07-16", "2026-07-16,2026-07-14", "{d}/events.csv:2:end: "),
    "unknown staffing rule": ("scenario.toml", "shrinkage = 0.3 }", 'shrinkage = 0.3, staffing_rule = "expectd" }',
                              "{d}/scenario.toml: channels.phone.staffing_rule: unknown rule 'expectd' (did you mean 'expected'?)"),
    "chance confidence above 1": ("scenario.toml", "[channels]", 'staffing_rule = { rule = "chance", confidence = 90 }\n[channels]',
                                  "{d}/scenario.toml: staffing_rule: the chance rule needs a confidence in (0, 1)"),
    "chance confidence of 1": ("scenario.toml", "shrinkage = 0.3 }", 'shrinkage = 0.3, staffing_rule = { rule = "chance", confidence = 1.0 } }',
                               "{d}/scenario.toml: channels.phone.staffing_rule: the chance rule needs a confidence in (0, 1)"),
    "chance without confidence": ("scenario.toml", "[channels]", 'staffing_rule = "chance"\n[channels]',
                                  "{d}/scenario.toml: staffing_rule: the chance rule needs a confidence in (0, 1)"),
    "confidence misspelt": ("scenario.toml", "[channels]", 'staffing_rule = { rule = "chance", confidance = 0.9 }\n[channels]',
                            "{d}/scenario.toml: staffing_rule.confidance: unknown key (did you mean 'confidence'?)"),
    "expected rule for deferred work": ("scenario.toml", 'open_hours = "08:00-20:00" }', 'open_hours = "08:00-20:00", staffing_rule = "expected" }',
                                        "{d}/scenario.toml: channels.email.staffing_rule: \"expected\" is for live channels"),
}
DST_HISTORY = """interval_start,channel,offered,aht_s
2026-10-25 00:45,phone,3,300
2026-10-25 01:00,phone,4,300
2026-10-25 01:00,phone,4,300
2026-10-25 01:00,phone,4,300
"""


def scenario_folder(tmp_path: Path) -> Path:
    for name, text in (("scenario.toml", SCENARIO), ("history.csv", HISTORY), ("events.csv", EVENTS)):
        (tmp_path / name).write_text(text)
    return tmp_path


def invoke(args: list[str], capsys) -> tuple[int, str, str]:
    try:
        cli.main(args=args, prog_name="planner")
        code = 0
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_tiny_scenario_is_valid(tmp_path, capsys):
    folder = scenario_folder(tmp_path)
    code, out, err = invoke(["check", str(folder / "scenario.toml")], capsys)
    assert code == 0, err
    assert out.startswith(f"{folder / 'scenario.toml'}: OK (")


def test_there_are_at_least_thirty_cases():
    assert len(CASES) + 1 >= 30


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_input(case, tmp_path, capsys):
    folder = scenario_folder(tmp_path)
    target, old, new, expected = CASES[case]
    path = folder / target
    path.write_text(replace(path.read_text(), old, new))
    before = {p: p.read_bytes() for p in folder.iterdir()}
    code, out, err = invoke(["run", str(folder / "scenario.toml"), "--out", str(folder / "out")], capsys)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("Error: "), err
    assert err[len("Error: "):].startswith(expected.format(d=folder)), err
    assert "Traceback" not in err
    assert not (folder / "out").exists()
    assert {p: p.read_bytes() for p in folder.iterdir()} == before  # inputs untouched


def test_dst_triplicate_is_an_error(tmp_path, capsys):
    folder = scenario_folder(tmp_path)
    (folder / "history.csv").write_text(DST_HISTORY)
    code, out, err = invoke(["run", str(folder / "scenario.toml"), "--out", str(folder / "out")], capsys)
    assert code == 1 and err.startswith(f"Error: {folder / 'history.csv'}:5:interval_start: "), err
    assert not (folder / "out").exists()
