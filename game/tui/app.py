"""The Koers app and the factory that builds it from folders."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.screen import Screen

from game.render.i18n import default_language, tr
from game.prefs import Prefs, default_prefs_path, load_prefs, save_prefs
from game.tui.commands import KoersCommands

# The first frame (the library, or the name prompt) needs none of the engine:
# it is imported where a scenario is first played, so start-up does not wait.
if TYPE_CHECKING:
    from game.core.model import Scenario
    from game.core.run import Run
    from game.saves.codec import Playthrough
    from game.saves.store import Lock, NotSaved, Store


class KoersApp(App[None]):
    CSS_PATH = "koers.tcss"
    TITLE = "Koers"
    COMMANDS = {KoersCommands}  # only Koers' own commands, in the interface language
    BINDINGS = [
        ("question_mark,f1", "help", ""),
        ("s", "settings", ""),
        ("q", "quit", ""),
    ]

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
        self.prefs = prefs
        self.start_scenario = scenario
        self.clock = clock
        self._store: Store | None = None
        self.held: Lock | None = None  # the playthrough this process is playing, locked against others
        self.unsaved: str | None = None  # why the playthrough is not being saved, while it is not
        self.prefs_ignored: str | None = None  # why the settings file was passed over, if it was
        self._typical: dict[str, int] = {}  # scenario digest -> decisions on a typical path

    # -- preferences -------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.prefs.lang or "en"

    def tr(self, key: str, **values: object) -> str:
        return tr(self.lang, key, **values)

    def remember(self, **changes: object) -> None:
        self.prefs = self.prefs._replace(**changes)
        save_prefs(self.prefs_path, self.prefs)

    # -- starting ----------------------------------------------------------

    def on_mount(self) -> None:
        from game.tui.library import LibraryScreen

        if self.prefs_ignored:
            self.notify(self.tr("prefs.ignored", path=str(self.prefs_path), reason=self.prefs_ignored),
                        severity="warning", timeout=10, markup=False)

        self.push_screen(LibraryScreen())
        if self.start_scenario is not None:
            self.play_new(self.start_scenario)
        elif self.prefs.player is None:
            self.ask_player(lambda: None)

    def on_unmount(self) -> None:
        self.let_go()

    def ask_player(self, then: Callable[[], None]) -> None:
        from game.tui.dialogs import NameScreen

        def answered(result: tuple[str, str | None, str] | None) -> None:
            if result is None:
                return
            player, session, lang = result
            self.remember(player=player, session=session, lang=lang)
            for screen in self.screen_stack:
                if isinstance(screen, LibraryScreen):
                    screen.settings_changed()
            then()

        from game.tui.library import LibraryScreen

        self.push_screen(NameScreen(self.prefs.player or "", self.prefs.session or "", self.lang), answered)

    def play_new(self, scenario: Scenario) -> None:
        def start() -> None:
            from game.core.run import Run, RunError
            from game.saves.codec import Playthrough, Settings

            try:
                run = Run.start(scenario)
            except RunError as exc:
                self.cannot_go_on(exc)
                return
            p = Playthrough.new(scenario, self.prefs.player, session=self.prefs.session,
                                settings=Settings(timers=self.prefs.timers))
            if self.hold(p):
                self.open_play(scenario, p, run, [])

        if self.prefs.player is None:
            self.ask_player(start)
        else:
            start()

    def play_saved(self, scenario: Scenario, playthrough: Playthrough) -> None:
        resumed = self.resume(scenario, playthrough)
        if resumed is not None:
            self.open_play(scenario, playthrough, *resumed)

    def open_debrief(self, scenario: Scenario, playthrough: Playthrough) -> None:
        from game.tui.debrief import DebriefScreen

        resumed = self.resume(scenario, playthrough)
        if resumed is None:
            return
        run, notes = resumed
        if not run.finished:  # the scenario changed under the save: the story goes on from where it fits
            self.open_play(scenario, playthrough, run, notes)
            return
        self.push_screen(DebriefScreen(scenario, run, playthrough))

    def resume(self, scenario: Scenario, playthrough: Playthrough) -> tuple[Run, list[str]] | None:
        """The run of a saved playthrough, held for this process; None (and
        the player told why) when it is open elsewhere or cannot go on."""
        from game.core.run import RunError
        from game.saves.codec import resume

        try:
            run, notes = resume(playthrough, scenario)
        except RunError as exc:
            self.cannot_go_on(exc)
            return None
        if not self.hold(playthrough):
            from game.tui.dialogs import LockedScreen

            def answered(new: bool | None) -> None:
                if new:
                    self.play_new(scenario)

            self.push_screen(LockedScreen(scenario.title), answered)
            return None
        return run, notes

    def open_play(self, scenario: Scenario, playthrough: Playthrough, run: Run, notes: list[str]) -> None:
        import attrs

        from game.saves.codec import Settings
        from game.tui.play import PlayScreen

        if playthrough.settings.timers != self.prefs.timers:  # the player's current need wins
            playthrough = attrs.evolve(playthrough, settings=Settings(timers=self.prefs.timers))
        self.check_saving()
        if self.typical_of(scenario) is None:
            from game.authoring.explore import typical

            self.typical_of(scenario, typical)
        self.push_screen(PlayScreen(scenario, playthrough, run, notes, self.typical_of(scenario)))

    def typical_of(self, scenario: Scenario, compute: Callable[..., Any] | None = None) -> int | None:
        """Decisions on a typical path of ``scenario``, worked out once (with
        ``compute``, explore.typical, where the library has it at hand)."""
        if scenario.digest not in self._typical and compute is not None:
            self._typical[scenario.digest] = compute(scenario, 200).decisions
        return self._typical.get(scenario.digest)

    def discard(self, playthrough: Playthrough) -> None:
        """Remove an unfinished playthrough's save, unless another Koers plays it now."""
        lock = self.store.lock(playthrough.id)
        if lock is None:
            self.notify(self.tr("lock.text", title=playthrough.scenario.id), severity="warning", markup=False)
            return
        try:
            (self.saves_dir / f"{playthrough.id}.json").unlink(missing_ok=True)
        except OSError as exc:
            self.notify(str(exc.strerror or exc), severity="error", markup=False)
        finally:
            lock.release()

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

    def hold(self, playthrough: Playthrough) -> bool:
        """Lock ``playthrough`` for this process, letting go of the one held
        before; False when another process holds it."""
        if self.held is not None and self.held.path.name == f".{playthrough.id}.lock":
            return True
        lock = self.store.lock(playthrough.id)
        if lock is None:
            return False
        self.let_go()
        self.held = lock
        return True

    def let_go(self) -> None:
        if self.held is not None:
            self.held.release()
            self.held = None

    def check_saving(self) -> None:
        """Before the first scene: can this playthrough be saved at all?"""
        from game.saves.store import NotSaved

        try:
            self.store.check()
        except NotSaved as exc:
            self._not_saved(exc)
        else:
            self.unsaved = None

    def keep(self, playthrough: Playthrough) -> None:
        """Save now. A failed save is said on the screen, never a crash: the
        game goes on, and the next choice tries again."""
        from game.saves.store import NotSaved

        try:
            self.store.write(playthrough)
        except NotSaved as exc:
            self._not_saved(exc)
        else:
            self.unsaved = None

    def _not_saved(self, exc: NotSaved) -> None:
        from game.render.i18n import not_saved

        self.unsaved = not_saved(self.lang, exc.folder, exc.kind, exc.detail)

    # -- actions -----------------------------------------------------------

    def action_help(self) -> None:
        from game.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_settings(self) -> None:
        from game.tui.dialogs import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen(self.prefs.timers, self.lang), self._settings_chosen)

    def _settings_chosen(self, result: tuple[str, str] | None) -> None:
        if result is None:
            return
        timers, lang = result
        self.remember(timers=timers, lang=lang)
        for screen in self.screen_stack:
            if hasattr(screen, "settings_changed"):
                screen.settings_changed()

    def action_library(self) -> None:
        from game.tui.library import LibraryScreen

        self.leave_playthrough()
        self.let_go()
        while len(self.screen_stack) > 2 and not isinstance(self.screen, LibraryScreen):
            self.pop_screen()
        if isinstance(self.screen, LibraryScreen):
            self.screen.refresh_entries()

    def leave_playthrough(self) -> bool:
        """Save the playthrough being played as the player leaves it (with the
        time spent at its decision); whether there was one."""
        from game.tui.play import PlayScreen

        playing = [s for s in self.screen_stack if isinstance(s, PlayScreen)]
        for screen in playing:
            self.keep(screen.leave())
        return bool(playing)

    async def action_quit(self) -> None:
        """Quit; a playthrough is saved after every choice, so say so on the way out."""
        from game.tui.debrief import DebriefScreen

        open_now = self.leave_playthrough() or any(isinstance(s, DebriefScreen) for s in self.screen_stack)
        message = None
        if open_now:
            message = self.unsaved if self.unsaved else self.tr("app.saved")
        self.exit(message=message)

    def commands(self, screen: Screen) -> list[tuple[str, str, Callable[[], object]]]:
        """The command palette's commands on ``screen``: (title, help, what it does)."""
        from game.tui.debrief import DebriefScreen

        found = [
            (self.tr("cmd.library"), self.tr("cmd.library_help"), self.action_library),
            (self.tr("cmd.settings"), self.tr("cmd.settings_help"), self.action_settings),
            (self.tr("cmd.help"), self.tr("cmd.help_help"), self.action_help),
        ]
        if isinstance(screen, DebriefScreen):
            found.append((self.tr("cmd.export"), self.tr("cmd.export_help"), screen.action_export))
        found += [
            (self.tr("cmd.screenshot"), self.tr("cmd.screenshot_help"), self.action_take_screenshot),
            (self.tr("cmd.quit"), self.tr("cmd.quit_help"), self.action_quit),
        ]
        return found

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=self.tr("cmd.search"), id="--command-palette"))

    def action_take_screenshot(self) -> None:
        """An SVG picture of the screen, in the folder the exports go to, which is made if need be."""
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
    changes = {k: v for k, v in (("player", player), ("session", session), ("lang", lang)) if v}
    prefs = prefs._replace(**changes)
    if prefs.lang is None:
        prefs = prefs._replace(lang=default_language())
    if changes:
        save_prefs(path, prefs)
    app = KoersApp(scenario_dirs, saves_dir, path, prefs, scenario, clock, bundled, exports_dir)
    app.prefs_ignored = ignored
    return app
