"""What a mission prints: each participant's agenda (PDF, iCalendar), per-table sheets, the
organizer's grid (meetings and visits in one calendar) and a workbook (XLSX)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from hamkor.companies.classify import uz_to_latin
from hamkor.i18n import Msg
from hamkor.i18n.numbers import short_date
from hamkor.i18n.times import hours_text, local_moment, zone_difference, zone_text
from hamkor.missions.base import mission_text
from hamkor.missions.checkin import code_text, qr_svg
from hamkor.missions.grid import Slot
from hamkor.missions.itinerary import clock
from hamkor.missions.phrases import LABELS, label
from hamkor.missions.service import MissionError, Missions, Person, Sight
from hamkor.render import pdf
from hamkor.render.ics import CalendarEvent, calendar
from hamkor.render.sheets import append_row
from hamkor.store.db import as_utc
from hamkor.store.models import Mission, MissionMeeting


@dataclass
class AgendaItem:
    date: str
    start: int
    end: int
    kind: str  # meeting | visit
    title: str  # the counterpart, or the enterprise visited
    table: int | None = None
    interpreter: bool = False
    attendees: list[str] = field(default_factory=list)
    place: str = ""
    key: str = ""  # what it is, whatever its time: a calendar entry keeps this identity when it moves
    online: bool = False  # a call: no table, and its link (where the instance has a video server)
    link: str | None = None

    @property
    def hours(self) -> str:
        return f"{clock(self.start)}–{clock(self.end)}"


@dataclass
class Cell:
    meeting: MissionMeeting | DraftMeeting
    guest: Person | None  # None: a meeting the viewer may not see (the table is taken, no more)
    host: Person | None


@dataclass
class GridRow:
    slot: Slot
    cells: list[Cell | None]  # one per table
    away: bool  # the delegation is on visits in this slot
    calls: list[Cell] = field(default_factory=list)  # the slot's online meetings (no table), those the viewer sees


def _minutes_of(slot_id: str) -> tuple[str, int]:
    day, _, hours = slot_id.partition("T")
    h, m = hours.split(":")
    return day, int(h) * 60 + int(m)


def live_meetings(missions: Missions, mission_id: int) -> list[MissionMeeting]:
    return [m for m in missions.meetings(mission_id) if m.status != "cancelled"]


def sides(missions: Missions, mission_id: int, people: dict[int, Person] | None = None,
          views: list | None = None) -> dict[int, tuple[Person, Person]]:
    """Request id -> (visiting side, host side), from the people and requests given when the caller has them."""
    people = people if people is not None else missions.people(mission_id)
    pairs = {}
    for view in views if views is not None else missions.requests(mission_id, people=people):
        first, second = view.requester, view.target
        guest, host = (first, second) if first.participant.side == "visiting" else (second, first)
        pairs[view.request.id] = (guest, host)
    return {rid: pair for rid, pair in pairs.items() if pair[0].id in people and pair[1].id in people}


@dataclass
class MissionRecords:
    """What every agenda of a mission reads, read once for all of them."""

    people: dict[int, Person]
    pairs: dict[int, tuple[Person, Person]]
    meetings: list[MissionMeeting]
    visits: list

    @classmethod
    def load(cls, missions: Missions, mission: Mission) -> MissionRecords:
        people = missions.people(mission.id)
        return cls(people, sides(missions, mission.id, people), live_meetings(missions, mission.id),
                   [v for v in missions.visits(mission.id) if v.planned_date])


def participant_agenda(missions: Missions, mission: Mission, participant_id: int, lang: str,
                       records: MissionRecords | None = None) -> list[AgendaItem]:
    records = records or MissionRecords.load(missions, mission)
    if participant_id not in records.people:
        raise MissionError([("participant", Msg("no participant %(participant_id)s in this mission",
                                                participant_id=participant_id))])
    me = records.people[participant_id]
    slot_length = mission.slot_minutes
    items = []
    for meeting in records.meetings:
        guest, host = records.pairs.get(meeting.request_id, (None, None))
        if participant_id not in (getattr(guest, "id", None), getattr(host, "id", None)):
            continue
        other = host if guest.id == participant_id else guest
        day, start = _minutes_of(meeting.slot)
        online = not meeting.table_no  # a side online: a call, which takes no table
        items.append(AgendaItem(day, start, start + slot_length, "meeting", other.name(lang), meeting.table_no or None,
                                meeting.interpreter, list(other.participant.attendees or []),
                                key=f"request{meeting.request_id}", online=online,
                                link=missions.call_url(mission.id, meeting.request_id) if online else None))
    if me.participant.joins_visits:
        for visit in records.visits:
            items.append(AgendaItem(visit.planned_date, visit.arrive, visit.leave, "visit",
                                    (visit.names or {}).get(lang) or visit.name, place=visit.address or "",
                                    key=f"visit{visit.id}"))
    return sorted(items, key=lambda i: (i.date, i.start))


def _environment() -> Environment:
    return Environment(loader=PackageLoader("hamkor.missions", "templates"), autoescape=select_autoescape(["j2"]))


def _labels(lang: str) -> dict[str, str]:

    return {key: label(key, lang) for key in LABELS}


def agenda_html(missions: Missions, mission: Mission, participant_ids: list[int], lang: str | None = None) -> str:
    """Agendas, one page each, in each participant's language unless one is given."""
    records = MissionRecords.load(missions, mission)
    pages = []
    for pid in participant_ids:
        person = records.people.get(pid)
        if person is None:
            raise MissionError([("participant", Msg("no participant %(pid)s in this mission", pid=pid))])
        language = lang or person.language
        items = participant_agenda(missions, mission, pid, language, records)
        code = person.participant.checkin_code or missions.checkin_code(mission.id, pid)
        pages.append({"person": person, "name": person.name(language), "lang": language,
                      "title": mission_text(mission, "name", language),
                      "venue": mission_text(mission, "venue", language),
                      "labels": _labels(language), "entries": items,
                      "code": code_text(code), "qr": Markup(qr_svg(code)),
                      "zone": zone_line(mission, person, language),
                      "days": sorted({i.date for i in items}),
                      "day_text": {i.date: short_date(date.fromisoformat(i.date), language) for i in items}})
    day_number = {d["date"]: n for n, d in enumerate(sorted(mission.days, key=lambda d: d["date"]), 1)}
    return _environment().get_template("agenda.html.j2").render(mission=mission, pages=pages, running_footer=True,
                                                                day_number=day_number, fonts=pdf.font_urls())


def agenda_pdf(missions: Missions, mission: Mission, participant_ids: list[int], lang: str | None = None) -> bytes:
    return pdf.html_to_pdf(agenda_html(missions, mission, participant_ids, lang))


@dataclass
class AgendaBundle:
    """Every agenda of a mission: the combined file and one file per participant, from one rendering."""

    combined: bytes
    each: dict[int, bytes]  # participant id -> that participant's pages

    def zip(self, names: dict[int, str]) -> bytes:
        """One archive: the combined file, then each participant's under the name given for it."""
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("agendas-all.pdf", self.combined)
            for pid, body in self.each.items():
                archive.writestr(f"{names.get(pid, f'agenda-{pid}')}.pdf", body)
        return buffer.getvalue()


def agenda_bundle(missions: Missions, mission: Mission, lang: str | None = None, progress=None) -> AgendaBundle:
    """One document is laid out (WeasyPrint's start-up, fonts and layout paid once), then written whole and
    cut into each participant's pages: 85 agendas take seconds, not the minute 85 renderings took."""
    people = list(missions.people(mission.id))
    document = pdf.render_document(agenda_html(missions, mission, people, lang))
    if progress:
        progress(0.4)
    starts = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("agenda-"):
                starts.setdefault(int(anchor.removeprefix("agenda-")), index)
    order = sorted(starts.items(), key=lambda item: item[1])
    bounds = {pid: (start, order[n + 1][1] if n + 1 < len(order) else len(document.pages))
              for n, (pid, start) in enumerate(order)}
    combined = document.write_pdf()
    each = {}
    for n, pid in enumerate(people):
        first, last = bounds[pid]
        each[pid] = document.copy(document.pages[first:last]).write_pdf()
        if progress:
            progress(0.5 + 0.5 * (n + 1) / len(people))
    return AgendaBundle(combined, each)


@dataclass
class DraftMeeting:
    """A meeting of the draft schedule, as the grid shows it: not in the database until the draft is published."""

    request_id: int
    slot: str
    table_no: int
    interpreter: bool
    locked: bool = False
    id: None = None
    status: str = "draft"


def draft_meetings(missions: Missions, mission: Mission) -> list[DraftMeeting]:
    locked = {m.request_id for m in live_meetings(missions, mission.id) if m.locked}
    return [DraftMeeting(int(m["request"]), m["slot"], m["table"], m["interpreter"], int(m["request"]) in locked)
            for m in (mission.draft or {}).get("meetings", [])]


def grid(missions: Missions, mission: Mission, sight: Sight | None = None, draft: bool = False) -> list[GridRow]:
    """The grid: a row per slot, a cell per table, and whether the delegation is away. Under a limited
    sight, a meeting the viewer is not in shows only that its table is taken (a cell without sides). With
    `draft`, the mission's draft schedule instead of the published one (organizers look at it before it is
    published)."""
    slots = missions.slots(mission)
    pairs = sides(missions, mission.id)
    away = missions.away_slots(mission, slots)
    by_slot: dict[str, dict[int, Cell]] = {}
    calls: dict[str, list[Cell]] = {}
    for meeting in (draft_meetings(missions, mission) if draft else live_meetings(missions, mission.id)):
        if meeting.request_id in pairs:
            guest, host = pairs[meeting.request_id]
            shown = sight is None or sight.sees(guest.id, host.id)
            if not meeting.table_no:  # a call takes no table: listed beside the tables, to those in it
                if shown:
                    calls.setdefault(meeting.slot, []).append(Cell(meeting, guest, host))
                continue
            by_slot.setdefault(meeting.slot, {})[meeting.table_no] = (
                Cell(meeting, guest, host) if shown else Cell(meeting, None, None))
    return [GridRow(slot, [by_slot.get(slot.id, {}).get(n) for n in range(1, mission.tables + 1)], slot.id in away,
                    calls.get(slot.id, [])) for slot in slots]


def table_sheets_html(missions: Missions, mission: Mission, lang: str = "ru") -> str:
    rows = grid(missions, mission)
    sheets = [{"table": n + 1, "rows": [(row.slot, row.cells[n]) for row in rows]} for n in range(mission.tables)]
    return _environment().get_template("tables.html.j2").render(mission=mission, sheets=sheets, lang=lang,
                                                                labels=_labels(lang), fonts=pdf.font_urls())


def table_sheets_pdf(missions: Missions, mission: Mission, lang: str = "ru") -> bytes:
    return pdf.html_to_pdf(table_sheets_html(missions, mission, lang))


def _local(day: str, minutes: int) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(minutes // 60, minutes % 60))


def zone_line(mission: Mission, person, lang: str) -> str:
    """'Время — Барнаул, UTC+7; ваше — Ташкент, UTC+5 (на 2 ч меньше)': which clock the agenda's times are on."""
    first = _first_moment(mission)
    line = label("times_in", lang).format(zone=zone_text(mission.timezone, lang, first))
    ahead = zone_difference(mission.timezone, person.zone, first)
    if ahead is not None:
        hours = hours_text(ahead)
        line += " " + label("your_zone_behind" if ahead < 0 else "your_zone_ahead", lang).format(
            zone=zone_text(person.zone, lang, first), hours=hours)
    return line


def _first_moment(mission: Mission) -> datetime | None:
    """The mission's first day at noon, local: the offsets the agenda names are those of its days."""
    if not mission.days:
        return None
    first = min(d["date"] for d in mission.days)
    return local_moment(datetime.combine(date.fromisoformat(first), time(12)), mission.timezone)


def participant_ics(missions: Missions, mission: Mission, participant_id: int, lang: str | None = None,
                    stamp: datetime | None = None, site_url: str = "") -> bytes:
    """The participant's meetings and visits, at the mission's local times written in UTC, titled and
    described in their language. Each entry's identity is the meeting's request (or the visit), so a
    re-plan that moves a meeting updates the entry in the calendar instead of shifting every later one."""
    person = missions.people(mission.id).get(participant_id)
    if person is None:
        raise MissionError([("participant", Msg("no participant %(participant_id)s in this mission",
                                                participant_id=participant_id))])
    language = lang or person.language
    title = mission_text(mission, "name", language) or mission.name
    # a calendar shows each entry in its owner's own zone already: the description names the mission's zone
    # only (an "add two hours" note there would be applied twice)
    zone_note = label("times_in", language).format(
        zone=zone_text(mission.timezone, language, _first_moment(mission)))
    link = f"{site_url}/space/{mission.id}?lang={language}" if site_url else ""
    events = []
    for item in participant_agenda(missions, mission, participant_id, language):
        if item.kind == "meeting":
            summary = f"{item.title} — {title}"  # the counterpart first: a phone's calendar cuts the end
            if item.online:  # the call's link: in this participant's own feed only, never a shared one
                location = item.link or label("online", language)
            else:
                location = f"{mission_text(mission, 'venue', language) or ''}, {label('table', language)} {item.table}"
            lines = [f"{label('counterpart', language)}: {item.title}"]
            if item.attendees:
                lines.append(f"{label('attendees', language)}: {', '.join(item.attendees)}")
            lines.append(f"{label('online', language)}: {item.link or '—'}" if item.online
                         else f"{label('table', language)}: {item.table}")
            if item.interpreter:
                lines.append(f"{label('interpreter', language)}: {label('yes', language)}")
        else:
            summary, location = f"{label('visit', language)}: {item.title}", item.place
            lines = [f"{label('visit', language)}: {item.title}"] + ([item.place] if item.place else [])
        lines.append(zone_note)
        if link:
            lines.append(link)
        events.append(CalendarEvent(f"mission{mission.id}-p{participant_id}-{item.key}@hamkor",
                                    _local(item.date, item.start), _local(item.date, item.end), summary,
                                    location.strip(", "), "\n".join(lines), link))
    return calendar(events, f"{title} — {person.name(language)}", stamp, mission.timezone)


def participants_workbook(missions: Missions, mission: Mission, lang: str = "ru", side: str | None = None) -> bytes:
    """The mission's participants, one row each (one side's only, for an organiser bound to it): company, region,
    side, on site or online, attendees, languages, sectors, check-in code, arrival and live meetings."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    ws = book.active
    ws.title = label("participants", lang)[:31]
    if mission.synthetic:
        ws.append([label("synthetic", lang)])
        ws["A1"].font, ws["A1"].fill = Font(bold=True), PatternFill("solid", fgColor="FEF3C7")
    headers = [label(key, lang) for key in ("company", "region", "side", "attendance", "attendees", "languages",
                                            "sectors", "code", "arrived", "meeting_count")]
    headers[8] += f" ({zone_text(mission.timezone, lang)})"  # a time read names its zone
    ws.append(headers)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    people = missions.people(mission.id)
    pairs = sides(missions, mission.id, people)
    meetings: dict[int, int] = {}
    for meeting in live_meetings(missions, mission.id):
        for person in pairs.get(meeting.request_id, ()):
            meetings[person.id] = meetings.get(person.id, 0) + 1
    zone = ZoneInfo(mission.timezone)
    for person in people.values():
        p = person.participant
        if side is not None and p.side != side:
            continue
        arrived = as_utc(p.arrived_at).astimezone(zone).strftime("%Y-%m-%d %H:%M") if p.arrived_at else ""
        append_row(ws, [person.name(lang), person.company.region or person.company.country, label(p.side, lang),
                        label("online_short" if p.online else "on_site", lang), "; ".join(p.attendees or []),
                        ", ".join(p.languages or person.company.languages or []),
                        ", ".join(person.company.sectors or []), code_text(p.checkin_code), arrived,
                        meetings.get(person.id, 0)])
    for column in ws.columns:
        width = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(50, max(10, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook(missions: Missions, mission: Mission, lang: str = "ru") -> bytes:
    """Meetings, the grid, requests left out with their reasons, visits and outcomes, one sheet each."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    bold = Font(bold=True)
    warn = PatternFill("solid", fgColor="FEF3C7")

    def sheet(title: str, headers: list[str], rows: list[list]):
        ws = book.create_sheet(title)
        if mission.synthetic:
            ws.append([label("synthetic", lang)])
            ws["A1"].font, ws["A1"].fill = bold, warn
        ws.append(headers)
        for cell in ws[ws.max_row]:
            cell.font = bold
        for row in rows:
            append_row(ws, row)
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
        return ws

    book.remove(book.active)
    pairs = sides(missions, mission.id)
    meetings = live_meetings(missions, mission.id)
    slot_length = mission.slot_minutes
    rows = []
    for m in meetings:
        guest, host = pairs[m.request_id]
        day, start = _minutes_of(m.slot)
        rows.append([day, f"{clock(start)}–{clock(start + slot_length)}", m.table_no or label("online", lang),
                     guest.name(lang), host.name(lang), "yes" if m.interpreter else "", "yes" if m.locked else "",
                     m.status])
    sheet("Meetings", ["date", "time", "table", "visiting company", "host company", "interpreter", "locked",
                       "status"], rows)
    grid_rows = []
    for row in grid(missions, mission):
        grid_rows.append([row.slot.date, row.slot.label, *[
            f"{c.guest.name(lang)} ↔ {c.host.name(lang)}{' (i)' if c.meeting.interpreter else ''}" if c else
            ("— visits —" if row.away else "") for c in row.cells]])
    ws = sheet("Grid", ["date", "time", *[f"table {n}" for n in range(1, mission.tables + 1)]], grid_rows)
    for line in ws.iter_rows(min_row=2):
        for cell in line[2:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    reasons = (mission.certificate or {}).get("reasons", {})
    views = {str(v.request.id): v for v in missions.requests(mission.id)}
    sheet("Left out", ["request", "from", "to", "priority", "reason"],
          [[rid, views[rid].requester.name(lang), views[rid].target.name(lang), views[rid].request.priority, reason]
           for rid, reason in reasons.items() if rid in views])
    sheet("Visits", ["enterprise", "address", "date", "arrive", "leave", "priority", "planned"],
          [[v.name, v.address or "", v.planned_date or "", clock(v.arrive) if v.arrive is not None else "",
            clock(v.leave) if v.leave is not None else "", v.priority, "yes" if v.planned_date else "dropped"]
           for v in missions.visits(mission.id)])
    sheet("Outcomes", ["date/time", "visiting company", "host company", "status", "rating", "stage", "HS code",
                       "value USD"],
          [[m.slot, pairs[m.request_id][0].name(lang), pairs[m.request_id][1].name(lang), m.status, m.rating,
            m.stage, m.hs_code, m.value_usd] for m in meetings])
    funnel = missions.funnel(mission.id)
    sheet("Funnel", ["stage", "meetings", "value USD"], [[s.stage, s.meetings, s.value_usd] for s in funnel.steps])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_slug(text: str, limit: int = 60) -> str:
    """A name for a downloaded file that says whose it is: Latin letters, digits and dashes."""
    latin = uz_to_latin(text or "")
    slug = re.sub(r"[^a-z0-9]+", "-", latin.lower()).strip("-")
    return slug[:limit].rstrip("-") or "document"
