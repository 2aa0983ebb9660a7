"""Checked scenario files kept between runs, so that an unchanged folder of
hundreds of scenarios lists as fast as a few (docs/performance.md).

An entry is kept in two parts in one file under the user's cache folder: a
small head (what a listing shows, and the file's diagnostics) and the body
(the whole checked scenario), so that listing a folder never unpickles a
story. The entry counts only while the file, and any file its check read (a
translation's original), has the path, size and modification time it had,
and only for the Koers that wrote it. The head is signed with a key made for
this cache folder and carries the body's digest: a damaged entry, or one
copied from another machine or user, fails the check and is read afresh from
the scenario file; it is never unpickled. A cache that cannot be written is
no cache: nothing else changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from game import __version__

_MAGIC = b"koers-scenario-cache 2\n"
_KEY_BYTES = 32
_SIGNATURE = 64  # hex digits of an HMAC-SHA256
_LENGTH = 12  # decimal digits of the head's length

Stamp = tuple[str, int, int]  # path, size, modification time in nanoseconds


def default_folder() -> Path:
    import platformdirs  # only when a cache is used: it costs start-up time

    return platformdirs.user_cache_path("koers", appauthor=False) / "scenarios"


def stamp(path: str) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_size, st.st_mtime_ns)


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._key: bytes | None = None
        self._engine = _engine_stamp()

    def get(self, path: str) -> tuple[object, Callable[[], object | None], list[str]] | None:
        """The head kept for ``path``, a way to its body (None if the body is
        damaged) and the other files its check read, if the entry is sound and
        still true; else None."""
        key = self._secret(create=False)
        if key is None:
            return None
        file = self.folder / _name(path)
        start = len(_MAGIC) + _SIGNATURE + _LENGTH
        try:
            with open(file, "rb") as f:
                prefix = f.read(start)
                if not prefix.startswith(_MAGIC) or len(prefix) < start or not prefix[-_LENGTH:].isdigit():
                    return None
                end = start + int(prefix[-_LENGTH:])
                head_bytes = f.read(end - start)
        except OSError:
            return None
        signature = prefix[len(_MAGIC):len(_MAGIC) + _SIGNATURE]
        if not hmac.compare_digest(signature, hmac.new(key, head_bytes, hashlib.sha256).hexdigest().encode()):
            return None
        try:
            engine, stamps, body_digest, head = pickle.loads(head_bytes)  # signed with this folder's own key, checked above
        except Exception:  # a signed head that still cannot be read: read the file afresh
            return None
        if engine != self._engine or not stamps or stamps[0][0] != path or any(stamp(s[0]) != s for s in stamps):
            return None

        def body_of() -> object | None:
            """Read when asked, not kept: a library lists many scenarios and plays one."""
            try:
                with open(file, "rb") as f:
                    f.seek(end)
                    body = f.read()
            except OSError:
                return None
            if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), body_digest):
                return None
            try:
                story: object = pickle.loads(body)  # its digest is in the signed head
            except Exception:
                return None
            return story

        return head, body_of, [s[0] for s in stamps[1:]]

    def put(self, path: str, head: object, body: object, read: Iterable[str]) -> None:
        """Keep ``head`` and ``body`` for ``path``, true while it and the files
        in ``read`` stay as they are now."""
        stamps = [s for p in (path, *read) if (s := stamp(p)) is not None]
        key = self._secret(create=True)
        if key is None or not stamps or stamps[0][0] != path:
            return
        body_bytes = pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)
        head_bytes = pickle.dumps((self._engine, stamps, hashlib.sha256(body_bytes).hexdigest(), head),
                                  protocol=pickle.HIGHEST_PROTOCOL)
        signature = hmac.new(key, head_bytes, hashlib.sha256).hexdigest().encode()
        length = str(len(head_bytes)).zfill(_LENGTH).encode()
        _write(self.folder / _name(path), _MAGIC + signature + length + head_bytes + body_bytes)

    def _secret(self, create: bool) -> bytes | None:
        """This cache folder's signing key, made on first use (readable by its owner only)."""
        if self._key is not None:
            return self._key
        path = self.folder / "key"
        with contextlib.suppress(OSError):
            key = path.read_bytes()
            if len(key) == _KEY_BYTES:
                self._key = key
                return key
        if not create:
            return None
        key = secrets.token_bytes(_KEY_BYTES)
        if _write(path, key):
            self._key = key
        return self._key


def _name(path: str) -> str:
    return hashlib.sha256(os.path.abspath(path).encode("utf-8", "surrogateescape")).hexdigest()[:40] + ".entry"


def _write(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` whole or not at all; whether it was written."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


def _engine_stamp() -> tuple[str, int]:
    """The Koers that reads and checks scenarios: its version and, for a
    source checkout whose code changes under one version, the newest
    modification time of that code."""
    here = Path(__file__).resolve().parent
    newest = 0
    for folder in (here, here.parent / "core"):
        for source in folder.glob("*.py"):
            with contextlib.suppress(OSError):
                newest = max(newest, source.stat().st_mtime_ns)
    return (__version__, newest)
