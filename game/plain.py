"""``koers play --plain FILE``: the game as plain lines on stdin and stdout.

For screen readers, pipes and tests. It uses the same Run, saves and debrief
as the full-screen app. Timers run only when stdin is a terminal, since a pipe
cannot be late. End of input stops the game; the save made after the last
choice stays.
"""

from __future__ import annotations

import os
import select
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import attrs

from game.debrief import PersonalDebrief
from game.i18n import not_saved, tr
from game.model import Scenario
from game.run import Run, RunError
from game.saves import Playthrough, Settings, list_saves, resume
from game.store import Lock, NotSaved, Store
from game.text import clean, is_utf8, paragraphs, plain, typed, typed_name

WIDTH = 78
TIMER_FACTOR = {"on": 1.0, "slow": 2.0, "off": None}


class _EndOfInput(Exception):
    pass


class PlainPlayer:
    def __init__(
        self,
        scenario: Scenario,
        saves_dir: Path,
        player: str,
        session: str | None,
        lang: str,
        timers: str,
        stdin: TextIO,
        stdout: TextIO,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scenario, self.saves_dir, self.lang = scenario, saves_dir, lang
        self.stdin, self.stdout, self.clock = stdin, stdout, clock
        self.timed = timers != "off" and _is_tty(stdin)
        self.factor = TIMER_FACTOR[timers]
        self.store = Store(saves_dir)
        self.lock: Lock | None = None
        self.saving = True  # whether the last save was written
        self.player, self.session, self.timers = player, session, timers

    def _open(self) -> tuple[Playthrough, Run]:
        """The player's unfinished playthrough of this scenario, resumed, or a new one."""
        good, _bad = list_saves(self.saves_dir)
        for _path, p in good:
            if p.scenario.key == self.scenario.key and p.player == self.player and not p.finished:
                run, notes = resume(p, self.scenario)
                self.lock = self.store.lock(p.id)
                if self.lock is None:
                    self.say(tr(self.lang, "plain.locked", title=self.scenario.title))
                    break
                p = attrs.evolve(p, settings=Settings(timers=self.timers))  # the player's current need wins
                self.say(tr(self.lang, "plain.resumed", when=p.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")))
                for note in notes:
                    self.say(f"{tr(self.lang, 'play.notes')}: {note}")
                return p, run
        run = Run.start(self.scenario)
        p = Playthrough.new(self.scenario, self.player, session=self.session, settings=Settings(timers=self.timers))
        self.lock = self.store.lock(p.id)
        return p, run

    # -- output ------------------------------------------------------------

    def say(self, text: str = "") -> None:
        self.stdout.write(clean(text) + "\n")
        self.stdout.flush()

    def block(self, text: str) -> None:
        for para in paragraphs(text):
            self.say(textwrap.fill(plain(para), WIDTH))
            self.say()

    # -- input -------------------------------------------------------------

    def ask(self, prompt: str, seconds: float | None = None) -> str | None:
        """A line of input; None when ``seconds`` pass first."""
        self.stdout.write(clean(prompt))
        self.stdout.flush()
        if seconds is not None:
            ready, _, _ = select.select([self.stdin], [], [], max(0.0, seconds))
            if not ready:
                self.say()
                return None
        line = self.stdin.readline()
        if not line:
            self.say()
            raise _EndOfInput
        return line.strip()

    # -- playing -----------------------------------------------------------

    def play(self) -> int:
        try:
            self.playthrough, self.run = self._open()
            self.check_saving()
            while not self.run.finished:
                self.scene()
            self.debrief()
        except _EndOfInput:
            self.say(tr(self.lang, "plain.saved"))
        except RunError as exc:  # only a scenario that was never validated gets here
            self.say(tr(self.lang, "error.cannot_go_on", reason=str(exc)))
            return 2
        finally:
            if self.lock is not None:
                self.lock.release()
        return 0

    def check_saving(self) -> None:
        try:
            self.store.check()
        except NotSaved as exc:
            self.not_saved(exc)

    def keep(self) -> None:
        """Save now; a failed save is said once, and again after one that worked."""
        try:
            self.store.write(self.playthrough)
        except NotSaved as exc:
            if self.saving:
                self.not_saved(exc)
        else:
            self.saving = True

    def not_saved(self, exc: NotSaved) -> None:
        self.saving = False
        self.say(not_saved(self.lang, exc.folder, exc.kind, exc.detail))

    def scene(self) -> None:
        run = self.run
        scene = run.scene
        speaker = self.scenario.characters.get(scene.speaker)
        self.say(f"— {speaker.name if speaker else scene.speaker} —")
        self.block(run.text)
        shown = [f"{m.label}: {run.meters[k]}" for k, m in self.scenario.meters.items() if m.shown]
        if shown:
            self.say(" · ".join(shown))
            self.say()
        choices = run.choices
        for n, choice in enumerate(choices, 1):
            self.say(textwrap.fill(f"{n}. {plain(' '.join(paragraphs(choice.text)))}", WIDTH, subsequent_indent="   "))
        deadline = None
        if self.timed and run.timer is not None:
            seconds = run.timer.seconds * self.factor
            self.say(tr(self.lang, "plain.timer", seconds=round(seconds)))
            deadline = self.clock() + seconds
        started = self.clock()
        while True:
            left = None if deadline is None else deadline - self.clock()
            answer = self.ask(tr(self.lang, "plain.prompt", n=len(choices)), left)
            ms = int((self.clock() - started) * 1000)
            if answer is None:
                self.advance(run.time_out(ms))
                self.say(tr(self.lang, "play.timed_out", choice=plain(" ".join(paragraphs(self.run.last_choice.text)))))
                break
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                self.advance(run.choose(choices[int(answer) - 1].id, ms))
                break
            self.say(tr(self.lang, "plain.invalid", n=len(choices)))
        outcome = self.run.last_outcome
        consequence = outcome.consequence if outcome else ""
        self.say()
        if consequence:
            self.block(consequence)

    def advance(self, run: Run) -> None:
        self.run = run
        self.playthrough = self.playthrough.record(run)
        self.keep()

    def debrief(self) -> None:
        questions = self.scenario.debrief.reflection
        for i, question in enumerate(questions):
            if i in self.playthrough.reflections:
                continue
            self.say(f"{tr(self.lang, 'debrief.reflection')}: {' '.join(plain(p) for p in paragraphs(question))}")
            answer = self.ask(tr(self.lang, "plain.answer"))
            if answer:
                self.playthrough = self.playthrough.with_reflection(i, typed(answer))
                self.keep()
        self.stdout.write(PersonalDebrief.build(self.scenario, self.run, self.playthrough).to_text(self.lang, WIDTH + 2))
        self.stdout.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False


def ask_player(lang: str, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> str | None:
    """Ask for a name until one is given; None at end of input."""
    while True:
        stdout.write(tr(lang, "plain.name"))
        stdout.flush()
        line = stdin.readline()
        if not line:
            stdout.write("\n")
            return None
        name = typed_name(line)
        if not is_utf8(line):
            stdout.write(tr(lang, "error.not_text") + "\n")
        elif name:
            return name
