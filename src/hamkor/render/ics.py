"""iCalendar (RFC 5545) files: agendas, the cooperation events feed. The `icalendar` package escapes,
folds and types the values; this module decides what goes in: timed events in UTC (or floating), all-day
ones as DATE values with the exclusive end the standard asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event


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
    moment = (stamp or datetime.now(UTC)).replace(microsecond=0)

    def when(value: datetime | date) -> datetime | date:
        if not isinstance(value, datetime) or (zone is None and value.tzinfo is None):
            return value
        aware = value if value.tzinfo else value.replace(tzinfo=zone)
        return aware.astimezone(UTC)

    book = Calendar()
    book.add("prodid", "-//hamkor//hamkor//EN")
    book.add("version", "2.0")
    book.add("calscale", "GREGORIAN")
    book.add("x-wr-calname", name)
    for event in events:
        end = event.end if isinstance(event.end, datetime) else event.end + timedelta(days=1)
        entry = Event()
        entry.add("uid", event.uid)
        entry.add("dtstamp", moment.astimezone(UTC))
        entry.add("dtstart", when(event.start))
        entry.add("dtend", when(end))
        entry.add("summary", event.summary)
        if event.location:
            entry.add("location", event.location)
        if event.description:
            entry.add("description", event.description)
        if event.url:
            entry.add("url", event.url)
        book.add_component(entry)
    return book.to_ical()
