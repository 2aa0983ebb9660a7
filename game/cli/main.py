"""The ``koers`` command. Commands that need no screen never import Textual."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from game import __version__
from game.core.vocab import LANGUAGES
from game.cli import graph, imports, new, schema, serve, watch, xapi
from game.cli.launch import play
from game.cli.output import EXIT_ERRORS, EXIT_OK, EXIT_WARNINGS

if TYPE_CHECKING:
    from game.authoring.library import Library


#: Options that mean the same before the command and after it: ``koers --scenarios DIR list``
#: and ``koers list --scenarios DIR`` are one thing. Their value when given nowhere.
SHARED: dict[str, object] = {"scenarios": [], "saves": None, "player": None, "session": None, "lang": None,
                             "settings": None}


def _shared_options(parser: argparse.ArgumentParser, top: bool, session: str) -> None:
    """The shared options. Given nowhere, they are left out of the parse (and
    filled in by main); a DIR given before the command and one after both count."""
    unset = argparse.SUPPRESS
    parser.add_argument("--scenarios", metavar="DIR", type=Path, action="append", default=unset,
                        dest="scenarios_before" if top else "scenarios", help="also use the scenarios in DIR")
    parser.add_argument("--saves", metavar="DIR", default=unset,
                        help="keep playthroughs in DIR (default: $KOERS_SAVES or your user data folder)")
    parser.add_argument("--player", metavar="NAME", default=unset, help="your name or a pseudonym (remembered)")
    parser.add_argument("--session", metavar="CODE", default=unset, help=session)
    parser.add_argument("--lang", choices=LANGUAGES, default=unset,
                        help="interface language (remembered); for debrief, the language of the report")
    parser.add_argument("--settings", metavar="FILE", type=Path, default=unset,
                        help="remember the player's settings in FILE (default: settings.json in your user config folder)")


_PLAY_SESSION = "the session code your trainer gave (remembered)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="koers",
        description="Practise the hard moments of leading. Run without a command to play.",
    )
    parser.add_argument("--version", action="version", version=f"koers {__version__}")
    _shared_options(parser, top=True, session=_PLAY_SESSION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("play", help="play a scenario (the default: without FILE, open the library)")
    p.add_argument("file", nargs="?", metavar="FILE", help="open this scenario file directly")
    p.add_argument("--plain", action="store_true", help="play FILE as plain text on stdin and stdout (for screen readers and pipes)")
    _shared_options(p, top=False, session=_PLAY_SESSION)

    p = sub.add_parser("list", help="list the scenarios you can play")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _shared_options(p, top=False, session=_PLAY_SESSION)

    new.add_parser(sub)
    p = sub.add_parser("validate", help="check scenario files, and the scenarios in folders, and report every problem")
    p.add_argument("files", nargs="+", metavar="FILE", help="a scenario file, or a folder of them (its *.yaml and *.yml files)")
    p.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("explore", help="explore every state a scenario can reach: the endings, one shortest path to each, "
                                       "what is never available or shown (past 250,000 states, random playthroughs, and it says so)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--samples", type=int, default=None, metavar="N", help="play N seeded random playthroughs instead of every path")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--format", choices=("text", "json"), default="text")
    graph.add_parser(sub)
    schema.add_parser(sub)

    p = sub.add_parser("debrief", help="debrief a group from its saved playthroughs")
    p.add_argument("paths", nargs="+", metavar="PATH", help="save files, or folders of them")
    p.add_argument("--export", metavar="FILE", type=Path, help="write a report: FILE.md, FILE.html or FILE.csv; "
                   "or the learning records, FILE.xapi.json")
    p.add_argument("--language", choices=LANGUAGES, dest="lang", default=argparse.SUPPRESS,
                   help="the same as --lang: the language of the report")
    p.add_argument("--names", action="store_true", help="show the players' pseudonyms (by default: player 1, 2, ...)")
    p.add_argument("--min-group", type=int, nargs="?", const=5, default=1, metavar="N",
                   help="off unless given: hide every count of fewer than N players, and any that would give one away "
                        "(N is 5 if left out)")
    _shared_options(p, top=False, session="only the playthroughs of this session")
    xapi.add_options(p)
    watch.add_parser(sub)
    imports.add_parser(sub)
    xapi.add_parser(sub)
    serve.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for name, default in SHARED.items():
        if not hasattr(args, name):
            setattr(args, name, list(default) if isinstance(default, list) else default)
    args.scenarios = [*getattr(args, "scenarios_before", []), *args.scenarios]
    if not hasattr(args, "plain"):
        args.plain = False
    command = args.command or "play"
    try:
        code = {"play": play, "list": _list, "new": new.run, "validate": _validate, "explore": _explore,
                "graph": graph.run, "schema": schema.run, "debrief": _debrief, "watch": watch.run,
                "import": imports.run, "xapi": xapi.run, "serve": serve.run}[command](args)
        sys.stdout.flush()  # here, where a full disk can still be said in one line
        return code
    except BrokenPipeError:  # `koers validate ... | head` is fine
        _stdout_gone()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.errno not in _CANNOT_WRITE:  # commands say their own reading and writing; this is standard output
            raise
        _stdout_gone()
        print(f"<stdout>:1:1: K012 cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERRORS


_CANNOT_WRITE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _stdout_gone() -> None:
    """Nothing more goes to standard output, not even what is left in its buffer at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _library(folders: list[Path]) -> Library:
    """The bundled scenarios and ``folders``, as the game shows them, cached between runs."""
    from game.authoring.cache import Cache, default_folder
    from game.authoring.library import Library, bundled_dir

    return Library([bundled_dir(), *folders], Cache(default_folder()))


def _list(args: argparse.Namespace) -> int:
    from game.authoring.library import relative
    from game.core.text import clean

    library = _library(args.scenarios)
    listings = library.listings()
    refused = {r.path: r for r in library.refused()}
    if args.format == "json":
        rows: list[dict[str, object]] = []
        for e in listings:
            if e.path in refused:
                rows.append({"path": e.path, "errors": [d.to_json() for d in refused[e.path].problems]})
            else:
                rows.append({"path": e.path, "id": e.id, "language": e.language, "title": e.title,
                             "minutes": e.minutes, "version": e.version})
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_ERRORS if refused else EXIT_OK
    if not listings:
        print("No scenarios found.")
    for e in listings:
        if e.path in refused:
            print(f"{relative(e.path)}: cannot be played")
            for line in refused[e.path].lines:
                print(f"  {clean(line)}")
        else:
            print(f"{clean(e.title)} [{e.language}, {e.minutes} min]  {relative(e.path)}")
            print(f"  {clean(' '.join(e.summary.split()))}")
    return EXIT_ERRORS if refused else EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from game.core.diagnostics import Severity
    from game.core.text import clean
    from game.authoring.library import check_files

    results = check_files(args.files)
    found = [d for r in results for d in r.diagnostics]
    if args.format == "json":
        print(json.dumps([d.to_json() for d in found], ensure_ascii=False, indent=2))
    else:
        for r in results:
            for line in r.lines():
                print(clean(line))
    counts = {sev: sum(d.severity is sev for d in found) for sev in Severity}
    if args.format == "text":
        n, more = len(results), sum(r.omitted for r in results)
        errors, warnings, notes = (counts[s] for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
        summary = (f"{n} file{'s' * (n != 1)}: {errors:,} error{'s' * (errors != 1)}, "
                   f"{warnings:,} warning{'s' * (warnings != 1)}, {notes:,} note{'s' * (notes != 1)}")
        print(summary + (f", and {more:,} more problems" if more else ""), file=sys.stderr)
    if counts[Severity.ERROR] or any(r.scenario is None for r in results):
        return EXIT_ERRORS
    if args.strict and counts[Severity.WARNING]:
        return EXIT_WARNINGS
    return EXIT_OK


def _explore(args: argparse.Namespace) -> int:
    from game.authoring.explore import SAMPLES, explore, format_report
    from game.core.run import RunError
    from game.core.text import clean
    from game.cli.output import playable

    if args.samples is not None and args.samples < 1:
        print("koers explore: --samples needs a number of 1 or more", file=sys.stderr)
        return EXIT_ERRORS
    scenario = playable(args.file)
    if scenario is None:
        return EXIT_ERRORS
    try:
        if args.samples is not None:
            report = explore(scenario, max_states=0, samples=args.samples, seed=args.seed)
        else:
            report = explore(scenario, samples=SAMPLES, seed=args.seed)
    except RunError as exc:  # the start scene offers no choice (K217 warns of it)
        print(f"{clean(args.file)}:1:1: the story cannot start: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(clean(format_report(report)))
    return EXIT_OK if report.ok else EXIT_WARNINGS


def _debrief(args: argparse.Namespace) -> int:
    if xapi.is_export(args.export):
        return xapi.export(args)
    from game.debrief import group
    from game.debrief.collect import collect
    from game.render.group_export import EXPORTS, FORMATS, to_text
    from game.core.text import clean

    fmt = FORMATS.get(args.export.suffix.lower()) if args.export else None
    if args.export and fmt is None:
        print(f"koers debrief: cannot tell the format of '{clean(str(args.export))}': end it in .md, .html, .csv or .xapi.json", file=sys.stderr)
        return EXIT_ERRORS
    if args.min_group < 1:
        print("koers debrief: --min-group needs a number of 1 or more", file=sys.stderr)
        return EXIT_ERRORS
    library = _library(args.scenarios)
    collected = collect(args.paths, session=args.session)
    report = group.debrief(collected, library, language=args.lang, names=args.names, min_group=args.min_group,
                           session=args.session)
    # In a terminal, the facilitator view; piped or redirected, the same as plain text.
    interactive = fmt is None and bool(report.debriefs) and sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        from game.tui.group import make_group_app

        make_group_app(report).run()
    for d in [*library.problems, *report.skipped]:  # after the app, or its screen would cover them
        print(clean(str(d)), file=sys.stderr)
    if fmt is None:
        if not interactive:
            sys.stdout.write(to_text(report))
    else:
        from game.cli.output import put

        # A byte order mark for CSV: without it, spreadsheet programs guess a legacy encoding for é and ë.
        mark = "\ufeff" if fmt == "csv" else ""
        if not put(mark + EXPORTS[fmt](report), args.export, "the report"):  # whole or not at all
            return EXIT_ERRORS
        n = sum(d.playthroughs for d in report.debriefs)
        k = len(report.skipped)
        print(f"Wrote {clean(str(args.export))}: {n} playthrough{'s' * (n != 1)}, {k} file{'s' * (k != 1)} not counted.")
    if not report.debriefs:
        return EXIT_ERRORS
    return EXIT_WARNINGS if report.skipped else EXIT_OK
