"""``koers serve``: a workshop room. Every player opens the room's link in a
browser and plays in a Koers of their own; the saves land in the room folder.

aiohttp and the QR code are imported only when the room starts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from game.cli.output import EXIT_ERRORS, EXIT_OK

if TYPE_CHECKING:  # everything else loads only when the room starts: the parser is built for every command
    import ssl

    from game.tui.room import RoomApp
    from game.web.server import Config, Room

LOG = "koers-room.log"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run a workshop room: every player plays in their own browser")
    p.add_argument("--session", metavar="CODE", required=True, help="the room's session code, fixed for every player")
    p.add_argument("--scenario", metavar="FILE", type=Path, help="take every player straight into this scenario")
    p.add_argument("--saves", metavar="DIR", type=Path,
                   help="the room folder for every save (default: a dated folder under your user data folder)")
    p.add_argument("--scenarios", metavar="DIR", type=Path, action="append", default=[],
                   help="also offer the scenarios in DIR")
    p.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000; 0 picks a free one)")
    p.add_argument("--host", default="0.0.0.0", metavar="ADDR",
                   help="the address to listen on (default: every address of this machine)")
    p.add_argument("--max-players", type=int, default=40, metavar="N", help="at most N players at once (default 40)")
    p.add_argument("--cert", type=Path, metavar="FILE", help="serve HTTPS with this certificate (PEM); needs --key")
    p.add_argument("--key", type=Path, metavar="FILE", help="the certificate's private key (PEM)")


def lan_address() -> str:
    """This machine's address on the local network, as the room's phones and
    laptops reach it. Connecting a UDP socket sends nothing: it only picks the
    interface a packet to that (unroutable) address would leave by."""
    import contextlib
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        with contextlib.suppress(OSError):
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
    return "127.0.0.1"


def room_folder(given: Path | None, session: str) -> Path:
    if given is not None:
        return given.expanduser()
    import re
    from datetime import date

    import platformdirs

    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", session).strip("-")[:40] or "room"
    return platformdirs.user_data_path("koers", appauthor=False) / "rooms" / f"{date.today():%Y-%m-%d}-{safe}"


def qr_lines(link: str) -> list[str]:
    import io

    import segno

    out = io.StringIO()
    segno.make(link, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue().splitlines()


def run(args: argparse.Namespace) -> int:
    import asyncio
    import secrets
    import ssl

    from game.core.text import clean, is_utf8, typed_name
    from game.saves.store import NotSaved, Store

    session = typed_name(args.session) if is_utf8(args.session) else ""
    if not session:
        print("koers serve: --session needs a code, such as --session TEAM-7", file=sys.stderr)
        return EXIT_ERRORS
    if args.max_players < 1:
        print("koers serve: --max-players needs a number of 1 or more", file=sys.stderr)
        return EXIT_ERRORS
    if not 0 <= args.port <= 65535:
        print("koers serve: --port needs a number from 0 to 65535", file=sys.stderr)
        return EXIT_ERRORS
    if (args.cert is None) != (args.key is None):
        print("koers serve: --cert and --key go together", file=sys.stderr)
        return EXIT_ERRORS
    scenario = args.scenario
    if scenario is not None:
        from game.cli.output import playable

        if playable(scenario) is None:
            return EXIT_ERRORS
        scenario = scenario.resolve()
    folder = room_folder(args.saves, session).resolve()
    try:
        Store(folder).check()
    except NotSaved as exc:
        print(f"{clean(str(folder))}:1:1: cannot keep the room's saves here: {clean(exc.detail or exc.kind)}", file=sys.stderr)
        return EXIT_ERRORS
    context = None
    if args.cert is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(args.cert, args.key)
        except (OSError, ssl.SSLError) as exc:
            print(f"{clean(str(args.cert))}:1:1: cannot use the certificate: {exc}", file=sys.stderr)
            return EXIT_ERRORS
    from game.web.server import Config, player_args

    dirs = [d.resolve() for d in args.scenarios]
    view = ["--saves", str(folder), "--session", session, *(a for d in dirs for a in ("--scenarios", str(d))),
            *(["--scenario", str(scenario)] if scenario is not None else [])]
    config = Config(session=session, saves=folder, max_players=args.max_players, token=secrets.token_urlsafe(16),
                    args=player_args(folder, scenario, dirs), facilitator_token=secrets.token_urlsafe(16),
                    facilitator=("game.cli.serve:presenter", tuple(view)))
    try:
        return asyncio.run(_run(config, args.host, args.port, context, dirs, scenario))
    except OSError as exc:  # the port is taken, or the address is not this machine's
        print(f"koers serve: cannot listen on {clean(args.host)}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERRORS


async def _run(config: Config, host: str, port: int, context: ssl.SSLContext | None,
               scenario_dirs: list[Path], scenario: Path | None) -> int:
    import asyncio
    import os

    from aiohttp import web

    from game.web import child
    from game.web.server import Room

    # The fork server that players' processes come from starts now, before the facilitator view
    # takes the terminal (and sys.stderr with it, which starting the fork server needs).
    child.context()
    with open(config.saves / LOG, "ab") as log:
        os.chmod(config.saves / LOG, 0o600)
        room = Room(config, log)
        runner = web.AppRunner(room.app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host, port, ssl_context=context)
        await site.start()
        try:
            bound = runner.addresses[0][1]
            shown = lan_address() if host in ("0.0.0.0", "::", "") else host
            scheme = "https" if context is not None else "http"
            base = f"{scheme}://{_bracketed(shown)}:{bound}"
            link, room.facilitator = f"{base}/{config.token}/", f"{base}/{config.facilitator_token}/"
            room.link, room.qr = link, qr_lines(link)
            room.publish()
            _announce(room, context is not None)
            room.note(f"the room is open at {link}")
            if sys.stdin.isatty() and sys.stdout.isatty():
                import signal

                app = facilitator_app(config.saves, config.session, scenario_dirs, scenario)
                asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, app.exit)
                await app.run_async()
            else:
                await _until_stopped()
        finally:
            await room.close()
            await runner.cleanup()
            room.note("the room is closed")
    print("The room is closed; every playthrough is saved in", config.saves)
    return EXIT_OK


def facilitator_app(folder: Path, session: str, scenario_dirs: list[Path], scenario: Path | None) -> RoomApp:
    """The live group debrief of the room folder, in the trainer's terminal or a presenter's browser."""
    from game.authoring.cache import Cache, default_folder
    from game.authoring.library import Library, bundled_dir, is_offered, load_playable
    from game.core.model import Scenario
    from game.debrief import group
    from game.debrief.collect import Collected
    from game.debrief.live import Watcher
    from game.tui.room import RoomApp

    folders = [*scenario_dirs, *([scenario.parent] if scenario is not None else [])]
    library = Library([bundled_dir(), *folders], Cache(default_folder()))

    def report(collected: Collected) -> group.Report:
        return group.debrief(collected, library, session=session)

    def scenarios() -> list[Scenario]:
        """The scenarios whose decisions the trainer can hold: the room's, or each one in the library."""
        if scenario is not None:
            return [load_playable(scenario)]
        first = {listing.id: listing for listing in reversed(library.listings()) if is_offered(listing)}
        return [library.scenario(listing) for listing in reversed(first.values())]

    return RoomApp(Watcher(folder, session), report, scenarios)


def presenter(argv: list[str]) -> int:
    """A facilitator's browser (the room's second link): the same live view, run by the room."""
    parser = argparse.ArgumentParser(prog="koers serve (facilitator view)")
    parser.add_argument("--saves", type=Path, required=True)
    parser.add_argument("--session", required=True)
    parser.add_argument("--scenario", type=Path)
    parser.add_argument("--scenarios", type=Path, action="append", default=[])
    args = parser.parse_args(argv)
    facilitator_app(args.saves, args.session, args.scenarios, args.scenario).run()
    return EXIT_OK


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _announce(room: Room, https: bool) -> None:
    config = room.config
    lines = [
        f"Koers room {config.session}: at most {config.max_players} players; saves in {config.saves}",
        "",
        f"Join: {room.link}",
        "",
        *room.qr,
        "",
        "Anyone on this network who has the link can join; keep it in the room.",
        f"The facilitator view in a browser, for a projector (f shows it again; keep it to yourself): {room.facilitator}",
    ]
    if not https:
        lines.append("Without --cert and --key, names and reflections travel unencrypted on this network.")
    lines += [f"The players' Koers write their errors to {config.saves / LOG}.",
              "Ctrl+C (q in the facilitator view) closes the room; every playthrough is saved."]
    print("\n".join(lines), flush=True)


async def _until_stopped() -> None:
    import asyncio
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
