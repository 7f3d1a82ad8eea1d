"""The events calendar (file, holidays, event days and intervals), opening hours and the future grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.calendar import event_days, event_intervals, future_intervals, holiday_events, opening_hours
from planner.errors import InputError
from planner.io import read_events, read_history

DATA = Path(__file__).parent / "data"
LONDON = "Europe/London"
HEADER = "name,kind,start,end,channel,effect,value\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def write(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def stamp(text: str, tz: str = LONDON) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(tz)


# --- read_events --------------------------------------------------------------------------------

def test_reads_the_events_frame_with_inclusive_dates_and_exclusive_times():
    events = read_events(DATA / "events.csv", tz=LONDON, channels=["phone", "chat"])
    assert list(events.columns) == ["name", "kind", "start", "end", "channel", "effect", "value"]
    assert str(events["start"].dtype) == str(events["end"].dtype) == "datetime64[ns, Europe/London]"
    christmas, friday, campaign, outage = (events.iloc[i] for i in range(4))
    # dates: end inclusive, so 25-26 December is two whole days; an empty channel means every channel
    assert (christmas.start, christmas.end) == (stamp("2026-12-25"), stamp("2026-12-27"))
    assert (friday.start, friday.end, friday.channel, friday.value) == (stamp("2026-11-27"), stamp("2026-11-28"), "*", 1.3)
    # date-times: end exclusive
    assert (campaign.start, campaign.end, campaign.value) == (stamp("2026-12-01 18:00"), stamp("2026-12-01 20:00"), 1.25)
    # the repeated hour of a fall-back day reads as summer time; an offset is taken as written
    assert outage.start == pd.Timestamp("2026-10-25 00:30", tz="UTC")
    assert outage.end == pd.Timestamp("2026-10-25 01:15", tz="UTC")
    assert np.isnan(christmas.value) and christmas.effect == "closed"


def test_defaults_for_optional_columns():
    events = read_events(write("e.csv", "kind,start,effect\nSale,2026-11-27,LEARN\n"), tz=LONDON)
    assert events.iloc[0][["name", "kind", "channel", "effect"]].tolist() == ["Sale", "Sale", "*", "learn"]
    assert events.iloc[0].end - events.iloc[0].start == pd.Timedelta(days=1)


def test_whole_days_follow_the_local_clock_across_dst():
    events = read_events(write("e.csv", HEADER + "a,b,2026-10-25,,*,closed,\nc,d,2026-03-29,,*,closed,\n"), tz=LONDON)
    assert ((events.end - events.start) / pd.Timedelta(hours=1)).tolist() == [25.0, 23.0]


def test_excel_date_cells_are_whole_days():
    pytest.importorskip("openpyxl")
    pd.DataFrame({"kind": ["closure", "outage"], "start": [pd.Timestamp("2026-12-25"), pd.Timestamp("2026-12-01 18:00")],
                  "end": [pd.Timestamp("2026-12-25"), "2026-12-01 20:00"], "effect": ["closed", "exclude"]}
                 ).to_excel("e.xlsx", index=False)
    events = read_events("e.xlsx", tz=LONDON)
    assert events[["start", "end"]].values.tolist() == [[stamp("2026-12-25"), stamp("2026-12-26")],
                                                        [stamp("2026-12-01 18:00"), stamp("2026-12-01 20:00")]]


def test_an_events_file_with_no_rows_is_an_empty_frame():
    events = read_events(write("e.csv", HEADER), tz=LONDON)
    assert len(events) == 0 and str(events["start"].dtype) == "datetime64[ns, Europe/London]"


EVENT_ERRORS = {
    "unknown column": ("name,kind,start,end,chanel,effect\n", "e.csv:1:chanel: unknown column (did you mean "
                       "'channel'?); expected kind, start, effect and optionally name, end, channel, value"),
    "missing column": ("name,kind,start\n", "e.csv:1: missing required column 'effect'; the header must name kind, "
                       "start, effect (optionally name, end, channel, value)"),
    "empty file": ("", "e.csv: empty file; the first line must name the columns: kind,start,effect, then one row "
                   "per event"),
    "unknown effect": ("a,b,2026-12-25,,*,multipy,2\n", "e.csv:2:effect: unknown effect 'multipy' (did you mean "
                       "'multiply'?); use one of learn, multiply, exclude, closed"),
    "missing effect": ("a,b,2026-12-25,,*,,\n", "e.csv:2:effect: missing effect; use one of learn, multiply, "
                       "exclude, closed"),
    "missing kind": ("a,,2026-12-25,,*,learn,\n", "e.csv:2:kind: missing kind; write a short label such as "
                     "public_holiday or tv_campaign"),
    "unknown channel": ("a,b,2026-12-25,,phnoe,learn,\n", "e.csv:2:channel: unknown channel 'phnoe' (did you mean "
                        "'phone'?); use * for every channel or one of chat, phone"),
    "multiply without value": ("a,b,2026-12-25,,*,multiply,\n", "e.csv:2:value: effect multiply needs a value; "
                               "write the known factor, e.g. 1.25 for +25% or 0.8 for -20%"),
    "factor not positive": ("a,b,2026-12-25,,*,learn,1\nc,d,2026-12-25,,*,multiply,0\n", "e.csv:3:value: a factor "
                            "must be > 0, got 0; write e.g. 1.25 for +25% or 0.8 for -20%"),
    "value not a number": ("a,b,2026-12-25,,*,multiply,x\n", "e.csv:2:value: 'x' is not a number; write value as "
                           "digits with '.' for decimals, e.g. 1.25"),
    "value unused": ("a,b,2026-12-25,,*,closed,1\n", "e.csv:2:value: effect closed takes no value; leave the value "
                     "empty"),
    "missing start": ("a,b,,2026-12-25,*,closed,\n", "e.csv:2:start: missing start; write a date such as 2026-12-25 "
                      "or a local time such as 2026-12-25 14:00"),
    "unparseable start": ("a,b,25/12/2026,,*,closed,\n", "e.csv:2:start: cannot read '25/12/2026' as a date and "
                          "time; write a date such as 2026-12-25 or a local time such as 2026-12-25 14:00"),
    "open-ended time": ("a,b,2026-12-25 10:00,,*,closed,\n", "e.csv:2:end: missing end for a start with a time; "
                        "write the end time (exclusive), e.g. 2026-12-24 18:00, or give dates only"),
    "end date before start": ("a,b,2026-12-25,2026-12-24,*,closed,\n", "e.csv:2:end: end '2026-12-24' is before "
                              "start '2026-12-25'; a date end includes that day (start=end=2026-12-25 is one day); "
                              "a time end is exclusive"),
    "empty time range": ("a,b,2026-12-25 10:00,2026-12-25 10:00,*,closed,\n", "e.csv:2:end: end '2026-12-25 10:00' "
                         "is not after start '2026-12-25 10:00'; a date end includes that day (start=end=2026-12-25 "
                         "is one day); a time end is exclusive"),
}


@pytest.mark.parametrize("rows,message", EVENT_ERRORS.values(), ids=EVENT_ERRORS.keys())
def test_event_error_messages(rows, message):
    text = rows if rows.split(",")[0] in ("", "name") or not rows.strip() else HEADER + rows
    with pytest.raises(InputError) as error:
        read_events(write("e.csv", text), tz=LONDON, channels=["phone", "chat"])
    assert str(error.value) == message


# --- holiday_events -----------------------------------------------------------------------------

def test_holidays_as_one_learnable_kind():
    events = holiday_events("GB", years=2026, tz=LONDON, subdivision="ENG")
    assert list(events.columns) == ["name", "kind", "start", "end", "channel", "effect", "value"]
    assert set(events.kind) == {"public_holiday"} and set(events.effect) == {"learn"} and set(events.channel) == {"*"}
    assert events.name.tolist()[-3:] == ["Christmas Day", "Boxing Day", "Boxing Day (observed)"]
    assert events.start.iloc[-3] == stamp("2026-12-25") and events.end.iloc[-3] == stamp("2026-12-26")
    assert events.value.isna().all() and str(events.start.dtype) == "datetime64[ns, Europe/London]"


def test_holidays_by_name_give_one_kind_per_holiday_and_years_may_be_a_range():
    events = holiday_events("gb", years=range(2025, 2027), tz=LONDON, subdivision="ENG", by_name=True)
    assert (events.kind == "holiday:Christmas Day").sum() == 2
    assert events.start.is_monotonic_increasing


def test_holiday_errors():
    cases = [(dict(country="GX"), "holidays: unknown country 'GX'; use an ISO code such as 'GB' or 'US'"),
             (dict(country="USX"), "holidays: unknown country 'USX' (did you mean 'USA'?); use an ISO code such as "
                                   "'GB' or 'US'"),
             (dict(country="GB", subdivision="XYZ"), "holidays: GB has no subdivision 'XYZ'; use one of ENG, NIR, "
                                                     "SCT, WLS")]
    for kwargs, message in cases:
        with pytest.raises(InputError) as error:
            holiday_events(years=2026, tz=LONDON, **kwargs)
        assert str(error.value) == message


# --- event_days and event_intervals -------------------------------------------------------------

def test_event_days_lists_each_channel_and_day_an_event_touches():
    events = read_events(DATA / "events.csv", tz=LONDON)
    active = event_days(events, pd.date_range("2026-10-24", "2026-12-31"), ["phone", "chat"])
    assert list(active.columns) == ["channel", "date", "name", "kind", "effect", "value", "share"]
    assert str(active["date"].dtype) == "datetime64[ns]"
    phone = active[active.channel == "phone"]
    assert phone.date.dt.strftime("%m-%d").tolist() == ["10-25", "11-27", "12-01", "12-25", "12-26"]
    assert phone.share.tolist() == pytest.approx([0.75 / 25, 1.0, 2 / 24, 1.0, 1.0])  # the outage on a 25-hour day
    chat = active[active.channel == "chat"]
    assert chat.kind.tolist() == ["sale", "closure", "closure"]  # '*' events only: the rest are phone's


def test_event_days_pivot_to_regressors():
    events = pd.concat([read_events(DATA / "events.csv", tz=LONDON),
                        holiday_events("GB", years=2026, tz=LONDON, subdivision="ENG")], ignore_index=True)
    days = pd.date_range("2026-12-20", "2026-12-31")
    active = event_days(events, days, ["phone"])
    learn = active[active.effect == "learn"]
    X = learn.pivot_table(index="date", columns="kind", values="share", aggfunc="max", fill_value=0.0)
    X = X.reindex(days, fill_value=0.0)
    assert X["public_holiday"].sum() == 3.0 and X.loc["2026-12-28", "public_holiday"] == 1.0


def test_event_days_skips_other_channels_and_days_outside():
    events = read_events(DATA / "events.csv", tz=LONDON)
    assert event_days(events, ["2026-12-01"], ["chat"]).empty
    assert event_days(events, pd.DatetimeIndex(["2026-12-25"]).tz_localize(LONDON), ["email"]).channel.tolist() == ["email"]


def test_event_intervals_gives_factors_and_masks_in_the_input_order():
    events = read_events(write("e.csv", HEADER + "TV,campaign,2026-12-01 18:00,2026-12-01 19:00,phone,multiply,1.25\n"
                                                  "Promo,promo,2026-12-01,,*,multiply,2\n"
                                                  "Down,outage,2026-12-01 18:30,2026-12-01 19:00,*,exclude,\n"
                                                  "Shut,closure,2026-12-02,,chat,closed,\n"
                                                  "Sale,sale,2026-12-01,,*,learn,1.5\n"), tz=LONDON)
    times = pd.to_datetime(["2026-12-01 18:30", "2026-12-01 17:30", "2026-12-02 09:00", "2026-12-01 18:30",
                            "2026-12-02 09:00"]).tz_localize(LONDON)
    intervals = pd.DataFrame({"interval_start": times, "channel": ["phone", "phone", "chat", "chat", "phone"]},
                             index=[10, 11, 12, 13, 14])
    effects = event_intervals(events, intervals)
    assert effects.index.tolist() == [10, 11, 12, 13, 14]
    assert effects["multiply"].tolist() == [2.5, 2.0, 1.0, 2.0, 1.0]
    assert effects["exclude"].tolist() == [True, False, False, True, False]
    assert effects["closed"].tolist() == [False, False, True, False, False]


# --- opening hours and the future grid ----------------------------------------------------------

def test_opening_hours_frame_shape_and_learned_hours():
    hours = opening_hours(read_history(DATA / "history.csv", tz=LONDON))
    assert list(hours.columns) == ["channel", "weekday", "slot", "time_of_day", "open", "share"]
    assert len(hours) == 2 * 7 * 96 and hours.attrs == {"interval_s": 900.0, "tz": LONDON}
    opened = hours[hours.open]
    # chat had 0 offered at 09:30, so only 09:00 is open; phone 09:00-09:45 on Monday, 09:00 on Tuesday
    assert opened[["channel", "weekday", "slot"]].values.tolist() == [
        ["chat", 0, 36], ["chat", 1, 36], ["phone", 0, 36], ["phone", 0, 37], ["phone", 0, 38], ["phone", 1, 36]]
    assert str(opened.time_of_day.iloc[3]) == "0 days 09:15:00"


def history_of(times, offered, interval_s=3600.0, channel="phone"):
    frame = pd.DataFrame({"interval_start": times, "channel": channel, "offered": offered})
    frame.attrs["interval_s"] = interval_s
    return frame


def test_min_share_and_weeks_drop_rare_or_old_hours():
    mondays = pd.date_range("2026-01-05 09:00", periods=8, freq="7D", tz=LONDON)
    stray = pd.DatetimeIndex([pd.Timestamp("2026-01-05 22:00", tz=LONDON)])
    history = history_of(mondays.append(stray), [5.0] * 8 + [1.0])
    assert opening_hours(history).query("open").slot.tolist() == [9, 22]
    assert opening_hours(history, min_share=0.2).query("open").slot.tolist() == [9]
    assert opening_hours(history, weeks=4).query("open").slot.tolist() == [9]
    for kwargs, message in [(dict(min_share=2), "min_share: expected a fraction in [0, 1], got 2"),
                            (dict(weeks=0), "weeks: expected a whole number of weeks >= 1, got 0")]:
        with pytest.raises(InputError) as error:
            opening_hours(history, **kwargs)
        assert str(error.value) == message


@pytest.mark.parametrize("date,count", [("2026-03-29", 92), ("2026-10-25", 100), ("2026-07-05", 96)])
def test_future_grid_has_92_or_100_quarter_hours_on_dst_days(date, count):
    week = pd.date_range("2026-01-05", "2026-01-12", freq="15min", tz=LONDON, inclusive="left")
    history = history_of(week, 1.0, 900.0)
    end = pd.Timestamp(date) + pd.Timedelta(days=1)
    grid = future_intervals(history, date, end)
    assert len(grid) == count and grid.attrs["interval_s"] == 900.0
    assert grid.interval_start.diff().dropna().eq(pd.Timedelta(minutes=15)).all()
    assert str(grid.interval_start.dtype) == "datetime64[ns, Europe/London]"


def test_future_grid_keeps_only_open_hours_per_channel():
    history = pd.concat([
        history_of(pd.date_range("2026-01-05 09:00", periods=3, freq="h", tz=LONDON), 1.0, channel="phone"),
        history_of(pd.date_range("2026-01-10 10:00", periods=1, freq="h", tz=LONDON), 1.0, channel="chat"),
    ], ignore_index=True)
    history.attrs["interval_s"] = 3600.0
    hours = opening_hours(history)
    grid = future_intervals(hours, "2026-10-24", "2026-10-27")  # Saturday to Monday, fall back on Sunday
    assert grid.interval_start.dt.strftime("%a %H:%M").tolist() == ["Sat 10:00", "Mon 09:00", "Mon 10:00", "Mon 11:00"]
    assert grid.channel.tolist() == ["chat", "phone", "phone", "phone"]


def test_repeated_hour_is_open_twice_on_the_fall_back_day():
    sunday = pd.date_range("2026-01-04 01:00", periods=1, freq="h", tz=LONDON)
    grid = future_intervals(history_of(sunday, 1.0), "2026-10-25", "2026-10-26", tz=LONDON)
    assert [t.isoformat() for t in grid.interval_start] == ["2026-10-25T01:00:00+01:00", "2026-10-25T01:00:00+00:00"]


def test_grid_and_calendar_argument_errors():
    history = history_of(pd.date_range("2026-01-05 09:00", periods=2, freq="h", tz=LONDON), 1.0)
    cases = [
        (lambda: future_intervals(history, "2026-07-06", "2026-07-06"),
         "end: expected a day after start (2026-07-06), got 2026-07-06; end is exclusive"),
        (lambda: future_intervals(history, "July", "2026-07-06"), "start: expected a date such as 2026-07-06, got 'July'"),
        (lambda: future_intervals(history, "2026-07-06", "2026-07-07", tz="Mars/Base"),
         "tz: unknown time zone 'Mars/Base'; use an IANA name such as 'Europe/London'"),
        (lambda: opening_hours(history.assign(interval_start=history.interval_start.dt.tz_localize(None).dt.as_unit("ns"))),
         "history.interval_start: expected time-zone aware times (datetime64[ns, tz]), got datetime64[ns]"),
        (lambda: opening_hours(pd.DataFrame(history)),  # attrs lost
         "history.attrs['interval_s']: expected 300, 900, 1800 or 3600 seconds, got None; read the history with "
         "planner.io.read_history, which sets it"),
        (lambda: event_days(history, ["2026-01-01"], ["phone"]),
         "events: missing column 'name'; an events frame has name, kind, start, end, channel, effect, value"),
    ]
    for call, message in cases:
        with pytest.raises(InputError) as error:
            call()
        assert str(error.value) == message
