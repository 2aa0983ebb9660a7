"""The format's features, each played through: conditional paragraphs, ending
variants, outcomes that depend on the state, a timeout's own outcome,
cleared flags, `not`, and scene titles."""

import pytest

from conftest import FIXTURES
from game.debrief.personal import PersonalDebrief
from game.core.diagnostics import ScenarioError
from game.authoring.loader import load, loads
from game.core.run import Run
from game.authoring.library import check_files
from game.authoring.validator import validate

FEATURES = FIXTURES / "features.en.yaml"


@pytest.fixture
def scenario():
    return load(FEATURES)


def play(scenario, *moves):
    """Choices by id; '!' plays the scene's timeout as time running out."""
    run = Run.start(scenario)
    for move in moves:
        run = run.time_out(30_000) if move == "!" else run.choose(move, 1000)
    return run


def test_the_feature_file_is_clean():
    (checked,) = check_files([FEATURES])
    assert checked.diagnostics == ()


def test_conditional_paragraphs_and_their_else(scenario):
    asked = play(scenario, "ask").text
    assert asked == "The next morning Ann is at your door.\n\n“About yesterday. Thank you.”\n\nShe has a folder under her arm."
    told = play(scenario, "tell").text
    assert "“Can we talk now?”" in told and "About yesterday" not in told
    assert "She has a folder under her arm." in told  # not waited: the `not` holds
    assert "folder" not in play(scenario, "!").text
    assert scenario.scenes["two"].text.common == "The next morning Ann is at your door."


def test_a_timeout_has_its_own_outcome(scenario):
    ran_out = play(scenario, "!")
    chose = play(scenario, "tell")
    assert ran_out.meters["trust"] == 3 and chose.meters["trust"] == 5
    assert "waited" in ran_out.flags and "waited" not in chose.flags
    assert ran_out.last_outcome.consequence == "The minute passes. Ann turns back to her screen."
    assert chose.last_outcome.consequence == "Ann nods and says nothing."
    assert ran_out.at == chose.at == "two"  # the choice's own next still holds


def test_a_route_changes_the_outcome_of_one_choice(scenario):
    trusted = play(scenario, "ask", "listen")
    assert trusted.at == "end_good" and trusted.last_outcome.consequence == "Ann opens the folder."
    lost = play(scenario, "!", "listen")
    assert lost.at == "end_mixed"
    assert lost.last_outcome.consequence == "Ann talks, but keeps the folder closed."
    assert lost.last_outcome.coaching == "Trust lost yesterday is not back in one morning."


def test_flags_can_be_cleared_and_endings_vary(scenario):
    run = play(scenario, "ask", "listen")
    assert "noted" not in run.flags and "asked" in run.flags
    assert run.text == "Ann keeps coming to you."  # 'noted' was cleared: the variant does not hold
    mixed = play(scenario, "!", "send")
    assert mixed.text == "Ann still comes by now and then.\n\nYesterday's minute is not forgotten."


def test_the_debrief_tells_what_happened_and_where_the_others_led(scenario):
    run = play(scenario, "!", "listen")
    first, second = PersonalDebrief.build(scenario, run).decisions
    assert first.timed_out and first.consequence == "The minute passes. Ann turns back to her screen."
    assert second.coaching == "Trust lost yesterday is not back in one morning."
    (ask,) = first.alternatives
    assert ask.consequence == "Ann pulls up a chair."
    (send,) = second.alternatives
    assert (send.leads_to, send.consequence) == ("Half heard", "Ann goes. The door stays open.")
    trusted = PersonalDebrief.build(scenario, play(scenario, "ask", "send"))
    (tell,) = trusted.decisions[0].alternatives
    assert tell.tempts == "The meeting really is about to start."  # why the option not recommended tempts


def test_scene_titles(scenario):
    assert [s.title for s in scenario.scenes.values()] == ["The question", "The follow-up"]


def test_a_route_must_change_something():
    data = FEATURES.read_bytes().replace(b"            next: end_mixed\n            consequence: Ann talks, but keeps the folder closed.\n"
                                         b"            coaching: Trust lost yesterday is not back in one morning.\n", b"")
    with pytest.raises(ScenarioError) as exc:
        loads(data)
    assert [d.code for d in exc.value.diagnostics] == ["K101"]
    assert "a route needs what it changes" in exc.value.diagnostics[0].message


def test_new_parts_are_checked_like_the_others():
    data = FEATURES.read_bytes().replace(b"        else: \xe2\x80\x9cCan we talk now?\xe2\x80\x9d\n", b"")
    data = data.replace(b"{not: {flag: waited}}", b"{not: {flag: waitd}}").replace(b"clear: [noted]", b"clear: [notd]")
    data = data.replace(b"      effects: {trust: -2}\n", b"      effects: {trsut: -2}\n")
    found = {(d.code, d.message.split(";")[0]) for d in validate(loads(data, "f.yaml"))}
    assert ("K205", "flag 'waitd' is not declared under flags") in found
    assert ("K205", "flag 'notd' is not declared under flags") in found
    assert ("K204", "meter 'trsut' is not declared under meters") in found


def test_a_translation_must_keep_every_condition(tmp_path):
    english = FEATURES.read_text(encoding="utf-8").replace("language: en", "language: en\ntranslates: nl")
    dutch = FEATURES.read_text(encoding="utf-8").replace("language: en", "language: nl")
    (tmp_path / "features.en.yaml").write_text(english, encoding="utf-8")
    (tmp_path / "features.nl.yaml").write_text(dutch.replace("{flag: noted}", "{flag: asked}").replace(
        "rating: mixed", "rating: weak").replace('version: "1"', 'version: "2"').replace("seconds: 30", "seconds: 40"),
        encoding="utf-8")
    english_checked = next(c for c in check_files([tmp_path / "features.nl.yaml", tmp_path / "features.en.yaml"])
                           if c.path.endswith("en.yaml"))
    messages = [d.message for d in english_checked.diagnostics if d.code == "K212"]
    assert any("the version '1' differs" in m for m in messages)
    assert any("ending 'end_good' differs" in m for m in messages)  # its variant's condition
    assert any("ending 'end_mixed' differs" in m for m in messages)  # its rating
    assert any("the timer of scene 'one' differs" in m for m in messages)
