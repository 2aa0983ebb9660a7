"""The Koers app and the factory that builds it from folders."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.screen import Screen

from game.i18n import default_language, tr
from game.prefs import Prefs, default_prefs_path, load_prefs, save_prefs

# The first frame (the library, or the name prompt) needs none of the engine:
# it is imported where a scenario is first played, so start-up does not wait.
if TYPE_CHECKING:
    from game.model import Scenario
    from game.run import Run
    from game.saves import Playthrough


class KoersApp(App[None]):
    CSS_PATH = "koers.tcss"
    TITLE = "Koers"
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
    ) -> None:
        super().__init__()
        self.scenario_dirs = list(scenario_dirs)
        self.bundled = bundled
        self.saves_dir = Path(saves_dir)
        self.prefs_path = prefs_path
        self.prefs = prefs
        self.start_scenario = scenario
        self.clock = clock

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
        from game.ui.library import LibraryScreen

        self.push_screen(LibraryScreen())
        if self.start_scenario is not None:
            self.play_new(self.start_scenario)
        elif self.prefs.player is None:
            self.ask_player(lambda: None)

    def ask_player(self, then: Callable[[], None]) -> None:
        from game.ui.dialogs import NameScreen

        def answered(result: tuple[str, str | None] | None) -> None:
            if result is None:
                return
            player, session = result
            self.remember(player=player, session=session)
            then()

        self.push_screen(NameScreen(self.prefs.player or "", self.prefs.session or ""), answered)

    def play_new(self, scenario: Scenario) -> None:
        def start() -> None:
            from game.run import Run
            from game.saves import Playthrough, Settings

            p = Playthrough.new(scenario, self.prefs.player, session=self.prefs.session,
                                settings=Settings(timers=self.prefs.timers))
            self.open_play(scenario, p, Run.start(scenario), [])

        if self.prefs.player is None:
            self.ask_player(start)
        else:
            start()

    def play_saved(self, scenario: Scenario, playthrough: Playthrough) -> None:
        from game.saves import resume

        run, notes = resume(playthrough, scenario)
        self.open_play(scenario, playthrough, run, notes)

    def open_debrief(self, scenario: Scenario, playthrough: Playthrough) -> None:
        from game.saves import resume
        from game.ui.debrief import DebriefScreen

        run, notes = resume(playthrough, scenario)
        if not run.finished:  # the scenario changed under the save: the story goes on from where it fits
            self.open_play(scenario, playthrough, run, notes)
            return
        self.push_screen(DebriefScreen(scenario, run, playthrough))

    def open_play(self, scenario: Scenario, playthrough: Playthrough, run: Run, notes: list[str]) -> None:
        import attrs

        from game.saves import Settings
        from game.ui.play import PlayScreen

        if playthrough.settings.timers != self.prefs.timers:  # the player's current need wins
            playthrough = attrs.evolve(playthrough, settings=Settings(timers=self.prefs.timers))
        self.push_screen(PlayScreen(scenario, playthrough, run, notes))

    def keep(self, playthrough: Playthrough) -> None:
        """Save now; a failed save is told, never a crash (the game goes on)."""
        from game.saves import SaveError, save

        try:
            save(self.saves_dir, playthrough)
        except (OSError, SaveError) as exc:
            self.notify(self.tr("error.save_failed", reason=str(exc)), severity="error", markup=False)

    # -- actions -----------------------------------------------------------

    def action_help(self) -> None:
        from game.ui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_settings(self) -> None:
        from game.ui.dialogs import SettingsScreen

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
        from game.ui.library import LibraryScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, LibraryScreen):
            self.pop_screen()
        if isinstance(self.screen, LibraryScreen):
            self.screen.refresh_entries()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand(self.tr("cmd.library"), self.tr("cmd.library_help"), self.action_library)
        yield SystemCommand(self.tr("cmd.settings"), self.tr("cmd.settings_help"), self.action_settings)
        yield SystemCommand(self.tr("cmd.help"), self.tr("cmd.help_help"), self.action_help)
        if hasattr(screen, "action_export"):
            yield SystemCommand(self.tr("cmd.export"), self.tr("cmd.export_help"), screen.action_export)
        yield from super().get_system_commands(screen)


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
) -> KoersApp:
    """The app for these folders (and the bundled scenarios when ``bundled``).
    Options given here win over the remembered settings and are remembered in
    turn; tests pass their own folders and settings file so a user's real files
    are never touched."""
    path = Path(settings_path) if settings_path is not None else default_prefs_path()
    prefs = load_prefs(path)
    changes = {k: v for k, v in (("player", player), ("session", session), ("lang", lang)) if v}
    prefs = prefs._replace(**changes)
    if prefs.lang is None:
        prefs = prefs._replace(lang=default_language())
    if changes:
        save_prefs(path, prefs)
    return KoersApp(scenario_dirs, saves_dir, path, prefs, scenario, clock, bundled)
