"""The facilitator view: overview, decisions with the arrow keys, presenter mode."""

from __future__ import annotations

import pytest

from game.authoring.library import Library
from game.debrief import group
from game.saves.playthrough import Playthrough
from msgspec.structs import replace
from game.debrief.collect import collect
from game.debrief.group import debrief
from game.render.group_export import to_html, to_markdown, to_text
from game.authoring.loader import load
from game.tui.group import make_group_app
from game.tui.group_screens import (
    DecisionScreen,
    MetersScreen,
    OverviewScreen,
    PresenterScreen,
    ReflectionsScreen,
    RoutesScreen,
)
from test_group import pid, play, put, write_scenarios

SIZE = (100, 40)
MARKUP = "[bold red]not markup[/] $x \x1b[2J"


@pytest.fixture
def report(tmp_path):
    lib = Library([write_scenarios(tmp_path / "scenarios", timer=True)])
    en = lib.languages("base")["en"]
    folder = tmp_path / "room"
    for n in range(5):
        put(folder, play(en, n, ["ask", "go"], ms=1000 * (n + 1), shared={0: (f"{MARKUP} {n}", n == 0)}))
    for n in range(5, 8):
        put(folder, play(en, n, ["tell", "stop"], ms=4000, timed_out=n == 5))
    return debrief(collect([folder]), lib)


def text_of(screen) -> str:  # noqa: ANN001
    return "\n".join(str(w.render()) for w in screen.query("Static"))


async def test_arrows_move_between_decisions_and_escape_returns(report):
    app = make_group_app(report)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, OverviewScreen)
        assert "Playthroughs: 8 (8 finished, 0 unfinished)" in text_of(app.screen)
        await pilot.press("enter")
        assert isinstance(app.screen, DecisionScreen) and app.screen.index == 0
        assert "5 (62%)" in text_of(app.screen) and "3 (38%)" in text_of(app.screen)
        assert "3 (38%)  · not recommended" in text_of(app.screen)  # the scenario's view, for the facilitator
        await pilot.press("right")
        assert app.screen.index == 1
        await pilot.press("right")  # the last decision: stays
        assert app.screen.index == 1
        await pilot.press("left")
        assert app.screen.index == 0
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)


async def test_presenter_shows_the_question_first_and_the_split_on_space(report):
    app = make_group_app(report)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        screen = app.screen
        assert isinstance(screen, PresenterScreen) and not screen.revealed
        assert "1. Ask." in str(screen.query_one("#choices-only").render())
        assert "not recommended" not in str(screen.query_one("#split").render())  # not for the room
        keys = screen.query_one("#group-keys")
        assert str(keys.render()).startswith("Space: show the group's split")
        await pilot.press("space")
        assert screen.revealed and not screen.query_one("#choices-only").display
        assert "Space" not in str(keys.render()) and "PgUp PgDn scroll" in str(keys.render())  # nothing left to show
        await pilot.press("right")
        assert isinstance(app.screen, PresenterScreen) and app.screen.index == 1 and not app.screen.revealed


async def test_every_view_opens_from_every_other_with_its_letter(report):
    app = make_group_app(report)
    views = {"d": DecisionScreen, "r": RoutesScreen, "m": MetersScreen, "s": ReflectionsScreen,
             "p": PresenterScreen, "o": OverviewScreen}
    async with app.run_test(size=SIZE) as pilot:
        for first in views:
            for key, screen in views.items():
                await pilot.press(first, key)
                assert type(app.screen) is screen, (first, key)
        await pilot.press("d", "right", "r", "d")
        assert isinstance(app.screen, DecisionScreen) and app.screen.index == 1  # the decision is kept
        await pilot.press("r")
        shown = text_of(app.screen)
        assert "5 × Ask. → Go on. → ending: Good" in shown and "3 × Tell. → Stop. → ending: Bad" in shown
        await pilot.press("m")
        shown = text_of(app.screen)
        assert "Good  (5)" in shown and "Bad  (3)" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)
        assert len(app.screen_stack) == 2  # moving between views never piles screens up


async def test_a_dutch_debrief_speaks_dutch(tmp_path):
    lib = Library([write_scenarios(tmp_path / "scenarios", nl=True)])
    folder = tmp_path / "room"
    for n in range(3):
        put(folder, play(lib.languages("base")["nl"], n, ["ask", "go"]))
    app = make_group_app(debrief(collect([folder]), lib))
    async with app.run_test(size=SIZE) as pilot:
        shown = text_of(app.screen)
        assert "Groepsnabespreking" in shown and "Speelrondes: 3 (3 afgerond, 0 niet afgerond)" in shown
        assert "Eindes" in shown and "[sterk]" in shown
        await pilot.press("enter")
        assert "Beslissing 1 van" in text_of(app.screen)


def test_a_bar_stays_its_width_whatever_the_count():
    from game.tui.group_screens import BAR, _bar

    for count in (-5, 0, 50, 10**12):  # an average far outside the meter's range, from a damaged save
        assert len(_bar(group.Count(count, 100)).plain) == BAR


async def test_v_moves_to_the_next_version_group(tmp_path):
    v1 = load(write_scenarios(tmp_path / "v1", version="1") / "base.en.yaml")
    lib = Library([write_scenarios(tmp_path / "v2", version="2")])
    folder = tmp_path / "room"
    put(folder, play(v1, 1, ["ask", "go"]))
    put(folder, play(lib.languages("base")["en"], 2, ["tell", "go"]))
    app = make_group_app(debrief(collect([folder]), lib))
    async with app.run_test(size=SIZE) as pilot:
        assert "version 1" in text_of(app.screen) and "v next version" in text_of(app.screen)
        await pilot.press("m", "v")
        assert isinstance(app.screen, MetersScreen) and app.screen.debrief.version == "2"
        assert "Meters at the end, per ending · version 2" in text_of(app.screen)
        await pilot.press("d", "v")  # the other version may have other decisions: its overview
        assert isinstance(app.screen, OverviewScreen) and app.screen.debrief.version == "1"


async def test_player_text_is_shown_as_written_never_as_markup(report):
    app = make_group_app(report)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, ReflectionsScreen)
        shown = text_of(app.screen)
        assert "[bold red]not markup[/] $x [2J 0" in shown  # the escape character is dropped
        assert "\x1b" not in shown
        assert "not markup[/] $x [2J 1" not in shown  # not shared


def test_overview_snapshot(snap_compare, report):
    assert snap_compare(make_group_app(report), terminal_size=SIZE)


def test_decision_snapshot(snap_compare, report):
    assert snap_compare(make_group_app(report), press=["enter"], terminal_size=SIZE)


@pytest.mark.parametrize("broken, words", [(1, "1 file not counted"), (2, "2 files not counted")])
async def test_the_overview_says_how_many_files_did_not_count(tmp_path, report, broken, words):
    folder = tmp_path / "room"
    for n in range(broken):
        (folder / f"broken-{n}.json").write_text("{")
    lib = Library([tmp_path / "scenarios"])
    app = make_group_app(debrief(collect([folder]), lib))
    async with app.run_test(size=SIZE):
        assert f"{words} (listed when the command ends)" in text_of(app.screen)


async def test_presenter_mode_fits_a_long_scene_and_every_choice_on_a_small_screen(tmp_path):
    folder = write_scenarios(tmp_path / "scenarios")
    path = folder / "base.en.yaml"
    long = "\\n\\n".join(["A paragraph of the scene that goes on long enough to wrap onto a second line."] * 4)
    path.write_text(path.read_text(encoding="utf-8").replace("    text: Hello.\n", f'    text: "{long}"\n'), encoding="utf-8")
    lib = Library([folder])
    put(tmp_path / "room", play(lib.languages("base")["en"], 1, ["ask", "go"]))
    app = make_group_app(debrief(collect([tmp_path / "room"]), lib))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        choices = app.screen.query_one("#choices-only")
        assert app.screen.has_class("-compact") and "2. Tell." in str(choices.render())
        assert choices.region.bottom <= 23  # above the key line, without scrolling
    async with make_group_app(app.report).run_test(size=(120, 50)) as pilot:
        await pilot.press("p")
        assert not pilot.app.screen.has_class("-compact")  # a large screen keeps the room around the question


async def test_an_overview_without_decisions_says_so_and_offers_none(tmp_path):
    lib = Library([write_scenarios(tmp_path / "scenarios")])
    en = lib.languages("base")["en"]
    for n in range(2):  # started, and stopped before the first choice
        put(tmp_path / "room", replace(Playthrough.new(en, "Ann"), id=pid(n)))
    app = make_group_app(debrief(collect([tmp_path / "room"]), lib))
    async with app.run_test(size=SIZE) as pilot:
        shown = text_of(app.screen)
        assert "No decision was taken yet" in shown and "Enter decisions" not in str(app.screen.query_one("#group-keys").render())
        await pilot.press("enter", "d", "p")
        assert isinstance(app.screen, OverviewScreen)
    for export in (to_text, to_markdown, to_html):  # and the printed summary and the reports say it too
        assert "No decision was taken yet" in export(app.report), export
