"""Learning records from the command line: ``koers debrief DIR --export
FILE.xapi.json`` writes a room's statements, ``koers xapi send DIR --endpoint
URL ...`` sends them to a Learning Record Store. docs/xapi.md explains both.

Nothing but argparse is imported when the koers command starts: the rest
loads when one of these runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.cli.output import EXIT_ERRORS, EXIT_OK, EXIT_WARNINGS

if TYPE_CHECKING:
    from game.render.xapi import Options, Statement

SUFFIX = ".xapi.json"
SALT_BYTES = 32


def is_export(path: Path | None) -> bool:
    """Whether ``koers debrief --export`` is asked for learning records."""
    return path is not None and path.name.lower().endswith(SUFFIX)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that makes statements."""
    group = parser.add_argument_group(f"learning records (xAPI: --export FILE{SUFFIX}, koers xapi send)")
    group.add_argument("--xapi-base", metavar="IRI", help="the base of the activity ids, such as "
                       "https://academy.example.org/koers/ (default: urn:koers:)")
    group.add_argument("--salt-file", metavar="FILE", type=Path,
                       help="the secret that turns pseudonyms into the actors' names (default: xapi-salt in "
                            "Koers' settings folder, made on first use); share it with a co-trainer")
    group.add_argument("--reflections", action="store_true", help="also the reflections players chose to share")


def add_parser(sub: Any) -> None:
    """``koers xapi``, on the parser's subcommands."""
    p = sub.add_parser("xapi", help="learning records: send every decision to a Learning Record Store")
    commands = p.add_subparsers(dest="xapi_command", metavar="COMMAND", required=True)
    s = commands.add_parser("send", help="send the playthroughs' statements to an LRS, each once")
    s.add_argument("paths", nargs="+", metavar="PATH", help="save files, or folders of them")
    s.add_argument("--endpoint", required=True, metavar="URL", help="the LRS's xAPI endpoint, such as "
                   "https://lrs.example.org/xAPI/ (statements go to URL/statements)")
    s.add_argument("--user", required=True, metavar="NAME", help="the LRS user (its key) for basic auth")
    s.add_argument("--password-file", required=True, metavar="FILE",
                   help="a file whose first line is the password (its secret); '-' reads it from standard input")
    s.add_argument("--batch", type=int, default=100, metavar="N", help="statements per request (default 100)")
    s.add_argument("--session", metavar="CODE", default=argparse.SUPPRESS, help="only the playthroughs of this session")
    s.add_argument("--scenarios", metavar="DIR", type=Path, action="append", default=argparse.SUPPRESS,
                   help="also look for the scenarios in DIR")
    s.add_argument("--names", action="store_true", help="the players' pseudonyms as their names (by default a salted hash)")
    add_options(s)


def run(args: argparse.Namespace) -> int:
    return {"send": send}[args.xapi_command](args)


def _say(line: str) -> None:
    from game.core.text import clean

    print(clean(line), file=sys.stderr)


def _options(args: argparse.Namespace, command: str) -> Options | None:
    from game.prefs import default_prefs_path
    from game.render.xapi import DEFAULT_BASE, Options, base_iri

    try:
        base = base_iri(args.xapi_base if args.xapi_base is not None else DEFAULT_BASE)
    except ValueError as exc:
        _say(f"koers {command}: --xapi-base {exc}")
        return None
    salt = b""
    if not args.names:
        path = args.salt_file or default_prefs_path().with_name("xapi-salt")
        try:
            salt = _salt(path)
        except OSError as exc:
            _say(f"{path}:1:1: cannot read or make the salt: {exc.strerror or exc}")
            return None
        except ValueError as exc:
            _say(f"{path}:1:1: {exc}")
            return None
    return Options(base=base, names=args.names, salt=salt, reflections=args.reflections)


def _salt(path: Path) -> bytes:
    """The secret in ``path``, made (random, readable by its owner only) if there is none yet."""
    import secrets

    from game.core.files import read_regular, write_new

    try:
        secret = read_regular(os.fspath(path), 4096).strip()
    except FileNotFoundError:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        made = secrets.token_hex(SALT_BYTES)
        try:
            write_new(path, made + "\n", mode=0o600)  # whole or not at all: a half salt would change every actor
        except FileExistsError:  # another koers made it just now
            return _salt(path)
        return made.encode("ascii")
    if len(secret) < 16 or len(secret) > 4096:
        raise ValueError("the salt should be one line of 16 to 4,096 characters; remove the file to get a new one "
                         "(the actors' names then change)")
    return secret


def _statements(args: argparse.Namespace, command: str) -> tuple[list[Statement], int] | None:
    """The statements of the playthroughs under ``args.paths``, with every file
    that does not count said on stderr; and the number of those files."""
    from game.cli.main import _library
    from game.debrief.collect import collect
    from game.render.xapi import room_statements

    options = _options(args, command)
    if options is None:
        return None
    library = _library(args.scenarios)
    collected = collect(args.paths, session=args.session)
    statements, skipped = room_statements(collected, library, options)
    for d in [*library.problems, *skipped]:
        _say(str(d))
    if not statements:
        where = f" of session '{args.session}'" if args.session is not None else ""
        _say(f"koers {command}: no playthroughs{where} found in {', '.join(map(str, args.paths))}")
        return None
    return statements, len(skipped)


def _playthroughs(statements: list[Statement]) -> str:
    n = len({s["context"]["registration"] for s in statements})
    return f"{len(statements):,} statement{'s' * (len(statements) != 1)} of {n:,} playthrough{'s' * (n != 1)}"


def export(args: argparse.Namespace) -> int:
    """``koers debrief PATH... --export FILE.xapi.json``: the statements as one JSON array."""
    from game.core.files import write_whole
    from game.core.text import clean
    from game.render.xapi import to_json

    if args.min_group != 1:  # silently ignored, it would promise a privacy the records cannot keep
        _say("koers debrief: --min-group does not apply to learning records: each statement is one player's")
        return EXIT_ERRORS
    found = _statements(args, "debrief")
    if found is None:
        return EXIT_ERRORS
    statements, skipped = found
    try:
        write_whole(args.export, to_json(statements))
    except OSError as exc:
        _say(f"{args.export}:1:1: cannot write the statements: {exc.strerror or exc}")
        return EXIT_ERRORS
    print(f"Wrote {clean(str(args.export))}: {_playthroughs(statements)}, {skipped} file{'s' * (skipped != 1)} not counted.")
    return EXIT_WARNINGS if skipped else EXIT_OK


def _password(name: str) -> str | None:
    from game.core.files import read_regular

    try:
        data = sys.stdin.buffer.readline() if name == "-" else read_regular(name, 64 * 1024)
    except OSError as exc:
        _say(f"{name}:1:1: cannot read the password: {exc.strerror or exc}")
        return None
    line = data.decode("utf-8", "replace").splitlines()[0] if data.strip() else ""
    if not line:
        _say(f"{name}:1:1: the password file is empty; put the password on its first line")
        return None
    return line


def send(args: argparse.Namespace) -> int:
    """``koers xapi send PATH... --endpoint URL --user NAME --password-file FILE``."""
    from urllib.parse import urlsplit

    from game.cli.lrs import Lrs, LrsError, Tally

    url = urlsplit(args.endpoint)
    if url.scheme not in ("http", "https") or not url.hostname:
        _say(f"koers xapi send: --endpoint '{args.endpoint}' is not an http or https address such as https://lrs.example.org/xAPI/")
        return EXIT_ERRORS
    if args.batch < 1:
        _say("koers xapi send: --batch needs a number of 1 or more")
        return EXIT_ERRORS
    password = _password(args.password_file)
    if password is None:
        return EXIT_ERRORS
    found = _statements(args, "xapi send")
    if found is None:
        return EXIT_ERRORS
    statements, skipped_files = found
    if url.scheme == "http" and url.hostname not in ("localhost", "127.0.0.1", "::1"):
        _say(f"koers xapi send: {args.endpoint} is not https: the password and the statements cross the network unencrypted")
    tally = Tally()
    try:
        Lrs(args.endpoint, args.user, password).send(statements, tally, args.batch)
    except LrsError as exc:
        _say(f"koers xapi send: {exc}")
        if tally.sent:
            _say(f"koers xapi send: {tally.sent:,} statements were sent before that; sending again sends the rest")
        return EXIT_ERRORS
    for statement, why in tally.refused:
        verb = statement["verb"]["id"].rsplit("/", 1)[-1]
        _say(f"koers xapi send: the LRS refused statement {statement['id']} ({verb}, playthrough "
             f"{statement['context']['registration']}): {why}")
    print(f"{_playthroughs(statements)}: {tally.sent:,} sent, {tally.skipped:,} skipped (already in the LRS), "
          f"{len(tally.refused):,} refused.")
    if tally.differing:
        print(f"{tally.differing:,} of the skipped differ from what the LRS holds (sent before with other options?); "
              "an LRS never changes a statement it has.")
    return EXIT_WARNINGS if tally.refused or skipped_files else EXIT_OK
