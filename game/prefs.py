"""What the player told Koers once and it remembers (name, session, language,
timers), and where Koers keeps the player's files.

A small JSON file in the user's config folder, or wherever ``--settings FILE``
says: in a workshop room (``koers serve``) each browser has a file of its own,
which also holds its player id and that the room fixes the session. A damaged
file is ignored (the player is simply asked again) rather than stopping the game.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from typing import NamedTuple

from game.core.files import read_regular
from game.core.vocab import LANGUAGES, TIMERS, UUID, Timers
from game.core.text import typed_name

ENV_VAR = "KOERS_SAVES"

# Read before the first frame, so it stays light: no attrs, no engine imports.
class Prefs(NamedTuple):
    player: str | None = None
    session: str | None = None
    lang: str | None = None
    timers: Timers = "on"
    player_id: str | None = None  # a workshop room's player (a UUID); saved with each playthrough
    room: bool = False  # played in a workshop room: the session is the room's, and the player never quits

    @classmethod
    def from_json(cls, data: object) -> Prefs:
        if not isinstance(data, dict):
            return cls()

        def text(key: str) -> str | None:
            value = data.get(key)
            return (typed_name(value) or None) if isinstance(value, str) else None

        lang = text("lang")
        timers = text("timers")
        player_id = data.get("player_id")
        return cls(
            player=text("player"),
            session=text("session"),
            lang=lang if lang in LANGUAGES else None,
            timers=next((t for t in TIMERS if t == timers), "on"),
            player_id=player_id if isinstance(player_id, str) and UUID.match(player_id) else None,
            room=data.get("room") is True,
        )

    def to_json(self) -> dict[str, str | bool | None]:
        found: dict[str, str | bool | None] = {"player": self.player, "session": self.session, "lang": self.lang,
                                               "timers": self.timers}
        if self.player_id is not None:
            found["player_id"] = self.player_id
        if self.room:
            found["room"] = True
        return found


def default_saves_dir(
    cli_value: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """``--saves DIR`` if given, else $KOERS_SAVES, else the platform's user data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    value = (os.environ if environ is None else environ).get(ENV_VAR)
    if value:
        return Path(value).expanduser()
    import platformdirs  # only when no folder was given: it costs start-up time

    # appauthor=False: on Windows, "koers\saves" rather than "koers\koers\saves".
    return platformdirs.user_data_path("koers", appauthor=False) / "saves"


def exports_dir(saves_dir: Path) -> Path:
    """Where a player's own debrief exports go: a Koers folder in their
    documents, where they will look. Never inside the saves folder, which
    players hand to their trainer: an export holds their private answers."""
    import platformdirs  # only on export: it costs start-up time

    folder = platformdirs.user_documents_path() / "Koers"
    saves = saves_dir.resolve()
    if folder.resolve() == saves or saves in folder.resolve().parents:
        folder = saves.parent / f"{saves.name}-exports"
    return folder


def default_prefs_path() -> Path:
    import platformdirs  # only when no path was given: it costs start-up time

    return platformdirs.user_config_path("koers", appauthor=False) / "settings.json"


MAX_BYTES = 64 * 1024  # a settings file holds four short values


def load_prefs(path: str | os.PathLike[str]) -> tuple[Prefs, str | None]:
    """The remembered settings, and why the file was ignored if it was: any
    file that is not a small JSON object of settings (a pipe, a device, a huge
    or deeply nested file, random bytes) is passed over, and the game starts."""
    try:
        data = read_regular(os.fspath(path), MAX_BYTES)
    except FileNotFoundError:
        return Prefs(), None
    except OSError as exc:
        return Prefs(), exc.strerror or str(exc)
    if len(data) > MAX_BYTES:
        return Prefs(), f"larger than {MAX_BYTES // 1024} KiB"
    try:
        return Prefs.from_json(json.loads(data.decode("utf-8"))), None
    except (ValueError, RecursionError):  # a UnicodeDecodeError is a ValueError too
        return Prefs(), "not valid JSON"


def save_prefs(path: str | os.PathLike[str], prefs: Prefs) -> None:
    """Write atomically; failing to remember a name is not worth stopping the game for."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(prefs.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
