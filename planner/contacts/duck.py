"""Contact logs beyond memory: :func:`to_history` and :func:`kpis` computed by DuckDB over CSV or Parquet.

A year of contacts of a large operation is 10^8 rows: the pandas path (:func:`planner.read_contacts`
then :func:`planner.to_history` and :func:`planner.kpis`) needs several GB per 10^7 rows. Here
DuckDB scans the file (out of core, in parallel, under ``memory_limit``), derives the same
per-contact columns (``wait_s``, ``work_s``, the rules of :mod:`planner.contacts.read`), finds each
customer's next contact with a window function (``LEAD`` over customer, arrival time, file order)
and aggregates; only the aggregates come back, as the pandas frames of the pandas path with the same
definitions (see :func:`planner.contacts.kpis`): integers equal, floats to rounding (sums are
``fsum``, compensated like pandas' group means). DuckDB is the optional extra ``planner[big]``:
most users' logs fit in memory and the core stays light (docs/design.md section 9).

Differences from the pandas reader, by design: times are read at DuckDB's microsecond precision;
naive times in the repeated hour of a fall-back night follow ICU (pandas reads them in order of
appearance); a message log (``messages``) is not supported (give agent_handle_s in the log, or use
the pandas engine); row-level checks are the essential ones (required columns, unreadable or missing
arrival times, flags), not every check of :func:`planner.read_contacts`.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from planner.calendar import local_midnights
from planner.contacts.duck_db import _duckdb, connect
from planner.contacts.duck_time import DAY_US, end_us_of, now_us, offset_sql, period_sql, residue, slot_sql, zone_pieces
from planner.contacts.history import day_grid, interval_of
from planner.contacts.kpis import BY, TABLE_COLUMNS, KpiReport, _targets, open_seconds
from planner.contacts.read import CONTACT_OPTIONAL, CONTACT_REQUIRED, channel_kinds
from planner.errors import InputError
from planner.schema import FALSE_TEXT, TRUE_TEXT, check_timezone, did_you_mean

__all__ = ["pick_engine", "duck_read_contacts", "duck_history", "duck_kpis", "duck_tables", "count_rows", "AUTO_ROWS", "connect"]

#: Above this many contacts ``engine="auto"`` uses DuckDB (the pandas path takes ~10 s per 10^6 rows).
AUTO_ROWS = 2_000_000


def _source(path) -> str:
    """The SQL table function reading ``path`` (CSV, maybe compressed, or Parquet)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path of the contact log")
    name = str(path).replace("'", "''")
    if path.suffix.lower() in (".parquet", ".pq"):
        return f"read_parquet('{name}', file_row_number = true)"
    if ".csv" in path.name.lower() or path.suffix.lower() == ".txt":
        return f"read_csv('{name}', header = true, all_varchar = true)"
    raise InputError(f"{path}: the DuckDB engine reads CSV (.csv, .csv.gz) or Parquet (.parquet) logs; "
                     "convert it, or use --engine pandas")


def count_rows(path) -> int:
    """Contacts in a log, cheaply (Parquet metadata; a CSV is scanned once)."""
    with connect() as con:
        return int(con.execute(f"SELECT count(*) FROM {_source(path)}").fetchone()[0])


def pick_engine(path, engine: str = "auto", messages=None) -> str:
    """``"pandas"`` or ``"duckdb"`` for a log: ``"auto"`` is DuckDB above :data:`AUTO_ROWS` contacts when
    it is installed and there is no message log (which only the pandas reader joins)."""
    if engine not in ("auto", "pandas", "duckdb"):
        raise InputError(f"--engine: expected auto, pandas or duckdb, got {engine!r}")
    if engine == "duckdb" and messages is not None:
        raise InputError("--engine duckdb: a message log (--messages) is read by the pandas engine only; "
                         "leave --messages out or use --engine pandas")
    if engine != "auto":
        return engine
    if messages is not None or isinstance(path, pd.DataFrame):
        return "pandas"
    try:
        _duckdb()
    except InputError:
        return "pandas"
    return "duckdb" if count_rows(path) > AUTO_ROWS else "pandas"


class _Log(NamedTuple):
    """What the checking scan of a log found: its channels (sorted), first arrival and last time [UTC us],
    the zone, and the largest line number."""

    channels: list
    first_us: int
    end_us: int
    tz: str
    last_line: int
    counts: pd.DataFrame | None = None  # the history's counts per (ch, slot), when the checking scan made them


def _flag(column: str, kind: str | None, default: str) -> str:
    """SQL: a true/false column read as the pandas reader reads it (a BOOLEAN column as it is)."""
    if kind is None:
        return default
    if kind == "BOOLEAN":
        return column
    text = f"lower(trim(CAST({column} AS VARCHAR)))"
    true, false = ", ".join(f"'{v}'" for v in TRUE_TEXT), ", ".join(f"'{v}'" for v in FALSE_TEXT)
    return f"CASE WHEN {text} IN ({true}) THEN TRUE WHEN {text} IN ({false}) THEN FALSE ELSE NULL END"


def _contacts_view(con, path, kinds, tz: str, interval_s: float | None = None) -> _Log:
    """Create the view ``contacts`` (one row per contact, derived columns in seconds, ``ch`` the channel's
    index in sorted order, ``local_us`` the local wall clock); checks the rows and reads the time range in one scan."""
    source = _source(path)
    types = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    columns = list(types)
    has = set(columns)
    columns = [c for c in columns if c != "file_row_number"]
    for name in CONTACT_REQUIRED:
        if name not in columns:
            raise InputError(f"{path}: missing required column {name!r}; a contact log "
                             f"has {', '.join(CONTACT_REQUIRED)} and optionally {', '.join(CONTACT_OPTIONAL)}")

    def text(c):
        if c not in has:
            return "CAST(NULL AS VARCHAR)"
        if types[c] != "VARCHAR":
            return f"NULLIF(trim(CAST({c} AS VARCHAR)), '')"
        # trim only what needs it: most cells have no edge spaces, and trim copies every string
        return f"(CASE WHEN {c} = '' OR {c} LIKE ' %' OR {c} LIKE '% ' THEN NULLIF(trim({c}), '') ELSE {c} END)"

    def when(c):
        return f"TRY_CAST({c} AS TIMESTAMPTZ)" if c in has else "CAST(NULL AS TIMESTAMPTZ)"

    line = "file_row_number + 2" if "file_row_number" in has else "row_number() OVER () + 1"  # as in a CSV file
    con.execute(f"""CREATE OR REPLACE TEMP VIEW raw AS SELECT {line} AS line,
        {text('contact_id')} AS contact_id, {text('agent_id')} AS agent_id, {text('customer_id')} AS customer_id, {text('channel')} AS channel,
        {text('arrived_at')} AS arrived_text, {when('arrived_at')} AS arrived_at, {when('answered_at')} AS answered_at,
        {when('ended_at')} AS ended_at, {_flag('abandoned', types.get('abandoned'), 'FALSE')} AS abandoned_flag,
        {text('abandoned') if types.get('abandoned') != 'BOOLEAN' else 'CAST(NULL AS VARCHAR)'} AS abandoned_text,
        {_flag('resolved', types.get('resolved'), 'CAST(NULL AS BOOLEAN)')} AS resolved,
        {"NULLIF(TRY_CAST(agent_handle_s AS DOUBLE), 'NaN'::DOUBLE)" if 'agent_handle_s' in has else 'CAST(NULL AS DOUBLE)'} AS agent_handle_s
        FROM {source}""")
    # one scan: channels, checks, time range and, when asked, the history's counts (see _history)
    shift = None if interval_s is None else residue(zone_pieces(tz, *(2 * [now_us()])), interval_s)
    answered = "(NOT abandoned_flag AND answered_at IS NOT NULL)"
    slot = "" if shift is None else f"""{slot_sql(interval_s, "epoch_us(arrived_at)", str(shift))} AS slot,
        count(*) AS offered, count_if({answered}) AS handled, count_if(abandoned_flag) AS abandoned,
        count_if({answered} AND agent_handle_s IS NOT NULL) AS timed_handle,
        fsum(CASE WHEN {answered} THEN agent_handle_s END) AS work_handle,
        count_if({answered} AND COALESCE(agent_handle_s, epoch_us(ended_at) - epoch_us(answered_at)) IS NOT NULL)
            AS timed_live,
        fsum(CASE WHEN {answered} THEN COALESCE(agent_handle_s, (epoch_us(ended_at) - epoch_us(answered_at)) / 1e6)
            END) AS work_live,"""
    parts = con.execute(f"""SELECT channel, {slot} min(line) FILTER (WHERE arrived_at IS NULL OR channel IS NULL OR
        (abandoned_text IS NOT NULL AND abandoned_flag IS NULL)) AS bad, min(epoch_us(arrived_at)) AS first,
        max(epoch_us(arrived_at)) AS last, max(epoch_us(answered_at)) AS answered, max(epoch_us(ended_at)) AS ended,
        max(line) AS lines FROM raw GROUP BY ALL""").df()
    by_channel = parts.groupby("channel", dropna=False, sort=False)
    summary = pd.DataFrame({"bad": by_channel["bad"].min(), "first": by_channel["first"].min(),
                            **{c: by_channel[c].max() for c in ("last", "answered", "ended", "lines")}})
    found = [(name, *(None if pd.isna(v) else int(v) for v in row))
             for name, row in zip(summary.index, summary.to_numpy(object))]
    first_bad = min((row[1] for row in found if row[1] is not None), default=None)  # one scan: channels and checks
    bad = None if first_bad is None else con.execute("""SELECT line, CASE WHEN channel IS NULL THEN 'channel'
        WHEN arrived_text IS NULL THEN 'missing' WHEN arrived_at IS NULL THEN 'arrived_at' ELSE 'abandoned' END,
        arrived_text, abandoned_text FROM raw WHERE line = ?""", [first_bad]).fetchone()
    if bad is not None:
        line, problem, arrived, abandoned = bad
        message = {"channel": "channel: missing channel; write the channel, e.g. phone",
                   "missing": "arrived_at: missing date and time; write ISO 8601 times, e.g. 2026-07-06T09:00:00+01:00",
                   "arrived_at": f"arrived_at: cannot read {arrived!r} as a time; write ISO 8601 times, e.g. "
                                 "2026-07-06T09:00:00+01:00",
                   "abandoned": f"abandoned: cannot read {abandoned!r} as true or false; write true or false "
                                "(or yes/no, 1/0), or leave the cell empty"}[problem]
        raise InputError(f"{path}:{line}:{message}")
    channels = sorted(row[0] for row in found)
    first_us, last_us = min(row[2] for row in found), max(row[3] for row in found)
    end_us = max(v for row in found for v in row[3:6] if v is not None)
    kind_of = channel_kinds(channels, kinds)
    pieces = zone_pieces(tz, first_us, last_us)
    con.execute("CREATE OR REPLACE TEMP TABLE kinds (channel VARCHAR, ch INTEGER, kind VARCHAR)")
    con.executemany("INSERT INTO kinds VALUES (?, ?, ?)", [(c, i, kind_of[c]) for i, c in enumerate(channels)])
    con.execute(f"""CREATE OR REPLACE TEMP VIEW contacts AS
        WITH r AS (SELECT raw.*, kinds.ch, kinds.kind, abandoned_flag AS abandoned,
                          NOT abandoned_flag AND answered_at IS NOT NULL AS answered, epoch_us(arrived_at) AS arrived_us
                   FROM raw JOIN kinds USING (channel))
        SELECT line, contact_id, customer_id, agent_id, agent_handle_s, channel, ch, kind, arrived_at, answered_at, ended_at, abandoned, answered, resolved,
               arrived_us, arrived_us + {offset_sql(pieces)} AS local_us,
               CASE WHEN abandoned THEN (epoch_us(ended_at) - epoch_us(arrived_at)) / 1e6
                    ELSE (epoch_us(answered_at) - epoch_us(arrived_at)) / 1e6 END AS wait_s,
               COALESCE(agent_handle_s, CASE WHEN answered AND kind <> 'deferred'
                        THEN (epoch_us(ended_at) - epoch_us(answered_at)) / 1e6 END) AS work_s
        FROM r""")
    counts = None
    if shift is not None and residue(pieces, interval_s) == shift:  # else _history counts them again
        index = {c: i for i, c in enumerate(channels)}
        deferred = parts["channel"].map(kind_of).eq("deferred").to_numpy()
        counts = pd.DataFrame({"ch": parts["channel"].map(index).to_numpy(int), "slot": parts["slot"].to_numpy(np.int64),
                               **{c: parts[c].to_numpy(float) for c in ("offered", "handled", "abandoned")},
                               "timed": np.where(deferred, parts["timed_handle"], parts["timed_live"]).astype(float),
                               "work": np.where(deferred, pd.to_numeric(parts["work_handle"]).to_numpy(float, na_value=np.nan),
                                                pd.to_numeric(parts["work_live"]).to_numpy(float, na_value=np.nan))})
        counts = counts.sort_values(["ch", "slot"], ignore_index=True)
        counts.attrs["interval_s"] = interval_s
    return _Log(channels, first_us, end_us, tz, max(row[6] for row in found), counts)


def duck_read_contacts(path, *, tz: str, kinds=None, channels=None, memory_limit: str = "4GB",
                       threads: int | None = None) -> pd.DataFrame:
    """:func:`planner.read_contacts` by DuckDB (no message log): the same contacts frame, in file order.

    ``channels``: keep only these channels' contacts (e.g. the live ones, for patience and
    concurrency), so a log larger than memory can still be calibrated from its parts.
    """
    tz = check_timezone(tz)
    with connect(memory_limit=memory_limit, threads=threads, tz=tz) as con:
        _contacts_view(con, path, kinds, tz)
        where = "" if channels is None else "WHERE channel IN (SELECT unnest(?))"
        frame = con.execute(f"""SELECT contact_id, customer_id, channel, kind, arrived_at, answered_at, ended_at,
            abandoned, agent_handle_s, resolved, agent_id, wait_s, work_s FROM contacts {where} ORDER BY line""",
                            [] if channels is None else [list(channels)]).df()
    out = pd.DataFrame({c: frame[c].astype(object).where(frame[c].notna(), None).to_numpy(dtype=object)
                        for c in ("contact_id", "customer_id", "channel", "kind")})
    for column in ("arrived_at", "answered_at", "ended_at"):
        out[column] = pd.DatetimeIndex(frame[column]).as_unit("ns").tz_convert(tz)
    out["abandoned"] = frame["abandoned"].to_numpy(bool)
    out["agent_handle_s"] = pd.to_numeric(frame["agent_handle_s"]).to_numpy(float, na_value=np.nan)
    out["resolved"] = frame["resolved"].astype(object).where(frame["resolved"].notna(), None).to_numpy(dtype=object)
    out["agent_id"] = frame["agent_id"].astype(object).where(frame["agent_id"].notna(), None).to_numpy(dtype=object)
    out["customer_latency_s"] = np.nan
    for column in ("wait_s", "work_s"):
        out[column] = pd.to_numeric(frame[column]).to_numpy(float, na_value=np.nan)
    out = pd.DataFrame({c: out[c].to_numpy(dtype=object) if out[c].dtype == object else out[c] for c in out})
    out = out[["contact_id", "customer_id", "channel", "kind", "arrived_at", "answered_at", "ended_at", "abandoned",
               "agent_handle_s", "resolved", "agent_id", "customer_latency_s", "wait_s", "work_s"]]
    out.attrs.update(tz=tz, source=str(path))
    return out


def _history(con, log: _Log, interval_s: float, source) -> pd.DataFrame:
    """The history frame of :func:`duck_history` from the view ``contacts``."""
    tz = log.tz
    counts = log.counts
    if counts is None or counts.attrs["interval_s"] != interval_s:
        counts = con.execute(f"""SELECT ch, {slot_sql(interval_s)} AS slot, count(*) AS offered,
               count_if(answered) AS handled, count_if(abandoned) AS abandoned,
               count_if(answered AND work_s IS NOT NULL) AS timed,
               fsum(CASE WHEN answered THEN work_s END) AS work
            FROM contacts GROUP BY ALL ORDER BY ch, slot""").df()
    frames = []
    for ch, rows in counts.groupby("ch", sort=True):
        slots = rows["slot"].to_numpy(np.int64) * 1000
        grid = day_grid(int(slots.min()), int(slots.max()), tz, interval_s)
        at = np.searchsorted(grid, slots)

        def spread(column, at=at, grid=grid, rows=rows):
            out = np.zeros(grid.size)
            out[at] = rows[column].to_numpy(float)
            return out

        timed, work = spread("timed"), spread("work")
        with np.errstate(invalid="ignore", divide="ignore"):
            aht = np.where(timed > 0, work / timed, np.nan)
        frames.append(pd.DataFrame({
            "interval_start": pd.DatetimeIndex(grid.view("M8[ns]")).tz_localize("UTC").tz_convert(tz),
            "channel": log.channels[int(ch)], "offered": spread("offered"), "handled": spread("handled"),
            "abandoned": spread("abandoned"), "aht_s": aht}))
    history = pd.concat(frames, ignore_index=True)
    history["channel"] = history["channel"].astype(object)
    history.attrs["interval_s"] = interval_s
    history.attrs["source"] = f"{source} ({interval_s / 60:g}-minute intervals, DuckDB)"
    return history


def duck_history(path, *, tz: str, interval="15min", kinds=None, memory_limit: str = "4GB",
                 threads: int | None = None) -> pd.DataFrame:
    """:func:`planner.to_history` of :func:`planner.read_contacts` of ``path``, counted by DuckDB.

    The same frame: every interval of every whole local day from each channel's first to last
    arrival, ``offered, handled, abandoned, aht_s``, sorted by channel then time.
    """
    tz = check_timezone(tz)
    interval_s = interval_of(interval)
    with connect(memory_limit=memory_limit, threads=threads, tz=tz) as con:
        return _history(con, _contacts_view(con, path, kinds, tz, interval_s), interval_s, path)


def _business_hours(con, goal: dict, end_us: int, tz: str) -> bool:
    """Open-time clocks of business-hours deadlines (few channels): computed in pandas, joined by line.

    Returns whether there are any (else the table ``opened`` is not made).
    """
    frames = []
    for name, (_, _, spec) in goal.items():
        if spec is None:
            continue
        rows = con.execute("SELECT line, arrived_at, answered_at FROM contacts WHERE channel = ?", [name]).df()
        arrived = rows["arrived_at"].dt.tz_convert(tz)
        answered = rows["answered_at"].dt.tz_convert(tz)
        end = pd.Series(pd.Timestamp(end_us * 1000, tz="UTC").tz_convert(tz), index=rows.index)
        frames.append(pd.DataFrame({"line": rows["line"], "elapsed_open": open_seconds(arrived, answered, spec),
                                    "left_open": open_seconds(arrived, end, spec)}))
    if not frames:
        return False
    con.register("opened_frame", pd.concat(frames, ignore_index=True))
    con.execute("CREATE OR REPLACE TEMP TABLE opened AS SELECT * FROM opened_frame")
    con.unregister("opened_frame")
    return True


def _exists(con, column: str) -> bool:
    """Whether any contact has ``column`` (stops at the first one)."""
    return con.execute(f"SELECT 1 FROM contacts WHERE {column} IS NOT NULL LIMIT 1").fetchone() is not None


def _kpis(con, log: _Log, *, targets, by, short_abandon_s, interval_s, kinds, end, facts=None) -> KpiReport:
    """The report of :func:`duck_kpis` from the view ``contacts`` (``facts``: cached per connection)."""
    if by not in BY:
        raise InputError(f"by: unknown period {by!r}{did_you_mean(by, BY)}; use one of {', '.join(BY)}")
    tz, channels = log.tz, log.channels
    goal = _targets(targets, channels)
    facts = {} if facts is None else facts
    if "customer" not in facts:
        facts.update(customer=_exists(con, "customer_id"), resolved=_exists(con, "resolved"))
    end_us = log.end_us if end is None else end_us_of(end, tz)
    index = {c: i for i, c in enumerate(channels)}
    con.execute("CREATE OR REPLACE TEMP TABLE targets (ch INTEGER, level DOUBLE, threshold DOUBLE, business BOOLEAN)")
    if goal:
        con.executemany("INSERT INTO targets VALUES (?, ?, ?, ?)",
                        [(index[c], lv, th, spec is not None) for c, (lv, th, spec) in goal.items()])
    business = _business_hours(con, goal, end_us, tz)
    opened = ("o.elapsed_open, o.left_open", "LEFT JOIN opened o USING (line)") if business else (
        "CAST(NULL AS DOUBLE) AS elapsed_open, CAST(NULL AS DOUBLE) AS left_open", "")
    has_customer, has_resolved = facts["customer"], facts["resolved"]
    repeat = "COALESCE(gap <= {s}, FALSE)::DOUBLE" if has_customer else "CAST(NULL AS DOUBLE)"
    fcr = ("CASE WHEN answered THEN (NOT COALESCE(gap <= 604800000000, FALSE) AND COALESCE(resolved, TRUE))::DOUBLE END"
           if has_customer or has_resolved else "CAST(NULL AS DOUBLE)")
    hits = ", ".join(f"count_if(next_hit = {i}) AS \"to {i}\"" for i in range(len(channels)))
    period = period_sql(by, interval_s)
    rows = con.execute(f"""
        WITH c AS (
            SELECT ch, {period} AS period, arrived_us, answered, abandoned, wait_s, work_s,
                   t.level, t.threshold, COALESCE(t.business, FALSE) AS business, {opened[0]}
            FROM contacts LEFT JOIN targets t USING (ch) {opened[1]}),
        d AS (
            SELECT *, COALESCE(abandoned AND wait_s < {float(short_abandon_s)!r}, FALSE) AS short,
                   CASE WHEN business THEN elapsed_open ELSE wait_s END AS elapsed,
                   CASE WHEN business THEN left_open ELSE ({end_us} - arrived_us) / 1e6 END AS left_s
            FROM c),
        e AS (
            SELECT *, threshold IS NOT NULL AND NOT short AND left_s < threshold AS not_yet FROM d)
        SELECT ch, period, count(*) AS offered,
               count_if(answered) AS handled, count_if(abandoned AND NOT short) AS abandoned,
               count_if(short) AS short_abandoned,
               fsum(CASE WHEN threshold IS NOT NULL THEN COALESCE(answered AND elapsed <= threshold
                    AND NOT not_yet, FALSE)::DOUBLE END) AS in_target,
               fsum(CASE WHEN threshold IS NOT NULL THEN not_yet::DOUBLE END) AS not_yet_due,
               fsum(level) / count(level) AS level, fsum(threshold) / count(threshold) AS threshold,
               fsum(CASE WHEN answered THEN wait_s END) / count(CASE WHEN answered THEN wait_s END) AS asa,
               quantile_cont(CASE WHEN answered THEN wait_s END, 0.5) AS q50,
               quantile_cont(CASE WHEN answered THEN wait_s END, 0.9) AS q90,
               fsum(CASE WHEN answered THEN work_s END) / count(CASE WHEN answered THEN work_s END) AS work
        FROM e GROUP BY ALL ORDER BY ch, period""").df()
    # the window sorts every contact: it carries only narrow columns (channel, line and local day as small
    # integers), so 10^8 rows sort with less spilling under memory_limit
    small = ("USMALLINT" if len(channels) < 2**16 else "INTEGER", "UINTEGER" if log.last_line < 2**32 else "BIGINT")
    key, unit = (period, 1) if by in ("interval", "total") else (f"CAST({period} // {DAY_US} AS INTEGER)", DAY_US)
    repeats = con.execute(f"""
        WITH n AS (
            SELECT CAST(ch AS {small[0]}) AS ch, {key} AS key, answered, resolved, customer_id, arrived_us,
                   CAST(line AS {small[1]}) AS line FROM contacts),
        w AS (
            SELECT ch, key * {unit} AS period, answered, resolved,
                   CASE WHEN customer_id IS NULL THEN NULL ELSE LEAD(arrived_us) OVER w - arrived_us END AS gap,
                   LEAD(ch) OVER w AS next_ch
            FROM n WINDOW w AS (PARTITION BY customer_id ORDER BY arrived_us, line)),
        x AS (
            SELECT *, {fcr} AS f, {repeat.format(s=DAY_US)} AS r1, {repeat.format(s=7 * DAY_US)} AS r7,
                   CASE WHEN COALESCE(gap <= {DAY_US}, FALSE) THEN next_ch ELSE -1 END AS next_hit
            FROM w)
        SELECT ch, period, fsum(f) / count(f) AS fcr, fsum(r1) / count(r1) AS repeat_24h,
               fsum(r7) / count(r7) AS repeat_7d, {hits}, count_if(next_hit = -1) AS "to none"
        FROM x GROUP BY ALL ORDER BY ch, period""").df()
    assert rows["ch"].tolist() == repeats["ch"].tolist() and len(rows) == len(repeats)
    rows = pd.concat([rows, repeats.drop(columns=["ch", "period"])], axis=1)
    rows["channel"] = np.asarray(channels, dtype=object)[rows["ch"].to_numpy(int)]
    return _report(rows, channels, by=by, tz=tz, first_day=_floor_local_day(log), targets=targets, kinds=kinds,
                   short_abandon_s=short_abandon_s)


def _floor_local_day(log: _Log) -> np.datetime64:
    """The local date of the first arrival."""
    local = log.first_us + zone_pieces(log.tz, log.first_us, log.first_us)[-1][1]
    return np.datetime64(local - local % DAY_US, "us")


def duck_kpis(path, *, tz: str, targets=None, by: str = "day", short_abandon_s: float = 5.0, interval="15min",
              kinds=None, end=None, memory_limit: str = "4GB", threads: int | None = None) -> KpiReport:
    """:func:`planner.kpis` of :func:`planner.read_contacts` of ``path``, computed by DuckDB.

    Same arguments and the same :class:`~planner.contacts.KpiReport` (``table`` and ``pivots``),
    with every definition of :func:`planner.kpis`; the next contact of a customer is a ``LEAD``
    window over (customer, arrival, file line).
    """
    if by not in BY:
        raise InputError(f"by: unknown period {by!r}{did_you_mean(by, BY)}; use one of {', '.join(BY)}")
    tz = check_timezone(tz)
    interval_s = interval_of(interval)
    with connect(memory_limit=memory_limit, threads=threads, tz=tz) as con:
        log = _contacts_view(con, path, kinds, tz)
        return _kpis(con, log, targets=targets, by=by, short_abandon_s=short_abandon_s, interval_s=interval_s,
                     kinds=kinds, end=end)


def duck_tables(path, *, tz: str, interval="15min", targets=None, by=("day",), short_abandon_s: float = 5.0,
                kinds=None, end=None, known_targets_only: bool = False, memory_limit: str = "4GB",
                threads: int | None = None) -> tuple[pd.DataFrame, dict[str, KpiReport]]:
    """:func:`duck_history` and :func:`duck_kpis` for each period of ``by``, on one connection.

    The log is checked and its time range read once (one scan), then the history is one more scan
    and each report two (aggregates, and the next-contact window). ``known_targets_only``: drop the
    targets of channels the log does not have (else they are an error). Returns ``(history, {by: report})``.
    """
    for one in by:
        if one not in BY:
            raise InputError(f"by: unknown period {one!r}{did_you_mean(one, BY)}; use one of {', '.join(BY)}")
    tz = check_timezone(tz)
    interval_s = interval_of(interval)
    with connect(memory_limit=memory_limit, threads=threads, tz=tz) as con:
        log = _contacts_view(con, path, kinds, tz, interval_s)
        history = _history(con, log, interval_s, path)
        if known_targets_only:
            targets = {name: spec for name, spec in (targets or {}).items() if name in log.channels}
        facts = {}
        reports = {one: _kpis(con, log, targets=targets, by=one, short_abandon_s=short_abandon_s,
                              interval_s=interval_s, kinds=kinds, end=end, facts=facts) for one in by}
    return history, reports


def _report(rows: pd.DataFrame, channels: list[str], *, by, tz, first_day, targets, kinds,
            short_abandon_s) -> KpiReport:
    """The aggregates as :func:`planner.kpis` returns them (same columns, dtypes and order)."""
    if by == "interval":
        period = rows["period"].to_numpy(np.int64) * 1000
    else:
        local = pd.DatetimeIndex(rows["period"].to_numpy(np.int64).view("M8[us]") if by != "total"
                                 else np.full(len(rows), first_day))
        period = local_midnights(local.astype("M8[ns]"), tz)
    def number(column):
        return pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    floats = {c: number(c) for c in ("offered", "handled", "abandoned", "short_abandoned")}
    in_target, not_yet = number("in_target"), number("not_yet_due")
    base = floats["offered"] - floats["short_abandoned"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "period": pd.DatetimeIndex(period.astype("M8[ns]")).tz_localize("UTC").tz_convert(tz),
            "channel": rows["channel"].astype(object).to_numpy(), "kind": None, **floats,
            "abandon_rate": floats["abandoned"] / base, "service_level": in_target / (base - not_yet),
            "target_service_level": number("level"), "threshold_s": number("threshold"),
            "not_yet_due": not_yet, "asa_s": number("asa"), "aht_s": number("work"),
            "first_response_median_s": number("q50"),
            "first_response_p90_s": number("q90"),
            "customer_latency_s": np.nan, "fcr": number("fcr"),
            "repeat_24h": number("repeat_24h"), "repeat_7d": number("repeat_7d")})
    kind_of = channel_kinds(channels, kinds)
    kind_of.update({c: t.kind for c, t in (targets or {}).items() if hasattr(t, "kind")})
    table["kind"] = table["channel"].map(kind_of)
    table["channel"] = table["channel"].astype(object)
    table = table[list(TABLE_COLUMNS)]
    table.attrs.update(by=by, short_abandon_s=float(short_abandon_s))
    counts = rows.groupby("channel", sort=True)[[f"to {i}" for i in range(len(channels))] + ["to none"]].sum()
    pivots = pd.DataFrame(counts.to_numpy(int), columns=pd.CategoricalIndex([*channels, "none"], categories=[*channels, "none"], name="next"),
                          index=pd.CategoricalIndex(channels, categories=channels, name="channel"))
    return KpiReport(table=table, pivots=pivots.astype(int), by=by)
