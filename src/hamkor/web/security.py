"""Sessions, CSRF and sign-in throttling. Who may do what is one table, `PERMISSIONS`, kept with the
accounts (the domain reads it too) and used here by every route guard."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque

from itsdangerous import BadSignature, URLSafeTimedSerializer

from hamkor.accounts.permissions import PERMISSIONS, allowed  # noqa: F401 - the route guards' table

SESSION_COOKIE = "hamkor_session"
SESSION_MAX_AGE = 14 * 24 * 3600

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
