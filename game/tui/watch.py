"""``koers watch``: a preview that follows a scenario file while its author edits it.

The preview is the play screen (:mod:`game.tui.play`) showing a session of
:mod:`game.play.preview`. Each time the file is saved it is checked again,
and the screen shows either its problems, one line each, or the scene at the
author's place, replayed on the new version. Nothing is saved, and the
player's settings are read but never written: the timers start off (``s``
switches them on, for this preview only).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from game.prefs import Prefs
from game.tui.app import KoersApp
from game.tui.base import KoersScreen
from game.tui.help import HelpScreen
from game.tui.play import PlayScreen
from game.tui.styled import plain

if TYPE_CHECKING:
    from game.authoring.validator import Checked
    from game.core.diagnostics import Diagnostic
    from game.play.preview import Start
    from game.saves.store import Store

KEYS = (
    ("1–9", "key.choose"),
    ("↑ ↓", "key.move"),
    ("Enter", "key.confirm"),
    ("PgUp PgDn", "key.scroll"),
    ("? F1", "key.help"),
    ("s", "key.watch_settings"),
    ("Esc", "key.watch_again"),
    ("q Ctrl+C", "key.watch_quit"),
)


class ProblemsScreen(KoersScreen):
    """Why the file cannot be previewed now: its diagnostics, or a start that
    no longer fits, one line each. A line the screen wraps still begins with
    its place in bold, so that each problem can be told from the next."""

    DEFAULT_CSS = """
    #problems-title { color: $text-error; padding: 1 1 0 1; }
    #problems { height: 1fr; padding: 1 1; }
    """

    def __init__(self, file: str, problems: Sequence[Diagnostic | str]) -> None:
        super().__init__()
        self.file, self.problems = file, problems

    def compose(self) -> ComposeResult:
        t = self.koers.tr
        yield Static(plain(t("watch.problems", file=self.file), "bold"), id="problems-title", markup=False)
        with VerticalScroll(id="problems"):
            yield Static(Content("\n").join(_line(p) for p in self.problems), markup=False)
        yield Static(plain(t("watch.problems_hint")), id="hint", markup=False)


class WatchApp(KoersApp):
    BINDINGS = [("ctrl+c", "quit", "")]  # a watcher stops on Ctrl+C, as watchers in a terminal do

    def __init__(self, checked: Checked, check: Callable[[], Checked], start: Start, prefs: Prefs,
                 prefs_path: Path, saves_dir: Path, clock: Callable[[], float], watching: bool = True) -> None:
        """``checked`` is the file as it is now, ``check`` checks it again."""
        super().__init__([], saves_dir, prefs_path, prefs, None, clock, bundled=False)
        self.path = checked.path
        self.check = check
        self.start = start
        self.checked = checked  # the version on screen
        self.watching = watching

    @property
    def file(self) -> str:
        from game.authoring.library import relative

        return relative(self.path)

    # -- following the file --------------------------------------------------

    @on(events.Mount)
    def _open(self, event: events.Mount) -> None:
        event.prevent_default()  # not KoersApp's on_mount: no library, the preview is the only screen
        self.show(self.checked, force=True)
        if self.watching:
            self.run_worker(self.follow(), name="watch")

    async def follow(self) -> None:
        """Reload whenever a scenario file in the file's folder changes: the file
        itself (editors often save by writing a new file and renaming it), or
        the original it translates. On the way out Textual cancels this worker,
        and awatch then stops its thread within a step (50 ms)."""
        from watchfiles import awatch

        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            async for _changes in awatch(folder, watch_filter=_scenario_file, recursive=False):
                self.reload()
        except OSError as exc:  # the folder is gone, or the system's limit of watched folders is reached
            self.notify(self.tr("watch.not_following", file=self.file, reason=exc.strerror or str(exc)),
                        severity="error", timeout=3600, markup=False)

    def reload(self) -> None:
        """Check the file again and show what it is now."""
        self.show(self.check())

    def show(self, checked: Checked, force: bool = False, before_place: bool = True) -> None:
        """``checked``'s problems, or its scene at the author's place (from the
        start when not ``before_place``); nothing when it is what is on screen."""
        from game.core.diagnostics import MAX_SHOWN, Severity
        from game.play.preview import BadStart, preview

        same = (checked.diagnostics, getattr(checked.scenario, "digest", None)) == (
            self.checked.diagnostics, getattr(self.checked.scenario, "digest", None))
        self.checked = checked
        if same and not force:
            return
        scenario = checked.playable
        if scenario is None:  # its diagnostics as `koers validate` prints them: the first ones, then a count
            first = checked.diagnostics[:MAX_SHOWN]
            self._replace(ProblemsScreen(self.file, [*first, *checked.lines()[len(first):]]))
            return  # the session stays: its place is replayed on the file once it is fixed
        before = self.session.playthrough if self.session is not None and before_place else None
        try:
            session = preview(scenario, self.start, before, self.prefs.timers, self.clock)
        except BadStart as exc:
            self._replace(ProblemsScreen(self.file, [str(exc)]))
            return
        self.session = session
        self._replace(PlayScreen(session))
        warnings = sum(d.severity is Severity.WARNING for d in checked.diagnostics)
        if not force:
            key = "watch.reloaded_warnings" if warnings else "watch.reloaded"
            self.notify(self.tr(key, file=self.file, n=warnings), timeout=3, markup=False)

    def _replace(self, screen: Screen[None]) -> None:
        """``screen`` in place of the preview's screen, and of anything over it (help, settings)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    # -- what differs from playing -------------------------------------------

    @property
    def store(self) -> Store:
        from game.play.preview import Unsaved

        return Unsaved()

    def remember(self, **changes: Any) -> None:
        """A setting changed in the preview holds for this preview only."""
        self.prefs = self.prefs._replace(**changes)
        if self.session is not None:
            self.session.set_timers(self.prefs.timers)

    @on(PlayScreen.Finished)
    def _ended(self, message: PlayScreen.Finished) -> None:
        message.prevent_default()  # no debrief: a preview may have begun anywhere, in any state
        self.notify(self.tr("watch.ended", file=self.file), markup=False)

    def action_library(self) -> None:
        """Esc: the preview again from where it began."""
        self.show(self.checked, force=True, before_place=False)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang, KEYS))

    async def action_quit(self) -> None:
        self.exit()  # with nothing to say: a preview is not saved

    def commands(self, screen: Screen[object]) -> list[tuple[str, str, Callable[[], object]]]:
        return [
            (self.tr("watch.again"), self.tr("watch.again_help"), self.action_library),
            (self.tr("cmd.settings"), self.tr("key.watch_settings"), self.action_settings),
            (self.tr("cmd.help"), self.tr("cmd.help_help"), self.action_help),
            (self.tr("cmd.screenshot"), self.tr("cmd.screenshot_help"), self.action_take_screenshot),
            (self.tr("cmd.quit"), self.tr("key.watch_quit"), self.action_quit),
        ]


def _scenario_file(_change: object, path: str) -> bool:
    return path.endswith((".yaml", ".yml"))


def _line(problem: Diagnostic | str) -> Content:
    if isinstance(problem, str):
        return plain(problem)
    from game.core.diagnostics import Severity

    code = {Severity.ERROR: "bold $text-error", Severity.WARNING: "bold $text-warning"}.get(problem.severity, "bold")
    return Content.assemble(plain(f"{problem.path}:{problem.line}:{problem.col}:", "bold"), " ",
                            (problem.code, code), " ", plain(problem.message))
