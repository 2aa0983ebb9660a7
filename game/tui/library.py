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
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.core.text import clean, excerpt
from game.render.i18n import moment
from game.tui.base import KoersScreen
from game.tui.styled import plain

if TYPE_CHECKING:
    from game.authoring.library import Library, Listing, Refused
    from game.core.model import Scenario
    from game.saves.playthrough import Playthrough
    from game.saves.store import Mine

RECENT = 5  # finished playthroughs listed, the newest first


class LibraryScreen(KoersScreen):
    BINDINGS = [
        Binding("escape", "nothing", show=False),  # Esc goes back a screen; there is none before the library
        Binding("delete,x", "discard", show=False),
    ]

    class Play(Message):
        """Play ``scenario`` from the start."""

        def __init__(self, scenario: Scenario) -> None:
            super().__init__()
            self.scenario = scenario

    class Opened(Message):
        """A saved playthrough of ``scenario`` to open."""

        def __init__(self, scenario: Scenario, playthrough: Playthrough) -> None:
            super().__init__()
            self.scenario, self.playthrough = scenario, playthrough

    class Resume(Opened):
        """Go on with an unfinished playthrough."""

    class Review(Opened):
        """Open the debrief of a finished playthrough."""

    class Discard(Message):
        """Throw away an unfinished playthrough (the player has confirmed)."""

        def __init__(self, playthrough: Playthrough) -> None:
            super().__init__()
            self.playthrough = playthrough

    def __init__(self, folders: list[Path], bundled: bool, saves_dir: Path) -> None:
        super().__init__()
        self.folders, self.bundled, self.saves_dir = folders, bundled, saves_dir
        self.scenarios: dict[str, dict[str, Listing]] = {}  # option id -> language -> its file
        self.library: Library | None = None  # the scenarios last read, whose stories are read when opened
        self.resumable: dict[str, tuple[Scenario, Playthrough]] = {}
        self.finished: dict[str, tuple[Scenario, Playthrough]] = {}
        self.details: dict[str, list[str]] = {}  # option id -> the lines a problem entry opens
        self.loaded = False
        self.reopened = False  # in a room: the player was taken back to where they were

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
        self.watch(self.koers, "prefs", lambda _prefs: self.refresh_entries(), init=False)

    def show_words(self) -> None:
        app = self.koers
        self.query_one("#library-title", Static).update(plain(f"Koers — {app.tr('app.subtitle')}", "bold"))
        self.query_one("#hint", Static).update(plain(app.tr("room.hint" if app.room else "library.hint")))

    def on_screen_resume(self) -> None:
        if self.loaded:  # back from a playthrough; the first load is started by on_mount
            self.refresh_entries()

    def action_nothing(self) -> None:
        pass

    def refresh_entries(self) -> None:
        self.load_entries(self.koers.prefs.player, self.koers.prefs.player_id)

    @work(thread=True, exclusive=True)
    def load_entries(self, player: str | None, player_id: str | None) -> None:
        """Reading the scenario files and saves (and importing the loader) is most
        of the start-up time, so it happens after the first frame, not before it."""
        from game.authoring.cache import Cache, default_folder
        from game.authoring.library import Library, bundled_dir, is_offered
        from game.saves.store import Store

        library = Library([bundled_dir(), *self.folders] if self.bundled else self.folders, Cache(default_folder()))
        offered = [listing for listing in library.listings() if is_offered(listing)]
        for listing in offered:
            self.koers.typical_of(listing, library.typical)
        mine = Store(self.saves_dir).mine(player, player_id)
        # Only the stories of the player's own playthroughs are read now; the others when one is opened.
        by_key = {listing.key: listing for listing in offered}
        stories = {p.scenario.key: library.scenario(by_key[p.scenario.key])
                   for p in (*mine.unfinished, *mine.finished[:RECENT]) if p.scenario.key in by_key}
        self.library = library
        self.koers.call_from_thread(self.show_entries, offered, stories, library.refused(), mine)

    def show_entries(self, offered: list[Listing], stories: dict[str, Scenario], refused: list[Refused],
                     mine: Mine) -> None:
        app = self.koers
        t = app.tr
        self.loaded = True
        by_key = stories
        by_id: dict[str, dict[str, Listing]] = {}
        for listing in offered:
            by_id.setdefault(listing.id, {}).setdefault(listing.language, listing)
        options: list[Option] = []
        self.scenarios, self.resumable, self.finished, self.details = {}, {}, {}, {}

        unfinished = [p for p in mine.unfinished if p.scenario.key in by_key]
        if unfinished:
            options.append(Option(plain(t("library.resume"), "bold"), disabled=True))
            for i, p in enumerate(unfinished):
                scenario = by_key[p.scenario.key]
                when = moment(app.lang, p.updated)
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
                                      Content(excerpt(s.summary, max(20, self.size.width - 8))), "\n")
            options.append(Option(prompt, id=f"s{i}"))
            self.scenarios[f"s{i}"] = languages

        # Back to a debrief left with Esc: the reflections are typed there.
        finished = [p for p in mine.finished if p.scenario.key in by_key]
        if finished:
            options.append(Option(plain(t("library.finished"), "bold"), disabled=True))
            for i, p in enumerate(finished[:RECENT]):
                scenario = by_key[p.scenario.key]
                ending = scenario.endings.get(p.ending or "")
                when = moment(app.lang, p.updated)
                label = t("library.finished_item", title=clean(scenario.title), when=when,
                          ending=clean(ending.title) if ending else p.ending)
                options.append(Option(plain(f"✓ {label}"), id=f"f{i}"))
                self.finished[f"f{i}"] = (scenario, p)

        problems = [(f"b{i}", _counted(t, "library.broken_item", r.count, file=Path(r.path).name), r.lines)
                    for i, r in enumerate(refused)]
        bad = mine.unreadable
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
        if app.room and app.prefs.player and not self.reopened:
            self.reopened = True
            self.reopen(unfinished, finished)

    def reopen(self, unfinished: list[Playthrough], finished: list[Playthrough]) -> None:
        """In a room, a player who (re)connects goes on where they were: their
        newest unfinished playthrough; else, with the room's scenario, its
        debrief if they finished it, or a new playthrough in their language."""
        if unfinished:
            self.post_message(self.Resume(*self.resumable["r0"]))
            return
        start = self.koers.start_scenario
        if start is None:
            return
        done = next((key for key, (_s, p) in self.finished.items() if p.scenario.id == start.id), None)
        if done is not None:
            self.post_message(self.Review(*self.finished[done]))
            return
        languages = next((ls for ls in self.scenarios.values() if start.id in {x.id for x in ls.values()}), None)
        listing = languages.get(self.koers.lang) if languages else None
        if listing is None or self.library is None:
            self.post_message(self.Play(start))
        else:
            self.post_message(self.Play(self.library.scenario(listing)))

    @on(OptionList.OptionSelected, "#entries")
    def open_entry(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id or ""
        app = self.koers
        if key in self.scenarios:
            languages = self.scenarios[key]
            listing = languages.get(app.lang) or next(iter(languages.values()))
            assert self.library is not None  # entries are shown only once they were read
            self.post_message(self.Play(self.library.scenario(listing)))
        elif key in self.resumable:
            self.post_message(self.Resume(*self.resumable[key]))
        elif key in self.finished:
            self.post_message(self.Review(*self.finished[key]))
        elif key in self.details:
            from game.tui.dialogs import LinesScreen

            app.push_screen(LinesScreen(app.tr("library.problems"), self.details[key], app.lang))

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
                self.post_message(self.Discard(playthrough))

        t = self.koers.tr
        self.koers.push_screen(ConfirmScreen(t("library.discard", title=clean(scenario.title)), t("library.discard_yes"),
                                             t("lock.back")), answered)


def _counted(t: Any, key: str, n: int, **values: object) -> str:
    """A sentence with a number in it, in the singular for one."""
    return t(f"{key}_one", **values) if n == 1 else t(key, n=n, **values)
