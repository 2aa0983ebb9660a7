"""Check a loaded scenario's story: references, reachability, loops, ranges and
the teaching qualities a trainer relies on. Each finding is a coded Diagnostic.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable

from game import model as m
from game.diagnostics import Diagnostic, ScenarioError
from game.loader import load

MAX_CHOICES = 9

#: Openings of consequence text that judge the player instead of showing what happens.
JUDGING = re.compile(
    r"^\W*(wrong|incorrect|correct|right|good job|well done|great|excellent|bad choice|"
    r"nice|unfortunately|fout|onjuist|juist|goed zo|goed gedaan|prima|helaas|uitstekend|"
    r"slecht|jammer|knap|mooi zo|terecht)\b",
    re.IGNORECASE,
)


def validate(scenario: m.Scenario, original: m.Scenario | None = None) -> list[Diagnostic]:
    """Every finding for ``scenario``; ``original`` is what a translation translates."""
    return sorted(_Checker(scenario).run(original))


def check_files(paths: Iterable[str]) -> dict[str, list[Diagnostic]]:
    """Load and validate each file; translations are compared with their originals,
    looked for among the given files and then beside the translation."""
    loaded: dict[str, m.Scenario] = {}
    results: dict[str, list[Diagnostic]] = {}
    for path in paths:
        try:
            loaded[path] = load(path)
        except ScenarioError as exc:
            results[path] = exc.diagnostics
    by_key = {s.key: s for s in loaded.values()}
    for path, scenario in loaded.items():
        original = None
        if scenario.translates:
            key = f"{scenario.id}.{scenario.translates}"
            original = by_key.get(key) or _beside(path, key)
            if original is None:
                results[path] = [
                    *validate(scenario),
                    _diag(scenario, scenario.at, "K218", f"the original '{key}.yaml' was not found beside this file, so the translation was not compared with it"),
                ]
                results[path].sort()
                continue
        results[path] = validate(scenario, original)
    return results


def _beside(path: str, key: str) -> m.Scenario | None:
    candidate = os.path.join(os.path.dirname(path), f"{key}.yaml")
    try:
        return load(candidate)
    except ScenarioError:
        return None


def _diag(scenario: m.Scenario, at: m.Pos, code: str, message: str) -> Diagnostic:
    return Diagnostic(scenario.path, at.line, at.col, code, message)


class _Checker:
    def __init__(self, scenario: m.Scenario) -> None:
        self.s = scenario
        self.out: list[Diagnostic] = []

    def report(self, at: m.Pos, code: str, message: str) -> None:
        self.out.append(_diag(self.s, at, code, message))

    def run(self, original: m.Scenario | None) -> list[Diagnostic]:
        self.ids()
        self.meters()
        self.texts()
        self.references()
        self.timers()
        self.graph()
        self.overflow()
        self.teaching()
        if original is not None:
            self.translation(original)
        return self.out

    # -- structure ---------------------------------------------------------

    def ids(self) -> None:
        for ending in self.s.endings.values():
            if ending.id in self.s.scenes:
                self.report(ending.at, "K202", f"'{ending.id}' is both a scene and an ending; 'next' could not tell them apart")
        for scene in self.s.scenes.values():
            seen: dict[str, m.Choice] = {}
            for choice in scene.choices:
                if choice.id in seen:
                    self.report(choice.at, "K202", f"duplicate choice id '{choice.id}' in scene '{scene.id}' (first at line {seen[choice.id].at.line})")
                else:
                    seen[choice.id] = choice
            if len(scene.choices) > MAX_CHOICES:
                self.report(scene.choices[MAX_CHOICES].at, "K207", f"scene '{scene.id}' has {len(scene.choices)} choices; at most {MAX_CHOICES} fit the number keys")
            if not scene.choices:
                self.report(scene.at, "K208", f"scene '{scene.id}' has no choices and is not an ending; the player would be stuck")

    def meters(self) -> None:
        for meter in self.s.meters.values():
            if meter.min >= meter.max:
                self.report(meter.at, "K213", f"meter '{meter.id}' has min {meter.min} not below max {meter.max}")
            elif not meter.min <= meter.start <= meter.max:
                self.report(meter.at, "K213", f"meter '{meter.id}' starts at {meter.start}, outside its range {meter.min}..{meter.max}")

    def texts(self) -> None:
        empty = "K210"
        for scene in self.s.scenes.values():
            if not scene.text.strip():
                self.report(scene.at, empty, f"scene '{scene.id}' has no text")
            for variant in scene.variants:
                if not variant.text.strip():
                    self.report(variant.at, empty, f"a variant of scene '{scene.id}' has no text")
            for choice in scene.choices:
                if not choice.text.strip():
                    self.report(choice.at, empty, f"choice '{choice.id}' in scene '{scene.id}' has no text")
        for ending in self.s.endings.values():
            if not ending.text.strip() or not ending.title.strip():
                self.report(ending.at, empty, f"ending '{ending.id}' needs a title and a text")
        for character in self.s.characters.values():
            if not character.name.strip():
                self.report(character.at, empty, f"character '{character.id}' has no name")
        if not self.s.title.strip():
            self.report(self.s.at, empty, "the scenario has no title")

    def references(self) -> None:
        s = self.s
        if s.start not in s.scenes:
            self.report(s.start_at, "K201", f"start '{s.start}' is not a scene{_suggest(s.start, s.scenes)}")
        for concept in s.concepts.values():
            if concept.source is not None and concept.source not in s.sources:
                self.report(concept.at, "K211", f"concept '{concept.id}' cites source '{concept.source}', which is not under sources{_suggest(concept.source, s.sources)}")
        for scene in s.scenes.values():
            if scene.speaker not in s.characters:
                self.report(scene.speaker_at, "K203", f"speaker '{scene.speaker}' is not a character{_suggest(scene.speaker, s.characters)}")
            for variant in scene.variants:
                self.condition(variant.when)
            for choice in scene.choices:
                for target, at in choice.targets:
                    if target not in s.scenes and target not in s.endings:
                        places = {**s.scenes, **s.endings}
                        self.report(at, "K201", f"choice '{choice.id}' leads to '{target}', which is no scene or ending{_suggest(target, places)}")
                self.condition(choice.when)
                for route in choice.routes:
                    self.condition(route.when)
                for effect in choice.effects:
                    if effect.meter not in s.meters:
                        self.report(effect.at, "K204", f"meter '{effect.meter}' is not declared under meters{_suggest(effect.meter, s.meters)}")
                for flag in choice.set:
                    if flag not in s.flags:
                        self.report(choice.at, "K205", f"flag '{flag}' is not declared under flags{_suggest(flag, s.flags)}")
                for concept in choice.concepts:
                    if concept not in s.concepts:
                        self.report(choice.at, "K211", f"concept '{concept}' is not declared under concepts{_suggest(concept, s.concepts)}")

    def condition(self, cond: m.Condition | None) -> None:
        for leaf in m.walk_condition(cond):
            if isinstance(leaf, m.FlagIs) and leaf.flag not in self.s.flags:
                self.report(leaf.at, "K205", f"flag '{leaf.flag}' is not declared under flags{_suggest(leaf.flag, self.s.flags)}")
            if isinstance(leaf, m.MeterCompare) and leaf.meter not in self.s.meters:
                self.report(leaf.at, "K204", f"meter '{leaf.meter}' is not declared under meters{_suggest(leaf.meter, self.s.meters)}")

    def timers(self) -> None:
        for scene in self.s.scenes.values():
            if scene.timer is None:
                continue
            choice = scene.choice(scene.timer.timeout)
            if choice is None:
                ids = {c.id: c for c in scene.choices}
                self.report(scene.timer.at, "K206", f"the timer's timeout '{scene.timer.timeout}' is not a choice of scene '{scene.id}'{_suggest(scene.timer.timeout, ids)}")
            elif choice.when is not None:
                self.report(choice.at, "K206", f"timeout choice '{choice.id}' has a condition; what happens when time runs out must always be possible")
            if len(scene.choices) < 2:
                self.report(scene.timer.at, "K206", f"scene '{scene.id}' has a timer but no decision to make")

    def graph(self) -> None:
        s = self.s
        if s.start not in s.scenes:
            return
        edges = {sid: [t for c in scene.choices for t, _ in c.targets] for sid, scene in s.scenes.items()}
        reached = _reach([s.start], lambda n: edges.get(n, ()))
        for scene in s.scenes.values():
            if scene.id not in reached:
                self.report(scene.at, "K214", f"scene '{scene.id}' cannot be reached from the start")
            elif scene.choices and all(c.when is not None for c in scene.choices):
                self.report(scene.at, "K217", f"every choice in scene '{scene.id}' has a condition; a player for whom none holds would be stuck")
        for ending in s.endings.values():
            if ending.id not in reached:
                self.report(ending.at, "K215", f"ending '{ending.id}' cannot be reached from the start")
        back: dict[str, list[str]] = {}
        for sid, targets in edges.items():
            for t in targets:
                back.setdefault(t, []).append(sid)
        escapes = _reach(list(s.endings), lambda n: back.get(n, ()))
        for scene in s.scenes.values():
            if scene.id in reached and scene.id not in escapes and scene.id in _reach(edges[scene.id], lambda n: edges.get(n, ())):
                self.report(scene.at, "K209", f"scene '{scene.id}' is in a loop with no way out to an ending; the player would go round forever")

    def overflow(self) -> None:
        """Warn where some path can push a meter past its range.

        Interval analysis over the scene graph: each scene gets the lowest and
        highest value a meter can have on arrival (clamped, so it converges).
        Conditions are ignored, which errs on the side of warning.
        """
        s = self.s
        meters = {k: v for k, v in s.meters.items() if v.min < v.max}
        if s.start not in s.scenes or not meters:
            return
        ranges: dict[str, dict[str, tuple[int, int]]] = {s.start: {k: (v.start, v.start) for k, v in meters.items()}}
        todo = [s.start]
        while todo:
            sid = todo.pop()
            here = ranges[sid]
            for choice in s.scenes[sid].choices:
                after = dict(here)
                for e in choice.effects:
                    if e.meter in meters:
                        lo, hi = here[e.meter]
                        mt = meters[e.meter]
                        after[e.meter] = (mt.clamp(lo + e.delta), mt.clamp(hi + e.delta))
                for target, _ in choice.targets:
                    if target not in s.scenes:
                        continue
                    old = ranges.get(target)
                    new = after if old is None else {k: (min(old[k][0], v[0]), max(old[k][1], v[1])) for k, v in after.items()}
                    if new != old:
                        ranges[target] = new
                        todo.append(target)
        for sid, here in ranges.items():
            for choice in s.scenes[sid].choices:
                for e in choice.effects:
                    mt = meters.get(e.meter)
                    if mt is None:
                        continue
                    lo, hi = here[e.meter]
                    if hi + e.delta > mt.max:
                        self.report(e.at, "K216", f"'{e.meter}' can reach {hi + e.delta} here, above its max {mt.max}; widen the range or soften the effect")
                    elif lo + e.delta < mt.min:
                        self.report(e.at, "K216", f"'{e.meter}' can reach {lo + e.delta} here, below its min {mt.min}; widen the range or soften the effect")

    # -- teaching ----------------------------------------------------------

    def teaching(self) -> None:
        s = self.s
        used_concepts: set[str] = set()
        tested_flags = {
            leaf.flag
            for scene in s.scenes.values()
            for cond in [
                *(v.when for v in scene.variants),
                *(c.when for c in scene.choices),
                *(r.when for c in scene.choices for r in c.routes),
            ]
            for leaf in m.walk_condition(cond)
            if isinstance(leaf, m.FlagIs)
        }
        for scene in s.scenes.values():
            for choice in scene.choices:
                used_concepts.update(choice.concepts)
                if JUDGING.match(choice.consequence):
                    self.report(choice.at, "K301", f"the consequence of '{choice.id}' opens with a verdict; show what happens and leave judging to the debrief")
                if choice.recommended is False and not choice.rationale.strip():
                    self.report(choice.at, "K305", f"choice '{choice.id}' is not recommended but has no rationale: why might a capable leader pick it anyway?")
            if not scene.is_decision:
                continue
            outcomes = {(tuple(t for t, _ in c.targets), frozenset((e.meter, e.delta) for e in c.effects), frozenset(c.set)) for c in scene.choices}
            if len(outcomes) == 1:
                self.report(scene.at, "K302", f"every choice in scene '{scene.id}' leads to the same place with the same effects; the decision makes no difference")
            if not any(c.concepts for c in scene.choices):
                self.report(scene.at, "K303", f"decision '{scene.id}' has no concept tag, so the debrief cannot explain it")
        for ending in s.endings.values():
            if ending.rating is None:
                self.report(ending.at, "K304", f"ending '{ending.id}' has no rating (strong, mixed or weak)")
        for concept in s.concepts.values():
            if concept.id not in used_concepts:
                self.report(concept.at, "K306", f"concept '{concept.id}' is explained but no choice is tagged with it")
        for flag in s.flags.values():
            if flag.id not in tested_flags:
                self.report(flag.at, "K307", f"flag '{flag.id}' is never tested by a condition")

    def translation(self, original: m.Scenario) -> None:
        s, o = self.s, original
        here = "this translation"
        there = f"the original ({o.language})"
        for what, mine, theirs in (
            ("meters", s.meters, o.meters),
            ("flags", s.flags, o.flags),
            ("scenes", s.scenes, o.scenes),
            ("endings", s.endings, o.endings),
            ("characters", s.characters, o.characters),
            ("concepts", s.concepts, o.concepts),
        ):
            for key in mine.keys() - theirs.keys():
                self.report(mine[key].at, "K212", f"{what[:-1]} '{key}' is in {here} but not in {there}")
            for key in theirs.keys() - mine.keys():
                self.report(s.at, "K212", f"{what[:-1]} '{key}' is in {there} but not in {here}")
        for sid in s.scenes.keys() & o.scenes.keys():
            a, b = s.scenes[sid], o.scenes[sid]
            if [c.id for c in a.choices] != [c.id for c in b.choices]:
                self.report(a.at, "K212", f"scene '{sid}' has choices {_ids(a.choices)} here and {_ids(b.choices)} in {there}")
                continue
            for ca, cb in zip(a.choices, b.choices):
                if (ca.next, ca.routes, ca.effects, ca.set, ca.when, ca.concepts) != (cb.next, cb.routes, cb.effects, cb.set, cb.when, cb.concepts):
                    self.report(ca.at, "K212", f"choice '{ca.id}' in scene '{sid}' differs from {there} in where it leads, its routes, effects, flags, condition or concepts")
            if a.timer != b.timer:
                self.report(a.at, "K212", f"the timer of scene '{sid}' differs from {there}")
        for mid in s.meters.keys() & o.meters.keys():
            a, b = s.meters[mid], o.meters[mid]
            if (a.min, a.max, a.start, a.shown) != (b.min, b.max, b.start, b.shown):
                self.report(a.at, "K212", f"meter '{mid}' has a different range, start or visibility than in {there}")
        if s.start != o.start:
            self.report(s.start_at, "K212", f"the start scene differs from {there} ('{o.start}')")


def _ids(choices: Iterable[m.Choice]) -> str:
    return "[" + ", ".join(c.id for c in choices) + "]"


def _reach(roots: list[str], step) -> set[str]:
    seen = set(roots)
    todo = list(roots)
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
