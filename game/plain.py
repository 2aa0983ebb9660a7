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
from datetime import datetime
from pathlib import Path
from typing import TextIO

from game.core.model import Scenario
from game.core.run import RunError
from game.core.vocab import Timers
from game.core.text import clean, flat, is_utf8, paragraphs, plain, typed, typed_name
from game.debrief.personal import PersonalDebrief
from game.render.personal import to_text
from game.play.session import Locked, PlaySession
from game.render.i18n import moment, tr
from game.render.wording import note, not_saved
from game.saves.playthrough import Playthrough
from game.saves.store import Store

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
        timers: Timers,
        stdin: TextIO,
        stdout: TextIO,
        clock: Callable[[], float] = time.monotonic,
        exports_dir: Path | None = None,
    ) -> None:
        self.scenario = scenario
        self.exports_dir = exports_dir  # where the player's learning record goes, if they want it
        self.lang = scenario.language
        self.stdin, self.stdout, self.clock = stdin, stdout, clock
        self.interactive = _is_tty(stdin)  # a person at a terminal: timers run, reflections are asked
        self.width = shutil.get_terminal_size((80, 24)).columns if _is_tty(stdout) else 80
        self.store = Store(saves_dir)
        self.saving = True  # whether the last save was written
        self.player, self.session_code, self.timers = player, session, timers

    def t(self, key: str, **values: object) -> str:
        return tr(self.lang, key, **values)

    def _open(self) -> PlaySession:
        """The player's playthrough of this scenario still under way (unfinished,
        or finished with reflection questions still open), resumed; or a new one."""
        mine = self.store.mine(self.player)
        under_way = [p for p in (*mine.unfinished, *mine.finished) if p.scenario.key == self.scenario.key and self._open_for(p)]
        for p in sorted(under_way, key=lambda p: (p.updated, p.id), reverse=True)[:1]:
            try:
                session = PlaySession.reopen(self.scenario, p, self.store, self.timers, self.clock)
            except Locked:
                self.say(self.t("plain.locked", title=self.scenario.title))
                break
            self.say(self.t("plain.resumed", when=moment(self.lang, p.updated)))
            for fact in session.notes:
                self.say(f"{self.t('play.notes')}: {note(self.lang, fact)}")
            return session
        return PlaySession.start(self.scenario, self.store, self.player, self.session_code, self.timers, self.clock)

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
        self.session: PlaySession | None = None
        try:
            self.session = session = self._open()
            session.check_saving()
            self.tell_saving()
            while not session.run.finished:
                self.scene(session)
            self.ending(session)
            self.reflect(session)
            debrief = PersonalDebrief.build(self.scenario, session.run, session.playthrough)
            self.stdout.write(to_text(debrief, self.lang, self.width))
            self.stdout.flush()
            self.offer_record(session)
        except _EndOfInput:
            if self.session is not None:
                self.session.leave()
                self.session = None
            self.say(self.t("plain.saved"))
        except RunError as exc:  # only a scenario that was never validated gets here
            self.say(self.t("error.cannot_go_on", reason=str(exc)))
            return 2
        finally:
            if self.session is not None:
                self.session.close()
        return 0

    def tell_saving(self) -> None:
        """A failed save is said once, and again after one that worked."""
        unsaved = self.session.unsaved if self.session is not None else None
        if unsaved is None:
            self.saving = True
        elif self.saving:
            self.saving = False
            self.say(not_saved(self.lang, unsaved))

    def scene(self, session: PlaySession) -> None:
        run = session.run
        scene = run.scene
        assert scene is not None  # called only while the run has not finished
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
        timed = self.interactive and session.timer.left() is not None  # a pipe cannot be late
        if timed:
            self.say(self.t("plain.timer", seconds=round(session.timer.left() or 0)))
        while True:
            answer = self.ask(self.t("plain.prompt", n=len(choices)), session.timer.left() if timed else None)
            if answer is None:
                session.time_out()
                taken = session.run.last_choice
                self.say(self.t("play.timed_out", choice=flat(taken.text if taken else "")))
                break
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                session.choose(choices[int(answer) - 1].id)
                break
            self.say(self.t("plain.invalid", n=len(choices)))
        self.tell_saving()
        outcome = session.run.last_outcome
        self.say()
        if outcome and outcome.consequence:
            self.block(outcome.consequence)

    def ending(self, session: PlaySession) -> None:
        """The ending, before the questions, as the full-screen game shows it."""
        ending = session.run.ending
        self.say(f"— {ending.title if ending else session.run.at} —")
        self.block(session.run.text)

    def reflect(self, session: PlaySession) -> None:
        """The reflection questions, at a terminal only: piped input has no
        answers to give. A question skipped with Enter is answered empty."""
        questions = self.scenario.debrief.reflection
        for i, question in enumerate(questions):
            if i in session.playthrough.reflections:
                continue
            if self.interactive:
                self.say(f"{self.t('debrief.reflection')}: {flat(question)}")
                answer = typed(self.ask(self.t("plain.answer")) or "")
            else:
                answer = ""
            session.reflect(i, answer, shared=False)
            self.tell_saving()


    def offer_record(self, session: PlaySession) -> None:
        """At a terminal, after the debrief: the player's own statements (xAPI) in a file, if they want it."""
        if not self.interactive or self.exports_dir is None:
            return
        try:
            answer = self.ask(self.t("plain.record", folder=str(self.exports_dir))) or ""
        except _EndOfInput:
            return
        if answer.lower() not in ("y", "yes", "j", "ja"):
            return
        from game.authoring.library import bundled_dir
        from game.core.files import write_private
        from game.render.xapi import Unfit, own_record

        stem = f"debrief-{self.scenario.id}-{datetime.now():%Y-%m-%d-%H%M}"
        try:
            path = write_private(self.exports_dir, stem, ".xapi.json",
                                 own_record(session.playthrough, self.scenario, [bundled_dir()]))
        except (OSError, Unfit) as exc:
            reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
            self.say(self.t("debrief.export_failed", reason=reason))
            return
        self.say(self.t("debrief.exported"))
        self.stdout.write(clean(path) + "\n")  # on a line of its own, unwrapped, to copy


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
