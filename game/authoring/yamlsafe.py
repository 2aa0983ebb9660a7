"""Strict, safe YAML reading for untrusted files.

Scenario files are shared between trainers, so they are read as data with no
surprises: every scalar stays text (no YAML 1.1 booleans, dates or octals), and
anchors, aliases, several documents, oversized or too deeply nested input are
refused. Nothing is composed: the loader reads the parser's events once, as
they come, and builds the model from them, so what it does not keep (an
unknown field, say) costs no memory however much of it a file holds.

Positions are those an editor shows. libyaml also counts NEL (U+0085) and the
line and paragraph separators (U+2028, U+2029) as line breaks, editors count
only CR, LF and CR LF; so every position is worked out here from the character
offset libyaml gives, never taken from libyaml's line count.
"""

from __future__ import annotations

import bisect
import re

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from game.core.diagnostics import Diagnostic, ScenarioError
from game.core.model import Pos

__all__ = ["MAX_BYTES", "MAX_DEPTH", "Stream", "Event", "ScalarEvent", "SequenceStartEvent", "MappingStartEvent",
           "SequenceEndEvent", "MappingEndEvent", "byte_position", "span"]


class PyParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python parser, for builds without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


try:  # the libyaml C parser; the pure-Python one behaves the same, only slower
    from yaml._yaml import CParser as FastParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    FastParser = PyParser  # type: ignore[misc, assignment]


MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64  # a scenario nests about eight deep; conditions a few more

_BREAK = re.compile(r"\r\n|\r|\n")
_BYTE_BREAK = re.compile(rb"\r\n|\r|\n")
_OPEN = (SequenceStartEvent, MappingStartEvent)
_CLOSE = (SequenceEndEvent, MappingEndEvent)


def span(event: Event) -> tuple[int, int]:
    """Where an event starts and ends, as offsets into the text parsed."""
    start, end = event.start_mark, event.end_mark
    return (start.index if start is not None else 0, end.index if end is not None else 0)


def byte_position(data: bytes, offset: int) -> Pos:
    """Line and column of a byte offset, for problems found before decoding."""
    breaks = list(_BYTE_BREAK.finditer(data, 0, offset))
    start = breaks[-1].end() if breaks else 0
    return Pos(len(breaks) + 1, len(data[start:offset].decode("utf-8", "replace")) + 1)


class Stream:
    """The events of the one YAML document in ``text``, checked as they come.

    ``next`` gives the next event and raises ScenarioError (one diagnostic) for
    a syntax error, an anchor or alias, nesting deeper than MAX_DEPTH, or a
    second document: those stop the reading, since what follows them cannot
    be trusted.
    """

    def __init__(self, path: str, text: str, parser: type = FastParser) -> None:
        self.path = path
        self._text = text
        self._get = parser(text).get_event
        self._starts = [0, *(m.end() for m in _BREAK.finditer(text))]
        self._depth = 0

    def pos(self, event: Event) -> Pos:
        return self._at(event.start_mark.index if event.start_mark is not None else 0)

    def find(self, event: Event, words: str) -> Pos:
        """Where ``words`` are written in the node ``event`` starts (a scalar), or where it starts."""
        index = self._text.find(words, *span(event))
        return self.pos(event) if index < 0 else self._at(index)

    def _at(self, index: int) -> Pos:
        line = bisect.bisect_right(self._starts, index)
        return Pos(line, index - self._starts[line - 1] + 1)

    def fail(self, event: Event, code: str, message: str) -> ScenarioError:
        at = self.pos(event)
        return ScenarioError([Diagnostic(self.path, at.line, at.col, code, message)])

    def next(self) -> Event:
        try:
            event: Event = self._get()
        except yaml.MarkedYAMLError as exc:
            raise self._syntax(exc) from None
        except yaml.YAMLError as exc:  # the reader's errors: special characters and the like
            raise self._syntax(exc) from None
        kind = type(event)
        if kind is ScalarEvent:
            if getattr(event, "anchor", None) is not None:
                raise self._alias(event)
            return event
        if kind in _OPEN:
            if getattr(event, "anchor", None) is not None:
                raise self._alias(event)
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise self.fail(event, "K005", f"the data is nested more than {MAX_DEPTH} deep; no scenario is")
        elif kind in _CLOSE:
            self._depth -= 1
        elif kind is AliasEvent:
            raise self._alias(event)
        return event

    def root(self) -> Event | None:
        """The first event of the document's root node; None for an empty file."""
        while True:
            event = self.next()
            if type(event) is StreamEndEvent:
                return None
            if type(event) not in (StreamStartEvent, DocumentStartEvent):
                return event

    def end(self) -> None:
        """Read to the end of the stream, refusing a second document."""
        while True:
            event = self.next()
            if type(event) is StreamEndEvent:
                return
            if type(event) is DocumentStartEvent:
                raise self.fail(event, "K010", "the file holds more than one YAML document; keep one per file")
            if type(event) is not DocumentEndEvent:  # pragma: no cover - the parser allows nothing else here
                raise self.fail(event, "K001", "YAML syntax: unexpected content after the document")

    def skip(self, event: Event) -> None:
        """Read past the rest of the node that ``event`` opened."""
        if type(event) not in _OPEN:
            return
        depth = 1
        while depth:
            kind = type(self.next())
            if kind in _OPEN:
                depth += 1
            elif kind in _CLOSE:
                depth -= 1

    def _alias(self, event: Event) -> ScenarioError:
        return self.fail(event, "K006", "anchors and aliases (&name, *name) are not allowed; write the text out")

    def _syntax(self, exc: yaml.YAMLError) -> ScenarioError:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None) or getattr(exc, "mark", None)
        problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or getattr(exc, "reason", None)
        line, col = 1, 1
        if mark is not None:
            line = bisect.bisect_right(self._starts, mark.index)
            col = mark.index - self._starts[line - 1] + 1
        if problem and "maximum nesting depth" in problem:  # libyaml's own limit, far above ours
            code, message = "K005", f"the data is nested more than {MAX_DEPTH} deep; no scenario is"
        else:
            text = self._text[self._starts[line - 1]:self._starts[line] if line < len(self._starts) else None]
            code, message = "K001", f"YAML syntax: {problem or 'not valid YAML'}{_hint(problem or '', text)}"
        return ScenarioError([Diagnostic(self.path, line, col, code, message)])


# key: "quoted text" and more text (double quotes escape with a backslash, single ones by doubling)
_QUOTED_THEN_MORE = re.compile(r"""^\s*(?:-\s+)?[\w-]+:\s+(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')[ \t]*[^\s#]""")


def _hint(problem: str, line: str) -> str:
    """How to fix the YAML mistakes authors make most, in their words."""
    if "tab" in problem or "'\t'" in problem:
        return "; indent with spaces, not a tab"
    if "mapping values are not allowed" in problem:
        return ("; a colon and a space in the middle of a text end it: put the whole text in double quotes, "
                "or write it on the lines below a '|'")
    if "did not find expected key" in problem and _QUOTED_THEN_MORE.match(line):
        return ("; the text goes on after its closing quote: quote the whole text, or begin it with a typographic "
                "quote (“…”), which YAML does not treat as a quote")
    if "did not find expected key" in problem or "expected <block end>" in problem:
        return "; check this line's indentation against the line above, or an unclosed quote or bracket before it"
    return ""


def open_stream(path: str, data: bytes) -> Stream:
    """The events of ``data`` (the bytes of ``path``), after the checks that
    need no parser: size, NUL bytes and UTF-8."""

    def fail(code: str, message: str, offset: int = 0) -> ScenarioError:
        at = byte_position(data, offset)
        return ScenarioError([Diagnostic(path, at.line, at.col, code, message)])

    if len(data) > MAX_BYTES:
        raise fail("K002", f"the file is larger than the limit of {MAX_BYTES:,} bytes")
    nul = data.find(b"\0")
    if nul >= 0:
        raise fail("K004", "the file contains a NUL byte; is it really a text file?", nul)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail("K003", "the file is not valid UTF-8; save it as UTF-8", exc.start) from None
    return Stream(path, text.removeprefix("\ufeff"), FastParser)
