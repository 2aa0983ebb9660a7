"""``koers play --plain FILE``: the game as plain lines on stdin and stdout.

For screen readers, pipes and tests. It uses the same Run, saves and debrief
as the full-screen app. Timers run only when stdin is a terminal, since a pipe
cannot be late. End of input stops the game; the save made after the last
choice stays.
"""

from __future__ import annotations

import os
import select
import shutil
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import attrs

from game.debrief.personal import PersonalDebrief
from game.render.i18n import moment, not_saved, tr
from game.core.model import Scenario
from game.core.run import Run, RunError
from game.saves.codec import Playthrough, Settings, list_saves, resume
from game.saves.store import Lock, NotSaved, Store
from game.core.text import clean, flat, is_utf8, paragraphs, plain, typed, typed_name

TIMER_FACTOR = {"on": 1.0, "slow": 2.0, "off": None}
WARN_AT = 10  # seconds left when a timed decision says so, once


class _EndOfInput(Exception):
    pass


class PlainPlayer:
    """One scenario played as lines of text. It speaks the scenario's language."""

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
        self.scenario, self.saves_dir = scenario, saves_dir
        self.lang = scenario.language
        self.stdin, self.stdout, self.clock = stdin, stdout, clock
        self.interactive = _is_tty(stdin)  # a person at a terminal: timers run, reflections are asked
        self.timed = timers != "off" and self.interactive
        self.factor = TIMER_FACTOR[timers]
        self.width = shutil.get_terminal_size((80, 24)).columns if _is_tty(stdout) else 80
        self.store = Store(saves_dir)
        self.lock: Lock | None = None
        self.saving = True  # whether the last save was written
        self.player, self.session, self.timers = player, session, timers

    def t(self, key: str, **values: object) -> str:
        return tr(self.lang, key, **values)

    def _open(self) -> tuple[Playthrough, Run]:
        """The player's playthrough of this scenario still under way (unfinished,
        or finished with reflection questions still open), resumed; or a new one."""
        good, _bad = list_saves(self.saves_dir)
        for _path, p in good:
            if p.scenario.key != self.scenario.key or p.player != self.player or not self._open_for(p):
                continue
            run, notes = resume(p, self.scenario)
            self.lock = self.store.lock(p.id)
            if self.lock is None:
                self.say(self.t("plain.locked", title=self.scenario.title))
                break
            p = attrs.evolve(p, settings=Settings(timers=self.timers))  # the player's current need wins
            self.say(self.t("plain.resumed", when=moment(self.lang, p.updated_at)))
            for note in notes:
                self.say(f"{self.t('play.notes')}: {note}")
            return p, run
        run = Run.start(self.scenario)
        p = Playthrough.new(self.scenario, self.player, session=self.session, settings=Settings(timers=self.timers))
        self.lock = self.store.lock(p.id)
        return p, run

    def _open_for(self, p: Playthrough) -> bool:
        if not p.finished:
            return True
        questions = range(len(self.scenario.debrief.reflection))
        return self.interactive and any(i not in p.reflections for i in questions)

    # -- output ------------------------------------------------------------

    def say(self, text: str = "", indent: int = 0) -> None:
        """A line, or a paragraph wrapped to the terminal's width."""
        pad = " " * indent
        lines = textwrap.wrap(clean(text), max(20, self.width - 1), initial_indent=pad, subsequent_indent=pad or "") or [""]
        self.stdout.write("\n".join(lines) + "\n")
        self.stdout.flush()

    def block(self, text: str) -> None:
        for para in paragraphs(text):
            self.say(plain(para))
            self.say()

    # -- input -------------------------------------------------------------

    def ask(self, prompt: str, seconds: float | None = None) -> str | None:
        """A line of input; None when ``seconds`` pass first. Ten seconds
        before the end, a timed question says so, once."""
        self.stdout.write(clean(prompt))
        self.stdout.flush()
        if seconds is not None:
            if seconds > WARN_AT and not self._wait(seconds - WARN_AT):
                self.say()
                self.say(self.t("plain.ten_seconds", seconds=WARN_AT))
                self.stdout.write(clean(prompt))
                self.stdout.flush()
                seconds = WARN_AT
            if not self._wait(seconds):
                self.say()
                return None
        line = self.stdin.readline()
        if not line:
            self.say()
            raise _EndOfInput
        return line.strip()

    def _wait(self, seconds: float) -> bool:
        """Whether input arrives within ``seconds``."""
        ready, _, _ = select.select([self.stdin], [], [], max(0.0, seconds))
        return bool(ready)

    # -- playing -----------------------------------------------------------

    def play(self) -> int:
        try:
            self.playthrough, self.run = self._open()
            self.check_saving()
            while not self.run.finished:
                self.scene()
            self.ending()
            self.reflect()
            self.stdout.write(PersonalDebrief.build(self.scenario, self.run, self.playthrough).to_text(self.lang, self.width))
            self.stdout.flush()
        except _EndOfInput:
            self.say(self.t("plain.saved"))
        except RunError as exc:  # only a scenario that was never validated gets here
            self.say(self.t("error.cannot_go_on", reason=str(exc)))
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
            self.say(f"{n}. {flat(choice.text)}")
        deadline = None
        if self.timed and run.timer is not None:
            seconds = run.timer.seconds * self.factor
            self.say(self.t("plain.timer", seconds=round(seconds)))
            deadline = self.clock() + seconds
        started = self.clock()
        while True:
            left = None if deadline is None else deadline - self.clock()
            answer = self.ask(self.t("plain.prompt", n=len(choices)), left)
            ms = round((self.clock() - started) * 1000)
            if answer is None:
                self.advance(run.time_out(ms))
                self.say(self.t("play.timed_out", choice=flat(self.run.last_choice.text)))
                break
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                self.advance(run.choose(choices[int(answer) - 1].id, ms))
                break
            self.say(self.t("plain.invalid", n=len(choices)))
        outcome = self.run.last_outcome
        self.say()
        if outcome and outcome.consequence:
            self.block(outcome.consequence)

    def advance(self, run: Run) -> None:
        self.run = run
        self.playthrough = self.playthrough.record(run)
        self.keep()

    def ending(self) -> None:
        """The ending, before the questions, as the full-screen game shows it."""
        self.say(f"— {self.run.ending.title} —")
        self.block(self.run.text)

    def reflect(self) -> None:
        """The reflection questions, at a terminal only: piped input has no
        answers to give. A question skipped with Enter is answered empty."""
        questions = self.scenario.debrief.reflection
        for i, question in enumerate(questions):
            if i in self.playthrough.reflections:
                continue
            if self.interactive:
                self.say(f"{self.t('debrief.reflection')}: {flat(question)}")
                answer = typed(self.ask(self.t("plain.answer")) or "")
            else:
                answer = ""
            self.playthrough = self.playthrough.with_reflection(i, answer)
            self.keep()


def _is_tty(stream: TextIO) -> bool:
    try:
        return os.isatty(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False


def first_run(lang: str, ask_session: bool, stdin: TextIO = sys.stdin,
              stdout: TextIO = sys.stdout) -> tuple[str, str | None] | None:
    """The first run's questions: a name, asked until one is given, and, at a
    terminal and unless it is known, the trainer's session code (Enter for
    none). None at end of input. Piped input is read for the name only, so
    that a transcript's next line is its first choice."""
    name = _ask(lang, "plain.name", stdin, stdout, required=True)
    if name is None:
        return None
    session = _ask(lang, "plain.session", stdin, stdout, required=False) if ask_session and _is_tty(stdin) else ""
    return name, session or None


def _ask(lang: str, key: str, stdin: TextIO, stdout: TextIO, required: bool) -> str | None:
    while True:
        stdout.write(tr(lang, key))
        stdout.flush()
        line = stdin.readline()
        if not line:
            stdout.write("\n")
            return None
        text = typed_name(line)
        if not is_utf8(line):
            stdout.write(tr(lang, "error.not_text") + "\n")
        elif text or not required:
            return text
