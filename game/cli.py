"""The ``koers`` command. Commands that need no screen never import Textual."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from game import __version__

EXIT_OK, EXIT_WARNINGS, EXIT_ERRORS = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="koers",
        description="Practise the hard moments of leading. Run without a command to play.",
    )
    parser.add_argument("--version", action="version", version=f"koers {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="list the scenarios you can play")
    p.add_argument("--scenarios", metavar="DIR", type=Path, action="append", default=[], help="also list the scenarios in DIR")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("validate", help="check scenario files and report every problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("explore", help="walk every path through a scenario")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--samples", type=int, default=None, metavar="N", help="play N seeded random playthroughs instead of every path")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "list"
    try:
        return {"list": _list, "validate": _validate, "explore": _explore}[command](args)
    except BrokenPipeError:  # `koers validate ... | head` is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


def _list(args: argparse.Namespace) -> int:
    from game.library import bundled_dir, discover, relative
    from game.text import clean

    entries = discover([bundled_dir(), *getattr(args, "scenarios", [])])
    if getattr(args, "format", "text") == "json":
        rows = [
            {"path": str(e.path), "id": e.scenario.id, "language": e.scenario.language, "title": e.scenario.title,
             "minutes": e.scenario.minutes, "version": e.scenario.version}
            if e.scenario else {"path": str(e.path), "errors": [d.to_json() for d in e.errors]}
            for e in entries
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not entries:
        print("No scenarios found.")
    for e in entries:
        if e.scenario is None:
            print(f"{relative(e.path)}: cannot be played")
            for d in e.errors:
                print(f"  {clean(str(d))}")
            continue
        s = e.scenario
        print(f"{clean(s.title)} [{s.language}, {s.minutes} min]  {relative(e.path)}")
        print(f"  {clean(' '.join(s.summary.split()))}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from game.diagnostics import Severity
    from game.text import clean
    from game.validator import check_files

    results = check_files(args.files)
    found = [d for ds in results.values() for d in ds]
    if args.format == "json":
        print(json.dumps([d.to_json() for d in found], ensure_ascii=False, indent=2))
    else:
        for d in found:
            print(clean(str(d)))
    counts = {sev: sum(d.severity is sev for d in found) for sev in Severity}
    if args.format == "text":
        n = len(results)
        summary = f"{n} file{'s' * (n != 1)}: {counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes"
        print(summary, file=sys.stderr)
    if counts[Severity.ERROR]:
        return EXIT_ERRORS
    if args.strict and counts[Severity.WARNING]:
        return EXIT_WARNINGS
    return EXIT_OK


def _explore(args: argparse.Namespace) -> int:
    from game.diagnostics import ScenarioError
    from game.explore import SAMPLES, explore, format_report
    from game.loader import load
    from game.text import clean

    try:
        scenario = load(args.file)
    except ScenarioError as exc:
        for d in exc.diagnostics:
            print(clean(str(d)), file=sys.stderr)
        return EXIT_ERRORS
    if args.samples is not None:
        report = explore(scenario, max_states=0, samples=max(1, args.samples), seed=args.seed)
    else:
        report = explore(scenario, samples=SAMPLES, seed=args.seed)
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(clean(format_report(report)))
    return EXIT_OK if report.ok else EXIT_WARNINGS
