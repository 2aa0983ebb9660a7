"""Walk every path through a scenario and report what can happen.

Paths are explored as a graph of states (where the player is, the meters, the
flags): two paths that arrive at the same state share everything after it, so
every path is covered without walking each one. When the states are too many,
a fixed number of seeded random playthroughs stands in for them, each
preferring choices no earlier playthrough has taken.
"""

from __future__ import annotations

import random
import statistics
from collections import deque
from collections.abc import Hashable

import attrs

from game.core import model as m
from game.core.run import Run, RunError
from game.core.text import plain

MAX_STATES = 20_000
SAMPLES = 3_000
MAX_STEPS = 500


@attrs.frozen
class Report:
    scenario: m.Scenario = attrs.field(repr=False)
    exhaustive: bool
    states: int
    paths: int | None  # None: a loop makes the number of paths unbounded
    endings: dict[str, int]  # ending id -> paths (or samples) that end there
    meter_ranges: dict[str, dict[str, tuple[int, int]]]  # ending -> meter -> (lo, hi)
    scenes: frozenset[str]
    choices: frozenset[tuple[str, str]]
    shortest: tuple[str, ...]
    longest: tuple[str, ...] | None  # None: unbounded
    stuck: tuple[tuple[str, ...], ...]  # paths that end where no choice is available

    @property
    def unreached_endings(self) -> list[str]:
        return [e for e in self.scenario.endings if e not in self.endings]

    @property
    def ok(self) -> bool:
        return not self.unreached_endings and not self.stuck

    def to_json(self) -> dict[str, object]:
        s = self.scenario
        return {
            "path": s.path,
            "exhaustive": self.exhaustive,
            "states": self.states,
            "paths": self.paths,
            "endings": {
                e: {
                    "rating": s.endings[e].rating,
                    "paths": self.endings.get(e, 0),
                    "meters": {k: list(v) for k, v in self.meter_ranges.get(e, {}).items()},
                }
                for e in s.endings
            },
            "scenes": {"visited": sorted(self.scenes), "total": len(s.scenes)},
            "choices": {
                "taken": len(self.choices),
                "total": sum(len(sc.choices) for sc in s.scenes.values()),
                "never": [f"{a}.{b}" for a, b in _all_choices(s) if (a, b) not in self.choices],
            },
            "shortest": list(self.shortest),
            "longest": list(self.longest) if self.longest is not None else None,
            "stuck": [list(p) for p in self.stuck],
        }


def _all_choices(s: m.Scenario) -> list[tuple[str, str]]:
    return [(sc.id, c.id) for sc in s.scenes.values() for c in sc.choices]


def _key(run: Run) -> Hashable:
    return (run.at, tuple(run.meters.values()), run.flags)


def explore(scenario: m.Scenario, max_states: int = MAX_STATES, samples: int = SAMPLES, seed: int = 0) -> Report:
    start = Run.start(scenario)
    states: dict[Hashable, Run] = {_key(start): start}
    edges: Edges = {}
    queue = deque([_key(start)])
    stuck: list[tuple[Hashable, str]] = []  # a state, and the scene a choice there leads to where no choice is available
    while queue:
        key = queue.popleft()
        run = states[key]
        out = edges[key] = []
        moves = [(c.id, False) for c in run.choices]
        if run.timer is not None:  # running out of time is a move of its own
            moves.append((run.timer.timeout, True))
        for choice_id, late in moves:
            try:
                nxt = attrs.evolve(run.choose(choice_id, timed_out=late), steps=())
            except RunError:
                choice = run.scene.choice(choice_id) if run.scene else None
                stuck.append((key, choice.leads_to(run.meters, run.flags) if choice else run.at))
                continue
            nkey = _key(nxt)
            out.append((nkey, run.at, choice_id))
            if nkey not in states:
                if len(states) >= max_states:
                    return _sample(scenario, samples, seed)
                states[nkey] = nxt
                queue.append(nkey)
    return _summarise(scenario, states, edges, _key(start), stuck)


Edges = dict[Hashable, list[tuple[Hashable, str, str]]]  # state -> (next state, scene, choice id)


def _summarise(scenario: m.Scenario, states: dict[Hashable, Run], edges: Edges, root: Hashable,
               stuck: list[tuple[Hashable, str]]) -> Report:
    endings_at = {k: r.at for k, r in states.items() if r.finished}

    # Shortest routes: breadth-first parents from the root.
    parent: dict[Hashable, Hashable | None] = {root: None}
    order = deque([root])
    while order:
        k = order.popleft()
        for nk, _, _ in edges[k]:
            if nk not in parent:
                parent[nk] = k
                order.append(nk)

    def route(k: Hashable) -> tuple[str, ...]:
        out = []
        while k is not None:
            out.append(states[k].at)
            k = parent[k]
        return tuple(reversed(out))

    finished = sorted(endings_at, key=lambda k: len(route(k)))
    shortest = route(finished[0]) if finished else ()

    # Paths counted and the longest route, both by dynamic programming over a
    # topological order; a cycle means neither is bounded.
    topo = _topological(edges)
    paths: int | None = None
    longest: tuple[str, ...] | None = None
    per_ending: dict[str, int] = {}
    if topo is not None:
        count: dict[Hashable, int] = {k: 0 for k in states}
        count[root] = 1
        best: dict[Hashable, tuple[int, Hashable | None]] = {root: (0, None)}
        for k in topo:
            for nk, _, _ in edges[k]:
                count[nk] += count[k]
                if k in best and (nk not in best or best[k][0] + 1 > best[nk][0]):
                    best[nk] = (best[k][0] + 1, k)
        for k, ending in endings_at.items():
            per_ending[ending] = per_ending.get(ending, 0) + count[k]
        paths = sum(count[k] for k in endings_at) + sum(count[k] for k, _ in stuck)
        if finished:
            far = max(endings_at, key=lambda k: best[k][0])
            chain = []
            at: Hashable | None = far
            while at is not None:
                chain.append(states[at].at)
                at = best[at][1]
            longest = tuple(reversed(chain))
    else:
        for ending in endings_at.values():
            per_ending[ending] = per_ending.get(ending, 0) + 1

    ranges: dict[str, dict[str, tuple[int, int]]] = {}
    for k, ending in endings_at.items():
        meters = states[k].meters
        here = ranges.setdefault(ending, {})
        for mid, v in meters.items():
            lo, hi = here.get(mid, (v, v))
            here[mid] = (min(lo, v), max(hi, v))

    return Report(
        scenario=scenario,
        exhaustive=True,
        states=len(states),
        paths=paths,
        endings=per_ending,
        meter_ranges=ranges,
        scenes=frozenset(r.at for r in states.values() if not r.finished),
        choices=frozenset((a, c) for out in edges.values() for _, a, c in out),
        shortest=shortest,
        longest=longest,
        stuck=tuple((*route(k), target) for k, target in stuck),
    )


def _topological(edges: Edges) -> list[Hashable] | None:
    indegree: dict[Hashable, int] = {k: 0 for k in edges}
    for out in edges.values():
        for nk, _, _ in out:
            indegree[nk] += 1
    ready = deque(k for k, d in indegree.items() if d == 0)
    order = []
    while ready:
        k = ready.popleft()
        order.append(k)
        for nk, _, _ in edges[k]:
            indegree[nk] -= 1
            if indegree[nk] == 0:
                ready.append(nk)
    return order if len(order) == len(edges) else None


def _sample(scenario: m.Scenario, samples: int, seed: int) -> Report:
    rng = random.Random(seed)
    endings: dict[str, int] = {}
    ranges: dict[str, dict[str, tuple[int, int]]] = {}
    scenes: set[str] = set()
    choices: set[tuple[str, str]] = set()
    shortest: tuple[str, ...] | None = None
    longest: tuple[str, ...] = ()
    stuck: list[tuple[str, ...]] = []
    for _ in range(samples):
        run = Run.start(scenario)
        while not run.finished and run.choices and len(run.steps) < MAX_STEPS:
            scenes.add(run.at)
            # Coverage first: a choice never taken yet is tried before a known one.
            fresh = [c for c in run.choices if (run.at, c.id) not in choices]
            choice = rng.choice(fresh or run.choices)
            choices.add((run.at, choice.id))
            try:
                run = run.choose(choice.id)
            except RunError:
                stuck.append((*run.path, choice.leads_to(run.meters, run.flags)))
                break
        if not run.finished:
            continue
        endings[run.at] = endings.get(run.at, 0) + 1
        here = ranges.setdefault(run.at, {})
        for mid, v in run.meters.items():
            lo, hi = here.get(mid, (v, v))
            here[mid] = (min(lo, v), max(hi, v))
        if shortest is None or len(run.path) < len(shortest):
            shortest = run.path
        if len(run.path) > len(longest):
            longest = run.path
    return Report(
        scenario=scenario,
        exhaustive=False,
        states=0,
        paths=samples,
        endings=endings,
        meter_ranges=ranges,
        scenes=frozenset(scenes),
        choices=frozenset(choices),
        shortest=shortest or (),
        longest=longest,
        stuck=tuple(dict.fromkeys(stuck)),
    )


READING_SPEED = 200  # words a minute, as the reading-time check (K219) assumes
DECIDING = 15  # seconds to weigh a decision


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
    """Play ``playthroughs`` times choosing at random, and take the median
    number of decisions and of words read (scenes, choices, consequences, the ending)."""
    rng = random.Random(seed)
    decisions, words = [], []
    for _ in range(playthroughs):
        run = Run.start(scenario)
        read = 0
        while not run.finished and len(run.steps) < MAX_STEPS:
            read += len(plain(run.text).split()) + sum(len(plain(c.text).split()) for c in run.choices)
            try:
                run = run.choose(rng.choice(run.choices).id)
            except RunError:
                break
            outcome = run.last_outcome
            read += len(plain(outcome.consequence).split()) if outcome else 0
        read += len(plain(run.text).split()) if run.finished else 0
        decisions.append(sum(scenario.scenes[step.scene].is_decision for step in run.steps))
        words.append(read)
    return Typical(playthroughs, round(statistics.median(decisions)), round(statistics.median(words)))


def format_report(report: Report) -> str:
    s = report.scenario
    lines = []
    if report.exhaustive:
        count = "an unbounded number of paths (the story can loop)" if report.paths is None else f"{report.paths:,} paths"
        lines.append(f"{s.path}: {count} through {report.states:,} states, all explored")
    else:
        lines.append(f"{s.path}: too many states to explore all; {report.paths:,} random playthroughs instead")
    lines.append("endings:")
    for eid, ending in s.endings.items():
        rating = f" ({ending.rating})" if ending.rating else ""
        if eid not in report.endings:
            unreached = "NOT REACHED" if report.exhaustive else f"not reached in {report.paths:,} random playthroughs"
            lines.append(f"  {eid}{rating}: {unreached}")
            continue
        unit = "paths" if report.exhaustive else "playthroughs"
        meters = ", ".join(f"{k} {lo}..{hi}" if lo != hi else f"{k} {lo}" for k, (lo, hi) in report.meter_ranges[eid].items())
        lines.append(f"  {eid}{rating}: {report.endings[eid]:,} {unit}" + (f"; meters {meters}" if meters else ""))
    total_choices = _all_choices(s)
    never = [f"{a}.{b}" for a, b in total_choices if (a, b) not in report.choices]
    unvisited = [sid for sid in s.scenes if sid not in report.scenes]
    lines.append(f"scenes: {len(report.scenes)}/{len(s.scenes)} visited" + (f"; never: {', '.join(unvisited)}" if unvisited else ""))
    lines.append(f"choices: {len(report.choices)}/{len(total_choices)} taken" + (f"; never: {', '.join(never)}" if never else ""))
    if report.shortest:
        lines.append(f"shortest: {len(report.shortest) - 1} choices: {' > '.join(report.shortest)}")
    if report.longest is None:
        lines.append("longest: no limit (the story can loop)")
    elif report.longest:
        lines.append(f"longest: {len(report.longest) - 1} choices: {' > '.join(report.longest)}")
    for path in report.stuck:
        lines.append(f"stuck: no choice available after {' > '.join(path)}")
    t = typical(s)
    lines.append(f"typical path ({t.playthroughs:,} random playthroughs): {t.decisions} decisions, {t.words:,} words: "
                 f"about {t.minutes} minutes ({READING_SPEED} words a minute, {DECIDING} s a decision); "
                 f"the file says {s.minutes}")
    return "\n".join(lines)
