"""What the player told Koers once and it remembers: name, session, language, timers.

A small JSON file in the user's config folder. A damaged file is ignored (the
player is simply asked again) rather than stopping the game.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs
import platformdirs

from game.model import LANGUAGES
from game.saves import TIMERS


@attrs.frozen
class Prefs:
    player: str | None = None
    session: str | None = None
    lang: str | None = None
    timers: str = "on"

    @classmethod
    def from_json(cls, data: object) -> Prefs:
        if not isinstance(data, dict):
            return cls()

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value.strip() else None

        lang = text("lang")
        timers = text("timers")
        return cls(
            player=text("player"),
            session=text("session"),
            lang=lang if lang in LANGUAGES else None,
            timers=timers if timers in TIMERS else "on",
        )

    def to_json(self) -> dict[str, str | None]:
        return {"player": self.player, "session": self.session, "lang": self.lang, "timers": self.timers}


def default_prefs_path() -> Path:
    return platformdirs.user_config_path("koers", appauthor=False) / "settings.json"


def load_prefs(path: str | os.PathLike[str]) -> Prefs:
    try:
        with open(path, encoding="utf-8") as f:
            return Prefs.from_json(json.load(f))
    except (OSError, ValueError):
        return Prefs()


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
