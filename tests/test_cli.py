"""Every shared option means the same before the command and after it."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES
from test_group import play, put, write_scenarios

from game.authoring.library import Library


def koers(tmp_path, *args, stdin=b""):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "LANG": "en_GB.UTF-8"}
    env.pop("KOERS_SAVES", None)
    return subprocess.run([sys.executable, "-m", "game", *map(str, args)], input=stdin, capture_output=True,
                          env=env, timeout=60)


@pytest.fixture
def folder(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(FIXTURES / "features.en.yaml", mine / "features.en.yaml")
    return mine


@pytest.mark.parametrize("before", [True, False])
def test_list_takes_scenarios_before_or_after(tmp_path, folder, before):
    args = ["--scenarios", folder, "list"] if before else ["list", "--scenarios", folder]
    out = koers(tmp_path, *args)
    assert out.returncode == 0 and "Every feature of the format [en," in out.stdout.decode()


def test_scenarios_before_and_after_both_count(tmp_path, folder):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(FIXTURES / "base.en.yaml", other / "base.en.yaml")
    text = koers(tmp_path, "--scenarios", folder, "list", "--scenarios", other).stdout.decode()
    assert "Every feature of the format" in text and "Base [en," in text


@pytest.fixture
def room(tmp_path):
    scenarios = write_scenarios(tmp_path / "scenarios", nl=True)
    en = Library([scenarios]).one("base", "en")
    put(tmp_path / "room", play(en, 1, ["ask", "go"], session="MON"))
    put(tmp_path / "room", play(en, 2, ["tell", "stop"], session="TUE"))
    return scenarios, tmp_path / "room"


@pytest.mark.parametrize("order", ["before", "after"])
def test_debrief_takes_every_option_before_or_after(tmp_path, room, order):
    scenarios, saves = room
    options = ["--scenarios", scenarios, "--session", "MON", "--lang", "nl"]
    args = [*options, "debrief", saves] if order == "before" else ["debrief", saves, *options]
    out = koers(tmp_path, *args)
    text = out.stdout.decode()
    assert out.returncode == 0, out.stderr.decode()
    assert "Groepsnabespreking: Basis" in text and "Speelrondes: 1 " in text  # Dutch, and only MON
    assert "G002" not in out.stderr.decode()  # the scenario was found in DIR


@pytest.mark.parametrize("order", ["before", "after"])
def test_play_takes_player_and_saves_before_or_after(tmp_path, order):
    options = ["--player", "Kim", "--saves", tmp_path / "s"]
    base = FIXTURES / "base.en.yaml"
    args = [*options, "play", "--plain", base] if order == "before" else ["play", "--plain", base, *options]
    out = koers(tmp_path, *args, stdin=b"1\n")
    assert out.returncode == 0 and "pseudonym" not in out.stdout.decode()
    assert len(list((tmp_path / "s").glob("*.json"))) == 1


def test_plain_belongs_to_play_only(tmp_path):
    out = koers(tmp_path, "--plain", "list")
    assert out.returncode == 2 and "unrecognized arguments: --plain" in out.stderr.decode()
    assert "--plain" in koers(tmp_path, "play", "--help").stdout.decode()
    assert "--plain" not in koers(tmp_path, "--help").stdout.decode()
