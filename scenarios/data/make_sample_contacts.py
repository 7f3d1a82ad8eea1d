"""Seeded sample contact log: the last six weeks of the sample history, contact by contact.

``history.csv.gz`` holds interval counts; a planner's real starting point is an export of single
contacts. This script replays the last six weeks of that history (Monday 2026-05-25 to Sunday
2026-07-05) through the base plan's staffing and :func:`planner.simulate.contact_log`, so that

* every interval has exactly the history's ``offered`` contacts (``planner.to_history`` of the log
  gives back the history's ``offered`` column over those weeks, row for row);
* voice and chat queue in front of the agents ``planner.staff`` gives the history's volume at the
  base targets (phone 80/20 with Erlang A, chat 80/40 with 3 chats per agent), and customers give
  up after an exponential patience of **120 s (phone)** and **180 s (chat)**;
* a chat lasts ``aht_1 * (1 + 0.15 * (l - 1))`` while its agent holds ``l`` chats, with ``aht_1``
  chosen so that a chat at the usual concurrency of 3 lasts the history's chat AHT (about 600 s);
  ``planner.estimate_concurrency`` recovers the **0.15** slowdown per extra chat;
* email (worked Mon-Sat 08:00-20:00) and social (around the clock) are answered first come,
  first served. A third of email threads and a fifth of social threads get a customer reply
  (after a log-normal latency: median 3 h for email, 20 min for social) and a second agent reply
  30-90 min later. Agent work (mean: the history's AHT) is split 70/30 between the two replies
  and is logged per message (``handle_s``) in ``messages.csv.gz``; the customer's hours are not
  work, and ``planner.read_contacts`` keeps them out of AHT (the queue simulates the whole work at
  the first reply);
* 9% of contacts come from a customer seen in the previous 7 days (60% of those within 3 hours),
  with channel switches such as email then phone; ``resolved`` is false for 35% of contacts that
  are followed by a repeat within 7 days and for 5% of the others.

Rerun from the repository root (about 20 s; byte-identical with the same numpy/pandas):

    python scenarios/data/make_sample_contacts.py            # writes contacts.csv.gz, messages.csv.gz
    python scenarios/data/make_sample_contacts.py --check    # exit 1 if the files on disk differ
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import planner as pl
from planner.contacts.kpis import next_contact
from planner.simulate import contact_log

HERE = Path(__file__).resolve().parent
TZ = "Europe/London"
FIRST_DAY, LAST_DAY = "2026-05-25", "2026-07-05"
SEED = 20260705
CHAT_GROWTH = 0.15
CHANNELS = {
    "phone": pl.Voice(target_service_level=0.80, threshold_s=20, patience_s=120, max_occupancy=0.90),
    "chat": pl.Chat(target_service_level=0.80, threshold_s=40, concurrency=3, aht_growth=CHAT_GROWTH,
                    patience_s=180),
    "email": pl.Deferred(deadline_s=4 * 3600, business_hours=True, open_days="Mon-Sat", open_hours="08:00-20:00"),
    "social": pl.Deferred(deadline_s=3600),
}
THREADS = {"email": (1 / 3, 3 * 3600.0), "social": (0.2, 20 * 60.0)}  # reply share, median latency [s]
REPEAT_SHARE = 0.09
SOURCES = {  # channel of a repeat contact <- channel of the customer's earlier contact
    "phone": {"phone": 0.5, "email": 0.3, "chat": 0.2},
    "chat": {"chat": 0.6, "phone": 0.2, "social": 0.2},
    "email": {"email": 0.7, "phone": 0.3},
    "social": {"social": 0.6, "chat": 0.4},
}


def plan_from_history() -> pd.DataFrame:
    """The history's intervals as a forecast, staffed at the base targets."""
    history = pl.read_history(HERE / "history.csv.gz", tz=TZ)
    day = history["interval_start"].dt.tz_localize(None).dt.normalize()
    window = history.loc[(day >= FIRST_DAY) & (day <= LAST_DAY)].reset_index(drop=True)
    aht = window["aht_s"].fillna(window.groupby("channel")["aht_s"].transform("median"))
    chat = window["channel"] == "chat"
    aht = aht.where(~chat, aht / (1 + CHAT_GROWTH * 2))  # history's chat AHT is at concurrency 3
    forecast = window[["interval_start", "channel", "offered"]].assign(aht_s=aht)
    plan = pl.staff(forecast, CHANNELS, interval_s=900)
    return plan


def customers(log: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Customer ids: new ones, except REPEAT_SHARE of contacts from an earlier customer (any channel)."""
    n = len(log)
    arrived = log["arrived_at"].astype("int64").to_numpy() / 1e9
    channel = log["channel"].to_numpy()
    by_channel = {c: np.flatnonzero(channel == c) for c in SOURCES}
    repeat = rng.random(n) < REPEAT_SHARE
    lag = np.where(rng.random(n) < 0.6, rng.exponential(3 * 3600.0, n), rng.uniform(3 * 3600.0, 7 * 86400.0, n))
    source = np.empty(n, dtype=object)
    for c, weights in SOURCES.items():
        mine = channel == c
        source[mine] = rng.choice(list(weights), size=int(mine.sum()), p=list(weights.values()))
    earlier = np.full(n, -1)
    for c, rows in by_channel.items():
        wanted = np.flatnonzero(repeat & (source == c))
        k = np.searchsorted(arrived[rows], arrived[wanted] - lag[wanted], side="right") - 1
        earlier[wanted] = np.where(k >= 0, rows[np.maximum(k, 0)], -1)
    ids = np.arange(n)
    for i in np.flatnonzero(earlier >= 0):  # time order: the earlier contact's customer is final
        ids[i] = ids[earlier[i]]
    return np.char.add("N", (100000 + ids).astype(str)).astype(object)


def threads(log: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messages of the async contacts; the contacts get ended_at = last message, handle time in messages."""
    rows = []
    log = log.copy()
    for channel, (share, median_s) in THREADS.items():
        mine = np.flatnonzero((log["channel"] == channel).to_numpy() & log["answered_at"].notna().to_numpy())
        work = log["agent_handle_s"].to_numpy()[mine]
        reply = rng.random(mine.size) < share
        first = np.where(reply, 0.7 * work, work)
        latency = median_s * rng.lognormal(0.0, 0.8, mine.size)
        answered = log["answered_at"].iloc[mine].reset_index(drop=True)
        customer_at = answered + pd.to_timedelta(latency, unit="s")
        agent_at = customer_at + pd.to_timedelta(rng.uniform(1800, 5400, mine.size), unit="s")
        ids = log["contact_id"].iloc[mine].reset_index(drop=True)
        arrived = log["arrived_at"].iloc[mine].reset_index(drop=True)
        rows += [pd.DataFrame({"contact_id": ids, "sent_at": arrived, "sender": "customer", "handle_s": np.nan}),
                 pd.DataFrame({"contact_id": ids, "sent_at": answered, "sender": "agent", "handle_s": first}),
                 pd.DataFrame({"contact_id": ids[reply], "sent_at": customer_at[reply], "sender": "customer",
                               "handle_s": np.nan}),
                 pd.DataFrame({"contact_id": ids[reply], "sent_at": agent_at[reply], "sender": "agent",
                               "handle_s": (work - first)[reply]})]
        ended = np.where(reply, agent_at.astype("int64"), answered.astype("int64"))
        log.loc[log.index[mine], "ended_at"] = pd.to_datetime(ended, utc=True).tz_convert(TZ).round("ms")
        log.loc[log.index[mine], "agent_handle_s"] = np.nan  # the email tool logs work per message
    messages = pd.concat(rows, ignore_index=True)
    messages["sent_at"] = pd.DatetimeIndex(messages["sent_at"]).round("ms")
    messages["handle_s"] = messages["handle_s"].round(1)
    messages = messages.sort_values(["sent_at", "contact_id"], kind="stable", ignore_index=True)
    return log, messages


def build() -> dict[str, bytes]:
    rng = np.random.default_rng(SEED)
    plan = plan_from_history()
    log = contact_log(plan, rng=rng, arrivals="fixed", handle="lognormal", cv=0.8)
    log["customer_id"] = customers(log, rng)
    log, messages = threads(log, rng)
    followed = next_contact(log)[0] <= 7 * 86400
    answered = log["answered_at"].notna() & ~log["abandoned"]
    unresolved = rng.random(len(log)) < np.where(followed, 0.35, 0.05)
    log["resolved"] = np.where(answered, np.where(unresolved, "false", "true"), "")
    log["abandoned"] = np.where(log["abandoned"], "true", "false")
    log["agent_handle_s"] = log["agent_handle_s"].round(1)
    files = {}
    for name, frame in (("contacts.csv.gz", log), ("messages.csv.gz", messages)):
        text = frame.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%f%z")
        text = text.replace("000+0100", "+01:00").replace("000+0000", "+00:00")
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as handle:
            handle.write(text.encode())
        files[name] = buffer.getvalue()
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files on disk differ")
    args = parser.parse_args()
    files = build()
    if args.check:
        stale = [name for name, data in files.items() if (HERE / name).read_bytes() != data]
        print("stale: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    for name, data in files.items():
        temporary = HERE / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, HERE / name)
        print(f"wrote {name}: {len(data) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
