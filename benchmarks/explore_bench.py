"""How long `koers explore FILE` takes, start to finish in a fresh process, on
every bundled scenario and on the generated 10,000-scene one, against
`koers validate FILE` on the same file (which reads and checks it, as explore
does first), measured side by side.

    .venv/bin/python benchmarks/explore_bench.py [--rounds 3] [--scenes 10000]

Goals (issue 15): every bundled scenario explored exactly (every state, no
sampling) in under 2 s; the generated scenario (benchmarks/generate_scenario.py,
written to benchmarks/out/explore-SCENES.en.yaml) exactly in under 30 s, with
no ending reported "NOT REACHED". Bytecode caches are warm (one run of each
first), as after a real install.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_scenario import generate  # noqa: E402


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "game", *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=False)
    return time.perf_counter() - start, result.stdout


def measure(path: Path, rounds: int, env: dict[str, str]) -> tuple[float, float, dict[str, object]]:
    """Median seconds of explore and of validate on ``path``, and explore's report."""
    _, out = timed(["explore", "--format", "json", str(path)], env)
    timed(["validate", str(path)], env)
    explore, validate = [], []
    for _ in range(rounds):
        explore.append(timed(["explore", str(path)], env)[0])
        validate.append(timed(["validate", str(path)], env)[0])
    return statistics.median(explore), statistics.median(validate), json.loads(out)


def row(name: str, explore: float, validate: float, report: dict[str, object], goal: float) -> str:
    endings = report["endings"]
    assert isinstance(endings, dict)
    unreached = [e for e, v in endings.items() if v["paths"] == 0]
    exact = "exact" if report["exhaustive"] else "SAMPLED"
    met = "met" if report["exhaustive"] and explore < goal else "NOT MET"
    return (f"{name:34} {report['states']:>9,} states {exact:7}  explore {explore:6.2f} s  validate {validate:5.2f} s"
            f"  {explore / validate:5.1f}x  unreached {len(unreached)}  (< {goal:.0f} s: {met})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scenes", type=int, default=10_000)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # real installs keep bytecode
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        print(row(path.name, *measure(path, args.rounds, env), goal=2), flush=True)
    large = ROOT / "benchmarks" / "out" / f"explore-{args.scenes}.en.yaml"
    large.parent.mkdir(parents=True, exist_ok=True)
    large.write_text(generate(args.scenes), encoding="utf-8")
    print(row(f"generated, {args.scenes:,} scenes", *measure(large, 1, env), goal=30))


if __name__ == "__main__":
    main()
