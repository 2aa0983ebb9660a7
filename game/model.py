"""The scenario model: immutable values built by the loader, never from raw dicts.

Positions (``at``) point back into the YAML so diagnostics can name a line and
column; they take no part in equality, so a translation compares by structure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, Union

import attrs

from game.i18n import LANGUAGES  # noqa: F401  (re-exported: the loader checks a scenario's language)

RATINGS = ("strong", "mixed", "weak")
FORMAT_VERSION = 1


class Pos(NamedTuple):
    """A place in a source file; line and column count from 1."""

    line: int
    col: int


NOWHERE = Pos(1, 1)


def _at() -> attrs.Attribute:
    return attrs.field(default=NOWHERE, eq=False, repr=False)


# Conditions ----------------------------------------------------------------
#
# Declarative data evaluated by `holds`; nothing in a scenario is executed.

COMPARISONS = ("at_least", "at_most", "above", "below")


@attrs.frozen
class FlagIs:
    flag: str
    value: bool
    at: Pos = _at()


@attrs.frozen
class MeterCompare:
    meter: str
    op: str  # one of COMPARISONS
    value: int
    at: Pos = _at()


@attrs.frozen
class AllOf:
    parts: tuple[Condition, ...]
    at: Pos = _at()


@attrs.frozen
class AnyOf:
    parts: tuple[Condition, ...]
    at: Pos = _at()


Condition = Union[FlagIs, MeterCompare, AllOf, AnyOf]


def holds(cond: Condition | None, meters: Mapping[str, int], flags: frozenset[str]) -> bool:
    """Whether a condition holds for the given meter values and set flags."""
    if cond is None:
        return True
    if isinstance(cond, FlagIs):
        return (cond.flag in flags) == cond.value
    if isinstance(cond, MeterCompare):
        v = meters[cond.meter]
        if cond.op == "at_least":
            return v >= cond.value
        if cond.op == "at_most":
            return v <= cond.value
        if cond.op == "above":
            return v > cond.value
        return v < cond.value
    if isinstance(cond, AllOf):
        return all(holds(p, meters, flags) for p in cond.parts)
    return any(holds(p, meters, flags) for p in cond.parts)


def walk_condition(cond: Condition | None):
    """Every leaf condition (FlagIs or MeterCompare) inside ``cond``."""
    if cond is None:
        return
    if isinstance(cond, (AllOf, AnyOf)):
        for part in cond.parts:
            yield from walk_condition(part)
    else:
        yield cond


# The story -----------------------------------------------------------------


@attrs.frozen
class Source:
    id: str
    cite: str
    at: Pos = _at()


@attrs.frozen
class Character:
    id: str
    name: str
    role: str = ""
    at: Pos = _at()


@attrs.frozen
class Meter:
    id: str
    label: str
    min: int
    max: int
    start: int
    shown: bool = True
    at: Pos = _at()

    def clamp(self, value: int) -> int:
        return max(self.min, min(self.max, value))


@attrs.frozen
class Flag:
    id: str
    about: str = ""
    at: Pos = _at()


@attrs.frozen
class Effect:
    meter: str
    delta: int
    at: Pos = _at()


@attrs.frozen
class Variant:
    when: Condition
    text: str
    at: Pos = _at()


@attrs.frozen
class Timer:
    seconds: int
    timeout: str
    at: Pos = _at()


@attrs.frozen
class Route:
    """Where a choice leads instead of its ``next`` when ``when`` holds."""

    when: Condition
    next: str
    at: Pos = _at()
    next_at: Pos = _at()


@attrs.frozen
class Choice:
    id: str
    text: str
    next: str
    when: Condition | None = None
    routes: tuple[Route, ...] = ()
    effects: tuple[Effect, ...] = ()
    set: tuple[str, ...] = ()
    consequence: str = ""
    coaching: str = ""
    concepts: tuple[str, ...] = ()
    recommended: bool | None = None
    rationale: str = ""
    at: Pos = _at()
    next_at: Pos = _at()

    def leads_to(self, meters: Mapping[str, int], flags: frozenset[str]) -> str:
        """Where this choice leads, as things stand when it is chosen."""
        for route in self.routes:
            if holds(route.when, meters, flags):
                return route.next
        return self.next

    @property
    def targets(self) -> tuple[tuple[str, Pos], ...]:
        """Every place this choice can lead, with where the file says so."""
        return (*((r.next, r.next_at) for r in self.routes), (self.next, self.next_at))


@attrs.frozen
class Scene:
    id: str
    speaker: str
    text: str
    choices: tuple[Choice, ...]
    variants: tuple[Variant, ...] = ()
    timer: Timer | None = None
    at: Pos = _at()
    speaker_at: Pos = _at()

    def choice(self, choice_id: str) -> Choice | None:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        return None

    @property
    def is_decision(self) -> bool:
        """A scene with one choice is a "continue", not a decision."""
        return len(self.choices) > 1


@attrs.frozen
class Ending:
    id: str
    title: str
    text: str
    rating: str | None = None
    at: Pos = _at()


@attrs.frozen
class Concept:
    id: str
    name: str
    what: str
    how: str
    why: str
    source: str | None = None
    at: Pos = _at()


@attrs.frozen
class Debrief:
    reflection: tuple[str, ...] = ()
    transfer: str = ""


@attrs.frozen
class Scenario:
    """One scenario in one language. Lookups by id go through the maps."""

    id: str
    title: str
    language: str
    version: str
    summary: str
    minutes: int
    start: str
    characters: Mapping[str, Character]
    meters: Mapping[str, Meter]
    flags: Mapping[str, Flag]
    scenes: Mapping[str, Scene]
    endings: Mapping[str, Ending]
    concepts: Mapping[str, Concept] = attrs.field(factory=dict)
    sources: Mapping[str, Source] = attrs.field(factory=dict)
    goals: tuple[str, ...] = ()
    debrief: Debrief = Debrief()
    translates: str | None = None
    path: str = attrs.field(default="", eq=False)
    digest: str = attrs.field(default="", eq=False, repr=False)
    at: Pos = _at()
    start_at: Pos = _at()

    @property
    def key(self) -> str:
        """What a library shows and a save names: ``id`` plus ``language``."""
        return f"{self.id}.{self.language}"
