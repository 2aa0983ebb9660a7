"""The explorer, on a fixture with known paths and on every bundled scenario."""

import subprocess
import sys

import pytest

from conftest import FIXTURES, SCENARIOS
from game.authoring.explore import explore, format_report
from game.authoring.loader import load

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))


def test_base_fixture_paths_are_counted():
    report = explore(load(FIXTURES / "base.en.yaml"))
    # one -> (ask | tell) -> two -> (go | stop): four paths, two per ending.
    assert report.exhaustive and report.paths == 4
    assert report.endings == {"good": 2, "bad": 2}
    assert report.meter_ranges["good"] == {"trust": (5, 6)}
    assert report.shortest == ("one", "two", "good") and len(report.longest) == 3
    assert report.ok


def test_sampling_reaches_the_same_endings():
    report = explore(load(FIXTURES / "base.en.yaml"), max_states=0, samples=50, seed=1)
    assert not report.exhaustive and set(report.endings) == {"good", "bad"}
    assert sum(report.endings.values()) == 50


def test_unreached_ending_is_reported(tmp_path):
    text = (FIXTURES / "base.en.yaml").read_text().replace("        next: bad\n", "        next: good\n")
    path = tmp_path / "s.en.yaml"
    path.write_text(text)
    report = explore(load(path))
    assert report.unreached_endings == ["bad"] and not report.ok
    assert "bad (weak): NOT REACHED" in format_report(report)
    result = subprocess.run([sys.executable, "-m", "game", "explore", str(path)], capture_output=True, text=True)
    assert result.returncode == 1 and "NOT REACHED" in result.stdout


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_ending_of_every_bundled_scenario_is_reachable(path):
    report = explore(load(path))
    assert report.unreached_endings == [] and report.stuck == ()
    assert len(report.scenes) == len(report.scenario.scenes)


def test_the_bundled_scenarios_are_strictly_clean_and_name_no_one_twice():
    from collections import defaultdict

    from game.authoring.library import check_files
    from game.core.diagnostics import Severity

    entries = check_files(BUNDLED)
    # `validate --strict` clean: no error or warning. A note (K308) may stay where an author
    # kept it on purpose, so that "never pick the highest" does not become the answer.
    assert [str(d) for e in entries for d in e.diagnostics if d.severity >= Severity.WARNING] == []
    scenarios_of = defaultdict(set)  # a person's first name -> the scenarios it appears in
    for e in entries:
        for cid, character in e.scenario.characters.items():
            if cid != "narrator":
                scenarios_of[character.name.split()[0]].add(e.scenario.id)
    assert {name: ids for name, ids in scenarios_of.items() if len(ids) > 1} == {}


def by_the_meter(scenario, pick, seed):
    """A playthrough that reads only the shown meter: always the option that moves it most
    (``pick=max``) or least (``pick=min``), ties broken by a seeded coin."""
    import random

    from game.core.run import Run

    rng = random.Random(seed)
    shown = {k for k, meter in scenario.meters.items() if meter.shown}
    run = Run.start(scenario)

    def moves(choice):
        return sum(e.delta for e in choice.outcome(run.meters, run.flags).effects if e.meter in shown)

    while not run.finished:
        best = pick(moves(c) for c in run.choices)
        run = run.choose(rng.choice([c for c in run.choices if moves(c) == best]).id)
    return run


@pytest.mark.parametrize("path", [p for p in BUNDLED if ".nl." in p.name], ids=lambda p: p.name)
def test_the_shown_meter_is_no_answer_key(path):
    """CONTENT.md rule 9: at most one meter shows during play, and playing by it alone
    (always its lowest or always its highest option) never earns the strong ending."""
    scenario = load(path)
    assert sum(meter.shown for meter in scenario.meters.values()) <= 1
    for pick in (min, max):
        endings = {by_the_meter(scenario, pick, seed).at for seed in range(30)}
        assert all(scenario.endings[e].rating != "strong" for e in endings), (pick.__name__, endings)
