"""What new players tripped over, each played through with the Pilot: the page
keys, the grace period, Esc and q, an exact resume, the first run, the
palette, screenshots, the header and the countdown."""

import json

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, OptionList, Static, Switch

from conftest import FIXTURES
from test_ui import FakeClock, choose, screen_text, settle

from game.saves.codec import list_saves
from game.tui.app import make_app
from game.tui.debrief import DebriefScreen
from game.tui.dialogs import NameScreen
from game.tui.library import LibraryScreen
from game.tui.play import GRACE, PlayScreen

LONG = "\n\n".join(f"      Paragraph {n}: Ann talks about the week, the team and the report." for n in range(30))


@pytest.fixture
def folders(tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    text = (FIXTURES / "features.en.yaml").read_text(encoding="utf-8")
    text = text.replace("    text: Ann looks up. “Do you have a minute?”\n",
                        "    text: |\n      Ann looks up. “Do you have a minute?”\n\n" + LONG + "\n\n      The last line.\n")
    text = text.replace("seconds: 30", "seconds: 300")  # long enough to read all of it
    text = text.replace("title: Every feature of the format", "title: " + "A very long title " * 6)
    (scenarios / "features.en.yaml").write_text(text, encoding="utf-8")
    return scenarios, tmp_path / "saves", tmp_path / "settings.json"


def app_for(folders, clock=None, player="Zed", **kw):
    scenarios, saves, settings = folders
    return make_app([scenarios], saves, player=player, settings_path=settings, clock=clock or FakeClock(),
                    exports_dir=saves.parent / "Documents" / "Koers", **kw)


async def open_first(pilot):
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PlayScreen)
    return pilot.app.screen


async def test_page_keys_scroll_the_story_and_leave_the_highlight(folders):
    app = app_for(folders)
    async with app.run_test(size=(80, 24)) as pilot:
        play = await open_first(pilot)
        choices = play.query_one("#choices", OptionList)
        choices.highlighted = 1
        story = play.query_one("#story", VerticalScroll)
        assert story.scroll_y == 0 and "The last line." not in screen_text(app)
        for _ in range(12):
            await pilot.press("pagedown")
        await settle(pilot)
        assert story.scroll_y > 0 and "The last line." in screen_text(app)  # the end is reachable at 80x24
        assert choices.highlighted == 1  # the page keys never move the highlighted choice
        await pilot.press("pageup")
        await settle(pilot)
        assert choices.highlighted == 1 and play.session.run.steps == ()


async def test_a_key_right_after_a_scene_changes_is_ignored(folders):
    clock = FakeClock()
    app = app_for(folders, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        play = await open_first(pilot)
        clock.now += 300  # the time runs out…
        await pilot.pause(0.25)
        assert play.session.run.at == "two" and play.session.run.steps[-1].timed_out
        await pilot.press("1")  # …just as the player presses a key meant for the first scene
        await settle(pilot)
        assert play.session.run.at == "two" and len(play.session.run.steps) == 1  # ignored
        assert "The minute passes." in screen_text(app)  # and the timeout's news stays in view
        clock.now += GRACE
        await pilot.press("1")
        await settle(pilot)
        assert play.session.run.at in ("end_good", "end_mixed")


async def test_esc_never_quits_and_q_says_the_game_is_saved(folders, capfd):
    app = app_for(folders)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, LibraryScreen)
        await open_first(pilot)
        await pilot.press("escape")  # back to the library
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        await open_first(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert "Your playthrough is saved; start Koers again" in capfd.readouterr().err


async def test_resume_shows_what_happened_and_keeps_the_time_that_was_left(folders):
    clock = FakeClock()
    app = app_for(folders, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first(pilot)
        await choose(pilot, "1")  # asked: scene two, no timer; back to one would need a replay
        clock.now += 5
    app = app_for(folders, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        play = await open_first(pilot)  # the unfinished playthrough is first
        assert play.session.run.at == "two" and "Ann pulls up a chair." in screen_text(app)  # the last consequence
    # A timed decision left after 100 of its 300 s: it goes on with 200 s.
    for p in [p for _, p in list_saves(folders[1])[0]]:
        (folders[1] / f"{p.id}.json").unlink()
    app = app_for(folders, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        play = await open_first(pilot)
        clock.now += 100
        await pilot.press("escape")
        await settle(pilot)
    ((_, saved),) = list_saves(folders[1])[0]
    assert saved.waited_ms == 100_000
    app = app_for(folders, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        play = await open_first(pilot)
        await pilot.pause(0.25)
        assert "200 s to decide" in screen_text(app)
        clock.now += 200
        await pilot.pause(0.25)
        assert play.session.run.steps[-1].timed_out and play.session.run.steps[-1].ms == 300_000


async def test_the_first_run_asks_the_language_and_a_name(folders):
    app = app_for(folders, player=None, lang=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NameScreen)
        await pilot.press("enter")  # no name yet
        await settle(pilot)
        assert isinstance(app.screen, NameScreen) and "A name is needed" in screen_text(app)
        assert app.screen.focused is app.screen.query_one("#player", Input)
        await pilot.click("#lang RadioButton")  # Nederlands, the first
        await settle(pilot)
        assert "Wie speelt er?" in screen_text(app)  # the dialog speaks the language just chosen
        app.screen.query_one("#player", Input).value = "Kim"
        app.screen.query_one("#player", Input).focus()
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen) and "Scenario's" in screen_text(app)
    assert json.loads(folders[2].read_text())["lang"] == "nl"


async def test_the_palette_speaks_the_interface_language(folders):
    app = app_for(folders, lang="nl")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        text = screen_text(app)
        assert "Bibliotheek" in text and "Schermafdruk" in text and "Theme" not in text and "Keys" not in text
        await pilot.press(*"zzzq")
        await pilot.pause(0.5)
        assert "Geen opdracht gevonden" in screen_text(app) and "No matches" not in screen_text(app)


async def test_a_screenshot_lands_in_a_folder_that_exists_and_says_where(folders):
    app = app_for(folders)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_take_screenshot()
        await pilot.pause()
        shots = list((folders[1].parent / "Documents" / "Koers").glob("*.svg"))
        assert len(shots) == 1
        assert any(str(shots[0]) in str(n.message) for n in app._notifications)


async def test_the_header_is_one_line_and_the_countdown_turns_urgent(folders):
    clock = FakeClock()
    app = app_for(folders, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        play = await open_first(pilot)
        header = play.query_one("#header")
        assert header.size.height == 1  # a long title and the meters never wrap
        countdown = play.query_one("#countdown", Static)
        assert not countdown.has_class("urgent")
        clock.now += 291
        await pilot.pause(0.25)
        assert countdown.has_class("urgent") and "9 s to decide" in screen_text(app)


async def test_the_share_switch_says_what_it_does_now(folders):
    app = app_for(folders)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        await choose(pilot, "1", "1", "enter")
        assert isinstance(app.screen, DebriefScreen)
        label = app.screen.query_one("#share-label-0", Label)
        assert str(label.render()) == "Private"
        app.screen.query_one("#shared-0", Switch).toggle()
        await settle(pilot)
        assert str(label.render()) == "Shared with the group"
