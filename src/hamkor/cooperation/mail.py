"""Reminders as text, and by e-mail when an SMTP server is configured."""

from __future__ import annotations

from hamkor.cooperation.service import Cooperation, Reminders
from hamkor.mail.smtp import build_message, deliver


def reminder_lines(cooperation: Cooperation, reminders: Reminders, lang: str = "ru") -> list[str]:
    names = {kind: cooperation.names(kind, lang) for kind in ("organisations", "people")}

    def who(commitment) -> str:
        parts = [names["organisations"].get(commitment.organisation_id), names["people"].get(commitment.person_id)]
        return ", ".join(p for p in parts if p) or "—"

    lines = []
    for c in reminders.overdue:
        lines.append(f"OVERDUE since {c.due_date}: {c.title} — {who(c)} (commitment {c.id})")
    for c in reminders.due_soon:
        lines.append(f"due {c.due_date}: {c.title} — {who(c)} (commitment {c.id})")
    for e in reminders.upcoming_events:
        mark = " [SYNTHETIC demo]" if e.synthetic else ""
        lines.append(f"event {e.start_date}: {e.title}{f', {e.place}' if e.place else ''} (event {e.id}){mark}")
    for a in reminders.expiring:
        lines.append(f"agreement expires {a.valid_until}: {a.title} (agreement {a.id})")
    return lines


def send(settings, subject: str, lines: list[str], recipients: list[str]) -> None:
    """One plain-text message to the recipients through the configured SMTP server, at once (the command
    line waits for it), not through the outbox."""
    if not settings.smtp_host:
        raise ValueError("no SMTP server: set HAMKOR_SMTP_HOST (and HAMKOR_SMTP_PORT, HAMKOR_SMTP_USER…)")
    if not recipients:
        raise ValueError("no recipients: give --to or set HAMKOR_REMINDERS_TO")
    deliver(settings, build_message(settings.smtp_from, ", ".join(recipients), subject,
                                    "\n".join(lines) + "\n\n— hamkor\n"))
