"""One player's Koers process, driven the way Textual's web driver expects.

Textual runs an app for a browser when ``TEXTUAL_DRIVER`` names its web
driver: the app writes ``__GANGLION__`` and then packets on stdout (a type
byte, ``D`` for terminal output, ``M`` for JSON meta, ``P`` for packed data;
a four-byte big-endian length; the payload), and reads packets of the same
shape on stdin (``D`` keys as the terminal would send them, ``M`` resize,
focus, blur and quit). textual-serve speaks the same protocol; this is that
bridge, with the child's stderr kept in the room's log file instead of on the
trainer's screen.

A player's Koers is forked from a fork server that has imported Textual and
Koers once (multiprocessing's forkserver, where the platform has one; a fresh
interpreter elsewhere): most of a new process's start-up is those imports,
and thirty players join at once. Its stdin and stdout are one socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import multiprocessing
import os
import signal
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

PRELUDE = b"__GANGLION__\n"
STOP_SECONDS = 5.0  # a player's Koers saves and ends on "quit"; one that does not is ended after this
ENTRY = "game.cli.main:main"  # what a player's process runs, with the room's arguments
PRELOAD = ["game.cli.preload"]  # imported once in the fork server, not in every player's process
#: What makes a Textual app draw for a browser. Textual reads these as it is imported, so the
#: fork server is started with them.
WEB = {"TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "TEXTUAL_FPS": "60",
       "TEXTUAL_COLOR_SYSTEM": "truecolor", "TERM_PROGRAM": "textual"}

_context: Any = None  # multiprocessing's contexts have no common type that has Process


def packet(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def context() -> Any:
    """The fork server, started on first use with the web driver's environment."""
    global _context
    if _context is None:
        if "forkserver" not in multiprocessing.get_all_start_methods():
            _context = multiprocessing.get_context("spawn")
        else:
            from multiprocessing import forkserver

            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(PRELOAD)
            saved = {key: os.environ.get(key) for key in WEB}
            os.environ.update(WEB)
            try:
                forkserver.ensure_running()
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
    return _context


def _player(sock: socket.socket, lifeline: socket.socket, log: str, entry: str, args: list[str],
            env: dict[str, str]) -> None:
    """In the player's process: the socket as stdin and stdout, the log as stderr, then Koers;
    ended as if the room closed it (SIGTERM: it saves) when the room's end of ``lifeline``
    closes, also when the room itself was killed."""
    threading.Thread(target=_end_with, args=(lifeline,), daemon=True).start()
    os.environ.clear()
    os.environ.update(env)
    os.dup2(sock.fileno(), 0)
    os.dup2(sock.fileno(), 1)
    sock.close()
    err = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(err, 2)
    os.close(err)
    # Textual's web driver reads sys.__stdin__ and writes sys.__stdout__, which the fork server closed.
    sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)  # type: ignore[misc]
    sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", closefd=False)  # type: ignore[misc]
    module, name = entry.split(":")
    sys.exit(getattr(importlib.import_module(module), name)(args))


def _end_with(lifeline: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while lifeline.recv(1):
            pass
    os.kill(os.getpid(), signal.SIGTERM)


class Child:
    """A Koers process for one connection; ``output`` gets every frame it draws."""

    def __init__(self, args: Sequence[str], log: str, output: Callable[[bytes], Awaitable[None]],
                 entry: str = ENTRY) -> None:
        self.args, self.log, self.output, self.entry = list(args), log, output, entry
        self.process: multiprocessing.process.BaseProcess | None = None
        self.ended = asyncio.Event()  # the app said it exited, or its output ended
        self.exited = asyncio.Event()  # the process has ended
        self._writer: asyncio.StreamWriter | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lifeline: socket.socket | None = None  # the child ends when this closes

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    async def start(self, width: int, height: int) -> None:
        ours, theirs = socket.socketpair()
        self._lifeline, lifeline = socket.socketpair()
        env = {**os.environ, **WEB, "COLUMNS": str(width), "ROWS": str(height)}
        process = self.process = context().Process(
            target=_player, args=(theirs, lifeline, self.log, self.entry, self.args, env), daemon=False)
        process.start()  # the fork server forks it and answers its pid: milliseconds
        theirs.close()
        lifeline.close()
        loop = asyncio.get_running_loop()
        loop.add_reader(process.sentinel, self._exit)
        reader, self._writer = await asyncio.open_unix_connection(sock=ours)
        self._reader = asyncio.create_task(self._read(reader))

    def _exit(self) -> None:
        assert self.process is not None
        asyncio.get_running_loop().remove_reader(self.process.sentinel)
        self.exited.set()

    async def _read(self, stdout: asyncio.StreamReader) -> None:
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
        if self._writer is None or self.exited.is_set():
            return
        try:
            self._writer.write(packet(kind, payload))
            await self._writer.drain()
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
        await self.meta(type="quit")
        for end in (None, process.terminate, process.kill):  # SIGTERM also makes Textual's web driver quit the app
            if self.exited.is_set():
                break
            if end is not None:
                with contextlib.suppress(ProcessLookupError, OSError):
                    end()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.exited.wait(), STOP_SECONDS)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._writer is not None:
            self._writer.close()
        if self._lifeline is not None:
            self._lifeline.close()
        process.join(0)
        return process.exitcode


def _meta_type(payload: bytes) -> object:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return data.get("type") if isinstance(data, dict) else None
