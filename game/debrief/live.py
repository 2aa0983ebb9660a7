"""A room folder watched while the room plays: the saves read again only
where a file changed, for the facilitator view that grows with every choice.

A save is rewritten atomically (a new file renamed over the old), so a
changed save has a new modification time; a file whose time and size are
unchanged is not read again.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from game.core.diagnostics import Diagnostic
from game.debrief.collect import Collected, gather, read, save_files
from game.saves.playthrough import Playthrough


@attrs.frozen
class Whereabouts:
    """Where one player of the room is: their newest playthrough."""

    player: str  # their player id, or "name:" and the pseudonym for a save without one
    scenario: str  # the scenario id
    decisions: int  # taken so far
    ending: str | None  # reached, or None while they play


class Watcher:
    def __init__(self, folder: str | os.PathLike[str], session: str | None = None) -> None:
        self.folder, self.session = Path(folder), session
        self._stamps: dict[str, tuple[int, int]] = {}  # path -> (modification time in ns, size)
        self._read: dict[str, Playthrough | Diagnostic] = {}
        self._problems: list[Diagnostic] = []

    def refresh(self) -> bool:
        """Read what changed since the last call; whether anything did."""
        files, problems = save_files([self.folder])
        stamps = {}
        for path in files:
            try:
                info = os.stat(path)
            except OSError:  # gone between the listing and now: the next call sees it
                continue
            stamps[path] = (info.st_mtime_ns, info.st_size)
        changed = stamps.keys() != self._stamps.keys() or problems != self._problems
        for path in self._stamps.keys() - stamps.keys():
            del self._read[path]
        for path, stamp in stamps.items():
            if self._stamps.get(path) != stamp:
                self._read[path] = read(path)
                changed = True
        self._stamps, self._problems = stamps, problems
        return changed

    def collected(self) -> Collected:
        return gather(sorted(self._read.items()), self._problems, self.session)

    def whereabouts(self) -> dict[str, Whereabouts]:
        """Each player's newest playthrough of the session, by player id."""
        found: dict[str, Whereabouts] = {}
        newest: dict[str, Playthrough] = {}
        for p in self.collected().played:
            who = p.player_id or f"name:{p.player}"
            if who not in newest or p.updated > newest[who].updated:
                newest[who] = p
                found[who] = Whereabouts(who, p.scenario.id, len(p.steps), p.ending)
        return found
