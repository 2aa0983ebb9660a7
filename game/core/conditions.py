"""What a condition can do, judged from the scenario alone: whether it can
ever hold, and whether it always holds.

A condition is written out as the ways it can hold (each a set of plain
parts that must all hold: a flag set or not, a meter in a range), and a way
can hold unless it asks a flag nothing sets, a meter outside its range, or
two parts that contradict each other. Both answers are safe: ``can_hold`` is
False only for a condition no state can meet, ``always_holds`` True only for
one every state meets; a condition too large to write out can hold, and does
not always.
"""

from __future__ import annotations

import itertools

from game.core import model as m

Leaf = m.FlagIs | m.MeterCompare
MAX_WAYS = 256  # a condition with more ways to hold than this is not written out

_OPPOSITE = {"at_least": "below", "below": "at_least", "at_most": "above", "above": "at_most"}


class Judge:
    def __init__(self, scenario: m.Scenario) -> None:
        self.meters = scenario.meters
        self.settable = {flag for scene in scenario.scenes.values() for choice in scene.choices
                         for outcome in choice.outcomes(scene.timer) for flag in outcome.set}

    def can_hold(self, cond: m.Condition | None) -> bool:
        if cond is None:
            return True
        found = ways(cond)
        return found is None or any(self._possible(way) for way in found)

    def always_holds(self, cond: m.Condition | None) -> bool:
        return cond is None or not self.can_hold(m.Not(cond))

    def _possible(self, way: tuple[Leaf, ...]) -> bool:
        flags: dict[str, bool] = {}
        ranges: dict[str, tuple[float, float]] = {}
        for leaf in way:
            if isinstance(leaf, m.FlagIs):
                if leaf.value and leaf.flag not in self.settable:
                    return False  # flags start unset, and this one is never set
                if flags.setdefault(leaf.flag, leaf.value) != leaf.value:
                    return False
                continue
            meter = self.meters.get(leaf.meter)
            if meter is None:
                continue  # an undeclared meter is K204's to report
            lo, hi = ranges.get(leaf.meter, (meter.min, meter.max))
            clo, chi = interval(leaf)
            lo, hi = max(lo, clo), min(hi, chi)
            if lo > hi:
                return False
            ranges[leaf.meter] = (lo, hi)
        return True


def ways(cond: m.Condition, negated: bool = False) -> list[tuple[Leaf, ...]] | None:
    """The ways ``cond`` (or, ``negated``, its opposite) can hold, or None when there are too many."""
    if isinstance(cond, m.Not):
        return ways(cond.part, not negated)
    if isinstance(cond, m.FlagIs):
        return [(m.FlagIs(cond.flag, cond.value != negated),)]
    if isinstance(cond, m.MeterCompare):
        return [(m.MeterCompare(cond.meter, _OPPOSITE[cond.op] if negated else cond.op, cond.value),)]
    parts = [ways(p, negated) for p in cond.parts]
    if any(p is None for p in parts):
        return None
    # `all` holds when every part does, `any` when one does; negated, the other way round.
    every = isinstance(cond, m.AllOf) != negated
    if not every:
        either = [way for p in parts for way in p]  # type: ignore[union-attr]
        return either if len(either) <= MAX_WAYS else None
    total = 1
    for p in parts:
        total *= len(p)  # type: ignore[arg-type]
        if total > MAX_WAYS:
            return None
    return [tuple(leaf for way in combo for leaf in way) for combo in itertools.product(*parts)]  # type: ignore[arg-type]


def interval(cond: m.MeterCompare) -> tuple[float, float]:
    """The values a meter may have for ``cond`` to hold (meters are whole numbers)."""
    v = cond.value
    return {
        "at_least": (v, float("inf")),
        "above": (v + 1, float("inf")),
        "at_most": (float("-inf"), v),
        "below": (float("-inf"), v - 1),
    }[cond.op]
