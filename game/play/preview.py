"""A preview of a scenario file while its author edits it (``koers watch``).

A preview is a :class:`PlaySession` like any other, with two differences:
it may begin at any scene in a chosen state (:class:`Start`, from ``--at``,
``--set`` and ``--meter``), so that a variant can be read without playing
to it; and it is never saved (:class:`Unsaved`), because a preview is not a
playthrough: the player's saves never see it.

Each time the file changes, :func:`preview` opens the new version where the
author was: the choices made so far replayed on it, as a resumed save is
(:func:`game.play.session.replay`), with the same notes about what changed.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

import attrs

from game.core import model as m
from game.core.run import Run, RunError
from game.core.vocab import Timers
from game.play.session import PlaySession, replay
from game.saves.playthrough import Playthrough, Settings
from game.saves.store import Lock, Store

_WHOLE = re.compile(r"-?[0-9]{1,9}")  # a meter's value as the format writes numbers (docs/scenario-format.md)


class BadStart(Exception):
    """A ``--at``, ``--set`` or ``--meter`` that does not fit the scenario, said in one line."""


@attrs.frozen
class Start:
    """Where a preview begins: the scenario's start, or scene ``at``, with
    ``flags`` set and ``meters`` at the values given (the others as usual)."""

    at: str | None = None
    flags: tuple[str, ...] = ()
    meters: tuple[tuple[str, int], ...] = ()

    @classmethod
    def parse(cls, at: str | None, flags: Iterable[str], meters: Iterable[str]) -> Start:
        """The options as typed (each meter as ``ID=VALUE``); BadStart for a
        value that is no whole number, whatever the scenario says."""
        values = []
        for given in meters:
            meter, sep, value = given.partition("=")
            if not sep or not meter:
                raise BadStart(f"--meter '{given}' needs an id and a value, like --meter trust=3")
            if not _WHOLE.fullmatch(value.strip()):
                raise BadStart(f"--meter '{given}': '{value}' is not a whole number")
            values.append((meter.strip(), int(value)))
        return cls(at, tuple(flags), tuple(values))

    def run(self, scenario: m.Scenario) -> Run:
        """The run this start stands for in ``scenario``; BadStart when it names
        a scene, flag or meter the scenario does not have, or a value outside
        the meter's range, or a scene with no choice available in that state."""
        where = scenario.path or scenario.key
        if self.at is not None and self.at in scenario.endings:
            raise BadStart(f"--at '{self.at}' is an ending of {where}, not a scene: begin at a scene that leads to it")
        if self.at is not None and self.at not in scenario.scenes:
            raise BadStart(f"--at '{self.at}' is not a scene of {where}{_nearest(self.at, scenario.scenes)}")
        for flag in self.flags:
            if flag not in scenario.flags:
                raise BadStart(f"--set '{flag}' is not a flag of {where}{_nearest(flag, scenario.flags)}")
        for meter_id, value in self.meters:
            meter = scenario.meters.get(meter_id)
            if meter is None:
                raise BadStart(f"--meter '{meter_id}' is not a meter of {where}{_nearest(meter_id, scenario.meters)}")
            if not meter.min <= value <= meter.max:
                raise BadStart(f"--meter {meter_id}={value} is outside the meter's range, {meter.min} to {meter.max}")
        try:
            return Run.start(scenario, self.at, dict(self.meters), frozenset(self.flags))
        except RunError as exc:  # every choice of the scene has a condition this state does not meet
            raise BadStart(f"the preview cannot begin there: {exc}") from None


def _nearest(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class Unsaved(Store):
    """Where a preview's playthrough is kept: nowhere. Nothing is written and
    nothing is locked, so the player's saves folder never holds a preview."""

    def __init__(self) -> None:
        super().__init__(os.devnull)

    def check(self) -> None:
        return None

    def write(self, playthrough: Playthrough) -> Path:
        return self.folder

    def lock(self, playthrough_id: str) -> Lock:
        return Lock(self.folder, None)


def preview(scenario: m.Scenario, start: Start, before: Playthrough | None, timers: Timers,
            clock: Callable[[], float]) -> PlaySession:
    """The preview of ``scenario``: ``start``, then the choices of ``before``
    (the preview of the file's previous version) replayed as far as they fit,
    with the notes a resumed save gets. BadStart when ``start`` no longer fits.

    The playthrough keeps all of ``before``'s choices until the author makes
    a new one, as a resumed save does: a choice that did not fit one version
    is replayed again on the next version that has it back."""
    run = start.run(scenario)
    store = Unsaved()
    if before is None or before.scenario.id != scenario.id:  # a new file, or the author changed its id
        playthrough = Playthrough.new(scenario, "", settings=Settings(timers=timers))
        return PlaySession(scenario, playthrough, run, store, store.lock(playthrough.id), clock)
    run, notes = replay(before, scenario, run)
    playthrough = before.with_settings(Settings(timers=timers))
    return PlaySession(scenario, playthrough, run, store, store.lock(playthrough.id), clock, notes)
