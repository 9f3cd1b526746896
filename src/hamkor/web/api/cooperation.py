"""JSON API for the cooperation registry under /api/v1/cooperation: the pages' service calls."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor

from hamkor.cooperation.calendar import events_ics
from hamkor.cooperation.records import KINDS, to_plain
from hamkor.cooperation.service import is_overdue
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import CoopDeleter, CoopEditor, CooperationDep, CoopViewer, RecordId, Today


class RecordKind(Convertor):
    """The path segment of a record kind, matched by name: a route of another path (`events.ics`) answers a
    method it lacks with 405, not with the kinds' routes refusing "events.ics" as a kind."""

    regex = "organisations|people|positions|events|agreements|commitments"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("record_kind", RecordKind())
router = APIRouter(prefix="/api/v1/cooperation", tags=["cooperation"], responses=ERROR_RESPONSES)
KindName = Annotated[str, Path(pattern="^(organisations|people|positions|events|agreements|commitments)$",
                               description="organisations, people, positions, events, agreements or commitments")]
PartnerCode = Annotated[str | None, Query(max_length=10, pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")]



def _out(kind: str, record, today: date) -> dict:
    values = {"id": record.id, **{f.name: to_plain(getattr(record, f.name)) for f in KINDS[kind].fields}}
    if hasattr(record, "synthetic"):
        values["synthetic"] = record.synthetic
    if kind == "commitments":
        values["overdue"] = is_overdue(record, today)
    if kind == "agreements":
        values["document_name"] = record.document_name
    return values


class HistoryOut(BaseModel):
    at: str
    user: str | None
    action: str
    changes: dict


class TimelineOut(BaseModel):
    day: str
    kind: str
    record_kind: str
    record_id: int
    title: str
    status: str | None
    overdue: bool
    future: bool
    synthetic: bool


@router.get("/timeline", response_model=list[TimelineOut])
def timeline(request: Request, coop: CooperationDep, today: Today, viewer: CoopViewer,
             partner: Annotated[str, Query(max_length=10, pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")]
             ) -> list[TimelineOut]:
    """Events, agreements (signed, expiring) and commitments about one partner territory, newest first."""
    return [TimelineOut(day=i.day.isoformat(), kind=i.kind, record_kind=i.record_kind, record_id=i.record_id,
                        title=i.title, status=i.status, overdue=i.overdue, future=i.future, synthetic=i.synthetic)
            for i in coop.timeline(partner, today)]


@router.get("/reminders")
def reminders(request: Request, viewer: CoopViewer, coop: CooperationDep, today: Today,
              days: Annotated[int, Query(ge=0, le=366)] = 14) -> dict:
    """What is due: overdue and soon-due commitments, events coming up, agreements running out (90 days)."""
    found = coop.reminders(today, days)
    return {"today": today.isoformat(),
            "overdue": [_out("commitments", c, today) for c in found.overdue],
            "due_soon": [_out("commitments", c, today) for c in found.due_soon],
            "upcoming_events": [_out("events", e, today) for e in found.upcoming_events],
            "expiring_agreements": [_out("agreements", a, today) for a in found.expiring]}


@router.get("/events.ics", response_class=Response, responses={200: {"content": {"text/calendar": {}}}})
def events_calendar(request: Request, viewer: CoopViewer, coop: CooperationDep,
                    partner: PartnerCode = None) -> Response:
    return Response(events_ics(coop, partner), media_type="text/calendar; charset=utf-8")


@router.get("/{kind:record_kind}")
def list_records(request: Request, viewer: CoopViewer, coop: CooperationDep, today: Today, kind: KindName,
                 partner: PartnerCode = None,
                 status: Annotated[str | None, Query(max_length=16)] = None,
                 q: Annotated[str | None, Query(max_length=200)] = None) -> list[dict]:
    return [_out(kind, r, today) for r in coop.list(kind, partner, status, q)]


@router.post("/{kind:record_kind}", status_code=201)
def create_record(request: Request, viewer: CoopEditor, coop: CooperationDep, today: Today, kind: KindName,
                  body: Annotated[dict[str, Any], Body(examples=[{"kind": "meeting", "title": "Working meeting",
                                                                  "start_date": "YYYY-MM-DD",
                                                                  "partners": ["ISO code"]}])]) -> dict:
    """Fields as `GET /api/v1/cooperation/{kind}` returns them; dates as YYYY-MM-DD, references as ids."""
    record = coop.create(kind, body, viewer.actor)
    return _out(kind, record, today)


@router.get("/{kind:record_kind}/{record_id}")
def get_record(request: Request, viewer: CoopViewer, coop: CooperationDep, today: Today, kind: KindName,
               record_id: RecordId) -> dict:
    record = coop.record(kind, record_id)
    return _out(kind, record, today)


@router.patch("/{kind:record_kind}/{record_id}")
def update_record(request: Request, viewer: CoopEditor, coop: CooperationDep, today: Today, kind: KindName,
                  record_id: RecordId,
                  body: Annotated[dict[str, Any], Body()]) -> dict:
    """Only the fields given change."""
    record = coop.update(kind, record_id, body, viewer.actor)
    return _out(kind, record, today)


@router.delete("/{kind:record_kind}/{record_id}", status_code=204, response_class=Response)
def delete_record(request: Request, viewer: CoopDeleter, coop: CooperationDep, kind: KindName,
                  record_id: RecordId) -> Response:
    coop.delete(kind, record_id, viewer.actor)  # RecordInUse (409) while other records refer to it
    return Response(status_code=204)


@router.get("/{kind:record_kind}/{record_id}/history", response_model=list[HistoryOut])
def history(request: Request, viewer: CoopViewer, coop: CooperationDep, kind: KindName,
            record_id: RecordId) -> list[HistoryOut]:
    return [HistoryOut(at=h.at.isoformat(), user=h.user_email, action=h.action, changes=h.changes)
            for h in coop.history(kind, record_id)]
