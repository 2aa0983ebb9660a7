"""Checked scenario files kept between runs, so that an unchanged folder of
hundreds of scenarios lists as fast as a few (docs/performance.md).

An entry is one file's :class:`Checked` (and, once worked out, its typical
number of decisions), kept under the user's cache folder. It counts only
while the file, and any file its check read (a translation's original), has
the path, size and modification time it had, and only for the Koers that
wrote it. Each entry is signed with a key made for this cache folder: a
damaged entry, or one copied from another machine or user, fails the check
and is read afresh from the scenario file; it is never unpickled. A cache
that cannot be written is no cache: nothing else changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path

import attrs

from game import __version__
from game.authoring.validator import Checked

_MAGIC = b"koers-scenario-cache 1\n"
_KEY_BYTES = 32

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


@attrs.frozen
class Cached:
    checked: Checked
    typical: int | None  # decisions on a typical path, where worked out


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._key: bytes | None = None
        self._engine = _engine_stamp()

    def get(self, path: str) -> Cached | None:
        """The entry for ``path`` if it is sound and still true; else None."""
        key = self._secret(create=False)
        if key is None:
            return None
        try:
            data = (self.folder / _name(path)).read_bytes()
        except OSError:
            return None
        head, _, payload = data.partition(b"\n")
        if head + b"\n" != _MAGIC or len(payload) < 64:
            return None
        signature, payload = payload[:64], payload[64:]
        if not hmac.compare_digest(signature, hmac.new(key, payload, hashlib.sha256).hexdigest().encode()):
            return None
        try:
            engine, stamps, cached = pickle.loads(payload)  # signed by this cache folder's own key, checked above
        except Exception:  # a signed entry that still cannot be read: read the file afresh
            return None
        if engine != self._engine or not stamps or stamps[0][0] != path:
            return None
        if any(stamp(s[0]) != s for s in stamps):
            return None
        return cached if isinstance(cached, Cached) else None

    def put(self, cached: Cached, read: Iterable[str]) -> None:
        """Keep ``cached``, true while its file and the files in ``read`` stay as they are now."""
        stamps = [s for p in (cached.checked.path, *read) if (s := stamp(p)) is not None]
        key = self._secret(create=True)
        if key is None or not stamps or stamps[0][0] != cached.checked.path:
            return
        payload = pickle.dumps((self._engine, stamps, cached), protocol=pickle.HIGHEST_PROTOCOL)
        signature = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
        _write(self.folder / _name(cached.checked.path), _MAGIC + signature + payload)

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
