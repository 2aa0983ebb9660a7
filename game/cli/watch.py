"""``koers watch FILE``: a preview that follows the file while its author edits it.

A start that does not fit the file (``--at``, ``--set``, ``--meter``) and a
file that cannot be read at all are one line and exit 2 before anything
opens; a file with other problems opens the preview on them, since fixing
them is what the author is doing. Textual and watchfiles load only here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from game.authoring.validator import Checked

UNREADABLE = "K011"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("watch", help="preview FILE while you edit it: each save shows its problems or the scene "
                                     "where you were (--at SCENE to begin elsewhere)")
    p.add_argument("file", metavar="FILE", help="the scenario file to preview")
    p.add_argument("--at", metavar="SCENE", help="begin at this scene instead of the start")
    p.add_argument("--set", metavar="FLAG", action="append", default=[], help="begin with this flag set (repeatable)")
    p.add_argument("--meter", metavar="ID=VALUE", action="append", default=[],
                   help="begin with this meter at VALUE (repeatable)")


def check(path: str) -> Checked:
    """``path`` checked as ``koers validate`` checks it; a path that is no
    file at all (missing, a folder, a pipe) gets the loader's K011."""
    from game.authoring.library import check_files
    from game.authoring.loader import load
    from game.authoring.validator import Checked
    from game.core.diagnostics import ScenarioError

    found = check_files([path]) if os.path.isfile(path) else []
    if found:
        return found[0]
    try:
        load(path)
    except ScenarioError as exc:
        return Checked(path, None, tuple(exc.diagnostics), exc.omitted)
    return check(path)  # it was written just now: check it as the file it is


def run(args: argparse.Namespace) -> int:
    from functools import partial

    from game.cli.output import EXIT_ERRORS, EXIT_OK
    from game.core.text import clean
    from game.play.preview import BadStart, Start
    from game.prefs import default_prefs_path, default_saves_dir, load_prefs
    from game.render.i18n import default_language

    try:
        start = Start.parse(args.at, args.set, args.meter)
        checked = check(args.file)
        if any(d.code == UNREADABLE for d in checked.diagnostics):
            for line in checked.lines():
                print(clean(line), file=sys.stderr)
            return EXIT_ERRORS
        if checked.playable is not None:
            start.run(checked.playable)
    except BadStart as exc:
        print(f"koers watch: {clean(str(exc))}", file=sys.stderr)
        return EXIT_ERRORS

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("koers watch: the preview needs a terminal; to check the file from a script, use koers validate",
              file=sys.stderr)
        return EXIT_ERRORS

    from game.tui.watch import WatchApp

    prefs_path = default_prefs_path()
    prefs, _ignored = load_prefs(prefs_path)
    # The preview speaks the file's language, as its play screen does; nothing here is ever saved.
    language = checked.scenario.language if checked.scenario is not None else None
    prefs = prefs._replace(lang=args.lang or language or prefs.lang or default_language(), timers="off")
    WatchApp(checked, partial(check, args.file), start, prefs, prefs_path, default_saves_dir(args.saves),
             time.monotonic).run()
    return EXIT_OK
