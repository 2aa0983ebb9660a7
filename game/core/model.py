"""The scenario model: immutable values built by the loader, never from raw dicts.

Positions (``at``) point back into the YAML so diagnostics can name a line and
column; they take no part in equality, so a translation compares by structure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple, Union

import attrs

FORMAT_VERSION = 1


class Pos(NamedTuple):
    """A place in a source file; line and column count from 1."""

    line: int
    col: int


NOWHERE = Pos(1, 1)


def _at() -> Pos:
    """A field for where a thing is in its file, left out of comparisons."""
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


@attrs.frozen
class Not:
    part: Condition
    at: Pos = _at()


Condition = Union[FlagIs, MeterCompare, AllOf, AnyOf, Not]


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
    if isinstance(cond, Not):
        return not holds(cond.part, meters, flags)
    return any(holds(p, meters, flags) for p in cond.parts)


def walk_condition(cond: Condition | None) -> Iterator[FlagIs | MeterCompare]:
    """Every leaf condition (FlagIs or MeterCompare) inside ``cond``."""
    if cond is None:
        return
    if isinstance(cond, (AllOf, AnyOf)):
        for part in cond.parts:
            yield from walk_condition(part)
    elif isinstance(cond, Not):
        yield from walk_condition(cond.part)
    else:
        yield cond


# Texts ---------------------------------------------------------------------


@attrs.frozen
class Paragraph:
    """A piece of a text: always shown, or shown when ``when`` holds (and
    ``otherwise`` when it does not)."""

    text: str
    when: Condition | None = None
    otherwise: str = ""
    at: Pos = _at()


@attrs.frozen
class Text:
    """A text that may change with the state: its paragraphs, some of them conditional."""

    paragraphs: tuple[Paragraph, ...]

    @classmethod
    def of(cls, text: str) -> Text:
        return cls((Paragraph(text),))

    def show(self, meters: Mapping[str, int], flags: frozenset[str]) -> str:
        """The text as a player in this state reads it."""
        shown = (p.text if holds(p.when, meters, flags) else p.otherwise for p in self.paragraphs)
        return "\n\n".join(t.strip() for t in shown if t.strip())

    @property
    def common(self) -> str:
        """What every player reads, whatever the state: the paragraphs without a condition."""
        return "\n\n".join(p.text.strip() for p in self.paragraphs if p.when is None and p.text.strip())

    @property
    def pieces(self) -> Iterator[str]:
        """Every piece of text, shown or not, for checks that read them all."""
        for p in self.paragraphs:
            yield p.text
            if p.otherwise:
                yield p.otherwise

    @property
    def conditions(self) -> Iterator[Condition]:
        return (p.when for p in self.paragraphs if p.when is not None)

    def __bool__(self) -> bool:
        return any(piece.strip() for piece in self.pieces)


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
    text: Text
    at: Pos = _at()


@attrs.frozen
class Outcome:
    """What a choice does when it is made: where it leads, what it changes,
    what the player sees next, and the note the debrief gives."""

    next: str
    effects: tuple[Effect, ...] = ()
    set: tuple[str, ...] = ()
    clear: tuple[str, ...] = ()
    consequence: str = ""
    coaching: str = ""

    def changes(self, meters: Mapping[str, Meter], values: Mapping[str, int], flags: frozenset[str]) -> tuple[dict[str, int], frozenset[str]]:
        """The meter values and flags after this outcome."""
        after = dict(values)
        for effect in self.effects:
            after[effect.meter] = meters[effect.meter].clamp(after[effect.meter] + effect.delta)
        return after, flags.union(self.set).difference(self.clear)


@attrs.frozen
class Change:
    """Part of an outcome given apart from a choice's own: by a route, or by a
    timer for when the time runs out. Each field left out (None) is the choice's."""

    next: str | None = None
    effects: tuple[Effect, ...] | None = None
    set: tuple[str, ...] | None = None
    clear: tuple[str, ...] | None = None
    consequence: str | None = None
    coaching: str | None = None
    next_at: Pos = _at()

    def over(self, outcome: Outcome) -> Outcome:
        given = {k: v for k, v in attrs.asdict(self, recurse=False).items() if v is not None and k != "next_at"}
        return attrs.evolve(outcome, **given)


@attrs.frozen
class Timer:
    seconds: int
    timeout: str
    ran_out: Change = Change()  # what running out does, where it differs from picking the timeout choice
    at: Pos = _at()


@attrs.frozen
class Route:
    """How a choice turns out instead when ``when`` holds: another place to
    lead to, other effects or flags, another consequence or coaching note."""

    when: Condition
    change: Change
    at: Pos = _at()

    @property
    def next(self) -> str | None:
        return self.change.next


@attrs.frozen
class Choice:
    id: str
    text: str
    next: str
    when: Condition | None = None
    routes: tuple[Route, ...] = ()
    effects: tuple[Effect, ...] = ()
    set: tuple[str, ...] = ()
    clear: tuple[str, ...] = ()
    consequence: str = ""
    coaching: str = ""
    concepts: tuple[str, ...] = ()
    recommended: bool | None = None
    rationale: str = ""
    at: Pos = _at()
    next_at: Pos = _at()

    @property
    def own(self) -> Outcome:
        """The outcome the choice itself gives, where no route or timer changes it."""
        return Outcome(self.next, self.effects, self.set, self.clear, self.consequence, self.coaching)

    def outcome(self, meters: Mapping[str, int], flags: frozenset[str], ran_out: Timer | None = None) -> Outcome:
        """How this choice turns out as things stand when it is chosen: its own
        outcome, changed by the first route whose condition holds, and by
        ``ran_out``, the scene's timer, when the time ran out."""
        outcome = self.own
        for route in self.routes:
            if holds(route.when, meters, flags):
                outcome = route.change.over(outcome)
                break
        return outcome if ran_out is None else ran_out.ran_out.over(outcome)

    def leads_to(self, meters: Mapping[str, int], flags: frozenset[str]) -> str:
        """Where this choice leads, as things stand when it is chosen."""
        return self.outcome(meters, flags).next

    def outcomes(self, timer: Timer | None = None) -> tuple[Outcome, ...]:
        """Every way this choice can turn out, whatever the state: its own, each
        route's and, if it is ``timer``'s timeout, each of those when time runs out."""
        found = [self.own, *(route.change.over(self.own) for route in self.routes)]
        if timer is not None and timer.timeout == self.id:
            found += [timer.ran_out.over(o) for o in found]
        return tuple(dict.fromkeys(found))

    @property
    def targets(self) -> tuple[tuple[str, Pos], ...]:
        """Every place this choice can lead, with where the file says so."""
        routed = ((r.change.next, r.change.next_at) for r in self.routes if r.change.next is not None)
        return (*routed, (self.next, self.next_at))


@attrs.frozen
class Scene:
    id: str
    speaker: str
    text: Text
    choices: tuple[Choice, ...]
    variants: tuple[Variant, ...] = ()
    timer: Timer | None = None
    title: str = ""  # for the debriefs and the facilitator view; the id where there is none
    at: Pos = _at()
    speaker_at: Pos = _at()

    def shown(self, meters: Mapping[str, int], flags: frozenset[str]) -> str:
        """The scene's text in this state: the first variant whose condition holds, or its own."""
        return _shown(self.text, self.variants, meters, flags)

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
    text: Text
    rating: str | None = None
    variants: tuple[Variant, ...] = ()
    at: Pos = _at()

    def shown(self, meters: Mapping[str, int], flags: frozenset[str]) -> str:
        """The ending's text in this state: the first variant whose condition holds, or its own."""
        return _shown(self.text, self.variants, meters, flags)


def _shown(text: Text, variants: tuple[Variant, ...], meters: Mapping[str, int], flags: frozenset[str]) -> str:
    for variant in variants:
        if holds(variant.when, meters, flags):
            return variant.text.show(meters, flags)
    return text.show(meters, flags)


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
    marked: tuple[Pos, ...] = attrs.field(default=(), eq=False, repr=False)  # texts still marked [translate]
    at: Pos = _at()
    start_at: Pos = _at()

    @property
    def key(self) -> str:
        """What a library shows and a save names: ``id`` plus ``language``."""
        return f"{self.id}.{self.language}"
