"""Save files: one JSON file per playthrough, rewritten atomically after every choice.

A save records what the player did (scene and choice ids, decision times, the
meters after each choice), never the scenario itself: resuming replays those
ids on the scenario file as it is now, so a corrected typo never strands a save.

Reading a save raises only :class:`SaveError`, whose one diagnostic prints as
``path:line:col: CODE message``; a damaged or hostile file never surfaces as a
traceback. docs/saves.md describes the format and every S code.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
import tempfile
import time
from pathlib import Path

import msgspec

from game.core.diagnostics import Diagnostic
from game.core.files import read_regular
from game.saves.explain import SaveError, read_slowly
from game.core.vocab import UUID
from game.saves.playthrough import Playthrough

MAX_BYTES = 4 * 1024 * 1024
TEMP_PREFIX = ".tmp-"

_decode = msgspec.json.Decoder(Playthrough).decode
_encode = msgspec.json.Encoder().encode
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def read_save(path: str) -> bytes:
    """The bytes of a save file (a regular file, read to at most MAX_BYTES + 1); raises only SaveError."""
    try:
        return read_regular(path, MAX_BYTES)
    except OSError as exc:
        raise SaveError(Diagnostic(path, 1, 1, "S006", f"cannot read the save: {exc.strerror or exc}")) from None


def load_save(path: str | os.PathLike[str]) -> Playthrough:
    """Read one save file; raises only SaveError."""
    name = os.fspath(path)
    return loads_save(read_save(name), name)


def loads_save(data: bytes, path: str = "<save>") -> Playthrough:
    """Like :func:`load_save`, for bytes already in memory. A save of the
    current format is parsed and checked in one pass, in C; anything else (an
    older format, or a file that does not fit) is read again with positions,
    to migrate it or to say what is wrong and where."""
    if len(data) > MAX_BYTES:
        mib = MAX_BYTES // (1024 * 1024)
        raise SaveError(Diagnostic(path, 1, 1, "S002", f"the file is larger than {mib} MiB; Koers never writes a save that large"))
    if data.startswith(codecs.BOM_UTF8):  # an editor's mark, harmless: JSON readers skip it
        data = data[len(codecs.BOM_UTF8):]
    try:
        return _decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1: exc.start].decode("utf-8", "replace")) + 1
        raise SaveError(Diagnostic(path, line, col, "S003", f"the save is not UTF-8 text (byte 0x{data[exc.start]:02x})")) from None
    return read_slowly(text, path)


def encode(playthrough: Playthrough) -> bytes:
    """The file for ``playthrough``: indented JSON in UTF-8. A lone surrogate
    (half a character, from a confused terminal) cannot be written in UTF-8
    and is kept as U+FFFD."""
    try:
        data = _encode(playthrough)
    except UnicodeEncodeError:
        text = json.dumps(msgspec.to_builtins(playthrough), ensure_ascii=False)
        data = _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")
    return msgspec.json.format(data, indent=2) + b"\n"


def save(folder: str | os.PathLike[str], playthrough: Playthrough) -> Path:
    """Write ``<folder>/<playthrough id>.json`` so that a crash at any moment
    leaves either the old file or the new one, never a mix."""
    if not UUID.match(playthrough.id):  # the id names the file: never a path out of the folder
        raise ValueError(f"a playthrough id must be a UUID, not {playthrough.id!r}")
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"{playthrough.id}.json"
    data = encode(playthrough)
    if len(data) > MAX_BYTES:
        raise SaveError(Diagnostic(str(target), 1, 1, "S002", "this playthrough is too large to save; shorten the reflections"))
    # mkstemp makes the file readable by its owner only: reflections are private.
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    try:
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)
    return target


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable: without this, a power cut can bring back the old file."""
    if os.name == "nt":  # Windows cannot open a folder to flush it
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_stray(folder: str | os.PathLike[str], min_age: float = 60.0) -> list[Path]:
    """Remove temp files left by saves cut off by a crash, returning their paths.

    Only files older than ``min_age`` seconds go: a younger one may belong to
    another Koers saving into the same folder right now. A leftover is never
    read as a save either way (its name starts with a dot and has no .json).
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    cutoff = time.time() - min_age
    removed = []
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        with contextlib.suppress(OSError):  # gone already, or not ours to remove: harmless
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime <= cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def list_saves(folder: str | os.PathLike[str]) -> tuple[list[tuple[Path, Playthrough]], list[Diagnostic]]:
    """Every save in ``folder``, newest first, and a diagnostic for every file
    that is not a good save. Also removes stray temp files (see clean_stray);
    call it when the app opens a saves folder. A missing folder has no saves."""
    clean_stray(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [Diagnostic(os.fspath(folder), 1, 1, "S006", f"cannot read the saves folder: {exc.strerror or exc}")]
    good: list[tuple[Path, Playthrough]] = []
    bad: list[Diagnostic] = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith(".json"):
            continue
        try:
            if not entry.is_file():
                continue
            good.append((Path(entry.path), load_save(entry.path)))
        except SaveError as exc:
            bad.append(exc.diagnostic)
        except OSError as exc:
            bad.append(Diagnostic(entry.path, 1, 1, "S006", f"cannot read the save: {exc.strerror or exc}"))
    good.sort(key=lambda pair: (pair[1].updated, pair[1].id), reverse=True)
    return good, bad
