"""Scenario files: extends with deep merge, relative paths, and errors that point at file and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planner.config import load_scenario
from planner.errors import SpecError

BASE = """
name = "base"
timezone = "Europe/London"
history = "data/history.csv"
events = "data/events.csv"
horizon = { start = 2026-07-06, days = 28 }
[channels]
phone = { kind = "voice", target_service_level = 0.8, threshold_s = 20, patience_s = "2min" }
chat = { kind = "chat", target_service_level = 0.8, threshold_s = 40, concurrency = 3, aht_growth = 0.15 }
email = { kind = "deferred", deadline_s = "4h", business_hours = true, shrinkage = 0.25 }
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "base.toml").write_text(BASE)
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_base_scenario_reads_units_and_paths(folder):
    config = load_scenario(folder / "base.toml")
    assert config.channels["phone"] == {"kind": "voice", "target_service_level": 0.8, "threshold_s": 20.0, "patience_s": 120.0}
    assert config.channels["email"]["deadline_s"] == 14400.0
    assert config.history == (folder / "data" / "history.csv").resolve()
    assert config.horizon.start == dt.date(2026, 7, 6) and config.horizon.days == 28
    assert config.interval_s is None and config.model == "default"  # no interval: the history's own


def test_extends_deep_merges_and_keeps_paths_relative_to_their_file(folder):
    child = write(folder, "what-ifs/chat-2.toml", """
extends = "../base.toml"
name = "chat concurrency 2"
[channels.chat]
concurrency = 2
[adjust]
offered = { phone = 1.1 }
""")
    config = load_scenario(child)
    assert config.name == "chat concurrency 2"
    assert config.channels["chat"] == {"kind": "chat", "target_service_level": 0.8, "threshold_s": 40.0,
                                       "concurrency": 2, "aht_growth": 0.15}
    assert config.history == (folder / "data" / "history.csv").resolve()  # relative to base.toml
    assert config.adjust == {"offered": {"phone": 1.1}}
    assert [p.name for p in config.files] == ["chat-2.toml", "base.toml"]


@pytest.mark.parametrize("text,message", [
    ('extends = "base.toml"\n[channels.phone]\nthreshhold_s = 20\n',
     "{child}: channels.phone.threshhold_s: unknown key (did you mean 'threshold_s'?)"),
    ('extends = "base.toml"\ntimezone = "Europe/Londn"\n',
     "{child}: timezone: unknown time zone 'Europe/Londn'; use an IANA name such as \"Europe/London\""),
    ('extends = "base.toml"\n[channels.phone]\nthreshold_s = "20m"\n',
     "{child}: channels.phone.threshold_s: unknown time unit 'm' in '20m' (write 'min' for minutes); use one of s, min, h, d"),
    ('extends = "base.toml"\n[adjust]\noffered = { phnoe = 1.1 }\n',
     "{child}: adjust.offered.phnoe: unknown channel (did you mean 'phone'?)"),
    ('extends = "base.toml"\n[adjust]\naht = { chat = -0.5 }\n',
     "{child}: adjust.aht.chat: expected a number > 0, got -0.5"),
    ('extends = "base.toml"\nhorizon = { start = 2026-07-06, days = 0 }\n',
     "{child}: horizon.days: expected a whole number of days >= 1, got 0"),
    ('extends = "base.toml"\nhorizon = { start = "2026-07-06", days = 7 }\n',
     "{child}: horizon.start: expected a date such as 2026-07-06 (no quotes), got '2026-07-06'"),
    ('extends = "base.toml"\n[channels.chat]\nconcurrency = 0\n',
     "{child}: channels.chat.concurrency: expected a whole number >= 1, got 0"),
    ('extends = "base.toml"\n[channels]\nsms = { kind = "text", deadline_s = 60 }\n',
     "{child}: channels.sms.kind: expected one of voice, chat, deferred, outbound, got 'text'"),
    ('extends = "base.toml"\n[channels.email]\ndeadline_s = 0\n',
     "{child}: channels.email.deadline_s: expected seconds > 0, got 0"),
    ('extends = "base.toml"\ninterval = "20min"\n',
     "{child}: interval: expected 5min, 15min, 30min or 1h, got '20min'"),
    ('extends = "base.toml"\nhistroy = "x.csv"\n', "{child}: histroy: unknown key (did you mean 'history'?)"),
    ('extends = "base.toml"\n[channels.email]\nservice_quantile = 0.99\n',
     "{child}: channels.email.service_quantile: replaced by target_service_level (the share of items answered "
     "within deadline_s, default 0.99; the safety is sized to reach it)"),
    ('extends = "base.toml"\n[channels.email]\nopening_backlog = "many"\n',
     "{child}: channels.email.opening_backlog: expected a number, got 'many'"),
    ('extends = "missing.toml"\n', "{folder}/missing.toml: file not found"),
    ('extends = "child.toml"\n', "{child}: extends: circular ({child} -> {child})"),
    ('name = "x\n', "{child}: not valid TOML: "),
])
def test_errors_name_the_file_and_key(folder, text, message):
    child = write(folder, "child.toml", text)
    with pytest.raises(SpecError) as error:
        load_scenario(child)
    expected = message.format(child=child, folder=folder)
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


def test_error_in_an_inherited_key_names_the_parent_file(folder):
    write(folder, "base.toml", BASE.replace('threshold_s = 20,', 'threshold_s = "soon",'))
    child = write(folder, "child.toml", 'extends = "base.toml"\n')
    with pytest.raises(SpecError, match=rf"^{folder / 'base.toml'}: channels.phone.threshold_s: cannot read 'soon'"):
        load_scenario(child)


def test_deferred_channels_take_a_target_and_an_opening_backlog(folder):
    child = write(folder, "child.toml", 'extends = "base.toml"\n[channels.email]\ntarget_service_level = 0.995\n'
                                        "opening_backlog = 1200\n")
    email = load_scenario(child).channels["email"]
    assert email["target_service_level"] == 0.995 and email["opening_backlog"] == 1200.0
