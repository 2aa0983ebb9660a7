"""Text from a scenario or a person, made safe and shaped for display.

Nothing here knows a screen: the UI turns the spans into its own styled text,
the plain player prints them. Markup of any other kind (Rich, Textual, HTML,
terminal escapes) is never interpreted: it stays visible as the characters it is,
except control characters, which are dropped.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the bidi overrides that can disguise text, and
# lone surrogates (no encoder writes them); newline and tab survive (tab
# becomes a space).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What a person types may hold more: also zero-width characters and marks,
# line and paragraph separators, and newlines (every field is one line).
_TYPED = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
# Bytes that were not UTF-8, as Python hands them over from a command line or a terminal.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_EMPHASIS = re.compile(r"\\\*|\*\*(?=\S)(.+?)(?<=\S)\*\*|\*(?=[^\s*])(.+?)(?<=[^\s*])\*")


def clean(text: str) -> str:
    """``text`` without terminal control characters."""
    return _CONTROL.sub("", text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n"))


def typed(text: str) -> str:
    """What a person typed (a name, a session code, an answer), as Koers stores
    it: without the characters that could hide or disguise text, and without
    space at either end. Cleaned once, where it enters Koers."""
    return _TYPED.sub("", text.replace("\t", " ")).strip()


def typed_name(text: str) -> str:
    """A name or session code: typed, with its spaces made single."""
    return " ".join(typed(text).split())


def is_utf8(text: str) -> bool:
    """False for text decoded with surrogateescape from bytes that were not UTF-8."""
    return _NOT_UTF8.search(text) is None


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each folded onto one line, cleaned."""
    out = []
    for block in re.split(r"\n[ \t]*\n", clean(text).strip()):
        folded = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if folded:
            out.append(folded)
    return out


def spans(text: str) -> list[tuple[str, str]]:
    """Split one paragraph into (text, style) runs; style is "", "bold" or "italic".

    The whole syntax is ``**bold**``, ``*italic*`` and ``\\*`` for an asterisk.
    """
    out: list[tuple[str, str]] = []
    pos = 0

    def add(chunk: str, style: str) -> None:
        if not chunk:
            return
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + chunk, style)
        else:
            out.append((chunk, style))

    for match in _EMPHASIS.finditer(text):
        add(text[pos : match.start()], "")
        if match.group(0) == "\\*":
            add("*", "")
        elif match.group(1) is not None:
            add(match.group(1).replace("\\*", "*"), "bold")
        else:
            add(match.group(2).replace("\\*", "*"), "italic")
        pos = match.end()
    add(text[pos:], "")
    return out


def plain(text: str) -> str:
    """One paragraph without its emphasis marks."""
    return "".join(chunk for chunk, _ in spans(text))


def flat(text: str) -> str:
    """Scenario text on one line, without emphasis marks or control characters."""
    return " ".join(plain(p) for p in paragraphs(text))


def excerpt(text: str, limit: int = 70) -> str:
    """The opening of ``text`` on one line, cut at a word boundary (never
    mid-word) with an ellipsis, in at most ``limit`` characters."""
    line = flat(text)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if " " in cut and not line[limit - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:—–-") + "…"
