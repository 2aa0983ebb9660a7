"""Learning records: every decision as an xAPI 1.0.3 statement (docs/xapi.md),
each checked by a strict validator on the exact dict that is written."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import timedelta

import pytest
from msgspec.structs import replace
from pydantic import ValidationError

from conftest import ROOT
from test_cli import koers
from test_group import T0, pid, play, put, write_scenarios
from xapi_valid import DURATION, check, check_all

from game.authoring.library import Library, bundled_dir
from game.debrief.collect import collect
from game.render.xapi import (DEFAULT_BASE, EXTENSION, Options, Unfit, base_iri, duration, own_record,
                              playthrough_statements, room_statements)
from game.saves.codec import encode, loads_save
from game.saves.playthrough import Playthrough

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate_saves  # noqa: E402

SALT = b"0123456789abcdef0123456789abcdef"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


@pytest.fixture(scope="module")
def crowd(tmp_path_factory):
    """Twenty generated playthroughs of a bundled scenario, in Dutch and English."""
    folder = tmp_path_factory.mktemp("room")
    generate_saves.write(folder, 20, seed=3)
    return folder


@pytest.fixture(scope="module")
def bundled():
    return Library([bundled_dir()])


@pytest.fixture
def lib(tmp_path):
    return Library([write_scenarios(tmp_path / "scenarios", nl=True, timer=True)])


def verbs(statements):
    return [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]


def test_every_statement_of_a_generated_room_passes_the_strict_check(crowd, bundled):
    collected = collect([crowd])
    statements, skipped = room_statements(collected, bundled, Options(salt=SALT, reflections=True))
    assert skipped == []
    check_all(statements)
    for p in collected.played:
        mine = [s for s in statements if s["context"]["registration"] == p.id]
        decisions = [st for st in p.steps if bundled.one(p.scenario.id, "en").scenes[st.scene].is_decision]
        shared = [r for r in p.reflections.values() if r.shared]
        assert verbs(mine) == (["initialized"] + ["answered"] * len(decisions) + ["completed"] * p.finished
                               + ["answered"] * len(shared))
        answers = mine[1:1 + len(decisions)]
        assert [s["result"]["response"] for s in answers] == [st.choice for st in decisions]
        assert [s["result"]["extensions"][EXTENSION + "timed-out"] for s in answers] == [st.timed_out for st in decisions]
        assert {s["context"]["language"] for s in mine} == {p.scenario.language}


def test_a_decision_as_a_choice_interaction_in_both_languages(lib):
    en, nl = lib.languages("base")["en"], lib.languages("base")["nl"]
    p = play(nl, 1, ["ask", "go"], ms=12_500)
    first = playthrough_statements(p, nl, [en], Options(salt=SALT))[1]
    check(first)
    assert first["id"] == str(uuid.UUID(first["id"]))
    assert first["verb"]["id"] == ANSWERED
    obj = first["object"]
    assert obj["id"] == "urn:koers:scenarios/base/scenes/one"
    definition = obj["definition"]
    assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert definition["interactionType"] == "choice" and "correctResponsesPattern" not in definition
    assert definition["choices"] == [{"id": "ask", "description": {"en": "Ask.", "nl": "Vraag."}},
                                     {"id": "tell", "description": {"en": "Tell.", "nl": "Tell."}}]
    assert first["result"]["response"] == "ask" and first["result"]["duration"] == "PT12.5S"
    assert first["result"]["extensions"] == {EXTENSION + "timed-out": False, EXTENSION + "meters": {"trust": 6},
                                             EXTENSION + "meter-changes": {"trust": 1}}
    context = first["context"]
    assert context["registration"] == p.id and context["language"] == "nl" and context["revision"] == "1"
    assert context["contextActivities"]["parent"][0]["id"] == "urn:koers:scenarios/base"
    assert context["contextActivities"]["grouping"][0]["id"] == "urn:koers:sessions/S1"
    assert first["timestamp"] == p.steps[0].at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_initialized_and_completed_with_the_ending_and_its_rating(lib):
    en = lib.languages("base")["en"]
    p = play(en, 1, ["tell", "stop"], ms=2000)
    statements = playthrough_statements(p, en, [], Options(salt=SALT))
    check_all(statements)
    assert verbs(statements) == ["initialized", "answered", "answered", "completed"]
    started, completed = statements[0], statements[-1]
    assert started["object"]["id"] == completed["object"]["id"] == "urn:koers:scenarios/base"
    assert started["timestamp"] == "2026-11-23T09:01:00.000Z"
    assert completed["result"] == {"completion": True, "duration": "PT4S", "extensions": {
        EXTENSION + "ending": "bad", EXTENSION + "ending-title": {"en": "Bad"}, EXTENSION + "rating": "weak"}}
    unfinished = play(en, 2, ["tell"])
    assert verbs(playthrough_statements(unfinished, en, [], Options(salt=SALT))) == ["initialized", "answered"]


@pytest.mark.parametrize("ms, iso", [(12_500, "PT12.5S"), (0, "PT0S"), (9, "PT0S"), (1_234, "PT1.23S"),
                                     (60_000, "PT1M"), (61_050, "PT1M1.05S"), (3_723_450, "PT1H2M3.45S"),
                                     (7_200_000, "PT2H")])
def test_durations_are_iso_8601(ms, iso):
    assert duration(ms) == iso and DURATION.match(iso)


def test_the_duration_check_refuses_what_ralphs_model_lets_through():
    assert not any(DURATION.match(d) for d in ("12.5", "00:00:12", "PT", "PT75S", "P1D", "PT1.234S"))


def test_ids_are_stable_across_languages_versions_and_runs(tmp_path, lib):
    en, nl = lib.languages("base")["en"], lib.languages("base")["nl"]
    newer = Library([write_scenarios(tmp_path / "v2", version="2")]).languages("base")["en"]
    p = play(en, 1, ["ask", "go"])

    def ids(statements):
        return [(s["object"]["id"], s["context"].get("contextActivities", {}).get("parent", [{}])[0].get("id"))
                for s in statements]

    statements = playthrough_statements(p, en, [nl], Options(salt=SALT))
    assert ids(statements) == ids(playthrough_statements(play(nl, 1, ["ask", "go"]), nl, [en], Options(salt=SALT)))
    assert ids(statements) == ids(playthrough_statements(play(newer, 1, ["ask", "go"]), newer, [], Options(salt=SALT)))
    again = playthrough_statements(p, en, [nl], Options(salt=SALT))
    assert again == statements  # the same playthrough gives the same statements, ids included
    other = playthrough_statements(play(en, 2, ["ask", "go"]), en, [nl], Options(salt=SALT))
    assert not {s["id"] for s in statements} & {s["id"] for s in other}


def test_a_base_of_the_trainers_own(lib):
    en = lib.languages("base")["en"]
    base = base_iri("https://academy.example.org/koers")
    statements = playthrough_statements(play(en, 1, ["ask", "go"]), en, [], Options(base=base, salt=SALT))
    check_all(statements)
    assert statements[1]["object"]["id"] == "https://academy.example.org/koers/scenarios/base/scenes/one"
    assert statements[1]["actor"]["account"]["homePage"] == "https://academy.example.org/koers/sessions/S1"
    assert all(key.startswith(DEFAULT_BASE) for key in statements[1]["result"]["extensions"])  # one vocabulary
    for bad in ("academy.example.org/koers", "https://a b/", ""):
        with pytest.raises(ValueError):
            base_iri(bad)


def test_a_session_code_is_escaped_in_its_ids(lib):
    en = lib.languages("base")["en"]
    statements = playthrough_statements(play(en, 1, ["ask"], session="Zaal 3/B é"), en, [], Options(salt=SALT))
    check_all(statements)
    assert statements[0]["context"]["contextActivities"]["grouping"][0]["id"] == "urn:koers:sessions/Zaal%203%2FB%20%C3%A9"


def test_actors_are_a_salted_hash_of_the_pseudonym(lib):
    en = lib.languages("base")["en"]

    def actor(player="Kim", session="S1", salt=SALT, n=1, names=False):
        p = play(en, n, ["ask"], player=player, session=session)
        return playthrough_statements(p, en, [], Options(names=names, salt=salt))[0]["actor"]

    kim = actor()
    assert kim["account"]["homePage"] == "urn:koers:sessions/S1" and "name" not in kim
    assert "Kim" not in json.dumps(kim) and len(kim["account"]["name"]) == 32
    assert actor(n=2) == kim  # the same player in the same session: one actor across playthroughs
    assert actor(player="Kim ") != kim and actor(player="Sam") != kim
    assert actor(session="S2")["account"]["name"] != kim["account"]["name"]  # not linked across sessions
    assert actor(salt=b"another secret of sixteen+ bytes") != kim  # without the salt, no one can compute it
    assert actor(names=True) == {"objectType": "Agent", "name": "Kim",
                                 "account": {"homePage": "urn:koers:sessions/S1", "name": "Kim"}}
    with pytest.raises(ValueError):
        Options(salt=b"short")


def test_two_room_players_of_one_pseudonym_are_two_actors(lib):
    en = lib.languages("base")["en"]
    ids = ["0b6c9a8e-2f1d-4c3b-9a7e-5d4c3b2a1f0e", "7d1e2f3a-4b5c-4d6e-8f70-a1b2c3d4e5f6"]

    def actor(player_id):
        p = replace(play(en, 1, ["ask"], player="Sam", session="S1"), player_id=player_id)
        return playthrough_statements(p, en, [], Options(salt=SALT))[0]["actor"]["account"]["name"]

    assert actor(ids[0]) != actor(ids[1])
    assert actor(ids[0]) == actor(ids[0])
    assert actor(None) not in {actor(ids[0]), actor(ids[1])}


def test_reflections_only_when_shared_and_asked_for(bundled):
    p = next(p for p in generate_saves.playthroughs("crisisreflex", 40, 5) if p.finished)
    scenario = bundled.one("crisisreflex", p.scenario.language)
    p = p.with_reflection(0, "What I shared.", shared=True).with_reflection(1, "What I keep.", shared=False)
    without = json.dumps(playthrough_statements(p, scenario, [], Options(salt=SALT)))
    assert "What I shared." not in without and "What I keep." not in without
    statements = playthrough_statements(p, scenario, [], Options(salt=SALT, reflections=True))
    check_all(statements)
    text = json.dumps(statements)
    assert "What I shared." in text and "What I keep." not in text
    last = statements[-1]
    assert last["object"]["id"] == "urn:koers:scenarios/crisisreflex/reflections/1"
    assert last["object"]["definition"]["interactionType"] == "long-fill-in"
    assert last["result"] == {"response": "What I shared."}


def test_steps_migrated_from_format_1_carry_the_saves_time_and_say_so(lib):
    en = lib.languages("base")["en"]
    data = json.loads(encode(play(en, 1, ["ask", "go"])))
    data["koers_save"] = 1
    del data["waited_ms"]
    for step in data["steps"]:
        del step["at"]
    p = loads_save(json.dumps(data).encode())
    assert [s.at for s in p.steps] == [None, None]
    statements = playthrough_statements(p, en, [], Options(salt=SALT))
    check_all(statements)
    saved = (T0 + timedelta(minutes=6)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    for s in statements[1:]:
        assert s["timestamp"] == saved and s["context"]["extensions"][EXTENSION + "time-of-save"] is True
    assert EXTENSION + "time-of-save" not in statements[0]["context"]["extensions"]  # its start was recorded


def test_a_replay_records_only_its_own_decisions(lib):
    en = lib.languages("base")["en"]
    original = play(en, 1, ["ask", "go"])
    replay = Playthrough.replay_from(original, 1, now=T0 + timedelta(hours=1))
    from game.core.run import Run
    run = Run.start(en).choose("ask", 1000).choose("stop", 3000)
    replay = replay.record(run, now=T0 + timedelta(hours=1, minutes=1))
    statements = playthrough_statements(replay, en, [], Options(salt=SALT))
    check_all(statements)
    assert verbs(statements) == ["initialized", "answered", "completed"]
    assert statements[1]["result"]["response"] == "stop"
    assert statements[0]["context"]["extensions"][EXTENSION + "replay-of"] == {"registration": original.id, "decision": 2}


def test_a_playthrough_that_does_not_fit_its_scenario_is_named(tmp_path, lib):
    en = lib.languages("base")["en"]
    folder = tmp_path / "room"
    put(folder, play(en, 1, ["ask", "go"]))
    gone = replace(play(en, 2, ["ask", "go"]), ending="vanished")
    put(folder, gone)
    statements, skipped = room_statements(collect([folder]), lib, Options(salt=SALT))
    assert {s["context"]["registration"] for s in statements} == {pid(1)}
    (d,) = skipped
    assert d.code == "X001" and d.path.endswith(f"{pid(2)}.json") and "'vanished'" in d.message
    with pytest.raises(Unfit):
        playthrough_statements(gone, en)


def test_the_players_own_record_has_their_pseudonym_and_both_languages(tmp_path, lib):
    en = lib.languages("base")["en"]
    p = play(en, 1, ["ask", "go"], player="Kim")
    statements = json.loads(own_record(p, en, []))  # the Dutch file lies beside the English one
    check_all(statements)
    assert {s["actor"]["account"]["name"] for s in statements} == {"Kim"}
    assert statements[1]["object"]["definition"]["choices"][0]["description"] == {"en": "Ask.", "nl": "Vraag."}


# The command ---------------------------------------------------------------


def test_debrief_exports_a_rooms_statements(tmp_path, crowd):
    out = tmp_path / "room.xapi.json"
    done = koers(tmp_path, "debrief", crowd, "--session", "ROOM-1", "--export", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith(f"Wrote {out}: ") and "of 20 playthroughs, 0 files not counted" in done.stdout.decode()
    statements = json.loads(out.read_text(encoding="utf-8"))
    check_all(statements)
    assert all("player-" not in json.dumps(s["actor"]) for s in statements)
    salt = tmp_path / "config" / "koers" / "xapi-salt"
    assert salt.stat().st_mode & 0o777 == 0o600
    again = tmp_path / "again.xapi.json"
    assert koers(tmp_path, "debrief", crowd, "--export", again).returncode == 0
    assert json.loads(again.read_text(encoding="utf-8")) == statements  # the same salt: the same actors


def test_a_salt_that_cannot_be_written_is_not_left_half_written(tmp_path, monkeypatch):
    import os

    from game.cli.xapi import _salt

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    path = tmp_path / "koers" / "xapi-salt"
    with pytest.raises(OSError):
        _salt(path)
    assert not path.exists()  # a later run makes a whole one, instead of trusting half of one
    monkeypatch.undo()
    assert len(_salt(path)) == 64 and path.stat().st_mode & 0o777 == 0o600


def test_debrief_exports_one_save_with_names_and_a_base(tmp_path, crowd):
    save = sorted(crowd.glob("*.json"))[0]
    out = tmp_path / "one.xapi.json"
    done = koers(tmp_path, "debrief", save, "--names", "--xapi-base", "https://academy.example.org/koers/",
                 "--export", out)
    assert done.returncode == 0, done.stderr
    statements = json.loads(out.read_text(encoding="utf-8"))
    check_all(statements)
    p = loads_save(save.read_bytes())
    assert {s["context"]["registration"] for s in statements} == {p.id}
    assert {s["actor"]["name"] for s in statements} == {p.player}
    assert statements[0]["object"]["id"] == "https://academy.example.org/koers/scenarios/crisisreflex"
    assert not (tmp_path / "config" / "koers" / "xapi-salt").exists()  # names need no salt


@pytest.mark.parametrize("args, says", [
    (["--xapi-base", "not an iri"], "koers debrief: --xapi-base 'not an iri' is not an absolute IRI"),
    (["--salt-file", "SALT"], ":1:1: the salt should be one line of 16 to 4,096 characters"),
    (["--min-group"], "koers debrief: --min-group does not apply to learning records"),
])
def test_debrief_export_refuses_bad_options_in_one_line(tmp_path, crowd, args, says):
    (tmp_path / "SALT").write_text("short\n", encoding="utf-8")
    args = [str(tmp_path / a) if a == "SALT" else a for a in args]
    done = koers(tmp_path, "debrief", crowd, *args, "--export", tmp_path / "x.xapi.json")
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and says in lines[0], lines
    assert not (tmp_path / "x.xapi.json").exists()


def test_debrief_export_of_nothing_writes_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    done = koers(tmp_path, "debrief", tmp_path / "empty", "--export", tmp_path / "x.xapi.json")
    assert done.returncode == 2 and "no playthroughs found" in done.stderr.decode()
    assert not (tmp_path / "x.xapi.json").exists()


def _drop_choices(s):
    del s["object"]["definition"]["choices"]


def _bad_language(s):
    s["object"]["definition"]["choices"][0]["description"] = {"english": "Ask."}


def _empty_choices(s):
    s["object"]["definition"]["choices"] = []


def _seconds(s):
    s["result"]["duration"] = "12.5"


def _no_answer_pattern(s):
    s["object"]["definition"]["correctResponsesPattern"] = []


def _unknown_response(s):
    s["result"]["response"] = "shout"


def _no_zone(s):
    s["timestamp"] = "2026-11-23T09:06:00"


@pytest.mark.parametrize("spoil", [_drop_choices, _bad_language, _empty_choices, _seconds, _no_answer_pattern,
                                   _unknown_response, _no_zone])
def test_the_strict_check_would_catch(lib, spoil):
    en = lib.languages("base")["en"]
    statement = playthrough_statements(play(en, 1, ["ask"]), en, [], Options(salt=SALT))[1]
    check(statement)
    spoil(statement)
    with pytest.raises((AssertionError, ValidationError)):
        check(statement)
