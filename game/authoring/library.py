"""Where scenarios come from: the one library that the game, ``list``,
``validate``, ``play`` and the group debrief all read.

A library is a list of files (the bundled scenarios first, then each folder a
trainer names, in the order given, files by name within a folder), each read
and checked only when it is needed, and kept in a :class:`Cache` when one is
given. A file that fails is reported with its diagnostics, so one broken
scenario never hides the others, and is never offered to play.

**Duplicates.** Of two playable files with the same id and language, the one
named ``<id>.<language>.yaml`` (or ``.yml``) counts; of two so named, or two
named otherwise, the one found first. The other is not offered and gets a
K223 warning naming the file that is used. This lets a scenario be found by
its name without reading the rest, and the bundled scenarios cannot be
shadowed by a stray copy in a trainer's folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from game.core.diagnostics import Diagnostic, ScenarioError, Severity, shown

if TYPE_CHECKING:
    from game.authoring.cache import Cache  # only where a caller gives one: validate never needs it
    from game.authoring.validator import Checked
    from game.core import model as m


DUPLICATE = "K223"


def is_offered(file: Checked | Listing) -> bool:
    """Whether a file of :meth:`Library.entries` or :meth:`Library.listings` can be picked to play."""
    loaded = bool(file.id) if isinstance(file, Listing) else file.scenario is not None
    return loaded and not any(d.severity is Severity.ERROR or d.code == DUPLICATE for d in file.diagnostics)


def bundled_dir() -> Path:
    """The scenarios shipped with Koers: inside the package when installed from a
    wheel, beside it in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "scenarios"
    return inside if inside.is_dir() else package.parent / "scenarios"


def scenario_files(folders: Iterable[Path]) -> list[Path]:
    """The scenario files named, and the ``*.yaml`` and ``*.yml`` files in the
    folders named (not in the folders inside them), each once. Anything by
    such a name that is not a folder counts, so that a named pipe or a device
    is refused with its reason, not passed over."""
    files: dict[Path, None] = {}
    for folder in folders:
        if folder.is_dir():
            try:
                inside = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir())
            except OSError:  # a folder that cannot be listed is refused with its reason (K011)
                inside = [folder]
            files.update(dict.fromkeys(inside))
        elif folder.exists() or folder.is_symlink():
            files[folder] = None
    return list(files)


@attrs.frozen
class Listing:
    """A file of the library as a list shows it: enough to show it and pick
    it, and its diagnostics, without its story (see :meth:`Library.scenario`)."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    omitted: int = 0  # problems found beyond those kept (a hostile file)
    id: str = ""  # "" when the file could not be loaded at all
    language: str = ""
    title: str = ""
    summary: str = ""
    minutes: int = 0
    version: str = ""
    translates: str | None = None
    digest: str = ""
    at: tuple[int, int] = (1, 1)  # line and column of the scenario in its file (not the model's Pos: see check)
    typical: int | None = None  # decisions on a typical path, once worked out

    @classmethod
    def of(cls, checked: Checked, typical: int | None = None) -> Listing:
        s = checked.scenario
        if s is None:
            return cls(checked.path, checked.diagnostics, checked.omitted)
        return cls(checked.path, checked.diagnostics, checked.omitted, s.id, s.language, s.title, s.summary,
                   s.minutes, s.version, s.translates, s.digest, (s.at.line, s.at.col), typical)

    @property
    def key(self) -> str:
        return f"{self.id}.{self.language}"

    @property
    def playable(self) -> bool:
        return bool(self.id) and not any(d.severity is Severity.ERROR for d in self.diagnostics)


@attrs.frozen
class Refused:
    """A file the library does not offer, and why: its errors, or K223."""

    path: str
    problems: tuple[Diagnostic, ...]
    omitted: int = 0  # errors found beyond those kept (a hostile file)

    @property
    def lines(self) -> list[str]:
        """The problems as printed: the first ones, then how many more."""
        return shown(list(self.problems), self.omitted)

    @property
    def count(self) -> int:
        return len(self.problems) + self.omitted


@attrs.define
class _Entry:
    listing: Listing
    checked: Checked | None  # None until the story is needed, when the listing came from the cache
    body: Callable[[], object | None] | None = None  # the cached story, unread
    read: list[str] = attrs.field(factory=list)  # the other files its check read


class Library:
    def __init__(self, folders: Iterable[str | os.PathLike[str]], cache: Cache | None = None) -> None:
        self.files = [os.fspath(p) for p in scenario_files(Path(f) for f in folders)]
        self.cache = cache
        self._entries: dict[str, _Entry] = {}
        self._checking: set[str] = set()  # files being checked now (a translation looks up its original)
        self._all = False  # whether every file has been listed

    # -- what is offered -----------------------------------------------------

    def listings(self) -> list[Listing]:
        """Every file, in order, as a list shows it; a duplicate carries its K223."""
        self._list_all()
        winners = self._winners()
        return [self._with_duplicate(self._entries[path].listing, winners) for path in self.files]

    def entries(self) -> list[Checked]:
        """Every file, in order, loaded and checked; a duplicate carries its K223."""
        out = []
        for listing in self.listings():
            checked = self.check(listing.path)
            out.append(attrs.evolve(checked, diagnostics=listing.diagnostics))
        return out

    def scenario(self, listing: Listing) -> m.Scenario:
        """The story of a playable file of this library."""
        scenario = self.check(listing.path).playable
        if scenario is None:
            raise ValueError(f"{listing.path} cannot be played")
        return scenario

    def offered(self) -> list[m.Scenario]:
        """The scenarios a player can pick, in the order of their files."""
        return [self.scenario(listing) for listing in self.listings() if is_offered(listing)]

    def refused(self) -> list[Refused]:
        """The files not offered: those with errors, and duplicates."""
        out = []
        for listing in self.listings():
            if not is_offered(listing):
                stops = tuple(d for d in listing.diagnostics if d.severity is Severity.ERROR or d.code == DUPLICATE)
                out.append(Refused(listing.path, stops, listing.omitted))
        return out

    def one(self, sid: str, language: str) -> m.Scenario | None:
        """Scenario ``sid`` in ``language`` as offered, or None; read by its file name first."""
        found = self._find(f"{sid}.{language}")
        return self.check(found).playable if found else None

    def languages(self, sid: str) -> Mapping[str, m.Scenario]:
        """Every language of scenario ``sid`` that is offered, by language. The
        files named ``<sid>.*`` are read first; only when none holds the
        scenario is every file read."""
        named = [p for p in self.files if os.path.basename(p).split(".", 1)[0] == sid]
        languages = {x.language for p in named if (x := self._listing(p)).playable and x.id == sid}
        if not languages:
            languages = {x.language for x in self.listings() if is_offered(x) and x.id == sid}
        return {lang: s for lang in sorted(languages) if (s := self.one(sid, lang)) is not None}

    def __contains__(self, sid: object) -> bool:
        return isinstance(sid, str) and bool(self.languages(sid))

    @property
    def problems(self) -> list[Diagnostic]:
        """The errors of every file read so far (the group debrief reads only what it needs)."""
        return [d for e in self._entries.values() for d in e.listing.diagnostics if d.severity is Severity.ERROR]

    # -- typical path --------------------------------------------------------

    def typical(self, listing: Listing) -> int:
        """Decisions on a typical path of a playable file, worked out once and cached."""
        entry = self._entries[listing.path]
        if entry.listing.typical is not None:
            return entry.listing.typical
        from game.authoring.explore import typical  # and with it the model, which a warm listing never needs

        checked = self.check(listing.path)
        assert checked.playable is not None
        decisions = typical(checked.playable, 200).decisions
        entry.listing = attrs.evolve(entry.listing, typical=decisions)
        self._keep(entry)
        return decisions

    # -- reading and checking ------------------------------------------------

    def _listing(self, path: str) -> Listing:
        """One file as listed: from the cache when it is still true, else read and checked now."""
        if path not in self._entries:
            found = self.cache.get(path) if self.cache is not None else None
            head, body, read = found if found is not None else (None, None, [])
            if isinstance(head, Listing):
                self._entries[path] = _Entry(head, None, body, read)
            else:
                self._check_now(path)
        return self._entries[path].listing

    def check(self, path: str) -> Checked:
        """One file of the library, loaded and checked (from the cache when it is still true)."""
        # Listing from the cache needs neither the loader nor the validator (nor the model):
        # they are imported where a story is read, which keeps the library's first frame quick.
        from game.authoring.validator import Checked

        self._listing(path)
        entry = self._entries[path]
        if entry.checked is None:
            body = entry.body() if entry.body is not None else None
            if isinstance(body, Checked) and body.path == path:
                entry.checked = body
            else:  # a damaged body: read the file afresh
                self._check_now(path)
        checked = self._entries[path].checked
        assert checked is not None
        return checked

    def _check_now(self, path: str) -> None:
        self._checking.add(path)
        try:
            checked, read = self._checked_file(path)
        finally:
            self._checking.discard(path)
        entry = _Entry(Listing.of(checked), checked, None, read)
        self._entries[path] = entry
        self._keep(entry)

    def _keep(self, entry: _Entry) -> None:
        if self.cache is not None and entry.checked is not None:
            self.cache.put(entry.listing.path, entry.listing, entry.checked, entry.read)

    def _checked_file(self, path: str) -> tuple[Checked, list[str]]:
        """``path`` checked, and the other files that check read (a translation's original)."""
        from game.authoring.loader import load
        from game.authoring.validator import Checked, check

        try:
            scenario = load(path)
        except ScenarioError as exc:
            return Checked(path, None, tuple(exc.diagnostics), exc.omitted), []
        extra: list[Diagnostic] = []
        original = None
        if scenario.translates:
            key = f"{scenario.id}.{scenario.translates}"
            found = self._find(key)
            original = self.check(found).scenario if found else _beside(scenario.path, key)
            if original is None:
                message = f"the original '{key}.yaml' was not found beside this file, so the translation was not compared with it"
                extra.append(Diagnostic(path, scenario.at.line, scenario.at.col, "K218", message))
        return check(scenario, original, extra), [original.path] if original else []

    def _list_all(self) -> None:
        if not self._all:
            for path in self.files:
                self._listing(path)
            self._all = True

    def _find(self, key: str) -> str | None:
        """The path of the file that counts for ``key`` (see Duplicates above), reading as few files as it can."""
        names = (f"{key}.yaml", f"{key}.yml")
        for path in self.files:
            if os.path.basename(path) in names and path not in self._checking:
                listing = self._listing(path)
                if listing.playable and listing.key == key:
                    return path
        if not self._all and not self._checking:
            self._list_all()
        return self._winners().get(key)

    def _winners(self) -> dict[str, str]:
        """For each key among the files listed so far, the path of the file that counts."""
        winners: dict[str, str] = {}
        named: set[str] = set()
        for path in self.files:
            entry = self._entries.get(path)
            if entry is None or not entry.listing.playable:
                continue
            key = entry.listing.key
            is_named = os.path.basename(path) in (f"{key}.yaml", f"{key}.yml")
            if key not in winners or (is_named and key not in named):
                winners[key] = path
            if is_named:
                named.add(key)
        return winners

    @staticmethod
    def _with_duplicate(listing: Listing, winners: dict[str, str]) -> Listing:
        if not listing.playable or winners[listing.key] == listing.path:
            return listing
        used = winners[listing.key]
        extra = Diagnostic(listing.path, *listing.at, DUPLICATE,
                           f"scenario '{listing.key}' is also in {used}, which is used; this file is not offered")
        return attrs.evolve(listing, diagnostics=tuple(sorted((*listing.diagnostics, extra))))


def check_files(paths: Iterable[str | os.PathLike[str]]) -> list[Checked]:
    """Each file named and each scenario file in the folders named, loaded and
    checked as one library (a translation with its original), in the order
    given; a folder without a scenario file is a K013 of its own, and a path
    that is not there a K011."""
    from game.authoring.validator import Checked

    given = [Path(p) for p in paths]
    checked = {c.path: c for c in Library(given).entries()}
    out: list[Checked] = []
    for path in given:
        files = scenario_files([path])
        if not files and not path.is_dir():  # named, but not there: a typo must not pass as "0 files"
            missing = Diagnostic(os.fspath(path), 1, 1, "K011", "cannot read the file: no such file or folder")
            out.append(Checked(os.fspath(path), None, (missing,)))
        elif not files:
            message = "no scenario files here: Koers reads the *.yaml and *.yml files of a folder, not the folders inside it"
            out.append(Checked(os.fspath(path), None, (Diagnostic(os.fspath(path), 1, 1, "K013", message),)))
        out.extend(checked.pop(os.fspath(f)) for f in files if os.fspath(f) in checked)
    return out


def load_playable(path: str | os.PathLike[str]) -> m.Scenario:
    """The scenario in ``path`` if it can be played; else ScenarioError with its errors."""
    if os.path.isdir(path):
        raise ScenarioError([Diagnostic(os.fspath(path), 1, 1, "K011", "cannot read the file: it is a folder; give one scenario file")])
    (checked,) = check_files([path])
    if checked.playable is None:
        raise ScenarioError(list(checked.errors), checked.omitted)
    return checked.playable


def _beside(path: str, key: str) -> m.Scenario | None:
    from game.authoring.loader import load

    candidate = os.path.join(os.path.dirname(path), f"{key}.yaml")
    try:
        return load(candidate)
    except ScenarioError:
        return None


def relative(path: str | os.PathLike[str]) -> str:
    """A path as short as it can be said from here, for messages."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return os.fspath(path)
