"""A playthrough in progress, as a value.

``Run.start(scenario)`` gives the state before the first choice (or, for a
preview, a scene in a chosen state); ``run.choose`` returns a new Run and
leaves the old one as it was. The UI, the plain player,
the explorer and the saves all go through here.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from game.core import model as m


class RunError(Exception):
    """A choice that is not available now, or a place the story cannot go on
    from (a bug in the caller, a stale save, or a scenario that was not validated)."""


@attrs.frozen
class Step:
    """One decision taken: where, what, how fast, and the meters after it."""

    scene: str
    choice: str
    ms: int
    timed_out: bool
    meters: Mapping[str, int]
    flags: frozenset[str] = frozenset()


@attrs.frozen
class Run:
    scenario: m.Scenario = attrs.field(eq=False, repr=False)
    at: str  # the current scene or, once finished, the ending
    meters: Mapping[str, int]
    flags: frozenset[str] = frozenset()
    steps: tuple[Step, ...] = ()
    #: Where the run began, and its meters and flags then: the scenario's start, or the state a preview chose.
    origin: tuple[str, Mapping[str, int], frozenset[str]] = attrs.field(
        default=attrs.Factory(lambda run: (run.at, dict(run.meters), run.flags), takes_self=True), repr=False)

    @classmethod
    def start(cls, scenario: m.Scenario, at: str | None = None, meters: Mapping[str, int] | None = None,
              flags: frozenset[str] = frozenset()) -> Run:
        """The state before the first choice. By default the scenario's start with
        every meter at its start value; a preview (``koers watch --at``) gives
        another scene ``at``, some ``meters``' values (the others start as
        usual) and ``flags`` set, and the caller checks that they exist."""
        where = scenario.start if at is None else at
        if where not in scenario.scenes:
            raise RunError(f"the scenario starts at '{where}', which is not a scene")
        values = {k: v.start for k, v in scenario.meters.items()} | dict(meters or {})
        return cls(scenario, where, values, flags).arrived()

    def arrived(self) -> Run:
        """This run, if the story can go on from where it is: an ending, or a
        scene with a choice available. Every new Run is checked so, so that no
        front-end ever stands in a scene it cannot leave."""
        if self.at not in self.scenario.endings and not self.choices:
            raise RunError(f"no choice is available in scene '{self.at}'")
        return self

    # -- reading -----------------------------------------------------------

    @property
    def ending(self) -> m.Ending | None:
        return self.scenario.endings.get(self.at)

    @property
    def finished(self) -> bool:
        return self.at in self.scenario.endings

    @property
    def scene(self) -> m.Scene | None:
        return self.scenario.scenes.get(self.at)

    @property
    def text(self) -> str:
        """The current scene's or ending's text, as this state shows it."""
        place = self.scene or self.ending
        return place.shown(self.meters, self.flags) if place is not None else ""

    @property
    def choices(self) -> tuple[m.Choice, ...]:
        """The choices offered now, in the order the scenario lists them."""
        scene = self.scene
        if scene is None:
            return ()
        return tuple(c for c in scene.choices if m.holds(c.when, self.meters, self.flags))

    @property
    def timer(self) -> m.Timer | None:
        scene = self.scene
        return scene.timer if scene is not None else None

    @property
    def last_choice(self) -> m.Choice | None:
        """The choice that led here."""
        if not self.steps:
            return None
        step = self.steps[-1]
        scene = self.scenario.scenes.get(step.scene)
        return scene.choice(step.choice) if scene else None

    def before(self, index: int) -> tuple[Mapping[str, int], frozenset[str]]:
        """The meters and flags as they stood when step ``index`` was taken."""
        if index == 0:
            return self.origin[1], self.origin[2]
        step = self.steps[index - 1]
        return step.meters, step.flags

    def outcome(self, index: int) -> m.Outcome | None:
        """How step ``index`` turned out: its consequence, effects and coaching as
        the state then decided (None for a step the scenario no longer has)."""
        step = self.steps[index]
        scene = self.scenario.scenes.get(step.scene)
        choice = scene.choice(step.choice) if scene else None
        if scene is None or choice is None:
            return None
        return choice.outcome(*self.before(index), ran_out=scene.timer if step.timed_out else None)

    @property
    def last_outcome(self) -> m.Outcome | None:
        """How the choice that led here turned out, for showing its consequence."""
        return self.outcome(len(self.steps) - 1) if self.steps else None

    # -- acting ------------------------------------------------------------

    def choose(self, choice_id: str, ms: int = 0, timed_out: bool = False) -> Run:
        scene = self.scene
        if scene is None:
            raise RunError(f"the playthrough has ended at '{self.at}'")
        choice = next((c for c in self.choices if c.id == choice_id), None)
        if choice is None:
            raise RunError(f"'{choice_id}' is not a choice available in scene '{scene.id}'")
        if timed_out and (scene.timer is None or scene.timer.timeout != choice_id):
            raise RunError(f"'{choice_id}' is not what happens when time runs out in scene '{scene.id}'")
        outcome = choice.outcome(self.meters, self.flags, ran_out=scene.timer if timed_out else None)
        target = outcome.next
        if target not in self.scenario.scenes and target not in self.scenario.endings:
            raise RunError(f"choice '{choice_id}' in scene '{scene.id}' leads to '{target}', which is no scene or ending")
        meters, flags = outcome.changes(self.scenario.meters, self.meters, self.flags)
        step = Step(scene.id, choice.id, max(0, int(ms)), timed_out, meters, flags)
        return attrs.evolve(self, at=target, meters=meters, flags=flags, steps=(*self.steps, step)).arrived()

    def time_out(self, ms: int) -> Run:
        """Take the scene's timeout choice, as when the timer runs out."""
        timer = self.timer
        if timer is None:
            raise RunError(f"scene '{self.at}' has no timer")
        return self.choose(timer.timeout, ms=ms, timed_out=True)

    def replay(self, steps: int) -> Run:
        """The state after the first ``steps`` decisions, as if replayed."""
        at, meters, flags = self.origin
        run = Run.start(self.scenario, at, meters, flags)
        for step in self.steps[:steps]:
            run = run.choose(step.choice, step.ms, step.timed_out)
        return run

    @property
    def path(self) -> tuple[str, ...]:
        """Scene ids visited, then where the run is now."""
        return (*(s.scene for s in self.steps), self.at)
