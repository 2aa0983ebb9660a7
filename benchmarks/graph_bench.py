"""How long `koers graph FILE` takes, start to finish in a fresh process, in
each format, against `koers validate FILE` on the same file, side by side.

    .venv/bin/python benchmarks/graph_bench.py [--rounds 9] [FILE]

Goal (issue 15): at most 1.5x of validate. The HTML page runs Graphviz's dot
when it is installed (the script says whether it is), so its time includes
the layout. Bytecode caches are warm (one run of each first), as after a
real install; the sides alternate, so a busy machine slows them alike. Each
run's CPU time (its own and its children's, Graphviz included) is reported
beside the wall-clock time: on a shared machine it is the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "scenarios" / "delegation.nl.yaml"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("file", nargs="?", type=Path, default=FILE)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # real installs keep bytecode
    koers = [sys.executable, "-m", "game"]
    sides = {"koers validate": [*koers, "validate", str(args.file)]}
    for fmt in ("mermaid", "dot", "html"):
        sides[f"koers graph --format {fmt}"] = [*koers, "graph", str(args.file), "--format", fmt]
    for command in sides.values():
        timed(command, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for _ in range(args.rounds):
        for name, command in sides.items():
            times[name].append(timed(command, env))
    medians = {name: [statistics.median(run[i] for run in runs) for i in (0, 1)] for name, runs in times.items()}
    base_wall, base_cpu = medians["koers validate"]
    print(f"{args.file.name}, median of {args.rounds} rounds; Graphviz {'installed' if shutil.which('dot') else 'NOT installed'}")
    print(f"{'':28} {'wall':>8} {'ratio':>6}   {'CPU':>8} {'ratio':>6}   (goal: at most 1.5x)")
    for name, (wall, cpu) in medians.items():
        print(f"{name:28} {wall * 1000:5.0f} ms {wall / base_wall:5.2f}x   {cpu * 1000:5.0f} ms {cpu / base_cpu:5.2f}x")


if __name__ == "__main__":
    main()
