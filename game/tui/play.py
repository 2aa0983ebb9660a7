"""The play screen: a scene, its speaker, the shown meters and the choices.

It speaks the scenario's language, whatever the interface's: a Dutch
scenario never shows "What happened".
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.render.i18n import tr
from game.core.model import Scenario
from game.core.run import Run, RunError
from game.saves.codec import Playthrough, Settings
from game.core.text import clean, paragraphs
from game.tui.styled import paragraph, plain, story

TIMER_FACTOR = {"on": 1.0, "slow": 2.0}
TICK = 0.1
GRACE = 0.6  # seconds after a new scene in which keys are ignored: long enough to see it changed
URGENT = 10  # the countdown's last seconds, shown as urgent
LEAST_LEFT = 5  # seconds a resumed decision keeps at least, however long it was left open


class PlayScreen(Screen[None]):
    BINDINGS = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("escape", "app.library", show=False),
        # The choices keep the focus; the page keys scroll the story, not the highlight.
        Binding("pageup", "scroll_story(-1)", show=False, priority=True),
        Binding("pagedown", "scroll_story(1)", show=False, priority=True),
    ]

    def __init__(self, scenario: Scenario, playthrough: Playthrough, run: Run, notes: list[str],
                 typical: int | None = None) -> None:
        super().__init__()
        self.scenario, self.playthrough, self.run, self.notes = scenario, playthrough, run, notes
        self.typical = typical  # decisions on a typical path, for "4 / ~10"
        self.lang = scenario.language
        self.deadline: float | None = None
        self.shown_at = 0.0
        self.ready_at = 0.0  # keys before this moment belong to the scene before
        self.paused_at: float | None = None
        self.timed_out = False
        self.chosen_here = False  # whether the consequence of the last choice is news

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
        yield OptionList(id="choices")
        yield Static(id="hint", markup=False)

    def on_mount(self) -> None:
        waited = self.playthrough.waited_ms / 1000
        self.start_timer(self.app.clock() - waited)
        if waited and self.deadline is not None:  # the time that was left, but never less than a moment to read
            self.deadline = max(self.deadline, self.app.clock() + LEAST_LEFT)
        self.show()
        self.set_interval(TICK, self.tick)

    def on_screen_suspend(self) -> None:
        # Help or settings on top: the clock stops, so reading the keys costs no time.
        self.paused_at = self.app.clock()

    def on_screen_resume(self) -> None:
        if self.paused_at is not None:
            pause = self.app.clock() - self.paused_at
            self.shown_at += pause
            if self.deadline is not None:
                self.deadline += pause
            self.paused_at = None

    def leave(self) -> Playthrough:
        """The playthrough as the player leaves it: with the time already spent
        at this decision, so that its timer goes on where it was."""
        if not self.run.finished:
            self.playthrough = self.playthrough.waiting(self.elapsed_ms())
        return self.playthrough

    def settings_changed(self) -> None:
        timers, before = self.app.prefs.timers, self.playthrough.settings.timers
        if timers != before:
            self.playthrough = attrs.evolve(self.playthrough, settings=Settings(timers=timers))
            self.app.keep(self.playthrough)
            # From on to slow the time already spent counts; a timer switched on starts now.
            shown_at = self.shown_at
            self.start_timer(shown_at if before != "off" else self.app.clock())
            self.shown_at = shown_at
        self.show()

    # -- showing -----------------------------------------------------------

    def show(self) -> None:
        run = self.run
        unsaved = self.query_one("#unsaved", Static)
        unsaved.update(plain(self.app.unsaved or ""))
        unsaved.display = self.app.unsaved is not None
        # One line, never wrapped: labels are cut (with …) before the header takes a second line.
        meters = [f"{m.label} {run.meters[k]}" for k, m in self.scenario.meters.items() if m.shown]
        self.query_one("#meters", Static).update(plain("   ".join([self.scenario.title, "  ·  ".join(meters)]).rstrip()))
        decision = 1 + sum(self.scenario.scenes[s.scene].is_decision for s in run.steps)
        progress = f"{decision} / ~{self.typical}" if self.typical and not run.finished else ""
        self.query_one("#progress", Static).update(plain(progress))

        before: list[Content] = []
        last, outcome = run.last_choice, run.last_outcome
        if not self.chosen_here:  # resumed: what was said before leaving, then what happened last
            before += [plain(f"{self.t('play.notes')}: {note}", "italic") for note in self.notes]
        if self.timed_out and last is not None:
            before.append(plain(self.t("play.timed_out", choice=" ".join(paragraphs(last.text))), "bold $text-warning"))
        if outcome is not None and outcome.consequence.strip():
            before.append(plain(self.t("play.consequence"), "bold $text-secondary"))
            before += [paragraph(p, "italic") for p in paragraphs(outcome.consequence)]
        consequence = self.query_one("#consequence", Static)
        consequence.update(Content("\n").join(before))
        consequence.display = bool(before)

        choices = self.query_one("#choices", OptionList)
        speaker = self.query_one("#speaker", Static)
        if run.finished:
            speaker.update(plain(run.ending.title, "bold $text-accent"))
            self.query_one("#text", Static).update(story(run.text))
            choices.set_options([Option(plain(self.t("debrief.title")), id="debrief")])
            self.query_one("#hint", Static).update(plain(self.t("play.to_debrief")))
            self.deadline = None
        else:
            character = self.scenario.characters.get(run.scene.speaker)
            name = clean(character.name) if character else run.scene.speaker
            role = f"  {clean(character.role)}" if character and character.role else ""
            speaker.update(Content.assemble((name, "bold $text-accent"), (role, "dim")))
            self.query_one("#text", Static).update(story(run.text))
            options = [
                Option(Content.assemble((f"{n}. ", "bold"), paragraph(" ".join(paragraphs(c.text)))), id=c.id)
                for n, c in enumerate(run.choices, 1)
            ]
            choices.set_options(options)
            n = len(options)
            self.query_one("#hint", Static).update(plain(self.t("play.choose", n=n) if n > 1 else self.t("play.continue")))
        choices.highlighted = 0
        choices.focus()
        self.ready_at = self.app.clock() + GRACE
        self.render_countdown()

    def start_timer(self, shown_at: float | None = None) -> None:
        timer = self.run.timer
        factor = TIMER_FACTOR.get(self.playthrough.settings.timers)
        self.shown_at = self.app.clock() if shown_at is None else shown_at
        self.deadline = self.shown_at + timer.seconds * factor if timer is not None and factor else None

    def render_countdown(self) -> None:
        countdown = self.query_one("#countdown", Static)
        countdown.display = self.deadline is not None
        if self.deadline is not None:
            left = max(0, math.ceil(self.deadline - self.app.clock()))
            countdown.set_class(left <= URGENT, "urgent")
            countdown.update(plain(self.t("play.countdown", seconds=left), "bold"))

    def tick(self) -> None:
        if self.deadline is None or self.paused_at is not None:
            return
        if self.app.clock() >= self.deadline:
            self.deadline = None
            self.act(lambda: self.run.time_out(self.elapsed_ms()), timed_out=True)
        else:
            self.render_countdown()

    def elapsed_ms(self) -> int:
        return round((self.app.clock() - self.shown_at) * 1000)

    # -- acting ------------------------------------------------------------

    def action_scroll_story(self, direction: int) -> None:
        story = self.query_one("#story", VerticalScroll)
        (story.scroll_page_down if direction > 0 else story.scroll_page_up)(animate=False)

    def ready(self) -> bool:
        """Whether a key now is meant for this scene, not pressed as the one before it ended."""
        return self.app.clock() >= self.ready_at

    def action_pick(self, number: int) -> None:
        choices = self.query_one("#choices", OptionList)
        if self.ready() and 1 <= number <= choices.option_count:
            self.decide(choices.get_option_at_index(number - 1).id)

    @on(OptionList.OptionSelected, "#choices")
    def selected(self, event: OptionList.OptionSelected) -> None:
        if self.ready():
            self.decide(event.option.id)

    def decide(self, choice_id: str) -> None:
        if self.run.finished:
            from game.tui.debrief import DebriefScreen

            self.app.switch_screen(DebriefScreen(self.scenario, self.run, self.playthrough))
            return
        self.act(lambda: self.run.choose(choice_id, self.elapsed_ms()), timed_out=False)

    def act(self, step: Callable[[], Run], timed_out: bool) -> None:
        try:
            run = step()
        except RunError as exc:  # only a scenario that was never validated gets here
            self.app.cannot_go_on(exc)
            return
        self.advance(run, timed_out)

    def advance(self, run: Run, timed_out: bool) -> None:
        self.run, self.timed_out, self.chosen_here = run, timed_out, True
        self.playthrough = self.playthrough.record(run)
        self.app.keep(self.playthrough)
        self.start_timer()
        self.show()
        self.query_one("#story", VerticalScroll).scroll_home(animate=False)
