"""The outbox and the accounts' mailed links, against a real SMTP server on loopback (and one that is down)."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest

from hamkor.accounts.links import LinkProblem
from hamkor.accounts.service import AccountError, Accounts, is_invited
from hamkor.config import Settings
from hamkor.mail.letter import Letter
from hamkor.mail.outbox import BACKOFF_MINUTES, Outbox, queue
from hamkor.store.db import Database
from hamkor.store.models import OutboxMessage
from tests.conftest import free_port
from tests.helpers import Clock

PASSWORD = "a long enough password"


@pytest.fixture
def mail(database_url, tmp_path, smtp_server):
    port, inbox = smtp_server
    settings = Settings(data_dir=tmp_path, database_url=database_url, smtp_host="127.0.0.1", smtp_port=port,
                        smtp_starttls=False, smtp_from="hamkor@example.org", public_url="https://hamkor.example.org",
                        timezone="Asia/Barnaul")
    db = Database(settings)
    db.upgrade()
    clock = Clock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    yield Accounts(db, clock, settings.site_url), Outbox(db, settings, clock), inbox, clock, settings
    db.dispose()


def parsed(raw: str):
    return email.message_from_string(raw, policy=email.policy.default)


def link_in(raw: str, path: str) -> str:
    body = parsed(raw).get_body(("plain",)).get_content()
    start = body.index(f"https://hamkor.example.org{path}") + len("https://hamkor.example.org")
    return body[start:].split()[0]


def token_in(raw: str, path: str, lang: str) -> str:
    """The link's token; the link carries the reader's language, so the page it opens speaks it."""
    link = link_in(raw, path)
    assert link.endswith(f"?lang={lang}"), link
    return link.split("?")[0].rsplit("/", 1)[-1]


def test_an_invitation_is_mailed_in_the_recipients_language_and_its_link_works_once(mail):
    accounts, outbox, inbox, clock, _ = mail
    user = accounts.invite("Director@Farm.uz", "viewer", "uz", invited_by="admin@altai.ru")
    assert is_invited(user) and accounts.authenticate("director@farm.uz", "") is None
    assert outbox.counts()["pending"] == 1 and not inbox.messages  # written now, sent by the worker
    assert outbox.send_due().sent == 1
    [(recipients, raw)] = inbox.messages
    message = parsed(raw)
    assert recipients == ["director@farm.uz"]
    text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    assert "taklif" in message["Subject"].lower() and "admin@altai.ru" in text  # Uzbek: "taklif qiladi"
    assert '<a href="https://hamkor.example.org/welcome/' in html
    token = token_in(raw, "/welcome/", "uz")
    assert accounts.link_user(token, ("invite",)).email == "director@farm.uz"
    with pytest.raises(AccountError):  # a weak password: refused, and the link is not used up
        accounts.set_password_by_link(token, ("invite",), "short", "en")
    accounts.set_password_by_link(token, ("invite",), PASSWORD, "en")
    assert accounts.authenticate("director@farm.uz", PASSWORD).language == "en"
    with pytest.raises(LinkProblem) as used:
        accounts.set_password_by_link(token, ("invite",), PASSWORD + "!")
    assert used.value.state == "used"
    with pytest.raises(LinkProblem) as tampered:
        accounts.link_user(token[:-2] + "xx", ("invite",))
    assert tampered.value.state == "unknown"


def test_forgot_password_never_says_whether_an_address_is_known_and_the_link_expires(mail):
    accounts, outbox, inbox, clock, _ = mail
    accounts.create_user("analyst@altai.ru", PASSWORD, "analyst", "ru")
    assert accounts.forgot_password("nobody@altai.ru") is None and accounts.forgot_password("analyst@altai.ru") is None
    outbox.send_due()
    [(recipients, raw)] = inbox.messages  # one mail, to the known address only
    assert recipients == ["analyst@altai.ru"] and "парол" in parsed(raw)["Subject"]
    token = token_in(raw, "/password/reset/", "ru")
    with pytest.raises(LinkProblem):  # a reset link is not an invitation
        accounts.link_user(token, ("invite",))
    clock.at += timedelta(hours=3)
    with pytest.raises(LinkProblem) as expired:
        accounts.set_password_by_link(token, ("reset",), PASSWORD + " new")
    assert expired.value.state == "expired" and accounts.authenticate("analyst@altai.ru", PASSWORD)


def test_a_new_address_is_confirmed_from_itself(mail):
    accounts, outbox, inbox, clock, _ = mail
    user = accounts.create_user("old@altai.ru", PASSWORD, "organizer", "en")
    with pytest.raises(AccountError, match="current password"):
        accounts.request_email_change(user.id, "new@altai.ru", "wrong one")
    accounts.request_email_change(user.id, "new@altai.ru", PASSWORD)
    assert accounts.find("old@altai.ru") is not None  # unchanged until confirmed
    outbox.send_due()
    [(recipients, raw)] = inbox.messages
    assert recipients == ["new@altai.ru"] and "Confirm" in parsed(raw)["Subject"]
    accounts.confirm_email_change(token_in(raw, "/email/confirm/", "en"))
    assert accounts.find("new@altai.ru").id == user.id and accounts.find("old@altai.ru") is None


def test_a_rolled_back_change_sends_nothing(mail):
    accounts, outbox, inbox, clock, _ = mail
    with pytest.raises(RuntimeError), accounts.db.session() as session:
        queue(session, "x@example.org", "ru", Letter("test", "Subject", ["Body."]), clock())
        raise RuntimeError("the change failed after its mail was written")
    assert outbox.counts()["pending"] == 0


def test_a_mail_server_that_is_down_delays_and_never_loses(mail, tmp_path):
    accounts, outbox, inbox, clock, settings = mail
    down = Outbox(outbox.db, settings.replace(smtp_port=free_port()), clock)
    accounts.invite("late@example.org", "viewer", "ru")
    report = down.send_due()
    [message] = down.messages()
    assert report.retried == 1 and message.status == "pending" and message.attempts == 1
    assert "ConnectionRefused" in message.last_error
    assert down.send_due().retried == 0  # waits: not due for a minute
    for wait in BACKOFF_MINUTES:
        clock.at += timedelta(minutes=wait)
        down.send_due()
    [message] = down.messages()
    assert message.status == "failed" and message.attempts == len(BACKOFF_MINUTES) + 1
    down.retry(message.id)  # the server is back: an admin sends it again
    assert outbox.send_due().sent == 1 and inbox.messages[0][0] == ["late@example.org"]
    assert outbox.counts() == {"pending": 0, "held": 0, "sending": 0, "sent": 1, "failed": 0}


def test_the_daily_digest_gathers_held_news_and_never_holds_links(mail):
    accounts, outbox, inbox, clock, _ = mail
    user = accounts.create_user("rep@farm.uz", PASSWORD, "viewer", "ru")
    accounts.set_mail_digest(user.id, True)
    with accounts.db.session() as session:
        reader = session.get(type(user), user.id)
        for n in (1, 2):
            queue(session, reader.email, "ru", Letter("request-received", f"Запрос {n}", [f"Текст {n}."]), clock(),
                  user=reader)
        queue(session, reader.email, "ru", Letter("reset", "Ссылка", ["Сразу."]), clock(), user=reader)
    assert outbox.send_due().sent == 1  # the link went at once; the news wait
    clock.at += timedelta(days=1)
    report = outbox.send_due()
    assert report.digests == 1 and report.sent == 1
    raw = inbox.messages[-1][1]
    body = parsed(raw).get_body(("plain",)).get_content()
    assert "Запрос 1" in body and "Текст 2." in body
    with outbox.db.session() as session:
        assert {m.status for m in session.query(OutboxMessage)} == {"sent"}


def test_a_name_with_a_line_break_is_one_line_in_the_subject_and_the_mail_goes_out(mail):
    """A company or mission name holding CR/LF (pasted from a spreadsheet) made the email package refuse the
    subject: the mail stayed pending, then failed. It goes out, the name on one line, and nothing it holds
    becomes a header of its own."""
    from types import SimpleNamespace

    from hamkor.missions import letters

    accounts, outbox, inbox, clock, _ = mail
    mission = SimpleNamespace(id=7, names=None, name="Altai\r\nX-Injected: yes\u2028Samarkand")
    company = "Farm\r\nBcc: spy@example.org\x85"
    with accounts.db.session() as session:
        queue(session, "rep@farm.uz", "en", letters.request_received("https://h.example", mission, company,
                                                                     None, "en"), clock())
        queue(session, "guest@farm.uz", "en", letters.registration_decided("https://h.example", mission, True, "",
                                                                           "en"), clock())
        # a message queued before names were cleaned keeps its raw subject in the outbox: it goes out too
        session.add(OutboxMessage(recipient="old@farm.uz", language="en", kind="test", subject="Old\r\nname",
                                  body_text="Body.", body_html="<p>Body.</p>", status="pending", attempts=0,
                                  next_attempt_at=clock(), created_at=clock()))
    report = outbox.send_due()
    assert report.sent == 3 and report.retried == report.failed == 0
    assert outbox.counts()["sent"] == 3
    got = {tuple(recipients): parsed(raw) for recipients, raw in inbox.messages}
    assert set(got) == {("rep@farm.uz",), ("guest@farm.uz",), ("old@farm.uz",)}  # no one else: no Bcc
    assert got["rep@farm.uz",]["Subject"] == "A meeting request from Farm Bcc: spy@example.org"
    assert got["guest@farm.uz",]["Subject"] == "You take part in Altai X-Injected: yes Samarkand"
    assert got["old@farm.uz",]["Subject"] == "Old name"
    for message in got.values():
        assert message["Bcc"] is None and message["X-Injected"] is None


def test_a_subject_keeps_every_space_where_its_header_is_folded(mail):
    """A long Russian or Uzbek subject is folded into several encoded words, and the email package's folder (as
    Python 3.11 has it) dropped the space at a fold: a reader saw «Сырдарья— Алтай». Each subject below is read
    back, from the raw message the SMTP server received, exactly as it was written, and every header line of
    it is within the 78 characters a mail line may take."""
    import email.header
    from types import SimpleNamespace

    from hamkor.missions import letters

    accounts, outbox, inbox, clock, _ = mail
    names = ["Бизнес-миссия Сырдарья — Алтай (демо)", "Сырдарья — Алтай",
             "Sirdaryo — Oltoy biznes-missiyasi: qishloq xoʻjaligi va mashinasozlik",
             "x" * 21 + " Бизнес-миссия Сырдарья — Алтай: подтвердите адрес электронной почты"]
    with accounts.db.session() as session:
        for n, name in enumerate(names):
            for lang in ("ru", "uz"):
                mission = SimpleNamespace(id=n, names=None, name=name)
                queue(session, f"to{n}-{lang}@farm.uz", lang,
                      letters.confirm_registration("https://h.example", "t", mission, lang), clock())
        # a subject of padding and words of every length, so that a fold lands on every kind of boundary
        for width in range(0, 40, 3):
            queue(session, f"pad{width}@farm.uz", "ru", Letter("test", "я" * width + " " + names[0] + " — "
                                                               + names[1]), clock())
    expected = {}
    with accounts.db.session() as session:
        for message in session.query(OutboxMessage):
            expected[message.recipient] = message.subject
    assert outbox.send_due().sent == len(expected)
    for recipients, raw in inbox.messages:
        subject = expected[recipients[0]]
        head = raw.split("\r\n\r\n")[0] if "\r\n\r\n" in raw else raw.split("\n\n")[0]
        assert parsed(raw)["Subject"] == subject, (subject, head)
        # an older reader (the legacy header API) decodes it the same way
        legacy = email.message_from_string(raw)["Subject"]
        assert str(email.header.make_header(email.header.decode_header(legacy))) == subject
        assert all(len(line) <= 78 for line in head.splitlines()), head


class SilentServer:
    """A mail server that accepts connections and never says a word: every SMTP call waits for its timeout."""

    def __init__(self) -> None:
        import socket
        import threading

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = threading.Semaphore(0)
        self.held: list = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)
            self.accepted.release()

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


def test_a_mail_server_that_never_answers_holds_up_no_write(mail, tmp_path):
    """The worker sends outside any transaction: while it waits on a silent server, an unrelated write (a new
    account) goes through at once, and the messages are recorded as waiting to be retried."""
    import threading
    import time

    accounts, outbox, _, clock, settings = mail
    silent = SilentServer()
    try:
        slow = Outbox(outbox.db, settings.replace(smtp_port=silent.port, smtp_timeout_seconds=2.0), clock)
        for n in range(3):
            accounts.invite(f"waiting{n}@example.org", "viewer", "ru")
        reports = []
        sender = threading.Thread(target=lambda: reports.append(slow.send_due()))
        sender.start()
        assert silent.accepted.acquire(timeout=10)
        assert silent.accepted.acquire(timeout=10)  # the second message: the first one's failure is recorded
        started = time.monotonic()
        accounts.create_user("writer@example.org", PASSWORD, "viewer", "ru")
        waited = time.monotonic() - started
        sender.join(timeout=30)
        assert waited < 1.0, f"a write waited {waited:.1f} s behind the mail worker"
        assert reports and reports[0].retried == 3 and reports[0].sent == 0
        assert {m.status for m in slow.messages()} == {"pending"}
        assert all(m.claimed_by is None and "timed out" in (m.last_error or "") for m in slow.messages())
    finally:
        silent.close()


def test_two_workers_never_send_one_message_twice(mail):
    """Claims are exclusive: two workers passing at the same moment send each message once between them."""
    import threading

    accounts, outbox, inbox, clock, settings = mail
    for n in range(12):
        accounts.invite(f"once{n}@example.org", "viewer", "ru")
    reports = []
    workers = [threading.Thread(target=lambda name=name: reports.append(outbox.send_due(worker=name)))
               for name in ("first", "second")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sum(r.sent for r in reports) == 12
    recipients = [to for (to,), *_ in inbox.messages]
    assert sorted(recipients) == sorted(f"once{n}@example.org" for n in range(12))
