"""Group debrief: reading a folder of saves, and what the group did, counted."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from msgspec.structs import replace

from conftest import FIXTURES
from game.authoring.library import Library
from game.play.session import replay
from game.saves import codec as saves
from game.saves.playthrough import Playthrough, ScenarioRef
from game.cli.main import main
from game.debrief.collect import collect
from game.debrief.group import debrief
from game.debrief.privacy import hide
from game.render.group_csv import to_csv
from game.render.group_export import to_markdown, to_text
from game.render.wording import caveat, question
from game.authoring.loader import load
from game.core.run import Run

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def pid(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


def write_scenarios(folder: Path, version: str = "1", nl: bool = False, timer: bool = False) -> Path:
    """base.en.yaml (and a Dutch translation of it) at ``version``."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (FIXTURES / "base.en.yaml").read_text(encoding="utf-8").replace('version: "1"', f'version: "{version}"')
    if timer:
        text = text.replace("    text: Hello.\n", "    text: Hello.\n    timer: {seconds: 10, timeout: tell}\n")
    (folder / "base.en.yaml").write_text(text, encoding="utf-8")
    if nl:
        dutch = (text.replace("language: en", "language: nl\ntranslates: en").replace("Ask.", "Vraag.")
                 .replace("title: Base", "title: Basis"))
        (folder / "base.nl.yaml").write_text(dutch, encoding="utf-8")
    return folder


def play(scenario, n: int, choices: list[str], ms: int = 1000, player: str = "Ann", session: str | None = "S1",
         shared: dict[int, tuple[str, bool]] | None = None, timed_out: bool = False) -> Playthrough:
    run = Run.start(scenario)
    for i, choice in enumerate(choices):
        run = run.choose(choice, ms=ms, timed_out=timed_out and i == 0)
    started = T0 + timedelta(minutes=n)
    p = replace(Playthrough.new(scenario, player, session=session, now=started), id=pid(n))
    p = p.record(run, now=started + timedelta(minutes=5))
    for index, (answer, share) in (shared or {}).items():
        p = p.with_reflection(index, answer, share, now=started + timedelta(minutes=6))
    return p


def put(folder: Path, p: Playthrough) -> Path:
    return saves.save(folder, p)


@pytest.fixture
def lib(tmp_path):
    found = Library([write_scenarios(tmp_path / "scenarios", nl=True, timer=True)])
    assert set(found.languages("base")) == {"en", "nl"} and not found.problems
    return found


@pytest.fixture
def room(tmp_path, lib):
    """Ten playthroughs with known choices: 6 ask-go, 3 tell-stop, 1 ask and then stopped playing."""
    en = lib.languages("base")["en"]
    folder = tmp_path / "room"
    for n in range(6):
        put(folder, play(en, n, ["ask", "go"], ms=1000 * (n + 1), player=f"Ann{n}",
                         shared={0: (f"answer {n}", n % 2 == 0), 1: (f"secret {n}", False)}))
    for n in range(6, 9):
        put(folder, play(en, n, ["tell", "stop"], ms=1000 * (n + 1), timed_out=n == 6))
    put(folder, play(en, 9, ["ask"], ms=10_000))
    return folder


def test_counts_of_a_room_with_known_choices(room, lib):
    report = debrief(collect([room]), lib)
    assert report.skipped == ()
    (d,) = report.debriefs
    assert (d.playthroughs, d.finished.count, d.unfinished) == (10, 9, 1)
    assert {e.id: (c.count, c.percent) for e, c in d.endings} == {"good": (6, 60), "bad": (3, 30)}
    one, two = d.decisions
    assert {o.choice.id: (o.count.count, o.count.percent) for o in one.options} == {"ask": (7, 70), "tell": (3, 30)}
    assert {o.choice.id: o.count.count for o in two.options} == {"go": 6, "stop": 3}
    assert (one.reached.count, two.reached.count) == (10, 9)
    # Times 1..10 s: median 5.5, quartiles (inclusive) 3.25 and 7.75.
    assert (one.median_s, one.q1_s, one.q3_s) == (5.5, 3.25, 7.75)
    assert one.timed_out == 1
    assert [c.id for c in one.prompts] == ["listen"]
    assert [(r.count, [c.id for c in r.choices], r.ending.id) for r in d.routes] == [(6, ["ask", "go"], "good"), (3, ["tell", "stop"], "bad")]
    meters = {row.ending.id: (row.count, dict((mt.id, v) for mt, v in row.averages)) for row in d.meters}
    assert meters == {"good": (6, {"trust": 6.0}), "bad": (3, {"trust": 5.0})}


def test_only_shared_reflections_and_no_names_unless_asked(room, lib):
    d = debrief(collect([room]), lib).debriefs[0]
    (answers,) = d.reflections
    assert answers.question is None and question("en", answers) == "Question 1"  # base has no reflection questions
    assert answers.answers == (("", "answer 0"), ("", "answer 2"), ("", "answer 4"))
    # Ann0 to Ann5, then four playthroughs by one Ann: one player number for the four.
    assert [(n, player) for n, player, _ in d.players()] == [(i, min(i, 7)) for i in range(1, 11)]
    named = debrief(collect([room]), lib, names=True).debriefs[0]
    assert [who for who, _ in named.reflections[0].answers] == ["Ann0", "Ann2", "Ann4"]


def test_dutch_and_english_playthroughs_are_debriefed_together(tmp_path, lib):
    folder = tmp_path / "mixed"
    for n in range(3):
        put(folder, play(lib.languages("base")["en"], n, ["ask", "go"]))
    for n in range(3, 5):
        put(folder, play(lib.languages("base")["nl"], n, ["ask", "stop"]))
    report = debrief(collect([folder]), lib)
    (d,) = report.debriefs
    assert d.languages == (("en", 3), ("nl", 2))
    assert d.decisions[0].options[0].count.count == 5
    assert d.scenario.language == "en"  # the language most of the group played in
    dutch = debrief(collect([folder]), lib, language="nl")
    assert dutch.debriefs[0].decisions[0].options[0].choice.text == "Vraag." and dutch.language == "nl"
    assert "Groepsnabespreking" in to_markdown(dutch) and "Beslistijd: mediaan 1,0 s" in to_markdown(dutch)
    assert "Decision time: median 1.0 s" in to_markdown(report)
    # The CSV speaks the report's language: its columns, yes and no, the ratings, "speler N".
    rows = list(csv.DictReader(io.StringIO(to_csv(dutch))))
    assert {row["speler"] for row in rows} == {"speler 1"}  # one pseudonym, five playthroughs
    assert {row["speelronde"] for row in rows} == {"1", "2", "3", "4", "5"}
    assert {row["beoordeling"] for row in rows} == {"sterk", "zwak"} and {row["tijd_verstreken"] for row in rows} == {"nee"}


def test_one_report_speaks_one_language_across_version_groups(tmp_path):
    v1 = write_scenarios(tmp_path / "v1", version="1", nl=True)
    lib1 = Library([v1])
    lib = Library([write_scenarios(tmp_path / "v2", version="2", nl=True), v1])
    folder = tmp_path / "room"
    for n in range(3):  # version 1 mostly in English, version 2 in Dutch; the room mostly Dutch
        put(folder, play(lib1.languages("base")["en" if n else "nl"], n, ["ask", "go"]))
    for n in range(3, 7):
        put(folder, play(lib.languages("base")["nl"], n, ["ask", "go"]))
    report = debrief(collect([folder]), lib)
    assert [d.scenario.language for d in report.debriefs] == ["nl", "nl"] and report.language == "nl"


def test_choices_with_the_same_text_are_one_option(tmp_path):
    # "Go on." written twice with opposite conditions: every player saw one "Go on.".
    text = (FIXTURES / "base.en.yaml").read_text(encoding="utf-8").replace(
        """      - id: go
        text: Go on.
        next: good
        concepts: [listen]
""",
        """      - id: go
        text: Go on.
        next: good
        when: {flag: asked}
        coaching: They trust you now.
        concepts: [listen]
      - id: go_cold
        text: Go on.
        next: bad
        when: {not_flag: asked}
        coaching: The same words, without the trust behind them.
        concepts: [listen]
""")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "base.en.yaml").write_text(text, encoding="utf-8")
    lib = Library([tmp_path / "lib"])
    en = lib.languages("base")["en"]
    assert lib.problems == []
    folder = tmp_path / "room"
    for n in range(5):
        put(folder, play(en, n, ["ask", "go"]))
    for n in range(5, 8):
        put(folder, play(en, n, ["tell", "go_cold"]))
    put(folder, play(en, 8, ["tell", "stop"]))
    report = debrief(collect([folder]), lib)
    two = report.debriefs[0].decisions[1]
    assert [(o.choice.text, [c.id for c in o.choices], o.count.count) for o in two.options] == [
        ("Go on.", ["go", "go_cold"], 8), ("Stop.", ["stop"], 1),
    ]
    markdown = to_markdown(report)
    assert markdown.count("| Go on. |") == 1
    assert "They trust you now." in markdown and "without the trust behind them" in markdown
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert {r["choice"] for r in rows if r["scene"] == "two"} == {"go", "go_cold", "stop"}  # the data keeps the ids


def test_versions_are_debriefed_apart_with_a_warning(tmp_path):
    v1 = load(write_scenarios(tmp_path / "v1", version="1") / "base.en.yaml")
    v2 = load(write_scenarios(tmp_path / "v2", version="2") / "base.en.yaml")
    folder = tmp_path / "saves"
    for n in range(3):
        put(folder, play(v1, n, ["ask", "go"]))
    for n in range(3, 5):
        put(folder, play(v2, n, ["tell", "go"]))
    lib = Library([tmp_path / "v2"])
    report = debrief(collect([folder]), lib)
    old, new = report.debriefs
    assert (old.version, old.playthroughs, new.version, new.playthroughs) == ("1", 3, "2", 2)
    old_words, new_words = ([caveat("en", w) for w in d.warnings] for d in (old, new))
    assert any("version 1" in w and "version 2" in w for w in old_words)  # the words come from another version
    assert any("also played on version 1" in w for w in new_words)
    assert {o.choice.id: o.count.count for o in old.decisions[0].options} == {"ask": 3, "tell": 0}


def test_a_damaged_folder_counts_every_good_playthrough_once_and_names_every_other_file(tmp_path, lib):
    en = lib.languages("base")["en"]
    folder = tmp_path / "collected"
    a = put(folder, play(en, 1, ["ask", "go"]))
    b = put(folder, play(en, 2, ["tell"]))
    # The same playthrough copied from a second laptop, and an older copy of b taken mid-game.
    (folder / "laptop2").mkdir()
    copy_a = folder / "laptop2" / a.name
    copy_a.write_bytes(a.read_bytes())
    older_b = folder / "laptop2" / b.name
    older_b.write_bytes(saves.encode(replace(saves.load_save(b), steps=(), updated=T0)))
    good = a.read_text()
    bad = {
        "truncated.json": good[: len(good) // 2],
        "noise.json": b"\x00\xff garbage",
        "foreign.json": '{"name": "package.json", "version": "1.0.0"}',
        "list.json": "[1, 2, 3]",
        "deep.json": "[" * 5000 + "]" * 5000,
        "huge-number.json": good.replace('"ms": 1000', '"ms": ' + "9" * 5000, 1),
        "nan.json": good.replace('"ms": 1000', '"ms": NaN', 1),
        "newer.json": good.replace('"koers_save": 3', '"koers_save": 99').replace(pid(1), pid(50)),
        "path-id.json": good.replace(pid(1), "../../etc/passwd"),
    }
    for name, text in bad.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    (folder / "notes.txt").write_text("not a save")
    (folder / ".tmp-123").write_text("{")
    os.mkfifo(folder / "pipe.json")  # opening it to read would wait for a writer forever
    # A key given twice counts with its last value, in every reader (docs/saves.md).
    twice = good.replace(pid(1), pid(51)).replace('"ending": "good"', '"ending": "good", "ending": "bad"')
    (folder / "two-keys.json").write_text(twice, encoding="utf-8")

    c = collect([folder, a])  # a folder and a file inside it: still once
    assert sorted(p.id for p in c.played) == [pid(1), pid(2), pid(51)]
    assert next(p for p in c.played if p.id == pid(2)).steps[0].choice == "tell"  # the newer copy counts
    assert next(p for p in c.played if p.id == pid(51)).ending == "bad"
    by_file = {Path(d.path).name if "laptop2" not in d.path else "laptop2/" + Path(d.path).name: d for d in c.skipped}
    assert set(by_file) == {*bad, f"laptop2/{a.name}", f"laptop2/{b.name}", "pipe.json"}
    assert by_file["pipe.json"].code == "S006" and "not a regular file" in by_file["pipe.json"].message
    assert by_file[f"laptop2/{a.name}"].code == "G001" and "same playthrough" in by_file[f"laptop2/{a.name}"].message
    assert "older copy" in by_file[f"laptop2/{b.name}"].message
    codes = {name: by_file[name].code for name in bad}
    assert codes == {
        "truncated.json": "S001", "noise.json": "S003", "foreign.json": "S101", "list.json": "S102",
        "deep.json": "S004", "huge-number.json": "S005", "nan.json": "S001", "newer.json": "S105",
        "path-id.json": "S104",
    }
    assert str(by_file["path-id.json"]).startswith(f"{folder / 'path-id.json'}:")


def test_session_filter_and_unknown_scenarios(tmp_path, lib):
    en = lib.languages("base")["en"]
    folder = tmp_path / "s"
    put(folder, play(en, 1, ["ask", "go"], session="MON"))
    put(folder, play(en, 2, ["ask", "go"], session="TUE"))
    stranger = replace(play(en, 3, ["ask", "go"], session="MON"), scenario=ScenarioRef(id="nowhere", language="en", version="1", digest=""))
    put(folder, stranger)
    report = debrief(collect([folder], session="MON"), lib)
    assert report.other_sessions == 1 and "1 playthrough of another session was left out." in to_text(report)
    assert report.debriefs[0].playthroughs == 1
    (skip,) = report.skipped
    assert skip.code == "G002" and skip.path.endswith(f"{pid(3)}.json") and "nowhere" in skip.message


def test_replays_are_left_out_of_the_numbers(tmp_path, lib):
    en = lib.languages("base")["en"]
    folder = tmp_path / "r"
    first = play(en, 1, ["ask", "go"])
    put(folder, first)
    again = replace(Playthrough.replay_from(first, 0, now=T0), id=pid(2))
    run, _ = replay(again, en)
    put(folder, again.record(run.choose("tell").choose("stop"), now=T0))
    d = debrief(collect([folder]), lib).debriefs[0]
    assert (d.playthroughs, d.replays) == (1, 1)
    assert {e.id: c.count for e, c in d.endings} == {"good": 1, "bad": 0}


def test_min_group_hides_small_counts_and_those_that_would_give_them_away(room, lib):
    report = debrief(collect([room]), lib, min_group=4)
    d = report.debriefs[0]
    one, two = d.decisions
    # Endings: good 6, bad 3, and 1 unfinished. 3 and 1 are below 4; hidden together they are 4.
    assert {e.id: c.count for e, c in d.endings} == {"good": 6, "bad": None}
    assert d.finished.count is None and "Playthroughs: 10 (how many finished is hidden" in to_text(report)
    # Decision 1: 7 ask, 3 tell, none missed it. 3 alone could be worked out from 10, so 7 goes too.
    assert [o.count.count for o in one.options] == [None, None] and one.reached.count == 10
    assert one.timed_out is None and "ran out of time: hidden" in to_text(report)
    # Decision 2: 6 go, 3 stop, and 1 never came to it: how many reached it would give that 1 away.
    assert [o.count.count for o in two.options] == [6, None] and two.reached.count is None
    assert two.options[0].count.percent is None  # a share of a hidden number would give it away too
    assert "Reached by hidden of 10 playthroughs." in to_text(report)
    assert [r.count for r in d.routes] == [6] and [row.ending.id for row in d.meters] == ["good"]
    d = debrief(collect([room]), lib, min_group=11).debriefs[0]
    assert all(dec.hidden and dec.median_s is None for dec in d.decisions)


def test_a_small_group_hidden_in_a_difference_stays_hidden(tmp_path, lib):
    en, nl = lib.languages("base")["en"], lib.languages("base")["nl"]
    folder = tmp_path / "room"
    # 9 playthroughs: 5 told when the time ran out, 1 told of their own accord, 3 asked; 2 of them in Dutch.
    for n in range(5):
        put(folder, play(en, n, ["tell", "stop"], timed_out=True))
    put(folder, play(en, 5, ["tell", "stop"]))
    for n in range(6, 9):
        put(folder, play(nl if n < 8 else en, n, ["ask", "go"]))
    report = debrief(collect([folder]), lib, min_group=3)
    d = report.debriefs[0]
    one, _ = d.decisions
    assert [o.count.count for o in one.options] == [3, 6]
    # 5 of the 6 who told ran out of time: the 1 who chose it would be 6 - 5.
    assert one.timed_out is None
    # Two routes, each to its own ending: each is the whole of its ending, so both can be said.
    assert sorted(r.count for r in d.routes) == [3, 6]
    # Dutch 2, English 7: the 2 are hidden, and with them the 7 that would give them away.
    assert d.languages == (("en", None), ("nl", None)) and "Languages: en, nl" in to_text(report)
    # The CSV holds the report's numbers, not rows of single playthroughs.
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert {r["table"] for r in rows} == {"playthroughs", "finished", "ending", "reached", "choice", "timed out"}
    assert [r["count"] for r in rows if r["table"] == "timed out"] == ["(hidden)"]
    assert "player" not in rows[0]


def test_min_group_hides_even_the_zeros_when_the_whole_group_is_too_small(tmp_path, lib):
    put(tmp_path / "one", play(lib.languages("base")["en"], 1, ["ask", "go"]))
    d = debrief(collect([tmp_path / "one"]), lib, min_group=5).debriefs[0]
    assert [c.count for _, c in d.endings] == [None, None]  # not 0 beside a hidden 1
    assert hide([0, 3, 9], 5) == [False, True, True] and hide([0, 0, 7], 5) == [False, False, False]
    assert hide([6, 3, 1], 4) == [False, True, True] and hide([2, 2, 9], 3) == [True, True, False]


def test_a_save_without_a_meter_counts_it_at_its_start(tmp_path, lib):
    en = lib.languages("base")["en"]
    folder = tmp_path / "m"
    for n in range(2):
        put(folder, play(en, n, ["ask", "go"]))  # trust 5 + 1 = 6
    bare = json.loads((folder / f"{pid(1)}.json").read_text())
    for step in bare["steps"]:
        step["meters"] = {}  # as a version without the meter saved it
    (folder / f"{pid(1)}.json").write_text(json.dumps(bare))
    (row,) = debrief(collect([folder]), lib).debriefs[0].meters
    assert [(mt.id, v) for mt, v in row.averages] == [("trust", (6 + 5) / 2)]


def test_a_scenario_without_meters_has_no_meter_averages(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    text = (FIXTURES / "base.en.yaml").read_text(encoding="utf-8")
    text = text.split("meters:\n")[0] + "flags:" + text.split("flags:", 1)[1].replace("        effects: {trust: 1}\n", "")
    (folder / "base.en.yaml").write_text(text, encoding="utf-8")
    lib = Library([folder])
    put(tmp_path / "room", play(lib.languages("base")["en"], 1, ["ask", "go"]))
    (row,) = debrief(collect([tmp_path / "room"]), lib).debriefs[0].meters
    assert row.ending.id == "good" and row.averages == ()


def test_the_file_named_for_a_language_counts_whatever_is_read_first(tmp_path):
    folder = write_scenarios(tmp_path / "lib")
    draft = (folder / "base.en.yaml").read_text(encoding="utf-8").replace('version: "1"', 'version: "2-draft"')
    (folder / "base.draft.yaml").write_text(draft, encoding="utf-8")  # English too, but not named so
    for first in ("en", "fr"):  # a save in English, or in a language without a file, read first
        lib = Library([folder])
        lib.one("base", first)
        assert lib.languages("base")["en"].version == "1", first


def test_the_library_reads_only_the_files_a_debrief_needs(tmp_path, room):
    folder = tmp_path / "scenarios"
    (folder / "broken.en.yaml").write_text("koers: 1\nid: [\n")
    lib = Library([folder])
    report = debrief(collect([room]), lib)
    assert report.debriefs[0].playthroughs == 10 and lib.problems == []  # only base.en.yaml was read
    assert "nowhere" not in lib and [d.code for d in lib.problems] != []  # looking further reads everything


def test_a_folder_that_cannot_be_listed_is_named(tmp_path, room, lib, monkeypatch):
    (room / "locked").mkdir()
    scandir = os.scandir

    def refuse(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    c = collect([room])
    assert len(c.played) == 10
    assert [(d.path, d.code, d.message) for d in c.skipped] == [
        (str(room / "locked"), "S006", "cannot read the folder: Permission denied")]


# The command ------------------------------------------------------------------


def test_cli_prints_a_summary_and_lists_skipped_files(room, tmp_path, capsys):
    (room / "broken.json").write_text("{")
    code = main(["debrief", str(room), "--scenarios", str(tmp_path / "scenarios")])
    out, err = capsys.readouterr()
    assert code == 1  # the report is made; the skipped file makes it a warning
    assert "Playthroughs: 10 (9 finished, 1 unfinished)" in out
    assert "7 (70%)" in out and "Ask." in out
    assert f"{room / 'broken.json'}:1:2: S001 " in err


def test_a_report_that_cannot_be_written_leaves_the_old_one_and_its_privacy(room, tmp_path, capsys, monkeypatch):
    scen = ["--scenarios", str(tmp_path / "scenarios")]
    report = tmp_path / "r.md"
    report.write_text("the report of last week\n")
    report.chmod(0o600)
    assert main(["debrief", str(room), *scen, "--export", str(report)]) == 0
    assert report.read_text(encoding="utf-8").startswith("# Group debrief")
    assert report.stat().st_mode & 0o777 == 0o600  # replaced, and still readable by its owner only

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    before = report.read_bytes()
    assert main(["debrief", str(room), *scen, "--export", str(report)]) == 2
    assert report.read_bytes() == before
    assert capsys.readouterr().err.splitlines()[-1] == f"{report}:1:1: K012 cannot write the report: No space left on device"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_cli_exports_by_extension_and_refuses_an_unknown_one(room, tmp_path, capsys):
    scen = ["--scenarios", str(tmp_path / "scenarios")]
    for name, start in (("r.md", "# Group debrief"), ("r.html", "<!DOCTYPE html>"), ("r.csv", "\ufeffsession,player")):
        assert main(["debrief", str(room), *scen, "--export", str(tmp_path / name)]) == 0
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)
    assert capsys.readouterr().out.endswith(f"Wrote {tmp_path / 'r.csv'}: 10 playthroughs, 0 files not counted.\n")
    (room / "broken.json").write_text("{")
    assert main(["debrief", str(room), *scen, "--export", str(tmp_path / "r.md")]) == 1
    assert capsys.readouterr().out == f"Wrote {tmp_path / 'r.md'}: 10 playthroughs, 1 file not counted.\n"
    assert main(["debrief", str(room), *scen, "--export", str(tmp_path / "r.pdf")]) == 2
    assert "end it in .md, .html, .csv or .xapi.json" in capsys.readouterr().err
    assert main(["debrief", str(tmp_path / "nothing-here")]) == 2
