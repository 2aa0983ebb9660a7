"""The run API: a value that moves only through choose()."""

import pytest

from conftest import FIXTURES
from game.authoring.loader import load
from game.core.run import Run, RunError


@pytest.fixture
def scenario():
    return load(FIXTURES / "base.en.yaml")


def test_start_reads_the_first_scene(scenario):
    run = Run.start(scenario)
    assert (run.at, run.text, [c.id for c in run.choices]) == ("one", "Hello.", ["ask", "tell"])
    assert run.meters == {"trust": 5} and run.flags == frozenset() and not run.finished


def test_choose_returns_a_new_value_and_keeps_the_old(scenario):
    first = Run.start(scenario)
    second = first.choose("ask", ms=1234)
    assert first.at == "one" and first.steps == ()
    assert second.at == "two" and second.meters == {"trust": 6} and second.flags == {"asked"}
    assert second.steps[0].ms == 1234 and not second.steps[0].timed_out
    assert second.last_choice.id == "ask"


def test_text_variant_follows_state(scenario):
    assert Run.start(scenario).choose("ask").text == "Thanks for asking."
    assert Run.start(scenario).choose("tell").text == "Then?"


def test_unavailable_choice_is_refused(scenario):
    with pytest.raises(RunError):
        Run.start(scenario).choose("go")
    with pytest.raises(RunError):
        Run.start(scenario).choose("ask", timed_out=True)


def test_ending_and_path(scenario):
    run = Run.start(scenario).choose("tell").choose("stop")
    assert run.finished and run.ending.rating == "weak" and run.choices == ()
    assert run.path == ("one", "two", "bad")
    with pytest.raises(RunError):
        run.choose("go")


def test_replay_rebuilds_an_earlier_state(scenario):
    run = Run.start(scenario).choose("ask", ms=10).choose("go", ms=20)
    assert run.replay(1) == Run.start(scenario).choose("ask", ms=10)


def test_meters_are_clamped(tmp_path):
    text = (FIXTURES / "base.en.yaml").read_text().replace("effects: {trust: 1}", "effects: {trust: 9}")
    path = tmp_path / "s.en.yaml"
    path.write_text(text)
    assert Run.start(load(path)).choose("ask").meters == {"trust": 10}


def test_timeout_takes_the_timeout_choice(tmp_path):
    text = (FIXTURES / "base.en.yaml").read_text().replace(
        "    text: Hello.\n", "    text: Hello.\n    timer: {seconds: 5, timeout: tell}\n"
    )
    path = tmp_path / "s.en.yaml"
    path.write_text(text)
    run = Run.start(load(path))
    assert run.timer.seconds == 5
    after = run.time_out(5000)
    assert after.steps[-1].choice == "tell" and after.steps[-1].timed_out and after.steps[-1].ms == 5000


def test_routes_decide_where_a_choice_leads(routed_base):
    scenario = load(routed_base)
    assert Run.start(scenario).choose("ask").choose("stop").at == "good"
    assert Run.start(scenario).choose("tell").choose("stop").at == "bad"
