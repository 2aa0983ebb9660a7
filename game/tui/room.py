"""The facilitator view of a room that is playing (`koers serve` in a
terminal): the group debrief of the room folder, redrawn within a second of
every choice, with how many players are connected, where each one is, and
the room's link and QR code (w).

It knows the room through its folder: the saves, the status its server
writes as players come and go, and the holds (game.play.room). So it runs in
the trainer's terminal and, for a projector, in a browser alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.debrief.collect import Collected
from game.debrief.live import Watcher
from game.debrief.report import Report
from game.play.room import Status, hold_key, read_holds, write_holds
from game.render.i18n import tr
from game.core.text import clean
from game.tui.group import GroupApp
from game.tui.styled import plain

if TYPE_CHECKING:
    from game.core.model import Scenario

TICK = 0.25  # seconds between looks at the room folder


class RoomApp(GroupApp):
    TITLE = "Koers: room"
    BINDINGS = [("q", "quit", ""), ("w", "players", ""), ("h", "holds", ""), ("f", "facilitator", "")]

    def __init__(self, watcher: Watcher, debrief: Callable[[Collected], Report],
                 scenarios: Callable[[], list[Scenario]] = list) -> None:
        watcher.refresh()
        super().__init__(debrief(watcher.collected()))
        self.watcher, self.make_report = watcher, debrief
        self.scenarios = scenarios  # the room's scenarios, whose decisions the trainer can hold
        self.room = Status.read(watcher.folder)

    @property
    def lang(self) -> str:
        return self.report.language

    def status(self) -> str:
        line = tr(self.lang, "room.status", session=clean(self.room.session), n=len(self.room.connected))
        held = read_holds(self.watcher.folder)
        return f"{line} · {tr(self.lang, 'room.held_count', n=len(held))}" if held else line

    def compose(self) -> ComposeResult:
        yield Static(self._waiting(), id="room-waiting")

    def _waiting(self) -> Content:
        return Content("\n").join([plain(self.status(), "bold"), plain(""), *self._join()])

    def _join(self) -> list[Content]:
        return [plain(tr(self.lang, "room.join", link=self.room.link)), plain(""),
                *(plain(line) for line in self.room.qr), plain(""), plain(tr(self.lang, "room.waiting"), "dim")]

    @on(events.Mount)
    def watch_room(self) -> None:  # GroupApp's on_mount opens the debrief if the folder has one already
        self.set_interval(TICK, self.look)

    def look(self) -> None:
        """Read what changed in the room folder, and show it."""
        self.room = Status.read(self.watcher.folder)
        if self.watcher.refresh():
            self.report = self.make_report(self.watcher.collected())
            self.show_report()
        else:
            self.show_status()

    def show_report(self) -> None:
        from game.tui.group_screens import GroupScreen, OverviewScreen

        screen = self.screen
        if not self.report.debriefs:
            self.show_status()
            return
        if isinstance(screen, GroupScreen):
            screen.debrief_index = min(screen.debrief_index, len(self.report.debriefs) - 1)
            screen.index = min(screen.index, max(len(screen.debrief.decisions) - 1, 0))
            if screen.TAB in ("d", "p") and not screen.debrief.decisions:
                self.switch_screen(OverviewScreen(screen.debrief_index))
            else:
                screen.refresh(recompose=True)
        elif not isinstance(screen, ModalScreen):  # the first choice of the room: its debrief opens
            self.push_screen(OverviewScreen(0))

    def show_status(self) -> None:
        from game.tui.group_screens import GroupScreen

        screen = self.screen
        if isinstance(screen, GroupScreen):
            for tabs in screen.query("#group-tabs").results(Static):
                tabs.update(screen.tab_line())
        elif isinstance(screen, PlayersScreen):
            screen.query_one("#players", Static).update(self.players())
        else:
            for waiting in screen.query("#room-waiting").results(Static):
                waiting.update(self._waiting())

    def players(self) -> Content:
        """Each player who joined, anonymously: connected or not, and where they are."""
        t = lambda key, **values: tr(self.lang, key, **values)  # noqa: E731
        numbers, connected, where = self.room.numbers, self.room.connected, self.watcher.whereabouts()
        order = [*sorted(numbers, key=numbers.__getitem__), *(w for w in where if w not in numbers)]
        lines = [plain(self.status(), "bold"), plain("")]
        for n, who in enumerate(order, 1):
            w = where.get(who)
            if w is None:
                place = t("room.not_started")
            elif w.ending is not None:
                place = t("room.finished", scenario=clean(w.scenario))
            else:
                place = t("room.at_decision", scenario=clean(w.scenario), n=w.decisions + 1)
            state = t("room.online" if who in connected else "room.offline")
            lines.append(plain(f"{t('room.player', n=n)} · {state} · {place}"))
        return Content("\n").join([*lines, plain(""), *self._join()[:-1]])

    def action_players(self) -> None:
        if isinstance(self.screen, PlayersScreen):
            self.pop_screen()
        elif not isinstance(self.screen, ModalScreen):
            self.push_screen(PlayersScreen(self.players()))

    def action_facilitator(self) -> None:
        """The facilitator's own link (not for the projector: it opens this view, holds included)."""
        if not isinstance(self.screen, ModalScreen):
            self.push_screen(PlayersScreen(plain(tr(self.lang, "room.facilitator", link=self.room.facilitator))))

    def action_holds(self) -> None:
        if not isinstance(self.screen, ModalScreen):
            self.push_screen(HoldsScreen(self.scenarios(), self.watcher.folder, self.lang))


class PlayersScreen(ModalScreen[None]):
    """Who is in the room and where each one is; the link and QR code to join."""

    BINDINGS = [("escape,w,f", "close", "")]

    def __init__(self, content: Content) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.content, id="players")

    def action_close(self) -> None:
        self.dismiss(None)


class HoldsScreen(ModalScreen[None]):
    """The decisions of the room's scenarios: Enter holds one (players who
    reach it wait there, their clock stopped) or opens it again."""

    BINDINGS = [("escape,h", "close", "")]

    def __init__(self, scenarios: list[Scenario], folder: Path, lang: str) -> None:
        super().__init__()
        self.folder, self.lang = folder, lang
        self.decisions = [(s, scene) for s in scenarios for scene in s.scenes.values() if scene.is_decision]

    def compose(self) -> ComposeResult:
        yield Static(plain(tr(self.lang, "room.holds"), "bold"))
        yield OptionList(*self.options(), id="holds")
        yield Static(plain(tr(self.lang, "room.holds_help"), "dim"))

    def options(self) -> list[Option]:
        held = read_holds(self.folder)
        options = []
        for i, (s, scene) in enumerate(self.decisions):
            mark = f"[{tr(self.lang, 'room.held_mark')}] " if hold_key(s.id, scene.id) in held else ""
            options.append(Option(plain(f"{mark}{clean(scene.title or scene.id)} · {clean(s.title)}"), id=str(i)))
        return options

    @on(OptionList.OptionSelected, "#holds")
    def toggle(self, event: OptionList.OptionSelected) -> None:
        s, scene = self.decisions[int(event.option.id or 0)]
        key = hold_key(s.id, scene.id)
        held = set(read_holds(self.folder))
        held.symmetric_difference_update({key})
        try:
            write_holds(self.folder, held)
        except OSError as exc:
            self.app.notify(str(exc.strerror or exc), severity="error", markup=False)
            return
        holds = self.query_one("#holds", OptionList)
        at = holds.highlighted
        holds.set_options(self.options())
        holds.highlighted = at

    def action_close(self) -> None:
        self.dismiss(None)
