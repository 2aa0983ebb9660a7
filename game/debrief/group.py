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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import attrs
import msgspec
from msgspec import Meta
from msgspec.structs import astuple

from game.core import model as m
from game.saves import codec as saves
from game.core.diagnostics import Diagnostic, ScenarioError
from game.core.vocab import LANGUAGES, TIMERS
from game.render.i18n import tr
from game.authoring.library import scenario_files
from game.authoring.loader import load
from game.core.text import excerpt


# Reading --------------------------------------------------------------------


class Played(msgspec.Struct, frozen=True, gc=False):
    """What a group debrief needs of one playthrough. Its steps are kept as
    columns (``scenes[i]``, ``choices[i]``, ``times[i]`` and ``timeouts[i]``
    are step i), which the counting reads whole; ten thousand playthroughs
    read together share one copy of each id, and of each path of scenes. A
    Struct without cycle collection: there are thousands, nothing changes
    them, and none refers back to another."""

    id: str
    scenario: str
    language: str
    version: str
    player: str
    session: str | None
    started: datetime
    updated: datetime
    timers: str
    scenes: tuple[str, ...]
    choices: tuple[str, ...]
    times: tuple[int, ...]  # ms
    timeouts: tuple[bool, ...]
    meters: Mapping[str, int] | None  # after the last step
    ending: str | None
    shared: tuple[tuple[int, str], ...]  # (question index, answer) the player chose to share
    replay_of: str | None

    def steps(self) -> Iterator[tuple[str, str, int, bool]]:
        """Each step as (scene, choice, ms, timed out)."""
        return zip(self.scenes, self.choices, self.times, self.timeouts)


_intern = sys.intern


def played(p: saves.Playthrough) -> Played:
    steps = p.steps
    return Played(
        p.id, p.scenario.id, p.scenario.language, p.scenario.version, p.player, p.session, p.started_at, p.updated_at,
        p.settings.timers,
        tuple(_intern(s.scene) for s in steps), tuple(_intern(s.choice) for s in steps),
        tuple(s.ms for s in steps), tuple(s.timed_out for s in steps),
        dict(steps[-1].meters) if steps else None,
        p.ending,
        tuple((i, r.answer) for i, r in sorted(p.reflections.items()) if r.shared),
        p.replay_of.playthrough if p.replay_of else None,
    )


# The shape of a save exactly as Koers writes one, which msgspec checks in C
# while it parses. Koers always writes all twelve top-level fields, so the
# optional ones are required here too (the counts in _Reader.fast rely on it);
# a file without them, like every file that does not fit, goes to load_save.
# The ids and the digest are checked in _Reader.fast: a pattern here costs
# more than the rest of the shape.
_BIG = 10**saves.MAX_DIGITS  # load_save refuses numbers of more digits
_Name = Annotated[str, Meta(min_length=1)]
_Count = Annotated[int, Meta(ge=0, lt=_BIG)]
_Whole = Annotated[int, Meta(gt=-_BIG, lt=_BIG)]
_Time = Annotated[datetime, Meta(tz=True)]  # and in UTC, which fast() checks, as saves.parse_time does
_Index = Annotated[str, Meta(pattern=r"\A" + saves.INDEX.pattern)]  # msgspec searches, so anchored
_Nothing = Annotated[str, Meta(pattern="(?!)")]  # no string at all: where a scenario has no flags


class _Shape(msgspec.Struct, forbid_unknown_fields=True, gc=False):  # nothing here forms a cycle
    pass


class _SettingsShape(_Shape):
    timers: Literal[TIMERS]  # a tuple in Literal[...] means any one of its values


class _ReflectionShape(_Shape):
    answer: str
    shared: bool


class _ReplayShape(_Shape):
    playthrough: str
    step: _Count


class _Decoder(NamedTuple):
    decode: Callable[[bytes], Any]
    meters: tuple[str, ...] | None  # the meters of every step, where the shape names them


def _decoder(scene=_Name, choice=_Name, flag=_Name, meters=(), scenario=_Name, ending=_Name) -> _Decoder:  # noqa: ANN001
    """The decoder for saves of this shape; by default, for any save Koers writes.
    With ``meters``, every step holds exactly those, as a struct (cheaper to
    build than a dict)."""

    def shape(name: str, fields: list, **options: Any) -> type:
        return msgspec.defstruct(name, fields, bases=(_Shape,), **options)

    fields = [f"m{i}" for i in range(len(meters))]  # meter ids need not be Python names
    named = shape("Meters", [(f, _Whole) for f in fields], rename=dict(zip(fields, meters))) if meters else None
    step = shape("Step", [("scene", scene), ("choice", choice), ("ms", _Count), ("timed_out", bool),
                          ("meters", named or dict[str, _Whole]), ("flags", list[flag]), ("at", _Time | None)])
    ref = shape("ScenarioRef", [("id", scenario), ("language", Literal[LANGUAGES]), ("version", str), ("digest", str)])
    save = shape("Save", [
        ("koers_save", int), ("id", str), ("scenario", ref), ("player", str), ("session", _Name | None),
        ("started", _Time), ("updated", _Time), ("settings", _SettingsShape), ("steps", list[step]),
        ("ending", ending | None), ("reflections", dict[_Index, _ReflectionShape] | None),
        ("replay_of", _ReplayShape | None), ("waited_ms", _Count),
    ])
    return _Decoder(msgspec.json.Decoder(save).decode, tuple(meters) or None)


_ANY_SAVE = _decoder()


def _one_of(values: Iterable[str]) -> Any:
    """Exactly these strings; msgspec hands out the same object for each every time."""
    values = tuple(sorted(set(values)))
    return Literal[values] if values else _Nothing


def _decoder_for(files: Sequence[m.Scenario]) -> _Decoder | None:
    """A decoder for the saves of one scenario, made from ``files`` (usually
    one: a translation has the same ids): its ids as literals, so that msgspec
    checks them and ten thousand saves share one string for each, and its
    meters by name when every file has the same. A save that does not fit,
    such as one of another version, is read by _ANY_SAVE."""
    if not files:
        return None
    meters = {tuple(s.meters) for s in files}
    return _decoder(
        scene=_one_of(sid for s in files for sid in s.scenes),
        choice=_one_of(c.id for s in files for scene in s.scenes.values() for c in scene.choices),
        flag=_one_of(f for s in files for f in s.flags),
        meters=meters.pop() if len(meters) == 1 else (),
        scenario=Literal[files[0].id],
        ending=_one_of(e for s in files for e in s.endings),
    )


_NO_STEPS = ((),) * 7  # the seven columns of no steps
_UTC = timezone.utc
_uuid = saves.UUID.match
_digest = saves.DIGEST.match
_UNREADABLE = (msgspec.DecodeError, ValueError, RecursionError)  # UnicodeDecodeError is a ValueError


class _Reader:
    """Reads the saves of one collection, and learns as it goes: the digests
    it has checked (a room plays one or two versions); one copy of each
    value that many saves repeat, such as a language, a session code or a
    path of scenes, for all of them to share; and, given the library, a
    decoder made for each scenario it meets, tried first from then on."""

    def __init__(self, library: Library | None = None) -> None:
        self.library = library
        self.digests: set[str] = set()  # checked
        self.copies: dict = {}  # each value by itself
        self.decoders: list[_Decoder] = []  # made for a scenario; the one that fitted last, first
        self.tried: set[str] = set()  # the scenario ids a decoder was made for, or could not be

    def read(self, path: str) -> Played:
        """One save file; raises only SaveError."""
        data = saves.read_save(path)
        fast = self.fast(data)
        return fast if fast is not None else played(saves.loads_save(data, path))

    def _parse(self, data: bytes) -> tuple[Any, _Decoder] | None:
        for i, decoder in enumerate(self.decoders):
            try:
                top = decoder.decode(data)
            except _UNREADABLE:
                continue
            if i:
                self.decoders.insert(0, self.decoders.pop(i))
            return top, decoder
        try:
            top = _ANY_SAVE.decode(data)
        except _UNREADABLE:
            return None
        sid = top.scenario.id
        if self.library is not None and sid not in self.tried:
            self.tried.add(sid)
            one = self.library.one(sid, top.scenario.language)  # translations share the ids
            made = _decoder_for([one] if one else list(self.library.languages(sid).values()))
            if made is not None:
                self.decoders.insert(0, made)
        return top, _ANY_SAVE

    def fast(self, data: bytes) -> Played | None:
        """The playthrough in ``data`` if it is a save exactly as Koers writes
        one, else None, and then :func:`saves.loads_save` decides, slowly and
        with a diagnostic. Checked here: everything load_save checks, so that
        this never accepts a file it would refuse (tests hold the two side by
        side)."""
        # With no backslash in the file (Koers writes one only when a player
        # types one, or a quote), every '"' opens or closes a string, so
        # counting them (below) finds the duplicate keys that msgspec silently drops.
        if len(data) > saves.MAX_BYTES or b"\\" in data:
            return None
        parsed = self._parse(data)
        if parsed is None:
            return None
        top, decoder = parsed
        if top.koers_save != saves.SAVE_FORMAT or top.started.tzinfo is not _UTC or top.updated.tzinfo is not _UTC:
            return None
        steps, reflections, replay = top.steps, top.reflections, top.replay_of
        scenes, choices, times, timeouts, meters, flags, ats = zip(*map(astuple, steps)) if steps else _NO_STEPS  # in C
        if not all(at is None or at.tzinfo is _UTC for at in ats):
            return None
        n, r, p = len(steps), len(reflections) if reflections else 0, replay is not None
        named = decoder.meters
        if named is None:
            inner = sum(map(len, meters + flags))
            last = meters[-1] if n else None
            choices = tuple(map(_intern, choices))  # literals need no interning
        else:
            inner = n * len(named) + sum(map(len, flags))
            last = dict(zip(named, astuple(meters[-1]))) if n else None
        # Every string is a key or a text value; every value counts for MAX_VALUES, keys not.
        timed = n - ats.count(None)
        strings = 27 + (top.session is not None) + (top.ending is not None) + 9 * n + timed + inner + 4 * r + 3 * p
        values = 19 + 8 * n + inner + 3 * r + 2 * p
        if values > saves.MAX_VALUES or data.count(b'"') != 2 * strings:
            return None
        sc = top.scenario
        if not _uuid(top.id) or (p and not _uuid(replay.playthrough)):
            return None
        if sc.digest not in self.digests:
            if not _digest(sc.digest):
                return None
            self.digests.add(sc.digest)
        shared = tuple(sorted((int(key), x.answer) for key, x in reflections.items() if x.shared)) if r else ()
        one = self.copies.setdefault
        return Played(top.id, sc.id, one(sc.language, sc.language), one(sc.version, sc.version), top.player,
                      top.session and one(top.session, top.session), top.started, top.updated, top.settings.timers,
                      one(scenes, scenes), choices, times, one(timeouts, timeouts), last, top.ending, shared,
                      replay.playthrough if p else None)


def save_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[Diagnostic]]:
    """The save files named or inside the folders named (and their subfolders),
    each once, in a stable order; a path that does not exist, or a folder
    that cannot be listed, gets a diagnostic. Inside folders only ``*.json``
    counts, and hidden files (a save being written is one) never do."""
    found: dict[str, str] = {}  # real path -> path as the trainer will recognise it
    problems: list[Diagnostic] = []

    def unlisted(exc: OSError) -> None:
        problems.append(Diagnostic(exc.filename, 1, 1, "S006", f"cannot read the folder: {exc.strerror or exc}"))

    for given in paths:
        name = os.fspath(given)
        if os.path.isdir(name):
            real = os.path.realpath(name)  # once per folder: per file it costs more than reading the file
            for folder, dirs, files in os.walk(name, onerror=unlisted):
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
            problems.append(Diagnostic(name, 1, 1, "S006", "cannot read the save: no such file or folder"))
    return list(found.values()), problems


@attrs.frozen
class Collected:
    """The playthroughs that count, and an account of every file that does not."""

    played: tuple[Played, ...]
    skipped: tuple[Diagnostic, ...]  # every file not counted, with why
    paths: Mapping[str, str] = attrs.field(factory=dict, repr=False)  # playthrough id -> the file that counts
    other_sessions: int = 0  # good saves left out by --session


def collect(
    paths: Iterable[str | os.PathLike[str]], session: str | None = None, library: Library | None = None
) -> Collected:
    """Read every save under ``paths``; each playthrough counts once, however
    many copies of it there are. Of two different copies of one playthrough
    (a save copied mid-game), the one updated last counts. Given the
    ``library`` the debrief will use, saves are read with a decoder made for
    their scenario: the same playthroughs, sooner."""
    with _no_cycle_collection():
        return _collect(paths, session, _Reader(library))


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


_in_order = attrgetter("started", "id")


def _collect(paths: Iterable[str | os.PathLike[str]], session: str | None, reader: _Reader) -> Collected:
    files, skipped = save_files(paths)
    by_id: dict[str, tuple[Played, str]] = {}
    losers: list[tuple[Played, str]] = []  # copies that do not count
    other = 0
    for path in files:
        try:
            p = reader.read(path)
        except saves.SaveError as exc:
            skipped.append(exc.diagnostic)
            continue
        if session is not None and p.session != session:
            other += 1
            continue
        kept = by_id.get(p.id)
        if kept is None:
            by_id[p.id] = (p, path)
        elif (p.updated, len(p.scenes)) > (kept[0].updated, len(kept[0].scenes)):
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
    kept_played = sorted((p for p, _ in by_id.values()), key=_in_order)
    paths = {pid: path for pid, (_, path) in by_id.items()}
    return Collected(tuple(kept_played), tuple(sorted(skipped)), paths, other)


# The debrief ----------------------------------------------------------------


@attrs.frozen
class Count:
    """How many of the group (out of ``total``) did one thing; ``None`` when
    the number is hidden by the minimum group size (see :func:`_hide`)."""

    count: int | None
    total: int | None  # None where the total is hidden: then so is the share

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
    reached: Count  # playthroughs that took this decision at least once, out of all
    taken: int  # times it was taken (a loop can bring a player back)
    repeated: bool  # whether some players took it more than once (then the options count times)
    median_s: float | None
    q1_s: float | None
    q3_s: float | None
    timed_out: int | None  # None: hidden by the minimum group size
    prompts: tuple[m.Concept, ...]  # the concepts its choices exercise, for the discussion
    hidden: bool  # fewer playthroughs than the minimum group size reached it

    @property
    def name(self) -> str:
        """What the decision is called: its scene's title, or the opening of its text."""
        return self.scene.title.strip() or excerpt(self.scene.text.common, 50)


@attrs.frozen
class Route:
    """Choices that a number of playthroughs took in this order: to an ending,
    or (with ``ending`` None) the beginning they shared."""

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
    languages: tuple[tuple[str, int | None], ...]  # None: hidden by the minimum group size
    playthroughs: int
    finished: Count  # hidden exactly when how many did not finish is
    replays: int | None  # replays of a decision, left out of every number; None: fewer than the minimum group
    timers: tuple[tuple[str, int | None], ...]
    endings: tuple[tuple[m.Ending, Count], ...]
    decisions: tuple[Decision, ...]
    routes: tuple[Route, ...]
    beginnings: tuple[Route, ...]  # where no whole route is shared: the longest shared starts
    meters: tuple[MeterRow, ...]
    reflections: tuple[Answer, ...]
    played: tuple[Played, ...] = attrs.field(repr=False)  # in the order they started
    names: bool = False  # show the players' pseudonyms
    min_group: int = 1
    warnings: tuple[str, ...] = ()

    @property
    def unfinished(self) -> int | None:
        return None if self.finished.count is None else self.playthroughs - self.finished.count

    def players(self) -> Iterator[tuple[int, int, Played]]:
        """Each playthrough with its number and its player's, both counted from 1
        in the order they started: a player's second playthrough has the
        player's number and a number of its own."""
        numbers: dict[str, int] = {}
        for i, p in enumerate(self.played, 1):
            yield i, numbers.setdefault(p.player, len(numbers) + 1), p


@attrs.frozen
class Report:
    debriefs: tuple[Debrief, ...]
    skipped: tuple[Diagnostic, ...]
    other_sessions: int = 0
    session: str | None = None
    language: str = "en"  # of the report's own words; each debrief speaks its scenario's language


ROUTES = 5  # the most common routes shown


class Library:
    """The scenarios a group debrief can show, by id, from ``folders``, each
    file read only when it is needed: loading every scenario takes longer
    than reading a thousand saves, and a room plays one or two. Files are
    found by their names, ``<id>.<language>.yaml``, and only when that finds
    none is every other file read. A file that cannot be loaded is reported
    in ``problems``, not fatal. Of two files with the same id and language,
    the one with that name counts, and of two with that name, the first found
    (the bundled scenarios are searched first): whichever is read first."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self._unread = scenario_files(folders)
        self._by_id: dict[str, dict[str, m.Scenario]] = {}  # id -> language -> scenario
        self._whole: set[str] = set()  # the ids whose every file has been read
        self._named: set[tuple[str, str]] = set()  # (id, language) held by a file of that name
        self.problems: list[Diagnostic] = []

    def __contains__(self, sid: object) -> bool:
        return bool(self._by_id.get(sid)) or bool(self.languages(sid))

    def one(self, sid: str, language: str) -> m.Scenario | None:
        """Scenario ``sid`` in ``language``, or None."""
        if language not in self._by_id.get(sid, {}):
            self._read([f for f in self._unread if f.name.split(".")[:2] == [sid, language]])
        return self._by_id.get(sid, {}).get(language) or self.languages(sid).get(language)

    def languages(self, sid: str) -> Mapping[str, m.Scenario]:
        """Every language of scenario ``sid``, by language; empty if there is none."""
        if sid not in self._whole:
            self._whole.add(sid)
            self._read([f for f in self._unread if f.name.split(".", 1)[0] == sid])
            if sid not in self._by_id:
                self._read(list(self._unread))
        return self._by_id.get(sid, {})

    def _read(self, files: list[Path]) -> None:
        for path in files:
            self._unread.remove(path)
            try:
                scenario = load(path)
            except ScenarioError as exc:
                self.problems.extend(exc.diagnostics)
            else:
                key, languages = (scenario.id, scenario.language), self._by_id.setdefault(scenario.id, {})
                named = path.name.split(".")[:2] == list(key)
                if scenario.language not in languages or (named and key not in self._named):
                    languages[scenario.language] = scenario
                if named:
                    self._named.add(key)


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
    with _no_cycle_collection():
        return _debrief_all(collected, library, language, names, min_group, session)


def _debrief_all(collected, library, language, names, min_group, session) -> Report:  # noqa: ANN001
    skipped = list(collected.skipped)
    groups: dict[tuple[str, str], list[Played]] = defaultdict(list)
    for p in collected.played:
        groups[(p.scenario, p.version)].append(p)
    for sid, version in [key for key in groups if key[0] not in library]:
        skipped.extend(
            Diagnostic(collected.paths.get(p.id, f"{p.id}.json"), 1, 1, "G002",
                       f"no scenario '{sid}' was found for this playthrough; name its folder with --scenarios DIR")
            for p in groups.pop((sid, version))
        )
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


def _pick(sid: str, version: str, languages: Counter, library: Library, language: str | None) -> tuple[m.Scenario, list[str]]:
    """The scenario file whose words to show: the wanted language, at the
    group's version if there is one."""
    order = list(dict.fromkeys([*([language] if language else []), *(lang for lang, _ in languages.most_common()), *LANGUAGES]))
    # The first file in that order at the group's version; usually the first file there is.
    chosen = next((s for lang in order if (s := library.one(sid, lang)) and s.version == version), None)
    if chosen is None:
        rank = {lang: i for i, lang in enumerate(order)}
        files = library.languages(sid).values()
        chosen = min(files, key=lambda s: (s.version != version, rank.get(s.language, len(order)), s.language))
    warnings = []
    if chosen.version != version:
        warnings.append(tr(chosen.language, "group.warn_version", version=version, id=chosen.id, found=chosen.version))
    return chosen, warnings


def _hide(counts: Sequence[int], min_group: int) -> list[bool]:
    """Which of ``counts``, the parts of one whole, to keep private so that no
    number of 1 to ``min_group`` - 1 players is shown or can be worked out
    from what is shown (docs/group-debrief.md): those below ``min_group``,
    then the smallest shown ones, until the hidden ones add up to at least
    ``min_group`` (or all are hidden). Give every table the rest of its whole
    as one more count, so that no total gives a hidden count away either."""
    if 0 < sum(counts) < min_group:  # the whole is shown: with it, shown parts (zeros too) give the rest away
        return [True] * len(counts)
    hidden = [0 < c < min_group for c in counts]
    while 0 < sum(c for c, h in zip(counts, hidden) if h) < min_group:
        shown = [(c, i) for i, c in enumerate(counts) if c and not hidden[i]]
        if not shown:
            break
        hidden[min(shown)[1]] = True
    return hidden


def _kept(counts: Sequence[int], min_group: int) -> list[int | None]:
    """``counts`` with the private ones (see _hide) as None."""
    return [None if h else c for c, h in zip(counts, _hide(counts, min_group))]


def _beginnings(played: list[Played], scenario: m.Scenario, min_group: int) -> tuple[Route, ...]:
    """The longest beginnings (in decisions) that two or more playthroughs,
    and at least ``min_group``, share, each shown only where those who did
    not start so are none or ``min_group`` or more too."""
    decisions = {sid for sid, scene in scenario.scenes.items() if scene.is_decision}
    counts: Counter[tuple[tuple[str, str], ...]] = Counter()
    for p in played:
        picked = tuple((s, c) for s, c in zip(p.scenes, p.choices) if s in decisions)
        counts.update(picked[:k] for k in range(1, len(picked) + 1))
    total = len(played)
    shared = [(path, n) for path, n in counts.items()
              if n >= max(2, min_group) and not any(_hide([n, total - n], min_group))]
    longest = [(path, n) for path, n in shared
               if not any(len(other) > len(path) and other[: len(path)] == path for other, _ in shared)]
    longest.sort(key=lambda item: (-len(item[0]), -item[1], item[0]))

    def choice_of(scene_id: str, choice_id: str) -> m.Choice:
        found = scenario.scenes[scene_id].choice(choice_id)
        return found or m.Choice(choice_id, choice_id, "")

    return tuple(Route(tuple(choice_of(s, c) for s, c in path), None, n) for path, n in longest[:ROUTES])


def _kept_by_name(counts: Counter[str], min_group: int) -> tuple[tuple[str, int | None], ...]:
    names = sorted(counts)
    return tuple(zip(names, _kept([counts[n] for n in names], min_group)))


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q2, q1, q3


_scenes_of, _choices_of, _ending_of = attrgetter("scenes"), attrgetter("choices"), attrgetter("ending")
_columns_of = attrgetter("choices", "times", "timeouts")
_language_of, _timers_of = attrgetter("language"), attrgetter("timers")


class _Tally:
    """What one group did, counted by whole columns at a time, in C: with
    thousands of playthroughs, a Python loop over every step (or even every
    playthrough) takes longer than reading the files."""

    def __init__(self, group: list[Played]) -> None:
        self.played = [p for p in group if p.replay_of is None]
        self.replays = len(group) - len(self.played)  # replays of a decision, left out of every number
        played = self.played
        self.languages = Counter(map(_language_of, played))
        self.timers = Counter(map(_timers_of, played))
        done = [p for p in played if p.ending is not None]
        self.endings = Counter(map(_ending_of, done))
        self.routes = Counter(zip(map(_scenes_of, done), map(_choices_of, done), map(_ending_of, done)))
        self.finals: dict[str, list[Mapping[str, int]]] = defaultdict(list)  # ending -> the meters at the end
        for p in done:
            if p.meters is not None:
                self.finals[p.ending].append(p.meters)
        self.shared = [(index, answer, p.player) for p in played if p.shared for index, answer in p.shared]
        # Many players, few paths: everyone who went through the same scenes
        # in the same order is one table, whose columns (transposed in C) are
        # the choices, times and timeouts at each of those scenes.
        paths: dict[tuple[str, ...], list[Played]] = defaultdict(list)
        for p in played:
            paths[p.scenes].append(p)
        self.paths = {path: len(ps) for path, ps in paths.items()}  # path -> playthroughs
        self.taken: dict[str, Counter[str]] = defaultdict(Counter)  # scene -> choice -> times taken
        self.times: dict[str, list[int]] = defaultdict(list)  # scene -> ms, every time it was taken
        self.timeouts: Counter[str] = Counter()
        self.reached: Counter[str] = Counter()  # scene -> playthroughs that took it at least once
        for path, ps in paths.items():
            for scene in set(path):
                self.reached[scene] += len(ps)
            choices, times, timeouts = zip(*map(_columns_of, ps))
            for scene, picked, ms, late in zip(path, zip(*choices), zip(*times), zip(*timeouts)):
                self.taken[scene].update(picked)
                self.times[scene] += ms
                self.timeouts[scene] += late.count(True)


def _debrief(sid, version, tally, library, language, names, min_group, others) -> Debrief:  # noqa: ANN001
    scenario, warnings = _pick(sid, version, tally.languages, library, language)
    lang = scenario.language
    if others:
        key = "group.warn_version_one" if len(others) == 1 else "group.warn_version_many"
        warnings.append(tr(lang, key, id=sid, versions=", ".join(others)))
    total = len(tally.played)
    taken, reached, endings = tally.taken, tally.reached, tally.endings
    gone = reached.keys() - scenario.scenes.keys()
    if gone:
        unknown = sum(n for path, n in tally.paths.items() if not gone.isdisjoint(path))
        warnings.append(tr(lang, "group.warn_gone_one" if unknown == 1 else "group.warn_gone_many", n=unknown))

    decisions = []
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
            *kept, missed = _kept([*sums, total - came], min_group)
            came_count = Count(None if missed is None else came, total)
        else:  # a loop: the options count times, not players
            kept = _kept(sums, min_group)
            came_count = Count(_kept([came, total - came], min_group)[0], total)
        # A share of a hidden number of players would give that number away.
        options = tuple(Option(cs, Count(kept[i], n if came_count.count is not None else None))
                        for i, cs in enumerate(listed))
        ran_out = None
        if scene.timer is not None and not hidden_all:
            late = tally.timeouts[scene.id]
            timeout_option = next((o for o in options if any(c.id == scene.timer.timeout for c in o.choices)), None)
            if timeout_option is not None and timeout_option.count.count is not None:
                # Those who chose it themselves are the option's count less those whose time ran out.
                if not any(_hide([late, timeout_option.count.count - late], min_group)):
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
    counts = [endings.get(e.id, 0) for e in listed_endings]
    *kept, _gone, unfinished = _kept([*counts, finished - sum(counts), total - finished], min_group)
    ending_counts = tuple((e, Count(kept[i], total)) for i, e in enumerate(listed_endings))
    shown_endings = {e.id: c.count for e, c in ending_counts}

    def choice_of(scene_id: str, choice_id: str) -> m.Choice:
        scene = scenario.scenes.get(scene_id)
        found = scene.choice(choice_id) if scene else None
        return found or m.Choice(choice_id, choice_id, "")

    # A route one player took is not a pattern, and would point at them. The
    # routes to an ending and the rest of those who reached it make one whole.
    to_ending: dict[str, list[tuple[tuple, int]]] = defaultdict(list)
    for key, count in tally.routes.items():
        if count >= 2 and shown_endings.get(key[2]):
            to_ending[key[2]].append((key, count))
    routes = []
    for ending, found in to_ending.items():
        kept_routes = _kept([count for _, count in found] + [shown_endings[ending] - sum(c for _, c in found)], min_group)
        routes += [(key, count) for (key, count), k in zip(found, kept_routes) if k is not None]
    routes.sort(key=lambda item: (-item[1], item[0]))
    route_list = tuple(
        Route(tuple(choice_of(s, c) for s, c in zip(path, picked) if s in scenario.scenes and scenario.scenes[s].is_decision),
              scenario.endings.get(ending), count)
        for (path, picked, ending), count in routes[:ROUTES]
    )
    beginnings = () if route_list else _beginnings(tally.played, scenario, min_group)

    meter_rows = []
    meters = list(scenario.meters.values())
    # A save of a version without a meter has it at its start. Two keys more,
    # which no meter id can be, so that itemgetter gives a tuple for one
    # meter or none too.
    starts = {**{meter.id: meter.start for meter in meters}, "": 0, " ": 0}
    values_of = itemgetter(*starts)
    for e in listed_endings:
        finals = tally.finals.get(e.id, [])
        if not finals or not shown_endings.get(e.id):  # as many as reached the ending: shown only if that is
            continue
        columns = zip(*map(values_of, map(starts.__or__, finals)))  # a meter at a time, in C
        averages = tuple((meter, sum(column) / len(finals)) for meter, column in zip(meters, columns))
        meter_rows.append(MeterRow(e, len(finals), averages))

    questions = scenario.debrief.reflection
    answers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for index, answer, player in tally.shared:
        if answer.strip():
            answers[index].append((player if names else "", answer))
    reflections = tuple(
        # Sorted by the answer, not by who finished first: the order must not point at a person.
        Answer(questions[i] if i < len(questions) else tr(lang, "group.question", n=i + 1),
               tuple(sorted(answers[i], key=lambda a: a[1])))
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
