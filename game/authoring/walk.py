"""Walking a scenario's conditions and changes: what the structural and the
teaching checks both read."""

from __future__ import annotations

from collections.abc import Iterator

from game.core import model as m


def conditions(s: m.Scenario) -> Iterator[m.Condition | None]:
    """Every condition in the scenario: of texts, variants, choices and routes."""
    texts = [*(sc.text for sc in s.scenes.values()), *(e.text for e in s.endings.values())]
    places: list[m.Scene | m.Ending] = [*s.scenes.values(), *s.endings.values()]
    variants = [v for place in places for v in place.variants]
    yield from (cond for text in [*texts, *(v.text for v in variants)] for cond in text.conditions)
    yield from (v.when for v in variants)
    for scene in s.scenes.values():
        for choice in scene.choices:
            yield choice.when
            yield from (route.when for route in choice.routes)


def changes(choice: m.Choice, timer: m.Timer | None) -> Iterator[tuple[tuple[m.Effect, ...], tuple[str, ...], m.Pos]]:
    """The effects and flags that ``choice`` itself, each of its routes, and a
    timer of which it is the timeout, give: with where to report a flag."""
    yield choice.effects, (*choice.set, *choice.clear), choice.at
    for route in choice.routes:
        yield route.change.effects or (), (*(route.change.set or ()), *(route.change.clear or ())), route.at
    if timer is not None and timer.timeout == choice.id:
        change = timer.ran_out
        yield change.effects or (), (*(change.set or ()), *(change.clear or ())), timer.at
