"""One player's Koers process, driven the way Textual's web driver expects.

Textual runs an app for a browser when ``TEXTUAL_DRIVER`` names its web
driver: the app writes ``__GANGLION__`` and then packets on stdout (a type
byte, ``D`` for terminal output, ``M`` for JSON meta, ``P`` for packed data;
a four-byte big-endian length; the payload), and reads packets of the same
shape on stdin (``D`` keys as the terminal would send them, ``M`` resize,
focus, blur and quit). textual-serve speaks the same protocol; this is that
bridge, with the child's stderr kept in the room's log file instead of on the
trainer's screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import IO

PRELUDE = b"__GANGLION__\n"
STOP_SECONDS = 5.0  # a player's Koers saves and ends on "quit"; one that does not is ended after this


def packet(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def environment(width: int, height: int, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update({
        "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
        "TEXTUAL_FPS": "60",
        "TEXTUAL_COLOR_SYSTEM": "truecolor",
        "TERM_PROGRAM": "textual",
        "COLUMNS": str(width),
        "ROWS": str(height),
    })
    return env


class Child:
    """A Koers process for one connection; ``output`` gets every frame it draws."""

    def __init__(self, argv: Sequence[str], log: IO[bytes], output: Callable[[bytes], Awaitable[None]]) -> None:
        self.argv, self.log, self.output = list(argv), log, output
        self.process: asyncio.subprocess.Process | None = None
        self.ended = asyncio.Event()  # the app said it exited, or its output ended
        self._reader: asyncio.Task[None] | None = None

    async def start(self, width: int, height: int) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=self.log,
            env=environment(width, height))
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        try:
            for _ in range(20):  # anything the app prints before the prelude is not for the browser
                line = await stdout.readline()
                if not line or line == PRELUDE:
                    break
            while True:
                kind = await stdout.readexactly(1)
                size = int.from_bytes(await stdout.readexactly(4), "big")
                payload = await stdout.readexactly(size)
                if kind == b"D":
                    await self.output(payload)
                elif kind == b"M" and _meta_type(payload) == "exit":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.ended.set()

    async def _send(self, kind: bytes, payload: bytes) -> None:
        if self.process is None or self.process.stdin is None or self.process.returncode is not None:
            return
        try:
            self.process.stdin.write(packet(kind, payload))
            await self.process.stdin.drain()
        except (ConnectionError, RuntimeError):  # it is ending; stop() deals with it
            pass

    async def keys(self, text: str) -> None:
        await self._send(b"D", text.encode("utf-8", "replace"))

    async def meta(self, **data: object) -> None:
        await self._send(b"M", json.dumps(data).encode("utf-8"))

    async def resize(self, width: int, height: int) -> None:
        await self.meta(type="resize", width=width, height=height)

    async def stop(self) -> int | None:
        """Ask the app to quit (it saves on the way out), and end it if it does not."""
        process = self.process
        if process is None:
            return None
        if process.returncode is None:
            await self.meta(type="quit")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), STOP_SECONDS)
        for end in (process.terminate, process.kill):  # SIGTERM also makes Textual's web driver quit the app
            if process.returncode is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                end()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), STOP_SECONDS)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        return process.returncode


def _meta_type(payload: bytes) -> object:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return data.get("type") if isinstance(data, dict) else None
