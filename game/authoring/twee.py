"""Reading a Twee 3 file, the text form of a Twine story (twine-specs, "Twee 3
Specification"): its title, StoryData, and passages, each with its name, tags and
what game/authoring/twee_text.py reads in its text. What becomes of them is
game/authoring/from_twee.py.

Passage headers are ``:: Name [tags] {metadata}``, with ``\\`` escaping ``[]{}\\``
in a name. Metadata and StoryData that are not JSON are ignored with a warning,
as the specification recommends.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

import attrs

from game.authoring.twee_text import Assign, Findings, Link, Scan, one_line, quoted
from game.authoring.yamlsafe import byte_position
from game.core import model as m
from game.core.diagnostics import Diagnostic, ScenarioError
from game.core.files import read_regular

MAX_BYTES = 4 * 1024 * 1024  # the largest Twine stories are a few hundred KiB
MAX_PASSAGES = 10_000  # as many scenes as the largest scenario Koers is measured on

#: Passages that are the story format's, not the story's (SugarCube and Twine 1), and tags that say so.
SPECIAL = frozenset(("StoryCaption", "StoryMenu", "StoryBanner", "StorySubtitle", "StoryAuthor", "StoryShare",
                     "StoryInterface", "StoryDisplayTitle", "PassageReady", "PassageDone", "PassageHeader",
                     "PassageFooter", "StorySettings", "StoryIncludes"))
SPECIAL_TAGS = frozenset(("script", "stylesheet", "widget", "header", "footer", "debug-header", "debug-footer",
                          "debug-startup", "Twine.image"))
#: Passages whose variable changes happen before the story starts: SugarCube's StoryInit, and
#: passages tagged ``startup`` (Harlowe) or ``init`` (SugarCube).
INIT, INIT_TAGS = "StoryInit", frozenset(("startup", "init"))

_HEADER = re.compile(r"^::", re.M)


@attrs.frozen
class Passage:
    name: str
    tags: tuple[str, ...]
    at: m.Pos  # of its header
    text: str  # paragraphs separated by a blank line: macros, HTML and lines of only links left out
    links: tuple[Link, ...]
    assigns: tuple[Assign, ...]  # those that always happen on entering it

    @property
    def special(self) -> bool:
        return self.name in SPECIAL or bool(SPECIAL_TAGS.intersection(self.tags))

    @property
    def init(self) -> bool:
        return self.name == INIT or bool(INIT_TAGS.intersection(self.tags))


@attrs.frozen
class Story:
    path: str
    title: str
    start: str | None  # StoryData's start, if it names one
    start_at: m.Pos
    passages: tuple[Passage, ...]  # every passage but StoryTitle and StoryData


def read(path: str, findings: Findings) -> Story:
    """The story in ``path``; ScenarioError (T001-T004, T006) when it cannot be read."""
    try:
        data = read_regular(path, MAX_BYTES)
    except OSError as exc:
        raise ScenarioError([Diagnostic(path, 1, 1, "T001", f"cannot read the file: {exc.strerror or exc}")]) from None
    return parse(path, data, findings)


def parse(path: str, data: bytes, findings: Findings) -> Story:
    """The story in ``data``; what cannot be converted goes to ``findings``."""

    def fail(code: str, message: str, offset: int = 0) -> ScenarioError:
        at = byte_position(data, offset)
        return ScenarioError([Diagnostic(path, at.line, at.col, code, message)])

    if len(data) > MAX_BYTES:
        raise fail("T002", f"the file is larger than the limit of {MAX_BYTES:,} bytes; no Twine story Koers can play is")
    if (nul := data.find(b"\0")) >= 0:
        raise fail("T003", "the file contains a NUL byte; is it really a Twee file?", nul)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise fail("T003", "the file is not valid UTF-8; save it as UTF-8 (Twine and Tweego write UTF-8)", exc.start) from None
    src = text.replace("\r\n", "\n").replace("\r", "\n")  # the same lines, and columns, as before
    starts = [0, *(found.end() for found in re.finditer("\n", src))]

    def pos(offset: int) -> m.Pos:
        line = bisect.bisect_right(starts, offset)
        return m.Pos(line, offset - starts[line - 1] + 1)

    heads = [h.start() for h in _HEADER.finditer(src)]
    if not heads:
        raise fail("T004", "no passages: a Twee passage starts with a line '::' and its name")
    if len(heads) > MAX_PASSAGES:
        at = pos(heads[MAX_PASSAGES])
        raise ScenarioError([Diagnostic(path, at.line, at.col, "T002", f"the story has {len(heads):,} passages; Koers imports at most {MAX_PASSAGES:,}")])
    if src[: heads[0]].strip():
        findings.add(pos(0), "T008", "the text before the first passage belongs to no passage; not converted")
    errors = Findings(path)
    raw: list[tuple[str, tuple[str, ...], m.Pos, int, int]] = []
    first: dict[str, m.Pos] = {}
    for n, head in enumerate(heads):
        eol = src.find("\n", head)
        eol = len(src) if eol < 0 else eol
        name, tags = _header(src[head + 2 : eol], pos(head), findings)
        end = heads[n + 1] if n + 1 < len(heads) else len(src)
        if not name:
            findings.add(pos(head), "T008", "a passage without a name cannot be linked to; not converted")
        elif name in first:
            errors.add(pos(head), "T006", f"passage '{quoted(name)}' is defined twice (first at line {first[name].line}); give each passage its own name")
        else:
            first[name] = pos(head)
            raw.append((name, tags, pos(head), min(eol + 1, end), end))
    if errors.kept:
        raise errors.fail()
    data_passage = next((r for r in raw if r[0] == "StoryData"), None)
    story_data = _json(src[data_passage[3] : data_passage[4]], data_passage[2], "StoryData", findings) if data_passage else {}
    fmt = str(story_data.get("format", "")).lower()
    dialect = "sugarcube" if "sugarcube" in fmt else "harlowe" if "harlowe" in fmt else "both"
    title = next((one_line(src[r[3] : r[4]]) for r in raw if r[0] == "StoryTitle"), "")
    passages = []
    for name, tags, at, begin, end in raw:
        if name in ("StoryTitle", "StoryData"):
            continue
        scan = Scan(src, begin, end, dialect, pos, findings)
        passages.append(Passage(name, tags, at, scan.paragraphs(), tuple(scan.links), tuple(scan.assigns)))
    start = story_data.get("start")
    start_at = data_passage[2] if data_passage else m.Pos(1, 1)
    if data_passage and isinstance(start, str):
        found = src.find('"start"', data_passage[3], data_passage[4])
        start_at = pos(found) if found >= 0 else start_at
    return Story(path, title, start if isinstance(start, str) else None, start_at, tuple(passages))


def _header(line: str, at: m.Pos, findings: Findings) -> tuple[str, tuple[str, ...]]:
    """A passage's name and tags; its metadata is only checked (Koers has no use for a tile's position)."""
    name, tags, i = [], "", 0
    while i < len(line) and line[i] not in "[{":
        if line[i] == "\\" and i + 1 < len(line):
            i += 1
        name.append(line[i])
        i += 1
    if line[i : i + 1] == "[":
        close = line.find("]", i)
        close = len(line) if close < 0 else close
        tags, i = line[i + 1 : close], close + 1
    rest = line[i:].strip()
    if rest:
        _json(rest, at, "the metadata of this passage", findings)
    return one_line("".join(name)), tuple(tags.split())


def _json(text: str, at: m.Pos, what: str, findings: Findings) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        findings.add(at, "T008", f"{what} is not a JSON object; ignored, as Twee 3 says")
        return {}
    return value

