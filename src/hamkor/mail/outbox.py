"""The outbox: mail is a row written in the same transaction as the change that causes it, and sent later
by a worker. A change that is rolled back sends nothing; a mail server that is down delays the message
(retries with a growing wait) and never loses it; admins see what was sent, what waits, what failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update

from hamkor.i18n import Msg
from hamkor.mail.letter import Letter, render
from hamkor.mail.smtp import MailNotConfigured, build_message, deliver
from hamkor.store.db import Database, default_worker_name, skip_locked
from hamkor.store.models import OutboxMessage, User

log = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, … failure; after the last the message is marked failed (an admin
# may send it again). About a day in all: a mail server down overnight loses nothing.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 480, 720)
STATUSES = ("pending", "held", "sending", "sent", "failed")
# How long a worker holds the mail it claimed: many times one SMTP call's timeout (30 s); a worker that died
# holding a message leaves it to another after this.
CLAIM_MINUTES = 5
DIGEST_HOUR = 7  # held messages go out together once a day, at this hour where the people work


def queue(session, recipient: str, language: str, letter: Letter, now: datetime, *, user: User | None = None,
          mission_id: int | None = None, attachments: list[dict] | None = None,
          message_id: int | None = None) -> OutboxMessage:
    """Write the message in the caller's transaction. A user who chose the daily digest gets it held."""
    said = render(letter, language)
    message = OutboxMessage(recipient=recipient, language=language, kind=letter.kind, subject=said.subject[:400],
                            body_text=said.text, body_html=said.html, attachments=attachments or None,
                            status="held" if user is not None and user.mail_digest and letter.kind in DIGESTIBLE
                            else "pending", attempts=0, next_attempt_at=now, user_id=user.id if user else None,
                            mission_id=mission_id, message_id=message_id, created_at=now)
    session.add(message)
    return message


# What may wait for the digest: news about requests and the schedule. Links a person is waiting for
# (invitations, password resets, confirmations) always go at once.
DIGESTIBLE = frozenset({"request-received", "request-answered", "deadline-near", "schedule-published",
                        "meeting-moved", "meeting-cancelled", "registration-decided", "registration-waiting"})


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    digests: int = 0


class Outbox:
    def __init__(self, db: Database, settings, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        # name -> function(**args) -> bytes: the attachments made when the mail is sent (`{"make": name, "args"}`)
        self.makers: dict[str, Callable[..., bytes]] = {}

    def send_due(self, limit: int = 100, worker: str = "") -> SendReport:
        """Send what is due; a failure waits longer each time, then is marked failed with its reason.
        Without an SMTP server nothing is touched: messages wait.

        No transaction is open while a message is made or sent: the due messages are claimed in one short
        transaction (several workers never take the same one), each is sent outside any, and its result is
        written in another. A mail server that answers slowly, or never, holds no lock anyone waits on."""
        report = SendReport(digests=self.release_digests())
        if not self.settings.smtp_host:
            return report
        worker = worker or default_worker_name()
        for message in self._claim(limit, worker):
            try:
                deliver(self.settings, build_message(
                    self.settings.smtp_from, message.recipient, message.subject, message.body_text,
                    message.body_html, self._attachments(message)))
            except MailNotConfigured:
                self._release(message.id, worker)
                return report
            except (OSError, Exception) as error:  # noqa: BLE001 - any failure of one message is recorded on it
                if self._record_failure(message.id, worker, f"{type(error).__name__}: {error}"):
                    report.failed += 1
                else:
                    report.retried += 1
            else:
                self._record(message.id, worker, status="sent", sent_at=self.clock(), last_error=None,
                             attempts=message.attempts + 1)
                report.sent += 1
        return report

    def _claim(self, limit: int, worker: str) -> list[OutboxMessage]:
        """Take up to `limit` due messages for this worker, in one short transaction. A message stays claimed
        for `CLAIM_MINUTES`: a worker that died with it claimed leaves it to the next one after that."""
        now = self.clock()
        with self.db.session() as session:
            due = select(OutboxMessage.id).where(
                or_(OutboxMessage.status == "pending",
                    and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now)),
                OutboxMessage.next_attempt_at <= now).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            ids = list(session.scalars(skip_locked(due.limit(limit), session)))
            claimed = []
            for message_id in ids:
                # conditional: of two workers that read the same row (SQLite has no SKIP LOCKED), one takes it
                taken = session.execute(update(OutboxMessage).where(
                    OutboxMessage.id == message_id,
                    or_(OutboxMessage.status == "pending",
                        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now)))
                    .values(status="sending", claimed_by=worker,
                            claimed_until=now + timedelta(minutes=CLAIM_MINUTES)))
                if taken.rowcount == 1:
                    claimed.append(message_id)
            messages = list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                                            .order_by(OutboxMessage.id)))
            session.expunge_all()  # read after the transaction, never written through it
            return messages

    def _record(self, message_id: int, worker: str, **values) -> None:
        with self.db.session() as session:
            session.execute(update(OutboxMessage).where(
                OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker, OutboxMessage.status == "sending")
                .values(claimed_by=None, claimed_until=None, **values))

    def _release(self, message_id: int, worker: str) -> None:
        self._record(message_id, worker, status="pending")

    def _record_failure(self, message_id: int, worker: str, error: str) -> int:
        """1 when this failure was the last one allowed (the message is failed), else 0 (it waits and retries)."""
        with self.db.session() as session:
            message = session.get(OutboxMessage, message_id)
            if message is None or message.status != "sending" or message.claimed_by != worker:
                return 0
            now = self.clock()
            message.attempts += 1
            message.last_error = error[:2000]
            message.claimed_by = message.claimed_until = None
            if message.attempts > len(BACKOFF_MINUTES):
                message.status = "failed"
            else:
                message.status = "pending"
                message.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[message.attempts - 1])
            log.warning("mail %s to %s not sent (attempt %s): %s", message.id, message.recipient,
                        message.attempts, message.last_error)
            return 1 if message.status == "failed" else 0

    def _attachments(self, message: OutboxMessage) -> list[tuple[str, Path | bytes]]:
        """The files a message carries: kept ones by their path, made ones (an agenda) made now, outside any
        transaction, from the records as they are when the mail leaves."""
        found: list[tuple[str, Path | bytes]] = []
        for item in message.attachments or []:
            if "make" in item:
                maker = self.makers.get(item["make"])
                if maker is None:
                    raise LookupError(f"no maker of {item['make']} attachments in this process")
                found.append((item["name"], maker(**item.get("args", {}))))
                continue
            path = self.settings.data_dir / item["path"]
            if path.is_file():
                found.append((item["name"], path))
        return found

    def release_digests(self) -> int:
        """Held messages written before today's digest hour go out as one message per person."""
        now = self.clock()
        zone = ZoneInfo(self.settings.timezone)
        local = now.astimezone(zone)
        cutoff = datetime.combine(local.date(), time(DIGEST_HOUR), zone)
        if local < cutoff:
            cutoff -= timedelta(days=1)
        made = 0
        with self.db.session() as session:
            held = list(session.scalars(select(OutboxMessage).where(
                OutboxMessage.status == "held", OutboxMessage.created_at < cutoff.astimezone(UTC))
                .order_by(OutboxMessage.recipient, OutboxMessage.id)))
            by_recipient: dict[str, list[OutboxMessage]] = {}
            for message in held:
                by_recipient.setdefault(message.recipient, []).append(message)
            for recipient, messages in by_recipient.items():
                lang = messages[-1].language
                letter = Letter("digest", Msg("hamkor: %(count)s updates of the day", count=len(messages)),
                                [Msg("Here is what happened since your last digest.")],
                                lines=[f"{m.subject}\n{m.body_text.split(chr(10) + '-- ')[0].strip()}"
                                       for m in messages])
                queue(session, recipient, lang, letter, now, mission_id=messages[-1].mission_id)
                for message in messages:
                    message.status, message.sent_at = "sent", now  # sent inside the digest
                    message.last_error = None
                made += 1
        return made

    def messages(self, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
        with self.db.session() as session:
            query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
            if status:
                query = query.where(OutboxMessage.status == status)
            return list(session.scalars(query))

    def counts(self) -> dict[str, int]:
        with self.db.session() as session:
            rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
            found = dict(rows.all())
        return {status: found.get(status, 0) for status in STATUSES}

    def retry(self, message_id: int) -> None:
        """Send a failed message again (an admin, once the mail server is fixed)."""
        with self.db.session() as session:
            message = session.get(OutboxMessage, message_id)
            if message is not None and message.status == "failed":
                message.status, message.attempts, message.next_attempt_at = "pending", 0, self.clock()

    def to(self, recipient: str) -> list[OutboxMessage]:
        with self.db.session() as session:
            return list(session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                        .order_by(OutboxMessage.id)))
