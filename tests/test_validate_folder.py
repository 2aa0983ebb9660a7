"""``koers validate DIR``: every scenario file of a folder (not of the folders
inside it, as the library reads one), a translation with its original, and one
line for a folder that holds none."""

import json

import pytest

from conftest import FIXTURES
from game.cli.main import main

BASE = (FIXTURES / "base.en.yaml").read_text(encoding="utf-8")
DUTCH = BASE.replace("language: en", "language: nl").replace("Hello.", "Hallo.")
# The English translation, with one effect that differs from the original: parity (K212) must see it.
DIFFERENT = BASE.replace("language: en", "language: en\ntranslates: nl").replace("effects: {trust: 1}", "effects: {trust: 2}")


def write(folder, name, text=BASE):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.fixture
def folder(tmp_path):
    """A pair whose translation differs, a broken file, files that are no scenario, and a folder inside."""
    room = tmp_path / "room"
    write(room, "base.nl.yaml", DUTCH)
    write(room, "base.en.yaml", DIFFERENT)
    write(room, "broken.en.yaml", BASE.replace("id: base\n", "id: broken\n", 1).replace("next: two", "next: tw0", 1))
    write(room, "notes.txt", "not: [a scenario")
    write(room, "README.md", "# Our scenarios\n")
    write(room / "drafts", "draft.en.yaml", "this: [is broken")
    return room


def run(capsys, *argv):
    code = main(["validate", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_a_folder_is_validated_with_its_pairs(capsys, folder):
    code, lines, err = run(capsys, folder)
    assert code == 2
    codes = sorted((line.split(":", 1)[0], line.split(": ", 1)[1].split()[0]) for line in lines)
    assert codes == [(str(folder / "base.en.yaml"), "K212"), (str(folder / "broken.en.yaml"), "K201")]
    assert "choice 'ask' in scene 'one' differs from the original (nl)" in "\n".join(lines)
    assert err.startswith("3 files: 2 errors, 0 warnings")
    # Nothing of the files that are no scenario, nor of the folder inside.
    assert not any(name in "\n".join(lines) + err for name in ("notes.txt", "README.md", "drafts", "draft.en.yaml"))


def test_a_clean_folder_passes_strict(capsys, folder):
    (folder / "broken.en.yaml").unlink()
    write(folder, "base.en.yaml", BASE.replace("language: en", "language: en\ntranslates: nl"))
    code, lines, err = run(capsys, "--strict", folder)
    assert (code, lines) == (0, []) and err.startswith("2 files: 0 errors, 0 warnings, 0 notes")


def test_json_gives_the_same_findings(capsys, folder):
    code = main(["validate", "--format", "json", str(folder)])
    rows = json.loads(capsys.readouterr().out)
    assert code == 2
    assert sorted((row["path"], row["code"]) for row in rows) == [
        (str(folder / "base.en.yaml"), "K212"), (str(folder / "broken.en.yaml"), "K201")]


def test_files_and_folders_mix_and_each_file_counts_once(capsys, folder, tmp_path):
    other = write(tmp_path / "elsewhere", "other.en.yaml", BASE.replace("id: base\n", "id: other\n", 1).replace("    rating: weak\n", ""))
    code, lines, err = run(capsys, folder / "broken.en.yaml", folder, other)
    assert code == 2
    assert [line.split(":", 1)[0] for line in lines] == [
        str(folder / "broken.en.yaml"), str(folder / "base.en.yaml"), str(other)]
    assert "K304" in lines[-1]
    assert err.startswith("4 files:")


@pytest.mark.parametrize("inside", [[], ["notes.txt"], ["drafts/draft.en.yaml"]])
def test_a_folder_without_scenarios_says_so_in_one_line(capsys, tmp_path, inside):
    empty = tmp_path / "empty"
    empty.mkdir()
    for name in inside:
        write((empty / name).parent, (empty / name).name)
    code, lines, err = run(capsys, "--strict", empty)
    assert code == 2
    assert lines == [f"{empty}:1:1: K013 no scenario files here: Koers reads the *.yaml and *.yml files of a folder, "
                     "not the folders inside it"]
    assert "Traceback" not in err
    code = main(["validate", "--format", "json", str(empty)])
    (row,) = json.loads(capsys.readouterr().out)
    assert (code, row["path"], row["code"], row["severity"]) == (2, str(empty), "K013", "error")


def test_an_empty_folder_beside_a_good_file_still_fails(capsys, tmp_path):
    good = write(tmp_path / "good", "base.en.yaml")
    (tmp_path / "empty").mkdir()
    code, lines, _ = run(capsys, good, tmp_path / "empty")
    assert code == 2 and [line.split(": ")[1].split()[0] for line in lines] == ["K013"]


def test_a_path_that_is_not_there_is_one_k011_line_and_fails(capsys, tmp_path):
    good = write(tmp_path / "good", "base.en.yaml")
    missing = tmp_path / "typo.en.yaml"
    code, lines, err = run(capsys, good, missing)
    assert code == 2
    assert lines == [f"{missing}:1:1: K011 cannot read the file: no such file or folder"]
    assert err.splitlines()[-1].startswith("2 files: 1 error, 0 warnings")


@pytest.mark.parametrize("command", [["explore"], ["play", "--plain"]])
def test_commands_of_one_file_refuse_a_folder_in_one_line(capsys, folder, command, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    extra = ["--saves", str(tmp_path / "saves"), "--player", "Kim"] if command[0] == "play" else []
    code = main([*command, str(folder), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [f"{folder}:1:1: K011 cannot read the file: it is a folder; give one scenario file"]
