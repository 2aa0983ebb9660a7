"""Explore every state a scenario can reach, and report what can and cannot happen.

The search (game/authoring/statespace.py) meets every state once, breadth
first, so what it reports is proved: an ending it does not reach no
playthrough reaches, and the first way it finds to each ending is a shortest
one. Each meter's lowest and highest value at every ending, and the texts
never shown (game/authoring/shown.py), are worked out on the graph it leaves.
Only when the states are more than ``MAX_STATES`` do seeded random
playthroughs stand in for them, and the report says so.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Mapping

import attrs

from game.authoring.shown import Piece, never_shown, pieces
from game.authoring.statespace import Graph, Move, TooMuchWork, extremes, search
from game.core import model as m
from game.core.run import Run, RunError
from game.core.text import plain

MAX_STATES = 250_000  # more than this, and random playthroughs stand in (about 20 s and 800 MB of search)
SAMPLES = 3_000
SAMPLE_STEPS = 300_000  # decisions in all the random playthroughs together, at most
MANY = 10**18  # path counts stop here: "more than 10^18 paths"


@attrs.frozen
class Report:
    scenario: m.Scenario = attrs.field(repr=False)
    exhaustive: bool
    states: int
    paths: int | None  # None: a loop makes the number of paths unbounded; MANY: at least that many
    endings: dict[str, int]  # ending id -> paths (or samples) that end there
    meter_ranges: dict[str, dict[str, tuple[int, int]]]  # ending -> meter -> (lo, hi)
    routes: dict[str, tuple[Move, ...]]  # ending -> one shortest way there, the choices in order
    scenes: frozenset[str]
    choices: frozenset[tuple[str, str]]  # taken
    offered: frozenset[tuple[str, str]]  # available in some state reached
    unshown: tuple[Piece, ...]  # texts of places reached that no playthrough there is shown
    shortest: tuple[str, ...]
    longest: tuple[str, ...] | None  # None: unbounded
    stuck: tuple[tuple[str, ...], ...]  # paths that end where no choice is available
    bound: int = MAX_STATES

    @property
    def unreached_endings(self) -> list[str]:
        return [e for e in self.scenario.endings if e not in self.endings]

    @property
    def unavailable(self) -> list[str]:
        """Choices of scenes reached that are never available there: their condition never holds."""
        return [f"{a}.{b}" for a, b in all_choices(self.scenario) if a in self.scenes and (a, b) not in self.offered]

    @property
    def ok(self) -> bool:
        return not self.unreached_endings and not self.stuck

    def to_json(self) -> dict[str, object]:
        s = self.scenario
        return {
            "path": s.path,
            "exhaustive": self.exhaustive,
            "bound": self.bound,
            "states": self.states,
            **_count_json(self.paths),
            "endings": {
                e: {
                    "rating": s.endings[e].rating,
                    **_count_json(None if self.exhaustive and self.paths is None and e in self.endings else self.endings.get(e, 0)),
                    "meters": {k: list(v) for k, v in self.meter_ranges.get(e, {}).items()},
                    "shortest": [move_name(mv) for mv in self.routes[e]] if e in self.routes else None,
                }
                for e in s.endings
            },
            "scenes": {"visited": sorted(self.scenes), "total": len(s.scenes)},
            "choices": {
                "taken": len(self.choices),
                "total": len(all_choices(s)),
                "never": [f"{a}.{b}" for a, b in all_choices(s) if (a, b) not in self.choices],
                "unavailable": self.unavailable,
            },
            "texts": {"never_shown": [{"place": p.place, "what": p.what, "line": p.at.line} for p in self.unshown]},
            "shortest": list(self.shortest),
            "longest": list(self.longest) if self.longest is not None else None,
            "stuck": [list(p) for p in self.stuck],
        }


def _count_json(n: int | None) -> dict[str, object]:
    return {"paths": None, "paths_more_than": MANY} if n is not None and n >= MANY else {"paths": n}


def all_choices(s: m.Scenario) -> list[tuple[str, str]]:
    return [(sc.id, c.id) for sc in s.scenes.values() for c in sc.choices]


def move_name(move: Move) -> str:
    scene, choice, late = move
    return f"{scene}.{choice}" + (" (time ran out)" if late else "")


def explore(scenario: m.Scenario, max_states: int = MAX_STATES, samples: int = SAMPLES, seed: int = 0) -> Report:
    """Every state, or (past ``max_states`` states, or as much work around loops)
    ``samples`` random playthroughs. Raises RunError when the story cannot start."""
    texts = list(pieces(scenario))
    try:
        graph = search(scenario, max_states, [(p.place, p.when) for p in texts])
        return _summarise(graph, texts, max_states, [max_states * 20])
    except TooMuchWork:
        return _sample(scenario, texts, samples, seed, max_states)


def _summarise(graph: Graph, texts: list[Piece], bound: int, work: list[int]) -> Report:
    states, edges = graph.states, graph.edges
    endings_at = {k: st.at for k, st in states.items() if st.at in graph.scenario.endings}
    routes: dict[str, tuple[Move, ...]] = {}
    for k, ending in endings_at.items():  # in the order found: the first at an ending is one of the nearest
        if ending not in routes:
            routes[ending] = graph.route(k)
    nearest = min(routes, key=lambda e: len(routes[e]), default=None)
    shortest = (*(mv[0] for mv in routes[nearest]), nearest) if nearest is not None else ()

    # Paths counted and the longest route, by dynamic programming over a
    # topological order; a loop means neither is bounded.
    paths: int | None = None
    longest: tuple[str, ...] | None = None
    per_ending: dict[str, int] = {}
    if graph.order is not None:
        count = dict.fromkeys(states, 0)
        count[graph.root] = 1
        best: dict[object, tuple[int, object]] = {graph.root: (0, None)}
        for k in graph.order:
            for nk, _, _ in edges[k]:
                count[nk] = min(MANY, count[nk] + count[k])
                if best[k][0] + 1 > best.get(nk, (-1, None))[0]:
                    best[nk] = (best[k][0] + 1, k)
        for k, ending in endings_at.items():
            per_ending[ending] = min(MANY, per_ending.get(ending, 0) + count[k])
        paths = min(MANY, sum(count[k] for k in endings_at) + sum(count[k] for k, _ in graph.stuck))
        if endings_at:
            chain = []
            at: object = max(endings_at, key=lambda k: best[k][0])
            while at is not None:
                chain.append(states[at].at)
                at = best[at][1]
            longest = tuple(reversed(chain))
    else:
        per_ending = {ending: 1 for ending in endings_at.values()}  # reached, by paths without number

    bounds = extremes(graph, work)
    names = list(graph.scenario.meters)
    ranges: dict[str, dict[str, tuple[int, int]]] = {}
    for k, ending in endings_at.items():
        lo, hi = bounds[k]
        here = ranges.setdefault(ending, {})
        for i, mid in enumerate(names):
            old_lo, old_hi = here.get(mid, (lo[i], hi[i]))
            here[mid] = (min(old_lo, lo[i]), max(old_hi, hi[i]))

    return Report(
        scenario=graph.scenario,
        exhaustive=True,
        states=len(states),
        paths=paths,
        endings=per_ending,
        meter_ranges=ranges,
        routes=routes,
        scenes=frozenset(st.at for st in states.values() if st.at in graph.scenario.scenes),
        choices=frozenset((mv[0], mv[1]) for out in edges.values() for _, mv, _ in out),
        offered=frozenset(graph.offered),
        unshown=never_shown(graph, texts, work),
        shortest=shortest,
        longest=longest,
        stuck=tuple((*(mv[0] for mv in graph.route(k)), states[k].at, target) for k, target in graph.stuck),
        bound=bound,
    )


def _sample(scenario: m.Scenario, texts: list[Piece], samples: int, seed: int, bound: int) -> Report:
    """``samples`` seeded random playthroughs (fewer, when they would take more
    than ``SAMPLE_STEPS`` decisions together), each preferring choices no earlier one has taken."""
    rng = random.Random(seed)
    limit = 4 * len(scenario.scenes) + 100  # a playthrough longer than this goes round a loop
    endings: dict[str, int] = {}
    ranges: dict[str, dict[str, tuple[int, int]]] = {}
    routes: dict[str, tuple[Move, ...]] = {}
    scenes: set[str] = set()
    choices: set[tuple[str, str]] = set()
    offered: set[tuple[str, str]] = set()
    shown: set[int] = set()
    by_place: dict[str, list[int]] = {}
    for i, p in enumerate(texts):
        by_place.setdefault(p.place, []).append(i)
    longest: tuple[str, ...] = ()
    stuck: list[tuple[str, ...]] = []
    played, budget = 0, SAMPLE_STEPS
    while played < samples and (budget > 0 or not played):
        played += 1
        run = Run.start(scenario)
        moves: list[Move] = []
        while True:
            shown.update(i for i in by_place.get(run.at, ()) if m.holds(texts[i].when, run.meters, run.flags))
            if run.finished or len(moves) >= limit:
                break
            scenes.add(run.at)
            offered.update((run.at, c.id) for c in run.choices)
            # Coverage first: a choice never taken yet is tried before a known one.
            fresh = [c for c in run.choices if (run.at, c.id) not in choices]
            choice = rng.choice(fresh or run.choices)
            choices.add((run.at, choice.id))
            try:
                nxt = run.choose(choice.id)
            except RunError:
                stuck.append((*(mv[0] for mv in moves), run.at, choice.leads_to(run.meters, run.flags)))
                break
            moves.append((run.at, choice.id, False))
            budget -= 1
            run = attrs.evolve(nxt, steps=())  # the moves are kept here: a long history is not copied each step
        if not run.finished:
            continue
        endings[run.at] = endings.get(run.at, 0) + 1
        here = ranges.setdefault(run.at, {})
        for mid, v in run.meters.items():
            lo, hi = here.get(mid, (v, v))
            here[mid] = (min(lo, v), max(hi, v))
        if run.at not in routes or len(moves) < len(routes[run.at]):
            routes[run.at] = tuple(moves)
        if len(moves) + 1 > len(longest):
            longest = (*(mv[0] for mv in moves), run.at)
    nearest = min(routes, key=lambda e: len(routes[e]), default=None)
    return Report(
        scenario=scenario,
        exhaustive=False,
        states=0,
        paths=played,
        endings=endings,
        meter_ranges=ranges,
        routes=routes,
        scenes=frozenset(scenes),
        choices=frozenset(choices),
        offered=frozenset(offered),
        unshown=tuple(p for i, p in enumerate(texts) if (p.place in scenes or p.place in endings) and i not in shown),
        shortest=(*(mv[0] for mv in routes[nearest]), nearest) if nearest is not None else (),
        longest=longest,
        stuck=tuple(dict.fromkeys(stuck)),
        bound=bound,
    )


def ranges_text(ranges: Mapping[str, tuple[int, int]]) -> str:
    return ", ".join(f"{k} {lo}..{hi}" if lo != hi else f"{k} {lo}" for k, (lo, hi) in ranges.items())


READING_SPEED = 200  # words a minute, as the reading-time check (K219) assumes
DECIDING = 15  # seconds to weigh a decision
TYPICAL_STEPS = 50_000  # decisions in all the playthroughs `typical` plays, at most


@attrs.frozen
class Typical:
    """What a playthrough typically takes: the median of random playthroughs."""

    playthroughs: int
    decisions: int
    words: int

    @property
    def minutes(self) -> int:
        return max(1, round(self.words / READING_SPEED + self.decisions * DECIDING / 60))


def typical(scenario: m.Scenario, playthroughs: int = 1000, seed: int = 0) -> Typical:
    """Play ``playthroughs`` times choosing at random (fewer, when they would take
    more than ``TYPICAL_STEPS`` decisions together), and take the median number of
    decisions and of words read (scenes, choices, consequences, the ending)."""
    rng = random.Random(seed)
    limit = 4 * len(scenario.scenes) + 100
    counted: dict[str, int] = {}

    def count(text: str) -> int:
        if text not in counted:
            counted[text] = len(plain(text).split())
        return counted[text]

    decisions: list[int] = []
    words: list[int] = []
    budget = TYPICAL_STEPS
    while len(decisions) < playthroughs and (budget > 0 or not decisions):
        run = Run.start(scenario)
        read = decided = taken = 0
        while not run.finished and taken < limit:
            read += count(run.text) + sum(count(c.text) for c in run.choices)
            choice = rng.choice(run.choices)
            try:
                nxt = run.choose(choice.id)
            except RunError:
                break
            decided += run.scene is not None and run.scene.is_decision
            taken += 1
            read += count(choice.outcome(run.meters, run.flags).consequence)
            run = attrs.evolve(nxt, steps=())  # no history kept: a long playthrough is not copied at each step
        read += count(run.text) if run.finished else 0
        budget -= taken
        decisions.append(decided)
        words.append(read)
    return Typical(len(decisions), round(statistics.median(decisions)), round(statistics.median(words)))


def format_report(report: Report) -> str:
    s = report.scenario
    lines = []
    if report.exhaustive:
        count = ("paths without number: the story can loop" if report.paths is None
                 else f"{_count(report.paths)} path{'s' * (report.paths != 1)}")
        lines.append(f"{s.path}: all {report.states:,} states explored ({count}), so what follows holds for every playthrough")
    else:
        why = f"too many states to explore them all (the bound is {report.bound:,}); " if report.bound else ""
        lines.append(f"{s.path}: {why}{report.paths:,} random playthrough{'s' * (report.paths != 1)}, so what they did not reach may still be reachable")
    lines.append("endings:")
    unit = "path" if report.exhaustive else "playthrough"
    for eid, ending in s.endings.items():
        rating = f" ({ending.rating})" if ending.rating else ""
        if eid not in report.endings:
            unreached = "NOT REACHED: no playthrough can end here" if report.exhaustive else f"not reached in {report.paths:,} random playthrough{'s' * (report.paths != 1)}"
            lines.append(f"  {eid}{rating}: {unreached}")
            continue
        n = report.endings[eid]
        meters = ranges_text(report.meter_ranges[eid])
        how = "reached" if report.exhaustive and report.paths is None else f"{_count(n)} {unit}{'s' * (n != 1)}"
        lines.append(f"  {eid}{rating}: {how}" + (f"; meters {meters}" if meters else ""))
        moves = report.routes[eid]
        nearest = "shortest" if report.exhaustive else "shortest seen"
        lines.append(f"    {nearest}: {_choices(len(moves))}: " + " > ".join(map(move_name, moves)))
    unvisited = [sid for sid in s.scenes if sid not in report.scenes]
    lines.append(f"scenes: {len(report.scenes)}/{len(s.scenes)} reached" + (f"; never: {', '.join(unvisited)}" if unvisited else ""))
    total = all_choices(s)
    taken = f"choices: {len(report.choices)}/{len(total)} taken"
    if report.unavailable:
        taken += ("; never available (the condition never holds where the scene is reached): " if report.exhaustive
                  else "; not available in these playthroughs: ") + ", ".join(report.unavailable)
    elsewhere = [f"{a}.{b}" for a, b in total if a not in report.scenes]
    if elsewhere:
        taken += f"; in scenes never reached: {', '.join(elsewhere)}"
    lines.append(taken)
    if report.unshown:
        lines.append(("texts never shown (the condition never holds where they would be): " if report.exhaustive
                      else "texts not shown in these playthroughs: ") + ", ".join(p.name for p in report.unshown))
    if report.shortest:
        lines.append(f"shortest: {_choices(len(report.shortest) - 1)}: {' > '.join(report.shortest)}")
    if report.longest is None:
        lines.append("longest: no limit (the story can loop)")
    elif report.longest:
        lines.append(f"longest: {_choices(len(report.longest) - 1)}: {' > '.join(report.longest)}")
    for path in report.stuck:
        lines.append(f"stuck: no choice available after {' > '.join(path)}")
    t = typical(s)
    minutes = f"{t.minutes} minute{'s' * (t.minutes != 1)}"
    lines.append(f"typical path ({t.playthroughs:,} random playthrough{'s' * (t.playthroughs != 1)}): {t.decisions} decisions, {t.words:,} words: "
                 f"about {minutes} ({READING_SPEED} words a minute, {DECIDING} s a decision); the file says {s.minutes}")
    return "\n".join(lines)


def _choices(n: int) -> str:
    return f"{n} choice{'s' * (n != 1)}"


def _count(n: int) -> str:
    return "more than 10^18" if n >= MANY else f"{n:,}"
