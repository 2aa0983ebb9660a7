"""How long `koers validate FILE` takes, start to finish in a fresh process,
against `python -c "import yaml, attrs"` (the two libraries it cannot do
without), measured side by side.

    .venv/bin/python benchmarks/validate_bench.py [--rounds 9]

Goal (issue 12): at most 1.5x, never importing Textual. Bytecode caches are
warm (one run of each first), as after a real install.
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
    subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # real installs keep bytecode
    sides = {
        "import yaml, attrs": [sys.executable, "-c", "import yaml, attrs"],
        "koers validate": [sys.executable, "-m", "game", "validate", str(FILE)],
    }
    for command in sides.values():
        timed(command, env)
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.rounds):
        for name, command in sides.items():
            times[name].append(timed(command, env))
    base, ours = (statistics.median(times[name]) for name in sides)
    print(f"python -c 'import yaml, attrs': {base * 1000:6.0f} ms (median of {args.rounds})")
    print(f"koers validate {FILE.name}: {ours * 1000:6.0f} ms")
    print(f"ratio: {ours / base:.2f}x (goal: at most 1.5x)")


if __name__ == "__main__":
    main()
