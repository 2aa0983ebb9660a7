"""The one scenario library: its rule for duplicates, reading only what it
needs, and the cache of checked files (game/authoring/library.py, cache.py)."""

import json
import os

import pytest

import game.authoring.loader as loader_module
from conftest import FIXTURES, ROOT
from game.authoring.cache import Cache
from game.authoring.library import Library, check_files, is_offered
from game.cli.main import main

BASE = (FIXTURES / "base.en.yaml").read_text(encoding="utf-8")


def write(folder, name, text=BASE):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def loads(monkeypatch):
    """The paths the library loads from their files, in order."""
    seen = []
    real = loader_module.load

    def load(path):
        seen.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(loader_module, "load", load)
    return seen


def test_the_file_named_for_its_scenario_wins_a_duplicate(tmp_path):
    first = write(tmp_path / "a", "copy.yaml")  # found first, but not named base.en
    named = write(tmp_path / "b", "base.en.yaml", BASE.replace("title: Base", "title: Named"))
    library = Library([tmp_path / "a", tmp_path / "b"])
    assert [s.title for s in library.offered()] == ["Named"]
    assert library.one("base", "en").path == str(named)
    (refused,) = library.refused()
    assert refused.path == str(first) and refused.count == 1
    assert f"K223 scenario 'base.en' is also in {named}, which is used" in refused.lines[0]


def test_of_two_named_alike_the_first_found_wins(tmp_path):
    bundled = write(tmp_path / "bundled", "base.en.yaml")
    mine = write(tmp_path / "mine", "base.en.yaml", BASE.replace("title: Base", "title: Mine"))
    entries = check_files([tmp_path / "bundled", tmp_path / "mine"])
    assert [is_offered(e) for e in entries] == [True, False]
    assert [d.code for d in entries[1].diagnostics] == ["K223"] and str(bundled) in entries[1].diagnostics[0].message
    assert Library([tmp_path / "bundled", tmp_path / "mine"]).one("base", "en").title == "Base"
    assert Library([tmp_path / "mine", tmp_path / "bundled"]).one("base", "en").path == str(mine)


def test_a_scenario_with_errors_is_no_duplicate(tmp_path):
    write(tmp_path / "a", "base.en.yaml", BASE.replace("next: two", "next: nowhere", 1))
    good = write(tmp_path / "b", "base.en.yaml")
    library = Library([tmp_path / "a", tmp_path / "b"])
    assert [s.path for s in library.offered()] == [str(good)]
    (refused,) = library.refused()
    assert [d.code for d in refused.problems] == ["K201"]


def test_a_scenario_is_read_by_its_file_name_first(tmp_path, loads):
    folder = tmp_path / "lib"
    for sid in ("alpha", "beta", "gamma"):
        write(folder, f"{sid}.en.yaml", BASE.replace("id: base", f"id: {sid}"))
    library = Library([folder])
    assert library.one("beta", "en").id == "beta"
    assert loads == ["beta.en.yaml"]
    assert "gamma" in library and loads == ["beta.en.yaml", "gamma.en.yaml"]
    assert library.one("delta", "en") is None  # not named: then every file is read, once
    assert sorted(loads) == ["alpha.en.yaml", "beta.en.yaml", "gamma.en.yaml"]


def test_an_unchanged_file_comes_from_the_cache(tmp_path, loads):
    folder = tmp_path / "lib"
    path = write(folder, "base.en.yaml")
    cache = Cache(tmp_path / "cache")
    first = Library([folder], cache).offered()
    assert loads == ["base.en.yaml"]
    again = Library([folder], Cache(tmp_path / "cache")).offered()
    assert loads == ["base.en.yaml"] and again == first and again[0].digest == first[0].digest
    listed = Library([folder], Cache(tmp_path / "cache"))
    assert listed.typical(listed.listings()[0]) >= 1 and loads == ["base.en.yaml"]

    path.write_text(BASE.replace("title: Base", "title: Edited"), encoding="utf-8")
    assert [s.title for s in Library([folder], Cache(tmp_path / "cache")).offered()] == ["Edited"]
    assert loads == ["base.en.yaml", "base.en.yaml"]


def test_a_translation_is_checked_again_when_its_original_changes(tmp_path):
    folder = tmp_path / "lib"
    write(folder, "base.nl.yaml", BASE.replace("language: en", "language: nl"))
    write(folder, "base.en.yaml", BASE.replace("language: en", "language: en\ntranslates: nl"))
    cache = tmp_path / "cache"
    assert all(is_offered(e) for e in Library([folder], Cache(cache)).entries())
    write(folder, "base.nl.yaml", BASE.replace("language: en", "language: nl").replace('version: "1"', 'version: "2"'))
    entries = {os.path.basename(e.path): e for e in Library([folder], Cache(cache)).entries()}
    assert "K212" in [d.code for d in entries["base.en.yaml"].diagnostics]


def test_a_damaged_or_foreign_cache_entry_is_never_trusted(tmp_path, loads):
    folder = tmp_path / "lib"
    write(folder, "base.en.yaml")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    Library([folder], Cache(ours)).offered()
    Library([folder], Cache(theirs)).offered()
    (entry,) = ours.glob("*.entry")
    # Another machine's entry for the same path: signed with another key.
    entry.write_bytes((theirs / entry.name).read_bytes())
    Library([folder], Cache(ours)).offered()
    assert loads.count("base.en.yaml") == 3
    # One byte changed: read afresh, and the entry is made again.
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert [s.title for s in Library([folder], Cache(ours)).offered()] == ["Base"]
    assert loads.count("base.en.yaml") == 4
    Library([folder], Cache(ours)).offered()
    assert loads.count("base.en.yaml") == 4


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path):
    folder = tmp_path / "lib"
    write(folder, "base.en.yaml")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    assert [s.title for s in Library([folder], Cache(blocked / "scenarios")).offered()] == ["Base"]


def test_koers_list_says_which_duplicate_is_used(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copy = write(tmp_path / "mine", "marcel.nl.yaml", (ROOT / "scenarios" / "marcel.nl.yaml").read_text(encoding="utf-8"))
    assert main(["list", "--scenarios", str(tmp_path / "mine"), "--format", "json"]) == 2
    rows = json.loads(capsys.readouterr().out)
    (refused,) = [r for r in rows if "errors" in r]
    assert refused["path"] == str(copy) and refused["errors"][0]["code"] == "K223"
    assert sum(r.get("id") == "marcel" and r.get("language") == "nl" for r in rows) == 1


def test_a_listing_reads_no_story_and_a_story_is_read_when_wanted(tmp_path, loads):
    folder = tmp_path / "lib"
    write(folder, "base.en.yaml")
    Library([folder], Cache(tmp_path / "cache")).offered()
    (entry,) = (tmp_path / "cache").glob("*.entry")
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0xFF  # the story, at the end of the entry: listing never looks at it
    entry.write_bytes(bytes(data))
    library = Library([folder], Cache(tmp_path / "cache"))
    (listing,) = library.listings()
    assert (listing.title, listing.key, loads) == ("Base", "base.en", ["base.en.yaml"])
    assert library.scenario(listing).title == "Base" and loads == ["base.en.yaml", "base.en.yaml"]


def test_a_cached_translation_still_follows_its_original_after_its_typical_path_is_kept(tmp_path):
    folder = tmp_path / "lib"
    write(folder, "base.nl.yaml", BASE.replace("language: en", "language: nl"))
    write(folder, "base.en.yaml", BASE.replace("language: en", "language: en\ntranslates: nl"))
    cache = tmp_path / "cache"
    Library([folder], Cache(cache)).entries()  # fills the cache
    listed = Library([folder], Cache(cache))
    english = next(x for x in listed.listings() if x.language == "en")
    listed.typical(english)  # rewrites the translation's entry from the cache
    write(folder, "base.nl.yaml", BASE.replace("language: en", "language: nl").replace('version: "1"', 'version: "2"'))
    entries = {os.path.basename(e.path): e for e in Library([folder], Cache(cache)).entries()}
    assert "K212" in [d.code for d in entries["base.en.yaml"].diagnostics]


def test_a_listing_keeps_no_story_in_memory(tmp_path, loads):
    """The body is read when the story is wanted, not held from the listing: a library lists many
    and a player plays one (in a workshop room every player's process holds its library)."""
    folder = tmp_path / "lib"
    write(folder, "base.en.yaml")
    Library([folder], Cache(tmp_path / "cache")).offered()
    library = Library([folder], Cache(tmp_path / "cache"))
    (listing,) = library.listings()
    (entry,) = (tmp_path / "cache").glob("*.entry")
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0xFF  # damaged after the listing: a kept copy would not see it
    entry.write_bytes(bytes(data))
    assert library.scenario(listing).title == "Base" and loads == ["base.en.yaml", "base.en.yaml"]
