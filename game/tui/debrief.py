"""The personal debrief: the path, the alternatives, the concepts, the reflection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Static, Switch

from game.core.text import clean, typed
from game.render.i18n import decimal, tr
from game.tui.base import KoersScreen
from game.tui.styled import plain

if TYPE_CHECKING:
    from game.debrief.personal import PersonalDebrief
    from game.play.session import PlaySession


class DebriefScreen(KoersScreen):
    BINDINGS = [("escape", "back", ""), ("e", "export", ""), ("x", "export_record", ""), ("r", "reflect", "")]

    class ReplayFrom(Message):
        """The player wants to take decision ``step`` (from 0) again, in a new playthrough."""

        def __init__(self, session: PlaySession, step: int) -> None:
            super().__init__()
            self.session, self.step = session, step

    def __init__(self, session: PlaySession) -> None:
        super().__init__()
        self.session = session
        self.scenario = session.scenario
        self.exported: Path | None = None

    def t(self, key: str, **values: object) -> str:
        """The debrief speaks the scenario's language, as its play screen did."""
        return tr(self.scenario.language, key, **values)

    def compose(self) -> ComposeResult:
        from game.render.personal import chart, format_effects, leads

        t, lang = self.t, self.scenario.language
        d = self.debrief()
        yield Static(id="unsaved", classes="unsaved", markup=False)
        with VerticalScroll(id="debrief"):
            yield Static(plain(f"{t('debrief.title')}: {d.title}", "bold"), classes="debrief-title")
            heading = t("debrief.ending", title=d.ending_title)
            if d.rating:
                heading += "  ·  " + t("debrief.rating", rating=t(f"rating.{d.rating}"))
            yield Static(plain(heading, f"bold {_rating_style(d.rating)}"), classes="section")
            yield Static(plain(d.ending_text))

            yield Static(plain(t("debrief.timeline"), "bold"), classes="section")
            for n, dec in enumerate(d.decisions, 1):
                timing = t("debrief.time", seconds=decimal(lang, dec.ms / 1000))
                if dec.timed_out:
                    timing += f" · {t('debrief.timeout')}"
                parts = [
                    Content.assemble((f"{t('debrief.decision', n=n)}  ", "bold"),
                                     (timing, "bold $text-warning" if dec.timed_out else "dim")),
                    plain(f"{dec.speaker}: {dec.prompt}" if dec.speaker else dec.prompt, "italic"),
                    Content.assemble((f"{t(dec.chose_key)}: ", "bold"), clean(dec.chosen + format_effects(dec.effects))),
                ]
                if dec.consequence:
                    parts.append(plain(dec.consequence))
                with Vertical(classes="decision"):
                    yield Static(Content("\n").join(parts))
                    if dec.alternatives:
                        yield Static(plain(f"{t('debrief.alternatives')}:", "bold"))
                    for a in dec.alternatives:
                        note = "" if a.available else f" ({t('debrief.not_available')})"
                        lines = [plain(f"{a.text}{note}{leads(a)}{format_effects(a.effects)}")]
                        if a.consequence:
                            lines.append(plain(a.consequence, "dim"))
                        if a.tempts:
                            lines.append(Content.assemble((f"{t('debrief.tempts')}: ", "dim bold"), (clean(a.tempts), "dim")))
                        with Horizontal(classes="alternative"):  # wrapped lines stay clear of the bullet
                            yield Static(plain("•"), classes="bullet")
                            yield Static(Content("\n").join(lines))
                    if dec.coaching:
                        yield Static(Content.assemble((f"{t(dec.coaching_key)}: ", "bold $text-success"), clean(dec.coaching)))
                    yield Button(Content(t("debrief.replay", n=n)), id=f"replay-{dec.step}", compact=True)

            if d.concepts:
                yield Static(plain(t("debrief.concepts"), "bold"), classes="section")
                for c in d.concepts:
                    lines = [plain(c.name, "bold"),
                             Content.assemble((f"{t('debrief.what')}: ", "dim"), c.what),
                             Content.assemble((f"{t('debrief.how')}: ", "dim"), c.how),
                             Content.assemble((f"{t('debrief.why')}: ", "dim"), c.why)]
                    if c.source:
                        lines.append(Content.assemble((f"{t('debrief.source')}: ", "dim"), c.source))
                    yield Static(Content("\n").join(lines), classes="concept")

            for heading, meters in d.meter_groups():
                yield Static(plain(t(heading), "bold"), classes="section")
                yield Static(plain("\n".join(chart(meters))), classes="chart")

            if d.reflections:
                yield Static(plain(t("debrief.reflection"), "bold"), classes="section")
                for i, q in enumerate(d.reflections):
                    yield Static(plain(q.question))
                    yield Input(clean(q.answer), placeholder=t("debrief.answer"), id=f"answer-{i}", max_length=2000)
                    with Horizontal(classes="share"):
                        yield Switch(q.shared, id=f"shared-{i}")
                        yield Label(Content(t("debrief.shared" if q.shared else "debrief.private")), id=f"share-label-{i}")
            if d.transfer:
                yield Static(plain(t("debrief.transfer"), "bold"), classes="section")
                yield Static(plain(d.transfer))
            if not self.koers.room:  # a room's exports would land on the trainer's computer
                with Horizontal(classes="exports"):
                    yield Button(Content(t("debrief.export")), id="export", variant="primary")
                    yield Button(Content(t("debrief.export_record")), id="export-record")
        yield Static(id="exported", markup=False)
        yield Static(plain(self.koers.tr("debrief.hint")), id="hint")

    def action_back(self) -> None:
        """Escape leaves an answer first, then the debrief."""
        if isinstance(self.focused, Input):
            self.set_focus(None)
        else:
            self.koers.action_library()

    def action_reflect(self) -> None:
        """Straight to the first answer, past the replay buttons."""
        answers = self.query(Input)
        if answers:
            answers.first().focus()

    def debrief(self) -> PersonalDebrief:
        from game.debrief.personal import PersonalDebrief

        return PersonalDebrief.build(self.scenario, self.session.run, self.session.playthrough)

    # -- reflections -------------------------------------------------------

    def _store(self, index: int) -> None:
        answer = typed(self.query_one(f"#answer-{index}", Input).value)
        shared = self.query_one(f"#shared-{index}", Switch).value
        self.session.reflect(index, answer, shared)
        self.show_unsaved()

    def on_mount(self) -> None:
        self.show_unsaved()

    def show_unsaved(self) -> None:
        unsaved = self.query_one("#unsaved", Static)
        unsaved.update(plain(self.koers.unsaved or ""))
        unsaved.display = self.koers.unsaved is not None

    @on(Input.Changed)
    def answer_changed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("answer-"):
            self._store(int(event.input.id.removeprefix("answer-")))

    @on(Switch.Changed)
    def shared_changed(self, event: Switch.Changed) -> None:
        if event.switch.id and event.switch.id.startswith("shared-"):
            index = int(event.switch.id.removeprefix("shared-"))
            label = "debrief.shared" if event.value else "debrief.private"
            self.query_one(f"#share-label-{index}", Label).update(Content(self.t(label)))
            self._store(index)

    # -- replay and export -------------------------------------------------

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id == "export":
            self.action_export()
        elif button_id == "export-record":
            self.action_export_record()
        elif button_id.startswith("replay-"):
            self.post_message(self.ReplayFrom(self.session, int(button_id.removeprefix("replay-"))))

    def action_export(self) -> None:
        """Write the debrief as Markdown, readable by the player only, to their
        documents (never the saves folder: it holds their private answers)."""
        from game.render.personal import to_markdown

        self._export(".md", lambda: to_markdown(self.debrief(), self.scenario.language))

    def action_export_record(self) -> None:
        """Write the player's learning record (their xAPI statements) beside the debrief exports."""
        from game.authoring.library import bundled_dir
        from game.render.xapi import own_record

        folders = [*([bundled_dir()] if self.koers.bundled else []), *self.koers.scenario_dirs]
        self._export(".xapi.json", lambda: own_record(self.session.playthrough, self.scenario, folders))

    def _export(self, suffix: str, text: Callable[[], str]) -> None:
        from game.core.files import write_private
        from game.render.xapi import Unfit

        if self.koers.room:
            self.koers.notify(self.koers.tr("room.no_export"), markup=False)
            return
        stamp = datetime.now().strftime("%Y-%m-%d-%H%M")
        try:
            path = write_private(self.koers.exports_dir, f"debrief-{self.scenario.id}-{stamp}", suffix, text())
        except (OSError, Unfit) as exc:
            reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
            self.koers.notify(self.koers.tr("debrief.export_failed", reason=reason), severity="error", markup=False)
            return
        self.exported = Path(path)
        notice = self.query_one("#exported", Static)
        notice.update(Content("\n").join([plain(self.koers.tr("debrief.exported"), "bold"), plain(path)]))
        notice.display = True


def _rating_style(rating: str | None) -> str:
    return {"strong": "$text-success", "mixed": "$text-warning", "weak": "$text-error"}.get(rating or "", "")
