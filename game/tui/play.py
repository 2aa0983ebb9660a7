"""The play screen: a scene, its speaker, the shown meters and the choices.

It shows a :class:`PlaySession` and passes the player's keys to it; the
session records, saves and keeps the time. It speaks the scenario's
language, whatever the interface's: a Dutch scenario never shows "What happened".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.core.text import clean, paragraphs
from game.render.i18n import tr
from game.tui.base import KoersScreen
from game.tui.styled import paragraph, plain, story

if TYPE_CHECKING:
    from game.play.session import PlaySession

TICK = 0.1
HOLD_TICK = 0.5  # seconds between looks at the room's holds
GRACE = 0.6  # seconds after a new scene in which keys are ignored: long enough to see it changed
URGENT = 10  # the countdown's last seconds, shown as urgent


class PlayScreen(KoersScreen):
    BINDINGS = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("escape", "app.library", show=False),
        # The choices keep the focus; the page keys scroll the story, not the highlight.
        Binding("pageup", "scroll_story(-1)", show=False, priority=True),
        Binding("pagedown", "scroll_story(1)", show=False, priority=True),
    ]

    class Finished(Message):
        """The player asked for the debrief of the finished playthrough."""

        def __init__(self, session: PlaySession) -> None:
            super().__init__()
            self.session = session

    def __init__(self, session: PlaySession, typical: int | None = None) -> None:
        super().__init__()
        self.session = session
        self.typical = typical  # decisions on a typical path, for "4 / ~10"
        self.lang = session.scenario.language
        self.ready_at = 0.0  # keys before this moment belong to the scene before
        self.chosen_here = False  # whether the consequence of the last choice is news
        self.held = False  # in a room: the trainer holds this decision; the player waits, and the clock stops

    def t(self, key: str, **values: object) -> str:
        return tr(self.lang, key, **values)

    def compose(self) -> ComposeResult:
        with Horizontal(id="header"):
            yield Static(id="meters", markup=False)
            yield Static(id="progress", markup=False)
        yield Static(id="unsaved", classes="unsaved", markup=False)
        with VerticalScroll(id="story"):
            yield Static(id="consequence", markup=False)
            yield Static(id="speaker", markup=False)
            yield Static(id="text", markup=False)
        yield Static(id="countdown", markup=False)
        yield Static(id="held", markup=False)
        yield OptionList(id="choices")
        yield Static(id="hint", markup=False)

    def on_mount(self) -> None:
        self.show()
        self.set_interval(TICK, self.tick)
        if self.koers.room:
            self.set_interval(HOLD_TICK, self.look_at_holds)
        self.watch(self.koers, "prefs", lambda _prefs: self.show(), init=False)

    def on_screen_suspend(self) -> None:
        # Help or settings on top: the clock stops, so reading the keys costs no time.
        self.session.timer.pause()

    def on_screen_resume(self) -> None:
        if not self.held:
            self.session.timer.go_on()

    def look_at_holds(self) -> None:
        """Wait while the trainer holds this decision; go on, with a fresh moment to see it, once it opens."""
        from game.play.room import hold_key, read_holds

        run = self.session.run
        held = (self.koers.room and not run.finished and run.scene is not None and run.scene.is_decision
                and hold_key(self.session.scenario.id, run.at) in read_holds(self.koers.saves_dir))
        if held == self.held:
            return
        self.held = held
        if held:
            self.session.timer.pause()
        elif self.app.screen is self:  # help on top keeps the clock stopped until it closes
            self.session.timer.go_on()
        self.ready_at = self.koers.clock() + GRACE
        notice = self.query_one("#held", Static)
        notice.update(plain(self.t("play.held"), "bold $text-warning"))
        notice.display = held
        self.query_one("#choices", OptionList).display = not held
        self.render_countdown()

    # -- showing -----------------------------------------------------------

    def show(self) -> None:
        session, run, scenario = self.session, self.session.run, self.session.scenario
        unsaved = self.query_one("#unsaved", Static)
        unsaved.update(plain(self.koers.unsaved or ""))
        unsaved.display = self.koers.unsaved is not None
        # One line, never wrapped: labels are cut (with …) before the header takes a second line.
        meters = [f"{m.label} {run.meters[k]}" for k, m in scenario.meters.items() if m.shown]
        self.query_one("#meters", Static).update(plain("   ".join([scenario.title, "  ·  ".join(meters)]).rstrip()))
        decision = 1 + sum(scenario.scenes[s.scene].is_decision for s in run.steps)
        progress = f"{decision} / ~{self.typical}" if self.typical and not run.finished else ""
        self.query_one("#progress", Static).update(plain(progress))

        before: list[Content] = []
        last, outcome = run.last_choice, run.last_outcome
        if not self.chosen_here:  # resumed: what was said before leaving, then what happened last
            from game.render.wording import note

            before += [plain(f"{self.t('play.notes')}: {note(self.lang, fact)}", "italic") for fact in session.notes]
        if session.timed_out and last is not None:
            before.append(plain(self.t("play.timed_out", choice=" ".join(paragraphs(last.text))), "bold $text-warning"))
        if outcome is not None and outcome.consequence.strip():
            before.append(plain(self.t("play.consequence"), "bold $text-secondary"))
            before += [paragraph(p, "italic") for p in paragraphs(outcome.consequence)]
        consequence = self.query_one("#consequence", Static)
        consequence.update(Content("\n").join(before))
        consequence.display = bool(before)

        choices = self.query_one("#choices", OptionList)
        speaker = self.query_one("#speaker", Static)
        self.query_one("#text", Static).update(story(run.text))
        if run.ending is not None:
            speaker.update(plain(run.ending.title, "bold $text-accent"))
            choices.set_options([Option(plain(self.t("debrief.title")), id="debrief")])
            self.query_one("#hint", Static).update(plain(self.t("play.to_debrief")))
        else:
            assert run.scene is not None  # a run that has not finished stands at a scene
            character = scenario.characters.get(run.scene.speaker)
            name = clean(character.name) if character else run.scene.speaker
            role = f"  {clean(character.role)}" if character and character.role else ""
            speaker.update(Content.assemble((name, "bold $text-accent"), (role, "dim")))
            options = [
                Option(Content.assemble((f"{n}. ", "bold"), paragraph(" ".join(paragraphs(c.text)))), id=c.id)
                for n, c in enumerate(run.choices, 1)
            ]
            choices.set_options(options)
            n = len(options)
            self.query_one("#hint", Static).update(plain(self.t("play.choose", n=n) if n > 1 else self.t("play.continue")))
        choices.highlighted = 0
        choices.focus()
        self.ready_at = self.koers.clock() + GRACE
        self.held = False
        self.query_one("#held", Static).display = False
        choices.display = True
        self.look_at_holds()  # before the choices are seen: a held decision never shows them
        self.render_countdown()

    def render_countdown(self) -> None:
        countdown = self.query_one("#countdown", Static)
        left = self.session.timer.left()
        countdown.display = left is not None and not self.held
        if left is not None:
            seconds = math.ceil(left)
            countdown.set_class(seconds <= URGENT, "urgent")
            countdown.update(plain(self.t("play.countdown", seconds=seconds), "bold"))

    def tick(self) -> None:
        if self.session.tick():
            self.after_step()
        elif self.session.timer.running:
            self.render_countdown()

    # -- acting ------------------------------------------------------------

    def action_scroll_story(self, direction: int) -> None:
        story = self.query_one("#story", VerticalScroll)
        (story.scroll_page_down if direction > 0 else story.scroll_page_up)(animate=False)

    def ready(self) -> bool:
        """Whether a key now is meant for this scene, not pressed as the one before it ended."""
        return not self.held and self.koers.clock() >= self.ready_at

    def action_pick(self, number: int) -> None:
        choices = self.query_one("#choices", OptionList)
        if self.ready() and 1 <= number <= choices.option_count:
            self.decide(choices.get_option_at_index(number - 1).id or "")

    @on(OptionList.OptionSelected, "#choices")
    def selected(self, event: OptionList.OptionSelected) -> None:
        if self.ready():
            self.decide(event.option.id or "")

    def decide(self, choice_id: str) -> None:
        from game.core.run import RunError

        if self.session.run.finished:
            self.post_message(self.Finished(self.session))
            return
        try:
            self.session.choose(choice_id)
        except RunError as exc:  # only a scenario that was never validated gets here
            self.koers.cannot_go_on(exc)
            return
        self.after_step()

    def after_step(self) -> None:
        self.chosen_here = True
        self.show()
        self.query_one("#story", VerticalScroll).scroll_home(animate=False)
