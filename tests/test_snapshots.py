"""How the screens look, at 80x24 and 120x40. Review the SVGs by eye before
accepting a change with `pytest tests/test_snapshots.py --snapshot-update`."""

import pytest
from conftest import FIXTURES

from game.tui.app import make_app

SIZES = [(80, 24), (120, 40)]


class Clock:
    """A clock that moves only when a test moves it: a countdown shows the
    same time in every run."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def pressing(*keys: str):
    """Wait for the library to fill, then press each key a second after the
    last, past the grace period in which a new scene ignores keys."""

    async def run_before(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            pilot.app.clock.now += 1
            await pilot.press(key)
            await pilot.pause()

    return run_before


def app(tmp_path):
    return make_app([FIXTURES / "ui", FIXTURES / "base.en.yaml"], tmp_path / "saves", player="Zed", lang="en",
                    settings_path=tmp_path / "settings.json", clock=Clock())


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_library(snap_compare, tmp_path, size):
    assert snap_compare(app(tmp_path), terminal_size=size, run_before=pressing())


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_scene(snap_compare, tmp_path, size):
    assert snap_compare(app(tmp_path), terminal_size=size, run_before=pressing("enter"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_timed_decision(snap_compare, tmp_path, size):
    assert snap_compare(app(tmp_path), terminal_size=size, run_before=pressing("enter", "1"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_debrief(snap_compare, tmp_path, size):
    assert snap_compare(app(tmp_path), terminal_size=size, run_before=pressing("enter", "1", "1", "enter"))
