"""Strict, safe YAML reading for untrusted files.

Scenario files are shared between trainers, so they are read as data with no
surprises: every scalar stays text (no YAML 1.1 booleans, dates or octals), and
anchors, aliases, tags, several documents, oversized or too deeply nested input
are refused before they can cost memory or crash libyaml. The result is the
composed node tree, which keeps every line and column for diagnostics.
"""

from __future__ import annotations

import re

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from game.diagnostics import Diagnostic, ScenarioError

class _PyParser(Reader, Scanner, Parser, Composer):
    """PyYAML's pure-Python parser and composer, for builds without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)


try:  # the libyaml C parser; the pure-Python one behaves the same, only slower
    from yaml._yaml import CParser as _FastParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _FastParser = _PyParser


MAX_BYTES = 16 * 1024 * 1024
MAX_FLOW_DEPTH = 64
MAX_INDENT = 256
MAX_COMPACT = 32

#: Tags our resolver gives to untagged nodes. Any other tag was written explicitly.
PLAIN = "koers:plain"
QUOTED = "koers:quoted"
SEQ = "koers:seq"
MAP = "koers:map"
IMPLICIT = frozenset((PLAIN, QUOTED, SEQ, MAP))


class _Resolver:
    """A resolver that resolves nothing.

    Untagged scalars become PLAIN or QUOTED text, so nothing is ever converted
    behind the author's back; explicitly tagged nodes keep their tag and are
    refused by the reader.
    """

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        if kind is ScalarNode:
            return PLAIN if implicit[0] else QUOTED  # type: ignore[index]
        return SEQ if kind is SequenceNode else MAP

    # The pure-Python composer asks these; the C one does not.
    def descend_resolver(self, *_: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


class _Loader(_Resolver, _FastParser):
    pass


class _PyLoader(_Resolver, _PyParser):
    pass


_DEEP_INDENT = re.compile(rb"^[ \t]{%d,}\S" % MAX_INDENT, re.M)
_COMPACT = re.compile(rb"(?:[-?][ \t]+){%d,}" % MAX_COMPACT)
_FLOW = re.compile(rb"[\[\]{}]")


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", "replace")) + 1
    return line, col


def read_tree(path: str, data: bytes, loader: type = _Loader) -> Node:
    """Parse ``data`` (the bytes of ``path``) into one node tree, or raise."""

    def fail(code: str, message: str, offset: int = 0) -> ScenarioError:
        line, col = _position(data, offset)
        return ScenarioError([Diagnostic(path, line, col, code, message)])

    if len(data) > MAX_BYTES:
        raise fail("K002", f"the file is larger than the limit of {MAX_BYTES:,} bytes")
    nul = data.find(b"\0")
    if nul >= 0:
        raise fail("K004", "the file contains a NUL byte; is it really a text file?", nul)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail("K003", "the file is not valid UTF-8; save it as UTF-8", exc.start) from None
    text = text.removeprefix("\ufeff")
    _check_depth(data, fail)
    if "&" in text or "*" in text:
        _refuse_anchors(path, text, loader)
    try:
        node = loader(text).get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "not valid YAML"
        if "expected a single document" in str(exc):
            code, message = "K010", "the file holds more than one YAML document; keep one per file"
        else:
            code, message = "K001", f"YAML syntax: {problem}"
        raise ScenarioError([Diagnostic(path, line, col, code, message)]) from None
    except yaml.YAMLError as exc:  # reader errors: special characters and the like
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = getattr(exc, "reason", None) or "not valid YAML"
        raise ScenarioError([Diagnostic(path, line, col, "K001", f"YAML syntax: {reason}")]) from None
    if node is None:
        raise ScenarioError([Diagnostic(path, 1, 1, "K102", "the file is empty; a scenario is a mapping of fields")])
    return node


def _check_depth(data: bytes, fail) -> None:
    """Refuse nesting deeper than any scenario needs, before libyaml sees it.

    libyaml's parser recurses per level and crashes the process on a few tens of
    thousands of nested brackets, so this runs on the raw bytes. Counting is
    cheap and conservative: brackets inside quoted text count too, which only
    matters for text with dozens of unclosed brackets.
    """
    m = _DEEP_INDENT.search(data)
    if m:
        raise fail("K005", f"indentation deeper than {MAX_INDENT} columns; the nesting is too deep", m.end() - 1)
    m = _COMPACT.search(data)
    if m:
        raise fail("K005", f"more than {MAX_COMPACT} nested items on one line; the nesting is too deep", m.start())
    if data.count(b"[") + data.count(b"{") <= MAX_FLOW_DEPTH:
        return
    depth = 0
    for m in _FLOW.finditer(data):
        if m.group() in (b"[", b"{"):
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                raise fail("K005", f"brackets nested more than {MAX_FLOW_DEPTH} deep; the nesting is too deep", m.start())
        elif depth:
            depth -= 1


def _refuse_anchors(path: str, text: str, loader: type) -> None:
    """Refuse anchors and aliases: they let a small file expand into a huge one."""
    try:
        parser = loader(text)
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise ScenarioError(
                    [
                        Diagnostic(
                            path,
                            mark.line + 1,
                            mark.column + 1,
                            "K006",
                            "anchors and aliases (&name, *name) are not allowed; write the text out",
                        )
                    ]
                )
    except yaml.YAMLError:
        return  # the real parse reports the syntax error with its position


