"""Contact-level logs -> KPIs, history frames and calibration (issue 7), checked against hand arithmetic.

An independent reference for ``planner.contacts`` written from the contract alone
(``contacts_spec.md``; history frame: docs/design.md section 3). Every log is a few hand-written CSV lines
in ``tmp_path``; every expected number is worked out in a comment next to its assertion, so a
reviewer can check the arithmetic without running anything. Only public names are used
(``pl.read_contacts``, ``pl.to_history``, ``pl.kpis``, ``pl.pivots``, ``pl.estimate_patience``,
``pl.estimate_concurrency``, ``pl.Voice``/``pl.Chat``/``pl.Deferred``, ``pl.InputError``); they are
looked up inside the tests so that collection never depends on the implementation.

Conventions of the worked examples: naive times are London local time (BST = UTC+01:00 in July);
"w" is wait_s (answered_at - arrived_at, or ended_at - arrived_at for an abandon), "work" is work_s;
a short abandon waits < 5 s; base = offered - short abandons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest
from pytest import approx
from scipy import stats

import planner as pl

TZ = "Europe/London"
QUARTER = pd.Timedelta(minutes=15)


# ----------------------------------------------------------------------------------------- helpers
def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def read(tmp_path, text: str, *, messages: str | None = None, name: str = "contacts.csv", **kwargs):
    """Write the log (and the message log) to tmp_path and read it as the user would."""
    path = write(tmp_path, name, text)
    message_path = write(tmp_path, "messages.csv", messages) if messages is not None else None
    return pl.read_contacts(path, tz=TZ, messages=message_path, **kwargs)


def local(text: str) -> pd.Timestamp:
    """A London wall-clock time (not for the repeated hour of a fall-back day)."""
    return pd.Timestamp(text, tz=TZ)


def utc(text: str) -> pd.Timestamp:
    """An instant given in UTC, shown in London time (for the ambiguous fall-back hour)."""
    return pd.Timestamp(text, tz="UTC").tz_convert(TZ)


def one(table: pd.DataFrame, channel: str, period: pd.Timestamp | str | None = None) -> pd.Series:
    """The single KPI row of a channel (and period)."""
    rows = table[table["channel"] == channel]
    if period is not None:
        period = local(period) if isinstance(period, str) else period
        rows = rows[rows["period"] == period]
    assert len(rows) == 1, f"expected one row for {channel} {period}, got:\n{table}"
    return rows.iloc[0]


def interval(history: pd.DataFrame, channel: str, start: pd.Timestamp) -> pd.Series:
    """The single history row of a channel and interval start."""
    rows = history[(history["channel"] == channel) & (history["interval_start"] == start)]
    assert len(rows) == 1, f"expected one row for {channel} {start}, got:\n{rows}"
    return rows.iloc[0]


def whole_days(first: str, last: str, freq: str = "15min") -> pd.DatetimeIndex:
    """Every interval of the local days first..last, stepping through absolute time."""
    start = pd.Timestamp(first).tz_localize(TZ)
    end = (pd.Timestamp(last) + pd.Timedelta(days=1)).tz_localize(TZ)
    return pd.date_range(start, end, freq=freq, inclusive="left")


def same_instants(values, expected: pd.DatetimeIndex) -> bool:
    """Equal as instants, in order (independent of time-zone object and datetime unit)."""
    return list(pd.DatetimeIndex(values)) == list(expected)


def steps_of_15_minutes(values) -> bool:
    starts = pd.DatetimeIndex(values)
    return bool(((starts[1:] - starts[:-1]) == QUARTER).all())


def by_id(contacts: pd.DataFrame, column: str) -> dict:
    return dict(zip(contacts["contact_id"], contacts[column]))


def nan(value) -> bool:
    return value is None or bool(pd.isna(value))


def per_channel(value, channel: str):
    """attrs documented 'per channel': a mapping/Series by channel, or a plain number for one channel."""
    if isinstance(value, (Mapping, pd.Series)):
        return value[channel]
    return value


def cell(table: pd.DataFrame, row: str, column: str) -> int:
    """A pivot count; a next-channel column nobody moved to may be absent (then 0)."""
    return int(table.loc[row, column]) if column in table.columns else 0


# ------------------------------------------------------------------------------------------ voice
VOICE = """
contact_id,channel,arrived_at,answered_at,ended_at,abandoned,agent_handle_s
p1,phone,2026-07-07T09:00:00,2026-07-07T09:00:10,2026-07-07T09:05:10,false,320
p2,phone,2026-07-07T09:01:00,2026-07-07T09:01:30,2026-07-07T09:04:30,false,
p3,phone,2026-07-07T09:02:00,,2026-07-07T09:02:03,true,
p4,phone,2026-07-07T09:03:00,,2026-07-07T09:04:00,true,
p5,phone,2026-07-07T09:04:00,2026-07-07T09:04:20,2026-07-07T09:10:20,false,400
p6,phone,2026-07-07T09:05:00,2026-07-07T09:05:05,2026-07-07T09:07:05,false,
p7,phone,2026-07-07T09:06:00,,2026-07-07T09:06:05,true,
q1,phone,2026-07-08T10:00:00,2026-07-08T10:00:40,2026-07-08T10:03:40,false,200
q2,phone,2026-07-08T10:30:00,2026-07-08T10:30:00,2026-07-08T10:31:40,false,
q3,phone,2026-07-08T11:00:00,,2026-07-08T11:02:00,true,
"""


def test_read_contacts_types_and_derived_wait_and_work(tmp_path):
    """read_contacts gives tz-aware times (NaT when empty), a bool `abandoned`, kind "voice" for phone,
    wait_s = answered - arrived (ended - arrived for abandons), and work_s = agent_handle_s when given,
    else ended - answered for an answered live contact, else NaN; no messages -> latency NaN."""
    contacts = read(tmp_path, VOICE, name="voice.csv")
    assert len(contacts) == 10
    for column in ("arrived_at", "answered_at", "ended_at"):
        assert isinstance(contacts[column].dtype, pd.DatetimeTZDtype), column
        assert str(contacts[column].dt.tz) == TZ
    assert contacts["abandoned"].dtype == bool
    assert by_id(contacts, "abandoned") == {"p1": False, "p2": False, "p3": True, "p4": True, "p5": False,
                                            "p6": False, "p7": True, "q1": False, "q2": False, "q3": True}
    assert set(contacts["kind"]) == {"voice"}
    answered = by_id(contacts, "answered_at")
    assert pd.isna(answered["p3"]) and answered["p1"] == local("2026-07-07 09:00:10")
    assert str(contacts.attrs["tz"]) == TZ
    assert "voice.csv" in str(contacts.attrs["source"])

    wait = by_id(contacts, "wait_s")
    # answered: p1 09:00:00 -> 09:00:10 = 10; p2 30; p5 20; p6 5; q1 40; q2 0
    # abandoned (ended - arrived): p3 09:02:00 -> 09:02:03 = 3; p4 60; p7 5; q3 11:00 -> 11:02 = 120
    expected_wait = {"p1": 10, "p2": 30, "p3": 3, "p4": 60, "p5": 20, "p6": 5, "p7": 5,
                     "q1": 40, "q2": 0, "q3": 120}
    assert wait == approx(expected_wait)

    work = by_id(contacts, "work_s")
    # p1: agent_handle_s 320 wins over ended - answered = 09:05:10 - 09:00:10 = 300
    # p2: no handle -> 09:04:30 - 09:01:30 = 180; p6: 09:07:05 - 09:05:05 = 120; q2: 100
    # p5 400, q1 200 from agent_handle_s; abandons have no work -> NaN
    expected_work = {"p1": 320, "p2": 180, "p3": np.nan, "p4": np.nan, "p5": 400, "p6": 120,
                     "p7": np.nan, "q1": 200, "q2": 100, "q3": np.nan}
    assert work == approx(expected_work, nan_ok=True)
    assert contacts["customer_latency_s"].isna().all()


def test_voice_kpis_by_day(tmp_path):
    """Voice KPIs per local day against "80/20": short abandons (< 5 s) leave the base, abandons count as
    not answered, wait == threshold is in, ASA/quantiles use answered waits, AHT uses work_s; without
    customer_id and resolved, repeats and FCR are NaN; rows sorted by period."""
    contacts = read(tmp_path, VOICE)
    table = pl.kpis(contacts, targets={"phone": "80/20"}, by="day").table
    assert list(table["period"]) == [local("2026-07-07"), local("2026-07-08")]

    day1 = one(table, "phone", "2026-07-07")
    assert day1["kind"] == "voice"
    assert day1["offered"] == 7                    # p1..p7
    assert day1["handled"] == 4                    # p1 p2 p5 p6
    assert day1["short_abandoned"] == 1            # p3 (3 s < 5 s)
    assert day1["abandoned"] == 2                  # p4 (60 s), p7 (5 s is not < 5 s)
    # base = 7 offered - 1 short abandon = 6
    assert day1["abandon_rate"] == approx(2 / 6)   # 2 abandons / base 6
    # answered within 20 s: p1 (10) yes, p2 (30) no, p5 (20) yes, p6 (5) yes -> 3; SL = 3/6
    assert day1["service_level"] == approx(3 / 6)
    assert day1["target_service_level"] == approx(0.8)
    assert day1["threshold_s"] == approx(20)
    assert day1["asa_s"] == approx((10 + 30 + 20 + 5) / 4)       # 65/4 = 16.25
    assert day1["aht_s"] == approx((320 + 180 + 400 + 120) / 4)  # 1020/4 = 255
    # answered waits sorted 5, 10, 20, 30: median = (10 + 20)/2 = 15
    # p90 (linear): position 0.9*(4-1) = 2.7 -> 20 + 0.7*(30 - 20) = 27
    assert day1["first_response_median_s"] == approx(15)
    assert day1["first_response_p90_s"] == approx(27)
    for column in ("customer_latency_s", "fcr", "repeat_24h", "repeat_7d"):
        assert nan(day1[column]), column

    day2 = one(table, "phone", "2026-07-08")
    assert day2["offered"] == 3 and day2["handled"] == 2
    assert day2["short_abandoned"] == 0 and day2["abandoned"] == 1   # q3 waited 120 s
    assert day2["abandon_rate"] == approx(1 / 3)                     # base = 3 - 0
    assert day2["service_level"] == approx(1 / 3)                    # only q2 (0 s); q1 40 s > 20
    assert day2["asa_s"] == approx((40 + 0) / 2)                     # 20
    assert day2["aht_s"] == approx((200 + 100) / 2)                  # 150
    # waits 0, 40: median 20; p90 position 0.9*1 -> 0 + 0.9*40 = 36
    assert day2["first_response_median_s"] == approx(20)
    assert day2["first_response_p90_s"] == approx(36)


def test_voice_kpis_without_target_and_with_short_abandon_s_zero(tmp_path):
    """A channel without target has service_level NaN; short_abandon_s=0 makes every abandon count."""
    contacts = read(tmp_path, VOICE)
    day1 = one(pl.kpis(contacts, by="day").table, "phone", "2026-07-07")
    assert nan(day1["service_level"])
    assert day1["abandon_rate"] == approx(2 / 6)     # rates other than SL still computed

    day1 = one(pl.kpis(contacts, targets={"phone": pl.Voice(target_service_level=0.8, threshold_s=20)},
                       by="day", short_abandon_s=0.0).table, "phone", "2026-07-07")
    # no wait is < 0 s: short 0, abandoned p3 p4 p7 = 3, base = 7 - 0 = 7
    assert day1["short_abandoned"] == 0 and day1["abandoned"] == 3
    assert day1["abandon_rate"] == approx(3 / 7)
    assert day1["service_level"] == approx(3 / 7)    # still p1 p5 p6 answered within 20 s
    assert day1["target_service_level"] == approx(0.8) and day1["threshold_s"] == approx(20)


def test_boolean_spellings(tmp_path):
    """`abandoned` reads true/false, 1/0, yes/no and empty (= false); `resolved` keeps empty as unknown."""
    contacts = read(tmp_path, """
contact_id,channel,arrived_at,answered_at,ended_at,abandoned,resolved
b1,phone,2026-07-07T09:00:00,,2026-07-07T09:01:00,true,
b2,phone,2026-07-07T09:01:00,,2026-07-07T09:02:00,1,
b3,phone,2026-07-07T09:02:00,,2026-07-07T09:03:00,yes,
b4,phone,2026-07-07T09:03:00,2026-07-07T09:03:10,2026-07-07T09:05:00,false,true
b5,phone,2026-07-07T09:04:00,2026-07-07T09:04:10,2026-07-07T09:06:00,0,false
b6,phone,2026-07-07T09:05:00,2026-07-07T09:05:10,2026-07-07T09:07:00,no,1
b7,phone,2026-07-07T09:06:00,2026-07-07T09:06:10,2026-07-07T09:08:00,,0
""")
    assert contacts["abandoned"].dtype == bool
    assert by_id(contacts, "abandoned") == {"b1": True, "b2": True, "b3": True, "b4": False, "b5": False,
                                            "b6": False, "b7": False}
    resolved = {k: (None if nan(v) else bool(v)) for k, v in by_id(contacts, "resolved").items()}
    assert resolved == {"b1": None, "b2": None, "b3": None, "b4": True, "b5": False, "b6": True, "b7": False}


# ------------------------------------------------------------------------------------------- chat
CHAT = """
contact_id,channel,arrived_at,answered_at,ended_at,abandoned,agent_handle_s
c1,chat,2026-07-07T14:00:00,2026-07-07T14:00:20,2026-07-07T14:10:20,false,450
c2,chat,2026-07-07T14:01:00,2026-07-07T14:01:50,2026-07-07T14:09:50,false,
c3,chat,2026-07-07T14:02:00,,2026-07-07T14:02:02,true,
c4,chat,2026-07-07T14:03:00,,2026-07-07T14:04:30,true,
c5,chat,2026-07-07T14:04:00,2026-07-07T14:04:30,2026-07-07T14:20:30,false,600
c6,chat,2026-07-07T14:05:00,2026-07-07T14:05:10,2026-07-07T14:12:10,false,300
"""


def test_chat_kpis_with_chat_target(tmp_path):
    """Chat is live: same rules as voice, target from a Chat spec (90% in 30 s); work_s of an answered
    chat without agent_handle_s is ended - answered."""
    contacts = read(tmp_path, CHAT)
    assert set(contacts["kind"]) == {"chat"}
    assert by_id(contacts, "work_s")["c2"] == approx(480)   # 14:09:50 - 14:01:50
    target = pl.Chat(target_service_level=0.9, threshold_s=30, concurrency=2)
    row = one(pl.kpis(contacts, targets={"chat": target}, by="day").table, "chat", "2026-07-07")
    assert row["kind"] == "chat"
    assert row["offered"] == 6
    assert row["handled"] == 4                       # c1 c2 c5 c6
    assert row["short_abandoned"] == 1               # c3 waited 2 s
    assert row["abandoned"] == 1                     # c4 waited 90 s
    # base = 6 - 1 = 5
    assert row["abandon_rate"] == approx(1 / 5)
    # within 30 s: c1 (20) yes, c2 (50) no, c5 (30) yes, c6 (10) yes -> 3/5
    assert row["service_level"] == approx(3 / 5)
    assert row["target_service_level"] == approx(0.9) and row["threshold_s"] == approx(30)
    assert row["asa_s"] == approx((20 + 50 + 30 + 10) / 4)          # 27.5
    assert row["aht_s"] == approx((450 + 480 + 600 + 300) / 4)      # 457.5
    # waits 10, 20, 30, 50: median 25; p90 position 2.7 -> 30 + 0.7*20 = 44
    assert row["first_response_median_s"] == approx(25)
    assert row["first_response_p90_s"] == approx(44)


def test_channel_kinds_and_override(tmp_path):
    """kind from the channel name (phone/voice/video/callback -> voice, chat/webchat/livechat -> chat,
    anything else -> deferred); kinds={"whatsapp": "chat"} overrides it in read_contacts and kpis."""
    text = "contact_id,channel,arrived_at,answered_at,ended_at\n" + "\n".join(
        f"k{i},{channel},2026-07-07T09:0{i}:00,2026-07-07T09:0{i}:10,2026-07-07T09:0{i}:50"
        for i, channel in enumerate(["phone", "voice", "video", "callback", "chat", "webchat", "livechat",
                                     "email", "sms", "whatsapp"]))
    contacts = read(tmp_path, text)
    kinds = dict(zip(contacts["channel"], contacts["kind"]))
    assert kinds == {"phone": "voice", "voice": "voice", "video": "voice", "callback": "voice",
                     "chat": "chat", "webchat": "chat", "livechat": "chat",
                     "email": "deferred", "sms": "deferred", "whatsapp": "deferred"}
    work = by_id(contacts, "work_s")
    assert work["k0"] == approx(40) and work["k4"] == approx(40)   # live: 09:00:50 - 09:00:10
    assert nan(work["k9"])                                         # deferred, no handle times

    table = pl.kpis(contacts, kinds={"whatsapp": "chat"}, by="total").table
    assert one(table, "whatsapp")["kind"] == "chat"
    assert one(table, "email")["kind"] == "deferred"

    overridden = read(tmp_path, text, kinds={"whatsapp": "chat"})
    assert by_id(overridden, "kind")["k9"] == "chat"
    assert by_id(overridden, "work_s")["k9"] == approx(40)         # now live: ended - answered


# ------------------------------------------------------------------------------------------ email
EMAIL = """
contact_id,channel,arrived_at,answered_at,ended_at,abandoned,agent_handle_s
e1,email,2026-07-07T08:00:00,2026-07-07T09:00:00,2026-07-07T17:00:00,false,600
e2,email,2026-07-07T09:00:00,2026-07-07T12:30:00,2026-07-08T10:00:00,false,
e3,email,2026-07-07T10:00:00,2026-07-07T15:00:00,2026-07-07T15:30:00,false,300
e4,email,2026-07-07T11:00:00,,,false,
e5,email,2026-07-07T12:00:00,2026-07-07T16:00:00,2026-07-07T16:05:00,false,200
"""
EMAIL_MESSAGES = """
contact_id,sent_at,sender,handle_s
e1,2026-07-07T08:00:00,customer,
e1,2026-07-07T09:00:00,agent,500
e1,2026-07-07T10:00:00,customer,
e1,2026-07-07T17:00:00,agent,50
e2,2026-07-07T09:00:00,customer,
e2,2026-07-07T12:30:00,agent,240
e2,2026-07-07T15:30:00,customer,
e2,2026-07-07T16:00:00,agent,180
e2,2026-07-08T09:00:00,customer,
e2,2026-07-08T09:45:00,agent,120
"""


def test_email_customer_latency_and_work_from_messages(tmp_path):
    """customer_latency_s sums (customer message - the agent message before it); the first customer
    message (no agent message before it) adds nothing. work_s = agent_handle_s if given, else the sum
    of the agent messages' handle_s; it never contains the hours the customer took to reply."""
    contacts = read(tmp_path, EMAIL, messages=EMAIL_MESSAGES)
    assert set(contacts["kind"]) == {"deferred"}
    latency = by_id(contacts, "customer_latency_s")
    # e1: customer 10:00 after agent 09:00 -> 3600 (the 08:00 opener follows no agent message)
    # e2: 15:30 - 12:30 = 10800; next day 09:00 - 16:00 = 17 h = 61200; sum 72000
    assert latency["e1"] == approx(3600)
    assert latency["e2"] == approx(10800 + 61200)
    assert nan(latency["e3"]) and nan(latency["e5"])       # no messages
    work = by_id(contacts, "work_s")
    assert work["e1"] == approx(600)              # agent_handle_s beats the messages' 500 + 50
    assert work["e2"] == approx(240 + 180 + 120)  # 540 from the message log
    assert work["e3"] == approx(300) and work["e5"] == approx(200)
    # naive thread duration of e2: 2026-07-08 10:00 - 2026-07-07 09:00 = 25 h = 90000 s,
    # of which 72000 s the ball was in the customer's court; work is 540 s
    e2 = contacts[contacts["contact_id"] == "e2"].iloc[0]
    naive = (e2["ended_at"] - e2["arrived_at"]).total_seconds()
    assert naive == 90000
    assert work["e2"] < naive - latency["e2"] < naive
    assert by_id(contacts, "wait_s")["e2"] == approx(12600)          # 09:00 -> 12:30


@pytest.mark.parametrize("target", ["4h", "deferred"], ids=["text-4h", "Deferred-14400s"])
def test_email_kpis_deadline_service_level(tmp_path, target):
    """Async SL = share of the day's emails answered within the deadline (<= 4 h); an unanswered email
    counts as missed; target_service_level 1.0 ("4h": every item) or the spec's (0.99 by default) and
    threshold_s = deadline; AHT is mean work_s
    (message handle times), not the thread duration; customer latency is the mean over emails with one."""
    contacts = read(tmp_path, EMAIL, messages=EMAIL_MESSAGES)
    spec = "4h" if target == "4h" else pl.Deferred(deadline_s=14400)
    row = one(pl.kpis(contacts, targets={"email": spec}, by="day").table, "email", "2026-07-07")
    assert row["kind"] == "deferred"
    assert row["offered"] == 5
    assert row["handled"] == 4                     # e1 e2 e3 e5 (e4 never answered)
    assert row["abandoned"] == 0 and row["short_abandoned"] == 0
    assert row["abandon_rate"] == approx(0)
    # waits: e1 1 h = 3600 in, e2 3.5 h = 12600 in, e3 5 h = 18000 missed, e4 unanswered missed,
    # e5 4 h = 14400 exactly in -> 3 of 5
    assert row["service_level"] == approx(3 / 5)
    assert row["target_service_level"] == approx(1.0 if target == "4h" else 0.99)
    assert row["threshold_s"] == approx(14400)
    assert row["asa_s"] == approx((3600 + 12600 + 18000 + 14400) / 4)   # 48600/4 = 12150
    # waits sorted 3600, 12600, 14400, 18000: median (12600 + 14400)/2 = 13500;
    # p90 position 2.7 -> 14400 + 0.7*3600 = 16920
    assert row["first_response_median_s"] == approx(13500)
    assert row["first_response_p90_s"] == approx(16920)
    assert row["aht_s"] == approx((600 + 540 + 300 + 200) / 4)          # 1640/4 = 410, not hours
    assert row["customer_latency_s"] == approx((3600 + 72000) / 2)      # e1, e2 only: 37800


def test_email_history_aht_uses_work(tmp_path):
    """to_history's aht_s for async work is the mean work_s, so e2's interval shows 540 s, not the
    25 h thread; an unanswered email is offered but not handled (aht NaN)."""
    contacts = read(tmp_path, EMAIL, messages=EMAIL_MESSAGES)
    history = pl.to_history(contacts, interval="15min")
    assert len(history) == 96                                  # one whole day, one channel
    row = interval(history, "email", local("2026-07-07 09:00"))
    assert (row["offered"], row["handled"]) == (1, 1)
    assert row["aht_s"] == approx(540)
    row = interval(history, "email", local("2026-07-07 11:00"))
    assert (row["offered"], row["handled"], row["abandoned"]) == (1, 0, 0)
    assert nan(row["aht_s"])


def test_email_business_hours_deadline(tmp_path):
    """A Deferred target with business_hours=True counts the 4 h deadline in open time only
    (Mon-Fri 08:00-18:00 here); the same log against wall-clock 4 h misses three of four."""
    contacts = read(tmp_path, """
contact_id,channel,arrived_at,answered_at,ended_at
b1,email,2026-07-07T17:00:00,2026-07-08T10:00:00,2026-07-08T10:30:00
b2,email,2026-07-07T12:00:00,2026-07-07T17:30:00,2026-07-07T17:45:00
b3,email,2026-07-10T16:00:00,2026-07-13T09:00:00,2026-07-13T09:30:00
b4,email,2026-07-08T09:00:00,2026-07-08T12:00:00,2026-07-08T12:30:00
""")
    # open seconds to answer: b1 Tue 17-18 (1 h) + Wed 08-10 (2 h) = 3 h  in    (wall 17 h)
    #                         b2 Tue 12:00-17:30 = 5.5 h                 out   (wall 5.5 h)
    #                         b3 Fri 16-18 (2 h) + Mon 08-09 (1 h) = 3 h in    (wall 65 h, over a weekend)
    #                         b4 Wed 09-12 = 3 h                         in    (wall 3 h)
    open_time = pl.Deferred(deadline_s=14400, business_hours=True, open_days="Mon-Fri",
                            open_hours="08:00-18:00")
    row = one(pl.kpis(contacts, targets={"email": open_time}, by="total", end="2026-07-13T12:00").table, "email")
    assert row["service_level"] == approx(3 / 4) and row["not_yet_due"] == 0
    assert row["threshold_s"] == approx(14400)
    # The log itself ends at 09:30 Monday, before b3 is due (10:00: 2 open hours Friday, 2 Monday):
    # b3 is not yet due, neither in time nor late, whether or not it was answered already.
    row = one(pl.kpis(contacts, targets={"email": open_time}, by="total").table, "email")
    assert row["service_level"] == approx(2 / 3) and row["not_yet_due"] == 1
    assert row["period"] == local("2026-07-07")              # "total": the first arrival's day
    wall = one(pl.kpis(contacts, targets={"email": "4h"}, by="total").table, "email")
    assert wall["service_level"] == approx(1 / 4)            # only b4


def test_work_nan_without_any_handle_time(tmp_path):
    """Without agent_handle_s and without message handle_s, an email's work_s is NaN (closed - opened
    would count customer latency) and its interval's aht_s is NaN; a phone call still gets
    ended - answered. A message log without handle_s still gives customer latency."""
    contacts = read(tmp_path, """
contact_id,channel,arrived_at,answered_at,ended_at
m1,email,2026-07-07T09:00:00,2026-07-07T10:00:00,2026-07-07T18:00:00
m2,phone,2026-07-07T09:00:00,2026-07-07T09:00:30,2026-07-07T09:04:30
""", messages="""
contact_id,sent_at,sender
m1,2026-07-07T09:00:00,customer
m1,2026-07-07T10:00:00,agent
m1,2026-07-07T12:00:00,customer
m1,2026-07-07T13:00:00,agent
""")
    work = by_id(contacts, "work_s")
    assert nan(work["m1"])
    assert work["m2"] == approx(240)                          # 09:04:30 - 09:00:30
    assert by_id(contacts, "customer_latency_s")["m1"] == approx(7200)   # 12:00 - 10:00

    history = pl.to_history(contacts, interval="15min")
    email = interval(history, "email", local("2026-07-07 09:00"))
    assert (email["offered"], email["handled"]) == (1, 1)
    assert nan(email["aht_s"])
    assert interval(history, "phone", local("2026-07-07 09:00"))["aht_s"] == approx(240)

    table = pl.kpis(contacts, by="day").table
    assert nan(one(table, "email")["aht_s"])
    assert one(table, "email")["asa_s"] == approx(3600)       # the wait is still known


def test_abandoned_email_without_ended_at_is_accepted(tmp_path):
    """The 'abandoned contact needs ended_at' rule is for live channels only."""
    contacts = read(tmp_path, """
contact_id,channel,arrived_at,answered_at,ended_at,abandoned
x1,email,2026-07-07T09:00:00,,,true
x2,phone,2026-07-07T09:00:00,2026-07-07T09:00:05,2026-07-07T09:01:00,false
""")
    assert by_id(contacts, "abandoned") == {"x1": True, "x2": False}


# ------------------------------------------------------------------------ repeat contacts and FCR
# Rows are deliberately not in time order: "next contact" is by arrived_at.
REPEATS = """
contact_id,customer_id,channel,arrived_at,answered_at,ended_at,abandoned,resolved
r6,C,email,2026-07-14T11:00:00,2026-07-14T12:00:00,2026-07-14T13:00:00,false,
r4,B,phone,2026-07-09T10:00:00,2026-07-09T10:00:30,2026-07-09T10:06:30,false,false
r1,A,email,2026-07-06T09:00:00,2026-07-06T10:00:00,2026-07-06T11:00:00,false,true
r3,B,phone,2026-07-06T10:00:00,2026-07-06T10:00:20,2026-07-06T10:05:20,false,
r5,C,phone,2026-07-06T11:00:00,2026-07-06T11:00:10,2026-07-06T11:04:10,false,
r2,A,phone,2026-07-06T12:00:00,2026-07-06T12:00:10,2026-07-06T12:05:10,false,true
r7,D,phone,2026-07-06T13:00:00,,2026-07-06T13:00:30,true,
r8,D,phone,2026-07-06T13:05:00,2026-07-06T13:05:15,2026-07-06T13:09:15,false,
r9,E,phone,2026-07-07T09:00:00,2026-07-07T09:00:05,2026-07-07T09:03:05,false,
r10,E,email,2026-07-07T09:30:00,2026-07-07T11:30:00,2026-07-07T12:00:00,false,false
"""
# Next contact of the same customer (by arrival):
#   A: r1 email 07-06 09:00 -> r2 phone 12:00 (3 h)      r2 -> none
#   B: r3 phone 07-06 10:00 -> r4 phone 07-09 (3 days)   r4 -> none
#   C: r5 phone 07-06 11:00 -> r6 email 07-14 (8 days)   r6 -> none
#   D: r7 phone (abandoned) 13:00 -> r8 phone 13:05      r8 -> none
#   E: r9 phone 07-07 09:00 -> r10 email 09:30           r10 -> none
# within 24 h: r1, r7, r9; within 7 days: r1, r3, r7, r9 (r5's 8 days is too late)
NO_RESOLVED = "\n".join(line.rsplit(",", 1)[0] for line in REPEATS.strip().splitlines())


def test_repeat_contacts_and_fcr_from_customer_id(tmp_path):
    """repeat_24h/7d = share of all the period's contacts (abandoned included) followed by the same
    customer's next contact (any channel) within 24 h / 7 days; FCR = share of handled contacts not
    followed within 7 days (no resolved column)."""
    contacts = read(tmp_path, NO_RESOLVED)
    table = pl.kpis(contacts, by="total").table
    assert list(table["channel"]) == ["email", "phone"]

    email = one(table, "email")
    # email contacts r1, r6, r10: 24 h r1 -> 1/3; 7 d r1 -> 1/3
    assert email["offered"] == 3
    assert email["repeat_24h"] == approx(1 / 3)
    assert email["repeat_7d"] == approx(1 / 3)
    # handled r1 (followed in 3 h: no), r6 (yes), r10 (yes) -> 2/3
    assert email["fcr"] == approx(2 / 3)

    phone = one(table, "phone")
    # phone contacts r2 r3 r4 r5 r7 r8 r9 = 7: 24 h r7 r9 -> 2/7; 7 d r3 r7 r9 -> 3/7
    assert phone["offered"] == 7
    assert phone["repeat_24h"] == approx(2 / 7)
    assert phone["repeat_7d"] == approx(3 / 7)
    # handled (r7 abandoned is out): r2 yes, r3 no (3 days), r4 yes, r5 yes (8 days), r8 yes,
    # r9 no (30 min) -> 4/6
    assert phone["handled"] == 6
    assert phone["fcr"] == approx(4 / 6)

    day = one(pl.kpis(contacts, by="day").table, "phone", "2026-07-06")
    # 07-06 phone: r3 r5 r2 r7 r8 = 5; 24 h: r7 -> 1/5; 7 d: r3 (its repeat falls on 07-09), r7 -> 2/5
    assert day["offered"] == 5
    assert day["repeat_24h"] == approx(1 / 5)
    assert day["repeat_7d"] == approx(2 / 5)


def test_fcr_with_resolved_column(tmp_path):
    """With `resolved`, FCR also excludes handled contacts marked resolved == False (True or empty
    do not count against it); a contact followed within 7 days fails even if marked resolved."""
    table = pl.kpis(read(tmp_path, REPEATS), by="total").table
    # email handled: r1 (resolved true but followed after 3 h: no), r6 (empty: yes),
    # r10 (resolved false: no) -> 1/3
    assert one(table, "email")["fcr"] == approx(1 / 3)
    # phone handled: r2 yes, r3 no (followed), r4 no (resolved false), r5 yes, r8 yes, r9 no -> 3/6
    assert one(table, "phone")["fcr"] == approx(3 / 6)
    assert one(table, "phone")["repeat_7d"] == approx(3 / 7)   # resolved does not change repeats


def test_fcr_from_resolved_alone(tmp_path):
    """Without customer_id, repeats are NaN but FCR comes from `resolved` alone."""
    contacts = read(tmp_path, """
contact_id,channel,arrived_at,answered_at,ended_at,abandoned,resolved
s1,phone,2026-07-07T09:00:00,2026-07-07T09:00:10,2026-07-07T09:05:00,false,true
s2,phone,2026-07-07T09:10:00,2026-07-07T09:10:10,2026-07-07T09:15:00,false,false
s3,phone,2026-07-07T09:20:00,2026-07-07T09:20:10,2026-07-07T09:25:00,false,
s4,phone,2026-07-07T09:30:00,2026-07-07T09:30:10,2026-07-07T09:35:00,false,true
s5,phone,2026-07-07T09:40:00,,2026-07-07T09:41:00,true,
""")
    row = one(pl.kpis(contacts, by="day").table, "phone", "2026-07-07")
    # handled s1..s4; s2 resolved false -> 3/4 (s5 abandoned is not in the denominator)
    assert row["fcr"] == approx(3 / 4)
    assert nan(row["repeat_24h"]) and nan(row["repeat_7d"])


def test_pivots_of_next_channel(tmp_path):
    """pivots: rows = channel of a contact, columns = channel of the same customer's next contact
    within `within` (default 24 h) or "none"; integer counts; each row sums to that channel's
    contacts. KpiReport.pivots is the same table."""
    contacts = read(tmp_path, NO_RESOLVED)
    day = pl.pivots(contacts)
    assert sorted(day.index) == ["email", "phone"]
    assert "none" in day.columns and set(day.columns) <= {"email", "phone", "none"}
    assert all(pd.api.types.is_integer_dtype(day[c]) for c in day.columns)
    # within 24 h: email r1 -> phone, r6 none, r10 none
    assert (cell(day, "email", "email"), cell(day, "email", "phone"), cell(day, "email", "none")) == (0, 1, 2)
    # phone r9 -> email, r7 -> phone; r2 r3 r4 r5 r8 -> none
    assert (cell(day, "phone", "email"), cell(day, "phone", "phone"), cell(day, "phone", "none")) == (1, 1, 5)
    assert day.sum(axis=1).to_dict() == {"email": 3, "phone": 7}

    week = pl.pivots(contacts, within="7d")
    # within 7 days r3 -> phone (3 days) joins; r5 -> email is 8 days: still none
    assert (cell(week, "email", "email"), cell(week, "email", "phone"), cell(week, "email", "none")) == (0, 1, 2)
    assert (cell(week, "phone", "email"), cell(week, "phone", "phone"), cell(week, "phone", "none")) == (1, 2, 4)
    assert week.sum(axis=1).to_dict() == {"email": 3, "phone": 7}

    report = pl.kpis(contacts, by="total").pivots
    for row in ("email", "phone"):
        for column in ("email", "phone", "none"):
            assert cell(report, row, column) == cell(day, row, column), (row, column)


# ------------------------------------------------------------------- intervals, DST and periods
def test_dst_fall_back_day_has_100_quarter_hours(tmp_path):
    """2026-10-25 (London falls back at 02:00 BST -> 01:00 GMT): the history day has 100 quarter hours;
    the two 01:15 intervals (00:15 and 01:15 UTC) are distinct rows with their own counts."""
    contacts = read(tmp_path, """
contact_id,channel,arrived_at,answered_at,ended_at,abandoned
d1,phone,2026-10-25T00:05:00+01:00,2026-10-25T00:05:20+01:00,2026-10-25T00:10:20+01:00,false
d2,phone,2026-10-25T01:15:00+01:00,2026-10-25T01:15:10+01:00,2026-10-25T01:20:10+01:00,false
d3,phone,2026-10-25T01:20:00+01:00,2026-10-25T01:20:30+01:00,2026-10-25T01:24:30+01:00,false
d4,phone,2026-10-25T01:20:00+00:00,,2026-10-25T01:21:00+00:00,true
d5,phone,2026-10-25T23:50:00+00:00,2026-10-25T23:50:10+00:00,2026-10-25T23:55:10+00:00,false
""")
    history = pl.to_history(contacts, interval="15min")
    assert history.attrs["interval_s"] == 900
    assert str(history["interval_start"].dt.tz) == TZ
    starts = pd.DatetimeIndex(history["interval_start"])
    assert len(history) == 100 and starts.is_unique
    assert same_instants(starts, whole_days("2026-10-25", "2026-10-25"))   # 00:00 BST .. 23:45 GMT
    assert steps_of_15_minutes(starts)                                    # 15 real minutes apart

    first = interval(history, "phone", utc("2026-10-25 00:15"))    # 01:15 BST
    second = interval(history, "phone", utc("2026-10-25 01:15"))   # 01:15 GMT, an hour later
    # first 01:15: d2, d3 handled; work 300 (01:15:10 -> 01:20:10) and 240 -> mean 270
    assert (first["offered"], first["handled"], first["abandoned"]) == (2, 2, 0)
    assert first["aht_s"] == approx(270)
    # second 01:15: d4 abandoned after 60 s
    assert (second["offered"], second["handled"], second["abandoned"]) == (1, 0, 1)
    assert history["offered"].sum() == 5

    day = one(pl.kpis(contacts, by="day").table, "phone", "2026-10-25")
    assert day["offered"] == 5 and day["handled"] == 4 and day["abandoned"] == 1
    by_interval = pl.kpis(contacts, by="interval").table
    assert one(by_interval, "phone", utc("2026-10-25 00:15"))["offered"] == 2
    assert one(by_interval, "phone", utc("2026-10-25 01:15"))["offered"] == 1


def test_dst_spring_forward_day_has_92_quarter_hours(tmp_path):
    """2026-03-29 (London springs forward 01:00 GMT -> 02:00 BST): 92 quarter hours, 00:45 GMT is
    followed by 02:00 BST, and a naive 03:00 arrival lands in the 03:00 BST interval."""
    contacts = read(tmp_path, """
contact_id,channel,arrived_at,answered_at,ended_at
s1,phone,2026-03-29T00:30:00,2026-03-29T00:30:20,2026-03-29T00:35:20
s2,phone,2026-03-29T03:00:00,2026-03-29T03:00:20,2026-03-29T03:05:20
""")
    history = pl.to_history(contacts, interval="15min")
    starts = pd.DatetimeIndex(history["interval_start"])
    assert len(history) == 92
    assert same_instants(starts, whole_days("2026-03-29", "2026-03-29"))
    assert steps_of_15_minutes(starts)
    assert interval(history, "phone", local("2026-03-29 00:30"))["offered"] == 1
    assert interval(history, "phone", utc("2026-03-29 02:00"))["offered"] == 1   # 03:00 BST
    assert interval(history, "phone", utc("2026-03-29 02:00"))["interval_start"].hour == 3
    assert history["offered"].sum() == 2


def test_contact_spanning_midnight_belongs_to_its_arrival(tmp_path):
    """A call arriving 23:58, answered 00:01 next day and ending 00:20 waits 180 s and belongs to the
    arrival day and the 23:45 interval; history covers arrival days only (no row on the end day)."""
    contacts = read(tmp_path, """
contact_id,channel,arrived_at,answered_at,ended_at
n1,phone,2026-07-07T09:00:00,2026-07-07T09:00:15,2026-07-07T09:05:15
n2,phone,2026-07-07T23:58:00,2026-07-08T00:01:00,2026-07-08T00:20:00
""")
    assert by_id(contacts, "wait_s")["n2"] == approx(180)      # 23:58 -> 00:01
    assert by_id(contacts, "work_s")["n2"] == approx(1140)     # 00:01 -> 00:20 = 19 min

    history = pl.to_history(contacts, interval="15min")
    assert same_instants(history["interval_start"], whole_days("2026-07-07", "2026-07-07"))
    late = interval(history, "phone", local("2026-07-07 23:45"))
    assert (late["offered"], late["handled"]) == (1, 1)
    assert late["aht_s"] == approx(1140)

    table = pl.kpis(contacts, by="day").table
    assert len(table) == 1
    day = one(table, "phone", "2026-07-07")
    assert day["offered"] == 2
    assert day["asa_s"] == approx((15 + 180) / 2)              # 97.5
    assert day["aht_s"] == approx((300 + 1140) / 2)            # 720
    assert one(pl.kpis(contacts, by="interval").table, "phone", "2026-07-07 23:45")["asa_s"] == approx(180)


INTERVALS = """
contact_id,channel,arrived_at,answered_at,ended_at,abandoned,agent_handle_s
i1,phone,2026-07-07T09:14:59,,2026-07-07T09:15:01,true,
i2,phone,2026-07-07T09:15:00,2026-07-07T09:15:10,2026-07-07T09:18:10,false,200
i3,phone,2026-07-08T17:00:00,2026-07-08T17:00:05,2026-07-08T17:02:05,false,
i4,chat,2026-07-08T12:00:00,2026-07-08T12:00:05,2026-07-08T12:10:05,false,
"""


def test_interval_attribution_and_every_interval_present(tmp_path):
    """09:14:59 falls in 09:00, 09:15:00 in 09:15; each channel gets every quarter hour of every whole
    day from its first to its last arrival day (phone 2 days = 192, chat 1 day = 96), offered 0 where
    nothing arrived; history's `abandoned` includes short abandons (kpis moves them out)."""
    contacts = read(tmp_path, INTERVALS)
    history = pl.to_history(contacts, interval="15min")
    assert {"interval_start", "channel", "offered", "handled", "abandoned", "aht_s"} <= set(history.columns)
    assert history.attrs["interval_s"] == 900
    phone = history[history["channel"] == "phone"]
    chat = history[history["channel"] == "chat"]
    assert len(history) == 192 + 96
    assert same_instants(phone["interval_start"].sort_values(), whole_days("2026-07-07", "2026-07-08"))
    assert same_instants(chat["interval_start"].sort_values(), whole_days("2026-07-08", "2026-07-08"))

    nine = interval(history, "phone", local("2026-07-07 09:00"))
    # i1 abandoned after 2 s: a short abandon, still counted in history's abandoned
    assert (nine["offered"], nine["handled"], nine["abandoned"]) == (1, 0, 1)
    assert nan(nine["aht_s"])
    quarter_past = interval(history, "phone", local("2026-07-07 09:15"))
    assert (quarter_past["offered"], quarter_past["handled"], quarter_past["abandoned"]) == (1, 1, 0)
    assert quarter_past["aht_s"] == approx(200)
    assert interval(history, "phone", local("2026-07-08 17:00"))["aht_s"] == approx(120)   # 17:00:05 -> 17:02:05
    assert interval(history, "chat", local("2026-07-08 12:00"))["aht_s"] == approx(600)
    assert (phone["offered"] == 0).sum() == 192 - 3
    assert (chat["offered"] == 0).sum() == 96 - 1
    assert (history.loc[history["offered"] == 0, "handled"] == 0).all()

    day = one(pl.kpis(contacts, by="day").table, "phone", "2026-07-07")
    # kpis: i1 is short (2 s < 5 s): abandoned 0, base = 2 - 1 = 1, abandon rate 0/1
    assert (day["offered"], day["short_abandoned"], day["abandoned"], day["handled"]) == (2, 1, 0, 1)
    assert day["abandon_rate"] == approx(0)


def test_to_history_hourly(tmp_path):
    """interval="1h": 24 rows per day, both 09:xx arrivals in the 09:00 hour; interval_s 3600."""
    history = pl.to_history(read(tmp_path, INTERVALS), interval="1h")
    assert history.attrs["interval_s"] == 3600
    phone = history[history["channel"] == "phone"]
    assert len(phone) == 48
    nine = interval(history, "phone", local("2026-07-07 09:00"))
    assert (nine["offered"], nine["handled"], nine["abandoned"]) == (2, 1, 1)
    assert nine["aht_s"] == approx(200)


def test_by_week_month_and_total(tmp_path):
    """by="week": weeks start Monday (local time: Mon 00:30 BST is Sun 23:30 UTC, yet in the new
    week); by="month"; by="total": one row per channel whose period is the first arrival's day."""
    contacts = read(tmp_path, """
contact_id,channel,arrived_at,answered_at,ended_at
w1,phone,2026-06-30T12:00:00,2026-06-30T12:00:50,2026-06-30T12:05:50
w2,phone,2026-07-05T10:00:00,2026-07-05T10:00:10,2026-07-05T10:05:10
w3,phone,2026-07-06T10:00:00,2026-07-06T10:00:20,2026-07-06T10:05:20
w4,phone,2026-07-12T23:00:00,2026-07-12T23:01:20,2026-07-12T23:06:20
w5,phone,2026-07-13T00:30:00,2026-07-13T00:31:00,2026-07-13T00:36:00
""")
    # waits: w1 50 (Tue), w2 10 (Sun), w3 20 (Mon), w4 80 (Sun 23:00), w5 60 (Mon 00:30); work 300 each
    weeks = pl.kpis(contacts, by="week").table
    assert list(weeks["period"]) == [local("2026-06-29"), local("2026-07-06"), local("2026-07-13")]
    assert list(weeks["offered"]) == [2, 2, 1]         # {w1, w2}, {w3, w4}, {w5}
    assert list(weeks["asa_s"]) == approx([(50 + 10) / 2, (20 + 80) / 2, 60])   # 30, 50, 60

    months = pl.kpis(contacts, by="month").table
    assert list(months["period"]) == [local("2026-06-01"), local("2026-07-01")]
    assert list(months["offered"]) == [1, 4]
    assert list(months["asa_s"]) == approx([50, (10 + 20 + 80 + 60) / 4])       # 50, 42.5

    total = pl.kpis(contacts, by="total").table
    assert len(total) == 1
    row = one(total, "phone")
    assert row["period"] == local("2026-06-30")
    assert row["offered"] == 5 and row["handled"] == 5
    assert row["asa_s"] == approx((50 + 10 + 20 + 80 + 60) / 5)                 # 220/5 = 44
    assert row["aht_s"] == approx(300)


# ------------------------------------------------------------------------------------ calibration
PATIENCE = """
contact_id,channel,arrived_at,answered_at,ended_at,abandoned
a1,phone,2026-07-07T09:00:00,2026-07-07T09:00:10,2026-07-07T09:05:00,false
a2,phone,2026-07-07T09:10:00,2026-07-07T09:10:20,2026-07-07T09:15:00,false
a3,phone,2026-07-07T09:20:00,2026-07-07T09:20:30,2026-07-07T09:25:00,false
a4,phone,2026-07-07T09:30:00,2026-07-07T09:30:40,2026-07-07T09:35:00,false
b1,phone,2026-07-07T10:00:00,,2026-07-07T10:00:15,true
b2,phone,2026-07-07T10:10:00,,2026-07-07T10:10:25,true
b3,phone,2026-07-07T10:20:00,,2026-07-07T10:20:35,true
b4,phone,2026-07-07T10:30:00,,2026-07-07T10:30:50,true
v1,video,2026-07-07T11:00:00,2026-07-07T11:01:40,2026-07-07T11:10:00,false
v2,video,2026-07-07T11:10:00,2026-07-07T11:13:20,2026-07-07T11:20:00,false
v3,video,2026-07-07T11:20:00,2026-07-07T11:25:00,2026-07-07T11:30:00,false
v4,video,2026-07-07T11:30:00,,2026-07-07T11:30:30,true
e1,email,2026-07-07T12:00:00,2026-07-07T13:00:00,2026-07-07T14:00:00,false
"""


def poisson_patience_ci(abandons: int, exposure_s: float, level: float) -> tuple[float, float]:
    """Chi-square interval of a Poisson rate k/E, inverted to patience = 1/rate."""
    a = 1 - level
    rate_lo = stats.chi2.ppf(a / 2, 2 * abandons) / (2 * exposure_s)
    rate_hi = stats.chi2.ppf(1 - a / 2, 2 * abandons + 2) / (2 * exposure_s)
    return 1 / rate_hi, 1 / rate_lo


def test_estimate_patience(tmp_path):
    """Exponential patience MLE under censoring: exposure = sum of waits of answered and abandoned
    contacts, patience = exposure / abandons, chi-square CI; Kaplan-Meier median = first time survival
    drops to <= 1/2, NaN when it never does; one row per live channel (no email row)."""
    result = pl.estimate_patience(read(tmp_path, PATIENCE))
    assert sorted(result["channel"]) == ["phone", "video"]
    phone = result[result["channel"] == "phone"].iloc[0]
    video = result[result["channel"] == "video"].iloc[0]

    # phone: answered waits 10 20 30 40 (censored), abandons 15 25 35 50
    # exposure = 10+20+30+40 + 15+25+35+50 = 100 + 125 = 225; patience = 225/4 = 56.25
    assert phone["contacts"] == 8 and phone["abandons"] == 4
    assert phone["exposure_s"] == approx(225)
    assert phone["patience_s"] == approx(56.25)
    lo, hi = poisson_patience_ci(4, 225, 0.95)
    assert phone["patience_lo_s"] == approx(lo, rel=1e-6)
    assert phone["patience_hi_s"] == approx(hi, rel=1e-6)
    assert lo < 56.25 < hi
    # Kaplan-Meier, events at 15, 25, 35, 50 (censored 10, 20, 30, 40):
    #   t=15: at risk {15,20,25,30,35,40,50} = 7 -> S = 6/7 = 0.857
    #   t=25: at risk {25,30,35,40,50} = 5     -> S = 6/7 * 4/5 = 24/35 = 0.686
    #   t=35: at risk {35,40,50} = 3           -> S = 24/35 * 2/3 = 16/35 = 0.457 <= 1/2 -> median 35
    assert phone["km_median_s"] == approx(35)

    # video: answered 100 200 300, one abandon at 30: exposure 630, patience 630/1
    assert video["contacts"] == 4 and video["abandons"] == 1
    assert video["exposure_s"] == approx(630)
    assert video["patience_s"] == approx(630)
    lo, hi = poisson_patience_ci(1, 630, 0.95)
    assert (video["patience_lo_s"], video["patience_hi_s"]) == (approx(lo, rel=1e-6), approx(hi, rel=1e-6))
    # KM: t=30: at risk 4 -> S = 3/4, no later event: survival never reaches 1/2 -> NaN
    assert nan(video["km_median_s"])

    narrow = pl.estimate_patience(read(tmp_path, PATIENCE), level=0.8)
    phone80 = narrow[narrow["channel"] == "phone"].iloc[0]
    lo, hi = poisson_patience_ci(4, 225, 0.8)          # a = 0.2: chi2 quantiles 0.1 and 0.9
    assert phone80["patience_lo_s"] == approx(lo, rel=1e-6)
    assert phone80["patience_hi_s"] == approx(hi, rel=1e-6)


# Two agents whose chats overlap in wall time (so levels must be counted per agent).
#  a1: X 10:00-10:10, Y 10:05-10:12, Z 10:20-10:25
#      10:00-10:05 l=1 (300 s), 10:05-10:10 l=2 (300 s), 10:10-10:12 l=1 (120 s), 10:20-10:25 l=1 (300 s)
#      X ends holding 2 -> completion at l=2; Y ends holding 1 -> l=1; Z -> l=1
#  a2: U 10:02-10:32, V 10:12-10:22, W 10:17-10:27
#      10:02-10:12 l=1 (600), 10:12-10:17 l=2 (300), 10:17-10:22 l=3 (300), 10:22-10:27 l=2 (300),
#      10:27-10:32 l=1 (300); V ends holding 3 -> l=3; W ends holding 2 -> l=2; U -> l=1
CONCURRENCY = """
contact_id,channel,agent_id,arrived_at,answered_at,ended_at,abandoned
X,chat,a1,2026-07-07T09:59:50,2026-07-07T10:00:00,2026-07-07T10:10:00,false
Y,chat,a1,2026-07-07T10:04:50,2026-07-07T10:05:00,2026-07-07T10:12:00,false
Z,chat,a1,2026-07-07T10:19:50,2026-07-07T10:20:00,2026-07-07T10:25:00,false
U,chat,a2,2026-07-07T10:01:50,2026-07-07T10:02:00,2026-07-07T10:32:00,false
V,chat,a2,2026-07-07T10:11:50,2026-07-07T10:12:00,2026-07-07T10:22:00,false
W,chat,a2,2026-07-07T10:16:50,2026-07-07T10:17:00,2026-07-07T10:27:00,false
Q,chat,,2026-07-07T10:30:00,,2026-07-07T10:31:00,true
P,phone,a1,2026-07-07T10:01:00,2026-07-07T10:01:10,2026-07-07T10:09:00,false
"""


def test_estimate_concurrency_two_agents(tmp_path):
    """Time at each concurrency level per agent (from answered_at to ended_at), completions at the
    level the agent held just before the chat ended, aht_s = l * agent_time_s / completions;
    time_share over time holding >= 1 chat; mean concurrency time-weighted; chat channels only."""
    result = pl.estimate_concurrency(read(tmp_path, CONCURRENCY))
    assert set(result["channel"]) == {"chat"}
    levels = result.set_index("concurrency")
    assert sorted(levels.index) == [1, 2, 3]
    # level 1: a1 300 + 120 + 300 = 720, a2 600 + 300 = 900 -> 1620 s; completions Y, Z, U = 3
    # level 2: a1 300, a2 300 + 300 -> 900 s; completions X, W = 2
    # level 3: a2 300 s; completion V = 1
    assert list(levels.loc[[1, 2, 3], "agent_time_s"]) == approx([1620, 900, 300])
    assert list(levels.loc[[1, 2, 3], "completions"]) == [3, 2, 1]
    # aht: 1*1620/3 = 540; 2*900/2 = 900; 3*300/1 = 900
    assert list(levels.loc[[1, 2, 3], "aht_s"]) == approx([540, 900, 900])
    # time holding >= 1 chat: 1620 + 900 + 300 = 2820
    assert list(levels.loc[[1, 2, 3], "time_share"]) == approx([1620 / 2820, 900 / 2820, 300 / 2820])
    for level in (1, 2, 3):
        row = levels.loc[level]
        assert row["aht_lo_s"] < row["aht_s"] < row["aht_hi_s"]
    # (1*1620 + 2*900 + 3*300) / 2820 = 4320/2820 = 1.532
    assert per_channel(result.attrs["mean_concurrency"], "chat") == approx(4320 / 2820)


def test_estimate_concurrency_growth_one_agent(tmp_path):
    """With one agent and two levels the model aht_l = aht_1 * (1 + growth * (l - 1)) has as many
    parameters as levels, so its MLE reproduces the per-level AHTs: aht_1 = 360, growth = 600/360 - 1."""
    only_a1 = "\n".join(line for line in CONCURRENCY.strip().splitlines()
                        if line.startswith("contact_id") or line[:1] in "XYZ")
    result = pl.estimate_concurrency(read(tmp_path, only_a1))
    levels = result.set_index("concurrency")
    # level 1: 720 s, 2 completions (Y, Z) -> 360; level 2: 300 s, 1 completion (X) -> 2*300/1 = 600
    assert list(levels.loc[[1, 2], "agent_time_s"]) == approx([720, 300])
    assert list(levels.loc[[1, 2], "completions"]) == [2, 1]
    assert list(levels.loc[[1, 2], "aht_s"]) == approx([360, 600])
    # mean concurrency (1*720 + 2*300) / 1020 = 1320/1020
    assert per_channel(result.attrs["mean_concurrency"], "chat") == approx(1320 / 1020)
    assert per_channel(result.attrs["aht_s_at_1"], "chat") == approx(360, rel=1e-4)
    assert per_channel(result.attrs["aht_growth"], "chat") == approx(600 / 360 - 1, rel=1e-4)   # 2/3


# -------------------------------------------------------------------------------------- bad input
GOOD_HEAD = """contact_id,channel,arrived_at,answered_at,ended_at,abandoned,agent_handle_s
g1,phone,2026-07-07T09:00:00,2026-07-07T09:00:10,2026-07-07T09:05:00,false,290
g2,phone,2026-07-07T09:01:00,2026-07-07T09:01:10,2026-07-07T09:06:00,false,
"""
GOOD_TAIL = "g3,phone,2026-07-07T09:20:00,2026-07-07T09:20:10,2026-07-07T09:25:00,false,\n"

# name: (bad row placed on line 4 (header = line 1), columns the message may point at)
BAD_ROWS = {
    "answered before arrived": ("x1,phone,2026-07-07T09:10:00,2026-07-07T09:09:00,2026-07-07T09:15:00,false,",
                                ["answered_at"]),
    "duplicate contact_id": ("g1,phone,2026-07-07T09:10:00,2026-07-07T09:10:10,2026-07-07T09:15:00,false,",
                             ["contact_id"]),
    "abandoned phone without ended_at": ("x1,phone,2026-07-07T09:10:00,,,true,", ["ended_at", "abandoned"]),
    "ended before arrived": ("x1,phone,2026-07-07T09:10:00,,2026-07-07T09:05:00,false,", ["ended_at"]),
    "abandoned but answered": ("x1,phone,2026-07-07T09:10:00,2026-07-07T09:10:05,2026-07-07T09:12:00,true,",
                               ["answered_at", "abandoned"]),
    "negative handle time": ("x1,phone,2026-07-07T09:10:00,2026-07-07T09:10:05,2026-07-07T09:12:00,false,-5",
                             ["agent_handle_s"]),
    "unreadable time": ("x1,phone,2026-07-07 nine,,2026-07-07T09:12:00,true,", ["arrived_at"]),
    "unreadable boolean": ("x1,phone,2026-07-07T09:10:00,,2026-07-07T09:12:00,maybe,", ["abandoned"]),
    "unreadable number": ("x1,phone,2026-07-07T09:10:00,2026-07-07T09:10:05,2026-07-07T09:12:00,false,five",
                          ["agent_handle_s"]),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_rows_raise_input_error_with_file_line_and_column(tmp_path, case):
    """Each broken rule raises planner.InputError as `file:line:column: problem; fix`, where the line
    counts the header as line 1 (the duplicate is reported on its second occurrence)."""
    row, columns = BAD_ROWS[case]
    path = write(tmp_path, "bad_log.csv", GOOD_HEAD + row + "\n" + GOOD_TAIL)
    with pytest.raises(pl.InputError) as caught:
        pl.read_contacts(path, tz=TZ)
    message = str(caught.value)
    where = rf"bad_log\.csv:4:({'|'.join(columns)})\b"
    assert re.search(where, message), f"{case}: expected {where!r} in {message!r}"
    if case == "abandoned phone without ended_at":
        assert "ended_at" in message
