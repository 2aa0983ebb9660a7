"""What a command says: its output, printed or written whole to a file, and why a
scenario it was given cannot be played."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from game.core.model import Scenario

#: How every command ends: done, done with warnings (only where --strict or a skipped file says so), or not done.
EXIT_OK, EXIT_WARNINGS, EXIT_ERRORS = 0, 1, 2


def put(text: str, output: Path | None, what: str) -> bool:
    """Print ``text``, or write it whole to ``output``; False, after one
    K012 line naming ``what``, when the file cannot be written."""
    from game.core.files import write_whole
    from game.core.text import clean

    if output is None:
        sys.stdout.write(text)
        return True
    try:
        write_whole(output, text)
    except OSError as exc:
        print(clean(f"{output}:1:1: K012 cannot write {what}: {exc.strerror or exc}"), file=sys.stderr)
        return False
    return True


def playable(path: str | os.PathLike[str]) -> Scenario | None:
    """The scenario in ``path``; None, after its problems (one line each), when it cannot be played."""
    from game.authoring.library import load_playable
    from game.core.diagnostics import ScenarioError
    from game.core.text import clean

    try:
        return load_playable(path)
    except ScenarioError as exc:
        print(clean(str(exc)), file=sys.stderr)
        return None
