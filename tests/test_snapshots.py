"""How the screens look, at 80x24 and 120x40. Review the SVGs by eye before
accepting a change with `pytest tests/test_snapshots.py --snapshot-update`."""

import pytest
from conftest import FIXTURES

from game.ui.app import make_app

SIZES = [(80, 24), (120, 40)]


async def loaded(pilot):
    """The library fills in the background; wait for it before any key."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def app(tmp_path):
    # The clock never moves, so a countdown shows its full time in every run.
    return make_app([FIXTURES / "ui", FIXTURES / "base.en.yaml"], tmp_path / "saves", player="Zed", lang="en",
                    settings_path=tmp_path / "settings.json", clock=lambda: 0.0)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_library(snap_compare, tmp_path, size):
    assert snap_compare(app(tmp_path), terminal_size=size, run_before=loaded)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_scene(snap_compare, tmp_path, size):
    assert snap_compare(app(tmp_path), press=["enter"], terminal_size=size, run_before=loaded)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_timed_decision(snap_compare, tmp_path, size):
    assert snap_compare(app(tmp_path), press=["enter", "1"], terminal_size=size, run_before=loaded)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_debrief(snap_compare, tmp_path, size):
    assert snap_compare(app(tmp_path), press=["enter", "1", "1", "enter"], terminal_size=size, run_before=loaded)
