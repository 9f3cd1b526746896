"""The events of the registry as an iCalendar feed (all-day events: the registry keeps dates)."""

from __future__ import annotations

from datetime import datetime

from hamkor.cooperation.service import Cooperation
from hamkor.render.ics import CalendarEvent, calendar


def events_ics(cooperation: Cooperation, partner: str | None = None, stamp: datetime | None = None,
               base_url: str = "") -> bytes:
    events = []
    for event in cooperation.list("events", partner):
        summary = event.title + (" (demo)" if event.synthetic else "")
        sources = "; ".join(s["title"] + (f" {s['url']}" if s.get("url") else "") for s in event.sources or [])
        description = "\n".join(filter(None, [event.summary, sources and f"Sources: {sources}"]))
        events.append(CalendarEvent(f"coop-event-{event.id}@hamkor", event.start_date,
                                    event.end_date or event.start_date, summary, event.place or "", description,
                                    f"{base_url}/cooperation/events/{event.id}" if base_url else ""))
    return calendar(events, "hamkor — cooperation events", stamp)
