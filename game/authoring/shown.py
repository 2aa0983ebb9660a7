"""Which texts a scenario never shows, judged over every state it can reach.

A text shown in some states only (a variant, a paragraph with a condition, a
paragraph's ``else``) is never shown when its condition never holds at its
place in any playthrough. What the condition reads may tell no state apart
(game/authoring/statespace.py: a flag or meter no choice reads), so for each
text the search's graph carries it along (``flow``): every combination of the
flags it reads with the values of the meters it reads that playthroughs can
arrive with. One meter that each way of showing the text compares on one side
only ("at least 3", not "between 1 and 4") is carried as its lowest and
highest value instead: some playthrough there has trust at least 3 exactly
when the highest has.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from game.authoring.statespace import Graph, Key, State, changer, flow
from game.core import model as m
from game.core.conditions import interval, ways

Known = dict[tuple[tuple[bool, ...], tuple[int, ...]], tuple[int, int] | None]  # (flags, meter values) -> one meter's extremes
Reads = tuple[tuple[str, ...], tuple[str, ...], "str | None"]  # flags, meters by value, a meter by its extremes
MAX_FLAGS = 12  # a text that reads more flags than this that no state tells apart is carried on its own


@attrs.frozen
class Piece:
    place: str
    what: str  # "variant 2", "variant 1, paragraph 3", "paragraph 2's else"
    when: m.Condition  # when it is shown, the variants before it taken into account
    at: m.Pos

    @property
    def name(self) -> str:
        return f"{self.place} {self.what} (line {self.at.line})"


def pieces(s: m.Scenario) -> Iterator[Piece]:
    """Every text shown in some states only, with the condition under which it is shown."""
    places: list[m.Scene | m.Ending] = [*s.scenes.values(), *s.endings.values()]
    for place in places:
        earlier: list[m.Condition] = []
        for i, variant in enumerate(place.variants, 1):
            shown = _all(variant.when, *(m.Not(c) for c in earlier))
            yield Piece(place.id, f"variant {i}", shown, variant.at)
            yield from _paragraphs(place.id, f"variant {i}, ", variant.text, shown)
            earlier.append(variant.when)
        yield from _paragraphs(place.id, "", place.text, _all(*(m.Not(c) for c in earlier)) if earlier else None)


def _paragraphs(place: str, prefix: str, text: m.Text, shown: m.Condition | None) -> Iterator[Piece]:
    for j, p in enumerate(text.paragraphs, 1):
        if p.when is None:
            continue
        yield Piece(place, f"{prefix}paragraph {j}", _all(shown, p.when), p.at)
        if p.otherwise:
            yield Piece(place, f"{prefix}paragraph {j}'s else", _all(shown, m.Not(p.when)), p.at)


def _all(*conds: m.Condition | None) -> m.Condition:
    given = tuple(c for c in conds if c is not None)
    return given[0] if len(given) == 1 else m.AllOf(given)


def never_shown(graph: Graph, texts: list[Piece], work: list[int]) -> tuple[Piece, ...]:
    """Of ``texts``, those of places reached that no playthrough there is shown
    (TooMuchWork past ``work``)."""
    at_place: dict[str, list[Key]] = {}
    for key, state in graph.states.items():
        at_place.setdefault(state.at, []).append(key)
    pending: list[tuple[Piece, Reads]] = []
    for piece in texts:
        if piece.place not in at_place:
            continue  # a place never reached is reported as such
        if any(m.holds(piece.when, graph.states[k].meters, graph.states[k].flags) for k in at_place[piece.place]):
            continue  # a playthrough the search found shows it
        pending.append((piece, _reads(graph, piece)))
    # Flags alone, for every text at once, as sets of combinations (bit v set: combination v arrives);
    # a text that reads meters no state tells apart, on its own.
    flags_only = {r[0]: None for _, r in pending if not r[1] and r[2] is None and len(r[0]) <= MAX_FLAGS}
    index = {flags: i for i, flags in enumerate(flags_only)}
    masks = _carry_flags(graph, list(flags_only), work) if flags_only else {}
    carried: dict[Reads, dict[Key, Known]] = {}
    never = []
    for piece, reads in pending:
        flags, hard, soft = reads
        if not hard and soft is None and flags in index:
            known = {k: _combinations(masks[k][index[flags]], len(flags)) for k in at_place[piece.place]}
        else:
            if reads not in carried:
                carried[reads] = _carry(graph, *reads, work)
            known = carried[reads]
        if not any(_holds(piece, graph.states[k], *reads, v, b) for k in at_place[piece.place] for v, b in known[k].items()):
            never.append(piece)
    return tuple(never)



def _carry_flags(graph: Graph, sigs: list[tuple[str, ...]], work: list[int]) -> dict[Key, tuple[int, ...]]:
    """For each tuple of flags in ``sigs``, the combinations of them that arrive in each state."""
    where: dict[str, list[tuple[int, int]]] = {}  # flag -> (which tuple, which bit)
    for i, flags in enumerate(sigs):
        for bit, f in enumerate(flags):
            where.setdefault(f, []).append((i, bit))
    # low[n][b]: the combinations of n flags without flag b
    low = {n: [sum(((1 << (1 << b)) - 1) << (k << (b + 1)) for k in range(1 << max(0, n - b - 1))) for b in range(n)]
           for n in {len(f) for f in sigs}}

    def step(masks: tuple[int, ...], outcome: m.Outcome) -> tuple[int, ...]:
        changed = [(i, bit, f in outcome.clear) for f in {*outcome.set, *outcome.clear} for i, bit in where.get(f, ())]
        if not changed:
            return masks
        out = list(masks)
        for i, bit, cleared in changed:
            without, mask, width = low[len(sigs[i])][bit], out[i], 1 << bit
            out[i] = (mask & without) | ((mask & ~without) >> width) if cleared else ((mask & without) << width) | (mask & ~without)
        return tuple(out)

    def join(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
        return a if a == b else tuple(x | y for x, y in zip(a, b))

    return flow(graph, (1,) * len(sigs), step, join, work)  # at the start, no flag is set: combination 0


def _combinations(mask: int, n: int) -> Known:
    return {(tuple(bool(v >> b & 1) for b in range(n)), ()): None for v in range(1 << n) if mask >> v & 1}


def _reads(graph: Graph, piece: Piece) -> Reads:
    """What ``piece`` reads that no state at its place tells apart: flags, meters
    carried by value, and the one meter carried by its extremes (if any)."""
    s, rel = graph.scenario, graph.relevance
    leaves = list(m.walk_condition(piece.when))
    flags = tuple(dict.fromkeys(x.flag for x in leaves if isinstance(x, m.FlagIs) and x.flag not in rel.flags[piece.place]))
    meters = tuple(k for k in s.meters if k not in rel.cut
                   and any(isinstance(x, m.MeterCompare) and x.meter == k for x in leaves))
    found = ways(piece.when) if len(meters) == 1 else None
    if found is not None and all(_one_sided(s, way, meters[0]) for way in found):
        return flags, (), meters[0]
    return flags, meters, None


def _one_sided(s: m.Scenario, way: tuple[m.FlagIs | m.MeterCompare, ...], meter: str) -> bool:
    lo: float = s.meters[meter].min
    hi: float = s.meters[meter].max
    for leaf in way:
        if isinstance(leaf, m.MeterCompare) and leaf.meter == meter:
            clo, chi = interval(leaf)
            lo, hi = max(lo, clo), min(hi, chi)
    return lo > hi or lo == s.meters[meter].min or hi == s.meters[meter].max


def _carry(graph: Graph, flags: tuple[str, ...], hard: tuple[str, ...], soft: str | None, work: list[int]) -> dict[Key, Known]:
    s = graph.scenario
    start_meters = graph.states[graph.root].meters
    values, extremes = changer(s, hard), changer(s, (soft,) if soft else ())
    start: Known = {(tuple(False for _ in flags), tuple(start_meters[k] for k in hard)):
                    (start_meters[soft], start_meters[soft]) if soft else None}

    read_flags, read_meters = set(flags), {*hard, soft}

    def step(known: Known, outcome: m.Outcome) -> Known:
        if not (read_flags.intersection(outcome.set) or read_flags.intersection(outcome.clear)
                or any(e.meter in read_meters for e in outcome.effects)):
            return known  # most choices change nothing a text reads
        out: Known = {}
        for (fv, hv), b in known.items():
            nf = tuple((f in outcome.set or was) and f not in outcome.clear for f, was in zip(flags, fv))
            nb = None if b is None else (extremes((b[0],), outcome)[0], extremes((b[1],), outcome)[0])
            v = (nf, values(hv, outcome))
            out[v] = _merged(out.get(v, nb), nb)
        return out

    def join(a: Known, b: Known) -> Known:
        out = a
        for v, nb in b.items():
            new = _merged(a[v], nb) if v in a else nb
            if v not in a or new != a[v]:
                if out is a:
                    out = dict(a)
                out[v] = new
        return out

    return flow(graph, start, step, join, work)


def _merged(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    return None if a is None or b is None else (min(a[0], b[0]), max(a[1], b[1]))


def _holds(piece: Piece, state: State, flags: tuple[str, ...], hard: tuple[str, ...], soft: str | None,
           v: tuple[tuple[bool, ...], tuple[int, ...]], b: tuple[int, int] | None) -> bool:
    """Whether some playthrough in ``state`` arriving with the flags and values
    ``v`` (and ``soft`` between ``b``) is shown ``piece``."""
    set_flags = state.flags.difference(flags).union(f for f, on in zip(flags, v[0]) if on)
    meters = {**state.meters, **dict(zip(hard, v[1]))}
    if soft is None or b is None:
        return m.holds(piece.when, meters, set_flags)
    for way in ways(piece.when) or ():
        lo, hi = b
        possible = True
        for leaf in way:
            if isinstance(leaf, m.FlagIs):
                possible = possible and (leaf.flag in set_flags) == leaf.value
            elif leaf.meter == soft:
                clo, chi = interval(leaf)
                lo, hi = int(max(lo, clo)), int(min(hi, chi))
                possible = possible and lo <= hi
            else:
                possible = possible and m.holds(leaf, meters, set_flags)
        if possible:
            return True
    return False
