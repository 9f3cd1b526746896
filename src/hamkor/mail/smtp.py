"""Sending one message through the configured SMTP server: plain text, its HTML alternative, attachments."""

from __future__ import annotations

import mimetypes
import re
import smtplib
from email import policy as policies
from email.header import Header
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

# Characters that end a line or are not text at all: the email package refuses a header holding any of
# them, and the message would wait in the outbox for ever. A company or mission name may carry them (pasted
# from a spreadsheet cell or a PDF), so they become spaces where such a name enters a header.
# `\s` is Unicode white space (line and paragraph separators, NEL, the file separators among them); the
# ranges are the C0 and C1 controls.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\s]+")


def header_text(value: str) -> str:
    """`value` on one line, fit for a header: every line break, control character and run of white space
    is one space. Newline injection ("Name\r\nBcc: …") becomes part of the text, never a header."""
    return _BREAKS.sub(" ", value).strip()


class _Subject(UnstructuredHeader):
    """A subject folded by the legacy encoder. The modern folder (`email.policy.default`, Python 3.11) splits a
    long non-ASCII subject into encoded words and loses the space at a boundary between them: «Сырдарья — Алтай»
    reached the reader as «Сырдарья— Алтай». `email.header.Header` keeps each space inside an encoded word, so
    nothing is lost when the words are joined again; an ASCII subject is folded at its spaces, unencoded."""

    def fold(self, *, policy) -> str:
        if policy.utf8:  # SMTPUTF8: the subject goes as UTF-8 text, with no encoded words to lose spaces at
            return super().fold(policy=policy)
        value = str(self)
        charset = "us-ascii" if value.isascii() else "utf-8"
        encoded = Header(value, charset, maxlinelen=policy.max_line_length or 78,
                         header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


_headers = HeaderRegistry()
_headers.map_to_type("subject", _Subject)
POLICY = policies.default.clone(header_factory=_headers)


class MailNotConfigured(RuntimeError):
    """No SMTP server is set: messages wait in the outbox until one is."""


def build_message(sender: str, recipient: str, subject: str, text: str, html: str | None = None,
                  attachments: list[tuple[str, Path | bytes]] = ()) -> EmailMessage:
    """`attachments`: a name and the file's path or its bytes (made at send time, as an agenda is)."""
    message = EmailMessage(policy=POLICY)
    # The subject is cleaned here too, not only when a letter is rendered: a message queued before names
    # were cleaned must still go out.
    message["Subject"], message["From"], message["To"] = header_text(subject), sender, recipient
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="hamkor")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for name, path in attachments:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        message.add_attachment(path if isinstance(path, bytes) else path.read_bytes(), maintype=main, subtype=sub,
                               filename=header_text(name))
    return message


def deliver(settings, message: EmailMessage) -> None:
    if not settings.smtp_host:
        raise MailNotConfigured("no SMTP server: set HAMKOR_SMTP_HOST")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as server:
        if settings.smtp_starttls:
            server.starttls()
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password or "")
        server.send_message(message)
