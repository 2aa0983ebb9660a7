"""How `koers list` scales with the size of an unchanged scenario folder: 300
files against 3, both cached, measured side by side in this one script.

    .venv/bin/python benchmarks/library_bench.py [--rounds 7]

Goal (issue 12): a library of 300 unchanged scenario files lists in at most 2x
the time of 3 files. Each run is the whole command in a fresh interpreter, with
bytecode caches and the scenario cache warm (one run of each first), as on a
machine where Koers has been used before. The runs of the two sides alternate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "scenarios" / "delegation.nl.yaml"


def folder(root: Path, n: int) -> Path:
    """``n`` copies of a bundled scenario, each with an id of its own."""
    out = root / f"lib{n}"
    out.mkdir()
    text = SOURCE.read_text(encoding="utf-8")
    for i in range(n):
        (out / f"copy{i:03}.nl.yaml").write_text(text.replace("id: delegation\n", f"id: copy{i:03}\n", 1),
                                                encoding="utf-8")
    return out


def run(folder: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "game", "list", "--scenarios", str(folder)], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # real installs keep bytecode
        env["XDG_CACHE_HOME"] = str(root / "cache")
        small, large = folder(root, 3), folder(root, 300)
        cold = run(large, env)  # fills the cache: the first run after an install or an edit of every file
        run(small, env)
        times: dict[int, list[float]] = {3: [], 300: []}
        for _ in range(args.rounds):
            times[3].append(run(small, env))
            times[300].append(run(large, env))
        few, many = statistics.median(times[3]), statistics.median(times[300])
        print(f"koers list, 3 files:   {few * 1000:7.0f} ms (median of {args.rounds})")
        print(f"koers list, 300 files: {many * 1000:7.0f} ms, first run (cache empty) {cold * 1000:.0f} ms")
        print(f"300 / 3: {many / few:.2f}x (goal: at most 2x)")


if __name__ == "__main__":
    main()
