"""The workshop room under a full room: 30 players join `koers serve` at once
as websocket clients on loopback (as textual.js would), then play.

Reports, each against its goal (docs/performance.md):
- the first frame of every player after 30 join at once (goal: all within 10 s);
- key press to the next frame at the 95th percentile while 30 play (moving
  through a scene's choices), as a ratio
  to the same measured with one player first, in this run (goal: 1.5x);
- a choice to the facilitator view's watcher seeing it, 95th percentile (goal: 1 s);
- memory per player: what one more player costs (the private pages of their
  Koers, forked from the fork server) as a ratio to a minimal Textual app
  served the same way, in this run (goal: 1.6x).

    .venv/bin/python benchmarks/room_bench.py [--players 30]

Every request goes to 127.0.0.1; every process it starts is ended before it exits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiohttp import ClientSession, WSMsgType, web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.debrief.live import Watcher  # noqa: E402
from game.tui.room import TICK  # noqa: E402
from game.web.server import COOKIE, Config, Room, player_args  # noqa: E402

SCENARIO = ROOT / "tests" / "fixtures" / "base.en.yaml"
#: The baseline for memory: the least a Textual app served the same way is.
MINIMAL = ("from textual.app import App\nfrom textual.widgets import Static\n\n"
           "class Minimal(App):\n    def compose(self):\n        yield Static('Who is playing?')\n\n"
           "def main(args):\n    Minimal().run()\n    return 0\n")
KEYS = 12  # key presses per player in the typing round


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


class Client:
    def __init__(self, session: ClientSession, url: str) -> None:
        self.session, self.url, self.id = session, url, str(uuid.uuid4())  # a browser's cookie
        self.text = ""
        self.frames = asyncio.Queue[float]()

    async def connect(self) -> float:
        """Open the websocket; seconds until the first frame that shows something."""
        start = time.perf_counter()
        self.ws = await self.session.ws_connect(self.url, headers={"Cookie": f"{COOKIE}={self.id}"})
        self.reader = asyncio.create_task(self.read())
        await self.until("Who is playing?")
        return time.perf_counter() - start

    async def read(self) -> None:
        async for message in self.ws:
            if message.type == WSMsgType.BINARY:
                self.text = self.text[-4000:] + message.data.decode("utf-8", "replace")  # enough to find a line in
                self.frames.put_nowait(time.perf_counter())

    async def until(self, words: str, timeout: float = 120) -> None:
        deadline = time.perf_counter() + timeout
        while words not in self.text:
            if time.perf_counter() > deadline:
                raise TimeoutError(words)
            await asyncio.sleep(0.02)

    async def key(self, text: str) -> float:
        """Send a key; seconds until the next frame."""
        while not self.frames.empty():
            self.frames.get_nowait()
        sent = time.perf_counter()
        await self.ws.send_str(json.dumps(["stdin", text]))
        return await asyncio.wait_for(self.frames.get(), 30) - sent

    async def enter(self) -> None:
        """Give a name and wait for the first scene, plus the moment in which keys do not count."""
        await self.ws.send_str(json.dumps(["stdin", "P\r"]))
        await self.until("Hello.")
        await asyncio.sleep(1.0)

    async def playing(self, keys: int = KEYS) -> list[float]:
        """Move the highlight through the choices, as a player does before picking one."""
        latencies = []
        for i in range(keys):
            await asyncio.sleep(random.uniform(0.3, 0.7))
            latencies.append(await self.key("\x1b[B" if i % 2 == 0 else "\x1b[A"))  # down, up
        return latencies


def private_kb(pid: int) -> int:
    """What one more player costs in memory: the pages of its process that no other process shares
    (a process forked from the fork server shares the rest with it and with the other players)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
    return sum(int(fields[key].split()[0]) for key in ("Private_Clean", "Private_Dirty"))


async def serve(config: Config, log) -> tuple[Room, web.AppRunner, str]:
    room = Room(config, log)
    runner = web.AppRunner(room.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return room, runner, f"ws://127.0.0.1:{runner.addresses[0][1]}/{config.token}/ws?width=100&height=30"


async def memory(folder: Path, config: Config, count: int, log) -> float:
    """Mean MiB of ``count`` served processes, once each shows its first frame."""
    room, runner, url = await serve(config, log)
    try:
        async with ClientSession() as session:
            clients = [Client(session, url) for _ in range(count)]
            await asyncio.gather(*(c.connect() for c in clients))
            await asyncio.sleep(1)
            sizes = [private_kb(p.child.pid) for p in room.players.values() if p.child and p.child.pid]
            for c in clients:
                await c.ws.close()
    finally:
        await room.close()
        await runner.cleanup()
    return statistics.mean(sizes) / 1024


async def koers_serve(folder: Path, players: int) -> tuple[asyncio.subprocess.Process, str]:
    """`koers serve` as the trainer starts it (piped, so without the facilitator view); its link as ws://."""
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "game", "serve", "--session", "BENCH", "--saves", str(folder), "--host", "127.0.0.1",
        "--port", "0", "--max-players", str(players + 1), "--scenario", str(SCENARIO),
        stdout=asyncio.subprocess.PIPE, cwd=ROOT)
    assert server.stdout is not None
    while line := (await asyncio.wait_for(server.stdout.readline(), 30)).decode():
        if line.startswith("Join: "):
            return server, line.split()[1].replace("http://", "ws://") + "ws?width=100&height=30"
    raise RuntimeError("koers serve printed no link")


async def main(players: int) -> None:
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="room-bench-") as tmp:
        folder = Path(tmp) / "room"
        folder.mkdir()
        log = open(Path(tmp) / "koers-room.log", "ab")
        server, url = await koers_serve(folder, players)
        try:
            async with ClientSession() as session:
                warm = Client(session, url)  # bytecode and the scenario cache are written once, before timing
                await warm.connect()
                await warm.ws.close()
                await asyncio.sleep(1)

                one = Client(session, url)
                await one.connect()
                await one.enter()
                alone = await one.playing(KEYS * 4)  # as many samples as a few players give
                await one.ws.close()
                await asyncio.sleep(1)

                clients = [Client(session, url) for _ in range(players)]
                firsts = await asyncio.gather(*(c.connect() for c in clients))
                await asyncio.gather(*(c.enter() for c in clients))
                await asyncio.sleep(2)
                crowded = [x for lat in await asyncio.gather(*(c.playing() for c in clients)) for x in lat]

                watcher, seen, sent = Watcher(folder, "BENCH"), {}, {}
                watcher.refresh()

                async def play(c: Client) -> None:
                    await asyncio.sleep(random.uniform(0, 2))  # a room does not choose in one instant
                    sent[c.id] = time.perf_counter()
                    await c.ws.send_str(json.dumps(["stdin", "1"]))

                async def watch() -> None:
                    while len(seen) < players:
                        await asyncio.sleep(TICK)  # as the facilitator view looks
                        if watcher.refresh():
                            now = time.perf_counter()
                            for who, where in watcher.whereabouts().items():
                                if where.decisions and who not in seen:
                                    seen[who] = now

                await asyncio.wait_for(asyncio.gather(watch(), *(play(c) for c in clients)), 180)
                shown = [seen[c.id] - sent[c.id] for c in clients]
                for c in clients:
                    await c.ws.close()
        finally:
            server.terminate()  # the room closes: every player's Koers saves and ends
            await asyncio.wait_for(server.wait(), 60)

        # The players' processes here are forked in this process's fork server: without this, each
        # would run this script again as its main module (multiprocessing does that for a script;
        # `koers serve`, run as `python -m game` or the koers command, costs nothing of the kind).
        del sys.modules["__main__"].__file__
        (Path(tmp) / "room_minimal.py").write_text(MINIMAL)
        sys.path.insert(0, tmp)  # before the fork server starts: its processes import from here
        koers = await memory(folder, Config("BENCH", folder, player_args(folder, SCENARIO, []), token="t"), 5, log)
        minimal = await memory(folder, Config("BENCH", folder, (), token="t", entry="room_minimal:main"), 5, log)
        log.close()

    print(f"{players} players joining at once: first frame at most {max(firsts):.1f} s, median {statistics.median(firsts):.1f} s (goal: all within 10 s)")
    print(f"key press to the next frame, 95th percentile: one player {p95(alone) * 1000:.0f} ms, "
          f"{players} players {p95(crowded) * 1000:.0f} ms: {p95(crowded) / p95(alone):.2f}x (goal: 1.5x)")
    print(f"a choice to the facilitator view: 95th percentile {p95(shown):.2f} s, at most {max(shown):.2f} s (goal: 1 s)")
    print(f"memory per player: Koers {koers:.0f} MiB, a minimal Textual app {minimal:.0f} MiB: {koers / minimal:.2f}x (goal: 1.6x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--players", type=int, default=30)
    asyncio.run(main(parser.parse_args().players))
