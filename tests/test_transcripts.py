"""Transcript tests: a scenario, a list of choices, and the path, meters and
ending they must produce (tests/transcripts/*.yaml)."""

from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from game.authoring.loader import load
from game.core.run import Run

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript(path):
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    run = Run.start(load(ROOT / spec["scenario"]))
    for step in spec["steps"]:
        if isinstance(step, dict) and step.get("timeout"):
            run = run.time_out(run.timer.seconds * 1000)
        else:
            run = run.choose(step)
    assert list(run.path) == spec["path"]
    assert run.at == spec["ending"] and run.finished
    assert dict(run.meters) == spec["meters"]


def test_each_bundled_scenario_has_its_three_transcripts():
    names = {p.stem for p in TRANSCRIPTS}
    ids = {p.name.split(".")[0] for p in (ROOT / "scenarios").glob("*.yaml")}
    for sid in ids:
        assert {f"{sid}-strongest", f"{sid}-reflex", f"{sid}-recovery"} <= names, sid
