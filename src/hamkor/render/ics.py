"""iCalendar (RFC 5545) files: agendas, the cooperation events feed. Escaped, folded at 75 octets
without splitting a character, CRLF line ends; timed events in UTC (or floating), all-day ones as
DATE values with the exclusive end the standard asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545, 3.1)."""
    encoded, parts = line.encode("utf-8"), []
    while len(encoded) > 75:
        cut = 75 if not parts else 74
        while cut > 0 and (encoded[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(encoded[:cut].decode("utf-8"))
        encoded = encoded[cut:]
    parts.append(encoded.decode("utf-8"))
    return [parts[0], *(" " + p for p in parts[1:])]


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime | date  # naive local time, aware time, or a date (all day)
    end: datetime | date  # for all-day events the last day itself; written exclusive
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""


def calendar(events: list[CalendarEvent], name: str, stamp: datetime | None = None, timezone: str | None = None
             ) -> bytes:
    """An iCalendar file. With a time zone, naive local times are written in UTC (no VTIMEZONE
    needed, and every client shows them at the right local hour); without one they stay floating."""
    zone = ZoneInfo(timezone) if timezone else None
    moment = (stamp or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")

    def when(value: datetime | date) -> str:
        """What follows the property name: its parameters, a colon and the value."""
        if not isinstance(value, datetime):
            return f";VALUE=DATE:{value:%Y%m%d}"
        if zone is None and value.tzinfo is None:
            return f":{value:%Y%m%dT%H%M%S}"
        aware = value if value.tzinfo else value.replace(tzinfo=zone)
        return f":{aware.astimezone(UTC):%Y%m%dT%H%M%SZ}"

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//hamkor//hamkor//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(name)}"]
    for event in events:
        end = event.end if isinstance(event.end, datetime) else event.end + timedelta(days=1)
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{moment}", f"DTSTART{when(event.start)}",
                  f"DTEND{when(end)}", f"SUMMARY:{_escape(event.summary)}"]
        if event.location:
            lines.append(f"LOCATION:{_escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    folded = [part for line in lines for part in _fold(line)]
    return ("\r\n".join(folded) + "\r\n").encode("utf-8")
