"""The saves folder as a player's process uses it: checked before the first
scene, every failure named, nothing lost, and one process per playthrough."""

import errno
import os
import subprocess
import sys
import tempfile

import pytest
from conftest import FIXTURES

from game.saves import store as store_module
from game.render.wording import not_saved
from game.authoring.loader import load
from game.core.run import Run
from game.saves.codec import list_saves, load_save
from game.saves.playthrough import Playthrough
from game.saves.store import FULL, NOT_A_FOLDER, PERMISSION, NotSaved, Store

BASE = load(FIXTURES / "base.en.yaml")


def playthrough(*choices: str) -> Playthrough:
    run = Run.start(BASE)
    for c in choices:
        run = run.choose(c)
    return Playthrough.new(BASE, "Kim").record(run)


def leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.startswith("."))


def test_check_makes_the_folder_and_leaves_nothing_in_it(tmp_path):
    folder = tmp_path / "a" / "b"
    Store(folder).check()
    assert folder.is_dir() and os.listdir(folder) == []


def test_a_file_where_the_folder_should_be(tmp_path):
    (tmp_path / "saves").write_text("not a folder")
    with pytest.raises(NotSaved) as exc:
        Store(tmp_path / "saves").check()
    assert exc.value.kind == NOT_A_FOLDER and exc.value.folder == tmp_path / "saves"


def test_a_data_folder_that_cannot_be_made(tmp_path):
    (tmp_path / "data").write_text("a file where a parent folder belongs")
    with pytest.raises(NotSaved) as exc:
        Store(tmp_path / "data" / "koers" / "saves").check()
    assert exc.value.kind == NOT_A_FOLDER


def test_a_read_only_folder(tmp_path, monkeypatch):
    # Tests run as root here, for whom no mode bit is read-only: a read-only mount is faked.
    def refuse(*_a, **_k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(store_module.tempfile, "mkstemp", refuse)
    with pytest.raises(NotSaved) as exc:
        Store(tmp_path).check()
    assert exc.value.kind == PERMISSION


def full_disk(monkeypatch):
    """Temp files that write to /dev/full: every write fails with ENOSPC, as on a full disk."""
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        fd, path = real(*args, **kwargs)
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), path

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def test_a_full_disk_keeps_what_was_saved_and_leaves_no_temp_file(tmp_path, monkeypatch):
    store = Store(tmp_path)
    first = playthrough("ask")
    path = store.write(first)
    full_disk(monkeypatch)
    with pytest.raises(NotSaved) as exc:
        store.check()
    assert exc.value.kind == FULL
    with pytest.raises(NotSaved) as exc:
        store.write(first.record(Run.start(BASE).choose("ask").choose("go")))
    assert exc.value.kind == FULL
    assert load_save(path) == first  # the save made before is intact
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind, nl, en", [
    (PERMISSION, "geen toestemming", "no permission"),
    (FULL, "de schijf is vol", "the disk is full"),
    (NOT_A_FOLDER, "bestand waar de map hoort", "a file is in the way"),
])
def test_the_player_is_told_in_their_language_and_where(tmp_path, kind, nl, en):
    exc = NotSaved(tmp_path, kind, "system words")
    dutch, english = not_saved("nl", exc), not_saved("en", exc)
    assert dutch.startswith("Je speelronde wordt niet opgeslagen") and nl in dutch and str(tmp_path) in dutch
    assert english.startswith("Your playthrough is not being saved") and en in english and str(tmp_path) in english


def test_a_playthrough_is_held_by_one_process_at_a_time(tmp_path):
    store = Store(tmp_path)
    p = playthrough()
    mine = store.lock(p.id)
    assert mine is not None
    assert store.lock(p.id) is None  # a second Koers (another open file) is refused
    assert Store(tmp_path).lock(playthrough().id) is not None  # another playthrough is free
    mine.release()
    again = store.lock(p.id)
    assert again is not None
    again.release()
    assert not (tmp_path / f".{p.id}.lock").exists()


def test_a_lock_held_by_another_process(tmp_path):
    p = playthrough()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from game.saves.store import Store\n"
         f"lock = Store({str(tmp_path)!r}).lock({p.id!r}); print(lock is not None, flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "True"
        assert Store(tmp_path).lock(p.id) is None
    finally:
        holder.kill()
        holder.wait()
    lock = Store(tmp_path).lock(p.id)  # a killed process's lock ends with it
    assert lock is not None
    lock.release()


def test_lock_files_are_not_saves(tmp_path):
    store = Store(tmp_path)
    p = playthrough("ask")
    store.write(p)
    lock = store.lock(p.id)
    good, bad = list_saves(tmp_path)
    assert [q.id for _, q in good] == [p.id] and bad == []
    lock.release()


def test_a_player_with_an_id_sees_only_their_own_playthroughs_whatever_the_pseudonym(tmp_path):
    store = Store(tmp_path)
    ids = ["0b6c9a8e-2f1d-4c3b-9a7e-5d4c3b2a1f0e", "7d1e2f3a-4b5c-4d6e-8f70-819203a4b5c6"]
    base = load(FIXTURES / "base.en.yaml")
    mine = Playthrough.new(base, "Kim", player_id=ids[0])
    done = Playthrough.new(base, "Kim", player_id=ids[0]).record(Run.start(base).choose("ask", 100).choose("stop", 100))
    theirs = Playthrough.new(base, "Kim", player_id=ids[1])  # another browser in the room typed the same name
    laptop = Playthrough.new(base, "Kim")  # Kim's own laptop, before the room
    for p in (mine, done, theirs, laptop):
        store.write(p)
    own = store.mine("Kim", ids[0])
    assert [p.id for p in own.unfinished] == [mine.id] and [p.id for p in own.finished] == [done.id]
    assert [p.id for p in store.mine("Kim", ids[1]).unfinished] == [theirs.id]
    assert [p.id for p in store.mine("Kim").unfinished] == [laptop.id]  # no id: the pseudonym's own, no one else's
