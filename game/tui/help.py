"""The keys, on ? or F1."""

from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from game.render.i18n import tr

KEYS = (
    ("1–9", "key.choose"),
    ("↑ ↓", "key.move"),
    ("Enter", "key.confirm"),
    ("PgUp PgDn", "key.scroll"),
    ("? F1", "key.help"),
    ("r", "key.reflect"),
    ("e", "key.export"),
    ("x", "key.export_record"),
    ("Del", "key.discard"),
    ("s", "key.settings"),
    ("Esc", "key.back"),
    ("q", "key.quit"),
    ("Ctrl+P", "key.palette"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape,question_mark,f1,q", "dismiss", "")]

    def __init__(self, lang: str, keys: tuple[tuple[str, str], ...] = KEYS) -> None:
        super().__init__()
        self.lang, self.keys = lang, keys

    def compose(self) -> ComposeResult:
        t = partial(tr, self.lang)
        rows = [Content.assemble((f"{key:>9}  ", "bold"), t(what)) for key, what in self.keys]
        with Vertical(id="help", classes="dialog"):
            yield Static(Content.styled(t("help.title"), "bold"), classes="dialog-title")
            yield Static(Content("\n").join(rows))
            yield Static(Content.styled(t("help.close"), "dim"), classes="dialog-foot")
