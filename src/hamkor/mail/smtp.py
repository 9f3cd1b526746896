"""Sending one message through the configured SMTP server: plain text, its HTML alternative, attachments."""

from __future__ import annotations

import mimetypes
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path


class MailNotConfigured(RuntimeError):
    """No SMTP server is set: messages wait in the outbox until one is."""


def build_message(sender: str, recipient: str, subject: str, text: str, html: str | None = None,
                  attachments: list[tuple[str, Path]] = ()) -> EmailMessage:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, sender, recipient
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="hamkor")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for name, path in attachments:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        message.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=name)
    return message


def deliver(settings, message: EmailMessage) -> None:
    if not settings.smtp_host:
        raise MailNotConfigured("no SMTP server: set HAMKOR_SMTP_HOST")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as server:
        if settings.smtp_starttls:
            server.starttls()
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password or "")
        server.send_message(message)
