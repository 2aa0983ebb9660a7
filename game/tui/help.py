"""The keys, on ? or F1."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("1–9", "key.choose"),
    ("↑ ↓", "key.move"),
    ("Enter", "key.confirm"),
    ("PgUp PgDn", "key.scroll"),
    ("? F1", "key.help"),
    ("r", "key.reflect"),
    ("e", "key.export"),
    ("Del", "key.discard"),
    ("s", "key.settings"),
    ("Esc", "key.back"),
    ("q", "key.quit"),
    ("Ctrl+P", "key.palette"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,question_mark,f1,q", "dismiss", "")]

    def compose(self) -> ComposeResult:
        tr = self.app.tr
        rows = [Content.assemble((f"{key:>9}  ", "bold"), tr(what)) for key, what in KEYS]
        with Vertical(id="help", classes="dialog"):
            yield Static(Content.styled(tr("help.title"), "bold"), classes="dialog-title")
            yield Static(Content("\n").join(rows))
            yield Static(Content.styled(tr("help.close"), "dim"), classes="dialog-foot")
