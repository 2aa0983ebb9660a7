"""Reading a room's saves: every good playthrough once, every other file named.

Reading is built for folders full of files of unknown origin: every good
playthrough counts exactly once, every file that does not count is named with
a diagnostic (``file:line:col: CODE message``), and nothing raises. Only the
reflections a player chose to share are kept.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from operator import attrgetter

import attrs

from game.core.diagnostics import Diagnostic
from game.saves.codec import load_save
from game.saves.explain import SaveError
from game.saves.playthrough import Playthrough


def save_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[Diagnostic]]:
    """The save files named or inside the folders named (and their subfolders),
    each once, in a stable order; a path that does not exist, or a folder
    that cannot be listed, gets a diagnostic. Inside folders only ``*.json``
    counts, and hidden files (a save being written is one) never do."""
    found: dict[str, str] = {}  # real path -> path as the trainer will recognise it
    problems: list[Diagnostic] = []

    def unlisted(exc: OSError) -> None:
        problems.append(Diagnostic(str(exc.filename), 1, 1, "S006", f"cannot read the folder: {exc.strerror or exc}"))

    for given in paths:
        name = os.fspath(given)
        if os.path.isdir(name):
            real = os.path.realpath(name)  # once per folder: per file it costs more than reading the file
            for folder, dirs, files in os.walk(name, onerror=unlisted):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                inside = os.path.normpath(os.path.join(real, os.path.relpath(folder, name)))
                for file in sorted(files):
                    if file.endswith(".json") and not file.startswith("."):
                        found.setdefault(os.path.join(inside, file), os.path.join(folder, file))
        elif os.path.isfile(name):
            found.setdefault(os.path.realpath(name), name)
        else:
            problems.append(Diagnostic(name, 1, 1, "S006", "cannot read the save: no such file or folder"))
    return list(found.values()), problems


@attrs.frozen
class Collected:
    """The playthroughs that count, and an account of every file that does not."""

    played: tuple[Playthrough, ...]  # in the order they started; with the shared reflections only
    skipped: tuple[Diagnostic, ...]  # every file not counted, with why
    paths: Mapping[str, str] = attrs.field(factory=dict, repr=False)  # playthrough id -> the file that counts
    other_sessions: int = 0  # good saves left out by --session


def collect(paths: Iterable[str | os.PathLike[str]], session: str | None = None) -> Collected:
    """Read every save under ``paths``; each playthrough counts once, however
    many copies of it there are. Of two different copies of one playthrough
    (a save copied mid-game), the one updated last counts."""
    with no_cycle_collection():
        return _collect(paths, session)


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Nothing a debrief builds forms a reference cycle, so the cycle collector
    would only walk the growing heap of playthroughs again and again: a third
    of the time for a big folder (docs/performance.md)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


_in_order = attrgetter("started", "id")


def _collect(paths: Iterable[str | os.PathLike[str]], session: str | None) -> Collected:
    files, skipped = save_files(paths)
    return gather(((path, read(path)) for path in files), skipped, session)


def read(path: str) -> Playthrough | Diagnostic:
    """One save with its shared reflections only, or why it does not count."""
    try:
        return load_save(path).shared_only()
    except SaveError as exc:
        return exc.diagnostic


def gather(read_files: Iterable[tuple[str, Playthrough | Diagnostic]], skipped: Iterable[Diagnostic] = (),
           session: str | None = None) -> Collected:
    """What counts of saves already read (by :func:`read`): each playthrough
    once, the copy updated last; every other file named, with why."""
    skipped = list(skipped)
    by_id: dict[str, tuple[Playthrough, str]] = {}
    losers: list[tuple[Playthrough, str]] = []  # copies that do not count
    other = 0
    for path, p in read_files:
        if isinstance(p, Diagnostic):
            skipped.append(p)
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
    played = sorted((p for p, _ in by_id.values()), key=_in_order)
    return Collected(tuple(played), tuple(sorted(skipped)), {pid: path for pid, (_, path) in by_id.items()}, other)
