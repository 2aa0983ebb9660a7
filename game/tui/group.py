"""The facilitator view of a group debrief: `koers debrief PATH...` in a terminal.

The app only shows a :class:`game.debrief.group.Report` that the engine has already
counted; it reads no file itself, so tests build it from fixtures.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from game.debrief.report import Report
from game.render.i18n import tr


class GroupApp(App[None]):
    CSS_PATH = "group.tcss"
    TITLE = "Koers: group debrief"
    BINDINGS = [("q", "quit", "")]

    def __init__(self, report: Report) -> None:
        super().__init__()
        self.report = report

    def status(self) -> str | None:
        """A line about the room on every view, for a room that is playing now."""
        return None

    def compose(self) -> ComposeResult:
        if not self.report.debriefs:  # `koers debrief` prints instead; a caller of the factory may not
            yield Static(tr(self.report.language, "group.none"), markup=False)

    def on_mount(self) -> None:
        from game.tui.group_screens import OverviewScreen

        if self.report.debriefs:
            self.push_screen(OverviewScreen(0))


def make_group_app(report: Report) -> GroupApp:
    return GroupApp(report)
