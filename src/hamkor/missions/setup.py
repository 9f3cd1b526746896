"""Setting a mission up: its time grid and venue, the companies taking part, the enterprise visits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from hamkor.accounts.permissions import SYSTEM, Actor
from hamkor.companies.registry import company_name
from hamkor.errors import Refused, reason_of
from hamkor.i18n import Msg
from hamkor.i18n.times import territory_zone
from hamkor.missions import itinerary as routing
from hamkor.missions.base import (
    SIDES,
    MissionConflict,
    MissionError,
    MissionNotFound,
    mission_row,
    now_utc,
    scoped_row,
    side_of_territory,
)
from hamkor.missions.checkin import new_code
from hamkor.missions.grid import GridError, Slot, check_days, slots_overlapping, time_grid
from hamkor.reference.countries import countries
from hamkor.reference.regions import regions
from hamkor.store.db import Database, session_of, unit_of_work
from hamkor.store.models import (
    Company,
    Mission,
    MissionMeeting,
    MissionOrganiser,
    MissionParticipant,
    MissionVisit,
    Organisation,
)


@dataclass
class MissionData:
    name: str = ""
    host_territory: str = ""
    visiting_territory: str = ""
    venue: str | None = None
    city: str | None = None
    timezone: str = "UTC"
    latitude: float | None = None
    longitude: float | None = None
    days: list[dict] = field(default_factory=list)
    slot_minutes: int = 30
    tables: int = 10
    interpreters: list[dict] = field(default_factory=list)
    request_deadline: datetime | None = None
    synthetic: bool = False
    # what participants read in their own language: {"name": {"uz": …, "en": …}, "venue": {…}, "programme": {…}}
    names: dict | None = None
    programme: str | None = None
    sectors: list[str] | None = None  # sector keys the mission looks for
    same_side_meetings: bool = False


def _territory_known(code: str) -> bool:
    return bool(regions().get(code)) if "-" in code else countries().is_known(code)


def validate(data: MissionData) -> tuple[MissionData, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    clean = MissionData(**data.__dict__)
    clean.name = (data.name or "").strip()
    clean.programme = (data.programme or "").strip() or None
    clean.names = {field: {lang: text.strip() for lang, text in (values or {}).items() if (text or "").strip()}
                   for field, values in (data.names or {}).items() if field in ("name", "venue", "programme")} or None
    clean.sectors = [s for s in dict.fromkeys(data.sectors or []) if s] or None
    if not clean.name:
        problems.append(("name", "a mission needs a name"))
    for name in ("host_territory", "visiting_territory"):
        code = (getattr(data, name) or "").strip().upper()
        setattr(clean, name, code)
        if not _territory_known(code):
            problems.append((name, Msg("unknown territory '%(code)s': a country (UZ) or region (RU-ALT, UZ-SI)",
                                       code=code)))
    try:
        ZoneInfo(clean.timezone or "")
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(("timezone", Msg("unknown time zone '%(timezone)s': an IANA name such as Asia/Barnaul",
                                         timezone=clean.timezone)))
    if (clean.latitude is None) != (clean.longitude is None):
        problems.append(("latitude", "give both coordinates of the venue, or neither"))
    elif clean.latitude is not None and not (-90 <= clean.latitude <= 90 and -180 <= clean.longitude <= 180):
        problems.append(("latitude", "coordinates out of range"))
    problems += [("days", p) for p in check_days(clean.days)]
    if not 5 <= int(clean.slot_minutes) <= 240:
        problems.append(("slot_minutes", "a slot lasts 5 to 240 minutes"))
    if int(clean.tables) < 1:
        problems.append(("tables", "at least one table"))
    pools = []
    for n, pool in enumerate(clean.interpreters or [], 1):
        languages = sorted({str(x).strip().lower() for x in pool.get("languages", [])})
        count = pool.get("count", 1)
        if len(languages) != 2 or not all(len(x) == 2 and x.isalpha() for x in languages):
            problems.append(("interpreters", Msg("pool %(n)s: a pair of two-letter languages, e.g. ru and uz", n=n)))
        elif not isinstance(count, int) or count < 0:
            problems.append(("interpreters", Msg("pool %(n)s: the count must be a whole number >= 0", n=n)))
        else:
            pools.append({"languages": languages, "count": count})
    clean.interpreters = pools
    if not problems:
        try:
            if not time_grid(clean.days, int(clean.slot_minutes)):
                problems.append(("slot_minutes", "no slot fits in the days as given"))
        except GridError as problem:
            problems.append(("days", reason_of(problem)))
    if not problems and clean.request_deadline is not None and clean.days:
        # requests close before the mission ends: a deadline after its last day would hold slots long gone
        last = max(date.fromisoformat(str(d["date"])) for d in clean.days)
        closes = clean.request_deadline if clean.request_deadline.tzinfo else clean.request_deadline.replace(
            tzinfo=UTC)
        if closes.astimezone(ZoneInfo(clean.timezone or "UTC")).date() > last:
            problems.append(("request_deadline", Msg("requests must close before the mission ends (%(last)s)",
                                                     last=last.isoformat())))
    return clean, problems


@dataclass
class Person:
    """A participant with its company, as the pages and documents show it."""

    participant: MissionParticipant
    company: Company

    @property
    def id(self) -> int:
        return self.participant.id

    def name(self, lang: str = "ru") -> str:
        return company_name(self.company, lang)

    @property
    def zone(self) -> str | None:
        """The zone the company's people read times in (their territory's), when known."""
        return territory_zone(self.company.region or self.company.country)

    @property
    def language(self) -> str:
        """The language their agenda is printed in: theirs if we print it, else Russian."""
        spoken = self.participant.languages or self.company.languages or []
        if self.participant.side == "visiting" and "uz" in spoken:
            return "uz"
        return next((x for x in spoken if x in ("ru", "uz", "en")), "ru")


class MissionSetup:
    db: Database

    @unit_of_work
    def create(self, data: MissionData, actor: Actor = SYSTEM) -> Mission:
        """A new mission. Staff who act for an organisation make it their organisation's: its owner, on the side
        its territory is on (staff of no organisation, and the server, leave it to the instance's own staff)."""
        clean, problems = validate(data)
        if problems:
            raise MissionError(problems)
        with self.db.session() as session:
            mission = Mission(created_at=now_utc())
            self._apply(mission, clean)
            session.add(mission)
            session.flush()
            if actor.organisation_id is not None and actor.role not in ("admin", "company"):
                organisation = session.get(Organisation, actor.organisation_id)
                side = side_of_territory(mission, organisation.territory) if organisation else None
                if side is None:
                    raise MissionError([("host_territory", "your organisation is on neither side of this mission")])
                session.add(MissionOrganiser(mission_id=mission.id, organisation_id=organisation.id, role="owner",
                                             side=side, invited_by=actor.user_id, created_at=now_utc()))
                session.flush()
            session.refresh(mission)
            return mission

    @unit_of_work
    def update(self, mission_id: int, data: MissionData) -> Mission:
        clean, problems = validate(data)
        if problems:
            raise MissionError(problems)
        with self.db.session() as session:
            mission = mission_row(session, mission_id, lock=True)
            if clean.latitude is None and session.scalar(select(MissionVisit.id).where(
                    MissionVisit.mission_id == mission_id).limit(1)) is not None:
                # the visits' drives are timed from the venue: without it the itinerary and the grid could
                # not be shown, so the mission is never saved that way
                raise MissionError([("latitude", "the mission has site visits: the venue's coordinates are "
                                                 "needed to time them (remove the visits first)")])
            old_grid = {s.id for s in time_grid(mission.days, mission.slot_minutes)}
            new_grid = {s.id for s in time_grid(clean.days, int(clean.slot_minutes))}
            booked = session.scalars(select(MissionMeeting.slot).where(
                MissionMeeting.mission_id == mission_id, MissionMeeting.status != "cancelled")).all()
            lost = sorted({slot for slot in booked if slot not in new_grid})
            if lost and old_grid != new_grid:
                raise MissionError([("days", Msg("meetings are booked in slots the new grid lacks "
                                                 "(%(lost)s%(value)s): cancel or move them first",
                                                 lost=', '.join(lost[:3]), value='…' if len(lost) > 3 else ''))])
            clean.synthetic = mission.synthetic
            self._apply(mission, clean)
            session.flush()
            return mission

    @staticmethod
    def _apply(mission: Mission, clean: MissionData) -> None:
        for name, value in clean.__dict__.items():
            setattr(mission, name, value)
        mission.slot_minutes, mission.tables = int(clean.slot_minutes), int(clean.tables)
        mission.updated_at = now_utc()

    def get(self, mission_id: int) -> Mission | None:
        with self.db.session() as session:
            return session.get(Mission, mission_id)

    def mission(self, mission_id: int) -> Mission:
        """The mission, or MissionNotFound (which every interface shows as "no such mission")."""
        with self.db.session() as session:
            return mission_row(session, mission_id)

    def all(self) -> list[Mission]:
        with self.db.session() as session:
            rows = list(session.scalars(select(Mission).order_by(Mission.id)))
            return rows

    def slots(self, mission: Mission) -> list[Slot]:
        return time_grid(mission.days, mission.slot_minutes)

    @unit_of_work
    def add_participant(self, mission_id: int, company_id: int, side: str, attendees: list[str] | None = None,
                        languages: list[str] | None = None, available: list[str] | None = None,
                        joins_visits: bool | None = None, actor: Actor = SYSTEM,
                        online: bool = False) -> MissionParticipant:
        if side not in SIDES:
            raise MissionError([("side", "host or visiting")])
        with self.db.session() as session:
            mission = mission_row(session, mission_id, lock=True)
            self.check(actor, "mission.participants", mission_id, side=side)
            company = session.get(Company, company_id)
            if company is None:
                raise MissionError([("company", Msg("no company %(company_id)s in the registry",
                                                    company_id=company_id))])
            if session.scalars(select(MissionParticipant).where(MissionParticipant.mission_id == mission_id,
                                                                MissionParticipant.company_id == company_id)).first():
                raise MissionError([("company", Msg("%(company)s already takes part", company=company_name(company)))])
            # an organiser bound to one side adds companies of that side's territory only: else a supporting
            # organiser could bring the other side's company in under their own side, past its organisers (the
            # outsider's find)
            territory = mission.host_territory if side == "host" else mission.visiting_territory
            if self.bound_side(actor, mission_id) is not None and territory not in (company.region, company.country):
                raise Refused([("company", Msg("%(company)s is not a company of your side of the mission",
                                               company=company_name(company)))], "Not allowed.")
            grid = {s.id for s in time_grid(mission.days, mission.slot_minutes)}
            unknown = [s for s in available or [] if s not in grid]
            if unknown:
                raise MissionError([("available", Msg("not slots of this mission: %(unknown)s",
                                                      unknown=', '.join(unknown[:5])))])
            participant = MissionParticipant(
                mission_id=mission_id, company_id=company_id, side=side,
                attendees=[a.strip() for a in attendees or [] if a.strip()],
                languages=sorted({x.strip().lower() for x in (languages or company.languages or []) if x.strip()}),
                available=list(available) if available is not None else None,
                joins_visits=(side == "visiting") if joins_visits is None else joins_visits, absent=False,
                checkin_code=new_code(), online=online)
            session.add(participant)
            session.flush()
            return participant

    @unit_of_work
    def update_participant(self, mission_id: int, participant_id: int, actor: Actor = SYSTEM,
                           **values) -> MissionParticipant:
        allowed = {"attendees", "languages", "available", "joins_visits", "absent", "online"}
        with self.db.session() as session:
            mission = mission_row(session, mission_id, lock=True)
            participant = self._participant_row(session, mission_id, participant_id)
            self.check(actor, "mission.participants", mission_id, side=participant.side)
            if "available" in values and values["available"] is not None:
                grid = {s.id for s in time_grid(mission.days, mission.slot_minutes)}
                unknown = [s for s in values["available"] if s not in grid]
                if unknown:
                    raise MissionError([("available", Msg("not slots of this mission: %(unknown)s",
                                                          unknown=', '.join(unknown[:5])))])
            for key, value in values.items():
                if key not in allowed:
                    raise MissionError([(key, "cannot be changed here")])
                setattr(participant, key, value)
            session.flush()
            return participant

    @staticmethod
    def _participant_row(session, mission_id: int, participant_id: int) -> MissionParticipant:
        return scoped_row(session, MissionParticipant, mission_id, participant_id, "participant",
                          "No such participant.")

    @staticmethod
    def _people(session, *conditions) -> list[Person]:
        rows = session.execute(select(MissionParticipant, Company).join(
            Company, Company.id == MissionParticipant.company_id).where(*conditions).order_by(
            MissionParticipant.side, MissionParticipant.id)).all()
        return [Person(p, c) for p, c in rows]

    def people(self, mission_id: int) -> dict[int, Person]:
        with self.db.session() as session:
            return {p.id: p for p in self._people(session, MissionParticipant.mission_id == mission_id)}

    def person(self, mission_id: int, participant_id: int) -> Person:
        """One participant of this mission, or MissionNotFound."""
        with self.db.session() as session:
            found = self._people(session, MissionParticipant.mission_id == mission_id,
                                 MissionParticipant.id == participant_id)
        if not found:
            raise MissionNotFound([("participant", Msg("no participant %(participant_id)s in mission %(mission_id)s",
                                                       participant_id=participant_id, mission_id=mission_id))],
                                  "No such participant.")
        return found[0]

    def participant_of_company(self, mission_id: int, company_id: int | None) -> Person | None:
        if company_id is None:
            return None
        with self.db.session() as session:
            found = self._people(session, MissionParticipant.mission_id == mission_id,
                                 MissionParticipant.company_id == company_id)
        return found[0] if found else None

    @unit_of_work
    def choose_attendance(self, mission_id: int, participant_id: int, online: bool, actor: Actor = SYSTEM
                          ) -> MissionParticipant:
        """A participant's own choice: on site or online. Before the schedule is published only (a published
        meeting keeps its table or call: the organizers change it and re-plan)."""
        mission = mission_row(session_of(self), mission_id, lock=True)
        if not self.may_act_for(actor, mission_id, participant_id):
            raise Refused([("participant", "you may act only for your own company")])
        participant = self._participant_row(session_of(self), mission_id, participant_id)
        if mission.certificate and bool(participant.online) != online:
            raise MissionConflict([("online", "the schedule is published: ask the organizers to change how you "
                                              "take part")])
        participant.online = online
        return participant

    def may_act_for(self, actor: Actor, mission_id: int, participant_id: int) -> bool:
        """A company representative acts for their own participant only; the mission's organisers (as far as
        `accounts.access.may` grants "mission.request" on it) for anyone."""
        if actor.role == "company":
            mine = self.participant_of_company(mission_id, actor.company_id)
            return mine is not None and mine.id == participant_id
        return actor.may("missions.manage") and self.may(actor, "mission.request", mission_id)

    @unit_of_work
    def add_visit(self, mission_id: int, name: str, latitude: float, longitude: float, opens: str = "09:00",
                  closes: str = "18:00", visit_minutes: int = 60, priority: int = 2, required: bool = False,
                  address: str | None = None, group_size: int | None = None,
                  names: dict[str, str] | None = None) -> MissionVisit:
        problems = []
        if not (name or "").strip():
            problems.append(("name", "a visit needs the enterprise's name"))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            problems.append(("latitude", "coordinates out of range"))
        try:
            if routing.minutes(opens) + visit_minutes > routing.minutes(closes):
                problems.append(("visit_minutes", Msg("a %(visit_minutes)s-minute visit does not fit "
                                                      "%(opens)s–%(closes)s",
                                                      visit_minutes=visit_minutes, opens=opens, closes=closes)))
        except routing.ItineraryError as problem:
            problems.append(("opens", reason_of(problem)))
        if priority not in (1, 2, 3):
            problems.append(("priority", "1 (must), 2 or 3 (if time allows)"))
        if problems:
            raise MissionError(problems)
        with self.db.session() as session:
            mission_row(session, mission_id)
            visit = MissionVisit(mission_id=mission_id, name=name.strip(), address=address, latitude=latitude,
                                 names={k: v.strip() for k, v in (names or {}).items() if (v or "").strip()} or None,
                                 longitude=longitude, opens=opens, closes=closes, visit_minutes=visit_minutes,
                                 group_size=group_size, priority=priority, required=required)
            session.add(visit)
            session.flush()
            return visit

    def visits(self, mission_id: int) -> list[MissionVisit]:
        with self.db.session() as session:
            rows = list(session.scalars(select(MissionVisit).where(MissionVisit.mission_id == mission_id)
                                        .order_by(MissionVisit.planned_date, MissionVisit.arrive, MissionVisit.id)))
            return rows

    @unit_of_work
    def plan_visits(self, mission_id: int, seconds: float = 3.0) -> routing.Itinerary | None:
        """The delegation's itinerary over the mission's days, written onto the visits."""
        mission = self.get(mission_id)
        visits = self.visits(mission_id)
        if mission is None or not visits:
            return None
        if mission.latitude is None:
            raise MissionError([("latitude", "the venue's coordinates are needed to plan the visits")])
        sites = [routing.Site(str(v.id), v.name, v.latitude, v.longitude, routing.minutes(v.opens),
                              routing.minutes(v.closes), v.visit_minutes, v.priority, v.required) for v in visits]
        days = [routing.Day(d["date"], routing.minutes(d["start"]), routing.minutes(d["end"])) for d in mission.days]
        try:
            plan = routing.plan(sites, days, (mission.latitude, mission.longitude), seconds=seconds,
                                step=routing.grid_step(mission.slot_minutes))
        except routing.ItineraryError as problem:
            raise MissionError([("visits", reason_of(problem))]) from None
        where = {stop.site: (day, stop) for day, stops in plan.routes.items() for stop in stops}
        with self.db.session() as session:
            for visit in session.scalars(select(MissionVisit).where(MissionVisit.mission_id == mission_id)):
                day, stop = where.get(str(visit.id), (None, None))
                visit.planned_date = day
                visit.arrive, visit.leave = (stop.arrive, stop.leave) if stop else (None, None)
        return plan

    def away_slots(self, mission: Mission, slots: list[Slot]) -> set[str]:
        """Slots the delegation spends on visits (with the drive out and back), from the planned visits."""
        visits = [v for v in self.visits(mission.id) if v.planned_date]
        by_day: dict[str, list[MissionVisit]] = {}
        for visit in visits:
            by_day.setdefault(visit.planned_date, []).append(visit)
        if not by_day:
            return set()
        if mission.latitude is None or mission.longitude is None:  # no venue to drive from: the visits alone
            return {slot for day, stops in by_day.items() for v in stops
                    for slot in slots_overlapping(slots, day, v.arrive, v.leave)}
        base = (mission.latitude, mission.longitude)
        away = set()
        for day, stops in by_day.items():
            stops.sort(key=lambda v: v.arrive)
            first, last = stops[0], stops[-1]
            sites = [routing.Site("a", "", first.latitude, first.longitude, 0, 1440, 0),
                     routing.Site("b", "", last.latitude, last.longitude, 0, 1440, 0)]
            matrix = routing.travel_matrix(base, sites)
            away.update(slots_overlapping(slots, day, first.arrive - matrix[0][1], last.leave + matrix[2][0]))
        return away
