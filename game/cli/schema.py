"""`koers schema`: the JSON Schema of the scenario format, for editors (docs/authoring.md)."""

from __future__ import annotations

import argparse
import sys

from game.authoring.schema import schema_text
from game.core.diagnostics import Diagnostic
from game.core.files import write_whole
from game.core.text import clean

EXIT_OK, EXIT_ERRORS = 0, 2


def run(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        write_whole(args.output, text)
    except OSError as exc:
        problem = Diagnostic(str(args.output), 1, 1, "K012", f"cannot write the schema: {exc.strerror or exc}")
        print(clean(str(problem)), file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK
