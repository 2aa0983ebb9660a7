"""Load a scenario file into the model, or say exactly what is wrong with it.

``load`` raises only :class:`ScenarioError`; every problem, from a YAML syntax
error to an unknown field, is a Diagnostic with file, line and column. Schema
problems are collected, so an author sees all of them in one run.
"""

from __future__ import annotations

import difflib
import gc
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import attrs

from game import model as m
from game.diagnostics import Diagnostic, ScenarioError
from game.yamlsafe import IMPLICIT, MAX_BYTES, PLAIN, MappingNode, ScalarNode, SequenceNode, read_tree

Node = object
T = TypeVar("T")

ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")


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
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([Diagnostic(path, 1, 1, "K011", f"cannot read the file: {exc.strerror}")]) from None
    return loads(data, path)


def loads(data: bytes, path: str = "<scenario>") -> m.Scenario:
    """Like :func:`load`, for bytes already in memory."""
    with _no_gc():
        node = read_tree(path, data)
        reader = _Reader(path)
        scenario = reader.scenario(node)
        if reader.errors or scenario is None:
            raise ScenarioError(reader.errors)
        return attrs.evolve(scenario, digest=hashlib.sha256(data).hexdigest())


def _shown(node: Node) -> str:
    """A value as a message quotes it: short, on one line."""
    if not isinstance(node, ScalarNode):
        return _kind(node)
    value = node.value
    return value if len(value) <= 40 else value[:39] + "…"


def _kind(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return "text" if node.value else "nothing"
    if isinstance(node, SequenceNode):
        return "a list"
    return "a mapping"


class _Reader:
    """Walks the node tree along the schema, collecting every problem."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[Diagnostic] = []

    # -- reporting ---------------------------------------------------------

    def error(self, node: Node, code: str, message: str) -> None:
        mark = node.start_mark  # type: ignore[attr-defined]
        self.errors.append(Diagnostic(self.path, mark.line + 1, mark.column + 1, code, message))

    @staticmethod
    def at(node: Node) -> m.Pos:
        mark = node.start_mark  # type: ignore[attr-defined]
        return m.Pos(mark.line + 1, mark.column + 1)

    # -- generic shapes ----------------------------------------------------

    def fields(self, node: Node, what: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Node] | None:
        """The values of a mapping by key, with missing and unknown keys reported."""
        if node.tag not in IMPLICIT:  # type: ignore[attr-defined]
            self.tagged(node)
            return None
        if not isinstance(node, MappingNode):
            self.error(node, "K102", f"{what} should be a mapping of fields, not {_kind(node)}")
            return None
        out: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        allowed = required + optional
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.error(key, "K009", "a key must be plain text, not a list or mapping")
                continue
            if key.tag not in IMPLICIT:
                self.tagged(key)
                continue
            name = key.value
            if name in keys:
                first = keys[name].start_mark
                self.error(key, "K008", f"duplicate key '{name}' (first at line {first.line + 1})")
                continue
            keys[name] = key
            if name not in allowed:
                self.unknown(key, name, allowed, what)
                continue
            if value.tag not in IMPLICIT:
                self.tagged(value)
                continue
            out[name] = value
        missing = [k for k in required if k not in keys]
        for name in missing:
            self.error(node, "K101", f"{what} is missing '{name}'")
        return out

    def unknown(self, key: Node, name: str, allowed: tuple[str, ...], what: str) -> None:
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; {what} has: {', '.join(allowed)}"
        self.error(key, "K103", f"unknown field '{name}' in {what}{hint}")

    def tagged(self, node: Node) -> None:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)  # type: ignore[attr-defined]
        self.error(node, "K007", f"tags like '{tag}' are not allowed; a scenario is plain data")

    def seq(self, node: Node, what: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            for item in node.value:
                if item.tag not in IMPLICIT:
                    self.tagged(item)
            return [item for item in node.value if item.tag in IMPLICIT]
        if isinstance(node, ScalarNode) and node.tag == PLAIN and node.value == "":
            return []
        self.error(node, "K102", f"{what} should be a list, not {_kind(node)}")
        return []

    def text(self, node: Node | None, what: str, default: str | None = None) -> str | None:
        if node is None:
            return default
        if isinstance(node, ScalarNode):
            if node.tag == PLAIN and node.value == "":
                return ""
            return node.value
        self.error(node, "K102", f"{what} should be text, not {_kind(node)}")
        return default

    def ident(self, node: Node | None, what: str) -> str | None:
        value = self.text(node, what)
        if value is None or node is None:
            return None
        if not ID.match(value):
            self.error(
                node,
                "K104",
                f"{what} '{_shown(node)}' is not a valid id: use lower-case letters, digits, '-' and '_'",
            )
            return None
        return value

    def integer(self, node: Node | None, what: str) -> int | None:
        if node is None:
            return None
        if isinstance(node, ScalarNode) and node.tag == PLAIN and INT.match(node.value):
            return int(node.value)
        self.error(node, "K104", f"{what} should be a whole number like 5 or -2, not '{_shown(node)}'")
        return None

    def boolean(self, node: Node | None, what: str) -> bool | None:
        if node is None:
            return None
        if isinstance(node, ScalarNode) and node.tag == PLAIN and node.value in ("true", "false"):
            return node.value == "true"
        self.error(node, "K104", f"{what} should be true or false, not '{_shown(node)}'")
        return None

    def choice_of(self, node: Node | None, what: str, options: tuple[str, ...]) -> str | None:
        value = self.text(node, what)
        if value is None or node is None:
            return None
        if value not in options:
            self.error(node, "K104", f"{what} should be one of {', '.join(options)}, not '{_shown(node)}'")
            return None
        return value

    def texts(self, node: Node | None, what: str) -> tuple[str, ...]:
        if node is None:
            return ()
        return tuple(t for item in self.seq(node, what) if (t := self.text(item, what)) is not None)

    def idents(self, node: Node | None, what: str) -> tuple[str, ...]:
        if node is None:
            return ()
        return tuple(t for item in self.seq(node, what) if (t := self.ident(item, what)) is not None)

    def items(self, node: Node | None, what: str, build: Callable[[Node], T | None]) -> list[T]:
        if node is None:
            return []
        return [obj for item in self.seq(node, what) if (obj := build(item)) is not None]

    def keyed(self, objs: list[T]) -> dict[str, T]:
        """Objects by id. A repeated id is reported once, at the repeat."""
        out: dict[str, T] = {}
        for obj in objs:
            key = obj.id  # type: ignore[attr-defined]
            if key in out:
                first = out[key].at  # type: ignore[attr-defined]
                at = obj.at  # type: ignore[attr-defined]
                self.errors.append(
                    Diagnostic(self.path, at.line, at.col, "K202", f"duplicate id '{key}' (first at line {first.line})")
                )
                continue
            out[key] = obj
        return out

    # -- the scenario ------------------------------------------------------

    def scenario(self, node: Node) -> m.Scenario | None:
        f = self.fields(
            node,
            "the scenario",
            ("koers", "id", "title", "language", "version", "summary", "minutes", "characters", "start", "scenes", "endings"),
            ("translates", "goals", "sources", "meters", "flags", "concepts", "debrief"),
        )
        if f is None:
            return None
        fmt = self.integer(f.get("koers"), "'koers' (the format version)")
        if fmt is not None and fmt != m.FORMAT_VERSION:
            self.error(f["koers"], "K105", f"format version {fmt} is not supported; this Koers reads version {m.FORMAT_VERSION}")
        language = self.choice_of(f.get("language"), "language", m.LANGUAGES)
        translates = self.choice_of(f.get("translates"), "translates", m.LANGUAGES)
        minutes = self.integer(f.get("minutes"), "minutes")
        if minutes is not None and minutes < 1:
            self.error(f["minutes"], "K104", "minutes should be at least 1")
        scenes_node = f.get("scenes")
        scenario = m.Scenario(
            id=self.ident(f.get("id"), "the scenario id") or "",
            title=self.text(f.get("title"), "title") or "",
            language=language or "",
            version=self.text(f.get("version"), "version") or "",
            summary=self.text(f.get("summary"), "summary") or "",
            minutes=minutes or 0,
            start=self.ident(f.get("start"), "start") or "",
            goals=self.texts(f.get("goals"), "goals"),
            sources=self.keyed(self.items(f.get("sources"), "sources", self.source)),
            characters=self.keyed(self.items(f.get("characters"), "characters", self.character)),
            meters=self.keyed(self.items(f.get("meters"), "meters", self.meter)),
            flags=self.keyed(self.items(f.get("flags"), "flags", self.flag)),
            scenes=self.keyed(self.items(scenes_node, "scenes", self.scene)),
            endings=self.keyed(self.items(f.get("endings"), "endings", self.ending)),
            concepts=self.keyed(self.items(f.get("concepts"), "concepts", self.concept)),
            debrief=self.debrief(f.get("debrief")),
            translates=translates,
            path=self.path,
            at=self.at(node),
            start_at=self.at(f["start"]) if "start" in f else self.at(node),
        )
        if scenes_node is not None and isinstance(scenes_node, SequenceNode) and not scenes_node.value:
            self.error(scenes_node, "K101", "the scenario has no scenes")
        return scenario

    def source(self, node: Node) -> m.Source | None:
        f = self.fields(node, "a source", ("id", "cite"), ())
        if f is None:
            return None
        return m.Source(
            id=self.ident(f.get("id"), "source id") or "",
            cite=self.text(f.get("cite"), "cite") or "",
            at=self.at(node),
        )

    def character(self, node: Node) -> m.Character | None:
        f = self.fields(node, "a character", ("id", "name"), ("role",))
        if f is None:
            return None
        return m.Character(
            id=self.ident(f.get("id"), "character id") or "",
            name=self.text(f.get("name"), "name") or "",
            role=self.text(f.get("role"), "role", "") or "",
            at=self.at(node),
        )

    def meter(self, node: Node) -> m.Meter | None:
        f = self.fields(node, "a meter", ("id", "label", "min", "max", "start"), ("shown",))
        if f is None:
            return None
        lo = self.integer(f.get("min"), "min")
        hi = self.integer(f.get("max"), "max")
        start = self.integer(f.get("start"), "start")
        shown = self.boolean(f.get("shown"), "shown")
        return m.Meter(
            id=self.ident(f.get("id"), "meter id") or "",
            label=self.text(f.get("label"), "label") or "",
            min=lo if lo is not None else 0,
            max=hi if hi is not None else 0,
            start=start if start is not None else 0,
            shown=True if shown is None else shown,
            at=self.at(node),
        )

    def flag(self, node: Node) -> m.Flag | None:
        f = self.fields(node, "a flag", ("id",), ("about",))
        if f is None:
            return None
        return m.Flag(
            id=self.ident(f.get("id"), "flag id") or "",
            about=self.text(f.get("about"), "about", "") or "",
            at=self.at(node),
        )

    def scene(self, node: Node) -> m.Scene | None:
        f = self.fields(node, "a scene", ("id", "speaker", "text", "choices"), ("variants", "timer"))
        if f is None:
            return None
        timer = None
        if "timer" in f:
            t = self.fields(f["timer"], "a timer", ("seconds", "timeout"), ())
            if t is not None:
                seconds = self.integer(t.get("seconds"), "seconds")
                if seconds is not None and not 1 <= seconds <= 3600:
                    self.error(t["seconds"], "K104", "seconds should be between 1 and 3600")
                timer = m.Timer(
                    seconds=seconds or 0,
                    timeout=self.ident(t.get("timeout"), "timeout") or "",
                    at=self.at(f["timer"]),
                )
        return m.Scene(
            id=self.ident(f.get("id"), "scene id") or "",
            speaker=self.ident(f.get("speaker"), "speaker") or "",
            text=self.text(f.get("text"), "text") or "",
            variants=tuple(self.items(f.get("variants"), "variants", self.variant)),
            timer=timer,
            choices=tuple(self.items(f.get("choices"), "choices", self.choice)),
            at=self.at(node),
            speaker_at=self.at(f["speaker"]) if "speaker" in f else self.at(node),
        )

    def variant(self, node: Node) -> m.Variant | None:
        f = self.fields(node, "a variant", ("when", "text"), ())
        if f is None:
            return None
        when = self.condition(f["when"]) if "when" in f else None
        if when is None:
            return None
        return m.Variant(when=when, text=self.text(f.get("text"), "text") or "", at=self.at(node))

    def choice(self, node: Node) -> m.Choice | None:
        f = self.fields(
            node,
            "a choice",
            ("id", "text", "next"),
            ("when", "routes", "effects", "set", "consequence", "coaching", "concepts", "recommended", "rationale"),
        )
        if f is None:
            return None
        return m.Choice(
            id=self.ident(f.get("id"), "choice id") or "",
            text=self.text(f.get("text"), "text") or "",
            next=self.ident(f.get("next"), "next") or "",
            when=self.condition(f["when"]) if "when" in f else None,
            routes=tuple(self.items(f.get("routes"), "routes", self.route)),
            effects=self.effects(f.get("effects")),
            set=self.idents(f.get("set"), "set"),
            consequence=self.text(f.get("consequence"), "consequence", "") or "",
            coaching=self.text(f.get("coaching"), "coaching", "") or "",
            concepts=self.idents(f.get("concepts"), "concepts"),
            recommended=self.boolean(f.get("recommended"), "recommended"),
            rationale=self.text(f.get("rationale"), "rationale", "") or "",
            at=self.at(node),
            next_at=self.at(f["next"]) if "next" in f else self.at(node),
        )

    def route(self, node: Node) -> m.Route | None:
        f = self.fields(node, "a route", ("when", "next"), ())
        if f is None:
            return None
        when = self.condition(f["when"]) if "when" in f else None
        target = self.ident(f.get("next"), "next")
        if when is None or target is None:
            return None
        return m.Route(when=when, next=target, at=self.at(node), next_at=self.at(f["next"]))

    def effects(self, node: Node | None) -> tuple[m.Effect, ...]:
        if node is None:
            return ()
        if not isinstance(node, MappingNode):
            self.error(node, "K102", f"effects should be a mapping like {{trust: 2}}, not {_kind(node)}")
            return ()
        out = []
        seen: set[str] = set()
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or key.tag not in IMPLICIT:
                self.error(key, "K009", "a meter name must be plain text")
                continue
            if key.value in seen:
                self.error(key, "K008", f"duplicate key '{key.value}'")
                continue
            seen.add(key.value)
            meter = self.ident(key, "meter")
            delta = self.integer(value, f"the change to '{key.value}'")
            if meter is not None and delta is not None:
                out.append(m.Effect(meter, delta, self.at(key)))
        return tuple(out)

    def condition(self, node: Node) -> m.Condition | None:
        f = self.fields(node, "a condition", (), ("flag", "not_flag", "meter", *m.COMPARISONS, "any", "all"))
        if f is None:
            return None
        if not f:
            self.error(node, "K101", "a condition needs flag, not_flag, meter, any or all")
            return None
        at = self.at(node)
        parts: list[m.Condition] = []
        if "flag" in f and (name := self.ident(f["flag"], "flag")):
            parts.append(m.FlagIs(name, True, self.at(f["flag"])))
        if "not_flag" in f and (name := self.ident(f["not_flag"], "not_flag")):
            parts.append(m.FlagIs(name, False, self.at(f["not_flag"])))
        ops = [op for op in m.COMPARISONS if op in f]
        if "meter" in f:
            meter = self.ident(f["meter"], "meter")
            if not ops:
                self.error(node, "K101", "a meter condition needs at_least, at_most, above or below")
            for op in ops:
                value = self.integer(f[op], op)
                if meter and value is not None:
                    parts.append(m.MeterCompare(meter, op, value, self.at(f["meter"])))
        elif ops:
            self.error(f[ops[0]], "K101", f"'{ops[0]}' needs a 'meter' to compare")
        for key, cls in (("any", m.AnyOf), ("all", m.AllOf)):
            if key in f:
                items = self.items(f[key], key, self.condition)
                if not items:
                    self.error(f[key], "K101", f"'{key}' needs a list of conditions")
                else:
                    parts.append(cls(tuple(items), self.at(f[key])))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else m.AllOf(tuple(parts), at)

    def ending(self, node: Node) -> m.Ending | None:
        f = self.fields(node, "an ending", ("id", "title", "text"), ("rating",))
        if f is None:
            return None
        return m.Ending(
            id=self.ident(f.get("id"), "ending id") or "",
            title=self.text(f.get("title"), "title") or "",
            text=self.text(f.get("text"), "text") or "",
            rating=self.choice_of(f.get("rating"), "rating", m.RATINGS),
            at=self.at(node),
        )

    def concept(self, node: Node) -> m.Concept | None:
        f = self.fields(node, "a concept", ("id", "name", "what", "how", "why"), ("source",))
        if f is None:
            return None
        return m.Concept(
            id=self.ident(f.get("id"), "concept id") or "",
            name=self.text(f.get("name"), "name") or "",
            what=self.text(f.get("what"), "what") or "",
            how=self.text(f.get("how"), "how") or "",
            why=self.text(f.get("why"), "why") or "",
            source=self.ident(f.get("source"), "source"),
            at=self.at(node),
        )

    def debrief(self, node: Node | None) -> m.Debrief:
        if node is None:
            return m.Debrief()
        f = self.fields(node, "the debrief", (), ("reflection", "transfer"))
        if f is None:
            return m.Debrief()
        return m.Debrief(
            reflection=self.texts(f.get("reflection"), "reflection"),
            transfer=self.text(f.get("transfer"), "transfer", "") or "",
        )
