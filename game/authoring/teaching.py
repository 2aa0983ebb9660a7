"""The checks of what a scenario teaches (CONTENT.md): verdicts, fake
choices, concepts and ratings, reading time and fit on screen, variants that
never or always show, twins offered together, and an endorsed option that
costs nothing on the shown meters (K3xx, K219-K222, docs/diagnostics.md)."""

from __future__ import annotations

import re
from collections.abc import Callable

from game.authoring.walk import conditions
from game.core import model as m
from game.core.conditions import Judge
from game.core.text import plain
from game.core.vocab import TRANSLATE

Report = Callable[[m.Pos, str, str], None]

READING_SPEED = 200  # words a minute: a slow reader, or one reading a second language
READING_MARGIN = 10  # seconds more, to take in the choices and decide
MAX_SCENE_WORDS = 150  # about what an 80x24 terminal shows with the choices below it
MAX_CHOICE_CHARS = 100
MAX_CONCEPTS = 5  # a trainer works with three or four in a session

#: Openings of consequence text that judge the player instead of showing what happens.
JUDGING = re.compile(
    r"^\W*(wrong|incorrect|correct|right|good job|well done|great|excellent|bad choice|"
    r"nice|unfortunately|fout|onjuist|juist|goed zo|goed gedaan|prima|helaas|uitstekend|"
    r"slecht|jammer|knap|mooi zo|terecht)\b",
    re.IGNORECASE,
)


def teaching(s: m.Scenario, report: Report) -> None:
    used_concepts: set[str] = set()
    tested_flags = {leaf.flag for cond in conditions(s) for leaf in m.walk_condition(cond) if isinstance(leaf, m.FlagIs)}
    for scene in s.scenes.values():
        for choice in scene.choices:
            used_concepts.update(choice.concepts)
            if any(JUDGING.match(o.consequence) for o in choice.outcomes(scene.timer)):
                report(choice.at, "K301", f"the consequence of '{choice.id}' opens with a verdict; show what happens and leave judging to the debrief")
            if choice.recommended is False and not choice.rationale.strip():
                report(choice.at, "K305", f"choice '{choice.id}' is not recommended but has no rationale: why might a capable leader pick it anyway?")
        if not scene.is_decision:
            continue
        ways = {frozenset(_what_it_does(o) for o in c.outcomes()) for c in scene.choices}
        if len(ways) == 1:
            report(scene.at, "K302", f"every choice in scene '{scene.id}' leads to the same place with the same effects; the decision makes no difference")
        if not any(c.concepts for c in scene.choices):
            report(scene.at, "K303", f"decision '{scene.id}' has no concept tag, so the debrief cannot explain it")
    for ending in s.endings.values():
        if ending.rating is None:
            report(ending.at, "K304", f"ending '{ending.id}' has no rating (strong, mixed or weak)")
    for concept in s.concepts.values():
        if concept.id not in used_concepts:
            report(concept.at, "K306", f"concept '{concept.id}' is explained but no choice is tagged with it")
    for flag in s.flags.values():
        if flag.id not in tested_flags:
            report(flag.at, "K307", f"flag '{flag.id}' is never tested by a condition")


def reading(s: m.Scenario, report: Report) -> None:
    """Whether a scene can be read in its time, and fits the screen."""
    for scene in s.scenes.values():
        words = max(_words(text) for text in (scene.text, *(v.text for v in scene.variants)))
        if words > MAX_SCENE_WORDS:
            report(scene.at, "K310", f"scene '{scene.id}' runs to {words} words; above about {MAX_SCENE_WORDS} it no longer fits an 80x24 screen with its choices")
        for choice in scene.choices:
            if len(_read(" ".join(choice.text.split()))) > MAX_CHOICE_CHARS:
                report(choice.at, "K311", f"choice '{choice.id}' is {len(choice.text.strip())} characters; keep a choice under {MAX_CHOICE_CHARS}, one or two lines on screen")
        if scene.timer is None or not scene.timer.seconds:
            continue
        read = words + sum(len(_read(c.text).split()) for c in scene.choices)
        needed = round(read * 60 / READING_SPEED + READING_MARGIN)
        if scene.timer.seconds < needed:
            report(scene.timer.at, "K219", f"the timer gives {scene.timer.seconds} s for {read} words; at {READING_SPEED} words a minute plus {READING_MARGIN} s a reader needs {needed} s, so a slow or second-language reader would time out into the reflex")
    if len(s.concepts) > MAX_CONCEPTS:
        report(s.at, "K309", f"the scenario explains {len(s.concepts)} concepts; a debrief works with {MAX_CONCEPTS} at most (three or four is better)")


def offered_together(s: m.Scenario, report: Report) -> None:
    """Variants and paragraphs that can never show, or always show and hide the rest;
    options with the same words offered at once; an endorsed option that costs nothing."""
    judge = Judge(s)
    places: list[m.Scene | m.Ending] = [*s.scenes.values(), *s.endings.values()]
    for place in places:
        kind = "scene" if isinstance(place, m.Scene) else "ending"
        for i, variant in enumerate(place.variants):
            if not judge.can_hold(variant.when):
                report(variant.at, "K220", f"a variant of {kind} '{place.id}' can never be shown: its condition cannot hold")
            elif judge.always_holds(variant.when):
                hidden = "the variants after it and its own text are" if i + 1 < len(place.variants) else "its own text is"
                report(variant.at, "K221", f"a variant of {kind} '{place.id}' always holds, so {hidden} never shown")
        for text in (place.text, *(v.text for v in place.variants)):
            for paragraph in text.paragraphs:
                if paragraph.when is None:
                    continue
                if not judge.can_hold(paragraph.when):
                    report(paragraph.at, "K220", f"a paragraph of {kind} '{place.id}' can never be shown: its condition cannot hold")
                elif judge.always_holds(paragraph.when):
                    report(paragraph.at, "K221", f"the condition of a paragraph of {kind} '{place.id}' always holds{', so its else is never shown' if paragraph.otherwise else ''}")
    for scene in s.scenes.values():
        seen: dict[str, m.Choice] = {}
        for choice in scene.choices:
            words = " ".join(choice.text.split())
            twin = seen.get(words)
            if twin is not None and judge.can_hold(m.AllOf(tuple(c for c in (twin.when, choice.when) if c is not None))):
                report(choice.at, "K222", f"choices '{twin.id}' and '{choice.id}' in scene '{scene.id}' have the same words and can be offered together; give one a route instead of a twin")
            seen.setdefault(words, choice)
        if scene.is_decision:
            _price(s, report, scene)


def _price(s: m.Scenario, report: Report, scene: m.Scene) -> None:
    """A note where an option the scenario endorses is at least as good as
    every other on every meter the player sees: the display then gives the
    answer away (CONTENT.md, rule 9)."""
    shown = [k for k, meter in s.meters.items() if meter.shown]
    if not shown or len(scene.choices) < 2:
        return

    def on(choice: m.Choice) -> dict[str, int]:
        return {k: sum(e.delta for e in choice.effects if e.meter == k) for k in shown}

    for choice in scene.choices:
        if choice.recommended is False:
            continue
        mine = on(choice)
        others = [on(c) for c in scene.choices if c is not choice]
        if all(mine[k] >= other[k] for other in others for k in shown) and any(mine != other for other in others):
            labels = ", ".join(s.meters[k].label for k in shown)
            report(choice.at, "K308", f"choice '{choice.id}' costs nothing on the meters the player sees ({labels}) and is at least as good as every other option there: the display gives the answer away; give it a real price")


def _what_it_does(outcome: m.Outcome) -> tuple[object, ...]:
    return outcome.next, frozenset((e.meter, e.delta) for e in outcome.effects), frozenset(outcome.set), frozenset(outcome.clear)


def _words(text: m.Text) -> int:
    """The words of ``text`` at its longest: each paragraph or its else, whichever is longer."""
    return sum(max(len(_read(p.text).split()), len(_read(p.otherwise).split())) for p in text.paragraphs)


def _read(text: str) -> str:
    """``text`` as the player reads it: no emphasis marks, nor a marker for the translator."""
    return plain(text.replace(TRANSLATE, ""))
