"""What a group debrief found, as values: the front-ends and exports show these."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import attrs

from game.core import model as m
from game.core.diagnostics import Diagnostic
from game.core.text import excerpt
from game.saves.playthrough import Playthrough


@attrs.frozen
class Count:
    """How many of the group (out of ``total``) did one thing; ``None`` when
    the number is hidden by the minimum group size (see :func:`_hide`)."""

    count: int | None
    total: int | None  # None where the total is hidden: then so is the share

    @property
    def percent(self) -> int | None:
        if self.count is None or not self.total:
            return None
        return round(100 * self.count / self.total)


@attrs.frozen
class Option:
    """One option of a decision as the players saw it, with how many took it.

    Usually one choice. Choices with the same text (written twice with
    opposite conditions, so that the same words lead on differently) are one
    option to everyone who played, and are counted as one; ``choices`` keeps
    each for its coaching note."""

    choices: tuple[m.Choice, ...]
    count: Count

    @property
    def choice(self) -> m.Choice:
        return self.choices[0]


@attrs.frozen
class Decision:
    number: int
    scene: m.Scene
    speaker: str
    options: tuple[Option, ...]
    reached: Count  # playthroughs that took this decision at least once, out of all
    taken: int  # times it was taken (a loop can bring a player back)
    repeated: bool  # whether some players took it more than once (then the options count times)
    median_s: float | None
    q1_s: float | None
    q3_s: float | None
    timed_out: int | None  # None: hidden by the minimum group size
    prompts: tuple[m.Concept, ...]  # the concepts its choices exercise, for the discussion
    hidden: bool  # fewer playthroughs than the minimum group size reached it

    @property
    def name(self) -> str:
        """What the decision is called: its scene's title, or the opening of its text."""
        return self.scene.title.strip() or excerpt(self.scene.text.common, 50)


@attrs.frozen
class Route:
    """Choices that a number of playthroughs took in this order: to an ending,
    or (with ``ending`` None) the beginning they shared."""

    choices: tuple[m.Choice, ...]
    ending: m.Ending | None
    count: int


@attrs.frozen
class MeterRow:
    ending: m.Ending
    count: int
    averages: tuple[tuple[m.Meter, float], ...]


@attrs.frozen
class Answer:
    number: int  # the reflection question's, from 1
    question: str | None  # None: the scenario file no longer has this question
    answers: tuple[tuple[str, str], ...]  # (who, answer); who is "" without --names


@attrs.frozen
class Caveat:
    """Something the trainer should know about a debrief's numbers, as a
    string key and its values (worded by game.render.wording)."""

    key: str  # group.warn_*
    values: Mapping[str, object] = attrs.field(factory=dict)


@attrs.frozen
class Debrief:
    """One scenario at one version, as the group played it."""

    scenario: m.Scenario  # the file whose words the debrief shows
    version: str
    languages: tuple[tuple[str, int | None], ...]  # None: hidden by the minimum group size
    playthroughs: int
    finished: Count  # hidden exactly when how many did not finish is
    replays: int | None  # replays of a decision, left out of every number; None: fewer than the minimum group
    timers: tuple[tuple[str, int | None], ...]
    endings: tuple[tuple[m.Ending, Count], ...]
    decisions: tuple[Decision, ...]
    routes: tuple[Route, ...]
    beginnings: tuple[Route, ...]  # where no whole route is shared: the longest shared starts
    meters: tuple[MeterRow, ...]
    reflections: tuple[Answer, ...]
    played: tuple[Playthrough, ...] = attrs.field(repr=False)  # in the order they started
    names: bool = False  # show the players' pseudonyms
    min_group: int = 1
    warnings: tuple[Caveat, ...] = ()

    @property
    def unfinished(self) -> int | None:
        return None if self.finished.count is None else self.playthroughs - self.finished.count

    def players(self) -> Iterator[tuple[int, int, Playthrough]]:
        """Each playthrough with its number and its player's, both counted from 1
        in the order they started: a player's second playthrough has the
        player's number and a number of its own. A player is their player id
        where the save has one (two people in a room may type one pseudonym)."""
        numbers: dict[str, int] = {}
        for i, p in enumerate(self.played, 1):
            yield i, numbers.setdefault(p.player_id or f"name:{p.player}", len(numbers) + 1), p


@attrs.frozen
class Report:
    debriefs: tuple[Debrief, ...]
    skipped: tuple[Diagnostic, ...]
    other_sessions: int = 0
    session: str | None = None
    language: str = "en"  # of the report's own words; each debrief speaks its scenario's language
