"""The play screen: a scene, its speaker, the shown meters and the choices."""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from game.model import Scenario
from game.run import Run, RunError
from game.saves import Playthrough, Settings
from game.text import clean, paragraphs
from game.ui.styled import paragraph, plain, story

TIMER_FACTOR = {"on": 1.0, "slow": 2.0}
TICK = 0.1


class PlayScreen(Screen[None]):
    BINDINGS = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("escape", "app.library", show=False),
        # The choices keep the focus, so the story scrolls by page keys (and the mouse wheel).
        Binding("pageup", "scroll_story(-1)", show=False),
        Binding("pagedown", "scroll_story(1)", show=False),
    ]

    def __init__(self, scenario: Scenario, playthrough: Playthrough, run: Run, notes: list[str]) -> None:
        super().__init__()
        self.scenario, self.playthrough, self.run, self.notes = scenario, playthrough, run, notes
        self.deadline: float | None = None
        self.shown_at = 0.0
        self.paused_at: float | None = None
        self.timed_out = False
        self.chosen_here = False  # whether the consequence of the last choice is news

    def compose(self) -> ComposeResult:
        yield Static(id="meters", markup=False)
        yield Static(id="unsaved", classes="unsaved", markup=False)
        with VerticalScroll(id="story"):
            yield Static(id="consequence", markup=False)
            yield Static(id="speaker", markup=False)
            yield Static(id="text", markup=False)
        yield Static(id="countdown", markup=False)
        yield OptionList(id="choices")
        yield Static(id="hint", markup=False)

    def on_mount(self) -> None:
        self.start_timer()
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
        app, run = self.app, self.run
        unsaved = self.query_one("#unsaved", Static)
        unsaved.update(plain(app.unsaved or ""))
        unsaved.display = app.unsaved is not None
        meters = [f"{m.label} {run.meters[k]}" for k, m in self.scenario.meters.items() if m.shown]
        self.query_one("#meters", Static).update(plain(f"{self.scenario.title}   " + "  ·  ".join(meters)))

        before: list[Content] = []
        if not self.chosen_here:
            before += [plain(f"{app.tr('play.notes')}: {note}", "italic") for note in self.notes]
        else:
            last, outcome = run.last_choice, run.last_outcome
            if self.timed_out and last is not None:
                before.append(plain(app.tr("play.timed_out", choice=" ".join(paragraphs(last.text))), "bold $text-warning"))
            if outcome is not None and outcome.consequence.strip():
                before.append(plain(app.tr("play.consequence"), "bold $text-secondary"))
                before += [paragraph(p, "italic") for p in paragraphs(outcome.consequence)]
        consequence = self.query_one("#consequence", Static)
        consequence.update(Content("\n").join(before))
        consequence.display = bool(before)

        choices = self.query_one("#choices", OptionList)
        speaker = self.query_one("#speaker", Static)
        if run.finished:
            ending = run.ending
            speaker.update(plain(ending.title, "bold $text-accent"))
            self.query_one("#text", Static).update(story(run.text))
            choices.set_options([Option(plain(app.tr("debrief.title")), id="debrief")])
            self.query_one("#hint", Static).update(plain(app.tr("play.to_debrief")))
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
            self.query_one("#hint", Static).update(
                plain(app.tr("play.choose", n=n) if n > 1 else app.tr("play.continue"))
            )
        choices.highlighted = 0
        choices.focus()
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
            countdown.update(plain(self.app.tr("play.countdown", seconds=left), "bold"))

    def tick(self) -> None:
        if self.deadline is None or self.paused_at is not None:
            return
        if self.app.clock() >= self.deadline:
            self.deadline = None
            self.act(lambda: self.run.time_out(self.elapsed_ms()), timed_out=True)
        else:
            self.render_countdown()

    def elapsed_ms(self) -> int:
        return int((self.app.clock() - self.shown_at) * 1000)

    # -- acting ------------------------------------------------------------

    def action_scroll_story(self, direction: int) -> None:
        story = self.query_one("#story", VerticalScroll)
        (story.scroll_page_down if direction > 0 else story.scroll_page_up)(animate=False)

    def action_pick(self, number: int) -> None:
        choices = self.query_one("#choices", OptionList)
        if 1 <= number <= choices.option_count:
            self.decide(choices.get_option_at_index(number - 1).id)

    @on(OptionList.OptionSelected, "#choices")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.decide(event.option.id)

    def decide(self, choice_id: str) -> None:
        if self.run.finished:
            from game.ui.debrief import DebriefScreen

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
