"""JSON API of organisers' messages to a group of a mission's participants: the same service calls as the page
(`web/pages/messages.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from hamkor.missions.messages import (
    GROUPS,
    MAX_BODY_CHARS,
    MAX_SUBJECT_CHARS,
    Audience,
    MessageDraft,
    MessageView,
)
from hamkor.store.db import as_utc
from hamkor.web.api._params import StrictIn
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import MessageWriter, MissionsDep, RecordId

router = APIRouter(prefix="/api/v1/missions", tags=["missions"], responses=ERROR_RESPONSES)
Lang = Literal["ru", "uz", "en"]
Subject = Annotated[str, Field(max_length=MAX_SUBJECT_CHARS)]
Body = Annotated[str, Field(max_length=MAX_BODY_CHARS)]
Group = Literal[GROUPS]  # type: ignore[valid-type] - the groups are the domain's one list


class MessageIn(StrictIn):
    group: Group = Field("all", description="all | side | sector | no_requests (no live request sent or received) | "
                                            "no_followup (had meetings, has not answered the follow-up)")
    side: Literal["host", "visiting"] | None = Field(None, description="For group `side`")
    sector: str | None = Field(None, max_length=200, description="For group `sector`")
    subjects: dict[Lang, Subject] = Field(description="Language -> subject; at least one language, each with its text")
    bodies: dict[Lang, Body] = Field(description="Language -> text; blank lines separate paragraphs")
    dry_run: bool = Field(False, description="Only say who would receive it; nothing is sent or kept")


class DeliveryOut(BaseModel):
    recipient: str
    company: str
    language: str
    status: str = Field(description="pending | held | sending | sent | failed")
    sent_at: datetime | None
    error: str | None


class MessageOut(BaseModel):
    id: int | None
    created_at: datetime | None
    author: str | None
    group: str
    side: str | None
    sector: str | None
    subjects: dict[str, str]
    bodies: dict[str, str]
    recipients: list[str] = Field(description="The companies in the group")
    deliveries: list[DeliveryOut]


def _out(view: MessageView) -> MessageOut:
    m = view.message
    return MessageOut(id=m.id, created_at=as_utc(m.created_at), author=view.author, group=m.audience["group"],
                      side=m.audience.get("side"), sector=m.audience.get("sector"), subjects=m.subjects,
                      bodies=m.bodies, recipients=sorted({d.company for d in view.deliveries}),
                      deliveries=[DeliveryOut(**d.__dict__) for d in view.deliveries])


@router.get("/{mission_id}/messages", response_model=list[MessageOut])
def list_messages(request: Request, viewer: MessageWriter, missions: MissionsDep, mission_id: RecordId,
                  lang: Lang = "ru") -> list[MessageOut]:
    """The mission's messages, newest first, with each copy's delivery (companies named in `lang`)."""
    return [_out(v) for v in missions.messages(mission_id, viewer.actor, lang)]


@router.post("/{mission_id}/messages", response_model=MessageOut, status_code=201, responses={
    200: {"model": MessageOut, "description": "A dry run: who would receive it; nothing is sent or kept"}})
def send_message(request: Request, response: Response, viewer: MessageWriter, missions: MissionsDep,
                 mission_id: RecordId, body: MessageIn) -> MessageOut:
    """Keep the message on the mission and mail every representative of the group's companies in their language
    (or the nearest written: Russian for a reader of Uzbek, then English). `dry_run` answers who would get it."""
    draft = MessageDraft(Audience(body.group, body.side, body.sector), dict(body.subjects), dict(body.bodies))
    if body.dry_run:
        clean, people = missions.preview_message(mission_id, draft, viewer.actor)
        response.status_code = 200  # nothing was created
        return MessageOut(id=None, created_at=None, author=None, group=clean.audience.group, side=clean.audience.side,
                          sector=clean.audience.sector, subjects=clean.subjects, bodies=clean.bodies,
                          recipients=sorted(p.name("en") for p in people), deliveries=[])
    sent = missions.send_message(mission_id, draft, viewer.actor)
    return next(_out(v) for v in missions.messages(mission_id) if v.message.id == sent.id)
