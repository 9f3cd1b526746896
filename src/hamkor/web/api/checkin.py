"""JSON API of the check-in at the venue: the same service calls as the page (`web/pages/checkin.py`)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from hamkor.companies.registry import company_name
from hamkor.web.api._params import StrictIn
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import CheckinKeeper, MissionsDep, RecordId

router = APIRouter(prefix="/api/v1/missions", tags=["missions"], responses=ERROR_RESPONSES)


class CheckInIn(StrictIn):
    code: str = Field(min_length=1, max_length=40, description="As printed on the agenda or badge, or its QR's text")


class ArrivalOut(BaseModel):
    participant_id: int
    company: str
    side: str
    arrived_at: datetime | None
    absent: bool


class CheckInOut(BaseModel):
    participant_id: int
    company: str
    arrived_at: datetime
    already: bool = Field(description="The code had been read before; the first arrival is kept")


@router.post("/{mission_id}/checkin", response_model=CheckInOut)
def check_in(request: Request, viewer: CheckinKeeper, missions: MissionsDep, mission_id: RecordId,
             body: CheckInIn) -> CheckInOut:
    done = missions.check_in(mission_id, body.code, viewer.actor)
    person = missions.person(mission_id, done.participant_id)
    return CheckInOut(participant_id=done.participant_id, company=company_name(person.company),
                      arrived_at=done.arrived_at, already=done.already)


@router.get("/{mission_id}/arrivals", response_model=list[ArrivalOut])
def arrivals(request: Request, viewer: CheckinKeeper, missions: MissionsDep, mission_id: RecordId) -> list[ArrivalOut]:
    """Every participant the viewer follows, with when they arrived (null: not yet)."""
    people = missions.people(mission_id)
    return [ArrivalOut(participant_id=a.participant_id, company=company_name(people[a.participant_id].company),
                       side=a.side, arrived_at=a.arrived_at, absent=a.absent)
            for a in missions.arrivals(mission_id, viewer.actor)]
