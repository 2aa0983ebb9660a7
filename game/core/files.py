"""Reading a file that anyone may have put in a folder: a scenario, a save, the settings.

Only a regular file is read. A named pipe, a device or a socket is refused at
once instead of waiting forever for a writer (or reading /dev/zero until the
memory runs out), and no file is read past its limit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # not on Windows, which has no named pipes in folders
_BINARY = getattr(os, "O_BINARY", 0)  # only on Windows, where a file opens in text mode without it
_CHUNK = 1 << 16  # more than a save of a long playthrough holds


def not_regular() -> OSError:
    return OSError(errno.EINVAL, "not a regular file")


def read_regular(path: str, limit: int) -> bytes:
    """The file's bytes, at most ``limit`` + 1 of them (enough to tell that it
    is too large); OSError for anything that is not a regular file.

    Plain file descriptors, read to the end in chunks of 64 KiB, and an fstat
    only for what a small file is not (empty, or longer than a chunk): a group
    debrief reads ten thousand saves, and a buffered file object or an fstat
    per file costs more than the read. Non-blocking, so that a named pipe is
    refused instead of waited on."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    try:
        try:
            data = os.read(fd, _CHUNK)
            more = os.read(fd, _CHUNK) if data else b""
        except BlockingIOError:  # a pipe whose writer has nothing more to say
            raise not_regular() from None
        # Empty (as a pipe without a writer reads) or longer than one read (as
        # /dev/zero is): only a regular file may be either.
        if (not data or more) and not stat.S_ISREG(os.fstat(fd).st_mode):
            raise not_regular()
        if not more:  # the whole file in one read
            return data
        chunks, size = [data, more], len(data) + len(more)
        while chunks[-1] and size <= limit:
            chunks.append(os.read(fd, min(_CHUNK, limit + 1 - size)))
            size += len(chunks[-1])
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_private(folder: str | os.PathLike[str], stem: str, suffix: str, text: str) -> str:
    """Write ``text`` to a new file ``<stem><suffix>`` in ``folder`` (made if
    need be), readable by its owner only, and never over an existing file: a
    taken name gets a number. Returns the file's path; raises OSError."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    for n in range(1, 1000):
        path = os.path.join(folder, f"{stem}{'' if n == 1 else f'-{n}'}{suffix}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o600)
        except FileExistsError:
            continue
        try:
            with open(fd, "wb") as f:
                f.write(text.encode("utf-8"))
        except BaseException:
            os.unlink(path)
            raise
        return path
    raise OSError(errno.EEXIST, "too many files of that name")


def write_whole(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a crash or a full disk
    leaves an old file as it was, never half written. A link is followed; a
    device or a pipe (/dev/stdout) is written to as it is. A file replaced
    keeps who may read it; a new one is made as any other (the umask decides).
    Raises OSError."""
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return
    target = os.path.realpath(path)
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with open(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(target):  # a report kept private stays private
            mode = stat.S_IMODE(os.stat(target).st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_new(path: str | os.PathLike[str], text: str, mode: int = 0o666) -> None:
    """Write ``text`` to a new file ``path`` (``mode`` less the umask), never
    over one that exists (FileExistsError), and remove what was written when
    writing fails (a full disk): unlike :func:`write_whole`, which replaces a
    file. Raises OSError."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, mode)
    try:
        with open(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(path)
        raise
