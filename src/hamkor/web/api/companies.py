"""The company registry and the HS classification assistant."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from hamkor.companies.classify import search as hs_search
from hamkor.companies.registry import CompanyData, CompanyFilter, Contact, Registry, data_of
from hamkor.i18n import localize
from hamkor.web.api._params import StrictIn
from hamkor.web.api._problems import ERROR_RESPONSES
from hamkor.web.deps import CompanyCreator, CompanyEditor, CompanyViewer, RecordId, ReferenceViewer, RegistryDep

router = APIRouter(prefix="/api/v1", tags=["companies"], responses=ERROR_RESPONSES)


class ContactIO(StrictIn):
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None


class CompanyIn(StrictIn):
    name_ru: str | None = None
    name_uz: str | None = None
    name_en: str | None = None
    tax_id: str | None = None
    country: str
    region: str | None = None
    city: str | None = None
    sectors: list[str] = []
    size: str | None = None
    website: str | None = None
    languages: list[str] = []
    export_experience: str | None = None
    offers: list[str] = []
    offers_text: str | None = None
    needs: list[str] = []
    needs_text: str | None = None
    contacts: list[ContactIO] = []


class CompanyOut(CompanyIn):
    id: int
    synthetic: bool
    contacts: list[ContactIO] | None = None  # None: this viewer may not see them


def _company_out(registry: Registry, viewer, company, with_contacts: bool = False) -> CompanyOut:
    data = data_of(company)
    contacts = registry.contacts_for(viewer.actor, company.id) if with_contacts else None
    shown = None if contacts is None else [ContactIO(name=c.name, role=c.role, phone=c.phone, email=c.email)
                                           for c in contacts]
    fields = {k: v for k, v in data.__dict__.items() if k not in ("contacts", "synthetic")}
    if not viewer.actor.sees_tax_id(company.id):
        fields["tax_id"] = None  # what a public registration is recognised by: its own people and staff only
    return CompanyOut(id=company.id, synthetic=company.synthetic, contacts=shown, **fields)


def _company_data(body: CompanyIn) -> CompanyData:
    fields = body.model_dump()
    contacts = [Contact(**c) for c in fields.pop("contacts")]
    return CompanyData(**fields, contacts=contacts)


@router.get("/companies", response_model=list[CompanyOut])
def list_companies(viewer: CompanyViewer, registry: RegistryDep,
                   q: Annotated[str | None, Query(max_length=200)] = None,
                   country: Annotated[str | None, Query(max_length=2)] = None,
                   region: Annotated[str | None, Query(max_length=10)] = None,
                   sector: Annotated[str | None, Query(max_length=100)] = None,
                   code: Annotated[str | None, Query(pattern=r"^[0-9]{2,10}$")] = None) -> list[CompanyOut]:
    flt = CompanyFilter(q, country.upper() if country else None, region.upper() if region else None, sector, code)
    return [_company_out(registry, viewer, c) for c in registry.find(flt, viewer.actor)]


@router.get("/companies/{company_id}", response_model=CompanyOut)
def get_company(viewer: CompanyViewer, registry: RegistryDep, company_id: RecordId) -> CompanyOut:
    return _company_out(registry, viewer, registry.company_for(viewer.actor, company_id), with_contacts=True)


@router.post("/companies", response_model=CompanyOut, status_code=201)
def create_company(viewer: CompanyCreator, registry: RegistryDep, body: CompanyIn) -> CompanyOut:
    company = registry.create(_company_data(body), viewer.actor)
    return _company_out(registry, viewer, company, with_contacts=True)


@router.put("/companies/{company_id}", response_model=CompanyOut)
def update_company(viewer: CompanyEditor, registry: RegistryDep, company_id: RecordId,
                   body: CompanyIn) -> CompanyOut:
    company = registry.update(company_id, _company_data(body), viewer.actor)
    return _company_out(registry, viewer, company, with_contacts=True)


class HsHitOut(BaseModel):
    code: str
    name: str
    score: float
    detail: str | None
    why: list[str]


@router.get("/hs/search", response_model=list[HsHitOut])
def hs_search_api(viewer: ReferenceViewer, q: Annotated[str, Query(min_length=1, max_length=200)],
                  lang: Literal["ru", "uz", "en"] | None = None,
                  limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[HsHitOut]:
    """Free text in Russian, Uzbek or English -> ranked HS headings, each with why."""
    return [HsHitOut(code=h.code, name=h.label(lang or "ru"), score=h.score, detail=h.detail,
                     why=[localize(why, lang or "ru") for why in h.why])
            for h in hs_search(q, lang, limit)]
