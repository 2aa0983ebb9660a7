"""The library: scenarios to play, playthroughs to resume, files that cannot load.

One entry per scenario, whatever languages it comes in; opening it plays
the file in the interface language when there is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.render.i18n import moment
from game.core.text import clean, excerpt
from game.tui.styled import plain

if TYPE_CHECKING:
    from game.core.model import Scenario
    from game.saves.codec import Playthrough

RECENT = 5  # finished playthroughs listed, the newest first


class LibraryScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "nothing", show=False),  # Esc goes back a screen; there is none before the library
        Binding("delete,x", "discard", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.scenarios: dict[str, dict[str, Scenario]] = {}  # option id -> language -> scenario
        self.resumable: dict[str, tuple[Scenario, Playthrough]] = {}
        self.finished: dict[str, tuple[Scenario, Playthrough]] = {}
        self.details: dict[str, list[str]] = {}  # option id -> the lines a problem entry opens
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="library"):
            yield Static(id="library-title", markup=False)
            yield OptionList(id="entries")
            yield Static(id="hint", markup=False)

    def on_mount(self) -> None:
        self.show_words()
        self.query_one("#entries", OptionList).focus()
        # After the first frame: the loading thread would otherwise compete with it for the GIL.
        self.call_after_refresh(self.refresh_entries)

    def show_words(self) -> None:
        app = self.app
        self.query_one("#library-title", Static).update(plain(f"Koers — {app.tr('app.subtitle')}", "bold"))
        self.query_one("#hint", Static).update(plain(app.tr("library.hint")))

    def on_screen_resume(self) -> None:
        if self.loaded:  # back from a playthrough; the first load is started by on_mount
            self.refresh_entries()

    def settings_changed(self) -> None:
        self.refresh_entries()

    def action_nothing(self) -> None:
        pass

    def refresh_entries(self) -> None:
        self.load_entries(self.app.scenario_dirs, self.app.bundled, self.app.saves_dir)

    @work(thread=True, exclusive=True)
    def load_entries(self, folders: list[Path], bundled: bool, saves_dir: Path) -> None:
        """Reading the scenario files and saves (and importing the loader) is most
        of the start-up time, so it happens after the first frame, not before it."""
        from game.authoring.explore import typical
        from game.authoring.library import bundled_dir, discover
        from game.saves.codec import list_saves

        entries = discover([bundled_dir(), *folders] if bundled else folders)
        for e in entries:
            if e.scenario is not None:
                self.app.typical_of(e.scenario, typical)
        good, bad = list_saves(saves_dir)
        self.app.call_from_thread(self.show_entries, entries, good, bad)

    def show_entries(self, entries: list[Any], good: list[Any], bad: list[Any]) -> None:
        app = self.app
        t = app.tr
        self.loaded = True
        playable = [e.scenario for e in entries if e.scenario is not None]
        by_key = {s.key: s for s in playable}
        by_id: dict[str, dict[str, Scenario]] = {}
        for s in playable:
            by_id.setdefault(s.id, {}).setdefault(s.language, s)
        options: list[Option] = []
        self.scenarios, self.resumable, self.finished, self.details = {}, {}, {}, {}

        unfinished = [(path, p) for path, p in good
                      if not p.finished and p.player == app.prefs.player and p.scenario.key in by_key]
        if unfinished:
            options.append(Option(plain(t("library.resume"), "bold"), disabled=True))
            for i, (_path, p) in enumerate(unfinished):
                scenario = by_key[p.scenario.key]
                when = moment(app.lang, p.updated_at)
                done = sum(scenario.scenes[s.scene].is_decision for s in p.steps if s.scene in scenario.scenes)
                typical = app.typical_of(scenario)
                progress = t("library.progress", n=done + 1, total=typical) if typical else ""
                label = t("library.resume_item", title=clean(scenario.title), language=scenario.language,
                          when=when, progress=progress)
                options.append(Option(plain(f"▶ {label}"), id=f"r{i}"))
                self.resumable[f"r{i}"] = (scenario, p)
            options.append(Option(Content(""), disabled=True))

        options.append(Option(plain(t("library.title"), "bold"), disabled=True))
        if not by_id:
            options.append(Option(plain(t("library.none")), disabled=True))
        for i, languages in enumerate(by_id.values()):
            s = languages.get(app.lang) or next(iter(languages.values()))
            original_first = sorted(languages, key=lambda lang: (languages[lang].translates is not None, lang))
            facts = [" · ".join(original_first)]
            typical = app.typical_of(s)
            if typical:
                facts.append(t("library.decisions", n=typical))
            facts.append(t("library.minutes", minutes=s.minutes))
            prompt = Content.assemble((clean(s.title), "bold"), (f"  {'  ·  '.join(facts)}", "dim"), "\n",
                                      Content(excerpt(s.summary, 76)), "\n")
            options.append(Option(prompt, id=f"s{i}"))
            self.scenarios[f"s{i}"] = languages

        # Back to a debrief left with Esc: the reflections are typed there.
        # Only the player's own: on a shared laptop the reflections in a debrief are private.
        finished = [(path, p) for path, p in good
                    if p.finished and p.player == app.prefs.player and p.scenario.key in by_key]
        finished.sort(key=lambda item: item[1].updated, reverse=True)
        if finished:
            options.append(Option(plain(t("library.finished"), "bold"), disabled=True))
            for i, (_path, p) in enumerate(finished[:RECENT]):
                scenario = by_key[p.scenario.key]
                ending = scenario.endings.get(p.ending)
                when = moment(app.lang, p.updated_at)
                label = t("library.finished_item", title=clean(scenario.title), when=when,
                          ending=clean(ending.title) if ending else p.ending)
                options.append(Option(plain(f"✓ {label}"), id=f"f{i}"))
                self.finished[f"f{i}"] = (scenario, p)

        broken = [e for e in entries if e.scenario is None]
        problems = [(f"b{i}", _counted(t, "library.broken_item", len(e.errors) + e.omitted, file=Path(e.path).name),
                     e.lines()) for i, e in enumerate(broken)]
        if bad:
            problems.append(("bad", _counted(t, "library.bad_saves_item", len(bad)), [clean(str(d)) for d in bad]))
        if problems:
            options.append(Option(plain(t("library.problems"), "bold"), disabled=True))
            for key, label, lines in problems:
                options.append(Option(plain(f"! {label}", "$text-error"), id=key))
                self.details[key] = lines

        self.show_words()
        entries_list = self.query_one("#entries", OptionList)
        entries_list.set_options(options)
        first = next((n for n, o in enumerate(options) if not o.disabled), None)
        entries_list.highlighted = first
        entries_list.focus()

    @on(OptionList.OptionSelected, "#entries")
    def open_entry(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id or ""
        app = self.app
        if key in self.scenarios:
            languages = self.scenarios[key]
            app.play_new(languages.get(app.lang) or next(iter(languages.values())))
        elif key in self.resumable:
            scenario, playthrough = self.resumable[key]
            app.play_saved(scenario, playthrough)
        elif key in self.finished:
            scenario, playthrough = self.finished[key]
            app.open_debrief(scenario, playthrough)
        elif key in self.details:
            from game.tui.dialogs import LinesScreen

            app.push_screen(LinesScreen(app.tr("library.problems"), self.details[key]))

    def action_discard(self) -> None:
        """Throw away the highlighted unfinished playthrough, once the player confirms."""
        entries = self.query_one("#entries", OptionList)
        if entries.highlighted is None:
            return
        key = entries.get_option_at_index(entries.highlighted).id or ""
        if key not in self.resumable:
            return
        scenario, playthrough = self.resumable[key]
        from game.tui.dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.discard(playthrough)
                self.refresh_entries()

        self.app.push_screen(ConfirmScreen(self.app.tr("library.discard", title=clean(scenario.title)),
                                           self.app.tr("library.discard_yes"), self.app.tr("lock.back")), answered)


def _counted(t: Any, key: str, n: int, **values: object) -> str:
    """A sentence with a number in it, in the singular for one."""
    return t(f"{key}_one", **values) if n == 1 else t(key, n=n, **values)
