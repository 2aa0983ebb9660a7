"""The Textual app, driven by the Pilot against fixture folders only."""

import html
import json
import re
import shutil
import stat

import pytest
from conftest import FIXTURES
from xapi_valid import check_all
from textual.widgets import OptionList, Switch

from game.saves.codec import list_saves
from game.tui.app import make_app
from game.tui.debrief import DebriefScreen
from game.tui.dialogs import LockedScreen, NameScreen, SettingsScreen
from game.tui.help import HelpScreen
from game.tui.library import LibraryScreen
from game.tui.play import GRACE, PlayScreen

HOSTILE = FIXTURES / "ui" / "hostile.en.yaml"
SIZE = (80, 24)


class FakeClock:
    """A clock the test moves; the app's timers read it on every tick."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def folders(tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    shutil.copy(HOSTILE, scenarios / "hostile.en.yaml")
    (scenarios / "broken.en.yaml").write_text("koers: 1\nid: broken\ntitle: [\n", encoding="utf-8")
    return scenarios, tmp_path / "saves", tmp_path / "settings.json"


def app_for(folders, clock=None, player="Zed", **kw):
    scenarios, saves, settings = folders
    kw.setdefault("exports_dir", saves.parent / "Documents" / "Koers")
    return make_app([scenarios], saves, player=player, settings_path=settings, clock=clock or FakeClock(), **kw)


def screen_text(app) -> str:
    """What the terminal shows, as lines of text, read back from the SVG screenshot."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, chunk in re.findall(r'<text[^>]* x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', app.export_screenshot()):
        rows.setdefault(float(y), []).append((float(x), html.unescape(chunk).replace("\xa0", " ")))
    return "\n".join("".join(chunk for _, chunk in sorted(row)) for _, row in sorted(rows.items()))


async def settle(pilot):
    """Let the library's background loading finish and its result reach the screen."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def choose(pilot, *keys):
    """Keys for the play screen, each pressed after the grace period in which a new scene ignores keys."""
    for key in keys:
        pilot.app.clock.now += GRACE
        await pilot.press(key)
        await settle(pilot)


async def open_scenario(pilot):
    await settle(pilot)
    assert isinstance(pilot.app.screen, LibraryScreen)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PlayScreen)
    return pilot.app.screen


def saved(folders):
    good, bad = list_saves(folders[1])
    assert bad == []
    return [p for _, p in good]


async def test_library_lists_scenarios_and_broken_files(folders):
    folders[1].mkdir()
    (folders[1] / "00000000-0000-4000-8000-000000000000.json").write_text("{", encoding="utf-8")
    app = app_for(folders)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[@click=app.quit]x[/] Hostile" in text and "en  ·  2 decisions  ·  2 min" in text
        assert "broken.en.yaml: cannot be played (1 problem; Enter shows it)" in text
        assert "1 save cannot be read, and is left as it is" in text
        entries = app.screen.query_one("#entries", OptionList)
        entries.highlighted = next(i for i, o in enumerate(entries._options) if o.id == "b0")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.1)
        shown = " ".join(re.sub(r"█\s*█", " ", screen_text(app)).split())  # a long path wraps in the dialog
        assert "broken.en.yaml:4:1: K001" in shown  # file:line:col of the broken one
        await pilot.press("escape")
        entries.highlighted = next(i for i, o in enumerate(entries._options) if o.id == "bad")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.1)
        text = " ".join(re.sub(r"█\s*█", " ", screen_text(app)).split())
        assert "00000000-0000-4000" in text and ":1:2: S001 the save is not valid JSON" in text


async def test_a_scenario_with_an_error_is_listed_but_never_offered(folders):
    shutil.copy(FIXTURES / "bad" / "K201-missing-target.en.yaml", folders[0] / "leads-nowhere.en.yaml")
    app = app_for(folders)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "leads-nowhere.en.yaml: cannot be played (1 problem" in text
        assert "Base" not in text  # not among the scenarios to play
        entries = app.screen.query_one("#entries", OptionList)
        assert [o.id for o in entries._options if not o.disabled and o.id.startswith("s")] == ["s0"]  # only the hostile one
        entries.highlighted = next(i for i, o in enumerate(entries._options) if o.id == "b1")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause(0.1)
        shown = " ".join(re.sub(r"█\s*█", " ", screen_text(app)).split())
        assert "K201 choice 'stop' leads to" in shown, shown[-700:]


async def test_name_is_asked_once_and_remembered(folders):
    app = app_for(folders, player=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NameScreen)
        await pilot.press(*"Ann sq?e", "enter", *"WS1", "enter")  # letters that are keys elsewhere
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
    assert json.loads(folders[2].read_text())["player"] == "Ann sq?e"
    assert json.loads(folders[2].read_text())["session"] == "WS1"
    app = app_for(folders, player=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)


async def test_choose_by_number_saves_and_shows_the_consequence(folders):
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        play = await open_scenario(pilot)
        await choose(pilot, "1")
        await settle(pilot)
        assert play.session.run.at == "two" and play.session.run.steps[0].choice == "ask"
        assert "Zed [/bold] nods." in screen_text(app)
        (p,) = saved(folders)
        assert [s.choice for s in p.steps] == ["ask"] and p.player == "Zed"


async def test_choose_with_arrows_and_enter_and_with_the_mouse(folders):
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        play = await open_scenario(pilot)
        await choose(pilot, "down", "enter")
        await settle(pilot)
        assert play.session.run.steps[-1].choice == "tell"
        choices = app.screen.query_one("#choices", OptionList)
        app.clock.now += GRACE
        await pilot.click(choices, offset=(4, 2))  # the second option, below the top border
        await settle(pilot)
        assert play.session.run.at == "bad" and play.session.run.steps[-1].choice == "wait"


async def test_timeout_takes_the_timeout_choice_and_says_so(folders):
    clock = FakeClock()
    app = app_for(folders, clock)
    async with app.run_test(size=SIZE) as pilot:
        play = await open_scenario(pilot)
        await choose(pilot, "1")
        await settle(pilot)
        assert "5 s to decide" in screen_text(app)
        clock.now += 2
        await pilot.pause(0.25)
        assert "3 s to decide" in screen_text(app)
        await pilot.press("question_mark")  # reading the help costs no time
        clock.now += 60
        await pilot.pause(0.25)
        await pilot.press("escape")
        await pilot.pause(0.25)
        assert play.session.run.at == "two" and "3 s to decide" in screen_text(app)
        clock.now += 3
        await pilot.pause(0.25)
        assert play.session.run.at == "bad" and play.session.run.steps[-1].timed_out
        assert play.session.run.steps[-1].ms == 5000
        assert "Time ran out, so the story chose for you: Wait." in screen_text(app)


async def test_timers_off_and_slow_are_honoured_and_saved(folders):
    folders[2].write_text(json.dumps({"timers": "off"}))
    clock = FakeClock()
    app = app_for(folders, clock)
    async with app.run_test(size=SIZE) as pilot:
        play = await open_scenario(pilot)
        await choose(pilot, "1")
        clock.now += 60
        await pilot.pause(0.25)
        assert play.session.run.at == "two" and "to decide" not in screen_text(app)
        # switch to slow in the settings: the running decision gets double time
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        app.screen.dismiss(("slow", "en"))
        await settle(pilot)
        clock.now += 6
        await pilot.pause(0.25)
        assert play.session.run.at == "two"
        clock.now += 5
        await pilot.pause(0.25)
        assert play.session.run.at == "bad"
    assert saved(folders)[0].settings.timers == "slow"
    assert json.loads(folders[2].read_text())["timers"] == "slow"


async def test_quit_and_resume_exactly(folders):
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot)
        await choose(pilot, "2")
        await pilot.press("q")
    assert app.return_code == 0
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listed = " ".join(screen_text(app).split())
        assert "Hostile (en) — " in listed and "decision 2 of about 2" in listed
        await pilot.press("enter")
        await settle(pilot)
        play = app.screen
        assert isinstance(play, PlayScreen)
        assert play.session.run.at == "two" and [s.choice for s in play.session.run.steps] == ["tell"]
        await choose(pilot, "1")
        await settle(pilot)
    assert len(saved(folders)) == 1 and saved(folders)[0].ending == "good"


async def test_a_saves_folder_that_cannot_be_written_is_said_before_the_first_scene(folders):
    folders[1].write_text("a file where the saves folder should be")
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        play = await open_scenario(pilot)
        text = " ".join(screen_text(app).split())
        assert "Your playthrough is not being saved: Koers cannot write to" in text
        assert "a file is in the way of the folder" in text
        await choose(pilot, "1")
        await settle(pilot)
        assert play.session.run.at == "two"  # the game goes on
        assert "not being saved" in screen_text(app)
    assert folders[1].read_text() == "a file where the saves folder should be"


async def test_a_playthrough_open_elsewhere_offers_a_new_one(folders):
    from game.saves.store import Store

    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot)
        await choose(pilot, "2")
        await pilot.press("q")
    (first,) = saved(folders)
    elsewhere = Store(folders[1]).lock(first.id)  # another Koers plays it now
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the unfinished playthrough, highlighted first
        await settle(pilot)
        assert isinstance(app.screen, LockedScreen)
        assert "open in another Koers window" in " ".join(screen_text(app).split())
        await pilot.press("enter")  # Start a new playthrough
        await settle(pilot)
        play = app.screen
        assert isinstance(play, PlayScreen) and play.session.run.steps == () and play.session.playthrough.id != first.id
        await choose(pilot, "1")
        await settle(pilot)
    elsewhere.release()
    assert {p.id for p in saved(folders)} == {first.id, play.session.playthrough.id}
    assert next(p for p in saved(folders) if p.id == first.id) == first  # untouched


async def finish(pilot):
    await open_scenario(pilot)
    await choose(pilot, "1", "1", "enter")
    assert isinstance(pilot.app.screen, DebriefScreen)
    return pilot.app.screen


async def test_debrief_shows_the_path_and_saves_reflections(folders):
    app = app_for(folders)
    async with app.run_test(size=(120, 40)) as pilot:
        debrief = await finish(pilot)
        text = screen_text(app)
        assert "Good [/bold]" in text and "Decision 1" in text and "Coaching" in text
        await pilot.press("r", *"On Monday? quite sure", "escape")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, DebriefScreen) and debrief.exported is None
        debrief.query_one("#shared-0", Switch).value = True
        await settle(pilot)
    (p,) = saved(folders)
    assert p.reflections[0].answer == "On Monday? quite sure" and p.reflections[0].shared


async def test_a_finished_debrief_opens_again_from_the_library(folders):
    app = app_for(folders)
    async with app.run_test(size=(120, 40)) as pilot:
        await finish(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        text = screen_text(app)
        assert "Your recent debriefs" in text and "ending: Good [/bold]" in text
        entries = app.screen.query_one("#entries", OptionList)
        entries.highlighted = next(i for i in range(entries.option_count) if entries.get_option_at_index(i).id == "f0")
        await pilot.press("enter")
        await settle(pilot)
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen) and debrief.session.run.finished
        await pilot.press("r", *"later", "escape")
        await settle(pilot)
    (p,) = saved(folders)
    assert p.reflections[0].answer == "later"
    app = app_for(folders, player="Bo")  # the next player on a shared laptop
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Your recent debriefs" not in screen_text(app)  # Zed's reflections stay Zed's


async def test_replay_from_a_decision_keeps_the_original(folders):
    app = app_for(folders)
    async with app.run_test(size=(120, 40)) as pilot:
        debrief = await finish(pilot)
        original = debrief.session.playthrough.id
        debrief.query_one("#replay-1").press()
        await settle(pilot)
        play = app.screen
        assert isinstance(play, PlayScreen)
        assert play.session.run.at == "two" and play.session.playthrough.id != original
        assert play.session.playthrough.replay_of.playthrough == original
        await choose(pilot, "2")
        await settle(pilot)
    by_id = {p.id: p for p in saved(folders)}
    assert by_id[original].ending == "good" and len(by_id) == 2


async def test_export_is_private_and_never_in_the_saves_folder(folders):
    exports = folders[1].parent / "Documents" / "Koers"
    app = app_for(folders)
    async with app.run_test(size=(140, 30)) as pilot:  # pytest's temporary folders make long paths
        debrief = await finish(pilot)
        await pilot.press("r")
        await pilot.press(*"mine")
        await pilot.press("escape")
        await pilot.press("e")
        await settle(pilot)
        path = debrief.exported
        lines = [line.strip() for line in screen_text(app).splitlines() if line.strip()]
        assert str(path) == lines[-2] and "readable by you only" in lines[-3]  # the whole path, on a line of its own
    assert path.parent == exports and folders[1] not in path.parents
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Debrief: \\[`@`click=app.quit\\]x\\[/\\] Hostile") and "## Your path" in text
    assert "Your answer (Private): mine" in text
    assert [p.name for p in folders[1].iterdir() if not p.name.endswith(".json")] == []


async def test_the_players_learning_record_is_exported_beside_the_debrief(folders):
    exports = folders[1].parent / "Documents" / "Koers"
    app = app_for(folders)
    async with app.run_test(size=(140, 30)) as pilot:
        debrief = await finish(pilot)
        await pilot.press("r", *"mine", "tab", "space")  # answered, and shared with the switch
        await pilot.press("x")
        await settle(pilot)
        path = debrief.exported
        assert str(path) in screen_text(app)
    assert path.parent == exports and path.name.endswith(".xapi.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    statements = json.loads(path.read_text(encoding="utf-8"))
    check_all(statements)
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in statements] == ["initialized", "answered", "answered", "completed",
                                                                         "answered"]
    assert {s["actor"]["account"]["name"] for s in statements} == {"Zed"} and statements[-1]["result"]["response"] == "mine"


async def test_hostile_strings_fire_no_action(folders):
    app = app_for(folders)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_scenario(pilot)
        text = screen_text(app)
        assert "Zed [/bold]" in text and "[@click=app.quit]x[/]" in text and "\x1b" not in app.screen.query_one("#text").render().plain
        for widget in ("#text", "#speaker", "#choices"):
            await pilot.click(widget)
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, PlayScreen)


async def test_help_and_language_switch(folders):
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen) and "pick a choice" in screen_text(app)
        await pilot.press("escape", "s")
        await settle(pilot)
        app.screen.dismiss(("on", "nl"))
        await settle(pilot)
        titles = [title for title, _, _ in app.commands(app.screen)]
        assert titles == ["Bibliotheek", "Instellingen", "Hulp", "Schermafdruk", "Stoppen"]
        app.theme = "textual-light"
        await settle(pilot)
        # The play screen speaks the scenario's language (English here), the interface its own.
        assert "Choose with 1–2" in screen_text(app) and "Kies met" not in screen_text(app)


@pytest.mark.parametrize("size", [(1, 1), (10, 3), (40, 10), (300, 100)])
async def test_any_size_and_resizing_keep_the_state(folders, size):
    app = app_for(folders)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await choose(pilot, "1")
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.resize_terminal(*size)
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen) and app.screen.session.run.at == "two"
        await choose(pilot, "1", "enter")
        await settle(pilot)
        await pilot.resize_terminal(*size)
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        for key in ("question_mark", "s"):
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)


@pytest.mark.parametrize("size", [(1, 1), (30, 8)])
async def test_name_prompt_at_any_size(folders, size):
    app = app_for(folders, player=None)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NameScreen)


async def test_resuming_uses_the_timers_the_player_needs_now(folders):
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        await open_scenario(pilot)
        await choose(pilot, "1")
        await settle(pilot)
        assert "5 s to decide" in screen_text(app)
    folders[2].write_text(json.dumps({"player": "Zed", "timers": "off"}))
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        play = await open_scenario(pilot)  # the unfinished playthrough is first
        assert play.session.run.at == "two" and play.session.playthrough.settings.timers == "off"
        assert "to decide" not in screen_text(app)


async def test_the_settings_mark_each_choice_and_speak_the_language_just_chosen(folders):
    app = app_for(folders)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        marks = {str(b.label): str(b.render())[1] for b in dialog.query("Option")}
        assert marks == {"on": "●", "slow (double time)": " ", "off": " ", "Nederlands": " ", "English": "●"}
        await pilot.click("#lang Option")  # Nederlands
        await settle(pilot)
        assert "Instellingen" in screen_text(app) and "Taal van de interface" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
    assert json.loads(folders[2].read_text())["lang"] == "nl"
