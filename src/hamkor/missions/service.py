"""Business missions at the edge of the database: set-up, requests, scheduling, re-planning, outcomes.

The scheduler, the itinerary and the grid are pure modules; this one reads a mission into their
plain data, runs them, and writes back what they decided.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select

from hamkor.companies.registry import company_name
from hamkor.missions import itinerary as routing
from hamkor.missions import scheduler
from hamkor.missions.grid import GridError, Slot, check_days, slots_overlapping, time_grid
from hamkor.reference.countries import countries
from hamkor.reference.nomenclature import nomenclature
from hamkor.reference.regions import regions
from hamkor.store.db import Database
from hamkor.store.models import (
    Company,
    Mission,
    MissionMeeting,
    MissionParticipant,
    MissionRequest,
    MissionVisit,
)

PRIORITIES = ("must", "should", "could")
SIDES = ("host", "visiting")
STAGES = ("contact", "negotiation", "contract", "shipment")  # the follow-up funnel, in order
OUTCOME_STATUSES = ("held", "no_show")
Progress = Callable[[float, str], None]


class MissionError(ValueError):
    """What cannot be done to a mission, as (field, reason) pairs a person can act on."""

    def __init__(self, problems: list[tuple[str, str]] | str) -> None:
        if isinstance(problems, str):
            problems = [("mission", problems)]
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in problems))
        self.problems = problems


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were stored as UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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


def _territory_known(code: str) -> bool:
    return bool(regions().get(code)) if "-" in code else countries().is_known(code)


def validate(data: MissionData) -> tuple[MissionData, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    clean = MissionData(**data.__dict__)
    clean.name = (data.name or "").strip()
    if not clean.name:
        problems.append(("name", "a mission needs a name"))
    for name in ("host_territory", "visiting_territory"):
        code = (getattr(data, name) or "").strip().upper()
        setattr(clean, name, code)
        if not _territory_known(code):
            problems.append((name, f"unknown territory {code!r}: a country (UZ) or region (RU-ALT, UZ-SI)"))
    try:
        ZoneInfo(clean.timezone or "")
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(("timezone", f"unknown time zone {clean.timezone!r}: an IANA name such as Asia/Barnaul"))
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
            problems.append(("interpreters", f"pool {n}: a pair of two-letter languages, e.g. ru and uz"))
        elif not isinstance(count, int) or count < 0:
            problems.append(("interpreters", f"pool {n}: the count must be a whole number >= 0"))
        else:
            pools.append({"languages": languages, "count": count})
    clean.interpreters = pools
    if not problems:
        try:
            if not time_grid(clean.days, int(clean.slot_minutes)):
                problems.append(("slot_minutes", "no slot fits in the days as given"))
        except GridError as problem:
            problems.append(("days", str(problem)))
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
    def language(self) -> str:
        """The language their agenda is printed in: theirs if we print it, else Russian."""
        spoken = self.participant.languages or self.company.languages or []
        if self.participant.side == "visiting" and "uz" in spoken:
            return "uz"
        return next((x for x in spoken if x in ("ru", "uz", "en")), "ru")


@dataclass
class RequestView:
    request: MissionRequest
    requester: Person
    target: Person
    mutual: bool  # the other side asked for this meeting too
    expired: bool  # pending past the deadline: no longer blocks slots


@dataclass
class Built:
    """A mission read into the scheduler's instance, with the ways back to its records."""

    instance: scheduler.Instance
    slots: list[Slot]
    request_of: dict[str, MissionRequest]  # instance request id -> the request that stands for the pair
    people: dict[int, Person]
    merged: dict[int, int] = field(default_factory=dict)  # a mutual request -> the one kept for the pair


@dataclass
class FunnelStep:
    stage: str
    meetings: int
    value_usd: float


@dataclass
class Funnel:
    steps: list[FunnelStep]
    scheduled: int
    recorded: int  # meetings with an outcome entered
    no_shows: int
    average_rating: float | None
    synthetic: bool


class Missions:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- set-up -----------------------------------------------------------------------------
    def create(self, data: MissionData) -> Mission:
        clean, problems = validate(data)
        if problems:
            raise MissionError(problems)
        with self.db.session() as session:
            mission = Mission(created_at=_now())
            self._apply(mission, clean)
            session.add(mission)
            session.flush()
            session.refresh(mission)
            session.expunge(mission)
            return mission

    def update(self, mission_id: int, data: MissionData) -> Mission:
        clean, problems = validate(data)
        if problems:
            raise MissionError(problems)
        with self.db.session() as session:
            mission = self._mission(session, mission_id)
            old_grid = {s.id for s in time_grid(mission.days, mission.slot_minutes)}
            new_grid = {s.id for s in time_grid(clean.days, int(clean.slot_minutes))}
            booked = session.scalars(select(MissionMeeting.slot).where(
                MissionMeeting.mission_id == mission_id, MissionMeeting.status != "cancelled")).all()
            lost = sorted({slot for slot in booked if slot not in new_grid})
            if lost and old_grid != new_grid:
                raise MissionError([("days", f"meetings are booked in slots the new grid lacks ({', '.join(lost[:3])}"
                                             f"{'…' if len(lost) > 3 else ''}): cancel or move them first")])
            clean.synthetic = mission.synthetic
            self._apply(mission, clean)
            session.flush()
            session.expunge(mission)
            return mission

    @staticmethod
    def _apply(mission: Mission, clean: MissionData) -> None:
        for name, value in clean.__dict__.items():
            setattr(mission, name, value)
        mission.slot_minutes, mission.tables = int(clean.slot_minutes), int(clean.tables)
        mission.updated_at = _now()

    @staticmethod
    def _mission(session, mission_id: int) -> Mission:
        mission = session.get(Mission, mission_id)
        if mission is None:
            raise MissionError([("id", f"no mission {mission_id}")])
        return mission

    def get(self, mission_id: int) -> Mission | None:
        with self.db.session() as session:
            mission = session.get(Mission, mission_id)
            if mission is not None:
                session.expunge(mission)
            return mission

    def all(self) -> list[Mission]:
        with self.db.session() as session:
            rows = list(session.scalars(select(Mission).order_by(Mission.id)))
            session.expunge_all()
            return rows

    def delete(self, mission_id: int) -> None:
        with self.db.session() as session:
            for model in (MissionMeeting, MissionRequest, MissionVisit, MissionParticipant):
                session.execute(delete(model).where(model.mission_id == mission_id))
            session.execute(delete(Mission).where(Mission.id == mission_id))

    def slots(self, mission: Mission) -> list[Slot]:
        return time_grid(mission.days, mission.slot_minutes)

    # ---- participants and visits ------------------------------------------------------------
    def add_participant(self, mission_id: int, company_id: int, side: str, attendees: list[str] | None = None,
                        languages: list[str] | None = None, available: list[str] | None = None,
                        joins_visits: bool | None = None) -> MissionParticipant:
        if side not in SIDES:
            raise MissionError([("side", "host or visiting")])
        with self.db.session() as session:
            mission = self._mission(session, mission_id)
            company = session.get(Company, company_id)
            if company is None:
                raise MissionError([("company", f"no company {company_id} in the registry")])
            if session.scalars(select(MissionParticipant).where(MissionParticipant.mission_id == mission_id,
                                                                MissionParticipant.company_id == company_id)).first():
                raise MissionError([("company", f"{company_name(company)} already takes part")])
            grid = {s.id for s in time_grid(mission.days, mission.slot_minutes)}
            unknown = [s for s in available or [] if s not in grid]
            if unknown:
                raise MissionError([("available", f"not slots of this mission: {', '.join(unknown[:5])}")])
            participant = MissionParticipant(
                mission_id=mission_id, company_id=company_id, side=side,
                attendees=[a.strip() for a in attendees or [] if a.strip()],
                languages=sorted({x.strip().lower() for x in (languages or company.languages or []) if x.strip()}),
                available=list(available) if available is not None else None,
                joins_visits=(side == "visiting") if joins_visits is None else joins_visits, absent=False)
            session.add(participant)
            session.flush()
            session.expunge(participant)
            return participant

    def update_participant(self, participant_id: int, **values) -> MissionParticipant:
        allowed = {"attendees", "languages", "available", "joins_visits", "absent"}
        with self.db.session() as session:
            participant = session.get(MissionParticipant, participant_id)
            if participant is None:
                raise MissionError([("participant", f"no participant {participant_id}")])
            mission = self._mission(session, participant.mission_id)
            if "available" in values and values["available"] is not None:
                grid = {s.id for s in time_grid(mission.days, mission.slot_minutes)}
                unknown = [s for s in values["available"] if s not in grid]
                if unknown:
                    raise MissionError([("available", f"not slots of this mission: {', '.join(unknown[:5])}")])
            for key, value in values.items():
                if key not in allowed:
                    raise MissionError([(key, "cannot be changed here")])
                setattr(participant, key, value)
            session.flush()
            session.expunge(participant)
            return participant

    def people(self, mission_id: int) -> dict[int, Person]:
        with self.db.session() as session:
            rows = session.execute(select(MissionParticipant, Company).join(
                Company, Company.id == MissionParticipant.company_id).where(
                MissionParticipant.mission_id == mission_id).order_by(MissionParticipant.side,
                                                                      MissionParticipant.id)).all()
            session.expunge_all()
            return {p.id: Person(p, c) for p, c in rows}

    def participant_of_company(self, mission_id: int, company_id: int | None) -> Person | None:
        return next((p for p in self.people(mission_id).values() if p.company.id == company_id), None)

    def add_visit(self, mission_id: int, name: str, latitude: float, longitude: float, opens: str = "09:00",
                  closes: str = "18:00", visit_minutes: int = 60, priority: int = 2, required: bool = False,
                  address: str | None = None, group_size: int | None = None) -> MissionVisit:
        problems = []
        if not (name or "").strip():
            problems.append(("name", "a visit needs the enterprise's name"))
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            problems.append(("latitude", "coordinates out of range"))
        try:
            if routing.minutes(opens) + visit_minutes > routing.minutes(closes):
                problems.append(("visit_minutes", f"a {visit_minutes}-minute visit does not fit {opens}–{closes}"))
        except routing.ItineraryError as problem:
            problems.append(("opens", str(problem)))
        if priority not in (1, 2, 3):
            problems.append(("priority", "1 (must), 2 or 3 (if time allows)"))
        if problems:
            raise MissionError(problems)
        with self.db.session() as session:
            self._mission(session, mission_id)
            visit = MissionVisit(mission_id=mission_id, name=name.strip(), address=address, latitude=latitude,
                                 longitude=longitude, opens=opens, closes=closes, visit_minutes=visit_minutes,
                                 group_size=group_size, priority=priority, required=required)
            session.add(visit)
            session.flush()
            session.expunge(visit)
            return visit

    def visits(self, mission_id: int) -> list[MissionVisit]:
        with self.db.session() as session:
            rows = list(session.scalars(select(MissionVisit).where(MissionVisit.mission_id == mission_id)
                                        .order_by(MissionVisit.planned_date, MissionVisit.arrive, MissionVisit.id)))
            session.expunge_all()
            return rows

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
            plan = routing.plan(sites, days, (mission.latitude, mission.longitude), seconds=seconds)
        except routing.ItineraryError as problem:
            raise MissionError([("visits", str(problem))]) from None
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

    # ---- requests ---------------------------------------------------------------------------
    def request(self, mission_id: int, requester_id: int, target_id: int, priority: str = "should",
                message: str | None = None, user_id: int | None = None, origin: str = "participant",
                status: str = "pending") -> MissionRequest:
        if priority not in PRIORITIES:
            raise MissionError([("priority", "must, should or could")])
        people = self.people(mission_id)
        if requester_id not in people or target_id not in people:
            raise MissionError([("participant", "both sides must take part in this mission")])
        if requester_id == target_id:
            raise MissionError([("target", "a participant cannot ask to meet itself")])
        if people[requester_id].participant.side == people[target_id].participant.side:
            raise MissionError([("target", "B2B meetings pair a host company with a visiting one")])
        with self.db.session() as session:
            existing = session.scalars(select(MissionRequest).where(
                MissionRequest.mission_id == mission_id, MissionRequest.requester_id == requester_id,
                MissionRequest.target_id == target_id,
                MissionRequest.status.in_(("pending", "accepted")))).first()
            if existing is not None:
                raise MissionError([("target", f"already requested (request #{existing.id}, {existing.status})")])
            made = MissionRequest(mission_id=mission_id, requester_id=requester_id, target_id=target_id,
                                  priority=priority, message=(message or "").strip() or None, status=status,
                                  origin=origin, created_by=user_id, created_at=_now(),
                                  answered_at=_now() if status != "pending" else None)
            session.add(made)
            reverse = session.scalars(select(MissionRequest).where(
                MissionRequest.mission_id == mission_id, MissionRequest.requester_id == target_id,
                MissionRequest.target_id == requester_id,
                MissionRequest.status.in_(("pending", "accepted")))).first()
            if reverse is not None:  # both sides asked: that is an answer, and neither request expires
                for found in (made, reverse):
                    if found.status == "pending":
                        found.status, found.answered_at = "accepted", _now()
            session.flush()
            session.expunge(made)
            return made

    def answer(self, request_id: int, accept: bool, now: datetime | None = None) -> MissionRequest:
        with self.db.session() as session:
            found = session.get(MissionRequest, request_id)
            if found is None:
                raise MissionError([("request", f"no request {request_id}")])
            mission = self._mission(session, found.mission_id)
            if found.status != "pending":
                raise MissionError([("request", f"request #{request_id} is {found.status}, not pending")])
            deadline = _aware(mission.request_deadline)
            if deadline and (now or _now()) > deadline:
                raise MissionError([("request", f"request #{request_id} expired at {deadline:%Y-%m-%d %H:%M} UTC")])
            found.status = "accepted" if accept else "declined"
            found.answered_at = now or _now()
            session.flush()
            session.expunge(found)
            return found

    def cancel_request(self, request_id: int) -> None:
        with self.db.session() as session:
            found = session.get(MissionRequest, request_id)
            if found is None:
                raise MissionError([("request", f"no request {request_id}")])
            found.status = "cancelled"
            for meeting in session.scalars(select(MissionMeeting).where(MissionMeeting.request_id == request_id)):
                meeting.status, meeting.updated_at = "cancelled", _now()

    def expire(self, mission_id: int, now: datetime | None = None) -> int:
        """Pending requests past the deadline become expired: they stop blocking slots."""
        with self.db.session() as session:
            mission = self._mission(session, mission_id)
            deadline = _aware(mission.request_deadline)
            if deadline is None or (now or _now()) <= deadline:
                return 0
            stale = list(session.scalars(select(MissionRequest).where(
                MissionRequest.mission_id == mission_id, MissionRequest.status == "pending")))
            for found in stale:
                found.status = "expired"
            return len(stale)

    def requests(self, mission_id: int, now: datetime | None = None) -> list[RequestView]:
        people = self.people(mission_id)
        mission = self.get(mission_id)
        deadline = _aware(mission.request_deadline) if mission else None
        late = deadline is not None and (now or _now()) > deadline
        with self.db.session() as session:
            rows = list(session.scalars(select(MissionRequest).where(MissionRequest.mission_id == mission_id)
                                        .order_by(MissionRequest.id)))
            session.expunge_all()
        live = {(r.requester_id, r.target_id) for r in rows if r.status in ("pending", "accepted")}
        return [RequestView(r, people[r.requester_id], people[r.target_id],
                            r.status in ("pending", "accepted") and (r.target_id, r.requester_id) in live,
                            r.status == "pending" and late) for r in rows]

    # ---- the instance -----------------------------------------------------------------------
    def build(self, mission_id: int, now: datetime | None = None) -> Built:
        """The mission as a scheduler instance: accepted requests, pending ones until the deadline,
        one request for each mutual pair (both asked: it counts as accepted, at the higher priority),
        locked meetings where they are, visits blocking the delegation's slots."""
        mission = self.get(mission_id)
        if mission is None:
            raise MissionError([("id", f"no mission {mission_id}")])
        slots = self.slots(mission)
        index = {s.id: n for n, s in enumerate(slots)}
        people = self.people(mission_id)
        away = self.away_slots(mission, slots)
        participants = {}
        for pid, person in people.items():
            p = person.participant
            available = None if p.available is None else frozenset(index[s] for s in p.available if s in index)
            blocked = frozenset(index[s] for s in away) if p.joins_visits else frozenset()
            participants[str(pid)] = scheduler.Participant(str(pid), frozenset(p.languages or ["ru"]), available,
                                                           blocked)
        views = self.requests(mission_id, now)
        by_pair: dict[frozenset, list[RequestView]] = {}
        for view in views:
            r = view.request
            if r.status == "accepted" or (r.status == "pending" and not view.expired):
                by_pair.setdefault(frozenset((r.requester_id, r.target_id)), []).append(view)
        requests, request_of, merged = [], {}, {}
        rank = {p: n for n, p in enumerate(PRIORITIES)}
        for pair_views in by_pair.values():
            pair_views.sort(key=lambda v: v.request.id)
            kept = pair_views[0].request
            for other in pair_views[1:]:
                merged[other.request.id] = kept.id
            priority = min((v.request.priority for v in pair_views), key=lambda p: rank[p])
            host, guest = sorted((kept.requester_id, kept.target_id), key=lambda i: people[i].participant.side)
            requests.append(scheduler.Request(str(kept.id), str(guest), str(host),
                                              scheduler.PRIORITY_WEIGHTS[priority], priority))
            request_of[str(kept.id)] = kept
        interpreters: dict[tuple[str, str], list[int]] = {}
        for pool in mission.interpreters or []:
            pair = tuple(sorted(pool["languages"]))
            interpreters[pair] = [interpreters.get(pair, [0] * len(slots))[n] + int(pool["count"])
                                  for n in range(len(slots))]
        locked = {}
        for meeting in self.meetings(mission_id):
            key = str(merged.get(meeting.request_id, meeting.request_id))
            if meeting.locked and meeting.status != "cancelled" and key in request_of and meeting.slot in index:
                locked[key] = index[meeting.slot]
        instance = scheduler.Instance([s.id for s in slots], [mission.tables] * len(slots), interpreters,
                                      participants, requests, locked)
        return Built(instance, slots, request_of, people, merged)

    def instance_json(self, mission_id: int, now: datetime | None = None) -> dict:
        """The mission in the scheduler's documented instance format (instance.schema.json)."""
        built = self.build(mission_id, now)
        instance = built.instance
        pools = [{"languages": list(pair), "count": counts[0]} for pair, counts in instance.interpreters.items()]
        return {
            "slots": [s.as_instance_slot() for s in built.slots],
            "tables": instance.tables[0] if instance.tables else 0,
            "interpreters": pools,
            "participants": [{"id": p.id, "languages": sorted(p.languages),
                              **({"available": [instance.slots[s] for s in sorted(p.available)]}
                                 if p.available is not None else {}),
                              **({"blocked": [instance.slots[s] for s in sorted(p.blocked)]} if p.blocked else {})}
                             for p in instance.participants.values()],
            "requests": [{"id": r.id, "a": r.a, "b": r.b, "priority": r.priority, "weight": r.weight}
                         for r in instance.requests],
            "locked": [{"request": rid, "slot": instance.slots[s]} for rid, s in instance.locked.items()],
        }

    # ---- scheduling -------------------------------------------------------------------------
    def meetings(self, mission_id: int) -> list[MissionMeeting]:
        with self.db.session() as session:
            rows = list(session.scalars(select(MissionMeeting).where(MissionMeeting.mission_id == mission_id)
                                        .order_by(MissionMeeting.slot, MissionMeeting.table_no)))
            session.expunge_all()
            return rows

    def schedule(self, mission_id: int, seconds: float = 10.0, workers: int = 1, seed: int | None = 1,
                 now: datetime | None = None, progress: Progress | None = None) -> scheduler.Schedule:
        """Plan the visits, then the B2B grid, and publish it with its certificate."""
        tell = progress or (lambda fraction, message: None)
        if any(m.status in OUTCOME_STATUSES for m in self.meetings(mission_id)):
            raise MissionError("outcomes are recorded already: re-plan the rest instead of scheduling anew")
        tell(0.05, "expiring pending requests past the deadline")
        self.expire(mission_id, now)
        tell(0.1, "planning the enterprise visits")
        self.plan_visits(mission_id)
        tell(0.3, "building the instance")
        built = self.build(mission_id, now)
        tell(0.4, "scheduling the meetings")
        try:
            result = scheduler.schedule(built.instance, seconds, workers, seed)
        except scheduler.InstanceError as problem:
            raise MissionError([("schedule", str(problem))]) from None
        tell(0.9, "publishing")
        self._publish(mission_id, built, result.assignment, {}, result)
        tell(1.0, "done")
        return result

    def _publish(self, mission_id: int, built: Built, assignment: dict[str, int], previous: dict[str, MissionMeeting],
                 result: scheduler.Schedule) -> None:
        """Write the assignment: meetings kept keep their table where they can, others get a free one."""
        instance = built.instance
        taken: dict[int, set[int]] = {}
        tables: dict[str, int] = {}
        for rid, slot in sorted(assignment.items(), key=lambda item: item[0] not in previous):
            old = previous.get(rid)
            used = taken.setdefault(slot, set())
            if old is not None and old.slot == instance.slots[slot] and old.table_no not in used:
                tables[rid] = old.table_no
            else:
                tables[rid] = next(n for n in range(1, instance.tables[slot] + 1) if n not in used)
            used.add(tables[rid])
        by_id = {r.id: r for r in instance.requests}
        with self.db.session() as session:
            current = {str(m.request_id): m for m in session.scalars(
                select(MissionMeeting).where(MissionMeeting.mission_id == mission_id))}
            for rid, meeting in current.items():
                if rid not in assignment and meeting.status == "scheduled":
                    if meeting.locked:
                        continue
                    session.delete(meeting)
            for rid, slot in assignment.items():
                meeting = current.get(rid)
                if meeting is None:
                    meeting = MissionMeeting(mission_id=mission_id, request_id=int(rid), locked=False,
                                             status="scheduled")
                    session.add(meeting)
                meeting.slot, meeting.table_no = instance.slots[slot], tables[rid]
                meeting.interpreter = instance.pairs_for(by_id[rid]) is not None
                meeting.updated_at = _now()
            mission = self._mission(session, mission_id)
            reasons = {rid: reason for rid, reason in result.reasons.items()}
            mission.certificate = {
                "value": result.value, "upper_bound": result.upper_bound, "quality": result.quality,
                "proven_optimal": result.proven_optimal, "requests": len(instance.requests),
                "scheduled": len(assignment), "reasons": reasons,
                "stages": [{"stage": s, "value": v, "seconds": round(t, 3)} for s, v, t in result.stages],
                "run_at": _now().isoformat(timespec="seconds")}
            mission.updated_at = _now()

    def replan(self, mission_id: int, from_slot: str, seconds: float = 10.0, workers: int = 1, seed: int | None = 1,
               now: datetime | None = None) -> scheduler.Replan:
        """After cancellations and no-shows: slots before `from_slot` stay; the rest is re-optimised with
        as few changes to published meetings as possible. Absent participants lose their later meetings."""
        built = self.build(mission_id, now)
        instance = built.instance
        if from_slot not in instance.slots:
            raise MissionError([("from_slot", f"{from_slot!r} is not a slot of this mission")])
        start = instance.slots.index(from_slot)
        previous = {str(m.request_id): m for m in self.meetings(mission_id) if m.status != "cancelled"}
        published = {rid: instance.slots.index(m.slot) for rid, m in previous.items()
                     if rid in built.request_of and m.slot in instance.slots}
        absent = {str(pid) for pid, person in built.people.items() if person.participant.absent}
        try:
            outcome = scheduler.replan(instance, published, start, set(), absent, seconds, workers, seed)
        except scheduler.InstanceError as problem:
            raise MissionError([("replan", str(problem))]) from None
        kept_past = {rid: s for rid, s in published.items() if s < start}
        assignment = {**outcome.schedule.assignment, **kept_past}
        self._publish(mission_id, built, assignment, previous, outcome.schedule)
        return outcome

    def add_meeting(self, mission_id: int, a: int, b: int, slot: str, user_id: int | None = None,
                    lock: bool = True) -> MissionMeeting:
        """An organizer puts a meeting in the grid by hand (accepted at once, locked where it is)."""
        mission = self.get(mission_id)
        if mission is None:
            raise MissionError([("id", f"no mission {mission_id}")])
        slots = {s.id for s in self.slots(mission)}
        if slot not in slots:
            raise MissionError([("slot", f"{slot!r} is not a slot of this mission")])
        people = self.people(mission_id)
        if a not in people or b not in people:
            raise MissionError([("participant", "both sides must take part in this mission")])
        views = [v for v in self.requests(mission_id)
                 if {v.request.requester_id, v.request.target_id} == {a, b}
                 and v.request.status in ("pending", "accepted")]
        existing = views[0].request if views else None
        # every check before anything is written: a refused meeting leaves no request behind
        busy = [m for m in self.meetings(mission_id) if m.slot == slot and m.status != "cancelled"
                and (existing is None or m.request_id != existing.id)]
        request_people = self._request_people(mission_id)
        for m in busy:
            clash = set(request_people.get(m.request_id, ())) & {a, b}
            if clash:
                raise MissionError([("slot", f"{people[clash.pop()].name()} already meets someone at {slot}")])
        if len(busy) >= mission.tables:
            raise MissionError([("slot", f"every table is taken at {slot}")])
        if existing is None:
            chosen = self.request(mission_id, a, b, "must", None, user_id, origin="organizer", status="accepted")
        else:
            chosen = existing
            if chosen.status == "pending":
                self.answer(chosen.id, True)
        pair = {a, b}
        interpreter = not set.intersection(*(set(people[p].participant.languages or []) for p in pair))
        with self.db.session() as session:
            meeting = session.scalars(select(MissionMeeting).where(MissionMeeting.request_id == chosen.id)).first()
            used = {m.table_no for m in busy}
            if meeting is None:
                meeting = MissionMeeting(mission_id=mission_id, request_id=chosen.id, status="scheduled")
                session.add(meeting)
            meeting.slot, meeting.locked, meeting.interpreter = slot, lock, interpreter
            meeting.table_no = next(n for n in range(1, mission.tables + 1) if n not in used)
            meeting.updated_at = _now()
            session.flush()
            session.expunge(meeting)
            return meeting

    def _request_people(self, mission_id: int) -> dict[int, tuple[int, int]]:
        with self.db.session() as session:
            return {rid: (a, b) for rid, a, b in session.execute(select(
                MissionRequest.id, MissionRequest.requester_id, MissionRequest.target_id).where(
                MissionRequest.mission_id == mission_id))}

    def set_lock(self, meeting_id: int, locked: bool) -> MissionMeeting:
        with self.db.session() as session:
            meeting = session.get(MissionMeeting, meeting_id)
            if meeting is None:
                raise MissionError([("meeting", f"no meeting {meeting_id}")])
            meeting.locked, meeting.updated_at = locked, _now()
            session.flush()
            session.expunge(meeting)
            return meeting

    def cancel_meeting(self, meeting_id: int) -> None:
        with self.db.session() as session:
            meeting = session.get(MissionMeeting, meeting_id)
            if meeting is None:
                raise MissionError([("meeting", f"no meeting {meeting_id}")])
            request_id = meeting.request_id
        self.cancel_request(request_id)

    # ---- outcomes ---------------------------------------------------------------------------
    def record_outcome(self, meeting_id: int, status: str, rating: int | None = None, stage: str | None = None,
                       hs_code: str | None = None, value_usd: float | None = None,
                       notes: str | None = None) -> MissionMeeting:
        problems = []
        if status not in OUTCOME_STATUSES:
            problems.append(("status", "held or no_show"))
        if rating is not None and not 1 <= rating <= 5:
            problems.append(("rating", "1 to 5"))
        if stage is not None and stage not in STAGES:
            problems.append(("stage", "contact, negotiation, contract or shipment"))
        if status == "no_show" and (stage or rating):
            problems.append(("stage", "a meeting not held has no rating or follow-up"))
        code = (hs_code or "").replace(" ", "").replace(".", "") or None
        if code and not (code.isdigit() and 2 <= len(code) <= 10 and any(
                nomenclature().get(code, e) for e in ("HS2022", "HS2017"))):
            problems.append(("hs_code", f"unknown HS / TN VED code {hs_code!r}"))
        if value_usd is not None and (not math.isfinite(value_usd) or value_usd < 0):
            problems.append(("value_usd", "a value in USD, zero or more"))
        if problems:
            raise MissionError(problems)
        with self.db.session() as session:
            meeting = session.get(MissionMeeting, meeting_id)
            if meeting is None:
                raise MissionError([("meeting", f"no meeting {meeting_id}")])
            if meeting.status == "cancelled":
                raise MissionError([("status", "this meeting was cancelled")])
            meeting.status, meeting.rating, meeting.stage = status, rating, stage
            meeting.hs_code, meeting.value_usd, meeting.notes = code, value_usd, (notes or "").strip() or None
            meeting.updated_at = _now()
            session.flush()
            session.expunge(meeting)
            return meeting

    def funnel(self, mission_id: int) -> Funnel:
        """Meetings scheduled -> held -> contact -> negotiation -> contract -> shipment: a meeting counts
        in every stage up to the one it reached; value is summed where it is given."""
        mission = self.get(mission_id)
        meetings = [m for m in self.meetings(mission_id) if m.status != "cancelled"]
        held = [m for m in meetings if m.status == "held"]
        steps = [FunnelStep("scheduled", len(meetings), 0.0), FunnelStep("held", len(held), 0.0)]
        for n, stage in enumerate(STAGES):
            reached = [m for m in held if m.stage in STAGES[n:]]
            steps.append(FunnelStep(stage, len(reached), float(sum(m.value_usd or 0.0 for m in reached))))
        ratings = [m.rating for m in held if m.rating]
        return Funnel(steps, len(meetings), len([m for m in meetings if m.status in OUTCOME_STATUSES]),
                      len([m for m in meetings if m.status == "no_show"]),
                      sum(ratings) / len(ratings) if ratings else None, bool(mission and mission.synthetic))
