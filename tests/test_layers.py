"""The layers of the package, checked: each layer imports only from the
layers below it (README, "Develop"), and the type checker passes."""

import ast
import subprocess
import sys

import pytest

from conftest import ROOT

GAME = ROOT / "game"

#: Each layer, and the layers it may import from, lowest first.
BELOW = {
    "core": set(),
    "authoring": {"core"},
    "saves": {"core"},
    "play": {"core", "saves"},
    "debrief": {"core", "authoring", "saves"},
    "render": {"core", "authoring", "saves", "play", "debrief"},
    "prefs": {"core"},
    "plain": {"core", "authoring", "saves", "play", "debrief", "render"},
    "tui": {"core", "authoring", "saves", "play", "debrief", "render", "prefs"},
    "web": {"core", "authoring", "saves", "play", "debrief", "render", "prefs"},
    "cli": {"core", "authoring", "saves", "play", "debrief", "render", "prefs", "plain", "tui", "web"},
}


def layer_of(path):
    part = path.relative_to(GAME).parts[0]
    return part.removesuffix(".py")


def imports(path):
    """The game modules ``path`` imports, as dotted names below ``game``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("game."):
            yield node.module.removeprefix("game.")
        elif isinstance(node, ast.Import):
            yield from (a.name.removeprefix("game.") for a in node.names if a.name.startswith("game."))


def allowed(layer, target):
    if target.split(".")[0] == layer:
        return True
    return any(target == below or target.startswith(below + ".") for below in BELOW[layer])


MODULES = sorted(p for p in GAME.rglob("*.py") if layer_of(p) in BELOW)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GAME)))
def test_each_module_imports_only_from_the_layers_below(path):
    layer = layer_of(path)
    wrong = [target for target in imports(path) if not allowed(layer, target)]
    assert wrong == [], f"{layer} may import from {sorted(BELOW[layer])}"


def test_every_module_belongs_to_a_layer():
    loose = {layer_of(p) for p in GAME.rglob("*.py")} - set(BELOW) - {"__init__", "__main__"}
    assert loose == set()


def test_the_layers_check_would_catch_an_upward_import(tmp_path):
    assert not allowed("core", "tui.app") and not allowed("saves", "play.session") and allowed("tui", "core.run")


def mypy(*args):
    return subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", *args],
                          capture_output=True, text=True, cwd=ROOT)


def test_the_package_type_checks():
    result = mypy("game")
    assert result.returncode == 0, result.stdout


def test_the_engine_type_checks_strictly():
    result = mypy("--strict", *(f"game/{p}" for p in ("core", "authoring", "saves", "play", "debrief", "render")))
    assert result.returncode == 0, result.stdout
