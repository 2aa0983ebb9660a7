"""Where scenarios come from: the bundled ones and any folder a trainer names.

A file that fails to load is kept in the list with its diagnostics, so one
broken scenario never hides the others.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import attrs

from game.core.diagnostics import Diagnostic, shown
from game.core.model import Scenario
from game.authoring.validator import check_files


def bundled_dir() -> Path:
    """The scenarios shipped with Koers: inside the package when installed from a
    wheel, beside it in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "scenarios"
    return inside if inside.is_dir() else package.parent / "scenarios"


@attrs.frozen
class Entry:
    """One scenario file: its scenario if it can be played, else the errors that stop it."""

    path: Path
    scenario: Scenario | None
    errors: tuple[Diagnostic, ...] = ()
    omitted: int = 0  # errors found beyond those kept (a hostile file)

    def lines(self) -> list[str]:
        """The errors as printed: the first ones, then how many more."""
        return shown(list(self.errors), self.omitted)


def scenario_files(folders: Iterable[Path]) -> list[Path]:
    """The scenario files named, and the ``*.yaml`` and ``*.yml`` files in the
    folders named. Anything by such a name that is not a folder counts, so that
    a named pipe or a device is refused with its reason, not passed over."""
    files: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            files.extend(sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir()))
        elif folder.exists():
            files.append(folder)
    return files


def discover(folders: Iterable[Path]) -> list[Entry]:
    """Every scenario file in ``folders``, loaded and checked; translations are
    checked against their originals. A scenario with an error is never offered."""
    entries = []
    for checked in check_files(scenario_files(folders)):
        errors = () if checked.playable else checked.errors
        entries.append(Entry(Path(checked.path), checked.playable, errors, checked.omitted if errors else 0))
    return entries


def relative(path: str | os.PathLike[str]) -> str:
    """A path as short as it can be said from here, for messages."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return os.fspath(path)
