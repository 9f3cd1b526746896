"""Matchmaking: scored pairs with their reasons, and suggestions turned into meeting requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from hamkor.companies.matching import describe
from hamkor.companies.registry import CompanyFilter
from hamkor.companies.service import accept_pair, match, meeting_requests
from hamkor.web.api._params import Lang, StrictIn
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import Matchmaker, MeetingMaker, Web

router = APIRouter(prefix="/api/v1", tags=["matching"], responses=ERROR_RESPONSES)


class SuggestionOut(BaseModel):
    a: int
    a_name: str
    b: int
    b_name: str
    score: float
    parts: dict[str, float]
    reasons: list[str]


@router.get("/matching", response_model=list[SuggestionOut])
def matching_api(viewer: Matchmaker, web: Web, a_region: Annotated[str | None, Query(max_length=10)] = None,
                 b_region: Annotated[str | None, Query(max_length=10)] = None,
                 a_country: Annotated[str | None, Query(max_length=2)] = None,
                 b_country: Annotated[str | None, Query(max_length=2)] = None,
                 a_sector: Annotated[str | None, Query(max_length=100)] = None,
                 b_sector: Annotated[str | None, Query(max_length=100)] = None,
                 top: Annotated[int, Query(ge=1, le=50)] = 5, lang: Lang = "ru") -> list[SuggestionOut]:
    """Every pair of group A x group B scored; the top suggestions for each company of A, with reasons."""
    group_a = CompanyFilter(None, a_country.upper() if a_country else None, a_region.upper() if a_region else None,
                            a_sector)
    group_b = CompanyFilter(None, b_country.upper() if b_country else None, b_region.upper() if b_region else None,
                            b_sector)
    with web.services.warehouse.reader() as con:
        result = match(web.services.registry, con, group_a, group_b, top, lang)
    return [SuggestionOut(a=s.a.id, a_name=s.a.name, b=s.b.id, b_name=s.b.name, score=s.score, parts=s.parts,
                          reasons=[describe(r, s.a.name, s.b.name, lang) for r in s.reasons])
            for s in result.suggestions]


class MeetingRequestIn(StrictIn):
    a: int = Field(ge=1, le=2**31 - 1, description="A company's registry number")
    b: int = Field(ge=1, le=2**31 - 1)


class MeetingRequestOut(BaseModel):
    id: int
    a: int
    b: int
    score: float
    status: str


@router.get("/meeting-requests", response_model=list[MeetingRequestOut])
def list_meeting_requests(viewer: Matchmaker, web: Web) -> list[MeetingRequestOut]:
    return [MeetingRequestOut(id=m.id, a=m.company_a, b=m.company_b, score=m.score, status=m.status)
            for m in meeting_requests(web.services.registry)]


@router.post("/meeting-requests", response_model=MeetingRequestOut, status_code=201)
def create_meeting_request(viewer: MeetingMaker, web: Web, body: MeetingRequestIn) -> MeetingRequestOut:
    """Accept a suggested pair as a meeting request (the missions' B2B schedule starts from these)."""
    with web.services.warehouse.reader() as con:
        made = accept_pair(web.services.registry, con, body.a, body.b, viewer.user_id)
    return MeetingRequestOut(id=made.id, a=made.company_a, b=made.company_b, score=made.score, status=made.status)
