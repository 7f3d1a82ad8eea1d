"""Simulate a staffing plan into a contact-level log: one row per contact, as an ACD would export it.

The same model as :func:`planner.simulate.simulate` (see :mod:`planner.simulate`), but the output is
the log itself, in the columns :func:`planner.read_contacts` reads, so that KPIs and calibration can
be checked against known truth (a simulated patience or chat slowdown must be recovered) and sample
logs can be made. Voice and deferred work use the FCFS loop of :mod:`planner.simulate.engine`; chat
needs each chat's agent, so :func:`chat_agents` follows every agent separately (the engine's
aggregate loop only counts agents per load level).
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.simulate.channel import _arrivals, _handle_times, _schedule, give_up_times
from planner.simulate.engine import fcfs_queue
from planner.simulate.frame import ChannelPlan, prepare

__all__ = ["contact_log", "chat_agents"]

ARRIVALS = ("poisson", "fixed")


def chat_agents(arrival, give_up, concurrency, change_t, change_agents, change_durations, rng):
    """Simulate chat agent by agent: least-loaded routing, no transfers, FCFS queue, patience.

    Parameters
    ----------
    arrival, give_up : list of float
        Sorted arrival times and abandon times [s] (``inf``: never abandons).
    concurrency : int
        Most chats an agent holds at once.
    change_t, change_agents : list of float, list of int
        Staffing from each time on (sorted). When the staff falls the least-loaded agents leave
        (finishing their chats, taking no new one); when it rises agents still finishing are kept
        on first (busiest first), then idle ones return, then new ones join.
    change_durations : list of list of float
        From ``change_t[j]`` on, a chat lasts ``change_durations[j][l]`` [s] on average while its
        agent holds ``l`` chats (index 0 unused): each chat ends at rate ``1 / duration_l``.
    rng : numpy.random.Generator

    Returns
    -------
    start, end : list of float
        When each chat reached an agent and ended [s] (``nan`` if never answered).
    agent : list of int
        The agent of each chat (-1 if never answered).

    Examples
    --------
    >>> import numpy as np
    >>> start, end, agent = chat_agents([0.0, 1.0, 2.0], [math.inf] * 3, 2, [0.0], [1],
    ...                                 [[0.0, 60.0, 90.0]], np.random.default_rng(1))
    >>> start[:2], agent[:2], bool(start[2] >= min(end[:2]))
    ([0.0, 1.0], [0, 0], True)
    """
    n, k = len(arrival), concurrency
    start, end, agent_of = [math.nan] * n, [math.nan] * n, [-1] * n
    chats: list[list[int]] = []  # chats held by each agent
    on_staff: list[bool] = []
    version: list[int] = []
    heap: list[tuple[float, int, int]] = []
    durations = change_durations[0] if change_durations else [math.inf] * (k + 1)
    staff = i = head = j = 0
    exponential = rng.standard_exponential
    choose = rng.integers

    def reschedule(a: int, t: float) -> None:
        version[a] += 1
        held = len(chats[a])
        if held:
            heapq.heappush(heap, (t + durations[held] / held * exponential(), a, version[a]))

    while True:
        while heap and heap[0][2] != version[heap[0][1]]:
            heapq.heappop(heap)
        next_c = heap[0][0] if heap else math.inf
        next_a = arrival[i] if i < n else math.inf
        next_b = change_t[j] if j < len(change_t) else math.inf
        if next_c == next_a == next_b == math.inf:
            break
        if next_c <= next_a and next_c <= next_b:
            t, a, _ = heapq.heappop(heap)
            held = chats[a]
            c = held.pop(int(choose(len(held))))
            end[c] = t
            reschedule(a, t)
        elif next_b <= next_a:
            t, new, durations = next_b, change_agents[j], change_durations[j]
            j += 1
            for a in range(len(chats)):
                if chats[a]:
                    reschedule(a, t)  # memoryless: redraw at the new rates
            if new < staff:
                leaving = sorted((len(chats[a]), a) for a in range(len(chats)) if on_staff[a])[: staff - new]
                for _, a in leaving:
                    on_staff[a] = False
            elif new > staff:
                off = [a for a in range(len(chats)) if not on_staff[a]]
                off.sort(key=lambda a: -len(chats[a]))
                for a in off[: new - staff]:
                    on_staff[a] = True
                for _ in range(new - staff - min(len(off), new - staff)):
                    chats.append([])
                    on_staff.append(True)
                    version.append(0)
            staff = new
        else:
            t = next_a
            i += 1
        while head < i:
            if give_up[head] < t:
                head += 1
                continue
            best, load = -1, k
            for a in range(len(chats)):
                if on_staff[a] and len(chats[a]) < load:
                    best, load = a, len(chats[a])
                    if load == 0:
                        break
            if best < 0:
                break
            chats[best].append(head)
            start[head], agent_of[head] = t, best
            reschedule(best, t)
            head += 1
    return start, end, agent_of


def _channel_log(ch: ChannelPlan, rng: np.random.Generator, *, arrivals: str, handle: str, cv: float) -> dict:
    arrival, p = _arrivals(ch, rng, 0.0, fixed=arrivals == "fixed")
    n = arrival.size
    change_t, change_agents, change_source, _ = _schedule(ch, 0.0)
    give_up = give_up_times(ch, arrival, p, rng)
    work = np.full(n, np.nan)
    agent = np.full(n, -1)
    if ch.kind == "chat":
        level = np.arange(ch.concurrency + 1, dtype=float)
        duration = ch.aht_s[:, None] * (1.0 + ch.aht_growth[:, None] * np.maximum(level - 1.0, 0.0))
        start, end, agent = chat_agents(arrival.tolist(), give_up.tolist(), ch.concurrency, change_t.tolist(),
                                        change_agents.tolist(), duration[change_source].tolist(), rng)
        start, end, agent = np.array(start, float), np.array(end, float), np.array(agent)
    else:
        handle_s = _handle_times(ch.aht_s[p], rng, handle, cv)
        start, end, _, _ = fcfs_queue(arrival.tolist(), give_up.tolist(), handle_s.tolist(), change_t.tolist(),
                                      change_agents.tolist())
        start, end = np.array(start, float), np.array(end, float)
        if ch.kind == "deferred":  # the first response is the reply sent when the work is done
            work = np.where(np.isnan(end), np.nan, handle_s)
            start = end.copy()
    answered = ~np.isnan(start)
    abandoned = ~answered & np.isfinite(give_up)
    end = np.where(abandoned, give_up, end)
    return {"arrived": arrival, "answered": start, "ended": end, "abandoned": abandoned, "work": work,
            "agent": agent}


def contact_log(plan: pd.DataFrame, *, rng, interval_s: float | None = None, arrivals: str = "poisson",
                handle: str = "exponential", cv: float = 1.0) -> pd.DataFrame:
    """Simulate a staffing plan once and return the log of every contact.

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan frame as :func:`planner.simulate.simulate` reads it.
    rng : numpy.random.Generator or int
        Source of randomness.
    interval_s : float, optional
        Interval length [s]; inferred from the plan by default.
    arrivals : {"poisson", "fixed"}
        ``"poisson"``: Poisson counts with mean ``offered``; ``"fixed"``: exactly ``offered``
        (rounded) contacts per interval, e.g. to replay a history's counts.
    handle, cv
        Handle-time distribution of voice and deferred work, as in ``simulate``.

    Returns
    -------
    pandas.DataFrame
        ``contact_id, customer_id, channel, arrived_at, answered_at, ended_at, abandoned,
        agent_handle_s, agent_id`` in arrival order: the contact-log columns of
        :func:`planner.read_contacts` (``agent_handle_s`` [s] only for deferred work, the reply
        time of which is ``answered_at``; ``agent_id`` only for chat). Every contact has its own
        customer.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> starts = pd.date_range("2026-07-06 09:00", periods=4, freq="15min", tz="Europe/London")
    >>> plan = pd.DataFrame({"interval_start": starts, "channel": "phone", "kind": "voice", "offered": 50.0,
    ...                      "aht_s": 180.0, "agents": 12, "threshold_s": 20.0, "patience_s": 120.0})
    >>> log = contact_log(plan, rng=np.random.default_rng(7))
    >>> list(log.columns[:4]), bool(190 < len(log) < 210), bool(log["abandoned"].mean() < 0.2)
    (['contact_id', 'customer_id', 'channel', 'arrived_at'], True, True)
    """
    if arrivals not in ARRIVALS:
        raise InputError(f"arrivals: unknown {arrivals!r}; use one of {', '.join(ARRIVALS)}")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    channels, _, origin = prepare(plan, interval_s=interval_s)
    shared = [ch.name for ch in channels if ch.classes or ch.outbound is not None or ch.kind == "outbound"]
    if shared:
        raise InputError(f"contact_log: {', '.join(shared)} has segments or outbound calls, which contact logs do "
                         "not hold yet; simulate such plans with planner.simulate")
    parts = []
    for ch, stream in zip(channels, rng.spawn(len(channels))):
        log = _channel_log(ch, stream, arrivals=arrivals, handle=handle, cv=cv)

        def stamp(seconds):
            return origin + pd.to_timedelta(seconds, unit="s")

        parts.append(pd.DataFrame({
            "channel": ch.name, "arrived_at": stamp(log["arrived"]), "answered_at": stamp(log["answered"]),
            "ended_at": stamp(log["ended"]), "abandoned": log["abandoned"], "agent_handle_s": log["work"],
            "agent_id": pd.Series(np.where(log["agent"] >= 0, [f"{ch.name}-{a}" for a in log["agent"]], None),
                                  dtype=object)}))
    out = pd.concat(parts, ignore_index=True).sort_values(["arrived_at", "channel"], ignore_index=True, kind="stable")
    ids = np.arange(1, len(out) + 1).astype(str)
    out.insert(0, "customer_id", np.char.add("cust-", ids).astype(object))
    out.insert(0, "contact_id", np.char.add("c", ids).astype(object))
    out["arrived_at"] = out["arrived_at"].dt.round("ms")
    for column in ("answered_at", "ended_at"):
        out[column] = out[column].dt.round("ms")
    return out
