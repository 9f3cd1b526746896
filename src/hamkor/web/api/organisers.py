"""JSON API of a mission's co-organisers and of the registrations they decide on: the same service calls as the
pages (`web/pages/organisers.py`, `web/pages/registration.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from hamkor.accounts.organisations import OrganisationData
from hamkor.companies.registry import company_name
from hamkor.errors import Problem
from hamkor.i18n import Msg
from hamkor.store.db import as_utc
from hamkor.web.api._params import Lang, RecordRef, StrictIn
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import MissionsDep, MissionStaff, OrganiserInviter, RecordId, RegistrationKeeper

router = APIRouter(prefix="/api/v1/missions", tags=["missions"], responses=ERROR_RESPONSES)


class OrganisationIn(StrictIn):
    kind: Literal["ministry", "fund", "administration", "consulate", "chamber", "company"]
    territory: str = Field(min_length=2, max_length=10, description="Its side: a country or region code")
    name_ru: str | None = Field(None, max_length=300)
    name_uz: str | None = Field(None, max_length=300)
    name_en: str | None = Field(None, max_length=300)
    company_id: RecordRef | None = Field(None, description="A company's organisation: its registry record")


class OrganiserInviteIn(StrictIn):
    organisation_id: RecordRef | None = Field(None, description="An organisation the instance knows…")
    organisation: OrganisationIn | None = Field(None, description="…or a new one")
    role: Literal["main", "supporting"]
    email: str = Field(min_length=3, max_length=320)
    language: Lang = "ru"


class OrganisationOut(BaseModel):
    id: int
    kind: str
    territory: str
    name_ru: str | None
    name_uz: str | None
    name_en: str | None


class OrganiserOut(BaseModel):
    organisation: OrganisationOut
    role: str
    side: str
    people: list[str]


class RegistrationOut(BaseModel):
    id: int
    company_id: int
    company: str
    side: str
    status: str
    reason: str | None
    created_at: datetime


class DecisionIn(StrictIn):
    decision: Literal["approve", "refuse"]
    reason: str | None = Field(None, max_length=4000, description="Why it is refused: the company is told")


def _organisation(o) -> OrganisationOut:
    return OrganisationOut(id=o.id, kind=o.kind, territory=o.territory, name_ru=o.name_ru, name_uz=o.name_uz,
                           name_en=o.name_en)


@router.get("/{mission_id}/organisers", response_model=list[OrganiserOut])
def list_organisers(request: Request, viewer: MissionStaff, missions: MissionsDep,
                    mission_id: RecordId) -> list[OrganiserOut]:
    return [OrganiserOut(organisation=_organisation(v.organisation), role=v.role, side=v.side,
                         people=[email for email, _ in v.people]) for v in missions.organisers(mission_id)]


@router.post("/{mission_id}/organisers", response_model=OrganiserOut, status_code=201)
def invite_organiser(request: Request, viewer: OrganiserInviter, missions: MissionsDep, mission_id: RecordId,
                     body: OrganiserInviteIn) -> OrganiserOut:
    """The owner makes an organisation a co-organiser and invites one of its people by mail."""
    if (body.organisation_id is None) == (body.organisation is None):
        raise Problem([("organisation", Msg("name an organisation the instance knows, or describe a new one"))])
    organisation = body.organisation_id or OrganisationData(**body.organisation.model_dump())
    user = missions.invite_organiser(mission_id, organisation, body.role, body.email, body.language, viewer.actor)
    found = next(v for v in missions.organisers(mission_id) if v.organisation.id == user.organisation_id)
    return OrganiserOut(organisation=_organisation(found.organisation), role=found.role, side=found.side,
                        people=[email for email, _ in found.people])


def _registration(view) -> RegistrationOut:
    r = view.registration
    return RegistrationOut(id=r.id, company_id=view.company.id, company=company_name(view.company), side=r.side,
                           status=r.status, reason=r.reason, created_at=as_utc(r.created_at))


@router.get("/{mission_id}/registrations", response_model=list[RegistrationOut])
def list_registrations(request: Request, viewer: RegistrationKeeper, missions: MissionsDep,
                       mission_id: RecordId) -> list[RegistrationOut]:
    """The confirmed registrations: a supporting organiser's of their own side only."""
    side = missions.bound_side(viewer.actor, mission_id)
    return [_registration(v) for v in missions.registrations(mission_id, side=side)]


@router.post("/{mission_id}/registrations/{registration_id}", response_model=RegistrationOut)
def decide_registration(request: Request, viewer: RegistrationKeeper, missions: MissionsDep, mission_id: RecordId,
                        registration_id: RecordId, body: DecisionIn) -> RegistrationOut:
    """Approve or refuse (with the reason the company is told); a supporting organiser their own side's only."""
    missions.decide_registration(mission_id, registration_id, body.decision == "approve", body.reason, viewer.actor)
    return _registration(next(v for v in missions.registrations(mission_id) if v.registration.id == registration_id))
