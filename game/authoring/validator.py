"""Check a loaded scenario: its structure here (ids, references, timers,
reachability, loops, meter ranges), what it teaches in teaching.py, and a
translation against its original in parity.py. Each finding is a coded
Diagnostic.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping

import attrs

from game.authoring.parity import translation
from game.authoring.teaching import offered_together, reading, teaching
from game.authoring.walk import changes, conditions
from game.core import model as m
from game.core.diagnostics import MAX_KEPT, Diagnostic, Severity, shown
from game.core.vocab import TRANSLATE

MAX_CHOICES = 9
SUGGESTION_WORK = 100_000  # names compared for "did you mean": a few for a scenario of 10,000 scenes
MAX_OVERFLOW_WORK = 2_000_000  # meters times scenes; beyond it K216 is not looked for
WIDEN_AFTER = 8  # growths of a meter's range at one scene of a loop before it goes to the limit
MARKED_SHOWN = 10  # texts still to translate named one by one; the rest are counted



def validate(scenario: m.Scenario, original: m.Scenario | None = None) -> list[Diagnostic]:
    """Every finding for ``scenario``; ``original`` is what a translation translates."""
    return sorted(_Checker(scenario).run(original))


@attrs.frozen
class Checked:
    """One scenario file as loaded and checked."""

    path: str
    scenario: m.Scenario | None  # None when the file could not be loaded at all
    diagnostics: tuple[Diagnostic, ...]  # sorted; the loader's, or the validator's
    omitted: int = 0  # problems found beyond those kept (a hostile file)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def playable(self) -> m.Scenario | None:
        """The scenario, if nothing in it stops a game: a scenario with an error is never played."""
        return self.scenario if self.scenario is not None and not self.errors else None

    def lines(self) -> list[str]:
        return shown(list(self.diagnostics), self.omitted)


def check(scenario: m.Scenario, original: m.Scenario | None = None, extra: Iterable[Diagnostic] = ()) -> Checked:
    """``scenario`` checked (against ``original`` if it is a translation), with the loader's ``extra`` findings."""
    checker = _Checker(scenario)
    found = sorted([*checker.run(original), *extra])
    return Checked(scenario.path, scenario, tuple(found), checker.omitted)


def _diag(scenario: m.Scenario, at: m.Pos, code: str, message: str) -> Diagnostic:
    return Diagnostic(scenario.path, at.line, at.col, code, message)


class _Checker:
    def __init__(self, scenario: m.Scenario) -> None:
        self.s = scenario
        self.out: list[Diagnostic] = []
        self.omitted = 0  # findings beyond MAX_KEPT, counted only
        self.compared = 0  # names compared for suggestions

    def report(self, at: m.Pos, code: str, message: str) -> None:
        if len(self.out) >= MAX_KEPT:
            self.omitted += 1
            return
        self.out.append(_diag(self.s, at, code, message))

    def suggest(self, name: str, known: Collection[str]) -> str:
        """"; did you mean 'x'?" for the nearest known name, while the names
        compared stay within SUGGESTION_WORK: each search reads every known
        name, and a hostile file asks a million times."""
        self.compared += len(known)
        if self.compared > SUGGESTION_WORK:
            return ""
        close = difflib.get_close_matches(name, list(known), n=1)
        return f"; did you mean '{close[0]}'?" if close else ""

    def run(self, original: m.Scenario | None) -> list[Diagnostic]:
        self.ids()
        self.meters()
        self.texts()
        self.references()
        self.timers()
        self.graph()
        self.overflow()
        teaching(self.s, self.report)
        reading(self.s, self.report)
        offered_together(self.s, self.report)
        if original is not None:
            translation(self.s, self.report, original)
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
            if not scene.text:
                self.report(scene.at, empty, f"scene '{scene.id}' has no text")
            for variant in scene.variants:
                if not variant.text:
                    self.report(variant.at, empty, f"a variant of scene '{scene.id}' has no text")
            for choice in scene.choices:
                if not choice.text.strip():
                    self.report(choice.at, empty, f"choice '{choice.id}' in scene '{scene.id}' has no text")
        for ending in self.s.endings.values():
            if not ending.text or not ending.title.strip():
                self.report(ending.at, empty, f"ending '{ending.id}' needs a title and a text")
            for variant in ending.variants:
                if not variant.text:
                    self.report(variant.at, empty, f"a variant of ending '{ending.id}' has no text")
        for character in self.s.characters.values():
            if not character.name.strip():
                self.report(character.at, empty, f"character '{character.id}' has no name")
        if not self.s.title.strip():
            self.report(self.s.at, empty, "the scenario has no title")
        marked = self.s.marked
        for at in marked[:MARKED_SHOWN]:
            self.report(at, "K224", f"text still marked {TRANSLATE}: translate it and remove the marker")
        if len(marked) > MARKED_SHOWN:
            self.report(marked[MARKED_SHOWN], "K224", f"{len(marked) - MARKED_SHOWN:,} more texts are marked {TRANSLATE} from here on, "
                        f"{len(marked):,} in all; search the file for {TRANSLATE}")

    def references(self) -> None:
        s = self.s
        places = [*s.scenes, *s.endings]
        if s.start not in s.scenes:
            self.report(s.start_at, "K201", f"start '{s.start}' is not a scene{self.suggest(s.start, s.scenes)}")
        for concept in s.concepts.values():
            if concept.source is not None and concept.source not in s.sources:
                self.report(concept.at, "K211", f"concept '{concept.id}' cites source '{concept.source}', which is not under sources{self.suggest(concept.source, s.sources)}")
        for scene in s.scenes.values():
            if scene.speaker not in s.characters:
                self.report(scene.speaker_at, "K203", f"speaker '{scene.speaker}' is not a character{self.suggest(scene.speaker, s.characters)}")
            for choice in scene.choices:
                for target, at in choice.targets:
                    if target not in s.scenes and target not in s.endings:
                        self.report(at, "K201", f"choice '{choice.id}' leads to '{target}', which is no scene or ending{self.suggest(target, places)}")
                for effects, flags, at in changes(choice, scene.timer):
                    for effect in effects:
                        if effect.meter not in s.meters:
                            self.report(effect.at, "K204", f"meter '{effect.meter}' is not declared under meters{self.suggest(effect.meter, s.meters)}")
                    for flag in flags:
                        if flag not in s.flags:
                            self.report(at, "K205", f"flag '{flag}' is not declared under flags{self.suggest(flag, s.flags)}")
                for cid in choice.concepts:
                    if cid not in s.concepts:
                        self.report(choice.at, "K211", f"concept '{cid}' is not declared under concepts{self.suggest(cid, s.concepts)}")

        for cond in conditions(s):
            self.condition(cond)

    def condition(self, cond: m.Condition | None) -> None:
        for leaf in m.walk_condition(cond):
            if isinstance(leaf, m.FlagIs) and leaf.flag not in self.s.flags:
                self.report(leaf.at, "K205", f"flag '{leaf.flag}' is not declared under flags{self.suggest(leaf.flag, self.s.flags)}")
            if isinstance(leaf, m.MeterCompare) and leaf.meter not in self.s.meters:
                self.report(leaf.at, "K204", f"meter '{leaf.meter}' is not declared under meters{self.suggest(leaf.meter, self.s.meters)}")

    def timers(self) -> None:
        for scene in self.s.scenes.values():
            if scene.timer is None:
                continue
            choice = scene.choice(scene.timer.timeout)
            if choice is None:
                ids = {c.id: c for c in scene.choices}
                self.report(scene.timer.at, "K206", f"the timer's timeout '{scene.timer.timeout}' is not a choice of scene '{scene.id}'{self.suggest(scene.timer.timeout, ids)}")
            elif choice.when is not None:
                self.report(choice.at, "K206", f"timeout choice '{choice.id}' has a condition; what happens when time runs out must always be possible")
            if len(scene.choices) < 2:
                self.report(scene.timer.at, "K206", f"scene '{scene.id}' has a timer but no decision to make")

    def graph(self) -> None:
        s = self.s
        if s.start not in s.scenes:
            return
        edges = self.edges()
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
        trapped = {sid: [t for t in edges[sid] if t in s.scenes] for sid in reached - escapes if sid in s.scenes}
        looping = {sid for part in _loops(trapped) for sid in part}
        for scene in s.scenes.values():
            if scene.id in looping:
                self.report(scene.at, "K209", f"scene '{scene.id}' is in a loop with no way out to an ending; the player would go round forever")

    def edges(self) -> dict[str, list[str]]:
        """Scene id -> every place its choices can lead."""
        return {sid: [t for c in scene.choices for t, _ in c.targets] for sid, scene in self.s.scenes.items()}

    def overflow(self) -> None:
        """Warn where some path can push a meter past its range.

        Interval analysis over the scene graph, one meter at a time: each scene
        gets the lowest and highest value the meter can have on arrival.
        Conditions are ignored, which errs on the side of warning. Scenes are
        visited in the order the story runs (the loops as groups), and a range
        that keeps growing around a loop is taken to the meter's limit at once:
        going round enough times gets it there.
        """
        s = self.s
        changed = {e.meter for scene in s.scenes.values() for c in scene.choices
                   for effects, _, _ in changes(c, scene.timer) for e in effects}
        meters = [v for k, v in s.meters.items() if v.min < v.max and k in changed]
        if s.start not in s.scenes or not meters:
            return
        if len(meters) * len(s.scenes) > MAX_OVERFLOW_WORK:
            return  # docs/diagnostics.md: K216 is not looked for in a scenario this large
        graph = {sid: [t for t in targets if t in s.scenes] for sid, targets in self.edges().items()}
        parts = _loops(graph, every=True)[::-1]  # each part before the parts it leads to
        for meter in meters:
            self.meter_overflow(meter, parts)

    def meter_overflow(self, meter: m.Meter, parts: list[list[str]]) -> None:
        scenes = self.s.scenes
        ranges: dict[str, tuple[int, int]] = {self.s.start: (meter.start, meter.start)}
        grown: dict[str, int] = {}
        for part in parts:
            inside = set(part)
            todo = [sid for sid in part if sid in ranges]
            while todo:
                sid = todo.pop()
                lo, hi = ranges[sid]
                for outcome in (o for choice in scenes[sid].choices for o in choice.outcomes(scenes[sid].timer)):
                    delta = sum(e.delta for e in outcome.effects if e.meter == meter.id)
                    after = (meter.clamp(lo + delta), meter.clamp(hi + delta)) if delta else (lo, hi)
                    target = outcome.next
                    if target not in scenes:
                        continue
                    old = ranges.get(target)
                    new = after if old is None else (min(old[0], after[0]), max(old[1], after[1]))
                    if new == old:
                        continue
                    if target in inside:
                        grown[target] = grown.get(target, 0) + 1
                        if grown[target] > WIDEN_AFTER and old is not None:
                            new = (meter.min if new[0] < old[0] else new[0], meter.max if new[1] > old[1] else new[1])
                        todo.append(target)
                    ranges[target] = new
        for sid, (lo, hi) in ranges.items():
            for choice in scenes[sid].choices:
                for e in {e: None for effects, _, _ in changes(choice, scenes[sid].timer) for e in effects}:
                    if e.meter != meter.id:
                        continue
                    if hi + e.delta > meter.max:
                        self.report(e.at, "K216", f"'{e.meter}' can reach {hi + e.delta} here, above its max {meter.max}; widen the range or soften the effect")
                    elif lo + e.delta < meter.min:
                        self.report(e.at, "K216", f"'{e.meter}' can reach {lo + e.delta} here, below its min {meter.min}; widen the range or soften the effect")



def _reach(roots: list[str], step: Callable[[str], Iterable[str]]) -> set[str]:
    seen = set(roots)
    todo = list(roots)
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _loops(graph: Mapping[str, list[str]], every: bool = False) -> list[list[str]]:
    """The strongly connected parts of ``graph`` (Tarjan's algorithm, without
    recursion), each part after every part it leads to. Only the loops (a
    part of several scenes, or one that leads to itself) unless ``every``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    parts: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in graph:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    part = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        part.append(member)
                        if member == node:
                            break
                    if every or len(part) > 1 or node in graph[node]:
                        parts.append(part)
    return parts



