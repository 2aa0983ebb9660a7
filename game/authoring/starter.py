"""What ``koers new`` writes: a scenario to start from, and the skeleton of a
translation.

The scenario to start from is the format's complete example
(templates/scenario.en.yaml is the one in docs/scenario-format.md, and
scenario.nl.yaml the same story in Dutch; tests keep the three in step) with
the author's id.

A skeleton is the original file itself, comments and layout kept, with the
other language, a ``translates:`` line, and ``[translate] `` put before every
text the loader reads as words (titles, scenes, choices, coaching, concepts,
the debrief). Ids, conditions, numbers and the version are not touched, so the
skeleton passes the parity check (K212) from the start, and the validator
warns (K224) for every marker still left.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import attrs

from game.authoring.loader import read, texts
from game.authoring.validator import validate
from game.authoring.yamlsafe import MappingEndEvent, MappingStartEvent, ScalarEvent, Stream, span
from game.core import model as m
from game.core.diagnostics import ScenarioError, Severity
from game.core.vocab import TRANSLATE

TEMPLATES = Path(__file__).resolve().parent / "templates"
EXAMPLE_ID = "friday-report"  # the id of the example in the templates
MARK = TRANSLATE + " "

_EXAMPLE_ID_LINE = re.compile(rf"^id: {EXAMPLE_ID} *", re.M)
_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_END = re.compile(r"\r\n|\r|\n|\Z")
_WORD = re.compile(r"\S")
# What a YAML double-quoted text must escape besides what JSON escapes: line
# breaks to YAML (NEL, LS, PS) and what YAML does not allow unescaped.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def template(sid: str, language: str) -> str:
    """The format's complete example in ``language``, with ``sid`` as its id."""
    text = (TEMPLATES / f"scenario.{language}.yaml").read_text(encoding="utf-8")

    def line(found: re.Match[str]) -> str:  # the comment after the id stays in its column where it can
        wanted = f"id: {sid}"
        return wanted.ljust(len(found.group(0))) if len(wanted) < len(found.group(0)) else wanted + " "

    return _EXAMPLE_ID_LINE.sub(line, text, count=1)


@attrs.frozen
class Skeleton:
    text: str
    marked: int  # how many texts are marked for translation


def skeleton(path: str, sid: str, language: str) -> Skeleton:
    """The skeleton of the ``language`` translation of the scenario in
    ``path``. ScenarioError when the file cannot be read or has errors;
    ValueError, with a message for the author, when it is no original in
    another language or has another id than ``sid``."""
    data = read(path)
    original, events = texts(data, path)
    errors = [d for d in validate(original) if d.severity is Severity.ERROR]
    if errors:
        raise ScenarioError(errors)
    if original.translates:
        raise ValueError(f"{path} is itself a translation (of its '{original.translates}' original): translate the original")
    if original.language == language:
        raise ValueError(f"{path} is in '{language}' already: give the language to translate into")
    if original.id != sid:
        raise ValueError(f"a translation keeps the id of its original, '{original.id}', not '{sid}'")
    source = data.decode("utf-8").removeprefix("\ufeff")
    marked = [i for i, e in enumerate(events) if e.value.strip()]
    quoted: set[int] = set()  # texts written as a double-quoted line, when marking them in their own style did not read back
    for _ in range(2):
        text = _skeleton_text(source, path, original, events, marked, quoted, language)
        wrong = _misread(text, path, events, marked)
        if not wrong:
            return Skeleton(text, len(marked))
        quoted |= wrong
    raise ValueError(f"{path}: the texts of this file could not be marked for translation; please report this")


def _skeleton_text(source: str, path: str, original: m.Scenario, events: list[ScalarEvent], marked: list[int],
                   quoted: set[int], language: str) -> str:
    newline = "\r\n" if "\r\n" in source else "\n"
    edits = [(*span(events[i]), _marked(source, events[i], i in quoted)) for i in marked]
    edits += _language(source, path, original, language, newline)
    out, done = [], 0
    for start, end, new in sorted(edits):
        out += [source[done:start], new]
        done = end
    out.append(source[done:])
    name = os.path.basename(path)
    head = (f"# The {language} translation of {name}, written by koers new. Translate every text marked{newline}"
            f"# {TRANSLATE} and remove the marker; ids, conditions and numbers stay as they are.{newline}")
    return head + "".join(out)


def _marked(source: str, event: ScalarEvent, quoted: bool) -> str:
    """The text of ``event`` as the file writes it, with MARK before its words."""
    start, end = span(event)
    written = source[start:end]
    if not quoted:
        if event.style in ("'", '"'):
            return written[0] + MARK + written[1:]
        if event.style not in ("|", ">"):  # plain: single quotes read the same lines the same way
            return "'" + MARK + written.replace("'", "''") + "'"
        header = _BREAK.search(written)  # a block: the marker goes where its first line of words starts
        words = _WORD.search(written, header.end()) if header else None
        if words:
            return written[:words.start()] + MARK + written[words.start():]
    # One double-quoted line (after a block, with the line breaks that ended it).
    return _double_quoted(_with_mark(event.value)) + written[len(written.rstrip()):]


def _double_quoted(text: str) -> str:
    return _UNPRINTABLE.sub(lambda c: f"\\u{ord(c.group(0)):04x}", json.dumps(text, ensure_ascii=False))


def _language(source: str, path: str, original: m.Scenario, language: str, newline: str) -> list[tuple[int, int, str]]:
    """The edits that make the file the ``language`` translation of ``original``:
    its language, and a ``translates:`` line after it."""
    stream = Stream(path, source)
    root = stream.root()
    assert type(root) is MappingStartEvent  # it loaded as a scenario
    while True:
        key = stream.next()
        assert type(key) is not MappingEndEvent  # a scenario has a language
        value = stream.next()
        if type(key) is ScalarEvent and key.value == "language":
            break
        stream.skip(value)
    start, end = span(value)
    line = f"translates: {original.language}"
    if root.flow_style:
        return [(start, end, f"{language}, {line}")]
    at = span(key)[0]
    line_start = max(source.rfind("\n", 0, at), source.rfind("\r", 0, at)) + 1
    indent = source[line_start:at]
    # Where the file has the line commented out (as the example does), it goes there; else below the language.
    commented = re.compile(rf"^{re.escape(indent)}# translates:[^\r\n]*", re.M).search(source)
    if commented:
        begin, finish = commented.span()
        prefix, column = "", _comment_column(source, begin + len(indent) + 1, begin, finish)
    else:
        line_end = _LINE_END.search(source, end)
        assert line_end is not None  # \Z always matches
        begin = finish = line_end.start()
        prefix, column = newline, _comment_column(source, end, line_start, begin)
    ours = indent + line
    ours = ours.ljust(column) if column > len(ours) else ours + "  "
    return [(start, end, language), (begin, finish, f"{prefix}{ours}# the language of the original, {os.path.basename(path)}")]


def _comment_column(source: str, after: int, line_start: int, line_end: int) -> int:
    """Where the comment of a line starts after ``after``, from the line's start; 0 for none."""
    found = source.find(" #", after, line_end)
    return found + 1 - line_start if found >= 0 else 0


def _misread(text: str, path: str, events: list[ScalarEvent], marked: list[int]) -> set[int]:
    """The marked texts that do not read back as MARK before the original's words."""
    try:
        _, again = texts(text.encode("utf-8"), path)
    except ScenarioError:
        return set(marked)
    if len(again) != len(events):
        return set(marked)
    return {i for i in marked if again[i].value != _with_mark(events[i].value)}


def _with_mark(value: str) -> str:
    """``value`` marked for translation: MARK before its first word."""
    words = len(value) - len(value.lstrip())
    return value[:words] + MARK + value[words:]
