"""A save survives its process being killed at any moment.

A child process plays the scenario for ever, saving after every choice; the
parent SIGKILLs it after a seeded random delay, checks the saves folder, and
starts the next child, which resumes an unfinished playthrough from disk.

How the check stays honest: after each save returns (and after resuming), the
child appends "<playthrough id> <number of steps>" to its own log, in one
write. A line in the log therefore means that many steps were on disk; since
only one save happens between two lines, the file can be at most one step
ahead of its last line. So for every playthrough: logged <= on disk <= logged + 1,
and a playthrough that never made it into a log has only its first, empty
save. A cut-off last line (killed mid-write) is ignored, which only ever
weakens the lower bound by that one save, never makes the test flaky.

Children are forked rather than started afresh: a new interpreter would spend
most of the time budget importing.
"""

import multiprocessing
import os
import random
import signal
import time
import uuid

import pytest

from conftest import FIXTURES
from game.play.session import replay
from game.saves import codec as saves
from game.saves.playthrough import Playthrough
from game.authoring.loader import load
from game.core.run import Run

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL") or "fork" not in multiprocessing.get_all_start_methods(),
    reason="needs fork and SIGKILL",
)

KILLS = 40
MAX_DELAY = 0.03  # seconds of play before each kill; a save takes about a millisecond


def play(scenario, folder, log_path, resume_path, seed, ready):
    """The child: play and save until killed."""
    rng = random.Random(seed)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def logged(p):
        os.write(log, f"{p.id} {len(p.steps)}\n".encode())

    p = run = None
    if resume_path is not None:
        p = saves.load_save(resume_path)
        run, notes = replay(p, scenario)
        assert notes == [] and len(run.steps) == len(p.steps)
        logged(p)
    ready.set()
    while True:
        if run is None or run.finished:
            p = Playthrough.new(scenario, "kill-test")
            run = Run.start(scenario)
            saves.save(folder, p)
            logged(p)
        choice = rng.choice(run.choices)
        timed_out = run.timer is not None and run.timer.timeout == choice.id and rng.random() < 0.5
        run = run.choose(choice.id, ms=rng.randrange(60_000), timed_out=timed_out)
        p = p.record(run)
        saves.save(folder, p)
        logged(p)


def read_logs(logs):
    """The last complete line per playthrough, over all children in order."""
    last: dict[str, int] = {}
    for path in logs:
        if not path.exists():
            continue
        data = path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1].decode()
        for line in complete.splitlines():
            pid, steps = line.split()
            last[pid] = int(steps)
    return last


def test_killed_while_saving_loses_at_most_the_choice_in_flight(tmp_path):
    scenario = load(FIXTURES / "saves-v1.yaml")
    folder = tmp_path / "saves"
    folder.mkdir()
    rng = random.Random(20251123)
    fork = multiprocessing.get_context("fork")
    logs = []
    resume_path = None
    strays: set[str] = set()
    resumed = 0
    started = time.monotonic()

    for kill in range(KILLS):
        logs.append(tmp_path / f"log-{kill}.txt")
        ready = fork.Event()
        child = fork.Process(target=play, args=(scenario, folder, logs[-1], resume_path, kill, ready), daemon=True)
        child.start()
        assert ready.wait(10), "the child did not start playing"
        time.sleep(rng.uniform(0, MAX_DELAY))
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        assert child.exitcode == -signal.SIGKILL, f"the child ended by itself (exit code {child.exitcode})"

        # Every file that looks like a save is one; temp files never pass for one.
        names = os.listdir(folder)
        strays.update(n for n in names if n.startswith(saves.TEMP_PREFIX))
        good, bad = saves.list_saves(folder)
        assert bad == [], [str(d) for d in bad]
        on_disk = {p.id: p for _, p in good}
        assert sorted(f"{pid}.json" for pid in on_disk) == sorted(n for n in names if not n.startswith("."))
        assert all(str(uuid.UUID(pid)) == pid for pid in on_disk)

        # Each resumes exactly, and nothing that a save returned for was lost.
        for p in on_disk.values():
            run, notes = replay(p, scenario)
            assert notes == [] and [(s.scene, s.choice) for s in run.steps] == [(s.scene, s.choice) for s in p.steps]
        logged = read_logs(logs)
        for pid, steps in logged.items():
            assert pid in on_disk, f"playthrough {pid} was saved, then lost"
            assert steps <= len(on_disk[pid].steps) <= steps + 1, (pid, steps, len(on_disk[pid].steps))
        for pid in on_disk.keys() - logged.keys():
            assert on_disk[pid].steps == (), f"playthrough {pid} has steps but was never logged"

        unfinished = [path for path, p in good if not p.finished]
        resume_path = unfinished[0] if unfinished else None
        resumed += resume_path is not None

    saves_made = sum(len(path.read_bytes().splitlines()) for path in logs if path.exists())
    assert saves_made > 0 and resumed > 0
    removed = saves.clean_stray(folder, min_age=0)
    assert not any(n.startswith(saves.TEMP_PREFIX) for n in os.listdir(folder))
    assert len(saves.list_saves(folder)[0]) == len(on_disk)
    print(
        f"{KILLS} kills in {time.monotonic() - started:.1f} s: {saves_made} log lines, "
        f"{len(on_disk)} playthroughs, {resumed} resumed, {len(strays)} stray temp files seen, {len(removed)} removed"
    )
