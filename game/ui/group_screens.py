"""The facilitator's screens: the overview, one decision at a time, and the
presenter mode for a projector (the question first, the split on a key press)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from game.group import Count, Debrief, Decision
from game.group_export import count_text, overview_lines, prompt_text, reach_text, route_text, timing_text
from game.text import clean
from game.ui.styled import plain, story

BAR = 30  # cells for 100%


def _bar(c: Count, style: str = "$primary") -> Content:
    width = round((c.percent or 0) * BAR / 100)
    return Content.assemble(("█" * width, style), ("░" * (BAR - width), "$panel"))


def _split(d: Decision) -> list[Content]:
    rows = []
    for o in d.options:
        rows.append(Content.assemble(_bar(o.count), (f"  {count_text(o.count):>10}  ", "bold"), clean(o.choice.text)))
    return rows


class _GroupScreen(Screen[None]):
    def __init__(self, index: int, debrief_index: int = 0) -> None:
        super().__init__()
        self.index = index
        self.debrief_index = debrief_index

    @property
    def debrief(self) -> Debrief:
        return self.app.report.debriefs[self.debrief_index]


class OverviewScreen(Screen[None]):
    """Overview, endings, routes, meters and shared reflections, on one page."""

    BINDINGS = [("enter,d", "decisions", ""), ("p", "present", ""), ("n", "next_version", "")]

    def __init__(self, debrief_index: int) -> None:
        super().__init__()
        self.debrief_index = debrief_index

    def compose(self) -> ComposeResult:
        report = self.app.report
        with VerticalScroll(id="group"):
            if not report.debriefs:
                yield Static(plain("No playthroughs to debrief.", "bold"), classes="group-title")
                return
            d = report.debriefs[self.debrief_index]
            yield Static(plain(f"Group debrief: {d.scenario.title}", "bold"), classes="group-title")
            yield Static(Content("\n").join(plain(line) for line in overview_lines(report, d)))
            for w in d.warnings:
                yield Static(plain(f"Warning: {w}", "$text-warning"), classes="group-warning")
            yield Static(plain("Endings", "bold"), classes="section")
            yield Static(Content("\n").join(
                Content.assemble(_bar(c, {"strong": "$success", "weak": "$error"}.get(e.rating or "", "$warning")),
                                 (f"  {count_text(c):>10}  ", "bold"), clean(f"{e.title} [{e.rating or 'no rating'}]"))
                for e, c in d.endings
            ))
            yield Static(plain("Most common routes", "bold"), classes="section")
            yield Static(Content("\n").join(plain(f"{r.count} × {route_text(r)}") for r in d.routes)
                         if d.routes else plain("No route was taken by more than one playthrough.", "dim"))
            yield Static(plain("Meters at the end, per ending", "bold"), classes="section")
            for row in d.meters:
                values = ", ".join(f"{meter.label} {value:.1f}" for meter, value in row.averages)
                yield Static(plain(f"{row.ending.title} ({row.count}): {values}"))
            yield Static(plain("Shared reflections", "bold"), classes="section")
            for a in d.reflections:
                yield Static(plain(a.question, "italic"))
                yield Static(Content("\n").join(plain(f"  • {who + ': ' if who else ''}{ans}") for who, ans in a.answers))
            if not d.reflections:
                yield Static(plain("No player shared a reflection.", "dim"))
            if report.skipped:
                yield Static(plain(f"{len(report.skipped)} files not counted (listed when the command ends)", "dim"),
                             classes="section")
        yield Static(plain("Enter: decisions   p: presenter mode   n: next version   q: quit", "dim"), id="group-keys")

    def action_decisions(self) -> None:
        if self.app.report.debriefs and self.app.report.debriefs[self.debrief_index].decisions:
            self.app.push_screen(DecisionScreen(0, self.debrief_index))

    def action_present(self) -> None:
        if self.app.report.debriefs and self.app.report.debriefs[self.debrief_index].decisions:
            self.app.push_screen(PresenterScreen(0, self.debrief_index))

    def action_next_version(self) -> None:
        count = len(self.app.report.debriefs)
        if count > 1:
            self.app.switch_screen(OverviewScreen((self.debrief_index + 1) % count))


class DecisionScreen(_GroupScreen):
    """One decision: the split, the times, the coaching notes, the discussion."""

    BINDINGS = [("left", "move(-1)", ""), ("right", "move(1)", ""), ("p", "present", ""), ("escape", "back", "")]

    def compose(self) -> ComposeResult:
        d = self.debrief
        dec = d.decisions[self.index]
        with VerticalScroll(id="group"):
            yield Static(plain(f"Decision {dec.number} of {len(d.decisions)}: {dec.scene.id} ({dec.speaker})", "bold"),
                         classes="group-title")
            yield Static(story(dec.scene.text), classes="group-question")
            yield Static(Content("\n").join(_split(dec)), id="split")
            yield Static(plain(f"{reach_text(d, dec)} {timing_text(dec)}", "dim"))
            notes = [o for o in dec.options if o.choice.coaching]
            if notes:
                yield Static(plain("Coaching notes", "bold"), classes="section")
                for o in notes:
                    yield Static(Content.assemble((clean(o.choice.text), "italic"), " ", clean(o.choice.coaching)))
            if dec.prompts:
                yield Static(plain("For discussion", "bold"), classes="section")
                for c in dec.prompts:
                    yield Static(plain(prompt_text(c)))
        yield Static(plain("← →: decisions   p: presenter mode   Esc: overview   q: quit", "dim"), id="group-keys")

    def action_move(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.debrief.decisions):
            self.app.switch_screen(DecisionScreen(target, self.debrief_index))

    def action_present(self) -> None:
        self.app.switch_screen(PresenterScreen(self.index, self.debrief_index))

    def action_back(self) -> None:
        self.app.pop_screen()


class PresenterScreen(_GroupScreen):
    """For a projector: the question, and the split only on Space, so the room
    discusses before it sees the numbers."""

    BINDINGS = [("space,enter", "reveal", ""), ("left", "move(-1)", ""), ("right", "move(1)", ""), ("escape", "back", "")]

    def compose(self) -> ComposeResult:
        d = self.debrief
        dec = d.decisions[self.index]
        with VerticalScroll(id="presenter"):
            yield Static(plain(f"Decision {dec.number} of {len(d.decisions)}", "bold"), classes="group-title")
            yield Static(story(dec.scene.text), classes="presenter-question")
            yield Static(Content("\n\n").join(plain(f"{i}. {o.choice.text}", "bold") for i, o in enumerate(dec.options, 1)),
                         id="choices-only")
            split = Static(Content("\n\n").join(_split(dec)), id="split")
            split.display = False
            yield split
        yield Static(plain("Space: show the group's split   ← →: decisions   Esc: back", "dim"), id="group-keys")

    @property
    def revealed(self) -> bool:
        return self.query_one("#split").display

    def action_reveal(self) -> None:
        self.query_one("#split").display = True
        self.query_one("#choices-only").display = False

    def action_move(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.debrief.decisions):
            self.app.switch_screen(PresenterScreen(target, self.debrief_index))

    def action_back(self) -> None:
        self.app.pop_screen()
