"""What a command writes: printed, or a file written whole."""

from __future__ import annotations

import sys
from pathlib import Path


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
