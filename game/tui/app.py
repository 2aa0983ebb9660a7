"""The Koers app and the factory that builds it from folders.

Attributes down, messages up: screens get what they show when they are made,
read the settings and the clock through ``koers``, and post a message for
anything the app should do (play, resume, discard, open a debrief, replay).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from textual import on
from textual.app import App
from textual.reactive import reactive
from textual.screen import Screen

from game.prefs import Prefs, default_prefs_path, load_prefs, save_prefs
from game.render.i18n import default_language, tr
from game.tui.commands import KoersCommands
from game.tui.debrief import DebriefScreen
from game.tui.library import LibraryScreen
from game.tui.play import PlayScreen

# The first frame (the library, or the name prompt) needs none of the engine:
# it is imported where a scenario is first played, so start-up does not wait.
class _HasDigest(Protocol):
    @property
    def digest(self) -> str: ...


S = TypeVar("S", bound=_HasDigest)

if TYPE_CHECKING:
    from game.core.model import Scenario
    from game.play.session import PlaySession
    from game.saves.playthrough import Playthrough
    from game.saves.store import Store


class KoersApp(App[None]):
    CSS_PATH = "koers.tcss"
    TITLE = "Koers"
    COMMANDS = {KoersCommands}  # only Koers' own commands, in the interface language
    BINDINGS = [
        ("question_mark,f1", "help", ""),
        ("s", "settings", ""),
        ("q", "quit", ""),
    ]

    #: The player's settings; screens that show them watch this.
    prefs: reactive[Prefs] = reactive(Prefs, init=False, always_update=True)

    def __init__(
        self,
        scenario_dirs: Iterable[Path],
        saves_dir: Path,
        prefs_path: Path,
        prefs: Prefs,
        scenario: Scenario | None,
        clock: Callable[[], float],
        bundled: bool,
        exports_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self._exports_dir = exports_dir
        self.scenario_dirs = list(scenario_dirs)
        self.bundled = bundled
        self.saves_dir = Path(saves_dir)
        self.prefs_path = prefs_path
        self.set_reactive(KoersApp.prefs, prefs)
        self.start_scenario = scenario
        self.clock = clock
        self._store: Store | None = None
        self.session: PlaySession | None = None  # the playthrough this process is playing, locked against others
        self.prefs_ignored: str | None = None  # why the settings file was passed over, if it was
        self._typical: dict[str, int] = {}  # scenario digest -> decisions on a typical path

    # -- preferences -------------------------------------------------------

    @property
    def room(self) -> bool:
        """Played in a workshop room (``koers serve``): the player's process
        lives as long as their browser tab, the session is the room's, and
        on (re)connecting the player is taken back to where they were."""
        return self.prefs.room

    @property
    def lang(self) -> str:
        return self.prefs.lang or "en"

    def tr(self, key: str, **values: object) -> str:
        return tr(self.lang, key, **values)

    def remember(self, **changes: Any) -> None:
        self.prefs = self.prefs._replace(**changes)
        save_prefs(self.prefs_path, self.prefs)
        if self.session is not None:
            self.session.set_timers(self.prefs.timers)

    # -- starting ----------------------------------------------------------

    def on_mount(self) -> None:
        if self.prefs_ignored:
            self.notify(self.tr("prefs.ignored", path=str(self.prefs_path), reason=self.prefs_ignored),
                        severity="warning", timeout=10, markup=False)
        self.push_screen(LibraryScreen(self.scenario_dirs, self.bundled, self.saves_dir))
        if self.start_scenario is not None and not self.room:  # in a room the library opens it (LibraryScreen.reopen)
            self.play_new(self.start_scenario)
        elif self.prefs.player is None:
            self.ask_player(lambda: None)

    def on_unmount(self) -> None:
        # However the app ends (a closed browser tab in a room ends it from outside), the time
        # spent at the current decision is saved, so that its timer goes on where it was.
        self._leave()
        self.session = None

    def ask_player(self, then: Callable[[], None]) -> None:
        from game.tui.dialogs import NameScreen

        def answered(result: tuple[str, str | None, str] | None) -> None:
            if result is None:
                return
            player, session, lang = result
            self.remember(player=player, session=session, lang=lang)
            then()

        self.push_screen(NameScreen(self.prefs.player or "", self.prefs.session or "", self.lang,
                                    session_fixed=self.room), answered)

    @on(LibraryScreen.Play)
    def _play_chosen(self, message: LibraryScreen.Play) -> None:
        self.play_new(message.scenario)

    @on(LibraryScreen.Resume)
    def _resume_chosen(self, message: LibraryScreen.Resume) -> None:
        session = self._reopen(message.scenario, message.playthrough)
        if session is not None:
            self._open_play(session)

    @on(LibraryScreen.Review)
    def _review_chosen(self, message: LibraryScreen.Review) -> None:
        session = self._reopen(message.scenario, message.playthrough)
        if session is None:
            return
        if not session.run.finished:  # the scenario changed under the save: the story goes on from where it fits
            self._open_play(session)
        else:
            self._hold(session)
            self.push_screen(DebriefScreen(session))

    @on(LibraryScreen.Discard)
    def _discard_chosen(self, message: LibraryScreen.Discard) -> None:
        """Remove an unfinished playthrough's save, unless another Koers plays it now."""
        try:
            discarded = self.store.discard(message.playthrough)
        except OSError as exc:
            self.notify(str(exc.strerror or exc), severity="error", markup=False)
            return
        if not discarded:
            self.notify(self.tr("lock.text", title=message.playthrough.scenario.id), severity="warning", markup=False)
        if isinstance(self.screen, LibraryScreen):
            self.screen.refresh_entries()

    def play_new(self, scenario: Scenario) -> None:
        def start() -> None:
            from game.core.run import RunError
            from game.play.session import PlaySession

            try:
                session = PlaySession.start(scenario, self.store, self.prefs.player or "", self.prefs.session,
                                            self.prefs.timers, self.clock, self.prefs.player_id)
            except RunError as exc:
                self.cannot_go_on(exc)
                return
            self._open_play(session)

        if self.prefs.player is None:
            self.ask_player(start)
        else:
            start()

    def _reopen(self, scenario: Scenario, playthrough: Playthrough) -> PlaySession | None:
        """A saved playthrough, held for this process; None (and the player
        told why) when it is open elsewhere or cannot go on."""
        from game.core.run import RunError
        from game.play.session import Locked, PlaySession
        from game.tui.dialogs import LockedScreen

        if self.session is not None and self.session.playthrough.id == playthrough.id:
            self._let_go()  # held by this process: open it afresh
        try:
            return PlaySession.reopen(scenario, playthrough, self.store, self.prefs.timers, self.clock)
        except RunError as exc:
            self.cannot_go_on(exc)
        except Locked:
            def answered(new: bool | None) -> None:
                if new:
                    self.play_new(scenario)

            self.push_screen(LockedScreen(scenario.title, self.lang), answered)
        return None

    def _hold(self, session: PlaySession) -> None:
        """``session`` is the playthrough this app plays now (one at a time)."""
        self._let_go()
        self.session = session

    def _open_play(self, session: PlaySession) -> None:
        self._hold(session)
        session.check_saving()
        if self.typical_of(session.scenario) is None:
            from game.authoring.explore import typical

            self.typical_of(session.scenario, lambda s: typical(s, 200).decisions)
        self.push_screen(PlayScreen(session, self.typical_of(session.scenario)))

    @on(PlayScreen.Finished)
    def _finished(self, message: PlayScreen.Finished) -> None:
        self.switch_screen(DebriefScreen(message.session))

    @on(DebriefScreen.ReplayFrom)
    def _replay(self, message: DebriefScreen.ReplayFrom) -> None:
        self.session = message.session.replay_from(message.step)
        self.switch_screen(PlayScreen(self.session, self.typical_of(self.session.scenario)))

    def typical_of(self, scenario: S, compute: Callable[[S], int] | None = None) -> int | None:
        """Decisions on a typical path of ``scenario`` (a Scenario, or a
        Listing of its file), worked out once (with ``compute``, where the
        library has it at hand)."""
        if scenario.digest not in self._typical and compute is not None:
            self._typical[scenario.digest] = compute(scenario)
        return self._typical.get(scenario.digest)

    def cannot_go_on(self, exc: Exception) -> None:
        self.notify(self.tr("error.cannot_go_on", reason=str(exc)), severity="error", markup=False, timeout=10)

    # -- saving ------------------------------------------------------------

    @property
    def exports_dir(self) -> Path:
        """Where the player's own debrief exports go (prefs.exports_dir unless a test says)."""
        if self._exports_dir is None:
            from game.prefs import exports_dir

            self._exports_dir = exports_dir(self.saves_dir)
        return self._exports_dir

    @property
    def store(self) -> Store:
        if self._store is None:
            from game.saves.store import Store

            self._store = Store(self.saves_dir)
        return self._store

    @property
    def unsaved(self) -> str | None:
        """Why the playthrough being played is not being saved, while it is not."""
        if self.session is None or self.session.unsaved is None:
            return None
        from game.render.wording import not_saved

        return not_saved(self.lang, self.session.unsaved)

    def _let_go(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def _leave(self) -> bool:
        """Save the playthrough being played as the player leaves it (with the
        time spent at its decision); whether there was one."""
        if self.session is None:
            return False
        self.session.leave()
        return True

    # -- actions -----------------------------------------------------------

    def action_help(self) -> None:
        from game.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang))

    def action_settings(self) -> None:
        from game.tui.dialogs import SettingsScreen

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                timers, lang = result
                self.remember(timers=timers, lang=lang)

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen(self.prefs.timers, self.lang), chosen)

    def action_library(self) -> None:
        if self._leave():
            self.session = None
        while len(self.screen_stack) > 2 and not isinstance(self.screen, LibraryScreen):
            self.pop_screen()
        if isinstance(self.screen, LibraryScreen):
            self.screen.refresh_entries()

    async def action_quit(self) -> None:
        """Quit; a playthrough is saved after every choice, so say so on the way out.
        In a room the player's process ends only with their browser tab: back to the library."""
        if self.room:
            self.action_library()
            self.notify(self.tr("room.stay"), markup=False, timeout=8)
            return
        unsaved = self.unsaved
        open_now = self._leave() or any(isinstance(s, DebriefScreen) for s in self.screen_stack)
        message = (unsaved or self.tr("app.saved")) if open_now else None
        self.session = None
        self.exit(message=message)

    def commands(self, screen: Screen[object]) -> list[tuple[str, str, Callable[[], object]]]:
        """The command palette's commands on ``screen``: (title, help, what it does)."""
        found: list[tuple[str, str, Callable[[], object]]] = [
            (self.tr("cmd.library"), self.tr("cmd.library_help"), self.action_library),
            (self.tr("cmd.settings"), self.tr("cmd.settings_help"), self.action_settings),
            (self.tr("cmd.help"), self.tr("cmd.help_help"), self.action_help),
        ]
        if isinstance(screen, DebriefScreen):
            found.append((self.tr("cmd.export"), self.tr("cmd.export_help"), screen.action_export))
            found.append((self.tr("cmd.export_record"), self.tr("cmd.export_record_help"), screen.action_export_record))
        found += [
            (self.tr("cmd.screenshot"), self.tr("cmd.screenshot_help"), self.action_take_screenshot),
            (self.tr("cmd.quit"), self.tr("cmd.quit_help"), self.action_quit),
        ]
        return found

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(placeholder=self.tr("cmd.search"), id="--command-palette"))

    def action_take_screenshot(self) -> None:
        """An SVG picture of the screen, in the folder the exports go to, which is made if need be."""
        if self.room:  # that folder is on the trainer's computer
            self.notify(self.tr("room.no_export"), markup=False)
            return
        folder = self.exports_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify(self.tr("cmd.screenshot_failed", reason=exc.strerror or str(exc)), severity="error", markup=False)
            return
        self.notify(self.tr("cmd.screenshot_saved", path=path), markup=False, timeout=8)


def make_app(
    scenario_dirs: Iterable[Path],
    saves_dir: Path,
    player: str | None = None,
    session: str | None = None,
    lang: str | None = None,
    settings_path: Path | None = None,
    scenario: Scenario | None = None,
    clock: Callable[[], float] = time.monotonic,
    bundled: bool = False,
    exports_dir: Path | None = None,
) -> KoersApp:
    """The app for these folders (and the bundled scenarios when ``bundled``).
    Options given here win over the remembered settings and are remembered in
    turn; tests pass their own folders and settings file so a user's real files
    are never touched."""
    path = Path(settings_path) if settings_path is not None else default_prefs_path()
    prefs, ignored = load_prefs(path)
    prefs = prefs._replace(player=player or prefs.player, session=session or prefs.session, lang=lang or prefs.lang)
    if prefs.lang is None:
        prefs = prefs._replace(lang=default_language())
    if player or session or lang:
        save_prefs(path, prefs)
    app = KoersApp(scenario_dirs, saves_dir, path, prefs, scenario, clock, bundled, exports_dir)
    app.prefs_ignored = ignored
    return app
