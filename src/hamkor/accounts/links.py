"""Links sent by mail: an invitation, a password reset, an e-mail confirmation, a registration's
confirmation, a follow-up form.

The token is 32 random bytes; only its SHA-256 is stored, with its purpose, expiry and whether it was
used. A link cannot be forged (nothing to sign it with is in the database), altered (any change is
another, unknown token), used for another purpose, used twice, or used after it expires.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete

from hamkor.errors import Problem
from hamkor.store.db import as_utc
from hamkor.store.models import SignedLink

# How long each kind of link lives: a reset is urgent and short, a follow-up waits for a busy director.
LIFETIMES = {"invite": timedelta(days=7), "reset": timedelta(hours=2), "email": timedelta(hours=24),
             "confirm": timedelta(days=3), "followup": timedelta(days=45)}


class LinkProblem(Problem):
    """A link that opens nothing; `state` says why (unknown, used, expired) for the page that explains it."""

    http_status = 410  # Gone: the page says why, and what to do

    def __init__(self, state: str, reason: str) -> None:
        super().__init__([("link", reason)])
        self.state = state


def not_valid() -> LinkProblem:
    """A link that names nothing (any more): what a forged or altered link also gets."""
    return LinkProblem("unknown", "this link is not valid: it may have been copied incompletely or changed")


def _digest(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(session, purpose: str, now: datetime, user_id: int | None = None, payload: dict | None = None,
          lifetime: timedelta | None = None) -> str:
    """A new link's token (for the URL only; the database keeps its digest)."""
    token = secrets.token_urlsafe(32)
    session.add(SignedLink(id=_digest(token), purpose=purpose, user_id=user_id, payload=payload or {},
                           created_at=now, expires_at=now + (lifetime or LIFETIMES[purpose])))
    return token


def withdraw(session, purpose: str, user_id: int) -> None:
    """The person's unused links of this purpose stop working (a new invitation replaces an unanswered one)."""
    session.execute(delete(SignedLink).where(SignedLink.user_id == user_id, SignedLink.purpose == purpose,
                                             SignedLink.used_at.is_(None)))


def find(session, token: str, purposes: tuple[str, ...]) -> SignedLink | None:
    """The link this token names, whatever its state (used, expired), or None for a token that names none:
    what a page needs to offer a fresh link in place of a dead one to whoever holds it."""
    link = session.get(SignedLink, _digest(token or "")) if token and len(token) < 200 else None
    return link if link is not None and link.purpose in purposes else None


def check(session, token: str, purposes: tuple[str, ...], now: datetime) -> SignedLink:
    """The link this token opens, still usable; LinkProblem otherwise. Does not use it up."""
    link = find(session, token, purposes)
    if link is None:
        raise not_valid()
    if link.used_at is not None:
        raise LinkProblem("used", "this link has been used already: each link works once")
    if as_utc(link.expires_at) <= now:
        raise LinkProblem("expired", "this link has expired: ask for a new one")
    return link


def use(session, token: str, purposes: tuple[str, ...], now: datetime) -> SignedLink:
    """Check the link and use it up, in the caller's transaction (if the caller's change fails, the link
    stays usable)."""
    link = check(session, token, purposes, now)
    link.used_at = now
    return link
