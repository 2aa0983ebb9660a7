"""How long `koers import twee` takes, measured side by side with a baseline.

    .venv/bin/python benchmarks/import_bench.py [--passages 1000] [--rounds 3]

1. The whole command on a generated SugarCube story (every passage 40 words,
   a step, three links), start to finish in a fresh process, against
   `koers validate` of the scenario it writes: the import reads the Twee,
   converts it, writes YAML, and then does what validate does.
2. Reading the passages (the scan of links, macros and HTML) of a hostile
   story, every construct unclosed (``<<``, ``[[``, ``(a:``, ``/*`` ...),
   against a good story of the same size, in this process: the scan is one
   pass, so the hostile file should cost what the good one does.

Bytecode caches are warm (one run of each first), as after a real install.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
WORDS = "team deadline trust listen decide delegate frame result question answer pressure colleague".split()


def story(passages: int) -> str:
    rng = random.Random(1)
    out = [":: StoryTitle\nGenerated\n", ':: StoryData\n{"ifid": "X", "format": "SugarCube", "start": "p0"}\n',
           ":: StoryInit\n<<set $trust to 0>>\n"]
    last = passages - 5
    for i in range(passages - 3):
        out.append(f":: p{i}\n<<set $trust += {rng.randint(-2, 2)}>>\n" + " ".join(rng.choice(WORDS) for _ in range(40)) + ".\n")
        out.append("".join(f"[[Go {k}->p{min(i + k, last)}]]\n" for k in (1, 2, 3)) if i < last else "The end.\n")
    return "".join(out)


def hostile(size: int) -> str:
    unit = "<< [[ (a: /* <!-- /% $x "
    return ":: Start\n[[End]]\n" + unit * (size // len(unit)) + "\n:: End\nOut.\n"


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from game.authoring.twee import parse
    from game.authoring.twee_text import Findings

    OUT.mkdir(exist_ok=True)
    twee, scenario = OUT / f"story-{args.passages}.twee", OUT / f"story-{args.passages}.en.yaml"
    twee.write_text(story(args.passages), encoding="utf-8")
    scenario.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    koers = [sys.executable, "-m", "game"]
    subprocess.run([*koers, "import", "twee", str(twee), "--language", "en", "--output", str(scenario)],
                   env=env, cwd=ROOT, stderr=subprocess.DEVNULL, check=True)
    sides = {"koers validate": [*koers, "validate", str(scenario)],
             "koers import twee": [*koers, "import", "twee", str(twee), "--language", "en"]}
    for command in sides.values():
        timed(command, env)
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.rounds):
        for name, command in sides.items():
            times[name].append(timed(command, env))
    base, ours = (statistics.median(times[name]) for name in sides)
    size = twee.stat().st_size
    print(f"{args.passages:,} passages, {size / 1e6:.1f} MB of Twee, {scenario.stat().st_size / 1e6:.1f} MB of YAML "
          f"(median of {args.rounds})")
    print(f"koers validate of the result: {base:6.2f} s")
    print(f"koers import twee:            {ours:6.2f} s   ratio {ours / base:.2f}x")

    good, bad = story(args.passages).encode(), hostile(size).encode()
    scans: dict[str, list[float]] = {"good": [], "hostile": []}
    for _ in range(args.rounds):
        for name, data in (("good", good), ("hostile", bad)):
            start = time.perf_counter()
            parse("bench.twee", data, Findings("bench.twee"))
            scans[name].append(time.perf_counter() - start)
    g, h = statistics.median(scans["good"]), statistics.median(scans["hostile"])
    print(f"reading the passages, {len(good) / 1e6:.1f} MB good: {g:6.2f} s; {len(bad) / 1e6:.1f} MB hostile: "
          f"{h:6.2f} s   ratio {h / g:.2f}x")


if __name__ == "__main__":
    main()
