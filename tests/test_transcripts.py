"""Transcript tests: a scenario, a list of choices, and the path, meters and
ending they must produce (tests/transcripts/*.yaml). Each is played through a
PlaySession, as every front-end plays, and saved in a store; the save is read
back and replayed, and the personal debrief of it must tell the same story."""

from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from game.authoring.library import load_playable
from game.debrief.personal import PersonalDebrief
from game.play.session import PlaySession, replay
from game.saves.codec import list_saves
from game.saves.store import Store

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))


class Clock:
    """A clock that only moves when told: every decision takes a second."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript(path, tmp_path):
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenario = load_playable(ROOT / spec["scenario"])
    clock = Clock()
    session = PlaySession.start(scenario, Store(tmp_path), "Zed", None, "on", clock)
    for step in spec["steps"]:
        if isinstance(step, dict) and step.get("timeout"):
            clock.now += session.timer.left()
            assert session.tick()
        else:
            clock.now += 1
            session.choose(step)
    session.close()
    run = session.run
    assert list(run.path) == spec["path"]
    assert run.at == spec["ending"] and run.finished
    assert dict(run.meters) == spec["meters"]

    ((_, saved),), unreadable = list_saves(tmp_path)
    assert unreadable == [] and saved.ending == spec["ending"] and saved.finished
    again, notes = replay(saved, scenario)
    assert notes == [] and again == run

    debrief = PersonalDebrief.build(scenario, again, saved)
    decisions = [s for s in saved.steps if scenario.scenes[s.scene].is_decision]
    assert [d.scene for d in debrief.decisions] == [s.scene for s in decisions]
    assert [d.timed_out for d in debrief.decisions] == [s.timed_out for s in decisions]
    assert [d.ms for d in debrief.decisions] == [s.ms for s in decisions]
    assert debrief.ending_title == scenario.endings[spec["ending"]].title
    assert {line.label: line.values[-1] for line in debrief.meters} == {
        scenario.meters[k].label: v for k, v in spec["meters"].items()}


def test_each_bundled_scenario_has_its_three_transcripts():
    names = {p.stem for p in TRANSCRIPTS}
    ids = {p.name.split(".")[0] for p in (ROOT / "scenarios").glob("*.yaml")}
    for sid in ids:
        assert {f"{sid}-strongest", f"{sid}-reflex", f"{sid}-recovery"} <= names, sid
