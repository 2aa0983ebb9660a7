"""The facilitator's screens: the overview, one decision at a time, the
presenter mode for a projector (the question first, the split on a key
press), the common routes, the meters per ending and the shared reflections.

Every screen answers the same keys (o d r m s p, v for the next version), so
a trainer at a projector moves between them without going back first. The
words are those of the debrief's scenario language.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from game.debrief.report import Count, Debrief, Decision, Report
from game.render.group_export import (
    beginning_text,
    coaching_notes,
    count_text,
    overview_lines,
    prompt_text,
    rating_text,
    reach_text,
    recommended_text,
    route_text,
    tempting_notes,
    timing_text,
)
from game.render.i18n import decimal, tr
from game.render.wording import caveat, question
from game.core.text import clean
from game.tui.styled import plain, story

BAR = 30  # cells for 100%
RATING_STYLE = {"strong": "$success", "weak": "$error", "mixed": "$warning"}


def _bar(c: Count, style: str = "$primary", width: int = BAR) -> Content:
    # Clamped: a meter's average from saves of another version may lie outside today's range.
    filled = round(min(max(c.percent or 0, 0), 100) * width / 100)
    return Content.assemble(("█" * filled, style), ("░" * (width - filled), "$panel"))


def _row(label: Content | str, c: Count, lang: str, style: str = "$primary", note: str = "") -> Content:
    """One option or ending: its words on a line of their own, so they wrap at
    any width, and the bar with the count (and a short ``note``) below them."""
    return Content.assemble(label, "\n", _bar(c, style), (f"  {count_text(c, lang)}", "bold"),
                            (f"  · {note}" if note else "", "dim"))


def _split(d: Debrief, dec: Decision, verdict: bool = False) -> Content:
    """How the group split, a choice at a time; with ``verdict``, the
    scenario's view of each choice too (for the facilitator, not the room)."""
    lang = d.scenario.language
    # Numbered as in presenter mode, where the room saw the choices by number first.
    return Content("\n\n").join(
        _row(Content.assemble((f"{i}. ", "bold"), clean(o.choice.text)), o.count, lang,
             note=recommended_text(o.choice, lang) if verdict else "")
        for i, o in enumerate(dec.options, 1)
    )


class GroupScreen(Screen[None]):
    """What every facilitator screen shares: the debrief it shows, the tab
    line at the top, the keys at the bottom, and the keys to move between them."""

    TAB = ""  # the key that opens this screen, marked in the tab line
    BINDINGS = [
        Binding("o", "show('o')", show=False),
        Binding("d", "show('d')", show=False),
        Binding("r", "show('r')", show=False),
        Binding("m", "show('m')", show=False),
        Binding("s", "show('s')", show=False),
        Binding("p", "show('p')", show=False),
        Binding("v", "next_version", show=False),
    ]

    def __init__(self, debrief_index: int = 0, index: int = 0) -> None:
        super().__init__()
        self.debrief_index = debrief_index
        self.index = index  # the decision, on the screens that show one

    @property
    def report(self) -> Report:
        from game.tui.group import GroupApp

        app = self.app
        assert isinstance(app, GroupApp), "group screens run in the group app"
        return app.report

    @property
    def debrief(self) -> Debrief:
        return self.report.debriefs[self.debrief_index]

    @property
    def lang(self) -> str:
        return self.debrief.scenario.language

    def t(self, key: str, **values: object) -> str:
        return tr(self.lang, key, **values)

    def tabs(self) -> Static:
        return Static(self.tab_line(), id="group-tabs")

    def tab_line(self) -> Content:
        """The views, this one marked; and in a room, how the room is doing (kept up to date by the app)."""
        from game.tui.group import GroupApp

        names = [("o", "group.overview"), ("d", "group.decisions"), ("r", "group.tab_routes"), ("m", "group.tab_meters"),
                 ("s", "group.tab_reflections"), ("p", "group.presenter")]
        parts: list[Content | str | tuple[str, str]] = []
        for key, name in names:
            label = f" {key} {self.t(name)} "
            parts.append((label, "reverse bold") if key == self.TAB else (label, "dim"))
        status = self.app.status() if isinstance(self.app, GroupApp) else None
        if status is not None:
            parts += ["\n ", (status, "bold $text-accent")]
        return Content.assemble(*parts)

    def keys(self, key: str = "group.nav") -> Static:
        return Static(self._key_line(key), id="group-keys")

    def _key_line(self, key: str) -> Content:
        line = self.t(key)
        if len(self.report.debriefs) > 1:
            line += " · " + self.t("group.nav_version")
        return plain(line, "dim")

    def heading(self, text: str) -> Static:
        if len(self.report.debriefs) > 1:  # which version group this is, on every view
            text += " · " + self.t("group.version_tag", version=self.debrief.version)
        return Static(plain(text, "bold"), classes="group-title")

    def action_show(self, tab: str) -> None:
        if tab in ("d", "p") and not self.debrief.decisions:
            return
        # The decision is kept, but presenter mode starts the room at the first one.
        self.app.switch_screen(SCREENS[tab](self.debrief_index, 0 if tab == "p" else self.index))

    def action_next_version(self) -> None:
        count = len(self.report.debriefs)
        if count > 1:  # the other version may have other decisions: its overview
            screen = OverviewScreen if self.TAB in ("d", "p") else type(self)
            self.app.switch_screen(screen((self.debrief_index + 1) % count))

    def action_move(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.debrief.decisions):
            self.app.switch_screen(type(self)(self.debrief_index, target))

    def action_overview(self) -> None:
        self.app.switch_screen(OverviewScreen(self.debrief_index, self.index))


class OverviewScreen(GroupScreen):
    """The scenario, the group, and the endings it reached."""

    TAB = "o"
    BINDINGS = [Binding("enter", "show('d')", show=False)]

    def compose(self) -> ComposeResult:
        report = self.report
        yield self.tabs()
        with VerticalScroll(id="group"):
            d = self.debrief
            lang = self.lang
            yield self.heading(self.t("group.title", title=d.scenario.title))
            yield Static(Content("\n").join(plain(line) for line in overview_lines(report, d)))
            for w in d.warnings:
                yield Static(plain(self.t("group.warning", text=caveat(lang, w)), "$text-warning"), classes="group-warning")
            yield Static(plain(self.t("group.endings"), "bold"), classes="section")
            yield Static(Content("\n\n").join(
                _row(clean(f"{e.title} [{rating_text(e, lang)}]"), c, lang, RATING_STYLE.get(e.rating or "", "$primary"))
                for e, c in d.endings
            ))
            if not d.decisions:
                yield Static(plain(self.t("group.no_decisions"), "dim"), classes="section")
            if report.skipped:
                key = "group.skipped_later_one" if len(report.skipped) == 1 else "group.skipped_later"
                yield Static(plain(self.t(key, n=len(report.skipped)), "dim"), classes="section")
        yield self.keys("group.nav_overview" if d.decisions else "group.nav_quit")


class DecisionScreen(GroupScreen):
    """One decision: the split, the times, the coaching notes, the discussion."""

    TAB = "d"
    BINDINGS = [("left", "move(-1)", ""), ("right", "move(1)", ""), ("escape", "overview", "")]

    def compose(self) -> ComposeResult:
        d = self.debrief
        dec = d.decisions[self.index]
        yield self.tabs()
        with VerticalScroll(id="group"):
            heading = self.t("group.decision_of", n=dec.number, total=len(d.decisions))
            yield self.heading(f"{heading}: {dec.name} ({dec.speaker})")
            yield Static(story(dec.scene.text.common), classes="group-question")
            yield Static(_split(d, dec, verdict=True), id="split")
            yield Static(plain(f"{reach_text(d, dec)} {timing_text(dec, self.lang)}", "dim"))
            for key, notes in (("group.coaching", coaching_notes(dec, self.lang)), ("group.tempts", tempting_notes(dec))):
                if notes:
                    yield Static(plain(self.t(key), "bold"), classes="section")
                    for text, note in notes:
                        yield Static(Content.assemble((clean(text), "italic"), " ", clean(note)), classes="note")
            if dec.prompts:
                yield Static(plain(self.t("group.discussion"), "bold"), classes="section")
                for c in dec.prompts:
                    yield Static(plain(prompt_text(c, self.lang)), classes="note")
        yield self.keys("group.nav_decision")


class PresenterScreen(GroupScreen):
    """For a projector: the question, and the split only on Space, so the room
    discusses before it sees the numbers."""

    TAB = "p"
    BINDINGS = [("space,enter", "reveal", ""), ("left", "move(-1)", ""), ("right", "move(1)", ""),
                ("escape", "back", "")]

    shown = False  # the split is on the screen (kept when a room's new choices redraw it)

    def compose(self) -> ComposeResult:
        d = self.debrief
        dec = d.decisions[self.index]
        with VerticalScroll(id="presenter"):
            yield self.heading(self.t("group.decision_of", n=dec.number, total=len(d.decisions)))
            yield Static(story(dec.scene.text.common), classes="presenter-question")
            yield Static(Content("\n\n").join(plain(f"{i}. {o.choice.text}", "bold") for i, o in enumerate(dec.options, 1)),
                         id="choices-only")
            split = Static(_split(d, dec), id="split")
            split.display = False
            yield split
        yield self.keys("group.nav_presenter")
        if self.shown:
            self.call_after_refresh(self.action_reveal)

    def on_resize(self, event: events.Resize) -> None:
        # Less air on a small screen (a projector at a large font is one), so
        # that the question and every choice fit before the split is shown.
        self.set_class(event.size.height < 40, "-compact")

    @property
    def revealed(self) -> bool:
        return self.query_one("#split").display

    def action_reveal(self) -> None:
        self.shown = True
        split = self.query_one("#split")
        split.display = True
        self.query_one("#choices-only").display = False
        self.query_one("#group-keys", Static).update(self._key_line("group.nav_presenter_shown"))
        self.call_after_refresh(split.scroll_visible, animate=False)

    def action_back(self) -> None:
        """Back to the same decision, with its notes."""
        self.app.switch_screen(DecisionScreen(self.debrief_index, self.index))


class _ListScreen(GroupScreen):
    """A heading and what :meth:`body` yields, or a line saying there is nothing."""

    HEADING = EMPTY = ""  # i18n keys
    BINDINGS = [("escape", "overview", "")]

    def compose(self) -> ComposeResult:
        yield self.tabs()
        with VerticalScroll(id="group"):
            yield self.heading(self.t(self.HEADING))
            body = list(self.body(self.debrief))
            yield from body or [Static(plain(self.t(self.EMPTY), "dim"))]
        yield self.keys()

    def body(self, d: Debrief) -> Iterator[Static]:
        raise NotImplementedError


class RoutesScreen(_ListScreen):
    """The routes most of the group took, start to ending."""

    TAB, HEADING, EMPTY = "r", "group.routes", "group.no_routes"

    def body(self, d: Debrief) -> Iterator[Static]:
        for r in d.routes:
            yield Static(Content.assemble((f"{r.count} × ", "bold"), clean(route_text(r, self.lang))), classes="route")
        if not d.routes and d.beginnings:
            yield Static(plain(self.t("group.no_routes"), "dim"))
            for r in d.beginnings:
                yield Static(plain(beginning_text(r, d)), classes="route")


class MetersScreen(_ListScreen):
    """The group's average meters at the end, for each ending, as bars within
    each meter's range."""

    TAB, HEADING, EMPTY = "m", "group.meters", "group.no_meters"

    def body(self, d: Debrief) -> Iterator[Static]:
        width = max((len(clean(meter.label)) for meter in d.scenario.meters.values()), default=0)
        for row in d.meters:
            style = RATING_STYLE.get(row.ending.rating or "", "$primary")
            yield Static(Content.assemble((clean(row.ending.title), f"bold {style}"), f"  ({row.count})"),
                         classes="section")
            lines = []
            for meter, value in row.averages:
                share = Count(round(100 * (value - meter.min) / max(meter.max - meter.min, 1)), 100)
                lines.append(Content.assemble(f"  {clean(meter.label):<{width}}  ", _bar(share, style, 20),
                                              f"  {decimal(self.lang, value):>6}  ({meter.min} … {meter.max})"))
            yield Static(Content("\n").join(lines))


class ReflectionsScreen(_ListScreen):
    """Answers only from players who chose to share them, never with a name
    unless the trainer asked for names."""

    TAB, HEADING, EMPTY = "s", "group.reflections", "group.no_reflections"

    def body(self, d: Debrief) -> Iterator[Static]:
        for a in d.reflections:
            yield Static(plain(question(self.lang, a), "italic"), classes="section")
            yield Static(Content("\n").join(plain(f"  • {who + ': ' if who else ''}{ans}") for who, ans in a.answers))


SCREENS = {"o": OverviewScreen, "d": DecisionScreen, "p": PresenterScreen, "r": RoutesScreen, "m": MetersScreen,
           "s": ReflectionsScreen}
