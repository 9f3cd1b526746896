"""Sessions, CSRF and sign-in throttling; who may do what is decided in one table."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "hamkor_session"
SESSION_MAX_AGE = 14 * 24 * 3600

# Permission -> roles. Every route names one permission; nothing else grants access.
PERMISSIONS: dict[str, frozenset[str]] = {
    "trade.view": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    "brief.create": frozenset({"admin", "analyst", "organizer", "viewer"}),
    "imports.view": frozenset({"admin", "analyst"}),
    "imports.write": frozenset({"admin", "analyst"}),
    "reference.view": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    "account.self": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    "companies.view": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    # a company representative edits their own company only (checked against the record)
    "companies.edit": frozenset({"admin", "organizer", "company"}),
    "companies.import": frozenset({"admin", "organizer"}),
    "matching.use": frozenset({"admin", "analyst", "organizer"}),
    "matching.accept": frozenset({"admin", "organizer"}),
    "missions.view": frozenset({"admin", "analyst", "organizer", "company", "viewer"}),
    "missions.manage": frozenset({"admin", "organizer"}),
    # a company representative asks for meetings and answers requests for their own company only
    "missions.request": frozenset({"admin", "organizer", "company"}),
    # the cooperation registry is the administration's own record: company representatives do not see it
    "cooperation.view": frozenset({"admin", "analyst", "organizer", "viewer"}),
    "cooperation.edit": frozenset({"admin", "analyst", "organizer"}),
    "cooperation.delete": frozenset({"admin", "organizer"}),
}


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


class Sessions:
    """A signed cookie carrying the user id and a CSRF token; nothing secret in it."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="hamkor-session")

    def issue(self, user_id: int) -> str:
        return self._serializer.dumps({"uid": user_id, "csrf": secrets.token_urlsafe(24)})

    def read(self, cookie: str | None) -> dict | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        return data if isinstance(data, dict) and "uid" in data and "csrf" in data else None


def csrf_matches(session: dict | None, submitted: str | None) -> bool:
    return bool(session and submitted) and hmac.compare_digest(session["csrf"], submitted)


class SignInThrottle:
    """At most `limit` failed sign-ins per key (address and e-mail) in a sliding window."""

    def __init__(self, limit: int = 5, window_seconds: float = 300.0) -> None:
        self.limit, self.window = limit, window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        with self._lock:
            recent = self._recent(key)
            return len(recent) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(time.monotonic())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        queue = self._failures.setdefault(key, deque())
        cutoff = time.monotonic() - self.window
        while queue and queue[0] < cutoff:
            queue.popleft()
        return queue
