"""``koers graph FILE``: the scenario as a map, in Mermaid, Graphviz DOT or an
HTML page (docs/authoring.md, "A map of the scenario")."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

FORMATS = ("mermaid", "dot", "html")
#: The format an --output file's ending names, where --format is not given.
SUFFIXES = {".md": "mermaid", ".mmd": "mermaid", ".dot": "dot", ".gv": "dot", ".html": "html", ".htm": "html"}
DOT_SECONDS = 60  # Graphviz lays out 200 scenes in about a second


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("graph", help="write the scenario as a map: Mermaid, Graphviz DOT, or an HTML page")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="mermaid (for a Markdown page), dot, or html (a page with Graphviz's drawing where dot is "
                        "installed, and an outline); by default the one --output's ending names, else mermaid")
    p.add_argument("--output", metavar="FILE", type=Path, help="write the map to FILE (default: standard output)")


def run(args: argparse.Namespace) -> int:
    from game.authoring.graph import chart
    from game.cli.output import EXIT_ERRORS, EXIT_OK
    from game.cli.output import playable, put
    from game.core.text import clean
    from game.render import graph as words

    scenario = playable(args.file)
    if scenario is None:
        return EXIT_ERRORS
    if args.output is not None and os.path.exists(args.output) and os.path.samefile(args.output, args.file):
        print(f"{clean(str(args.output))}:1:1: is the scenario itself; write the map to another file", file=sys.stderr)
        return EXIT_ERRORS
    fmt = args.format or (SUFFIXES.get(args.output.suffix.lower()) if args.output else "mermaid")
    if fmt is None:  # a map.png would hold Mermaid text
        print(f"koers graph: cannot tell the format of '{clean(str(args.output))}': end it in "
              f"{', '.join(sorted(SUFFIXES))}, or give --format", file=sys.stderr)
        return EXIT_ERRORS
    the_map = chart(scenario)
    if fmt == "mermaid":
        text = words.to_mermaid(the_map)
        if words.mermaid_too_large(the_map, text):
            print(f"{clean(args.file)}: the map has {len(the_map.ways):,} arrows and {len(text):,} characters; GitHub's "
                  f"Mermaid draws at most {words.MERMAID_EDGES} and {words.MERMAID_CHARS:,}: use --format html",
                  file=sys.stderr)
    elif fmt == "dot":
        text = words.to_dot(the_map)
    else:
        from game.render.graph_page import page

        svg, failure = draw(words.to_dot(the_map, links=True))
        text = page(the_map, svg, failure)
        if svg is None:
            print(f"{clean(args.file)}: the page holds the outline only: "
                  f"{'Graphviz (dot) is not installed' if failure is None else clean(failure)}", file=sys.stderr)
    if not put(text, args.output, "the map"):
        return EXIT_ERRORS
    if args.output is not None:
        print(f"Wrote {clean(str(args.output))}: {len(scenario.scenes)} scenes, {len(scenario.endings)} endings.")
    return EXIT_OK


def draw(dot: str) -> tuple[str | None, str | None]:
    """Graphviz's <svg> element of ``dot``; else None, and what went wrong (None: dot is not installed)."""
    program = shutil.which("dot")
    if program is None:
        return None, None
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, timeout=DOT_SECONDS)
    except subprocess.TimeoutExpired:
        return None, f"dot took more than {DOT_SECONDS} s"
    except OSError as exc:
        return None, f"dot could not run: {exc.strerror or exc}"
    svg = done.stdout.decode("utf-8", "replace")
    if done.returncode != 0 or "<svg" not in svg:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, f"dot: {said[0] if said else f'exit status {done.returncode}'}"
    return svg[svg.index("<svg"):], None  # without the XML prolog, to sit inside a page
