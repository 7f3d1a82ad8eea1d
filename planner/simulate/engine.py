"""The event loops: one channel of one replication, in pure Python over plain lists.

Two loops cover the three channel kinds (see :mod:`planner.simulate` for the model):

* :func:`fcfs_queue` (voice and deferred work): a first-come-first-served queue in front of a
  staffed pool of identical agents, one contact each. Handle times are drawn beforehand, so busy
  agents are just a heap of their completion times.
* :func:`chat_queue` (chat): agents hold up to ``concurrency`` chats, new chats go to the
  least-loaded agent and never move. With exponential chat durations the agents holding the same
  number of chats are interchangeable, so the state is a count of agents per load level, and the
  next completion of the whole pool is one exponential clock whose rate is rescaled (time change of
  a Poisson process) whenever a load changes: exact, and one random draw per completion.

Neither loop keeps abandonment events: in a FCFS queue a waiting contact leaves at ``give_up``
(arrival + patience) unless it reaches an agent first, so the loop skips the queue head when its
``give_up`` is past; every contact never answered with a finite patience has abandoned.

The arrivals are a sorted list, the staffing changes another, so the loop only compares three
times per event; the queue is the range ``[head, i)`` of the arrivals (FCFS in arrival order).
"""

from __future__ import annotations

import heapq
import math

__all__ = ["fcfs_queue", "chat_queue"]

_INF = math.inf


def fcfs_queue(arrival, give_up, handle, change_t, change_agents):
    """Simulate a FCFS queue served by a changing number of agents, one contact at a time.

    Parameters
    ----------
    arrival : list of float
        Arrival times [s], sorted.
    give_up : list of float
        Time each contact abandons if still waiting [s] (``inf``: never).
    handle : list of float
        Handle time of each contact [s].
    change_t, change_agents : list of float, list of int
        Staffing: from ``change_t[j]`` on, ``change_agents[j]`` agents (sorted by time). An agent
        leaving while busy finishes the contact in hand; nobody starts a contact while the busy
        agents number the staff or more.

    Returns
    -------
    start, end : list of float
        Time each contact reached an agent and left it [s] (``nan`` if never answered).
    extra_t, extra_v : list of float, list of int
        Step function of the agents still finishing a contact beyond the staff
        (``max(busy - staff, 0)``), value ``extra_v[j]`` from ``extra_t[j]`` on.

    Examples
    --------
    >>> start, end, _, _ = fcfs_queue([0.0, 1.0], [9.0, 9.0], [5.0, 5.0], [0.0], [1])
    >>> start, end
    ([0.0, 5.0], [5.0, 10.0])
    """
    n = len(arrival)
    nan = math.nan
    start = [nan] * n
    end = [nan] * n
    extra_t: list[float] = []
    extra_v: list[int] = []
    busy: list[float] = []  # heap of completion times
    push, pop = heapq.heappush, heapq.heappop
    i = head = j = 0
    staff = extra = 0
    n_changes = len(change_t)
    next_a = arrival[0] if n else _INF
    next_b = change_t[0] if n_changes else _INF
    while True:
        next_c = busy[0] if busy else _INF
        if next_c <= next_a and next_c <= next_b:
            if next_c == _INF:
                break
            t = pop(busy)
        elif next_b <= next_a:
            t = next_b
            staff = change_agents[j]
            j += 1
            next_b = change_t[j] if j < n_changes else _INF
        else:
            t = next_a
            i += 1
            next_a = arrival[i] if i < n else _INF
        n_busy = len(busy)
        while head < i and n_busy < staff:
            if give_up[head] < t:  # abandoned while waiting
                head += 1
                continue
            start[head] = t
            e = t + handle[head]
            end[head] = e
            push(busy, e)
            n_busy += 1
            head += 1
        over = n_busy - staff if n_busy > staff else 0
        if over != extra:
            extra = over
            extra_t.append(t)
            extra_v.append(over)
    return start, end, extra_t, extra_v


def chat_queue(arrival, give_up, concurrency, change_t, change_agents, change_rates, exponential, uniform,
               cls=None, n_classes=1):
    """Simulate chat: least-loaded routing without transfers, FCFS queue when every slot is busy.

    Parameters
    ----------
    arrival, give_up : list of float
        As for :func:`fcfs_queue`.
    concurrency : int
        Most chats an agent holds at once, k.
    change_t, change_agents : list of float, list of int
        Staffing changes, as for :func:`fcfs_queue`. When the staff falls, the least-loaded agents
        leave: idle ones at once, the others take no new chat and leave after their last one.
        When it rises, agents still finishing are kept on first, then idle agents join.
    change_rates : list of list of float
        From ``change_t[j]`` on, ``change_rates[j][l]`` is the completion rate [1/s] of an agent
        holding ``l`` chats (``l / mean duration at load l``; index 0 is 0).
    exponential, uniform : list of float
        Standard exponential and uniform [0, 1) draws: up to two exponentials per chat plus one
        per staffing change, one uniform per chat.
    cls, n_classes : list of int, int, optional
        Priority class of each chat (0 highest) and the number of classes: a free slot takes the
        oldest waiting chat of the highest class with one waiting (default: one FCFS queue).

    Returns
    -------
    start : list of float
        Time each chat reached an agent [s] (``nan`` if never).
    done : list of float
        Completion times [s], in time order (chats are not told apart once assigned).
    on, off : list of float
        Times an agent went from 0 to 1 chat, and from 1 to 0.
    extra_t, extra_v : list of float, list of int
        Step function of the chats held by agents beyond the staff (leaving after their last chat).

    Examples
    --------
    >>> start, done, on, off, _, _ = chat_queue(
    ...     [0.0, 1.0], [9.0, 9.0], 2, [0.0], [1], [[0.0, 0.1, 0.2]], [1.0] * 4, [0.5] * 4)
    >>> start, len(done), on
    ([0.0, 1.0], 2, [0.0])
    """
    n = len(arrival)
    k = concurrency
    start = [math.nan] * n
    done: list[float] = []
    on: list[float] = []
    off: list[float] = []
    extra_t: list[float] = []
    extra_v: list[int] = []
    active = [0] * (k + 1)  # agents on staff holding l chats
    leaving = [0] * (k + 1)  # agents off staff finishing l chats (leaving[0] stays 0)
    rates = [0.0] * (k + 1)
    staff = leaving_chats = chats = extra = 0
    total_rate = 0.0
    i = head = j = ie = iu = 0
    n_changes = len(change_t)
    next_a = arrival[0] if n else _INF
    next_b = change_t[0] if n_changes else _INF
    next_c = _INF
    members = None if cls is None else _class_queues(cls, n_classes)
    sizes = None if members is None else [len(m) for m in members]
    heads = [0] * n_classes
    while True:
        old_rate = total_rate
        fired = False
        if next_c <= next_a and next_c <= next_b:
            if next_c == _INF:
                break
            t = next_c
            fired = True
            x = uniform[iu] * total_rate
            iu += 1
            for level in range(k, 0, -1):  # busiest first: where most completions happen
                share = active[level] * rates[level]
                if x < share and active[level]:
                    active[level] -= 1
                    active[level - 1] += 1
                    break
                x -= share
                share = leaving[level] * rates[level]
                if x < share and leaving[level]:
                    leaving[level] -= 1
                    if level > 1:
                        leaving[level - 1] += 1
                    leaving_chats -= 1
                    break
                x -= share
            else:  # rounding left x beyond the last share: the busiest agent on staff finishes
                level = next((l for l in range(k, 0, -1) if active[l]), 0)
                if level:
                    active[level] -= 1
                    active[level - 1] += 1
                else:  # or the busiest one leaving
                    level = next(l for l in range(k, 0, -1) if leaving[l])
                    leaving[level] -= 1
                    if level > 1:
                        leaving[level - 1] += 1
                    leaving_chats -= 1
            chats -= 1
            total_rate += rates[level - 1] - rates[level]
            done.append(t)
            if level == 1:
                off.append(t)
        elif next_b <= next_a:
            t = next_b
            new = change_agents[j]
            rates = change_rates[j]
            j += 1
            next_b = change_t[j] if j < n_changes else _INF
            if new < staff:  # the least-loaded agents leave
                cut = staff - new
                for level in range(k + 1):
                    m = min(active[level], cut)
                    active[level] -= m
                    if level:
                        leaving[level] += m
                        leaving_chats += m * level
                    cut -= m
                    if not cut:
                        break
            elif new > staff:  # keep on those still finishing, then idle agents join
                add = new - staff
                for level in range(k, 0, -1):
                    m = min(leaving[level], add)
                    leaving[level] -= m
                    active[level] += m
                    leaving_chats -= m * level
                    add -= m
                active[0] += add
            staff = new
            total_rate = sum((active[l] + leaving[l]) * rates[l] for l in range(1, k + 1))
        else:
            t = next_a
            i += 1
            next_a = arrival[i] if i < n else _INF
        while active[k] < staff:  # a slot is free: least-loaded agent takes the head
            if members is None:
                if head >= i:
                    break
                if give_up[head] < t:
                    head += 1
                    continue
                picked = head
                head += 1
            else:
                picked = -1
                for c in range(n_classes):
                    queue, h = members[c], heads[c]
                    while h < sizes[c] and queue[h] < i and give_up[queue[h]] < t:
                        h += 1
                    if h < sizes[c] and queue[h] < i:
                        picked = queue[h]
                        heads[c] = h + 1
                        break
                    heads[c] = h
                if picked < 0:
                    break
            level = 0
            while not active[level]:
                level += 1
            active[level] -= 1
            active[level + 1] += 1
            total_rate += rates[level + 1] - rates[level]
            chats += 1
            start[picked] = t
            if level == 0:
                on.append(t)
        if not chats:
            total_rate = 0.0  # no rounding residue when empty
        if total_rate != old_rate or fired:
            if total_rate <= 0.0:
                next_c = _INF
            elif fired or old_rate <= 0.0:
                next_c = t + exponential[ie] / total_rate
                ie += 1
            else:  # memoryless: rescale the running clock to the new rate
                next_c = t + (next_c - t) * (old_rate / total_rate)
        if leaving_chats != extra:
            extra = leaving_chats
            extra_t.append(t)
            extra_v.append(leaving_chats)
    return start, done, on, off, extra_t, extra_v


def _class_queues(cls, n_classes):
    """The arrival indices of each class in arrival order (each class's FCFS queue)."""
    members = [[] for _ in range(n_classes)]
    for index, c in enumerate(cls):
        members[c].append(index)
    return members


def pool_queue(arrival, cls, give_up, handle, n_classes, change_t, change_agents, change_idle, change_outbound_s,
               exponential):
    """Simulate a pool of agents serving priority classes, and outbound calls under a threshold rule.

    Classes are numbered from the highest priority (0); a free agent takes the oldest waiting
    contact of the highest class with one waiting (non-preemptive, FCFS within a class). When no
    contact waits and more than ``idle`` agents are idle, idle agents start outbound calls until
    ``idle`` are left (the idle-agent threshold rule; ``inf``: no outbound call).

    Parameters
    ----------
    arrival, give_up, handle : list of float
        As for :func:`fcfs_queue` (arrival times sorted).
    cls : list of int
        Class of each contact, ``0 <= cls < n_classes``.
    n_classes : int
        Number of classes.
    change_t, change_agents : list of float, list of int
        Staffing changes, as for :func:`fcfs_queue`.
    change_idle : list of float
        From ``change_t[j]`` on, the idle threshold (``inf``: no outbound calls).
    change_outbound_s : list of float
        From ``change_t[j]`` on, the mean length of an outbound call [s] (exponential).
    exponential : callable
        ``exponential()`` returns a standard exponential draw (one per outbound call).

    Returns
    -------
    start, end : list of float
        As for :func:`fcfs_queue`.
    out_start, out_end : list of float
        Start and end of every outbound call [s].
    extra_t, extra_v : list of float, list of int
        Agents still finishing beyond the staff, as for :func:`fcfs_queue`.

    Examples
    --------
    One agent kept busy (threshold 0): an outbound call starts at once, so the first contact
    waits; the third, of the higher class, is served first; the second gives up at t = 9; outbound
    calls follow one another until they stop at t = 20 (the caller ends them with the plan: an
    unlimited list never runs dry).

    >>> s, e, os_, oe, _, _ = pool_queue([0.0, 1.0, 2.0], [1, 1, 0], [9.0] * 3, [5.0] * 3, 2, [0.0, 20.0],
    ...                                  [1, 1], [0.0, math.inf], [3.0, 3.0], lambda: 1.0)
    >>> s, os_
    ([8.0, nan, 3.0], [0.0, 13.0, 16.0, 19.0])
    """
    n = len(arrival)
    nan = math.nan
    start = [nan] * n
    end = [nan] * n
    out_start: list[float] = []
    out_end: list[float] = []
    extra_t: list[float] = []
    extra_v: list[int] = []
    members = _class_queues(cls, n_classes)
    sizes = [len(m) for m in members]
    heads = [0] * n_classes
    busy: list[float] = []  # heap of completion times (inbound and outbound alike)
    push, pop = heapq.heappush, heapq.heappop
    i = j = 0
    staff = extra = 0
    idle_max = _INF
    outbound_s = 0.0
    n_changes = len(change_t)
    next_a = arrival[0] if n else _INF
    next_b = change_t[0] if n_changes else _INF
    while True:
        next_c = busy[0] if busy else _INF
        if next_c <= next_a and next_c <= next_b:
            if next_c == _INF:
                break
            t = pop(busy)
        elif next_b <= next_a:
            t = next_b
            staff = change_agents[j]
            idle_max = change_idle[j]
            outbound_s = change_outbound_s[j]
            j += 1
            next_b = change_t[j] if j < n_changes else _INF
        else:
            t = next_a
            i += 1
            next_a = arrival[i] if i < n else _INF
        n_busy = len(busy)
        while n_busy < staff:
            picked = -1
            for c in range(n_classes):
                queue, h = members[c], heads[c]
                while h < sizes[c] and queue[h] < i and give_up[queue[h]] < t:
                    h += 1  # abandoned while waiting
                if h < sizes[c] and queue[h] < i:
                    picked = queue[h]
                    heads[c] = h + 1
                    break
                heads[c] = h
            if picked < 0:
                break
            start[picked] = t
            e = t + handle[picked]
            end[picked] = e
            push(busy, e)
            n_busy += 1
        while staff - n_busy > idle_max:  # nobody waits: idle agents beyond the threshold call out
            e = t + outbound_s * exponential()
            out_start.append(t)
            out_end.append(e)
            push(busy, e)
            n_busy += 1
        over = n_busy - staff if n_busy > staff else 0
        if over != extra:
            extra = over
            extra_t.append(t)
            extra_v.append(over)
    return start, end, out_start, out_end, extra_t, extra_v
