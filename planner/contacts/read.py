"""Read contact-level logs (one row per contact) and their message logs into the contacts frame.

The contacts frame is what :func:`~planner.contacts.to_history`, :func:`~planner.contacts.kpis` and
the calibration functions read. Beside the file's columns it carries three derived ones whose rules
are the heart of channel-aware metrics:

``wait_s`` [s]
    ``answered_at - arrived_at`` for an answered contact (for async channels: the first agent
    response), ``ended_at - arrived_at`` for an abandoned one (the time the customer gave up), NaN
    otherwise.
``customer_latency_s`` [s]
    From the message log: the sum, over the customer's messages that follow an agent message, of
    the time since that agent message. The hours a customer takes to reply are the customer's
    time, never agent work. NaN without a message log.
``work_s`` [s]
    Agent work on the contact, the first of: (1) ``agent_handle_s`` when the platform measured it;
    (2) the sum of the message log's ``handle_s`` over the contact's agent messages; (3) for live
    channels (voice, chat), ``ended_at - answered_at`` of a handled contact; (4) NaN. An async
    thread's timestamps alone cannot separate the time it waited in the queue from the time an
    agent worked on it, and ``ended_at - arrived_at`` would count the customer's latency as work,
    so rule (4) refuses to guess.

Errors read ``file:line:column: problem; fix`` like every other reader (see :mod:`planner.io`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.tables import ISO_HINT, Table, localize, numbers, parse_times, read_table
from planner.schema import FALSE_TEXT, TRUE_TEXT, check_timezone, epoch_ns

__all__ = ["CONTACT_REQUIRED", "CONTACT_OPTIONAL", "KINDS", "channel_kinds", "read_contacts", "read_messages"]

#: Columns a contact log must have, and the optional ones.
CONTACT_REQUIRED = ("contact_id", "channel", "arrived_at")
CONTACT_OPTIONAL = ("customer_id", "answered_at", "ended_at", "abandoned", "agent_handle_s", "resolved", "agent_id")
MESSAGE_REQUIRED = ("contact_id", "sent_at", "sender")
MESSAGE_OPTIONAL = ("handle_s",)

#: Channel kinds, and the kind a channel name suggests when none is given.
KINDS = ("voice", "chat", "deferred")
_DEFAULT_KIND = {name: "voice" for name in ("phone", "voice", "video", "callback", "calls", "call")} | {
    name: "chat" for name in ("chat", "webchat", "livechat", "live_chat", "web_chat")}
_DERIVED = ("kind", "wait_s", "customer_latency_s", "work_s")  # read_contacts' own columns: skipped on input


def channel_kinds(channels, kinds=None) -> dict[str, str]:
    """Kind (``"voice"``, ``"chat"`` or ``"deferred"``) of each channel name.

    ``kinds`` maps channel -> kind (or a channel spec with a ``kind``) and wins; otherwise phone,
    voice, video and callback are voice, chat and webchat are chat, and every other channel
    (email, SMS, social, ...) is deferred.

    >>> channel_kinds(["phone", "email", "whatsapp"], {"whatsapp": "chat"})
    {'phone': 'voice', 'email': 'deferred', 'whatsapp': 'chat'}
    """
    given = {str(k): getattr(v, "kind", v) for k, v in (kinds or {}).items()}
    for channel, kind in given.items():
        if kind not in KINDS:
            raise InputError(f"kinds.{channel}: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    return {str(c): given.get(str(c), _DEFAULT_KIND.get(str(c).lower(), "deferred")) for c in channels}


def _table(source, *, required, optional, text_columns, what: str) -> Table:
    """A file (via :mod:`planner.io`) or a DataFrame with the same columns, as a checked table."""
    if not isinstance(source, pd.DataFrame):
        return read_table(source, required=required, optional=optional, text_columns=text_columns, what=what)
    shown = f"{what}s frame"
    for name in source.columns:
        if name not in (*required, *optional):
            if name in _DERIVED:
                continue
            raise InputError(f"{shown}:1:{name}: unknown column; expected {', '.join(required)} and optionally "
                             f"{', '.join(optional)}")
    for name in required:
        if name not in source.columns:
            raise InputError(f"{shown}:1: missing required column {name!r}")
    frame = source[[c for c in source.columns if c not in _DERIVED]].reset_index(drop=True)
    return Table(shown, frame, np.arange(2, len(frame) + 2))


def _text(table: Table, column: str) -> np.ndarray:
    """Stripped text (object array; None where empty)."""
    if column not in table.frame:
        return np.full(len(table.frame), None, dtype=object)
    raw = table.frame[column]
    text = raw.astype(object).where(raw.isna(), raw.astype(str).str.strip())
    return text.where(text.ne("") & text.notna(), None).to_numpy(dtype=object)


def _flags(table: Table, column: str, *, default) -> np.ndarray:
    """true/false, yes/no, 1/0 cells as an object array of True/False/``default`` (empty cells)."""
    text = _text(table, column)
    lower = pd.Series(text, dtype=object).str.lower()
    known = lower.isin(TRUE_TEXT) | lower.isin(FALSE_TEXT) | lower.isna()
    table.check(~known.to_numpy(), column, lambda i: f"cannot read {table.raw(column, i)} as true or false",
                "write true or false (or yes/no, 1/0), or leave the cell empty")
    out = np.full(len(text), default, dtype=object)
    out[lower.isin(TRUE_TEXT).to_numpy()] = True
    out[lower.isin(FALSE_TEXT).to_numpy()] = False
    return out


def _times(table: Table, column: str, tz: str | None, *, after=None, groups=None) -> pd.DatetimeIndex:
    """Aware times of a column (NaT where empty).

    Naive times are local to ``tz``. In the repeated hour of a fall-back day a naive ``arrived_at``
    is read in order of appearance per channel (see :mod:`planner.io`); a naive later time
    (``after`` given) is read as the first reading not before ``after``.
    """
    n = len(table.frame)
    ns = np.full(n, np.iinfo(np.int64).min)
    given = table.frame[column].notna().to_numpy() if column in table.frame else np.zeros(n, bool)
    if given.any():
        sub = Table(table.shown, table.frame.loc[given, [column]].reset_index(drop=True), table.lines[given])
        naive, utc, offset, _ = parse_times(sub, column, allow_mixed=False)
        if offset[0]:
            ns[given] = epoch_ns(utc)
        elif tz is None:
            raise InputError(f"{sub.shown}:{sub.lines[0]}:{column}: times have no UTC offset, so the time zone is "
                             "needed; pass tz, the contact center's IANA zone (e.g. tz='Europe/London')")
        elif after is None:
            ns[given] = epoch_ns(localize(sub, column, naive, tz, groups[given]))
        else:
            summer = naive.tz_localize(tz, ambiguous=np.ones(len(naive), bool), nonexistent="NaT")
            winter = naive.tz_localize(tz, ambiguous=np.zeros(len(naive), bool), nonexistent="NaT")
            sub.check(np.asarray(summer.isna()), column, lambda i: f"{sub.raw(column, i)} does not exist in {tz}: "
                      "the clocks go forward that night", "fix the time or write it with its UTC offset")
            pick = np.where(epoch_ns(summer) >= epoch_ns(after)[given], epoch_ns(summer), epoch_ns(winter))
            ns[given] = pick
    return pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC").tz_convert(tz or "UTC")


def _seconds(later: pd.DatetimeIndex, earlier: pd.DatetimeIndex) -> np.ndarray:
    """``later - earlier`` [s] as floats, NaN where either is NaT."""
    bad = np.asarray(later.isna() | earlier.isna())
    out = (epoch_ns(later) - epoch_ns(earlier)) / 1e9
    return np.where(bad, np.nan, out)


def read_messages(path, contacts: pd.DataFrame, *, tz: str | None = None) -> pd.DataFrame:
    """Read a message log and derive per-contact columns for ``contacts``.

    Parameters
    ----------
    path : str, path-like or pandas.DataFrame
        ``contact_id, sent_at, sender`` (``agent`` or ``customer``), optionally ``handle_s`` (agent
        work on the message [s]). Every ``contact_id`` must be in ``contacts``.
    contacts : pandas.DataFrame
        The contacts frame the messages belong to.
    tz : str, optional
        Zone of naive ``sent_at`` times.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``contacts``: ``customer_latency_s`` [s], ``message_handle_s`` [s] (NaN where
        the log has no ``handle_s``), ``first_agent_at`` and ``last_message_at`` (NaT where none).
    """
    table = _table(path, required=MESSAGE_REQUIRED, optional=MESSAGE_OPTIONAL,
                        text_columns=("contact_id", "sent_at", "sender"), what="message")
    n = len(table.frame)
    contact_id = _text(table, "contact_id")
    table.check(pd.isna(contact_id), "contact_id", "missing contact_id", "write the contact the message belongs to")
    position = pd.Index(contacts["contact_id"]).get_indexer(contact_id)
    table.check(position < 0, "contact_id", lambda i: f"unknown contact {table.raw('contact_id', i)}: it is not in "
                "the contact log", "check that the message log and the contact log are from the same export")
    sender = pd.Series(_text(table, "sender"), dtype=object).str.lower()
    table.check(~sender.isin(("agent", "customer")).to_numpy(), "sender",
                lambda i: f"unknown sender {table.raw('sender', i)}", "write agent or customer")
    channel = contacts["channel"].to_numpy(dtype=object)[position]
    sent = _times(table, "sent_at", tz, groups=pd.factorize(channel)[0])
    table.check(np.asarray(sent.isna()), "sent_at", "missing time", ISO_HINT)
    arrived = epoch_ns(contacts["arrived_at"])[position]
    sent_ns = epoch_ns(sent)
    early = sent_ns < arrived
    table.check(early, "sent_at", lambda i: f"{table.raw('sent_at', i)} is before the contact arrived "
                f"({contacts['arrived_at'].iloc[position[i]].isoformat()})",
                "check the time zones of both logs or the contact_id")
    handle = (numbers(table, "handle_s", required=False, what="seconds", example="240")
              if "handle_s" in table.frame else np.full(n, np.nan))
    table.check(handle < 0, "handle_s", lambda i: f"negative handle time {handle[i]:g}", "write seconds >= 0")
    is_agent = (sender == "agent").to_numpy()
    order = np.lexsort((np.arange(n), sent_ns, position))
    pos, t, agent = position[order], sent_ns[order], is_agent[order]
    same = np.r_[False, pos[1:] == pos[:-1]]
    after_agent = same & ~agent & np.r_[False, agent[:-1]]
    gap = np.where(after_agent, np.r_[0, np.diff(t)] / 1e9, 0.0)
    m = len(contacts)
    has = np.bincount(pos, minlength=m) > 0
    latency = np.where(has, np.bincount(pos, weights=gap, minlength=m), np.nan)
    agent_handle = np.where(agent, handle[order], 0.0)
    counted = np.bincount(pos, weights=(agent & ~np.isnan(handle[order])).astype(float), minlength=m)
    message_handle = np.where(counted > 0, np.bincount(pos, weights=np.nan_to_num(agent_handle), minlength=m), np.nan)
    first_agent = np.full(m, np.iinfo(np.int64).min)
    a_pos, a_t = pos[agent], t[agent]
    first = np.r_[True, a_pos[1:] != a_pos[:-1]] if a_pos.size else np.array([], bool)
    first_agent[a_pos[first]] = a_t[first]
    last = np.full(m, np.iinfo(np.int64).min)
    last[pos] = t  # sorted by time within a contact: the last write wins
    zone = contacts["arrived_at"].dt.tz

    def aware(ns):
        return pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC").tz_convert(zone)

    return pd.DataFrame({"customer_latency_s": latency, "message_handle_s": message_handle,
                         "first_agent_at": aware(first_agent), "last_message_at": aware(last)}, index=contacts.index)


def read_contacts(path, *, tz: str | None = None, messages=None, kinds=None) -> pd.DataFrame:
    """Read and check a contact-level log (one row per contact) into the contacts frame.

    Parameters
    ----------
    path : str, path-like or pandas.DataFrame
        CSV (maybe ``.gz``), Parquet, Excel or a frame with ``contact_id, channel, arrived_at`` and optionally
        ``customer_id, answered_at, ended_at, abandoned, agent_handle_s, resolved, agent_id``.
        ``answered_at`` is when an agent picked up (live) or first responded (async), empty if
        never; ``ended_at`` when the contact ended (for an abandoned call: when the caller hung up);
        ``abandoned`` and ``resolved`` are true/false (empty: false / unknown); ``agent_handle_s``
        is agent work measured by the platform [s].
    tz : str, optional
        The contact center's IANA zone. Needed for naive (local) times; times with an offset are
        converted to it.
    messages : str or path-like, optional
        Message log of the async channels: ``contact_id, sent_at, sender`` (agent or customer),
        optionally ``handle_s`` [s]. It gives ``customer_latency_s``, the agent work where
        ``agent_handle_s`` is missing, and ``answered_at`` (first agent message) and ``ended_at``
        (last message) where the contact log leaves them empty.
    kinds : mapping, optional
        Channel -> ``"voice"``, ``"chat"`` or ``"deferred"`` where the name does not say it (see
        :func:`channel_kinds`).

    Returns
    -------
    pandas.DataFrame
        One row per contact in file order: the file's columns (times ``datetime64[ns, tz]`` with NaT
        where empty, ``abandoned`` bool, ``resolved`` object True/False/None, numbers float), plus
        ``kind`` and the derived ``wait_s``, ``customer_latency_s`` and ``work_s`` [s] (rules in
        :mod:`planner.contacts.read`). ``attrs``: ``tz``, ``source``.

    Raises
    ------
    InputError
        ``file:line:column: problem; fix`` for the first problem found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "contacts.csv"
    >>> _ = file.write_text("contact_id,channel,arrived_at,answered_at,ended_at,abandoned\\n"
    ...     "c1,phone,2026-10-05 09:00:00,2026-10-05 09:00:12,2026-10-05 09:05:12,false\\n"
    ...     "c2,phone,2026-10-05 09:01:00,,2026-10-05 09:02:30,true\\n")
    >>> contacts = read_contacts(file, tz="Europe/London")
    >>> contacts[["wait_s", "work_s"]].values.tolist()
    [[12.0, 300.0], [90.0, nan]]
    """
    if tz is not None:
        tz = check_timezone(tz)
    table = _table(path, required=CONTACT_REQUIRED, optional=CONTACT_OPTIONAL,
                        text_columns=("contact_id", "customer_id", "channel", "arrived_at", "answered_at",
                                      "ended_at", "abandoned", "resolved", "agent_id"), what="contact")
    n = len(table.frame)
    if n == 0:
        raise InputError(f"{table.shown}:2: no data rows; add one row per contact below the header")
    contact_id = _text(table, "contact_id")
    table.check(pd.isna(contact_id), "contact_id", "missing contact_id", "give every contact its id")
    again = pd.Series(contact_id).duplicated().to_numpy()
    if again.any():
        first_line = dict(zip(contact_id[::-1], table.lines[::-1]))
        table.check(again, "contact_id", lambda i: f"duplicate contact {table.raw('contact_id', i)} (also line "
                    f"{first_line[contact_id[i]]})", "keep one row per contact")
    channel = _text(table, "channel")
    table.check(pd.isna(channel), "channel", "missing channel", "write the channel, e.g. phone")
    codes, names = pd.factorize(channel)
    kind_of = channel_kinds(names, kinds)
    kind = np.asarray([kind_of[str(c)] for c in names], dtype=object)[codes]
    live = kind != "deferred"
    arrived = _times(table, "arrived_at", tz, groups=codes)
    table.check(np.asarray(arrived.isna()), "arrived_at", "missing date and time", ISO_HINT)
    answered = _times(table, "answered_at", tz, after=arrived)
    ended = _times(table, "ended_at", tz, after=arrived)
    abandoned = _flags(table, "abandoned", default=False).astype(bool)
    resolved = _flags(table, "resolved", default=None)
    handle = (numbers(table, "agent_handle_s", required=False, what="seconds", example="185")
              if "agent_handle_s" in table.frame else np.full(n, np.nan))
    table.check(handle < 0, "agent_handle_s", lambda i: f"negative handle time {handle[i]:g}", "write seconds >= 0")
    shown = arrived.tz

    def when(i, times):
        return repr(times[i].isoformat()) if times[i] is not pd.NaT else "?"

    table.check(np.asarray(answered < arrived), "answered_at", lambda i: f"answered {when(i, answered)} before "
                f"it arrived {when(i, arrived)}", "check the export's columns and time zones")
    table.check(np.asarray(ended < arrived), "ended_at", lambda i: f"ended {when(i, ended)} before it arrived "
                f"{when(i, arrived)}", "check the export's columns and time zones")
    table.check(np.asarray(ended < answered), "ended_at", lambda i: f"ended {when(i, ended)} before it was "
                f"answered {when(i, answered)}", "check the export's columns and time zones")
    table.check(abandoned & np.asarray(answered.notna()), "answered_at", "an abandoned contact has an answer time",
                "a contact is either answered or abandoned: clear answered_at or set abandoned to false")
    table.check(abandoned & live & np.asarray(ended.isna()), "ended_at", "abandoned live contact without the time "
                "the customer gave up", "write ended_at (the hang-up time): patience is estimated from it")
    frame = pd.DataFrame({"contact_id": contact_id, "customer_id": _text(table, "customer_id"),
                          "channel": channel, "kind": kind, "arrived_at": arrived.tz_convert(shown),
                          "answered_at": answered, "ended_at": ended, "abandoned": abandoned,
                          "agent_handle_s": handle, "resolved": resolved, "agent_id": _text(table, "agent_id")})
    frame["customer_latency_s"] = np.nan
    message_handle = np.full(n, np.nan)
    if messages is not None:
        derived = read_messages(messages, frame, tz=tz)
        frame["customer_latency_s"] = derived["customer_latency_s"]
        message_handle = derived["message_handle_s"].to_numpy()
        frame["answered_at"] = frame["answered_at"].where(frame["answered_at"].notna() | abandoned,
                                                          derived["first_agent_at"])
        frame["ended_at"] = frame["ended_at"].where(frame["ended_at"].notna(), derived["last_message_at"])
    frame.attrs.update(tz=str(shown), source=table.shown)
    return _derive(frame, message_handle)


def _derive(frame: pd.DataFrame, message_handle: np.ndarray) -> pd.DataFrame:
    """Add ``wait_s`` and ``work_s`` (rules in the module docstring)."""
    arrived = pd.DatetimeIndex(frame["arrived_at"])
    answered, ended = pd.DatetimeIndex(frame["answered_at"]), pd.DatetimeIndex(frame["ended_at"])
    abandoned = frame["abandoned"].to_numpy(bool)
    frame["wait_s"] = np.where(abandoned, _seconds(ended, arrived), _seconds(answered, arrived))
    handled = ~abandoned & np.asarray(answered.notna())
    live_work = np.where(handled & (frame["kind"].to_numpy() != "deferred"), _seconds(ended, answered), np.nan)
    work = frame["agent_handle_s"].to_numpy(float)
    work = np.where(np.isnan(work), message_handle, work)
    frame["work_s"] = np.where(np.isnan(work), live_work, work)
    return frame
