"""``koers schema``: the JSON Schema of the scenario format, for editors
(docs/authoring.md, "Help from your editor")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of the scenario format, for editors")
    p.add_argument("--output", metavar="FILE", type=Path, help="write the schema to FILE instead of printing it")


def run(args: argparse.Namespace) -> int:
    from game.authoring.schema import schema_text
    from game.cli.main import EXIT_ERRORS, EXIT_OK
    from game.core.diagnostics import Diagnostic
    from game.core.files import write_whole
    from game.core.text import clean

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
