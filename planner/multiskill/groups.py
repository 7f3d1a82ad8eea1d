"""Agent groups with skill sets: the ``[groups]`` table of a scenario (docs/design.md section 4a).

A group is a set of interchangeable agents holding the same skills (channels), listed in routing
priority order: an idle agent of the group takes waiting work of its first skill before its second.
``cost`` is the cost of one agent (relative units; the search minimises the sum of cost x agents),
``min_agents`` / ``max_agents`` bound the group's size in every interval.

:func:`read_groups` checks a ``[groups]`` table against the scenario's channels and raises one
:class:`planner.errors.SpecError` naming the key for each kind of mistake: a skill that is no
channel, a channel no group can serve, ``min_agents`` above ``max_agents``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from planner.config import ScenarioConfig, locate
from planner.errors import SpecError
from planner.schema import did_you_mean

__all__ = ["Group", "read_groups", "silo_groups", "scenario_groups", "GROUP_KEYS"]

GROUP_KEYS = {"skills", "cost", "min_agents", "max_agents"}


@dataclass(frozen=True)
class Group:
    """One agent group: ``skills`` in routing-priority order, ``cost`` per agent, size bounds.

    >>> Group("blended", ("phone", "email"), cost=1.1, max_agents=40)
    Group(name='blended', skills=('phone', 'email'), cost=1.1, min_agents=0, max_agents=40)
    >>> Group("x", ("phone", "phone"))
    Traceback (most recent call last):
    ...
    planner.errors.SpecError: groups.x.skills: phone is listed twice; list each skill once
    """

    name: str
    skills: tuple[str, ...]
    cost: float = 1.0
    min_agents: int = 0
    max_agents: int | None = None

    def __post_init__(self):
        where = f"groups.{self.name}"
        if not self.skills or not all(isinstance(s, str) for s in self.skills):
            raise SpecError(f"{where}.skills: expected a list of channel names such as [\"phone\", \"email\"]")
        twice = sorted({s for s in self.skills if self.skills.count(s) > 1})
        if twice:
            raise SpecError(f"{where}.skills: {', '.join(twice)} is listed twice; list each skill once")
        if isinstance(self.cost, bool) or not isinstance(self.cost, (int, float)) or not self.cost > 0:
            raise SpecError(f"{where}.cost: expected a cost per agent > 0, got {self.cost!r}")
        for key in ("min_agents", "max_agents"):
            value = getattr(self, key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise SpecError(f"{where}.{key}: expected a whole number of agents >= 0, got {value!r}")
        if self.max_agents is not None and self.min_agents > self.max_agents:
            raise SpecError(f"{where}.min_agents: {self.min_agents} is above max_agents = {self.max_agents}; "
                            "lower min_agents or raise max_agents")


def read_groups(table: Any, channels: Mapping[str, Mapping]) -> tuple[Group, ...]:
    """The groups of a ``[groups]`` table, checked against the scenario's ``channels``.

    ``channels`` maps each channel name to its settings (with ``kind``); outbound campaigns are
    worked through ``[[blend]]``, not groups, and need no group.

    >>> channels = {"phone": {"kind": "voice"}, "email": {"kind": "deferred"}}
    >>> [g.name for g in read_groups({"blend": {"skills": ["phone", "email"]}}, channels)]
    ['blend']
    >>> read_groups({"blend": {"skills": ["phone", "emial"]}}, channels)
    Traceback (most recent call last):
    ...
    planner.errors.SpecError: groups.blend.skills: emial is no channel (did you mean 'email'?)
    >>> read_groups({"voice": {"skills": ["phone"]}}, channels)
    Traceback (most recent call last):
    ...
    planner.errors.SpecError: groups: no group can serve channel email; add it to a group's skills, e.g. email = { skills = ["email"] }
    """
    if not isinstance(table, dict) or not table:
        raise SpecError("groups: expected a table of groups such as blended = { skills = [\"phone\", \"email\"] }")
    groups = []
    for name, spec in table.items():
        if not isinstance(spec, dict):
            raise SpecError(f"groups.{name}: expected a table such as {{ skills = [\"phone\", \"email\"], cost = 1.0 }}")
        unknown = sorted(set(spec) - GROUP_KEYS)
        if unknown:
            raise SpecError(f"groups.{name}.{unknown[0]}: unknown key{did_you_mean(unknown[0], GROUP_KEYS)}")
        if "skills" not in spec:
            raise SpecError(f"groups.{name}.skills: missing; list the channels this group takes, e.g. [\"phone\"]")
        skills = spec["skills"]
        if isinstance(skills, str):
            skills = [skills]
        if not isinstance(skills, list):
            raise SpecError(f"groups.{name}.skills: expected a list of channel names such as [\"phone\", \"email\"]")
        for skill in skills:
            if skill not in channels:
                raise SpecError(f"groups.{name}.skills: {skill} is no channel{did_you_mean(str(skill), set(channels))}")
            if channels[skill].get("kind") == "outbound":
                raise SpecError(f"groups.{name}.skills: {skill} is an outbound campaign; blend it with [[blend]]")
        groups.append(Group(name, tuple(skills), **{k: v for k, v in spec.items() if k != "skills"}))
    served = {skill for group in groups for skill in group.skills}
    for channel, settings in channels.items():
        if channel not in served and settings.get("kind") != "outbound":
            raise SpecError(f"groups: no group can serve channel {channel}; add it to a group's skills, "
                            f"e.g. {channel} = {{ skills = [\"{channel}\"] }}")
    return tuple(groups)


def silo_groups(channels) -> tuple[Group, ...]:
    """One group per channel: today's silo plan (what a scenario without ``[groups]`` means).

    >>> silo_groups(["phone", "chat"])
    (Group(name='phone', skills=('phone',), cost=1.0, min_agents=0, max_agents=None), Group(name='chat', skills=('chat',), cost=1.0, min_agents=0, max_agents=None))
    """
    return tuple(Group(name, (name,)) for name in channels)


def scenario_groups(config: ScenarioConfig) -> tuple[Group, ...] | None:
    """The scenario's ``[groups]`` (None without), errors as ``file: groups.NAME.key: message``."""
    if not config.groups:
        return None
    try:
        return read_groups(config.groups, config.channels)
    except SpecError as error:
        key, _, message = str(error).partition(": ")
        raise locate(config, tuple(key.split(".")), message) from None
