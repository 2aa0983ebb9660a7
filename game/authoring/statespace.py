"""The states a scenario can reach, searched breadth first, each once.

What is a state? A condition (of a choice or a route) reads flags and meters
and nothing else (``model.holds``): not which scenes were visited, how often,
or in what order. A Run's steps are its history, for the debrief and the
saves; no condition sees them. So what can happen from a place on depends on
the place, the flags and the meters alone, and of those only on what a
condition of a choice or a route, there or further on, can still tell apart:

- a flag, where such a condition here or further on reads it before a choice
  sets or clears it;
- a meter, by the side of each cut it is on (``Relevance.cuts``): a condition
  "trust at least 5" here cuts trust at 5; one further on, after a choice
  that adds 2, cuts it here at 3. Two values between the same cuts go on
  alike: every condition holds for both or for neither, now and later.

A state is the place with exactly those flags and sides (``Key``), so two
playthroughs in one state go on alike, and the search meets every playthrough
without walking each. What texts read changes no choice, and is worked out on
the graph the search leaves (``flow``; game/authoring/shown.py): each meter's
lowest and highest value in every state (``extremes``), and whether a text is
ever shown. A meter a choice reads is also cut where a text reads it, so that
each state shows such a text or does not.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

import attrs

from game.core import model as m
from game.core.conditions import interval
from game.core.run import Run

Key = Hashable  # (place, the flags told apart there, each cut meter's side of its cuts there)
Move = tuple[str, str, bool]  # scene, choice, whether the time ran out
Edge = tuple[Key, Move, m.Outcome]
Bounds = tuple[tuple[int, ...], tuple[int, ...]]  # every meter's lowest and highest value, in the scenario's order
T = TypeVar("T")


class TooMuchWork(Exception):
    """The states, or the work to tell them apart or follow values round the story's loops, are beyond the bound."""


@attrs.frozen
class Relevance:
    flags: Mapping[str, frozenset[str]]  # place -> the flags told apart there
    cut: frozenset[str]  # the meters that a choice or a route reads, told apart by their cuts
    cuts: Mapping[str, tuple[tuple[str, tuple[int, ...]], ...]]  # place -> (meter, where its values are cut there), in the scenario's order


def relevance(s: m.Scenario, texts: Iterable[tuple[str, m.Condition]] = (), work: int = 10**9) -> Relevance:
    """What tells states apart at each place; ``texts`` are (place, condition)
    of texts, which cut a meter where a choice reads it anywhere. Raises
    TooMuchWork past ``work`` cuts, all places together."""
    places = [*s.scenes, *s.endings]
    flags: dict[str, set[str]] = {p: set() for p in places}
    cuts: dict[str, dict[str, set[int]]] = {p: {} for p in places}
    into: dict[str, list[tuple[str, m.Outcome]]] = {p: [] for p in places}  # place -> (from, the outcome that leads here)
    read: list[tuple[str, m.Condition | None]] = []
    for scene in s.scenes.values():
        for choice in scene.choices:
            read += [(scene.id, cond) for cond in (choice.when, *(r.when for r in choice.routes))]
            for outcome in choice.outcomes(scene.timer):
                if outcome.next in into:
                    into[outcome.next].append((scene.id, outcome))
    cut = {leaf.meter for _, cond in read for leaf in m.walk_condition(cond)
           if isinstance(leaf, m.MeterCompare) and leaf.meter in s.meters}
    for place, cond, by_choice in [*((p, c, True) for p, c in read), *((p, c, False) for p, c in texts if p in cuts)]:
        for leaf in m.walk_condition(cond):
            if isinstance(leaf, m.FlagIs):
                if by_choice:
                    flags[place].add(leaf.flag)
            elif leaf.meter in cut:
                lo, hi = interval(leaf)
                at = int(lo if hi == float("inf") else hi + 1)  # the least value on the upper side
                if s.meters[leaf.meter].min < at <= s.meters[leaf.meter].max:
                    cuts[place].setdefault(leaf.meter, set()).add(at)
    # What is read here, or further on (before it is set), carried backwards to a fixed point;
    # each place passes on only what it has gained since it last did.
    gained = {p: (set(flags[p]), {k: set(v) for k, v in cuts[p].items()}) for p in places}
    queue, queued = deque(places), set(places)
    while queue:
        place = queue.popleft()
        queued.discard(place)
        new_flags, new_cuts = gained[place]
        gained[place] = (set(), {})
        for source, outcome in into[place]:
            more_flags = new_flags - set(outcome.set) - set(outcome.clear) - flags[source]
            flags[source] |= more_flags
            gained[source][0].update(more_flags)
            grew = bool(more_flags)
            for name, later in new_cuts.items():
                here = cuts[source].setdefault(name, set())
                more = {c for c in (_before(s, outcome, name, c) for c in later) if c is not None} - here
                if more:
                    work -= len(more)
                    if work < 0:
                        raise TooMuchWork
                    here |= more
                    gained[source][1].setdefault(name, set()).update(more)
                    grew = True
            if grew and source not in queued:
                queued.add(source)
                queue.append(source)
    order = list(s.meters)
    return Relevance(flags={p: frozenset(f) for p, f in flags.items()}, cut=frozenset(cut),
                     cuts={p: tuple((k, tuple(sorted(cuts[p][k]))) for k in order if cuts[p].get(k)) for p in places})


def _before(s: m.Scenario, outcome: m.Outcome, meter: str, at: int) -> int | None:
    """Where a cut at ``at`` after ``outcome`` cuts the meter before it (None: the outcome puts every value on one side)."""
    limits = s.meters[meter]
    for effect in reversed(outcome.effects):
        if effect.meter == meter:
            at -= effect.delta  # value + delta >= at, cut off at the limits, exactly when value >= at - delta
            if not limits.min < at <= limits.max:
                return None
    return at


@attrs.frozen
class State:
    """A state, by the first playthrough the search found in it: its flags and
    meters (every other playthrough in the state has the same flags told apart
    here, and its meters on the same sides of the cuts)."""

    at: str
    flags: frozenset[str]
    meters: Mapping[str, int]


@attrs.frozen
class Graph:
    scenario: m.Scenario = attrs.field(repr=False)
    relevance: Relevance
    root: Key
    states: dict[Key, State]  # in the order found: breadth first, so the nearest first
    edges: dict[Key, list[Edge]]
    parent: dict[Key, tuple[Key, Move] | None]  # how the search first came to each state
    offered: set[tuple[str, str]]  # (scene, choice) available in some state
    stuck: list[tuple[Key, str]]  # a state, and the scene a choice there leads to where no choice is available
    order: list[Key] | None  # a topological order of the states; None when the story can loop

    def route(self, key: Key) -> tuple[Move, ...]:
        """The choices of a shortest playthrough to ``key``."""
        moves = []
        step = self.parent[key]
        while step is not None:
            key, move = step
            moves.append(move)
            step = self.parent[key]
        return tuple(reversed(moves))


def search(s: m.Scenario, max_states: int, texts: Iterable[tuple[str, m.Condition]] = ()) -> Graph:
    """Every state the scenario can reach, telling apart what ``texts`` read as
    ``relevance`` says. Raises TooMuchWork past ``max_states`` states (or four
    times as many cuts), and RunError when the story cannot start."""
    rel = relevance(s, texts, work=4 * max_states)
    flags_at, cuts_at = rel.flags, rel.cuts

    def key(at: str, flags: frozenset[str], meters: Mapping[str, int]) -> tuple[Key, State]:
        told = flags & flags_at.get(at, frozenset())
        return (at, told, tuple(bisect_right(cuts, meters[k]) for k, cuts in cuts_at.get(at, ()))), State(at, flags, meters)

    start = Run.start(s)
    root, first = key(start.at, start.flags, start.meters)
    states: dict[Key, State] = {root: first}
    parent: dict[Key, tuple[Key, Move] | None] = {root: None}
    edges: dict[Key, list[Edge]] = {}
    offered: set[tuple[str, str]] = set()
    stuck: list[tuple[Key, str]] = []
    refused: set[Key] = set()
    outcomes: dict[tuple[str, tuple[str, bool, tuple[bool, ...]]], m.Outcome] = {}
    moves_seen: dict[Move, Move] = {}
    queue = deque([root])
    while queue:
        here = queue.popleft()
        state = states[here]
        out = edges[here] = []
        scene = s.scenes.get(state.at)
        if scene is None:
            continue  # an ending
        available = [c for c in scene.choices if m.holds(c.when, state.meters, state.flags)]
        offered.update((scene.id, c.id) for c in available)
        moves = [(c, False) for c in available]
        if scene.timer is not None:  # running out of time is a move of its own
            moves += [(c, True) for c in available if c.id == scene.timer.timeout]
        for choice, late in moves:
            # How a choice turns out depends on which of its routes hold, and nothing else.
            holding = (choice.id, late, tuple(m.holds(r.when, state.meters, state.flags) for r in choice.routes))
            outcome = outcomes.get((scene.id, holding))
            if outcome is None:
                outcome = outcomes[scene.id, holding] = choice.outcome(state.meters, state.flags, ran_out=scene.timer if late else None)
            meters, flags = outcome.changes(s.meters, state.meters, state.flags)
            there, nxt = key(outcome.next, flags, meters)
            if there not in states and (there in refused or _refused(s, nxt)):
                refused.add(there)
                stuck.append((here, outcome.next))  # as Run.choose refuses it
                continue
            move = moves_seen.setdefault((scene.id, choice.id, late), (scene.id, choice.id, late))  # one tuple for each move
            out.append((there, move, outcome))
            if there not in states:
                if len(states) >= max_states:
                    raise TooMuchWork
                states[there] = nxt
                parent[there] = (here, move)
                queue.append(there)
    return Graph(s, rel, root, states, edges, parent, offered, stuck, _topological(edges))


def _refused(s: m.Scenario, state: State) -> bool:
    """Whether the story cannot go on from ``state``: no ending, and no choice available (Run.arrived)."""
    scene = s.scenes.get(state.at)
    if scene is None:
        return state.at not in s.endings
    return not any(m.holds(c.when, state.meters, state.flags) for c in scene.choices)


def _topological(edges: dict[Key, list[Edge]]) -> list[Key] | None:
    indegree: dict[Key, int] = {k: 0 for k in edges}
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


def flow(graph: Graph, start: T, step: Callable[[T, m.Outcome], T], join: Callable[[T, T], T], work: list[int]) -> dict[Key, T]:
    """What is known in each state, from ``start`` at the root, carried along
    each edge by ``step`` and, where edges meet, combined by ``join``: in
    topological order one pass, around loops until nothing changes. ``work``
    holds the steps still allowed, shared by every flow (TooMuchWork past it)."""
    found: dict[Key, T] = {graph.root: start}
    edges = graph.edges

    def arrive(there: Key, value: T) -> bool:
        old = found.get(there)
        new = value if old is None else join(old, value)
        if new is old or new == old:
            return False
        found[there] = new
        return True

    if graph.order is not None:
        work[0] -= len(graph.order)
        if work[0] < 0:
            raise TooMuchWork
        for here in graph.order:
            value = found[here]
            for there, _, outcome in edges[here]:
                arrive(there, step(value, outcome))
        return found
    queue, queued = deque([graph.root]), {graph.root}
    while queue:
        here = queue.popleft()
        queued.discard(here)
        work[0] -= 1
        if work[0] < 0:
            raise TooMuchWork
        value = found[here]
        for there, _, outcome in edges[here]:
            if arrive(there, step(value, outcome)) and there not in queued:
                queued.add(there)
                queue.append(there)
    return found


def changer(s: m.Scenario, names: tuple[str, ...]) -> Callable[[tuple[int, ...], m.Outcome], tuple[int, ...]]:
    """How an outcome changes the values of the meters ``names``, as ``Outcome.changes`` does."""
    index = {k: i for i, k in enumerate(names)}
    limits = [(s.meters[k].min, s.meters[k].max) for k in names]

    def after(values: tuple[int, ...], outcome: m.Outcome) -> tuple[int, ...]:
        effects = [e for e in outcome.effects if e.meter in index]
        if not effects:
            return values
        out = list(values)
        for e in effects:
            i = index[e.meter]
            out[i] = max(limits[i][0], min(limits[i][1], out[i] + e.delta))
        return tuple(out)

    return after


def extremes(graph: Graph, work: list[int]) -> dict[Key, Bounds]:
    """Every meter's lowest and highest value over the playthroughs in each state.
    A meter's change (add, then cut off at the limits) never puts a lower value
    above a higher one, so a state's extremes follow from those before it."""
    s = graph.scenario
    after = changer(s, tuple(s.meters))
    start = tuple(graph.states[graph.root].meters[k] for k in s.meters)
    return flow(graph, (start, start),
                lambda b, o: (after(b[0], o), after(b[1], o)),
                lambda a, b: (tuple(map(min, a[0], b[0])), tuple(map(max, a[1], b[1]))), work)
