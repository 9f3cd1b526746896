"""What the server reads of a request before any route sees it: who is asking is known before the body is
read, and the body is bounded by what that person may send to that route, and by time.

FastAPI reads a request's body (JSON, a form, a multipart upload spooled to disk) before the route's own
sign-in check runs, so without this gate an anonymous 2 GiB upload is written to /tmp before its 401.
"""

from __future__ import annotations

import asyncio
import re
from html import escape
from urllib.parse import parse_qsl

from anyio import to_thread
from starlette.requests import ClientDisconnect

from hamkor.i18n import DEFAULT_LANGUAGE, LANGUAGES, Msg, localize
from hamkor.web.problems import PROBLEM_MEDIA, problem_bytes

KNOWN_VIEWER = "hamkor.viewer"  # where the gate leaves who is asking, for the route's own guard
ANONYMOUS_BODY = 64 << 10  # the public forms (sign-in, registration, a forgotten password) fit many times over
SIGNED_IN_BODY = 1 << 20  # a page's form or a JSON record of the API
BODY_CHUNK_SECONDS = 30.0  # a body that stops arriving for this long is given up (408)
HEADER_SECONDS = 15.0  # a connection that has not sent its request's headers within this is closed

# Routes that take a file, and the permission that lets a person send one: anyone else's body is small.
UPLOADS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^/(api/v1/)?imports$"), "imports.write"),
    (re.compile(r"^/companies-import$"), "companies.import"),
    (re.compile(r"^/cooperation/agreements/\d+/document$"), "cooperation.edit"),
)
DOCUMENT_BODY = 51 << 20  # an agreement's scan: 50 MiB and the form around it


def body_limit(path: str, viewer, upload_limit: int) -> int:
    """How many bytes this person may send to this path."""
    if viewer is None:
        return ANONYMOUS_BODY
    for pattern, permission in UPLOADS:
        if pattern.match(path):
            if not viewer.may(permission):
                return SIGNED_IN_BODY
            return DOCUMENT_BODY if permission == "cooperation.edit" else upload_limit + SIGNED_IN_BODY
    return SIGNED_IN_BODY


MAX_QUERY_VALUE = 2_000  # a search, a period, a list of codes: no query parameter needs more
MAX_PATH = 1_000  # the longest address a route has is a few ids and a word; pages echo the path back


def _query_problem(query: bytes) -> Msg | None:
    """A query parameter no page or API call can use: longer than any needs, or holding a NUL (which no
    database stores). Refused before a route parses it, whatever the route declares."""
    if len(query) > 8 * MAX_QUERY_VALUE:
        return Msg("the address is longer than %(max_length)s characters", max_length=8 * MAX_QUERY_VALUE)
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return Msg("the parameter %(name)s holds a NUL character", name=name[:40].replace("\x00", "?"))
        if len(value) > MAX_QUERY_VALUE:
            return Msg("the parameter %(name)s is longer than %(max_length)s characters", name=name[:40],
                       max_length=MAX_QUERY_VALUE)
    return None


def _language(scope, viewer=None) -> str:
    """The reader's language as the pages choose it: the signed-in person's own, then `?lang=`, then the
    language cookie (a refusal comes before any route could ask)."""
    if getattr(viewer, "language", None) in LANGUAGES:
        return viewer.language
    query = scope.get("query_string", b"").decode("latin-1")
    asked = dict(part.split("=", 1) for part in query.split("&") if "=" in part).get("lang")
    if asked in LANGUAGES:
        return asked
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            found = re.search(r"hamkor_lang=(\w+)", value.decode("latin-1"))
            if found and found.group(1) in LANGUAGES:
                return found.group(1)
    return DEFAULT_LANGUAGE


async def _refuse(scope, send, status: int, reason: Msg | str, viewer=None, field: str = "body") -> None:
    lang = _language(scope, viewer)
    if scope.get("path", "").startswith("/api/"):
        # the API speaks English, whatever the person's page language, as its other problems do
        body = problem_bytes(status, [(field, localize(reason, "en"))], scope.get("path"))
        media = PROBLEM_MEDIA.encode("ascii")
    else:
        # the site's look on a phone, and a way back (the outsider found a bare page in tiny print)
        body = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{status}</title>'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                '<link rel="stylesheet" href="/static/app.css"></head>'
                '<body><header class="top"><a class="brand" href="/">hamkor</a></header>'
                f'<main><p class="error">{escape(localize(reason, lang))}</p></main></body></html>').encode()
        media = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode("ascii")),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyGate:
    """ASGI: a request with a body is first asked who sends it (the session cookie or bearer token, read
    from the database in a worker thread), then refused at once when its declared length is over that
    person's limit for the route, or cut off (413) the moment what arrives goes over it, or (408) when it
    stops arriving."""

    def __init__(self, app, who_asks, upload_limit: int) -> None:
        self.app = app
        self.who_asks = who_asks  # scope -> viewer or None (blocking: run in a thread)
        self.upload_limit = upload_limit

    async def _reader(self, scope):
        """Who is refused, for their language: asked only when there is something to refuse (a page's reader
        signed in as Uzbek was told of a NUL in Russian: the outsider's find)."""
        try:
            return await to_thread.run_sync(self.who_asks, scope)
        except Exception:  # noqa: BLE001 - whoever it is, the refusal is said (in the cookie's or default language)
            return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        query_problem = _query_problem(scope.get("query_string", b""))
        if len(scope.get("path", "")) > MAX_PATH:
            return await _refuse(scope, send, 414, Msg("the address is longer than %(max_length)s characters",
                                                       max_length=MAX_PATH), await self._reader(scope), "path")
        if query_problem:
            # the API says "a value is wrong" (422, its code for bad input, with the parameter named); a page 400
            api = scope.get("path", "").startswith("/api/")
            return await _refuse(scope, send, 422 if api else 400, query_problem, await self._reader(scope), "query")
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        viewer = await to_thread.run_sync(self.who_asks, scope)
        scope.setdefault("state", {})[KNOWN_VIEWER] = viewer  # the route's guard asks once, not twice
        limit = body_limit(scope.get("path", ""), viewer, self.upload_limit)
        declared = next((value for name, value in scope.get("headers", []) if name == b"content-length"), None)
        if declared is not None:
            if not declared.strip().isdigit():
                return await _refuse(scope, send, 400, "the request's Content-Length is not a number", viewer)
            if int(declared) > limit:
                return await _refuse(scope, send, 413, _too_large(limit), viewer)
        received, done, started, refused = 0, False, False, False
        # A form field holding a NUL (%00) is refused here, whatever the route: no database stores one, and
        # PostgreSQL refuses even to compare with one (a 500 from a lookup before any check could run).
        media = next((value for name, value in scope.get("headers", []) if name == b"content-type"), b"")
        urlencoded = media.split(b";")[0].strip().lower() == b"application/x-www-form-urlencoded"
        tail = b""

        async def stop(status: int, reason) -> dict:
            """Answer now, and tell the app the client is gone: it stops reading, and whatever it still
            tries to answer (a 400 for a body it could not parse) is dropped."""
            nonlocal refused
            if not started:
                await _refuse(scope, send, status, reason, viewer)
            refused = True
            return {"type": "http.disconnect"}

        async def bounded_receive():
            nonlocal received, done, tail
            if done or refused:
                return await receive()  # after the body: the app waits for a disconnect, as long as it likes
            try:
                message = await asyncio.wait_for(receive(), BODY_CHUNK_SECONDS)
            except TimeoutError:
                return await stop(408, "the request's body stopped arriving: send it again")
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    return await stop(413, _too_large(limit))
                if urlencoded and (b"%00" in tail + chunk or b"\x00" in chunk):
                    return await stop(400, Msg("a form field holds a NUL character, which cannot be stored"))
                tail = chunk[-2:]
                done = not message.get("more_body", False)
            return message

        async def watched_send(message):
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, watched_send)
        except ClientDisconnect:
            pass  # refused here, or the client left mid-body: either way there is no one to answer
        except Exception:
            if not refused:
                raise  # a refused body's disconnect surfaces as the app's own error: already answered


def _too_large(limit: int) -> Msg:
    if limit >= 1 << 20:
        return Msg("the request is larger than the %(number)s MiB allowed here", number=limit >> 20)
    return Msg("the request is larger than the %(number)s KiB allowed here", number=limit >> 10)
