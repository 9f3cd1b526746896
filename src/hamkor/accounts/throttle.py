"""Counting attempts (failed sign-ins, public forms sent) per key in a sliding window, in the database: every web
process counts the same rows, so five wrong passwords are five however many processes answered them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from hamkor.store.db import Database
from hamkor.store.models import ThrottleEvent

MAX_KEY = 200  # a longer key (an address list a proxy forwarded, say) is counted by its digest


class Throttle:
    """At most `limit` attempts per key in `window_seconds`. The sign-in checks two keys: the account (however
    many addresses try it) and the address (however many accounts it tries)."""

    def __init__(self, db: Database, bucket: str, limit: int = 5, window_seconds: float = 300.0,
                 clock: Callable[[], datetime] | None = None) -> None:
        # the real time, never an application's fixed clock: a window must pass
        self.db, self.bucket, self.limit = db, bucket, limit
        self.window = timedelta(seconds=window_seconds)
        self.clock = clock or (lambda: datetime.now(UTC))

    def blocked(self, key: str) -> bool:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(ThrottleEvent).where(
                ThrottleEvent.bucket == self.bucket, ThrottleEvent.key == _key(key),
                ThrottleEvent.at >= self.clock() - self.window)) >= self.limit

    def failed(self, key: str) -> None:
        now = self.clock()
        with self.db.session() as session:
            session.add(ThrottleEvent(bucket=self.bucket, key=_key(key), at=now))
            # what has left the window is forgotten as the next attempt comes: the table stays small
            session.execute(delete(ThrottleEvent).where(ThrottleEvent.bucket == self.bucket,
                                                        ThrottleEvent.at < now - self.window))

    def succeeded(self, key: str) -> None:
        with self.db.session() as session:
            session.execute(delete(ThrottleEvent).where(ThrottleEvent.bucket == self.bucket,
                                                        ThrottleEvent.key == _key(key)))


def _key(key: str) -> str:
    return key if len(key) <= MAX_KEY else "sha256:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
