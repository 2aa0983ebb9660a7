"""`koers import twee`: a Twine story (Twee 3) made a scenario that validates,
with what it cannot convert listed at its place, and bad input refused in one line."""

import pytest

from conftest import FIXTURES
from test_cli import koers

from game.authoring.from_twee import convert
from game.authoring.loader import loads
from game.authoring.twee import MAX_BYTES, MAX_PASSAGES, read
from game.authoring.twee_text import Findings
from game.core.diagnostics import ScenarioError, Severity

FRIDAY = FIXTURES / "twee" / "friday.twee"


def imported(path, language="en"):
    """The scenario ``path`` converts to (loaded and checked), and what was not converted."""
    findings = Findings(str(path))
    result = convert(read(str(path), findings), language, findings)
    return result.checked.scenario, result.checked, findings.kept


def story(tmp_path, text, name="story.twee"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def place(text, snippet):
    """Line and column of the first ``snippet`` in ``text``, counted from 1."""
    offset = text.index(snippet)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def effects(choice):
    return {e.meter: e.delta for e in choice.effects}


def test_every_link_form_becomes_a_choice_and_the_changes_on_arrival_its_effects():
    s, _, _ = imported(FRIDAY)
    assert (s.id, s.title, s.language, s.start) == ("the-friday-report", "The Friday report", "en", "monday-morning")
    assert list(s.scenes) == ["monday-morning", "write-it-yourself", "hand-over", "think-it-over", "thursday"]
    assert {e.id: e.rating for e in s.endings.values()} == {"room-b-c-x": "weak", "on-time-on-your-back": "weak",
                                                            "her-report": "strong"}
    monday = s.scenes["monday-morning"]
    assert [(c.id, c.text, c.next) for c in monday.choices] == [
        ("write-it-yourself", "Write it yourself. It's faster.", "write-it-yourself"),  # [[text->target]]
        ("hand-over", "Ask Sanne", "hand-over"),  # [[text|target][setter]]
        ("hand-over-2", "Give Sanne the result and the deadline", "hand-over"),  # [[target<-text]]
        ("think-it-over", "Think it over", "think-it-over"),  # [[target]]
    ]
    # SugarCube steps on arriving ($x to $x + n, -=), Harlowe's (it + n, it - n), and the setter's own.
    assert [effects(c) for c in monday.choices] == [{"grip": 2, "ownership": -2}, {"ownership": 3, "grip": -1},
                                                    {"ownership": 2, "grip": -1}, {"grip": -1}]
    assert [c.set for c in monday.choices] == [(), ("handed_over",), ("handed_over",), ()]
    thursday = s.scenes["thursday"]
    # (link-goto:) is no choice, and the <<set>> inside <<if>> is no effect.
    assert [(c.next, effects(c)) for c in thursday.choices] == [
        ("on-time-on-your-back", {"grip": 1}), ("her-report", {"ownership": 2}), ("room-b-c-x", {"ownership": -3})]
    # StoryInit sets where the meters start; the range holds every path's steps.
    assert {k: (v.start, v.min, v.max, v.shown) for k, v in s.meters.items()} == {
        "ownership": (5, 0, 10, False), "grip": (5, 3, 8, False)}
    assert list(s.flags) == ["handed_over"]
    assert [c.id for c in s.characters.values()] == ["narrator"]


def test_scene_text_is_the_passage_without_macros_html_comments_or_lines_of_links():
    s, _, _ = imported(FRIDAY)
    assert s.scenes["monday-morning"].text.show({}, frozenset()) == (
        "Monday, nine o'clock. The board wants the quarterly report on Friday.\n\n"
        "You wrote the last six yourself. Sanne looks up from her screen.")
    # Each branch of a condition its own paragraph, for the author to give a `when`.
    assert s.scenes["write-it-yourself"].text.show({}, frozenset()).split("\n\n") == [
        "You cancel two one-to-ones to make room. Sanne goes back to her screen.",
        "Nobody asks how they can help.", "Sanne offers to check the figures."]
    assert s.scenes["hand-over"].text.show({}, frozenset()).split("\n\n")[1] == "You feel the report slipping out of your hands."
    assert s.scenes["think-it-over"].text.show({}, frozenset()) == "You sleep on it. In the morning the question is still there."


def test_the_result_validates_with_warnings_only_for_what_the_author_must_add():
    _, checked, _ = imported(FRIDAY)
    assert checked.errors == ()
    assert {d.code for d in checked.diagnostics if d.severity is Severity.WARNING} == {"K303"}  # no concepts yet


def test_every_construct_not_converted_is_listed_at_its_line_and_column():
    text = FRIDAY.read_text(encoding="utf-8")
    _, _, found = imported(FRIDAY)
    expected = {(*place(text, snippet), code) for snippet, code in [
        ('<span class="who">', "T008"), ("<<if $ownership lt 4>>", "T007"), ("<<else>>", "T007"),
        ("(if: $grip < 5)", "T007"), ('<<goto "Thursday">>', "T008"), ("$grip.", "T008"),
        ('<<set $mood to "tense">>', "T008"), ('<div class="quote">', "T008"), ("<<if $handed_over>>", "T007"),
        ("<<set $ownership += 1>>", "T007"), ("(link-goto:", "T008"), (":: Story JavaScript", "T008")]}
    assert {(d.line, d.col, d.code) for d in found} == expected
    assert all(d.path == str(FRIDAY) for d in found)
    inside = next(d for d in found if d.message.startswith("<<set $ownership += 1>>"))
    assert f"inside <<if>> (line {place(text, '<<if $handed_over>>')[0]})" in inside.message


def test_hostile_names_and_text_stay_plain_text(tmp_path):
    s, _, _ = imported(FRIDAY)
    room = s.endings["room-b-c-x"]
    assert room.title == 'Room: "B" & *C* {x}'  # escaped in the header: \{x\}
    assert room.text.show({}, frozenset()) == (
        '[bold red]Rich markup[/] stays text, and so do &anchor *alias !!python/object/apply:os.system ["echo hi"] '
        "and {{ template }}.\n\n# Not a heading: key: value")
    path = story(tmp_path, ":: Start\u2028name \x1b\u202e!\n"
                           "- [x] 'quoted' \"double\" | > % @ `tick` \x85 ---\n[[yes: no->no]]\n:: no\n... \\n \\\"\n")
    s, checked, _ = imported(path)
    assert checked.errors == ()
    start = s.scenes["start-name"]
    assert start.title == "Start name !"  # control characters and separators gone
    assert start.text.show({}, frozenset()) == "- [x] 'quoted' \"double\" | > % @ `tick` ---"
    assert [(c.text, c.next) for c in start.choices] == [("yes: no", "no")]
    assert s.endings["no"].text.show({}, frozenset()) == '... \\n \\"'


def test_the_story_format_decides_which_macros_are_read(tmp_path):
    body = ":: Start\nShe writes (note: keep this) on the board.\n[[Go->End]]\n:: End\nDone.\n"
    for fmt, kept in (("SugarCube", True), ("Harlowe", False), (None, False)):
        data = f':: StoryData\n{{"ifid": "X", "format": "{fmt}"}}\n' if fmt else ""
        s, _, found = imported(story(tmp_path, data + body, f"{fmt}.twee"))
        assert ("(note: keep this)" in s.scenes["start"].text.show({}, frozenset())) is kept
        assert [d.code for d in found] == ([] if kept else ["T008"])


def test_changes_on_arrival_start_and_steps_of_both_dialects(tmp_path):
    path = story(tmp_path, ":: StoryInit\n<<set $trust to 2>>\n"
                           ":: Start\n<<set $trust += 1>>Monday.\n[[Next]]\n<<if $trust gt 9>>[[Again|Start][$trust -= 2]]<</if>>\n"
                           ":: Next\n<<set $trust to 7>><<set $trust++>><<set $trust += -1>>(set: $trust to $trust - 3, $told to true)\n"
                           "Tuesday.\n[[End]]\n:: End\n(set: $told to false)The end.\n")
    text = path.read_text(encoding="utf-8")
    s, _, found = imported(path)
    assert s.meters["trust"].start == 3  # StoryInit's 2, and the step on entering the first passage
    start = s.scenes["start"]
    # The link in a condition is a choice, and its setter with it: -2, and +1 on arriving.
    assert [(c.next, effects(c)) for c in start.choices] == [("next", {"trust": -3}), ("start", {"trust": -1})]
    assert start.choice("next").set == ("told",) and s.scenes["next"].choices[0].clear == ("told",)
    assert [(d.line, d.col, d.code) for d in found] == [(*place(text, "<<if $trust"), "T007"),
                                                        (*place(text, "<<set $trust to 7>>"), "T008")]


def test_ids_are_slugs_unique_and_valid(tmp_path):
    names = ["Één keer", "A", "a", "A!", "???", "x" * 60]
    text = "".join(f":: {name}\n" + "".join(f"[[{n}]]\n" for n in names[i + 1 :]) + "Text.\n" for i, name in enumerate(names))
    s, checked, _ = imported(story(tmp_path, text))
    assert [*s.scenes, *s.endings] == ["een-keer", "a", "a-2", "a-3", "passage", "x" * 40]
    assert checked.errors == ()


def test_a_tenth_link_is_listed_not_converted(tmp_path):
    text = ":: Start\nPick.\n" + "".join(f"[[Door {n}->End]]\n" for n in range(1, 11)) + ":: End\nOut.\n"
    s, _, found = imported(story(tmp_path, text))
    assert len(s.scenes["start"].choices) == 9
    assert [(d.line, d.col, d.code) for d in found] == [(*place(text, "[[Door 10"), "T008")]


def test_unclosed_constructs_stay_text_and_cost_one_pass(tmp_path):
    hostile = "<< [[ (a: /* <!-- /% " * 5_000
    s, checked, _ = imported(story(tmp_path, f":: Start\n[[End]]\n{hostile}\n:: End\nOut.\n"))
    assert checked.errors == () and s.scenes["start"].text.show({}, frozenset()) == hostile.strip()


BAD = [
    ("not-utf8", b":: Start\nCaf\xe9\n", "2:4: T003"),
    ("nul", b":: Start\nab\0\n", "2:3: T003"),
    ("no-passages", b"Just some text.\n", "1:1: T004"),
    ("no-scene", b":: StoryTitle\nHi\n:: Start\nHello.\n", "3:1: T004"),
    ("missing", b":: Start\n[[Go->Nowhere]]\n:: Now here\nx\n", "2:1: T005"),
    ("bad-start", b':: StoryData\n{"ifid": "X",\n "start": "Begin"}\n:: Start\nx\n', "3:2: T005"),
    ("duplicate", b":: Start\n[[A]]\n:: A\nx\n:: A\ny\n", "5:1: T006"),
    ("huge", b":: Start\n" + b"x" * MAX_BYTES, "1:1: T002"),
    ("passages", "".join(f":: p{i}\nx\n" for i in range(MAX_PASSAGES + 1)).encode(), f"{2 * MAX_PASSAGES + 1}:1: T002"),
    ("loop", b":: Start\nRound.\n[[Again->Start]]\n", "1:1: K209"),
]


@pytest.mark.parametrize("name,data,where", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_with_its_place_and_writes_nothing(tmp_path, name, data, where):
    path, out = story(tmp_path, data), tmp_path / "out.en.yaml"
    result = koers(tmp_path, "import", "twee", path, "--language", "en", "--output", out)
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 2 and not out.exists() and b"Traceback" not in result.stderr
    assert len(lines) == 1 and lines[0].startswith(f"{path}:{where} "), lines


def test_a_missing_link_suggests_the_nearest_passage(tmp_path):
    path = story(tmp_path, ":: Start\n[[Go->Now Here]]\n:: Now here\nx\n")
    with pytest.raises(ScenarioError) as exc:
        imported(path)
    assert "did you mean 'Now here'?" in exc.value.diagnostics[0].message


def test_a_missing_file_is_one_line(tmp_path):
    result = koers(tmp_path, "import", "twee", tmp_path / "none.twee", "--language", "en")
    assert result.returncode == 2 and result.stderr.decode().startswith(f"{tmp_path / 'none.twee'}:1:1: T001 ")


def test_an_existing_output_is_never_overwritten(tmp_path):
    out = tmp_path / "mine.en.yaml"
    out.write_text("my own work\n", encoding="utf-8")
    result = koers(tmp_path, "import", "twee", FRIDAY, "--language", "en", "--output", out)
    assert result.returncode == 2 and result.stderr.decode().startswith(f"{out}:1:1: T009 ")
    assert out.read_text(encoding="utf-8") == "my own work\n"


def test_an_output_that_cannot_be_written_is_one_line(tmp_path):
    out = tmp_path / "no such folder" / "friday.en.yaml"
    result = koers(tmp_path, "import", "twee", FRIDAY, "--language", "en", "--output", out)
    last = result.stderr.decode().splitlines()[-1]
    assert result.returncode == 2 and last.startswith(f"{out}:1:1: T009 cannot write the scenario: ")
    assert b"Traceback" not in result.stderr


def test_a_full_disk_leaves_no_half_written_scenario(tmp_path, monkeypatch):
    import errno

    from game.core import files

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    out = tmp_path / "friday.en.yaml"
    with pytest.raises(OSError, match="No space left"):
        files.write_new(out, "koers: 1\n" * 1000)
    assert not out.exists()
    with pytest.raises(FileExistsError):
        files.write_new(FRIDAY, "")
    assert FRIDAY.read_text(encoding="utf-8").startswith(":: StoryTitle")


def test_without_a_language_and_a_terminal_it_asks_for_the_option(tmp_path):
    result = koers(tmp_path, "import", "twee", FRIDAY)
    assert result.returncode == 2 and result.stdout == b"" and "--language nl" in result.stderr.decode()


def test_stdout_and_output_give_the_same_scenario_in_the_language_asked(tmp_path):
    out = tmp_path / "friday.nl.yaml"
    written = koers(tmp_path, "import", "twee", FRIDAY, "--language", "nl", "--output", out)
    printed = koers(tmp_path, "import", "twee", FRIDAY, "--language", "nl")
    assert written.returncode == printed.returncode == 0
    assert printed.stdout == out.read_bytes()
    s = loads(printed.stdout)
    assert s.language == "nl" and s.characters["narrator"].name == "Verteller"
    assert "12 constructs not converted" in written.stderr.decode()


def test_many_problems_are_counted_after_the_first_hundred(tmp_path):
    path = story(tmp_path, ":: Start\nBeeps.\n" + "<<beep>>" * 2000 + "\n[[End]]\n:: End\nx\n")
    result = koers(tmp_path, "import", "twee", path, "--language", "en", "--output", tmp_path / "out.en.yaml")
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 0 and sum(" T008 " in line for line in lines) == 100
    assert f"{path}: 1,900 more problems not shown; fix the first ones and check again" in lines
    assert "2,000 constructs not converted (the first 100 listed above)" in result.stderr.decode()


def test_as_a_user_convert_validate_and_play(tmp_path):
    out = tmp_path / "the-friday-report.en.yaml"
    assert koers(tmp_path, "import", "twee", FRIDAY, "--language", "en", "--output", out).returncode == 0
    checked = koers(tmp_path, "validate", out)
    assert checked.returncode == 0 and "0 errors" in checked.stderr.decode()
    played = koers(tmp_path, "--player", "Sam", "play", "--plain", out, stdin=b"1\n1\n3\n").stdout.decode()
    assert "Nobody asks how they can help." in played and "[bold red]Rich markup[/] stays text" in played
    assert "Ending: Room: \"B\" & *C* {x}. Rating: weak." in played
