"""``koers new``: a scenario to start from, or the skeleton of a translation.
It never writes over a file."""

from __future__ import annotations

import argparse
import os
import sys

from game.core.vocab import LANGUAGES, TRANSLATE


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("new", help="write a scenario to start from, or (with --translate) the skeleton of a translation")
    p.add_argument("id", metavar="ID", help="the scenario's id: lower-case letters, digits, - and _ (a translation keeps its original's)")
    p.add_argument("--language", choices=LANGUAGES, required=True, help="the language of the new file")
    p.add_argument("--translate", metavar="FILE",
                   help=f"write FILE's translation into --language: FILE with every text marked {TRANSLATE}")
    p.add_argument("--output", metavar="FILE",
                   help="write to FILE; by default ID.LANGUAGE.yaml in this folder, or beside the FILE translated")


def run(args: argparse.Namespace) -> int:
    from game.authoring.fields import ID
    from game.cli.output import EXIT_ERRORS, EXIT_OK
    from game.core.text import clean

    def fail(message: str) -> int:
        print(clean(f"koers new: {message}"), file=sys.stderr)
        return EXIT_ERRORS

    if not ID.match(args.id):
        return fail(f"'{args.id}' is not a valid id: use lower-case letters, digits, '-' and '_', as in friday-report")
    name = f"{args.id}.{args.language}.yaml"
    if args.translate is None:
        from game.authoring.starter import template

        text = template(args.id, args.language)
        output = args.output or name
        done = [f"Wrote {output}: the format's example with your id, to make your own.", "Check it as you go with:"]
        check = [output]
    else:
        from game.authoring.starter import skeleton
        from game.core.diagnostics import ScenarioError

        try:
            made = skeleton(args.translate, args.id, args.language)
        except ScenarioError as exc:
            print(clean(str(exc)), file=sys.stderr)
            return EXIT_ERRORS
        except ValueError as exc:
            return fail(str(exc))
        text = made.text
        output = args.output or os.path.join(os.path.dirname(args.translate), name)
        done = [f"Wrote {output}: {made.marked:,} texts marked {TRANSLATE} for the translator.",
                "Translate each, marker and all (K224 warns while one is left). Check the pair:"]
        check = [args.translate, output]
    import shlex

    from game.core.files import write_new

    try:
        write_new(output, text)
    except OSError as exc:
        reason = "it exists already, and koers new never writes over a file: remove it or give --output" \
            if isinstance(exc, FileExistsError) else exc.strerror or str(exc)
        print(clean(f"{output}:1:1: K012 cannot write the scenario: {reason}"), file=sys.stderr)
        return EXIT_ERRORS
    for line in [*done, "  koers validate --strict " + " ".join(shlex.quote(p) for p in check)]:
        print(clean(line))
    return EXIT_OK
