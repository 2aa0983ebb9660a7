"""A playthrough: one player's way through one scenario, and the shape of the
save file that holds it.

These msgspec structs are the save format, declared once: the save writer
encodes them, every reader decodes into them (msgspec checks the shape in C
as it parses), and a file they refuse is explained by :mod:`game.saves.explain`
from the same declarations. docs/saves.md describes the format.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Annotated, Literal, cast

import msgspec
from msgspec import Meta

from game.core.vocab import UUID_PATTERN, Language, Timers

if TYPE_CHECKING:  # a save is read without the model: the library's saves list costs less at start-up
    from game.core import model as m
    from game.core.run import Run, Step

SaveFormat = Literal[3]
SAVE_FORMAT: SaveFormat = 3
MAX_DIGITS = 15  # 10**15 ms is 30,000 years; longer numbers only cost memory


# The file name is the id, so anything but a canonical UUID could name a path outside the saves folder.
Id = Annotated[str, Meta(pattern=UUID_PATTERN, description="a playthrough id (a UUID)")]
PlayerId = Annotated[str, Meta(pattern=UUID_PATTERN, description="a player id (a UUID)")]
Name = Annotated[str, Meta(min_length=1)]
Count = Annotated[int, Meta(ge=0, lt=10**MAX_DIGITS)]
Whole = Annotated[int, Meta(gt=-(10**MAX_DIGITS), lt=10**MAX_DIGITS)]
Digest = Annotated[str, Meta(pattern=r"^(?:[0-9a-f]{64})?$", description="a sha256 in 64 hex digits")]
Time = Annotated[datetime, Meta(tz=True)]  # read with any offset, kept and written in UTC
Question = Annotated[int, Meta(ge=0, lt=1_000_000, description='question number from 0, like "0"')]


class _Record(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """A part of a save. Nothing in a save refers back to itself, so there is
    no cycle for the collector to look for among thousands of them."""


class ScenarioRef(_Record, frozen=True):
    """Which scenario file a playthrough was played on."""

    id: Name
    language: Language
    version: str
    digest: Digest  # sha256 of the scenario file, "" if it did not come from a file

    @classmethod
    def of(cls, scenario: m.Scenario) -> ScenarioRef:
        language = cast(Language, scenario.language)  # a loaded scenario's language is one of LANGUAGES
        return cls(id=scenario.id, language=language, version=scenario.version, digest=scenario.digest)

    @property
    def key(self) -> str:
        """The same key as ``Scenario.key``, to find the scenario in a library."""
        return f"{self.id}.{self.language}"


class Settings(_Record, frozen=True):
    """Player settings that change what a decision time means."""

    timers: Timers = "on"


class StepRecord(_Record, frozen=True):
    """A step of the run as the save keeps it: the decision and when it was taken."""

    scene: Name
    choice: Name
    ms: Count
    timed_out: bool
    meters: dict[str, Whole]  # after the step
    flags: tuple[Name, ...]  # after the step, sorted
    at: Time | None  # None for a step migrated from format 1, which did not say

    @classmethod
    def of(cls, step: Step, at: datetime | None) -> StepRecord:
        return cls(scene=step.scene, choice=step.choice, ms=step.ms, timed_out=step.timed_out,
                   meters=dict(step.meters), flags=tuple(sorted(step.flags)), at=at)

    def same_step(self, step: Step) -> bool:
        return (self.scene, self.choice, self.ms, self.timed_out, self.meters, frozenset(self.flags)) == (
            step.scene, step.choice, step.ms, step.timed_out, dict(step.meters), step.flags)


class Reflection(_Record, frozen=True):
    """An answer to one debrief question; private unless the player shares it."""

    answer: str
    shared: bool = False


class ReplayOf(_Record, frozen=True):
    """This playthrough replays ``playthrough`` from its decision ``step`` (from 0)."""

    playthrough: Id
    step: Count


def _utc(when: datetime) -> datetime:
    return when.astimezone(timezone.utc)


def now_utc(now: datetime | None = None) -> datetime:
    """A save's time: UTC, to the millisecond."""
    when = datetime.now(timezone.utc) if now is None else _utc(now)
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


class Playthrough(_Record, frozen=True, kw_only=True):
    """One player's way through one scenario: what a save file holds.

    Build it with ``new`` or ``replay_from``; each choice gives a new value
    through ``record``. Field order is the order of the file.
    """

    koers_save: SaveFormat  # older files are migrated on reading, so a value in memory is current
    id: Id
    scenario: ScenarioRef
    player: str  # a pseudonym, never used to name a file
    player_id: PlayerId | None = None  # who played, where pseudonyms can collide (each browser of a workshop room)
    session: Name | None = None
    started: Time
    updated: Time
    settings: Settings
    steps: tuple[StepRecord, ...] = ()
    waited_ms: Count = 0  # time spent at the current decision before the player left it, for the timer on resume
    ending: Name | None = None
    reflections: dict[Question, Reflection] = {}
    replay_of: ReplayOf | None = None

    def __post_init__(self) -> None:
        # Read with any offset: the moment is what counts, and the playthrough's
        # two times are kept in UTC (a step's time is kept as it was written).
        for name in ("started", "updated"):
            when = getattr(self, name)
            if when.tzinfo is not timezone.utc:
                msgspec.structs.force_setattr(self, name, _utc(when))

    # -- making ------------------------------------------------------------

    @classmethod
    def new(cls, scenario: m.Scenario, player: str, session: str | None = None,
            settings: Settings = Settings(), now: datetime | None = None,
            player_id: str | None = None) -> Playthrough:
        stamp = now_utc(now)
        return cls(koers_save=SAVE_FORMAT, id=str(uuid.uuid4()), scenario=ScenarioRef.of(scenario), player=player,
                   player_id=player_id, session=session, started=stamp, updated=stamp, settings=settings)

    @classmethod
    def replay_from(cls, original: Playthrough, step: int, now: datetime | None = None) -> Playthrough:
        """A new playthrough that keeps ``original``'s decisions before ``step``
        and lets the player take decision ``step`` again."""
        if not 0 <= step < len(original.steps):
            raise ValueError(f"step {step} is not a decision of playthrough {original.id}")
        stamp = now_utc(now)
        return msgspec.structs.replace(original, id=str(uuid.uuid4()), started=stamp, updated=stamp,
                                       steps=original.steps[:step], waited_ms=0, ending=None, reflections={},
                                       replay_of=ReplayOf(playthrough=original.id, step=step))

    def record(self, run: Run, now: datetime | None = None) -> Playthrough:
        """This playthrough with the steps and ending of ``run``.

        The scenario reference follows the run: after resuming on a changed
        scenario, the steps kept are those that fit the new version. Steps it
        already holds keep their times.
        """
        if run.scenario.id != self.scenario.id:
            raise ValueError(f"a run of '{run.scenario.id}' cannot be recorded in a playthrough of '{self.scenario.id}'")
        stamp = now_utc(now)
        kept = 0
        while kept < min(len(self.steps), len(run.steps)) and self.steps[kept].same_step(run.steps[kept]):
            kept += 1
        steps = (*self.steps[:kept], *(StepRecord.of(s, stamp) for s in run.steps[kept:]))
        unchanged = kept == len(run.steps) == len(self.steps)
        return msgspec.structs.replace(self, scenario=ScenarioRef.of(run.scenario), steps=steps,
                                       ending=run.at if run.finished else None, updated=stamp,
                                       waited_ms=self.waited_ms if unchanged else 0)

    def waiting(self, ms: int, now: datetime | None = None) -> Playthrough:
        """This playthrough left at its current decision after ``ms`` of it."""
        return msgspec.structs.replace(self, waited_ms=max(0, int(ms)), updated=now_utc(now))

    def with_settings(self, settings: Settings) -> Playthrough:
        return msgspec.structs.replace(self, settings=settings)

    def with_reflection(self, index: int, answer: str, shared: bool = False, now: datetime | None = None) -> Playthrough:
        """The answer to debrief question ``index`` (from 0), replacing any earlier one."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"a reflection index counts from 0, not {index!r}")
        reflections = {**self.reflections, index: Reflection(answer=answer, shared=bool(shared))}
        return msgspec.structs.replace(self, reflections=dict(sorted(reflections.items())), updated=now_utc(now))

    def shared_only(self) -> Playthrough:
        """This playthrough with the private reflections left out, for a group debrief."""
        if all(r.shared for r in self.reflections.values()):
            return self
        return msgspec.structs.replace(self, reflections={i: r for i, r in self.reflections.items() if r.shared})

    # -- reading -----------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.ending is not None
