"""The nomenclature (HS / TN VED) in three languages, and who is asking."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from hamkor.errors import NotFound
from hamkor.reference import nomenclature
from hamkor.web.api._params import Lang
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import AnyUser, ReferenceViewer

router = APIRouter(prefix="/api/v1", tags=["reference"], responses=ERROR_RESPONSES)


class Me(BaseModel):
    email: str
    role: str
    language: str


class CodeOut(BaseModel):
    code: str
    level: str
    name: str
    parent: str | None


@router.get("/me", response_model=Me)
def me(viewer: AnyUser) -> Me:
    return Me(email=viewer.email, role=viewer.role, language=viewer.language)


@router.get("/nomenclature/search", response_model=list[CodeOut])
def search_codes(viewer: ReferenceViewer, q: Annotated[str, Query(min_length=1, max_length=100)], lang: Lang = "ru",
                 edition: Literal["HS2022", "HS2017"] = "HS2022",
                 limit: Annotated[int, Query(ge=1, le=200)] = 30) -> list[CodeOut]:
    return [CodeOut(code=e.code, level=e.level, name=e.name(lang), parent=e.parent)
            for e in nomenclature().search(q, lang, edition, limit)]


@router.get("/nomenclature/{code}", response_model=list[CodeOut])
def code_path(viewer: ReferenceViewer, code: str, lang: Lang = "ru",
              edition: Literal["HS2022", "HS2017"] = "HS2022") -> list[CodeOut]:
    """The code's path from its section, then its children."""
    entries = nomenclature().path(code, edition)
    if not entries:
        raise NotFound([("code", f"unknown code {code!r} in {edition}")])
    return [CodeOut(code=e.code, level=e.level, name=e.name(lang), parent=e.parent)
            for e in entries + nomenclature().children(code, edition)]
