"""Reading history files: the frame contract, DST days, round trips, and every error's exact text."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.io import read_history, write_history

DATA = Path(__file__).parent / "data"
HEADER = "interval_start,channel,offered\n"
LONDON = "Europe/London"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # error messages show the relative paths the tests pass


def write(name: str, text: str | bytes) -> str:
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        Path(name).write_bytes(text)
    else:
        Path(name).write_text(text, encoding="utf-8")
    return name


def day(date: str, tz: str = LONDON, freq: str = "15min") -> pd.DatetimeIndex:
    """Every interval of a local day, stepping through absolute time (92/96/100 quarter hours)."""
    start = pd.Timestamp(date)
    return pd.date_range(start.tz_localize(tz), (start + pd.Timedelta(days=1)).tz_localize(tz),
                         freq=freq, inclusive="left").as_unit("ns")


def test_reads_the_frame_contract():
    history = read_history(DATA / "history.csv", tz=LONDON)
    assert list(history.columns) == ["interval_start", "channel", "offered", "handled", "abandoned", "aht_s"]
    assert str(history["interval_start"].dtype) == "datetime64[ns, Europe/London]"
    assert history["channel"].tolist() == ["chat"] * 3 + ["phone"] * 4  # sorted by channel, then time
    assert history["interval_start"].is_monotonic_increasing is False
    assert history.groupby("channel")["interval_start"].apply(lambda s: s.is_monotonic_increasing).all()
    assert all(history[c].dtype == np.float64 for c in ["offered", "handled", "abandoned", "aht_s"])
    assert history.attrs["interval_s"] == 900.0
    assert np.isnan(history["aht_s"].iloc[1])  # an empty optional cell is NaN
    assert history.loc[history.channel == "phone", "offered"].tolist() == [12, 15, 9, 10]


def test_trailing_empty_columns_are_ignored():
    path = write("h.csv", "interval_start,channel,offered,,\n2026-01-05 09:00,phone,3,,\n2026-01-05 09:15,phone,4,,\n")
    assert list(read_history(path, tz=LONDON).columns) == ["interval_start", "channel", "offered"]


def test_optional_columns_are_optional_and_whitespace_is_trimmed():
    path = write("h.csv", " interval_start , channel ,offered\n2026-01-05 09:00, phone ,3\n2026-01-05 09:30,phone,4.5\n")
    history = read_history(path, tz=LONDON)
    assert list(history.columns) == ["interval_start", "channel", "offered"]
    assert history["channel"].tolist() == ["phone", "phone"] and history.attrs["interval_s"] == 1800.0


def test_offsets_are_converted_to_the_zone_and_z_means_utc():
    path = write("h.csv", HEADER + "2026-07-01T08:00:00Z,phone,1\n2026-07-01T09:15+01:00,phone,2\n")
    history = read_history(path, tz=LONDON)
    assert history["interval_start"].astype(str).tolist() == ["2026-07-01 09:00:00+01:00", "2026-07-01 09:15:00+01:00"]


def test_without_tz_offsets_give_utc():
    path = write("h.csv", HEADER + "2026-07-01T09:00+01:00,phone,1\n2026-07-01T09:15+01:00,phone,2\n")
    assert str(read_history(path)["interval_start"].dtype) == "datetime64[ns, UTC]"


def test_explicit_interval_is_checked_not_inferred():
    path = write("h.csv", HEADER + "2026-01-05 09:00,phone,1\n2026-01-05 10:00,phone,1\n")
    assert read_history(path, tz=LONDON).attrs["interval_s"] == 3600.0
    assert read_history(path, tz=LONDON, interval_s=900).attrs["interval_s"] == 900.0


def test_blank_lines_are_skipped_but_counted_in_line_numbers():
    path = write("h.csv", HEADER + "2026-01-05 09:00,phone,1\n\n\n2026-01-05 09:15,phone,-1\n")
    with pytest.raises(InputError) as error:
        read_history(path, tz=LONDON)
    assert str(error.value).startswith("h.csv:5:offered:")


def test_the_input_file_is_never_modified():
    path = write("h.csv", HEADER + "2026-01-05 09:15,phone,1\n2026-01-05 09:00,phone,2\n")
    before = (Path(path).read_bytes(), os.stat(path).st_mtime_ns)
    read_history(path, tz=LONDON)
    assert (Path(path).read_bytes(), os.stat(path).st_mtime_ns) == before


# --- DST days (Europe/London 2026: spring forward 29 March, fall back 25 October) --------------

@pytest.mark.parametrize("date,count", [("2026-03-29", 92), ("2026-10-25", 100), ("2026-06-01", 96)])
@pytest.mark.parametrize("style", ["naive", "offset"])
def test_dst_days_have_92_or_100_quarter_hours(date, count, style):
    times = day(date)
    text = times.strftime("%Y-%m-%d %H:%M") if style == "naive" else [t.isoformat() for t in times]
    path = write("h.csv", HEADER + "".join(f"{t},phone,1\n" for t in text))
    history = read_history(path, tz=LONDON)
    assert len(history) == count
    pd.testing.assert_index_equal(pd.DatetimeIndex(history["interval_start"]), pd.DatetimeIndex(times, freq=None), check_names=False)


def test_repeated_hour_resolves_by_order_of_appearance_per_channel():
    times = day("2026-10-25")[4:12]  # 01:00-01:45 summer time, then 01:00-01:45 winter time
    naive = times.strftime("%H:%M")
    assert list(naive[:4]) == list(naive[4:])
    rows = "".join(f"2026-10-25 {t},{c},1\n" for t in naive for c in ("phone", "chat"))  # channels interleaved
    history = read_history(write("h.csv", HEADER + rows), tz=LONDON)
    for _, group in history.groupby("channel"):
        assert list(group["interval_start"]) == list(times)


def test_a_lone_copy_of_the_repeated_hour_reads_as_summer_time():
    # 01:30 appears once: it is taken as the first (BST) 01:30, even if the export meant GMT; offsets avoid this
    history = read_history(write("h.csv", HEADER + "2026-10-25 01:30,phone,1\n2026-10-25 03:00,phone,1\n"),
                           tz=LONDON, interval_s=1800)
    assert history["interval_start"].iloc[0].isoformat() == "2026-10-25T01:30:00+01:00"


def test_nonexistent_local_time_is_an_error_naming_the_row():
    path = write("h.csv", HEADER + "2026-03-29 00:45,phone,1\n2026-03-29 01:00,phone,1\n2026-03-29 02:00,phone,1\n")
    with pytest.raises(InputError) as error:
        read_history(path, tz=LONDON)
    assert str(error.value) == (
        "h.csv:3:interval_start: '2026-03-29 01:00' does not exist in Europe/London: the clocks go forward that "
        "night; remove the row: that hour is skipped (a spring-forward day has 23 hours)")


def test_a_third_copy_of_the_repeated_hour_is_a_duplicate():
    path = write("h.csv", HEADER + "2026-10-25 01:00,phone,1\n" * 3 + "2026-10-25 01:15,phone,1\n")
    with pytest.raises(InputError) as error:
        read_history(path, tz=LONDON)
    assert str(error.value) == ("h.csv:4:interval_start: duplicate interval '2026-10-25 01:00' for channel 'phone' "
                                "(also line 3); keep one row per channel and interval")


# --- every check, with its exact message --------------------------------------------------------

ROWS = "2026-01-05 09:00,phone,1\n2026-01-05 09:15,phone,2\n"
ERRORS = {
    "unknown column": ("interval_start,channel,ofered\n" + ROWS,
                       "h.csv:1:ofered: unknown column (did you mean 'offered'?); expected interval_start, channel, "
                       "offered and optionally handled, abandoned, aht_s"),
    "unknown column, no suggestion": ("interval_start,channel,offered,queue_id\n",
                                      "h.csv:1:queue_id: unknown column; expected interval_start, channel, offered "
                                      "and optionally handled, abandoned, aht_s"),
    "duplicate column": ("interval_start,channel,offered,offered\n",
                         "h.csv:1:offered: the column appears twice; keep one"),
    "values without a column": ("interval_start,channel,offered,\n" + ROWS.replace("\n", ",x\n"),
                                "h.csv:1:column 4: values under an empty column name; name the column or remove the "
                                "values"),
    "semicolons": ("interval_start;channel;offered\n", "h.csv:1: values are separated by ';'; save the file with "
                   "commas (CSV)"),
    "not utf-8": ("interval_start,channel,offered\n2026-01-05 09:00,t\xe9l\xe9phone,1\n".encode("latin-1"),
                  "h.csv: not UTF-8 text; save it as 'CSV UTF-8'"),
    "unclosed quote": (HEADER + ROWS + '2026-01-05 09:30,"phone,1\n', "h.csv:4: a quote (\") is never closed; close "
                       "it or remove it"),
    "missing column": ("interval_start,channel\n2026-01-05 09:00,phone\n",
                       "h.csv:1: missing required column 'offered'; the header must name interval_start, channel, "
                       "offered (optionally handled, abandoned, aht_s)"),
    "empty file": ("", "h.csv: empty file; the first line must name the columns: interval_start,channel,offered, "
                   "then one row per channel and interval"),
    "header only": (HEADER, "h.csv:2: no data rows; add one row per channel and interval below the header"),
    "duplicate interval": (HEADER + ROWS + "2026-01-05 09:00,phone,3\n",
                           "h.csv:4:interval_start: duplicate interval '2026-01-05 09:00' for channel 'phone' "
                           "(also line 2); keep one row per channel and interval"),
    "duplicate across offsets": (HEADER + "2026-01-05T09:00Z,phone,1\n2026-01-05T09:15Z,phone,1\n"
                                 "2026-01-05T10:00+01:00,phone,1\n",
                                 "h.csv:4:interval_start: duplicate interval '2026-01-05T10:00+01:00' for channel "
                                 "'phone' (also line 2); keep one row per channel and interval"),
    "misaligned": (HEADER + ROWS + "2026-01-05 09:37,phone,1\n2026-01-05 09:45,phone,1\n",
                   "h.csv:4:interval_start: '2026-01-05 09:37' is not on the 15-minute grid; interval starts are "
                   "whole multiples of 15 minutes past the hour with 0 seconds; fix the time or pass interval_s"),
    "seconds": (HEADER + ROWS + "2026-01-05 09:30:10,phone,1\n",
                "h.csv:4:interval_start: '2026-01-05 09:30:10' is not on the 15-minute grid; interval starts are "
                "whole multiples of 15 minutes past the hour with 0 seconds; fix the time or pass interval_s"),
    "negative": (HEADER + ROWS + "2026-01-05 09:30,phone,-3\n2026-01-05 09:45,phone,-1\n",
                 "h.csv:4:offered: negative count -3 (and 1 more row); offered must be >= 0; fix the export"),
    "negative aht": ("interval_start,channel,offered,aht_s\n2026-01-05 09:00,phone,1,-5\n",
                     "h.csv:2:aht_s: negative handle time -5; aht_s must be >= 0; fix the export or leave the "
                     "cell empty"),
    "non-numeric": (HEADER + ROWS + "2026-01-05 09:30,phone,12 calls\n",
                    "h.csv:4:offered: '12 calls' is not a number; write contacts as digits with '.' for "
                    "decimals, e.g. 12"),
    "thousands separator": ("interval_start,channel,offered,handled\n2026-01-05 09:00,phone,1,\"1,234\"\n",
                            "h.csv:2:handled: '1,234' is not a number; write contacts as digits with '.' for "
                            "decimals, e.g. 12"),
    "missing count": (HEADER + ROWS + "2026-01-05 09:30,phone,\n",
                      "h.csv:4:offered: missing contacts; write a number such as 12 (0 if none)"),
    "infinite": (HEADER + "2026-01-05 09:00,phone,inf\n",
                 "h.csv:2:offered: contacts must be finite, got 'inf'; write a number such as 12"),
    "missing channel": (HEADER + ROWS + "2026-01-05 09:30, ,1\n",
                        "h.csv:4:channel: missing channel name; write the channel, e.g. phone"),
    "missing time": (HEADER + ROWS + ",phone,1\n", "h.csv:4:interval_start: missing date and time; write ISO 8601 "
                     "such as 2026-03-29 09:15 or 2026-03-29T09:15:00+01:00"),
    "unparseable date": (HEADER + ROWS + "05/01/2026 09:30,phone,1\n",
                         "h.csv:4:interval_start: cannot read '05/01/2026 09:30' as a date and time; dates such as "
                         "07/01/2025 are month-first in some exports and day-first in others: say which with "
                         "timestamp_format = \"%m/%d/%Y %I:%M %p\" (strptime codes) or day_first = true/false in the "
                         "[history] table (read_history(..., timestamp_format=...))"),
    "impossible date": (HEADER + ROWS + "2026-02-30 09:30,phone,1\n",
                        "h.csv:4:interval_start: cannot read '2026-02-30 09:30' as a date and time; write ISO 8601 "
                        "such as 2026-03-29 09:15 or 2026-03-29T09:15:00+01:00"),
    "mixed offsets": (HEADER + "2026-01-05T09:00+00:00,phone,1\n2026-01-05 09:15,phone,1\n",
                      "h.csv:3:interval_start: '2026-01-05 09:15' has no UTC offset but line 2 has one; write every "
                      "time with its offset (…+01:00) or none"),
    "too many fields": (HEADER + ROWS + "2026-01-05 09:30,phone,1,2\n",
                        "h.csv:4: 4 fields, expected 3; remove the extra values or quote values that contain commas"),
    "one interval": (HEADER + "2026-01-05 09:00,phone,1\n",
                     "h.csv: cannot infer the interval length: no channel has two intervals; pass interval_s "
                     "(e.g. interval_s=900 for 15 minutes)"),
    "odd step": (HEADER + "2026-01-05 09:00,phone,1\n2026-01-05 09:20,phone,1\n",
                 "h.csv:3:interval_start: cannot infer the interval length: a channel's intervals are mostly 20 min "
                 "apart (this line follows line 2); intervals must be 5, 15, 30 or 60 minutes; check the export's "
                 "granularity or pass interval_s"),
}


@pytest.mark.parametrize("text,message", ERRORS.values(), ids=ERRORS.keys())
def test_error_messages(text, message):
    with pytest.raises(InputError) as error:
        read_history(write("h.csv", text), tz=LONDON)
    assert str(error.value) == message


def test_argument_errors():
    path = write("h.csv", HEADER + ROWS)
    cases = [
        (dict(), "h.csv:2:interval_start: times have no UTC offset, so the time zone is needed; pass tz, the "
                 "contact center's IANA zone (e.g. tz='Europe/London')"),
        (dict(tz="Europe/Londn"), "tz: unknown time zone 'Europe/Londn' (did you mean 'Europe/London'?); use an "
                                  "IANA name such as 'Europe/London'"),
        (dict(tz=LONDON, interval_s=1200), "interval_s: expected 300, 900, 1800 or 3600 seconds, got 1200"),
        (dict(tz=LONDON, interval_s=1800), "h.csv:3:interval_start: '2026-01-05 09:15' is not on the 30-minute "
                                           "grid; interval starts are whole multiples of 30 minutes past the hour "
                                           "with 0 seconds; fix the time or pass interval_s"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InputError) as error:
            read_history(path, **kwargs)
        assert str(error.value) == message


def test_the_path_is_shown_exactly_as_given():
    write("data/h.csv", HEADER + "2026-01-05 09:00,phone,x\n")
    for path in ("data/h.csv", "./data/h.csv", "data//h.csv"):
        with pytest.raises(InputError, match=f"^{path}:2:offered: 'x' is not a number"):
            read_history(path, tz=LONDON)
    with pytest.raises(InputError) as error:
        read_history("missing/h.csv", tz=LONDON)
    assert str(error.value) == f"missing/h.csv: file not found; check the path (relative paths start at {os.getcwd()})"


def test_excel_date_cells_are_local_times():
    pytest.importorskip("openpyxl")
    times = day("2026-10-25")[4:12]  # the repeated hour, as Excel date cells (no zone)
    pd.DataFrame({"interval_start": times.tz_localize(None), "channel": "phone", "offered": 1}).to_excel("h.xlsx", index=False)
    assert read_history("h.xlsx", tz=LONDON)["interval_start"].tolist() == list(times)


def test_errors_name_the_file_line_for_excel_and_parquet():
    frame = pd.DataFrame({"interval_start": ["2026-01-05 09:00", "2026-01-05 09:15", "2026-01-05 09:30"],
                          "channel": "phone", "offered": [1, -2, 3]})
    pytest.importorskip("openpyxl")
    frame.to_excel("h.xlsx", index=False)
    with pytest.raises(InputError, match=r"^h\.xlsx:3:offered: negative count -2;"):
        read_history("h.xlsx", tz=LONDON)
    pytest.importorskip("pyarrow")
    frame.to_parquet("h.parquet")
    with pytest.raises(InputError, match=r"^h\.parquet:3:offered: negative count -2;"):
        read_history("h.parquet", tz=LONDON)


# --- round trips --------------------------------------------------------------------------------

def frame_over(times: pd.DatetimeIndex, channels=("chat", "phone")) -> pd.DataFrame:
    n = len(times)
    frames = [pd.DataFrame({"interval_start": times, "channel": c, "offered": np.arange(n) % 7 * 1.0,
                            "aht_s": np.where(np.arange(n) % 5 == 0, np.nan, 180.0 + np.arange(n) / 3)})
              for c in channels]
    frame = pd.concat(frames, ignore_index=True)
    frame["channel"] = frame["channel"].astype(str)  # object on pandas 2, str on pandas 3
    frame.attrs["interval_s"] = 900.0
    return frame


def test_csv_round_trip_with_offsets_across_both_dst_days():
    times = day("2026-03-29").append(day("2026-10-25"))
    frame = frame_over(times)
    path = write_history(frame, "out/h.csv")
    assert path == Path("out/h.csv") and not list(Path("out").glob(".tmp*"))
    lines = path.read_text().splitlines()
    assert lines[0] == "interval_start,channel,offered,aht_s"
    assert lines[1] == "2026-03-29T00:00:00+00:00,chat,0,"
    assert "2026-03-29T02:00:00+01:00,chat,4,181.33333333333334" in lines  # 01:00-01:59 skipped
    assert {"2026-10-25T01:00:00+01:00", "2026-10-25T01:00:00+00:00"} <= {line.split(",")[0] for line in lines}
    back = read_history(path, tz=LONDON)
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert back.attrs == frame.attrs


def test_compressed_csv_round_trip_and_line_numbers():
    frame = frame_over(day("2026-10-25"))
    pd.testing.assert_frame_equal(read_history(write_history(frame, "h.csv.gz"), tz=LONDON), frame, check_exact=True)
    import gzip
    with gzip.open("bad.csv.gz", "wt") as handle:
        handle.write(HEADER + "2026-01-05 09:00,phone,1\n2026-01-05 09:15,phone,-2\n")
    with pytest.raises(InputError, match=r"^bad\.csv\.gz:3:offered: negative count -2;"):
        read_history("bad.csv.gz", tz=LONDON)


def test_parquet_round_trip():
    pytest.importorskip("pyarrow")
    frame = frame_over(day("2026-10-25"))
    pd.testing.assert_frame_equal(read_history(write_history(frame, "h.parquet"), tz=LONDON), frame, check_exact=True)
    naive = frame.assign(interval_start=frame["interval_start"].dt.tz_localize(None))
    naive.iloc[:2].to_parquet("naive.parquet")  # naive local times in a datetime column
    assert read_history("naive.parquet", tz=LONDON)["interval_start"].tolist() == frame["interval_start"][:2].tolist()


def test_write_refuses_naive_times():
    with pytest.raises(InputError, match="interval_start must be time-zone aware"):
        write_history(pd.DataFrame({"interval_start": pd.date_range("2026-01-01", periods=2, freq="15min"),
                                    "channel": "phone", "offered": 1.0}), "h.csv")


#: Zones and the eves of their 2026 DST changes (half the examples straddle one).
ZONES = {"Europe/London": ["2026-03-28", "2026-10-24"], "America/New_York": ["2026-03-07", "2026-10-31"],
         "Australia/Sydney": ["2026-04-04", "2026-10-03"], "Asia/Kolkata": [], "UTC": []}
NAMES = ["phone", "chat", "back office", "e-mail, fr", "Téléphone"]


@st.composite
def histories(draw):
    tz = draw(st.sampled_from(sorted(ZONES)))
    interval = draw(st.sampled_from([300, 900, 1800, 3600]))
    random_day = st.integers(0, 364).map(lambda d: pd.Timestamp("2026-01-01") + pd.Timedelta(days=d))
    first = draw(st.one_of(st.sampled_from([pd.Timestamp(d) for d in ZONES[tz]] or [pd.Timestamp("2026-06-01")]),
                           random_day))
    times = pd.date_range(first.tz_localize(tz), (first + pd.Timedelta(days=2)).tz_localize(tz),
                          freq=f"{interval}s", inclusive="left")
    channels = sorted(draw(st.sets(st.sampled_from(NAMES), min_size=1, max_size=3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))  # bulk values; hypothesis picks the seed
    share_open = draw(st.sampled_from([0.05, 0.5, 1.0]))
    frames = []
    for channel in channels:
        chosen = times[rng.random(len(times)) < share_open]
        whole = rng.integers(0, 10_000, len(chosen)).astype(float)
        fractional = rng.random(len(chosen)) * 10.0 ** rng.integers(-3, 7, len(chosen))
        offered = np.where(rng.random(len(chosen)) < 0.5, whole, fractional)
        frames.append(pd.DataFrame({"interval_start": chosen, "channel": channel, "offered": offered}))
    frame = pd.concat(frames, ignore_index=True)
    if len(frame) == 0:
        frame = pd.DataFrame({"interval_start": times[:1], "channel": channels[0], "offered": [1.0]})
    frame["channel"] = frame["channel"].astype(str)  # object on pandas 2, str on pandas 3
    frame["offered"] = frame["offered"].astype(float)
    frame["interval_start"] = frame["interval_start"].dt.as_unit("ns")
    frame.attrs["interval_s"] = float(interval)
    return tz, frame


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories())
def test_read_write_read_round_trips(tmp_path, case):
    tz, frame = case
    interval_s = frame.attrs["interval_s"]
    path = write_history(frame, tmp_path / "h.csv")
    once = read_history(path, tz=tz, interval_s=interval_s)
    pd.testing.assert_frame_equal(once, frame, check_exact=True)
    again = write_history(once, tmp_path / "again.csv")
    assert again.read_bytes() == path.read_bytes()
    # naive local times, listed channel by channel in time order, read back to the same instants --
    # unless a repeated-hour time appears only in its second (standard time) copy: that reads as DST
    wall = frame["interval_start"].dt.tz_localize(None)
    ambiguous = wall.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").isna()
    lone = ambiguous & ~frame.assign(wall=wall).duplicated(["channel", "wall"], keep=False)
    as_dst = wall.dt.tz_localize(tz, ambiguous=np.ones(len(wall), bool))
    if (lone & (as_dst != frame["interval_start"])).any():
        return
    naive = frame.assign(interval_start=frame["interval_start"].dt.strftime("%Y-%m-%d %H:%M"))
    naive.to_csv(tmp_path / "naive.csv", index=False)
    pd.testing.assert_frame_equal(read_history(tmp_path / "naive.csv", tz=tz, interval_s=interval_s), frame,
                                  check_exact=True)
