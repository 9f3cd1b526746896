"""Users, their sessions, API tokens and calendar feed secrets.

Passwords are hashed with Argon2; session tokens, API tokens and feed secrets are random and stored as
SHA-256 only, so a copy of the database opens nothing. A session lives in the database: signing out,
a new password or a deactivated account end it at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from hamkor.accounts import letters, links
from hamkor.accounts.permissions import ROLES
from hamkor.errors import Problem
from hamkor.i18n import LANGUAGES, Msg
from hamkor.mail.outbox import queue
from hamkor.store.db import Database, as_utc
from hamkor.store.models import ApiToken, User, WebSession

TOKEN_SCOPES = ("read", "write")

MIN_PASSWORD = 12  # ASVS 4 level 1 (2.1.1)
MAX_PASSWORD = 256  # a bound on what is hashed: argon2 of a megabyte is a denial of service
# zxcvbn's score (0-4) estimates how many guesses a password takes; 3 is "safely unguessable" (10^8 guesses or
# more). Length alone is no measure: "password1234" and twelve spaces are long and guessed at once.
MIN_STRENGTH = 3
STRENGTH_LENGTH = 72  # zxcvbn reads at most this much; what follows only makes a password harder
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher.hash("a password no account has, hashed once for equal timing")


def password_strength(password: str, hints: list[str]) -> int:
    from zxcvbn import zxcvbn

    return zxcvbn(password[:STRENGTH_LENGTH], user_inputs=hints)["score"]


def password_problems(password: str, email: str = "") -> list[str]:
    """Why a password is refused: too short, too long, or easy to guess (judged by its strength, with the
    person's own address and the product's name counted as known words)."""
    if len(password) < MIN_PASSWORD:
        return [Msg("the password must have at least %(min_password)s characters", min_password=MIN_PASSWORD)]
    if len(password) > MAX_PASSWORD:
        return [Msg("the password must have at most %(max_password)s characters", max_password=MAX_PASSWORD)]
    if email and password.strip().lower() == email.strip().lower():
        return ["the password must not be the e-mail address"]
    hints = ["hamkor", *[part for part in re.split(r"[@._+-]+", email.lower()) if part]]
    if password_strength(password, hints) < MIN_STRENGTH:
        return ["this password is easy to guess: use several unrelated words, or mix letters, digits and signs"]
    return []


def equal_time(password: str) -> None:
    """Verify against a hash no account has: a refusal costs what checking a real password costs."""
    try:
        _hasher.verify(_dummy_hash(), password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        pass


def _end_access(session, user_id: int) -> None:
    """Every session ends and every API token is revoked: a new password is often chosen because the old one
    leaked, and a token made with it must not outlive it."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))):
        token.revoked_at = _now()


@dataclass(frozen=True)
class SignedIn:
    """Who a session cookie belongs to, and the session's CSRF token."""

    user: User
    csrf: str
    digest: str  # the session's key: what ending it needs


@dataclass(frozen=True)
class PasswordCheck:
    """What a sign-in's e-mail and password found: the account whose password it is (None when no account
    has this address and password), and whether it may sign in (an inactive one may not)."""

    user: User | None
    may_sign_in: bool


class AccountError(Problem):
    """Something about an account a person can fix (bad e-mail, short password, taken)."""


def _now() -> datetime:
    return datetime.now(UTC)


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """"active", "expired" or "revoked": what the account page, the users page and the CLI say of a token."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and as_utc(token.expires_at) <= (now or _now()):
        return "expired"
    return "active"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# The password hash of an invited account that has not chosen its password yet: no password matches it.
INVITED = "!invited"


def checked_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 320 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise AccountError([("email", Msg("'%(email)s' is not an e-mail address", email=email[:80]))])
    return email


def is_invited(user: User) -> bool:
    return user.password_hash == INVITED


def reads_company_mail():
    """Who of a company's accounts is mailed what concerns it (requests, schedules, messages): its active people
    who took their account. An invitation not yet accepted is to an address someone typed (a colleague's invitation
    may name anyone): it hears nothing of the company until its owner chooses a password (the outsider's find)."""
    return (User.role == "company") & User.active.is_(True) & (User.password_hash != INVITED)


class Accounts:
    def __init__(self, db: Database, clock=None, site_url: str = "http://127.0.0.1:8000") -> None:
        self.db = db
        self.clock = clock or _now
        self.site_url = site_url  # where the links in mails point

    def create_user(self, email: str, password: str | None, role: str, language: str = "ru",
                    company_id: int | None = None, session=None, claimant: bool = False) -> User:
        """A new account; `password=None` makes an invited one, which waits for its invitation link. A
        `claimant` is a company representative whose company an organizer has still to confirm."""
        email = checked_email(email)
        if role not in ROLES:
            raise AccountError([("role", Msg("role must be one of %(roles)s", roles=', '.join(ROLES)))])
        if password is not None:
            problems = password_problems(password, email)
            if problems:
                raise AccountError([("password", problem) for problem in problems])
        if language not in LANGUAGES:
            raise AccountError(Msg("language must be one of %(languages)s", languages=', '.join(LANGUAGES)))
        with self.db.session() as session:
            if session.scalar(select(User).where(User.email == email)):
                raise AccountError([("email", Msg("a user %(email)s exists already", email=email))])
            if role == "company" and company_id is None and not claimant:
                raise AccountError([("company", "a company representative needs the company they speak for")])
            user = User(email=email, password_hash=_hasher.hash(password) if password is not None else INVITED,
                        role=role, language=language, active=True, created_at=self.clock(),
                        company_id=company_id if role == "company" else None)
            session.add(user)
            session.flush()
            return user

    # -- invitations, resets, a new address: links sent by mail ------------------------------------
    def invite(self, email: str, role: str, language: str = "ru", company_id: int | None = None,
               invited_by: str | None = None) -> User:
        """An account that chooses its own password through a single-use link sent by mail. Inviting an
        address whose invitation is still open sends a new link (the old one stops working)."""
        with self.db.session() as session:
            existing = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
            if existing is not None and is_invited(existing):
                user = existing
                self._drop_links(session, user.id, ("invite",))
            else:
                user = self.create_user(email, None, role, language, company_id)
            token = links.issue(session, "invite", self.clock(), user.id)
            letter = letters.invitation(self.site_url, token, invited_by, user.language)
            queue(session, user.email, user.language, letter,
                  self.clock(), user=None)
            return user

    @staticmethod
    def _drop_links(session, user_id: int, purposes: tuple[str, ...]) -> None:
        from hamkor.store.models import SignedLink

        session.execute(delete(SignedLink).where(SignedLink.user_id == user_id, SignedLink.purpose.in_(purposes),
                                                 SignedLink.used_at.is_(None)))

    def forgot_password(self, email: str) -> None:
        """Mail a reset link when the address belongs to an active account. Says nothing either way: the
        page answers the same whether the address is known or not."""
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.email == (email or "").strip().lower()[:320]))
            if user is None or not user.active:
                return
            self._drop_links(session, user.id, ("reset",))
            token = links.issue(session, "invite" if is_invited(user) else "reset", self.clock(), user.id)
            letter = letters.invitation(self.site_url, token, None, user.language) if is_invited(user) \
                else letters.password_reset(self.site_url, token, user.language)
            queue(session, user.email, user.language, letter, self.clock())

    def send_reset(self, user_id: int) -> User:
        """An admin's "reset": the user gets a link to choose a new password (the admin never sees one)."""
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is None:
                raise AccountError([("user", "there is no such user")])
            self.forgot_password(user.email)
            return user

    @staticmethod
    def _link_owner(session, link) -> User:
        user = session.get(User, link.user_id) if link.user_id else None
        if user is None or not user.active:
            raise links.not_valid()
        return user

    def link_user(self, token: str, purposes: tuple[str, ...]) -> User:
        """Whose link this is, while it is still usable (the page shows its form); LinkProblem otherwise."""
        with self.db.session() as session:
            link = links.check(session, token, purposes, self.clock())
            user = self._link_owner(session, link)
            return user

    def link_payload(self, token: str, purposes: tuple[str, ...]) -> dict:
        """What a still usable link carries besides its owner (an invitation's mission); LinkProblem otherwise."""
        with self.db.session() as session:
            return dict(links.check(session, token, purposes, self.clock()).payload or {})

    def set_password_by_link(self, token: str, purposes: tuple[str, ...], password: str,
                             language: str | None = None) -> User:
        """Choose a password through an invitation or reset link; the link is used up only when it works.
        Every session of the account ends (whoever had it before no longer has it)."""
        with self.db.session() as session:
            link = links.use(session, token, purposes, self.clock())
            user = self._link_owner(session, link)
            problems = password_problems(password, user.email)
            if problems:
                raise AccountError([("password", problem) for problem in problems])
            if language is not None:
                if language not in LANGUAGES:
                    raise AccountError([("language", Msg("language must be one of %(languages)s",
                                                         languages=', '.join(LANGUAGES)))])
                user.language = language
            user.password_hash, user.password_changed_at = _hasher.hash(password), self.clock()
            _end_access(session, user.id)
            session.flush()
            return user

    def request_email_change(self, user_id: int, new_email: str, password: str) -> None:
        """A link to the new address; the account keeps the old one until the link is opened."""
        new_email = checked_email(new_email)
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is None:
                raise AccountError([("user", "there is no such user")])
            try:
                _hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                raise AccountError([("current_password", "the current password is not right")]) from None
            if new_email == user.email:
                raise AccountError([("email", "this is the address the account has already")])
            if session.scalar(select(User).where(User.email == new_email)):
                raise AccountError([("email", Msg("a user %(email)s exists already", email=new_email))])
            self._drop_links(session, user.id, ("email",))
            token = links.issue(session, "email", self.clock(), user.id, {"email": new_email})
            letter = letters.email_change(self.site_url, token, user.email, user.language)
            queue(session, new_email, user.language, letter,
                  self.clock())

    def confirm_email_change(self, token: str) -> User:
        with self.db.session() as session:
            link = links.use(session, token, ("email",), self.clock())
            user = session.get(User, link.user_id) if link.user_id else None
            new_email = (link.payload or {}).get("email")
            if user is None or not new_email:
                raise links.not_valid()
            if session.scalar(select(User).where(User.email == new_email, User.id != user.id)):
                raise AccountError([("email", Msg("a user %(email)s exists already", email=new_email))])
            user.email = new_email
            session.flush()
            return user

    def update_user(self, user_id: int, role: str, company_id: int | None) -> User:
        """An admin changes a role, or the company a representative speaks for."""
        if role not in ROLES:
            raise AccountError([("role", Msg("role must be one of %(roles)s", roles=', '.join(ROLES)))])
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is None:
                raise AccountError([("user", "there is no such user")])
            if role == "company" and company_id is None:
                raise AccountError([("company", "a company representative needs the company they speak for")])
            user.role, user.company_id = role, company_id if role == "company" else None
            session.flush()
            return user

    def set_mail_digest(self, user_id: int, digest: bool) -> None:
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is not None:
                user.mail_digest = digest

    def check_password(self, email: str, password: str) -> PasswordCheck:
        """Whose password this is, and whether that account may sign in. An account that may not (its
        address still unconfirmed, or deactivated) is named only to whoever typed its right password: the
        caller may then tell them what to do, which tells a guesser nothing."""
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None or len(password) > MAX_PASSWORD:
                equal_time(password)  # same cost either way: no timing hint that the e-mail exists
                return PasswordCheck(None, False)
            try:
                _hasher.verify(user.password_hash, password)
            except VerificationError:
                return PasswordCheck(None, False)
            except InvalidHashError:  # an invited account has no password yet: it costs the same to be refused
                equal_time(password)
                return PasswordCheck(None, False)
            if not user.active:
                return PasswordCheck(user, False)
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            return PasswordCheck(user, True)

    def authenticate(self, email: str, password: str) -> User | None:
        check = self.check_password(email, password)
        return check.user if check.may_sign_in else None

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

    # -- passwords and the account's state --------------------------------------------------------
    def change_password(self, user_id: int, current: str | None, new: str) -> None:
        """A new password (the current one must be given, unless an admin sets it: current=None); every
        session of the account ends, this one included."""
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is None:
                raise AccountError([("user", "there is no such user")])
            if current is not None:
                try:
                    _hasher.verify(user.password_hash, current)
                except (VerificationError, InvalidHashError):
                    raise AccountError([("current_password", "the current password is not right")]) from None
            problems = password_problems(new, user.email)
            if problems:
                raise AccountError([("password", problem) for problem in problems])
            user.password_hash, user.password_changed_at = _hasher.hash(new), _now()
            _end_access(session, user_id)

    def set_active(self, user_id: int, active: bool) -> User:
        """Deactivate (sessions end, tokens and the feed secret are revoked) or reactivate an account."""
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is None:
                raise AccountError([("user", "there is no such user")])
            user.active = active
            if not active:
                _end_access(session, user_id)
                user.feed_secret_hash = None
            session.flush()
            return user

    def find(self, email: str) -> User | None:
        with self.db.session() as session:
            return session.scalar(select(User).where(User.email == email.strip().lower()))

    # -- sessions ----------------------------------------------------------------------------------
    def start_session(self, user_id: int, max_age: timedelta) -> tuple[str, str]:
        """A new session: (the token for the cookie, shown nowhere else; its CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = _now()
        with self.db.session() as session:
            session.add(WebSession(id=token_digest(token), user_id=user_id, csrf=csrf, created_at=now,
                                   last_seen_at=now, expires_at=now + max_age))
        return token, csrf

    def session_for(self, token: str, idle: timedelta) -> SignedIn | None:
        """The live session a cookie's token opens: not ended, not past its absolute limit, not idle too
        long, its account active. Seen-at is written at most once a minute (not a write per request)."""
        digest = token_digest(token)
        now = _now()
        with self.db.session() as session:
            record = session.get(WebSession, digest)
            if record is None:
                return None
            if as_utc(record.expires_at) <= now or as_utc(record.last_seen_at) + idle <= now:
                session.delete(record)
                return None
            user = session.get(User, record.user_id)
            if user is None or not user.active:
                return None
            if (now - as_utc(record.last_seen_at)).total_seconds() > 60:
                record.last_seen_at = now
            return SignedIn(user, record.csrf, digest)

    def end_session(self, token: str) -> None:
        with self.db.session() as session:
            session.execute(delete(WebSession).where(WebSession.id == token_digest(token)))

    def end_sessions(self, user_id: int) -> None:
        with self.db.session() as session:
            session.execute(delete(WebSession).where(WebSession.user_id == user_id))

    def sessions_of(self, user_id: int) -> list[WebSession]:
        with self.db.session() as session:
            return list(session.scalars(select(WebSession).where(WebSession.user_id == user_id)
                                        .order_by(WebSession.created_at.desc())))

    # -- API tokens ---------------------------------------------------------------------------------
    def create_token(self, user_id: int, name: str = "api", scope: str = "write",
                     expires_at: datetime | None = None) -> str:
        """The token is shown once; only its digest is kept. `read` tokens may only read."""
        name = (name or "").strip()
        if not name or len(name) > 120:
            raise AccountError([("name", "a token needs a name (what it is for), up to 120 characters")])
        if scope not in TOKEN_SCOPES:
            raise AccountError([("scope", Msg("scope must be one of %(scopes)s", scopes=", ".join(TOKEN_SCOPES)))])
        if expires_at is not None and as_utc(expires_at) <= _now():
            raise AccountError([("expires_at", "the expiry must be in the future")])
        token = "hk_" + secrets.token_urlsafe(32)
        with self.db.session() as session:
            session.add(ApiToken(user_id=user_id, token_hash=token_digest(token), name=name, created_at=_now(),
                                 scope=scope, expires_at=expires_at))
        return token

    def tokens(self, user_id: int | None = None) -> list[ApiToken]:
        with self.db.session() as session:
            query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
            if user_id is not None:
                query = query.where(ApiToken.user_id == user_id)
            return list(session.scalars(query))

    def revoke_token(self, token_id: int, user_id: int | None = None) -> ApiToken:
        """Revoke a token (only one of `user_id`'s when given: a user revokes their own)."""
        with self.db.session() as session:
            record = session.get(ApiToken, token_id)
            if record is None or (user_id is not None and record.user_id != user_id):
                raise AccountError([("token", "there is no such token")])
            record.revoked_at = record.revoked_at or _now()
            session.flush()
            return record

    def token_for(self, token: str) -> tuple[User, str] | None:
        """The active user a live token (not revoked, not expired) belongs to, and its scope."""
        with self.db.session() as session:
            record = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
            if record is None or record.revoked_at is not None:
                return None
            if record.expires_at is not None and as_utc(record.expires_at) <= _now():
                return None
            # a write per API call would serialise every request on the database: once a minute is enough
            last = record.last_used_at
            if last is None or (_now() - as_utc(last)).total_seconds() > 60:
                record.last_used_at = _now()
            user = session.get(User, record.user_id)
            return (user, record.scope) if user and user.active else None

    def user_for_token(self, token: str) -> User | None:
        found = self.token_for(token)
        return found[0] if found else None

    # -- the calendar feed ----------------------------------------------------------------------
    def new_feed_secret(self, user_id: int) -> str:
        """A secret that opens this user's calendar feed and nothing else; a new one replaces the old."""
        secret = "feed_" + secrets.token_urlsafe(24)
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is None:
                raise AccountError([("user", "there is no such user")])
            user.feed_secret_hash = token_digest(secret)
        return secret

    def revoke_feed_secret(self, user_id: int) -> None:
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is not None:
                user.feed_secret_hash = None

    def user_for_feed(self, secret: str) -> User | None:
        if not secret:
            return None
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.feed_secret_hash == token_digest(secret)))
            return user if user and user.active else None

    def users(self) -> list[User]:
        with self.db.session() as session:
            return list(session.scalars(select(User).order_by(User.email)))
