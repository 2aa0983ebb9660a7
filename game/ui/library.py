"""The library: scenarios to play, playthroughs to resume, files that cannot load."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.text import clean
from game.ui.styled import plain

RECENT = 5  # finished playthroughs listed, the newest first


class LibraryScreen(Screen[None]):
    BINDINGS = [("escape", "nothing", "")]  # Esc goes back a screen; there is none before the library

    def action_nothing(self) -> None:
        pass

    def __init__(self) -> None:
        super().__init__()
        self.scenarios: dict[str, object] = {}
        self.resumable: dict[str, tuple[object, object]] = {}
        self.finished: dict[str, tuple[object, object]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="library"):
            yield Static(id="library-title", markup=False)
            yield OptionList(id="entries")
            yield Static(id="hint", markup=False)

    def on_mount(self) -> None:
        app = self.app
        self.query_one("#library-title", Static).update(plain(f"Koers — {app.tr('app.subtitle')}", "bold"))
        self.query_one("#hint", Static).update(plain(app.tr("library.hint")))
        self.query_one("#entries", OptionList).focus()
        # After the first frame: the loading thread would otherwise compete with it for the GIL.
        self.call_after_refresh(self.refresh_entries)

    def on_screen_resume(self) -> None:
        if self.scenarios:  # back from a playthrough; the first load is started by on_mount
            self.refresh_entries()

    def settings_changed(self) -> None:
        self.refresh_entries()

    def refresh_entries(self) -> None:
        self.load_entries(self.app.scenario_dirs, self.app.bundled, self.app.saves_dir)

    @work(thread=True, exclusive=True)
    def load_entries(self, folders: list, bundled: bool, saves_dir) -> None:
        """Reading the scenario files and saves (and importing the loader) is most
        of the start-up time, so it happens after the first frame, not before it."""
        from game.library import bundled_dir, discover
        from game.saves import list_saves

        entries = discover([bundled_dir(), *folders] if bundled else folders)
        good, bad = list_saves(saves_dir)
        self.app.call_from_thread(self.show_entries, entries, good, bad)

    def show_entries(self, entries: list, good: list, bad: list) -> None:
        app = self.app
        by_key = {e.scenario.key: e.scenario for e in entries if e.scenario is not None}
        options: list[Option] = []
        self.scenarios, self.resumable, self.finished = {}, {}, {}

        unfinished = [(path, p) for path, p in good if not p.finished and p.scenario.key in by_key]
        if unfinished:
            options.append(Option(plain(app.tr("library.resume"), "bold"), disabled=True))
            for i, (_path, p) in enumerate(unfinished):
                scenario = by_key[p.scenario.key]
                when = p.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
                key = "library.resume_item_one" if len(p.steps) == 1 else "library.resume_item"
                label = app.tr(key, title=clean(scenario.title), when=when, steps=len(p.steps))
                who = f"  ({clean(p.player)})" if p.player != app.prefs.player else ""
                options.append(Option(plain(f"▶ {label}{who}\n"), id=f"r{i}"))
                self.resumable[f"r{i}"] = (scenario, p)
        options.append(Option(plain(app.tr("library.title"), "bold"), disabled=True))
        playable = [e for e in entries if e.scenario is not None]
        if not playable:
            options.append(Option(plain(app.tr("library.none")), disabled=True))
        for i, e in enumerate(playable):
            s = e.scenario
            meta = f"  {s.language} · {app.tr('library.minutes', minutes=s.minutes)}"
            summary = " ".join(clean(s.summary).split())
            # The blank last line sets the entries apart; the highlight covers it too.
            prompt = Content.assemble((clean(s.title), "bold"), (meta, "dim"), "\n", Content(summary), "\n")
            options.append(Option(prompt, id=f"s{i}"))
            self.scenarios[f"s{i}"] = s

        # Back to a debrief left with Esc: the reflections are typed there.
        # Only the player's own: on a shared laptop the reflections in a debrief are private.
        finished = [(path, p) for path, p in good
                    if p.finished and p.player == app.prefs.player and p.scenario.key in by_key]
        finished.sort(key=lambda item: item[1].updated, reverse=True)
        if finished:
            options.append(Option(plain(app.tr("library.finished"), "bold"), disabled=True))
            for i, (_path, p) in enumerate(finished[:RECENT]):
                scenario = by_key[p.scenario.key]
                ending = scenario.endings.get(p.ending)
                when = p.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
                label = app.tr("library.finished_item", title=clean(scenario.title), when=when,
                               ending=clean(ending.title) if ending else p.ending)
                options.append(Option(plain(f"✓ {label}\n"), id=f"f{i}"))
                self.finished[f"f{i}"] = (scenario, p)

        broken = [e for e in entries if e.scenario is None]
        if broken:
            options.append(Option(plain(app.tr("library.broken"), "bold"), disabled=True))
            for e in broken:
                lines = [clean(line) for line in e.lines()]
                options.append(Option(plain("\n".join(lines), "$text-error"), disabled=True))
        if bad:
            options.append(Option(plain(app.tr("library.bad_saves"), "bold"), disabled=True))
            options.append(Option(plain("\n".join(clean(str(d)) for d in bad), "$text-error"), disabled=True))

        self.query_one("#library-title", Static).update(plain(f"Koers — {app.tr('app.subtitle')}", "bold"))
        self.query_one("#hint", Static).update(plain(app.tr("library.hint")))
        entries_list = self.query_one("#entries", OptionList)
        entries_list.set_options(options)
        first = next((n for n, o in enumerate(options) if not o.disabled), None)
        entries_list.highlighted = first
        entries_list.focus()

    @on(OptionList.OptionSelected, "#entries")
    def open_entry(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id
        if key in self.scenarios:
            self.app.play_new(self.scenarios[key])
        elif key in self.resumable:
            scenario, playthrough = self.resumable[key]
            self.app.play_saved(scenario, playthrough)
        elif key in self.finished:
            scenario, playthrough = self.finished[key]
            self.app.open_debrief(scenario, playthrough)
