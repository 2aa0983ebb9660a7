"""How long `koers schema` takes, start to finish in a fresh process, against
`koers validate` on a bundled scenario, measured side by side.

    .venv/bin/python benchmarks/schema_bench.py [--rounds 9]

Goal (issue 15): at most 1.5x. Bytecode caches are warm (one run of each
first), as after a real install; the two alternate, so a busy machine slows both.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "scenarios" / "delegation.nl.yaml"


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # real installs keep bytecode
    sides = {
        f"koers validate {FILE.name}": [sys.executable, "-m", "game", "validate", str(FILE)],
        "koers schema": [sys.executable, "-m", "game", "schema"],
    }
    for command in sides.values():
        timed(command, env)
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.rounds):
        for name, command in sides.items():
            times[name].append(timed(command, env))
    base, ours = (statistics.median(times[name]) for name in sides)
    for name, median in zip(sides, (base, ours)):
        print(f"{name}: {median * 1000:6.0f} ms (median of {args.rounds})")
    print(f"ratio: {ours / base:.2f}x (goal: at most 1.5x)")


if __name__ == "__main__":
    main()
