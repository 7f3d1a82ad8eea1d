"""Seeded sample data for planner: two years of 15-minute history of a multichannel center.

This script is deliberately independent of the ``planner`` package (it only needs numpy and
pandas): it is the *truth* that the forecaster and the staffing engine are checked against, so
every effect below is written down with its size.

Rerun from the repository root (about 3 s; the outputs are byte-identical on every run with the
same numpy and pandas versions):

    python scenarios/data/make_sample_data.py            # writes the files beside this script
    python scenarios/data/make_sample_data.py --check    # exit 1 if the files on disk differ

Files written (atomically: temporary file, then ``os.replace``)
---------------------------------------------------------------
``history.csv.gz``
    Long format, one row per open interval x channel (docs/design.md section 3), gzip with mtime 0:
    ``interval_start`` (ISO 8601 local time with UTC offset, ``2026-03-29T03:00:00+01:00``),
    ``channel``, ``offered``, ``handled``, ``abandoned`` (integers) and ``aht_s`` (mean handle
    time of the interval's handled contacts in seconds, 0.1 s; empty where ``handled == 0``).
    Closed intervals are absent. Rows are sorted by real (UTC) time, then phone, chat, email,
    social (in the autumn DST hour the strings themselves do not sort).
``events.csv``
    The events calendar (``name, kind, start, end, channel, effect, value``; dates, ``end``
    inclusive), one row per event and affected channel. UK bank holidays are *not* listed: the
    planner takes them from the ``holidays`` library (country GB, subdivision ENG).
``events-new-campaign.csv``
    ``events.csv`` plus a future TV campaign inside the plan horizon (for a what-if scenario).

The story
---------
"Northwind Energy" runs a customer-service center in Europe/London. The history covers two full
years, Saturday 2024-07-06 to Sunday 2026-07-05 inclusive (730 days); the shipped scenario plans
the 28 days from Monday 2026-07-06. Over the two years customers move from the phone to chat.

Time axis. 15-minute intervals of local time (Europe/London). The four DST changes in range
(2024-10-27 and 2025-10-26: 100 quarter hours, 01:00-02:00 twice; 2025-03-30 and 2026-03-29:
92 quarter hours, no 01:00-02:00) show on the 24/7 channels (email, social). Arrival rates are
per real quarter hour, so a 25-hour day carries one extra night hour of volume.

Opening hours (closed intervals are absent):

========  ==========================================  ==============================
channel   open                                        closed days
========  ==========================================  ==============================
phone     Mon-Fri 08:00-20:00, Sat 09:00-17:00         Sundays, 25 Dec, 1 Jan
chat      every day 08:00-22:00                        25 Dec, 1 Jan
email     arrivals recorded 24/7                       never
social    arrivals recorded 24/7                       never
========  ==========================================  ==============================

Expected offered contacts of a day (before events and noise)::

    level = base x weekday[dow] x trend(day) x season(day of year) x holiday

==========  ======  =========================================  ==================  =========
channel     base    weekday Mon Tue Wed Thu Fri Sat Sun         trend over 2 years  holiday
==========  ======  =========================================  ==================  =========
phone       3500    1.17 1.04 1.00 0.95 0.84 0.42 0 (closed)    x 0.85              x 0.60
chat        1500    1.10 1.03 1.00 0.98 0.93 0.95 1.01          x 1.40              x 0.80
email       1200    1.28 1.12 1.05 1.02 0.95 0.80 0.78          x 1.00              x 0.70
social       300    1.05 1.00 0.98 0.97 0.98 1.00 1.02          x 1.10              x 0.70
==========  ======  =========================================  ==================  =========

* ``base`` is the level at the start (2024-07-06) without season: the mean of Mon-Fri for
  phone (Mon-Fri weekday factors average 1.00), the mean over the whole week for the others.
* ``trend(day) = total ** (day / 730)``: smooth and log-linear, phone -15 %, chat +40 %,
  social +10 %, email flat over the two years.
* ``season = 1 + 0.10 cos(2 pi (doy - 31) / 365.25)``: +10 % at the end of January, -10 % at
  the start of August (the same for every channel).
* Bank holidays of England and Wales (holidays.country_holidays("GB", subdiv="ENG")): phone and
  chat closed on Christmas Day and New Year's Day (email and social x 0.50 those days); on the
  other bank holidays (Boxing Day, Good Friday, Easter Monday, May Day, Spring and Late Summer
  bank holidays) the factors in the ``holiday`` column, with normal opening hours.

Intraday profile. The level is spread over the day's quarter hours with a fixed profile of local
clock time (``g(mu, sd)`` is a Gaussian bump at hour ``mu``, evaluated at interval midpoints and
normalised to sum to 1 over a normal 96-quarter-hour day's open intervals):

* phone Mon-Fri: ``0.15 + g(10.5, 1.3) + 0.65 g(14.75, 1.6)``: morning peak 10:00-11:00, smaller
  afternoon peak around 14:45. Saturday: ``0.15 + g(11.5, 1.8)``.
* chat: ``0.20 + 0.55 g(12.5, 2.0) + g(19.75, 1.5)``: later and evening-heavy.
* email: ``0.12 + g(11.0, 3.0) + 0.35 g(19.5, 2.0)``: smooth, daytime-heavy, a little at night.
* social: ``0.15 + 0.7 g(12.5, 3.0) + 0.8 g(20.0, 2.2)``.

Events (``events.csv``). Each event adds ``(factor - 1) x level`` contacts to each of its days,
spread with the event's own intraday shape over the open intervals of that day (so events move
the intraday shape, not only the daily total):

=================  ===============================  ==========================================
kind (effect)      when                             size and shape
=================  ===============================  ==========================================
billing (learn)    2nd and 3rd of every month        phone x 1.20, email x 1.30 on each day;
                   (bills are issued on the 1st)     extra volume in the morning: phone
                                                     g(10.0, 1.5), email g(9.5, 2.0)
tv_campaign        2024-09-17..19 (phone x 1.30)     chat x 1.30 on every campaign day; the
(learn)            2025-03-11..14 (phone x 1.25)     extra volume comes in the evening after
                   2025-10-14..15 (phone x 1.40)     the airing, g(19.5, 1.5) (phone, which
                   2026-04-20..24 (phone x 1.35)     closes at 20:00, gets it 16:00-20:00)
price_change       2025-04-07..09                    phone and email x 1.50, normal profile
(learn)
outage (exclude)   2025-11-12 13:00-16:30            phone: only 10 % of the calls recorded
                                                     (an anomaly; must not be learned)
=================  ===============================  ==========================================

Billing rows run to December 2026, so the horizon's 2026-08-02 is in the calendar. The future
campaign of ``events-new-campaign.csv`` is 2026-07-14..16, phone and chat, value 1.3; it is not
in the history (it lies after it).

Randomness. Each channel-day gets a gamma factor (mean 1, sd 6 %) on its whole expected volume
(overdispersion: gamma-Poisson); each interval's ``offered`` is then Poisson around its mean.

Abandonment (phone and chat only; email and social 0). ``abandoned ~ Binomial(offered, p)``
with ``p = 0.025 + 0.045 min(mean / ref, 1.6)``, where ``mean`` is the interval's expected
offered and ``ref`` the channel's 95th percentile of it: about 3 % in quiet intervals, 6-7 % at
the peaks, up to 9.7 % during campaigns. ``handled = offered - abandoned``.

Handle time. True AHT of an interval x a daily factor (lognormal, sd 3 %); the recorded
``aht_s`` is the mean of ``handled`` gamma handle times with coefficient of variation ``cv``
(drawn exactly as one gamma variate), so small intervals are noisier:

* phone: ``300 (1 + 0.10 cos(pi (h - 8) / 12)) x 1.05 ** (day / 730)``: 330 s at 08:00,
  300 s at 14:00, 270 s at 20:00; +5 % over the two years (the simple calls move to chat and
  leave the harder ones); cv 0.8.
* chat: 600 s per chat (duration at the usual concurrency of about 3; agent time per chat is
  about a third of that) x ``(1 + 0.06 (w / mean(w) - 1))`` with ``w`` the chat profile: busier
  intervals run at higher concurrency so each chat lasts longer (about +5 % in the evening peak,
  -4 % in quiet hours); cv 0.6.
* email: 400 s of agent work per email (customer latency excluded); cv 1.0.
* social: 200 s; cv 0.9.

Email and social are reported by *arrival* interval: ``handled`` is the number of that
interval's arrivals that were answered (all of them) and ``aht_s`` their work per item; the
planner's deferred model decides when the work is done (within business hours).

Reproducibility. One ``numpy.random.Generator(PCG64(SEED))``, draws in a fixed order; the gzip
header carries no file name and mtime 0.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260705
TZ = "Europe/London"
FIRST_DAY = "2024-07-06"  # Saturday
LAST_DAY = "2026-07-05"  # Sunday, inclusive; the plan starts Monday 2026-07-06
CHANNELS = ("phone", "chat", "email", "social")
HERE = Path(__file__).resolve().parent

# Bank holidays of England and Wales in range; equal to holidays.country_holidays("GB",
# subdiv="ENG") (hard-coded so that the data cannot drift with the holidays package).
CLOSING_HOLIDAYS = ("2024-12-25", "2025-01-01", "2025-12-25", "2026-01-01")
OTHER_HOLIDAYS = (
    "2024-08-26",
    "2024-12-26",
    "2025-04-18",
    "2025-04-21",
    "2025-05-05",
    "2025-05-26",
    "2025-08-25",
    "2025-12-26",
    "2026-04-03",
    "2026-04-06",
    "2026-05-04",
    "2026-05-25",
)

# channel: base level, weekday factors Mon..Sun, trend over two years, holiday factor,
# factor on the closing holidays (0 = closed), handle-time cv
LEVELS = {
    "phone": {
        "base": 3500.0,
        "weekday": (1.17, 1.04, 1.00, 0.95, 0.84, 0.42, 0.0),
        "trend": 0.85,
        "holiday": 0.60,
        "closing": 0.0,
        "cv": 0.8,
    },
    "chat": {
        "base": 1500.0,
        "weekday": (1.10, 1.03, 1.00, 0.98, 0.93, 0.95, 1.01),
        "trend": 1.40,
        "holiday": 0.80,
        "closing": 0.0,
        "cv": 0.6,
    },
    "email": {
        "base": 1200.0,
        "weekday": (1.28, 1.12, 1.05, 1.02, 0.95, 0.80, 0.78),
        "trend": 1.00,
        "holiday": 0.70,
        "closing": 0.50,
        "cv": 1.0,
    },
    "social": {
        "base": 300.0,
        "weekday": (1.05, 1.00, 0.98, 0.97, 0.98, 1.00, 1.02),
        "trend": 1.10,
        "holiday": 0.70,
        "closing": 0.50,
        "cv": 0.9,
    },
}
SEASON_AMPLITUDE = 0.10
SEASON_PEAK_DOY = 31
DAY_SD = 0.06  # gamma day factor (overdispersion)
AHT_DAY_SD = 0.03  # lognormal day factor on handle time
OUTAGE_DAY, OUTAGE_HOURS, OUTAGE_RECORDED = "2025-11-12", (13.0, 16.5), 0.10

# Past TV campaigns: (name, first day, last day, phone factor); chat x 1.30 on every one.
TV_CAMPAIGNS = (
    ("TV campaign autumn 2024", "2024-09-17", "2024-09-19", 1.30),
    ("TV campaign spring 2025", "2025-03-11", "2025-03-14", 1.25),
    ("TV campaign autumn 2025", "2025-10-14", "2025-10-15", 1.40),
    ("TV campaign spring 2026", "2026-04-20", "2026-04-24", 1.35),
)
TV_CHAT = 1.30
FUTURE_CAMPAIGN = ("TV campaign summer 2026", "2026-07-14", "2026-07-16", 1.30)
BILLING = {"phone": 1.20, "email": 1.30}
BILLING_MONTHS = pd.period_range("2024-08", "2026-12", freq="M")
PRICE_CHANGE = (
    "Price change 2025",
    "2025-04-07",
    "2025-04-09",
    {"phone": 1.50, "email": 1.50},
)


def _g(h, mu, sd):
    return np.exp(-0.5 * ((h - mu) / sd) ** 2)


def _open(channel, h, dow):
    """True where ``channel`` is open at clock hour ``h`` on weekday ``dow`` (Mon = 0)."""
    if channel == "phone":
        return ((dow < 5) & (h >= 8) & (h < 20)) | ((dow == 5) & (h >= 9) & (h < 17))
    if channel == "chat":
        return (h >= 8) & (h < 22)
    return np.ones(np.shape(h), dtype=bool)


def _profile(channel, h, dow):
    """Unnormalised intraday weight at interval midpoint hour ``h``; 0 where closed."""
    if channel == "phone":
        w = np.where(
            dow == 5,
            0.15 + _g(h, 11.5, 1.8),
            0.15 + _g(h, 10.5, 1.3) + 0.65 * _g(h, 14.75, 1.6),
        )
    elif channel == "chat":
        w = 0.20 + 0.55 * _g(h, 12.5, 2.0) + _g(h, 19.75, 1.5)
    elif channel == "email":
        w = 0.12 + _g(h, 11.0, 3.0) + 0.35 * _g(h, 19.5, 2.0)
    else:
        w = 0.15 + 0.7 * _g(h, 12.5, 3.0) + 0.8 * _g(h, 20.0, 2.2)
    return np.where(_open(channel, h, dow), w, 0.0)


def _profile_weights(channel, h, dow):
    """Profile normalised to sum 1 over a normal day's 96 quarter hours of the same weekday."""
    hours = np.arange(96) / 4 + 0.125
    norm = np.array([_profile(channel, hours, np.full(96, d)).sum() for d in range(7)])
    with np.errstate(invalid="ignore", divide="ignore"):
        return _profile(channel, h, dow) / norm[dow]


def _event(name, kind, effect, start, end, channels):
    """One event; ``channels`` maps channel -> (factor, intraday shape (mu, sd) or None)."""
    return {
        "name": name,
        "kind": kind,
        "effect": effect,
        "start": pd.Timestamp(start),
        "end": pd.Timestamp(end),
        "channels": channels,
    }


def _event_table():
    """The past and scheduled events that shape the history (the future campaign excluded)."""
    morning = {"phone": (10.0, 1.5), "email": (9.5, 2.0)}
    ev = [
        _event(
            f"Billing {m}",
            "billing",
            "learn",
            m.start_time + pd.Timedelta(days=1),
            m.start_time + pd.Timedelta(days=2),
            {c: (f, morning[c]) for c, f in BILLING.items()},
        )
        for m in BILLING_MONTHS
    ]
    ev += [
        _event(
            name,
            "tv_campaign",
            "learn",
            start,
            end,
            {"phone": (phone, (19.5, 1.5)), "chat": (TV_CHAT, (19.5, 1.5))},
        )
        for name, start, end, phone in TV_CAMPAIGNS
    ]
    name, start, end, factors = PRICE_CHANGE
    ev.append(
        _event(
            name,
            "price_change",
            "learn",
            start,
            end,
            {c: (f, None) for c, f in factors.items()},
        )
    )
    ev.append(
        _event(
            "Telephony outage",
            "outage",
            "exclude",
            OUTAGE_DAY,
            OUTAGE_DAY,
            {"phone": (OUTAGE_RECORDED, None)},
        )
    )
    return ev


def _events_frame(events, value=None):
    rows = [
        {
            "name": e["name"],
            "kind": e["kind"],
            "start": e["start"].strftime("%Y-%m-%d"),
            "end": e["end"].strftime("%Y-%m-%d"),
            "channel": c,
            "effect": e["effect"],
            "value": "" if value is None else value,
        }
        for e in events
        for c in CHANNELS
        if c in e["channels"]
    ]
    return pd.DataFrame(
        rows, columns=["name", "kind", "start", "end", "channel", "effect", "value"]
    )


def build(seed=SEED):
    """Generate the sample data.

    Returns
    -------
    history : pandas.DataFrame
        The public columns plus ``true_offered`` (expected offered with events and the outage,
        before the day factor and the Poisson draw) and ``true_aht_s`` (expected AHT before the
        day factor and sampling noise), for checking forecasts against the truth.
    events, events_new : pandas.DataFrame
        The events calendar without and with the future campaign.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    first = pd.Timestamp(FIRST_DAY, tz=TZ)
    stop = pd.Timestamp(LAST_DAY, tz=TZ) + pd.DateOffset(days=1)
    utc = pd.date_range(
        first.tz_convert("UTC"), stop.tz_convert("UTC"), freq="15min", inclusive="left"
    )
    local = utc.tz_convert(TZ)
    naive = local.tz_localize(None)
    h = (naive.hour + naive.minute / 60).to_numpy() + 0.125  # midpoint clock hour
    day_of = ((naive.normalize() - pd.Timestamp(FIRST_DAY)).days).to_numpy()
    n_days = int(day_of[-1]) + 1
    dates = pd.date_range(FIRST_DAY, periods=n_days, freq="D")
    dow_d = dates.dayofweek.to_numpy()
    season = 1 + SEASON_AMPLITUDE * np.cos(
        2 * np.pi * (dates.dayofyear.to_numpy() - SEASON_PEAK_DOY) / 365.25
    )
    closing_d = dates.isin(pd.to_datetime(CLOSING_HOLIDAYS))
    holiday_d = dates.isin(pd.to_datetime(OTHER_HOLIDAYS))
    events = _event_table()

    parts = []
    for ci, ch in enumerate(CHANNELS):
        spec = LEVELS[ch]
        hol = np.where(
            closing_d, spec["closing"], np.where(holiday_d, spec["holiday"], 1.0)
        )
        level = (
            spec["base"]
            * np.asarray(spec["weekday"])[dow_d]
            * spec["trend"] ** (np.arange(n_days) / 730)
            * season
            * hol
        )
        dow = dow_d[day_of]
        rows = np.flatnonzero(_open(ch, h, dow) & (level[day_of] > 0))
        d, hr, dw = day_of[rows], h[rows], dow[rows]
        base_w = _profile_weights(ch, hr, dw)
        mean = level[d] * base_w
        outage = np.zeros(rows.size, dtype=bool)
        for e in events:
            if ch not in e["channels"]:
                continue
            factor, shape = e["channels"][ch]
            lo, hi = (e["start"] - dates[0]).days, (e["end"] - dates[0]).days
            sel = (d >= lo) & (d <= hi)
            if not sel.any():
                continue
            if e["kind"] == "outage":
                outage |= sel & (hr >= OUTAGE_HOURS[0]) & (hr < OUTAGE_HOURS[1])
                continue
            q = base_w[sel] if shape is None else _g(hr[sel], *shape)
            per_day = np.bincount(d[sel], weights=q, minlength=n_days)
            mean[sel] += (factor - 1) * level[d[sel]] * q / per_day[d[sel]]
        mean[outage] *= OUTAGE_RECORDED
        day_factor = rng.gamma(1 / DAY_SD**2, DAY_SD**2, size=n_days)
        offered = rng.poisson(mean * day_factor[d])

        if ch in ("phone", "chat"):
            ref = np.quantile(mean, 0.95)
            p_ab = 0.025 + 0.045 * np.minimum(mean / ref, 1.6)
            abandoned = rng.binomial(offered, p_ab)
        else:
            abandoned = np.zeros_like(offered)
        handled = offered - abandoned

        if ch == "phone":
            aht = 300 * (1 + 0.10 * np.cos(np.pi * (hr - 8) / 12)) * 1.05 ** (d / 730)
        elif ch == "chat":
            mean_w = np.bincount(d, weights=base_w) / np.maximum(np.bincount(d), 1)
            aht = 600 * (1 + 0.06 * (base_w / mean_w[d] - 1))
        else:
            aht = np.full(rows.size, 400.0 if ch == "email" else 200.0)
        aht_day = np.exp(rng.normal(0, AHT_DAY_SD, size=n_days) - AHT_DAY_SD**2 / 2)
        k = 1 / spec["cv"] ** 2
        shape_n = np.maximum(handled, 1) * k
        aht_obs = aht * aht_day[d] * rng.gamma(shape_n, 1 / shape_n)
        aht_obs = np.where(handled > 0, np.round(aht_obs, 1), np.nan)

        parts.append(
            pd.DataFrame(
                {
                    "_t": rows,
                    "_c": ci,
                    "channel": ch,
                    "offered": offered,
                    "handled": handled,
                    "abandoned": abandoned,
                    "aht_s": aht_obs,
                    "true_offered": mean,
                    "true_aht_s": aht,
                }
            )
        )

    hist = pd.concat(parts, ignore_index=True).sort_values(["_t", "_c"], kind="stable")
    t = hist["_t"].to_numpy()
    offset_h = ((naive - utc.tz_localize(None)) // pd.Timedelta(hours=1)).to_numpy()[t]
    stamp = naive.strftime("%Y-%m-%dT%H:%M:%S").to_numpy()[t]
    hist.insert(
        0, "interval_start", stamp + np.where(offset_h == 1, "+01:00", "+00:00")
    )
    hist = hist.drop(columns=["_t", "_c"]).reset_index(drop=True)

    name, start, end, value = FUTURE_CAMPAIGN
    future = _event(
        name, "tv_campaign", "learn", start, end, {"phone": None, "chat": None}
    )
    ev = _events_frame(events)
    ev_new = pd.concat(
        [ev, _events_frame([future], value=f"{value:g}")], ignore_index=True
    )
    order = ["start", "kind", "name"]
    ev = ev.sort_values(order, kind="stable").reset_index(drop=True)
    ev_new = ev_new.sort_values(order, kind="stable").reset_index(drop=True)
    return hist, ev, ev_new


def encode(hist, ev, ev_new):
    """The exact bytes of every output file, by file name."""
    public = hist[
        ["interval_start", "channel", "offered", "handled", "abandoned", "aht_s"]
    ]
    csv = public.to_csv(
        index=False, float_format="%.1f", na_rep="", lineterminator="\n"
    )
    buf = io.BytesIO()
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0
    ) as gz:
        gz.write(csv.encode("ascii"))
    return {
        "history.csv.gz": buf.getvalue(),
        "events.csv": ev.to_csv(index=False, lineterminator="\n").encode("utf-8"),
        "events-new-campaign.csv": ev_new.to_csv(
            index=False, lineterminator="\n"
        ).encode("utf-8"),
    }


def _write_atomic(path, data):
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE,
        help="output folder (default: beside this script)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with the files on disk; write nothing",
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    hist, ev, ev_new = build()
    files = encode(hist, ev, ev_new)
    if args.check:
        bad = [
            n
            for n, b in files.items()
            if not (args.out / n).is_file() or (args.out / n).read_bytes() != b
        ]
        for n in bad:
            print(f"differs: {args.out / n}", file=sys.stderr)
        print(
            "up to date"
            if not bad
            else f"{len(bad)} file(s) differ; rerun without --check"
        )
        return 1 if bad else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for n, b in files.items():
        _write_atomic(args.out / n, b)
    counts = hist["channel"].value_counts().reindex(CHANNELS)
    print(
        f"history: {len(hist):,} rows ("
        + ", ".join(f"{c} {n:,}" for c, n in counts.items())
        + ")"
    )
    for n, b in files.items():
        print(f"{n}: {len(b):,} bytes  sha256 {hashlib.sha256(b).hexdigest()[:16]}")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
