"""Write N generated playthroughs of a bundled scenario as save files.

    .venv/bin/python benchmarks/generate_saves.py OUT_DIR --count 10000 [--corrupt 5] [--seed 1]

Players choose at random, in Dutch or English; about one in ten stops before
the end, some let a timer run out, and half share their first reflection.
With ``--corrupt P``, P percent of the files are damaged in the ways a shared
folder damages them: cut off, overwritten with bytes, or another program's JSON.
"""

from __future__ import annotations

import argparse
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import msgspec

from game.saves.codec import encode
from game.saves.playthrough import Playthrough
from game.authoring.library import bundled_dir
from game.authoring.loader import load
from game.core.run import Run

START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
ANSWERS = (
    "Toen de timer afliep wilde ik het zelf doen.",
    "I noticed my shoulders tense up when Joost pushed back.",
    "Ik vertel wat ik weet en wat nog niet.",
    "Saying 'I don't know yet' out loud felt risky, then freeing.",
)


SESSION = "ROOM-1"


def playthroughs(scenario_id: str, count: int, seed: int, session: str | None = SESSION):
    rng = random.Random(seed)
    scenarios = [load(bundled_dir() / f"{scenario_id}.{lang}.yaml") for lang in ("nl", "en")]
    for i in range(count):
        scenario = scenarios[rng.random() < 0.3]
        started = START + timedelta(seconds=i)
        p = msgspec.structs.replace(Playthrough.new(scenario, f"player-{i}", session=session, now=started),
                                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)))  # seeded, so runs repeat
        run = Run.start(scenario)
        stop = rng.randrange(2, 6) if rng.random() < 0.1 else None
        while not run.finished and len(run.steps) != stop:
            timer = run.timer
            if timer is not None and rng.random() < 0.1:
                run = run.time_out(timer.seconds * 1000)
            else:
                run = run.choose(rng.choice(run.choices).id, rng.randint(2_000, 28_000))
        p = p.record(run, now=started + timedelta(minutes=12))
        if run.finished:
            p = p.with_reflection(0, rng.choice(ANSWERS), shared=rng.random() < 0.5, now=started + timedelta(minutes=14))
        yield p


def damage(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(3)
    if kind == 0:
        return data[: rng.randrange(1, len(data) - 1)]  # cut off mid-write
    if kind == 1:
        return bytes(rng.randrange(256) for _ in range(200))  # overwritten
    return b'{"name": "not a save", "version": 3, "items": [1, 2, 3]}\n'  # another program's JSON


def write(out: Path, count: int, corrupt: float = 0.0, seed: int = 1, scenario: str = "crisisreflex") -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)
    for p in playthroughs(scenario, count, seed):
        # The format save() writes, without its fsync per file: generating 10,000 would take minutes.
        data = encode(p)
        if rng.random() * 100 < corrupt:
            data = damage(data, rng)
        (out / f"{p.id}.json").write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--corrupt", type=float, default=0.0, metavar="PERCENT")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", default="crisisreflex", help="a bundled scenario id")
    args = parser.parse_args(argv)
    write(args.out, args.count, args.corrupt, args.seed, args.scenario)
    damaged = f", {args.corrupt:g}% of them damaged" if args.corrupt else ""
    print(f"Wrote {args.count:,} playthroughs of '{args.scenario}' (Dutch and English) to {args.out}{damaged}; "
          f"session code {SESSION}.")
    print(f"Debrief them with: koers debrief {args.out} --session {SESSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
