"""The workshop room's web server: every browser that opens the room's link
plays Koers in a process of its own.

Built on aiohttp, like textual-serve, whose browser side (textual.js, with
xterm.js inside, and its stylesheet and font) it serves from the pinned
textual-serve package; the server itself is this module, because the room
needs what textual-serve does not do: a token in every path (anything else
answers 403), a player per browser (a cookie names them; their settings and
player id live in the room folder), a cap on players, no directory listing,
a page that asks nothing of any other host, and the players' stderr in a log.

A player who connects again (a refresh, a dropped network, a second tab)
takes over from their own earlier connection, whose Koers saves and ends
first: a refresh never counts twice, and one player's two tabs never write
one save.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import IO

import attrs
from aiohttp import WSCloseCode, WSMsgType, web

from game.core.vocab import UUID
from game.play.room import Status
from game.prefs import load_prefs, save_prefs
from game.web.child import ENTRY, Child

COOKIE = "koers_player"
HEARTBEAT = 15.0  # seconds: a browser that stops answering is dropped after this, its save intact
REPLACED = 4000  # the close code of a connection the same player opened again
MAX_MESSAGE = 64 * 1024  # a key press or a resize; nothing a browser sends is larger

_SERVE = files("textual_serve") / "static"
#: What the page loads: textual-serve's browser side (pyproject pins the version), and the room's own
#: script, which reconnects by itself (game/web/room.js).
STATIC = {
    "textual.js": (_SERVE / "js/textual.js", "text/javascript"),
    "xterm.css": (_SERVE / "css/xterm.css", "text/css"),
    "RobotoMono.ttf": (_SERVE / "fonts/RobotoMono-VariableFont_wght.ttf", "font/ttf"),
    "room.js": (files("game.web") / "room.js", "text/javascript"),
}
#: The page may load only from the room itself: a venue network's stalled DNS never hangs it.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
          "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@attrs.frozen
class Config:
    session: str
    saves: Path  # the room folder
    args: tuple[str, ...]  # the arguments of a player's Koers; the room adds --settings FILE
    max_players: int = 40
    token: str = ""
    entry: str = ENTRY  # what a player's process runs with them
    #: The facilitator's own token, and what its connections run (presenter mode on a projector, in a browser).
    facilitator_token: str = ""
    facilitator: tuple[str, tuple[str, ...]] = ("", ())
    heartbeat: float = HEARTBEAT


def player_args(saves: Path, scenario: Path | None, scenario_dirs: list[Path]) -> tuple[str, ...]:
    """The command line of a player's Koers, after ``koers``."""
    folders = [a for d in scenario_dirs for a in ("--scenarios", str(d))]
    if scenario is not None:
        folders += ["--scenarios", str(scenario.parent)]  # so the library has its other languages
    return ("play", "--saves", str(saves), *folders, *([str(scenario)] if scenario is not None else []))


class Player:
    """One browser's connection and the Koers it plays in."""

    def __init__(self, player_id: str, number: int) -> None:
        self.id, self.number = player_id, number
        self.websocket: web.WebSocketResponse | None = None
        self.child: Child | None = None
        self.replaced = asyncio.Event()  # the player connected again: this connection ends
        self.done = asyncio.Event()  # this connection's Koers has saved and ended

    async def end(self) -> None:
        """End this connection and wait until its Koers has saved and ended."""
        self.replaced.set()
        await self.done.wait()


class Room:
    """The room's state and its aiohttp application."""

    def __init__(self, config: Config, log: IO[bytes]) -> None:
        self.config, self.log = config, log
        self.players: dict[str, Player] = {}  # player id -> the connection playing now
        self.numbers: dict[str, int] = {}  # player id -> an anonymous number, in the order they first joined
        self.settings = config.saves / ".players"  # hidden: `koers debrief` and the library never read it
        self.link, self.facilitator = "", ""  # the links, once the room listens
        self.qr: list[str] = []  # the QR code of the link to join

    @property
    def connected(self) -> int:
        return len(self.players)

    def publish(self) -> None:
        """Tell every facilitator view who is in the room (game.play.room.Status)."""
        with contextlib.suppress(OSError):  # a view that cannot be told shows the room as it last knew it
            Status(self.config.session, self.link, tuple(self.qr), dict(self.numbers), frozenset(self.players),
                   self.facilitator).write(self.config.saves)

    def note(self, text: str) -> None:
        """A line in the room's log (next to the players' own stderr)."""
        self.log.write(f"{datetime.now():%Y-%m-%d %H:%M:%S} room: {text}\n".encode())
        self.log.flush()

    # -- the application ----------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=MAX_MESSAGE)
        for token, websocket in ((self.config.token, self._websocket), (self.config.facilitator_token, self._facilitate)):
            if token:
                base = f"/{token}"
                app.add_routes([web.get(base, self._to_index), web.get(f"{base}/", self._index),
                                web.get(f"{base}/ws", websocket), web.get(f"{base}/static/{{name}}", self._file)])
        return app

    def _facilitator(self, request: web.Request) -> bool:
        token = self.config.facilitator_token
        return bool(token) and request.path.split("/")[1] == token

    @web.middleware
    async def _guard(self, request: web.Request, handler: Callable[[web.Request], object]) -> web.StreamResponse:
        """No token, no room: every path that does not start with it answers 403."""
        given = request.path.split("/")[1].encode()
        tokens = [t.encode() for t in (self.config.token, self.config.facilitator_token) if t]
        if not any([hmac.compare_digest(given, t) for t in tokens]):  # a list: each compared, in constant time
            return web.Response(status=403, text="403: this link is not the room's link; ask your trainer for it\n")
        response = await handler(request)  # type: ignore[misc]
        assert isinstance(response, web.StreamResponse)
        if not response.prepared:
            response.headers["Content-Security-Policy"] = POLICY
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def _to_index(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{request.path}/")

    def _player_id(self, request: web.Request) -> str | None:
        value = request.cookies.get(COOKIE, "")
        return value if UUID.match(value) else None

    def _full(self, player_id: str | None) -> bool:
        return (player_id is None or player_id not in self.players) and self.connected >= self.config.max_players

    async def _index(self, request: web.Request) -> web.StreamResponse:
        player_id = None if self._facilitator(request) else self._player_id(request)
        if not self._facilitator(request) and self._full(player_id):
            return web.Response(status=503, text=FULL.format(n=self.config.max_players), content_type="text/html")
        scheme = "wss" if request.secure else "ws"
        url = f"{scheme}://{request.host}{request.path}ws"
        response = web.Response(text=PAGE.format(ws=html.escape(url, quote=True), session=html.escape(self.config.session)),
                                content_type="text/html", headers={"Cache-Control": "no-store"})
        if player_id is None and not self._facilitator(request):
            response.set_cookie(COOKIE, str(uuid.uuid4()), path=f"/{self.config.token}/", httponly=True,
                                samesite="Strict", secure=request.secure, max_age=7 * 24 * 3600)
        return response

    async def _file(self, request: web.Request) -> web.StreamResponse:
        found = STATIC.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        path, kind = found
        return web.Response(body=path.read_bytes(), content_type=kind,
                            headers={"Cache-Control": "max-age=3600"})

    # -- players ------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        websocket = web.WebSocketResponse(heartbeat=self.config.heartbeat, max_msg_size=MAX_MESSAGE)
        if not websocket.can_prepare(request).ok:  # a plain request takes no number and ends no player's game
            raise web.HTTPBadRequest(text="this address is the game's websocket\n")
        player_id = self._player_id(request) or str(uuid.uuid4())  # a client without the page's cookie
        if self._full(player_id):
            raise web.HTTPServiceUnavailable(text="the room is full\n")
        earlier = self.players.get(player_id)
        player = Player(player_id, self.numbers.setdefault(player_id, len(self.numbers) + 1))
        self.players[player_id] = player  # the place is taken at once: no await between the check and this
        try:
            if earlier is not None:
                await earlier.end()
            await websocket.prepare(request)
            player.websocket = websocket
            await self._play(player, websocket, _size(request.query))
        finally:
            if self.players.get(player_id) is player:
                del self.players[player_id]
            player.done.set()
            self.publish()
        return player.websocket or web.Response(status=400)

    async def _facilitate(self, request: web.Request) -> web.StreamResponse:
        """The facilitator view in a browser (for a projector): not a player, not counted."""
        websocket = web.WebSocketResponse(heartbeat=self.config.heartbeat, max_msg_size=MAX_MESSAGE)
        await websocket.prepare(request)
        entry, args = self.config.facilitator
        child = Child(args, self.log.name, _sender(websocket), entry)
        await child.start(*_size(request.query))
        self.note("a facilitator view opened in a browser")
        await _drive(websocket, child)
        return websocket

    def settings_of(self, player_id: str) -> Path:
        """The player's own settings file, which tells their Koers who they are and that the room fixes the session."""
        path = self.settings / f"{player_id}.json"
        prefs, _ignored = load_prefs(path)
        save_prefs(path, prefs._replace(player_id=player_id, room=True, session=self.config.session))
        return path

    async def _play(self, player: Player, websocket: web.WebSocketResponse, size: tuple[int, int]) -> None:
        args = [*self.config.args, "--settings", str(self.settings_of(player.id))]
        child = player.child = Child(args, self.log.name, _sender(websocket), self.config.entry)
        await child.start(*size)
        self.note(f"player {player.number} connected ({self.connected} in the room)")
        self.publish()
        # Until the browser goes, or the player comes again.
        await _drive(websocket, child, player.replaced,
                     lambda code: self.note(f"player {player.number} left; their Koers ended with {code}"))

    async def close(self) -> None:
        """End every player's Koers (each saves first)."""
        await asyncio.gather(*(p.end() for p in list(self.players.values())))


def _sender(websocket: web.WebSocketResponse) -> Callable[[bytes], Awaitable[None]]:
    async def send(data: bytes) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):  # the browser went; the relay sees it
            await websocket.send_bytes(data)

    return send


async def _drive(websocket: web.WebSocketResponse, child: Child, replaced: asyncio.Event | None = None,
                 ended: Callable[[int | None], None] = lambda code: None) -> None:
    """Relay between the browser and its Koers until the browser goes, the Koers ends, or
    ``replaced`` is set; then end the Koers (it saves), say so (``ended``, with its exit code)
    and close the connection."""
    relay = asyncio.ensure_future(_relay(websocket, child))
    waits = [asyncio.ensure_future(e.wait()) for e in (child.ended, *([replaced] if replaced else []))]
    try:
        await asyncio.wait({relay, *waits}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ended(await child.stop())
        # Closed from here, the relay's receive ends with it; the page then reconnects by itself (room.js).
        await websocket.close(code=REPLACED if replaced is not None and replaced.is_set() else WSCloseCode.OK)
        for task in (relay, *waits):
            task.cancel()
        await asyncio.gather(relay, *waits, return_exceptions=True)


async def _relay(websocket: web.WebSocketResponse, child: Child) -> None:
    """What the browser sends, to the child, until the connection closes."""
    async for message in websocket:
        if message.type == WSMsgType.TEXT:
            await _dispatch(message.data, child, websocket)


async def _dispatch(text: str, child: Child, websocket: web.WebSocketResponse) -> None:
    """One message of textual.js: ["stdin", keys], ["resize", {width, height}],
    ["ping", stamp], ["focus"] or ["blur"]. Anything else is ignored."""
    try:
        envelope = json.loads(text)
    except ValueError:
        return
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        return
    kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
    if kind == "stdin" and isinstance(data, str):
        await child.keys(data)
    elif kind == "resize" and isinstance(data, dict):
        await child.resize(*_size(data))
    elif kind == "ping" and isinstance(data, str):
        await websocket.send_json(["pong", data[:32]])
    elif kind in ("focus", "blur"):
        await child.meta(type=kind)


def _size(values: Mapping[str, object]) -> tuple[int, int]:
    """Columns and rows from a query or a resize message, within what a screen can have."""
    def number(key: str, default: int) -> int:
        raw = values.get(key)
        if not isinstance(raw, (int, str)) or isinstance(raw, bool):
            return default
        try:
            return min(max(int(raw), 10), 500)
        except ValueError:
            return default

    return number("width", 80), number("height", 24)


PAGE = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Koers · {session}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="static/xterm.css">
<style>
@font-face {{ font-family: "Roboto Mono"; src: url("static/RobotoMono.ttf") format("truetype"); }}
body {{ margin: 0; background: #0c181f; color: #eee; font-family: "Roboto Mono", monospace; }}
.textual-terminal {{ width: 100vw; height: 100vh; }}
.closed {{ display: none; position: fixed; inset: 0; align-items: center; justify-content: center;
  background: rgba(12, 24, 31, 0.92); text-align: center; font-size: 18px; }}
body.-closed .closed {{ display: flex; }}
.closed a {{ display: inline-block; margin-top: 1em; padding: 0.7em 1.4em; background: #5e0ba7; color: #fff;
  text-decoration: none; }}
</style>
<script src="static/room.js"></script>
<script src="static/textual.js"></script>
</head>
<body>
<div class="closed"><div>
<p>Verbinding verbroken. Je speelronde is opgeslagen.<br>Disconnected. Your playthrough is saved.</p>
<p id="reconnect"></p>
<a href="">Opnieuw verbinden · Reconnect</a>
</div></div>
<div id="terminal" class="textual-terminal" data-session-websocket-url="{ws}" data-font-size="16"></div>
</body>
</html>
"""

FULL = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Koers</title></head>
<body style="font-family: sans-serif; margin: 3em;">
<p>De ruimte is vol ({n} spelers). Vraag je trainer.</p>
<p>The room is full ({n} players). Ask your trainer.</p>
</body></html>
"""
