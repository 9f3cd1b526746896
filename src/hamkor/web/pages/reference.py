"""Browse and search HS / TN VED in the three languages."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hamkor.reference import nomenclature
from hamkor.web.deps import ReferenceViewer, language_of
from hamkor.web.pages._render import page

router = APIRouter(include_in_schema=False)


@router.get("/nomenclature")
def browse(request: Request, viewer: ReferenceViewer, q: str | None = None, code: str | None = None,
           edition: str = "HS2022"):
    lang = language_of(request)
    edition = edition if edition in ("HS2022", "HS2017") else "HS2022"
    nom = nomenclature()
    found = nom.search(q, lang, edition, 100) if q else []
    path = nom.path(code, edition) if code else []
    children = nom.children(code, edition) if code else nom.entries(edition, "section")
    return page(request, "nomenclature.html.j2", q=q or "", code=code, edition=edition, found=found, path=path,
                children=children, lang_code=lang)
