"""The personal debrief: what one player chose and what they could have chosen.

Built from a Scenario and a Run (and the Playthrough, for reflections and
settings) as a plain value; the Textual screen, the plain player and the
Markdown export all read the same value. All text in it is cleaned of control
characters; emphasis marks are removed, since the export and the plain player
show text as it is.
"""

from __future__ import annotations

import attrs

from game.core import model as m
from game.core.run import Run
from game.saves.playthrough import Playthrough
from game.core.text import clean, excerpt, flat, paragraphs, plain


@attrs.frozen
class Alternative:
    text: str
    leads_to: str  # an ending's title, the start of the scene it opens, or "" for where the chosen one led
    ending: bool
    effects: tuple[tuple[str, int], ...]  # (meter label, change)
    available: bool  # whether the player could have picked it at that moment
    consequence: str = ""  # what the story would have shown
    tempts: str = ""  # for an option the scenario does not recommend: why a capable leader might pick it


@attrs.frozen
class Decision:
    step: int  # index into the run's steps: replay starts here
    scene: str
    speaker: str
    prompt: str
    chosen: str
    ms: int
    timed_out: bool
    consequence: str
    coaching: str
    effects: tuple[tuple[str, int], ...]
    alternatives: tuple[Alternative, ...]

    @property
    def chose_key(self) -> str:
        """How the debrief introduces what was taken: a timeout was not the player's choice."""
        return "debrief.ran_out" if self.timed_out else "debrief.you_chose"

    @property
    def coaching_key(self) -> str:
        return "debrief.what_it_does" if self.timed_out else "debrief.coaching"


@attrs.frozen
class ConceptNote:
    name: str
    what: str
    how: str
    why: str
    source: str


@attrs.frozen
class MeterLine:
    label: str
    min: int
    max: int
    values: tuple[int, ...]  # the start, then after every step
    decisions: tuple[int, ...] = ()  # for each value, the number of decisions taken by then
    shown: bool = True  # on screen during play; the others the player never saw


@attrs.frozen
class Question:
    question: str
    answer: str = ""
    shared: bool = False


@attrs.frozen
class PersonalDebrief:
    title: str
    player: str
    timers: str
    ending_title: str
    ending_text: str
    rating: str | None
    decisions: tuple[Decision, ...]
    concepts: tuple[ConceptNote, ...]
    meters: tuple[MeterLine, ...]
    reflections: tuple[Question, ...]
    transfer: str

    @classmethod
    def build(cls, scenario: m.Scenario, run: Run, playthrough: Playthrough | None = None) -> PersonalDebrief:
        ending = run.ending
        labels = {k: clean(v.label) for k, v in scenario.meters.items()}

        def effects(outcome: m.Outcome) -> tuple[tuple[str, int], ...]:
            return tuple((labels[e.meter], e.delta) for e in outcome.effects)

        replay = Run.start(scenario)
        decisions: list[Decision] = []
        met: list[str] = []
        for index, step in enumerate(run.steps):
            scene = scenario.scenes[step.scene]
            chosen = scene.choice(step.choice)
            assert chosen is not None  # ``run`` was played on this scenario, so its choices are there
            offered = {c.id for c in replay.choices}
            met.extend(c for c in chosen.concepts if c not in met)
            if scene.is_decision:
                took = run.outcome(index)
                assert took is not None
                alternatives = []
                for other in scene.choices:
                    if other.id == chosen.id or other.text == chosen.text:  # the same words are the same option
                        continue
                    would = other.outcome(replay.meters, replay.flags)
                    end = scenario.endings.get(would.next)
                    if end is not None:
                        target = end.title
                    elif would.next == took.next:
                        target = ""
                    else:
                        target = excerpt(_place_text(scenario, would, replay))
                    alternatives.append(Alternative(
                        flat(other.text), clean(target), end is not None, effects(would), other.id in offered,
                        flat(would.consequence), flat(other.rationale) if other.recommended is False else "",
                    ))
                speaker = scenario.characters.get(scene.speaker)
                decisions.append(
                    Decision(
                        step=index,
                        scene=scene.id,
                        speaker=clean(speaker.name) if speaker else "",
                        prompt=excerpt(replay.text),
                        chosen=flat(chosen.text),
                        ms=step.ms,
                        timed_out=step.timed_out,
                        consequence=flat(took.consequence),
                        coaching=flat(took.coaching),
                        effects=effects(took),
                        alternatives=tuple(alternatives),
                    )
                )
            replay = replay.choose(step.choice, step.ms, step.timed_out)

        concepts = []
        for cid in met:
            c = scenario.concepts.get(cid)
            if c is None:
                continue
            source = scenario.sources.get(c.source) if c.source else None
            concepts.append(
                ConceptNote(clean(c.name), flat(c.what), flat(c.how), flat(c.why), flat(source.cite) if source else "")
            )

        taken = [0]  # decisions taken before each value
        for step in run.steps:
            taken.append(taken[-1] + scenario.scenes[step.scene].is_decision)
        meters = tuple(
            MeterLine(labels[k], meter.min, meter.max, (meter.start, *(s.meters[k] for s in run.steps)), tuple(taken),
                      meter.shown)
            for k, meter in scenario.meters.items()
        )
        answers = playthrough.reflections if playthrough is not None else {}
        reflections = tuple(
            Question(flat(q), answers[i].answer if i in answers else "", answers[i].shared if i in answers else False)
            for i, q in enumerate(scenario.debrief.reflection)
        )
        return cls(
            title=clean(scenario.title),
            player=clean(playthrough.player) if playthrough else "",
            timers=playthrough.settings.timers if playthrough else "on",
            ending_title=clean(ending.title) if ending else "",
            ending_text="\n\n".join(plain(p) for p in paragraphs(run.text)) if ending else "",
            rating=ending.rating if ending else None,
            decisions=tuple(decisions),
            concepts=tuple(concepts),
            meters=meters,
            reflections=reflections,
            transfer=flat(scenario.debrief.transfer),
        )

    def meter_groups(self) -> list[tuple[str, tuple[MeterLine, ...]]]:
        """The meters the player saw, then those the story kept without showing
        them, each under the heading (a string key) that says which they are."""
        groups = [("debrief.meters", tuple(m for m in self.meters if m.shown)),
                  ("debrief.hidden_meters", tuple(m for m in self.meters if not m.shown))]
        return [(heading, lines) for heading, lines in groups if lines]


def _place_text(scenario: m.Scenario, outcome: m.Outcome, before: Run) -> str:
    """The text of the scene ``outcome`` leads to, as it would have read after it."""
    scene = scenario.scenes.get(outcome.next)
    if scene is None:
        return outcome.next
    return scene.shown(*outcome.changes(scenario.meters, before.meters, before.flags))
