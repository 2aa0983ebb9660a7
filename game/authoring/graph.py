"""The map of a scenario (``koers graph``): its scenes and endings, the ways
its choices lead between them, and the recommended path.

A way joins a scene to a scene or an ending. The choices of one scene that
lead to the same place in the same manner share one way, so that a scene of
three choices into the same next scene is one arrow with three labels. A
route that leads elsewhere than its choice is a way of its own, taken only
when the route's condition holds; a route that changes only what a choice
does, not where it leads, adds no way.

The recommended path is what a player who takes only recommended options can
meet: from the start, every choice the scenario does not mark
``recommended: false``, and each route of it (docs/scenario-format.md). The
map is read from the model alone; nothing is played.
"""

from __future__ import annotations

from typing import NamedTuple

from game.core import model as m

#: Scenes: a larger map joins all the ways from a scene to one place, recommended or
#: not, so that it stays within what a drawing (and GitHub's Mermaid, 500 arrows) can show.
COMPACT_ABOVE = 60


class Branch(NamedTuple):
    """One way a choice can lead: where it leads itself, or where its routes to
    one place take it (when the condition of any of them holds)."""

    number: int  # the choice's place in its scene, counted from 1, as the player sees it
    choice: m.Choice
    routes: tuple[m.Route, ...] = ()

    @property
    def when(self) -> m.Condition | None:
        """What must hold for the choice to lead here, beyond being offered: a route's condition."""
        if not self.routes:
            return None
        return self.routes[0].when if len(self.routes) == 1 else m.AnyOf(tuple(r.when for r in self.routes))


class Way(NamedTuple):
    source: str  # a scene id
    target: str  # a scene or ending id
    branches: tuple[Branch, ...]
    routed: bool  # taken only when a route's condition holds
    recommended: bool  # its choices (in a compact map, any of them) are not marked `recommended: false`
    on_path: bool  # recommended, from a scene on the recommended path


class Map(NamedTuple):
    scenario: m.Scenario
    ways: tuple[Way, ...]
    path: frozenset[str]  # the scenes and endings on the recommended path
    compact: bool  # more than COMPACT_ABOVE scenes


def chart(s: m.Scenario) -> Map:
    path = recommended_path(s)
    compact = len(s.scenes) > COMPACT_ABOVE
    # A way is its scene, its place, whether a route leads there, and (unless the
    # map is compact) whether its choices are recommended.
    grouped: dict[tuple[str, str, bool, bool], list[Branch]] = {}
    for scene in s.scenes.values():
        for number, choice in enumerate(scene.choices, 1):
            apart = not compact and choice.recommended is False
            grouped.setdefault((scene.id, choice.next, False, apart), []).append(Branch(number, choice))
            elsewhere: dict[str, list[m.Route]] = {}
            for route in choice.routes:
                if route.next is not None and route.next != choice.next:
                    elsewhere.setdefault(route.next, []).append(route)
            for target, routes in elsewhere.items():
                grouped.setdefault((scene.id, target, True, apart), []).append(Branch(number, choice, tuple(routes)))
    ways = []
    for (source, target, routed, _), branches in grouped.items():
        recommended = any(b.choice.recommended is not False for b in branches)
        ways.append(Way(source, target, tuple(branches), routed, recommended, recommended and source in path))
    return Map(s, tuple(ways), path, compact)


def recommended_path(s: m.Scenario) -> frozenset[str]:
    """The scenes and endings a player reaches from the start taking only recommended choices."""
    seen, todo = {s.start}, [s.start]
    while todo:
        scene = s.scenes.get(todo.pop())
        if scene is None:  # an ending
            continue
        for choice in scene.choices:
            if choice.recommended is False:
                continue
            for target, _ in choice.targets:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
    return frozenset(seen)
