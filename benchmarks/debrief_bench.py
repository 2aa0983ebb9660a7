"""How fast a group debrief reads a folder of saves, against a baseline measured
side by side: only reading and parsing the same files with the fastest JSON
parser installed. orjson (``pip install -e '.[bench]'``) and msgspec (which Koers
itself uses) both parse every round, untyped, into dicts and lists; the faster
of the two is the baseline.

    .venv/bin/python benchmarks/debrief_bench.py [--count 10000] [--rounds 3]

Goals (issue 12): debriefing 10,000 playthroughs takes at most 2x the
baseline, for the text summary and for each export (Markdown, HTML, CSV); and
(issue 5) 1,000 files of which 5% are corrupt take well under 5 seconds, start
to finish, as `koers debrief` in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import msgspec
from generate_saves import write  # beside this script
from game.debrief import group
from game.debrief.collect import collect, save_files
from game.render.group_export import EXPORTS, to_text
from game.authoring.cache import Cache
from game.authoring.library import Library, bundled_dir

PARSERS = {"msgspec": msgspec.json.decode}
try:
    from orjson import loads

    PARSERS["orjson"] = loads
except ImportError:
    PARSERS["json"] = lambda data: json.loads(data.decode("utf-8"))


def baseline(files: list[str], loads) -> None:  # noqa: ANN001
    for path in files:
        with open(path, "rb") as f:
            try:
                loads(f.read())
            except (ValueError, msgspec.DecodeError):
                pass


FORMATS = {"text": to_text, **EXPORTS}


def debrief(folder: Path, cache: Cache, words) -> None:  # noqa: ANN001
    """As `koers debrief` does it: the scenarios from the cache its first run filled."""
    library = Library([bundled_dir()], cache)
    words(group.debrief(collect([folder]), library))


def timed(fn, *args, **kwargs) -> float:  # noqa: ANN001, ANN003
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big", Path(tmp) / "small"
        write(big, args.count)
        write(small, 1_000, corrupt=5, seed=2)
        files, _ = save_files([big])
        baseline(files, msgspec.json.decode)  # warm the file cache for both sides
        cache = Cache(Path(tmp) / "cache")
        debrief(big, cache, to_text)  # and Koers' scenario cache, as a first run would
        parsed: dict[str, list[float]] = {name: [] for name in PARSERS}
        debriefed: dict[str, list[float]] = {name: [] for name in FORMATS}
        for _ in range(args.rounds):  # interleaved, so a busy moment slows both sides
            for name, parse in PARSERS.items():
                parsed[name].append(timed(baseline, files, parse))
            for name, words in FORMATS.items():
                debriefed[name].append(timed(debrief, big, cache, words))
        medians = {name: statistics.median(times) for name, times in parsed.items()}
        fastest = min(medians, key=medians.get)
        b = medians[fastest]
        print(f"{args.count:,} playthroughs, median of {args.rounds} interleaved rounds")
        for name, seconds in sorted(medians.items(), key=lambda item: item[1]):
            print(f"  read + parse ({name}):{' ' * (10 - len(name))}{seconds:7.3f} s{'  <- baseline' * (name == fastest)}")
        for name, times in debriefed.items():
            d = statistics.median(times)
            print(f"  koers debrief, {name:<8} (in-process): {d:7.3f} s, {d / b:.2f}x (goal: at most 2x)")

        command = [sys.executable, "-m", "game", "debrief", str(small)]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": Path(__file__).resolve().parent.parent}
        cli = [timed(subprocess.run, command, **quiet) for _ in range(args.rounds)]
        skipped = len(collect([small]).skipped)
        print(f"1,000 files, {skipped} of them corrupt")
        print(f"  `koers debrief` in a fresh process: {statistics.median(cli):.3f} s (goal: well under 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
