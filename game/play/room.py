"""What a workshop room (``koers serve``) shares through its folder: the
decisions the trainer holds, and who is in the room.

Holds are decisions the trainer keeps closed until the room is ready for them
("wait here"): a player who reaches one waits, and the time waited is not
decision time. The facilitator view writes them, each player's Koers reads
them: ``.holds.json``, ``{"held": ["<scenario id>/<scene id>", ...]}``.

The room's status is written by its server as players come and go, and read
by every facilitator view (the trainer's terminal, a presenter's browser):
``.room.json``, with the session, the link and its QR code, each player's
anonymous number, who is connected now, and the facilitator's own link.

Both files are hidden (never read as saves) and written atomically; a missing
or damaged one holds nothing and shows an empty room, and a room never stops
on it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from game.core.files import read_regular, write_whole

HOLDS, STATUS = ".holds.json", ".room.json"
MAX_BYTES = 1024 * 1024


def hold_key(scenario_id: str, scene_id: str) -> str:
    return f"{scenario_id}/{scene_id}"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_regular(os.fspath(path), MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: object) -> None:
    """Whole, so that no reader sees half a file (two facilitator views may write at once); OSError when it cannot."""
    write_whole(path, json.dumps(data, ensure_ascii=False) + "\n")


def read_holds(folder: str | os.PathLike[str]) -> frozenset[str]:
    held = _read(Path(folder) / HOLDS).get("held")
    return frozenset(k for k in held if isinstance(k, str)) if isinstance(held, list) else frozenset()


def write_holds(folder: str | os.PathLike[str], held: Iterable[str]) -> None:
    _write(Path(folder) / HOLDS, {"held": sorted(held)})


@attrs.frozen
class Status:
    session: str = ""
    link: str = ""
    qr: tuple[str, ...] = ()
    numbers: dict[str, int] = attrs.field(factory=dict)  # player id -> an anonymous number, for everyone who joined
    connected: frozenset[str] = frozenset()  # the player ids connected now
    facilitator: str = ""  # the facilitator's own link: the same view in a browser

    def write(self, folder: str | os.PathLike[str]) -> None:
        _write(Path(folder) / STATUS, {"session": self.session, "link": self.link, "qr": list(self.qr),
                                       "numbers": self.numbers, "connected": sorted(self.connected),
                                       "facilitator": self.facilitator})

    @classmethod
    def read(cls, folder: str | os.PathLike[str]) -> Status:
        data = _read(Path(folder) / STATUS)

        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        def strings(key: str) -> list[str]:
            value = data.get(key)
            return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

        numbers = data.get("numbers")
        return cls(text("session"), text("link"), tuple(strings("qr")),
                   {k: v for k, v in numbers.items() if isinstance(v, int)} if isinstance(numbers, dict) else {},
                   frozenset(strings("connected")), text("facilitator"))
