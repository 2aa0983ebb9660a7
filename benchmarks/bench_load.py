"""Load and validate a large scenario, against a plain libyaml load of the same file.

    python benchmarks/bench_load.py [FILE] [--rounds N]

Both run in this one process, interleaved, so a noisy machine slows both alike;
the ratio is what counts. Peak memory is measured with tracemalloc, each side
in a fresh interpreter so neither inherits the other's heap.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from game.authoring.loader import loads  # noqa: E402
from game.authoring.validator import validate  # noqa: E402


def plain(data: bytes) -> object:
    return yaml.load(data.decode("utf-8"), Loader=yaml.CSafeLoader)


def plain_no_gc(data: bytes) -> object:
    """The same plain load with the cyclic collector off, as Koers' loader runs."""
    gc.disable()
    try:
        return plain(data)
    finally:
        gc.enable()


def ours(data: bytes) -> object:
    scenario = loads(data, "large.en.yaml")
    findings = validate(scenario)
    assert not findings, findings[:3]
    return scenario


PEAK = """
import sys, tracemalloc
sys.path[:0] = {paths!r}
data = open({file!r}, "rb").read()
from bench_load import {fn}
tracemalloc.start()
result = {fn}(data)
print(tracemalloc.get_traced_memory()[1])
"""


def peak(fn: str, file: Path) -> int:
    code = PEAK.format(paths=[str(HERE), str(HERE.parent)], file=str(file), fn=fn)
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=HERE / "out" / "large.en.yaml")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not args.file.exists():
        from generate_scenario import main as generate

        sys.argv = [sys.argv[0], "10000", str(args.file)]
        generate()
    data = args.file.read_bytes()
    times: dict[str, list[float]] = {"plain": [], "plain_no_gc": [], "ours": []}
    for _ in range(args.rounds):
        for name, fn in (("plain", plain), ("plain_no_gc", plain_no_gc), ("ours", ours)):
            start = time.perf_counter()
            fn(data)
            times[name].append(time.perf_counter() - start)
    t_plain, t_ours = statistics.median(times["plain"]), statistics.median(times["ours"])
    t_no_gc = statistics.median(times["plain_no_gc"])
    m_plain, m_ours = peak("plain", args.file), peak("ours", args.file)
    print(f"file: {args.file.name}, {len(data) / 1e6:.1f} MB, median of {args.rounds} interleaved rounds")
    print(f"plain yaml.load(CSafeLoader): {t_plain:7.2f} s   peak {m_plain / 1e6:7.1f} MB")
    print(f"plain, collector off:         {t_no_gc:7.2f} s")
    print(f"koers load + validate:        {t_ours:7.2f} s   peak {m_ours / 1e6:7.1f} MB")
    print(f"ratio: time {t_ours / t_plain:.2f}x (goal <= 1.0x), {t_ours / t_no_gc:.2f}x of the collector-off load "
          f"(goal <= 1.25x), peak memory {m_ours / m_plain:.2f}x (goal <= 1.1x)")


if __name__ == "__main__":
    main()
