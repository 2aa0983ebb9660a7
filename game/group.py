"""Group debrief: the saved playthroughs of a room, summed up for the trainer.

Reading is built for folders full of files of unknown origin: every good
playthrough counts exactly once, every file that does not count is named with
a diagnostic (``file:line:col: CODE message``), and nothing raises. Saves are
matched to scenarios by id, so the Dutch and the English playthroughs of one
scenario are debriefed together; saves made on another version of a scenario
form a group of their own, with a warning.

Nothing here imports Textual: the exports, the CLI and the facilitator screens
all read the same :class:`Report`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Annotated, Literal, NamedTuple

import attrs
import msgspec
from msgspec import Meta

from game import model as m
from game import saves
from game.diagnostics import Diagnostic, ScenarioError
from game.i18n import tr
from game.library import scenario_files
from game.loader import load


# Reading --------------------------------------------------------------------


class Played(NamedTuple):
    """What a group debrief needs of one playthrough (a NamedTuple: there are
    thousands of them and nothing here changes them)."""

    id: str
    scenario: str
    language: str
    version: str
    player: str
    session: str | None
    started: str
    updated: str
    timers: str
    steps: tuple[tuple[str, str, int, bool], ...]  # scene, choice, ms, timed out
    meters: Mapping[str, int] | None  # after the last step
    ending: str | None
    shared: tuple[tuple[int, str], ...]  # (question index, answer) the player chose to share
    replay_of: str | None


def played(p: saves.Playthrough) -> Played:
    return Played(
        p.id, p.scenario.id, p.scenario.language, p.scenario.version, p.player, p.session, p.started, p.updated,
        p.settings.timers,
        tuple((s.scene, s.choice, s.ms, s.timed_out) for s in p.steps),
        dict(p.steps[-1].meters) if p.steps else None,
        p.ending,
        tuple((i, r.answer) for i, r in sorted(p.reflections.items()) if r.shared),
        p.replay_of.playthrough if p.replay_of else None,
    )


# The shape of a save exactly as Koers writes one, which msgspec checks in C
# while it parses. Koers always writes all twelve top-level fields, so the
# optional ones are required here too (the counts in _fast rely on it); a file
# without them, like every file that does not fit, goes to load_save.
_UUID = r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z"
_BIG = 10**saves.MAX_DIGITS  # load_save refuses numbers of more digits
_Id = Annotated[str, Meta(pattern=_UUID)]
_Name = Annotated[str, Meta(min_length=1)]
_Count = Annotated[int, Meta(ge=0, lt=_BIG)]
_Whole = Annotated[int, Meta(gt=-_BIG, lt=_BIG)]
_Index = Annotated[str, Meta(pattern=r"\A(?:0|[1-9][0-9]{0,5})\Z")]


class _Shape(msgspec.Struct, forbid_unknown_fields=True, gc=False):  # nothing here forms a cycle
    pass


class _ScenarioShape(_Shape):
    id: _Name
    language: _Name
    version: str
    digest: Annotated[str, Meta(pattern=r"\A(?:[0-9a-f]{64})?\Z")]


class _SettingsShape(_Shape):
    timers: Literal[saves.TIMERS]  # a tuple in Literal[...] means any one of its values


class _StepShape(_Shape):
    scene: _Name
    choice: _Name
    ms: _Count
    timed_out: bool
    meters: dict[str, _Whole]
    flags: list[_Name]


class _ReflectionShape(_Shape):
    answer: str
    shared: bool


class _ReplayShape(_Shape):
    playthrough: _Id
    step: _Count


class _SaveShape(_Shape):
    koers_save: int
    id: _Id
    scenario: _ScenarioShape
    player: str
    session: _Name | None
    started: str  # a UTC time; fromisoformat checks it below
    updated: str
    settings: _SettingsShape
    steps: list[_StepShape]
    ending: _Name | None
    reflections: dict[_Index, _ReflectionShape] | None
    replay_of: _ReplayShape | None


_decode = msgspec.json.Decoder(_SaveShape).decode
# Columns of the steps, read in C.
_scenes, _choices, _times = attrgetter("scene"), attrgetter("choice"), attrgetter("ms")
_timeouts, _meters, _flags = attrgetter("timed_out"), attrgetter("meters"), attrgetter("flags")


def _utc(value: str) -> bool:
    try:
        offset = datetime.fromisoformat(value).utcoffset()
    except ValueError:
        return False
    return offset is not None and not offset


def _fast(data: bytes) -> Played | None:
    """The playthrough in ``data`` if it is a save exactly as Koers writes one,
    else None, and then :func:`saves.loads_save` decides, slowly and with a
    diagnostic. Checked here: everything load_save checks, so that this never
    accepts a file it would refuse (tests hold the two side by side)."""
    # With no backslash in the file (Koers writes one only when a player types
    # one, or a quote), every '"' opens or closes a string, so counting them
    # (below) finds the duplicate keys that msgspec silently drops.
    if len(data) > saves.MAX_BYTES or b"\\" in data:
        return None
    try:
        top = _decode(data)
    except (msgspec.DecodeError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if top.koers_save != saves.SAVE_FORMAT or not (_utc(top.started) and _utc(top.updated)):
        return None
    raw_steps, reflections, replay = top.steps, top.reflections or {}, top.replay_of
    n, r, p = len(raw_steps), len(reflections), replay is not None
    inner = sum(map(len, map(_meters, raw_steps))) + sum(map(len, map(_flags, raw_steps)))
    # Every string is a key or a text value; every value counts for MAX_VALUES, keys not.
    strings = 26 + (top.session is not None) + (top.ending is not None) + 8 * n + inner + 4 * r + 3 * p
    values = 18 + 7 * n + inner + 3 * r + 2 * p
    if values > saves.MAX_VALUES or data.count(b'"') != 2 * strings:
        return None
    # Interned: ten thousand playthroughs then share one copy of each id.
    steps = tuple(zip(map(sys.intern, map(_scenes, raw_steps)), map(sys.intern, map(_choices, raw_steps)),
                      map(_times, raw_steps), map(_timeouts, raw_steps)))
    shared = tuple(sorted((int(key), x.answer) for key, x in reflections.items() if x.shared))
    sc = top.scenario
    return Played(top.id, sc.id, sc.language, sc.version, top.player, top.session, top.started, top.updated,
                  top.settings.timers, steps, raw_steps[-1].meters if raw_steps else None, top.ending, shared,
                  replay.playthrough if p else None)


def read_one(path: str) -> Played:
    """One save file; raises only SaveError."""
    try:
        data = saves.read_limited(path)
    except OSError as exc:
        raise saves.SaveError(Diagnostic(path, 1, 1, "S006", f"cannot read the save: {exc.strerror or exc}")) from None
    fast = _fast(data)
    return fast if fast is not None else played(saves.loads_save(data, path))


def save_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[Diagnostic]]:
    """The save files named or inside the folders named (and their subfolders),
    each once, in a stable order; a path that does not exist gets a diagnostic.
    Inside folders only ``*.json`` counts, and hidden files (a save being
    written is one) never do."""
    found: dict[str, str] = {}  # real path -> path as the trainer will recognise it
    missing = []
    for given in paths:
        name = os.fspath(given)
        if os.path.isdir(name):
            real = os.path.realpath(name)  # once per folder: per file it costs more than reading the file
            for folder, dirs, files in os.walk(name):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                # Joined by hand: os.path.join per file costs a fifth of reading it.
                inside = os.path.normpath(os.path.join(real, os.path.relpath(folder, name))) + os.sep
                shown = os.path.join(folder, "")
                files.sort()
                for file in files:
                    if file.endswith(".json") and not file.startswith("."):
                        found.setdefault(inside + file, shown + file)
        elif os.path.isfile(name):
            found.setdefault(os.path.realpath(name), name)
        else:
            missing.append(Diagnostic(name, 1, 1, "S006", "cannot read the save: no such file or folder"))
    return list(found.values()), missing


@attrs.frozen
class Collected:
    """The playthroughs that count, and an account of every file that does not."""

    played: tuple[Played, ...]
    skipped: tuple[Diagnostic, ...]  # every file not counted, with why
    paths: Mapping[str, str] = attrs.field(factory=dict, repr=False)  # playthrough id -> the file that counts
    other_sessions: int = 0  # good saves left out by --session


def collect(paths: Iterable[str | os.PathLike[str]], session: str | None = None) -> Collected:
    """Read every save under ``paths``; each playthrough counts once, however
    many copies of it there are. Of two different copies of one playthrough
    (a save copied mid-game), the one updated last counts."""
    with _no_cycle_collection():
        return _collect(paths, session)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Nothing a debrief builds forms a reference cycle, so the cycle collector
    would only walk the growing heap of playthroughs again and again: a third
    of the time for a big folder."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _collect(paths: Iterable[str | os.PathLike[str]], session: str | None) -> Collected:
    files, skipped = save_files(paths)
    by_id: dict[str, tuple[Played, str]] = {}
    losers: list[tuple[Played, str]] = []  # copies that do not count
    other = 0
    for path in files:
        try:
            p = read_one(path)
        except saves.SaveError as exc:
            skipped.append(exc.diagnostic)
            continue
        if session is not None and p.session != session:
            other += 1
            continue
        kept = by_id.get(p.id)
        if kept is None:
            by_id[p.id] = (p, path)
        elif (p.updated, len(p.steps)) > (kept[0].updated, len(kept[0].steps)):
            losers.append(kept)
            by_id[p.id] = (p, path)
        else:
            losers.append((p, path))
    for p, path in losers:
        winner = by_id[p.id][1]
        if p == by_id[p.id][0]:
            why = f"the same playthrough as {winner}; counted once"
        else:
            why = f"an older copy of the playthrough in {winner}; the newer copy counts"
        skipped.append(Diagnostic(path, 1, 1, "G001", why))
    kept_played = sorted((p for p, _ in by_id.values()), key=lambda p: (p.started, p.id))
    paths = {pid: path for pid, (_, path) in by_id.items()}
    return Collected(tuple(kept_played), tuple(sorted(skipped)), paths, other)


# The debrief ----------------------------------------------------------------


@attrs.frozen
class Count:
    """How many of the group (out of ``total``) did one thing; ``None`` when
    the number is hidden by the minimum group size (see :func:`_hide`)."""

    count: int | None
    total: int

    @property
    def percent(self) -> int | None:
        if self.count is None or not self.total:
            return None
        return round(100 * self.count / self.total)


@attrs.frozen
class Option:
    """One option of a decision as the players saw it, with how many took it.

    Usually one choice. Choices with the same text (written twice with
    opposite conditions, so that the same words lead on differently) are one
    option to everyone who played, and are counted as one; ``choices`` keeps
    each for its coaching note."""

    choices: tuple[m.Choice, ...]
    count: Count

    @property
    def choice(self) -> m.Choice:
        return self.choices[0]


@attrs.frozen
class Decision:
    number: int
    scene: m.Scene
    speaker: str
    options: tuple[Option, ...]
    reached: int  # playthroughs that took this decision at least once
    taken: int  # times it was taken (a loop can bring a player back)
    median_s: float | None
    q1_s: float | None
    q3_s: float | None
    timed_out: int
    prompts: tuple[m.Concept, ...]  # the concepts its choices exercise, for the discussion
    hidden: bool  # fewer playthroughs than the minimum group size reached it

    @property
    def iqr_s(self) -> float | None:
        return None if self.q1_s is None or self.q3_s is None else self.q3_s - self.q1_s


@attrs.frozen
class Route:
    choices: tuple[m.Choice, ...]
    ending: m.Ending | None
    count: int


@attrs.frozen
class MeterRow:
    ending: m.Ending
    count: int
    averages: tuple[tuple[m.Meter, float], ...]


@attrs.frozen
class Answer:
    question: str
    answers: tuple[tuple[str, str], ...]  # (who, answer); who is "" without --names


@attrs.frozen
class Debrief:
    """One scenario at one version, as the group played it."""

    scenario: m.Scenario  # the file whose words the debrief shows
    version: str
    languages: tuple[tuple[str, int], ...]
    playthroughs: int
    finished: int
    replays: int  # replays of a decision, left out of every number
    timers: tuple[tuple[str, int], ...]
    endings: tuple[tuple[m.Ending, Count], ...]
    decisions: tuple[Decision, ...]
    routes: tuple[Route, ...]
    meters: tuple[MeterRow, ...]
    reflections: tuple[Answer, ...]
    labels: Mapping[str, str]  # playthrough id -> "player 3", or the pseudonym with --names
    played: tuple[Played, ...] = attrs.field(repr=False)
    min_group: int = 1
    warnings: tuple[str, ...] = ()

    @property
    def unfinished(self) -> int:
        return self.playthroughs - self.finished


@attrs.frozen
class Report:
    debriefs: tuple[Debrief, ...]
    skipped: tuple[Diagnostic, ...]
    other_sessions: int = 0
    session: str | None = None
    language: str = "en"  # of the report's own words; each debrief speaks its scenario's language


ROUTES = 5  # the most common routes shown


def scenarios(
    folders: Sequence[Path], ids: Iterable[str] | None = None
) -> tuple[dict[tuple[str, str], m.Scenario], list[Diagnostic]]:
    """The scenarios in ``folders`` by (id, language); a broken file is reported, not fatal.

    With ``ids``, files named ``<id>.<language>.yaml`` for those ids are read
    first, and the rest only if an id is still missing: loading every scenario
    takes longer than reading a thousand saves.
    """
    found: dict[tuple[str, str], m.Scenario] = {}
    problems: list[Diagnostic] = []
    files = scenario_files(folders)
    if ids is not None:
        wanted = set(ids)
        named = [f for f in files if f.name.split(".", 1)[0] in wanted]
        _load_into(named, found, problems)
        if wanted <= {sid for sid, _ in found}:
            return found, problems
        files = [f for f in files if f not in named]
    _load_into(files, found, problems)
    return found, problems


def _load_into(files: list[Path], found: dict, problems: list[Diagnostic]) -> None:
    for path in files:
        try:
            scenario = load(path)
        except ScenarioError as exc:
            problems.extend(exc.diagnostics)
        else:
            found.setdefault((scenario.id, scenario.language), scenario)


def debrief(
    collected: Collected,
    library: Mapping[tuple[str, str], m.Scenario],
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
    with _no_cycle_collection():
        return _debrief_all(collected, library, language, names, min_group, session)


def _debrief_all(collected, library, language, names, min_group, session) -> Report:  # noqa: ANN001
    skipped = list(collected.skipped)
    groups: dict[tuple[str, str], list[Played]] = defaultdict(list)
    known = {sid for sid, _ in library}
    for p in collected.played:
        if p.scenario not in known:
            skipped.append(Diagnostic(
                collected.paths.get(p.id, f"{p.id}.json"), 1, 1, "G002",
                f"no scenario '{p.scenario}' was found for this playthrough; name its folder with --scenarios DIR",
            ))
            continue
        groups[(p.scenario, p.version)].append(p)
    if language is None:  # one language for the whole report: the one most of the room played in
        played = Counter(p.language for g in groups.values() for p in g)
        language = min(played, key=lambda lang: (-played[lang], lang)) if played else None
    debriefs = []
    for (sid, version), group in sorted(groups.items()):
        others = sorted(v for s, v in groups if s == sid and v != version)
        debriefs.append(_debrief(sid, version, group, library, language, names, max(1, min_group), others))
    # The words around the debriefs: those of the first (its file may lack the language asked for).
    words = debriefs[0].scenario.language if debriefs else language or "en"
    return Report(tuple(debriefs), tuple(sorted(skipped)), collected.other_sessions, session, words)


def _pick(sid: str, version: str, languages: Counter, library: Mapping, language: str | None) -> tuple[m.Scenario, list[str]]:
    """The scenario file whose words to show: the wanted language, at the
    group's version if there is one."""
    files = [s for (i, _), s in library.items() if i == sid]
    order = [language] if language else []
    order += [lang for lang, _ in languages.most_common()] + list(m.LANGUAGES)
    rank = {lang: i for i, lang in reversed(list(enumerate(order)))}
    files.sort(key=lambda s: (s.version != version, rank.get(s.language, len(order)), s.language))
    chosen = files[0]
    warnings = []
    if chosen.version != version:
        warnings.append(tr(chosen.language, "group.warn_version", version=version, id=sid, found=chosen.version))
    return chosen, warnings


def _hide(counts: list[int], min_group: int) -> list[bool]:
    """Which counts to keep private: those below ``min_group``, and, when that
    is only one, the next smallest too, so it cannot be worked out from the total."""
    hidden = [0 < c < min_group for c in counts]
    if sum(hidden) == 1:
        shown = [(c, i) for i, c in enumerate(counts) if c and not hidden[i]]
        if shown:
            hidden[min(shown)[1]] = True
    return hidden


_pair = itemgetter(0, 1)
_scene_of = itemgetter(0)
_timed_out = itemgetter(3)


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q2, q1, q3


def _debrief(sid, version, group, library, language, names, min_group, others) -> Debrief:  # noqa: ANN001
    replays = [p for p in group if p.replay_of is not None]
    group = [p for p in group if p.replay_of is None]
    languages = Counter(p.language for p in group)
    scenario, warnings = _pick(sid, version, languages, library, language)
    lang = scenario.language
    if others:
        key = "group.warn_version_one" if len(others) == 1 else "group.warn_version_many"
        warnings.append(tr(lang, key, id=sid, versions=", ".join(others)))
    total = len(group)

    # Whole columns at a time: with thousands of playthroughs, a Python loop
    # over every step would take longer than reading the files.
    all_steps = list(chain.from_iterable(p.steps for p in group))
    pairs = Counter(map(_pair, all_steps))
    taken: dict[str, dict[str, int]] = defaultdict(dict)
    for (scene, choice), n in pairs.items():
        taken[scene][choice] = n
    timeouts = Counter(map(_scene_of, filter(_timed_out, all_steps)))
    times: dict[str, list[int]] = defaultdict(list)
    for scene, _, ms, _ in all_steps:  # a plain loop: sorting all steps by scene takes five times longer
        times[scene].append(ms)
    for values in times.values():
        values.sort()
    reached = Counter(chain.from_iterable({*map(_scene_of, p.steps)} for p in group))
    done = [p for p in group if p.ending is not None]
    endings = Counter(p.ending for p in done)
    routes = Counter((tuple(map(_pair, p.steps)), p.ending) for p in done)
    finals: dict[str, list[Mapping[str, int]]] = defaultdict(list)
    for p in done:
        if p.meters is not None:
            finals[p.ending].append(p.meters)
    gone = reached.keys() - scenario.scenes.keys()
    if gone:
        unknown = sum(1 for p in group if any(step[0] in gone for step in p.steps))
        warnings.append(tr(lang, "group.warn_gone_one" if unknown == 1 else "group.warn_gone_many", n=unknown))

    decisions = []
    for scene in scenario.scenes.values():
        if not scene.is_decision or scene.id not in taken:
            continue
        counts = taken[scene.id]
        n = sum(counts.values())
        hidden_all = reached[scene.id] < min_group
        same_text: dict[str, list[m.Choice]] = {}
        for c in scene.choices:
            same_text.setdefault(c.text, []).append(c)
        listed = [tuple(cs) for cs in same_text.values()]
        sums = [sum(counts.get(c.id, 0) for c in cs) for cs in listed]
        private = _hide(sums, min_group)
        options = tuple(
            Option(cs, Count(None if hidden_all or private[i] else sums[i], n)) for i, cs in enumerate(listed)
        )
        median = q1 = q3 = None
        if not hidden_all:
            median, q1, q3 = (v / 1000 for v in _quartiles(times[scene.id]))
        concepts = []
        for c in scene.choices:
            for cid in c.concepts:
                concept = scenario.concepts.get(cid)
                if concept is not None and concept not in concepts:
                    concepts.append(concept)
        speaker = scenario.characters.get(scene.speaker)
        decisions.append(Decision(
            len(decisions) + 1, scene, speaker.name if speaker else scene.speaker, options, reached[scene.id], n,
            median, q1, q3, 0 if hidden_all else timeouts[scene.id], tuple(concepts), hidden_all,
        ))

    listed_endings = list(scenario.endings.values())
    private = _hide([endings.get(e.id, 0) for e in listed_endings], min_group)
    ending_counts = tuple(
        (e, Count(None if private[i] else endings.get(e.id, 0), total)) for i, e in enumerate(listed_endings)
    )

    def choice_of(scene_id: str, choice_id: str) -> m.Choice:
        scene = scenario.scenes.get(scene_id)
        found = scene.choice(choice_id) if scene else None
        return found or m.Choice(choice_id, choice_id, "")

    route_list = tuple(
        Route(tuple(choice_of(s, c) for s, c in steps if s in scenario.scenes and scenario.scenes[s].is_decision),
              scenario.endings.get(ending), count)
        for (steps, ending), count in routes.most_common(ROUTES)
        if count >= max(2, min_group)  # a route one player took is not a pattern, and would point at them
    )

    meter_rows = []
    for e in listed_endings:
        values = finals.get(e.id, [])
        if not values or len(values) < min_group:
            continue
        averages = tuple(
            (meter, sum(v.get(meter.id, meter.start) for v in values) / len(values)) for meter in scenario.meters.values()
        )
        meter_rows.append(MeterRow(e, len(values), averages))

    # For the CSV, which stays English for the tools that read it, and --names.
    labels = {p.id: (p.player if names else f"player {i}") for i, p in enumerate(group, 1)}
    questions = scenario.debrief.reflection
    answers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for p in group:
        for index, answer in p.shared:
            if answer.strip():
                answers[index].append((labels[p.id] if names else "", answer))
    reflections = tuple(
        # Sorted by the answer, not by who finished first: the order must not point at a person.
        Answer(questions[i] if i < len(questions) else tr(lang, "group.question", n=i + 1),
               tuple(sorted(answers[i], key=lambda a: a[1])))
        for i in sorted(answers)
    )

    return Debrief(
        scenario=scenario,
        version=version,
        languages=tuple(sorted(languages.items())),
        playthroughs=total,
        finished=sum(p.ending is not None for p in group),
        replays=len(replays),
        timers=tuple(sorted(Counter(p.timers for p in group).items())),
        endings=ending_counts,
        decisions=tuple(decisions),
        routes=route_list,
        meters=tuple(meter_rows),
        reflections=reflections,
        labels=labels,
        played=tuple(group),
        min_group=min_group,
        warnings=tuple(warnings),
    )
