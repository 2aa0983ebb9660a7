"""Holds: decisions a trainer keeps closed in a workshop room until the room
is ready for them ("wait here"). A player who reaches a held decision waits,
and the time waited is not decision time.

One small JSON file in the room folder, written by the facilitator view and
read by each player's Koers: ``{"held": ["<scenario id>/<scene id>", ...]}``.
A missing or damaged file holds nothing: a room never stops on it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from game.core.files import read_regular

FILE = ".holds.json"  # hidden: never read as a save
MAX_BYTES = 64 * 1024


def hold_key(scenario_id: str, scene_id: str) -> str:
    return f"{scenario_id}/{scene_id}"


def read_holds(folder: str | os.PathLike[str]) -> frozenset[str]:
    try:
        data = json.loads(read_regular(os.fspath(Path(folder) / FILE), MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return frozenset()
    held = data.get("held") if isinstance(data, dict) else None
    return frozenset(k for k in held if isinstance(k, str)) if isinstance(held, list) else frozenset()


def write_holds(folder: str | os.PathLike[str], held: Iterable[str]) -> None:
    """Write atomically, so that a player's Koers never reads half a file; OSError when it cannot."""
    path = Path(folder) / FILE
    tmp = path.with_name(f".{FILE}.tmp")
    tmp.write_text(json.dumps({"held": sorted(held)}) + "\n", encoding="utf-8")
    os.replace(tmp, path)
