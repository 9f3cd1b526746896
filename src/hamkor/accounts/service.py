"""Users and API tokens: passwords hashed with Argon2, tokens stored as SHA-256 only."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from hamkor.errors import Problem
from hamkor.i18n import LANGUAGES, Msg
from hamkor.store.db import Database
from hamkor.store.models import ApiToken, User

ROLES = ("admin", "analyst", "organizer", "company", "viewer")

MIN_PASSWORD = 8
_hasher = PasswordHasher()


class AccountError(Problem):
    """Something about an account a person can fix (bad e-mail, short password, taken)."""


def _now() -> datetime:
    return datetime.now(UTC)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create_user(self, email: str, password: str, role: str, language: str = "ru",
                    company_id: int | None = None) -> User:
        email = email.strip().lower()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise AccountError(Msg("'%(email)s' is not an e-mail address", email=email))
        if role not in ROLES:
            raise AccountError(Msg("role must be one of %(roles)s", roles=', '.join(ROLES)))
        if len(password) < MIN_PASSWORD:
            raise AccountError(Msg("the password must have at least %(min_password)s characters",
                                   min_password=MIN_PASSWORD))
        if language not in LANGUAGES:
            raise AccountError(Msg("language must be one of %(languages)s", languages=', '.join(LANGUAGES)))
        with self.db.session() as session:
            if session.scalar(select(User).where(User.email == email)):
                raise AccountError(Msg("a user %(email)s exists already", email=email))
            if role == "company" and company_id is None:
                raise AccountError("a company representative needs the company they speak for (--company ID)")
            user = User(email=email, password_hash=_hasher.hash(password), role=role, language=language,
                        active=True, created_at=_now(), company_id=company_id if role == "company" else None)
            session.add(user)
            session.flush()
            return user

    def authenticate(self, email: str, password: str) -> User | None:
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None or not user.active:
                _hasher.hash(password)  # same cost either way: no timing hint that the e-mail exists
                return None
            try:
                _hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                return None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            return user

    def get(self, user_id: int) -> User | None:
        with self.db.session() as session:
            user = session.get(User, user_id)
            return user if user and user.active else None

    def set_language(self, user_id: int, language: str) -> None:
        if language not in LANGUAGES:
            raise AccountError(Msg("language must be one of %(languages)s", languages=', '.join(LANGUAGES)))
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user:
                user.language = language

    def create_token(self, user_id: int, name: str = "api") -> str:
        """The token is shown once; only its digest is kept."""
        token = "hk_" + secrets.token_urlsafe(32)
        with self.db.session() as session:
            session.add(ApiToken(user_id=user_id, token_hash=token_digest(token), name=name, created_at=_now()))
        return token

    def user_for_token(self, token: str) -> User | None:
        with self.db.session() as session:
            record = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
            if record is None:
                return None
            # a write per API call would serialise every request on the database: once a minute is enough
            last = record.last_used_at
            if last is None or (_now() - (last if last.tzinfo else last.replace(tzinfo=UTC))).total_seconds() > 60:
                record.last_used_at = _now()
            user = session.get(User, record.user_id)
            return user if user and user.active else None

    def users(self) -> list[User]:
        with self.db.session() as session:
            return list(session.scalars(select(User).order_by(User.email)))
