"""The explorer: on small scenarios whose answers are known, against a naive
search of every full state on random ones, and on every bundled scenario."""

import json
import os
import random
import subprocess
import sys
from collections import deque

import pytest

from conftest import FIXTURES, SCENARIOS
from game.authoring.explore import explore, format_report
from game.authoring.loader import load, loads
from game.core import model as m
from game.core.run import Run, RunError

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


def test_samples_below_one_are_refused_in_one_line():
    result = subprocess.run([sys.executable, "-m", "game", "explore", "--samples", "-5", str(BUNDLED[0])],
                            capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", "koers explore: --samples needs a number of 1 or more\n")


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_ending_of_every_bundled_scenario_is_reachable(path):
    report = explore(load(path))
    assert report.exhaustive, "every bundled scenario is explored exactly, within the bound"
    assert report.unreached_endings == [] and report.stuck == ()
    assert len(report.scenes) == len(report.scenario.scenes) and report.unavailable == []


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


@pytest.mark.parametrize("path", [p for p in BUNDLED if ".nl." in p.name], ids=lambda p: p.name)
def test_the_order_of_the_options_is_no_answer_key(path):
    """Content that shows its teacher's answer: always taking the option in one place on
    the list (the first, the second, ... the last) never earns the strong ending, and the
    options a scenario recommends are not mostly in one place."""
    from collections import Counter

    from game.core.run import Run

    scenario = load(path)
    for place in (0, 1, 2, 3, -1):
        run = Run.start(scenario)
        while not run.finished:
            options = run.choices
            run = run.choose(options[place if -len(options) <= place < len(options) else -1].id)
        assert scenario.endings[run.at].rating != "strong", place
    places = Counter(i for scene in scenario.scenes.values() if scene.is_decision
                     for i, choice in enumerate(scene.choices) if choice.recommended is not False)
    assert max(places.values()) <= 0.5 * sum(places.values()), dict(places)


HEAD = """koers: 1
id: t
title: T
language: en
version: "1"
summary: S.
minutes: 1
characters:
  - {id: ann, name: Ann}
"""

GATES = HEAD + """
meters:
  - {id: trust, label: Trust, min: 0, max: 10, start: 5}
flags:
  - id: asked
start: first
scenes:
  - id: first
    speaker: ann
    text: First.
    choices:
      - {id: ask, text: Ask., next: middle, effects: {trust: 1}, set: [asked]}
      - {id: tell, text: Tell., next: middle, effects: {trust: -3}}
  - id: middle
    speaker: ann
    text:
      - Middle.
      - when: {meter: trust, at_most: 2}
        text: Low.
        else: Not low.
    variants:
      - when: {meter: trust, below: 2}
        text: Very low.
    choices:
      - {id: thank, text: Thank., next: good, when: {flag: asked}}
      - {id: push, text: Push., next: great, when: {meter: trust, at_least: 7}}
      - {id: leave, text: Leave., next: bad}
endings:
  - {id: good, title: Good, text: Good., rating: strong}
  - {id: great, title: Great, text: Great., rating: strong}
  - {id: bad, title: Bad, text: Bad., rating: weak}
"""

# A condition on visits: no condition sees the history, so an author counts visits in a meter
# (or marks one with a flag); the story loops through the office until it has been seen three times.
VISITS = HEAD + """
meters:
  - {id: visits, label: Visits, min: 0, max: 10, start: 0}
flags:
  - id: saw_office
start: hall
scenes:
  - id: hall
    speaker: ann
    text: Hall.
    variants:
      - when: {meter: visits, at_least: 2}
        text: The hall again.
      - when: {flag: saw_office, meter: visits, at_most: 0}
        text: Back, but never away.
    choices:
      - {id: office, text: Office., next: office}
      - {id: leave, text: Leave., next: early}
      - {id: decide, text: Decide., next: decided, when: {meter: visits, at_least: 3}}
  - id: office
    speaker: ann
    text: Office.
    choices:
      - {id: back, text: Back., next: hall, effects: {visits: 1}, set: [saw_office]}
endings:
  - {id: early, title: Early, text: Early., rating: weak}
  - {id: decided, title: Decided, text: Decided., rating: strong}
"""


def line_of(text, needle):
    return text.splitlines().index(needle) + 1


def test_what_a_flag_or_a_meter_gates_is_proved():
    report = explore(loads(GATES.encode()))
    variant = line_of(GATES, "      - when: {meter: trust, below: 2}")
    assert report.exhaustive
    # 'good' only after asking; 'great' wants trust 7, and trust is 6 at most: unreachable.
    assert report.unreached_endings == ["great"] and not report.ok
    assert report.routes["good"] == (("first", "ask", False), ("middle", "thank", False))
    assert report.meter_ranges == {"good": {"trust": (6, 6)}, "bad": {"trust": (2, 6)}}
    assert report.unavailable == ["middle.push"]
    # trust is 2 at least: "below 2" never holds; "at most 2" (after telling) does, and its else too.
    assert [p.name for p in report.unshown] == [f"middle variant 1 (line {variant})"]
    text = format_report(report)
    assert "great (strong): NOT REACHED: no playthrough can end here" in text
    assert "    shortest: 2 choices: first.ask > middle.thank" in text
    assert "never available (the condition never holds where the scene is reached): middle.push" in text
    assert f"texts never shown (the condition never holds where they would be): middle variant 1 (line {variant})" in text
    data = report.to_json()
    assert data["endings"]["great"]["shortest"] is None and data["endings"]["good"]["shortest"] == ["first.ask", "middle.thank"]
    assert data["choices"]["unavailable"] == ["middle.push"] and data["choices"]["never"] == ["middle.push"]
    assert data["texts"]["never_shown"] == [{"place": "middle", "what": "variant 1", "line": variant}]


def test_a_condition_on_visits_around_a_loop():
    report = explore(loads(VISITS.encode()))
    assert report.exhaustive and report.paths is None and report.longest is None  # the loop has no end
    assert report.routes["decided"] == (("hall", "office", False), ("office", "back", False)) * 3 + (("hall", "decide", False),)
    assert report.routes["early"] == (("hall", "leave", False),)
    assert report.meter_ranges == {"early": {"visits": (0, 10)}, "decided": {"visits": (3, 10)}}
    assert [p.name for p in report.unshown] == [f"hall variant 2 (line {line_of(VISITS, '      - when: {flag: saw_office, meter: visits, at_most: 0}')})"]
    # visits told apart at the hall only as far as a condition can tell them: 0, 1, 2, 3 or more
    assert report.states == 4 + 3 + 2


def test_over_the_bound_it_samples_and_says_so():
    scenario = loads(GATES.encode())
    report = explore(scenario, max_states=2, samples=40, seed=3)
    assert not report.exhaustive and report.bound == 2 and report.paths == 40
    assert sum(report.endings.values()) == 40 and "great" not in report.endings
    text = format_report(report)
    assert text.splitlines()[0] == ("<scenario>: too many states to explore them all (the bound is 2); "
                                   "40 random playthroughs, so what they did not reach may still be reachable")
    assert "great (strong): not reached in 40 random playthroughs" in text and "NOT REACHED" not in text
    assert "not available in these playthroughs: middle.push" in text
    assert report.to_json()["exhaustive"] is False
    assert explore(scenario, max_states=2, samples=40, seed=3) == report  # seeded: the same every time


def test_the_output_is_the_same_every_run(tmp_path):
    path = tmp_path / "gates.en.yaml"
    path.write_text(GATES, encoding="utf-8")
    outputs = set()
    for seed in ("1", "2"):  # a different hash seed orders sets differently
        env = {**os.environ, "PYTHONHASHSEED": seed}
        for args in ([], ["--format", "json"]):
            for target in (path, SCENARIOS / "loket.nl.yaml"):
                result = subprocess.run([sys.executable, "-m", "game", "explore", *args, str(target)],
                                        capture_output=True, text=True, env=env)
                outputs.add((str(target), tuple(args), result.returncode, result.stdout))
    assert len(outputs) == 4  # two files, two formats: each the same under both hash seeds
    assert {(str(path), (), 1), (str(SCENARIOS / "loket.nl.yaml"), (), 0)} <= {o[:3] for o in outputs}


# -- against every full state, on random scenarios ----------------------------------------


def random_scenario(rng):
    """A small scenario of every feature the explorer reads: conditions on choices,
    routes, timers, loops, variants and paragraphs, flags set and cleared, meters cut off."""
    meters = {}
    for name in ("a", "b", "x")[: rng.randint(2, 3)]:  # x, when there, is read by texts only
        lo, hi = rng.randint(-3, 0), rng.randint(1, 4)
        meters[name] = m.Meter(name, name, lo, hi, rng.randint(lo, hi))
    flags = {f: m.Flag(f) for f in ("f", "g", "h")}
    scenes = [f"s{i}" for i in range(rng.randint(2, 5))]
    endings = ["e0", "e1", "e2"][: rng.randint(1, 3)]

    def cond(depth=0, text=False):
        r = rng.random()
        if depth == 0 and r < 0.25:
            parts = (cond(1, text), cond(1, text))
            return rng.choice([m.AllOf(parts), m.AnyOf(parts), m.Not(parts[0])])
        if r < 0.5:
            return m.FlagIs(rng.choice(list(flags)), rng.random() < 0.7)
        names = list(meters) if text else [k for k in meters if k != "x"]
        k = rng.choice(names)
        compare = m.MeterCompare(k, rng.choice(m.COMPARISONS), rng.randint(meters[k].min - 1, meters[k].max + 1))
        if rng.random() < 0.3:  # a range, or two meters at once
            other = rng.choice(names)
            return m.AllOf((compare, m.MeterCompare(other, rng.choice(m.COMPARISONS), rng.randint(-1, 2))))
        return compare

    def target(i):
        return rng.choice(scenes[: i + 1]) if rng.random() < 0.1 else rng.choice(scenes[i + 1:] + endings)

    def effects():
        return tuple(m.Effect(k, rng.randint(-2, 2)) for k in meters if rng.random() < 0.5)

    def some():
        return tuple(f for f in flags if rng.random() < 0.2)

    def text(tag):
        second = m.Paragraph(f"{tag}p", cond(text=True), f"{tag}e" if rng.random() < 0.5 else "")
        return m.Text((m.Paragraph(tag), second) if rng.random() < 0.5 else (m.Paragraph(tag),))

    def variants(tag):
        return tuple(m.Variant(cond(text=True), text(f"{tag}v{k}")) for k in range(rng.randint(0, 2)))

    built = {}
    for i, sid in enumerate(scenes):
        timer = m.Timer(10, "c0", m.Change(effects=effects() or None, set=some() or None)) if rng.random() < 0.3 else None
        choices = []
        for j in range(rng.randint(1, 3)):
            routes = tuple(m.Route(cond(), m.Change(next=target(i) if rng.random() < 0.6 else None,
                                                    effects=effects() or None, set=some() or None))
                           for _ in range(rng.randint(0, 2)))
            free = (j == 0 and (i == 0 or timer is not None)) or rng.random() < 0.4  # the start, and a timeout, always offer one
            choices.append(m.Choice(f"c{j}", "x", target(i), when=None if free else cond(),
                                    routes=routes, effects=effects(), set=some(), clear=some()))
        built[sid] = m.Scene(sid, "ann", text(sid), tuple(choices), variants(sid), timer)
    return m.Scenario(id="r", title="r", language="en", version="1", summary="", minutes=1, start="s0",
                      characters={}, meters=meters, flags=flags, scenes=built,
                      endings={e: m.Ending(e, e, text(e), "strong", variants(e)) for e in endings})


def every_full_state(s):
    """The naive search: every (place, all flags, all meter values), breadth first."""
    def full(r):
        return r.at, r.flags, tuple(r.meters.values())

    start = Run.start(s)
    depth, runs, edges = {full(start): 0}, {full(start): start}, {}
    found = {"endings": {}, "ranges": {}, "offered": set(), "scenes": set(), "stuck": set(), "read": set()}
    queue = deque([full(start)])
    while queue:
        k = queue.popleft()
        run = runs[k]
        found["read"].update(run.text.split("\n\n"))  # which texts this state shows, as the player reads them
        edges[k] = []
        if run.finished:
            found["endings"].setdefault(run.at, depth[k])
            here = found["ranges"].setdefault(run.at, {})
            for mid, v in run.meters.items():
                lo, hi = here.get(mid, (v, v))
                here[mid] = (min(lo, v), max(hi, v))
            continue
        found["scenes"].add(run.at)
        found["offered"].update((run.at, c.id) for c in run.choices)
        for cid, late in [(c.id, False) for c in run.choices] + ([(run.timer.timeout, True)] if run.timer else []):
            try:
                nxt = run.choose(cid, timed_out=late)
            except RunError:
                found["stuck"].add(run.scene.choice(cid).outcome(run.meters, run.flags, run.timer if late else None).next)
                edges[k].append(None)
                continue
            nk = full(Run(s, nxt.at, nxt.meters, nxt.flags))
            edges[k].append(nk)
            if nk not in depth:
                depth[nk], runs[nk] = depth[k] + 1, Run(s, nxt.at, nxt.meters, nxt.flags)
                queue.append(nk)
    found["paths"] = _paths(edges, full(start))
    return found


def _paths(edges, root):
    """Playthroughs from ``root`` to an end (an ending, or a refused move); None around a loop."""
    memo, busy = {}, set()

    def count(k):
        if k is None or not edges[k]:
            return 1
        if k in busy:
            raise RecursionError
        if k not in memo:
            busy.add(k)
            memo[k] = sum(count(n) for n in edges[k])
            busy.discard(k)
        return memo[k]

    try:
        return count(root)
    except RecursionError:
        return None


def marker(piece):
    """The paragraph a piece puts on screen (random_scenario names each after its place)."""
    tag = piece.place + (f"v{int(piece.what.split()[1].rstrip(',')) - 1}" if piece.what.startswith("variant") else "")
    return tag + ("e" if piece.what.endswith("else") else "p" if "paragraph" in piece.what else "")


def test_the_explorer_agrees_with_every_full_state_on_random_scenarios():
    rng = random.Random(15)
    checked = 0
    for _ in range(300):
        s = random_scenario(rng)
        try:
            naive = every_full_state(s)
        except RunError:
            continue  # the story cannot start
        report = explore(s)
        assert report.exhaustive
        assert {e: len(r) for e, r in report.routes.items()} == naive["endings"]
        for ending, route in report.routes.items():  # each shortest route is a real playthrough
            run = Run.start(s)
            for scene, choice, late in route:
                assert run.at == scene
                run = run.choose(choice, timed_out=late)
            assert run.at == ending
        assert report.meter_ranges == naive["ranges"]
        assert set(report.scenes) == naive["scenes"] and set(report.offered) == naive["offered"]
        assert {p[-1] for p in report.stuck} == naive["stuck"]
        assert report.paths == naive["paths"]
        places = naive["scenes"] | set(naive["endings"])
        from game.authoring.shown import pieces
        assert {p.name for p in report.unshown} == {p.name for p in pieces(s) if p.place in places and marker(p) not in naive["read"]}
        assert explore(s) == report
        checked += 1
    assert checked > 250
