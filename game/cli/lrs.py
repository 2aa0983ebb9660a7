"""Sending statements to a Learning Record Store: xAPI 1.0.3's POST /statements,
in batches, with basic auth, over the standard library's HTTP client.

Statement ids are fixed by the playthrough and the step (game/render/xapi.py),
so sending again is harmless: the LRS keeps one statement per id, answers 204
(nothing new) or lists only the ids it stored, and answers 409 for an id it
holds with other contents. Those count as skipped. Network errors and answers
in the 500s are tried again after a pause that doubles each time; a wrong
password, a redirect or any other refusal stops the sending at once with
:class:`LrsError`, whose message is one line for the trainer.
"""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from game.core.text import clean

VERSION = "1.0.3"
RETRY = {408, 429, 500, 502, 503, 504}
REFUSED = {400, 413, 422}  # the statements themselves: 422 is how some LRSs (Ralph) say 400


class LrsError(Exception):
    """The LRS cannot be used as it is: the sending stops."""


@attrs.define
class Tally:
    sent: int = 0  # stored by the LRS now
    skipped: int = 0  # the LRS holds them already
    differing: int = 0  # of the skipped, those it holds with other contents (409)
    refused: list[tuple[dict[str, Any], str]] = attrs.field(factory=list)  # each statement refused, and why


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would be followed as a GET (or send the password to
    another host): a redirect is answered as what it is, an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Lrs:
    def __init__(self, endpoint: str, user: str, password: str, *, timeout: float = 30.0, tries: int = 5,
                 pause: float = 0.5, sleep: Callable[[float], None] | None = None) -> None:
        self.url = endpoint.rstrip("/") + "/statements"
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": VERSION,
                        "Content-Type": "application/json; charset=utf-8", "User-Agent": "Koers"}
        self.user, self.timeout, self.tries, self.pause = user, timeout, tries, pause
        self.sleep = sleep or time.sleep
        self.opener = urllib.request.build_opener(_NoRedirect)

    def send(self, statements: Sequence[dict[str, Any]], tally: Tally, batch: int = 100) -> None:
        """Send ``statements`` in batches of ``batch``, counting in ``tally``;
        raises LrsError when the LRS cannot be used (``tally`` says how far it got)."""
        for start in range(0, len(statements), max(1, batch)):
            self._send(statements[start:start + batch], tally)

    def _send(self, part: Sequence[dict[str, Any]], tally: Tally) -> None:
        status, reason, body = self._post(part)
        if status == 200:
            stored = _ids(body)
            new = len(part) if stored is None else len({s["id"] for s in part} & stored)
            tally.sent += new
            tally.skipped += len(part) - new
        elif status == 204:
            tally.skipped += len(part)
        elif (status in REFUSED or status == 409) and len(part) > 1:
            for statement in part:  # one at a time, to store the others and name the one the LRS refuses
                self._send([statement], tally)
        elif status == 409:
            tally.skipped += 1
            tally.differing += 1
        elif status in REFUSED:
            tally.refused.append((part[0], _detail(body) or f"{status} {reason}"))
        elif status == 401:
            raise LrsError(f"the LRS at {self.url} did not accept user '{clean(self.user)}' with that password "
                           "(401): check --user and --password-file")
        elif status == 403:
            raise LrsError(f"user '{clean(self.user)}' may not store statements in the LRS at {self.url} (403)"
                           + _because(body))
        elif 300 <= status < 400:
            raise LrsError(f"the LRS at {self.url} answered with a redirect ({status} {reason}); "
                           "give the address it redirects to as --endpoint")
        else:
            raise LrsError(f"the LRS at {self.url} answered {status} {reason}" + _because(body))

    def _post(self, part: Sequence[dict[str, Any]]) -> tuple[int, str, bytes]:
        """The LRS's status, reason and body for ``part``, trying again on a
        network error or a passing failure; LrsError once the tries are used up."""
        data = json.dumps(list(part), ensure_ascii=False).encode("utf-8")
        wait = self.pause
        for attempt in range(1, self.tries + 1):
            request = urllib.request.Request(self.url, data=data, headers=self.headers, method="POST")
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    return response.status, response.reason, response.read()
            except urllib.error.HTTPError as exc:
                with exc:
                    status, reason, body = exc.code, str(exc.reason), exc.read()
                if status not in RETRY:
                    return status, reason, body
                problem = f"it answered {status} {reason}" + _because(body)
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, ssl.SSLError):
                    raise LrsError(f"cannot connect securely to the LRS at {self.url}: {exc.reason}") from None
                problem = str(getattr(exc.reason, "strerror", None) or exc.reason)
            except (OSError, http.client.HTTPException) as exc:  # a timeout, or a connection cut off mid-answer
                problem = str(getattr(exc, "strerror", None) or exc) or type(exc).__name__
            if attempt < self.tries:
                self.sleep(wait)
                wait *= 2
        raise LrsError(f"cannot reach the LRS at {self.url}: {clean(problem)} (tried {self.tries} times)")


def _ids(body: bytes) -> set[str] | None:
    """The statement ids in a 200 answer, or None when it lists none."""
    try:
        found = json.loads(body)
    except ValueError:
        return None
    return {i for i in found if isinstance(i, str)} if isinstance(found, list) else None


def _detail(body: bytes) -> str:
    """The LRS's own words about a refusal, on one line; LRSs put them in different places."""
    text = body.decode("utf-8", "replace")
    try:
        found: Any = json.loads(text)
    except ValueError:
        found = text
    for key in ("detail", "message", "error", "errorMessage"):
        if isinstance(found, dict) and key in found:
            found = found[key]
    if not isinstance(found, str):
        found = json.dumps(found, ensure_ascii=False)
    line = " ".join(clean(found).split())
    return line if len(line) <= 300 else line[:299] + "…"


def _because(body: bytes) -> str:
    detail = _detail(body)
    return f": {detail}" if detail else ""
