"""Small questions: who is playing, and the settings."""

from __future__ import annotations

from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from game.core.vocab import LANGUAGES, TIMERS
from game.render.i18n import tr
from game.core.text import clean, typed_name

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


class Option(RadioButton):
    """A radio button whose mark says whether it is chosen, not its colour
    alone: on a projector or to a colour-blind eye the colours are alike."""

    def render(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else " "
        return super().render()


class NameScreen(ModalScreen[tuple[str, str | None, str] | None]):
    """Asks once for a name or pseudonym, an optional session code, and the
    language (preselected from the system's), in the language chosen. With
    ``session_fixed`` (a workshop room) the session is the room's, not asked."""

    BINDINGS = [("escape", "cancel", "")]

    def __init__(self, player: str, session: str, lang: str, session_fixed: bool = False) -> None:
        super().__init__()
        self.player, self.session, self.lang = player, session, lang
        self.session_fixed = session_fixed

    def compose(self) -> ComposeResult:
        t = lambda key: tr(self.lang, key)  # noqa: E731
        with Vertical(id="name", classes="dialog"):
            yield Label(Content.styled(t("name.title"), "bold"), classes="dialog-title")
            yield Label(Content(t("name.player")))
            yield Input(self.player, id="player", max_length=60)
            yield Static(id="needed", classes="needed")
            if not self.session_fixed:
                yield Label(Content(t("name.session")))
                yield Input(self.session, id="session", max_length=40)
            yield Label(Content(t("settings.language")))
            with RadioSet(id="lang"):
                for value in LANGUAGES:
                    yield Option(Content(LANGUAGE_NAMES[value]), value=value == self.lang, name=value)
            yield Button(Content(t("name.ok")), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#needed", Static).display = False
        self.query_one("#player", Input).focus()

    @on(RadioSet.Changed, "#lang")
    def lang_changed(self, event: RadioSet.Changed) -> None:
        if event.pressed.name and event.pressed.name != self.lang:
            self.player = self.query_one("#player", Input).value
            self.session = self.typed_session()
            self.lang = event.pressed.name
            self.refresh(recompose=True)  # the dialog in the language just chosen

    def typed_session(self) -> str:
        return self.session if self.session_fixed else self.query_one("#session", Input).value

    @on(Input.Submitted, "#player")
    def next_field(self) -> None:
        if self.session_fixed:
            self.done()
        elif self.named():
            self.query_one("#session", Input).focus()

    def named(self) -> bool:
        """Whether a name was given; if not, say that one is needed."""
        if typed_name(self.query_one("#player", Input).value):
            return True
        needed = self.query_one("#needed", Static)
        needed.update(Content(tr(self.lang, "name.needed")))
        needed.display = True
        self.query_one("#player", Input).focus()
        return False

    @on(Input.Submitted, "#session")
    @on(Button.Pressed, "#ok")
    def done(self) -> None:
        if not self.named():
            return
        player = typed_name(self.query_one("#player", Input).value)
        session = typed_name(self.typed_session()) or None
        self.dismiss((player, session, self.lang))

    def action_cancel(self) -> None:
        self.dismiss(None)


class SettingsScreen(ModalScreen[tuple[str, str] | None]):
    """Timers on, slow or off, and the interface language; answered on close."""

    BINDINGS = [("escape,s", "close", "")]

    def __init__(self, timers: str, lang: str) -> None:
        super().__init__()
        self.timers, self.lang = timers, lang

    def compose(self) -> ComposeResult:
        with Vertical(id="settings", classes="dialog"):
            yield Label(Content.styled(tr(self.lang, "settings.title"), "bold"), classes="dialog-title")
            yield Label(Content(tr(self.lang, "settings.timers")))
            with RadioSet(id="timers"):
                for setting in TIMERS:
                    yield Option(Content(tr(self.lang, f"timers.{setting}")), value=setting == self.timers, name=setting)
            yield Label(Content(tr(self.lang, "settings.language")))
            with RadioSet(id="lang"):
                for value in LANGUAGES:
                    yield Option(Content(LANGUAGE_NAMES[value]), value=value == self.lang, name=value)
            yield Button(Content(tr(self.lang, "settings.close")), id="close", variant="primary")

    @on(RadioSet.Changed, "#timers")
    def timers_changed(self, event: RadioSet.Changed) -> None:
        self.timers = event.pressed.name or self.timers

    @on(RadioSet.Changed, "#lang")
    def lang_changed(self, event: RadioSet.Changed) -> None:
        if event.pressed.name and event.pressed.name != self.lang:
            self.lang = event.pressed.name
            self.refresh(recompose=True)  # the dialog in the language just chosen

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss((self.timers, self.lang))


class LockedScreen(ModalScreen[bool]):
    """The playthrough asked for is open in another Koers: offer a new one."""

    BINDINGS = [("escape", "back", "")]

    def __init__(self, title: str, lang: str) -> None:
        super().__init__()
        self.scenario_title, self.lang = title, lang

    def compose(self) -> ComposeResult:
        t = partial(tr, self.lang)
        with Vertical(id="locked", classes="dialog"):
            yield Label(Content.styled(t("lock.title"), "bold"), classes="dialog-title")
            yield Static(Content(t("lock.text", title=clean(self.scenario_title))))
            yield Button(Content(t("lock.new")), id="new", variant="primary")
            yield Button(Content(t("lock.back")), id="back")

    @on(Button.Pressed, "#new")
    def new(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(False)


class LinesScreen(ModalScreen[None]):
    """Lines to read, such as a file's problems, and a button to close."""

    BINDINGS = [("escape", "close", "")]

    def __init__(self, title: str, lines: list[str], lang: str) -> None:
        super().__init__()
        self.heading, self.lines, self.lang = title, lines, lang

    def compose(self) -> ComposeResult:
        with Vertical(id="lines", classes="dialog wide"):
            yield Label(Content.styled(self.heading, "bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(Content("\n").join(Content(clean(line)) for line in self.lines))
            yield Button(Content(tr(self.lang, "dialog.close")), id="close", variant="primary")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes-or-no question; No is the button that has the focus."""

    BINDINGS = [("escape", "no", "")]

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Static(Content(self.question))
            yield Button(Content(self.no), id="no", variant="primary")
            yield Button(Content(self.yes), id="yes", variant="error")

    @on(Button.Pressed, "#yes")
    def answer_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)
