"""The saves folder a player plays against: checking that it can be written
before the first scene, writing each save, and making sure that no two Koers
processes write the same playthrough.

Nothing here words a message for the player: a failed write is a
:class:`NotSaved` with the folder and the kind of failure, which each
front-end says in the player's language.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
from pathlib import Path

import attrs

from game.core.diagnostics import Diagnostic
from game.saves import codec
from game.saves.explain import SaveError
from game.saves.playthrough import Playthrough

#: Kinds of failure a player is told about in their own words; anything else keeps the system's.
PERMISSION, FULL, NOT_A_FOLDER, TOO_LARGE, OTHER = "permission", "full", "not_a_folder", "too_large", "other"
_KINDS = {
    errno.EACCES: PERMISSION, errno.EPERM: PERMISSION, errno.EROFS: PERMISSION,
    errno.ENOSPC: FULL, getattr(errno, "EDQUOT", errno.ENOSPC): FULL, errno.EFBIG: FULL,
    errno.ENOTDIR: NOT_A_FOLDER, errno.EEXIST: NOT_A_FOLDER, errno.EISDIR: NOT_A_FOLDER,
}


class NotSaved(Exception):
    """A save that could not be written, and why; what was saved before is untouched."""

    def __init__(self, folder: Path, kind: str, detail: str = "") -> None:
        self.folder, self.kind, self.detail = folder, kind, detail
        super().__init__(f"cannot save in {folder}: {detail or kind}")

    @classmethod
    def of(cls, folder: Path, exc: OSError) -> NotSaved:
        return cls(folder, _KINDS.get(exc.errno or 0, OTHER), exc.strerror or str(exc))


class Lock:
    """A playthrough held by this process while it is played (an advisory
    lock on ``.<id>.lock`` in the saves folder), until ``release``."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path, self._fd = path, fd

    def release(self) -> None:
        if self._fd is None:
            return
        if os.name != "nt":  # Windows cannot remove a file that is open; the empty file stays
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        os.close(self._fd)  # closing the descriptor ends the lock
        self._fd = None


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@attrs.frozen
class Mine:
    """A player's own playthroughs in a saves folder, each newest first. Only
    their own: on a shared laptop another player's reflections are private."""

    unfinished: tuple[Playthrough, ...]
    finished: tuple[Playthrough, ...]
    unreadable: tuple[Diagnostic, ...]  # every file that is not a good save (it names no player to go by)


class Store:
    """One saves folder, as a player's process uses it."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def check(self) -> None:
        """Raise NotSaved unless a save can be written here now: the folder is
        made if need be, and a small file written and removed again."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=codec.TEMP_PREFIX, dir=self.folder)
            try:
                os.write(fd, b"{}\n")
                os.fsync(fd)
            finally:
                os.close(fd)
                os.unlink(probe)
        except OSError as exc:
            raise NotSaved.of(self.folder, exc) from None

    def write(self, playthrough: Playthrough) -> Path:
        """Save atomically (codec.save); NotSaved when it cannot be done."""
        try:
            return codec.save(self.folder, playthrough)
        except SaveError as exc:
            raise NotSaved(self.folder, TOO_LARGE, exc.diagnostic.message) from None
        except OSError as exc:
            raise NotSaved.of(self.folder, exc) from None

    def lock(self, playthrough_id: str) -> Lock | None:
        """Hold ``playthrough_id`` for this process; None when another process
        holds it. Where no lock file can be made, nothing can be saved either
        (``check`` says so), and the playthrough is held without one."""
        path = self.folder / f".{playthrough_id}.lock"  # the id is a checked UUID, never typed text
        while True:
            try:
                self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return Lock(path, None)
            if not _try_lock(fd):
                os.close(fd)
                return None
            # Another process may have removed the file between our open and our
            # lock (its release): then the lock is on a file no one else sees.
            try:
                same = os.name == "nt" or os.stat(path).st_ino == os.fstat(fd).st_ino
            except OSError:
                same = False
            if same:
                return Lock(path, fd)
            os.close(fd)

    def mine(self, player: str | None, player_id: str | None = None) -> Mine:
        """The playthroughs ``player`` may resume and whose debriefs are theirs:
        with a ``player_id`` (each browser of a workshop room has one), those
        that id played, whatever pseudonym another player typed; without one,
        those of the pseudonym that no id claims."""
        good, bad = codec.list_saves(self.folder)
        if player_id is not None:
            own = [p for _path, p in good if p.player_id == player_id]
        else:
            own = [p for _path, p in good if p.player == player and p.player_id is None]
        return Mine(tuple(p for p in own if not p.finished), tuple(p for p in own if p.finished), tuple(bad))

    def discard(self, playthrough: Playthrough) -> bool:
        """Remove a playthrough's save; False when another Koers plays it now.
        OSError when the file cannot be removed."""
        lock = self.lock(playthrough.id)
        if lock is None:
            return False
        try:
            (self.folder / f"{playthrough.id}.json").unlink(missing_ok=True)
        finally:
            lock.release()
        return True
