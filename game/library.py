"""Where scenarios come from: the bundled ones and any folder a trainer names.

A file that fails to load is kept in the list with its diagnostics, so one
broken scenario never hides the others.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import attrs

from game.diagnostics import Diagnostic, ScenarioError
from game.loader import load
from game.model import Scenario


def bundled_dir() -> Path:
    """The scenarios shipped with Koers: inside the package when installed from a
    wheel, beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    inside = here / "scenarios"
    return inside if inside.is_dir() else here.parent / "scenarios"


@attrs.frozen
class Entry:
    path: Path
    scenario: Scenario | None
    errors: tuple[Diagnostic, ...] = ()


def scenario_files(folders: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        if folder.is_file():
            files.append(folder)
        elif folder.is_dir():
            files.extend(sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
    return files


def discover(folders: Iterable[Path]) -> list[Entry]:
    entries = []
    for path in scenario_files(folders):
        try:
            entries.append(Entry(path, load(path)))
        except ScenarioError as exc:
            entries.append(Entry(path, None, tuple(exc.diagnostics)))
    return entries


def relative(path: str | os.PathLike[str]) -> str:
    """A path as short as it can be said from here, for messages."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return os.fspath(path)
