"""Reading a YAML mapping field by field from the parser's events, with a
diagnostic for every problem: the generic part of the loader
(game/authoring/loader.py reads a scenario with it)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from functools import partial
from typing import Any, TypeGuard, TypeVar

from game.authoring.kinds import (
    ID_PATTERN,
    MAX_DIGITS,
    Boolean,
    Ident,
    Integer,
    Kind,
    ListOf,
    OneOf,
    Part,
    Text,
    Version,
)
from game.core import model as m
from game.core.diagnostics import MAX_KEPT, Diagnostic
from game.authoring.yamlsafe import (
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    Stream,
)


T = TypeVar("T")
Read = Callable[[Event], Any]

ID = re.compile(ID_PATTERN + r"\Z")
INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")


def _shown(event: Event) -> str:
    """A value as a message quotes it: short, on one line."""
    if type(event) is not ScalarEvent:
        return kind_of(event)
    value = event.value
    return value if len(value) <= 40 else value[:39] + "…"


def kind_of(event: Event) -> str:
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


class Fields:
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


class FieldReader:
    """Reads events along declared parts, collecting every problem."""

    def __init__(self, stream: Stream, parts: dict[str, Part]) -> None:
        self.stream = stream
        self.path = stream.path
        self.errors: list[Diagnostic] = []
        self.omitted = 0  # problems beyond MAX_KEPT, counted only
        self.parts = parts
        #: A reader for each field of each part, by part name.
        self.readers = {name: {key: self.reader(f.kind, f.what or key, part.what) for key, f in part.fields.items()}
                        for name, part in parts.items()}

    def reader(self, kind: Kind, what: str, owner: str) -> Read:
        """How a field of ``kind`` in ``owner`` is read; ``what`` names it in messages."""
        if isinstance(kind, Text):
            return partial(self.text, what=what)
        if isinstance(kind, Ident):
            return partial(self.ident, what=what)
        if isinstance(kind, Integer):
            if kind.low is None and kind.high is None:
                return partial(self.integer, what=what)
            return partial(self.bounded, what=what, low=kind.low, high=kind.high)
        if isinstance(kind, Version):
            return partial(self.version, what=what, current=kind.current)
        if isinstance(kind, Boolean):
            return partial(self.boolean, what=what)
        if isinstance(kind, OneOf):
            return partial(self.choice_of, what=what, options=kind.options)
        if isinstance(kind, ListOf):
            read = self.reader(kind.item, kind.what or what, owner)
            if kind.empty:
                return partial(self.items, what=what, read=read)
            return partial(self.some, what=what, read=read, owner=owner)
        raise TypeError(f"no reader for {kind!r}")  # a kind only a subclass reads, and it did not

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

    def unknown(self, key: Event, name: str, part: Part) -> None:
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

    def fields(self, event: Event, part: Part) -> Fields | None:
        """The values of a mapping by field, each read by its part's reader;
        missing and unknown fields are reported."""
        if self.tagged(event):
            return None
        if type(event) is not MappingStartEvent:
            self.wrong(event, f"{part.what} should be a mapping of fields, not {kind_of(event)}")
            return None
        out = Fields(self.stream, event)
        seen: dict[str, Event] = {}
        readers = self.readers[part.name]
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
            read = readers.get(name)
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
                self.wrong(event, f"{what} should be a list, not {kind_of(event)}")
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

    def some(self, event: Event, what: str, read: Callable[[Event], T | None], owner: str) -> list[T]:
        """The items of a list that must have one; an empty one is reported
        unless its items were left out for problems of their own."""
        problems = len(self.errors) + self.omitted
        out = self.items(event, what, read)
        if type(event) is SequenceStartEvent and not out and len(self.errors) + self.omitted == problems:
            self.error(event, "K101", f"{owner} has no {what}")
        return out

    def text(self, event: Event, what: str) -> str | None:
        """A text field: words a person reads (the loader notes where each is)."""
        return self._scalar(event, what)

    def _scalar(self, event: Event, what: str) -> str | None:
        if type(event) is ScalarEvent:
            return event.value
        self.wrong(event, f"{what} should be text, not {kind_of(event)}")
        return None

    def ident(self, event: Event, what: str) -> str | None:
        value = self._scalar(event, what)
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

    def bounded(self, event: Event, what: str, low: int | None, high: int | None) -> int | None:
        value = self.integer(event, what)
        if value is None or (low is None or value >= low) and (high is None or value <= high):
            return value
        if high is None:
            self.error(event, "K104", f"{what} should be at least {low}")
        elif low is None:
            self.error(event, "K104", f"{what} should be at most {high}")
        else:
            self.error(event, "K104", f"{what} should be between {low} and {high}")
        return None

    def version(self, event: Event, what: str, current: int) -> int | None:
        value = self.integer(event, what)
        if value is not None and value != current:
            self.error(event, "K105", f"format version {value} is not supported; this Koers reads version {current}")
            return None
        return value

    def boolean(self, event: Event, what: str) -> bool | None:
        if _plain(event) and event.value in ("true", "false"):
            return event.value == "true"
        self.error(event, "K104", f"{what} should be true or false, not '{_shown(event)}'")
        self.stream.skip(event)
        return None

    def choice_of(self, event: Event, what: str, options: tuple[str, ...]) -> str | None:
        value = self._scalar(event, what)
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
