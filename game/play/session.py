"""A playthrough being played: the one thing every front-end drives.

A :class:`PlaySession` holds the scenario, the playthrough (what the save
keeps), the run (where the story stands), the store it is saved in and the
clock of the current decision. The front-ends only show it and pass on what
the player did: a choice, a timeout, a reflection, leaving. Recording,
saving, decision times and deadlines happen here, once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import attrs

from game.core import model as m
from game.core.run import Run, RunError
from game.core.vocab import Timers
from game.play.timer import DecisionTimer
from game.saves.playthrough import Playthrough, Settings
from game.saves.store import Lock, NotSaved, Store


class Locked(Exception):
    """The playthrough is being played in another Koers right now."""


@attrs.frozen
class Note:
    """Something the player should know about a resumed playthrough; worded by game.render.wording."""

    kind: str  # "language", "changed", "stopped", "ending_moved"
    facts: Mapping[str, object] = attrs.field(factory=dict)


def replay(playthrough: Playthrough, scenario: m.Scenario, start: Run | None = None) -> tuple[Run, list[Note]]:
    """The Run a save stands for, replayed by scene and choice ids on
    ``scenario`` (from ``start``, a preview's chosen state, when given), and
    notes about anything that did not fit.

    Replay stops at the first step whose scene is not where the story now is,
    or whose choice is gone or not available; the steps before it are kept
    with their decision times.
    """
    saved = playthrough.scenario
    if saved.id != scenario.id:
        raise ValueError(f"playthrough {playthrough.id} is of scenario '{saved.id}', not '{scenario.id}'")
    notes = []
    other_language = saved.language != scenario.language
    if other_language:
        notes.append(Note("language", {"before": saved.language, "now": scenario.language}))
    # Another language is another file, so its digest always differs: only the replay can tell.
    changed = saved.digest != scenario.digest and not other_language
    versions = {"before": saved.version, "now": scenario.version}

    run = Run.start(scenario) if start is None else start
    kept = 0
    for step in playthrough.steps:
        if run.at != step.scene:
            break
        try:
            run = run.choose(step.choice, step.ms, step.timed_out)
        except RunError:
            break
        kept += 1

    total = len(playthrough.steps)
    place = {"ending" if run.finished else "scene": run.at}
    if kept < total:
        cause = "changed" if changed else "language" if other_language else "misfit"
        notes.append(Note("stopped", {"cause": cause, "kept": kept, "total": total, **versions, **place,
                                      "language": scenario.language}))
    elif changed:
        notes.append(Note("changed", versions))
    if kept == total and playthrough.ending is not None and run.at != playthrough.ending:
        notes.append(Note("ending_moved", {"was": playthrough.ending, **place}))
    return run, notes


class PlaySession:
    """One playthrough, played by this process (which holds its lock) until ``close``."""

    def __init__(self, scenario: m.Scenario, playthrough: Playthrough, run: Run, store: Store, lock: Lock,
                 clock: Callable[[], float], notes: list[Note] | None = None) -> None:
        self.scenario, self.playthrough, self.run, self.store = scenario, playthrough, run, store
        self.notes = notes or []  # what the player should know about this playthrough, when it was resumed
        self.lock = lock
        self.unsaved: NotSaved | None = None  # why the playthrough is not being saved, while it is not
        self.timer = DecisionTimer(clock)
        self.timer.start(self._seconds(), playthrough.settings.timers, playthrough.waited_ms / 1000)

    # -- opening -----------------------------------------------------------

    @classmethod
    def start(cls, scenario: m.Scenario, store: Store, player: str, session: str | None, timers: Timers,
              clock: Callable[[], float] = time.monotonic, player_id: str | None = None) -> PlaySession:
        """A new playthrough; RunError when the scenario cannot be played."""
        run = Run.start(scenario)
        playthrough = Playthrough.new(scenario, player, session=session, settings=Settings(timers=timers),
                                      player_id=player_id)
        lock = store.lock(playthrough.id)
        assert lock is not None  # a new id: no one else holds it
        return cls(scenario, playthrough, run, store, lock, clock)

    @classmethod
    def reopen(cls, scenario: m.Scenario, playthrough: Playthrough, store: Store, timers: Timers,
               clock: Callable[[], float] = time.monotonic) -> PlaySession:
        """A saved playthrough, where it was left, with the timers the player
        needs now; Locked when another Koers plays it, RunError when it cannot go on."""
        run, notes = replay(playthrough, scenario)
        lock = store.lock(playthrough.id)
        if lock is None:
            raise Locked(playthrough.id)
        return cls(scenario, playthrough.with_settings(Settings(timers=timers)), run, store, lock, clock, notes)

    def replay_from(self, step: int) -> PlaySession:
        """A new playthrough that keeps this one's decisions before ``step``
        and takes decision ``step`` again; saved at once. This one is closed."""
        playthrough = Playthrough.replay_from(self.playthrough, step)
        run, notes = replay(playthrough, self.scenario)
        lock = self.store.lock(playthrough.id)
        assert lock is not None  # a new id
        self.close()
        session = PlaySession(self.scenario, playthrough, run, self.store, lock, self.timer.clock, notes)
        session.save()
        return session

    # -- playing -----------------------------------------------------------

    def _seconds(self) -> float | None:
        timer = None if self.run.finished else self.run.timer
        return None if timer is None else float(timer.seconds)

    @property
    def timed_out(self) -> bool:
        """Whether the last decision was taken by the clock."""
        return bool(self.run.steps) and self.run.steps[-1].timed_out

    def choose(self, choice_id: str) -> None:
        """The player's choice at this decision; RunError when it is not available."""
        self._advance(self.run.choose(choice_id, self.timer.elapsed_ms()))

    def time_out(self) -> None:
        """The countdown ran out: the story takes the timer's choice."""
        self._advance(self.run.time_out(self.timer.elapsed_ms()))

    def tick(self) -> bool:
        """Whether the countdown has just run out (and the story chose)."""
        if not self.timer.expired():
            return False
        self.time_out()
        return True

    def _advance(self, run: Run) -> None:
        self.run = run
        self.playthrough = self.playthrough.record(run)
        self.save()
        self.timer.start(self._seconds(), self.playthrough.settings.timers)

    def set_timers(self, timers: Timers) -> None:
        """The player changed the timer setting; the current decision follows it."""
        before = self.playthrough.settings.timers
        if timers == before:
            return
        self.playthrough = self.playthrough.with_settings(Settings(timers=timers))
        self.save()
        self.timer.retime(self._seconds(), before, timers)

    def reflect(self, index: int, answer: str, shared: bool) -> None:
        self.playthrough = self.playthrough.with_reflection(index, answer, shared)
        self.save()

    # -- saving and leaving --------------------------------------------------

    def check_saving(self) -> None:
        """Before the first scene: can this playthrough be saved at all? (``unsaved`` says.)"""
        try:
            self.store.check()
        except NotSaved as exc:
            self.unsaved = exc
        else:
            self.unsaved = None

    def save(self) -> None:
        """Save now. A failed save is kept in ``unsaved`` for the front-end to
        say, never raised: the game goes on, and the next choice tries again."""
        try:
            self.store.write(self.playthrough)
        except NotSaved as exc:
            self.unsaved = exc
        else:
            self.unsaved = None

    def leave(self) -> None:
        """Save as the player leaves, with the time spent at this decision so
        that its timer goes on where it was, and let the playthrough go."""
        if not self.run.finished:
            self.playthrough = self.playthrough.waiting(self.timer.elapsed_ms())
        self.save()
        self.close()

    def close(self) -> None:
        self.lock.release()
