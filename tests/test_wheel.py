"""A wheel built from the repo carries the bundled scenarios."""

import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_carries_the_bundled_scenarios_and_lists_them(tmp_path):
    # The build backend is in the test extras, so this works offline.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("koers-*.whl")
    bundled = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "site")
    assert bundled and [n.rsplit("/", 1)[1] for n in names if n.startswith("game/scenarios/")] == bundled
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)
    # Installed, `koers list` finds them inside the package, away from the checkout.
    out = subprocess.run(
        [sys.executable, "-c", "import sys; from game.cli.main import main; sys.exit(main(['list', '--format', 'json']))"],
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import json

    listed = json.loads(out)
    assert sorted(row["path"].rsplit("/", 1)[1] for row in listed) == bundled
    assert all(row["path"].startswith(str(tmp_path / "site" / "game" / "scenarios")) for row in listed)
    # `koers new` finds its templates inside the package too.
    subprocess.run(
        [sys.executable, "-c", "import sys; from game.cli.main import main; sys.exit(main(['new', 'mine', '--language', 'nl']))"],
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}, cwd=tmp_path, capture_output=True, check=True,
    )
    assert "id: mine " in (tmp_path / "mine.nl.yaml").read_text(encoding="utf-8")
