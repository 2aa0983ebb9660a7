"""One Twine passage's text, read in its story format's dialect: the links,
the variable changes Koers can take over, and every macro and HTML tag it
cannot, with where they are (game/authoring/twee.py reads the passages).

SugarCube macros (``<<set $x += 1>>``), Harlowe macros (``(set: $x to it + 1)``,
with the hook that may follow them), or both. The scan is one pass over the
passage, each search for a closing ``>>``, ``]]`` or ``*/`` remembered: a file of
nothing but unclosed constructs costs about three times a good story of its
size, never a square of it (benchmarks/import_bench.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import attrs

from game.core import model as m
from game.core.diagnostics import MAX_KEPT, Diagnostic, ScenarioError
from game.core.text import clean

#: Macros that choose what is shown or done by a condition (both dialects, Harlowe's without - and _).
CONDITIONS = frozenset(("if", "elseif", "else", "unless", "switch", "case", "default", "cond", "show", "hidden"))
#: SugarCube containers that change nothing of what happens or is read.
TRANSPARENT = frozenset(("nobr", "silently"))
#: Macros that lead elsewhere: a link or a jump that is not [[...]].
JUMPS = re.compile(r"goto|link|button|choice|actions|include|display|back|return|click", re.I)

_PAREN = re.compile(r"[()]")
_HARLOWE = r"\(([A-Za-z][\w-]*):"
_MACRO = re.compile(_HARLOWE)
_SUGAR = r"<<|/%"
_COMMON = r"\[\[|\]|<!--|</?[A-Za-z]|/\*|\$[A-Za-z_]\w*"
_TOKENS = {
    "sugarcube": re.compile(f"{_SUGAR}|{_COMMON}"),
    "harlowe": re.compile(f"{_HARLOWE}|{_COMMON}"),
    "both": re.compile(f"{_SUGAR}|{_HARLOWE}|{_COMMON}"),
}
_SUGAR_NAME = re.compile(r"\s*(/?)\s*([A-Za-z][\w-]*|=|-)")
_SUGAR_CLOSE = re.compile(r"<</\s*([A-Za-z][\w-]*)\s*>>")
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)(?:\s[^<>]*)?/?>")
_URL = re.compile(r"\w+://")
_COMPUTED = re.compile(r"[$_][A-Za-z_]")
_PARTS = re.compile(r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|[^,"'`])+""")
_LINKED = re.compile("\0[^\0]*\0")  # a link's words in the text read; a Twee file has no NUL (T003)
_NUMBER = r"[0-9]{1,6}"  # a step or a start within a scenario's nine digits, however many are summed
_ASSIGN = re.compile(
    rf"""\s*\$(?P<var>[A-Za-z_]\w*)\s*(?:
        (?P<op>[+-])=\s*(?P<n1>[+-]?{_NUMBER})
      | (?P<incr>\+\+|--)
      | (?:\bto\b|=)\s*(?:(?:it|\$(?P=var))\s*(?P<sign>[+-])\s*(?P<n2>{_NUMBER})
                    | (?P<num>[+-]?{_NUMBER}) | (?P<bool>true|false)))\s*\Z""", re.X)


class Findings:
    """The problems found, as diagnostics of one file; beyond MAX_KEPT only counted."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.kept: list[Diagnostic] = []
        self.omitted = 0

    @property
    def full(self) -> bool:
        return len(self.kept) >= MAX_KEPT

    def add(self, at: m.Pos, code: str, message: str) -> None:
        if not self.full:
            self.kept.append(Diagnostic(self.path, at.line, at.col, code, message))
        else:
            self.omitted += 1

    def fail(self) -> ScenarioError:
        return ScenarioError(self.kept, self.omitted)


@attrs.frozen
class Assign:
    """One variable change Koers can take over: a step, a whole number, or true or false."""

    var: str
    kind: str  # "step", "number" or "flag"
    value: int | bool
    at: m.Pos
    source: str  # as written, for messages


@attrs.frozen
class Link:
    text: str
    target: str
    at: m.Pos
    assigns: tuple[Assign, ...] = ()  # SugarCube's setter: [[text|target][$x += 1]]


def one_line(text: str) -> str:
    """Text from the file on one line: no control characters, every run of white space one space
    (also NEL and the line and paragraph separators, which YAML would take for line breaks)."""
    return " ".join(clean(text).split())


def quoted(text: str, limit: int = 60) -> str:
    """What the file says, as a message quotes it: on one line, short."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _find(src: str, end: int) -> Callable[[str, int], int]:
    """``str.find`` within ``src[:end]`` that remembers its last answer for each
    needle, so that a thousand unclosed ``<<`` cost one search, not a thousand."""
    memo: dict[str, tuple[int, int]] = {}

    def find(needle: str, at: int) -> int:
        last = memo.get(needle)
        if last is not None and last[0] <= at and (last[1] < 0 or at <= last[1]):
            return last[1]
        found = src.find(needle, at, end)
        memo[needle] = (at, found)
        return found

    return find


class Scan:
    """One passage's content, read once from start to end."""

    def __init__(self, src: str, start: int, end: int, dialect: str, pos: Callable[[int], m.Pos], findings: Findings) -> None:
        self.src, self.pos, self.findings = src, pos, findings
        self.out: list[str] = []  # the text as read, a link's words between NULs
        self.links: list[Link] = []
        self.assigns: list[Assign] = []
        self.open: list[tuple[str, m.Pos, bool]] = []  # containers and hooks around here: name, where, is a hook
        self.closed = {name.lower() for name in _SUGAR_CLOSE.findall(src, start, end)}
        self.pairs = _pairs(src, start, end) if dialect != "sugarcube" else {}
        self.find = _find(src, end)
        i, tokens = start, _TOKENS[dialect]
        while (found := tokens.search(src, i, end)) is not None:
            self.out.append(src[i : found.start()])
            i = self.token(found)
        self.out.append(src[i:end])

    def token(self, found: re.Match[str]) -> int:
        """Read the construct that starts at ``found``; returns where reading goes on."""
        src, j, tok = self.src, found.start(), found.group()
        if tok == "[[":
            k = self.find("]]", j + 2)
            if k < 0:
                return self.plain(j, 2)
            self.link(j, src[j + 2 : k])
            return k + 2
        if tok == "]":
            if self.open and self.open[-1][2]:
                name = self.open.pop()[0]
                if _name(name) in CONDITIONS:
                    self.out.append("\n")
                return j + 1
            return self.plain(j, 1)
        if tok == "<<":
            k = self.find(">>", j + 2)
            return self.sugarcube(j, k) if k >= 0 else self.plain(j, 2)
        if tok in ("/*", "/%", "<!--"):
            close = {"/*": "*/", "/%": "%/", "<!--": "-->"}[tok]
            k = self.find(close, j + len(tok))
            return k + len(close) if k >= 0 else self.plain(j, len(tok))
        if tok.startswith("<"):
            return self.html(j)
        if tok.startswith("$"):
            self.note(j, "T008", f"'{tok}' shows a variable's value; a Koers text shows none: write the words out")
            return self.plain(j, len(tok))
        return self.harlowe(found)

    def plain(self, j: int, n: int) -> int:
        self.out.append(self.src[j : j + n])
        return j + n

    def note(self, j: int, code: str, message: str) -> None:
        if self.findings.full:  # only counted: spare the position
            self.findings.omitted += 1
        else:
            self.findings.add(self.pos(j), code, message)

    def inside(self) -> str:
        """The container or hook around here that makes a change not always happen, as a message says it."""
        name, at, _ = self.open[-1]
        return f"inside {name} (line {at.line}), so it does not always happen"

    def link(self, j: int, inner: str) -> None:
        link, _, setter = inner.partition("][")
        if "->" in link:
            words, target = link.rsplit("->", 1)
        elif "<-" in link:
            target, words = link.split("<-", 1)
        elif "|" in link:
            words, target = link.rsplit("|", 1)
        else:
            words = target = link
        words, target, at = one_line(words), one_line(target), self.pos(j)
        shown = f"[[{quoted(inner)}]]"
        if _URL.match(target) or _COMPUTED.match(target) or not target:
            kind = "a link to a web address" if _URL.match(target) else "a link without a passage" if not target else "a link whose passage is worked out as the story runs"
            self.note(j, "T008", f"{shown} is {kind}; not converted")
            self.out.append(words)
            return
        # A setter is the choice's own: it goes with the link, inside a condition or not.
        assigns = tuple(self.assignments(j, setter, shown)) if setter else ()
        self.links.append(Link(words or target, target, at, assigns))
        self.out.append(f"\0{words}\0")

    def sugarcube(self, j: int, k: int) -> int:
        src, after = self.src, k + 2
        name = _SUGAR_NAME.match(src, j + 2, k)
        if name is None:
            return self.plain(j, 2)
        closing, macro = name.group(1), name.group(2).lower()
        if closing:
            for n in range(len(self.open) - 1, -1, -1):
                if self.open[n][0] == f"<<{macro}>>":
                    del self.open[n:]
                    break
            if macro in CONDITIONS:
                self.out.append("\n")
            return after
        shown = f"<<{quoted(src[j + 2 : k])}>>"
        if macro == "set":
            self.assigns.extend(self.changes(j, src[name.end() : k], shown))
        elif macro not in TRANSPARENT:
            self.unconverted(j, shown, macro)
            if macro in self.closed:
                self.open.append((f"<<{macro}>>", self.pos(j), False))
        return after

    def harlowe(self, found: re.Match[str]) -> int:
        src, j = self.src, found.start()
        close = self.pairs.get(j)
        if close is None:
            return self.plain(j, len(found.group()))
        macro = _name(found.group(1))
        shown = f"({quoted(src[j + 1 : close])})"
        after = close + 1
        if macro == "set":
            self.assigns.extend(self.changes(j, src[found.end() : close], shown))
            return after
        self.unconverted(j, shown, macro)
        hook = after
        while src[hook : hook + 1] in (" ", "\t"):
            hook += 1
        if src.startswith("[", hook) and (not src.startswith("[[", hook) or src.startswith("[[[", hook)):
            self.open.append((f"({found.group(1)}:)", self.pos(j), True))
            return hook + 1
        return after

    def unconverted(self, j: int, shown: str, macro: str) -> None:
        if macro in CONDITIONS:  # each branch its own paragraph, for the author to give a condition
            self.out.append("\n")
            self.note(j, "T007", f"{shown} is a condition, not converted: what it shows or hides, links too, is kept "
                                 "for every player; give it a 'when' (a conditional paragraph, a choice's condition)")
        elif JUMPS.search(macro):
            self.note(j, "T008", f"{shown} is a link or jump by macro; not converted: write it as [[words->passage]]")
        else:
            self.note(j, "T008", f"{shown} is a macro Koers has no counterpart for; not converted, and left out of the text")

    def changes(self, j: int, expression: str, shown: str) -> list[Assign]:
        """The changes of one <<set>> or (set:), if they always happen on entering the passage."""
        if not self.open:
            return list(self.assignments(j, expression, shown))
        code = "T007" if _name(self.open[-1][0]) in CONDITIONS else "T008"
        self.note(j, code, f"{shown} is {self.inside()}: not converted; put the change on the choices it belongs to, or in a route")
        return []

    def assignments(self, j: int, expression: str, shown: str) -> Iterator[Assign]:
        """The changes an expression makes that Koers can take over; the others are noted."""
        at = self.pos(j)
        for part in _PARTS.findall(expression):
            a = _ASSIGN.match(part)
            if a is None:
                if part.strip():
                    self.note(j, "T008", f"'{quoted(part.strip())}' in {shown} is not converted: only a step "
                                         "($x to $x + 2, $x += 2, it - 1), a whole number, true or false becomes a meter or a flag")
                continue
            if a["bool"]:
                yield Assign(a["var"], "flag", a["bool"] == "true", at, shown)
            elif a["num"]:
                yield Assign(a["var"], "number", int(a["num"]), at, shown)
            else:
                sign, n = (a["op"], a["n1"]) if a["op"] else (a["sign"], a["n2"]) if a["sign"] else (a["incr"][0], "1")
                yield Assign(a["var"], "step", int(n) * (-1 if sign == "-" else 1), at, shown)  # -= -2 is += 2

    def html(self, j: int) -> int:
        tag = _TAG.match(self.src, j)
        if tag is None:
            return self.plain(j, 1)
        if tag.group(2).lower() == "br":
            self.out.append("\n")
        elif not tag.group(1):
            self.note(j, "T008", f"HTML <{tag.group(2)}> is not converted: the tag is left out, its text kept")
        return tag.end()

    def paragraphs(self) -> str:
        """Each line of the passage, a paragraph (Twine shows a line break where Koers needs a
        blank line); a line of nothing but links, the passage's choices, is left out."""
        kept = []
        for line in "".join(self.out).split("\n"):
            if "\0" in line and not _LINKED.sub("", line).strip():
                continue
            words = one_line(line)  # without the NULs, control characters all
            if words:
                kept.append(words)
        return "\n\n".join(kept)


def _name(macro: str) -> str:
    """A macro's name as the lists above have it: Harlowe ignores case, '-' and '_' in names."""
    return macro.strip("<>():").lower().replace("-", "").replace("_", "")


def _pairs(src: str, start: int, end: int) -> dict[int, int]:
    """Where each Harlowe macro's parenthesis closes, in one pass over the passage
    (strings are not told apart: a parenthesis in a macro's quoted text is rare)."""
    macros = {found.start() for found in _MACRO.finditer(src, start, end)}
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for found in _PAREN.finditer(src, start, end):
        if found.group() == "(":
            stack.append(found.start() if found.start() in macros else -1)
        elif stack:
            opened = stack.pop()
            if opened >= 0:
                pairs[opened] = found.start()
    return pairs
