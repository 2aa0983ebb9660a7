"""Saves: one JSON file per playthrough, rewritten atomically after every choice.

A save records what the player did (scene and choice ids, decision times, the
meters after each choice), never the scenario itself: resuming replays those
ids on the scenario file as it is now, so a corrected typo never strands a save.

Reading a save raises only :class:`SaveError`, whose one diagnostic prints as
``path:line:col: CODE message``; a damaged or hostile file never surfaces as a
traceback. docs/saves.md describes the format and every S code.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import json
import json.decoder
import json.scanner
import math
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import msgspec

from game.core import model as m
from game.core.vocab import LANGUAGES, TIMERS
from game.core.diagnostics import Diagnostic
from game.core.files import read_regular
from game.core.run import Run, RunError, Step

SAVE_FORMAT = 2
MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 16  # a save nests four deep; anything deeper is damage or an attack
MAX_DIGITS = 15  # 10**15 ms is 30,000 years; longer numbers only cost memory
MAX_VALUES = 100_000  # a long playthrough holds a few thousand; parsing 4 MiB of tiny values takes seconds
TEMP_PREFIX = ".tmp-"


class SaveError(Exception):
    """The only exception reading a save raises: one error diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


# A playthrough id as uuid.UUID writes one; the group debrief's quick reader checks with it too.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def _is_uuid(text: object) -> bool:
    return isinstance(text, str) and UUID.match(text) is not None


def _check_id(_instance: object, _attribute: object, value: str) -> None:
    # The file name is the id, so anything but a canonical UUID could name a
    # path outside the saves folder.
    if not _is_uuid(value):
        raise ValueError(f"a playthrough id must be a UUID, not {value!r}")


def _stamp(now: datetime | None) -> str:
    now = datetime.now(timezone.utc) if now is None else now.astimezone(timezone.utc)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# The model ------------------------------------------------------------------


@attrs.frozen
class Settings:
    """Player settings that change what a decision time means."""

    timers: str = attrs.field(default="on", validator=attrs.validators.in_(TIMERS))


@attrs.frozen
class ScenarioRef:
    """Which scenario file a playthrough was played on."""

    id: str
    language: str
    version: str
    digest: str  # sha256 of the scenario file, "" if it did not come from a file

    @classmethod
    def of(cls, scenario: m.Scenario) -> ScenarioRef:
        return cls(scenario.id, scenario.language, scenario.version, scenario.digest)

    @property
    def key(self) -> str:
        """The same key as ``Scenario.key``, to find the scenario in a library."""
        return f"{self.id}.{self.language}"


@attrs.frozen
class Reflection:
    """An answer to one debrief question; private unless the player shares it."""

    answer: str
    shared: bool = False


@attrs.frozen
class ReplayOf:
    """This playthrough replays ``playthrough`` from its decision ``step`` (from 0)."""

    playthrough: str = attrs.field(validator=_check_id)
    step: int


@attrs.frozen
class Playthrough:
    """One player's way through one scenario: what a save file holds.

    Build it with ``new``, ``replay_from`` or ``from_json``; each choice gives
    a new value through ``record``.
    """

    id: str = attrs.field(validator=_check_id)
    scenario: ScenarioRef
    player: str  # a pseudonym, never used to name a file
    started: str  # ISO 8601, UTC
    updated: str
    settings: Settings = Settings()
    steps: tuple[Step, ...] = ()
    ending: str | None = None
    reflections: Mapping[int, Reflection] = attrs.field(factory=dict)
    session: str | None = None
    replay_of: ReplayOf | None = None
    # When each step was taken (UTC, as ``started``); None for a step migrated from format 1.
    step_times: tuple[str | None, ...] = attrs.field(default=())
    waited_ms: int = 0  # time spent at the current decision before the player left it, for the timer on resume
    # Older files are migrated on reading, so a value in memory is always current.
    format: int = attrs.field(default=SAVE_FORMAT, init=False)

    @step_times.validator
    def _one_time_per_step(self, _attribute: object, times: tuple[str | None, ...]) -> None:
        if len(times) != len(self.steps):
            raise ValueError(f"a playthrough of {len(self.steps)} steps needs as many step times, not {len(times)}")

    # -- making ------------------------------------------------------------

    @classmethod
    def new(
        cls,
        scenario: m.Scenario,
        player: str,
        session: str | None = None,
        settings: Settings = Settings(),
        now: datetime | None = None,
    ) -> Playthrough:
        stamp = _stamp(now)
        return cls(
            id=str(uuid.uuid4()),
            scenario=ScenarioRef.of(scenario),
            player=player,
            session=session,
            started=stamp,
            updated=stamp,
            settings=settings,
        )

    @classmethod
    def replay_from(cls, original: Playthrough, step: int, now: datetime | None = None) -> Playthrough:
        """A new playthrough that keeps ``original``'s decisions before ``step``
        and lets the player take decision ``step`` again. Pass it to
        :func:`resume` for the Run."""
        if not 0 <= step < len(original.steps):
            raise ValueError(f"step {step} is not a decision of playthrough {original.id}")
        stamp = _stamp(now)
        return cls(
            id=str(uuid.uuid4()),
            scenario=original.scenario,
            player=original.player,
            session=original.session,
            started=stamp,
            updated=stamp,
            settings=original.settings,
            steps=original.steps[:step],
            step_times=original.step_times[:step],
            replay_of=ReplayOf(original.id, step),
        )

    def record(self, run: Run, now: datetime | None = None) -> Playthrough:
        """This playthrough with the steps and ending of ``run``.

        The scenario reference follows the run: after resuming on a changed
        scenario, the steps kept are those that fit the new version.
        """
        if run.scenario.id != self.scenario.id:
            raise ValueError(
                f"a run of '{run.scenario.id}' cannot be recorded in a playthrough of '{self.scenario.id}'"
            )
        stamp = _stamp(now)
        kept = 0  # the steps this playthrough already holds, unchanged: they keep their times
        while kept < min(len(self.steps), len(run.steps)) and self.steps[kept] == run.steps[kept]:
            kept += 1
        times = (*self.step_times[:kept], *[stamp] * (len(run.steps) - kept))
        return attrs.evolve(
            self,
            scenario=ScenarioRef.of(run.scenario),
            steps=run.steps,
            step_times=times,
            ending=run.at if run.finished else None,
            updated=stamp,
            waited_ms=0 if kept < len(run.steps) or len(run.steps) != len(self.steps) else self.waited_ms,
        )

    def waiting(self, ms: int, now: datetime | None = None) -> Playthrough:
        """This playthrough left at its current decision after ``ms`` of it."""
        return attrs.evolve(self, waited_ms=max(0, int(ms)), updated=_stamp(now))

    def with_reflection(
        self, index: int, answer: str, shared: bool = False, now: datetime | None = None
    ) -> Playthrough:
        """The answer to debrief question ``index`` (from 0), replacing any earlier one."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"a reflection index counts from 0, not {index!r}")
        reflections = {**self.reflections, index: Reflection(answer, bool(shared))}
        return attrs.evolve(self, reflections=reflections, updated=_stamp(now))

    def shared_only(self) -> Playthrough:
        """This playthrough with the private reflections left out, for a group debrief."""
        return attrs.evolve(self, reflections={i: r for i, r in self.reflections.items() if r.shared})

    # -- reading -----------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.ending is not None

    @property
    def started_at(self) -> datetime:
        return msgspec.convert(self.started, datetime)

    @property
    def updated_at(self) -> datetime:
        return msgspec.convert(self.updated, datetime)

    # -- JSON --------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "koers_save": SAVE_FORMAT,
            "id": self.id,
            "scenario": {
                "id": self.scenario.id,
                "language": self.scenario.language,
                "version": self.scenario.version,
                "digest": self.scenario.digest,
            },
            "player": self.player,
            "session": self.session,
            "started": self.started,
            "updated": self.updated,
            "settings": {"timers": self.settings.timers},
            "steps": [
                {
                    "scene": s.scene,
                    "choice": s.choice,
                    "ms": s.ms,
                    "timed_out": s.timed_out,
                    "meters": dict(s.meters),
                    "flags": sorted(s.flags),
                    "at": at,
                }
                for s, at in zip(self.steps, self.step_times)
            ],
            "waited_ms": self.waited_ms,
            "ending": self.ending,
            "reflections": {
                str(i): {"answer": r.answer, "shared": r.shared} for i, r in sorted(self.reflections.items())
            },
            "replay_of": (
                None
                if self.replay_of is None
                else {"playthrough": self.replay_of.playthrough, "step": self.replay_of.step}
            ),
        }

    @classmethod
    def from_json(
        cls,
        data: Any,
        path: str = "<save>",
        where: Callable[[tuple[str | int, ...]], tuple[int, int]] | None = None,
    ) -> Playthrough:
        """Build a playthrough from parsed JSON, migrating an older format.

        ``where`` maps a place in the data, such as ``("steps", 2, "ms")``, to
        its line and column; without it every problem is reported at 1:1.
        """
        try:
            return _read(_migrate(data))
        except _Problem as problem:
            line, col = where(problem.at) if where is not None else (1, 1)
            raise SaveError(Diagnostic(path, line, col, problem.code, problem.message)) from None


# Reading the shape ----------------------------------------------------------


class _Problem(Exception):
    """What is wrong and where in the data; from_json adds the line and column."""

    def __init__(self, at: tuple[str | int, ...], code: str, message: str) -> None:
        self.at, self.code, self.message = at, code, message


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


def _fields(value: object, at: tuple, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise _Problem(at, "S102", f"{what} should be an object, not {_kind(value)}")
    allowed = required + optional
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; {what} has: {', '.join(allowed)}"
            raise _Problem((*at, key), "S103", f"unknown field '{key}' in {what}{hint}")
    for key in required:
        if key not in value:
            raise _Problem(at, "S101", f"{what} is missing '{key}'")
    return value


def _text(obj: dict, key: str, at: tuple, what: str, *, empty: bool = True) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise _Problem((*at, key), "S102", f"'{key}' in {what} should be text, not {_kind(value)}")
    if not empty and not value:
        raise _Problem((*at, key), "S104", f"'{key}' in {what} should not be empty")
    return value


def _optional_text(obj: dict, key: str, at: tuple, what: str) -> str | None:
    if obj.get(key) is None:
        return None
    return _text(obj, key, at, what, empty=False)


def _whole(obj: dict, key: str, at: tuple, what: str) -> int:
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Problem((*at, key), "S102", f"'{key}' in {what} should be a whole number, not {_kind(value)}")
    # The parser stops longer numbers; this catches those made by a migration
    # or handed to from_json, which would be written and then refused.
    if abs(value) >= 10**MAX_DIGITS:
        raise _Problem((*at, key), "S005", f"'{key}' in {what} is too large for a save")
    return value


def _count(obj: dict, key: str, at: tuple, what: str) -> int:
    value = _whole(obj, key, at, what)
    if value < 0:
        raise _Problem((*at, key), "S104", f"'{key}' in {what} should be 0 or more, not {value}")
    return value


def _yes_no(obj: dict, key: str, at: tuple, what: str) -> bool:
    value = obj[key]
    if not isinstance(value, bool):
        raise _Problem((*at, key), "S102", f"'{key}' in {what} should be true or false, not {_kind(value)}")
    return value


def _uuid(obj: dict, key: str, at: tuple, what: str) -> str:
    value = _text(obj, key, at, what)
    if not _is_uuid(value):
        raise _Problem((*at, key), "S104", f"'{key}' in {what} should be a playthrough id (a UUID), not '{value[:60]}'")
    return value


def parse_time(value: str) -> datetime | None:
    """A save's time: RFC 3339 in UTC (``Z`` or ``+00:00``), else None.
    msgspec's parser, so that the group debrief, which has msgspec check the
    times while it parses a whole save, accepts exactly the times this does."""
    try:
        parsed = msgspec.convert(value, datetime)
    except msgspec.ValidationError:
        return None
    return parsed if parsed.tzinfo is timezone.utc else None


def _time(obj: dict, key: str, at: tuple, what: str) -> str:
    value = _text(obj, key, at, what)
    if parse_time(value) is None:
        raise _Problem(
            (*at, key),
            "S104",
            f"'{key}' in {what} should be a UTC time like 2025-11-23T09:44:00.000Z, not '{value[:60]}'",
        )
    return value


# Also the group debrief's quick reader checks with these.
DIGEST = re.compile(r"(?:[0-9a-f]{64})?\Z")  # with match(): empty, or a sha256
INDEX = re.compile(r"(?:0|[1-9][0-9]{0,5})\Z")  # with match(): a reflection's question number


def _read(data: dict) -> Playthrough:
    top = _fields(
        data,
        (),
        "the save",
        ("koers_save", "id", "scenario", "player", "started", "updated", "settings", "steps"),
        ("session", "ending", "reflections", "replay_of", "waited_ms"),
    )
    what = "the save"
    sc = _fields(top["scenario"], ("scenario",), "'scenario'", ("id", "language", "version", "digest"))
    digest = _text(sc, "digest", ("scenario",), "'scenario'")
    if not DIGEST.match(digest):
        raise _Problem(("scenario", "digest"), "S104", "'digest' in 'scenario' should be a sha256 in 64 hex digits")
    language = _text(sc, "language", ("scenario",), "'scenario'", empty=False)
    if language not in LANGUAGES:
        raise _Problem(("scenario", "language"), "S104",
                       f"'language' in 'scenario' should be one of {', '.join(LANGUAGES)}, not '{language[:60]}'")
    scenario = ScenarioRef(
        id=_text(sc, "id", ("scenario",), "'scenario'", empty=False),
        language=language,
        version=_text(sc, "version", ("scenario",), "'scenario'"),
        digest=digest,
    )
    st = _fields(top["settings"], ("settings",), "'settings'", ("timers",))
    timers = _text(st, "timers", ("settings",), "'settings'")
    if timers not in TIMERS:
        raise _Problem(
            ("settings", "timers"), "S104", f"'timers' should be one of {', '.join(TIMERS)}, not '{timers[:60]}'"
        )

    steps_raw = top["steps"]
    if not isinstance(steps_raw, list):
        raise _Problem(("steps",), "S102", f"'steps' should be a list, not {_kind(steps_raw)}")
    steps = tuple(_step(raw, i) for i, raw in enumerate(steps_raw))
    step_times = tuple(_step_time(raw, i) for i, raw in enumerate(steps_raw))

    reflections: dict[int, Reflection] = {}
    raw_reflections = top.get("reflections") or {}
    if not isinstance(raw_reflections, dict):
        raise _Problem(("reflections",), "S102", f"'reflections' should be an object, not {_kind(raw_reflections)}")
    for key, raw in raw_reflections.items():
        at = ("reflections", key)
        if not INDEX.match(key):
            raise _Problem(at, "S104", f"reflections are keyed by question number from 0, like \"0\", not '{key[:60]}'")
        r = _fields(raw, at, f"reflection {key}", ("answer", "shared"))
        what_r = f"reflection {key}"
        reflections[int(key)] = Reflection(_text(r, "answer", at, what_r), _yes_no(r, "shared", at, what_r))

    replay_of = None
    if top.get("replay_of") is not None:
        r = _fields(top["replay_of"], ("replay_of",), "'replay_of'", ("playthrough", "step"))
        replay_of = ReplayOf(
            _uuid(r, "playthrough", ("replay_of",), "'replay_of'"), _count(r, "step", ("replay_of",), "'replay_of'")
        )

    return Playthrough(
        id=_uuid(top, "id", (), what),
        scenario=scenario,
        player=_text(top, "player", (), what),
        session=_optional_text(top, "session", (), what),
        started=_time(top, "started", (), what),
        updated=_time(top, "updated", (), what),
        settings=Settings(timers),
        steps=steps,
        ending=_optional_text(top, "ending", (), what),
        reflections=reflections,
        replay_of=replay_of,
        step_times=step_times,
        waited_ms=_count(top, "waited_ms", (), what) if "waited_ms" in top else 0,
    )


STEP_FIELDS = ("scene", "choice", "ms", "timed_out", "meters", "flags", "at")


def _step_time(raw: dict, index: int) -> str | None:
    """When the step was taken; None where a format 1 save did not say."""
    if raw["at"] is None:
        return None
    return _time(raw, "at", ("steps", index), f"step {index + 1}")


def _step(raw: object, index: int) -> Step:
    at = ("steps", index)
    what = f"step {index + 1}"
    f = _fields(raw, at, what, STEP_FIELDS)
    meters_raw = f["meters"]
    if not isinstance(meters_raw, dict):
        raise _Problem((*at, "meters"), "S102", f"'meters' in {what} should be an object, not {_kind(meters_raw)}")
    meters = {name: _whole(meters_raw, name, (*at, "meters"), f"the meters of {what}") for name in meters_raw}
    flags_raw = f["flags"]
    if not isinstance(flags_raw, list):
        raise _Problem((*at, "flags"), "S102", f"'flags' in {what} should be a list, not {_kind(flags_raw)}")
    for i, flag in enumerate(flags_raw):
        if not isinstance(flag, str) or not flag:
            raise _Problem((*at, "flags", i), "S102", f"the flags of {what} should be names, not {_kind(flag)}")
    return Step(
        scene=_text(f, "scene", at, what, empty=False),
        choice=_text(f, "choice", at, what, empty=False),
        ms=_count(f, "ms", at, what),
        timed_out=_yes_no(f, "timed_out", at, what),
        meters=meters,
        flags=frozenset(flags_raw),
    )


# Migration ------------------------------------------------------------------
#
# MIGRATIONS[v] turns the parsed JSON of format v into format v + 1. Every
# format that ever shipped keeps its entry; a file older than the oldest entry
# is refused (S106) rather than guessed at.


def _from_v0(data: dict) -> dict:
    """Format 0, the prototype's (never released; kept so this path is tested):
    no 'settings', because timers could not be changed yet, and each step's
    decision time as 'seconds', a number, instead of whole 'ms'."""
    steps = data.get("steps")
    if isinstance(steps, list):
        converted = []
        for i, step in enumerate(steps):
            if isinstance(step, dict):
                if "seconds" not in step:
                    raise _Problem(("steps", i), "S101", f"step {i + 1} is missing 'seconds'")
                seconds = step["seconds"]
                number = isinstance(seconds, (int, float)) and not isinstance(seconds, bool)
                if not number or not math.isfinite(seconds) or seconds < 0:
                    raise _Problem(
                        ("steps", i, "seconds"), "S104", f"'seconds' in step {i + 1} should be a number like 2.5"
                    )
                step = {k: v for k, v in step.items() if k != "seconds"} | {"ms": round(seconds * 1000)}
            converted.append(step)
        steps = converted
    return {**data, "koers_save": 1, "settings": data.get("settings", {"timers": "on"}), "steps": steps}


def _from_v1(data: dict) -> dict:
    """Format 1 had no time per step and no time spent waiting at a decision:
    its steps' times are unknown (null), and no time was spent."""
    steps = data.get("steps")
    if isinstance(steps, list):
        steps = [{**step, "at": None} if isinstance(step, dict) and "at" not in step else step for step in steps]
    return {**data, "koers_save": 2, "steps": steps, "waited_ms": data.get("waited_ms", 0)}


MIGRATIONS: dict[int, Callable[[dict], dict]] = {0: _from_v0, 1: _from_v1}


def _migrate(data: object) -> dict:
    if not isinstance(data, dict):
        raise _Problem((), "S102", f"a save should be a JSON object, not {_kind(data)}")
    if "koers_save" not in data:
        raise _Problem((), "S101", "this is not a Koers save: it has no 'koers_save' format version")
    version = data["koers_save"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise _Problem(
            ("koers_save",), "S102", f"'koers_save' (the format version) should be a whole number, not {_kind(version)}"
        )
    if version > SAVE_FORMAT:
        raise _Problem(
            ("koers_save",),
            "S105",
            f"this save was made by a newer Koers (save format {version}); this Koers reads format {SAVE_FORMAT} "
            "and older: update Koers to open it",
        )
    while version < SAVE_FORMAT:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            oldest = min((v for v in MIGRATIONS if v <= SAVE_FORMAT), default=SAVE_FORMAT)
            raise _Problem(
                ("koers_save",),
                "S106",
                f"save format {version} is older than this Koers can read (formats {oldest} to {SAVE_FORMAT}); "
                "open it with the Koers that made it",
            )
        data = migrate(data)
        version += 1
    return data


# Parsing JSON with positions ------------------------------------------------


class _Located(NamedTuple):
    value: Any  # dict[str, _Located] | list[_Located] | str | int | float | bool | None
    offset: int


class _Placed(Exception):
    def __init__(self, offset: int, code: str, message: str) -> None:
        self.offset, self.code, self.message = offset, code, message


class _Refused(Exception):
    """Raised by a number hook, which does not know where it is; the scanner places it."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


class _Scanner:
    """The standard library's pure-Python JSON scanner, told to remember where
    each value starts (for line and column), to refuse what no save holds, and
    to stop at MAX_DEPTH instead of recursing until Python gives up."""

    def __init__(self) -> None:
        self.strict = True
        self.memo: dict[str, str] = {}
        self.object_hook = None
        self.object_pairs_hook = self._pairs
        self.parse_string = json.decoder.scanstring
        self.parse_int = self._int
        self.parse_float = float
        self.parse_constant = self._constant
        self.parse_object = self._object
        self.parse_array = self._array
        self.depth = 0
        self.values = 0
        self._scan_once = json.scanner.py_make_scanner(self)

    def scan(self, text: str, idx: int) -> tuple[_Located, int]:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _Placed(
                idx, "S002", f"the save holds more than {MAX_VALUES:,} values; Koers never writes one that large"
            )
        try:
            value, end = self._scan_once(text, idx)
        except _Refused as refused:
            raise _Placed(idx, refused.code, refused.message) from None
        return _Located(value, idx), end

    def _deeper(self, start: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Placed(start, "S004", f"the data is nested more than {MAX_DEPTH} deep; no save is")

    def _object(self, s_and_end, strict, _scan_once, object_hook, object_pairs_hook, memo):
        self._deeper(s_and_end[1] - 1)
        try:
            return json.decoder.JSONObject(s_and_end, strict, self.scan, object_hook, object_pairs_hook, memo)
        finally:
            self.depth -= 1

    def _array(self, s_and_end, _scan_once):
        self._deeper(s_and_end[1] - 1)
        try:
            return json.decoder.JSONArray(s_and_end, self.scan)
        finally:
            self.depth -= 1

    @staticmethod
    def _pairs(pairs: list[tuple[str, _Located]]) -> dict[str, _Located]:
        out: dict[str, _Located] = {}
        for key, value in pairs:
            if key in out:
                raise _Placed(value.offset, "S007", f"duplicate key '{key[:60]}'")
            out[key] = value
        return out

    @staticmethod
    def _int(digits: str) -> int:
        # The pure-Python scanner's \d takes any Unicode digit; JSON has only 0 to 9.
        if not digits.isascii():
            raise _Refused("S001", "the save is not valid JSON: a number may hold only the digits 0 to 9")
        # Python refuses ints over 4300 digits with a ValueError of its own;
        # stop far earlier, with a diagnostic.
        if len(digits.lstrip("-")) > MAX_DIGITS:
            raise _Refused("S005", f"a number of {len(digits.lstrip('-')):,} digits is too large for a save")
        return int(digits)

    @staticmethod
    def _constant(name: str) -> float:
        raise _Refused("S001", f"the save is not valid JSON: {name} is not a JSON value")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _parse(text: str) -> _Located:
    match = json.decoder.WHITESPACE.match
    try:
        value, end = _Scanner().scan(text, match(text, 0).end())
    except StopIteration as stop:
        raise json.JSONDecodeError("Expecting value", text, stop.value) from None
    end = match(text, end).end()
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


class _Unusual(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Unusual
    return out


def _small_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _Unusual
    return int(digits)


def _no_constant(_name: str) -> float:
    raise _Unusual


def _parse_quickly(text: str) -> Any | None:
    """The data, parsed by the C scanner, if _parse would accept it unchanged;
    else None. Good saves load several times faster this way (a group debrief
    reads hundreds); anything unusual goes to the slow parser, which finds the place.

    Depth needs no check here: the C scanner stops at Python's recursion limit,
    and anything nested deeper than a save (4 levels) fails the shape check.
    """
    # Every value is the whole document, the first in its list or object, or
    # follows a comma: this bounds the count from above without parsing.
    if text.count(",") + text.count("[") + text.count("{") + 1 > MAX_VALUES:
        return None
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicates, parse_int=_small_int, parse_constant=_no_constant
        )
    except (ValueError, RecursionError, _Unusual):
        return None


def _plain(node: _Located) -> Any:
    value = node.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _locator(text: str, root: _Located) -> Callable[[tuple[str | int, ...]], tuple[int, int]]:
    """Line and column of a place in the data, or of the nearest enclosing value
    that exists (a missing field is reported at its object)."""

    def where(at: tuple[str | int, ...]) -> tuple[int, int]:
        node = root
        for key in at:
            value = node.value
            if isinstance(value, dict) and isinstance(key, str) and key in value:
                node = value[key]
            elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                node = value[key]
            else:
                break
        return _line_col(text, node.offset)

    return where


# Files ----------------------------------------------------------------------


def read_save(path: str) -> bytes:
    """The bytes of a save file (a regular file, read to at most MAX_BYTES + 1); raises only SaveError."""
    try:
        return read_regular(path, MAX_BYTES)
    except OSError as exc:
        raise SaveError(Diagnostic(path, 1, 1, "S006", f"cannot read the save: {exc.strerror or exc}")) from None


def load_save(path: str | os.PathLike[str]) -> Playthrough:
    """Read one save file; raises only SaveError."""
    name = os.fspath(path)
    return loads_save(read_save(name), name)


def loads_save(data: bytes, path: str = "<save>") -> Playthrough:
    """Like :func:`load_save`, for bytes already in memory."""

    def fail(line: int, col: int, code: str, message: str) -> SaveError:
        return SaveError(Diagnostic(path, line, col, code, message))

    if len(data) > MAX_BYTES:
        mib = MAX_BYTES // (1024 * 1024)
        raise fail(1, 1, "S002", f"the file is larger than {mib} MiB; Koers never writes a save that large")
    if data.startswith(codecs.BOM_UTF8):  # an editor's mark, harmless: JSON readers skip it
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        raise fail(line, col, "S003", f"the save is not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
    quick = _parse_quickly(text)
    if quick is not None:
        with contextlib.suppress(SaveError):  # read it again below to find the place
            return Playthrough.from_json(quick, path)
    return _read_slowly(text, path)


def _read_slowly(text: str, path: str) -> Playthrough:
    """Parse with positions, so that every problem is reported at its place."""

    def fail(line: int, col: int, code: str, message: str) -> SaveError:
        return SaveError(Diagnostic(path, line, col, code, message))

    try:
        root = _parse(text)
    except json.JSONDecodeError as exc:
        message = exc.msg[:1].lower() + exc.msg[1:].removesuffix(" at")  # "Invalid control character at" (its place)
        raise fail(exc.lineno, exc.colno, "S001", f"the save is not valid JSON: {message}") from None
    except _Placed as placed:
        raise fail(*_line_col(text, placed.offset), placed.code, placed.message) from None
    except RecursionError:  # MAX_DEPTH keeps far below the limit; this only guards a caller already deep
        raise fail(1, 1, "S004", "the data is nested too deep; no save is") from None
    return Playthrough.from_json(_plain(root), path, _locator(text, root))


def save(folder: str | os.PathLike[str], playthrough: Playthrough) -> Path:
    """Write ``<folder>/<playthrough id>.json`` so that a crash at any moment
    leaves either the old file or the new one, never a mix."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"{playthrough.id}.json"  # the id is a checked UUID, never typed text
    obj = playthrough.to_json()
    try:
        data = (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a confused terminal; \u escapes keep it
        data = (json.dumps(obj, indent=2) + "\n").encode("ascii")
    if len(data) > MAX_BYTES:
        message = "this playthrough is too large to save; shorten the reflections"
        raise SaveError(Diagnostic(str(target), 1, 1, "S002", message))
    # mkstemp makes the file readable by its owner only: reflections are private.
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    try:
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)
    return target


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable: without this, a power cut can bring back the old file."""
    if os.name == "nt":  # Windows cannot open a folder to flush it
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_stray(folder: str | os.PathLike[str], min_age: float = 60.0) -> list[Path]:
    """Remove temp files left by saves cut off by a crash, returning their paths.

    Only files older than ``min_age`` seconds go: a younger one may belong to
    another Koers saving into the same folder right now. A leftover is never
    read as a save either way (its name starts with a dot and has no .json).
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    cutoff = time.time() - min_age
    removed = []
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        with contextlib.suppress(OSError):  # gone already, or not ours to remove: harmless
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime <= cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def list_saves(folder: str | os.PathLike[str]) -> tuple[list[tuple[Path, Playthrough]], list[Diagnostic]]:
    """Every save in ``folder``, newest first, and a diagnostic for every file
    that is not a good save. Also removes stray temp files (see clean_stray);
    call it when the app opens a saves folder. A missing folder has no saves."""
    clean_stray(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [Diagnostic(os.fspath(folder), 1, 1, "S006", f"cannot read the saves folder: {exc.strerror or exc}")]
    good: list[tuple[Path, Playthrough]] = []
    bad: list[Diagnostic] = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith(".json"):
            continue
        try:
            if not entry.is_file():
                continue
            good.append((Path(entry.path), load_save(entry.path)))
        except SaveError as exc:
            bad.append(exc.diagnostic)
        except OSError as exc:
            bad.append(Diagnostic(entry.path, 1, 1, "S006", f"cannot read the save: {exc.strerror or exc}"))
    good.sort(key=lambda pair: (pair[1].updated_at, pair[1].id), reverse=True)
    return good, bad


# Resuming -------------------------------------------------------------------


def _place(run: Run) -> str:
    return f"ending '{run.at}'" if run.finished else f"scene '{run.at}'"


def resume(playthrough: Playthrough, scenario: m.Scenario) -> tuple[Run, list[str]]:
    """The Run a save stands for, replayed by scene and choice ids on
    ``scenario``, and notes for the player about anything that did not fit.

    Replay stops at the first step whose scene is not where the story now is,
    or whose choice is gone or not available; the steps before it are kept
    with their decision times. The notes are plain text for the screen.
    """
    saved = playthrough.scenario
    if saved.id != scenario.id:
        raise ValueError(f"playthrough {playthrough.id} is of scenario '{saved.id}', not '{scenario.id}'")
    notes = []
    other_language = saved.language != scenario.language
    if other_language:
        notes.append(f"this playthrough began in '{saved.language}' and continues in '{scenario.language}'")
    # Another language is another file, so its digest always differs: only the replay can tell.
    changed = saved.digest != scenario.digest and not other_language
    if saved.version != scenario.version:
        since = f"the scenario changed since this save (version {saved.version} → {scenario.version})"
    else:
        since = f"the scenario changed since this save (version {saved.version}, edited)"

    run = Run.start(scenario)
    kept = 0
    for step in playthrough.steps:
        if run.at != step.scene:
            break
        try:
            run = run.choose(step.choice, step.ms, step.timed_out)
        except RunError:
            break
        kept += 1

    total = len(playthrough.steps)
    if kept < total:
        if changed:
            cause = since
        elif other_language:
            cause = f"the '{scenario.language}' scenario differs from this save"
        else:
            cause = "this save does not fit its scenario"
        notes.append(f"{cause}: resumed at {_place(run)} after {kept} of {total} decisions")
    elif changed:
        notes.append(f"{since}; every decision still fits")
    if kept == total and playthrough.ending is not None and run.at != playthrough.ending:
        notes.append(f"this playthrough ended at '{playthrough.ending}'; it now stands at {_place(run)}")
    return run, notes
