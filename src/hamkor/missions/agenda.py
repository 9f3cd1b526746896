"""Each participant's agenda from a schedule, and the same as an iCalendar (RFC 5545) file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hamkor.i18n import Msg
from hamkor.missions.scheduler import Instance, Schedule
from hamkor.render.ics import CalendarEvent, calendar


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
        raise AgendaError(Msg("slot '%(value)s': agendas need date (YYYY-MM-DD), start and end (HH:MM)",
                              value=slot.get('id'))) from None
    return start, end


def agenda(instance: Instance, slots: list[dict], result: Schedule, participant: str) -> list[Entry]:
    """The participant's meetings in time order (slots: the instance's slot objects with times)."""
    if participant not in instance.participants:
        raise AgendaError(Msg("no participant '%(participant)s'", participant=participant))
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


def to_ics(entries: list[Entry], who: str, event: str, names: dict[str, str] | None = None,
           stamp: datetime | None = None) -> bytes:
    """An iCalendar file of the participant's meetings (local times, as printed on the agenda)."""
    names = names or {}
    events = [CalendarEvent(f"{who}-{entry.start:%Y%m%dT%H%M}-{n}@hamkor", entry.start, entry.end,
                            f"{event}: {names.get(entry.counterpart, entry.counterpart)}"
                            + (" (interpreter)" if entry.interpreter else ""), f"Table {entry.table}")
              for n, entry in enumerate(entries, 1)]
    return calendar(events, f"{event} — {names.get(who, who)}", stamp)
