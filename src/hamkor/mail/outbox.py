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

from sqlalchemy import func, select

from hamkor.i18n import Msg
from hamkor.mail.letter import Letter, render
from hamkor.mail.smtp import MailNotConfigured, build_message, deliver
from hamkor.store.db import Database
from hamkor.store.models import OutboxMessage, User

log = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, … failure; after the last the message is marked failed (an admin
# may send it again). About a day in all: a mail server down overnight loses nothing.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 480, 720)
STATUSES = ("pending", "held", "sent", "failed")
DIGEST_HOUR = 7  # held messages go out together once a day, at this hour where the people work


def queue(session, recipient: str, language: str, letter: Letter, now: datetime, *, user: User | None = None,
          mission_id: int | None = None, attachments: list[dict] | None = None) -> OutboxMessage:
    """Write the message in the caller's transaction. A user who chose the daily digest gets it held."""
    said = render(letter, language)
    message = OutboxMessage(recipient=recipient, language=language, kind=letter.kind, subject=said.subject[:400],
                            body_text=said.text, body_html=said.html, attachments=attachments or None,
                            status="held" if user is not None and user.mail_digest and letter.kind in DIGESTIBLE
                            else "pending", attempts=0, next_attempt_at=now, user_id=user.id if user else None,
                            mission_id=mission_id, created_at=now)
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

    def send_due(self, limit: int = 100) -> SendReport:
        """Send what is due; a failure waits longer each time, then is marked failed with its reason.
        Without an SMTP server nothing is touched: messages wait."""
        report = SendReport(digests=self.release_digests())
        if not self.settings.smtp_host:
            return report
        now = self.clock()
        with self.db.session() as session:
            due = list(session.scalars(select(OutboxMessage).where(
                OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)))
            for message in due:
                try:
                    deliver(self.settings, build_message(
                        self.settings.smtp_from, message.recipient, message.subject, message.body_text,
                        message.body_html, self._attachments(message)))
                except MailNotConfigured:
                    return report
                except (OSError, Exception) as error:  # noqa: BLE001 - any failure of one message is recorded on it
                    message.attempts += 1
                    message.last_error = f"{type(error).__name__}: {error}"[:2000]
                    if message.attempts > len(BACKOFF_MINUTES):
                        message.status = "failed"
                        report.failed += 1
                    else:
                        message.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[message.attempts - 1])
                        report.retried += 1
                    log.warning("mail %s to %s not sent (attempt %s): %s", message.id, message.recipient,
                                message.attempts, message.last_error)
                else:
                    message.status, message.sent_at, message.last_error = "sent", now, None
                    message.attempts += 1
                    report.sent += 1
                session.flush()
        return report

    def _attachments(self, message: OutboxMessage) -> list[tuple[str, Path]]:
        found = []
        for item in message.attachments or []:
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
