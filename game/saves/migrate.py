"""Older save formats, brought up to the current one.

``MIGRATIONS[v]`` turns the parsed JSON of format v into format v + 1. Every
format that ever shipped keeps its entry; a file older than the oldest entry
is refused (S106) rather than guessed at. Only files that are not of the
current format come here, so the plain dicts of the standard parser are fine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


class Problem(Exception):
    """What is wrong and where in the data; the explainer adds the line and column."""

    def __init__(self, at: tuple[str | int, ...], code: str, message: str) -> None:
        super().__init__(message)
        self.at, self.code, self.message = at, code, message


def _from_v0(data: dict[str, Any]) -> dict[str, Any]:
    """Format 0, the prototype's (never released; kept so this path is tested):
    no 'settings', because timers could not be changed yet, and each step's
    decision time as 'seconds', a number, instead of whole 'ms'."""
    steps = data.get("steps")
    if isinstance(steps, list):
        converted = []
        for i, step in enumerate(steps):
            if isinstance(step, dict):
                if "seconds" not in step:
                    raise Problem(("steps", i), "S101", f"step {i + 1} is missing 'seconds'")
                seconds = step["seconds"]
                number = isinstance(seconds, (int, float)) and not isinstance(seconds, bool)
                if not number or not math.isfinite(seconds) or seconds < 0:
                    raise Problem(("steps", i, "seconds"), "S104", f"'seconds' in step {i + 1} should be a number like 2.5")
                step = {k: v for k, v in step.items() if k != "seconds"} | {"ms": round(seconds * 1000)}
            converted.append(step)
        steps = converted
    return {**data, "koers_save": 1, "settings": data.get("settings", {"timers": "on"}), "steps": steps}


def _from_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Format 1 had no time per step and no time spent waiting at a decision:
    its steps' times are unknown (null), and no time was spent."""
    steps = data.get("steps")
    if isinstance(steps, list):
        steps = [{**step, "at": None} if isinstance(step, dict) and "at" not in step else step for step in steps]
    return {**data, "koers_save": 2, "steps": steps, "waited_ms": data.get("waited_ms", 0)}


def _from_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Format 2 knew a player by pseudonym only: no player id."""
    return {**data, "koers_save": 3, "player_id": data.get("player_id")}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_v0, 1: _from_v1, 2: _from_v2}


def migrate(data: dict[str, Any], version: int, current: int) -> dict[str, Any]:
    """``data`` of format ``version`` in format ``current``; Problem (S106) when no migration leads there."""
    while version < current:
        step = MIGRATIONS.get(version)
        if step is None:
            oldest = min((v for v in MIGRATIONS if v <= current), default=current)
            raise Problem(("koers_save",), "S106", f"save format {version} is older than this Koers can read "
                          f"(formats {oldest} to {current}); open it with the Koers that made it")
        data = step(data)
        version += 1
    return data
