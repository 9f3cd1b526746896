"""Each participant's agenda from a schedule, and the same as an iCalendar (RFC 5545) file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hamkor.missions.scheduler import Instance, Schedule


class AgendaError(ValueError):
    """The instance lacks what an agenda needs (slot dates and times)."""


@dataclass(frozen=True)
class Entry:
    start: datetime
    end: datetime
    counterpart: str
    table: int
    interpreter: bool


def _slot_times(slot: dict) -> tuple[datetime, datetime]:
    try:
        day = date.fromisoformat(slot["date"])
        start = datetime.combine(day, datetime.strptime(slot["start"], "%H:%M").time())
        end = datetime.combine(day, datetime.strptime(slot["end"], "%H:%M").time())
    except (KeyError, ValueError):
        raise AgendaError(f"slot {slot.get('id')!r}: agendas need date (YYYY-MM-DD), start and end (HH:MM)") from None
    return start, end


def agenda(instance: Instance, slots: list[dict], result: Schedule, participant: str) -> list[Entry]:
    """The participant's meetings in time order (slots: the instance's slot objects with times)."""
    if participant not in instance.participants:
        raise AgendaError(f"no participant {participant!r}")
    by_id = {r.id: r for r in instance.requests}
    entries = []
    for rid, slot in result.assignment.items():
        request = by_id[rid]
        if participant not in (request.a, request.b):
            continue
        start, end = _slot_times(slots[slot])
        other = request.b if request.a == participant else request.a
        entries.append(Entry(start, end, other, result.tables[rid], instance.pairs_for(request) is not None))
    return sorted(entries, key=lambda e: e.start)


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
    start: datetime  # naive local time, or aware
    end: datetime
    summary: str
    location: str = ""
    description: str = ""


def calendar(events: list[CalendarEvent], name: str, stamp: datetime | None = None, timezone: str | None = None
             ) -> bytes:
    """An iCalendar file. With a time zone, naive local times are written in UTC (no VTIMEZONE
    needed, and every client shows them at the right local hour); without one they stay floating."""
    zone = ZoneInfo(timezone) if timezone else None
    moment = (stamp or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")

    def when(value: datetime) -> str:
        if zone is None and value.tzinfo is None:
            return f"{value:%Y%m%dT%H%M%S}"
        aware = value if value.tzinfo else value.replace(tzinfo=zone)
        return f"{aware.astimezone(UTC):%Y%m%dT%H%M%SZ}"

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//hamkor//B2B agenda//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(name)}"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{moment}", f"DTSTART:{when(event.start)}",
                  f"DTEND:{when(event.end)}", f"SUMMARY:{_escape(event.summary)}"]
        if event.location:
            lines.append(f"LOCATION:{_escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    folded = [part for line in lines for part in _fold(line)]
    return ("\r\n".join(folded) + "\r\n").encode("utf-8")


def to_ics(entries: list[Entry], who: str, event: str, names: dict[str, str] | None = None,
           stamp: datetime | None = None) -> bytes:
    """An iCalendar file of the participant's meetings (local times, as printed on the agenda)."""
    names = names or {}
    events = [CalendarEvent(f"{who}-{entry.start:%Y%m%dT%H%M}-{n}@hamkor", entry.start, entry.end,
                            f"{event}: {names.get(entry.counterpart, entry.counterpart)}"
                            + (" (interpreter)" if entry.interpreter else ""), f"Table {entry.table}")
              for n, entry in enumerate(entries, 1)]
    return calendar(events, f"{event} — {names.get(who, who)}", stamp)
