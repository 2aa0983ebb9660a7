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
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import attrs

from game.authoring.fields import T, FieldReader, Fields, Part, Read, kind_of
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
from game.core.vocab import LANGUAGES, RATINGS


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


_EMPTY = m.Text(())  # where a text could not be read; its problem is reported


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


class _Reader(FieldReader):
    """Reads a scenario along its schema, collecting every problem."""

    def __init__(self, stream: Stream) -> None:
        super().__init__(stream)
        t, ident, integer, boolean = self.text, self.ident, self.integer, self.boolean
        self.SCENARIO = Part("the scenario", (
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
        self.SOURCE = Part("a source", ("id", "cite"), {"id": partial(ident, what="source id"), "cite": partial(t, what="cite")})
        self.CHARACTER = Part("a character", ("id", "name"), {
            "id": partial(ident, what="character id"), "name": partial(t, what="name"), "role": partial(t, what="role")})
        self.METER = Part("a meter", ("id", "label", "min", "max", "start"), {
            "id": partial(ident, what="meter id"), "label": partial(t, what="label"),
            "min": partial(integer, what="min"), "max": partial(integer, what="max"),
            "start": partial(integer, what="start"), "shown": partial(boolean, what="shown")})
        self.FLAG = Part("a flag", ("id",), {"id": partial(ident, what="flag id"), "about": partial(t, what="about")})
        flags = partial(self.items, what="set", read=partial(ident, what="flag"))
        cleared = partial(self.items, what="clear", read=partial(ident, what="flag"))
        # What a route or a timer may change of a choice's outcome.
        change: dict[str, Read] = {"effects": self.effects, "set": flags, "clear": cleared,
                  "consequence": partial(t, what="consequence"), "coaching": partial(t, what="coaching")}
        self.SCENE = Part("a scene", ("id", "speaker", "text", "choices"), {
            "id": partial(ident, what="scene id"), "title": partial(t, what="title"),
            "speaker": partial(ident, what="speaker"), "text": partial(self.rich, what="text"),
            "choices": partial(self.items, what="choices", read=self.choice),
            "variants": partial(self.items, what="variants", read=self.variant), "timer": self.timer})
        self.TIMER = Part("a timer", ("seconds", "timeout"), {
            "seconds": partial(integer, what="seconds"), "timeout": partial(ident, what="timeout"), **change})
        self.VARIANT = Part("a variant", ("when", "text"), {"when": self.condition, "text": partial(self.rich, what="text")})
        self.PARAGRAPH = Part("a paragraph with a condition", ("when", "text"), {
            "when": self.condition, "text": partial(t, what="text"), "else": partial(t, what="else")})
        self.CHOICE = Part("a choice", ("id", "text", "next"), {
            "id": partial(ident, what="choice id"), "text": partial(t, what="text"), "next": partial(ident, what="next"),
            "when": self.condition, "routes": partial(self.items, what="routes", read=self.route),
            **change, "concepts": partial(self.items, what="concepts", read=partial(ident, what="concepts")),
            "recommended": partial(boolean, what="recommended"), "rationale": partial(t, what="rationale")})
        self.ROUTE = Part("a route", ("when",), {"when": self.condition, "next": partial(ident, what="next"), **change})
        self.CONDITION = Part("a condition", (), {
            "flag": partial(ident, what="flag"), "not_flag": partial(ident, what="not_flag"),
            "meter": partial(ident, what="meter"), **{op: partial(integer, what=op) for op in m.COMPARISONS},
            "any": partial(self.items, what="any", read=self.condition),
            "all": partial(self.items, what="all", read=self.condition), "not": self.condition})
        self.ENDING = Part("an ending", ("id", "title", "text"), {
            "id": partial(ident, what="ending id"), "title": partial(t, what="title"),
            "text": partial(self.rich, what="text"), "rating": partial(self.choice_of, what="rating", options=RATINGS),
            "variants": partial(self.items, what="variants", read=self.variant)})
        self.CONCEPT = Part("a concept", ("id", "name", "what", "how", "why"), {
            "id": partial(ident, what="concept id"), "name": partial(t, what="name"), "what": partial(t, what="what"),
            "how": partial(t, what="how"), "why": partial(t, what="why"), "source": partial(ident, what="source")})
        self.DEBRIEF = Part("the debrief", (), {
            "reflection": partial(self.items, what="reflection", read=partial(t, what="reflection")),
            "transfer": partial(t, what="transfer")})

    # -- reporting ---------------------------------------------------------

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
