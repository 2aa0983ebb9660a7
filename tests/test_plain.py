"""`koers play --plain`: numbered choices on stdin and stdout, same saves and debrief."""

import io
import json
import os
import select
import subprocess
import sys

from conftest import FIXTURES
from xapi_valid import check_all

import game.plain
from game.authoring.loader import load
from game.plain import PlainPlayer, first_run
from game.saves.codec import list_saves

HOSTILE = FIXTURES / "ui" / "hostile.en.yaml"


def koers(tmp_path, *args, stdin=""):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "LANG": "en_GB.UTF-8"}
    env.pop("KOERS_SAVES", None)
    return subprocess.run(
        [sys.executable, "-m", "game", *map(str, args)], input=stdin.encode(), capture_output=True, env=env, timeout=60,
    )


def play(tmp_path, stdin, *extra):
    return koers(tmp_path, "play", "--plain", str(HOSTILE), "--saves", str(tmp_path / "saves"), "--player", "Zed", *extra, stdin=stdin)


def test_plays_to_the_debrief_showing_hostile_text_as_text(tmp_path):
    out = play(tmp_path, "1\n1\nNot sure yet\n")
    text = out.stdout.decode()
    assert out.returncode == 0, out.stderr
    assert b"\x1b" not in out.stdout and b"\x07" not in out.stdout
    assert "— Zed [/bold] —" in text
    assert "[@click=app.quit]x[/] says hello and ]52;c;aGk=." in text
    assert "1. [@click=app.quit]Ask[/]" in text
    assert "Zed [/bold] nods." in text  # the consequence
    assert "Ending: Good [/bold]. Rating: strong." in text and "\nDecision 2 (" in text
    assert text.index("— Good [/bold] —") < text.index("Debrief:")  # the ending first, as on screen
    assert "Your answer" not in text  # piped input is asked no reflection, and stores none
    debrief = text[text.index("Debrief:"):]
    assert not any(mark in debrief for mark in ("#", "**", "```", "▁", "▄", "█"))  # plain text for a screen reader
    assert "Trust [b]: from 5 to 8." in debrief  # meters in words
    assert "seconds" not in text  # piped input: no timer
    ((_, p),), bad = list_saves(tmp_path / "saves")
    assert bad == [] and p.finished and p.ending == "good"
    assert p.reflections[0].answer == "" and not p.reflections[0].shared


def test_end_of_input_keeps_the_save_and_the_next_run_resumes(tmp_path):
    first = play(tmp_path, "2\n")
    assert first.returncode == 0 and "saved" in first.stdout.decode()
    ((_, p),), _ = list_saves(tmp_path / "saves")
    assert [s.choice for s in p.steps] == ["tell"] and not p.finished
    second = play(tmp_path, "2\n")
    text = second.stdout.decode()
    assert "Resuming where you left off today at" in text and "Quick:" in text
    played = text[: text.index("Debrief:")]
    assert played.index("Resuming") < played.index("Quick:") and "says hello" not in played
    ((_, p),), _ = list_saves(tmp_path / "saves")
    assert [s.choice for s in p.steps] == ["tell", "wait"] and p.ending == "bad"


def test_a_wrong_answer_asks_again(tmp_path):
    text = play(tmp_path, "9\nyes\n1\n").stdout.decode()
    assert text.count("Type a number from 1 to 2.") == 2


def test_name_asked_once_then_remembered(tmp_path):
    args = ("play", "--plain", str(HOSTILE), "--saves", str(tmp_path / "saves"))
    first = koers(tmp_path, *args, stdin="Ann\n")
    assert "Your name or a pseudonym" in first.stdout.decode()
    settings = json.loads((tmp_path / "config" / "koers" / "settings.json").read_text())
    assert settings["player"] == "Ann"
    second = koers(tmp_path, *args, stdin="")
    assert "pseudonym" not in second.stdout.decode()


def test_plain_mode_speaks_the_scenarios_language(tmp_path):
    assert "Your choice (1–2)" in play(tmp_path, "1\n", "--lang", "nl").stdout.decode()  # an English scenario
    dutch = tmp_path / "base.nl.yaml"
    dutch.write_text((FIXTURES / "base.en.yaml").read_text(encoding="utf-8").replace("language: en", "language: nl"))
    out = koers(tmp_path, "play", "--plain", dutch, "--saves", tmp_path / "s", "--player", "Zed", "--lang", "en", stdin="1\n")
    assert "Jouw keuze (1–2)" in out.stdout.decode() and "Your choice" not in out.stdout.decode()


def test_broken_file_and_missing_file_fail_with_one_line(tmp_path):
    bad = tmp_path / "bad.en.yaml"
    bad.write_text("koers: 1\nid: [\n")
    out = koers(tmp_path, "play", "--plain", str(bad))
    assert out.returncode == 2 and out.stderr.decode().startswith(f"{bad}:") and b"Traceback" not in out.stderr
    out = koers(tmp_path, "play", str(bad))  # the full-screen app does not start either
    assert out.returncode == 2 and out.stderr.decode().startswith(f"{bad}:") and b"Traceback" not in out.stderr
    out = koers(tmp_path, "play", "--plain")
    assert out.returncode == 2 and b"needs a scenario FILE" in out.stderr


def test_a_saves_folder_that_cannot_be_written_is_said_before_the_first_scene(tmp_path):
    (tmp_path / "saves").write_text("a file")
    out = play(tmp_path, "1\n1\n")
    text = out.stdout.decode()
    assert out.returncode == 0 and b"Traceback" not in out.stderr
    said = text.index("Your playthrough is not being saved: Koers cannot write to")
    assert said < text.index("says hello") and text.count("not being saved") == 1
    assert (tmp_path / "saves").read_text() == "a file"


def test_a_playthrough_open_elsewhere_starts_a_new_one(tmp_path):
    from game.saves.store import Store

    play(tmp_path, "2\n")
    ((_, first),), _ = list_saves(tmp_path / "saves")
    lock = Store(tmp_path / "saves").lock(first.id)
    text = play(tmp_path, "1\n").stdout.decode()
    lock.release()
    assert "is open in another Koers window; this one starts a new playthrough" in " ".join(text.split())
    assert "Resuming" not in text
    good, _ = list_saves(tmp_path / "saves")
    assert len(good) == 2 and next(p for _, p in good if p.id == first.id) == first


def test_timer_runs_on_a_terminal_and_times_out(tmp_path, monkeypatch):
    monkeypatch.setattr(game.plain, "_is_tty", lambda stream: True)
    read_fd, write_fd = os.pipe()
    stdin, feed = os.fdopen(read_fd, "r"), os.fdopen(write_fd, "w")
    stdout = io.StringIO()
    now = [0.0]
    player = PlainPlayer(load(HOSTILE), tmp_path, "Zed", None, "en", "on", stdin, stdout, clock=lambda: now[0])

    def wait(seconds):  # waiting with no input lets the time pass at once, and then input ends
        ready, _, _ = select.select([stdin], [], [], 0)
        if not ready:
            now[0] += seconds
            feed.close()
        return bool(ready)

    monkeypatch.setattr(player, "_wait", wait)
    feed.write("1\n")
    feed.flush()
    player.play()
    stdin.close()
    text = stdout.getvalue()
    assert "You have 5 seconds." in text and "Time ran out, so the story chose for you: Wait." in text
    ((_, saved),), _ = list_saves(tmp_path)
    assert [s.timed_out for s in saved.steps] == [False, True] and saved.ending == "bad"


def terminal(tmp_path, monkeypatch, answers, saves="saves", clock=None, **kw):
    """A PlainPlayer on a pipe that it takes for a terminal, fed ``answers``; returns (player, output)."""
    monkeypatch.setattr(game.plain, "_is_tty", lambda stream: stream is not None and not isinstance(stream, io.StringIO))
    read_fd, write_fd = os.pipe()
    stdin, feed = os.fdopen(read_fd, "r"), os.fdopen(write_fd, "w")
    feed.write(answers)
    feed.close()
    stdout = io.StringIO()
    player = PlainPlayer(load(HOSTILE), tmp_path / saves, "Zed", None, "en", "off", stdin, stdout,
                         **({"clock": clock} if clock else {}), **kw)
    player.play()
    stdin.close()
    return player, stdout.getvalue()


def test_end_of_input_at_a_reflection_resumes_at_that_question(tmp_path, monkeypatch):
    _, first = terminal(tmp_path, monkeypatch, "1\n1\n")  # ends at the reflection question
    assert "Reflection: When did you" in first and "saved" in first
    ((_, p),), _ = list_saves(tmp_path / "saves")
    assert p.finished and p.reflections == {}
    _, second = terminal(tmp_path, monkeypatch, "Yesterday\n")
    assert "Resuming where you left off today at" in second and "Reflection: When did you" in second
    assert "Quick:" not in second[: second.index("Debrief:")]  # no scene is played again
    ((_, p),), _ = list_saves(tmp_path / "saves")
    assert p.reflections[0].answer == "Yesterday" and "Your answer (Private): Yesterday" in second
    _, third = terminal(tmp_path, monkeypatch, "2\n")  # answered: the next run is a new playthrough
    assert "Resuming" not in third and "says hello" in third


def test_plain_text_wraps_to_the_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(game.plain.shutil, "get_terminal_size", lambda fallback: os.terminal_size((40, 20)))
    monkeypatch.setattr(game.plain, "_is_tty", lambda stream: True)
    stdout = io.StringIO()
    PlainPlayer(load(HOSTILE), tmp_path, "Zed", None, "en", "off", io.StringIO("1\n1\n"), stdout).play()
    assert max(len(line) for line in stdout.getvalue().splitlines()) <= 40


def test_ten_seconds_before_the_end_it_says_so_once(tmp_path, monkeypatch):
    monkeypatch.setattr(game.plain, "_is_tty", lambda stream: True)
    waits = []
    player = PlainPlayer(load(HOSTILE), tmp_path, "Zed", None, "nl", "on", io.StringIO(""), io.StringIO())
    monkeypatch.setattr(player, "_wait", lambda seconds: waits.append(round(seconds)) or False)
    assert player.ask("? ", 30) is None
    assert waits == [20, 10] and player.stdout.getvalue().count("10 seconds left.") == 1


def test_the_first_run_asks_a_name_and_at_a_terminal_the_session(monkeypatch):
    monkeypatch.setattr(game.plain, "_is_tty", lambda stream: True)
    out = io.StringIO()
    assert first_run("nl", True, io.StringIO("\nAnn\n\n"), out) == ("Ann", None)  # a name is needed; no session
    assert out.getvalue().count("Je naam of een pseudoniem") == 2 and "Sessiecode" in out.getvalue()
    assert first_run("en", True, io.StringIO("Ann\nWS-12\n"), io.StringIO()) == ("Ann", "WS-12")
    asked = io.StringIO()
    assert first_run("en", False, io.StringIO("Ann\n1\n"), asked) == ("Ann", None)  # the session is known already
    assert "Session code" not in asked.getvalue()
    monkeypatch.setattr(game.plain, "_is_tty", lambda stream: False)
    piped = io.StringIO("Ann\n1\n")
    assert first_run("en", True, piped, io.StringIO()) == ("Ann", None) and piped.readline() == "1\n"  # the choice stays
    assert first_run("en", True, io.StringIO(""), io.StringIO()) is None


def test_at_a_terminal_the_debrief_offers_the_players_learning_record(tmp_path, monkeypatch):
    exports = tmp_path / "Documents" / "Koers"
    _, text = terminal(tmp_path, monkeypatch, "1\n1\nYesterday\n\n", exports_dir=exports)
    assert f"Save your learning record (xAPI) to {exports}?" in text and not exports.exists()
    _, text = terminal(tmp_path, monkeypatch, "1\n1\nYesterday\ny\n", exports_dir=exports)
    (path,) = exports.iterdir()
    assert f"Exported, readable by you only, to:\n{path}\n" in text and path.name.endswith(".xapi.json")
    statements = json.loads(path.read_text(encoding="utf-8"))
    check_all(statements)
    assert {s["actor"]["account"]["name"] for s in statements} == {"Zed"}
    assert "Yesterday" not in path.read_text(encoding="utf-8")  # a private answer stays out
