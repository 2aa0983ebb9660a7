"""Group debrief: the saved playthroughs of a room, summed up for the trainer.

Saves are matched to scenarios by id, so the Dutch and the English
playthroughs of one scenario are debriefed together; saves made on another
version of a scenario form a group of their own, with a warning. Nothing here
imports Textual: the exports, the CLI and the facilitator screens all read
the same :class:`Report`.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import compress
from operator import attrgetter

from game.authoring.library import Library
from game.core import model as m
from game.core.diagnostics import Diagnostic
from game.core.vocab import LANGUAGES
from game.debrief.collect import Collected, no_cycle_collection
from game.debrief.privacy import hide, visible
from game.debrief.report import Answer, Caveat, Count, Debrief, Decision, MeterRow, Option, Report, Route
from game.saves.playthrough import Playthrough

ROUTES = 5  # the most common routes shown


def debrief(
    collected: Collected,
    library: Library,
    *,
    language: str | None = None,
    names: bool = False,
    min_group: int = 1,
    session: str | None = None,
) -> Report:
    """Group the playthroughs by scenario and version and sum each group up.

    ``language`` picks the words of the report (default: the language most of
    the group played in); ``names`` shows the players' pseudonyms; choices,
    endings and routes with fewer than ``min_group`` players are not counted
    out loud.
    """
    with no_cycle_collection():
        return _debrief_all(collected, library, language, names, min_group, session)


def _debrief_all(collected: Collected, library: Library, language: str | None, names: bool, min_group: int,
                 session: str | None) -> Report:
    skipped = list(collected.skipped)
    groups: dict[tuple[str, str], list[Playthrough]] = defaultdict(list)
    for p in collected.played:
        groups[(p.scenario.id, p.scenario.version)].append(p)
    for sid, version in [key for key in groups if key[0] not in library]:
        skipped.extend(not_found(collected.paths.get(p.id, f"{p.id}.json"), sid) for p in groups.pop((sid, version)))
    tallies = {key: _Tally(group) for key, group in sorted(groups.items())}
    if language is None:  # one language for the whole report: the one most of the room played in
        played = sum((t.languages for t in tallies.values()), Counter())
        language = min(played, key=lambda lang: (-played[lang], lang)) if played else None
    debriefs = []
    for (sid, version), tally in tallies.items():
        others = sorted(v for s, v in tallies if s == sid and v != version)
        debriefs.append(_debrief(sid, version, tally, library, language, names, max(1, min_group), others))
    # The words around the debriefs: those of the first (its file may lack the language asked for).
    words = debriefs[0].scenario.language if debriefs else language or "en"
    return Report(tuple(debriefs), tuple(sorted(skipped)), collected.other_sessions, session, words)


def not_found(path: str, sid: str) -> Diagnostic:
    """G002 for the playthrough in ``path``, whose scenario ``sid`` the library does not have."""
    return Diagnostic(path, 1, 1, "G002", f"no scenario '{sid}' was found for this playthrough; name its folder with --scenarios DIR")


def _pick(sid: str, version: str, languages: Counter[str], library: Library, language: str | None) -> tuple[m.Scenario, list[Caveat]]:
    """The scenario file whose words to show: the wanted language, at the
    group's version if there is one."""
    order = list(dict.fromkeys([*([language] if language else []), *(lang for lang, _ in languages.most_common()), *LANGUAGES]))
    # The first file in that order at the group's version; usually the first file there is.
    chosen = next((s for lang in order if (s := library.one(sid, lang)) and s.version == version), None)
    if chosen is None:
        rank = {lang: i for i, lang in enumerate(order)}
        files = library.languages(sid).values()
        chosen = min(files, key=lambda s: (s.version != version, rank.get(s.language, len(order)), s.language))
    warnings: list[Caveat] = []
    if chosen.version != version:
        warnings.append(Caveat("group.warn_version", {"version": version, "id": chosen.id, "found": chosen.version}))
    return chosen, warnings


def _beginnings(played: list[Playthrough], scenario: m.Scenario, min_group: int) -> tuple[Route, ...]:
    """The longest beginnings (in decisions) that two or more playthroughs,
    and at least ``min_group``, share, each shown only where those who did
    not start so are none or ``min_group`` or more too."""
    decisions = {sid for sid, scene in scenario.scenes.items() if scene.is_decision}
    counts: Counter[tuple[tuple[str, str], ...]] = Counter()
    for p in played:
        picked = tuple((s.scene, s.choice) for s in p.steps if s.scene in decisions)
        counts.update(picked[:k] for k in range(1, len(picked) + 1))
    total = len(played)
    shared = [(path, n) for path, n in counts.items()
              if n >= max(2, min_group) and not any(hide([n, total - n], min_group))]
    longest = [(path, n) for path, n in shared
               if not any(len(other) > len(path) and other[: len(path)] == path for other, _ in shared)]
    longest.sort(key=lambda item: (-len(item[0]), -item[1], item[0]))

    def choice_of(scene_id: str, choice_id: str) -> m.Choice:
        found = scenario.scenes[scene_id].choice(choice_id)
        return found or m.Choice(choice_id, choice_id, "")

    return tuple(Route(tuple(choice_of(s, c) for s, c in path), None, n) for path, n in longest[:ROUTES])


def _kept_by_name(counts: Counter[str], min_group: int) -> tuple[tuple[str, int | None], ...]:
    names = sorted(counts)
    return tuple(zip(names, visible([counts[n] for n in names], min_group)))


def _quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q2, q1, q3


# A room of 10,000 has 100,000 steps: their fields are read in C into columns,
# which Counter sums in C when given whole (+= on a new key calls Python):
# half the tally's time, for the 2x goal in docs/performance.md.
_scene = attrgetter("scene")
_choice = attrgetter("choice")
_late = attrgetter("timed_out")
_ms = attrgetter("ms")


class _Tally:
    """What one group did: per scene, the choices taken, the times and the
    timeouts; the endings, the routes to them and the meters there; and the
    shared reflections."""

    def __init__(self, group: list[Playthrough]) -> None:
        self.played = [p for p in group if p.replay_of is None]
        self.replays = len(group) - len(self.played)  # replays of a decision, left out of every number
        played = self.played
        self.languages: Counter[str] = Counter(p.scenario.language for p in played)
        self.timers: Counter[str] = Counter(p.settings.timers for p in played)
        self.finals: dict[str, list[Mapping[str, int]]] = defaultdict(list)  # ending -> the meters at the end
        self.shared = [(index, r.answer, p.player) for p in played for index, r in p.reflections.items() if r.shared]
        paths: list[tuple[str, ...]] = []  # the scenes of each playthrough, in order
        routes: list[tuple[tuple[str, ...], tuple[str, ...], str | None]] = []  # and its choices, if it ended
        reached: list[str] = []  # each scene once for every playthrough that took it
        scene_of: list[str] = []  # then every step's scene, choice, timeout and time, in columns
        choice_of: list[str] = []
        late: list[bool] = []
        ms: list[int] = []
        for p in played:
            scenes = tuple(map(_scene, p.steps))
            choices = tuple(map(_choice, p.steps))
            paths.append(scenes)
            reached.extend(set(scenes))
            scene_of += scenes
            choice_of += choices
            late.extend(map(_late, p.steps))
            ms.extend(map(_ms, p.steps))
            if p.ending is not None:
                routes.append((scenes, choices, p.ending))
                if p.steps:
                    self.finals[p.ending].append(p.steps[-1].meters)
        self.paths = Counter(paths)
        self.routes = Counter(routes)
        self.endings = Counter(ending for _, _, ending in routes)
        self.reached = Counter(reached)  # scene -> playthroughs that took it at least once
        self.timeouts = Counter(compress(scene_of, late))
        self.taken: dict[str, Counter[str]] = defaultdict(Counter)  # scene -> choice -> times taken
        for (scene, choice), n in Counter(zip(scene_of, choice_of)).items():
            self.taken[scene][choice] = n
        self.times: dict[str, list[int]] = defaultdict(list)  # scene -> ms, every time it was taken
        for scene, t in zip(scene_of, ms):
            self.times[scene].append(t)


def _debrief(sid: str, version: str, tally: _Tally, library: Library, language: str | None, names: bool,
             min_group: int, others: list[str]) -> Debrief:
    scenario, warnings = _pick(sid, version, tally.languages, library, language)
    if others:
        key = "group.warn_version_one" if len(others) == 1 else "group.warn_version_many"
        warnings.append(Caveat(key, {"id": sid, "versions": ", ".join(others)}))
    total = len(tally.played)
    taken, reached, endings = tally.taken, tally.reached, tally.endings
    gone = reached.keys() - scenario.scenes.keys()
    if gone:
        unknown = sum(n for path, n in tally.paths.items() if not gone.isdisjoint(path))
        warnings.append(Caveat("group.warn_gone_one" if unknown == 1 else "group.warn_gone_many", {"n": unknown}))

    decisions: list[Decision] = []
    for scene in scenario.scenes.values():
        if not scene.is_decision or scene.id not in taken:
            continue
        counts = taken[scene.id]
        n = sum(counts.values())
        came = reached[scene.id]
        hidden_all = came < min_group
        same_text: dict[str, list[m.Choice]] = {}
        for c in scene.choices:
            same_text.setdefault(c.text, []).append(c)
        listed = [tuple(cs) for cs in same_text.values()]
        sums = [sum(counts.get(c.id, 0) for c in cs) for cs in listed]
        if n == came:  # each player took it once: the options and those who never came to it make the whole group
            *kept, missed = visible([*sums, total - came], min_group)
            came_count = Count(None if missed is None else came, total)
        else:  # a loop: the options count times, not players
            kept = visible(sums, min_group)
            came_count = Count(visible([came, total - came], min_group)[0], total)
        # A share of a hidden number of players would give that number away.
        options = tuple(Option(cs, Count(kept[i], n if came_count.count is not None else None))
                        for i, cs in enumerate(listed))
        ran_out = None
        if scene.timer is not None and not hidden_all:
            late = tally.timeouts[scene.id]
            timeout_option = next((o for o in options if any(c.id == scene.timer.timeout for c in o.choices)), None)
            if timeout_option is not None and timeout_option.count.count is not None:
                # Those who chose it themselves are the option's count less those whose time ran out.
                if not any(hide([late, timeout_option.count.count - late], min_group)):
                    ran_out = late
        median = q1 = q3 = None
        if not hidden_all:
            median, q1, q3 = (v / 1000 for v in _quartiles(tally.times[scene.id]))
        concepts = []
        for c in scene.choices:
            for cid in c.concepts:
                concept = scenario.concepts.get(cid)
                if concept is not None and concept not in concepts:
                    concepts.append(concept)
        speaker = scenario.characters.get(scene.speaker)
        decisions.append(Decision(
            len(decisions) + 1, scene, speaker.name if speaker else scene.speaker, options, came_count, n,
            n != came, median, q1, q3, ran_out, tuple(concepts), hidden_all,
        ))

    # The endings, the endings the file no longer has, and the unfinished make the whole group.
    listed_endings = list(scenario.endings.values())
    finished = sum(endings.values())
    reached_each = [endings.get(e.id, 0) for e in listed_endings]
    *kept, _gone, unfinished = visible([*reached_each, finished - sum(reached_each), total - finished], min_group)
    ending_counts = tuple((e, Count(kept[i], total)) for i, e in enumerate(listed_endings))
    shown_endings = {e.id: c.count for e, c in ending_counts}

    def choice_of(scene_id: str, choice_id: str) -> m.Choice:
        scene = scenario.scenes.get(scene_id)
        found = scene.choice(choice_id) if scene else None
        return found or m.Choice(choice_id, choice_id, "")

    # A route one player took is not a pattern, and would point at them. The
    # routes to an ending and the rest of those who reached it make one whole.
    to_ending: dict[str, list[tuple[tuple[tuple[str, ...], tuple[str, ...], str | None], int]]] = defaultdict(list)
    for route, count in tally.routes.items():
        if count >= 2 and route[2] is not None and shown_endings.get(route[2]):
            to_ending[route[2]].append((route, count))
    routes = []
    for ending, found in to_ending.items():
        kept_routes = visible([count for _, count in found] + [(shown_endings[ending] or 0) - sum(c for _, c in found)], min_group)
        routes += [(key, count) for (key, count), k in zip(found, kept_routes) if k is not None]
    routes.sort(key=lambda item: (-item[1], item[0]))
    route_list = tuple(
        Route(tuple(choice_of(s, c) for s, c in zip(path, picked) if s in scenario.scenes and scenario.scenes[s].is_decision),
              scenario.endings.get(ending or ""), count)
        for (path, picked, ending), count in routes[:ROUTES]
    )
    beginnings = () if route_list else _beginnings(tally.played, scenario, min_group)

    meter_rows = []
    meters = list(scenario.meters.values())
    for e in listed_endings:
        finals = tally.finals.get(e.id, [])
        if not finals or not shown_endings.get(e.id):  # as many as reached the ending: shown only if that is
            continue
        # A save of a version without a meter has it at its start.
        averages = tuple((meter, sum(f.get(meter.id, meter.start) for f in finals) / len(finals)) for meter in meters)
        meter_rows.append(MeterRow(e, len(finals), averages))

    questions = scenario.debrief.reflection
    answers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for index, answer, player in tally.shared:
        if answer.strip():
            answers[index].append((player if names else "", answer))
    reflections = tuple(
        # Sorted by the answer, not by who finished first: the order must not point at a person.
        Answer(i + 1, questions[i] if i < len(questions) else None, tuple(sorted(answers[i], key=lambda a: a[1])))
        for i in sorted(answers)
    )

    return Debrief(
        scenario=scenario,
        version=version,
        languages=_kept_by_name(tally.languages, min_group),
        playthroughs=total,
        finished=Count(None if unfinished is None else finished, total),
        replays=None if 0 < tally.replays < min_group else tally.replays,
        timers=_kept_by_name(tally.timers, min_group),
        endings=ending_counts,
        decisions=tuple(decisions),
        routes=route_list,
        beginnings=beginnings,
        meters=tuple(meter_rows),
        reflections=reflections,
        names=names,
        played=tuple(tally.played),
        min_group=min_group,
        warnings=tuple(warnings),
    )
