"""Coded diagnostics: one line per problem, ``file:line:col: CODE message``.

Every code is documented in docs/diagnostics.md; a test keeps the two in step.
"""

from __future__ import annotations

import contextlib
import enum

import attrs

from game.core.text import is_utf8


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


#: code -> (severity, short name). The name is what `--format json` reports as "rule".
CODES: dict[str, tuple[Severity, str]] = {
    # Reading the file.
    "K001": (E, "yaml-syntax"),
    "K002": (E, "file-too-large"),
    "K003": (E, "not-utf8"),
    "K004": (E, "nul-byte"),
    "K005": (E, "too-deep"),
    "K006": (E, "alias"),
    "K007": (E, "tag"),
    "K008": (E, "duplicate-key"),
    "K009": (E, "complex-key"),
    "K010": (E, "several-documents"),
    "K011": (E, "unreadable"),
    # Writing a file Koers was asked to write (`koers graph --output`, `koers schema --output`, `koers new`).
    "K012": (E, "cannot-write"),
    # Reading a folder of scenarios (`koers validate DIR`).
    "K013": (E, "no-scenario-files"),
    # The shape of the data.
    "K101": (E, "missing-field"),
    "K102": (E, "wrong-type"),
    "K103": (E, "unknown-field"),
    "K104": (E, "bad-value"),
    "K105": (E, "format-version"),
    # The story's structure.
    "K201": (E, "missing-target"),
    "K202": (E, "duplicate-id"),
    "K203": (E, "unknown-speaker"),
    "K204": (E, "undeclared-meter"),
    "K205": (E, "undeclared-flag"),
    "K206": (E, "timeout-choice"),
    "K207": (E, "too-many-choices"),
    "K208": (E, "dead-end"),
    "K209": (E, "endless-loop"),
    "K210": (E, "empty-text"),
    "K211": (E, "unknown-reference"),
    "K212": (E, "translation-differs"),
    "K213": (E, "meter-range"),
    "K214": (W, "unreachable-scene"),
    "K215": (W, "unreachable-ending"),
    "K216": (W, "meter-overflow"),
    "K217": (W, "all-choices-conditional"),
    "K218": (W, "original-not-found"),
    "K219": (W, "timer-too-short"),
    "K220": (W, "never-shown"),
    "K221": (W, "always-shown"),
    "K222": (W, "same-words-offered"),
    "K223": (W, "duplicate-scenario"),
    "K224": (W, "marked-for-translation"),
    # Teaching quality.
    "K301": (W, "judging-consequence"),
    "K302": (W, "fake-choice"),
    "K303": (W, "no-concept"),
    "K304": (W, "no-rating"),
    "K305": (W, "no-rationale"),
    "K306": (I, "unused-concept"),
    "K307": (I, "flag-never-tested"),
    "K308": (I, "endorsed-costs-nothing"),
    "K309": (W, "too-many-concepts"),
    "K310": (W, "long-scene"),
    "K311": (W, "long-choice"),
    # Importing a Twine story (game/authoring/twee.py, twee_text.py and from_twee.py).
    "T001": (E, "twee-unreadable"),
    "T002": (E, "twee-too-large"),
    "T003": (E, "twee-not-utf8"),
    "T004": (E, "no-passages"),
    "T005": (E, "missing-passage"),
    "T006": (E, "duplicate-passage"),
    "T007": (W, "condition-not-converted"),
    "T008": (W, "not-converted"),
    "T009": (E, "output-not-written"),
    # Reading a save (game/saves/codec.py; each code is explained in docs/saves.md).
    "S001": (E, "save-json-syntax"),
    "S002": (E, "save-too-large"),
    "S003": (E, "save-not-utf8"),
    "S004": (E, "save-too-deep"),
    "S005": (E, "save-number-too-large"),
    "S006": (E, "save-unreadable"),
    "S101": (E, "save-missing-field"),
    "S102": (E, "save-wrong-type"),
    "S103": (E, "save-unknown-field"),
    "S104": (E, "save-bad-value"),
    "S105": (E, "save-newer-format"),
    "S106": (E, "save-older-format"),
    # Reading saves for a group debrief (game/debrief/group.py; see docs/group-debrief.md).
    "G001": (I, "duplicate-playthrough"),
    "G002": (W, "scenario-not-found"),
    # Learning records (game/render/xapi.py; see docs/xapi.md).
    "X001": (W, "playthrough-does-not-fit"),
}


def _one_line(text: str) -> str:
    """Messages quote what a file says, and paths are what a folder holds; a
    diagnostic must still be one line, and name its file: bytes of a name that
    were not UTF-8 are shown as \\xNN, not dropped."""
    if not is_utf8(text):
        with contextlib.suppress(UnicodeEncodeError):  # a lone surrogate of another kind is left to clean()
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")



@attrs.frozen(order=True)
class Diagnostic:
    """One problem at one place in one file. Lines and columns count from 1."""

    path: str
    line: int
    col: int
    code: str
    message: str = attrs.field(order=False, converter=_one_line)

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    @property
    def rule(self) -> str:
        return CODES[self.code][1]

    def __str__(self) -> str:
        return f"{_one_line(self.path)}:{self.line}:{self.col}: {self.code} {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "severity": str(self.severity),
            "rule": self.rule,
            "message": self.message,
        }


#: Diagnostics kept for one file; beyond these a hostile file's problems are only counted.
MAX_KEPT = 1000
#: Diagnostics printed for one file, then one line with the count of the rest.
MAX_SHOWN = 100


def shown(diagnostics: list[Diagnostic], omitted: int = 0) -> list[str]:
    """The lines to print for one file's diagnostics: the first MAX_SHOWN by
    position, then how many more there are."""
    lines = [str(d) for d in diagnostics[:MAX_SHOWN]]
    rest = len(diagnostics) - len(lines) + omitted
    if rest:
        path = diagnostics[0].path
        lines.append(f"{path}: {rest:,} more problem{'s' * (rest != 1)} not shown; fix the first ones and check again")
    return lines


class ScenarioError(Exception):
    """The only exception the loader raises: one or more error diagnostics,
    and how many more were found but not kept (see MAX_KEPT)."""

    def __init__(self, diagnostics: list[Diagnostic], omitted: int = 0) -> None:
        self.diagnostics = sorted(diagnostics)
        self.omitted = omitted
        super().__init__("\n".join(shown(self.diagnostics, omitted)))
