"""JSON API for business missions under /api/v1/missions: the same service calls as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, field_validator

from hamkor.missions import documents
from hamkor.missions.itinerary import clock
from hamkor.missions.requests import MAX_REQUEST_MESSAGE
from hamkor.missions.service import MissionData, Missions
from hamkor.store.db import as_utc
from hamkor.web.api._params import RecordRef, StrictIn
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import (
    MissionManager,
    MissionRequester,
    MissionsDep,
    MissionViewer,
    ParticipantKeeper,
    RecordId,
)

router = APIRouter(prefix="/api/v1/missions", tags=["missions"], responses=ERROR_RESPONSES)
Lang = Literal["ru", "uz", "en"]


class Day(StrictIn):
    date: str = Field(description="YYYY-MM-DD")
    start: str = Field(examples=["10:00"])
    end: str = Field(examples=["17:00"])
    breaks: list[list[str]] = Field(default=[], examples=[[["13:00", "14:00"]]])


class Pool(StrictIn):
    languages: list[str] = Field(examples=[["ru", "uz"]])
    count: int = Field(1, ge=0, le=1000)


class MissionIn(StrictIn):
    name: str
    host_territory: str = Field(description="A country (ISO 3166-1) or region (ISO 3166-2) code")
    visiting_territory: str = Field(description="A country (ISO 3166-1) or region (ISO 3166-2) code")
    venue: str | None = None
    city: str | None = None
    timezone: str = Field("UTC", description="An IANA time zone name")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    days: list[Day]
    slot_minutes: int = Field(30, ge=1, le=24 * 60)
    tables: int = Field(10, ge=1, le=10_000)
    interpreters: list[Pool] = []
    # JSON has no time type: an ISO 8601 text is the declared form of this one (strict mode would refuse it)
    request_deadline: datetime | None = Field(None, strict=False)


class MissionOut(MissionIn):
    id: int
    synthetic: bool
    certificate: dict | None = None

    @field_validator("request_deadline")
    @classmethod
    def _in_utc(cls, moment: datetime | None) -> datetime | None:
        """SQLite hands back a naive time, stored as UTC: said with its offset, as the schema promises."""
        return as_utc(moment)


def _out(mission) -> MissionOut:
    fields = {k: getattr(mission, k) for k in MissionIn.model_fields}
    return MissionOut(id=mission.id, synthetic=mission.synthetic, certificate=mission.certificate, **fields)


def _data(body: MissionIn) -> MissionData:
    fields = body.model_dump()
    return MissionData(**fields)


@router.get("", response_model=list[MissionOut])
def list_missions(request: Request, viewer: MissionViewer, missions: MissionsDep) -> list[MissionOut]:
    return [_out(m) for m in missions.visible(viewer.actor)]


@router.post("", response_model=MissionOut, status_code=201)
def create_mission(request: Request, viewer: MissionManager, missions: MissionsDep, body: MissionIn) -> MissionOut:
    return _out(missions.create(_data(body), viewer.actor))


@router.get("/{mission_id}", response_model=MissionOut)
def get_mission(request: Request, viewer: MissionViewer, missions: MissionsDep, mission_id: RecordId) -> MissionOut:
    return _out(missions.mission(mission_id))


@router.put("/{mission_id}", response_model=MissionOut)
def update_mission(request: Request, viewer: MissionManager, missions: MissionsDep, mission_id: RecordId,
                   body: MissionIn) -> MissionOut:
    return _out(missions.update(mission_id, _data(body)))


class ParticipantIn(StrictIn):
    company_id: RecordRef
    side: Literal["host", "visiting"]
    attendees: list[str] = []
    languages: list[str] | None = None
    available: list[str] | None = Field(None, description="Slot ids (YYYY-MM-DDTHH:MM); absent = all")
    joins_visits: bool | None = None
    online: bool = Field(False, description="Takes part by video: their meetings are calls and take no table")


class ParticipantOut(BaseModel):
    id: int
    company_id: int
    name: str
    side: str
    attendees: list[str]
    languages: list[str]
    available: list[str] | None
    joins_visits: bool
    absent: bool
    online: bool


def _person_out(person, lang: str = "ru") -> ParticipantOut:
    p = person.participant
    return ParticipantOut(id=p.id, company_id=person.company.id, name=person.name(lang), side=p.side,
                          attendees=p.attendees or [], languages=p.languages or [], available=p.available,
                          joins_visits=p.joins_visits, absent=p.absent, online=bool(p.online))


@router.get("/{mission_id}/participants", response_model=list[ParticipantOut])
def list_participants(request: Request, viewer: MissionViewer, missions: MissionsDep, mission_id: RecordId,
                      lang: Lang = "ru") -> list[ParticipantOut]:
    missions.mission(mission_id)
    side = missions.bound_side(viewer.actor, mission_id)  # a supporting organiser: their side's, as the pages
    return [_person_out(p, lang) for p in missions.people(mission_id).values()
            if side is None or p.participant.side == side]


@router.post("/{mission_id}/participants", response_model=ParticipantOut, status_code=201)
def add_participant(request: Request, viewer: ParticipantKeeper, missions: MissionsDep, mission_id: RecordId,
                    body: ParticipantIn) -> ParticipantOut:
    made = missions.add_participant(mission_id, body.company_id, body.side, body.attendees, body.languages,
                                    body.available, body.joins_visits, actor=viewer.actor, online=body.online)
    return _person_out(missions.person(mission_id, made.id))


class RequestIn(StrictIn):
    requester: RecordRef = Field(description="Participant id of the side asking")
    target: RecordRef
    priority: Literal["must", "should", "could"] = "should"
    message: str | None = Field(None, max_length=MAX_REQUEST_MESSAGE)


class RequestOut(BaseModel):
    id: int
    requester: int
    target: int
    priority: str
    message: str | None
    status: str
    mutual: bool
    expired: bool


def _request_out(view) -> RequestOut:
    r = view.request
    return RequestOut(id=r.id, requester=r.requester_id, target=r.target_id, priority=r.priority, message=r.message,
                      status=r.status, mutual=view.mutual, expired=view.expired)


@router.get("/{mission_id}/requests", response_model=list[RequestOut])
def list_requests(request: Request, viewer: MissionViewer, missions: MissionsDep,
                  mission_id: RecordId) -> list[RequestOut]:
    return [_request_out(v) for v in missions.requests(mission_id, actor=viewer.actor)]


@router.post("/{mission_id}/requests", response_model=RequestOut, status_code=201)
def create_request(request: Request, viewer: MissionRequester, missions: MissionsDep, mission_id: RecordId,
                   body: RequestIn) -> RequestOut:
    missions.mission(mission_id)
    made = missions.request(mission_id, body.requester, body.target, body.priority, body.message, viewer.actor)
    return _request_out(missions.request_view(mission_id, made.id))


class AnswerIn(StrictIn):
    accept: bool


@router.post("/{mission_id}/requests/{request_id}/answer", response_model=RequestOut)
def answer_request(request: Request, viewer: MissionRequester, missions: MissionsDep, mission_id: RecordId,
                   request_id: RecordId,
                   body: AnswerIn) -> RequestOut:
    missions.answer(mission_id, request_id, body.accept, viewer.actor)
    return _request_out(missions.request_view(mission_id, request_id))


class MeetingOut(BaseModel):
    """A meeting of the grid. For a company representative, another company's meeting says only its
    time and table: its sides, status and outcome are null."""

    id: int
    request: int | None = None
    slot: str
    table: int
    visiting: int | None = None
    host: int | None = None
    interpreter: bool | None = None
    locked: bool
    status: str | None = None
    rating: int | None = None
    stage: str | None = None
    hs_code: str | None = None
    value_usd: float | None = None


class ScheduleOut(BaseModel):
    certificate: dict | None
    meetings: list[MeetingOut]


def _schedule_out(missions: Missions, mission_id: int, actor=None) -> ScheduleOut:
    """The grid as the actor may see it: a representative gets every meeting's time and table, but the
    sides and outcome of their own meetings only, and the certificate's reasons for their own requests."""
    pairs = documents.sides(missions, mission_id)
    sight = missions.sight(mission_id, actor)
    meetings = []
    for m in documents.live_meetings(missions, mission_id):
        if m.request_id not in pairs:
            continue
        visiting, host = pairs[m.request_id]
        if sight.sees(visiting.id, host.id):
            meetings.append(MeetingOut(id=m.id, request=m.request_id, slot=m.slot, table=m.table_no,
                                       visiting=visiting.id, host=host.id, interpreter=m.interpreter, locked=m.locked,
                                       status=m.status, rating=m.rating, stage=m.stage, hs_code=m.hs_code,
                                       value_usd=m.value_usd))
        else:
            meetings.append(MeetingOut(id=m.id, slot=m.slot, table=m.table_no, locked=m.locked))
    certificate = missions.get(mission_id).certificate
    if certificate and not sight.everything:
        own = {str(v.request.id) for v in missions.requests(mission_id, actor=actor)
               if sight.sees(v.requester.id, v.target.id)}
        certificate = {**certificate, "reasons": {rid: why for rid, why in certificate.get("reasons", {}).items()
                                                  if rid in own}}
    return ScheduleOut(certificate=certificate, meetings=meetings)


@router.get("/{mission_id}/schedule", response_model=ScheduleOut)
def get_schedule(request: Request, viewer: MissionViewer, missions: MissionsDep, mission_id: RecordId) -> ScheduleOut:
    missions.mission(mission_id)
    return _schedule_out(missions, mission_id, viewer.actor)


@router.post("/{mission_id}/schedule", response_model=ScheduleOut)
def run_schedule(request: Request, viewer: MissionManager, missions: MissionsDep, mission_id: RecordId,
                 seconds: Annotated[float, Query(ge=0, le=120)] = 10.0) -> ScheduleOut:
    """Plan the visits and the B2B grid now (at most `seconds` of CP-SAT); returns the certificate."""
    missions.mission(mission_id)
    missions.schedule(mission_id, seconds)
    return _schedule_out(missions, mission_id)


class ReplanIn(StrictIn):
    from_slot: str = Field(description="Slots before this one stay as they were")


@router.post("/{mission_id}/replan", response_model=ScheduleOut)
def replan(request: Request, viewer: MissionManager, missions: MissionsDep, mission_id: RecordId,
           body: ReplanIn) -> ScheduleOut:
    missions.mission(mission_id)
    missions.replan(mission_id, body.from_slot)
    return _schedule_out(missions, mission_id)


class MeetingIn(StrictIn):
    visiting: RecordRef
    host: RecordRef
    slot: str
    locked: bool = True


@router.post("/{mission_id}/meetings", response_model=ScheduleOut, status_code=201)
def add_meeting(request: Request, viewer: MissionManager, missions: MissionsDep, mission_id: RecordId,
                body: MeetingIn) -> ScheduleOut:
    missions.mission(mission_id)
    missions.add_meeting(mission_id, body.visiting, body.host, body.slot, viewer.actor, body.locked)
    return _schedule_out(missions, mission_id)


class OutcomeIn(StrictIn):
    status: Literal["held", "no_show"]
    rating: int | None = Field(None, ge=1, le=5)
    stage: Literal["contact", "negotiation", "contract", "shipment"] | None = None
    hs_code: str | None = None
    value_usd: float | None = Field(None, ge=0)
    notes: str | None = None


@router.put("/{mission_id}/meetings/{meeting_id}/outcome", response_model=MeetingOut)
def record_outcome(request: Request, viewer: MissionManager, missions: MissionsDep, mission_id: RecordId,
                   meeting_id: RecordId,
                   body: OutcomeIn) -> MeetingOut:
    missions.record_outcome(mission_id, meeting_id, body.status, body.rating, body.stage, body.hs_code, body.value_usd,
                            body.notes)
    return next(m for m in _schedule_out(missions, mission_id).meetings if m.id == meeting_id)


class FunnelStepOut(BaseModel):
    stage: str
    meetings: int
    value_usd: float


class FunnelOut(BaseModel):
    steps: list[FunnelStepOut]
    scheduled: int
    recorded: int
    no_shows: int
    average_rating: float | None
    synthetic: bool


@router.get("/{mission_id}/funnel", response_model=FunnelOut)
def funnel(request: Request, viewer: MissionViewer, missions: MissionsDep, mission_id: RecordId) -> FunnelOut:
    missions.mission(mission_id)
    result = missions.funnel(mission_id, viewer.actor)
    return FunnelOut(steps=[FunnelStepOut(**s.__dict__) for s in result.steps], scheduled=result.scheduled,
                     recorded=result.recorded, no_shows=result.no_shows, average_rating=result.average_rating,
                     synthetic=result.synthetic)


class VisitOut(BaseModel):
    id: int
    name: str
    address: str | None
    latitude: float
    longitude: float
    priority: int
    date: str | None
    arrive: str | None
    leave: str | None


@router.get("/{mission_id}/itinerary", response_model=list[VisitOut])
def itinerary(request: Request, viewer: MissionViewer, missions: MissionsDep, mission_id: RecordId) -> list[VisitOut]:
    missions.mission(mission_id)
    return [VisitOut(id=v.id, name=v.name, address=v.address, latitude=v.latitude, longitude=v.longitude,
                     priority=v.priority, date=v.planned_date,
                     arrive=clock(v.arrive) if v.arrive is not None else None,
                     leave=clock(v.leave) if v.leave is not None else None)
            for v in missions.visits(mission_id)]
