"""Load a scenario file into the model, or say exactly what is wrong with it.

``load`` raises only :class:`ScenarioError`; every problem, from a YAML syntax
error to an unknown field, is a Diagnostic with file, line and column. Schema
problems are collected, so an author sees all of them in one run.

The model is built straight from the parser's events (game/authoring/yamlsafe.py), in
one pass: each part of the schema reads its own fields and skips, with a
diagnostic, what it does not know.
"""

from __future__ import annotations

import difflib
import gc
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeGuard, TypeVar

import attrs

from game.core import model as m
from game.core.diagnostics import MAX_KEPT, Diagnostic, ScenarioError
from game.core.files import read_regular
from game.core.vocab import LANGUAGES, RATINGS
from game.authoring.yamlsafe import (
    MAX_BYTES,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    Stream,
    open_stream,
)

T = TypeVar("T")
Read = Callable[[Event], Any]

ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
MAX_DIGITS = 9  # no count, range or number of seconds in a scenario needs more


@contextmanager
def _no_gc() -> Iterator[None]:
    """Building the model allocates many small objects and frees none; the
    cyclic collector would walk them over and over for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(path: str | os.PathLike[str]) -> m.Scenario:
    """Read and check the shape of one scenario file."""
    path = os.fspath(path)
    try:
        data = read_regular(path, MAX_BYTES)
    except OSError as exc:
        raise ScenarioError([Diagnostic(path, 1, 1, "K011", f"cannot read the file: {exc.strerror or exc}")]) from None
    return loads(data, path)


def loads(data: bytes, path: str = "<scenario>") -> m.Scenario:
    """Like :func:`load`, for bytes already in memory."""
    with _no_gc():
        stream = open_stream(path, data)
        reader = _Reader(stream)
        root = stream.root()
        if root is None:
            raise ScenarioError([Diagnostic(path, 1, 1, "K102", "the file is empty; a scenario is a mapping of fields")])
        scenario = reader.scenario(root)
        stream.end()
        if reader.errors or scenario is None:
            raise ScenarioError(reader.errors, reader.omitted)
        return attrs.evolve(scenario, digest=hashlib.sha256(data).hexdigest())


def _shown(event: Event) -> str:
    """A value as a message quotes it: short, on one line."""
    if type(event) is not ScalarEvent:
        return _kind(event)
    value = event.value
    return value if len(value) <= 40 else value[:39] + "…"


_EMPTY = m.Text(())  # where a text could not be read; its problem is reported


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def _kind(event: Event) -> str:
    if type(event) is ScalarEvent:
        return "text" if event.value else "nothing"
    if type(event) is SequenceStartEvent:
        return "a list"
    return "a mapping"


def _plain(event: Event) -> TypeGuard[ScalarEvent]:
    """Written without quotes: only such a scalar can be a number or true/false."""
    return type(event) is ScalarEvent and bool(event.implicit[0])


def _nothing(event: Event) -> bool:
    """``key:`` with no value at all."""
    return _plain(event) and event.value == ""


@attrs.frozen
class _Part:
    """One part of the schema: what it is called in messages, and a reader for each field."""

    what: str
    required: tuple[str, ...]
    read: dict[str, Read]

    @property
    def allowed(self) -> tuple[str, ...]:
        return (*self.required, *(k for k in self.read if k not in self.required))


class _Fields:
    """The fields of one mapping as read: values by name, and the event each
    value starts with, for its position (worked out only where it is needed)."""

    __slots__ = ("values", "at", "start", "_stream")

    def __init__(self, stream: Stream, event: Event) -> None:
        self.values: dict[str, Any] = {}
        self.at: dict[str, Event] = {}
        self._stream = stream
        self.start = stream.pos(event)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def pos(self, name: str) -> m.Pos:
        event = self.at.get(name)
        return self.start if event is None else self._stream.pos(event)


class _Reader:
    """Reads the events along the schema, collecting every problem."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.path = stream.path
        self.errors: list[Diagnostic] = []
        self.omitted = 0  # problems beyond MAX_KEPT, counted only
        t, ident, integer, boolean = self.text, self.ident, self.integer, self.boolean
        self.SCENARIO = _Part("the scenario", (
            "koers", "id", "title", "language", "version", "summary", "minutes", "characters", "start", "scenes",
            "endings"), {
            "koers": partial(integer, what="'koers' (the format version)"),
            "id": partial(ident, what="the scenario id"),
            "title": partial(t, what="title"),
            "language": partial(self.choice_of, what="language", options=LANGUAGES),
            "version": partial(t, what="version"),
            "summary": partial(t, what="summary"),
            "minutes": partial(integer, what="minutes"),
            "characters": partial(self.items, what="characters", read=self.character),
            "start": partial(ident, what="start"),
            "scenes": self.scenes,
            "endings": partial(self.items, what="endings", read=self.ending),
            "translates": partial(self.choice_of, what="translates", options=LANGUAGES),
            "goals": partial(self.items, what="goals", read=partial(t, what="goals")),
            "sources": partial(self.items, what="sources", read=self.source),
            "meters": partial(self.items, what="meters", read=self.meter),
            "flags": partial(self.items, what="flags", read=self.flag),
            "concepts": partial(self.items, what="concepts", read=self.concept),
            "debrief": self.debrief,
        })
        self.SOURCE = _Part("a source", ("id", "cite"), {"id": partial(ident, what="source id"), "cite": partial(t, what="cite")})
        self.CHARACTER = _Part("a character", ("id", "name"), {
            "id": partial(ident, what="character id"), "name": partial(t, what="name"), "role": partial(t, what="role")})
        self.METER = _Part("a meter", ("id", "label", "min", "max", "start"), {
            "id": partial(ident, what="meter id"), "label": partial(t, what="label"),
            "min": partial(integer, what="min"), "max": partial(integer, what="max"),
            "start": partial(integer, what="start"), "shown": partial(boolean, what="shown")})
        self.FLAG = _Part("a flag", ("id",), {"id": partial(ident, what="flag id"), "about": partial(t, what="about")})
        flags = partial(self.items, what="set", read=partial(ident, what="flag"))
        cleared = partial(self.items, what="clear", read=partial(ident, what="flag"))
        # What a route or a timer may change of a choice's outcome.
        change: dict[str, Read] = {"effects": self.effects, "set": flags, "clear": cleared,
                  "consequence": partial(t, what="consequence"), "coaching": partial(t, what="coaching")}
        self.SCENE = _Part("a scene", ("id", "speaker", "text", "choices"), {
            "id": partial(ident, what="scene id"), "title": partial(t, what="title"),
            "speaker": partial(ident, what="speaker"), "text": partial(self.rich, what="text"),
            "choices": partial(self.items, what="choices", read=self.choice),
            "variants": partial(self.items, what="variants", read=self.variant), "timer": self.timer})
        self.TIMER = _Part("a timer", ("seconds", "timeout"), {
            "seconds": partial(integer, what="seconds"), "timeout": partial(ident, what="timeout"), **change})
        self.VARIANT = _Part("a variant", ("when", "text"), {"when": self.condition, "text": partial(self.rich, what="text")})
        self.PARAGRAPH = _Part("a paragraph with a condition", ("when", "text"), {
            "when": self.condition, "text": partial(t, what="text"), "else": partial(t, what="else")})
        self.CHOICE = _Part("a choice", ("id", "text", "next"), {
            "id": partial(ident, what="choice id"), "text": partial(t, what="text"), "next": partial(ident, what="next"),
            "when": self.condition, "routes": partial(self.items, what="routes", read=self.route),
            **change, "concepts": partial(self.items, what="concepts", read=partial(ident, what="concepts")),
            "recommended": partial(boolean, what="recommended"), "rationale": partial(t, what="rationale")})
        self.ROUTE = _Part("a route", ("when",), {"when": self.condition, "next": partial(ident, what="next"), **change})
        self.CONDITION = _Part("a condition", (), {
            "flag": partial(ident, what="flag"), "not_flag": partial(ident, what="not_flag"),
            "meter": partial(ident, what="meter"), **{op: partial(integer, what=op) for op in m.COMPARISONS},
            "any": partial(self.items, what="any", read=self.condition),
            "all": partial(self.items, what="all", read=self.condition), "not": self.condition})
        self.ENDING = _Part("an ending", ("id", "title", "text"), {
            "id": partial(ident, what="ending id"), "title": partial(t, what="title"),
            "text": partial(self.rich, what="text"), "rating": partial(self.choice_of, what="rating", options=RATINGS),
            "variants": partial(self.items, what="variants", read=self.variant)})
        self.CONCEPT = _Part("a concept", ("id", "name", "what", "how", "why"), {
            "id": partial(ident, what="concept id"), "name": partial(t, what="name"), "what": partial(t, what="what"),
            "how": partial(t, what="how"), "why": partial(t, what="why"), "source": partial(ident, what="source")})
        self.DEBRIEF = _Part("the debrief", (), {
            "reflection": partial(self.items, what="reflection", read=partial(t, what="reflection")),
            "transfer": partial(t, what="transfer")})

    # -- reporting ---------------------------------------------------------

    def report(self, at: m.Pos, code: str, message: str) -> None:
        if len(self.errors) < MAX_KEPT:
            self.errors.append(Diagnostic(self.path, at.line, at.col, code, message))
        else:
            self.omitted += 1

    def error(self, event: Event, code: str, message: str) -> None:
        if len(self.errors) >= MAX_KEPT:  # not kept: spare the search for its position
            self.omitted += 1
            return
        self.report(self.stream.pos(event), code, message)

    def at(self, event: Event) -> m.Pos:
        return self.stream.pos(event)

    def unknown(self, key: Event, name: str, part: _Part) -> None:
        if len(self.errors) >= MAX_KEPT:  # not kept: spare the search for a suggestion
            self.omitted += 1
            return
        allowed = part.allowed
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; {part.what} has: {', '.join(allowed)}"
        self.error(key, "K103", f"unknown field '{name}' in {part.what}{hint}")

    def tagged(self, event: Event) -> bool:
        """Report and skip a node with an explicit tag: a scenario is plain data."""
        tag = getattr(event, "tag", None)  # only nodes have one
        if tag is None:
            return False
        tag = tag.replace("tag:yaml.org,2002:", "!!", 1)
        self.error(event, "K007", f"tags like '{tag}' are not allowed; a scenario is plain data")
        self.stream.skip(event)
        return True

    def wrong(self, event: Event, message: str) -> None:
        """Report a value of the wrong shape, and read past it."""
        self.error(event, "K102", message)
        self.stream.skip(event)

    # -- generic shapes ----------------------------------------------------

    def fields(self, event: Event, part: _Part) -> _Fields | None:
        """The values of a mapping by field, each read by its part's reader;
        missing and unknown fields are reported."""
        if self.tagged(event):
            return None
        if type(event) is not MappingStartEvent:
            self.wrong(event, f"{part.what} should be a mapping of fields, not {_kind(event)}")
            return None
        out = _Fields(self.stream, event)
        seen: dict[str, Event] = {}
        nxt = self.stream.next
        while True:
            key = nxt()
            if type(key) is MappingEndEvent:
                break
            if type(key) is not ScalarEvent:
                self.error(key, "K009", "a key must be plain text, not a list or mapping")
                self.stream.skip(key)
                self.stream.skip(nxt())
                continue
            value = nxt()
            if self.tagged(key):
                self.stream.skip(value)
                continue
            name = key.value
            read = part.read.get(name)
            if read is None:  # not remembered: a file of a million unknown keys must cost no more memory
                self.unknown(key, name, part)
                self.stream.skip(value)
                continue
            if name in seen:
                hint = "; if it starts the next item of a list, begin that line with '- '" if name == "id" else ""
                self.error(key, "K008", f"duplicate key '{name}' (first at line {self.at(seen[name]).line}){hint}")
                self.stream.skip(value)
                continue
            seen[name] = key
            if self.tagged(value):
                continue
            out.at[name] = value
            out.values[name] = read(value)
        for name in part.required:
            if name not in seen:
                self.report(out.start, "K101", f"{part.what} is missing '{name}'")
        return out

    def items(self, event: Event, what: str, read: Callable[[Event], T | None]) -> list[T]:
        """The items of a list, each read by ``read``; those it cannot read are left out."""
        if type(event) is not SequenceStartEvent:
            if not _nothing(event):
                self.wrong(event, f"{what} should be a list, not {_kind(event)}")
            return []
        out: list[T] = []
        nxt = self.stream.next
        while True:
            item = nxt()
            if type(item) is SequenceEndEvent:
                return out
            if self.tagged(item):
                continue
            obj = read(item)
            if obj is not None:
                out.append(obj)

    def text(self, event: Event, what: str) -> str | None:
        if type(event) is ScalarEvent:
            return event.value
        self.wrong(event, f"{what} should be text, not {_kind(event)}")
        return None

    def rich(self, event: Event, what: str) -> m.Text | None:
        """A text: plain, or a list of paragraphs of which some have a condition."""
        if type(event) is SequenceStartEvent:
            return m.Text(tuple(self.items(event, what, self.paragraph)))
        if type(event) is MappingStartEvent:
            self.wrong(event, f"{what} should be text or a list of paragraphs, not a mapping")
            return None
        assert type(event) is ScalarEvent  # the stream refuses aliases, so what is left is a scalar
        return m.Text((m.Paragraph(event.value, at=self.at(event)),))

    def paragraph(self, event: Event) -> m.Paragraph | None:
        if type(event) is ScalarEvent:
            return m.Paragraph(event.value, at=self.at(event))
        f = self.fields(event, self.PARAGRAPH)
        if f is None or f.get("when") is None:
            return None
        return m.Paragraph(f.get("text") or "", f.get("when"), f.get("else") or "", at=f.start)

    def ident(self, event: Event, what: str) -> str | None:
        value = self.text(event, what)
        if value is None:
            return None
        if not ID.match(value):
            self.error(event, "K104", f"{what} '{_shown(event)}' is not a valid id: use lower-case letters, digits, '-' and '_'")
            return None
        return value

    def integer(self, event: Event, what: str) -> int | None:
        if _plain(event) and INT.match(event.value):
            if len(event.value.lstrip("+-")) > MAX_DIGITS:
                self.error(event, "K104", f"{what} is too large: a scenario's numbers have at most {MAX_DIGITS} digits")
                return None
            return int(event.value)
        self.error(event, "K104", f"{what} should be a whole number like 5 or -2, not '{_shown(event)}'")
        self.stream.skip(event)
        return None

    def boolean(self, event: Event, what: str) -> bool | None:
        if _plain(event) and event.value in ("true", "false"):
            return event.value == "true"
        self.error(event, "K104", f"{what} should be true or false, not '{_shown(event)}'")
        self.stream.skip(event)
        return None

    def choice_of(self, event: Event, what: str, options: tuple[str, ...]) -> str | None:
        value = self.text(event, what)
        if value is None:
            return None
        if value not in options:
            self.error(event, "K104", f"{what} should be one of {', '.join(options)}, not '{_shown(event)}'")
            return None
        return value

    def keyed(self, objs: list[T]) -> dict[str, T]:
        """Objects by id. A repeated id is reported once, at the repeat."""
        out: dict[str, T] = {}
        for obj in objs:
            key = obj.id  # type: ignore[attr-defined]
            if key in out:
                first = out[key].at  # type: ignore[attr-defined]
                self.report(obj.at, "K202", f"duplicate id '{key}' (first at line {first.line})")  # type: ignore[attr-defined]
                continue
            out[key] = obj
        return out

    # -- the scenario ------------------------------------------------------

    def scenario(self, event: Event) -> m.Scenario | None:
        f = self.fields(event, self.SCENARIO)
        if f is None:
            return None
        fmt = f.get("koers")
        if fmt is not None and fmt != m.FORMAT_VERSION:
            self.report(f.pos("koers"), "K105", f"format version {fmt} is not supported; this Koers reads version {m.FORMAT_VERSION}")
        minutes = f.get("minutes")
        if minutes is not None and minutes < 1:
            self.report(f.pos("minutes"), "K104", "minutes should be at least 1")
        return m.Scenario(
            id=f.get("id") or "",
            title=f.get("title") or "",
            language=f.get("language") or "",
            version=f.get("version") or "",
            summary=f.get("summary") or "",
            minutes=minutes or 0,
            start=f.get("start") or "",
            goals=tuple(f.get("goals", ())),
            sources=self.keyed(f.get("sources", [])),
            characters=self.keyed(f.get("characters", [])),
            meters=self.keyed(f.get("meters", [])),
            flags=self.keyed(f.get("flags", [])),
            scenes=self.keyed(f.get("scenes", [])),
            endings=self.keyed(f.get("endings", [])),
            concepts=self.keyed(f.get("concepts", [])),
            debrief=f.get("debrief") or m.Debrief(),
            translates=f.get("translates"),
            path=self.path,
            at=f.start,
            start_at=f.pos("start"),
        )

    def scenes(self, event: Event) -> list[m.Scene]:
        problems = len(self.errors) + self.omitted
        scenes = self.items(event, "scenes", self.scene)
        if type(event) is SequenceStartEvent and not scenes and len(self.errors) + self.omitted == problems:
            self.error(event, "K101", "the scenario has no scenes")
        return scenes

    def source(self, event: Event) -> m.Source | None:
        f = self.fields(event, self.SOURCE)
        if f is None:
            return None
        return m.Source(id=f.get("id") or "", cite=f.get("cite") or "", at=f.start)

    def character(self, event: Event) -> m.Character | None:
        f = self.fields(event, self.CHARACTER)
        if f is None:
            return None
        return m.Character(id=f.get("id") or "", name=f.get("name") or "", role=f.get("role") or "", at=f.start)

    def meter(self, event: Event) -> m.Meter | None:
        f = self.fields(event, self.METER)
        if f is None:
            return None
        return m.Meter(
            id=f.get("id") or "",
            label=f.get("label") or "",
            min=_or(f.get("min"), 0),
            max=_or(f.get("max"), 0),
            start=_or(f.get("start"), 0),
            shown=_or(f.get("shown"), True),
            at=f.start,
        )

    def flag(self, event: Event) -> m.Flag | None:
        f = self.fields(event, self.FLAG)
        if f is None:
            return None
        return m.Flag(id=f.get("id") or "", about=f.get("about") or "", at=f.start)

    def scene(self, event: Event) -> m.Scene | None:
        f = self.fields(event, self.SCENE)
        if f is None:
            return None
        return m.Scene(
            id=f.get("id") or "",
            title=f.get("title") or "",
            speaker=f.get("speaker") or "",
            text=f.get("text") or _EMPTY,
            variants=tuple(f.get("variants", ())),
            timer=f.get("timer"),
            choices=tuple(f.get("choices", ())),
            at=f.start,
            speaker_at=f.pos("speaker"),
        )

    def timer(self, event: Event) -> m.Timer | None:
        f = self.fields(event, self.TIMER)
        if f is None:
            return None
        seconds = f.get("seconds")
        if seconds is not None and not 1 <= seconds <= 3600:
            self.report(f.pos("seconds"), "K104", "seconds should be between 1 and 3600")
        return m.Timer(seconds=seconds or 0, timeout=f.get("timeout") or "", ran_out=self.change(f), at=f.start)

    def change(self, f: _Fields) -> m.Change:
        """The parts of an outcome a route or a timer gives (the rest is the choice's)."""
        effects, flags, cleared = f.get("effects"), f.get("set"), f.get("clear")
        return m.Change(
            next=f.get("next"),
            effects=None if effects is None else tuple(effects),
            set=None if flags is None else tuple(flags),
            clear=None if cleared is None else tuple(cleared),
            consequence=f.get("consequence"),
            coaching=f.get("coaching"),
            next_at=f.pos("next"),
        )

    def variant(self, event: Event) -> m.Variant | None:
        f = self.fields(event, self.VARIANT)
        if f is None or f.get("when") is None:
            return None
        return m.Variant(when=f.get("when"), text=f.get("text") or _EMPTY, at=f.start)

    def choice(self, event: Event) -> m.Choice | None:
        f = self.fields(event, self.CHOICE)
        if f is None:
            return None
        return m.Choice(
            id=f.get("id") or "",
            text=f.get("text") or "",
            next=f.get("next") or "",
            when=f.get("when"),
            routes=tuple(f.get("routes", ())),
            effects=f.get("effects") or (),
            set=tuple(f.get("set", ())),
            clear=tuple(f.get("clear", ())),
            consequence=f.get("consequence") or "",
            coaching=f.get("coaching") or "",
            concepts=tuple(f.get("concepts", ())),
            recommended=f.get("recommended"),
            rationale=f.get("rationale") or "",
            at=f.start,
            next_at=f.pos("next"),
        )

    def route(self, event: Event) -> m.Route | None:
        f = self.fields(event, self.ROUTE)
        if f is None or f.get("when") is None:
            return None
        if len(f.at) == 1:
            self.report(f.start, "K101", "a route needs what it changes: next, effects, set, clear, consequence or coaching")
            return None
        return m.Route(when=f.get("when"), change=self.change(f), at=f.start)

    def effects(self, event: Event) -> tuple[m.Effect, ...]:
        if self.tagged(event):
            return ()
        if type(event) is not MappingStartEvent:
            self.wrong(event, f"effects should be a mapping like {{trust: 2}}, not {_kind(event)}")
            return ()
        out: list[m.Effect] = []
        seen: set[str] = set()
        nxt = self.stream.next
        while True:
            key = nxt()
            if type(key) is MappingEndEvent:
                return tuple(out)
            if type(key) is not ScalarEvent or key.tag is not None:
                self.error(key, "K009", "a meter name must be plain text")
                self.stream.skip(key)
                self.stream.skip(nxt())
                continue
            value = nxt()
            if key.value in seen:
                self.error(key, "K008", f"duplicate key '{key.value}'")
                self.stream.skip(value)
                continue
            seen.add(key.value)
            meter = self.ident(key, "meter")
            delta = None if self.tagged(value) else self.integer(value, f"the change to '{key.value}'")
            if meter is not None and delta is not None:
                out.append(m.Effect(meter, delta, self.at(key)))

    def condition(self, event: Event) -> m.Condition | None:
        f = self.fields(event, self.CONDITION)
        if f is None:
            return None
        if not f.at:
            self.report(f.start, "K101", "a condition needs flag, not_flag, meter, any, all or not")
            return None
        parts: list[m.Condition] = []
        if f.get("flag"):
            parts.append(m.FlagIs(f.get("flag"), True, f.pos("flag")))
        if f.get("not_flag"):
            parts.append(m.FlagIs(f.get("not_flag"), False, f.pos("not_flag")))
        ops = [op for op in m.COMPARISONS if op in f.at]
        if "meter" in f.at:
            meter = f.get("meter")
            if not ops:
                self.report(f.start, "K101", "a meter condition needs at_least, at_most, above or below")
            for op in ops:
                value = f.get(op)
                if meter and value is not None:
                    parts.append(m.MeterCompare(meter, op, value, f.pos("meter")))
        elif ops:
            self.report(f.pos(ops[0]), "K101", f"'{ops[0]}' needs a 'meter' to compare")
        if f.get("not") is not None:
            parts.append(m.Not(f.get("not"), f.pos("not")))
        for key, cls in (("any", m.AnyOf), ("all", m.AllOf)):
            if key in f.at:
                items = f.get(key)
                if not items:
                    self.report(f.pos(key), "K101", f"'{key}' needs a list of conditions")
                else:
                    parts.append(cls(tuple(items), f.pos(key)))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else m.AllOf(tuple(parts), f.start)

    def ending(self, event: Event) -> m.Ending | None:
        f = self.fields(event, self.ENDING)
        if f is None:
            return None
        return m.Ending(id=f.get("id") or "", title=f.get("title") or "", text=f.get("text") or _EMPTY,
                        rating=f.get("rating"), variants=tuple(f.get("variants", ())), at=f.start)

    def concept(self, event: Event) -> m.Concept | None:
        f = self.fields(event, self.CONCEPT)
        if f is None:
            return None
        return m.Concept(id=f.get("id") or "", name=f.get("name") or "", what=f.get("what") or "",
                         how=f.get("how") or "", why=f.get("why") or "", source=f.get("source"), at=f.start)

    def debrief(self, event: Event) -> m.Debrief:
        f = self.fields(event, self.DEBRIEF)
        if f is None:
            return m.Debrief()
        return m.Debrief(reflection=tuple(f.get("reflection", ())), transfer=f.get("transfer") or "")
