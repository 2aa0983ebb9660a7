"""Write a large, valid scenario for the load benchmark.

    python benchmarks/generate_scenario.py [SCENES] [OUT]

The defaults (10,000 scenes) give a file of about 9 MB: every scene has two
paragraphs, three choices with effects, consequences, concepts and mostly coaching
notes, and every tenth a text variant and a timer.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

OUT = Path(__file__).parent / "out" / "large.en.yaml"
WORDS = (
    "team deadline trust listen decide delegate frame result question answer pressure "
    "colleague meeting report board quarter plan risk ownership feedback coach"
).split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(scenes: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    out = [
        "koers: 1",
        "id: large",
        "title: A very large scenario",
        "language: en",
        'version: "1"',
        "summary: Generated for the load benchmark.",
        "minutes: 600",
        "sources:\n  - id: src\n    cite: Generated.",
        "characters:\n  - id: ann\n    name: Ann\n  - id: bob\n    name: Bob",
        "meters:",
        "  - {id: trust, label: Trust, min: -100000, max: 100000, start: 0}",
        "  - {id: ownership, label: Ownership, min: -100000, max: 100000, start: 0, shown: false}",
        "flags:\n  - id: asked",
        "start: s0",
        "scenes:",
    ]
    for i in range(scenes):
        nxt = [f"s{i + 1}" if i + 1 < scenes else "end_good", f"s{min(i + 2, scenes - 1)}" if i + 2 < scenes else "end_bad"]
        out.append(f"  - id: s{i}")
        out.append(f"    speaker: {'ann' if i % 2 else 'bob'}")
        out.append("    text: |")
        out.append("      " + sentence(rng, 7))
        out.append("")
        out.append("      " + sentence(rng, 7))
        if i % 10 == 0:
            out.append("    variants:")
            out.append("      - when: {flag: asked, meter: trust, at_least: 3}")
            out.append(f"        text: {sentence(rng, 12)}")
            out.append("    timer: {seconds: 20, timeout: c0}")
        out.append("    choices:")
        for c in range(3):
            out.append(f"      - id: c{c}")
            out.append(f"        text: {sentence(rng, 5)}")
            out.append(f"        next: {nxt[c % 2]}")
            out.append(f"        effects: {{trust: {c - 1}, ownership: {1 - c}}}")
            if c == 1:
                out.append("        set: [asked]")
            out.append(f"        consequence: {sentence(rng, 5)}")
            if c < 2:
                out.append(f"        coaching: {sentence(rng, 4)}")
            out.append("        concepts: [listen]")
            if c == 2:
                out.append("        recommended: false")
                out.append(f"        rationale: {sentence(rng, 4)}")
    out += [
        "endings:",
        "  - {id: end_good, title: Good, text: It went well., rating: strong}",
        "  - {id: end_bad, title: Bad, text: It did not., rating: weak}",
        "concepts:",
        "  - {id: listen, name: Listening, what: Listen., how: Tell me more., why: People feel heard., source: src}",
        "debrief:\n  reflection: [What did you notice?]\n  transfer: What will you do tomorrow?",
    ]
    return "\n".join(out) + "\n"


def main() -> None:
    scenes = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generate(scenes), encoding="utf-8")
    print(f"{path}: {scenes:,} scenes, {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
