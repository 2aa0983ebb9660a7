"""Hostile scenario files against a valid one of the same size.

    python benchmarks/hostile_bench.py [--mb N] [--rounds N]

Goal (docs/performance.md): no file below the size limit costs more than
1.5x the time and the memory of loading and validating a generated valid
scenario of equal bytes. Each hostile shape is generated to the size of the
valid file; times are interleaved in this process (load, then validate if it
loads), peak memory is taken with tracemalloc in a fresh interpreter per file.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from generate_scenario import generate  # noqa: E402

from game.core.diagnostics import ScenarioError  # noqa: E402
from game.authoring.loader import loads  # noqa: E402
from game.authoring.validator import validate  # noqa: E402

HEAD = (HERE.parent / "tests" / "fixtures" / "base.en.yaml").read_bytes()


def repeat(size: int, head: bytes, item: str) -> bytes:
    """``head`` and then ``item`` (its ``{i}`` a running number) until the file has ``size`` bytes."""
    parts, total, i = [head], len(head), 0
    while total < size:
        line = item.replace("{i}", str(i)).encode()
        parts.append(line)
        total += len(line)
        i += 1
    return b"".join(parts)[:size].rsplit(b"\n", 1)[0] + b"\n"


def shapes(size: int) -> dict[str, tuple[bytes, bytes | None]]:
    """Hostile files of ``size`` bytes, each with a valid twin of the same
    shape and size where one is needed (None: the generated scenario is its twin)."""
    scenes_at = HEAD.index(b"scenes:\n") + len(b"scenes:\n")
    before, after = HEAD[:scenes_at], HEAD[scenes_at:]

    def scenes(item: str) -> bytes:
        return repeat(size - len(after), before, item) + after

    def scene(a: str, b: str, effect: str = "") -> str:
        return "  - {id: s{i}, speaker: ann, text: x, choices: [{id: a, text: a, next: %s}, {id: b, text: b, next: %s%s}]}\n" % (a, b, effect)

    def nested(flag: str) -> str:
        when = "{all: [" * 20 + "{flag: %s}" % flag + "]}" * 20
        return "  - {id: c{i}, speaker: ann, text: x, choices: [{id: a, text: a, next: good, when: %s}, {id: b, text: b, next: bad}]}\n" % when

    return {
        "unknown keys": (repeat(size, HEAD, "k{i}: x\n"), None),
        "unknown keys in a scene": (repeat(size, HEAD.replace(b"    text: Hello.\n", b""), "    k{i}: x\n").replace(
            b"  - id: one\n", b"  - id: one\n    text: Hello.\n", 1), None),
        "lists where texts belong": (repeat(size, HEAD + b"goals:\n", "  - [x{i}]\n"),
                                     repeat(size, HEAD + b"goals:\n", "  - x{i}yz\n")),
        "choices that lead nowhere": (scenes(scene("n{i}", "m{i}")), scenes(scene("good", "bad"))),
        "numbers too long": (scenes(scene("good", "bad", ", effects: {trust: 1234567890}")),
                             scenes(scene("good", "bad", ", effects: {trust: 123456789}"))),
        "nested conditions, undeclared flag": (scenes(nested("askd")), scenes(nested("asked"))),
    }


def check(data: bytes) -> None:
    try:
        scenario = loads(data, "f.yaml")
    except ScenarioError:
        return
    validate(scenario)


PEAK = """
import sys, tracemalloc
sys.path[:0] = {paths!r}
data = open({file!r}, "rb").read()
from hostile_bench import check
tracemalloc.start()
check(data)
print(tracemalloc.get_traced_memory()[1])
"""


def peak(file: Path) -> int:
    code = PEAK.format(paths=[str(HERE), str(HERE.parent)], file=str(file))
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=4.0, help="size of every file (default 4)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    scenes = 10
    while len(valid := generate(scenes).encode()) < args.mb * 1e6:
        scenes = int(scenes * args.mb * 1e6 / len(valid)) + 1
    files = {"generated valid scenario": valid}
    twins = {}
    for name, (hostile, twin) in shapes(len(valid)).items():
        files[name] = hostile
        if twin is not None:
            twins[name] = f"  twin of {name}"
            files[twins[name]] = twin
    times: dict[str, list[float]] = {name: [] for name in files}
    for _ in range(args.rounds):
        for name, data in files.items():
            start = time.perf_counter()
            check(data)
            times[name].append(time.perf_counter() - start)
    peaks = {}
    for i, (name, data) in enumerate(files.items()):
        path = out / f"hostile-{i}.en.yaml"
        path.write_bytes(data)
        peaks[name] = peak(path)
        path.unlink()
    t = {name: statistics.median(ts) for name, ts in times.items()}
    base = "generated valid scenario"
    print(f"{len(valid) / 1e6:.1f} MB each, median of {args.rounds} interleaved rounds. Goal: at most 1.5x the generated")
    print("valid scenario; a valid twin of the same shape shows what the shape costs without its errors.")
    print(f"{'file':<36} {'time':>7} {'ratio':>6} {'peak':>8} {'ratio':>6}   vs its twin")
    for name in files:
        if name.startswith("  twin"):
            continue
        line = (f"{name:<36} {t[name]:6.2f}s {t[name] / t[base]:5.2f}x {peaks[name] / 1e6:6.1f}MB "
                f"{peaks[name] / peaks[base]:5.2f}x")
        if name in twins:
            twin = twins[name]
            line += f"   time {t[name] / t[twin]:.2f}x, peak {peaks[name] / peaks[twin]:.2f}x"
        print(line)


if __name__ == "__main__":
    main()
