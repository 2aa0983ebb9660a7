"""The workshop room end to end: `koers serve` on loopback, two players in a
real headless Chromium (Debian's, launched by Playwright, which downloads no
browser here), and the trainer's `koers debrief` on the room folder.

Without Chromium this test cannot run: in CI (CI=true) it fails, and on a
developer's machine it is skipped and the end of the run says so and why
(tests/conftest.py). .ci/run installs Chromium when it is missing.
"""

import contextlib
import json
import os
import queue
import re
import threading
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from game.saves.codec import list_saves

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")) if p and os.path.exists(p)), None)

#: Keeps the text of every frame the page's websocket receives, without its escape codes:
#: what xterm.js draws on a canvas, where the test cannot read it; and the socket, to close it.
RECORD = r"""
(() => {
  const Native = window.WebSocket;
  window.__koers = "";
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__socket = this;
      const decoder = new TextDecoder();
      this.addEventListener("message", (e) => {
        if (typeof e.data !== "string") {
          window.__koers += decoder.decode(e.data).replace(/\x1b\[[0-9;?<>=]*[ -\/]*[@-~]|\x1b[()=>][0-9A-Za-z]?/g, "");
        }
      });
    }
  };
})();
"""


def browser_or_skip() -> str:
    if CHROMIUM is None:
        why = "no Chromium at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"the browser test must run in CI: {why}")
        pytest.skip(f"the browser test did not run: {why}")
    return CHROMIUM


def start_room(folder: Path, scenario: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "game", "serve", "--session", "WS-9", "--saves", str(folder), "--host", "127.0.0.1",
         "--port", "0", "--scenario", str(scenario)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    deadline = time.monotonic() + 30
    out = ""
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(queue.Empty):
            out += lines.get(timeout=0.2)
        found = re.search(r"Join: (http://127\.0\.0\.1:\d+/\S+/)", out)
        if found:
            return server, found.group(1)
    server.kill()
    raise AssertionError(f"koers serve did not print its link: {out}{server.stderr.read()}")


def wait_for(page, words: str, timeout: float = 30_000) -> None:
    page.wait_for_function("(w) => window.__koers.includes(w)", arg=words, timeout=timeout)


def saves(folder: Path):
    good, bad = list_saves(folder)
    assert bad == []
    return [p for _path, p in good]


def until(check, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_two_browsers_play_in_the_room_and_the_trainer_debriefs_it(tmp_path):
    chromium = browser_or_skip()
    from playwright.sync_api import sync_playwright

    folder, scenarios = tmp_path / "room", tmp_path / "scenarios"
    scenarios.mkdir()
    shutil.copy(FIXTURES / "base.en.yaml", scenarios)
    server, link = start_room(folder, scenarios / "base.en.yaml")
    origin = link.split("/", 3)[:3]
    origin = "/".join(origin)
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(origin + "/", timeout=10)
        assert refused.value.code == 403

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            try:
                requests: list[str] = []
                pages = {}
                for name, choice, then in (("Ann", "1", "Thanks for asking."), ("Bob", "2", "Then?")):
                    context = browser.new_context(viewport={"width": 1100, "height": 700})  # a browser of its own
                    page = context.new_page()
                    page.add_init_script(RECORD)
                    page.on("request", lambda r: requests.append(r.url))
                    page.goto(link)
                    wait_for(page, "Who is playing?")  # each browser is asked its own name
                    page.focus("textarea.xterm-helper-textarea")
                    page.keyboard.type(name)
                    page.keyboard.press("Enter")
                    wait_for(page, "Hello.")
                    time.sleep(0.8)  # keys in the first moment of a scene do not count
                    page.keyboard.press(choice)
                    wait_for(page, then)
                    page.screenshot(path=str(tmp_path / f"{name}.png"))
                    pages[name] = page
                until(lambda: len(saves(folder)) == 2 and all(p.steps for p in saves(folder)))
                played = {p.player: p for p in saves(folder)}
                assert set(played) == {"Ann", "Bob"} and all(p.session == "WS-9" for p in played.values())
                assert played["Ann"].player_id != played["Bob"].player_id and None not in {p.player_id for p in played.values()}

                # Ann refreshes: her Koers saves and ends, a new one takes her back to decision 2.
                ann = pages["Ann"]
                ann.reload()
                wait_for(ann, "Thanks for asking.")
                assert "Who is playing?" not in ann.evaluate("window.__koers")
                ann.focus("textarea.xterm-helper-textarea")
                time.sleep(0.8)
                ann.keyboard.press("1")
                until(lambda: any(p.player == "Ann" and p.finished for p in saves(folder)))
                assert len(saves(folder)) == 2

                # Bob's network goes, and comes back 2.5 s later: his page reconnects by itself (it tries
                # while offline, and fails, then reloads once the room answers) and resumes where he was.
                bob = pages["Bob"]
                bob.context.set_offline(True)
                bob.evaluate("window.__before = true; window.__socket.close(3000)")  # as a dropped network closes it
                time.sleep(2.5)
                assert bob.evaluate("window.__before") is True  # no reload while the room cannot be reached
                bob.context.set_offline(False)
                bob.wait_for_function("() => !window.__before && window.__koers.includes('Then?')", timeout=30_000)
                assert "Who is playing?" not in bob.evaluate("window.__koers")
                assert int(bob.evaluate("sessionStorage.getItem('koers-reconnect-tries')")) >= 2
                bob.screenshot(path=str(tmp_path / "Bob-reconnected.png"))
                bob.focus("textarea.xterm-helper-textarea")
                time.sleep(0.8)
                bob.keyboard.press("1")
                until(lambda: any(p.player == "Bob" and len(p.steps) == 2 for p in saves(folder)))
                assert len(saves(folder)) == 2
                assert all(url.startswith(origin + "/") for url in requests), [u for u in requests if not u.startswith(origin)]
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode == 0, server.stderr.read()

    report = subprocess.run([sys.executable, "-m", "game", "debrief", str(folder), "--scenarios", str(scenarios),
                             "--export", str(tmp_path / "room.md")],
                            capture_output=True, text=True, cwd=ROOT)
    assert report.returncode == 0, report.stderr
    assert "2 playthroughs" in report.stdout
    markdown = (tmp_path / "room.md").read_text(encoding="utf-8")
    assert re.search(r"Playthroughs: 2 \(2 finished, 0 unfinished\)", markdown), markdown[:800]
    assert json.loads((folder / ".players" / f"{played['Ann'].player_id}.json").read_text())["player"] == "Ann"
