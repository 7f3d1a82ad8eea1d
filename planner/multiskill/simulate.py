"""A multi-class, multi-group discrete-event simulator with skill-based routing (docs/design.md 4a).

One stationary interval is simulated: each class (channel) k has Poisson arrivals at
``rate_per_s[k]``, exponential handle times of mean ``aht_s[k]`` and, for live classes, exponential
patience of mean ``patience_s[k]`` (``inf``: nobody abandons). Deferred classes (``deadline_s``
finite) never abandon; an item is on time when it is finished within ``deadline_s`` of arriving.

Routing (the rules of the issue, as ACDs implement them):

* a new contact goes to an idle agent of the first group, in the contact's group order
  (:attr:`System.route`), that has one; within a group agents are interchangeable, so "the
  longest-idle agent" is any idle agent and only idle counts are kept;
* an agent who becomes free takes the waiting work of its group's first skill with a queue, then the
  second...: the highest-priority waiting work among its skills, first come first served within a
  class;
* deferred work (email, back office) fills the idle time live work leaves (the reservoir): an agent
  on a deferred item is interrupted by a live contact that finds no idle agent among its groups
  (preemptive resume: the item goes back to the head of its queue with the work left), so live
  classes see the deferred work only through the agents they share, and a group with enough idle
  time serves its live classes exactly as without the deferred work;
* a waiting contact abandons when its patience runs out (found lazily when it reaches the head of
  its queue, which is exact for first-come-first-served queues).

Chat (classes with ``concurrency[k] > 1``, the chat model of :mod:`planner.staffing.chat`): an agent
holds up to ``concurrency`` chats; a chat's ``aht_s`` is its duration held alone, and while its agent
holds j chats it lasts ``1 + aht_growth (j - 1)`` times as long (its work left is brought up to date
whenever the agent's count changes; exponential work, so a chat in progress ends at rate
``1 / (aht_s (1 + aht_growth (j - 1)))``, the chat model's ``c_j = j / aht_j`` per agent). Routing:

* a voice contact or a deferred item needs an agent holding nothing; an agent holding chats takes
  more chats (up to the concurrency, counting all chats it holds) but no voice or deferred work,
  until its last chat ends (then it takes the first of its skills with work waiting, as above);
* a new chat tries the groups in its order; in a group whose only live skill is chat it goes to the
  least-loaded agent (an idle one first), which is the chat model's routing (and the silo
  simulator's, :mod:`planner.simulate`): no chat is moved once placed; in a *mixed* group (chat and
  another live skill) it goes to the busiest agent already chatting with a free slot, and draws an
  idle agent in only when none has one, so chat takes as few agents away from voice as it can and
  agents return to voice as soon as their chats end; with no slot anywhere it interrupts a deferred
  item like a voice contact does, or waits;
* a chat ending frees a slot: the agent takes waiting chats of its chat skills in priority order;
* ``System.chat_agents[g]`` (optional) caps the agents of group g chatting at once: a chat draws an
  idle agent in only below the cap. :func:`planner.multiskill.plan_groups` sets it to the chat
  channels' agents in the group's static split, so the group's voice never has fewer agents than
  in the static design.

Busy time (``busy_s``) of a chatting agent is the time it holds at least one chat.

Common random numbers: arrival times, handle times and patience are drawn per replication and per
class from ``numpy.random.SeedSequence(seed).spawn``, independently of the staffing, so two designs
simulated with the same seed see exactly the same contacts (P. L'Ecuyer (2007), "Variance reduction's
greatest hits"; Avramidis, Chan & L'Ecuyer (2009), "Staffing multi-skill call centers via search
methods and a performance approximation", IIE Transactions 41(6)).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

__all__ = ["System", "SimResult", "simulate", "draw_contacts"]


@dataclass(frozen=True)
class System:
    """What is simulated in one interval: the classes (channels) and the groups' skills.

    Parameters
    ----------
    rate_per_s : array_like
        Arrival rate of each class [1/s].
    aht_s : array_like
        Mean handle time of each class [s]; for chat, a chat's duration held alone.
    threshold_s : array_like
        Service-level threshold of each live class [s] (unused for deferred classes).
    skills : tuple of tuple of int
        ``skills[g]``: the classes group g serves, in its routing priority order.
    patience_s : array_like, optional
        Mean (exponential) patience of each live class [s]; ``inf`` (default): nobody abandons.
    deadline_s : array_like, optional
        Deadline of each deferred class [s]; ``inf`` (default) marks a live class.
    target : array_like, optional
        Target of each class: service level (live) or share within the deadline (deferred), default 0.8.
    concurrency, aht_growth : array_like, optional
        Chat: most chats an agent holds (default 1: one contact at a time) and the fraction by which
        each extra chat held lengthens every chat (default 0), as in :mod:`planner.staffing.chat`.
    chat_agents : tuple of (int or None), optional
        Per group: most agents chatting at once (None: no limit).

    Examples
    --------
    A chat of 300 s alone, 3 at a time and 15% slower per extra chat, costs 390 / 3 = 130 s of agent time:

    >>> system = System(rate_per_s=[0.1], aht_s=[300.0], threshold_s=[40.0], skills=((0,),),
    ...                 concurrency=[3], aht_growth=[0.15])
    >>> system.agent_time_s.tolist(), system.load_erlangs.round(6).tolist()
    ([130.0], [13.0])
    """

    rate_per_s: np.ndarray
    aht_s: np.ndarray
    threshold_s: np.ndarray
    skills: tuple[tuple[int, ...], ...]
    patience_s: np.ndarray | None = None
    deadline_s: np.ndarray | None = None
    target: np.ndarray | None = None  # per class: service level (live) or share within deadline (deferred)
    concurrency: np.ndarray | None = None  # per class: most chats an agent holds (1: one contact at a time)
    aht_growth: np.ndarray | None = None  # per class: each extra chat held lengthens every chat by this fraction
    chat_agents: tuple | None = None  # per group: most agents chatting at once in a mixed group (None: no limit)
    route: tuple[tuple[int, ...], ...] = field(init=False)

    def __post_init__(self):
        k = len(np.atleast_1d(self.rate_per_s))
        for name, default in (("patience_s", np.inf), ("deadline_s", np.inf), ("target", 0.8), ("concurrency", 1.0),
                              ("aht_growth", 0.0)):
            value = getattr(self, name)
            object.__setattr__(self, name, np.full(k, default) if value is None else
                               np.broadcast_to(np.asarray(value, float), (k,)).copy())
        for name in ("rate_per_s", "aht_s", "threshold_s"):
            object.__setattr__(self, name, np.broadcast_to(np.asarray(getattr(self, name), float), (k,)).copy())
        # a contact tries first the groups where its skill has the highest priority, then the
        # groups with the fewest skills (specialists before generalists), then in the given order
        route = tuple(tuple(sorted((g for g, s in enumerate(self.skills) if c in s),
                                   key=lambda g: (self.skills[g].index(c), len(self.skills[g]), g)))
                      for c in range(k))
        object.__setattr__(self, "route", route)

    @property
    def deferred(self) -> np.ndarray:
        return np.isfinite(self.deadline_s)

    @property
    def chat(self) -> np.ndarray:
        """Classes whose agents hold several contacts at once (``concurrency > 1``)."""
        return self.concurrency > 1

    @property
    def agent_time_s(self) -> np.ndarray:
        """Agent time one contact takes [s]: ``aht_s``, and for chat its duration at full concurrency
        k shared by the k chats held, ``aht_s (1 + aht_growth (k - 1)) / k`` (the least a chat can cost)."""
        k = self.concurrency
        return self.aht_s * (1.0 + self.aht_growth * (k - 1.0)) / k

    @property
    def load_erlangs(self) -> np.ndarray:
        """Agent-equivalents of work per class [Erlang]: ``rate x aht``, and for chat the agent time a
        chat takes at full concurrency k, ``rate x aht_s (1 + aht_growth (k - 1)) / k``."""
        return self.rate_per_s * self.agent_time_s


@dataclass(frozen=True)
class SimResult:
    """What :func:`simulate` counted, per replication (rows) and class (columns).

    Attributes
    ----------
    offered, met, abandoned, answered : numpy.ndarray
        Contacts arriving after the warm-up; met: answered within the threshold, or finished within
        the deadline (deferred); answered: reached an agent (deferred: finished).
    wait_s : numpy.ndarray
        Summed waits of the answered contacts [s] (deferred: summed time from arrival to completion).
    busy_s : numpy.ndarray
        Per replication and *group*: agent time spent working [s] (chat: holding at least one chat).

    Examples
    --------
    >>> system = System(rate_per_s=[10 / 180], aht_s=[180.0], threshold_s=[20.0], skills=((0,),))
    >>> result = simulate(system, [14], replications=3, duration_s=600.0)
    >>> result.offered.shape, result.busy_s.shape
    ((3, 1), (3, 1))
    """

    offered: np.ndarray
    met: np.ndarray
    abandoned: np.ndarray
    wait_s: np.ndarray
    answered: np.ndarray
    busy_s: np.ndarray

    @property
    def service_level(self) -> np.ndarray:
        """Share met per replication and class (NaN where nothing was offered)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.met / self.offered

    def mean_ci(self, what: str = "service_level", level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per class: (mean, two-sided ``level`` interval low, high) of a per-replication ratio:
        ``service_level``, ``asa_s``, ``abandon_rate``."""
        from scipy import stats

        import warnings

        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a class with no contacts: NaN
            values = {"service_level": self.met / self.offered, "asa_s": self.wait_s / self.answered,
                      "abandon_rate": self.abandoned / self.offered}[what]
            r = np.sum(np.isfinite(values), axis=0)
            mean = np.nanmean(values, axis=0)
            sd = np.nanstd(values, axis=0, ddof=1) if len(values) > 1 else np.zeros(values.shape[1])
        half = stats.t.ppf(0.5 + level / 2, np.maximum(r - 1, 1)) * sd / np.sqrt(np.maximum(r, 1))
        return mean, mean - half, mean + half

    def lower_bound(self, confidence: float = 0.95) -> np.ndarray:
        """One-sided lower ``confidence`` bound of each class's service level (mean of replications)."""
        return self.mean_ci("service_level", 2 * confidence - 1)[1]


def draw_contacts(system: System, *, duration_s: float, replications: int, seed: int = 0) -> list[tuple]:
    """The contacts of each replication, sorted by arrival: (times, classes, handle times, patience)
    as Python lists (the event loop is Python). One random stream per replication and class."""
    k = len(system.rate_per_s)
    out = []
    for child in np.random.SeedSequence(seed).spawn(replications):
        times, classes, handle, patience = [], [], [], []
        for c, stream in enumerate(child.spawn(k)):
            rng = np.random.default_rng(stream)
            n = rng.poisson(system.rate_per_s[c] * duration_s)
            times.append(np.sort(rng.uniform(0.0, duration_s, n)))
            classes.append(np.full(n, c))
            handle.append(rng.exponential(system.aht_s[c], n))
            patience.append(rng.exponential(system.patience_s[c], n) if np.isfinite(system.patience_s[c])
                            else np.full(n, np.inf))
        t = np.concatenate(times)
        order = np.argsort(t, kind="stable")
        out.append((t[order].tolist(), np.concatenate(classes)[order].tolist(),
                    np.concatenate(handle)[order].tolist(), np.concatenate(patience)[order].tolist()))
    return out


class _Chatter:
    """An agent holding chats: ``chats`` as [work left at speed 1 [s], class], the time ``last`` the
    work was brought up to date, ``version`` (stale completion events are skipped), ``since``
    (when it took its first chat: busy time)."""

    __slots__ = ("g", "chats", "last", "version", "since")

    def __init__(self, g, now):
        self.g, self.chats, self.last, self.version, self.since = g, [], now, 0, now


def _replicate(system: System, agents, contacts, warmup_s: float):
    """One replication's event loop; returns per-class counts and per-group busy time."""
    inf = math.inf
    k = len(system.rate_per_s)
    skills, route = system.skills, system.route
    limit = [float(d) if np.isfinite(d) else float(t) for d, t in zip(system.deadline_s, system.threshold_s)]
    deferred = [bool(d) for d in system.deferred]
    cap = [int(x) for x in system.concurrency]
    growth = [float(x) for x in system.aht_growth]
    chat = [x > 1 for x in cap]
    n_g = len(skills)
    chat_skills = [tuple(c for c in s if chat[c]) for s in skills]
    most = [inf if m is None else int(m) for m in (system.chat_agents or (None,) * n_g)]
    chatting = [0] * n_g
    packs = [bool(chat_skills[g]) and any(not chat[c] and not deferred[c] for c in skills[g]) for g in range(n_g)]
    # per group and chat count j: the agents holding j chats (dicts as ordered sets)
    holding = [[{} for _ in range(max((cap[c] for c in chat_skills[g]), default=1) + 1)] for g in range(n_g)]
    offered, met, abandoned, wait, answered = [0] * k, [0] * k, [0] * k, [0.0] * k, [0] * k
    busy = [0.0] * n_g
    idle = [int(a) for a in agents]
    on_deferred: list[list] = [[] for _ in skills]  # per group: deferred jobs in progress (preemptible)
    queues = [deque() for _ in range(k)]
    heap: list = []  # (time, seq, group, job): job None (a live contact ends), a deferred job, or a chatter
    times, classes, handle, patience = contacts
    n, i, seq = len(times), 0, 0
    pop, push = heapq.heappop, heapq.heappush

    # slowed[c][j]: a chat of class c lasts this many times its work while its agent holds j chats
    slowed = [[1.0 + growth[c] * (j - 1) for j in range(max(cap) + 1)] for c in range(k)]

    def reschedule(a, now):  # the agent's next chat to end (its work left at its current speed)
        nonlocal seq
        seq += 1
        a.version += 1
        j = len(a.chats)
        first = inf
        for w, c in a.chats:
            t = w * slowed[c][j]
            if t < first:
                first = t
        push(heap, (now + first, seq, a.g, (a, a.version)))

    def advance(a, now):  # bring the work left of the agent's chats up to now
        dt = now - a.last
        if dt:
            j = len(a.chats)
            for item in a.chats:
                item[0] -= dt / slowed[item[1]][j]
            a.last = now

    def add_chat(a, now, c, service):
        advance(a, now)
        j = len(a.chats)
        if j:
            del holding[a.g][j][a]
        holding[a.g][j + 1][a] = None
        a.chats.append([service, c])
        reschedule(a, now)

    def head(c, now):  # the first waiting contact of class c still there, or None
        q = queues[c]
        while q and q[0][2] < now:  # ran out of patience while waiting
            if q.popleft()[3]:
                abandoned[c] += 1
        return q[0] if q else None

    def fill(a, now):  # a chatting agent with free slots takes waiting chats of its skills, in order
        while True:
            for c in chat_skills[a.g]:
                if len(a.chats) < cap[c] and head(c, now) is not None:
                    arrived, service, _, counted = queues[c].popleft()
                    start(now, c, arrived, service, counted, a.g, a)
                    break
            else:
                return

    def start(now, c, arrived, service, counted, g, chatter=None):
        nonlocal seq
        seq += 1
        if counted and not deferred[c]:
            w = now - arrived
            answered[c] += 1
            wait[c] += w
            if w <= limit[c]:
                met[c] += 1
        if chat[c]:  # an idle agent starts chatting, or a chatting one takes one more
            if chatter is None:
                chatter = _Chatter(g, now)
                chatting[g] += 1
            add_chat(chatter, now, c, service)
            return
        busy[g] += service
        if deferred[c]:  # [end, class, arrived, counted, group, alive]: met is counted when it ends
            job = [now + service, c, arrived, counted, g, True]
            on_deferred[g].append(job)
            push(heap, (now + service, seq, g, job))
            return
        push(heap, (now + service, seq, g, None))

    def free_agent(now, g):  # an agent with nothing in hand takes the first of its skills with work waiting
        for c in skills[g]:
            if (not chat[c] or chatting[g] < most[g]) and head(c, now) is not None:
                arrived, service, _, counted = queues[c].popleft()
                if chat[c]:
                    a = _Chatter(g, now)
                    chatting[g] += 1
                    start(now, c, arrived, service, counted, g, a)
                    fill(a, now)
                else:
                    start(now, c, arrived, service, counted, g)
                return
        idle[g] += 1

    def chat_slot(g, c):  # where a new chat of class c goes in group g: a chatter, "idle", or None
        levels = holding[g]
        if packs[g]:  # mixed group: the busiest chatter with a free slot, an idle agent only if none
            for j in range(cap[c] - 1, 0, -1):
                if levels[j]:
                    return next(iter(levels[j]))
            return "idle" if idle[g] and chatting[g] < most[g] else None
        if idle[g] and chatting[g] < most[g]:  # chat-only group: the least-loaded agent (the chat model's routing)
            return "idle"
        for j in range(1, cap[c]):
            if levels[j]:
                return next(iter(levels[j]))
        return None

    while True:
        next_arrival = times[i] if i < n else inf
        if heap and heap[0][0] <= next_arrival:
            now, _, g, job = pop(heap)
            if job is None:
                free_agent(now, g)
            elif type(job) is tuple:  # a chatter's next chat ends
                a, version = job
                if version != a.version:
                    continue
                advance(a, now)
                j = len(a.chats)
                chats = a.chats
                end, first = 0, inf
                for position, (w, c) in enumerate(chats):
                    if w * slowed[c][j] < first:
                        end, first = position, w * slowed[c][j]
                chats.pop(end)
                del holding[g][j][a]
                if j == 1:
                    a.version += 1
                    chatting[g] -= 1
                    busy[g] += now - a.since
                    free_agent(now, g)
                else:
                    holding[g][j - 1][a] = None
                    fill(a, now)
                    if len(a.chats) == j - 1:
                        reschedule(a, now)
            else:
                if not job[5]:
                    continue  # preempted: its agent is on a live contact
                on_deferred[g].remove(job)
                if job[3]:
                    answered[job[1]] += 1
                    wait[job[1]] += now - job[2]
                    met[job[1]] += now - job[2] <= limit[job[1]]
                free_agent(now, g)
        elif i < n:
            now, c, service = next_arrival, classes[i], handle[i]
            counted = now >= warmup_s
            if counted:
                offered[c] += 1
            for g in route[c]:
                if chat[c]:
                    slot = chat_slot(g, c)
                    if slot is None:
                        continue
                    if slot == "idle":
                        idle[g] -= 1
                        slot = None
                    start(now, c, now, service, counted, g, slot)
                    break
                if idle[g]:
                    idle[g] -= 1
                    start(now, c, now, service, counted, g)
                    break
            else:
                for g in (route[c] if not deferred[c] else ()):
                    if on_deferred[g] and (not chat[c] or chatting[g] < most[g]):  # preempt deferred work: it resumes later with what is left
                        job = on_deferred[g].pop()
                        job[5] = False
                        busy[g] -= job[0] - now
                        queues[job[1]].appendleft((job[2], job[0] - now, inf, job[3]))
                        start(now, c, now, service, counted, g)
                        break
                else:
                    queues[c].append((now, service, now + patience[i], counted))
            i += 1
        else:
            break
    for c, q in enumerate(queues):  # no agent left for them: they abandon (live) or are late (deferred)
        abandoned[c] += sum(1 for item in q if item[3] and not deferred[c])
    return offered, met, abandoned, wait, answered, busy


def simulate(system: System, agents, *, replications: int = 20, duration_s: float = 3600.0,
             warmup_s: float | None = None, seed: int = 0, contacts: list | None = None) -> SimResult:
    """Simulate ``agents[g]`` agents per group for ``replications`` independent runs.

    Parameters
    ----------
    system : System
    agents : array_like of int
        Agents per group.
    replications, seed : int
        Independent runs, and the seed of their contacts.
    duration_s : float
        Arrivals per run after the warm-up [s]; each run then drains (queued work is still served).
    warmup_s : float, optional
        Statistics count contacts arriving after this time [s] (default: 4 mean handle times of the
        live classes).
    contacts : list, optional
        A draw of :func:`draw_contacts` reused across designs: common random numbers.

    Examples
    --------
    One group, one class, 10 Erlangs on 14 agents: Erlang C says 88.8% within 20 s.

    >>> system = System(rate_per_s=[10 / 180], aht_s=[180.0], threshold_s=[20.0], skills=((0,),))
    >>> result = simulate(system, [14], replications=40, duration_s=4 * 3600, seed=3)
    >>> mean, low, high = result.mean_ci()
    >>> bool(low[0] < 0.8884 < high[0])
    True
    """
    if warmup_s is None:
        warmup_s = float(4 * np.max(system.aht_s[~system.deferred], initial=0.0))
    draws = contacts if contacts is not None else draw_contacts(
        system, duration_s=duration_s + warmup_s, replications=replications, seed=seed)
    rows = [_replicate(system, agents, draw, warmup_s) for draw in draws]
    offered, met, abandoned, wait, answered, busy = (np.array(column, float) for column in zip(*rows))
    return SimResult(offered=offered, met=met, abandoned=abandoned, wait_s=wait, answered=answered, busy_s=busy)
