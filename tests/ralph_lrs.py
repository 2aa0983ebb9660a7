"""A real Learning Record Store for the tests: Ralph (PyPI ralph-malph) with
its filesystem backend, run by uvicorn in a process of its own on a loopback
socket the test binds first (so the port is free and no other process can
take it), and stopped afterwards.

To try ``koers xapi send`` by hand (docs/xapi.md):

    .venv/bin/python tests/ralph_lrs.py /tmp/lrs [--port 8100]

serves until Ctrl+C, with user ``trainer`` and the password in /tmp/lrs/password.

Ralph 5.1.0's filesystem backend creates its file on every write, so each
write after the first fails; it is set to append here. Its password check
is bcrypt: the test user's hash has the fewest rounds, to keep requests quick.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import attrs
import bcrypt

USER, PASSWORD = "trainer", "correct horse battery staple"

_SERVE = """
import sys, uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend
FSDataBackend.default_operation_type = BaseOperationType.APPEND
from ralph.api import app
uvicorn.run(app, fd=int(sys.argv[1]), log_level="error")
"""


@attrs.frozen
class Ralph:
    endpoint: str  # the xAPI endpoint: statements are at endpoint + "statements"
    password_file: Path
    stored: Path  # the file Ralph keeps its statements in, one JSON object a line

    def statements(self, registration: str) -> list[dict]:
        """The statements the LRS holds for one registration, read back through its API."""
        query = urllib.parse.urlencode({"registration": registration, "limit": 500})
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(f"{self.endpoint}statements?{query}", headers={
            "Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["statements"]

    def stored_ids(self) -> list[str]:
        lines = self.stored.read_text(encoding="utf-8").splitlines() if self.stored.exists() else []
        return [json.loads(line)["id"] for line in lines]


@contextlib.contextmanager
def ralph(folder: Path, port: int = 0) -> Iterator[Ralph]:
    folder.mkdir(parents=True, exist_ok=True)
    auth = folder / "auth.json"
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    auth.write_text(json.dumps([{"username": USER, "hash": hashed, "scopes": ["all"],
                                 "agent": {"mbox": "mailto:trainer@example.org"}}]), encoding="utf-8")
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    data = folder / "data"
    env = {**os.environ, "RALPH_AUTH_FILE": str(auth), "RALPH_RUNSERVER_BACKEND": "fs",
           "RALPH_HISTORY_FILE": str(folder / "history.json"),
           "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data)}
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(16)
    port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", _SERVE, str(sock.fileno())], env=env, cwd=folder,
                              pass_fds=[sock.fileno()], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sock.close()  # the server holds its own copy
    try:
        _wait_until_up(port, server)
        yield Ralph(f"http://127.0.0.1:{port}/xAPI/", password_file, data / "fs_lrs.jsonl")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Ralph stopped: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__heartbeat__", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("Ralph did not answer within 30 s")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Run Ralph as an LRS on loopback until Ctrl+C.")
    parser.add_argument("folder", type=Path, help="where Ralph keeps its users and statements")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop Ralph too when stopped
    with ralph(args.folder, args.port) as lrs:
        print(f"An LRS at {lrs.endpoint}: user {USER}, password in {lrs.password_file}, statements in {lrs.stored}")
        print("Ctrl+C stops it.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
