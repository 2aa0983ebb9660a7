"""Hostile and careless input: each fault once found, kept out by a test.

Scenario files with errors are never played; pipes, devices and absurd files
never hang or explode; positions are those an editor shows; what a person
types is cleaned where it enters; Markdown never turns a player's words into
markup.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT, gfm
from game.authoring.library import Library
from game.core.diagnostics import MAX_SHOWN, ScenarioError
from game.authoring.loader import load, loads
from game.render.markdown import escape
from game.core.run import Run, RunError
from game.play.session import replay
from game.render.wording import note
from game.saves.codec import encode as saves_encode
from game.saves.codec import loads_save
from game.saves.playthrough import Playthrough
from game.core.text import typed, typed_name

BASE = FIXTURES / "base.en.yaml"
K201 = FIXTURES / "bad" / "K201-missing-target.en.yaml"


def koers(tmp_path, *args, stdin: bytes = b"", env: dict | None = None):
    environ = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
               "LANG": "en_GB.UTF-8", **(env or {})}
    environ.pop("KOERS_SAVES", None)
    # A hang would fail here, not wait: none of these commands may take long.
    return subprocess.run([sys.executable, "-m", "game", *map(str, args)], input=stdin, capture_output=True,
                          env=environ, timeout=20)


def one_line_per_problem(out) -> list[str]:
    assert b"Traceback" not in out.stderr, out.stderr.decode()
    return out.stderr.decode().splitlines()


# Scenarios with errors are never played -----------------------------------------


@pytest.mark.parametrize("command", [["play", "--plain"], ["play"], ["explore"]])
def test_a_scenario_with_an_error_is_refused(tmp_path, command):
    out = koers(tmp_path, *command, K201, "--saves", tmp_path / "s") if command[0] == "play" else koers(tmp_path, *command, K201)
    (line,) = one_line_per_problem(out)
    assert out.returncode == 2 and line.startswith(f"{K201}:54:15: K201 ")


def test_koers_list_lists_a_scenario_with_an_error_as_unplayable(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "broken.en.yaml").write_bytes(K201.read_bytes())
    out = koers(tmp_path, "list", "--scenarios", folder)
    text = out.stdout.decode()
    assert out.returncode == 2
    assert f"{folder / 'broken.en.yaml'}: cannot be played" in text or "broken.en.yaml: cannot be played" in text
    assert "K201 choice 'stop' leads to 'badd'" in text


def test_the_engine_never_enters_a_place_that_does_not_exist():
    scenario = loads(BASE.read_bytes().replace(b"next: bad", b"next: gone"))
    run = Run.start(scenario)
    with pytest.raises(RunError, match="leads to 'gone', which is no scene or ending"):
        run.choose("ask").choose("stop")
    with pytest.raises(RunError, match="starts at 'nowhere'"):
        Run.start(loads(BASE.read_bytes().replace(b"start: one", b"start: nowhere")))


def test_the_engine_never_enters_a_scene_it_cannot_leave():
    # Both choices of 'two' hold only after asking (K217, a warning): telling leaves the player stuck.
    text = BASE.read_bytes().replace(b"        next: good\n", b"        next: good\n        when: {flag: asked}\n")
    text = text.replace(b"        next: bad\n", b"        next: bad\n        when: {flag: asked}\n")
    run = Run.start(loads(text))
    assert run.choose("ask").at == "two"
    with pytest.raises(RunError, match="no choice is available in scene 'two'"):
        run.choose("tell")


def test_resuming_a_save_whose_scenario_now_leads_nowhere(tmp_path):
    scenario = load(BASE)
    saved = Playthrough.new(scenario, "Kim").record(Run.start(scenario).choose("ask").choose("stop"))
    edited = loads(BASE.read_bytes().replace(b'version: "1"', b'version: "2"').replace(b"next: bad", b"next: gone"))
    run, facts = replay(saved, edited)
    notes = [note("en", f) for f in facts]
    assert run.at == "two" and [s.choice for s in run.steps] == ["ask"]  # stopped before the step that cannot be
    assert notes == ["the scenario changed since this save (version 1 → 2): resumed at scene 'two' after 1 of 2 decisions"]
    # And the edited file is itself refused before anyone plays it.
    path = tmp_path / "base.en.yaml"
    path.write_bytes(BASE.read_bytes().replace(b"next: bad", b"next: gone"))
    out = koers(tmp_path, "play", "--plain", path, "--saves", tmp_path / "s", "--player", "Kim")
    assert out.returncode == 2 and "K201" in out.stderr.decode()


# Nothing hangs, nothing explodes ---------------------------------------------------


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.en.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("how", ["direct", "symlink"])
@pytest.mark.parametrize("command", [["validate"], ["explore"], ["play", "--plain"], ["play"]])
def test_a_named_pipe_is_refused_at_once(tmp_path, fifo, how, command):
    target = fifo
    if how == "symlink":
        target = tmp_path / "link.en.yaml"
        target.symlink_to(fifo)
    extra = ["--saves", tmp_path / "s", "--player", "Kim"] if command[0] == "play" else []
    out = koers(tmp_path, *command, target, *extra)
    lines = [line for line in one_line_per_problem(out) + out.stdout.decode().splitlines() if "K011" in line]
    assert out.returncode == 2 and lines == [f"{target}:1:1: K011 cannot read the file: not a regular file"]


def test_a_named_pipe_in_a_scenarios_folder_is_listed_as_unreadable(tmp_path, fifo):
    (tmp_path / "base.en.yaml").write_bytes(BASE.read_bytes())
    out = koers(tmp_path, "list", "--scenarios", tmp_path)
    text = out.stdout.decode()
    assert out.returncode == 2 and "Base [en, 1 min]" in text
    assert "K011 cannot read the file: not a regular file" in text


def test_a_device_is_refused(tmp_path):
    out = koers(tmp_path, "validate", "/dev/zero")
    assert out.returncode == 2 and "/dev/zero:1:1: K011" in out.stdout.decode() + out.stderr.decode()


@pytest.mark.parametrize("field, old, new", [
    ("a meter's max", b"    max: 10\n", b"    max: " + b"9" * 5000 + b"\n"),
    ("an effect", b"effects: {trust: 1}", b"effects: {trust: " + b"1" * 5000 + b"}"),
    ("minutes", b"minutes: 1\n", b"minutes: -" + b"7" * 5000 + b"\n"),
])
def test_a_number_of_any_length_is_k104_at_its_place(tmp_path, field, old, new):
    data = BASE.read_bytes().replace(old, new)
    line = data[: data.index(new)].count(b"\n") + 1
    with pytest.raises(ScenarioError) as exc:
        loads(data, "n.yaml")
    (d,) = exc.value.diagnostics
    assert (d.code, d.line) == ("K104", line) and "too large" in d.message, field
    # One such file in a folder stops nothing: the others are still listed.
    (tmp_path / "long.en.yaml").write_bytes(data)
    (tmp_path / "base.en.yaml").write_bytes(BASE.read_bytes())
    out = koers(tmp_path, "list", "--scenarios", tmp_path)
    assert "Base [en, 1 min]" in out.stdout.decode() and "K104" in out.stdout.decode()


def test_a_timer_of_endless_seconds(tmp_path):
    data = BASE.read_bytes().replace(b"    text: Hello.\n", b"    text: Hello.\n    timer: {seconds: " + b"5" * 5000 + b", timeout: tell}\n")
    with pytest.raises(ScenarioError) as exc:
        loads(data)
    assert [(d.code, d.line) for d in exc.value.diagnostics] == [("K104", 27)]


def test_a_million_problems_print_a_hundred_and_a_count(tmp_path):
    path = tmp_path / "junk.en.yaml"
    path.write_bytes(BASE.read_bytes() + b"".join(b"k%d: x\n" % i for i in range(200_000)))
    started = time.perf_counter()
    out = koers(tmp_path, "validate", path)
    assert time.perf_counter() - started < 10  # today's code took 83 s on 16 MB; this is 2 MB
    lines = out.stdout.decode().splitlines()
    assert out.returncode == 2 and len(lines) == MAX_SHOWN + 1
    assert lines[0] == f"{path}:70:1: K103 unknown field 'k0' in the scenario; the scenario has: " + \
        "koers, id, title, language, version, summary, minutes, characters, start, scenes, endings, translates, " + \
        "goals, sources, meters, flags, concepts, debrief"
    assert lines[-1] == f"{path}: 199,900 more problems not shown; fix the first ones and check again"


TYPO = BASE.read_text(encoding="utf-8").replace("next: bad", "next: badd")  # K201 at 53:15, so K215 for 'bad'
WHERE = [("K201", 53, 15), ("K215", 59, 5)]


@pytest.mark.parametrize("name, newline", [("CR only", "\r"), ("CR LF", "\r\n")])
def test_positions_in_files_with_other_line_ends(name, newline):
    assert [(d.code, d.line, d.col) for d in validate_text(TYPO.encode())] == WHERE
    text = TYPO.replace("\n", newline)
    assert [(d.code, d.line, d.col) for d in validate_text(text.encode())] == WHERE, name
    assert syntax_error_at(TYPO, newline) == syntax_error_at(TYPO) == ("K001", 59, 12), name


@pytest.mark.parametrize("char", ["\u0085", "\u2028", "\u2029"])
def test_nel_and_unicode_separators_are_not_line_breaks_to_an_editor(char):
    # libyaml counts these as line breaks; an editor does not, so neither do our positions.
    text = TYPO.replace("text: Hello.", f'text: "Hel{char}lo."').replace("text: It did not.", f'text: "It{char}did not."')
    assert [(d.code, d.line, d.col) for d in validate_text(text.encode())] == WHERE
    assert syntax_error_at(text) == ("K001", 59, 12)


def syntax_error_at(text: str, newline: str = "\n") -> tuple[str, int, int]:
    """Where a colon too many on the line of the ending 'bad' is reported."""
    with pytest.raises(ScenarioError) as exc:
        loads(text.replace("  - id: bad\n", "  - id: bad: x\n").replace("\n", newline).encode())
    (d,) = exc.value.diagnostics
    return d.code, d.line, d.col


def validate_text(data: bytes):
    from game.authoring.validator import validate

    return validate(loads(data, "f.yaml"))


# Saving and settings ---------------------------------------------------------------


@pytest.mark.parametrize("content", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"player": "' + b"x" * 300_000 + b'"}',
    bytes(range(256)) * 4,
    b'"just a string"',
], ids=["deeply nested", "huge", "random bytes", "no settings"])
def test_any_settings_file_is_ignored_with_a_note_and_the_game_starts(tmp_path, content):
    settings = tmp_path / "config" / "koers" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_bytes(content)
    out = koers(tmp_path, "play", "--plain", BASE, "--saves", tmp_path / "s", "--player", "Kim", stdin=b"1\n")
    assert out.returncode == 0 and b"Traceback" not in out.stderr
    assert "Hello." in out.stdout.decode()
    if content.startswith(b'"'):
        return  # valid JSON that holds no settings: nothing to say
    assert out.stderr.decode().startswith(f"Your settings file {settings} could not be read (")


def test_a_settings_file_that_is_a_pipe(tmp_path):
    settings = tmp_path / "config" / "koers" / "settings.json"
    settings.parent.mkdir(parents=True)
    os.mkfifo(settings)
    out = koers(tmp_path, "play", "--plain", BASE, "--saves", tmp_path / "s", "--player", "Kim", stdin=b"1\n")
    assert out.returncode == 0 and "(not a regular file)" in out.stderr.decode()


@pytest.mark.parametrize("option", ["--player", "--session"])
def test_a_name_that_is_not_utf8_is_refused_with_one_line(tmp_path, option):
    environ = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "LANG": "en_GB.UTF-8"}
    out = subprocess.run([sys.executable.encode(), b"-m", b"game", b"play", b"--plain", str(BASE).encode(),
                          b"--saves", str(tmp_path / "s").encode(), option.encode(), b"K\xffm"],
                         capture_output=True, env=environ, timeout=20)
    assert out.returncode == 2 and out.stderr.decode() == f"koers: {option} is not valid UTF-8 text; type it again\n"


def test_a_typed_name_that_is_not_utf8_is_asked_again(tmp_path):
    out = koers(tmp_path, "play", "--plain", BASE, "--saves", tmp_path / "s", stdin=b"K\xffm\nKim\n1\n")
    text = out.stdout.decode()
    assert out.returncode == 0 and "That is not valid UTF-8 text; please type it again." in text
    assert json.loads((tmp_path / "config" / "koers" / "settings.json").read_text())["player"] == "Kim"


# What a person types ------------------------------------------------------------------

DISGUISES = "\x1b[31m\u202eevil\u202c\u2066x\u2069\u200b\u200d\ufeff\ud800\x07\u2028"


def test_typed_text_is_cleaned_once_where_it_enters():
    assert typed_name(f"  Kim {DISGUISES} de  Vries ") == "Kim [31mevilx de Vries"
    assert typed(f"I {DISGUISES}listened") == "I [31mevilxlistened"


def test_names_and_answers_are_stored_clean(tmp_path, monkeypatch):
    out = koers(tmp_path, "play", "--plain", FIXTURES / "ui" / "hostile.en.yaml", "--saves", tmp_path / "s",
                "--session", f"WS{DISGUISES}1".replace("\ud800", ""),
                stdin=f"Kim{DISGUISES.replace(chr(0xd800), '')}\n1\n1\n".encode("utf-8", "surrogatepass"))
    assert out.returncode == 0, out.stderr
    (save,) = (tmp_path / "s").glob("*.json")
    data = json.loads(save.read_text(encoding="utf-8"))
    assert (data["player"], data["session"]) == ("Kim[31mevilx", "WS[31mevilx1")
    # An answer typed at a terminal (reflections are asked only there).
    import io

    import game.plain

    monkeypatch.setattr(game.plain, "_is_tty", lambda stream: not isinstance(stream, io.StringIO))
    read_fd, write_fd = os.pipe()
    with os.fdopen(write_fd, "w", encoding="utf-8", errors="surrogatepass") as feed:
        feed.write(f"1\n1\nMine{DISGUISES}\n")
    with os.fdopen(read_fd, "r", encoding="utf-8", errors="surrogateescape") as stdin:
        game.plain.PlainPlayer(load(FIXTURES / "ui" / "hostile.en.yaml"), tmp_path / "t", "Kim", None, "en", "off",
                               stdin, io.StringIO()).play()
    (save,) = (tmp_path / "t").glob("*.json")
    assert json.loads(save.read_text(encoding="utf-8"))["reflections"]["0"]["answer"] == "Mine[31mevilx"


def test_a_save_holding_a_lone_surrogate_still_counts_and_exports(tmp_path):
    from game.debrief import group
    from game.debrief.collect import collect
    from game.render.group_export import EXPORTS

    from test_group import pid, play, put, write_scenarios

    folder = write_scenarios(tmp_path / "scenarios")
    library = Library([folder])
    scenario = library.one("base", "en")
    p = play(scenario, 1, ["ask", "go"], player="Kim\ud800", shared={0: ("Yes\udfff", True)})
    path = put(tmp_path / "room", p)  # Koers writes the half character as U+FFFD
    assert '"player": "Kim\ufffd"' in path.read_text(encoding="utf-8")
    # As an older Koers wrote it: an escape, which JSON allows and UTF-8 cannot hold.
    old = path.read_text(encoding="utf-8").replace('"Kim\ufffd"', '"Kim\\ud800"').replace(p.id, pid(2))
    (tmp_path / "room" / f"{pid(2)}.json").write_text(old, encoding="utf-8")
    report = group.debrief(collect([tmp_path / "room"]), library, names=True)
    assert report.debriefs[0].playthroughs == 2
    assert [q.answers for q in report.debriefs[0].reflections] == [(("Kim\ufffd", "Yes\ufffd"),) * 2]
    for fmt, export in EXPORTS.items():
        text = export(report)
        text.encode("utf-8")  # writes: no UnicodeEncodeError
        assert "Kim" in text and "\ud800" not in text, fmt


def test_a_save_in_an_unknown_language_is_refused():
    scenario = load(BASE)
    data = saves_encode(Playthrough.new(scenario, "Kim")).decode().replace('"language": "en"', '"language": "../../x"')
    with pytest.raises(Exception) as exc:
        loads_save(data.encode(), "x.json")
    d = exc.value.diagnostic
    assert d.code == "S104" and "should be one of nl, en, not '../../x'" in d.message


# Markdown that stays text ------------------------------------------------------------------

ATTACKS = ["http://evil.example", "https://evil.example/x?y=1", "www.evil.example", "kim@evil.example",
           "<script>alert(1)</script>", "<b>x</b>", "[click](http://evil.example)", "![i](http://x/y.png)",
           "# Heading", "**bold**", "_it_", "`code`", "a | b", "~~gone~~", "&amp; &#64; &lt;", "Werk & Inkomen",
           "[x]: http://evil.example", "<http://evil.example>", "xmpp:kim@evil.example", "\\*"]


def shows_as_text(escaped: str, original: str) -> None:
    """Rendered by GitHub in a list item and at the start of a line, ``escaped`` is ``original``, as text."""
    for before, opening, closing in (("- ", "<ul>\n<li>", "</li>\n</ul>"), ("", "<p>", "</p>")):
        rendered = gfm(f"{before}{escaped}\n")
        inner = rendered.strip().removeprefix(opening).removesuffix(closing)
        tags = [t for t in re.findall(r"<(/?[a-z0-9]+)", inner) if t not in ("code", "/code")]
        assert tags == [], (original, rendered)
        shown = html.unescape(re.sub(r"</?code>", "", inner))
        assert shown == " ".join(original.split()), (original, rendered)


@pytest.mark.parametrize("attack", ATTACKS)
def test_player_text_never_becomes_markup_on_github(attack):
    shows_as_text(escape(attack), attack)
    assert escape("Werk & Inkomen") == "Werk & Inkomen"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab @:/.<>[]()!*_`#|~&;-=+\\h tpsw", "http://", "www.", "&amp;", "x@y.z"]),
                max_size=20).map("".join))
def test_any_text_renders_as_itself(text):
    if text.strip():
        shows_as_text(escape(text), text)


@pytest.mark.parametrize("command", [["schema"], ["list"], ["explore", "scenarios/marcel.nl.yaml"]])
def test_a_full_standard_output_is_one_line_not_a_traceback(command):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "game", *command], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "<stdout>:1:1: K012 cannot write the output: No space left on device\n"


def test_file_names_a_line_could_break_on_or_lose_stay_in_one_line(tmp_path):
    folder = tmp_path / "drafts"
    folder.mkdir()
    for name in (b"two\nlines.en.yaml", b"\xff\xfe.en.yaml"):
        with open(os.path.join(os.fsencode(folder), name), "wb") as f:
            f.write(b"koers: 1\n")
    out = subprocess.run([sys.executable, "-m", "game", "validate", str(folder)], capture_output=True, timeout=30)
    lines = out.stdout.decode("utf-8").splitlines()
    assert out.returncode == 2 and "Traceback" not in out.stderr.decode()
    names = {line.split(":1:1: ")[0] for line in lines}  # every problem of these two is at the file's start
    assert names == {f"{folder}/two\\nlines.en.yaml", f"{folder}/\\xff\\xfe.en.yaml"}, lines
