"""The workshop room at the protocol level: aiohttp clients on loopback speak
to the room as textual.js does, and every player's Koers is a real process.
(tests/test_room_browser.py plays the same room in a real browser.)"""

import asyncio
import json
import re
import uuid
from pathlib import Path

import attrs
import pytest
from aiohttp import WSMsgType, WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

from conftest import FIXTURES
from game.saves.codec import list_saves
from game.web.server import COOKIE, Config, Room, player_args

TOKEN, FACILITATOR = "room-token-for-tests", "facilitator-token-for-tests"
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()=>][0-9A-Za-z]?")


class Screen:
    """A player's websocket, and the text their Koers has drawn so far."""

    def __init__(self, ws):
        self.ws, self.text = ws, ""

    async def until(self, words: str, timeout: float = 30) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while words not in self.text:
            message = await asyncio.wait_for(self.ws.receive(), max(0.01, deadline - loop.time()))
            if message.type == WSMsgType.BINARY:
                self.text += ANSI.sub("", message.data.decode("utf-8", "replace"))
            elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.ERROR):
                raise AssertionError(f"the connection closed before {words!r} was shown: {self.text[-2000:]!r}")

    async def keys(self, text: str) -> None:
        await self.ws.send_str(json.dumps(["stdin", text]))

    async def closed(self, timeout: float = 15) -> int | None:
        """Wait for the room to close this connection; its close code."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await asyncio.wait_for(self.ws.receive(), max(0.01, deadline - loop.time()))
            if message.type == WSMsgType.CLOSE:
                return message.data
            if message.type in (WSMsgType.CLOSED, WSMsgType.ERROR):
                return self.ws.close_code


@pytest.fixture
async def room(tmp_path):
    """A room on loopback that takes every player into the base fixture; ended with every Koers in it."""
    folder = tmp_path / "room"
    folder.mkdir()
    scenario = FIXTURES / "base.en.yaml"
    rooms = []

    async def make(max_players=40):
        view = ("--saves", str(folder), "--session", "WS-1", "--scenario", str(scenario))
        config = Config(session="WS-1", saves=folder, max_players=max_players, token=TOKEN,
                        args=player_args(folder, scenario, []), facilitator_token=FACILITATOR,
                        facilitator=("game.cli.serve:presenter", view))
        log = open(folder / "koers-room.log", "ab")
        r = Room(config, log)
        client = TestClient(TestServer(r.app(), host="127.0.0.1"))
        await client.start_server()
        rooms.append((r, client, log))
        return r, client

    yield make
    for r, client, log in rooms:
        await r.close()
        await client.close()
        log.close()


async def join(client, player_id=None, token=TOKEN):
    """Open the room's websocket as a browser whose cookie names ``player_id``."""
    cookies = {COOKIE: player_id} if player_id else {}
    ws = await client.ws_connect(f"/{token}/ws?width=100&height=30", headers=_cookie_header(cookies))
    return Screen(ws)


def _cookie_header(cookies):
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def saves_of(folder: Path):
    good, bad = list_saves(folder)
    assert bad == []
    return [p for _path, p in good]


async def until_saved(folder: Path, check, timeout: float = 15):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check(saves_of(folder)):
        assert loop.time() < deadline, f"saves now: {saves_of(folder)}"
        await asyncio.sleep(0.1)


async def test_without_the_token_every_path_answers_403(room):
    r, client = await room()
    for path in ("/", "/ws", "/static/textual.js", "/favicon.ico", "/wrong-token/", f"/{TOKEN[:-1]}/",
                 f"/{TOKEN}x/static/textual.js"):
        response = await client.get(path)
        assert response.status == 403, path
        assert "room" not in response.cookies
    response = await client.get(f"/{TOKEN}/")
    assert response.status == 200 and COOKIE in response.cookies


async def test_the_page_asks_nothing_of_another_host_and_nothing_is_listed(room):
    r, client = await room()
    page = await client.get(f"/{TOKEN}/")
    text = await page.text()
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "font-src 'self'" in policy
    assert "http://" not in text and "https://" not in text and "googleapis" not in text
    assert f'data-session-websocket-url="ws://{page.url.host}:{page.url.port}/{TOKEN}/ws"' in text
    # What the page loads comes from textual-serve's pinned files; textual.js names no other host either.
    for name in ("textual.js", "xterm.css", "RobotoMono.ttf", "room.js"):
        response = await client.get(f"/{TOKEN}/static/{name}")
        assert response.status == 200 and len(await response.read()) > 1000, name
    for name in ("textual.js", "room.js"):
        script = await (await client.get(f"/{TOKEN}/static/{name}")).text()
        assert "http://" not in script and "https://" not in script
    assert text.index("static/room.js") < text.index("static/textual.js")  # it wraps the WebSocket textual.js opens
    for path in ("static/", "static", "static/js/textual.js", "static/../server.py", ".players/", "koers-room.log"):
        assert (await client.get(f"/{TOKEN}/{path}")).status == 404, path


async def test_each_player_plays_their_own_playthrough_and_a_reconnect_resumes_it(room, tmp_path):
    r, client = await room()
    folder = r.config.saves
    kim, other = str(uuid.uuid4()), str(uuid.uuid4())
    first = await join(client, kim)
    await first.until("Who is playing?")
    assert "Session code" not in first.text  # the room fixes the session
    await first.keys("Kim\r")
    await first.until("Hello.")
    await asyncio.sleep(0.8)  # keys in the first moment of a scene do not count
    await first.keys("1")
    await until_saved(folder, lambda ps: len(ps) == 1 and len(ps[0].steps) == 1)

    # Another browser whose player types the same pseudonym gets a playthrough of their own.
    second = await join(client, other)
    await second.until("Who is playing?")
    await second.keys("Kim\r")
    await second.until("Hello.")
    await asyncio.sleep(0.8)
    await second.keys("2")
    await until_saved(folder, lambda ps: len(ps) == 2)
    ids = {p.player_id: p for p in saves_of(folder)}
    assert set(ids) == {kim, other} and {p.player for p in ids.values()} == {"Kim"}
    assert all(p.session == "WS-1" for p in ids.values())

    # Kim refreshes: the earlier connection is closed, and the new one goes on at decision 2.
    again = await join(client, kim)
    assert await first.closed() == 4000
    await again.until("Thanks for asking.")  # decision 2, after asking
    assert "Who is playing?" not in again.text
    await asyncio.sleep(0.8)
    await again.keys("1")
    await until_saved(folder, lambda ps: any(p.player_id == kim and p.finished for p in ps))
    assert len(saves_of(folder)) == 2  # the same playthrough, finished: no new save
    assert r.connected == 2
    settings = json.loads((folder / ".players" / f"{kim}.json").read_text())
    assert settings["player_id"] == kim and settings["room"] is True and settings["session"] == "WS-1"


async def at_decision_two(client, player_id):
    """A player who has named themselves and taken the first decision: their Koers shows decision 2."""
    screen = await join(client, player_id)
    await screen.until("Who is playing?")
    await screen.keys("Kim\r")
    await screen.until("Hello.")
    await asyncio.sleep(0.8)  # keys in the first moment of a scene do not count
    await screen.keys("1")
    await screen.until("Thanks for asking.")
    return screen


async def test_a_dropped_connection_reconnects_to_the_same_playthrough_at_the_same_decision(room):
    r, client = await room()
    folder, kim = r.config.saves, str(uuid.uuid4())
    first = await at_decision_two(client, kim)
    await until_saved(folder, lambda ps: len(ps) == 1 and len(ps[0].steps) == 1)
    (before,) = saves_of(folder)
    first.ws._conn.transport.abort()  # the network goes: no close frame, the socket is simply gone
    player = r.players[kim]
    await asyncio.wait_for(player.done.wait(), 15)  # the room sees it, and the player's Koers saves and ends
    assert player.child.exited.is_set() and r.connected == 0
    again = await join(client, kim)  # what the page does by itself (game/web/room.js), with the same cookie
    await again.until("Thanks for asking.")
    assert "Who is playing?" not in again.text
    await asyncio.sleep(0.8)
    await again.keys("1")
    await until_saved(folder, lambda ps: any(p.finished for p in ps))
    (after,) = saves_of(folder)
    assert after.id == before.id and [s.scene for s in after.steps] == ["one", "two"]


async def test_a_frozen_client_is_dropped_after_the_heartbeat_with_its_save_intact(room):
    r, client = await room()
    folder, kim = r.config.saves, str(uuid.uuid4())
    await at_decision_two(client, kim)
    player = r.players[kim]
    # The room's 15 s (HEARTBEAT), shortened for the frozen connection alone (a test client answers a
    # ping only while it reads, and the one above does not read all the time).
    r.config = attrs.evolve(r.config, heartbeat=1.0)
    frozen = await client.ws_connect(f"/{TOKEN}/ws", autoping=False,
                                     headers=_cookie_header({COOKIE: kim}))  # takes over, then never reads again
    await asyncio.wait_for(player.done.wait(), 15)
    frozen_player = r.players[kim]
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.wait_for(frozen_player.done.wait(), 15)  # no pong to the room's ping: dropped
    assert loop.time() - started < 5 and r.connected == 0
    (saved,) = saves_of(folder)
    assert saved.player_id == kim and len(saved.steps) == 1 and not saved.finished
    r.config = attrs.evolve(r.config, heartbeat=15.0)
    again = await join(client, kim)
    await again.until("Thanks for asking.")
    assert "Who is playing?" not in again.text


async def test_q_and_escape_never_end_a_players_koers(room):
    r, client = await room()
    screen = await join(client, str(uuid.uuid4()))
    await screen.until("Who is playing?")
    await screen.keys("Sam\r")
    await screen.until("Hello.")
    for key in ("q", "\x1b", "\x11"):  # q, Esc, Ctrl+Q
        await screen.keys(key)
        await asyncio.sleep(0.5)
    try:
        await screen.until("stays open")
    except TimeoutError:
        raise AssertionError(screen.text[-3000:])
    assert not screen.ws.closed and r.connected == 1
    child = next(iter(r.players.values())).child
    assert child is not None and child.process.is_alive() and not child.exited.is_set()


async def test_the_cap_counts_players_not_connections(room):
    r, client = await room(max_players=1)
    kim = str(uuid.uuid4())
    first = await join(client, kim)
    await first.until("Who is playing?")
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect(f"/{TOKEN}/ws", headers=_cookie_header({COOKIE: str(uuid.uuid4())}))
    assert refused.value.status == 503
    page = await client.get(f"/{TOKEN}/", headers=_cookie_header({COOKIE: str(uuid.uuid4())}))
    assert page.status == 503 and "full" in await page.text()
    # The same player again (a refresh) is let in, and takes over from the earlier connection.
    again = await join(client, kim)
    assert await first.closed() == 4000
    await again.until("Who is playing?")
    assert r.connected == 1


async def test_a_plain_request_to_the_websocket_takes_no_number_and_ends_no_game(room):
    r, client = await room()
    kim = str(uuid.uuid4())
    screen = await join(client, kim)
    await screen.until("Who is playing?")
    for cookie in ({}, {COOKIE: kim}):
        for _ in range(3):
            response = await client.get(f"/{TOKEN}/ws", headers=_cookie_header(cookie))
            assert response.status == 400
    assert r.numbers == {kim: 1} and r.connected == 1  # Kim's connection is still the one playing
    assert not screen.ws.closed


async def test_a_players_stderr_goes_to_the_room_log_not_the_terminal(room, capfd):
    r, client = await room()
    r.config = Config(session="WS-1", saves=r.config.saves, token=TOKEN, args=("play", "--plain"))  # a Koers that fails
    screen = await join(client, str(uuid.uuid4()))
    assert await screen.closed() is not None
    log = (r.config.saves / "koers-room.log").read_text()
    assert "--plain needs a scenario FILE" in log and "player 1 connected" in log
    assert "player 1 left; their Koers ended with 2" in log
    out, err = capfd.readouterr()
    assert "--plain needs" not in out + err


async def test_a_held_decision_waits_for_the_trainer_and_the_wait_is_not_decision_time(room):
    from game.play.room import hold_key, write_holds

    r, client = await room()
    folder = r.config.saves
    write_holds(folder, [hold_key("base", "one")])
    screen = await join(client, str(uuid.uuid4()))
    await screen.until("Who is playing?")
    await screen.keys("Sam\r")
    await screen.until("Your trainer will open this decision shortly.")
    assert "Ask." not in screen.text.split("Your trainer will open")[-1]  # the choices are not shown
    await asyncio.sleep(2)
    await screen.keys("1")  # a key while the decision is held does nothing
    await asyncio.sleep(1)
    write_holds(folder, [])
    await screen.until("Ask.")
    await asyncio.sleep(0.8)
    await screen.keys("1")
    await until_saved(folder, lambda ps: len(ps) == 1 and len(ps[0].steps) == 1)
    (step,) = saves_of(folder)[0].steps
    assert step.choice == "ask" and step.ms < 2500  # the three seconds or more of waiting do not count


async def test_a_players_koers_ends_and_saves_when_the_room_dies(room):
    r, client = await room()
    screen = await join(client, str(uuid.uuid4()))
    await screen.until("Who is playing?")
    await screen.keys("Kim\r")
    await screen.until("Hello.")
    child = next(iter(r.players.values())).child
    child._lifeline.close()  # what a killed `koers serve` leaves its players' processes: nothing at the other end
    await asyncio.wait_for(child.exited.wait(), 15)
    (saved,) = saves_of(r.config.saves)
    assert saved.player == "Kim" and saved.waited_ms > 0  # saved on the way out, with the time at the decision
    assert not list(r.config.saves.glob(".*.lock"))


async def test_the_facilitator_link_opens_the_live_view_and_is_no_player(room):
    from game.play.room import Status

    r, client = await room(max_players=1)
    page = await client.get(f"/{FACILITATOR}/")
    assert page.status == 200 and COOKIE not in page.cookies and f"/{FACILITATOR}/ws" in await page.text()
    kim = str(uuid.uuid4())
    player = await join(client, kim)
    await player.until("Who is playing?")
    assert Status.read(r.config.saves).connected == {kim}  # what every facilitator view reads
    view = await join(client, token=FACILITATOR)  # the room is full, and the facilitator still gets in
    await view.until("1 connected")
    assert r.connected == 1


@pytest.mark.parametrize("argv, said", [
    (["--port", "70000"], "koers serve: --port needs a number from 0 to 65535"),
    (["--port", "-1"], "koers serve: --port needs a number from 0 to 65535"),
    (["--max-players", "0"], "koers serve: --max-players needs a number of 1 or more"),
])
def test_bad_numbers_are_one_line_before_the_room_opens(capsys, tmp_path, argv, said):
    from game.cli.main import main

    assert main(["serve", "--session", "T", "--saves", str(tmp_path / "room"), *argv]) == 2
    assert capsys.readouterr().err == said + "\n"
    assert not (tmp_path / "room").exists()
