"""Saves: round trips, resuming by ids, atomic writes, and one coded line for
every kind of bad save file, never a traceback."""

import json
import os
import random
import re
import stat
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import msgspec
import platformdirs
import pytest
from msgspec.structs import replace

from conftest import FIXTURES
from game.core import files
from game import prefs
from game.authoring.loader import load
from game.core.diagnostics import CODES
from game.core.run import Run
from game.play.session import replay
from game.render.wording import note
from game.saves import codec as saves
from game.saves import explain, migrate
from game.saves.explain import SaveError
from game.saves.playthrough import SAVE_FORMAT, Playthrough, Reflection, ReplayOf, Settings, StepRecord

V1 = load(FIXTURES / "saves-v1.yaml")
V2 = load(FIXTURES / "saves-v2.yaml")
T0 = datetime(2025, 11, 23, 9, 44, tzinfo=timezone.utc)
LINE = re.compile(r"^[^\n]+:\d+:\d+: S\d{3} [^\n]+$")


def played(*choices, scenario=V1, ms=1500):
    run = Run.start(scenario)
    for choice in choices:
        if choice == "TIMEOUT":
            run = run.time_out(20_000)
        else:
            run = run.choose(choice, ms=ms)
    return run


def resumed(p: Playthrough, scenario):
    """The run a save stands for on ``scenario``, and its notes in English."""
    run, notes = replay(p, scenario)
    return run, [note("en", n) for n in notes]


def moves(steps) -> list[tuple[str, str, int, bool]]:
    return [(s.scene, s.choice, s.ms, s.timed_out) for s in steps]


def finished_playthrough() -> Playthrough:
    p = Playthrough.new(V1, "Kim", session="TEAM-7", settings=Settings("slow"), now=T0)
    p = p.record(played("hand_over", "TIMEOUT"), now=T0 + timedelta(minutes=3))
    p = p.with_reflection(0, "Last Tuesday, the budget.", shared=False, now=T0 + timedelta(minutes=4))
    return replace(p, replay_of=ReplayOf(str(uuid.uuid4()), 1))


def good_text() -> str:
    return saves.encode(finished_playthrough()).decode("utf-8")


def error_of(data: str | bytes, path="save.json") -> saves.Diagnostic:
    with pytest.raises(SaveError) as exc:
        saves.loads_save(data.encode() if isinstance(data, str) else data, path)
    d = exc.value.diagnostic
    assert LINE.match(str(d)), str(d)
    assert d.path == path and str(exc.value) == str(d)
    return d


def position(text: str, needle: str, after: str = "") -> tuple[int, int]:
    """Line and column of ``needle`` where it first follows ``after`` in ``text``."""
    offset = text.index(after + needle) + len(after)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


# The model and its JSON ------------------------------------------------------


def test_new_playthrough():
    p = Playthrough.new(V1, "Kim", now=T0)
    assert uuid.UUID(p.id).version == 4
    assert p.scenario.key == V1.key == "friday-report.en"
    assert (p.scenario.version, p.scenario.digest) == ("1.0", V1.digest)
    assert p.started == p.updated == T0
    assert p.settings.timers == "on" and p.session is None and p.koers_save == SAVE_FORMAT
    assert p.steps == () and p.ending is None and not p.finished and p.reflections == {}
    assert Playthrough.new(V1, "Kim").id != p.id


def test_record_takes_steps_ending_and_time_from_the_run():
    p = Playthrough.new(V1, "Kim", now=T0)
    halfway = p.record(played("hand_over", ms=4321), now=T0 + timedelta(seconds=5))
    after = {"ownership": 7, "time": 5}
    at = T0 + timedelta(seconds=5)
    assert halfway.steps == (StepRecord("monday", "hand_over", 4321, False, after, ("handed_over",), at),)
    assert halfway.ending is None and halfway.updated == at and halfway.started == p.started
    done = halfway.record(played("hand_over", "TIMEOUT"))
    assert done.ending == "end_safe" and done.finished
    assert done.steps[-1].timed_out and done.steps[-1].ms == 20_000


def test_record_refuses_a_run_of_another_scenario():
    other = attrs.evolve(V1, id="another")
    with pytest.raises(ValueError):
        Playthrough.new(V1, "Kim").record(Run.start(other))


def test_reflections_are_private_unless_shared():
    p = Playthrough.new(V1, "Kim").with_reflection(0, "mine").with_reflection(1, "ours", shared=True)
    assert p.reflections[0] == Reflection("mine", False)
    assert p.with_reflection(0, "changed").reflections[0].answer == "changed"
    assert p.shared_only().reflections == {1: Reflection("ours", True)}
    with pytest.raises(ValueError):
        p.with_reflection(-1, "x")


def test_a_playthrough_id_must_be_a_uuid_because_it_names_the_file(tmp_path):
    p = Playthrough.new(V1, "Kim")
    with pytest.raises(ValueError):
        saves.save(tmp_path, replace(p, id="../../outside"))
    assert os.listdir(tmp_path) == []


def test_json_round_trip():
    p = finished_playthrough()
    assert saves.loads_save(saves.encode(p)) == p
    assert msgspec.json.decode(msgspec.json.encode(p), type=Playthrough) == p


def test_save_and_load_round_trip(tmp_path):
    p = finished_playthrough()
    path = saves.save(tmp_path / "new" / "saves", p)
    assert path == tmp_path / "new" / "saves" / f"{p.id}.json"
    assert saves.load_save(path) == p
    assert json.loads(path.read_text(encoding="utf-8"))["settings"] == {"timers": "slow"}
    assert os.listdir(path.parent) == [path.name]
    if os.name == "posix":  # reflections are private: owner only
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_saving_again_replaces_the_file(tmp_path):
    p = Playthrough.new(V1, "Kim")
    saves.save(tmp_path, p)
    later = p.record(played("do_it"))
    path = saves.save(tmp_path, later)
    assert saves.load_save(path).steps == later.steps
    assert os.listdir(tmp_path) == [path.name]


def test_text_keeps_its_characters(tmp_path):
    p = Playthrough.new(V1, "Zoë \u202e", session="ÉÉN").with_reflection(0, 'line\n"quoted" \x1b[31m')
    path = saves.save(tmp_path, p)
    assert "Zoë" in path.read_text(encoding="utf-8")
    assert saves.load_save(path) == p


def test_a_lone_surrogate_from_a_terminal_still_saves_as_a_replacement_character(tmp_path):
    p = Playthrough.new(V1, "Kim\udcff")
    assert saves.load_save(saves.save(tmp_path, p)) == replace(p, player="Kim\ufffd")


def test_a_failed_write_leaves_the_old_save_and_no_temp_file(tmp_path, monkeypatch):
    p = Playthrough.new(V1, "Kim")
    path = saves.save(tmp_path, p)

    def broken(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(saves.os, "replace", broken)
    with pytest.raises(OSError):
        saves.save(tmp_path, p.record(played("do_it")))
    assert os.listdir(tmp_path) == [path.name]
    assert saves.load_save(path) == p


def test_a_save_too_large_to_read_back_is_not_written(tmp_path, monkeypatch):
    p = Playthrough.new(V1, "Kim")
    saves.save(tmp_path, p)
    monkeypatch.setattr(saves, "MAX_BYTES", 2000)
    with pytest.raises(SaveError) as exc:
        saves.save(tmp_path, p.with_reflection(0, "word " * 1000))
    assert exc.value.diagnostic.code == "S002"
    assert saves.load_save(tmp_path / f"{p.id}.json") == p
    assert os.listdir(tmp_path) == [f"{p.id}.json"]


# Resuming ----------------------------------------------------------------------


def test_resume_replays_every_step_with_its_time():
    p = Playthrough.new(V1, "Kim").record(played("hand_over", "TIMEOUT"))
    run, notes = resumed(p, V1)
    assert notes == []
    assert moves(run.steps) == moves(p.steps) and run.at == "end_safe"
    assert [(s.ms, s.timed_out) for s in run.steps] == [(1500, False), (20_000, True)]


def test_resume_an_unfinished_playthrough():
    p = Playthrough.new(V1, "Kim").record(played("do_it", ms=777))
    run, notes = resumed(p, V1)
    assert notes == [] and run.at == "thursday" and moves(run.steps) == moves(p.steps)


def test_resume_goes_by_ids_not_positions():
    # Version 1.1 lists monday's choices the other way round.
    assert [c.id for c in V1.scenes["monday"].choices] == ["do_it", "hand_over"]
    assert [c.id for c in V2.scenes["monday"].choices] == ["hand_over", "do_it"]
    p = Playthrough.new(V1, "Kim").record(played("hand_over", "ask", ms=900))
    run, notes = resumed(p, V2)
    assert [(s.scene, s.choice, s.ms) for s in run.steps] == [("monday", "hand_over", 900), ("thursday", "ask", 900)]
    assert run.at == "end_grown"
    assert notes == ["the scenario changed since this save (version 1.0 → 1.1); every decision still fits"]


def test_resume_stops_at_a_choice_that_is_gone():
    p = Playthrough.new(V1, "Kim").record(played("hand_over", "take_back", ms=2500))
    run, notes = resumed(p, V2)
    assert [(s.choice, s.ms) for s in run.steps] == [("hand_over", 2500)]
    assert run.at == "thursday" and not run.finished
    assert notes == [
        "the scenario changed since this save (version 1.0 → 1.1): resumed at scene 'thursday' after 1 of 2 decisions"
    ]


def test_resume_stops_where_the_story_now_goes_elsewhere():
    # In 1.1 do_it leads to tuesday, which has a choice called 'answer' too:
    # replaying thursday's 'answer' there would be a different decision.
    assert V2.scenes["tuesday"].choice("answer") is not None
    p = Playthrough.new(V1, "Kim").record(played("do_it", "answer"))
    run, notes = resumed(p, V2)
    assert [s.choice for s in run.steps] == ["do_it"] and run.at == "tuesday"
    assert notes == [
        "the scenario changed since this save (version 1.0 → 1.1): resumed at scene 'tuesday' after 1 of 2 decisions"
    ]


def test_resume_stops_at_a_choice_that_is_not_available():
    # 'ask' is only offered after hand_over; an edited save cannot skip that.
    p = Playthrough.new(V1, "Kim").record(played("do_it", "answer"))
    edited = replace(p, steps=(p.steps[0], replace(p.steps[1], choice="ask")), ending=None)
    run, notes = resumed(edited, V1)
    assert len(run.steps) == 1
    assert notes == ["this save does not fit its scenario: resumed at scene 'thursday' after 1 of 2 decisions"]


def test_resume_notes_an_edit_without_a_new_version_and_a_changed_ending():
    p = Playthrough.new(V1, "Kim").record(played("hand_over", "ask"))
    edited = attrs.evolve(V1, digest="0" * 64)
    _, notes = resumed(replace(p, ending="end_old"), edited)
    assert notes == [
        "the scenario changed since this save (version 1.0, edited); every decision still fits",
        "this playthrough ended at 'end_old'; it now stands at ending 'end_grown'",
    ]


def test_resume_in_the_other_language_says_so():
    p = Playthrough.new(V1, "Kim").record(played("do_it", "answer"))
    dutch = attrs.evolve(V1, language="nl", digest="1" * 64)
    run, notes = resumed(p, dutch)
    assert moves(run.steps) == moves(p.steps)
    assert notes == ["this playthrough began in 'en' and continues in 'nl'"]
    _, notes = resumed(p, attrs.evolve(V2, language="nl"))
    assert notes == [
        "this playthrough began in 'en' and continues in 'nl'",
        "the 'nl' scenario differs from this save: resumed at scene 'tuesday' after 1 of 2 decisions",
    ]


def test_resume_refuses_another_scenario():
    with pytest.raises(ValueError):
        resumed(Playthrough.new(V1, "Kim"), attrs.evolve(V1, id="another"))


def test_record_after_resuming_a_changed_scenario_follows_the_new_version():
    p = Playthrough.new(V1, "Kim").record(played("hand_over", "take_back"))
    run, _ = resumed(p, V2)
    again = p.record(run.choose("take_over", ms=10))
    assert again.scenario.version == "1.1" and again.scenario.digest == V2.digest
    assert replay(again, V2) == (run.choose("take_over", ms=10), [])


def test_replay_from_a_decision():
    original = Playthrough.new(V1, "Kim", session="S1", settings=Settings("off")).record(played("do_it", "answer"))
    replay = Playthrough.replay_from(original, 1)
    assert replay.id != original.id and replay.replay_of == ReplayOf(original.id, 1)
    assert replay.steps == original.steps[:1] and replay.ending is None
    assert (replay.player, replay.session, replay.settings) == ("Kim", "S1", Settings("off"))
    run, notes = resumed(replay, V1)
    assert run.at == "thursday" and notes == []
    with pytest.raises(ValueError):
        Playthrough.replay_from(original, 2)


# Reading bad saves: one coded line each, at the right place -------------------


def test_every_save_code_is_registered_as_an_error():
    codes = {c for c in CODES if c.startswith("S")}
    assert codes == {f"S00{i}" for i in range(1, 7)} | {f"S10{i}" for i in range(1, 7)}
    assert {str(CODES[c][0]) for c in codes} == {"error"}


def test_S001_invalid_json_names_line_and_column():
    d = error_of('{\n  "koers_save": 1\n  "id": 2\n}')
    assert (d.code, d.line, d.col) == ("S001", 3, 3)
    assert d.message == "the save is not valid JSON: expecting ',' delimiter"


@pytest.mark.parametrize(
    "text, line, col",
    [("", 1, 1), ("   \n", 2, 1), ('{"koers_save": 1', 1, 17), ('{"a": 1} x', 1, 10), ('{"koers_save": NaN}', 1, 16)],
    ids=["empty", "blank", "cut-off", "extra-data", "nan"],
)
def test_S001_more_broken_json(text, line, col):
    d = error_of(text)
    assert (d.code, d.line, d.col) == ("S001", line, col)


def test_S001_a_line_break_inside_a_text():
    d = error_of('{"player": "Ki\nm"}')
    assert (d.code, d.line, d.col) == ("S001", 1, 15)
    assert d.message == "the save is not valid JSON: invalid control character"


def test_S002_file_over_the_size_limit(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (saves.MAX_BYTES + 1))
    with pytest.raises(SaveError) as exc:
        saves.load_save(path)
    d = exc.value.diagnostic
    assert (d.code, d.line, d.col, d.path) == ("S002", 1, 1, str(path))
    assert "larger than 4 MiB" in d.message


def test_S002_too_many_values(monkeypatch):
    # Parsing millions of tiny values would freeze the saves list for seconds.
    monkeypatch.setattr(explain, "MAX_VALUES", 1000)
    d = error_of("[" + "1," * 5000 + "1]")
    assert (d.code, d.line, d.col) == ("S002", 1, 2000)
    assert d.message == "the save holds more than 1,000 values; Koers never writes one that large"


def test_a_long_playthrough_is_far_within_the_limits(tmp_path):
    # A thousand decisions with twenty meters and flags each: some 50,000 values.
    meters = {f"m{i}": -(10**9) for i in range(20)}
    step = StepRecord("monday", "do_it", 10**9, False, meters, tuple(f"f{i}" for i in range(20)), T0)
    p = replace(Playthrough.new(V1, "Kim"), steps=(step,) * 1000)
    for i in range(20):
        p = p.with_reflection(i, "word " * 2000, shared=i % 2 == 0)
    assert saves.load_save(saves.save(tmp_path, p)) == p


def test_S003_not_utf8():
    d = error_of(b'{\n  "player": "caf\xe9"\n}')
    assert (d.code, d.line, d.col) == ("S003", 2, 17)
    assert d.message == "the save is not UTF-8 text (byte 0xe9)"


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_S004_deep_nesting_is_refused_not_a_recursion_error(opener):
    d = error_of(opener * 100_000)
    assert (d.code, d.line, d.col) == ("S004", 1, len(opener) * explain.MAX_DEPTH + 1)


def test_S005_huge_number():
    text = good_text().replace('"ms": 1500', '"ms": ' + "9" * 100_000)
    d = error_of(text)
    assert (d.code, d.line, d.col) == ("S005", *position(text, "9", after='"ms": '))
    assert d.message == "a number of 100,000 digits is too large for a save"


def test_S006_unreadable(tmp_path):
    with pytest.raises(SaveError) as exc:
        saves.load_save(tmp_path / "missing.json")
    assert str(exc.value).startswith(f"{tmp_path / 'missing.json'}:1:1: S006 cannot read the save: ")


def test_S006_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(SaveError) as exc:
        saves.load_save(tmp_path / "pipe.json")
    assert exc.value.diagnostic.code == "S006" and "not a regular file" in exc.value.diagnostic.message


def test_S006_a_pipe_with_a_writer_and_a_device_are_not_files(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    writer = os.open(tmp_path / "pipe.json", os.O_RDWR)  # holds the pipe open, as a writer would
    try:
        os.write(writer, good_text().encode("utf-8"))
        os.symlink("/dev/zero", tmp_path / "zero.json")
        for name in ("pipe.json", "zero.json"):
            with pytest.raises(SaveError) as exc:
                saves.load_save(tmp_path / name)
            assert exc.value.diagnostic.code == "S006" and "not a regular file" in exc.value.diagnostic.message, name
    finally:
        os.close(writer)


def test_S001_a_number_of_other_digits_than_0_to_9():
    for digits in ("1\u0663", "1\uff10"):  # Arabic-Indic three, fullwidth zero: int() takes them, JSON does not
        d = error_of(good_text().replace('"ms": 1500', f'"ms": {digits}'))
        assert d.code == "S001" and d.message == "the save is not valid JSON: a number may hold only the digits 0 to 9"


def test_short_reads_are_read_on_to_the_end(tmp_path, monkeypatch):
    path = tmp_path / "slow.json"
    path.write_bytes(b'{"a": 1}')
    real_read = os.read
    monkeypatch.setattr(files.os, "read", lambda fd, n: real_read(fd, min(n, 3)))  # a slow network drive
    assert files.read_regular(str(path), saves.MAX_BYTES) == b'{"a": 1}'


def test_a_save_larger_than_one_read_is_read_whole(tmp_path):
    path, text = tmp_path / "long.json", good_text()
    path.write_text(text + " " * 200_000, encoding="utf-8")  # more than the 64 KiB of the first read
    assert saves.load_save(path) == saves.loads_save(text.encode("utf-8"))


@pytest.mark.parametrize("text, read", [
    ("2025-11-23T09:44:00.000Z", True), ("2025-11-23T09:44:00Z", True), ("2025-11-23T09:44:00.000+00:00", True),
    ("2025-11-23t09:44:00.000z", True), ("2025-11-23T10:44:00.000+01:00", True),  # the same moment, kept in UTC
    ("2025-11-23T09:44:00.000", False), ("2025-11-23", False), ("2025-W48-1T09:44:00Z", False),
    ("2025-11-23T09:44:00,000Z", False), ("2025-02-30T09:44:00Z", False), ("", False),
])
def test_a_save_time_is_rfc_3339_with_an_offset_and_kept_in_utc(text, read):
    good = good_text()
    assert '"started": "2025-11-23T09:44:00Z"' in good
    data = good.replace('"started": "2025-11-23T09:44:00Z"', f'"started": "{text}"')
    if read:
        started = saves.loads_save(data.encode()).started
        assert started == datetime(2025, 11, 23, 9, 44, tzinfo=timezone.utc) and started.utcoffset() == timedelta(0)
    else:
        assert error_of(data).code == "S104"


def test_a_key_given_twice_counts_with_its_last_value():
    # RFC 8259 leaves a repeated key to the reader; Koers has one reader, so it means one thing everywhere.
    text = good_text().replace('"player": "Kim",', '"player": "Kim",\n  "player": "Sam",')
    assert saves.loads_save(text.encode()).player == "Sam"
    assert explain.read_slowly(text, "x.json").player == "Sam"


# (text to replace, replacement, code, (after, what) the diagnostic points at, message)
SHAPE = [
    ('  "player": "Kim",\n', "", "S101", ("", "{"), "the save is missing 'player'"),
    ('"ms": 1500,\n', "", "S101", ('"steps": [\n    ', "{"), "step 1 is missing 'ms'"),
    ('"koers_save": 3,', "", "S101", ("", "{"), "this is not a Koers save: it has no 'koers_save' format version"),
    ('"ms": 1500', '"ms": "1.5 s"', "S102", ('"ms": ', '"1.5 s"'), "'ms' in step 1 should be a whole number, not text"),
    ('"ms": 1500', '"ms": 1500.0', "S102", ('"ms": ', "1500.0"), "'ms' in step 1 should be a whole number, not a number with a fraction"),
    ('"timed_out": false', '"timed_out": 0', "S102", ('"timed_out": ', "0"), "'timed_out' in step 1 should be true or false, not a whole number"),
    ('"settings": {\n    "timers": "slow"\n  }', '"settings": ["slow"]', "S102", ('"settings": ', "["), "'settings' should be an object, not a list"),
    ('"ownership": 7', '"ownership": null', "S102", ('"ownership": ', "null"), "'ownership' in the meters of step 1 should be a whole number, not null"),
    ('"koers_save": 3', '"koers_save": "3"', "S102", ('"koers_save": ', '"3"'), "'koers_save' (the format version) should be a whole number, not text"),
    ('"player": "Kim"', '"player": "Kim", "colour": "red"', "S103", ('"colour": ', '"red"'), "unknown field 'colour' in the save; the save has: "),
    ('"timers": "slow"', '"timer": "slow"', "S103", ('"timer": ', '"slow"'), "unknown field 'timer' in 'settings'; did you mean 'timers'?"),
    ('"timers": "slow"', '"timers": "fast"', "S104", ('"timers": ', '"fast"'), "'timers' in 'settings' should be one of on, slow, off, not 'fast'"),
    ('"ms": 1500', '"ms": -5', "S104", ('"ms": ', "-5"), "'ms' in step 1 should be 0 or more, not -5"),
    ('"session": "TEAM-7"', '"session": ""', "S104", ('"session": ', '""'), "'session' in the save should not be empty"),
    ('"updated": "2025-11-23T09:48:00Z"', '"updated": "yesterday"', "S104", ('"updated": ', '"'), "'updated' in the save should be a UTC time"),
    ('"digest": "', '"digest": "sha256:', "S104", ('"digest": ', '"'), "'digest' in 'scenario' should be a sha256 in 64 hex digits"),
    ('"reflections": {\n    "0"', '"reflections": {\n    "first"', "S104", ('"first": ', "{"), "reflections are keyed by question number from 0"),
    ('"koers_save": 3', '"koers_save": 4', "S105", ('"koers_save": ', "4"), "this save was made by a newer Koers (save format 4)"),
    ('"player_id": null', '"player_id": "Kim"', "S104", ('"player_id": ', '"Kim"'), "'player_id' in the save should be a player id (a UUID), not 'Kim'"),
]


@pytest.mark.parametrize("old, new, code, at, message", SHAPE, ids=[f"{s[2]}-{i}" for i, s in enumerate(SHAPE)])
def test_shape_problems_point_at_their_place(old, new, code, at, message):
    text = good_text()
    assert old in text
    text = text.replace(old, new, 1)
    d = error_of(text)
    assert (d.code, d.line, d.col) == (code, *position(text, at[1], after=at[0])), str(d)
    assert d.message.startswith(message)


def test_an_id_that_could_name_another_file_is_refused():
    text = good_text()
    pid = json.loads(text)["id"]
    text = text.replace(pid, "../../../etc/passwd")
    d = error_of(text)
    assert (d.code, d.line, d.col) == ("S104", *position(text, '"../', after='"id": '))
    assert d.message == "'id' in the save should be a playthrough id (a UUID), not '../../../etc/passwd'"


def test_an_id_with_a_final_newline_is_refused():
    text = good_text()
    pid = json.loads(text)["id"]
    text = text.replace(f'"{pid}"', json.dumps(pid + "\n"))
    d = error_of(text)
    assert (d.code, d.line, d.col) == ("S104", *position(text, f'"{pid}', after='"id": '))


def test_a_json_list_is_not_a_save():
    d = error_of("[1, 2]")
    assert (d.code, d.line, d.col, d.message) == ("S102", 1, 1, "a save should be a JSON object, not a list")


def test_S105_newer_format_is_refused_with_advice():
    d = error_of('{"koers_save": 7, "whatever": "a newer Koers wrote"}')
    assert d.message == (
        "this save was made by a newer Koers (save format 7); this Koers reads format 3 and older: update Koers to open it"
    )


def test_damage_anywhere_gives_a_diagnostic_never_a_traceback():
    data = good_text().encode()
    rng = random.Random(7)
    damaged = [data[:cut] for cut in range(0, len(data), 7)]
    for _ in range(300):
        pos = rng.randrange(len(data))
        damaged.append(data[:pos] + bytes([rng.randrange(256)]) + data[pos + 1 :])
    for sample in damaged:
        try:
            saves.loads_save(sample, "x.json")
        except SaveError as exc:
            assert LINE.match(str(exc)), str(exc)


def outcome(read, *args):
    try:
        return read(*args)
    except SaveError as exc:
        return str(exc)


def test_the_quick_path_accepts_exactly_what_the_slow_one_does():
    # Good saves are parsed by the C scanner first; the slow parser with
    # positions must be the one that decides, whatever the input.
    text = good_text()
    rng = random.Random(11)
    samples = [text, json.dumps(V0), saves.encode(finished_playthrough()).decode(), "[" * 50 + "]" * 50]
    samples += [text.replace(old, new, 1) for old, new, *_ in SHAPE]
    samples += [text.replace('"ms": 1500', '"ms": ' + "9" * 16), text.replace('"Kim"', '"Kim", "player": "Sam"')]
    for _ in range(300):
        pos = rng.randrange(len(text))
        samples.append(text[:pos] + rng.choice('{}[]",:0 1-e.\\nul') + text[pos + 1 :])
    loaded = 0
    for sample in samples:
        quick = outcome(saves.loads_save, sample.encode(), "x.json")
        assert quick == outcome(explain.read_slowly, sample, "x.json")
        loaded += isinstance(quick, Playthrough)
    assert 0 < loaded < len(samples)


# Migration -------------------------------------------------------------------

# Save format 0, as docs/saves.md describes it: the prototype's shape, with no
# 'settings' and each decision time as 'seconds'.
V0 = {
    "koers_save": 0,
    "id": "6f1c0a52-8d7e-4a47-9d43-3a2f0f6a9b10",
    "scenario": {"id": "friday-report", "language": "en", "version": "1.0", "digest": V1.digest},
    "player": "Kim",
    "started": "2025-01-10T08:00:00Z",
    "updated": "2025-01-10T08:03:00Z",
    "steps": [
        {"scene": "monday", "choice": "hand_over", "seconds": 4.25, "timed_out": False,
         "meters": {"ownership": 7, "time": 5}, "flags": ["handed_over"]},
        {"scene": "thursday", "choice": "answer", "seconds": 20, "timed_out": True,
         "meters": {"ownership": 6, "time": 5}, "flags": ["handed_over"]},
    ],
    "ending": "end_safe",
}


def test_format_0_is_migrated():
    before = json.dumps(V0)
    p = saves.loads_save(json.dumps(V0).encode())
    assert json.dumps(V0) == before  # the parsed data is not changed in place
    assert p.koers_save == SAVE_FORMAT and p.settings == Settings("on")
    assert [(s.ms, s.timed_out) for s in p.steps] == [(4250, False), (20_000, True)]
    assert [s.at for s in p.steps] == [None, None] and p.waited_ms == 0  # format 1 had neither
    run, notes = resumed(p, V1)
    assert notes == [] and run.at == "end_safe"
    assert saves.loads_save(saves.encode(p)) == p


def test_format_2_is_migrated_to_a_player_known_by_pseudonym_only():
    p = Playthrough.new(V1, "Kim", now=T0, player_id="0b6c9a8e-2f1d-4c3b-9a7e-5d4c3b2a1f0e")
    data = json.loads(saves.encode(p))
    assert data["player_id"] == p.player_id and list(data)[4] == "player_id"  # after 'player', as docs/saves.md shows
    del data["player_id"]
    data["koers_save"] = 2
    old = saves.loads_save(json.dumps(data).encode())
    assert old.koers_save == SAVE_FORMAT and old.player_id is None and old.player == "Kim"
    assert saves.loads_save(saves.encode(old)) == old


def test_format_0_file_is_migrated_and_saved_in_the_current_format(tmp_path):
    path = tmp_path / f"{V0['id']}.json"
    path.write_text(json.dumps(V0, indent=2), encoding="utf-8")
    p = saves.load_save(path)
    saves.save(tmp_path, p)
    assert json.loads(path.read_text(encoding="utf-8"))["koers_save"] == SAVE_FORMAT
    assert saves.load_save(path) == p


def test_format_0_with_bad_seconds_points_at_them():
    text = json.dumps(V0, indent=2).replace('"seconds": 4.25', '"seconds": "soon"')
    d = error_of(text)
    assert (d.code, d.line, d.col) == ("S104", *position(text, '"soon"', after='"seconds": '))
    assert d.message == "'seconds' in step 1 should be a number like 2.5"


def test_a_migrated_problem_points_at_the_nearest_place_that_exists():
    text = json.dumps(V0, indent=2).replace('"seconds": 20,', '"seconds": 20, "colour": 1,')
    d = error_of(text)
    assert (d.code, d.line, d.col) == ("S103", *position(text, "1", after='"colour": '))


def test_format_0_with_absurd_seconds_is_refused_not_turned_into_an_unreadable_save():
    text = json.dumps(V0, indent=2).replace('"seconds": 4.25', '"seconds": 1e300')
    d = error_of(text)
    assert (d.code, d.line, d.col) == ("S005", *position(text, "{", after='"steps": [\n    '))
    assert d.message == "'ms' in step 1 is too large for a save"


def test_S106_a_format_without_a_migration_is_refused(monkeypatch):
    monkeypatch.setattr(migrate, "MIGRATIONS", {})
    text = json.dumps(V0, indent=2)
    d = error_of(text)
    assert (d.code, d.line, d.col) == ("S106", *position(text, "0", after='"koers_save": '))
    assert d.message == (
        "save format 0 is older than this Koers can read (formats 3 to 3); open it with the Koers that made it"
    )


# The saves folder --------------------------------------------------------------


def test_list_saves_newest_first_and_reports_bad_files(tmp_path):
    a = Playthrough.new(V1, "A", now=T0)
    b = Playthrough.new(V1, "B", now=T0 + timedelta(hours=1))
    b = b.record(played("do_it", "answer"), now=T0 + timedelta(hours=2))
    c = Playthrough.new(V1, "C", now=T0 + timedelta(minutes=5)).record(played("do_it"), now=T0 + timedelta(hours=1))
    for p in (a, b, c):
        saves.save(tmp_path, p)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a save", encoding="utf-8")
    (tmp_path / ".hidden.json").write_text("{", encoding="utf-8")
    (tmp_path / "folder.json").mkdir()
    good, bad = saves.list_saves(tmp_path)
    assert [p.player for _, p in good] == ["B", "C", "A"]
    assert [path.name for path, _ in good] == [f"{p.id}.json" for p in (b, c, a)]
    assert [p.player for _, p in good if not p.finished] == ["C", "A"]
    assert [str(d) for d in bad] == [
        f"{tmp_path / 'broken.json'}:1:2: S001 the save is not valid JSON: expecting property name enclosed in double quotes"
    ]


def test_list_saves_of_a_missing_folder_is_empty(tmp_path):
    assert saves.list_saves(tmp_path / "nowhere") == ([], [])


def test_clean_stray_removes_old_temp_files_only(tmp_path):
    p = Playthrough.new(V1, "Kim")
    saves.save(tmp_path, p)
    old = tmp_path / ".tmp-crashed"
    young = tmp_path / ".tmp-saving-now"
    old.write_text('{"koers_save": 1, "id"', encoding="utf-8")
    young.write_text("{", encoding="utf-8")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    assert saves.clean_stray(tmp_path) == [old]
    assert sorted(os.listdir(tmp_path)) == sorted([f"{p.id}.json", young.name])
    assert saves.clean_stray(tmp_path, min_age=0) == [young]
    assert os.listdir(tmp_path) == [f"{p.id}.json"]
    assert saves.clean_stray(tmp_path / "nowhere") == []


def test_listing_cleans_old_strays_and_never_reads_a_temp_file(tmp_path):
    p = Playthrough.new(V1, "Kim")
    saves.save(tmp_path, p)
    old = tmp_path / ".tmp-crashed"
    old.write_text("{", encoding="utf-8")
    os.utime(old, (0, 0))
    young = tmp_path / ".tmp-young"
    young.write_bytes(saves.encode(Playthrough.new(V1, "Ghost")))
    good, bad = saves.list_saves(tmp_path)
    assert [p.player for _, p in good] == ["Kim"] and bad == []
    assert not old.exists() and young.exists()


def test_saves_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("KOERS_SAVES", str(tmp_path / "from-env"))
    assert prefs.default_saves_dir(str(tmp_path / "from-flag")) == tmp_path / "from-flag"
    assert prefs.default_saves_dir() == tmp_path / "from-env"
    assert prefs.default_saves_dir(None, environ={}) == platformdirs.user_data_path("koers", appauthor=False) / "saves"
    monkeypatch.setenv("KOERS_SAVES", "")
    assert prefs.default_saves_dir() == platformdirs.user_data_path("koers", appauthor=False) / "saves"
    monkeypatch.setenv("KOERS_SAVES", "~/koers-saves")
    assert prefs.default_saves_dir() == Path.home() / "koers-saves"


def test_saves_dir_is_only_computed_never_created(tmp_path, monkeypatch):
    monkeypatch.setenv("KOERS_SAVES", str(tmp_path / "later"))
    prefs.default_saves_dir()
    assert not (tmp_path / "later").exists()
