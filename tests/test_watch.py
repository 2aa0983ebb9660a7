"""``koers watch``: the preview that follows a file while its author edits it.

The reload logic is driven directly (``app.reload()`` after writing the file),
so that each step is deterministic; one test lets watchfiles itself see a save."""

import subprocess
import sys
from functools import partial

import pytest
from conftest import FIXTURES
from textual.widgets import Static

from test_ui import FakeClock, choose, screen_text, settle

from game.cli.main import main
from game.cli.watch import check
from game.core.run import Run
from game.play.preview import BadStart, Start, preview
from game.prefs import Prefs
from game.render.wording import note
from game.tui.play import PlayScreen
from game.tui.watch import ProblemsScreen, WatchApp

BASE = (FIXTURES / "base.en.yaml").read_text(encoding="utf-8")
SIZE = (80, 24)


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "draft" / "base.en.yaml"
    path.parent.mkdir()
    path.write_text(BASE, encoding="utf-8")
    return path


def app_for(path, start=Start(), watching=False):
    folder = path.parent.parent
    return WatchApp(check(str(path)), partial(check, str(path)), start, Prefs(player="Zed", lang="en", timers="off"),
                    folder / "settings.json", folder / "saves", FakeClock(), watching=watching)


def shown(app) -> str:
    """The screen's words as one line: wrapped lines and bars joined again."""
    return " ".join(screen_text(app).replace("█", " ").split())


def problems(app) -> list[str]:
    assert isinstance(app.screen, ProblemsScreen)
    return str(app.screen.query_one("#problems Static", Static).content).splitlines()


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# -- the engine: where a preview begins, and the place kept ------------------------


def test_a_start_in_a_chosen_state_decides_routes_and_variants_by_that_state(routed_base):
    scenario = check(str(routed_base)).playable
    run = Start.parse("two", ["asked"], ["trust=9"]).run(scenario)
    assert run.at == "two" and run.text == "Thanks for asking." and run.meters == {"trust": 9}
    run = run.choose("stop")  # routed to 'good' once the player asked
    assert run.at == "good" and run.last_outcome.next == "good"  # the consequence shown is the route's
    assert run.replay(0) == Start.parse("two", ["asked"], ["trust=9"]).run(scenario)
    assert Start.parse("two", [], []).run(scenario).text == "Then?"
    assert Start().run(scenario) == Run.start(scenario)


@pytest.mark.parametrize("at, flags, meters, said", [
    ("tow", [], [], "--at 'tow' is not a scene of {file}; did you mean 'two'?"),
    ("good", [], [], "--at 'good' is an ending of {file}, not a scene: begin at a scene that leads to it"),
    (None, ["aksed"], [], "--set 'aksed' is not a flag of {file}; did you mean 'asked'?"),
    (None, [], ["trsut=1"], "--meter 'trsut' is not a meter of {file}; did you mean 'trust'?"),
    (None, [], ["trust=11"], "--meter trust=11 is outside the meter's range, 0 to 10"),
    (None, [], ["trust=-1"], "--meter trust=-1 is outside the meter's range, 0 to 10"),
])
def test_a_start_that_does_not_fit_the_scenario_is_one_line(scenario_file, at, flags, meters, said):
    scenario = check(str(scenario_file)).playable
    with pytest.raises(BadStart) as caught:
        Start.parse(at, flags, meters).run(scenario)
    assert str(caught.value) == said.format(file=scenario_file)


@pytest.mark.parametrize("given, said", [
    ("trust=x", "--meter 'trust=x': 'x' is not a whole number"),
    ("trust=2.5", "--meter 'trust=2.5': '2.5' is not a whole number"),
    ("trust=1_0", "--meter 'trust=1_0': '1_0' is not a whole number"),
    ("trust", "--meter 'trust' needs an id and a value, like --meter trust=3"),
    ("=3", "--meter '=3' needs an id and a value, like --meter trust=3"),
])
def test_a_meter_value_that_is_no_whole_number_is_refused_before_the_file_is_read(given, said):
    with pytest.raises(BadStart) as caught:
        Start.parse(None, [], [given])
    assert str(caught.value) == said


def test_the_place_is_replayed_on_each_version_and_comes_back_when_a_choice_does(scenario_file):
    first = check(str(scenario_file)).playable
    session = preview(first, Start(), None, "off", FakeClock())
    session.choose("ask")
    edit(scenario_file, "text: Hello.", "text: Hello there.")
    session = preview(check(str(scenario_file)).playable, Start(), session.playthrough, "off", FakeClock())
    assert session.run.at == "two" and [n.kind for n in session.notes] == ["changed"]
    edit(scenario_file, "      - id: ask\n", "      - id: aks\n")  # the choice made is gone
    session = preview(check(str(scenario_file)).playable, Start(), session.playthrough, "off", FakeClock())
    assert session.run.at == "one"
    assert note("en", session.notes[0]) == ("the scenario changed since this save (version 1, edited): "
                                            "resumed at scene 'one' after 0 of 1 decisions")
    edit(scenario_file, "      - id: aks\n", "      - id: ask\n")  # and back: the place with it
    session = preview(check(str(scenario_file)).playable, Start(), session.playthrough, "off", FakeClock())
    assert session.run.at == "two" and session.run.meters == {"trust": 6}


# -- the app ------------------------------------------------------------------------


async def test_a_broken_edit_shows_its_problems_and_the_fix_brings_the_place_back(scenario_file):
    app = app_for(scenario_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "1")
        assert "Thanks for asking." in screen_text(app)
        edit(scenario_file, "text: Thanks for asking.", "text: Thank you for asking, Ann says.")
        app.reload()
        await settle(pilot)
        assert "Thank you for asking, Ann says." in shown(app)
        assert "Note: the scenario changed since this save (version 1, edited); every decision still fits" in shown(app)
        assert isinstance(app.screen, PlayScreen) and app.screen.session.run.at == "two"

        edit(scenario_file, "start: one", "start: [one")
        edit(scenario_file, "id: base\n", 'id: base\n"[b]oops[/b]": 1\n')
        app.reload()
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert problems(app) == [f"{scenario_file}:24:7: K001 YAML syntax: did not find expected ',' or ']'"]

        edit(scenario_file, "start: [one", "start: one")
        app.reload()
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert problems(app)[0].startswith(f"{scenario_file}:3:1: K103 unknown field '[b]oops[/b]'")
        assert "[b]oops[/b]" in screen_text(app)  # as written: a file's text is never markup

        edit(scenario_file, '"[b]oops[/b]": 1\n', "")
        app.reload()
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen) and app.screen.session.run.at == "two"
        assert "Thank you for asking, Ann says." in screen_text(app)
        await choose(pilot, "1")
        assert app.screen.session.run.at == "good" and "It went well." in screen_text(app)


async def test_a_file_with_very_many_problems_shows_the_first_ones_and_a_count(scenario_file):
    app = app_for(scenario_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        scenario_file.write_text(BASE + "".join(f"junk{n}: 1\n" for n in range(150)), encoding="utf-8")
        app.reload()
        await settle(pilot)
        lines = problems(app)
        assert len(lines) == 101 and all(" K103 unknown field 'junk" in line for line in lines[:100])
        assert lines[100] == f"{scenario_file}: 50 more problems not shown; fix the first ones and check again"


async def test_a_save_that_changes_nothing_leaves_the_screen_as_it_is(scenario_file):
    app = app_for(scenario_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        scenario_file.write_text(BASE, encoding="utf-8")  # saved again as it was
        app.reload()
        await settle(pilot)
        assert app.screen is screen


async def test_at_set_and_meter_open_a_scene_in_that_state(scenario_file):
    app = app_for(scenario_file, Start.parse("two", ["asked"], ["trust=9"]))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Thanks for asking." in shown(app) and "Then?" not in shown(app)
        assert app.screen.session.run.meters == {"trust": 9}
        await choose(pilot, "1")
        assert app.screen.session.run.at == "good"
        edit(scenario_file, "It went well.", "It went very well.")
        app.reload()
        await settle(pilot)
        assert "It went very well." in screen_text(app)  # the place, from the chosen state
        await choose(pilot, "escape")  # the preview again from where it began
        assert app.screen.session.run.at == "two" and "Thanks for asking." in screen_text(app)
    app = app_for(scenario_file, Start.parse("two", [], []))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Then?" in screen_text(app) and "Thanks for asking." not in screen_text(app)


async def test_a_start_the_edited_file_no_longer_has_is_shown_until_it_has_it_again(scenario_file):
    app = app_for(scenario_file, Start.parse("two", [], []))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        edit(scenario_file, "  - id: two\n", "  - id: second\n")
        edit(scenario_file, "next: two", "next: second")
        app.reload()
        await settle(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert problems(app) == [f"--at 'two' is not a scene of {scenario_file}"]
        edit(scenario_file, "  - id: second\n", "  - id: two\n")
        edit(scenario_file, "next: second", "next: two")
        app.reload()
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen) and app.screen.session.run.at == "two"


async def test_a_preview_writes_no_save_and_no_setting_and_gives_no_debrief(scenario_file):
    app = app_for(scenario_file)
    folder = scenario_file.parent.parent
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "s")  # settings: timers on, for this preview only
        await pilot.click("#timers RadioButton:first-of-type")
        await pilot.press("escape")
        await settle(pilot)
        assert app.prefs.timers == "on" and app.session.playthrough.settings.timers == "on"
        await choose(pilot, "1", "1")
        assert app.screen.session.run.finished
        await choose(pilot, "enter")
        assert isinstance(app.screen, PlayScreen)  # no debrief: the preview may have begun anywhere
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["draft"]  # no saves folder, no settings file


# Run as its own process, as `koers watch` is: asyncio.run returns only once every task is done,
# and then the threads that are left (given two seconds to end) are those the watching did not stop.
REAL_WATCH = """
import asyncio, sys, threading, time
sys.path.insert(0, {tests!r})
from pathlib import Path
from test_watch import app_for, edit, shown

async def main():
    path = Path({path!r})
    app = app_for(path, watching=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)  # the watcher is set up
        edit(path, "text: Hello.", "text: Hello from the editor.")
        deadline = time.monotonic() + 10
        while "Hello from the editor." not in shown(app) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        print("seen" if "Hello from the editor." in shown(app) else "not seen")
        await pilot.press("q")
        stopped = time.monotonic()
        await pilot.pause()
    return stopped

stopped = asyncio.run(main())
print(f"{{time.monotonic() - stopped:.2f}}")
for thread in threading.enumerate():  # AnyIO's idle worker leaves when the loop closes, a moment later on a busy machine
    if thread is not threading.main_thread():
        thread.join(timeout=2)
print([t.name for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()])
"""


def test_watchfiles_sees_a_save_and_stops_with_the_app(scenario_file):
    code = REAL_WATCH.format(tests=str(FIXTURES.parent), path=str(scenario_file))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seen, seconds, threads = done.stdout.splitlines()
    assert seen == "seen"
    assert float(seconds) < 1.0  # the watching thread ends within its step (50 ms), not its 5 s timeout
    assert threads == "[]"


# -- the command ----------------------------------------------------------------------


@pytest.mark.parametrize("argv, said", [
    (["--at", "tow"], "koers watch: --at 'tow' is not a scene of {file}; did you mean 'two'?"),
    (["--set", "nothing"], "koers watch: --set 'nothing' is not a flag of {file}"),
    (["--meter", "trust=99"], "koers watch: --meter trust=99 is outside the meter's range, 0 to 10"),
    (["--meter", "trust=lots"], "koers watch: --meter 'trust=lots': 'lots' is not a whole number"),
])
def test_bad_arguments_are_one_line_and_exit_2(scenario_file, capsys, argv, said):
    assert main(["watch", str(scenario_file), *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == said.format(file=scenario_file) + "\n"


def test_a_file_that_cannot_be_read_at_all_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["watch", str(tmp_path / "missing.en.yaml")]) == 2
    assert capsys.readouterr().err == f"{tmp_path / 'missing.en.yaml'}:1:1: K011 cannot read the file: No such file or directory\n"
    assert main(["watch", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path}:1:1: K011 cannot read the file: Is a directory\n"


def test_without_a_terminal_the_preview_says_so_instead_of_drawing_into_a_pipe(scenario_file):
    done = subprocess.run([sys.executable, "-m", "game", "watch", str(scenario_file)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "koers watch: the preview needs a terminal; to check the file from a script, use koers validate\n"
