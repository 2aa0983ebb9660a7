"""How fast a room's learning records are written, against a baseline measured
side by side: reading and parsing the same save files (msgspec, untyped) and
writing them back out as one indented JSON array, the least an export that
reads every save and writes one file can do.

    .venv/bin/python benchmarks/xapi_bench.py [--count 10000] [--rounds 3]

Koers' side is `koers debrief DIR --export FILE.xapi.json` in-process: read and
check every save, load the scenario in both languages (from the cache its
first run filled), make every statement and write the file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import msgspec
from generate_saves import write  # beside this script
from game.authoring.cache import Cache
from game.authoring.library import Library, bundled_dir
from game.debrief.collect import collect, save_files
from game.render.xapi import Options, room_statements, to_json


def baseline(files: list[str], out: Path) -> int:
    parsed = []
    for path in files:
        with open(path, "rb") as f:
            parsed.append(msgspec.json.decode(f.read()))
    return out.write_bytes(msgspec.json.format(msgspec.json.encode(parsed), indent=2))


def export(folder: Path, cache: Cache, out: Path) -> int:
    statements, _ = room_statements(collect([folder]), Library([bundled_dir()], cache), Options(salt=b"s" * 32))
    return out.write_bytes(to_json(statements).encode("utf-8"))


def timed(fn, *args) -> tuple[float, int]:  # noqa: ANN001
    start = time.perf_counter()
    size = fn(*args)
    return time.perf_counter() - start, size


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, cache, out = Path(tmp) / "room", Cache(Path(tmp) / "cache"), Path(tmp) / "out.json"
        write(folder, args.count)
        files, _ = save_files([folder])
        baseline(files, out)  # warm the file cache
        export(folder, cache, out)  # and Koers' scenario cache, as a first run would
        base, koers = [], []
        for _ in range(args.rounds):  # interleaved, so a busy moment slows both sides
            base.append(timed(baseline, files, out))
            koers.append(timed(export, folder, cache, out))
        b, k = statistics.median(t for t, _ in base), statistics.median(t for t, _ in koers)
        print(f"{args.count:,} playthroughs, median of {args.rounds} interleaved rounds")
        print(f"  read + parse the saves, write them as one JSON array: {b:7.3f} s, {base[0][1] / 1e6:6.1f} MB  <- baseline")
        print(f"  koers debrief --export FILE.xapi.json (in-process):  {k:7.3f} s, {koers[0][1] / 1e6:6.1f} MB, {k / b:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
