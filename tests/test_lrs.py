"""Sending learning records to a Learning Record Store: a real one (Ralph,
started by these tests on a loopback port, see ralph_lrs.py), and small
stand-ins on loopback for what a real one rarely does on request (fail for a
while, refuse one statement)."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ROOT
from ralph_lrs import USER, ralph
from test_cli import koers
from xapi_valid import check_all

from game.cli.lrs import Lrs, LrsError, Tally
from game.cli.main import main

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate_saves  # noqa: E402

LRS_FIELDS = {"stored", "authority", "version"}  # what an LRS adds to a statement it stores


@pytest.fixture(scope="module")
def lrs(tmp_path_factory):
    with ralph(tmp_path_factory.mktemp("ralph")) as server:
        yield server


@pytest.fixture
def room(tmp_path):
    folder = tmp_path / "room"
    generate_saves.write(folder, 20, seed=7)
    return folder


def send(tmp_path, room, endpoint, password_file, *more):
    return koers(tmp_path, "xapi", "send", room, "--endpoint", endpoint, "--user", USER,
                 "--password-file", password_file, *more)


def test_a_room_sent_to_a_real_lrs_is_stored_once_and_reads_back_the_same(tmp_path, room, lrs):
    exported = tmp_path / "room.xapi.json"
    assert koers(tmp_path, "debrief", room, "--reflections", "--export", exported).returncode == 0
    statements = json.loads(exported.read_text(encoding="utf-8"))
    check_all(statements)
    before = len(lrs.stored_ids())

    done = send(tmp_path, room, lrs.endpoint, lrs.password_file, "--reflections", "--batch", "50")
    n = len(statements)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == f"{n} statements of 20 playthroughs: {n} sent, 0 skipped (already in the LRS), 0 refused.\n"
    assert done.stderr == b""  # loopback: no warning about http

    for registration in {s["context"]["registration"] for s in statements}:
        mine = sorted((s for s in statements if s["context"]["registration"] == registration), key=lambda s: s["id"])
        stored = sorted(lrs.statements(registration), key=lambda s: s["id"])
        assert [{k: v for k, v in s.items() if k not in LRS_FIELDS} for s in stored] == mine

    again = send(tmp_path, room, lrs.endpoint, lrs.password_file, "--reflections")
    assert again.returncode == 0, again.stderr
    assert again.stdout.decode() == f"{n} statements of 20 playthroughs: 0 sent, {n} skipped (already in the LRS), 0 refused.\n"
    ids = lrs.stored_ids()
    assert len(ids) == len(set(ids)) == before + n  # nothing stored twice


def test_a_wrong_password_fails_in_one_line_and_stores_nothing(tmp_path, room, lrs):
    wrong = tmp_path / "wrong"
    wrong.write_text("not the password\n", encoding="utf-8")
    before = lrs.stored_ids()
    done = send(tmp_path, room, lrs.endpoint, wrong)
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and done.stdout == b""
    assert lines == [f"koers xapi send: the LRS at {lrs.endpoint}statements did not accept user '{USER}' with that "
                     "password (401): check --user and --password-file"]
    assert lrs.stored_ids() == before


def test_a_statement_the_lrs_refuses_is_named_and_the_rest_stored(tmp_path, lrs):
    from test_group import play, write_scenarios
    from game.authoring.library import Library
    from game.render.xapi import Options, playthrough_statements

    en = Library([write_scenarios(tmp_path / "scenarios")]).languages("base")["en"]
    good = playthrough_statements(play(en, 31, ["ask", "go"]), en, [], Options(names=True))
    bad = {**good[1], "actor": {"name": "no one"}}  # Ralph checks actors strictly (few other fields)
    tally = Tally()
    Lrs(lrs.endpoint, USER, lrs.password_file.read_text().strip()).send([good[0], bad, *good[2:]], tally)
    assert (tally.sent, tally.skipped, [s["id"] for s, _ in tally.refused]) == (len(good) - 1, 0, [bad["id"]])
    assert "mbox" in tally.refused[0][1]  # the LRS's own reason


# Stand-ins ----------------------------------------------------------------


@contextlib.contextmanager
def stand_in(answer):
    """An HTTP server on loopback whose every POST ``answer(statements)`` answers with (status, body)."""
    seen: list[list[dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            assert self.headers["X-Experience-API-Version"] == "1.0.3"
            seen.append(batch)
            status, body = answer(batch)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/xAPI", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def pauses(monkeypatch):
    """The pauses between tries, taken at once."""
    taken: list[float] = []
    monkeypatch.setattr("game.cli.lrs.time.sleep", taken.append)
    return taken


@pytest.fixture
def password(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "password"
    path.write_text("secret\n", encoding="utf-8")
    return path


def ok(batch):
    return 200, json.dumps([s["id"] for s in batch]).encode()


def test_passing_failures_are_tried_again_after_longer_pauses(tmp_path, room, password, pauses, capsys):
    answers = iter([(503, b"busy"), (502, b"")])
    with stand_in(lambda batch: next(answers, None) or ok(batch)) as (endpoint, seen):
        code = main(["xapi", "send", str(room), "--endpoint", endpoint, "--user", "u", "--password-file", str(password)])
    out = capsys.readouterr()
    assert code == 0, out.err
    n = len({s["id"] for batch in seen for s in batch})
    assert len(seen) == n // 100 + 3  # the first batch three times
    assert pauses == [0.5, 1.0] and f": {n} sent, 0 skipped" in out.out


def test_a_refused_statement_gives_one_line_and_a_non_zero_exit(tmp_path, room, password, pauses, capsys):
    with stand_in(ok) as (endpoint, seen):
        main(["xapi", "send", str(room), "--endpoint", endpoint, "--user", "u", "--password-file", str(password)])
    capsys.readouterr()
    target = next(s for s in seen[0] if s["verb"]["id"].endswith("/answered"))

    def refuse_one(batch):
        if any(s["id"] == target["id"] for s in batch):
            return 400, json.dumps({"detail": "this one is wrong"}).encode()
        return ok(batch)

    with stand_in(refuse_one) as (endpoint, _):
        code = main(["xapi", "send", str(room), "--endpoint", endpoint, "--user", "u", "--password-file", str(password)])
    out = capsys.readouterr()
    n = sum(len(b) for b in seen)
    assert code == 1
    assert out.err.splitlines() == [f"koers xapi send: the LRS refused statement {target['id']} (answered, playthrough "
                                    f"{target['context']['registration']}): this one is wrong"]
    assert out.out.endswith(f": {n - 1} sent, 0 skipped (already in the LRS), 1 refused.\n")
    assert pauses == []


def test_an_unreachable_lrs_gives_one_line_after_its_tries(tmp_path, room, password, pauses, capsys):
    with socket.socket() as s:  # a port that was free a moment ago, and has no server
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["xapi", "send", str(room), "--endpoint", f"http://127.0.0.1:{port}/xAPI/", "--user", "u",
                 "--password-file", str(password)])
    out = capsys.readouterr()
    assert code == 2 and out.out == ""
    assert out.err.splitlines() == [f"koers xapi send: cannot reach the LRS at http://127.0.0.1:{port}/xAPI/statements: "
                                    "Connection refused (tried 5 times)"]
    assert pauses == [0.5, 1.0, 2.0, 4.0]


def test_a_redirect_is_not_followed(tmp_path, room, password, pauses):
    with stand_in(lambda batch: (307, b"")) as (endpoint, seen):
        with pytest.raises(LrsError, match="redirect"):
            Lrs(endpoint, "u", "p").send([{"id": "x"}], Tally())
    assert len(seen) == 1


@pytest.mark.parametrize("args, says", [
    (["--endpoint", "lrs.example.org/xAPI"], "is not an http or https address"),
    (["--password-file", "MISSING"], "MISSING:1:1: cannot read the password: No such file or directory"),
    (["--batch", "0"], "--batch needs a number of 1 or more"),
])
def test_bad_options_give_one_line(tmp_path, room, password, args, says, capsys):
    given = {"--endpoint": "http://127.0.0.1:9/xAPI/", "--password-file": str(password)}
    for flag, value in zip(args[::2], args[1::2]):
        given[flag] = str(tmp_path / value) if value == "MISSING" else value
    argv = ["xapi", "send", str(room), "--user", "u", *(x for kv in given.items() for x in kv)]
    assert main(argv) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and says in lines[0], lines
