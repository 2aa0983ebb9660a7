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
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

from game.authoring.cache import Cache, Cached
from game.authoring.loader import load
from game.authoring.validator import Checked, check
from game.core import model as m
from game.core.diagnostics import Diagnostic, ScenarioError, Severity, shown


DUPLICATE = "K223"


def is_offered(checked: Checked) -> bool:
    """Whether a file of :meth:`Library.entries` can be picked to play."""
    return checked.playable is not None and not any(d.code == DUPLICATE for d in checked.diagnostics)


def bundled_dir() -> Path:
    """The scenarios shipped with Koers: inside the package when installed from a
    wheel, beside it in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "scenarios"
    return inside if inside.is_dir() else package.parent / "scenarios"


def scenario_files(folders: Iterable[Path]) -> list[Path]:
    """The scenario files named, and the ``*.yaml`` and ``*.yml`` files in the
    folders named. Anything by such a name that is not a folder counts, so that
    a named pipe or a device is refused with its reason, not passed over."""
    files: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            files.extend(sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir()))
        elif folder.exists() or folder.is_symlink():
            files.append(folder)
    return files


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


class Library:
    def __init__(self, folders: Iterable[str | os.PathLike[str]], cache: Cache | None = None) -> None:
        self.files = [os.fspath(p) for p in scenario_files(Path(f) for f in folders)]
        self.cache = cache
        self._checked: dict[str, Cached] = {}
        self._checking: set[str] = set()  # files being checked now (a translation looks up its original)
        self._read: dict[str, list[str]] = {}  # the other files each file's check read
        self._all = False  # whether every file has been checked

    # -- what is offered -----------------------------------------------------

    def entries(self) -> list[Checked]:
        """Every file, checked, in order; a duplicate carries its K223."""
        self._check_all()
        winners = self._winners()
        out = []
        for path in self.files:
            checked = self._checked[path].checked
            s = checked.playable
            if s is not None and winners[s.key] != path:
                used = winners[s.key]
                extra = Diagnostic(path, s.at.line, s.at.col, DUPLICATE,
                                   f"scenario '{s.key}' is also in {used}, which is used; this file is not offered")
                checked = attrs.evolve(checked, diagnostics=tuple(sorted((*checked.diagnostics, extra))))
            out.append(checked)
        return out

    def offered(self) -> list[m.Scenario]:
        """The scenarios a player can pick, in the order of their files."""
        self._check_all()
        return [self._checked[path].checked.playable for path in self._winners().values()]  # type: ignore[misc]

    def refused(self) -> list[Refused]:
        """The files not offered: those with errors, and duplicates."""
        out = []
        for checked in self.entries():
            if not is_offered(checked):
                stops = tuple(d for d in checked.diagnostics if d.severity is Severity.ERROR or d.code == DUPLICATE)
                out.append(Refused(checked.path, stops, checked.omitted))
        return out

    def one(self, sid: str, language: str) -> m.Scenario | None:
        """Scenario ``sid`` in ``language`` as offered, or None; read by its file name first."""
        found = self._find(f"{sid}.{language}")
        return found.playable if found else None

    def languages(self, sid: str) -> Mapping[str, m.Scenario]:
        """Every language of scenario ``sid`` that is offered, by language. The
        files named ``<sid>.*`` are read first; only when none holds the
        scenario is every file read."""
        named = [p for p in self.files if os.path.basename(p).split(".", 1)[0] == sid]
        languages = {s.language for p in named if (s := self.check(p).playable) is not None and s.id == sid}
        if not languages:
            self._check_all()
            languages = {s.language for s in self.offered() if s.id == sid}
        return {lang: s for lang in sorted(languages) if (s := self.one(sid, lang)) is not None}

    def __contains__(self, sid: object) -> bool:
        return isinstance(sid, str) and bool(self.languages(sid))

    @property
    def problems(self) -> list[Diagnostic]:
        """The errors of every file checked so far (the group debrief reads only what it needs)."""
        return [d for c in self._checked.values() for d in c.checked.errors]

    # -- typical path --------------------------------------------------------

    def typical(self, scenario: m.Scenario) -> int:
        """Decisions on a typical path of ``scenario`` (a file of this library), worked out once and cached."""
        from game.authoring.explore import typical

        cached = self._checked.get(scenario.path)
        if cached is not None and cached.typical is not None:
            return cached.typical
        decisions = typical(scenario, 200).decisions
        if cached is not None and cached.checked.scenario == scenario:
            self._keep(attrs.evolve(cached, typical=decisions))
        return decisions

    # -- reading and checking ------------------------------------------------

    def check(self, path: str) -> Checked:
        """One file of the library, loaded and checked (from the cache when it is still true)."""
        if path not in self._checked:
            cached = self.cache.get(path) if self.cache is not None else None
            if cached is None:
                self._checking.add(path)
                try:
                    checked, self._read[path] = self._check_now(path)
                finally:
                    self._checking.discard(path)
                cached = Cached(checked, None)
                self._keep(cached)
            self._checked[path] = cached
        return self._checked[path].checked

    def _keep(self, cached: Cached) -> None:
        path = cached.checked.path
        self._checked[path] = cached
        if self.cache is not None:
            self.cache.put(cached, self._read.get(path, []))

    def _check_now(self, path: str) -> tuple[Checked, list[str]]:
        """``path`` checked, and the other files that check read (a translation's original)."""
        try:
            scenario = load(path)
        except ScenarioError as exc:
            return Checked(path, None, tuple(exc.diagnostics), exc.omitted), []
        extra: list[Diagnostic] = []
        original = None
        if scenario.translates:
            key = f"{scenario.id}.{scenario.translates}"
            found = self._find(key)
            original = found.scenario if found else _beside(scenario.path, key)
            if original is None:
                message = f"the original '{key}.yaml' was not found beside this file, so the translation was not compared with it"
                extra.append(Diagnostic(path, scenario.at.line, scenario.at.col, "K218", message))
        return check(scenario, original, extra), [original.path] if original else []

    def _check_all(self) -> None:
        if not self._all:
            for path in self.files:
                self.check(path)
            self._all = True

    def _find(self, key: str) -> Checked | None:
        """The file that counts for ``key`` (see Duplicates above), reading as few files as it can."""
        names = (f"{key}.yaml", f"{key}.yml")
        for path in self.files:
            if os.path.basename(path) in names and path not in self._checking:
                checked = self.check(path)
                if checked.playable is not None and checked.playable.key == key:
                    return checked
        if not self._all and not self._checking:
            self._check_all()
        winner = self._winners().get(key)
        return self._checked[winner].checked if winner else None

    def _winners(self) -> dict[str, str]:
        """For each key among the files checked so far, the path of the file that counts."""
        winners: dict[str, str] = {}
        named: set[str] = set()
        for path in self.files:
            cached = self._checked.get(path)
            s = cached.checked.playable if cached else None
            if s is None:
                continue
            is_named = os.path.basename(path) in (f"{s.key}.yaml", f"{s.key}.yml")
            if s.key not in winners or (is_named and s.key not in named):
                winners[s.key] = path
            if is_named:
                named.add(s.key)
        return winners


def check_files(paths: Iterable[str | os.PathLike[str]]) -> list[Checked]:
    """Each file named, loaded and checked, in the order given, as one library."""
    return Library(paths).entries()


def load_playable(path: str | os.PathLike[str]) -> m.Scenario:
    """The scenario in ``path`` if it can be played; else ScenarioError with its errors."""
    (checked,) = check_files([path])
    if checked.playable is None:
        raise ScenarioError(list(checked.errors), checked.omitted)
    return checked.playable


def _beside(path: str, key: str) -> m.Scenario | None:
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
