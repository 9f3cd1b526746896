"""Sessions, CSRF and sign-in throttling. Who may do what is one table, `PERMISSIONS`, kept with the
accounts (the domain reads it too) and used here by every route guard."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

from hamkor.accounts.permissions import PERMISSIONS, allowed  # noqa: F401 - the route guards' table

SESSION_COOKIE = "hamkor_session"
PRE_SESSION_MAX_AGE = 3600  # a sign-in form older than an hour asks to be reloaded


class Sessions:
    """The session cookie: a random session token, signed so that a forged or altered cookie is turned
    away before the database is asked. The session itself (its user, CSRF token, expiry) lives in the
    database (`Accounts.start_session`), so it can be ended."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="hamkor-session")
        self._key = secret_key.encode("utf-8")

    def cookie(self, token: str) -> str:
        return self._serializer.dumps({"sid": token})

    def pre_session(self) -> tuple[str, str]:
        """Before sign-in: (a cookie naming a random pre-session, the sign-in form's CSRF value). The
        value is an HMAC of that pre-session under the server's key, so it cannot be planted: a cookie
        set by someone else does not come with a value that matches it."""
        pre = secrets.token_urlsafe(24)
        return self._serializer.dumps({"pre": pre}), self._pre_csrf(pre)

    def pre_session_matches(self, cookie: str | None, submitted: str | None) -> bool:
        if not cookie or not submitted:
            return False
        try:
            data = self._serializer.loads(cookie, max_age=PRE_SESSION_MAX_AGE)
        except BadSignature:
            return False
        pre = data.get("pre") if isinstance(data, dict) else None
        return isinstance(pre, str) and hmac.compare_digest(self._pre_csrf(pre).encode(),
                                                             submitted.encode("utf-8", "replace"))

    def _pre_csrf(self, pre: str) -> str:
        return hmac.new(self._key, b"hamkor-signin:" + pre.encode("utf-8"), hashlib.sha256).hexdigest()

    def token(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie)
        except BadSignature:
            return None
        return data.get("sid") if isinstance(data, dict) and isinstance(data.get("sid"), str) else None


def csrf_matches(session: dict | None, submitted: str | None) -> bool:
    """Compared as bytes: `compare_digest` refuses (raises on) a str with a character outside ASCII, and a
    forged "é" must be a mismatch, not an error."""
    if not (session and isinstance(submitted, str) and submitted):
        return False
    return hmac.compare_digest(str(session["csrf"]).encode("utf-8"), submitted.encode("utf-8", "replace"))


# What the pages need and no more: scripts and styles from this site only (vega compiles its chart
# expressions with Function, hence 'unsafe-eval'; no inline script runs), inline style attributes that
# vega and htmx set, pictures as data/blob URLs (charts), never framed by another site.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    """Adds the security headers to every response (ASGI, so no per-request copy of the body): no MIME
    sniffing, no framing, a Content-Security-Policy, a same-origin referrer, and no caching of anything
    but the static files — pages and downloads hold private data."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                         (b"referrer-policy", b"same-origin"),
                         (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii"))]
                if not static:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *((n, v) for n, v in extra if n not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)
