"""``koers import twee FILE``: a Twine story, in Twee 3 notation, made a Koers scenario.

What it cannot convert is listed on the standard error, one line each with its
place in the Twee file; the scenario goes to ``--output FILE`` (never over a file
that exists) or to the standard output. Exit 0 when a scenario was written, 2
when none was (the file could not be read or converted, or the output exists).
"""

from __future__ import annotations

import argparse
import os
import sys

from game.cli.output import EXIT_ERRORS, EXIT_OK
from game.core.vocab import LANGUAGES



def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="turn a story written with another tool into a scenario")
    kinds = p.add_subparsers(dest="kind", metavar="FORMAT", required=True)
    t = kinds.add_parser("twee", help="a Twine story in Twee 3 notation (.twee, .tw)",
                         description="Convert a Twine story (Twee 3, SugarCube or Harlowe) to a Koers scenario.")
    t.add_argument("file", metavar="FILE.twee")
    t.add_argument("--output", "-o", metavar="FILE",
                   help="write the scenario to FILE, never over a file that exists (default: the standard output)")
    t.add_argument("--language", choices=LANGUAGES,
                   help="the language the story is written in (a Twee file does not say; asked at a terminal)")


def run(args: argparse.Namespace) -> int:
    from game.authoring.from_twee import convert, warnings_by_rule
    from game.authoring.twee import read
    from game.authoring.twee_text import Findings
    from game.core.diagnostics import MAX_SHOWN, Diagnostic, ScenarioError, shown
    from game.core.files import write_new
    from game.core.text import clean

    def problems(lines: list[str]) -> None:
        for line in lines:
            print(clean(line), file=sys.stderr)

    output = args.output
    exists = Diagnostic(output or "", 1, 1, "T009", "the file exists, and koers import never writes over a file; "
                                                    "choose another name, or move that file away first")
    if output is not None and os.path.lexists(output):
        problems([str(exists)])
        return EXIT_ERRORS
    language = args.language or _ask()
    if language is None:
        print("koers import twee: say which language the story is in, --language nl or --language en "
              "(a Twee file does not record it)", file=sys.stderr)
        return EXIT_ERRORS
    findings = Findings(args.file)
    try:
        imported = convert(read(args.file, findings), language, findings, name=output or "<stdout>")
    except ScenarioError as exc:
        problems(shown(sorted(findings.kept), findings.omitted))
        problems(shown(exc.diagnostics, exc.omitted))
        return EXIT_ERRORS
    problems(shown(sorted(findings.kept), findings.omitted))
    if output is None:
        sys.stdout.buffer.write(imported.text.encode("utf-8"))
        sys.stdout.flush()
    else:
        try:
            write_new(output, imported.text)
        except FileExistsError:
            problems([str(exists)])
            return EXIT_ERRORS
        except OSError as exc:
            problems([f"{output}:1:1: T009 cannot write the scenario: {exc.strerror or exc}"])
            return EXIT_ERRORS
    s = imported.checked.scenario
    assert s is not None
    decisions = [scene for scene in s.scenes.values() if scene.is_decision]
    unrated = sum(ending.rating is None for ending in s.endings.values())
    left = len(findings.kept) + findings.omitted
    counts = [_n(len(s.scenes), "scene"), _n(len(s.endings), "ending"), _n(len(s.meters), "meter"), _n(len(s.flags), "flag")]
    where = f"Wrote {clean(output)}" if output else f"Converted (save it as {s.id}.{language}.yaml)"
    todo = [f"a rating for {_n(unrated, 'ending')}"] if unrated else []
    if decisions:
        choices = sum(len(d.choices) for d in decisions)
        todo.append(f"concepts and coaching notes for {_n(len(decisions), 'decision')} ({_n(choices, 'choice')})")
    todo.append("a summary, goals and the debrief questions")
    listed = "" if not left else " (listed above)" if left <= MAX_SHOWN else f" (the first {MAX_SHOWN} listed above)"
    say = [f"{where}: {', '.join(counts)}; {_n(left, 'construct')} not converted{listed}.",
           f"Still to write: {', '.join(todo)} (docs/authoring.md, \"Coming from Twine\")."]
    warned = warnings_by_rule(imported.checked)
    if warned:
        more = f", and {imported.checked.omitted:,} more problems" if imported.checked.omitted else ""
        say.append("koers validate will warn: " + ", ".join(f"{rule} ×{n}" for rule, n in warned.items()) + more + ".")
    print("\n".join(say), file=sys.stderr)
    return EXIT_OK


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'s' * (count != 1)}"


def _ask() -> str | None:
    """The story's language, asked at a terminal; None without one, or at the end of input."""
    if not sys.stdin.isatty():
        return None
    while True:
        print(f"Which language is the story written in ({' or '.join(LANGUAGES)})? ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline()
        if not answer:  # Ctrl+D
            print(file=sys.stderr)
            return None
        if answer.strip().lower() in LANGUAGES:
            return answer.strip().lower()

