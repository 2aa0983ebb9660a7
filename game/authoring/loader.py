"""Load a scenario file into the model, or say exactly what is wrong with it.

``load`` raises only :class:`ScenarioError`; every problem, from a YAML syntax
error to an unknown field, is a Diagnostic with file, line and column. Schema
problems are collected, so an author sees all of them in one run.

The model is built straight from the parser's events (game/authoring/yamlsafe.py), in
one pass: each part of the schema reads its own fields and skips, with a
diagnostic, what it does not know.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import attrs

from game.authoring.fields import T, FieldReader, Fields, Read, kind_of
from game.authoring.kinds import Kind, Nested, Numbers, Paragraphs
from game.authoring.parts import PARTS
from game.authoring.yamlsafe import (
    MAX_BYTES,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    Stream,
    open_stream,
)
from game.core import model as m
from game.core.diagnostics import Diagnostic, ScenarioError
from game.core.files import read_regular
from game.core.vocab import TRANSLATE


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
    return loads(read(path), path)


def read(path: str) -> bytes:
    """The bytes of a scenario file; ScenarioError (K011) when it cannot be read."""
    try:
        return read_regular(path, MAX_BYTES)
    except OSError as exc:
        raise ScenarioError([Diagnostic(path, 1, 1, "K011", f"cannot read the file: {exc.strerror or exc}")]) from None


def loads(data: bytes, path: str = "<scenario>") -> m.Scenario:
    """Like :func:`load`, for bytes already in memory."""
    return _read(data, path, None)


def texts(data: bytes, path: str) -> tuple[m.Scenario, list[ScalarEvent]]:
    """The scenario in ``data`` and the event of each of its texts, in the
    order of the file: the words a translator translates (the version is no
    such text, nor is an id or a number). ``koers new --translate`` marks them."""
    found: list[ScalarEvent] = []
    return _read(data, path, found), found


def _read(data: bytes, path: str, found: list[ScalarEvent] | None) -> m.Scenario:
    with _no_gc():
        stream = open_stream(path, data)
        reader = _Reader(stream, found)
        root = stream.root()
        if root is None:
            raise ScenarioError([Diagnostic(path, 1, 1, "K102", "the file is empty; a scenario is a mapping of fields")])
        scenario: m.Scenario | None = reader.nested(root, "scenario")
        stream.end()
        if reader.errors or scenario is None:
            raise ScenarioError(reader.errors, reader.omitted)
        return attrs.evolve(scenario, digest=hashlib.sha256(data).hexdigest())


_EMPTY = m.Text(())  # where a text could not be read; its problem is reported


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


class _Reader(FieldReader):
    """Reads a scenario along its parts (game/authoring/parts.py), collecting every problem."""

    def __init__(self, stream: Stream, texts: list[ScalarEvent] | None = None) -> None:
        self.marked: list[m.Pos] = []  # where the texts still marked for translation are
        self.texts = texts  # every text read goes here, when given
        #: What each part's fields become: a model object, or None where a problem was reported.
        self.build: dict[str, Callable[[Fields], Any]] = {
            "scenario": self.scenario, "source": self.source, "character": self.character, "meter": self.meter,
            "flag": self.flag, "scene": self.scene, "timer": self.timer, "variant": self.variant,
            "paragraph": self.paragraph, "choice": self.choice, "route": self.route, "condition": self.condition,
            "ending": self.ending, "concept": self.concept, "debrief": self.debrief}
        super().__init__(stream, PARTS)

    def reader(self, kind: Kind, what: str, owner: str) -> Read:
        if isinstance(kind, Nested):
            return partial(self.nested, name=kind.part)
        if isinstance(kind, Paragraphs):
            return partial(self.rich, what=what, name=kind.part)
        if isinstance(kind, Numbers):
            return self.effects
        return super().reader(kind, what, owner)

    def nested(self, event: Event, name: str) -> Any:
        """A mapping read along the part ``name``, and what its fields make."""
        f = self.fields(event, self.parts[name])
        return None if f is None else self.build[name](f)

    # -- reporting ---------------------------------------------------------

    def text(self, event: Event, what: str) -> str | None:
        """Every text of the scenario is read here."""
        if type(event) is not ScalarEvent:
            return super().text(event, what)  # which reports the wrong shape
        value: str = event.value
        if TRANSLATE in value:
            self.marked.append(self.stream.find(event, TRANSLATE))
        if self.texts is not None and what != "version":
            self.texts.append(event)
        return value

    def rich(self, event: Event, what: str, name: str) -> m.Text | None:
        """A text: plain, or a list of paragraphs, each plain or a mapping along the part ``name``."""
        if type(event) is SequenceStartEvent:
            return m.Text(tuple(self.items(event, what, partial(self.paragraph_item, name=name))))
        if type(event) is MappingStartEvent:
            self.wrong(event, f"{what} should be text or a list of paragraphs, not a mapping")
            return None
        assert type(event) is ScalarEvent  # the stream refuses aliases, so what is left is a scalar
        return m.Text((m.Paragraph(self.text(event, what) or "", at=self.at(event)),))

    def paragraph_item(self, event: Event, name: str) -> m.Paragraph | None:
        if type(event) is ScalarEvent:
            return m.Paragraph(self.text(event, "text") or "", at=self.at(event))
        found: m.Paragraph | None = self.nested(event, name)
        return found

    def paragraph(self, f: Fields) -> m.Paragraph | None:
        if f.get("when") is None:
            return None
        return m.Paragraph(f.get("text") or "", f.get("when"), f.get("else") or "", at=f.start)

    # -- the scenario ------------------------------------------------------

    def scenario(self, f: Fields) -> m.Scenario:
        return m.Scenario(
            id=f.get("id") or "",
            title=f.get("title") or "",
            language=f.get("language") or "",
            version=f.get("version") or "",
            summary=f.get("summary") or "",
            minutes=f.get("minutes") or 0,
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
            marked=tuple(self.marked),
            at=f.start,
            start_at=f.pos("start"),
        )

    def source(self, f: Fields) -> m.Source:
        return m.Source(id=f.get("id") or "", cite=f.get("cite") or "", at=f.start)

    def character(self, f: Fields) -> m.Character:
        return m.Character(id=f.get("id") or "", name=f.get("name") or "", role=f.get("role") or "", at=f.start)

    def meter(self, f: Fields) -> m.Meter:
        return m.Meter(
            id=f.get("id") or "",
            label=f.get("label") or "",
            min=_or(f.get("min"), 0),
            max=_or(f.get("max"), 0),
            start=_or(f.get("start"), 0),
            shown=_or(f.get("shown"), True),
            at=f.start,
        )

    def flag(self, f: Fields) -> m.Flag:
        return m.Flag(id=f.get("id") or "", about=f.get("about") or "", at=f.start)

    def scene(self, f: Fields) -> m.Scene:
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

    def timer(self, f: Fields) -> m.Timer:
        return m.Timer(seconds=f.get("seconds") or 0, timeout=f.get("timeout") or "", ran_out=self.change(f), at=f.start)

    def change(self, f: Fields) -> m.Change:
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

    def variant(self, f: Fields) -> m.Variant | None:
        if f.get("when") is None:
            return None
        return m.Variant(when=f.get("when"), text=f.get("text") or _EMPTY, at=f.start)

    def choice(self, f: Fields) -> m.Choice:
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

    def route(self, f: Fields) -> m.Route | None:
        if f.get("when") is None:
            return None
        if len(f.at) == 1:
            self.report(f.start, "K101", "a route needs what it changes: next, effects, set, clear, consequence or coaching")
            return None
        return m.Route(when=f.get("when"), change=self.change(f), at=f.start)

    def effects(self, event: Event) -> tuple[m.Effect, ...]:
        if self.tagged(event):
            return ()
        if type(event) is not MappingStartEvent:
            self.wrong(event, f"effects should be a mapping like {{trust: 2}}, not {kind_of(event)}")
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

    def condition(self, f: Fields) -> m.Condition | None:
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

    def ending(self, f: Fields) -> m.Ending:
        return m.Ending(id=f.get("id") or "", title=f.get("title") or "", text=f.get("text") or _EMPTY,
                        rating=f.get("rating"), variants=tuple(f.get("variants", ())), at=f.start)

    def concept(self, f: Fields) -> m.Concept:
        return m.Concept(id=f.get("id") or "", name=f.get("name") or "", what=f.get("what") or "",
                         how=f.get("how") or "", why=f.get("why") or "", source=f.get("source"), at=f.start)

    def debrief(self, f: Fields) -> m.Debrief:
        return m.Debrief(reflection=tuple(f.get("reflection", ())), transfer=f.get("transfer") or "")
