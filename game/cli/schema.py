"""``koers schema``: the JSON Schema of the scenario format, for editors
(docs/authoring.md, "Help from your editor")."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of the scenario format, for editors")
    p.add_argument("--output", metavar="FILE", type=Path, help="write the schema to FILE instead of printing it")


def run(args: argparse.Namespace) -> int:
    from game.authoring.schema import schema_text
    from game.cli.output import EXIT_ERRORS, EXIT_OK
    from game.cli.output import put

    return EXIT_OK if put(schema_text(), args.output, "the schema") else EXIT_ERRORS
